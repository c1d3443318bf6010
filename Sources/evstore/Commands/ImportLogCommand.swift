import EventStore
import Foundation
import LogImport

struct ImportLogCommand: Command {
    static let spec = CommandSpec(
        name: "import-log",
        usage: "import-log FILE --mapping MAPPING.json [--batch-size N] [--relaxed]",
        summary: """
            Imports a process-mining event log (.xes, .xes.gz, .csv or .csv.gz) through
            a declarative mapping (see tools/mappings/README.md), in atomic batches.
            Activities no rule matches are counted and listed, not stored. An event
            that cannot be mapped or is refused stops the import with its line (CSV)
            or trace and event (XES) and the field: batches before it stay stored.
            Events whose id is already stored with the same content are skipped.
            """,
        options: [
            .option("--mapping", "FILE", "the mapping, a JSON file (required)"),
            .option("--batch-size", "N", "events per atomic batch (default 1000)"),
            .flag("--relaxed", "sync on a timer and at the end instead of per batch"),
        ],
        positionals: 1...1)

    static func run(_ arguments: ParsedArguments, context: Context) throws {
        guard let mappingPath = arguments.value("--mapping") else {
            throw UsageError("--mapping is required")
        }
        let batchSize = try arguments.int("--batch-size", atLeast: 1) ?? 1000
        let path = arguments.positionals[0]

        let mapping = try LogMapping.load(path: mappingPath)
        let source = try LogSource(path: path)
        let store = try context.openStore(
            durability: arguments.has("--relaxed") ? .relaxed(interval: 1) : .durable)
        let importer = LogImporter(store: store, mapping: mapping, batchSize: batchSize)

        let total = (try? FileManager.default.attributesOfItem(atPath: path)[.size]) as? Int
        let progress = ProgressLine("importing")
        let started = Date()
        defer { progress.finish() }
        let summary = try importer.run(source) { _ in
            progress.update(source.bytesRead, of: total, unit: "bytes")
        }
        progress.finish()
        print(report(summary, seconds: Date().timeIntervalSince(started)), terminator: "")
    }

    /// The summary: totals, then events per type, then unmapped activities.
    static func report(_ summary: LogImportSummary, seconds: Double) -> String {
        let handled = summary.stored + summary.duplicates
        let rate = seconds > 0 ? Int(Double(handled) / seconds) : 0
        var text = "imported \(summary.stored) events, skipped \(summary.duplicates) "
            + "duplicates, from \(summary.eventsRead) log events in \(summary.cases) cases, "
            + "in \(String(format: "%.2f", seconds)) s (\(rate) events/s)\n"

        let stored = summary.storedByType
        let duplicates = summary.duplicatesByType
        if !summary.mappedByType.isEmpty {
            text += table(title: "events by type", columns: ["stored", "duplicates"],
                          rows: summary.mappedByType.keys.sorted().map { type in
                              (type, [stored[type, default: 0], duplicates[type, default: 0]])
                          })
        }
        if summary.unmapped > 0 {
            text += table(
                title: "unmapped activities (\(summary.unmapped) events, not stored)",
                columns: ["events"],
                rows: summary.unmappedActivities.sorted { $0.key < $1.key }.map {
                    ($0.key, [$0.value])
                })
        }
        return text
    }

    private static func table(title: String, columns: [String],
                              rows: [(String, [Int])]) -> String {
        let width = max(rows.map(\.0.count).max() ?? 0, 4)
        func padded(_ text: String, _ size: Int, left: Bool) -> String {
            let pad = String(repeating: " ", count: max(0, size - text.count))
            return left ? text + pad : pad + text
        }
        var text = "\(title):\n"
        text += "  " + padded("", width, left: true)
            + columns.map { "  " + padded($0, 10, left: false) }.joined() + "\n"
        for (name, counts) in rows {
            text += "  " + padded(name, width, left: true)
                + counts.map { "  " + padded(String($0), 10, left: false) }.joined() + "\n"
        }
        return text
    }
}
