import EventModel
import EventStore
import Foundation

/// A projection's checkpoint: the last position folded, with the rules'
/// hash and the projection's version it was folded under.
public struct Checkpoint: Sendable, Equatable {
    public var position: Int
    public var rulesHash: String
    public var projectionVersion: Int
}

/// `<store>/projections.sqlite`: one table per read model with the CSV's
/// columns (for `sqlite3` and BI tools), plus each projection's state and
/// checkpoint, always written in one transaction.
final class ProjectionDatabase {
    let connection: SQLiteConnection

    init(path: String, readOnly: Bool = false) throws {
        if !readOnly && !FileSystem.exists(path) {
            // Created 0600 first so the -wal and -shm files SQLite derives are too.
            let descriptor = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0o600)
            guard descriptor >= 0 else {
                throw FileError(operation: "open", path: path, code: errno)
            }
            close(descriptor)
        }
        connection = try SQLiteConnection(path: path, readOnly: readOnly, create: !readOnly)
        if !readOnly {
            try connection.execute("PRAGMA journal_mode=WAL")
            try connection.execute("""
                CREATE TABLE IF NOT EXISTS checkpoints(
                    name TEXT PRIMARY KEY, position INTEGER NOT NULL,
                    rules_hash TEXT NOT NULL, projection_version INTEGER NOT NULL,
                    updated_at TEXT NOT NULL);
                CREATE TABLE IF NOT EXISTS states(name TEXT PRIMARY KEY, state BLOB NOT NULL);
                CREATE TABLE IF NOT EXISTS snapshots(
                    name TEXT NOT NULL, rules_hash TEXT NOT NULL,
                    projection_version INTEGER NOT NULL, position INTEGER NOT NULL,
                    state BLOB NOT NULL,
                    PRIMARY KEY(name, rules_hash, projection_version, position));
                """)
        }
    }

    /// The SQL table of a read model: its name with `-` as `_`. Names are
    /// checked to be lower-case letters, digits and `-`, so they are safe to
    /// splice into SQL (table names cannot be bound parameters).
    static func table(for name: String) -> String {
        precondition(isValidName(name), "projection names are checked at registration")
        return name.replacingOccurrences(of: "-", with: "_")
    }

    static func isValidName(_ name: String) -> Bool {
        guard let first = name.utf8.first, (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(first)
        else { return false }
        return name.utf8.allSatisfy {
            (UInt8(ascii: "a")...UInt8(ascii: "z")).contains($0)
                || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) || $0 == UInt8(ascii: "-")
        } && name.utf8.count <= 64
    }

    func checkpoint(_ name: String) throws -> Checkpoint? {
        let statement = try connection.statement("""
            SELECT position, rules_hash, projection_version FROM checkpoints WHERE name = ?
            """)
        statement.bind(1, name)
        // Reset at once: a statement left on a row holds a read lock that
        // would block a later DROP TABLE in a rebuild.
        defer { statement.reset() }
        guard try statement.step() else { return nil }
        return Checkpoint(position: statement.int(0), rulesHash: statement.string(1),
                          projectionVersion: statement.int(2))
    }

    func state(_ name: String) throws -> [UInt8]? {
        let statement = try connection.statement("SELECT state FROM states WHERE name = ?")
        statement.bind(1, name)
        defer { statement.reset() }
        return try statement.step() ? statement.blob(0) : nil
    }

    /// Stores a snapshot of a projection's state after `position` (its own
    /// transaction: snapshots are only an optimisation for replays).
    func saveSnapshot(_ runner: any ProjectionRunner, position: Int) throws {
        let state = try runner.encode()
        try connection.transaction {
            let statement = try connection.statement("""
                INSERT OR REPLACE INTO snapshots(name, rules_hash, projection_version,
                                                 position, state) VALUES(?, ?, ?, ?, ?)
                """)
            statement.bind(1, runner.name).bind(2, runner.registration.rulesHash)
                .bind(3, runner.registration.projection.version).bind(4, position)
                .bind(5, blob: state)
            try statement.run()
        }
    }

    func snapshot(name: String, rulesHash: String, version: Int,
                  atOrBefore position: Int) throws -> (position: Int, state: [UInt8])? {
        let statement = try connection.statement("""
            SELECT position, state FROM snapshots
            WHERE name = ? AND rules_hash = ? AND projection_version = ? AND position <= ?
            ORDER BY position DESC LIMIT 1
            """)
        statement.bind(1, name).bind(2, rulesHash).bind(3, version).bind(4, position)
        defer { statement.reset() }
        guard try statement.step() else { return nil }
        return (statement.int(0), statement.blob(1))
    }

    /// Writes a projection's rows, state and checkpoint. Call inside a transaction.
    /// - Parameter intoTable: the table to fill (a rebuild fills a new one).
    func save(_ runner: any ProjectionRunner, checkpoint: Checkpoint, rows: [Row],
              intoTable table: String, updatedAt: Timestamp) throws {
        try createTable(table, columns: runner.columns)
        try connection.execute("DELETE FROM \(table)")
        let placeholders = Array(repeating: "?", count: runner.columns.count)
            .joined(separator: ", ")
        let insert = try connection.statement("INSERT INTO \(table) VALUES(\(placeholders))")
        var formatter = CellFormatter()
        for row in rows {
            insert.reset()
            for (index, (cell, column)) in zip(row, runner.columns).enumerated() {
                bind(cell, column: column, to: insert, at: Int32(index + 1),
                     formatter: &formatter)
            }
            try insert.run()
        }
        let state = try connection.statement(
            "INSERT OR REPLACE INTO states(name, state) VALUES(?, ?)")
        state.bind(1, runner.name).bind(2, blob: try runner.encode())
        try state.run()
        let mark = try connection.statement("""
            INSERT OR REPLACE INTO checkpoints(name, position, rules_hash, projection_version,
                                               updated_at) VALUES(?, ?, ?, ?, ?)
            """)
        mark.bind(1, runner.name).bind(2, checkpoint.position).bind(3, checkpoint.rulesHash)
            .bind(4, checkpoint.projectionVersion).bind(5, updatedAt.rfc3339)
        try mark.run()
    }

    func createTable(_ table: String, columns: [Column]) throws {
        let definitions = columns.map { column -> String in
            let type: String
            switch column.kind {
            case .decimal: type = "NUMERIC"
            case .integer, .bool: type = "INTEGER"
            case .text, .timestamp, .date: type = "TEXT"
            }
            return "\"\(column.name)\" \(type)"
        }
        try connection.execute(
            "CREATE TABLE IF NOT EXISTS \(table)(\(definitions.joined(separator: ", ")))")
    }

    /// Replaces `table` by `replacement` (a rebuild's finished table).
    func swap(_ replacement: String, into table: String) throws {
        try connection.execute("DROP TABLE IF EXISTS \(table)")
        try connection.execute("ALTER TABLE \(replacement) RENAME TO \(table)")
    }

    private func bind(_ cell: Cell, column: Column, to statement: SQLiteStatement,
                      at index: Int32, formatter: inout CellFormatter) {
        switch cell {
        case .null: statement.bindNull(index)
        case .integer(let value): statement.bind(index, value)
        case .bool(let value): statement.bind(index, value ? 1 : 0)
        default: statement.bind(index, formatter.text(cell, for: column))
        }
    }
}
