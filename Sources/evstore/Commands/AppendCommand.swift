import EventModel
import EventStore
import Foundation

struct AppendCommand: Command {
    static let spec = CommandSpec(
        name: "append",
        usage: "append STREAM --type T --data JSON [--metadata JSON] [--id ID] "
            + "[--expected-version V] [--occurred-at T]",
        summary: """
            Appends one event durably and prints its position and the stream's version
            as JSON. V is a version number, any, no_stream or exists.
            """,
        options: [
            .option("--type", "T", "the event type (required)"),
            .option("--data", "JSON", "the data, a JSON object (required)"),
            .option("--metadata", "JSON", "metadata, a JSON object (actor, correlation_id...)"),
            .option("--id", "ID", "the idempotency key (a UUID when absent)"),
            .option("--expected-version", "V", "any (default), no_stream, exists or a number"),
            .option("--occurred-at", "T", "business time, RFC 3339 (default: now)"),
        ],
        positionals: 1...1)

    static func run(_ arguments: ParsedArguments, context: Context) throws {
        guard let type = arguments.value("--type") else { throw UsageError("--type is required") }
        guard let data = arguments.value("--data") else { throw UsageError("--data is required") }
        var event = NewEvent(type: type, data: data, metadata: arguments.value("--metadata"),
                             id: arguments.value("--id"))
        if let text = arguments.value("--occurred-at") {
            do {
                event.occurredAt = try Timestamp(rfc3339: text)
            } catch {
                throw UsageError("--occurred-at: \(error)")
            }
        }
        let expected = try parseExpectedVersion(arguments.value("--expected-version") ?? "any")
        let store = try context.openStore()
        let result = try store.append([event], to: arguments.positionals[0],
                                      expectedVersion: expected)
        print("{\"stream\":\(JSONWriter.quoted(result.stream)),"
              + "\"position\":\(result.positions[0]),\"version\":\(result.streamVersion),"
              + "\"duplicate\":\(result.duplicates > 0)}")
    }

    static func parseExpectedVersion(_ text: String) throws -> ExpectedVersion {
        switch text {
        case "any": return .any
        case "no_stream": return .noStream
        case "exists": return .exists
        default:
            guard let version = UInt64(text) else {
                throw UsageError("--expected-version takes any, no_stream, exists or a "
                    + "number, got \"\(text)\"")
            }
            return .exact(version)
        }
    }
}
