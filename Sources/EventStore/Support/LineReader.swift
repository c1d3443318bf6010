/// Reads a text file line by line in bounded memory; gzip-compressed files
/// (`.gz`) are decompressed on the fly (zlib reads plain files unchanged).
/// `-` reads standard input.
public final class LineReader {
    public let path: String
    private let file: GzipReader
    /// Read bytes are `buffer[start..<end]`; the rest is room for the next read.
    private var buffer: [UInt8] = []
    private var start = 0
    private var end = 0
    private var atEnd = false
    /// The 1-based number of the line `next()` returned last.
    public private(set) var lineNumber = 0
    /// A line longer than this is an error rather than a memory hazard.
    public let maximumLineLength: Int

    /// - Throws: `FileError` when the file cannot be opened.
    public init(path: String, maximumLineLength: Int = 64 << 20) throws {
        self.path = path
        self.maximumLineLength = maximumLineLength
        file = try GzipReader(path: path)
    }

    /// Bytes consumed from the underlying (possibly compressed) file, for progress.
    public var compressedOffset: Int { file.compressedOffset }

    /// The next line without its `\n` (or `\r\n`), or nil at the end.
    /// - Throws: `FileError` on a read error or a damaged gzip stream;
    ///   `LineTooLong` for a line over `maximumLineLength`.
    public func next() throws -> ArraySlice<UInt8>? {
        while true {
            if let newline = nextNewline() {
                var lineEnd = newline
                if lineEnd > start && buffer[lineEnd - 1] == UInt8(ascii: "\r") { lineEnd -= 1 }
                if lineEnd - start > maximumLineLength { throw tooLong() }
                var line = buffer[start..<lineEnd]
                start = newline + 1
                lineNumber += 1
                if lineNumber == 1 { line = Self.droppingByteOrderMark(line) }
                return line
            }
            if atEnd {
                guard start < end else { return nil }
                if end - start > maximumLineLength { throw tooLong() }
                var line = buffer[start..<end]
                start = end
                lineNumber += 1
                if lineNumber == 1 { line = Self.droppingByteOrderMark(line) }
                return line
            }
            // No newline yet: the line is too long already, unless the last
            // byte is the `\r` of its `\r\n`.
            if end - start > maximumLineLength + 1 { throw tooLong() }
            try fill()
        }
    }

    /// The next line is longer than the limit (its `\n` or `\r\n` not counted).
    private func tooLong() -> LineTooLong {
        LineTooLong(path: path, line: lineNumber + 1, limit: maximumLineLength)
    }

    /// The index of the first line feed from `start` on (memchr: a search
    /// byte by byte took 3% of an import's instructions).
    private func nextNewline() -> Int? {
        buffer.withUnsafeBytes { bytes -> Int? in
            guard start < end, let base = bytes.baseAddress else { return nil }
            guard let found = memchr(base + start, 0x0A, end - start) else { return nil }
            return base.distance(to: UnsafeRawPointer(found))
        }
    }

    /// Spreadsheet tools start UTF-8 files with a byte order mark; it is not
    /// part of the first line's text.
    private static func droppingByteOrderMark(_ line: ArraySlice<UInt8>) -> ArraySlice<UInt8> {
        line.starts(with: [0xEF, 0xBB, 0xBF]) ? line.dropFirst(3) : line
    }

    /// Moves the unread bytes to the front and reads up to a chunk after
    /// them. The buffer only grows for a line longer than a chunk; its room
    /// is zeroed once, when it grows (appending a chunk of zeros at every
    /// read took half a second a reader in a debug build).
    private func fill() throws {
        let chunk = 1 << 20
        if start > 0 {
            buffer.withUnsafeMutableBytes { bytes in
                let base = bytes.baseAddress!
                _ = memmove(base, base + start, end - start)
            }
            end -= start
            start = 0
        }
        if buffer.count < end + chunk {
            buffer += [UInt8](repeating: 0, count: end + chunk - buffer.count)
        }
        let n = try buffer.withUnsafeMutableBytes { bytes in
            try file.read(into: UnsafeMutableRawBufferPointer(rebasing: bytes[end..<end + chunk]))
        }
        end += n
        if n == 0 { atEnd = true }
    }
}

/// A line longer than the reader's limit.
public struct LineTooLong: Error, CustomStringConvertible {
    public let path: String
    public let line: Int
    public let limit: Int
    public var description: String {
        "\(path): line \(line) is longer than \(limit) bytes"
    }
}

/// A read failure (for example a damaged gzip stream).
public struct LineReadError: Error, CustomStringConvertible {
    public let path: String
    public let reason: String
    public var description: String { "cannot read \(path): \(reason)" }
}

#if canImport(Glibc)
import Glibc
#endif
