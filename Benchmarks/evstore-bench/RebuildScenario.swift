import EventStore
import Projections

/// Rebuild of the four built-in read models from the log, with snapshots.
enum RebuildScenario {
    static func run(_ bench: BenchRun) throws {
        bench.note("rebuild the four projections (snapshots every "
            + "\(bench.options.snapshotInterval) positions)")
        let child = try ChildProcess.scenario("rebuild", [
            "--store", bench.importedStore,
            "--snapshot-interval", String(bench.options.snapshotInterval),
        ])
        bench.add(Figure(name: "rebuild all four projections from the log",
                         value: (try child["events"]) / (try child["seconds"]),
                         unit: "events/s", target: .atLeast(1_000_000)))
        bench.add(Figure(name: "  of which folding (no table and state writes)",
                         value: (try child["events"]) / (try child["fold_seconds"]),
                         unit: "events/s", target: .none))
        bench.add(Figure(name: "peak memory, rebuild (read models included)",
                         value: megabytes(try child["peak_bytes"]), unit: "MB",
                         target: .atMost(250), higherIsBetter: false))
    }

    static func engine(for store: EventStore, snapshotInterval: Int) throws -> ProjectionEngine {
        // No rule files in the store: the defaults.
        let projections = try BuiltInProjections.load(
            rulesDirectory: BuiltInProjections.rulesDirectory(of: store.directory))
        return try ProjectionEngine(store: store, projections: projections,
                                    snapshotInterval: snapshotInterval, actor: "evstore-bench")
    }

    /// In the child: rebuilds the store at `--store`.
    static func child(_ options: BenchOptions) throws {
        guard let path = options.childStore else {
            throw UsageError(description: "--scenario rebuild needs --store")
        }
        let store = try EventStore(directory: path)
        let engine = try engine(for: store, snapshotInterval: options.snapshotInterval)

        // The same fold as the rebuild's, without its writes, to split the time.
        let projections = engine.registrations.map(\.projection)
        let (foldSeconds, _) = try Measure.time { try foldOnly(store, projections) }

        let (seconds, runs) = try Measure.time { try engine.rebuild() }
        reportToParent(["seconds": seconds, "fold_seconds": foldSeconds,
                        "events": Double(runs.first?.toPosition ?? 0)])
    }

    /// Folds as the engine does: an event's data is parsed once when some
    /// projection folds its type, and each projection sees only its types.
    private static func foldOnly(_ store: EventStore, _ projections: [any Projection]) throws {
        var folders = projections.map { Folder($0) }
        let types = projections.map(\.eventTypes)
        let parsed: Set<String>? = types.contains { $0 == nil }
            ? nil : types.reduce(into: Set<String>()) { $0.formUnion($1 ?? []) }
        try store.readAll(from: 1) { event in
            let event = parsed.map { $0.contains(event.type) } ?? true
                ? event.parsingData() : event
            for index in folders.indices where types[index]?.contains(event.type) ?? true {
                try folders[index].fold(event)
            }
            return true
        }
    }
}

/// A projection and its state, with the state's type hidden.
private struct Folder {
    private var foldEvent: (RecordedEvent) throws -> Void

    init<P: Projection>(_ projection: P) {
        let box = StateBox(projection.initialState())
        foldEvent = { event in try projection.fold(&box.state, event) }
    }

    mutating func fold(_ event: RecordedEvent) throws { try foldEvent(event) }
}

private final class StateBox<State> {
    var state: State
    init(_ state: State) { self.state = state }
}
