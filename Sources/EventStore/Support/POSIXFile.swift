#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A failed system call on a store file, naming the call, the file and the cause.
public struct FileError: Error, CustomStringConvertible {
    public let operation: String
    public let path: String
    public let code: Int32

    package init(operation: String, path: String, code: Int32) {
        self.operation = operation
        self.path = path
        self.code = code
    }

    public var description: String {
        "\(operation) failed on \(path): \(String(cString: strerror(code))) (errno \(code))"
    }
}

/// Injects I/O failures for tests: called before each write, sync and truncate
/// with the operation name and path; a non-zero return is used as the errno of a
/// failure, and a `.short(n)` result writes only `n` bytes before failing.
public enum InjectedFault: Sendable {
    case none
    case fail(errno: Int32)
    case short(bytes: Int, errno: Int32)
}

/// The hook the store consults before each write, sync and truncate.
public typealias FaultInjector = @Sendable (_ operation: String, _ path: String) -> InjectedFault

/// An open file descriptor owned by this object and closed in `deinit`. All
/// file system calls of the store go through here, so that a test can inject
/// write errors (`FaultInjector`).
final class POSIXFile {
    let path: String
    let descriptor: Int32
    private let faults: FaultInjector?

    init(path: String, flags: Int32, mode: mode_t = 0o600, faults: FaultInjector? = nil) throws {
        let fd = open(path, flags | O_CLOEXEC, mode)
        if fd < 0 { throw FileError(operation: "open", path: path, code: errno) }
        self.path = path
        self.descriptor = fd
        self.faults = faults
    }

    deinit { close(descriptor) }

    var size: Int {
        get throws {
            var info = stat()
            if fstat(descriptor, &info) != 0 {
                throw FileError(operation: "fstat", path: path, code: errno)
            }
            return Int(info.st_size)
        }
    }

    /// Writes all of `bytes` at `offset`, retrying short writes.
    func write(_ bytes: UnsafeRawBufferPointer, at offset: Int) throws {
        var limit = bytes.count
        var injectedErrno: Int32 = 0
        switch faults?("write", path) ?? .none {
        case .none: break
        case .fail(let code): throw FileError(operation: "write", path: path, code: code)
        case .short(let count, let code):
            limit = min(count, bytes.count)
            injectedErrno = code
        }
        var done = 0
        while done < limit {
            let n = pwrite(descriptor, bytes.baseAddress! + done, limit - done,
                           off_t(offset + done))
            if n < 0 {
                if errno == EINTR { continue }
                throw FileError(operation: "write", path: path, code: errno)
            }
            done += n
        }
        if injectedErrno != 0 {
            throw FileError(operation: "write", path: path, code: injectedErrno)
        }
    }

    /// Reads up to `count` bytes at `offset`; fewer only at the end of the file.
    func read(into buffer: UnsafeMutableRawBufferPointer, at offset: Int) throws -> Int {
        var done = 0
        while done < buffer.count {
            let n = pread(descriptor, buffer.baseAddress! + done, buffer.count - done,
                          off_t(offset + done))
            if n < 0 {
                if errno == EINTR { continue }
                throw FileError(operation: "read", path: path, code: errno)
            }
            if n == 0 { break }
            done += n
        }
        return done
    }

    func read(count: Int, at offset: Int) throws -> [UInt8] {
        // Only the bytes read are kept, so the buffer need not be zeroed first.
        try [UInt8](unsafeUninitializedCapacity: count) { buffer, initialized in
            initialized = try read(into: UnsafeMutableRawBufferPointer(buffer), at: offset)
        }
    }

    /// Flushes the file's data to stable storage (`fdatasync`).
    func sync() throws {
        if case .fail(let code) = faults?("sync", path) ?? .none {
            throw FileError(operation: "fdatasync", path: path, code: code)
        }
        if fdatasync(descriptor) != 0 {
            throw FileError(operation: "fdatasync", path: path, code: errno)
        }
    }

    func truncate(to length: Int) throws {
        if case .fail(let code) = faults?("truncate", path) ?? .none {
            throw FileError(operation: "ftruncate", path: path, code: code)
        }
        if ftruncate(descriptor, off_t(length)) != 0 {
            throw FileError(operation: "ftruncate", path: path, code: errno)
        }
    }
}

/// Small file-system helpers that name the path in their errors.
package enum FileSystem {
    package static func exists(_ path: String) -> Bool {
        var info = stat()
        return stat(path, &info) == 0
    }

    package static func isDirectory(_ path: String) -> Bool {
        var info = stat()
        return stat(path, &info) == 0 && (info.st_mode & S_IFMT) == S_IFDIR
    }

    package static func fileSize(_ path: String) throws -> Int {
        var info = stat()
        if stat(path, &info) != 0 { throw FileError(operation: "stat", path: path, code: errno) }
        return Int(info.st_size)
    }

    /// Creates a directory with mode 0700 (and its parents) when missing.
    package static func makeDirectory(_ path: String) throws {
        if isDirectory(path) { return }
        let parent = (path as String).split(separator: "/", omittingEmptySubsequences: false)
            .dropLast().joined(separator: "/")
        if !parent.isEmpty && !isDirectory(parent) { try makeDirectory(parent) }
        if mkdir(path, 0o700) != 0 && errno != EEXIST {
            throw FileError(operation: "mkdir", path: path, code: errno)
        }
    }

    /// Makes a directory entry (a new or removed file) durable.
    package static func syncDirectory(_ path: String) throws {
        let fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if fd < 0 { throw FileError(operation: "open", path: path, code: errno) }
        defer { close(fd) }
        if fsync(fd) != 0 { throw FileError(operation: "fsync", path: path, code: errno) }
    }

    package static func listDirectory(_ path: String) throws -> [String] {
        guard let dir = opendir(path) else {
            throw FileError(operation: "opendir", path: path, code: errno)
        }
        defer { closedir(dir) }
        var names: [String] = []
        while let entry = readdir(dir) {
            let name = withUnsafePointer(to: entry.pointee.d_name) {
                $0.withMemoryRebound(to: CChar.self, capacity: 256) { String(cString: $0) }
            }
            if name != "." && name != ".." { names.append(name) }
        }
        return names.sorted()
    }

    package static func remove(_ path: String) throws {
        if unlink(path) != 0 && errno != ENOENT {
            throw FileError(operation: "unlink", path: path, code: errno)
        }
    }

    package static func chmod(_ path: String, _ mode: mode_t) {
        // Tightening permissions is best effort on files SQLite created itself;
        // a failure leaves the umask's mode, which `verify` does not depend on.
        _ = Glibc.chmod(path, mode)
    }
}
