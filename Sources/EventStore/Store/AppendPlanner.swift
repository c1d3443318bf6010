import EventModel
import Foundation

/// One append call waiting for (or being served by) an append round.
struct AppendRequest {
    var parts: [StreamAppend]
    /// Take each event's `recordedAt` instead of the clock (history migration).
    var preserveRecordedAt = false
    /// Lets the store write its own `$` streams.
    var allowReservedStreams = false
}

/// The frame an accepted request becomes, with its results.
struct PlannedFrame {
    var records: [EventRecord]
    var rows: [LogWriter.IndexRow]
    var firstPosition: Int
    var recordedAt: Int64
    var results: [AppendResult]
}

/// Decides, for the requests of one round, what each stores: validation,
/// idempotency, expected versions, positions and recorded times. It reads the
/// index (inside the round's transaction) and the log, and writes nothing.
struct AppendPlanner {
    let index: StreamIndex
    let log: SegmentLog
    let options: StoreOptions
    /// Frames decoded for idempotency checks during the current round.
    let frames = FrameCache()

    /// The round's view of the store as requests are accepted one by one.
    struct State {
        var nextPosition: Int
        var lastRecordedAt: Int64
        var versions: [String: Int] = [:]
        /// Ids accepted earlier in this round: stream, position and content.
        var pendingIDs: [String: PendingEvent] = [:]
    }

    struct PendingEvent {
        /// True for an event of the current round, not yet stored.
        var inThisRound = true
        var stream: String
        var position: Int
        var type: String
        var occurredAt: Int64
        var data: JSONObject
        var metadata: JSONObject
    }

    /// A validated event of a request.
    private struct Prepared {
        var index: Int
        var id: String
        var idGiven: Bool
        var type: String
        var occurredAt: Int64?
        var recordedAt: Int64?
        var data: [UInt8]
        var metadata: [UInt8]
        var dataValue: JSONObject
        var metadataValue: JSONObject
    }

    /// The frame being built for one request.
    private struct Draft {
        var state: State
        let now: Int64
        /// Stored positions per id hash, fetched once for the request's ids.
        var storedIDs: [Int64: [Int]] = [:]
        var records: [EventRecord] = []
        var rows: [LogWriter.IndexRow] = []
        var results: [AppendResult] = []
        var recordedTimes: [Int64] = []
    }

    /// Plans one request against `state`, which it advances only on success.
    /// - Throws: `BatchAppendError` naming the refused part, or `StoreError`.
    func plan(_ request: AppendRequest, state: inout State) throws -> PlannedFrame {
        if let empty = request.parts.firstIndex(where: { $0.events.isEmpty }) {
            throw BatchAppendError(part: empty, error: .emptyAppend)
        }
        if request.parts.isEmpty { throw BatchAppendError(part: 0, error: .emptyAppend) }

        let firstPosition = state.nextPosition
        var draft = Draft(state: state,
                          now: max(options.clock().microseconds, state.lastRecordedAt))
        draft.storedIDs = try index.positions(idHashes: request.parts.flatMap { part in
            part.events.compactMap { $0.id.map(StreamIndex.hash(id:)) }
        })
        for (partIndex, part) in request.parts.enumerated() {
            do {
                try plan(part, of: request, into: &draft)
            } catch let error as AppendError {
                throw BatchAppendError(part: partIndex, error: error)
            }
        }

        // Every event of the frame shares the frame's recorded_at unless the
        // request preserves recorded times; each record keeps its distance to it.
        let frameRecordedAt = draft.recordedTimes.last ?? draft.now
        for i in draft.records.indices {
            draft.records[i].recordedBefore = frameRecordedAt - draft.recordedTimes[i]
        }
        if !draft.records.isEmpty { draft.state.lastRecordedAt = frameRecordedAt }
        state = draft.state
        return PlannedFrame(records: draft.records, rows: draft.rows,
                            firstPosition: firstPosition, recordedAt: frameRecordedAt,
                            results: draft.results)
    }

    /// Plans one stream's part: deduplicates by id, checks the expected
    /// version (only when something new is left), and gives versions and positions.
    private func plan(_ part: StreamAppend, of request: AppendRequest,
                      into draft: inout Draft) throws {
        let stream = try normalizedStream(part.stream, request: request)
        let prepared = try part.events.enumerated().map { index, event in
            try prepare(event, index: index, stream: stream)
        }
        var current = try draft.state.versions[stream]
            ?? index.stream(named: stream)?.version ?? 0
        var positions: [Int] = []
        var freshCount = 0
        for event in prepared {
            if let position = try duplicatePosition(of: event, stream: stream,
                                                    state: draft.state,
                                                    stored: draft.storedIDs) {
                positions.append(position)
                continue
            }
            if freshCount == 0 {
                try check(part.expectedVersion, stream: stream, actual: current)
            }
            freshCount += 1
            let recordedAt = try recordedTime(
                of: event, stream: stream, request: request, now: draft.now,
                previous: draft.recordedTimes.last ?? draft.state.lastRecordedAt,
                inBatch: !draft.recordedTimes.isEmpty)
            current += 1
            let position = draft.state.nextPosition
            draft.state.nextPosition += 1
            positions.append(position)
            draft.recordedTimes.append(recordedAt)
            let occurredAt = event.occurredAt ?? recordedAt
            if event.idGiven {
                // Later events of this round see the id as stored.
                draft.state.pendingIDs[event.id] = PendingEvent(
                    stream: stream, position: position, type: event.type,
                    occurredAt: occurredAt, data: event.dataValue,
                    metadata: event.metadataValue)
            }
            draft.records.append(EventRecord(
                stream: stream, version: current, id: event.id, type: event.type,
                occurredAt: occurredAt, recordedBefore: 0,
                data: event.data, metadata: event.metadata))
            draft.rows.append(LogWriter.IndexRow(stream: stream, version: current,
                                                 type: event.type, id: event.id,
                                                 position: position))
        }
        draft.state.versions[stream] = current
        draft.results.append(AppendResult(stream: stream, positions: positions,
                                          streamVersion: current,
                                          duplicates: prepared.count - freshCount))
    }

    private func normalizedStream(_ raw: String, request: AppendRequest) throws -> String {
        let stream: String
        do {
            stream = try EventNames.normalizeStream(raw)
        } catch {
            throw AppendError.invalidEvent(stream: raw, index: 0, id: nil, field: "stream",
                                           reason: error.reason)
        }
        if EventNames.isReservedStream(stream) && !request.allowReservedStreams {
            throw AppendError.reservedStream(stream)
        }
        return stream
    }

    private func check(_ expected: ExpectedVersion, stream: String, actual: Int) throws {
        let ok: Bool
        switch expected {
        case .any: ok = true
        case .noStream: ok = actual == 0
        case .exists: ok = actual > 0
        case .exact(let version): ok = UInt64(actual) == version
        }
        if !ok {
            throw AppendError.versionConflict(stream: stream, expected: expected, actual: actual)
        }
    }

    // MARK: - Validation

    private func prepare(_ event: NewEvent, index: Int, stream: String) throws -> Prepared {
        func invalid(_ field: String, _ reason: String) -> AppendError {
            .invalidEvent(stream: stream, index: index, id: event.id, field: field,
                          reason: reason)
        }
        let size = event.data.count + (event.metadata?.count ?? 0)
        if size > options.maxEventSize {
            throw AppendError.eventTooLarge(stream: stream, index: index, size: size,
                                            limit: options.maxEventSize)
        }
        let data = try event.parsedData ?? parseObject(event.data, field: "data", invalid)
        let metadataBytes = event.metadata ?? Array("{}".utf8)
        let metadata = try event.parsedMetadata
            ?? parseObject(metadataBytes, field: "metadata", invalid)
        if !event.validated {
            try validate(event, data: data, metadata: metadata, invalid)
        }
        return Prepared(index: index, id: event.id ?? UUID().uuidString.lowercased(),
                        idGiven: event.id != nil, type: event.type,
                        occurredAt: event.occurredAt?.microseconds,
                        recordedAt: event.recordedAt?.microseconds,
                        data: event.data, metadata: metadataBytes,
                        dataValue: data, metadataValue: metadata)
    }

    /// The checks the wire codec already made for events decoded from a line.
    private func validate(_ event: NewEvent, data: JSONObject, metadata: JSONObject,
                          _ invalid: (String, String) -> AppendError) throws {
        do { try EventNames.validateType(event.type) } catch {
            throw invalid("type", error.reason)
        }
        if let id = event.id {
            do { try EventNames.validateEventID(id) } catch { throw invalid("id", error.reason) }
        }
        do {
            try BuiltInEvents.validate(type: event.type, data: data)
            try BuiltInEvents.validateMetadata(metadata)
        } catch {
            throw invalid(error.field, error.reason)
        }
    }

    private func parseObject(_ bytes: [UInt8], field: String,
                             _ invalid: (String, String) -> AppendError) throws -> JSONObject {
        let value: JSONValue
        do {
            value = try JSONParser.parse(bytes)
        } catch {
            throw invalid(field, "invalid JSON at byte \(error.offset): \(error.reason)")
        }
        guard case .object(let object) = value else {
            throw invalid(field, "must be a JSON object")
        }
        return object
    }

    private func recordedTime(of event: Prepared, stream: String, request: AppendRequest,
                              now: Int64, previous: Int64, inBatch: Bool) throws -> Int64 {
        guard request.preserveRecordedAt else { return now }
        guard let recordedAt = event.recordedAt else {
            throw AppendError.invalidEvent(stream: stream, index: event.index, id: event.id,
                                           field: "recorded_at",
                                           reason: "is required when recorded times are preserved")
        }
        let clock = options.clock().microseconds
        if recordedAt > clock {
            throw AppendError.recordedAtOutOfOrder(
                stream: stream, index: event.index,
                reason: "\(Timestamp(microseconds: recordedAt).rfc3339) is in the future")
        }
        if recordedAt < previous {
            let whose = inBatch ? "the previous event's in this append" : "the store's last"
            throw AppendError.recordedAtOutOfOrder(
                stream: stream, index: event.index,
                reason: "\(Timestamp(microseconds: recordedAt).rfc3339) is earlier than "
                    + "\(whose), \(Timestamp(microseconds: previous).rfc3339)")
        }
        return recordedAt
    }

    // MARK: - Idempotency

    /// The position of an already stored (or earlier in this round) event with
    /// the same id and the same content; throws when the id is stored with
    /// other content.
    private func duplicatePosition(of event: Prepared, stream: String, state: State,
                                   stored: [Int64: [Int]]) throws -> Int? {
        guard event.idGiven else { return nil }
        if let pending = state.pendingIDs[event.id] {
            try compare(event, stream: stream, with: pending)
            return pending.position
        }
        for position in stored[StreamIndex.hash(id: event.id)] ?? [] {
            let stored = try storedEvent(at: position)
            guard stored.id == event.id else { continue }
            let pending = PendingEvent(
                inThisRound: false, stream: stored.stream, position: position, type: stored.type,
                occurredAt: stored.occurredAt.microseconds, data: try stored.dataObject(),
                metadata: try stored.metadataObject())
            try compare(event, stream: stream, with: pending)
            return position
        }
        return nil
    }

    /// Same stream, type, data and metadata (as JSON values), and the same
    /// occurred_at when the retry gives one.
    private func compare(_ event: Prepared, stream: String,
                         with stored: PendingEvent) throws {
        var difference: String?
        if stored.stream != stream {
            difference = "stream \"\(stored.stream)\""
        } else if stored.type != event.type {
            difference = "type"
        } else if let occurredAt = event.occurredAt, occurredAt != stored.occurredAt {
            difference = "occurred_at"
        } else if !JSONValue.object(stored.data).isSemanticallyEqual(to: .object(event.dataValue)) {
            difference = "data"
        } else if !JSONValue.object(stored.metadata)
            .isSemanticallyEqual(to: .object(event.metadataValue)) {
            difference = "metadata"
        }
        if let difference {
            if stored.inThisRound {
                throw AppendError.idReusedInBatch(id: event.id, stream: stream,
                                                  difference: difference + " differs")
            }
            throw AppendError.idConflict(id: event.id, stream: stream,
                                         storedPosition: stored.position,
                                         difference: difference + " differs")
        }
    }

    private func storedEvent(at position: Int) throws -> RecordedEvent {
        guard let location = try index.frame(containing: position) else {
            throw StoreError.inconsistent("the index names position \(position) for an event "
                + "id but has no frame for it; run `evstore reindex`")
        }
        let events = try frames.events(of: location) {
            let frame = try log.readFrame(segment: location.segment, offset: location.offset)
            return try frame.events(path: log.path(ofSegment: location.segment))
        }
        guard let event = events.first(where: { $0.position == position }) else {
            throw StoreError.inconsistent("position \(position) is not in its frame")
        }
        return event
    }
}

/// The decoded events of the frames one round looked at, so that retrying a
/// whole batch decodes each stored frame once rather than once per event.
/// Emptied at the start of every round: a failed round may cut frames off the
/// log, and positions may then be reused with other content.
final class FrameCache {
    private var frames: [Int: [RecordedEvent]] = [:]
    private let capacity = 16

    func events(of location: FrameLocation,
                load: () throws -> [RecordedEvent]) rethrows -> [RecordedEvent] {
        if let cached = frames[location.firstPosition] { return cached }
        let events = try load()
        if frames.count >= capacity { frames.removeAll(keepingCapacity: true) }
        frames[location.firstPosition] = events
        return events
    }

    func removeAll() { frames.removeAll(keepingCapacity: true) }
}
