import EventModel
import EventStore
import Foundation
@testable import Projections

/// Builds the events of a fold test by hand: each gets the next position, its
/// stream and version do not matter to the folds, and `at` is occurred_at.
struct EventScript {
    private(set) var events: [RecordedEvent] = []

    /// Adds one event; `data` is the JSON object's text.
    mutating func add(_ type: String, at occurredAt: String, _ data: String,
                      actor: String = "user-1") {
        let position = events.count + 1
        let time = try! Timestamp(rfc3339: occurredAt)
        events.append(RecordedEvent(
            position: position, stream: "test", version: position, id: "e\(position)",
            type: type, occurredAt: time, recordedAt: time, data: Array(data.utf8),
            metadata: Array(#"{"actor":"\#(actor)"}"#.utf8)))
    }
}

/// Folds `events` from the initial state and returns the rows as of `now`,
/// each row as its printed cells (the CSV's text, before CSV quoting).
func foldRows<P: Projection>(_ projection: P, _ events: [RecordedEvent],
                             now: String = "2026-12-31T00:00:00Z") throws -> [[String]] {
    var state = projection.initialState()
    for event in events { try projection.fold(&state, event) }
    return printed(projection, projection.rows(of: state, now: try! Timestamp(rfc3339: now)))
}

func printed<P: Projection>(_ projection: P, _ rows: [Row]) -> [[String]] {
    rows.map { row in zip(row, projection.columns).map { $0.formatted(for: $1) } }
}

/// The printed row whose first cells equal `key`.
func row(_ rows: [[String]], _ key: String...) -> [String]? {
    rows.first { Array($0.prefix(key.count)) == key }
}

/// A column's printed value in a row, by name.
func cell<P: Projection>(_ projection: P, _ row: [String]?, _ name: String) -> String? {
    guard let row, let index = projection.columns.firstIndex(where: { $0.name == name }) else {
        return nil
    }
    return row[index]
}
