import EventModel
import Foundation

// What the margin-exposure fold remembers, and how a record's contribution
// is posted to (sign 1) or taken off (sign -1) its engagement's ledger.

extension MarginExposureProjection {
    /// Everything the fold remembers, keyed by ids.
    /// An approval as margin-exposure sees it: only change-request
    /// approvals can move money, and only while open.
    struct ChangeApproval: Codable, Sendable, Equatable {
        enum Status: String, Codable, Sendable { case open, granted, closed }
        /// The change request, fixed by the first request; nil for other kinds.
        var subject: String?
        var status: Status
    }

    public struct State: Codable, Sendable, Equatable {
        /// The terms of every opened engagement, by engagement id.
        var engagements: [String: Engagement] = [:]
        /// Running sums by engagement id, opened or not yet.
        var ledgers: [String: Ledger] = [:]
        /// The rates of the latest assignment, by engagement id, then by
        /// consultant id.
        var assignments: [String: [String: Rates]] = [:]
        /// Every timesheet's current state, by timesheet id.
        var timesheets: [String: Timesheet] = [:]
        /// Every expense's latest posting, by expense id.
        var expenses: [String: Expense] = [:]
        /// Every invoice's latest issue, by invoice id.
        var invoices: [String: Invoice] = [:]
        /// Every milestone's latest definition, by milestone id.
        var milestones: [String: Milestone] = [:]
        /// Every change request's latest submission, by change request id.
        var changeRequests: [String: ChangeRequest] = [:]
        /// Every approval, as its first request defined it: the change
        /// request it is about (nil for other kinds) and where it stands.
        var changeApprovals: [String: MarginExposureProjection.ChangeApproval] = [:]
        /// Change request ids granted before their submission was folded.
        var earlyGrants: Set<String> = []
    }

    /// How revenue is recognised.
    enum BillingModel: String, Codable, Sendable {
        case fixedFee = "fixed_fee"
        case timeAndMaterials = "time_and_materials"
        case milestone
    }

    /// The terms an engagement was opened with (before change requests).
    struct Engagement: Codable, Sendable, Equatable {
        var clientID: String
        var billingModel: BillingModel
        var currency: String
        var budgetHours: Decimal
        var budgetCost: Decimal
        var contractValue: Decimal
        var targetMarginPercent: Decimal
        var isClosed = false
    }

    /// Hourly rates of one assignment.
    struct Rates: Codable, Sendable, Equatable {
        var billRate: Decimal
        var costRate: Decimal
    }

    /// Where a timesheet stands: only approved hours are posted.
    enum TimesheetStatus: String, Codable, Sendable {
        case submitted, approved, rejected
    }

    struct Timesheet: Codable, Sendable, Equatable {
        var engagementID: String
        var consultantID: String
        var hours: Decimal
        var billable: Bool
        var status: TimesheetStatus
        /// The rates captured when the approval was folded, kept so taking
        /// the hours off again is exact; `nil` before approval, and for
        /// hours approved with no assignment (unassigned hours).
        var rates: Rates?
    }

    struct Expense: Codable, Sendable, Equatable {
        var engagementID: String
        var amount: Decimal
        var billable: Bool
    }

    struct Invoice: Codable, Sendable, Equatable {
        var engagementID: String
        var amount: Decimal
    }

    struct Milestone: Codable, Sendable, Equatable {
        var engagementID: String
        var amount: Decimal
        var isCompleted: Bool
    }

    struct ChangeRequest: Codable, Sendable, Equatable {
        var engagementID: String
        var hoursDelta: Decimal
        var valueDelta: Decimal
        /// Whether a grant has been folded; its deltas are then posted.
        var isGranted: Bool
    }

    /// The running sums of one engagement.
    struct Ledger: Codable, Sendable, Equatable {
        /// Approved hours, billable or not, assigned or not.
        var actualHours: Decimal = 0
        /// Approved hours with no assignment when approved (not costed).
        var unassignedHours: Decimal = 0
        /// Approved hours × the captured cost rate.
        var labourCost: Decimal = 0
        /// Approved billable hours × the captured bill rate.
        var billableLabour: Decimal = 0
        /// Every expense.
        var expenses: Decimal = 0
        /// Billable expenses only.
        var billableExpenses: Decimal = 0
        /// The amounts of completed milestones.
        var completedMilestones: Decimal = 0
        var invoiced: Decimal = 0
        /// Budget hours added by granted change requests.
        var grantedHours: Decimal = 0
        /// Contract value added by granted change requests.
        var grantedValue: Decimal = 0
    }
}

// MARK: - Posting

// A sign is 1 to post a record's contribution and -1 to take it off; taking
// off negates the amounts (exact, like multiplying by -1, without the cost of
// a decimal multiplication). Products of hours and rates repeat endlessly,
// so they come from a memo of exact results; sums are Foundation's, computed
// on the significands when they are small (`exactlyPlus`).

extension MarginExposureProjection.Ledger {
    /// Posts an approved timesheet at its captured rates.
    mutating func post(_ timesheet: MarginExposureProjection.Timesheet, sign: Int) {
        let hours = Self.signed(timesheet.hours, sign)
        actualHours = actualHours.exactlyPlus(hours)
        guard let rates = timesheet.rates else {
            unassignedHours = unassignedHours.exactlyPlus(hours)
            return
        }
        let arithmetic = DecimalArithmetic.shared
        labourCost = labourCost.exactlyPlus(arithmetic.product(hours, rates.costRate))
        if timesheet.billable {
            billableLabour = billableLabour.exactlyPlus(arithmetic.product(hours, rates.billRate))
        }
    }

    mutating func post(_ expense: MarginExposureProjection.Expense, sign: Int) {
        let amount = Self.signed(expense.amount, sign)
        expenses = expenses.exactlyPlus(amount)
        if expense.billable { billableExpenses = billableExpenses.exactlyPlus(amount) }
    }

    mutating func post(_ invoice: MarginExposureProjection.Invoice, sign: Int) {
        invoiced = invoiced.exactlyPlus(Self.signed(invoice.amount, sign))
    }

    /// Posts a milestone's amount; only completed milestones are posted.
    mutating func post(_ milestone: MarginExposureProjection.Milestone, sign: Int) {
        completedMilestones =
            completedMilestones.exactlyPlus(Self.signed(milestone.amount, sign))
    }

    /// Posts a granted change request's deltas.
    mutating func post(_ change: MarginExposureProjection.ChangeRequest, sign: Int) {
        grantedHours = grantedHours.exactlyPlus(Self.signed(change.hoursDelta, sign))
        grantedValue = grantedValue.exactlyPlus(Self.signed(change.valueDelta, sign))
    }

    /// `value` for sign 1, `-value` for sign -1.
    static func signed(_ value: Decimal, _ sign: Int) -> Decimal {
        precondition(sign == 1 || sign == -1, "a posting's sign is 1 or -1")
        return sign < 0 ? -value : value
    }
}
