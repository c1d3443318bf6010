import Foundation
import EventModel
import EventStore

/// A read model built by folding the log: a state and an event give the next
/// state, and the state gives the rows. The four built-in read models use this
/// protocol, and a service can define its own; the engine (`ProjectionEngine`)
/// gives every projection checkpoints, catch-up, rebuilds, CSV export and
/// replay.
///
/// A fold must be deterministic: the same events in the same order give the
/// same state. It must not read the clock; time-dependent columns (ages) are
/// computed in `rows(of:now:)` from the `now` the caller passes.
public protocol Projection: Sendable {
    /// Everything the fold remembers. Stored in `projections.sqlite` with the
    /// checkpoint, so it is `Codable`; keep money as `Decimal` (encoded exactly).
    associatedtype State: Codable & Sendable

    /// The read model's name: the CLI name, the table name (with `-` as `_`),
    /// and the CSV file name.
    var name: String { get }
    /// Bump when the fold's logic changes: a checkpoint made by another
    /// version is refused until a rebuild.
    var version: Int { get }
    /// The columns, in CSV order.
    var columns: [Column] { get }
    /// How many leading columns make a row's key (joined with `/` for `explain`).
    var keyColumnCount: Int { get }
    /// The event types `fold` can change the state for, or nil for any. The
    /// engine neither parses nor folds an event of another type for this
    /// projection, so a fold must leave the state as it is for those. The
    /// default is nil.
    var eventTypes: Set<String>? { get }

    /// The state before any event.
    func initialState() -> State
    /// Folds one event into the state. Events of types the projection does
    /// not use, and events that name ids it has not seen, are ignored.
    /// - Throws: only for data a built-in type's validation would have refused.
    func fold(_ state: inout State, _ event: RecordedEvent) throws
    /// The rows as of `now`, sorted by key.
    func rows(of state: State, now: Timestamp) -> [Row]
    /// The one row whose key (the key columns' printed values joined with
    /// `/`, e.g. `C7/2026-03-02`) is `key`, or nil. The default looks through
    /// `rows(of:now:)`; a projection whose state is keyed by row can do better.
    func row(of state: State, key: String, now: Timestamp) -> Row?
}

extension Projection {
    /// Nil: every event is folded.
    public var eventTypes: Set<String>? { nil }

    public func row(of state: State, key: String, now: Timestamp) -> Row? {
        rows(of: state, now: now).first { self.key(of: $0) == key }
    }

    /// A row's key: its key columns' printed values joined with `/`.
    public func key(of row: Row) -> String {
        zip(row.prefix(keyColumnCount), columns).map { $0.formatted(for: $1) }
            .joined(separator: "/")
    }
}

/// One column of a read model.
public struct Column: Sendable, Equatable {
    public enum Kind: Sendable, Equatable {
        case text
        /// An exact decimal printed with this many fraction digits.
        case decimal(places: Int)
        case integer
        case bool
        /// `YYYY-MM-DDTHH:MM:SSZ`
        case timestamp
        /// `YYYY-MM-DD`
        case date
    }

    public let name: String
    public let kind: Kind

    public init(_ name: String, _ kind: Kind) {
        self.name = name
        self.kind = kind
    }

    public var isNumeric: Bool {
        switch kind {
        case .decimal, .integer: return true
        case .text, .bool, .timestamp, .date: return false
        }
    }
}

/// One cell of a row. Decimals keep their exact value; rounding (half away
/// from zero) happens only when printing.
public enum Cell: Sendable, Equatable {
    case null
    case text(String)
    case decimal(Decimal)
    case integer(Int)
    case bool(Bool)
    case timestamp(Timestamp)
    case date(CalendarDate)

    /// The cell as text for `column`: decimals with the column's places and no
    /// minus sign on a value that rounds to zero, booleans `true`/`false`,
    /// timestamps in UTC to the second, null as the empty string.
    public func formatted(for column: Column) -> String {
        switch self {
        case .null: return ""
        case .text(let text): return text
        case .decimal(let value):
            var places = 0
            if case .decimal(let columnPlaces) = column.kind { places = columnPlaces }
            guard let parts = DecimalParts(value) else {
                return ExactDecimal.format(value, fractionDigits: places)
            }
            return ExactDecimal.format(significand: parts.significand, exponent: parts.exponent,
                                       isNegative: parts.isNegative, fractionDigits: places)
        case .integer(let value): return String(value)
        case .bool(let value): return value ? "true" : "false"
        case .timestamp(let value): return value.secondsString
        case .date(let value): return value.description
        }
    }
}

/// A read-model row: one cell per column.
public typealias Row = [Cell]
