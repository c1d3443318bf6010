import Foundation
import Testing
@testable import EventStore

/// Long full reads scan and decompress on another thread; what they deliver
/// must be exactly what a read on the caller's thread delivers.
@Suite("Reading ahead")
struct ReadAheadTests {
    /// 3,100 events in 31 frames over two segments: more than one chunk.
    private func filledStore(_ directory: TemporaryDirectory) throws -> EventStore {
        let store = try openStore(directory, segmentSize: 100_000)
        for batch in 0..<31 {
            let events = (0..<100).map { i in
                i % 7 == 0 ? timesheet("T\(batch)-\(i)", hours: "7.5")
                    : note("batch \(batch) event \(i)")
            }
            try store.append(events, to: "s-\(batch % 5)")
        }
        return store
    }

    private func read(_ store: EventStore, from position: Int = 1,
                      filter: ReadFilter = ReadFilter(), readAhead: Bool,
                      stopAfter: Int = Int.max) throws -> [RecordedEvent] {
        var events: [RecordedEvent] = []
        try store.readAll(from: position, filter: filter, readAhead: readAhead) { event in
            events.append(event)
            return events.count < stopAfter
        }
        return events
    }

    @Test("a read ahead delivers the same events as a read on one thread")
    func sameEvents() throws {
        let directory = TemporaryDirectory()
        let store = try filledStore(directory)
        #expect(try FileSystem.listDirectory(directory.store + "/log").count >= 2)

        let all = try read(store, readAhead: false)
        #expect(all.count == 3_100)
        #expect(all.map(\.position) == Array(1...3_100))
        #expect(try read(store, readAhead: true) == all)
        #expect(try read(store, from: 1_234, readAhead: true) == Array(all[1_233...]))
        let filters = [
            ReadFilter(types: ["TimesheetSubmitted"]),
            ReadFilter(streamPrefix: "s-3"),
            ReadFilter(untilPosition: 2_050),
        ]
        for filter in filters {
            #expect(try read(store, filter: filter, readAhead: true)
                == read(store, filter: filter, readAhead: false))
        }
        #expect(try read(store, filter: ReadFilter(untilPosition: 2_050), readAhead: true).count
            == 2_050)
    }

    @Test("a caller that stops early gets exactly the events it took")
    func stopsEarly() throws {
        let directory = TemporaryDirectory()
        let store = try filledStore(directory)
        let all = try read(store, readAhead: false)
        for stop in [1, 99, 100, 2_048, 2_049, 3_000] {
            #expect(try read(store, readAhead: true, stopAfter: stop) == Array(all.prefix(stop)))
        }
    }

    @Test("a body that throws stops the read and its error reaches the caller")
    func bodyThrows() throws {
        struct Stop: Error {}
        let directory = TemporaryDirectory()
        let store = try filledStore(directory)
        var seen = 0
        #expect(throws: Stop.self) {
            try store.readAll(from: 1, filter: ReadFilter(), readAhead: true) { _ in
                seen += 1
                if seen == 500 { throw Stop() }
                return true
            }
        }
        #expect(seen == 500)
    }

    @Test("a damaged frame fails a read ahead after exactly the events before it")
    func damagedFrame() throws {
        let directory = TemporaryDirectory()
        let all: [RecordedEvent]
        do {
            let store = try filledStore(directory)
            all = try read(store, readAhead: false)
        }
        // Damage the compressed bytes of the third frame of the second segment.
        let segments = try FileSystem.listDirectory(directory.store + "/log").sorted()
        let path = directory.store + "/log/" + segments[1]
        var bytes = try Array(Data(contentsOf: URL(fileURLWithPath: path)))
        var offset = 0
        for _ in 0..<2 {
            offset += try bytes.withUnsafeBytes {
                try FrameHeader.decode(UnsafeRawBufferPointer(rebasing: $0[offset...]))
            }.frameLength
        }
        let header = try bytes.withUnsafeBytes {
            try FrameHeader.decode(UnsafeRawBufferPointer(rebasing: $0[offset...]))
        }
        bytes[offset + header.length + 100] ^= 0x10
        try Data(bytes).write(to: URL(fileURLWithPath: path))

        let store = try EventStore(directory: directory.store, options: makeOptions())
        var delivered: [RecordedEvent] = []
        #expect {
            try store.readAll(from: 1, filter: ReadFilter(), readAhead: true) { event in
                delivered.append(event)
                return true
            }
        } throws: { error in
            guard let corruption = error as? LogCorruption else { return false }
            return corruption.path == path && corruption.offset == offset
        }
        #expect(delivered == Array(all.prefix(header.firstPosition - 1)))
    }

    @Test("a queue kept full by its producer does not keep the items already taken")
    func releasesTakenItems() {
        // With a consumer slower than its producer the queue never runs empty;
        // it once kept every item it had handed out, so a long read held the
        // whole log in memory.
        let live = LiveCount()
        let queue = Handoff<Tracked>(depth: 2)
        _ = queue.put(.chunk(Tracked(live)))
        _ = queue.put(.chunk(Tracked(live)))
        for _ in 0..<50 {
            if case .chunk(let item) = queue.take() { _ = item }
            _ = queue.put(.chunk(Tracked(live)))
        }
        #expect(live.count == 2)
        queue.cancel()
    }
}

/// Counts the `Tracked` objects alive.
private final class LiveCount: @unchecked Sendable {
    // Only touched on the test's thread.
    var count = 0
}

private final class Tracked: Sendable {
    private let live: LiveCount

    init(_ live: LiveCount) {
        self.live = live
        live.count += 1
    }

    deinit { live.count -= 1 }
}

