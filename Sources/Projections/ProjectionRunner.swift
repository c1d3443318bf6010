import EventModel
import EventStore
import Foundation

/// A projection together with its rules' identity, as the engine runs it.
public struct RegisteredProjection: Sendable {
    public let projection: any Projection
    /// The rule file's bytes as loaded (empty for a projection without rules);
    /// their hash, with the projection's version, keys checkpoints and snapshots.
    public let rules: [UInt8]
    /// Builds the same projection with other rules (the rules in force at a
    /// replay's cut-off); nil for a projection whose rules never change.
    public let withRules: (@Sendable ([UInt8]) throws -> RegisteredProjection)?

    public init(_ projection: any Projection, rules: [UInt8] = [],
                withRules: (@Sendable ([UInt8]) throws -> RegisteredProjection)? = nil) {
        self.projection = projection
        self.rules = rules
        self.withRules = withRules
    }

    public var name: String { projection.name }

    /// A hex hash of the rules and the projection's version.
    public var rulesHash: String {
        var hash: UInt64 = 0xCBF2_9CE4_8422_2325
        for byte in rules + Array("#v\(projection.version)".utf8) {
            hash ^= UInt64(byte)
            hash &*= 0x0000_0100_0000_01B3
        }
        let hex = String(hash, radix: 16)
        return String(repeating: "0", count: 16 - hex.count) + hex
    }
}

/// One projection with its state, behind a type-erased face so the engine can
/// run built-in and custom projections side by side.
protocol ProjectionRunner: AnyObject {
    var registration: RegisteredProjection { get }
    /// The event types the projection folds; nil for all.
    var eventTypes: Set<String>? { get }
    func reset()
    func load(_ bytes: [UInt8]) throws
    func encode() throws -> [UInt8]
    func fold(_ event: RecordedEvent) throws
    func rows(now: Timestamp) -> [Row]
    func row(key: String, now: Timestamp) -> Row?
    func copy() -> any ProjectionRunner
}

extension ProjectionRunner {
    var name: String { registration.projection.name }
    /// Whether the projection folds events of `type`.
    func folds(_ type: String) -> Bool { eventTypes?.contains(type) ?? true }
    var columns: [Column] { registration.projection.columns }
    var keyColumnCount: Int { registration.projection.keyColumnCount }
}

final class Runner<P: Projection>: ProjectionRunner {
    let registration: RegisteredProjection
    let projection: P
    let eventTypes: Set<String>?
    var state: P.State
    /// The size of the last encoding, to size the next one's buffer.
    private var encodedSize = 0

    init(_ projection: P, registration: RegisteredProjection) {
        self.projection = projection
        self.registration = registration
        self.eventTypes = projection.eventTypes
        self.state = projection.initialState()
    }

    func reset() { state = projection.initialState() }

    /// Reads a state in the compact format (built-in states) or in
    /// `StateCoder`'s formats (other states, and states saved before the
    /// compact format existed).
    func load(_ bytes: [UInt8]) throws {
        if bytes.first == CompactState.format,
           let compact = P.State.self as? any CompactCodable.Type {
            state = try Self.decodeCompact(compact, bytes)
            return
        }
        state = try StateCoder.decode(P.State.self, from: bytes)
    }

    func encode() throws -> [UInt8] {
        if CompactState.isAvailable, let compact = state as? any CompactCodable {
            let capacity = encodedSize + encodedSize / 8 + 4096
            let bytes = CompactState.encode(compact, capacity: capacity)
            encodedSize = bytes.count
            return bytes
        }
        return try StateCoder.encode(state)
    }

    private static func decodeCompact<C: CompactCodable>(_ type: C.Type,
                                                         _ bytes: [UInt8]) throws -> P.State {
        guard let state = try CompactState.decode(type, from: bytes) as? P.State else {
            throw CompactStateError(offset: 0, reason: "not a state of \(P.self)")
        }
        return state
    }

    /// Folds one event; a failure names the projection and the position.
    func fold(_ event: RecordedEvent) throws {
        do {
            try projection.fold(&state, event)
        } catch {
            throw ProjectionError.foldFailed(name: projection.name, position: event.position,
                                             reason: String(describing: error))
        }
    }

    func rows(now: Timestamp) -> [Row] { projection.rows(of: state, now: now) }

    func row(key: String, now: Timestamp) -> Row? {
        projection.row(of: state, key: key, now: now)
    }

    func copy() -> any ProjectionRunner {
        let copy = Runner(projection, registration: registration)
        copy.state = state
        return copy
    }
}

/// Opens the existential to build a typed runner.
func makeRunner(_ registration: RegisteredProjection) -> any ProjectionRunner {
    func open<P: Projection>(_ projection: P) -> any ProjectionRunner {
        Runner(projection, registration: registration)
    }
    return open(registration.projection)
}

/// The projections that read an event's data only through `EventFields`,
/// which scans for the members it reads: the built-in ones.
protocol ReadsEventFields {}

/// Which of a set of projections fold each event type, worked out once per
/// type, so that an event costs one lookup of its type whatever the number
/// of projections, and the data of events nobody folds is never read.
struct EventTypeFilter {
    /// The projections that fold one type.
    struct Selection {
        /// By the index of the projection in the set.
        let folds: [Bool]
        /// Whether the data is parsed once for all the projections, ahead:
        /// when some projection that folds it reads it as a `JSONObject`.
        let parsesAhead: Bool
        /// Otherwise, whether its members are located once for all: when
        /// more than one projection folds it.
        let scansAhead: Bool
    }

    private let runners: [any ProjectionRunner]
    private var selections: [String: Selection] = [:]

    init(_ runners: [any ProjectionRunner]) {
        self.runners = runners
    }

    mutating func selection(for type: String) -> Selection {
        if let known = selections[type] { return known }
        let folds = runners.map { $0.folds(type) }
        let parsesAhead = zip(runners, folds).contains { runner, folds in
            folds && !(runner.registration.projection is any ReadsEventFields)
        }
        let selection = Selection(folds: folds, parsesAhead: parsesAhead,
                                  scansAhead: !parsesAhead && folds.count { $0 } > 1)
        selections[type] = selection
        return selection
    }
}
