import EventModel
import EventStore
import Foundation

// The billing-readiness read model: one row per defined milestone, saying
// whether it can be invoiced, what still blocks it, and since when it has
// been ready.
//
// Blockers are worked out in the fold, after every event that can change
// them, because `ready_since` is the time of the event that removed the
// last one; the row then prints the current list. Events that name a
// milestone before its `MilestoneDefined` are handled so: a sign-off or an
// invoice is remembered (one small record) and applies once the milestone
// is defined; a completion is ignored, so such a milestone stays `open`
// until it is completed again.

/// Which milestones can be invoiced: one row per milestone, keyed by
/// `milestone_id`.
///
/// A completed milestone that is not invoiced is `blocked` while it awaits
/// the client's sign-off (when the rules require one), while timesheets of
/// its engagement dated on or before the completion's UTC date await a
/// decision, or while an invoice_release approval whose subject it is stays
/// open; otherwise it is `ready`. `days_ready` is printed as computed, so a
/// `now` before `ready_since` gives a negative value.
public struct BillingReadinessProjection: Projection, ReadsEventFields {
    /// Whether the client's sign-off is required.
    public let rules: BillingReadinessRules

    /// The read model's name.
    public let name = "billing-readiness"
    /// The fold's logic version.
    public let version = 1
    /// One key column: `milestone_id`.
    public let keyColumnCount = 1

    /// The event types the fold reads; others leave the state as it is.
    public var eventTypes: Set<String>? { Self.foldedTypes }

    static let foldedTypes: Set<String> = [
        "MilestoneDefined",
        "MilestoneCompleted",
        "ClientSignoffReceived",
        "InvoiceIssued",
        "TimesheetSubmitted",
        "TimesheetApproved",
        "TimesheetRejected",
        "ApprovalRequested",
        "ApprovalGranted",
        "ApprovalRejected",
        "ApprovalWithdrawn",
    ]

    /// Creates the projection.
    /// - Parameter rules: the sign-off rule; the default when omitted.
    public init(rules: BillingReadinessRules = BillingReadinessRules()) {
        self.rules = rules
    }

    /// The columns, in CSV order.
    public var columns: [Column] { Self.columnList }

    static let columnList: [Column] = [
        Column("milestone_id", .text),
        Column("engagement_id", .text),
        Column("name", .text),
        Column("amount", .decimal(places: 2)),
        Column("due_date", .date),
        Column("status", .text),
        Column("blockers", .text),
        Column("completed_at", .timestamp),
        Column("ready_since", .timestamp),
        Column("days_ready", .decimal(places: 1)),
        Column("invoice_id", .text),
        Column("overdue", .bool),
    ]

    static let microsecondsPerDay = Decimal(86_400_000_000)

    /// No milestones.
    public func initialState() -> State {
        State()
    }

    // MARK: - Fold

    /// Folds one milestone, timesheet or approval event; other event types
    /// return before their data is parsed.
    ///
    /// - Throws: `ValidationError` when the data lacks a field the event type
    ///   requires.
    /// - Complexity: O(1) dictionary work, plus working out the blockers of
    ///   the milestones the event can change: those of its engagement for a
    ///   timesheet event, the subject for an approval event.
    public func fold(_ state: inout State, _ event: RecordedEvent) throws {
        let kind: EventKind
        switch event.type {
        case "MilestoneDefined": kind = .milestoneDefined
        case "MilestoneCompleted": kind = .milestoneCompleted
        case "ClientSignoffReceived": kind = .signoffReceived
        case "InvoiceIssued": kind = .invoiceIssued
        case "TimesheetSubmitted": kind = .timesheetSubmitted
        case "TimesheetApproved", "TimesheetRejected": kind = .timesheetDecided
        case "ApprovalRequested": kind = .approvalRequested
        case "ApprovalGranted": kind = .approvalClosed(granted: true)
        case "ApprovalRejected", "ApprovalWithdrawn": kind = .approvalClosed(granted: false)
        default: return
        }

        let data = try EventData(event)
        let change = Change(time: event.occurredAt.microseconds,
                            requireSignoff: rules.requireClientSignoff)
        switch kind {
        case .milestoneDefined: try state.defineMilestone(data, change)
        case .milestoneCompleted: try state.completeMilestone(data, change)
        case .signoffReceived: try state.receiveSignoff(data, change)
        case .invoiceIssued: try state.issueInvoice(data)
        case .timesheetSubmitted: try state.submitTimesheet(data, change)
        case .timesheetDecided: try state.decideTimesheet(data, change)
        case .approvalRequested: try state.requestApproval(data, change)
        case .approvalClosed(let granted): try state.closeApproval(data, granted, change)
        }
    }

    /// The event types the fold uses.
    enum EventKind {
        case milestoneDefined, milestoneCompleted, signoffReceived, invoiceIssued
        case timesheetSubmitted, timesheetDecided
        case approvalRequested
        case approvalClosed(granted: Bool)
    }

    /// What a refresh of blockers needs to know about the event.
    struct Change {
        /// The event's occurred_at, in microseconds.
        let time: Int64
        let requireSignoff: Bool
    }

    // MARK: - Rows

    /// One row per defined milestone, sorted by `milestone_id`, as of `now`.
    ///
    /// - Complexity: O(n log n) in the number of milestones, plus working
    ///   out the blockers of each tracked one.
    public func rows(of state: State, now: Timestamp) -> [Row] {
        state.milestones
            .filter { $0.value.definition != nil }
            .sorted { $0.key < $1.key }
            .map { row(id: $0.key, milestone: $0.value, state: state, now: now) }
    }

    /// The row of one milestone (`key` is its milestone_id), for `explain`.
    public func row(of state: State, key: String, now: Timestamp) -> Row? {
        guard let milestone = state.milestones[key], milestone.definition != nil else {
            return nil
        }
        return row(id: key, milestone: milestone, state: state, now: now)
    }

    private func row(id: String, milestone: Milestone, state: State, now: Timestamp) -> Row {
        guard let definition = milestone.definition else { return [] }
        let blockers = state.blockers(of: id, requireSignoff: rules.requireClientSignoff)?
            .labels ?? []
        let status: String
        if milestone.invoiceID != nil {
            status = "invoiced"
        } else if milestone.completedAt == nil {
            status = "open"
        } else {
            status = blockers.isEmpty ? "ready" : "blocked"
        }
        var daysReady: Cell = .null
        if status == "ready", let since = milestone.readySince {
            daysReady = .decimal(Decimal(now.microseconds - since) / Self.microsecondsPerDay)
        }
        let dueDate = CalendarDate(daysSinceEpoch: definition.dueDay)

        return [
            .text(id),
            .text(definition.engagementID),
            .text(definition.name),
            .decimal(definition.amount),
            .date(dueDate),
            .text(status),
            blockers.isEmpty ? .null : .text(blockers.joined(separator: ";")),
            milestone.completedAt.map { .timestamp(Timestamp(microseconds: $0)) } ?? .null,
            milestone.readySince.map { .timestamp(Timestamp(microseconds: $0)) } ?? .null,
            daysReady,
            milestone.invoiceID.map(Cell.text) ?? .null,
            .bool(milestone.invoiceID == nil && dueDate < now.utcDate),
        ]
    }
}

// MARK: - Event data

extension BillingReadinessProjection {
    typealias EventData = EventFields
}
