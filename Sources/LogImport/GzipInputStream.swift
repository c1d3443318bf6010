import Foundation

/// An `InputStream` over a `GzipFile`, so that `XMLParser(stream:)` parses a
/// gzip-compressed log chunk by chunk and never holds the inflated file.
///
/// It also checks that the text is UTF-8, which is how evstore reads XES:
/// Foundation's XMLParser traps on some invalid UTF-8 in element names rather
/// than reporting an error, so such bytes must never reach it. The first
/// invalid byte ends the stream with an error naming its line.
///
/// `XMLParser` reads until `read` returns 0 or less. A read error is kept in
/// `failure` (the parser cannot carry it) and reported as -1; `stop()` makes
/// further reads return 0, which ends a parse early without inflating the
/// rest of the file.
final class GzipInputStream: InputStream {
    private let file: GzipFile
    private var status: Stream.Status = .notOpen
    private var stopped = false
    /// The read error that ended the stream, if any.
    private(set) var failure: LogImportError?
    private var utf8 = UTF8Check()

    init(file: GzipFile) {
        self.file = file
        super.init(data: Data())
    }

    /// Whether a read has returned the end of the file.
    var reachedEnd: Bool { status == .atEnd }

    /// Ends the stream: every later read returns 0.
    func stop() { stopped = true }

    override func open() { status = .open }

    override func close() { status = .closed }

    override var streamStatus: Stream.Status { status }

    override var streamError: (any Error)? { failure }

    override var hasBytesAvailable: Bool { status == .open && !stopped }

    override func read(_ buffer: UnsafeMutablePointer<UInt8>, maxLength length: Int) -> Int {
        guard status == .open, !stopped else { return 0 }
        do throws(LogImportError) {
            let count = try file.read(into: UnsafeMutableRawBufferPointer(start: buffer,
                                                                          count: length))
            let valid = count == 0
                ? utf8.finish()
                : utf8.consume(UnsafeRawBufferPointer(start: buffer, count: count))
            guard valid else {
                throw LogImportError.malformedSource(
                    path: file.path, location: .line(utf8.line),
                    reason: "invalid UTF-8 (XES is read as UTF-8)")
            }
            if count == 0 { status = .atEnd }
            return count
        } catch {
            failure = error
            status = .error
            return -1
        }
    }

    override func getBuffer(_ buffer: UnsafeMutablePointer<UnsafeMutablePointer<UInt8>?>,
                            length: UnsafeMutablePointer<Int>) -> Bool {
        false
    }
}

/// Checks UTF-8 (RFC 3629: no overlong forms, surrogates or code points past
/// U+10FFFF) chunk by chunk, a sequence may span chunks, and counts lines.
struct UTF8Check {
    /// The 1-based line of the last byte consumed.
    private(set) var line = 1
    /// Continuation bytes still due for the current sequence.
    private var due = 0
    /// The range the next continuation byte must be in.
    private var low: UInt8 = 0x80
    private var high: UInt8 = 0xBF

    /// - Returns: false at the first invalid byte (`line` is then its line).
    mutating func consume(_ bytes: UnsafeRawBufferPointer) -> Bool {
        for byte in bytes {
            if due > 0 {
                guard byte >= low && byte <= high else { return false }
                due -= 1
                (low, high) = (0x80, 0xBF)
                continue
            }
            switch byte {
            case 0x0A: line += 1
            case 0x00...0x7F: break
            case 0xC2...0xDF: due = 1
            case 0xE0: (due, low) = (2, 0xA0)
            case 0xE1...0xEC, 0xEE...0xEF: due = 2
            case 0xED: (due, high) = (2, 0x9F)
            case 0xF0: (due, low) = (3, 0x90)
            case 0xF1...0xF3: due = 3
            case 0xF4: (due, high) = (3, 0x8F)
            default: return false
            }
        }
        return true
    }

    /// - Returns: false when the text ended inside a sequence.
    func finish() -> Bool { due == 0 }
}
