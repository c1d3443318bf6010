import EventModel
import EventStore
import Projections

/// One pass over every event, decoded; then the same pass folding the
/// utilization read model, against the baseline's full scan.
enum ReadAllScenario {
    static func run(_ bench: BenchRun) throws {
        let baseline = try bench.requireBaseline()
        let store = try bench.openImportedStore()
        let runs = bench.options.events >= 100_000 ? 3 : 1

        bench.note("read all events, \(runs) runs each")
        let evstoreRead = try median(runs) { try countAll(store) }
        let baselineRead = try median(runs) {
            var count = 0
            try baseline.readAll { _ in count += 1 }
            return count
        }
        let events = Double(evstoreRead.count)
        bench.add(Figure(name: "read all events (decoded), one pass",
                         value: events / evstoreRead.seconds, unit: "events/s",
                         target: .atLeast(3_000_000),
                         baseline: Double(baselineRead.count) / baselineRead.seconds))

        bench.note("utilization fold over all events, \(runs) runs each")
        let projection = UtilizationProjection()
        let evstoreFold = try median(runs) { () throws -> Int in
            var state = projection.initialState()
            var count = 0
            try store.readAll(from: 1) { event in
                try projection.fold(&state, event)
                count += 1
                return true
            }
            return count
        }
        let baselineFold = try median(runs) { () throws -> Int in
            var state = projection.initialState()
            var count = 0
            try baseline.readAll { event in
                try projection.fold(&state, event)
                count += 1
            }
            return count
        }
        bench.add(Figure(name: "read all + utilization fold",
                         value: Double(evstoreFold.count) / evstoreFold.seconds,
                         unit: "events/s", target: .none,
                         baseline: Double(baselineFold.count) / baselineFold.seconds))

        bench.note("read all events in a child process (peak memory)")
        let child = try ChildProcess.scenario("read-all", ["--store", bench.importedStore])
        bench.add(Figure(name: "peak memory, read all", value: megabytes(try child["peak_bytes"]),
                         unit: "MB", target: .none, higherIsBetter: false))
    }

    static func countAll(_ store: EventStore) throws -> Int {
        var count = 0
        try store.readAll(from: 1) { _ in
            count += 1
            return true
        }
        return count
    }

    /// The median time of `runs` runs of `body`, and the count it returned.
    static func median(_ runs: Int,
                       _ body: () throws -> Int) throws -> (seconds: Double, count: Int) {
        var times: [Double] = []
        var count = 0
        for _ in 0..<runs {
            let (seconds, result) = try Measure.time(body)
            times.append(seconds)
            count = result
        }
        return (Measure.median(times), count)
    }

    /// In the child: reads the store at `--store` once.
    static func child(_ options: BenchOptions) throws {
        guard let path = options.childStore else {
            throw UsageError(description: "--scenario read-all needs --store")
        }
        var storeOptions = StoreOptions()
        storeOptions.readOnly = true
        let store = try EventStore(directory: path, options: storeOptions)
        let (seconds, count) = try Measure.time { try countAll(store) }
        reportToParent(["seconds": seconds, "events": Double(count)])
    }
}
