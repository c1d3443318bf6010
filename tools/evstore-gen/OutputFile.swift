#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

// MARK: - Errors

/// A failure to open, write or close the output.
enum OutputError: Error, CustomStringConvertible {
    /// The output file could not be created or truncated.
    case cannotOpen(path: String, code: Int32)
    /// A `write(2)` failed part-way through the output.
    case writeFailed(path: String, code: Int32)
    /// Closing the file reported an error, so buffered data may be lost.
    case closeFailed(path: String, code: Int32)

    var description: String {
        switch self {
        case let .cannotOpen(path, code):
            return "cannot open \(path): \(Self.reason(code))"
        case let .writeFailed(path, code):
            return "cannot write \(path): \(Self.reason(code))"
        case let .closeFailed(path, code):
            return "cannot close \(path): \(Self.reason(code))"
        }
    }

    private static func reason(_ code: Int32) -> String {
        guard let message = strerror(code) else {
            return "error \(code)"
        }
        return String(cString: message)
    }
}

// MARK: - Output file

/// The destination of the generated lines: standard output or a file that
/// is created or truncated.
///
/// Writes go straight to `write(2)` in the large chunks the line writer
/// hands over, with no stdio buffering in between.
final class OutputFile {
    /// The name used in error messages.
    let displayName: String
    private let descriptor: Int32
    private let ownsDescriptor: Bool
    private var isClosed = false

    private init(descriptor: Int32, displayName: String, ownsDescriptor: Bool) {
        self.descriptor = descriptor
        self.displayName = displayName
        self.ownsDescriptor = ownsDescriptor
    }

    /// The process's standard output; closing it is left to the process.
    static func standardOutput() -> OutputFile {
        OutputFile(descriptor: 1, displayName: "standard output", ownsDescriptor: false)
    }

    /// Creates or truncates the file at `path`.
    ///
    /// - Throws: `OutputError.cannotOpen` naming the path.
    static func creating(path: String) throws(OutputError) -> OutputFile {
        let descriptor = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else {
            throw .cannotOpen(path: path, code: errno)
        }
        return OutputFile(descriptor: descriptor, displayName: path, ownsDescriptor: true)
    }

    /// Writes all of `bytes`, retrying short writes and interruptions.
    ///
    /// - Throws: `OutputError.writeFailed` naming the output.
    func write(_ bytes: UnsafeRawBufferPointer) throws(OutputError) {
        var offset = 0
        while offset < bytes.count {
            let written = systemWrite(bytes.baseAddress! + offset, bytes.count - offset)
            if written < 0 {
                if errno == EINTR {
                    continue
                }
                throw .writeFailed(path: displayName, code: errno)
            }
            offset += written
        }
    }

    /// Closes a file this object opened; standard output is left open.
    ///
    /// - Throws: `OutputError.closeFailed`, since a failed close can lose data.
    func close() throws(OutputError) {
        guard ownsDescriptor, !isClosed else {
            return
        }
        isClosed = true
        if systemClose(descriptor) != 0 {
            throw .closeFailed(path: displayName, code: errno)
        }
    }

    deinit {
        // Reached only when an earlier error already abandoned the output;
        // that error is the one worth reporting, so the close result is not.
        if ownsDescriptor, !isClosed {
            _ = systemClose(descriptor)
        }
    }

    private func systemWrite(_ pointer: UnsafeRawPointer, _ count: Int) -> Int {
        #if canImport(Darwin)
        return Darwin.write(descriptor, pointer, count)
        #elseif canImport(Musl)
        return Musl.write(descriptor, pointer, count)
        #else
        return Glibc.write(descriptor, pointer, count)
        #endif
    }

    private func systemClose(_ descriptor: Int32) -> Int32 {
        #if canImport(Darwin)
        return Darwin.close(descriptor)
        #elseif canImport(Musl)
        return Musl.close(descriptor)
        #else
        return Glibc.close(descriptor)
        #endif
    }
}

// MARK: - Diagnostics

/// Writes one line to standard error, unbuffered.
func writeDiagnostic(_ message: String) {
    var line = message
    line.append("\n")
    line.withUTF8 { bytes in
        var offset = 0
        while offset < bytes.count {
            let written = write(2, bytes.baseAddress! + offset, bytes.count - offset)
            // Nothing sensible is left to do when standard error itself fails.
            guard written > 0 else {
                return
            }
            offset += written
        }
    }
}
