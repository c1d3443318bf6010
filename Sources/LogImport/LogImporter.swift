import EventModel
import EventStore

/// Imports an event log (XES or CSV) through the ordinary append path, as the
/// JSON Lines import does: events are mapped by a ``LogMapping`` and appended
/// in atomic multi-stream batches, one part per event, in file order, so a
/// batch may span cases. Validation, idempotency by event id and atomicity
/// are the store's.
///
/// An event that cannot be mapped or that the store refuses stops the import
/// with the file, its line (CSV) or trace and event (XES), and the field.
/// Batches before it stay stored; its own batch is not stored. An activity
/// no rule matches is counted in the summary and the import goes on.
public struct LogImporter {
    /// The store appended to.
    public let store: EventStore
    /// How source events become store events.
    public let mapping: LogMapping
    /// Events per atomic append.
    public let batchSize: Int

    /// - Parameter batchSize: events per atomic append (at least 1).
    public init(store: EventStore, mapping: LogMapping, batchSize: Int = 1000) {
        precondition(batchSize >= 1, "a batch holds at least one event")
        self.store = store
        self.mapping = mapping
        self.batchSize = batchSize
    }

    /// Reads every event of `source`, maps it and appends it.
    /// - Parameter progress: called after each stored batch with the summary so far.
    /// - Returns: what was read, stored, skipped as duplicate and left unmapped.
    /// - Throws: `LogImportError` for an unreadable or malformed file and for
    ///   the first event that cannot be mapped or is refused; store and I/O
    ///   errors pass through.
    /// - Complexity: O(n) in the events, with one atomic append (one frame,
    ///   one sync) per batch; memory holds one batch and one trace or record.
    @discardableResult
    public func run(_ source: LogSource,
                    progress: (LogImportSummary) -> Void = { _ in }) throws -> LogImportSummary {
        var run = ImportRun(path: source.path, mapping: mapping, batchSize: batchSize)
        try source.reader.forEachEvent { sourceEvent in
            if try run.take(sourceEvent, store: store) { progress(run.summary) }
        }
        if try run.appendRest(to: store) { progress(run.summary) }
        try store.flush()
        return run.summary
    }
}

/// The state of one import: the mapper, the pending batch, the counts.
private struct ImportRun {
    let path: String
    let batchSize: Int
    var summary = LogImportSummary()
    private var mapper: EventMapper
    private var batch: PendingBatch
    private var lastCase: String?

    init(path: String, mapping: LogMapping, batchSize: Int) {
        self.path = path
        self.batchSize = batchSize
        mapper = EventMapper(mapping: mapping)
        batch = PendingBatch(path: path)
        batch.reserve(batchSize)
    }

    /// Maps one source event and queues it, appending when the batch is full.
    /// - Returns: whether a batch was appended.
    mutating func take(_ sourceEvent: SourceEvent, store: EventStore) throws -> Bool {
        summary.eventsRead += 1
        let outcome: MappedOutcome
        do throws(FieldFailure) {
            outcome = try mapper.map(sourceEvent)
        } catch {
            throw LogImportError.invalidEvent(
                path: path, location: sourceEvent.location, field: error.field,
                reason: error.reason, appendError: nil)
        }

        switch outcome {
        case .unmapped(let activity, let caseID):
            countCase(caseID)
            summary.unmappedActivities[activity, default: 0] += 1
            return false
        case .event(let stream, let event, let caseID):
            countCase(caseID)
            batch.add(event, to: stream, from: sourceEvent.location)
            guard batch.count >= batchSize else { return false }
            try batch.append(to: store, counting: &summary)
            return true
        }
    }

    /// Appends what is left at the end of the file.
    /// - Returns: whether there was anything to append.
    mutating func appendRest(to store: EventStore) throws -> Bool {
        guard batch.count > 0 else { return false }
        try batch.append(to: store, counting: &summary)
        return true
    }

    private mutating func countCase(_ caseID: String) {
        if caseID != lastCase { summary.cases += 1 }
        lastCase = caseID
    }
}

/// The events waiting for the next append, with where each came from.
private struct PendingBatch {
    let path: String
    private var parts: [StreamAppend] = []
    private var locations: [SourceLocation] = []

    init(path: String) {
        self.path = path
    }

    var count: Int { parts.count }

    mutating func reserve(_ capacity: Int) {
        parts.reserveCapacity(capacity)
        locations.reserveCapacity(capacity)
    }

    mutating func add(_ event: NewEvent, to stream: String, from location: SourceLocation) {
        parts.append(StreamAppend(stream: stream, expectedVersion: .any, events: [event]))
        locations.append(location)
    }

    /// Appends the batch atomically and counts what it stored in `summary`.
    /// - Throws: `LogImportError.invalidEvent` for the part the store refused.
    mutating func append(to store: EventStore, counting summary: inout LogImportSummary) throws {
        let results: [AppendResult]
        do {
            results = try store.append(parts)
        } catch let refused as BatchAppendError {
            throw refusal(refused.error, at: locations[refused.part])
        }
        for (part, result) in zip(parts, results) {
            let type = part.events[0].type
            if result.duplicates > 0 {
                summary.duplicates += 1
                summary.duplicatesByType[type, default: 0] += 1
            } else {
                summary.stored += 1
                summary.storedByType[type, default: 0] += 1
            }
        }
        parts.removeAll(keepingCapacity: true)
        locations.removeAll(keepingCapacity: true)
    }

    private func refusal(_ error: AppendError, at location: SourceLocation) -> LogImportError {
        let (field, reason) = error.fieldAndReason
        return .invalidEvent(path: path, location: location, field: field, reason: reason,
                             appendError: error)
    }
}
