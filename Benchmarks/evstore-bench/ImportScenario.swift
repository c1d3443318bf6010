import EventStore

/// Import of the JSON Lines workload: evstore relaxed (flushed at the end),
/// evstore durable per batch, and the baseline; then the store's size.
enum ImportScenario {
    static let batchSize = 1000

    static func run(_ bench: BenchRun) throws {
        let events = Double(bench.options.events)

        // evstore, relaxed with one flush at the end, in a child for peak memory.
        bench.note("import into evstore (relaxed, flushed at the end)")
        let relaxed = try ChildProcess.scenario("import", [
            "--store", bench.importedStore, "--input", bench.input,
        ])
        let relaxedRate = events / (try relaxed["seconds"])

        // The baseline: same lines, same codec, same batches.
        bench.note("import into the SQLite baseline")
        let baselinePath = bench.work.fresh("baseline.sqlite")
        let baseline = try BaselineStore(path: baselinePath, synchronous: "NORMAL")
        let (baselineSeconds, baselineStored) = try Measure.time {
            try baseline.importLines(from: try LineReader(path: bench.input),
                                     batchSize: batchSize)
        }
        guard baselineStored == bench.options.events else {
            throw BenchError(description: "the baseline stored \(baselineStored) events")
        }
        bench.baseline = baseline

        bench.add(Figure(name: "import JSON Lines (durable at end, index included)",
                         value: relaxedRate, unit: "events/s", target: .atLeast(400_000),
                         baseline: events / baselineSeconds))
        bench.add(Figure(name: "peak memory, import", value: megabytes(try relaxed["peak_bytes"]),
                         unit: "MB", target: .atMost(150), higherIsBetter: false))

        // evstore, durable per batch: every 1,000-event frame synced.
        bench.note("import into evstore (durable per batch)")
        let durableStore = bench.work.fresh("store-import-durable")
        let durable = try ChildProcess.scenario("import", [
            "--store", durableStore, "--input", bench.input, "--durable",
        ])
        bench.add(Figure(name: "import JSON Lines (durable per batch of 1,000)",
                         value: events / (try durable["seconds"]), unit: "events/s",
                         target: .none))
        try removeStore(durableStore)

        try addSizes(bench, baseline: baseline)
    }

    private static func addSizes(_ bench: BenchRun, baseline: BaselineStore) throws {
        let stats = try bench.openImportedStore().stats()
        let input = Double(bench.inputBytes)
        bench.add(Figure(name: "store size (log + index) / JSON Lines input",
                         value: Double(stats.bytesOnDisk) / input, unit: "x input",
                         target: .atMost(0.5), baseline: Double(try baseline.sizeOnDisk()) / input,
                         higherIsBetter: false))
        bench.add(Figure(name: "  of which the log (LZ4 segments)",
                         value: Double(stats.logBytes) / input, unit: "x input", target: .none))
    }

    private static func removeStore(_ path: String) throws {
        try WorkDirectory(path: path).remove()
    }

    /// In the child: imports `--input` into a new store at `--store`.
    static func child(_ options: BenchOptions) throws {
        guard let storePath = options.childStore, let input = options.childInput else {
            throw UsageError(description: "--scenario import needs --store and --input")
        }
        var storeOptions = StoreOptions()
        storeOptions.durability = options.childDurable ? .durable : .relaxed(interval: 1)
        let (seconds, summary) = try Measure.time { () throws -> ImportSummary in
            let store = try EventStore(directory: storePath, options: storeOptions, create: true)
            let importer = JSONLinesImporter(store: store, batchSize: batchSize)
            return try importer.run(reader: try LineReader(path: input))  // flushes at the end
        }
        reportToParent(["seconds": seconds, "events": Double(summary.stored)])
    }
}
