import EventStore
import Projections

/// Rebuild of the four built-in read models from the log, with snapshots.
enum RebuildScenario {
    static func run(_ bench: BenchRun) throws {
        bench.note("rebuild the four projections (snapshots every "
            + "\(bench.options.snapshotInterval) positions)")
        let arguments = [
            "--store", bench.importedStore,
            "--snapshot-interval", String(bench.options.snapshotInterval),
        ]
        // The fold alone runs in a child of its own, so the rebuild's peak
        // memory is the rebuild's.
        let fold = try ChildProcess.scenario("fold", arguments)
        let child = try ChildProcess.scenario("rebuild", arguments)
        bench.add(Figure(name: "rebuild all four projections from the log",
                         value: (try child["events"]) / (try child["seconds"]),
                         unit: "events/s", target: .atLeast(1_000_000)))
        bench.add(Figure(name: "  of which folding (no table and state writes)",
                         value: (try fold["events"]) / (try fold["seconds"]),
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
        let engine = try childEngine(options)
        let (seconds, runs) = try Measure.time { try engine.rebuild() }
        reportToParent(["seconds": seconds, "events": Double(runs.first?.toPosition ?? 0)])
    }

    /// In the child: the same fold as the rebuild's, without its writes, to
    /// split the rebuild's time.
    static func foldChild(_ options: BenchOptions) throws {
        let engine = try childEngine(options)
        let projections = engine.registrations.map(\.projection)
        let (seconds, events) = try Measure.time { try foldOnly(engine.store, projections) }
        reportToParent(["seconds": seconds, "events": Double(events)])
    }

    private static func childEngine(_ options: BenchOptions) throws -> ProjectionEngine {
        guard let path = options.childStore else {
            throw UsageError(description: "--scenario rebuild and fold need --store")
        }
        return try engine(for: EventStore(directory: path),
                          snapshotInterval: options.snapshotInterval)
    }

    /// Folds as the engine does: an event's data is parsed once when some
    /// projection folds its type, and each projection sees only its types.
    /// - Returns: the number of events read.
    private static func foldOnly(_ store: EventStore, _ projections: [any Projection]) throws -> Int {
        var count = 0
        var folders = projections.map { Folder($0) }
        let types = projections.map(\.eventTypes)
        let parsed: Set<String>? = types.contains { $0 == nil }
            ? nil : types.reduce(into: Set<String>()) { $0.formUnion($1 ?? []) }
        try store.readAll(from: 1) { event in
            count += 1
            let event = parsed.map { $0.contains(event.type) } ?? true
                ? event.parsingData() : event
            for index in folders.indices where types[index]?.contains(event.type) ?? true {
                try folders[index].fold(event)
            }
            return true
        }
        return count
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
