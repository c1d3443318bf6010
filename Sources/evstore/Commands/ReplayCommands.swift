import EventModel
import EventStore
import Foundation
import Projections

/// The cut-off options shared by `replay` and `explain`.
func parseCutoff(_ arguments: ParsedArguments) throws -> ReplayCutoff {
    var cutoff = ReplayCutoff()
    cutoff.asOf = try parseTime(arguments.value("--as-of"), option: "--as-of")
    cutoff.occurredUntil = try parseTime(arguments.value("--occurred-until"),
                                         option: "--occurred-until")
    cutoff.atPosition = try arguments.int("--at-position", atLeast: 0)
    return cutoff
}

let cutoffOptions: [OptionSpec] = [
    .option("--as-of", "T", "what the store knew then: events recorded at or before T"),
    .option("--occurred-until", "T", "business time: events that occurred at or before T"),
]

/// Who `$rules` events name: the user running the command.
func currentActor() -> String {
    ProcessInfo.processInfo.environment["EVSTORE_ACTOR"]
        ?? ProcessInfo.processInfo.environment["USER"] ?? "evstore"
}

struct ReplayCommand: Command {
    static let spec = CommandSpec(
        name: "replay",
        usage: "replay NAME [--as-of T] [--occurred-until T] [--at-position P] "
            + "[--format csv|jsonl|table] [--out FILE] [--rules in-force|current] "
            + "[--excel] [--no-snapshots]",
        summary: """
            Folds the log again into a read model as it stood at the cut-off and prints
            it like `export`. Bounds are inclusive; T is RFC 3339, and a bare date means
            the end of that day in UTC. Ages are computed against the earlier cut-off.
            With --as-of the rules in force then are used unless --rules current.
            Never touches the live read models.
            """,
        options: cutoffOptions + [
            .option("--at-position", "P", "events at or before position P"),
            .option("--format", "F", "csv (default), jsonl or table"),
            .option("--out", "FILE", "write to FILE (created 0600) instead of stdout"),
            .option("--rules", "R", "in-force (default) or current"),
            .flag("--excel", "CSV with a UTF-8 byte order mark"),
            .flag("--no-snapshots", "fold from position 1 even when a snapshot would do"),
        ],
        positionals: 1...1)

    static func run(_ arguments: ParsedArguments, context: Context) throws {
        let (format, excel) = try ExportCommand.parseFormat(arguments)
        guard let rules = ReplayRules(rawValue: arguments.value("--rules") ?? "in-force") else {
            throw UsageError("--rules takes in-force or current")
        }
        let cutoff = try parseCutoff(arguments)
        let store = try context.openStore(readOnly: true)
        let engine = try context.openEngine(store)
        let model = try engine.replay(arguments.positionals[0], cutoff: cutoff, rules: rules,
                                      useSnapshots: !arguments.has("--no-snapshots"))
        let out = try OutputSink(path: arguments.value("--out"))
        try out.write(TableWriter.write(columns: model.columns, rows: model.rows, format: format,
                                        excel: excel))
        try out.close()
    }
}

struct AuditCommand: Command {
    static let spec = CommandSpec(
        name: "audit", usage: "audit STREAM [--as-of T] [--format table|jsonl]",
        summary: """
            A stream's full history: position, version, recorded_at, occurred_at, actor,
            type and data, as a table (default) or one JSON object per line.
            """,
        options: [
            .option("--as-of", "T", "only events recorded at or before T"),
            .option("--format", "F", "table (default) or jsonl"),
        ],
        positionals: 1...1)

    static func run(_ arguments: ParsedArguments, context: Context) throws {
        let format = arguments.value("--format") ?? "table"
        guard format == "table" || format == "jsonl" else {
            throw UsageError("--format takes table or jsonl")
        }
        let asOf = try parseTime(arguments.value("--as-of"), option: "--as-of")
        let store = try context.openStore(readOnly: true)
        var events = try store.read(stream: arguments.positionals[0])
        if events.isEmpty {
            throw ExitFailure(message: "stream \"\(arguments.positionals[0])\" has no events",
                              code: 1)
        }
        if let asOf { events = events.filter { $0.recordedAt <= asOf } }
        let out = try OutputSink(path: nil)
        if format == "jsonl" {
            var line: [UInt8] = []
            for event in events {
                line.removeAll(keepingCapacity: true)
                event.appendJSONLine(to: &line)
                line.append(UInt8(ascii: "\n"))
                try out.write(line)
            }
        } else {
            let columns = [Column("position", .integer), Column("version", .integer),
                           Column("recorded_at", .text), Column("occurred_at", .text),
                           Column("actor", .text), Column("type", .text), Column("data", .text)]
            let rows: [Row] = events.map { event in
                [.integer(event.position), .integer(event.version),
                 .text(event.recordedAt.rfc3339), .text(event.occurredAt.rfc3339),
                 actor(of: event).map(Cell.text) ?? .null, .text(event.type),
                 .text(event.dataLine)]
            }
            try out.write(TableWriter.table(columns: columns, rows: rows))
        }
        try out.close()
    }
}

/// The event's `metadata.actor`, when it has one.
func actor(of event: RecordedEvent) -> String? {
    (try? event.metadataObject())?.string("actor")
}

struct ExplainCommand: Command {
    static let spec = CommandSpec(
        name: "explain", usage: "explain NAME KEY [--as-of T] [--occurred-until T]",
        summary: """
            The lineage of one read-model row: every event that changed it, in order,
            with position, times, type, actor and the row's values after it, ending with
            the row as it stands. KEY is an engagement, a milestone, an approval, or
            consultant_id/week_start.
            """,
        options: cutoffOptions, positionals: 2...2)

    static func run(_ arguments: ParsedArguments, context: Context) throws {
        let store = try context.openStore(readOnly: true)
        let engine = try context.openEngine(store)
        let key = arguments.positionals[1]
        let lineage = try engine.explain(arguments.positionals[0], key: key,
                                         cutoff: try parseCutoff(arguments))
        guard !lineage.steps.isEmpty else {
            let name = arguments.positionals[0]
            let keyColumns = engine.registrations.first { $0.name == name }
                .map { registration in
                    registration.projection.columns.prefix(registration.projection.keyColumnCount)
                        .map(\.name).joined(separator: "/")
                }
            let hint = keyColumns.map { " (a key there is \($0))" } ?? ""
            throw ExitFailure(message: "no row \"\(key)\" in \(name)\(hint)", code: 1)
        }
        var text = ""
        var previous: Row?
        for step in lineage.steps {
            let event = step.event
            text += "position \(event.position)  recorded \(event.recordedAt.rfc3339)  "
                + "occurred \(event.occurredAt.rfc3339)  \(event.type)  "
                + "by \(actor(of: event) ?? "-")  (\(event.stream) v\(event.version))\n"
            text += changes(from: previous, to: step.row, columns: lineage.columns)
            previous = step.row
        }
        text += "\nthe row as it stands:\n"
        if let row = previous {
            for (cell, column) in zip(row, lineage.columns) {
                text += "  \(column.name) = \(cell.formatted(for: column))\n"
            }
        } else {
            text += "  (removed)\n"
        }
        print(text, terminator: "")
    }

    private static func changes(from old: Row?, to new: Row?, columns: [Column]) -> String {
        guard let new else { return "    row removed\n" }
        var text = ""
        for (index, column) in columns.enumerated() {
            let after = new[index].formatted(for: column)
            let before = old.map { $0[index].formatted(for: column) }
            if before != after {
                text += "    \(column.name): \(before.map { $0.isEmpty ? "(empty)" : $0 } ?? "(new)")"
                    + " -> \(after.isEmpty ? "(empty)" : after)\n"
            }
        }
        return text
    }
}

struct RulesCommand: Command {
    static let spec = CommandSpec(
        name: "rules", usage: "rules apply",
        summary: """
            Records the store's rule files in the stream $rules when they changed
            (actor, hash and full content); `project` and `rebuild` do this too.
            `evstore audit '$rules'` shows the history. The actor is $EVSTORE_ACTOR,
            else $USER, else `evstore`.
            """,
        options: [], positionals: 1...1)

    static func run(_ arguments: ParsedArguments, context: Context) throws {
        guard arguments.positionals[0] == "apply" else {
            throw UsageError("rules: unknown subcommand \"\(arguments.positionals[0])\"; "
                + "usage: evstore rules apply")
        }
        let store = try context.openStore()
        let engine = try context.openEngine(store)
        let changed = try engine.recordRules(actor: currentActor())
        print(changed.isEmpty ? "rules unchanged"
              : "recorded new rules for " + changed.joined(separator: ", "))
    }
}
