import EventModel
import EventStore
import Foundation

struct ReadCommand: Command {
    static let spec = CommandSpec(
        name: "read",
        usage: "read STREAM [--from-version N] [--backwards] [--limit N] | "
            + "read --all [--from-position P] [--type T] [--stream-prefix S] "
            + "[--recorded-until T] [--follow] [--limit N]",
        summary: """
            Prints events as JSON Lines, each with position, stream, version, id, type,
            occurred_at, recorded_at, data and metadata.
            """,
        options: [
            .flag("--all", "read every stream in position order"),
            .option("--from-version", "N", "the first version (backwards: the last)"),
            .flag("--backwards", "newest first"),
            .option("--limit", "N", "the most events to print"),
            .option("--from-position", "P", "with --all: the first position"),
            .option("--type", "T", "with --all: only this type (repeatable)"),
            .option("--stream-prefix", "S", "with --all: only streams starting with S"),
            .option("--recorded-until", "T", "with --all: stop after this recorded time"),
            .flag("--follow", "with --all: keep printing new events as they are stored"),
        ],
        positionals: 0...1)

    static func run(_ arguments: ParsedArguments, context: Context) throws {
        let all = arguments.has("--all")
        guard all != (arguments.positionals.count == 1) else {
            throw UsageError("read takes either a STREAM or --all")
        }
        let limit = try arguments.int("--limit", atLeast: 0) ?? Int.max
        if all {
            try arguments.refuse(["--from-version", "--backwards"],
                                 "reads one stream; it does not go with --all")
        } else {
            try arguments.refuse(["--from-position", "--type", "--stream-prefix",
                                  "--recorded-until", "--follow"],
                                 "goes with --all, not with a STREAM")
        }
        let store = try context.openStore(readOnly: true)
        let out = try OutputSink(path: nil)
        var line: [UInt8] = []
        func emit(_ event: RecordedEvent) throws {
            line.removeAll(keepingCapacity: true)
            event.appendJSONLine(to: &line)
            line.append(UInt8(ascii: "\n"))
            try out.write(line)
        }
        if all {
            var filter = ReadFilter()
            let types = arguments.all("--type")
            if !types.isEmpty { filter.types = Set(types) }
            filter.streamPrefix = arguments.value("--stream-prefix")
            if let text = arguments.value("--recorded-until") {
                do { filter.recordedUntil = try Timestamp(cutoff: text) } catch {
                    throw UsageError("--recorded-until: \(error)")
                }
            }
            let follow = arguments.has("--follow")
            guard !follow || filter.recordedUntil == nil else {
                throw UsageError("--follow and --recorded-until exclude each other")
            }
            var printed = 0
            var next = try arguments.int("--from-position", atLeast: 0) ?? 1
            guard limit > 0 else { return }
            // Following polls: each pass reads from the position after the last
            // one it passed, so every stored event is printed once and in order.
            // A pass sees whole frames only, hence whole batches.
            while true {
                let head = follow ? try store.headPosition() : 0
                try store.readAll(from: next, filter: filter) { event in
                    try emit(event)
                    next = event.position + 1
                    printed += 1
                    return printed < limit
                }
                guard follow, printed < limit else { break }
                // The pass saw everything up to `head`, filtered out or not.
                next = max(next, head + 1)
                try out.flush()
                usleep(50_000)
            }
        } else {
            let events = try store.read(stream: arguments.positionals[0],
                                        from: try arguments.int("--from-version", atLeast: 0),
                                        backwards: arguments.has("--backwards"), limit: limit)
            for event in events { try emit(event) }
        }
        try out.close()
    }
}
