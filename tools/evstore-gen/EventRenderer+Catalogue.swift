// MARK: - The event catalogue

/// One writer per event type. Each writes exactly the catalogue's data keys,
/// in the catalogue's order. People who act (approvers, signers of a step,
/// whoever withdraws) are the event's actor, so their ids come from the
/// metadata rather than the payload.
extension EventRenderer {
    /// Writes one scheduled event as line number `line`.
    ///
    /// - Throws: `OutputError.writeFailed` when a full chunk cannot be written.
    mutating func write(_ scheduled: ScheduledEvent, line: Int) throws(OutputError) {
        let at = scheduled.occurredAt
        let actor = scheduled.metadata.actor

        switch scheduled.event {
        case let .engagementOpened(terms):
            writeOpening(terms, at: at)
        case let .consultantAssigned(notice):
            writeAssignment(notice, at: at)
        case let .milestoneDefined(notice):
            writeMilestoneDefinition(notice, at: at)
        case let .capacitySet(notice):
            writeCapacity(notice, at: at)
        case let .timesheetSubmitted(entry):
            writeTimesheetSubmission(entry, at: at)
        case let .timesheetApproved(entry):
            writeTimesheetReview(entry, rejectedFor: nil, by: actor, at: at)
        case let .timesheetRejected(entry, reason):
            writeTimesheetReview(entry, rejectedFor: reason, by: actor, at: at)
        case let .expensePosted(claim):
            writeExpense(claim, at: at)
        case let .milestoneCompleted(progress):
            writeMilestoneProgress("MilestoneCompleted", progress, signed: false, at: at)
        case let .clientSignoffReceived(progress):
            writeMilestoneProgress("ClientSignoffReceived", progress, signed: true, at: at)
        case let .invoiceIssued(notice):
            writeInvoice(notice, at: at)
        case let .changeRequestSubmitted(notice):
            writeChangeRequest(notice, at: at)
        case let .approvalRequested(approval):
            writeApprovalRequest(approval, at: at)
        case let .approvalStepCompleted(approval):
            writeApprovalDecision(.stepCompleted, approval, by: actor, at: at)
        case let .approvalGranted(approval):
            writeApprovalDecision(.granted, approval, by: actor, at: at)
        case let .approvalRejected(approval):
            writeApprovalDecision(.rejected, approval, by: actor, at: at)
        case let .approvalWithdrawn(approval):
            writeApprovalDecision(.withdrawn, approval, by: actor, at: at)
        case let .engagementClosed(_, engagement):
            begin("EngagementClosed", stream: .engagement(engagement), occurredAt: at)
            field("engagement_id", id: .engagement(engagement))
        }

        try finish(scheduled.metadata, line: line)
    }

    // MARK: Engagement facts

    private mutating func writeOpening(_ terms: EngagementTerms, at: Int64) {
        begin("EngagementOpened", stream: .engagement(terms.engagement), occurredAt: at)
        field("engagement_id", id: .engagement(terms.engagement))
        field("client_id", id: .client(terms.client))
        field("service_line", word: terms.serviceLine.wireName)
        field("billing_model", word: terms.billing.wireName)
        field("currency", word: terms.currency.wireName)
        field("budget_hours", integer: Int(terms.budgetHours))
        field("budget_cost", money: terms.budgetCost)
        field("contract_value", money: terms.contractValue)
        field("target_margin_pct", halves: Int(terms.targetMarginHalfPercent))
        field("delivery_manager", user: terms.deliveryManager)
    }

    private mutating func writeAssignment(_ notice: AssignmentNotice, at: Int64) {
        let member = notice.member
        begin("ConsultantAssigned", stream: .engagement(notice.engagement), occurredAt: at)
        field("engagement_id", id: .engagement(notice.engagement))
        field("consultant_id", id: .consultant(member.consultant))
        field("role", word: member.role.wireName)
        field("bill_rate", money: member.billRate)
        field("cost_rate", money: member.costRate)
        field("allocation_pct", integer: Int(member.allocationPercent))
        field("start_date", day: member.startDay)
        field("end_date", day: member.endDay)
    }

    private mutating func writeMilestoneDefinition(_ notice: MilestoneNotice, at: Int64) {
        begin("MilestoneDefined", stream: .engagement(notice.engagement), occurredAt: at)
        field("milestone_id", id: .milestone(notice.milestone))
        field("engagement_id", id: .engagement(notice.engagement))
        field("name", text: vocabulary.milestoneNames[Int(notice.nameIndex)])
        field("amount", money: notice.amount)
        field("due_date", day: notice.dueDay)
    }

    /// Writes a MilestoneCompleted line, or with `signed`, a sign-off.
    private mutating func writeMilestoneProgress(
        _ type: StaticString,
        _ progress: MilestoneProgress,
        signed: Bool,
        at: Int64
    ) {
        begin(type, stream: .engagement(progress.engagement), occurredAt: at)
        field("milestone_id", id: .milestone(progress.milestone))
        field("engagement_id", id: .engagement(progress.engagement))
        if signed {
            field("signed_by", text: vocabulary.signatories[Int(progress.signatory)])
        }
    }

    private mutating func writeExpense(_ claim: ExpenseClaim, at: Int64) {
        begin("ExpensePosted", stream: .engagement(claim.engagement), occurredAt: at)
        field("expense_id", id: .expense(claim.number))
        field("engagement_id", id: .engagement(claim.engagement))
        field("amount", money: claim.amount)
        field("billable", flag: claim.billable)
    }

    private mutating func writeInvoice(_ notice: InvoiceNotice, at: Int64) {
        let year = CalendarDay(daysSinceEpoch: Int(at / 86_400)).civilFields.year
        begin("InvoiceIssued", stream: .engagement(notice.engagement), occurredAt: at)
        field("invoice_id", id: .invoice(notice.number, year: year))
        field("engagement_id", id: .engagement(notice.engagement))
        let milestone: EntityID? = notice.milestone == 0 ? nil : .milestone(notice.milestone)
        field("milestone_id", optionalID: milestone)
        field("amount", money: notice.amount)
    }

    private mutating func writeChangeRequest(_ notice: ChangeRequestNotice, at: Int64) {
        begin("ChangeRequestSubmitted", stream: .engagement(notice.engagement), occurredAt: at)
        field("change_request_id", id: .changeRequest(notice.number))
        field("engagement_id", id: .engagement(notice.engagement))
        field("hours_delta", integer: Int(notice.hoursDelta))
        field("value_delta", money: notice.valueDelta)
    }

    // MARK: Timesheets and capacity

    private mutating func writeCapacity(_ notice: CapacityNotice, at: Int64) {
        begin("ConsultantCapacitySet", stream: .consultant(notice.consultant), occurredAt: at)
        field("consultant_id", id: .consultant(notice.consultant))
        field("week_start", day: notice.weekStart)
        field("available_hours", integer: Int(notice.availableHours))
    }

    private mutating func writeTimesheetSubmission(_ entry: TimesheetEntry, at: Int64) {
        begin("TimesheetSubmitted", stream: .timesheets(consultant: entry.consultant),
              occurredAt: at)
        field("timesheet_id", id: .timesheet(entry.number))
        field("engagement_id", id: .engagement(entry.engagement))
        field("consultant_id", id: .consultant(entry.consultant))
        field("work_date", day: entry.workDay)
        field("hours", quarterHours: entry.quarterHours)
        field("billable", flag: entry.billable)
    }

    /// Writes a TimesheetApproved line, or with a reason, a rejection.
    private mutating func writeTimesheetReview(
        _ entry: TimesheetEntry,
        rejectedFor reason: UInt8?,
        by approver: Int32,
        at: Int64
    ) {
        let type: StaticString = reason == nil ? "TimesheetApproved" : "TimesheetRejected"
        begin(type, stream: .timesheets(consultant: entry.consultant), occurredAt: at)
        field("timesheet_id", id: .timesheet(entry.number))
        field("approver", user: approver)
        if let reason {
            field("reason", text: vocabulary.timesheetRejections[Int(reason)])
        }
    }

    // MARK: Approvals

    /// Writes what an approver or the requester did to an approval.
    private mutating func writeApprovalDecision(
        _ decision: ApprovalDecision,
        _ approval: ApprovalCase,
        by person: Int32,
        at: Int64
    ) {
        begin(decision.eventType, stream: .approval(approval.number), occurredAt: at)
        field("approval_id", id: .approval(approval.number))
        switch decision {
        case .stepCompleted:
            field("approver", user: person)
            field("role", word: approval.chain[Int(approval.stepsCompleted)].wireName)
        case .granted:
            field("approver", user: person)
        case .rejected:
            field("approver", user: person)
            field("reason", text: vocabulary.approvalRejections[Int(approval.rejectionReason)])
        case .withdrawn:
            field("by", user: person)
        }
    }

    private mutating func writeApprovalRequest(_ approval: ApprovalCase, at: Int64) {
        begin("ApprovalRequested", stream: .approval(approval.number), occurredAt: at)
        field("approval_id", id: .approval(approval.number))
        field("engagement_id", id: .engagement(approval.engagement))
        field("kind", word: approval.kind.wireName)
        field("subject_id", optionalID: subjectID(of: approval))
        field("requested_by", user: approval.requester)
        field("approver_role", word: approval.finalRole.wireName)
        field("amount", optionalMoney: approval.amount)
    }

    private func subjectID(of approval: ApprovalCase) -> EntityID? {
        guard approval.subject != 0 else {
            return nil
        }
        switch approval.kind {
        case .invoiceRelease:
            return .milestone(approval.subject)
        case .changeRequest:
            return .changeRequest(approval.subject)
        case .expense:
            return .expense(approval.subject)
        case .staffing:
            return .consultant(approval.subject)
        case .discount, .budgetIncrease, .writeOff:
            return nil
        }
    }
}

/// What happened to an approval after its request.
private enum ApprovalDecision {
    case stepCompleted, granted, rejected, withdrawn

    var eventType: StaticString {
        switch self {
        case .stepCompleted: "ApprovalStepCompleted"
        case .granted: "ApprovalGranted"
        case .rejected: "ApprovalRejected"
        case .withdrawn: "ApprovalWithdrawn"
        }
    }
}
