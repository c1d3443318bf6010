import EventModel

/// How an append reaches the disk.
public enum Durability: Sendable, Equatable {
    /// An append returns only after its frame is synced (`fdatasync`) and
    /// indexed. Concurrent appenders in one process share one sync.
    case durable
    /// Appends return once written to the operating system; the log is synced
    /// every `interval` seconds and on close. A power failure (not a process
    /// crash) can lose up to `interval` of acknowledged appends, and may leave an
    /// index that points past the log, which `evstore reindex` repairs.
    case relaxed(interval: Double)
}

/// Log levels, least to most severe.
public enum LogLevel: Int, Sendable, Comparable {
    case trace, debug, info, warning, error

    public static func < (a: LogLevel, b: LogLevel) -> Bool { a.rawValue < b.rawValue }
}

/// Where the store reports what it does. The store logs recoveries at info and
/// never logs event payloads. The default discards everything.
public protocol EventStoreLogger: Sendable {
    func log(_ level: LogLevel, _ message: String, _ metadata: [String: String])
}

/// A logger that drops every message.
public struct DiscardingLogger: EventStoreLogger {
    public init() {}
    public func log(_ level: LogLevel, _ message: String, _ metadata: [String: String]) {}
}

/// Settings of an open store.
public struct StoreOptions: Sendable {
    /// A segment is sealed once it reaches this many bytes (default 64 MiB).
    public var segmentSize = 64 << 20
    public var durability = Durability.durable
    /// How long, after a round of several writers, the next round waits for
    /// them to queue again before it starts without them (default 0.2 ms;
    /// 0 never waits). It is the most an append can be delayed, so keep it
    /// near the time of one sync: a writer alone, or one that comes later
    /// than this after the last round, never waits.
    public var groupCommitWindow = 0.000_2
    /// How long a writer waits for another process's append (default 5 s).
    public var lockTimeout = 5.0
    /// The most bytes an event's data plus metadata may take (default 1 MiB).
    public var maxEventSize = 1 << 20
    /// The store's clock; tests inject their own.
    public var clock: @Sendable () -> Timestamp = { Timestamp.now() }
    public var logger: any EventStoreLogger = DiscardingLogger()
    /// Open for reading only: no recovery, no appends.
    public var readOnly = false
    /// A hook that injects write, sync and truncate failures (tests only).
    public var faults: FaultInjector?

    public init() {}
}
