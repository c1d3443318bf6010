import EventModel
import EventStore
import Foundation

/// What every command gets: the store directory and the output sinks.
struct Context {
    let storeDirectory: String
    let verbose: Bool

    var logger: any EventStoreLogger {
        verbose ? StderrLogger(minimum: .debug) : StderrLogger(minimum: .warning)
    }

    /// Opens the store; only `init` creates one.
    func openStore(create: Bool = false, durability: Durability = .durable,
                   readOnly: Bool = false) throws -> EventStore {
        var options = StoreOptions()
        options.logger = logger
        options.durability = durability
        options.readOnly = readOnly
        return try EventStore(directory: storeDirectory, options: options, create: create)
    }
}

/// The CLI's log sink: one line per message on stderr.
struct StderrLogger: EventStoreLogger {
    let minimum: LogLevel

    func log(_ level: LogLevel, _ message: String, _ metadata: [String: String]) {
        guard level >= minimum else { return }
        let details = metadata.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }
        let line = (["evstore: \(level): \(message)"] + details).joined(separator: " ")
        FileHandle.standardError.write(Data((line + "\n").utf8))
    }
}

/// Buffered output to stdout or a file, written in large chunks.
final class OutputSink {
    private let handle: FileHandle
    private var buffer: [UInt8] = []
    private let ownsHandle: Bool

    /// Writes to `path`, or stdout when nil or "-". A file is created 0600.
    init(path: String?) throws {
        if let path, path != "-" {
            let descriptor = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
            guard descriptor >= 0 else {
                throw ExitFailure(message: "cannot write \(path): "
                    + String(cString: strerror(errno)), code: 1)
            }
            self.handle = FileHandle(fileDescriptor: descriptor, closeOnDealloc: true)
            ownsHandle = true
        } else {
            handle = FileHandle.standardOutput
            ownsHandle = false
        }
        buffer.reserveCapacity(1 << 20)
    }

    func write(_ bytes: [UInt8]) throws {
        buffer.append(contentsOf: bytes)
        if buffer.count >= 1 << 20 { try flush() }
    }

    func write(_ text: String) throws { try write(Array(text.utf8)) }

    func flush() throws {
        guard !buffer.isEmpty else { return }
        try handle.write(contentsOf: buffer)
        buffer.removeAll(keepingCapacity: true)
    }

    func close() throws {
        try flush()
        if ownsHandle { try handle.close() }
    }
}

/// A one-line progress indicator on stderr, shown only on a terminal.
final class ProgressLine {
    private let enabled = isatty(2) != 0
    private var lastDraw = 0.0
    private let label: String

    init(_ label: String) { self.label = label }

    func update(_ done: Int, of total: Int? = nil, unit: String) {
        guard enabled else { return }
        let now = Date().timeIntervalSince1970
        guard now - lastDraw >= 0.2 else { return }
        lastDraw = now
        var line = "\r\(label) \(done) \(unit)"
        if let total, total > 0 {
            let fraction = min(1, Double(done) / Double(total))
            let filled = Int(fraction * 30)
            line = "\r\(label) [" + String(repeating: "#", count: filled)
                + String(repeating: " ", count: 30 - filled) + "] \(Int(fraction * 100))%"
        }
        FileHandle.standardError.write(Data(line.utf8))
    }

    func finish() {
        guard enabled, lastDraw > 0 else { return }
        FileHandle.standardError.write(Data("\r\u{1B}[K".utf8))
    }
}
