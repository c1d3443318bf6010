// evstore-bench: evstore against a plain SQLite event table, on the project's
// generated workload. See `--help`, and BenchOptions.swift for the options.

import EventModel
import Foundation

/// The scenarios, in the order they run: the import fills the store the
/// read scenarios use; the rebuild makes the snapshots the replay uses.
func runAll(_ options: BenchOptions) throws {
    let work = try WorkDirectory.create(under: options.workRoot)
    let input = work.fresh("workload.jsonl")
    let started = Measure.now()
    var standardError = StandardError()
    print("-- work directory \(work.path)", to: &standardError)
    print("-- generate \(options.events) events (seed \(BenchOptions.seed))", to: &standardError)
    let generateSeconds = try Workload.generate(events: options.events, to: input,
                                                options: options)
    let inputBytes = try WorkDirectory.size(of: input)
    let bench = BenchRun(options: options, work: work, input: input, inputBytes: inputBytes)
    do {
        try runScenarios(bench)
    } catch {
        // Leave nothing behind on failure either, unless asked to keep it.
        bench.baseline = nil
        if !options.keep { try? work.remove() }  // the scenario's error is the one to report
        throw error
    }

    let seconds = Measure.now() - started

    let perEvent = Double(inputBytes) / Double(options.events)
    print("evstore-bench: \(options.events) events, \(String(format: "%.0f", perEvent)) bytes "
        + "each on average (\(String(format: "%.1f", megabytes(Double(inputBytes)))) MB of "
        + "JSON Lines, generated in \(String(format: "%.1f", generateSeconds)) s), "
        + "\(ProcessInfo.processInfo.activeProcessorCount) cores")
    print("ratio: evstore / baseline for throughput, baseline / evstore for time and size; "
        + "> 1 means evstore is better\n")
    print(Report.table(bench.figures))
    print("\ntotal run time \(String(format: "%.1f", seconds)) s")

    if let path = options.jsonPath {
        let json = Report.json(bench.figures, context: [
            ("events", Report.number(Double(options.events))),
            ("seed", Report.number(Double(BenchOptions.seed))),
            ("input_bytes", Report.number(Double(inputBytes))),
            ("cores", Report.number(Double(ProcessInfo.processInfo.activeProcessorCount))),
            ("run_seconds", Report.number(seconds)),
        ])
        guard FileManager.default.createFile(atPath: path, contents: Data(json.utf8)) else {
            throw BenchError(description: "cannot write \(path)")
        }
        print("wrote \(path)")
    }
    bench.baseline = nil  // closes the database before its directory goes
    if options.keep {
        print("kept \(work.path)")
    } else {
        try work.remove()
    }
}

func runScenarios(_ bench: BenchRun) throws {
    try ImportScenario.run(bench)
    try ReadAllScenario.run(bench)
    try StreamReadScenario.run(bench)
    try RebuildScenario.run(bench)
    try ReplayScenario.run(bench)
    try AppendScenario.run(bench)
    try MemoryGrowthScenario.run(bench)
}

/// A hidden child scenario (`--scenario NAME`), run for its peak memory.
func runChild(_ name: String, _ options: BenchOptions) throws {
    switch name {
    case "import": try ImportScenario.child(options)
    case "rebuild": try RebuildScenario.child(options)
    case "fold": try RebuildScenario.foldChild(options)
    case "read-all": try ReadAllScenario.child(options)
    case "stream-read": try StreamReadScenario.child(options)
    default: throw UsageError(description: "unknown scenario \(name)")
    }
}

var standardError = StandardError()
do {
    switch try BenchOptions.parse(Array(CommandLine.arguments.dropFirst())) {
    case .help:
        print(BenchOptions.usage)
    case .scale:
        print(BenchOptions.scaleNote)
    case .run(let options):
        if let scenario = options.childScenario {
            try runChild(scenario, options)
        } else {
            try runAll(options)
        }
    }
} catch let error as UsageError {
    print("evstore-bench: \(error)", to: &standardError)
    exit(64)
} catch {
    print("evstore-bench: \(error)", to: &standardError)
    exit(1)
}
