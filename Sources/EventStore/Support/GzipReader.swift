import CZlib
#if canImport(Glibc)
import Glibc
#endif

/// A file read in chunks through zlib's gz interface, which inflates gzip and
/// passes any other file through unchanged, so plain and `.gz` input share one
/// path. `-` reads standard input. The one place the project calls zlib.
package final class GzipReader {
    package let path: String
    private let handle: gzFile

    /// - Throws: `LineReadError` naming the system's reason when the file
    ///   cannot be opened.
    package init(path: String, bufferSize: Int = 1 << 20) throws {
        let opened = path == "-" ? gzdopen(dup(0), "rb") : gzopen(path, "rb")
        guard let opened else {
            throw LineReadError(path: path, reason: String(cString: strerror(errno)))
        }
        self.path = path
        self.handle = opened
        gzbuffer(handle, UInt32(bufferSize))
    }

    deinit { gzclose(handle) }

    /// Bytes consumed from the file on disk (compressed bytes for gzip), for progress.
    package var compressedOffset: Int { Int(gzoffset(handle)) }

    /// Reads up to `buffer.count` bytes; 0 at the end of the file.
    /// - Throws: `LineReadError` for a damaged gzip stream, one cut short (zlib
    ///   reports that as a plain end of file and leaves the error for
    ///   `gzerror`), or an I/O error.
    package func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        guard let base = buffer.baseAddress, buffer.count > 0 else { return 0 }
        let read = gzread(handle, base, UInt32(min(buffer.count, Int(Int32.max))))
        var code: Int32 = Z_OK
        let message = String(cString: gzerror(handle, &code))
        if read < 0 || (read == 0 && code != Z_OK && code != Z_STREAM_END) {
            throw LineReadError(path: path, reason: read < 0 ? message
                                    : "the gzip stream ends early (truncated file?)")
        }
        return Int(read)
    }
}
