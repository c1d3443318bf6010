import EventStore

/// Where an event sits in its source file, for messages that point at it.
public enum SourceLocation: Sendable, Equatable, CustomStringConvertible {
    /// A CSV record, by the 1-based line it starts on (the header is line 1).
    case line(Int)
    /// An XES event, by its 1-based trace and its 1-based place in the trace.
    case event(trace: Int, event: Int)

    /// `line 12`, or `trace 3, event 2`.
    public var description: String {
        switch self {
        case .line(let line):
            return "line \(line)"
        case .event(let trace, let event):
            return "trace \(trace), event \(event)"
        }
    }
}

/// Why a log import stopped. Batches stored before the failure stay stored;
/// the batch holding the failing event is not stored.
public enum LogImportError: Error, CustomStringConvertible, Equatable {
    /// An event could not be mapped, or the store refused it.
    /// - `field`: the event field at fault (`data.amount`, `stream`,
    ///   `occurred_at`), or nil when the refusal concerns the whole event
    ///   (an id already stored with other content).
    /// - `appendError`: the store's error, when the store refused the event.
    case invalidEvent(path: String, location: SourceLocation, field: String?, reason: String,
                      appendError: AppendError?)
    /// The file is not well-formed XES or RFC 4180 CSV.
    case malformedSource(path: String, location: SourceLocation?, reason: String)
    /// The file cannot be opened or read (including a damaged gzip stream).
    case unreadable(path: String, reason: String)
    /// The file name does not end in `.xes`, `.xes.gz`, `.csv` or `.csv.gz`.
    case unsupportedFormat(path: String)

    /// One line naming the file, the place and the reason.
    public var description: String {
        switch self {
        case .invalidEvent(let path, let location, let field, let reason, _):
            let subject = field.map { "field \($0): " } ?? ""
            return "\(path): \(location): \(subject)\(reason)"
        case .malformedSource(let path, let location, let reason):
            let place = location.map { "\($0): " } ?? ""
            return "\(path): \(place)\(reason)"
        case .unreadable(let path, let reason):
            return "cannot read \(path): \(reason)"
        case .unsupportedFormat(let path):
            return "cannot tell the format of \(path): the name must end in .xes, .xes.gz, "
                + ".csv or .csv.gz"
        }
    }
}

/// A mapping file that cannot be used, naming the file, the key within it
/// and the reason, e.g.
/// `bpi2020.json: activities[3].data.amount: unknown transform "decmal"`.
public struct MappingError: Error, CustomStringConvertible, Equatable {
    /// The mapping file as it was given.
    public let file: String
    /// The key as a path (`activities[3].data.amount`); empty for the file as
    /// a whole (unreadable, or not JSON).
    public let key: String
    /// What is wrong.
    public let reason: String

    /// Creates an error for `key` of `file`.
    public init(file: String, key: String, reason: String) {
        self.file = file
        self.key = key
        self.reason = reason
    }

    /// `<file>: <key>: <reason>`, or `<file>: <reason>` without a key.
    public var description: String {
        key.isEmpty ? "\(file): \(reason)" : "\(file): \(key): \(reason)"
    }
}

/// A field of one event that could not be built from the source; the importer
/// adds the file and the place.
struct FieldFailure: Error, Equatable {
    let field: String
    let reason: String
}
