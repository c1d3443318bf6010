import EventModel

/// Where a frame lies in the log, as the index records it (one row per frame).
struct FrameLocation: Equatable {
    var firstPosition: Int
    var lastPosition: Int
    var segment: Int
    var offset: Int
    var length: Int
    var recordedAt: Int64
    /// Bytes of the frame's payload once decompressed.
    var rawLength: Int

    var end: Int { offset + length }
}

/// One event of a stream as the index knows it, with the frame holding it.
struct StreamRow {
    var version: Int
    var position: Int
    var frame: FrameLocation?
}

/// The SQLite index of the log (`<store>/index.sqlite`, WAL mode). It answers
/// stream + version → position, position → frame, event id → positions (by a
/// 64-bit hash; the full id is checked against the log), and recorded time →
/// position. It holds nothing the log lacks and can always be rebuilt from it.
///
/// Schema, kept small: integer ids for streams and types, one `frames` row per
/// append batch, one `stream_events` row and one `event_ids` row per event.
final class StreamIndex {
    static let schemaVersion = 1
    let connection: SQLiteConnection
    private var streamCache: [String: Int] = [:]
    private var typeCache: [String: Int] = [:]

    init(path: String, readOnly: Bool) throws {
        if !readOnly && !FileSystem.exists(path) {
            // Create the file ourselves so that it (and the -wal and -shm files
            // SQLite derives from it) is 0600 from the start.
            _ = try POSIXFile(path: path, flags: O_RDWR | O_CREAT, mode: 0o600)
        }
        connection = try SQLiteConnection(path: path, readOnly: readOnly, create: !readOnly)
        if !readOnly {
            try connection.execute("PRAGMA journal_mode=WAL")
            try connection.execute("PRAGMA synchronous=NORMAL")
            // The id-hash index takes inserts at random places; a larger page
            // cache keeps a million-event import from re-reading its pages.
            try connection.execute("PRAGMA cache_size=-65536")
            try createSchema()
        }
    }

    private func createSchema() throws {
        try connection.execute("""
            CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);
            CREATE TABLE IF NOT EXISTS streams(
                id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE, version INTEGER NOT NULL);
            CREATE TABLE IF NOT EXISTS types(
                id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE, count INTEGER NOT NULL);
            CREATE TABLE IF NOT EXISTS frames(
                first_position INTEGER PRIMARY KEY, last_position INTEGER NOT NULL,
                segment INTEGER NOT NULL, offset INTEGER NOT NULL, length INTEGER NOT NULL,
                recorded_at INTEGER NOT NULL, raw_length INTEGER NOT NULL);
            CREATE INDEX IF NOT EXISTS frames_by_recorded_at ON frames(recorded_at);
            CREATE TABLE IF NOT EXISTS stream_events(
                stream_id INTEGER NOT NULL, version INTEGER NOT NULL,
                position INTEGER NOT NULL, type_id INTEGER NOT NULL,
                PRIMARY KEY(stream_id, version)) WITHOUT ROWID;
            CREATE TABLE IF NOT EXISTS event_ids(
                hash INTEGER NOT NULL, position INTEGER NOT NULL,
                PRIMARY KEY(hash, position)) WITHOUT ROWID;
            INSERT OR IGNORE INTO meta(key, value) VALUES('schema_version', '1');
            """)
    }

    /// Forgets cached ids after a rolled-back transaction.
    func discardCaches() {
        streamCache.removeAll()
        typeCache.removeAll()
    }

    // MARK: - Frames

    /// The last indexed frame, or nil for an empty store.
    func lastFrame() throws -> FrameLocation? {
        let statement = try connection.statement("""
            SELECT first_position, last_position, segment, offset, length, recorded_at,
                   raw_length
            FROM frames ORDER BY first_position DESC LIMIT 1
            """)
        return try statement.step() ? Self.location(statement) : nil
    }

    /// The frame holding `position`, or nil when no indexed frame holds it.
    /// - Complexity: O(log frames).
    func frame(containing position: Int) throws -> FrameLocation? {
        let statement = try connection.statement("""
            SELECT first_position, last_position, segment, offset, length, recorded_at,
                   raw_length
            FROM frames WHERE first_position <= ? ORDER BY first_position DESC LIMIT 1
            """)
        statement.bind(1, position)
        guard try statement.step() else { return nil }
        let location = Self.location(statement)
        return location.lastPosition >= position ? location : nil
    }

    /// The first frame whose recorded_at (its last event's) is after `time`.
    /// Recorded times never decrease with position, so every event before
    /// that frame was recorded at or before `time`.
    /// - Complexity: O(log frames).
    func firstFrame(recordedAfter time: Int64) throws -> FrameLocation? {
        let statement = try connection.statement("""
            SELECT first_position FROM frames WHERE recorded_at > ?
            ORDER BY recorded_at, first_position LIMIT 1
            """)
        statement.bind(1, time)
        guard try statement.step() else { return nil }
        return try frame(containing: statement.int(0))
    }

    func insertFrame(_ frame: FrameLocation) throws {
        let statement = try connection.statement("""
            INSERT INTO frames(first_position, last_position, segment, offset, length,
                               recorded_at, raw_length) VALUES(?, ?, ?, ?, ?, ?, ?)
            """)
        statement.bind(1, frame.firstPosition).bind(2, frame.lastPosition)
            .bind(3, frame.segment).bind(4, frame.offset).bind(5, frame.length)
            .bind(6, frame.recordedAt).bind(7, frame.rawLength)
        try statement.run()
    }

    /// Every frame in position order, for `verify`.
    func forEachFrame(_ body: (FrameLocation) throws -> Void) throws {
        let statement = try connection.statement("""
            SELECT first_position, last_position, segment, offset, length, recorded_at,
                   raw_length
            FROM frames ORDER BY first_position
            """)
        while try statement.step() { try body(Self.location(statement)) }
    }

    private static func location(_ s: SQLiteStatement) -> FrameLocation {
        FrameLocation(firstPosition: s.int(0), lastPosition: s.int(1), segment: s.int(2),
                      offset: s.int(3), length: s.int(4), recordedAt: s.int64(5),
                      rawLength: s.int(6))
    }

    // MARK: - Streams

    /// The stream's id and current version, or nil when it has no events.
    func stream(named name: String) throws -> (id: Int, version: Int)? {
        let statement = try connection.statement(
            "SELECT id, version FROM streams WHERE name = ?")
        statement.bind(1, name)
        guard try statement.step() else { return nil }
        return (statement.int(0), statement.int(1))
    }

    func streamID(creating name: String) throws -> Int {
        if let id = streamCache[name] { return id }
        if let existing = try stream(named: name) {
            streamCache[name] = existing.id
            return existing.id
        }
        let insert = try connection.statement(
            "INSERT INTO streams(name, version) VALUES(?, 0)")
        insert.bind(1, name)
        try insert.run()
        let id = Int(connection.lastInsertRowID)
        streamCache[name] = id
        return id
    }

    func setVersion(_ version: Int, ofStream id: Int) throws {
        let statement = try connection.statement("UPDATE streams SET version = ? WHERE id = ?")
        statement.bind(1, version).bind(2, id)
        try statement.run()
    }

    func typeID(creating name: String, adding count: Int) throws -> Int {
        let id: Int
        if let cached = typeCache[name] {
            id = cached
        } else {
            let select = try connection.statement("SELECT id FROM types WHERE name = ?")
            select.bind(1, name)
            if try select.step() {
                id = select.int(0)
            } else {
                let insert = try connection.statement(
                    "INSERT INTO types(name, count) VALUES(?, 0)")
                insert.bind(1, name)
                try insert.run()
                id = Int(connection.lastInsertRowID)
            }
            typeCache[name] = id
        }
        let update = try connection.statement("UPDATE types SET count = count + ? WHERE id = ?")
        update.bind(1, count).bind(2, id)
        try update.run()
        return id
    }

    func insertStreamEvent(stream: Int, version: Int, position: Int, type: Int) throws {
        let statement = try connection.statement("""
            INSERT INTO stream_events(stream_id, version, position, type_id) VALUES(?, ?, ?, ?)
            """)
        statement.bind(1, stream).bind(2, version).bind(3, position).bind(4, type)
        try statement.run()
    }

    /// Positions of a stream's events from `version` on, in the given direction.
    /// - Complexity: O(log n + k) for k results.
    func positions(stream id: Int, from version: Int, backwards: Bool,
                   limit: Int) throws -> [(version: Int, position: Int)] {
        let sql = backwards
            ? """
              SELECT version, position FROM stream_events
              WHERE stream_id = ? AND version <= ? ORDER BY version DESC LIMIT ?
              """
            : """
              SELECT version, position FROM stream_events
              WHERE stream_id = ? AND version >= ? ORDER BY version LIMIT ?
              """
        let statement = try connection.statement(sql)
        statement.bind(1, id).bind(2, version).bind(3, limit)
        var rows: [(Int, Int)] = []
        while try statement.step() { rows.append((statement.int(0), statement.int(1))) }
        return rows
    }

    /// Like `positions(stream:from:backwards:limit:)`, with the frame that
    /// holds each position (nil when no frame starts at or before it), found
    /// in the same query rather than one look-up per frame.
    /// - Complexity: O(k log frames) for k results.
    func positionsWithFrames(stream id: Int, from version: Int, backwards: Bool,
                             limit: Int) throws -> [StreamRow] {
        let condition = backwards
            ? "se.version <= ? ORDER BY se.version DESC"
            : "se.version >= ? ORDER BY se.version"
        // `condition` is one of the two constants above, never input.
        let statement = try connection.statement("""
            SELECT se.version, se.position, f.first_position, f.last_position, f.segment,
                   f.offset, f.length, f.recorded_at, f.raw_length
            FROM stream_events se LEFT JOIN frames f ON f.first_position = (
                SELECT first_position FROM frames WHERE first_position <= se.position
                ORDER BY first_position DESC LIMIT 1)
            WHERE se.stream_id = ? AND \(condition) LIMIT ?
            """)
        statement.bind(1, id).bind(2, version).bind(3, limit)
        var rows: [StreamRow] = []
        while try statement.step() {
            let frame = statement.isNull(2) ? nil : FrameLocation(
                firstPosition: statement.int(2), lastPosition: statement.int(3),
                segment: statement.int(4), offset: statement.int(5), length: statement.int(6),
                recordedAt: statement.int64(7), rawLength: statement.int(8))
            rows.append(StreamRow(version: statement.int(0), position: statement.int(1),
                                  frame: frame))
        }
        return rows
    }

    // MARK: - Event ids

    func insertEventID(hash: Int64, position: Int) throws {
        let statement = try connection.statement(
            "INSERT INTO event_ids(hash, position) VALUES(?, ?)")
        statement.bind(1, hash).bind(2, position)
        try statement.run()
    }

    /// Positions whose event id has this hash (the ids themselves are in the log).
    func positions(idHash hash: Int64) throws -> [Int] {
        let statement = try connection.statement(
            "SELECT position FROM event_ids WHERE hash = ?")
        statement.bind(1, hash)
        var positions: [Int] = []
        while try statement.step() { positions.append(statement.int(0)) }
        return positions
    }

    /// Positions per id hash for many hashes at once (one query per 500),
    /// so that a batch of new events costs a few look-ups, not one each.
    /// Hashes without a stored event are absent from the result.
    func positions(idHashes hashes: [Int64]) throws -> [Int64: [Int]] {
        var found: [Int64: [Int]] = [:]
        let unique = Array(Set(hashes))
        var start = 0
        while start < unique.count {
            let chunk = Array(unique[start..<min(unique.count, start + 500)])
            // A few fixed list sizes keep the statement cache small; the
            // padding repeats the first hash, which changes no result.
            let size = [1, 8, 64, 500].first { $0 >= chunk.count }!
            let marks = Array(repeating: "?", count: size).joined(separator: ",")
            // Only placeholders are spliced in; the hashes are bound.
            let statement = try connection.statement(
                "SELECT DISTINCT hash, position FROM event_ids WHERE hash IN (\(marks))")
            for slot in 0..<size {
                statement.bind(Int32(slot + 1), slot < chunk.count ? chunk[slot] : chunk[0])
            }
            while try statement.step() {
                found[statement.int64(0), default: []].append(statement.int(1))
            }
            statement.reset()
            start += chunk.count
        }
        return found
    }

    /// 64-bit FNV-1a of the id's UTF-8 bytes.
    static func hash(id: String) -> Int64 {
        var hash: UInt64 = 0xCBF2_9CE4_8422_2325
        for byte in id.utf8 {
            hash ^= UInt64(byte)
            hash &*= 0x0000_0100_0000_01B3
        }
        return Int64(bitPattern: hash)
    }

    // MARK: - Counts

    func count(_ table: String) throws -> Int {
        // `table` is one of this file's own table names, never user input.
        let statement = try connection.statement("SELECT count(*) FROM \(table)")
        _ = try statement.step()
        return statement.int(0)
    }

    /// Compressed frame bytes and decompressed payload bytes, summed.
    func frameSizes() throws -> (stored: Int, raw: Int) {
        let statement = try connection.statement(
            "SELECT coalesce(sum(length), 0), coalesce(sum(raw_length), 0) FROM frames")
        _ = try statement.step()
        return (statement.int(0), statement.int(1))
    }

    func typeCounts() throws -> [(String, Int)] {
        let statement = try connection.statement("SELECT name, count FROM types ORDER BY name")
        var rows: [(String, Int)] = []
        while try statement.step() { rows.append((statement.string(0), statement.int(1))) }
        return rows
    }
}

#if canImport(Glibc)
import Glibc
#endif
