import Dispatch
import EventModel

/// An append-only event store: a segmented, LZ4-compressed log (the source of
/// truth) under `<directory>/log/`, indexed in SQLite (`<directory>/index.sqlite`).
///
/// Safe to share between threads: appends go through one `AppendCoordinator`
/// (group commit), reads take their own index connection from a pool.
/// Several processes may open the same store; appends are serialised by an
/// advisory lock held for one append round at a time.
public final class EventStore: Sendable {
    /// The store directory.
    public let directory: String
    public let options: StoreOptions
    let log: SegmentLog
    private let coordinator: AppendCoordinator?
    private let readers: ReaderPool
    private let syncTimer: SyncTimer?
    private let observers = Locked<[any AppendObserver]>([])

    /// Opens the store at `directory`, creating it (mode 0700) when `create` is
    /// set. A writable open recovers first: a torn frame at the tail is cut off
    /// and frames missing from the index are indexed.
    /// - Throws: `StoreError.notAStore` when the directory is not a store and
    ///   `create` is false (`StoreError.noSuchStore` when nothing is there);
    ///   `StoreError.indexMissing` when only its index is gone; `StoreError.indexAheadOfLog`; `FileError`; `SQLiteError`.
    public init(directory: String, options: StoreOptions = StoreOptions(),
                create: Bool = false) throws {
        self.directory = directory
        self.options = options
        self.log = SegmentLog(directory: directory + "/log")
        let indexPath = directory + "/index.sqlite"
        if !FileSystem.isDirectory(log.directory) || !FileSystem.exists(indexPath) {
            guard create, !options.readOnly else {
                if FileSystem.isDirectory(log.directory) {
                    throw StoreError.indexMissing(directory)
                }
                if !FileSystem.exists(directory) { throw StoreError.noSuchStore(directory) }
                throw StoreError.notAStore(directory)
            }
            try FileSystem.makeDirectory(directory)
            try FileSystem.makeDirectory(log.directory)
        }
        if options.readOnly {
            coordinator = nil
            syncTimer = nil
        } else {
            let index = try StreamIndex(path: indexPath, readOnly: false)
            let writer = LogWriter(log: log, index: index, options: options,
                                   storeDirectory: directory)
            let lock = try WriterLock(storeDirectory: directory)
            let coordinator = AppendCoordinator(writer: writer, lock: lock, options: options)
            try coordinator.recover()
            self.coordinator = coordinator
            if case .relaxed(let interval) = options.durability {
                syncTimer = SyncTimer(interval: interval, coordinator: coordinator)
            } else {
                syncTimer = nil
            }
        }
        readers = ReaderPool(path: indexPath)
    }

    deinit {
        syncTimer?.cancel()
        if case .relaxed = options.durability {
            // A last sync on close; an error here has no caller left to tell,
            // and the events are still in the page cache for the OS to write.
            _ = try? coordinator?.submit(nil)
        }
    }

    // MARK: - Appending

    /// Appends `events` to one stream atomically: all are stored or none.
    /// - Parameters:
    ///   - events: the events, in order.
    ///   - stream: the stream; NFC-normalised, 1 to 200 bytes, not starting with `$`.
    ///   - expectedVersion: `.any`, `.noStream`, `.exists` or `.exact(n)`.
    /// - Returns: the positions given (a duplicate id gets its original position)
    ///   and the stream's version after the append.
    /// - Throws: `AppendError` (nothing stored), `StoreError`, `FileError`.
    /// - Complexity: one frame write, one sync (shared with concurrent appenders),
    ///   one index transaction; O(log n) index work per event.
    @discardableResult
    public func append(_ events: [NewEvent], to stream: String,
                       expectedVersion: ExpectedVersion = .any) throws -> AppendResult {
        do {
            return try append([StreamAppend(stream: stream, expectedVersion: expectedVersion,
                                            events: events)])[0]
        } catch let batch as BatchAppendError {
            throw batch.error
        }
    }

    /// Appends to several streams atomically, each with its own expected version:
    /// one frame, all or nothing.
    /// - Parameter preserveRecordedAt: take each event's `recordedAt` instead of
    ///   the clock (migrating another system's history). Each must be no later
    ///   than now, and none earlier than the one before it or the store's last.
    @discardableResult
    public func append(_ parts: [StreamAppend],
                       preserveRecordedAt: Bool = false) throws -> [AppendResult] {
        let results = try writable().submit(
            AppendRequest(parts: parts, preserveRecordedAt: preserveRecordedAt))
        notifyObservers(results)
        return results
    }

    /// Registers an observer told after every successful append (for example
    /// projections that catch up as events arrive).
    public func addAppendObserver(_ observer: any AppendObserver) {
        observers.withLock { $0.append(observer) }
    }

    private func notifyObservers(_ results: [AppendResult]) {
        let observers = observers.withLock { $0 }
        guard !observers.isEmpty,
              let last = results.flatMap(\.positions).max() else { return }
        for observer in observers {
            do {
                try observer.storeDidAppend(self, through: last)
            } catch {
                // The append is stored and acknowledged; an observer that lags
                // catches up on its next call, so its failure is only logged.
                options.logger.log(.error, "an append observer failed", [
                    "observer": String(describing: type(of: observer)),
                    "error": String(describing: error),
                ])
            }
        }
    }

    /// Appends to one of the store's own `$` streams.
    @discardableResult
    package func appendSystem(_ events: [NewEvent], to stream: String) throws -> AppendResult {
        do {
            let results = try writable().submit(AppendRequest(
                parts: [StreamAppend(stream: stream, events: events)],
                allowReservedStreams: true))
            notifyObservers(results)
            return results[0]
        } catch let batch as BatchAppendError {
            throw batch.error
        }
    }

    /// Syncs everything appended so far (useful with `.relaxed` durability).
    public func flush() throws {
        _ = try writable().submit(nil)
    }

    private func writable() throws -> AppendCoordinator {
        guard let coordinator else { throw StoreError.readOnly(directory) }
        return coordinator
    }

    // MARK: - Reading support

    func withIndex<T>(_ body: (StreamIndex) throws -> T) throws -> T {
        try readers.with(body)
    }
}

/// Told after every successful append through the library.
public protocol AppendObserver: Sendable {
    /// - Parameter position: the last position the append stored or matched.
    func storeDidAppend(_ store: EventStore, through position: Int) throws
}

/// Index connections for readers, reused across calls.
final class ReaderPool: Sendable {
    private let path: String
    private let idle = Locked<[PooledIndex]>([])

    /// `@unchecked Sendable`: a connection is either idle in the pool (behind
    /// the mutex) or checked out by exactly one caller, never used by two
    /// threads at once.
    private final class PooledIndex: @unchecked Sendable {
        let index: StreamIndex
        init(_ index: StreamIndex) { self.index = index }
    }

    init(path: String) { self.path = path }

    func with<T>(_ body: (StreamIndex) throws -> T) throws -> T {
        let taken = idle.withLock { $0.popLast() }
        let pooled = try taken ?? PooledIndex(StreamIndex(path: path, readOnly: true))
        defer { idle.withLock { if $0.count < 8 { $0.append(pooled) } } }
        return try pooled.index.connection.readTransaction { try body(pooled.index) }
    }
}

/// Syncs a relaxed store's log on a timer.
///
/// `@unchecked Sendable`: the dispatch source is set up once in `init` and
/// afterwards only cancelled, which Dispatch allows from any thread.
final class SyncTimer: @unchecked Sendable {
    private let source: any DispatchSourceTimer

    init(interval: Double, coordinator: AppendCoordinator) {
        let source = DispatchSource.makeTimerSource(queue: .global(qos: .utility))
        source.schedule(deadline: .now() + interval, repeating: interval)
        source.setEventHandler { [weak coordinator] in
            // A failed timed sync is retried at the next tick and by close.
            _ = try? coordinator?.submit(nil)
        }
        source.resume()
        self.source = source
    }

    func cancel() { source.cancel() }
}
