import EventModel
#if canImport(Glibc)
import Glibc
#endif

/// What `verify` checked and the first fault it found.
public struct VerifyReport: Sendable {
    public var segments = 0
    public var frames = 0
    public var events = 0
    public var streams = 0
    /// The first fault: the segment file, byte offset and what is wrong, or nil.
    public var fault: String?

    public var isOK: Bool { fault == nil }
}

/// Sizes and counts of a store.
public struct StoreStats: Sendable {
    public var events: Int
    public var streams: Int
    public var segments: Int
    public var frames: Int
    /// Log segments plus the index files.
    public var bytesOnDisk: Int
    public var logBytes: Int
    /// Decompressed payload bytes per stored frame byte.
    public var compressionRatio: Double
    public var lastPosition: Int
    public var eventsByType: [(type: String, count: Int)]
}

extension EventStore {
    // MARK: - Verify

    /// Checks every frame's checksum, that positions are contiguous, versions
    /// dense and recorded times never decreasing, and that index and log agree
    /// (frames, stream versions, event ids), plus SQLite's integrity check.
    /// Stops at the first fault.
    /// - Complexity: reads the whole log; O(events) index look-ups.
    public func verify() throws -> VerifyReport {
        var report = VerifyReport()
        do {
            try withIndex { index in try verify(index: index, report: &report) }
        } catch let corruption as LogCorruption {
            report.fault = corruption.description
        } catch let fault as VerifyFault {
            report.fault = fault.description
        }
        return report
    }

    private struct VerifyFault: Error, CustomStringConvertible {
        let description: String
    }

    private func verify(index: StreamIndex, report: inout VerifyReport) throws {
        let integrity = try index.connection.statement("PRAGMA integrity_check")
        while try integrity.step() {
            let line = integrity.string(0)
            if line != "ok" { throw VerifyFault(description: "index.sqlite: \(line)") }
        }
        let head = try index.lastFrame()
        var expected = 1
        var lastRecordedAt = Int64.min
        var versions: [String: Int] = [:]
        defer { report.streams = versions.count }
        for segment in try log.segments() {
            guard let head, segment <= head.segment else {
                try checkNothingPastHead(head, index: index, extraSegment: segment)
                break
            }
            let path = log.path(ofSegment: segment)
            guard segment == expected else {
                // The gap is damage to the segment before (it lost frames at
                // its end) unless this is the first one.
                if let previous = try log.segments().last(where: { $0 < segment }) {
                    let previousPath = log.path(ofSegment: previous)
                    throw VerifyFault(description: "\(previousPath) at byte offset "
                        + "\(try FileSystem.fileSize(previousPath)): the segment ends after "
                        + "position \(expected - 1), but the next one starts at \(segment)")
                }
                throw VerifyFault(description: "\(path) at byte offset 0: the segment is named "
                    + "for position \(segment) but the log starts at position \(expected)")
            }
            report.segments += 1
            var scanner = try SegmentScanner(log: log, segment: segment,
                                             limit: segment == head.segment ? head.end : nil)
            while let frame = try scanner.next() {
                let where_ = "\(path) at byte offset \(frame.offset)"
                guard frame.header.firstPosition == expected else {
                    throw VerifyFault(description: "\(where_): frame starts at position "
                        + "\(frame.header.firstPosition), expected \(expected)")
                }
                try checkIndexed(frame, index: index, where: where_)
                try frame.forEachEvent(path: path) { event in
                    let version = (versions[event.stream] ?? 0) + 1
                    guard event.version == version else {
                        throw VerifyFault(description: "\(where_): stream \"\(event.stream)\" "
                            + "has version \(event.version) at position \(event.position), "
                            + "expected \(version)")
                    }
                    guard event.recordedAt.microseconds >= lastRecordedAt else {
                        throw VerifyFault(description: "\(where_): recorded_at goes back at "
                            + "position \(event.position)")
                    }
                    versions[event.stream] = version
                    lastRecordedAt = event.recordedAt.microseconds
                    try checkIndexed(event, index: index, where: where_)
                }
                expected = frame.header.lastPosition + 1
                report.frames += 1
                report.events += frame.header.count
            }
        }
        try checkCounts(index: index, report: report, versions: versions, head: head)
        try checkNothingPastHead(head, index: index, extraSegment: nil)
    }

    /// Bytes or segments after the index's last frame are a torn write or a
    /// frame a crashed writer never indexed (a writable open cuts or indexes
    /// them), or damage. An append in progress looks the same for a moment,
    /// so a fault is reported only if the index has not moved on meanwhile.
    private func checkNothingPastHead(_ head: FrameLocation?, index: StreamIndex,
                                      extraSegment: Int?) throws {
        var problem: String?
        if let extraSegment {
            problem = "\(log.path(ofSegment: extraSegment)): a segment after the last one "
                + "the index knows"
        } else if let head {
            let path = log.path(ofSegment: head.segment)
            let size = try FileSystem.fileSize(path)
            if size > head.end {
                problem = "\(path) at byte offset \(head.end): \(size - head.end) bytes after "
                    + "the last indexed frame"
            }
        }
        guard let problem else { return }
        usleep(200_000)
        let moved = try SQLiteConnection(path: directory + "/index.sqlite", readOnly: true)
        let statement = try moved.statement("SELECT max(last_position) FROM frames")
        _ = try statement.step()
        if statement.int(0) != (head?.lastPosition ?? 0) { return }
        throw VerifyFault(description: problem + " (a torn write or an unindexed frame: "
            + "opening the store for writing cuts or indexes it; anything else is damage)")
    }

    private func checkIndexed(_ frame: Frame, index: StreamIndex, where place: String) throws {
        let expected = FrameLocation(
            firstPosition: frame.header.firstPosition, lastPosition: frame.header.lastPosition,
            segment: frame.segment, offset: frame.offset, length: frame.header.frameLength,
            recordedAt: frame.header.recordedAt, rawLength: frame.header.rawLength)
        guard let indexed = try index.frame(containing: frame.header.firstPosition),
              indexed == expected else {
            throw VerifyFault(description: "\(place): the index's frame row for position "
                + "\(frame.header.firstPosition) does not match the log")
        }
    }

    private func checkIndexed(_ event: RecordedEvent, index: StreamIndex,
                              where place: String) throws {
        guard let stream = try index.stream(named: event.stream),
              let row = try index.positions(stream: stream.id, from: event.version,
                                            backwards: false, limit: 1).first,
              row.version == event.version, row.position == event.position else {
            throw VerifyFault(description: "\(place): the index does not map stream "
                + "\"\(event.stream)\" version \(event.version) to position \(event.position)")
        }
        guard try index.positions(idHash: StreamIndex.hash(id: event.id))
            .contains(event.position) else {
            throw VerifyFault(description: "\(place): the index lacks the id of position "
                + "\(event.position)")
        }
    }

    private func checkCounts(index: StreamIndex, report: VerifyReport,
                             versions: [String: Int], head: FrameLocation?) throws {
        let counts = (frames: try index.count("frames"), events: try index.count("stream_events"),
                      ids: try index.count("event_ids"), streams: try index.count("streams"))
        guard counts.frames == report.frames, counts.events == report.events,
              counts.ids == report.events, counts.streams == versions.count else {
            throw VerifyFault(description: "index.sqlite holds \(counts.frames) frames, "
                + "\(counts.events) stream rows, \(counts.ids) id rows and \(counts.streams) "
                + "streams; the log has \(report.frames) frames, \(report.events) events and "
                + "\(versions.count) streams")
        }
        for (stream, version) in versions {
            guard try index.stream(named: stream)?.version == version else {
                throw VerifyFault(description: "index.sqlite: stream \"\(stream)\" has the "
                    + "wrong current version (the log says \(version))")
            }
        }
        if let head, report.events != head.lastPosition {
            throw VerifyFault(description: "the log holds \(report.events) events but the "
                + "index ends at position \(head.lastPosition)")
        }
    }

    // MARK: - Stats

    /// Counts and sizes; the log size comes from the files, the rest from the index.
    public func stats() throws -> StoreStats {
        let segments = try log.segments()
        var logBytes = 0
        for segment in segments { logBytes += try FileSystem.fileSize(log.path(ofSegment: segment)) }
        var indexBytes = 0
        for suffix in ["", "-wal", "-shm"] {
            let path = directory + "/index.sqlite" + suffix
            if FileSystem.exists(path) { indexBytes += try FileSystem.fileSize(path) }
        }
        return try withIndex { index in
            let sizes = try index.frameSizes()
            return StoreStats(
                events: try index.count("stream_events"),
                streams: try index.count("streams"),
                segments: segments.count,
                frames: try index.count("frames"),
                bytesOnDisk: logBytes + indexBytes,
                logBytes: logBytes,
                compressionRatio: sizes.stored == 0 ? 0 : Double(sizes.raw) / Double(sizes.stored),
                lastPosition: try index.lastFrame()?.lastPosition ?? 0,
                eventsByType: try index.typeCounts().map { (type: $0.0, count: $0.1) })
        }
    }

    // MARK: - Reindex

    /// Rebuilds `<directory>/index.sqlite` from the log, under the writer lock.
    /// The new index is built beside the old one and renamed over it, so an
    /// interrupted reindex leaves the old index. Run it while no other process
    /// has the store open.
    /// - Returns: the number of events indexed.
    @discardableResult
    public static func reindex(directory: String,
                               options: StoreOptions = StoreOptions()) throws -> Int {
        let log = SegmentLog(directory: directory + "/log")
        guard FileSystem.isDirectory(log.directory) else { throw StoreError.notAStore(directory) }
        let lock = try WriterLock(storeDirectory: directory)
        try lock.acquire(timeout: options.lockTimeout)
        defer { lock.release() }

        let path = directory + "/index.sqlite"
        let temporary = path + ".rebuild"
        for suffix in ["", "-wal", "-shm", "-journal"] { try FileSystem.remove(temporary + suffix) }
        var events = 0
        do {
            let index = try StreamIndex(path: temporary, readOnly: false)
            let writer = LogWriter(log: log, index: index, options: options,
                                   storeDirectory: directory)
            try index.connection.transaction { try writer.catchUp() }
            events = writer.nextPosition - 1
            try index.connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        }
        for suffix in ["-wal", "-shm"] { try FileSystem.remove(path + suffix) }
        if rename(temporary, path) != 0 {
            throw FileError(operation: "rename", path: temporary, code: errno)
        }
        for suffix in ["-wal", "-shm"] { try FileSystem.remove(temporary + suffix) }
        try FileSystem.syncDirectory(directory)
        options.logger.log(.info, "rebuilt the index from the log",
                           ["index.path": path, "log.events": String(events)])
        return events
    }
}
