import Foundation

// The built-in read models' states in the compact format (see
// `CompactState.swift`). Each type writes its stored properties in
// declaration order and reads them back in the same order; a field added
// to a state must be added here too, and the projection's `version` bumped
// so snapshots of the old layout are not read.

// MARK: - utilization

extension UtilizationProjection.State: CompactCodable {
    func write(to writer: inout StateWriter) {
        writer.write(timesheets)
        writer.write(capacity)
        writer.write(roles)
        writer.write(weeks)
    }

    init(from reader: inout StateReader) throws {
        timesheets = try reader.read()
        capacity = try reader.read()
        roles = try reader.read()
        weeks = try reader.read()
        if let fault = weekCountFault { throw reader.failure(fault) }
    }
}

extension UtilizationProjection.WeekTotals: CompactCodable {
    func write(to writer: inout StateWriter) {
        writer.write(billable)
        writer.write(nonBillable)
        writer.write(pending)
        writer.write(timesheets)
    }

    init(from reader: inout StateReader) throws {
        billable = try reader.read()
        nonBillable = try reader.read()
        pending = try reader.read()
        timesheets = try reader.read()
    }
}

extension UtilizationProjection.Timesheet: CompactCodable {
    func write(to writer: inout StateWriter) {
        writer.write(consultantID)
        writer.write(weekStart)
        writer.write(hours)
        writer.write(billable)
        writer.write(status)
    }

    init(from reader: inout StateReader) throws {
        consultantID = try reader.read()
        weekStart = try reader.read()
        hours = try reader.read()
        billable = try reader.read()
        status = try reader.read()
    }
}

extension UtilizationProjection.Timesheet: CompactSkippable {
    static func skip(_ reader: inout StateReader) throws {
        try String.skip(&reader)
        try Int.skip(&reader)
        try Decimal.skip(&reader)
        try Bool.skip(&reader)
        try UtilizationProjection.Status.skip(&reader)
    }
}

extension UtilizationProjection.Status: CompactRawRepresentable, CompactSkippable {
    private static let rawValues = allCases.map { Array($0.rawValue.utf8) }

    static func skip(_ reader: inout StateReader) throws {
        try skipRawValue(&reader, cases: rawValues)
    }
}

// MARK: - margin-exposure

extension MarginExposureProjection.State: CompactCodable {
    func write(to writer: inout StateWriter) {
        writer.write(engagements)
        writer.write(ledgers)
        writer.write(assignments)
        writer.write(timesheets)
        writer.write(expenses)
        writer.write(invoices)
        writer.write(milestones)
        writer.write(changeRequests)
        writer.write(changeApprovals)
        writer.write(earlyGrants)
    }

    init(from reader: inout StateReader) throws {
        engagements = try reader.read()
        ledgers = try reader.read()
        assignments = try reader.read()
        timesheets = try reader.read()
        expenses = try reader.read()
        invoices = try reader.read()
        milestones = try reader.read()
        changeRequests = try reader.read()
        changeApprovals = try reader.read()
        earlyGrants = try reader.read()
    }
}

extension MarginExposureProjection.Engagement: CompactCodable {
    func write(to writer: inout StateWriter) {
        writer.write(clientID)
        writer.write(billingModel)
        writer.write(currency)
        writer.write(budgetHours)
        writer.write(budgetCost)
        writer.write(contractValue)
        writer.write(targetMarginPercent)
        writer.write(isClosed)
    }

    init(from reader: inout StateReader) throws {
        clientID = try reader.read()
        billingModel = try reader.read()
        currency = try reader.read()
        budgetHours = try reader.read()
        budgetCost = try reader.read()
        contractValue = try reader.read()
        targetMarginPercent = try reader.read()
        isClosed = try reader.read()
    }
}

extension MarginExposureProjection.Ledger: CompactCodable {
    func write(to writer: inout StateWriter) {
        writer.write(actualHours)
        writer.write(unassignedHours)
        writer.write(labourCost)
        writer.write(billableLabour)
        writer.write(expenses)
        writer.write(billableExpenses)
        writer.write(completedMilestones)
        writer.write(invoiced)
        writer.write(grantedHours)
        writer.write(grantedValue)
    }

    init(from reader: inout StateReader) throws {
        actualHours = try reader.read()
        unassignedHours = try reader.read()
        labourCost = try reader.read()
        billableLabour = try reader.read()
        expenses = try reader.read()
        billableExpenses = try reader.read()
        completedMilestones = try reader.read()
        invoiced = try reader.read()
        grantedHours = try reader.read()
        grantedValue = try reader.read()
    }
}

extension MarginExposureProjection.Rates: CompactCodable {
    func write(to writer: inout StateWriter) {
        writer.write(billRate)
        writer.write(costRate)
    }

    init(from reader: inout StateReader) throws {
        billRate = try reader.read()
        costRate = try reader.read()
    }
}

extension MarginExposureProjection.Timesheet: CompactCodable {
    func write(to writer: inout StateWriter) {
        writer.write(engagementID)
        writer.write(consultantID)
        writer.write(hours)
        writer.write(billable)
        writer.write(status)
        writer.write(rates)
    }

    init(from reader: inout StateReader) throws {
        engagementID = try reader.read()
        consultantID = try reader.read()
        hours = try reader.read()
        billable = try reader.read()
        status = try reader.read()
        rates = try reader.read()
    }
}

extension MarginExposureProjection.Expense: CompactCodable {
    func write(to writer: inout StateWriter) {
        writer.write(engagementID)
        writer.write(amount)
        writer.write(billable)
    }

    init(from reader: inout StateReader) throws {
        engagementID = try reader.read()
        amount = try reader.read()
        billable = try reader.read()
    }
}

extension MarginExposureProjection.Invoice: CompactCodable {
    func write(to writer: inout StateWriter) {
        writer.write(engagementID)
        writer.write(amount)
    }

    init(from reader: inout StateReader) throws {
        engagementID = try reader.read()
        amount = try reader.read()
    }
}

extension MarginExposureProjection.Milestone: CompactCodable {
    func write(to writer: inout StateWriter) {
        writer.write(engagementID)
        writer.write(amount)
        writer.write(isCompleted)
    }

    init(from reader: inout StateReader) throws {
        engagementID = try reader.read()
        amount = try reader.read()
        isCompleted = try reader.read()
    }
}

extension MarginExposureProjection.ChangeRequest: CompactCodable {
    func write(to writer: inout StateWriter) {
        writer.write(engagementID)
        writer.write(hoursDelta)
        writer.write(valueDelta)
        writer.write(isGranted)
    }

    init(from reader: inout StateReader) throws {
        engagementID = try reader.read()
        hoursDelta = try reader.read()
        valueDelta = try reader.read()
        isGranted = try reader.read()
    }
}

extension MarginExposureProjection.ChangeApproval: CompactCodable {
    func write(to writer: inout StateWriter) {
        writer.write(subject)
        writer.write(status)
    }

    init(from reader: inout StateReader) throws {
        subject = try reader.read()
        status = try reader.read()
    }
}

extension MarginExposureProjection.BillingModel: CompactRawRepresentable {}
extension MarginExposureProjection.TimesheetStatus: CompactRawRepresentable {}
extension MarginExposureProjection.ChangeApproval.Status: CompactRawRepresentable {}

// MARK: - approval-aging

extension ApprovalAgingProjection.State: CompactCodable {
    func write(to writer: inout StateWriter) {
        writer.write(approvals)
    }

    init(from reader: inout StateReader) throws {
        approvals = try reader.read()
    }
}

extension ApprovalAgingProjection.Approval: CompactCodable {
    func write(to writer: inout StateWriter) {
        writer.write(engagementID)
        writer.write(kind)
        writer.write(subjectID)
        writer.write(requestedBy)
        writer.write(approverRole)
        writer.write(requestedAt)
        writer.write(lastActionAt)
        writer.write(closedAt)
        writer.write(status)
        writer.write(steps)
        writer.write(resubmissions)
        writer.write(sodViolation)
    }

    init(from reader: inout StateReader) throws {
        engagementID = try reader.read()
        kind = try reader.read()
        subjectID = try reader.read()
        requestedBy = try reader.read()
        approverRole = try reader.read()
        requestedAt = try reader.read()
        lastActionAt = try reader.read()
        closedAt = try reader.read()
        status = try reader.read()
        steps = try reader.read()
        resubmissions = try reader.read()
        sodViolation = try reader.read()
    }
}

extension ApprovalAgingProjection.Status: CompactRawRepresentable {}

// MARK: - billing-readiness

extension BillingReadinessProjection.State: CompactCodable {
    func write(to writer: inout StateWriter) {
        writer.write(milestones)
        writer.write(trackedByEngagement)
        writer.write(submittedTimesheets)
        writer.write(submittedCounts)
        writer.write(invoiceApprovals)
        writer.write(otherApprovals)
        writer.write(openApprovals)
    }

    init(from reader: inout StateReader) throws {
        milestones = try reader.read()
        trackedByEngagement = try reader.read()
        submittedTimesheets = try reader.read()
        submittedCounts = try reader.read()
        invoiceApprovals = try reader.read()
        otherApprovals = try reader.read()
        openApprovals = try reader.read()
    }
}

extension BillingReadinessProjection.Milestone: CompactCodable {
    func write(to writer: inout StateWriter) {
        writer.write(definition)
        writer.write(completedAt)
        writer.write(signedOff)
        writer.write(invoiceID)
        writer.write(readySince)
    }

    init(from reader: inout StateReader) throws {
        definition = try reader.read()
        completedAt = try reader.read()
        signedOff = try reader.read()
        invoiceID = try reader.read()
        readySince = try reader.read()
    }
}

extension BillingReadinessProjection.Definition: CompactCodable {
    func write(to writer: inout StateWriter) {
        writer.write(engagementID)
        writer.write(name)
        writer.write(amount)
        writer.write(dueDay)
    }

    init(from reader: inout StateReader) throws {
        engagementID = try reader.read()
        name = try reader.read()
        amount = try reader.read()
        dueDay = try reader.read()
    }
}

extension BillingReadinessProjection.SubmittedTimesheet: CompactCodable {
    func write(to writer: inout StateWriter) {
        writer.write(engagementID)
        writer.write(workDay)
    }

    init(from reader: inout StateReader) throws {
        engagementID = try reader.read()
        workDay = try reader.read()
    }
}

extension BillingReadinessProjection.InvoiceApproval: CompactCodable {
    func write(to writer: inout StateWriter) {
        writer.write(milestoneID)
        writer.write(status)
    }

    init(from reader: inout StateReader) throws {
        milestoneID = try reader.read()
        status = try reader.read()
    }
}

extension BillingReadinessProjection.InvoiceApproval.Status: CompactRawRepresentable {}
