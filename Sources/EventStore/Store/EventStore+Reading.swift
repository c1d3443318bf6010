import EventModel

/// Which events a full read delivers.
public struct ReadFilter: Sendable {
    /// Only these types (all when nil).
    public var types: Set<String>?
    /// Only streams starting with this prefix (all when nil).
    public var streamPrefix: String?
    /// Stop at the first event recorded after this time (inclusive bound).
    public var recordedUntil: Timestamp?
    /// Stop after this position (inclusive bound).
    public var untilPosition: Int?

    public init(types: Set<String>? = nil, streamPrefix: String? = nil,
                recordedUntil: Timestamp? = nil, untilPosition: Int? = nil) {
        self.types = types
        self.streamPrefix = streamPrefix
        self.recordedUntil = recordedUntil
        self.untilPosition = untilPosition
    }

    func accepts(_ event: RecordedEvent) -> Bool {
        if let types, !types.contains(event.type) { return false }
        if let streamPrefix, !event.stream.hasPrefix(streamPrefix) { return false }
        return true
    }
}

extension EventStore {
    /// The last position stored, 0 for an empty store.
    public func headPosition() throws -> Int {
        try withIndex { try $0.lastFrame()?.lastPosition ?? 0 }
    }

    /// The last position recorded at or before `time` (0 when none): the end
    /// of what the store knew then.
    /// - Complexity: O(log frames) and at most one frame read.
    public func lastPosition(recordedAtOrBefore time: Timestamp) throws -> Int {
        try withIndex { index in
            guard let frame = try index.firstFrame(recordedAfter: time.microseconds) else {
                return try index.lastFrame()?.lastPosition ?? 0
            }
            let events = try log.readFrame(segment: frame.segment, offset: frame.offset)
                .events(path: log.path(ofSegment: frame.segment))
            return frame.firstPosition - 1 + events.prefix { $0.recordedAt <= time }.count
        }
    }

    /// The recorded time of the event at `position`, nil when there is none.
    public func recordedAt(position: Int) throws -> Timestamp? {
        try withIndex { index in
            guard let frame = try index.frame(containing: position) else { return nil }
            let events = try log.readFrame(segment: frame.segment, offset: frame.offset)
                .events(path: log.path(ofSegment: frame.segment))
            return events.first { $0.position == position }?.recordedAt
        }
    }

    /// The stream's current version, 0 when it has no events.
    public func version(of stream: String) throws -> Int {
        let name = try EventNames.normalizeStream(stream)
        return try withIndex { try $0.stream(named: name)?.version ?? 0 }
    }

    /// Reads a stream forwards from `version` (or backwards down from it).
    /// - Parameters:
    ///   - stream: the stream, normalised like appends normalise it.
    ///   - version: the first version to return; backwards reads default to the last.
    ///   - backwards: newest first.
    ///   - limit: the most events to return.
    /// - Complexity: O(log n) to find the stream, then per frame the events
    ///   lie in, a read of its header and of the few-kilobyte blocks that
    ///   hold them.
    public func read(stream: String, from version: Int? = nil, backwards: Bool = false,
                     limit: Int = Int.max) throws -> [RecordedEvent] {
        let name = try EventNames.normalizeStream(stream)
        return try withIndex { index -> [RecordedEvent] in
            guard let state = try index.stream(named: name) else { return [] }
            let start = version ?? (backwards ? state.version : 1)
            let rows = try index.positionsWithFrames(
                stream: state.id, from: start, backwards: backwards,
                limit: min(limit, Int(Int32.max)))
            // Group the positions by frame, then read from each frame only
            // the blocks that hold the events wanted.
            var reader = try FrameReader(log: log)
            var events: [RecordedEvent] = []
            events.reserveCapacity(rows.count)
            var next = 0
            while next < rows.count {
                guard let location = rows[next].frame,
                      location.lastPosition >= rows[next].position else {
                    throw StoreError.inconsistent(
                        "the index has no frame for position \(rows[next].position); "
                        + "run `evstore verify`")
                }
                var end = next
                while end < rows.count,
                      rows[end].frame?.firstPosition == location.firstPosition {
                    end += 1
                }
                let wanted = rows[next..<end]
                let decoded = try reader.events(in: location, at: wanted.map(\.position))
                for row in wanted {
                    guard let event = decoded[row.position], event.stream == name,
                          event.version == row.version else {
                        throw StoreError.inconsistent(
                            "index and log disagree at position \(row.position); "
                            + "run `evstore verify`")
                    }
                    events.append(event)
                }
                next = end
            }
            return events
        }
    }

    /// Reads every event from `position` on, in position order, streaming
    /// through the log in bounded memory. Only events indexed when the call
    /// starts are delivered, so a read never sees half an append.
    /// - Parameters:
    ///   - position: the first position to deliver.
    ///   - filter: types, stream prefix and cut-offs.
    ///   - body: gets each event; returns false to stop.
    /// - Complexity: O(events read); sequential reads of the segments.
    public func readAll(from position: Int = 1, filter: ReadFilter = ReadFilter(),
                        _ body: (RecordedEvent) throws -> Bool) throws {
        try readAll(from: position, filter: filter, readAhead: nil, body)
    }

    /// - Parameter readAhead: read and decode on two other threads (true),
    ///   on the caller's thread (false), or by the read's length (nil: long
    ///   reads go ahead, see `ReadAhead`).
    func readAll(from position: Int, filter: ReadFilter, readAhead: Bool?,
                 _ body: (RecordedEvent) throws -> Bool) throws {
        let bounds = try withIndex { index -> (head: FrameLocation, start: FrameLocation)? in
            guard let head = try index.lastFrame(), position <= head.lastPosition,
                  let start = try index.frame(containing: max(1, position)) else { return nil }
            return (head, start)
        }
        guard let bounds else { return }
        let last = min(bounds.head.lastPosition, filter.untilPosition ?? Int.max)
        let segments = try log.segments().filter {
            $0 >= bounds.start.segment && $0 <= bounds.head.segment
        }
        let plan = ScanPlan(log: log, segments: segments, start: bounds.start,
                            head: bounds.head, last: last)

        // True while the caller wants more events.
        func deliver(_ event: RecordedEvent) throws -> Bool {
            guard event.position >= position else { return true }
            if event.position > last { return false }
            if let until = filter.recordedUntil, event.recordedAt > until { return false }
            return try !filter.accepts(event) || body(event)
        }

        var decoder = EventDecoder()
        func decode(_ frame: Frame, _ path: String) throws -> Bool {
            var keepGoing = true
            try frame.forEachEvent(path: path, decoder: &decoder) { event in
                if keepGoing { keepGoing = try deliver(event) }
            }
            return keepGoing
        }
        if readAhead ?? (last - bounds.start.firstPosition + 1 >= ReadAhead.minimumEvents) {
            try plan.readAhead { frames in
                for (frame, path) in frames where try !decode(frame, path) { return false }
                return true
            }
        } else {
            try plan.scan(decode)
        }
    }

    /// Every event from `position` on, collected (for small stores and tests).
    public func readAll(from position: Int = 1,
                        filter: ReadFilter = ReadFilter()) throws -> [RecordedEvent] {
        var events: [RecordedEvent] = []
        try readAll(from: position, filter: filter) { events.append($0); return true }
        return events
    }

    /// A catch-up subscription: every stored event from `position` on, in
    /// order, then new ones as they are appended (by this or any process).
    /// Each event carries its position, the resume point for a later call.
    /// - Parameter pollInterval: how often to look for new events, in seconds.
    public func subscribe(from position: Int = 1,
                          pollInterval: Double = 0.05) -> AsyncThrowingStream<RecordedEvent, any Error> {
        AsyncThrowingStream { continuation in
            let task = Task.detached { [self] in
                var next = max(1, position)
                do {
                    while !Task.isCancelled {
                        var delivered = 0
                        try readAll(from: next) { event in
                            continuation.yield(event)
                            next = event.position + 1
                            delivered += 1
                            return !Task.isCancelled && delivered < 10_000
                        }
                        if delivered == 0 {
                            try await Task.sleep(nanoseconds: UInt64(pollInterval * 1e9))
                        }
                    }
                    continuation.finish()
                } catch is CancellationError {
                    continuation.finish()
                } catch {
                    continuation.finish(throwing: error)
                }
            }
            continuation.onTermination = { _ in task.cancel() }
        }
    }
}
