#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A value behind a POSIX mutex: every access goes through `withLock`.
///
/// Used instead of the standard library's `Mutex` because ThreadSanitizer
/// cannot see the futex that `Mutex` waits on under Linux and reports
/// accesses it orders as races; it does see `pthread_mutex_lock`, so with
/// this lock a ThreadSanitizer run reports only real races.
///
/// `@unchecked Sendable`: `value` is only read or written while `mutex` is
/// held, and the mutex lives at a fixed address for the object's lifetime.
/// As with `Mutex`, the value goes in and results come out as `sending`, so a
/// value that is not `Sendable` cannot leak out of the lock to another thread.
package final class Locked<Value>: @unchecked Sendable {
    private var value: Value
    private let mutex: UnsafeMutablePointer<pthread_mutex_t>

    package init(_ value: sending Value) {
        self.value = value
        mutex = .allocate(capacity: 1)
        mutex.initialize(to: pthread_mutex_t())
        pthread_mutex_init(mutex, nil)
    }

    deinit {
        pthread_mutex_destroy(mutex)
        mutex.deinitialize(count: 1)
        mutex.deallocate()
    }

    /// Runs `body` with the value while holding the lock.
    package func withLock<Result, Failure: Error>(
        _ body: (inout sending Value) throws(Failure) -> sending Result
    ) throws(Failure) -> sending Result {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        return try body(&value)
    }
}
