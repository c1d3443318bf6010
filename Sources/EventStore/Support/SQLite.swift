#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import CSQLite

/// A failure reported by SQLite, naming the C function and the database file.
public struct SQLiteError: Error, CustomStringConvertible {
    public let code: Int32
    public let function: String
    public let message: String
    public let path: String

    public var description: String {
        "SQLite \(function) failed on \(path) (code \(code)): \(message)"
    }
}

/// One SQLite connection. Every C call of the project's SQLite use goes through
/// this file; each return code is checked and turned into `SQLiteError`.
///
/// Not thread-safe by itself: the owner serialises access (the store keeps each
/// connection behind a lock or on one thread).
package final class SQLiteConnection {
    package let path: String
    private var handle: OpaquePointer?
    private var statements: [String: SQLiteStatement] = [:]

    /// Opens (and creates when `create` is set) the database at `path`.
    package init(path: String, readOnly: Bool = false, create: Bool = true) throws {
        self.path = path
        var flags = SQLITE_OPEN_NOMUTEX
        if readOnly {
            flags |= SQLITE_OPEN_READONLY
        } else {
            flags |= SQLITE_OPEN_READWRITE
            if create { flags |= SQLITE_OPEN_CREATE }
        }
        let rc = sqlite3_open_v2(path, &handle, flags, nil)
        if rc != SQLITE_OK {
            let message = handle.map { String(cString: sqlite3_errmsg($0)) } ?? "cannot open"
            sqlite3_close_v2(handle)
            handle = nil
            throw SQLiteError(code: rc, function: "sqlite3_open_v2", message: message, path: path)
        }
        sqlite3_extended_result_codes(handle, 1)
        sqlite3_busy_timeout(handle, 10_000)
    }

    deinit {
        statements.removeAll()
        sqlite3_close_v2(handle)
    }

    /// Runs one or more SQL statements that take no parameters and return no rows.
    package func execute(_ sql: String) throws {
        var errorMessage: UnsafeMutablePointer<CChar>?
        let rc = sqlite3_exec(handle, sql, nil, nil, &errorMessage)
        if rc != SQLITE_OK {
            let message = errorMessage.map { String(cString: $0) } ?? "unknown error"
            sqlite3_free(errorMessage)
            throw SQLiteError(code: rc, function: "sqlite3_exec",
                              message: withSystemError(message, rc), path: path)
        }
    }

    /// A prepared statement for `sql`, cached for the life of the connection.
    package func statement(_ sql: String) throws -> SQLiteStatement {
        if let cached = statements[sql] {
            cached.reset()
            return cached
        }
        var raw: OpaquePointer?
        let rc = sqlite3_prepare_v3(handle, sql, -1, UInt32(SQLITE_PREPARE_PERSISTENT), &raw, nil)
        guard rc == SQLITE_OK, let raw else {
            throw error(rc, "sqlite3_prepare_v3")
        }
        let statement = SQLiteStatement(raw: raw, connection: self)
        statements[sql] = statement
        return statement
    }

    /// Resets every cached statement, so that none keeps a read open: a
    /// statement left mid-result would hold its snapshot past COMMIT.
    package func resetStatements() {
        for statement in statements.values { statement.reset() }
    }

    /// Runs `body` inside `BEGIN IMMEDIATE … COMMIT`, rolling back when it throws.
    package func transaction<T>(_ body: () throws -> T) throws -> T {
        try execute("BEGIN IMMEDIATE")
        do {
            let result = try body()
            resetStatements()
            try execute("COMMIT")
            return result
        } catch {
            resetStatements()
            // The rollback can fail only when SQLite already rolled back on its
            // own (for example after SQLITE_FULL); the original error matters more.
            _ = try? execute("ROLLBACK")
            throw error
        }
    }

    /// Runs `body` inside a read transaction so that every query sees one snapshot.
    package func readTransaction<T>(_ body: () throws -> T) throws -> T {
        try execute("BEGIN")
        defer {
            resetStatements()
            // Ending a read-only transaction cannot lose data; with every
            // statement reset, COMMIT of a read cannot fail for a busy statement.
            _ = try? execute("COMMIT")
        }
        return try body()
    }

    /// Copies this database, as one consistent snapshot, into a new file at
    /// `path` (SQLite's online backup; writers may go on meanwhile).
    package func backup(to path: String) throws {
        let destination = try SQLiteConnection(path: path)
        guard let backup = sqlite3_backup_init(destination.handle, "main", handle, "main") else {
            throw destination.error(sqlite3_errcode(destination.handle), "sqlite3_backup_init")
        }
        // Copy everything in one step, so that the copy is one snapshot.
        let rc = sqlite3_backup_step(backup, -1)
        sqlite3_backup_finish(backup)
        if rc != SQLITE_DONE {
            throw SQLiteError(code: rc, function: "sqlite3_backup_step",
                              message: String(cString: sqlite3_errstr(rc)), path: path)
        }
    }

    package var lastInsertRowID: Int64 { sqlite3_last_insert_rowid(handle) }

    func error(_ rc: Int32, _ function: String) -> SQLiteError {
        SQLiteError(code: rc, function: function,
                    message: withSystemError(String(cString: sqlite3_errmsg(handle)), rc),
                    path: path)
    }

    /// SQLite says "disk I/O error" for EIO, EFBIG and the like alike; the
    /// operating system's own reason tells them apart.
    private func withSystemError(_ message: String, _ rc: Int32) -> String {
        let primary = rc & 0xff
        guard primary == SQLITE_IOERR || primary == SQLITE_FULL || primary == SQLITE_CANTOPEN,
              let handle else { return message }
        let systemError = sqlite3_system_errno(handle)
        guard systemError != 0 else { return message }
        return message + " (" + String(cString: strerror(systemError)) + ")"
    }
}

/// A prepared statement. Bind with 1-based indexes, then `step` or `run`.
package final class SQLiteStatement {
    private let raw: OpaquePointer
    private unowned let connection: SQLiteConnection

    init(raw: OpaquePointer, connection: SQLiteConnection) {
        self.raw = raw
        self.connection = connection
    }

    deinit { sqlite3_finalize(raw) }

    package func reset() {
        // sqlite3_reset repeats the error of the previous step, already reported.
        sqlite3_reset(raw)
        sqlite3_clear_bindings(raw)
    }

    @discardableResult
    package func bind(_ index: Int32, _ value: Int64) -> SQLiteStatement {
        sqlite3_bind_int64(raw, index, value)
        return self
    }

    @discardableResult
    package func bind(_ index: Int32, _ value: Int) -> SQLiteStatement {
        bind(index, Int64(value))
    }

    @discardableResult
    package func bind(_ index: Int32, _ value: String) -> SQLiteStatement {
        sqlite3_bind_text(raw, index, value, -1, evstore_sqlite_transient())
        return self
    }

    @discardableResult
    package func bind(_ index: Int32, blob: [UInt8]) -> SQLiteStatement {
        blob.withUnsafeBytes { bytes in
            _ = sqlite3_bind_blob(raw, index, bytes.baseAddress, Int32(bytes.count),
                                  evstore_sqlite_transient())
        }
        return self
    }

    @discardableResult
    package func bindNull(_ index: Int32) -> SQLiteStatement {
        sqlite3_bind_null(raw, index)
        return self
    }

    /// Advances to the next row; false when done.
    package func step() throws -> Bool {
        let rc = sqlite3_step(raw)
        switch rc {
        case SQLITE_ROW: return true
        case SQLITE_DONE: return false
        default: throw connection.error(rc, "sqlite3_step")
        }
    }

    /// Runs a statement that returns no rows.
    package func run() throws {
        while try step() {}
    }

    package func int64(_ column: Int32) -> Int64 { sqlite3_column_int64(raw, column) }
    package func int(_ column: Int32) -> Int { Int(sqlite3_column_int64(raw, column)) }
    package func isNull(_ column: Int32) -> Bool { sqlite3_column_type(raw, column) == SQLITE_NULL }

    package func string(_ column: Int32) -> String {
        guard let text = sqlite3_column_text(raw, column) else { return "" }
        return String(cString: text)
    }

    package func blob(_ column: Int32) -> [UInt8] {
        let count = Int(sqlite3_column_bytes(raw, column))
        guard count > 0, let base = sqlite3_column_blob(raw, column) else { return [] }
        return Array(UnsafeRawBufferPointer(start: base, count: count))
    }
}
