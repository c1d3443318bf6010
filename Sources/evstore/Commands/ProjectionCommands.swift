import EventModel
import EventStore
import Foundation
import Projections

extension Context {
    /// The built-in projections with the store's rule files.
    func openEngine(_ store: EventStore) throws -> ProjectionEngine {
        let rules = BuiltInProjections.rulesDirectory(of: storeDirectory)
        return try ProjectionEngine(store: store,
                                    projections: try BuiltInProjections.load(rulesDirectory: rules),
                                    actor: currentActor())
    }
}

func describe(_ runs: [ProjectionRun]) -> String {
    runs.map { run in
        let folded = run.toPosition >= run.fromPosition
            ? "folded positions \(run.fromPosition)-\(run.toPosition)" : "up to date"
        return "\(run.name): \(folded), \(run.rows) rows at position \(run.toPosition)"
    }.joined(separator: "\n")
}

struct ProjectCommand: Command {
    static let spec = CommandSpec(
        name: "project", usage: "project [NAME...]",
        summary: """
            Catches projections up from their checkpoints to the head of the log (all
            four when no NAME is given). A projection whose rules or version changed
            since its checkpoint is refused: run `evstore rebuild NAME`.
            """,
        options: [], positionals: 0...8)

    static func run(_ arguments: ParsedArguments, context: Context) throws {
        let store = try context.openStore()
        let engine = try context.openEngine(store)
        let progress = ProgressLine("projecting")
        let (runs, refused) = try engine.catchUpReporting(
            arguments.positionals.isEmpty ? nil : arguments.positionals
        ) {
            progress.update($0, of: $1, unit: "events")
        }
        progress.finish()
        if !runs.isEmpty { print(describe(runs)) }
        // The others were caught up and saved; each refusal gets its line.
        guard let last = refused.last else { return }
        for error in refused.dropLast() { _ = fail(error) }
        throw last
    }
}

struct RebuildCommand: Command {
    static let spec = CommandSpec(
        name: "rebuild", usage: "rebuild NAME... | rebuild --all",
        summary: """
            Folds projections again from position 1 into new tables and swaps them in
            at the end, in one transaction: readers keep the old model until then, and
            an interrupted rebuild leaves it in place. Appends may continue meanwhile.
            """,
        options: [.flag("--all", "rebuild all four read models")], positionals: 0...8)

    static func run(_ arguments: ParsedArguments, context: Context) throws {
        guard arguments.has("--all") != !arguments.positionals.isEmpty else {
            throw UsageError("rebuild takes projection names or --all")
        }
        let store = try context.openStore()
        let engine = try context.openEngine(store)
        let progress = ProgressLine("rebuilding")
        let runs = try engine.rebuild(arguments.has("--all") ? nil : arguments.positionals) {
            progress.update($0, of: $1, unit: "events")
        }
        progress.finish()
        print(describe(runs))
    }
}

struct ExportCommand: Command {
    static let spec = CommandSpec(
        name: "export", usage: "export NAME [--format csv|jsonl|table] [--out FILE] [--now T] "
            + "[--excel]",
        summary: """
            Writes a read model as of its checkpoint: CSV (RFC 4180, CRLF, a header row,
            rows sorted by key), JSON Lines or an aligned table. Ages are computed
            against --now (RFC 3339; a bare date is the end of that day), else the clock.
            """,
        options: [
            .option("--format", "F", "csv (default), jsonl or table"),
            .option("--out", "FILE", "write to FILE (created 0600) instead of stdout"),
            .option("--now", "T", "the time ages are computed against"),
            .flag("--excel", "CSV with a UTF-8 byte order mark, for spreadsheets"),
        ],
        positionals: 1...1)

    static func run(_ arguments: ParsedArguments, context: Context) throws {
        let (format, excel) = try ExportCommand.parseFormat(arguments)
        let now = try parseTime(arguments.value("--now"), option: "--now") ?? Timestamp.now()
        let store = try context.openStore(readOnly: true)
        let engine = try context.openEngine(store)
        let model = try engine.model(arguments.positionals[0], now: now)
        let head = try store.headPosition()
        if model.position < head {
            FileHandle.standardError.write(Data(("evstore: note: \(model.name) is at position "
                + "\(model.position), the log at \(head); run `evstore project` to catch up\n")
                .utf8))
        }
        let out = try OutputSink(path: arguments.value("--out"))
        try out.write(TableWriter.write(columns: model.columns, rows: model.rows, format: format,
                                        excel: excel))
        try out.close()
    }

    /// The `--format` option (csv when absent) and `--excel`, which only
    /// goes with CSV.
    static func parseFormat(_ arguments: ParsedArguments) throws
        -> (format: TableWriter.Format, excel: Bool)
    {
        let text = arguments.value("--format") ?? "csv"
        guard let format = TableWriter.Format(rawValue: text) else {
            throw UsageError("--format takes csv, jsonl or table, got \"\(text)\"")
        }
        let excel = arguments.has("--excel")
        if excel && format != .csv {
            throw UsageError("--excel goes with --format csv, not \(text)")
        }
        return (format, excel)
    }
}

/// Parses an optional time option: RFC 3339, or a bare date meaning its end.
func parseTime(_ text: String?, option: String) throws -> Timestamp? {
    guard let text else { return nil }
    do {
        return try Timestamp(cutoff: text)
    } catch {
        throw UsageError("\(option): \(error)")
    }
}
