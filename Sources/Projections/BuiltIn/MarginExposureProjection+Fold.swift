import EventModel
import Foundation

// The fold of margin-exposure, one method per event type. Every change to a
// record takes the old contribution off its engagement's ledger before
// posting the new one; the engagement may differ between the two.

extension MarginExposureProjection.State {
    typealias Fields = MarginExposureProjection.Fields

    // MARK: - Engagements and assignments

    /// Records the terms; a repeated opening replaces them and leaves the
    /// status as it was.
    mutating func open(_ fields: Fields) throws {
        let id = try fields.string("engagement_id")
        engagements[id] = MarginExposureProjection.Engagement(
            clientID: try fields.string("client_id"),
            billingModel: try fields.billingModel("billing_model"),
            currency: try fields.string("currency"),
            budgetHours: try fields.decimal("budget_hours"),
            budgetCost: try fields.decimal("budget_cost"),
            contractValue: try fields.decimal("contract_value"),
            targetMarginPercent: try fields.decimal("target_margin_pct"),
            isClosed: engagements[id]?.isClosed ?? false)
    }

    /// Closes an opened engagement; a closing of an unknown one is ignored.
    mutating func close(_ fields: Fields) throws {
        engagements[try fields.string("engagement_id")]?.isClosed = true
    }

    /// Makes these rates the ones approvals capture from now on.
    mutating func assign(_ fields: Fields) throws {
        let engagement = try fields.string("engagement_id")
        let consultant = try fields.string("consultant_id")
        assignments[engagement, default: [:]][consultant] = MarginExposureProjection.Rates(
            billRate: try fields.decimal("bill_rate"),
            costRate: try fields.decimal("cost_rate"))
    }

    // MARK: - Timesheets

    /// Records a submission; a resubmission first takes an approved
    /// predecessor's hours off.
    mutating func submitTimesheet(_ fields: Fields) throws {
        let id = try fields.string("timesheet_id")
        let timesheet = MarginExposureProjection.Timesheet(
            engagementID: try fields.string("engagement_id"),
            consultantID: try fields.string("consultant_id"),
            hours: try fields.decimal("hours"),
            billable: try fields.bool("billable"),
            status: .submitted,
            rates: nil)
        if let old = timesheets[id], old.status == .approved {
            ledgers[old.engagementID, default: .init()].post(old, sign: -1)
        }
        timesheets[id] = timesheet
    }

    /// Approves at the rates assigned now. Approving an approved timesheet
    /// again changes nothing: its rates stay those of the first approval.
    mutating func approveTimesheet(_ fields: Fields) throws {
        let id = try fields.string("timesheet_id")
        guard var timesheet = timesheets[id], timesheet.status != .approved else { return }
        timesheet.status = .approved
        timesheet.rates = assignments[timesheet.engagementID]?[timesheet.consultantID]
        timesheets[id] = timesheet
        ledgers[timesheet.engagementID, default: .init()].post(timesheet, sign: 1)
    }

    /// Rejects; an approved timesheet's hours, cost and revenue come off.
    mutating func rejectTimesheet(_ fields: Fields) throws {
        let id = try fields.string("timesheet_id")
        guard var timesheet = timesheets[id] else { return }
        if timesheet.status == .approved {
            ledgers[timesheet.engagementID, default: .init()].post(timesheet, sign: -1)
        }
        timesheet.status = .rejected
        timesheet.rates = nil
        timesheets[id] = timesheet
    }

    // MARK: - Expenses, milestones and invoices

    /// Posts an expense, replacing an earlier one with the same id.
    mutating func postExpense(_ fields: Fields) throws {
        let id = try fields.string("expense_id")
        let expense = MarginExposureProjection.Expense(
            engagementID: try fields.string("engagement_id"),
            amount: try fields.decimal("amount"),
            billable: try fields.bool("billable"))
        if let old = expenses[id] {
            ledgers[old.engagementID, default: .init()].post(old, sign: -1)
        }
        expenses[id] = expense
        ledgers[expense.engagementID, default: .init()].post(expense, sign: 1)
    }

    /// Defines a milestone, replacing an earlier definition with the same
    /// id. A redefinition keeps the completion: completing is its own fact.
    mutating func defineMilestone(_ fields: Fields) throws {
        let id = try fields.string("milestone_id")
        let old = milestones[id]
        let milestone = MarginExposureProjection.Milestone(
            engagementID: try fields.string("engagement_id"),
            amount: try fields.decimal("amount"),
            isCompleted: old?.isCompleted ?? false)
        if let old, old.isCompleted {
            ledgers[old.engagementID, default: .init()].post(old, sign: -1)
        }
        milestones[id] = milestone
        if milestone.isCompleted {
            ledgers[milestone.engagementID, default: .init()].post(milestone, sign: 1)
        }
    }

    /// Completes a defined milestone once; its amount becomes revenue of
    /// the engagement it was defined for.
    mutating func completeMilestone(_ fields: Fields) throws {
        let id = try fields.string("milestone_id")
        guard var milestone = milestones[id], !milestone.isCompleted else { return }
        milestone.isCompleted = true
        milestones[id] = milestone
        ledgers[milestone.engagementID, default: .init()].post(milestone, sign: 1)
    }

    /// Records an invoice, replacing an earlier one with the same id.
    mutating func issueInvoice(_ fields: Fields) throws {
        let id = try fields.string("invoice_id")
        let invoice = MarginExposureProjection.Invoice(
            engagementID: try fields.string("engagement_id"),
            amount: try fields.decimal("amount"))
        if let old = invoices[id] {
            ledgers[old.engagementID, default: .init()].post(old, sign: -1)
        }
        invoices[id] = invoice
        ledgers[invoice.engagementID, default: .init()].post(invoice, sign: 1)
    }
}
