import EventModel
import EventStore
import Foundation

/// Saved states and snapshots as the fuzzer (`tools/evstore-fuzz`) and the
/// tests that replay its findings drive them: any bytes, read back as a
/// built-in projection's state. A refusal is a fine outcome; a crash, or a
/// state that loads but does not save and load again to the same rows, is a
/// defect.
package enum StateFuzzEntry {
    /// The first byte picks the projection (modulo four); the rest is the
    /// state as stored, its format byte first.
    /// - Returns: the number of rows of a state that loaded, else nil.
    @discardableResult
    package static func run(_ bytes: UnsafeRawBufferPointer) -> Int? {
        guard let first = bytes.first else { return nil }
        let registration = builtIns[Int(first) % builtIns.count]
        let runner = makeRunner(registration)
        guard (try? runner.load(Array(bytes.dropFirst()))) != nil else { return nil }
        let rows = runner.rows(now: now)
        let again = makeRunner(registration)
        do {
            try again.load(try runner.encode())
        } catch {
            fatalError("a state that loaded does not load again once saved: \(error)")
        }
        precondition(again.rows(now: now) == rows, "a saved state gives other rows")
        return rows.count
    }

    /// The state of each built-in folded over `events`, as stored, with the
    /// byte that picks it in `run` first: the fuzzer's seeds.
    package static func seeds(folding events: [RecordedEvent]) throws -> [[UInt8]] {
        try builtIns.indices.map { index in
            let runner = makeRunner(builtIns[index])
            for event in events { try runner.fold(event) }
            return [UInt8(index)] + (try runner.encode())
        }
    }

    private static let now = Timestamp(microseconds: 1_782_000_000_000_000)

    /// The built-ins with their default rules.
    private static let builtIns: [RegisteredProjection] = BuiltInProjections.names.map { name in
        do {
            return try BuiltInProjections.make(
                name, rules: Array(BuiltInProjections.defaultRules[name]!.utf8), file: name)
        } catch {
            fatalError("the default rules of \(name) do not load: \(error)")
        }
    }
}
