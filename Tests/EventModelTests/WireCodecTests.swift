import Testing

@testable import EventModel

/// A valid TimesheetSubmitted data object with `hours` as given.
private func timesheet(hours: String) -> String {
    #"{"timesheet_id":"T1","engagement_id":"E042","consultant_id":"C7","#
        + #""work_date":"2026-03-02","hours":\#(hours),"billable":true}"#
}

@Suite("The wire codec decodes a full line")
struct WireCodecDecodingTests {
    @Test("every envelope field is read, timestamps in UTC")
    func fullLine() throws {
        let data = timesheet(hours: "7.50")
        let line = #"{"stream":"engagement-E042","type":"TimesheetSubmitted","#
            + #""occurred_at":"2026-03-02T10:15:00+01:00","data":\#(data),"#
            + #""metadata":{"actor":"user-17"},"id":"evt-1","expected_version":3,"#
            + #""recorded_at":"2026-03-02T09:16:00.250Z"}"#
        let event = try WireCodec.decodeLine(bytes(line), line: 1)

        #expect(event.stream == "engagement-E042")
        #expect(event.type == "TimesheetSubmitted")
        #expect(event.id == "evt-1")
        #expect(event.occurredAt?.rfc3339 == "2026-03-02T09:15:00Z")
        #expect(event.recordedAt?.rfc3339 == "2026-03-02T09:16:00.250Z")
        #expect(event.expectedVersion == .exact(3))
        #expect(event.data == bytes(data))
        #expect(event.metadata == bytes(#"{"actor":"user-17"}"#))
        #expect(event.dataValue.string("consultant_id") == "C7")
        #expect(event.dataValue.number("hours")?.literal == "7.50")
        #expect(event.metadataValue?.string("actor") == "user-17")
    }

    @Test("the data object is kept byte for byte, whitespace included")
    func exactBytes() throws {
        let line = #"{"stream":"s","type":"Custom","data": { "z" : 1.0 , "a" : [ ] } }"#
        let event = try WireCodec.decodeLine(bytes(line), line: 1)
        #expect(event.data == bytes(#"{ "z" : 1.0 , "a" : [ ] }"#))
        #expect(event.metadata == nil)
        #expect(event.id == nil)
        #expect(event.occurredAt == nil)
        #expect(event.expectedVersion == nil)
    }

    @Test("null optional fields mean absent")
    func nullOptionals() throws {
        let line = #"{"stream":"s","type":"Custom","data":{},"id":null,"occurred_at":null,"#
            + #""recorded_at":null,"metadata":null,"expected_version":null}"#
        let event = try WireCodec.decodeLine(bytes(line), line: 1)
        #expect(event.id == nil)
        #expect(event.occurredAt == nil)
        #expect(event.recordedAt == nil)
        #expect(event.metadata == nil)
        #expect(event.expectedVersion == nil)
    }

    @Test("the stream id is normalised to NFC")
    func streamNormalised() throws {
        let line = #"{"stream":"Cafe\u0301","type":"Custom","data":{}}"#
        let event = try WireCodec.decodeLine(bytes(line), line: 1)
        #expect(Array(event.stream.utf8) == [0x43, 0x61, 0x66, 0xC3, 0xA9])
    }

    @Test("expected_version accepts integers and the three names", arguments: [
        ("0", ExpectedVersion.exact(0)), ("18446744073709551615", .exact(UInt64.max)),
        (#""any""#, .any), (#""no_stream""#, .noStream), (#""exists""#, .exists),
    ])
    func expectedVersions(json: String, version: ExpectedVersion) throws {
        let line = #"{"stream":"s","type":"Custom","data":{},"expected_version":\#(json)}"#
        #expect(try WireCodec.decodeLine(bytes(line), line: 1).expectedVersion == version)
    }

    @Test("a line inside a larger buffer reports offsets from the slice start")
    func sliceOverload() throws {
        let buffer = bytes("{\"stream\":\"a\",\"type\":\"T\",\"data\":{}}\n{\"stream\":1}\n")
        let first = try WireCodec.decodeLine(buffer[0..<35], line: 1)
        #expect(first.stream == "a")
        let expected = CodecError.invalidField(
            line: 2, field: "stream", reason: "must be a string, got a number")
        #expect(throws: expected) {
            try WireCodec.decodeLine(buffer[36..<48], line: 2)
        }
    }
}

/// The required envelope fields, valid, without braces.
private let envelope = #""stream":"s","type":"Custom","data":{}"#

@Suite("The wire codec names the line and field of every refusal")
struct WireCodecErrorTests {
    @Test("each bad envelope is refused naming its field", arguments: [
        (#"{"type":"X","data":{}}"#, "stream", "is required"),
        (#"{"stream":"s","data":{}}"#, "type", "is required"),
        (#"{"stream":"s","type":"X"}"#, "data", "is required"),
        (#"{"stream":5,"type":"X","data":{}}"#, "stream", "must be a string, got a number"),
        (#"{"stream":"","type":"X","data":{}}"#, "stream", "must not be empty"),
        (#"{"stream":"s","type":"","data":{}}"#, "type", "must not be empty"),
        (#"{"stream":"s","type":"X","data":[1]}"#, "data", "must be a JSON object, got an array"),
        (#"{"stream":"s","type":"X","data":null}"#, "data", "must be a JSON object, got null"),
        (#"{\#(envelope),"metadata":"m"}"#, "metadata", "must be a JSON object, got a string"),
        (#"{\#(envelope),"id":""}"#, "id", "must not be empty"),
        (#"{\#(envelope),"id":7}"#, "id", "must be a string, got a number"),
        (#"{\#(envelope),"colour":"red"}"#, "colour", "unknown field"),
        (
            #"{\#(envelope),"occurred_at":"2026-03-02T09:15:00"}"#, "occurred_at",
            "an offset or Z is required after the time (e.g. Z or +01:00)"
        ),
        (
            #"{\#(envelope),"recorded_at":"2026-02-30T09:15:00Z"}"#, "recorded_at",
            "day 30 is not in 1...28 for that month"
        ),
        (
            #"{\#(envelope),"metadata":{"actor":5}}"#, "metadata.actor",
            "must be a string or null, got a number"
        ),
    ])
    func refused(line: String, field: String, reason: String) {
        #expect(throws: CodecError.invalidField(line: 12, field: field, reason: reason)) {
            try WireCodec.decodeLine(bytes(line), line: 12)
        }
    }

    @Test("expected_version must be a non-negative integer or a known name", arguments: [
        "-1", "1.5", "1e2", #""3""#, #""ANY""#, "18446744073709551616", "true",
    ])
    func badExpectedVersion(json: String) {
        let line = #"{\#(envelope),"expected_version":\#(json)}"#
        let reason = #"must be an integer >= 0 or one of "any", "no_stream", "exists""#
        let expected = CodecError.invalidField(line: 4, field: "expected_version", reason: reason)
        #expect(throws: expected) {
            try WireCodec.decodeLine(bytes(line), line: 4)
        }
    }

    @Test("a built-in data rule is reported with its dotted path")
    func builtInRule() {
        let line = #"{"stream":"s","type":"TimesheetSubmitted","data":\#(timesheet(hours: "25"))}"#
        let expected = CodecError.invalidField(
            line: 12, field: "data.hours", reason: "must be greater than 0 and at most 24, got 25")
        #expect(throws: expected) {
            try WireCodec.decodeLine(bytes(line), line: 12)
        }
        #expect(expected.description
            == #"line 12: field "data.hours": must be greater than 0 and at most 24, got 25"#)
    }

    @Test("invalid JSON is reported with the line and byte offset")
    func invalidJSON() {
        // { 0, "stream" 1-8, : 9, "s" 10-12, , 13, } 14.
        let expected = CodecError.invalidJSON(
            line: 3, offset: 14, reason: "unexpected character, expected a string key")
        #expect(throws: expected) {
            try WireCodec.decodeLine(bytes(#"{"stream":"s",}"#), line: 3)
        }
        #expect(expected.description
            == "line 3: invalid JSON at byte 14: unexpected character, expected a string key")
    }

    @Test("a line that is not an object is refused as JSON")
    func notAnObject() {
        let expected = CodecError.invalidJSON(
            line: 1, offset: 0, reason: "unexpected character, expected a JSON object")
        #expect(throws: expected) {
            try WireCodec.decodeLine(bytes("[]"), line: 1)
        }
    }

    @Test("a repeated envelope field is refused as a duplicate key")
    func duplicateField() {
        // {"type":"A", is 12 bytes, so the second "type" starts at 12.
        let line = #"{"type":"A","type":"B","stream":"s","data":{}}"#
        let expected = CodecError.invalidJSON(
            line: 1, offset: 12, reason: #"duplicate key "type""#)
        #expect(throws: expected) {
            try WireCodec.decodeLine(bytes(line), line: 1)
        }
    }

    @Test("error messages never repeat payload values")
    func noPayloadInMessages() {
        let secret = "hunter2-secret"
        let lines = [
            #"{"stream":"s","type":"X","data":{"password":"\#(secret)"},"#
                + #""occurred_at":"\#(secret)"}"#,
            #"{"stream":"s","type":"X","data":{"password":"\#(secret)"},"id":7}"#,
            #"{"stream":"s","type":"X","data":{"password":"\#(secret)"#,
            #"{"stream":"s","type":"ApprovalRequested","data":{"kind":"\#(secret)"}}"#,
        ]
        for line in lines {
            do {
                _ = try WireCodec.decodeLine(bytes(line), line: 1)
                Issue.record("line was accepted")
            } catch {
                #expect(!error.description.contains("hunter2"))
            }
        }
    }

    @Test("a control character in a field name cannot break the message line")
    func fieldNameEscaped() {
        let error = CodecError.invalidField(line: 1, field: "a\nb", reason: "unknown field")
        #expect(error.description == #"line 1: field "a\nb": unknown field"#)
        #expect(error.line == 1)
    }
}
