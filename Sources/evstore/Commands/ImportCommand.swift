import EventModel
import EventStore
import Foundation

struct ImportCommand: Command {
    static let spec = CommandSpec(
        name: "import",
        usage: "import FILE|- [--batch-size N] [--relaxed] [--preserve-recorded-at]",
        summary: """
            Imports JSON Lines in the wire format (plain or .gz) in atomic batches. An
            invalid line stops the import with its line number, field and reason:
            batches before it stay stored, the failing batch is not stored. Events
            whose id is already stored with the same content are skipped.
            """,
        options: [
            .option("--batch-size", "N", "events per atomic batch (default 1000)"),
            .flag("--relaxed", "sync on a timer and at the end instead of per batch"),
            .flag("--preserve-recorded-at",
                  "take recorded_at from each line (history migration)"),
        ],
        positionals: 1...1)

    static func run(_ arguments: ParsedArguments, context: Context) throws {
        let batchSize = try arguments.int("--batch-size", atLeast: 1) ?? 1000
        let path = arguments.positionals[0]
        let reader = try LineReader(path: path)
        let store = try context.openStore(
            durability: arguments.has("--relaxed") ? .relaxed(interval: 1) : .durable)
        let importer = JSONLinesImporter(
            store: store, batchSize: batchSize,
            preserveRecordedAt: arguments.has("--preserve-recorded-at"))
        let total = path == "-" ? nil : (try? FileManager.default
            .attributesOfItem(atPath: path)[.size] as? Int) ?? nil
        let progress = ProgressLine("importing")
        let started = Date()
        defer { progress.finish() }
        let summary = try importer.run(reader: reader) { summary in
            progress.update(summary.inputOffset, of: total, unit: "bytes")
        }
        progress.finish()
        let seconds = Date().timeIntervalSince(started)
        let rate = seconds > 0 ? Int(Double(summary.stored + summary.duplicates) / seconds) : 0
        print("imported \(summary.stored) events, skipped \(summary.duplicates) duplicates, "
              + "in \(String(format: "%.2f", seconds)) s (\(rate) events/s)")
    }
}
