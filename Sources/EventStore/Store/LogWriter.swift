import EventModel
#if canImport(Glibc)
import Glibc
#endif

/// The write side of the log and index, used only by the thread that leads an
/// append round while it holds the writer lock: the tail segment, catching up
/// with other writers, recovery of a torn tail, and indexing frames.
final class LogWriter {
    let log: SegmentLog
    let index: StreamIndex
    let options: StoreOptions
    let storeDirectory: String
    private(set) var tail: POSIXFile?
    private(set) var tailSegment = 0
    /// Byte offset where the next frame goes in the tail segment.
    private(set) var tailEnd = 0
    /// Position the next event gets.
    private(set) var nextPosition = 1
    /// recorded_at of the last stored event (microseconds), or Int64.min.
    private(set) var lastRecordedAt = Int64.min
    private(set) var unsyncedWrites = false

    init(log: SegmentLog, index: StreamIndex, options: StoreOptions, storeDirectory: String) {
        self.log = log
        self.index = index
        self.options = options
        self.storeDirectory = storeDirectory
    }

    // MARK: - Catching up

    /// Brings this writer up to date with the log and index, inside the
    /// caller's index transaction and under the writer lock: another process
    /// may have appended since the last round, or crashed after writing a frame
    /// and before indexing it (that frame is indexed now), or in the middle of
    /// a frame (that torn tail is cut off).
    func catchUp() throws {
        let last = try index.lastFrame()
        nextPosition = (last?.lastPosition ?? 0) + 1
        lastRecordedAt = last?.recordedAt ?? Int64.min
        var segment = last?.segment ?? 0
        var end = last?.end ?? 0
        if last == nil {
            segment = try log.segments().first ?? 0
            end = 0
        }
        guard segment != 0 else {
            tail = nil
            tailSegment = 0
            tailEnd = 0
            return
        }
        try openTail(segment: segment)
        let size = try tail!.size
        if size < end {
            throw StoreError.indexAheadOfLog(
                store: storeDirectory,
                detail: "\(log.path(ofSegment: segment)) has \(size) bytes, the index "
                    + "expects \(end)")
        }
        tailEnd = end
        let indexedBefore = nextPosition
        if size > end { try indexUnindexedFrames() }

        // A crashed writer may have rolled to a new segment before indexing it.
        while FileSystem.exists(log.path(ofSegment: nextPosition)) {
            try openTail(segment: nextPosition)
            tailEnd = 0
            try indexUnindexedFrames()
            if tailEnd == 0 {
                try removeEmptyTail()
                break
            }
        }
        if nextPosition > indexedBefore {
            options.logger.log(.info, "indexed frames missing from the index", [
                "log.from_position": String(indexedBefore),
                "log.to_position": String(nextPosition - 1),
            ])
        }
    }

    private func openTail(segment: Int) throws {
        if tail == nil || tailSegment != segment {
            tail = try POSIXFile(path: log.path(ofSegment: segment), flags: O_RDWR,
                                 faults: options.faults)
            tailSegment = segment
        }
    }

    /// Indexes the whole frames after `tailEnd` in the tail segment and cuts a
    /// torn frame at the end.
    private func indexUnindexedFrames() throws {
        var scanner = try SegmentScanner(log: log, segment: tailSegment, from: tailEnd)
        while true {
            let frame: Frame?
            do {
                frame = try scanner.next()
            } catch let corruption as LogCorruption {
                try cutTornTail(at: corruption.offset, reason: corruption.reason)
                return
            }
            guard let frame else { return }
            guard frame.header.firstPosition == nextPosition else {
                // A whole, checked frame in the wrong place is damage, not a
                // torn write: refuse rather than cut what may be real data.
                throw LogCorruption(
                    path: scanner.path, offset: frame.offset,
                    reason: "frame starts at position \(frame.header.firstPosition), "
                        + "expected \(nextPosition)")
            }
            try indexFrame(frame)
        }
    }

    private func cutTornTail(at offset: Int, reason: String) throws {
        let path = log.path(ofSegment: tailSegment)
        // A fault before the last segment is damage, not a torn tail: never cut
        // sealed data.
        if try log.segments().contains(where: { $0 > tailSegment }) {
            throw LogCorruption(path: path, offset: offset, reason: reason)
        }
        try tail!.truncate(to: offset)
        try tail!.sync()
        tailEnd = offset
        options.logger.log(.info, "cut a torn frame off the tail of the log", [
            "segment.path": path, "segment.offset": String(offset), "reason": reason,
        ])
    }

    private func removeEmptyTail() throws {
        let path = log.path(ofSegment: tailSegment)
        tail = nil
        try FileSystem.remove(path)
        try FileSystem.syncDirectory(log.directory)
        options.logger.log(.info, "removed an empty segment left by a crash",
                           ["segment.path": path])
        try catchUp()
    }

    /// Adds one frame found in the log to the index.
    func indexFrame(_ frame: Frame) throws {
        let path = log.path(ofSegment: frame.segment)
        var rows: [IndexRow] = []
        rows.reserveCapacity(frame.header.count)
        try frame.forEachEvent(path: path) { event in
            rows.append(IndexRow(stream: event.stream, version: event.version,
                                 type: event.type, id: event.id, position: event.position))
        }
        let location = FrameLocation(
            firstPosition: frame.header.firstPosition, lastPosition: frame.header.lastPosition,
            segment: frame.segment, offset: frame.offset, length: frame.header.frameLength,
            recordedAt: frame.header.recordedAt, rawLength: frame.header.rawLength)
        try index(location, rows: rows, checkVersions: true)
        tailEnd = frame.offset + frame.header.frameLength
        nextPosition = frame.header.lastPosition + 1
        lastRecordedAt = frame.header.recordedAt
    }

    /// One event's index entries.
    struct IndexRow {
        var stream: String
        var version: Int
        var type: String
        var id: String
        var position: Int
    }

    /// Writes the index rows of one frame. With `checkVersions`, a version that
    /// does not follow the stream's last one is reported as an inconsistency.
    func index(_ location: FrameLocation, rows: [IndexRow], checkVersions: Bool) throws {
        try index.insertFrame(location)
        var versions: [Int: Int] = [:]
        var typeCounts: [String: Int] = [:]
        for row in rows { typeCounts[row.type, default: 0] += 1 }
        var typeIDs: [String: Int] = [:]
        for (type, count) in typeCounts.sorted(by: { $0.key < $1.key }) {
            typeIDs[type] = try index.typeID(creating: type, adding: count)
        }
        for row in rows {
            let streamID = try index.streamID(creating: row.stream)
            if checkVersions {
                let current = try versions[streamID] ?? index.stream(named: row.stream)?.version ?? 0
                guard row.version == current + 1 else {
                    throw StoreError.inconsistent(
                        "position \(row.position): stream \"\(row.stream)\" version "
                        + "\(row.version) does not follow \(current); the log is damaged "
                        + "(run `evstore verify`)")
                }
            }
            versions[streamID] = row.version
            try index.insertStreamEvent(stream: streamID, version: row.version,
                                        position: row.position, type: typeIDs[row.type]!)
            try index.insertEventID(hash: StreamIndex.hash(id: row.id), position: row.position)
        }
        for (streamID, version) in versions {
            try index.setVersion(version, ofStream: streamID)
        }
    }

    // MARK: - Writing frames

    /// Where the tail stood before a round wrote anything, to undo a failed round.
    struct Mark {
        var segment: Int
        var end: Int
        var nextPosition: Int
        var lastRecordedAt: Int64
        var created: [String]
    }

    func mark() -> Mark {
        Mark(segment: tailSegment, end: tailEnd, nextPosition: nextPosition,
             lastRecordedAt: lastRecordedAt, created: [])
    }

    /// Appends one encoded frame to the tail, rolling to a new segment when the
    /// tail is full. Returns where it went.
    func write(frame bytes: [UInt8],
               header: (first: Int, last: Int, recordedAt: Int64, rawLength: Int),
               mark: inout Mark) throws -> FrameLocation {
        if tail == nil || tailEnd >= options.segmentSize {
            try roll(to: header.first, mark: &mark)
        }
        let offset = tailEnd
        try bytes.withUnsafeBytes { try tail!.write($0, at: offset) }
        tailEnd += bytes.count
        nextPosition = header.last + 1
        lastRecordedAt = header.recordedAt
        unsyncedWrites = true
        return FrameLocation(firstPosition: header.first, lastPosition: header.last,
                             segment: tailSegment, offset: offset, length: bytes.count,
                             recordedAt: header.recordedAt, rawLength: header.rawLength)
    }

    private func roll(to first: Int, mark: inout Mark) throws {
        if tail != nil && unsyncedWrites {
            // Seal the old segment durably before the new one exists.
            try tail!.sync()
        }
        let path = log.path(ofSegment: first)
        let file = try POSIXFile(path: path, flags: O_RDWR | O_CREAT | O_TRUNC,
                                 faults: options.faults)
        mark.created.append(path)
        try FileSystem.syncDirectory(log.directory)
        tail = file
        tailSegment = first
        tailEnd = 0
        options.logger.log(.debug, "started a new segment", ["segment.path": path])
    }

    /// Makes every frame written so far durable.
    func sync() throws {
        guard unsyncedWrites, let tail else { return }
        try tail.sync()
        unsyncedWrites = false
    }

    /// Undoes the frames of a failed round: removes segments it created and cuts
    /// the old tail back to where it ended.
    func rollBack(to mark: Mark) throws {
        for path in mark.created.reversed() { try FileSystem.remove(path) }
        if !mark.created.isEmpty { try FileSystem.syncDirectory(log.directory) }
        tail = nil
        if mark.segment != 0 {
            try openTail(segment: mark.segment)
            try tail!.truncate(to: mark.end)
            try tail!.sync()
        }
        tailSegment = mark.segment
        tailEnd = mark.end
        nextPosition = mark.nextPosition
        lastRecordedAt = mark.lastRecordedAt
        unsyncedWrites = false
    }
}
