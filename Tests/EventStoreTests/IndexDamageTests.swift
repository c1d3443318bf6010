import EventModel
import Foundation
import Testing
@testable import EventStore

/// Damage to the SQLite index, which has no page checksums of its own: each
/// case must be found by `verify` (its index-to-log agreement checks and
/// SQLite's integrity check), or else every read must still return the right
/// events or fail loudly. Never a silently wrong answer. `reindex` then
/// rebuilds the index from the log. `EVSTORE_INDEX_DAMAGE_CASES` sets the
/// number of random cases (40 by default; the long campaign uses 1,000).
@Suite("Index damage")
struct IndexDamageTests {
    /// A store of 240 events in 8 streams over several segments, closed (its
    /// write-ahead log checkpointed into index.sqlite), with what it reads.
    private final class Pristine {
        let directory = TemporaryDirectory()
        var all: [RecordedEvent] = []
        var streams: [String: [RecordedEvent]] = [:]

        init() throws {
            do {
                let store = try openStore(directory, segmentSize: 8_000)
                for batch in 0..<40 {
                    let events = (0..<6).map { note("b\(batch)-e\($0)", id: "id-\(batch)-\($0)") }
                    try store.append(events.enumerated().map { offset, event in
                        StreamAppend(stream: "s-\((batch + offset) % 8)", events: [event])
                    })
                }
            }
            let store = try EventStore(directory: directory.store, options: readOnly())
            all = try store.readAll()
            for stream in Set(all.map(\.stream)) {
                streams[stream] = try store.read(stream: stream)
            }
        }

        /// A fresh copy of the store to damage.
        func copy() throws -> TemporaryDirectory {
            let copy = TemporaryDirectory()
            try FileManager.default.copyItem(atPath: directory.store, toPath: copy.store)
            return copy
        }
    }

    private static func readOnly() -> StoreOptions {
        var options = makeOptions()
        options.readOnly = true
        return options
    }

    /// What the damaged store does: found by verify (or by opening), or reads
    /// that equal the pristine store's or throw. Returns how it ended.
    private enum Outcome: Hashable { case found, harmless, readsFailedLoudly }

    private func check(_ copy: TemporaryDirectory, against pristine: Pristine,
                       _ label: String) -> Outcome {
        let store: EventStore
        do {
            store = try EventStore(directory: copy.store, options: Self.readOnly())
            if try !store.verify().isOK { return .found }
        } catch {
            return .found
        }
        // verify passed: then every read must be right, or fail.
        do {
            let all = try store.readAll()
            #expect(all == pristine.all, "\(label): readAll returned other events")
            for (stream, events) in pristine.streams {
                let read = try store.read(stream: stream)
                #expect(read == events, "\(label): \(stream) read other events")
                #expect(try store.version(of: stream) == events.count, "\(label): \(stream)")
                let backwards = try store.read(stream: stream, backwards: true)
                #expect(backwards == events.reversed(), "\(label): \(stream) backwards")
            }
            return .harmless
        } catch {
            return .readsFailedLoudly
        }
    }

    /// Reindex repairs the copy: verify passes and reads equal the pristine's.
    private func checkReindex(_ copy: TemporaryDirectory, against pristine: Pristine,
                              _ label: String) throws {
        #expect(try EventStore.reindex(directory: copy.store) == pristine.all.count, "\(label)")
        let store = try EventStore(directory: copy.store, options: Self.readOnly())
        #expect(try store.verify().isOK, "\(label)")
        #expect(try store.readAll() == pristine.all, "\(label)")
    }

    @Test("rows that disagree with the log are each found by verify, and reindex repairs them")
    func wrongRows() throws {
        let pristine = try Pristine()
        // Each statement leaves a well-formed database that says something
        // false about the log.
        let damage = [
            "UPDATE stream_events SET position = position + 1 "
                + "WHERE stream_id = 1 AND version = 2",
            "DELETE FROM stream_events WHERE stream_id = 2 AND version = 3",
            "UPDATE stream_events SET version = version + 100 WHERE stream_id = 3 AND version = 5",
            "DELETE FROM event_ids WHERE position = 17",
            "UPDATE event_ids SET position = 18 WHERE position = 19",
            "UPDATE streams SET version = version + 1 WHERE id = 4",
            "UPDATE streams SET version = version - 1 WHERE id = 5",
            "INSERT INTO streams (name, version) VALUES ('ghost', 1)",
            "UPDATE frames SET offset = offset + 1 WHERE first_position = "
                + "(SELECT max(first_position) FROM frames)",
            "UPDATE frames SET last_position = last_position - 1 WHERE first_position = 7",
            "DELETE FROM frames WHERE first_position = 13",
            "UPDATE frames SET recorded_at = recorded_at + 1 WHERE first_position = 1",
            "UPDATE frames SET segment = segment + 1 WHERE first_position = 1",
        ]
        for sql in damage {
            let copy = try pristine.copy()
            do {
                let connection = try SQLiteConnection(path: copy.store + "/index.sqlite",
                                                      readOnly: false)
                try connection.execute(sql)
            }
            #expect(check(copy, against: pristine, sql) == .found, "\(sql)")
            try checkReindex(copy, against: pristine, sql)
        }
    }

    @Test("random bytes flipped, zeroed or cut in index.sqlite never give wrong answers")
    func randomDamage() throws {
        let cases = Int(ProcessInfo.processInfo.environment["EVSTORE_INDEX_DAMAGE_CASES"] ?? "")
            ?? 40
        let pristine = try Pristine()
        let indexSize = try FileSystem.fileSize(pristine.directory.store + "/index.sqlite")
        var generator = SystemRandomNumberGenerator()
        var outcomes: [Outcome: Int] = [:]
        for number in 0..<cases {
            let copy = try pristine.copy()
            let path = copy.store + "/index.sqlite"
            var bytes = Array(try Data(contentsOf: URL(fileURLWithPath: path)))
            // Past the 100-byte file header half the time, where the rows are.
            let offset = Bool.random(using: &generator)
                ? Int.random(in: 0..<indexSize, using: &generator)
                : Int.random(in: 100..<indexSize, using: &generator)
            let label: String
            switch Int.random(in: 0..<3, using: &generator) {
            case 0:
                let bit = UInt8(1) << UInt8.random(in: 0..<8, using: &generator)
                bytes[offset] ^= bit
                label = "case \(number): bit flipped at \(offset)"
            case 1:
                let end = min(bytes.count, offset + Int.random(in: 1...64, using: &generator))
                for index in offset..<end { bytes[index] = 0 }
                label = "case \(number): zeroed \(offset)..<\(end)"
            default:
                bytes.removeSubrange(offset...)
                label = "case \(number): cut at \(offset)"
            }
            try Data(bytes).write(to: URL(fileURLWithPath: path))
            outcomes[check(copy, against: pristine, label), default: 0] += 1
            try checkReindex(copy, against: pristine, label)
        }
        #expect(outcomes.values.reduce(0, +) == cases)
        print("index damage: \(cases) cases; found by verify or open \(outcomes[.found] ?? 0), "
            + "harmless \(outcomes[.harmless] ?? 0), reads failed loudly "
            + "\(outcomes[.readsFailedLoudly] ?? 0); all reindexed")
    }
}
