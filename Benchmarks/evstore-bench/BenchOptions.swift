// The benchmark's command line, parsed in one place.

/// What the user asked the benchmark to do.
struct BenchOptions: Sendable {
    /// Lines of generated workload; every scenario runs on this many events.
    var events = 1_000_000
    /// Where the JSON report goes, if anywhere.
    var jsonPath: String?
    /// Also measure a full read of a 4M-event store (needs `events >= 1M`).
    var memoryGrowth = false
    /// Keep the temporary directory instead of deleting it at the end.
    var keep = false
    /// The parent of the temporary directory.
    var workRoot = "/tmp"
    /// The generator executable; found next to this binary when nil.
    var generator: String?
    /// Positions between projection snapshots during the rebuild.
    var snapshotInterval = 50_000
    /// Set by the hidden `--scenario NAME` flag: run one scenario in this
    /// process and print its measurements (the parent measures memory so).
    var childScenario: String?
    /// The stream a `--scenario stream-read` child reads.
    var childStream: String?
    var childStore: String?
    var childInput: String?
    var childDurable = false

    /// The workload is fixed so that runs compare.
    static let seed = 42
    static let consultants = 200

    static let usage = """
        usage: evstore-bench [--events N] [--json FILE] [--memory-growth] [--keep]
                             [--work-dir DIR] [--generator PATH] [--snapshot-interval N]
               evstore-bench --scale | --help

        Generates a workload with evstore-gen (seed 42, 200 consultants), runs
        each scenario on evstore and on a plain SQLite event table (the
        baseline), and prints a table of figures, targets and ratios. A ratio
        above 1 means evstore is faster.

          --events N             events in the workload (default 1000000)
          --json FILE            also write the figures as JSON
          --memory-growth        compare a full read of 1M and 4M events
                                 (only with --events >= 1000000; it generates,
                                 imports and reads a 4M store: minutes, ~3 GB)
          --keep                 keep the temporary directory
          --work-dir DIR         where the temporary directory goes (default /tmp)
          --generator PATH       evstore-gen (default: next to this binary; build
                                 it with `swift build --product evstore-gen`)
          --snapshot-interval N  positions between snapshots in the rebuild
                                 (default 50000)
          --scale                print how to run at 10M events, run nothing
          --help                 print this

        The CI smoke run is `evstore-bench --events 10000`: it checks only that
        every scenario completes. Timings are never asserted.
        """

    static let scaleNote = """
        Running at scale (documentation only; this command runs nothing):

            swift build -c release --product evstore-gen --product evstore-bench
            .build/release/evstore-bench --events 10000000 --json bench-10m.json

        At 10M events the workload file is about 3.4 GB and the baseline database
        about as large again, so the work directory needs ~12 GB free. Peak memory
        targets are the same as at 1M; the rebuild holds all four read models'
        state, which grows with the number of engagements and consultant-weeks,
        not with the log. Expect the import and the baseline import to dominate
        the run time. --memory-growth is not meaningful above 1M (it always
        compares 1M with 4M).
        """
}

/// A command-line mistake; printed as one line, exit status 64 (EX_USAGE).
struct UsageError: Error, CustomStringConvertible {
    let description: String
}

enum Command {
    case run(BenchOptions)
    case help
    case scale
}

extension BenchOptions {
    /// Parses the arguments after the program name.
    /// - Throws: `UsageError` naming the option.
    static func parse(_ arguments: [String]) throws -> Command {
        var options = BenchOptions()
        var rest = arguments[...]

        func value(_ flag: String) throws -> String {
            guard let next = rest.popFirst() else {
                throw UsageError(description: "\(flag) needs a value")
            }
            return next
        }
        func number(_ flag: String, atLeast minimum: Int) throws -> Int {
            let text = try value(flag)
            guard let parsed = Int(text), parsed >= minimum else {
                throw UsageError(description: "\(flag): expected a whole number >= \(minimum), "
                    + "got \"\(text)\"")
            }
            return parsed
        }

        while let flag = rest.popFirst() {
            switch flag {
            case "--help", "-h": return .help
            case "--scale": return .scale
            case "--events": options.events = try number(flag, atLeast: 1000)
            case "--json": options.jsonPath = try value(flag)
            case "--memory-growth": options.memoryGrowth = true
            case "--keep": options.keep = true
            case "--work-dir": options.workRoot = try value(flag)
            case "--generator": options.generator = try value(flag)
            case "--snapshot-interval": options.snapshotInterval = try number(flag, atLeast: 1)
            case "--scenario": options.childScenario = try value(flag)
            case "--store": options.childStore = try value(flag)
            case "--stream": options.childStream = try value(flag)
            case "--input": options.childInput = try value(flag)
            case "--durable": options.childDurable = true
            default: throw UsageError(description: "unknown option \(flag) (see --help)")
            }
        }
        return .run(options)
    }
}
