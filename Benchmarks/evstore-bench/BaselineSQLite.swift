import CSQLite

// The only file of the benchmark that calls SQLite's C API. Every return code
// is checked and turned into a `BaselineError` naming the C function.

/// A SQLite failure in the baseline, with the function, code and message.
struct BaselineError: Error, CustomStringConvertible {
    let function: String
    let code: Int32
    let message: String

    var description: String { "\(function) failed (\(code)): \(message)" }
}

/// One SQLite connection, closed in `deinit`.
final class BaselineConnection {
    fileprivate let handle: OpaquePointer

    init(path: String) throws {
        var opened: OpaquePointer?
        let code = sqlite3_open_v2(path, &opened,
                                   SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nil)
        guard code == SQLITE_OK, let opened else {
            let message = opened.map { String(cString: sqlite3_errmsg($0)) } ?? "out of memory"
            sqlite3_close(opened)
            throw BaselineError(function: "sqlite3_open_v2", code: code, message: message)
        }
        handle = opened
    }

    deinit { sqlite3_close(handle) }

    func execute(_ sql: String) throws {
        let code = sqlite3_exec(handle, sql, nil, nil, nil)
        guard code == SQLITE_OK else { throw error("sqlite3_exec", code) }
    }

    func prepare(_ sql: String) throws -> BaselineStatement {
        var statement: OpaquePointer?
        let code = sqlite3_prepare_v3(handle, sql, -1, UInt32(SQLITE_PREPARE_PERSISTENT),
                                      &statement, nil)
        guard code == SQLITE_OK, let statement else { throw error("sqlite3_prepare_v3", code) }
        return BaselineStatement(handle: statement, connection: self)
    }

    fileprivate func error(_ function: String, _ code: Int32) -> BaselineError {
        BaselineError(function: function, code: code,
                      message: String(cString: sqlite3_errmsg(handle)))
    }
}

/// A prepared statement, finalized in `deinit`. Bind, step, read, reset.
final class BaselineStatement {
    private let handle: OpaquePointer
    private let connection: BaselineConnection

    fileprivate init(handle: OpaquePointer, connection: BaselineConnection) {
        self.handle = handle
        self.connection = connection
    }

    deinit { sqlite3_finalize(handle) }

    func bind(_ index: Int32, _ value: Int) throws {
        try check("sqlite3_bind_int64", sqlite3_bind_int64(handle, index, Int64(value)))
    }

    func bind(_ index: Int32, _ text: String) throws {
        var text = text
        try text.withUTF8 { utf8 in
            try bindText(index, UnsafeRawBufferPointer(utf8))
        }
    }

    /// Binds UTF-8 bytes as TEXT (SQLite copies them).
    func bind(_ index: Int32, utf8 bytes: [UInt8]) throws {
        try bytes.withUnsafeBytes { try bindText(index, $0) }
    }

    private func bindText(_ index: Int32, _ bytes: UnsafeRawBufferPointer) throws {
        guard let base = bytes.baseAddress?.assumingMemoryBound(to: CChar.self) else {
            try check("sqlite3_bind_text",
                      sqlite3_bind_text(handle, index, "", 0, evstore_sqlite_transient()))
            return
        }
        try check("sqlite3_bind_text",
                  sqlite3_bind_text(handle, index, base, Int32(bytes.count),
                                    evstore_sqlite_transient()))
    }

    /// Steps once: true when a row is ready, false when done.
    func step() throws -> Bool {
        let code = sqlite3_step(handle)
        if code == SQLITE_ROW { return true }
        if code == SQLITE_DONE { return false }
        throw connection.error("sqlite3_step", code)
    }

    func reset() throws {
        try check("sqlite3_reset", sqlite3_reset(handle))
        try check("sqlite3_clear_bindings", sqlite3_clear_bindings(handle))
    }

    func int(_ column: Int32) -> Int { Int(sqlite3_column_int64(handle, column)) }

    /// The column's text; valid only until the next step.
    func withText<T>(_ column: Int32, _ body: (UnsafeRawBufferPointer) -> T) -> T {
        let pointer = sqlite3_column_text(handle, column)
        let count = Int(sqlite3_column_bytes(handle, column))
        return body(UnsafeRawBufferPointer(start: pointer, count: count))
    }

    func string(_ column: Int32) -> String {
        withText(column) { String(decoding: $0, as: UTF8.self) }
    }

    func bytes(_ column: Int32) -> [UInt8] {
        withText(column) { Array($0) }
    }

    private func check(_ function: String, _ code: Int32) throws {
        guard code == SQLITE_OK else { throw connection.error(function, code) }
    }
}
