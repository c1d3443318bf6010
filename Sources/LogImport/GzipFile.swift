import EventStore
import Foundation

// The store's `GzipReader` (the project's one use of zlib), with its errors
// turned into this module's `LogImportError` at the boundary.

/// A log file read in chunks, plain or gzip-compressed.
final class GzipFile {
    private let reader: GzipReader

    var path: String { reader.path }

    /// - Throws: `LogImportError.unreadable` when the file cannot be opened.
    init(path: String) throws(LogImportError) {
        do {
            reader = try GzipReader(path: path, bufferSize: 1 << 18)
        } catch {
            throw LogImportError.unreadable(path: path, reason: Self.reason(error))
        }
    }

    /// Bytes consumed from the file on disk (compressed bytes for gzip), for progress.
    var compressedOffset: Int { reader.compressedOffset }

    /// Reads up to `buffer.count` bytes; 0 at the end of the file.
    /// - Throws: `LogImportError.unreadable` naming zlib's reason (a damaged
    ///   gzip stream, one that ends early, an I/O error).
    func read(into buffer: UnsafeMutableRawBufferPointer) throws(LogImportError) -> Int {
        do {
            return try reader.read(into: buffer)
        } catch {
            throw LogImportError.unreadable(path: path, reason: Self.reason(error))
        }
    }

    private static func reason(_ error: any Error) -> String {
        switch error {
        case let read as LineReadError: return read.reason
        default: return String(describing: error)
        }
    }
}
