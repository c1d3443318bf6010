import EventModel

/// Why an append was refused. Nothing of the call was stored.
public enum AppendError: Error, CustomStringConvertible, Equatable {
    /// The stream's version is not what the caller expected.
    case versionConflict(stream: String, expected: ExpectedVersion, actual: Int)
    /// An event failed validation; `index` is its 0-based place in its stream's part.
    case invalidEvent(stream: String, index: Int, id: String?, field: String, reason: String)
    /// The id is already stored with other content (or in another stream).
    case idConflict(id: String, stream: String, storedPosition: Int, difference: String)
    /// One append (or one import batch) uses an id twice with other content.
    case idReusedInBatch(id: String, stream: String, difference: String)
    /// Streams starting with `$` belong to the store.
    case reservedStream(String)
    /// An event's data plus metadata is larger than the store's limit.
    case eventTooLarge(stream: String, index: Int, size: Int, limit: Int)
    /// A preserved recorded_at is earlier than the store's last, or in the future.
    case recordedAtOutOfOrder(stream: String, index: Int, reason: String)
    /// An append with no events.
    case emptyAppend

    public var description: String {
        switch self {
        case .versionConflict(let stream, let expected, let actual):
            return "version conflict on stream \"\(stream)\": expected \(expected), "
                + "actual \(actual == 0 ? "no_stream (0)" : String(actual))"
        case .invalidEvent(let stream, let index, let id, let field, let reason):
            let name = id.map { "event \"\($0)\"" } ?? "event \(index + 1)"
            return "\(name) of stream \"\(stream)\": field \(field): \(reason)"
        case .idConflict(let id, let stream, let position, let difference):
            return "event id \"\(id)\" is already stored at position \(position) with other "
                + "content (\(difference)); not appended to \"\(stream)\""
        case .idReusedInBatch(let id, let stream, let difference):
            return "event id \"\(id)\" appears twice in one append with other content "
                + "(\(difference)); not appended to \"\(stream)\""
        case .reservedStream(let stream):
            return "stream \"\(stream)\" is reserved: names starting with $ belong to the store"
        case .eventTooLarge(let stream, let index, let size, let limit):
            return "event \(index + 1) of stream \"\(stream)\" is \(size) bytes of data and "
                + "metadata; the limit is \(limit)"
        case .recordedAtOutOfOrder(let stream, let index, let reason):
            return "event \(index + 1) of stream \"\(stream)\": recorded_at \(reason)"
        case .emptyAppend:
            return "an append needs at least one event"
        }
    }
}

extension AppendError {
    /// The field at fault (nil when the error is not about one field) and the
    /// reason, for callers that name the place themselves, such as the line of
    /// an import.
    public var fieldAndReason: (field: String?, reason: String) {
        switch self {
        case .invalidEvent(_, _, _, let field, let reason):
            return (field, reason)
        case .recordedAtOutOfOrder(_, _, let reason):
            return ("recorded_at", reason)
        case .idReusedInBatch(let id, _, let difference):
            return ("id", "\"\(id)\" is used by an earlier event of the same batch with other "
                + "content (\(difference))")
        default:
            return (nil, description)
        }
    }
}

/// A failure of the store as a whole rather than of one append.
public enum StoreError: Error, CustomStringConvertible, Equatable {
    /// Another writer held the store's lock for longer than the timeout.
    case lockTimeout(store: String, holderPID: Int?, seconds: Double)
    /// The index refers to frames the log does not have.
    case indexAheadOfLog(store: String, detail: String)
    /// The directory is not an evstore store.
    case notAStore(String)
    /// Nothing exists at the store's path.
    case noSuchStore(String)
    /// The store has its log but not its index (deleted or lost).
    case indexMissing(String)
    /// A backup's destination exists; it must be a new path.
    case destinationExists(String)
    /// The store was opened read-only.
    case readOnly(String)
    /// The index and the log disagree in a way recovery does not repair.
    case inconsistent(String)

    public var description: String {
        switch self {
        case .lockTimeout(let store, let pid, let seconds):
            let holder = pid.map { "process \($0)" } ?? "another process"
            return "timed out after \(seconds) s waiting for the writer lock of \(store), "
                + "held by \(holder)"
        case .indexAheadOfLog(let store, let detail):
            return "the index of \(store) points past the log (\(detail)); "
                + "run `evstore reindex` to rebuild it from the log"
        case .notAStore(let path):
            return "\(path) is not an evstore store (run `evstore init` first)"
        case .noSuchStore(let path):
            return "\(path) does not exist (run `evstore init` to create a store there)"
        case .indexMissing(let path):
            return "\(path) has its log but no index.sqlite; run `evstore reindex` "
                + "to rebuild the index from the log"
        case .destinationExists(let path):
            return "backup: \(path) already exists; the destination must be a new path"
        case .readOnly(let path):
            return "\(path) was opened read-only"
        case .inconsistent(let detail):
            return detail
        }
    }
}

/// An append of several parts (streams, or lines of an import) was refused
/// because of the part at `part` (0-based). Nothing of the call was stored.
public struct BatchAppendError: Error, CustomStringConvertible, Equatable {
    public let part: Int
    public let error: AppendError

    public var description: String { "part \(part + 1) of the batch: \(error)" }
}
