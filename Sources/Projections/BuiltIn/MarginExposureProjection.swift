import EventModel
import EventStore
import Foundation

// Margin and exposure per engagement.
//
// The fold keeps running sums per engagement (a `Ledger`) and, by id, every
// record whose later events can change those sums: timesheets (with the
// rates captured when their approval was folded), expenses, invoices,
// milestones and change requests. A change to a record first takes its old
// contribution off its engagement's ledger, then posts the new one, so
// sums stay exact under resubmission, rejection and replacement. Events for
// an engagement that is not open yet are posted all the same; only its row
// waits for the `EngagementOpened`.
//
// The figures that depend on the billing model, the terms and the rules
// (revenue, margin, percentages, exposure, risk) are derived in
// `rows(of:now:)`.

/// Margin and exposure of each engagement: hours and cost against budget,
/// revenue by billing model, margin against the target, what is invoiced
/// and what is not, and whether an open engagement is at risk.
///
/// One row per engagement with an `EngagementOpened`, keyed by
/// engagement_id.
public struct MarginExposureProjection: Projection, ReadsEventFields {
    /// The rules in force: the burn alert.
    public let rules: MarginExposureRules

    /// `margin-exposure`.
    public let name = "margin-exposure"
    /// 1.
    public let version = 2
    /// `engagement_id, client_id, billing_model, currency, contract_value,
    /// budget_hours, budget_cost, actual_hours, unassigned_hours, cost,
    /// revenue, margin, margin_pct, budget_burn_pct, invoiced, unbilled,
    /// target_margin_pct, exposure, at_risk, status`.
    public let columns: [Column] = [
        Column("engagement_id", .text),
        Column("client_id", .text),
        Column("billing_model", .text),
        Column("currency", .text),
        Column("contract_value", .decimal(places: 2)),
        Column("budget_hours", .decimal(places: 2)),
        Column("budget_cost", .decimal(places: 2)),
        Column("actual_hours", .decimal(places: 2)),
        Column("unassigned_hours", .decimal(places: 2)),
        Column("cost", .decimal(places: 2)),
        Column("revenue", .decimal(places: 2)),
        Column("margin", .decimal(places: 2)),
        Column("margin_pct", .decimal(places: 1)),
        Column("budget_burn_pct", .decimal(places: 1)),
        Column("invoiced", .decimal(places: 2)),
        Column("unbilled", .decimal(places: 2)),
        Column("target_margin_pct", .decimal(places: 1)),
        Column("exposure", .decimal(places: 2)),
        Column("at_risk", .bool),
        Column("status", .text),
    ]
    /// 1: engagement_id.
    public let keyColumnCount = 1

    /// The event types the fold reads; others leave the state as it is.
    public var eventTypes: Set<String>? { Self.foldedTypes }

    static let foldedTypes: Set<String> = [
        "EngagementOpened",
        "EngagementClosed",
        "ConsultantAssigned",
        "TimesheetSubmitted",
        "TimesheetApproved",
        "TimesheetRejected",
        "ExpensePosted",
        "MilestoneDefined",
        "MilestoneCompleted",
        "InvoiceIssued",
        "ChangeRequestSubmitted",
        "ApprovalRequested",
        "ApprovalGranted",
        "ApprovalRejected",
        "ApprovalWithdrawn",
    ]

    /// Creates the projection with `rules` (the defaults when omitted).
    public init(rules: MarginExposureRules = MarginExposureRules()) {
        self.rules = rules
    }

    /// No engagements and no records.
    public func initialState() -> State {
        State()
    }

    /// Folds one event. Types this read model does not use return before
    /// their data is parsed; a decision on an unknown timesheet, approval,
    /// milestone or engagement is ignored.
    ///
    /// - Throws: `ValidationError` when a field this fold reads is missing or
    ///   malformed (the append's validation would have refused it).
    /// - Complexity: O(1) expected, plus the parse of the event's data.
    public func fold(_ state: inout State, _ event: RecordedEvent) throws {
        switch event.type {
        case "EngagementOpened": try state.open(Fields(event))
        case "EngagementClosed": try state.close(Fields(event))
        case "ConsultantAssigned": try state.assign(Fields(event))
        case "TimesheetSubmitted": try state.submitTimesheet(Fields(event))
        case "TimesheetApproved": try state.approveTimesheet(Fields(event))
        case "TimesheetRejected": try state.rejectTimesheet(Fields(event))
        case "ExpensePosted": try state.postExpense(Fields(event))
        case "MilestoneDefined": try state.defineMilestone(Fields(event))
        case "MilestoneCompleted": try state.completeMilestone(Fields(event))
        case "InvoiceIssued": try state.issueInvoice(Fields(event))
        case "ChangeRequestSubmitted": try state.submitChangeRequest(Fields(event))
        case "ApprovalRequested": try state.requestApproval(Fields(event))
        case "ApprovalGranted": try state.grantApproval(Fields(event))
        case "ApprovalRejected", "ApprovalWithdrawn": try state.closeApproval(Fields(event))
        default: return
        }
    }
}

// MARK: - Reading event data

extension MarginExposureProjection {
    typealias Fields = EventFields
}

extension EventFields {
    func billingModel(_ key: String) throws -> MarginExposureProjection.BillingModel {
        guard let value = try MarginExposureProjection.BillingModel(rawValue: string(key)) else {
            throw ValidationError(field: "data.\(key)", reason: "is not a billing model")
        }
        return value
    }
}
