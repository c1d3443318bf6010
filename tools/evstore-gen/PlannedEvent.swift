// MARK: - Planned events

/// An event the simulation has decided on but not yet written, with every
/// value its line needs.
///
/// Payloads are snapshots of plain values, never references into the
/// simulation's state, so an event still renders correctly after its
/// engagement has closed, and nothing in the queue keeps state alive.
enum PlannedEvent {
    case engagementOpened(EngagementTerms)
    case consultantAssigned(AssignmentNotice)
    case milestoneDefined(MilestoneNotice)
    case capacitySet(CapacityNotice)
    case timesheetSubmitted(TimesheetEntry)
    case timesheetApproved(TimesheetEntry)
    case timesheetRejected(TimesheetEntry, reason: UInt8)
    case expensePosted(ExpenseClaim)
    case milestoneCompleted(MilestoneProgress)
    case clientSignoffReceived(MilestoneProgress)
    case invoiceIssued(InvoiceNotice)
    case changeRequestSubmitted(ChangeRequestNotice)
    case approvalRequested(ApprovalCase)
    case approvalStepCompleted(ApprovalCase)
    case approvalGranted(ApprovalCase)
    case approvalRejected(ApprovalCase)
    case approvalWithdrawn(ApprovalCase)
    case engagementClosed(slot: Int32, engagement: Int32)
}

/// A planned event with its place in the file and its metadata.
struct ScheduledEvent {
    /// When the line is written, in seconds since the epoch; lines appear in
    /// this order, and in the order of planning within one second.
    var writtenAt: Int64
    /// The business time printed as `occurred_at`; earlier than `writtenAt`
    /// only for late timesheets.
    var occurredAt: Int64
    var metadata: EventMetadata
    var event: PlannedEvent
}

// MARK: - Payloads

/// An EngagementOpened event, and the slot its engagement occupies.
struct EngagementTerms {
    var slot: Int32
    var engagement: Int32
    var client: Int32
    var serviceLine: ServiceLine
    var billing: BillingModel
    var currency: Currency
    var targetMarginHalfPercent: Int16
    var budgetHours: Int32
    var deliveryManager: Int32
    var budgetCost: Int64
    var contractValue: Int64
}

/// A consultant's place on an engagement.
struct TeamMember {
    var consultant: Int32
    var role: Grade
    var allocationPercent: Int16
    /// Hourly bill rate in cents of the engagement's currency.
    var billRate: Int64
    /// Hourly cost rate in cents of the engagement's currency.
    var costRate: Int64
    var startDay: CalendarDay
    var endDay: CalendarDay
}

/// A ConsultantAssigned event: the member's terms at the time.
struct AssignmentNotice {
    var engagement: Int32
    var member: TeamMember
}

/// A MilestoneDefined event.
struct MilestoneNotice {
    var engagement: Int32
    var milestone: Int32
    var nameIndex: UInt8
    var amount: Int64
    var dueDay: CalendarDay
}

/// A ConsultantCapacitySet event.
struct CapacityNotice {
    var consultant: Int32
    var weekStart: CalendarDay
    var availableHours: Int16
}

/// One consultant's hours on one engagement for one day.
struct TimesheetEntry {
    var number: Int32
    var engagement: Int32
    var consultant: Int32
    /// Who reviews the entry, by user number.
    var approver: Int32
    var workDay: CalendarDay
    /// Hours in quarter hours: 30 is 7.5 hours.
    var quarterHours: Int16
    var billable: Bool
    /// 1 for the first submission, 2 after one rejection, and so on.
    var attempt: UInt8
}

/// An ExpensePosted event, with where to find its engagement afterwards.
struct ExpenseClaim {
    var number: Int32
    var slot: Int32
    var engagement: Int32
    var consultant: Int32
    var amount: Int64
    var billable: Bool
}

/// A milestone's completion or sign-off.
struct MilestoneProgress {
    var slot: Int32
    var engagement: Int32
    /// The milestone's index within its engagement.
    var index: Int32
    var milestone: Int32
    var signatory: UInt8
}

/// An InvoiceIssued event.
struct InvoiceNotice {
    var number: Int32
    var engagement: Int32
    /// The invoiced milestone, or 0 for a time-and-materials invoice.
    var milestone: Int32
    var amount: Int64
}

/// A ChangeRequestSubmitted event.
struct ChangeRequestNotice {
    var number: Int32
    var slot: Int32
    var engagement: Int32
    var hoursDelta: Int32
    var valueDelta: Int64
}

/// How an approval is going to end, decided when it is requested.
enum ApprovalPlan: UInt8 {
    case grant, reject, withdraw, leaveOpen
}

/// An approval's request, its plan and how far it has come.
struct ApprovalCase {
    var number: Int32
    var engagement: Int32
    var kind: ApprovalKind
    /// The milestone, change request, expense or consultant the request is
    /// about, by number; 0 when it is about the engagement as a whole.
    var subject: Int32
    /// The amount in cents, or nil for requests without one.
    var amount: Int64?
    var requester: Int32
    var deliveryManager: Int32
    var partner: Int32
    var practiceLead: Int32
    /// 1 for the first request, 2 once re-requested after a rejection.
    var attempt: UInt8
    /// How many signatures the request needs, 1 to 3.
    var stepCount: UInt8
    var stepsCompleted: UInt8 = 0
    var plan: ApprovalPlan = .leaveOpen
    /// Signatures collected before the planned outcome happens.
    var stepsBeforeOutcome: UInt8 = 0
    /// The step signed by the requester themself, or 0 for none.
    var selfApprovedStep: UInt8 = 0
    var rejectionReason: UInt8 = 0

    /// The roles that sign, in order; the first `stepCount` of them apply.
    var chain: [ApproverRole] {
        // A delivery manager cannot approve their own expenses.
        if kind == .expense, requester == deliveryManager {
            return [.partner, .financeController]
        }
        return kind.approvalChain
    }

    /// The role that gives the final signature.
    var finalRole: ApproverRole {
        chain[Int(stepCount) - 1]
    }
}
