/// Peak memory of a full read as the log grows from 1M to 4M events.
enum MemoryGrowthScenario {
    static let small = 1_000_000
    static let large = 4_000_000
    static let name = "memory of a full read, 4M vs 1M events"

    static func run(_ bench: BenchRun) throws {
        guard bench.options.memoryGrowth, bench.options.events >= small else {
            bench.add(.skipped(name, unit: "x", target: .atMost(1.1),
                               reason: "needs --memory-growth and --events >= 1000000"))
            return
        }
        let smallPeak = try peak(bench, events: small, name: "1m")
        let largePeak = try peak(bench, events: large, name: "4m")
        bench.add(Figure(name: name + " (flat within 10%)", value: largePeak / smallPeak,
                         unit: "x", target: .atMost(1.1)))
    }

    /// Generates, imports and reads a store of `events` in child processes;
    /// returns the reader's peak resident bytes.
    private static func peak(_ bench: BenchRun, events: Int, name: String) throws -> Double {
        bench.note("memory growth: generate, import and read \(events) events")
        let input = bench.work.fresh("growth-\(name).jsonl")
        let store = bench.work.fresh("store-growth-\(name)")
        _ = try Workload.generate(events: events, to: input, options: bench.options)
        _ = try ChildProcess.scenario("import", ["--store", store, "--input", input])
        let read = try ChildProcess.scenario("read-all", ["--store", store])
        try WorkDirectory(path: input).remove()
        try WorkDirectory(path: store).remove()
        return try read["peak_bytes"]
    }
}
