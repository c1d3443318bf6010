import EventModel
import EventStore
import Foundation

/// The approach a team would otherwise take: one SQLite table of events with
/// JSON text payloads, in WAL mode, written carefully (prepared statements,
/// batched transactions, a cache of stream versions).
///
/// The table has no recorded time (the contract's schema), so events read
/// back carry their occurred time as recorded time; no fold here uses it.
final class BaselineStore {
    let path: String
    private let connection: BaselineConnection
    private let insert: BaselineStatement
    private let lastVersion: BaselineStatement
    private let scan: BaselineStatement
    private let streamRead: BaselineStatement
    /// Each stream's last version, filled from the table on first use.
    private var versions: [String: Int] = [:]

    static let schema = """
        CREATE TABLE IF NOT EXISTS events(
            position INTEGER PRIMARY KEY,
            stream TEXT NOT NULL,
            version INTEGER NOT NULL,
            type TEXT NOT NULL,
            occurred_at INTEGER NOT NULL,
            data TEXT NOT NULL,
            metadata TEXT NOT NULL,
            event_id TEXT NOT NULL,
            UNIQUE(stream, version),
            UNIQUE(event_id))
        """

    /// Opens (creating) the database at `path`.
    /// - Parameter synchronous: `NORMAL` (synced at checkpoints) for the
    ///   import, `FULL` (WAL synced at every commit) for durable appends.
    init(path: String, synchronous: String) throws {
        self.path = path
        connection = try BaselineConnection(path: path)
        try connection.execute("PRAGMA journal_mode=WAL")
        try connection.execute("PRAGMA synchronous=\(synchronous)")
        try connection.execute(Self.schema)
        insert = try connection.prepare("""
            INSERT INTO events(stream, version, type, occurred_at, data, metadata, event_id)
            VALUES (?, ?, ?, ?, ?, ?, ?)
            """)
        lastVersion = try connection.prepare(
            "SELECT COALESCE(MAX(version), 0) FROM events WHERE stream = ?")
        let columns = "position, stream, version, type, occurred_at, data, metadata, event_id"
        scan = try connection.prepare("SELECT \(columns) FROM events ORDER BY position")
        streamRead = try connection.prepare(
            "SELECT \(columns) FROM events WHERE stream = ? ORDER BY version LIMIT ?")
    }

    // MARK: - Writing

    /// Imports JSON Lines in transactions of `batchSize`, parsing each line
    /// with the same codec evstore uses. Returns the events stored.
    func importLines(from reader: LineReader, batchSize: Int) throws -> Int {
        var stored = 0
        var inBatch = 0
        try connection.execute("BEGIN IMMEDIATE")
        while let line = try reader.next() {
            if line.allSatisfy({ $0 == 0x20 || $0 == 0x09 }) { continue }
            let wire = try WireCodec.decodeLine(line, line: reader.lineNumber)
            try insert(wire.stream, type: wire.type, id: wire.id ?? UUID().uuidString,
                       occurredAt: wire.occurredAt ?? Timestamp.now(),
                       data: wire.data, metadata: wire.metadata ?? Array("{}".utf8))
            stored += 1
            inBatch += 1
            if inBatch == batchSize {
                try connection.execute("COMMIT")
                try connection.execute("BEGIN IMMEDIATE")
                inBatch = 0
            }
        }
        try connection.execute("COMMIT")

        // Durable at the end, as evstore's flush: checkpoint syncs the WAL
        // into the database file.
        try connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        return stored
    }

    /// One event in its own transaction, reading the stream's version inside
    /// it (as a writer that cannot trust a cache would).
    func appendOne(_ event: NewEvent, to stream: String) throws {
        try connection.execute("BEGIN IMMEDIATE")
        try lastVersion.bind(1, stream)
        _ = try lastVersion.step()
        let version = lastVersion.int(0)
        try lastVersion.reset()
        versions[stream] = version
        try insert(stream, type: event.type, id: event.id ?? UUID().uuidString,
                   occurredAt: event.occurredAt ?? Timestamp.now(), data: event.data,
                   metadata: event.metadata ?? Array("{}".utf8))
        try connection.execute("COMMIT")
    }

    private func insert(_ stream: String, type: String, id: String, occurredAt: Timestamp,
                        data: [UInt8], metadata: [UInt8]) throws {
        let version = try nextVersion(of: stream)
        try insert.bind(1, stream)
        try insert.bind(2, version)
        try insert.bind(3, type)
        try insert.bind(4, Int(occurredAt.microseconds))
        try insert.bind(5, utf8: data)
        try insert.bind(6, utf8: metadata)
        try insert.bind(7, id)
        _ = try insert.step()
        try insert.reset()
        versions[stream] = version
    }

    private func nextVersion(of stream: String) throws -> Int {
        if let known = versions[stream] { return known + 1 }
        try lastVersion.bind(1, stream)
        _ = try lastVersion.step()
        let last = lastVersion.int(0)
        try lastVersion.reset()
        return last + 1
    }

    // MARK: - Reading

    /// Every event in position order, decoded into `RecordedEvent`s.
    func readAll(_ body: (RecordedEvent) throws -> Void) throws {
        defer { _ = try? scan.reset() }  // a reset error repeats the step's error
        while try scan.step() { try body(event(from: scan)) }
    }

    /// The first `limit` events of `stream`.
    func read(stream: String, limit: Int) throws -> [RecordedEvent] {
        try streamRead.bind(1, stream)
        try streamRead.bind(2, limit)
        var events: [RecordedEvent] = []
        events.reserveCapacity(limit)
        while try streamRead.step() { events.append(event(from: streamRead)) }
        try streamRead.reset()
        return events
    }

    /// The stream with at least `count` events and the fewest of them, or
    /// the longest stream when none is that long.
    func stream(withAtLeast count: Int) throws -> (name: String, events: Int) {
        let query = try connection.prepare("""
            SELECT stream, COUNT(*) AS n FROM events GROUP BY stream
            ORDER BY n >= ? DESC, CASE WHEN n >= ? THEN n ELSE -n END LIMIT 1
            """)
        try query.bind(1, count)
        try query.bind(2, count)
        guard try query.step() else { throw BenchError(description: "the baseline is empty") }
        return (query.string(0), query.int(1))
    }

    private func event(from row: BaselineStatement) -> RecordedEvent {
        let occurred = Timestamp(microseconds: Int64(row.int(4)))
        return RecordedEvent(position: row.int(0), stream: row.string(1), version: row.int(2),
                             id: row.string(7), type: row.string(3), occurredAt: occurred,
                             recordedAt: occurred, data: row.bytes(5), metadata: row.bytes(6))
    }

    /// Bytes of the database, its WAL and shared memory.
    func sizeOnDisk() throws -> Int {
        try ["", "-wal", "-shm"].reduce(0) { $0 + (try WorkDirectory.size(of: path + $1)) }
    }
}
