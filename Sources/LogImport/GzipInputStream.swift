import Foundation

/// An `InputStream` over a `GzipFile`, so that `XMLParser(stream:)` parses a
/// gzip-compressed log chunk by chunk and never holds the inflated file.
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
        do {
            let count = try file.read(into: UnsafeMutableRawBufferPointer(start: buffer,
                                                                          count: length))
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
