import EventModel
import Foundation
import Testing
@testable import EventStore

@Suite("Positions and versions")
struct PositionTests {
    @Test("interleaved appends to several streams get gapless positions and dense versions")
    func interleavedAppends() throws {
        let directory = TemporaryDirectory()
        let store = try openStore(directory)

        let a1 = try store.append([note("a1"), note("a2")], to: "engagement-A")
        let b1 = try store.append([note("b1")], to: "engagement-B")
        let a2 = try store.append([note("a3")], to: "engagement-A")
        let both = try store.append([
            StreamAppend(stream: "engagement-B", events: [note("b2"), note("b3")]),
            StreamAppend(stream: "engagement-C", events: [note("c1")]),
        ])

        #expect(a1.positions == [1, 2] && a1.streamVersion == 2)
        #expect(b1.positions == [3] && b1.streamVersion == 1)
        #expect(a2.positions == [4] && a2.streamVersion == 3)
        #expect(both[0].positions == [5, 6] && both[0].streamVersion == 3)
        #expect(both[1].positions == [7] && both[1].streamVersion == 1)

        let all = try store.readAll()
        #expect(all.map(\.position) == [1, 2, 3, 4, 5, 6, 7])
        #expect(all.map(\.stream) == ["engagement-A", "engagement-A", "engagement-B",
                                      "engagement-A", "engagement-B", "engagement-B",
                                      "engagement-C"])
        #expect(all.map(\.version) == [1, 2, 1, 3, 2, 3, 1])
        #expect(all.map(\.text) == [#"{"text":"a1"}"#, #"{"text":"a2"}"#, #"{"text":"b1"}"#,
                                    #"{"text":"a3"}"#, #"{"text":"b2"}"#, #"{"text":"b3"}"#,
                                    #"{"text":"c1"}"#])

        let streamA = try store.read(stream: "engagement-A")
        #expect(streamA.map(\.position) == [1, 2, 4])
        #expect(streamA.map(\.version) == [1, 2, 3])
        let backwards = try store.read(stream: "engagement-B", backwards: true, limit: 2)
        #expect(backwards.map(\.version) == [3, 2])
        #expect(backwards.map(\.position) == [6, 5])
        let fromTwo = try store.read(stream: "engagement-B", from: 2)
        #expect(fromTwo.map(\.position) == [5, 6])
        #expect(try store.headPosition() == 7)
        #expect(try store.version(of: "engagement-C") == 1)
        #expect(try store.version(of: "nobody") == 0)
    }

    @Test("data is stored byte for byte and times are the store's clock")
    func byteForByte() throws {
        let directory = TemporaryDirectory()
        let clock = TestClock()
        let store = try openStore(directory, clock: clock)
        let data = "{ \"b\" : 1.50,\n \"a\":[ 1e2 ] }"
        let occurred = try Timestamp(rfc3339: "2026-02-27T17:30:00+01:00")
        try store.append([NewEvent(type: "Custom", data: data, metadata: #"{"actor":"u-1"}"#,
                                   id: "evt-1", occurredAt: occurred)], to: "s")
        let event = try #require(try store.read(stream: "s").first)
        #expect(event.dataText == data)
        #expect(String(decoding: event.metadata, as: UTF8.self) == #"{"actor":"u-1"}"#)
        #expect(event.occurredAt.rfc3339 == "2026-02-27T16:30:00Z")
        #expect(event.recordedAt.rfc3339 == "2026-03-02T09:00:00Z")
        #expect(event.id == "evt-1")
    }

    @Test("recorded_at never decreases even when the clock steps back")
    func clockStepsBack() throws {
        let directory = TemporaryDirectory()
        let clock = TestClock(start: "2026-03-02T09:00:00Z", step: 0)
        let store = try openStore(directory, clock: clock)
        try store.append([note("1")], to: "s")
        clock.set("2026-03-01T09:00:00Z")
        try store.append([note("2")], to: "s")
        let times = try store.readAll().map(\.recordedAt.rfc3339)
        #expect(times == ["2026-03-02T09:00:00Z", "2026-03-02T09:00:00Z"])
    }

    @Test("two spellings of one visible name are one stream, and $ streams are reserved")
    func streamNames() throws {
        let directory = TemporaryDirectory()
        let store = try openStore(directory)
        try store.append([note("1")], to: "caf\u{E9}")
        let second = try store.append([note("2")], to: "cafe\u{301}")
        #expect(second.streamVersion == 2)
        #expect(second.stream == "caf\u{E9}")
        #expect(throws: AppendError.reservedStream("$rules")) {
            try store.append([note("x")], to: "$rules")
        }
        #expect(try store.headPosition() == 2)
    }
}

@Suite("Expected versions")
struct ExpectedVersionTests {
    @Test("each expected version is checked against the stream's version")
    func cases() throws {
        let directory = TemporaryDirectory()
        let store = try openStore(directory)

        #expect(throws: AppendError.versionConflict(stream: "s", expected: .exists, actual: 0)) {
            try store.append([note("x")], to: "s", expectedVersion: .exists)
        }
        #expect(throws: AppendError.versionConflict(stream: "s", expected: .exact(1),
                                                    actual: 0)) {
            try store.append([note("x")], to: "s", expectedVersion: .exact(1))
        }
        try store.append([note("1"), note("2")], to: "s", expectedVersion: .noStream)
        #expect(throws: AppendError.versionConflict(stream: "s", expected: .noStream,
                                                    actual: 2)) {
            try store.append([note("x")], to: "s", expectedVersion: .noStream)
        }
        #expect(throws: AppendError.versionConflict(stream: "s", expected: .exact(1),
                                                    actual: 2)) {
            try store.append([note("x")], to: "s", expectedVersion: .exact(1))
        }
        #expect(try store.append([note("3")], to: "s", expectedVersion: .exact(2))
            .streamVersion == 3)
        #expect(try store.append([note("4")], to: "s", expectedVersion: .exists)
            .streamVersion == 4)
        #expect(try store.append([note("5")], to: "s", expectedVersion: .any)
            .streamVersion == 5)
        #expect(try store.headPosition() == 5)
    }

    @Test("a conflict names the stream, the expected and the actual version")
    func message() {
        let error = AppendError.versionConflict(stream: "engagement-E042", expected: .exact(3),
                                                actual: 5)
        #expect(error.description
            == #"version conflict on stream "engagement-E042": expected 3, actual 5"#)
    }
}

@Suite("Idempotency")
struct IdempotencyTests {
    @Test("a retry with the same id and content returns the original positions")
    func retry() throws {
        let directory = TemporaryDirectory()
        let store = try openStore(directory)
        let first = try store.append([
            NewEvent(type: "T", data: #"{"a":1,"b":[true,null]}"#,
                     metadata: #"{"actor":"u"}"#, id: "hook-1"),
            NewEvent(type: "T", data: #"{"c":2}"#, id: "hook-2"),
        ], to: "s", expectedVersion: .noStream)
        #expect(first.positions == [1, 2])

        // Key order, white space and number spelling differ; the expected
        // version is stale: still the same events.
        let retry = try store.append([
            NewEvent(type: "T", data: #"{ "b":[true, null], "a":1.0 }"#,
                     metadata: #"{ "actor" : "u" }"#, id: "hook-1"),
            NewEvent(type: "T", data: #"{"c":2}"#, id: "hook-2"),
        ], to: "s", expectedVersion: .noStream)
        #expect(retry.positions == [1, 2])
        #expect(retry.duplicates == 2)
        #expect(retry.streamVersion == 2)
        #expect(try store.headPosition() == 2)
    }

    @Test("the same id with other content is refused and nothing is written")
    func conflictingReuse() throws {
        let directory = TemporaryDirectory()
        let store = try openStore(directory)
        try store.append([NewEvent(type: "T", data: #"{"a":1}"#, id: "x")], to: "s")
        #expect(throws: AppendError.idConflict(id: "x", stream: "s", storedPosition: 1,
                                               difference: "data differs")) {
            try store.append([note("fresh"), NewEvent(type: "T", data: #"{"a":2}"#, id: "x")],
                             to: "s")
        }
        #expect(throws: AppendError.idConflict(id: "x", stream: "other", storedPosition: 1,
                                               difference: "stream \"s\" differs")) {
            try store.append([NewEvent(type: "T", data: #"{"a":1}"#, id: "x")], to: "other")
        }
        #expect(try store.headPosition() == 1)
    }

    @Test("an id repeated inside one call is stored once")
    func repeatedInOneCall() throws {
        let directory = TemporaryDirectory()
        let store = try openStore(directory)
        let result = try store.append([note("1", id: "d"), note("1", id: "d"), note("2")],
                                      to: "s")
        #expect(result.positions == [1, 1, 2])
        #expect(result.duplicates == 1)
        #expect(try store.version(of: "s") == 2)
        #expect(throws: AppendError.idReusedInBatch(id: "e", stream: "s",
                                                    difference: "data differs")) {
            try store.append([note("1", id: "e"), note("2", id: "e")], to: "s")
        }
        #expect(try store.headPosition() == 2)
    }
}

@Suite("Atomic batches and validation")
struct AtomicBatchTests {
    @Test("one invalid event rejects the whole multi-stream batch")
    func oneInvalidEvent() throws {
        let directory = TemporaryDirectory()
        let store = try openStore(directory)
        try store.append([note("before")], to: "s")
        #expect(throws: BatchAppendError(
            part: 1,
            error: .invalidEvent(stream: "timesheet-C7", index: 1, id: nil,
                                 field: "data.hours",
                                 reason: "must be greater than 0 and at most 24, got 25"))) {
            try store.append([
                StreamAppend(stream: "engagement-E042", events: [note("ok")]),
                StreamAppend(stream: "timesheet-C7",
                             events: [timesheet("T1", hours: "8"), timesheet("T2", hours: "25")]),
            ])
        }
        #expect(try store.headPosition() == 1)
        #expect(try store.version(of: "engagement-E042") == 0)
        #expect(try store.version(of: "timesheet-C7") == 0)
        // The store goes on normally afterwards.
        #expect(try store.append([timesheet("T1", hours: "7.5")], to: "timesheet-C7")
            .positions == [2])
    }

    @Test("an event decoded from a line and then changed is validated again")
    func changedAfterDecoding() throws {
        let directory = TemporaryDirectory()
        let store = try openStore(directory)
        let line = #"{"stream":"t","type":"TimesheetSubmitted","data":{"timesheet_id":"T","#
            + #""engagement_id":"E","consultant_id":"C","work_date":"2026-03-02","hours":8,"#
            + #""billable":true}}"#
        var event = NewEvent(wire: try WireCodec.decodeLine(Array(line.utf8), line: 1))
        event.data = Array(#"{"timesheet_id":"T"}"#.utf8)
        #expect(throws: AppendError.self) { try store.append([event], to: "t") }
        #expect(try store.headPosition() == 0)
    }

    @Test("data that is not a JSON object is refused with the field")
    func notAnObject() throws {
        let directory = TemporaryDirectory()
        let store = try openStore(directory)
        #expect(throws: AppendError.invalidEvent(stream: "s", index: 0, id: nil, field: "data",
                                                 reason: "must be a JSON object")) {
            try store.append([NewEvent(type: "T", data: "[1]")], to: "s")
        }
    }

    @Test("an event larger than the limit is refused with its size and the limit")
    func tooLarge() throws {
        let directory = TemporaryDirectory()
        var options = makeOptions()
        options.maxEventSize = 100
        let store = try EventStore(directory: directory.store, options: options, create: true)
        let text = String(repeating: "x", count: 120)
        #expect(throws: AppendError.eventTooLarge(stream: "s", index: 0, size: 131, limit: 100)) {
            try store.append([note(text)], to: "s")
        }
    }
}
