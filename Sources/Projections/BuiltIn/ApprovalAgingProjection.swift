import EventModel
import EventStore
import Foundation

// The approval-aging read model: one row per approval, with how long it has
// waited (or waited until it closed), its age bucket, whether it passed the
// SLA of its kind, and whether anyone approved their own request.
//
// The fold keeps one small record per approval id. Everything that depends
// on the clock (age, bucket, breach) is computed in `rows(of:now:)`, from
// exact microseconds, so a replay with another `now` needs no new fold.

/// How long approvals wait: one row per approval, keyed by `approval_id`.
///
/// An approval opens with its first `ApprovalRequested`, counts its
/// `ApprovalStepCompleted`s, and closes with a grant, rejection or
/// withdrawal. A new request for a rejected or withdrawn approval reopens it
/// as a resubmission; its age still counts from the first request. Events
/// that name an approval never requested are ignored.
///
/// The age is `closed_at` (or `now` while open) minus `requested_at`; it is
/// printed as computed, so a `now` before the request (a replay cut-off)
/// gives a negative age, which falls in the first bucket.
public struct ApprovalAgingProjection: Projection, ReadsEventFields {
    /// The bucket bounds and SLAs this projection applies.
    public let rules: ApprovalAgingRules

    /// The read model's name.
    public let name = "approval-aging"
    /// The fold's logic version.
    public let version = 1
    /// One key column: `approval_id`.
    public let keyColumnCount = 1

    /// The event types the fold reads; others leave the state as it is.
    public var eventTypes: Set<String>? { Self.foldedTypes }

    static let foldedTypes: Set<String> = [
        "ApprovalRequested",
        "ApprovalStepCompleted",
        "ApprovalGranted",
        "ApprovalRejected",
        "ApprovalWithdrawn",
    ]

    /// Creates the projection.
    /// - Parameter rules: bucket bounds and SLAs; the defaults when omitted.
    public init(rules: ApprovalAgingRules = ApprovalAgingRules()) {
        self.rules = rules
    }

    /// The columns, in CSV order.
    public var columns: [Column] { Self.columnList }

    static let columnList: [Column] = [
        Column("approval_id", .text),
        Column("engagement_id", .text),
        Column("kind", .text),
        Column("subject_id", .text),
        Column("requested_by", .text),
        Column("approver_role", .text),
        Column("requested_at", .timestamp),
        Column("last_action_at", .timestamp),
        Column("closed_at", .timestamp),
        Column("status", .text),
        Column("steps", .integer),
        Column("resubmissions", .integer),
        Column("age_hours", .decimal(places: 1)),
        Column("bucket", .text),
        Column("sla_hours", .decimal(places: 2)),
        Column("breached", .bool),
        Column("sod_violation", .bool),
    ]

    /// No approvals.
    public func initialState() -> State {
        State()
    }

    // MARK: - Fold

    /// Folds one approval event; other event types return before their data
    /// is parsed.
    ///
    /// - Throws: `ValidationError` when the data lacks a field the event type
    ///   requires.
    /// - Complexity: O(1) dictionary work, plus parsing the event's data.
    public func fold(_ state: inout State, _ event: RecordedEvent) throws {
        let action: Action
        switch event.type {
        case "ApprovalRequested": action = .request
        case "ApprovalStepCompleted": action = .step
        case "ApprovalGranted": action = .close(.granted)
        case "ApprovalRejected": action = .close(.rejected)
        case "ApprovalWithdrawn": action = .close(.withdrawn)
        default: return
        }

        let data = try EventData(event)
        let id = try data.string("approval_id")
        let time = event.occurredAt.microseconds
        guard var approval = state.approvals[id] else {
            if case .request = action {
                state.approvals[id] = try Approval(requestedBy: data, at: time)
            }
            return
        }

        approval.lastActionAt = time
        switch action {
        case .request:
            try approval.requestAgain(data)
        case .step:
            approval.steps += 1
            approval.approverRole = try data.string("role")
            approval.noteApprover(try data.string("approver"))
        case .close(let status):
            // A withdrawal is not a decision, so its actor is not an approver.
            if status != .withdrawn { approval.noteApprover(try data.string("approver")) }
            approval.status = status
            approval.closedAt = time
        }
        state.approvals[id] = approval
    }

    /// What an approval event does.
    enum Action {
        case request
        case step
        case close(Status)
    }

    // MARK: - Rows

    /// One row per approval, sorted by `approval_id`, aged as of `now`.
    ///
    /// - Complexity: O(n log n) in the number of approvals.
    public func rows(of state: State, now: Timestamp) -> [Row] {
        state.approvals
            .sorted { $0.key < $1.key }
            .map { row(id: $0.key, approval: $0.value, now: now) }
    }

    /// The row of one approval (`key` is its approval_id), for `explain`.
    /// - Complexity: O(1).
    public func row(of state: State, key: String, now: Timestamp) -> Row? {
        state.approvals[key].map { row(id: key, approval: $0, now: now) }
    }

    private func row(id: String, approval: Approval, now: Timestamp) -> Row {
        // Exact microseconds for every comparison; hours only for printing.
        let end = approval.closedAt ?? now.microseconds
        let age = Decimal(end - approval.requestedAt)
        let sla = rules.slaHours[approval.kind]
        let breached = rules.isBreached(kind: approval.kind, ageMicroseconds: age)

        return [
            .text(id),
            .text(approval.engagementID),
            .text(approval.kind),
            approval.subjectID.map(Cell.text) ?? .null,
            .text(approval.requestedBy),
            .text(approval.approverRole),
            .timestamp(Timestamp(microseconds: approval.requestedAt)),
            .timestamp(Timestamp(microseconds: approval.lastActionAt)),
            approval.closedAt.map { .timestamp(Timestamp(microseconds: $0)) } ?? .null,
            .text(approval.status.rawValue),
            .integer(approval.steps),
            .integer(approval.resubmissions),
            .decimal(age / ApprovalAgingRules.microsecondsPerHour),
            .text(rules.bucket(forAgeMicroseconds: age)),
            sla.map(Cell.decimal) ?? .null,
            breached.map(Cell.bool) ?? .null,
            .bool(approval.sodViolation),
        ]
    }
}

// MARK: - State

extension ApprovalAgingProjection {
    /// Every requested approval by id. Times are microseconds since the epoch.
    public struct State: Codable, Sendable, Equatable {
        var approvals: [String: Approval] = [:]
    }

    /// Where an approval stands.
    enum Status: String, Codable, Sendable {
        case open, granted, rejected, withdrawn
    }

    /// What the fold remembers of one approval.
    struct Approval: Codable, Sendable, Equatable {
        // As first requested, except the role, which each step and each
        // resubmission replace.
        var engagementID: String
        var kind: String
        var subjectID: String?
        var requestedBy: String
        var approverRole: String
        var requestedAt: Int64

        var lastActionAt: Int64
        var closedAt: Int64?
        var status = Status.open
        var steps = 0
        var resubmissions = 0
        var sodViolation = false

        /// A new approval from its first `ApprovalRequested`.
        init(requestedBy data: EventData, at time: Int64) throws {
            engagementID = try data.string("engagement_id")
            kind = try data.string("kind")
            subjectID = try data.optionalString("subject_id")
            requestedBy = try data.string("requested_by")
            approverRole = try data.string("approver_role")
            requestedAt = time
            lastActionAt = time
        }

        /// A repeated request: reopens a rejected or withdrawn approval as a
        /// resubmission; an open or granted one stays as it is.
        mutating func requestAgain(_ data: EventData) throws {
            guard status == .rejected || status == .withdrawn else { return }
            approverRole = try data.string("approver_role")
            status = .open
            closedAt = nil
            resubmissions += 1
        }

        /// Records a step, grant or rejection by `approver`.
        mutating func noteApprover(_ approver: String) {
            if approver == requestedBy { sodViolation = true }
        }
    }
}

// MARK: - Event data

extension ApprovalAgingProjection {
    typealias EventData = EventFields
}
