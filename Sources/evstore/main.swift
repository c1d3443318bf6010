import EventModel
import EventStore
import Foundation
import Projections

/// A command of the tool.
protocol Command {
    static var spec: CommandSpec { get }
    static func run(_ arguments: ParsedArguments, context: Context) throws
}

let commands: [any Command.Type] = [
    InitCommand.self, AppendCommand.self, ImportCommand.self, ReadCommand.self,
    VerifyCommand.self, ReindexCommand.self, StatsCommand.self, ProjectCommand.self,
    RebuildCommand.self, ExportCommand.self, ReplayCommand.self, AuditCommand.self,
    ExplainCommand.self, RulesCommand.self, ImportLogCommand.self, ReportCommand.self,
    BackupCommand.self,
]

/// The top-level help (computed: top-level code in main.swift runs in order).
var topUsage: String {
    """
    usage: evstore [--store DIR] [--verbose] COMMAND [ARGS]

    An append-only event store for engagement facts. The store is DIR, else
    $EVSTORE_DIR, else ./evstore-data.

    commands:
    \(commands.map { "  \($0.spec.name.padding(toLength: 12, withPad: " ", startingAt: 0))\(firstSentence($0.spec.summary, of: $0.spec.name))" }.joined(separator: "\n"))

    Run `evstore COMMAND --help` (or `evstore help COMMAND`) for a command's options.
    Exit codes: 0 success, 1 failure, 2 usage error, 3 concurrency conflict.
    """
}

/// One line per command for the top-level help; `COMMAND --help` says more.
let headlines: [String: String] = [
    "init": "create a store and its rule files",
    "append": "append one event",
    "import": "import JSON Lines in atomic batches",
    "read": "print a stream's events, or all events, as JSON Lines",
    "verify": "check checksums, positions, versions and the index",
    "reindex": "rebuild the index from the log",
    "stats": "counts and sizes",
    "project": "catch read models up to the head of the log",
    "rebuild": "fold read models again from position 1",
    "export": "write a read model as CSV, JSON Lines or a table",
    "replay": "a read model as it stood at a cut-off",
    "audit": "a stream's history",
    "explain": "the events behind one read-model row",
    "rules": "record changed rule files in $rules",
    "import-log": "import an XES or CSV event log through a mapping",
    "report": "a leadership summary of the four read models",
    "backup": "a consistent copy of a live store",
]

/// A command's line in the top-level help.
func firstSentence(_ summary: String, of name: String) -> String {
    if let headline = headlines[name] { return headline }
    let flat = summary.split(separator: "\n").joined(separator: " ")
    guard let end = flat.range(of: ". ") else { return flat }
    return String(flat[..<end.lowerBound]) + "."
}

@MainActor
func main() -> Int32 {
    var words = Array(CommandLine.arguments.dropFirst())
    var store = ProcessInfo.processInfo.environment["EVSTORE_DIR"] ?? "./evstore-data"
    var verbose = false
    // Global options come before the command.
    while let first = words.first, first.hasPrefix("-") {
        words.removeFirst()
        switch first {
        case "--store":
            guard !words.isEmpty else { return fail(UsageError("--store needs a directory")) }
            store = words.removeFirst()
        case _ where first.hasPrefix("--store="):
            store = String(first.dropFirst("--store=".count))
        case "--verbose", "-v":
            verbose = true
        case "--help", "-h":
            print(topUsage)
            return 0
        default:
            return fail(UsageError("unknown option \(first) (see evstore --help)"))
        }
    }
    guard var name = words.first else {
        FileHandle.standardError.write(Data((topUsage + "\n").utf8))
        return 2
    }
    // `evstore help [COMMAND]` is `evstore [COMMAND] --help`.
    if name == "help" {
        guard words.count > 1 else {
            print(topUsage)
            return 0
        }
        words = [words[1], "--help"]
        name = words[0]
    }
    guard let command = commands.first(where: { $0.spec.name == name }) else {
        return fail(UsageError("unknown command \"\(name)\" (see evstore --help)"))
    }
    let context = Context(storeDirectory: store, verbose: verbose)
    do {
        let arguments = try ParsedArguments.parse(Array(words.dropFirst()), spec: command.spec)
        if arguments.has("--help") {
            print(command.spec.help, terminator: "")
            return 0
        }
        try command.run(arguments, context: context)
        return 0
    } catch {
        return fail(error)
    }
}

/// Prints one line on stderr and picks the exit code by the kind of error.
func fail(_ error: any Error) -> Int32 {
    let message: String
    var code: Int32 = 1
    switch error {
    case let usage as UsageError:
        message = usage.description
        code = 2
    case let failure as ExitFailure:
        message = failure.message
        code = failure.code
    case let append as AppendError:
        message = append.description
        if case .versionConflict = append { code = 3 }
    case let batch as BatchAppendError:
        message = batch.description
        if case .versionConflict = batch.error { code = 3 }
    case let line as ImportLineError:
        message = line.description
        if case .versionConflict? = line.appendError { code = 3 }
    case let store as StoreError:
        message = store.description
        if case .lockTimeout = store { code = 3 }
    case let projection as ProjectionError:
        message = projection.description
        if case .unknownProjection = projection { code = 2 }
    default:
        message = String(describing: error)
    }
    FileHandle.standardError.write(Data("evstore: error: \(message)\n".utf8))
    return code
}

/// An error that carries its own exit code.
struct ExitFailure: Error {
    let message: String
    let code: Int32
}

exit(main())
