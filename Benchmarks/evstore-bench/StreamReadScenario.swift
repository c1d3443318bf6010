import EventStore

/// Reading one stream of about 100 events, evstore against the baseline.
enum StreamReadScenario {
    static let length = 100

    static func run(_ bench: BenchRun) throws {
        let baseline = try bench.requireBaseline()
        let (stream, count) = try baseline.stream(withAtLeast: length)
        let limit = min(length, count)
        // Debug smoke runs read each event's whole frame slowly: few runs there.
        let runs = bench.options.events >= 100_000 ? 21 : 3
        bench.note("read \(limit) events of \(stream), \(runs) runs each")
        let store = try bench.openImportedStore()

        var evstoreTimes: [Double] = []
        var baselineTimes: [Double] = []
        for _ in 0..<runs {
            let (ours, events) = try Measure.time { try store.read(stream: stream, limit: limit) }
            let (theirs, rows) = try Measure.time { try baseline.read(stream: stream, limit: limit) }
            guard events.count == limit, rows.count == limit else {
                throw BenchError(description: "read \(events.count) and \(rows.count) events "
                    + "of \(stream), expected \(limit)")
            }
            evstoreTimes.append(ours * 1000)
            baselineTimes.append(theirs * 1000)
        }
        bench.add(Figure(name: "read one \(limit)-event stream, median",
                         value: Measure.median(evstoreTimes), unit: "ms", target: .atMost(1),
                         baseline: Measure.median(baselineTimes), higherIsBetter: false))
    }

    /// In the child: reads the first `length` events of `--stream` from the
    /// store at `--store` 21 times (for profiling a stream read alone).
    static func child(_ options: BenchOptions) throws {
        guard let path = options.childStore, let stream = options.childStream else {
            throw UsageError(description: "--scenario stream-read needs --store and --stream")
        }
        var storeOptions = StoreOptions()
        storeOptions.readOnly = true
        let store = try EventStore(directory: path, options: storeOptions)
        var times: [Double] = []
        var count = 0
        for _ in 0..<21 {
            let (seconds, events) = try Measure.time { try store.read(stream: stream, limit: length) }
            times.append(seconds)
            count = events.count
        }
        reportToParent(["median_ms": Measure.median(times) * 1000, "events": Double(count)])
    }
}
