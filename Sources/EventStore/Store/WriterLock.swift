#if canImport(Glibc)
import Glibc
#endif

/// The store's advisory writer lock (`<store>/writer.lock`, `flock`). Writers in
/// every process take it for exactly one append round, so appends from several
/// processes are serialised; the holder writes its pid into the file so that a
/// writer that times out can name it.
final class WriterLock {
    let path: String
    let storeDirectory: String
    private let file: POSIXFile
    private(set) var isHeld = false

    init(storeDirectory: String) throws {
        self.storeDirectory = storeDirectory
        self.path = storeDirectory + "/writer.lock"
        self.file = try POSIXFile(path: path, flags: O_RDWR | O_CREAT, mode: 0o600)
    }

    /// Takes the lock, polling until `timeout` seconds have passed.
    /// - Throws: `StoreError.lockTimeout` naming the store and the holder's pid.
    func acquire(timeout: Double) throws {
        let start = monotonicSeconds()
        var pause: UInt32 = 100
        while flock(file.descriptor, LOCK_EX | LOCK_NB) != 0 {
            guard errno == EWOULDBLOCK || errno == EINTR else {
                throw FileError(operation: "flock", path: path, code: errno)
            }
            if monotonicSeconds() - start >= timeout {
                throw StoreError.lockTimeout(store: storeDirectory, holderPID: holderPID(),
                                             seconds: timeout)
            }
            usleep(pause)
            pause = min(pause * 2, 5_000)
        }
        isHeld = true
        // The pid is only a hint for error messages; failing to write it must
        // not fail the append, so the error is ignored. The record has a fixed
        // width, so it overwrites any earlier one without a truncate (a file
        // size change on every round).
        _ = try? pidRecord.withUnsafeBytes { try file.write($0, at: 0) }
    }

    /// This process's pid, right-aligned in 20 columns and a newline: any pid
    /// fits, and the record is longer than any a writer left before.
    private let pidRecord: [UInt8] = {
        let digits = String(getpid())
        let padding = String(repeating: " ", count: max(0, 20 - digits.count))
        return Array((padding + digits + "\n").utf8)
    }()

    func release() {
        guard isHeld else { return }
        isHeld = false
        flock(file.descriptor, LOCK_UN)
    }

    private func holderPID() -> Int? {
        guard let bytes = try? file.read(count: 32, at: 0) else { return nil }
        let text = String(decoding: bytes, as: UTF8.self)
        return Int(text.trimmingCharacters(in: .whitespacesAndNewlines))
    }
}

func monotonicSeconds() -> Double {
    var now = timespec()
    clock_gettime(CLOCK_MONOTONIC, &now)
    return Double(now.tv_sec) + Double(now.tv_nsec) / 1e9
}

import Foundation
