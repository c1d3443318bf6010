import CZlib
import Foundation

// The one place this module calls zlib. A `GzipFile` reads a file through
// zlib's gz interface, which inflates gzip and passes any other file through
// unchanged, so `.xes` and `.xes.gz` (and `.csv`, `.csv.gz`) share one path.

/// A file read in chunks through zlib; owns the handle and closes it in `deinit`.
final class GzipFile {
    let path: String
    private let handle: gzFile

    /// - Throws: `LogImportError.unreadable` when `gzopen` fails.
    init(path: String) throws(LogImportError) {
        guard let handle = gzopen(path, "rb") else {
            let reason = String(cString: strerror(errno))
            throw LogImportError.unreadable(path: path, reason: "gzopen: \(reason)")
        }
        self.path = path
        self.handle = handle
        gzbuffer(handle, 1 << 18)
    }

    deinit { gzclose(handle) }

    /// Bytes consumed from the file on disk (compressed bytes for gzip), for progress.
    var compressedOffset: Int { Int(gzoffset(handle)) }

    /// Reads up to `buffer.count` bytes into `buffer`.
    /// - Returns: the number of bytes read; 0 at the end of the file.
    /// - Throws: `LogImportError.unreadable` naming `gzread` and zlib's reason
    ///   (a damaged gzip stream, one that ends early, an I/O error).
    func read(into buffer: UnsafeMutableRawBufferPointer) throws(LogImportError) -> Int {
        guard let base = buffer.baseAddress, buffer.count > 0 else { return 0 }
        let count = UInt32(min(buffer.count, Int(Int32.max)))
        let read = gzread(handle, base, count)
        var code: Int32 = Z_OK
        if read < 0 {
            let message = String(cString: gzerror(handle, &code))
            throw LogImportError.unreadable(path: path, reason: "gzread: \(message)")
        }
        // zlib reports a gzip stream cut short as a plain end of file, with
        // Z_BUF_ERROR left for gzerror to tell.
        if read == 0 {
            _ = gzerror(handle, &code)
            if code == Z_BUF_ERROR {
                throw LogImportError.unreadable(
                    path: path, reason: "gzread: the gzip stream ends early (truncated file?)")
            }
        }
        return Int(read)
    }
}
