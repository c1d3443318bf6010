import EventModel
import EventStore
import Foundation

/// Where a replay stops. The bounds are inclusive and combine: an event is
/// folded when every bound that is set admits it.
public struct ReplayCutoff: Sendable, Equatable {
    /// Keep events recorded at or before this time: what the store knew then.
    public var asOf: Timestamp?
    /// Keep events that occurred at or before this time (business time).
    public var occurredUntil: Timestamp?
    /// Keep events at or before this position.
    public var atPosition: Int?

    public init(asOf: Timestamp? = nil, occurredUntil: Timestamp? = nil,
                atPosition: Int? = nil) {
        self.asOf = asOf
        self.occurredUntil = occurredUntil
        self.atPosition = atPosition
    }

    func admits(_ event: RecordedEvent) -> Bool {
        if let occurredUntil, event.occurredAt > occurredUntil { return false }
        return true
    }
}

/// Which rules a replay folds with.
public enum ReplayRules: String, Sendable {
    /// The rules recorded in `$rules` as in force at the `asOf` cut-off (the
    /// current rules when the replay has no `asOf`).
    case inForce = "in-force"
    /// The rules in the store's rule files now.
    case current
}

/// One step of a row's lineage: the event that changed it and the row after it.
public struct LineageStep: Sendable {
    public let event: RecordedEvent
    /// The row after the event; nil when the event removed it.
    public let row: Row?
}

extension ProjectionEngine {
    // MARK: - Replay

    /// The named read model as it stood at the cut-off, folded again from the
    /// log. It never touches the live read model and can run while other
    /// processes append. A cut by recorded time or position starts from the
    /// nearest snapshot at or before the cut-off taken under the same rules and
    /// projection version; a cut by business time folds from position 1.
    /// - Parameters:
    ///   - rules: the rules in force at the cut-off, or the current ones.
    ///   - useSnapshots: false to always fold from position 1.
    /// - Returns: the rows, with ages computed against the cut-off: the earlier
    ///   of `asOf` and `occurredUntil`; with `atPosition` alone, that
    ///   position's recorded time; with no cut-off, the clock.
    public func replay(_ name: String, cutoff: ReplayCutoff, rules: ReplayRules = .inForce,
                       useSnapshots: Bool = true) throws -> ReadModel {
        let prepared = try prepareReplay(name, cutoff: cutoff, rules: rules,
                                         useSnapshots: useSnapshots)
        try foldReplay(prepared) { _ in }
        let runner = prepared.runner
        return ReadModel(name: name, columns: runner.columns,
                         keyColumnCount: runner.keyColumnCount,
                         rows: runner.rows(now: prepared.now), position: prepared.lastPosition)
    }

    /// The lineage of one row: every event (within the cut-off) after which the
    /// row differed, with the row's values after it; the last step's row is the
    /// row as it stands.
    /// - Parameter key: the row's key columns joined with `/`, e.g. `C7/2026-03-02`.
    public func explain(_ name: String, key: String,
                        cutoff: ReplayCutoff) throws -> (columns: [Column], steps: [LineageStep]) {
        let prepared = try prepareReplay(name, cutoff: cutoff, rules: .inForce,
                                         useSnapshots: false)
        let runner = prepared.runner
        var steps: [LineageStep] = []
        var current: Row?
        try foldReplay(prepared) { event in
            let row = runner.row(key: key, now: prepared.now)
            if row != current {
                steps.append(LineageStep(event: event, row: row))
                current = row
            }
        }
        return (runner.columns, steps)
    }

    private struct PreparedReplay {
        var runner: any ProjectionRunner
        var from: Int
        var lastPosition: Int
        var now: Timestamp
        var cutoff: ReplayCutoff
    }

    private func prepareReplay(_ name: String, cutoff: ReplayCutoff, rules: ReplayRules,
                               useSnapshots: Bool) throws -> PreparedReplay {
        var registration = try registration(name)
        if rules == .inForce, let asOf = cutoff.asOf,
           let inForce = try rulesInForce(for: registration, at: asOf) {
            registration = inForce
        }
        var last = try store.headPosition()
        if let atPosition = cutoff.atPosition { last = min(last, atPosition) }
        if let asOf = cutoff.asOf {
            last = min(last, try store.lastPosition(recordedAtOrBefore: asOf))
        }
        var runner = makeRunner(registration)
        var from = 1
        if useSnapshots && cutoff.occurredUntil == nil,
           let snapshot = try snapshot(for: registration, atOrBefore: last) {
            do {
                try runner.load(snapshot.state)
                from = snapshot.position + 1
            } catch {
                // A snapshot is only a cache: one this build cannot read (an
                // unknown format or layout, damage) is skipped, and the
                // replay folds from position 1 instead.
                runner = makeRunner(registration)
            }
        }
        return PreparedReplay(runner: runner, from: from, lastPosition: last,
                              now: try replayNow(cutoff, last: last), cutoff: cutoff)
    }

    private func replayNow(_ cutoff: ReplayCutoff, last: Int) throws -> Timestamp {
        let bounds = [cutoff.asOf, cutoff.occurredUntil].compactMap { $0 }
        if let earliest = bounds.min() { return earliest }
        if let position = cutoff.atPosition {
            return try store.recordedAt(position: min(position, last)) ?? Timestamp.now()
        }
        return Timestamp.now()
    }

    private func foldReplay(_ replay: PreparedReplay,
                            afterEach: (RecordedEvent) throws -> Void) throws {
        guard replay.from <= replay.lastPosition else { return }
        try store.readAll(from: replay.from,
                          filter: ReadFilter(untilPosition: replay.lastPosition)) { event in
            guard replay.cutoff.admits(event) else { return true }
            // An event of a type the projection does not fold changes nothing.
            guard replay.runner.folds(event.type) else { return true }
            try replay.runner.fold(event)
            try afterEach(event)
            return true
        }
    }
}
