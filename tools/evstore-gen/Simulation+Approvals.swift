// MARK: - Approval workflows

/// An approval runs as a chain of events on its own stream:
///
///     ApprovalRequested → ApprovalStepCompleted × 1–3 → ApprovalGranted
///
/// How it ends is decided when the request is written: most are granted;
/// some are rejected at a step and about half of those re-requested under
/// the same approval id; some are withdrawn by the requester; some are left
/// open to age. A few steps are signed by the requester themself, a
/// segregation-of-duty breach that a rule engine should catch.
extension Simulation {
    /// Out of 100 approvals, how many have one step signed by the requester.
    private static let selfApprovalPercent = 3

    /// Opens an approval and plans its request at `at`.
    mutating func requestApproval(
        _ kind: ApprovalKind,
        for engagement: Engagement,
        subject: Int32,
        amount: Int64?,
        requester: Int32,
        at: Int64,
        cause: Cause
    ) {
        ids.approval += 1
        var approval = ApprovalCase(
            number: ids.approval,
            engagement: engagement.number,
            kind: kind,
            subject: subject,
            amount: amount,
            requester: requester,
            deliveryManager: engagement.deliveryManager,
            partner: engagement.partner,
            practiceLead: roster.practiceLead(of: engagement.serviceLine),
            attempt: 1,
            stepCount: 1
        )
        let steps = 1 + random.weightedIndex([45, 35, 20])
        approval.stepCount = UInt8(min(steps, approval.chain.count))
        schedule(.approvalRequested(approval), at: at, actor: requester, following: cause)
    }

    /// Decides how a just-written request ends, then plans its first event.
    mutating func planOutcome(of requested: ApprovalCase, cause: Cause) {
        var approval = requested
        let weights = approval.attempt == 1 ? [70, 12, 6, 12] : [80, 8, 4, 8]
        approval.plan = [ApprovalPlan.grant, .reject, .withdraw, .leaveOpen][
            random.weightedIndex(weights)]
        approval.stepsCompleted = 0
        approval.stepsBeforeOutcome = approval.plan == .grant
            ? approval.stepCount
            : UInt8(random.below(Int(approval.stepCount)))
        approval.selfApprovedStep = random.chance(percent: Self.selfApprovalPercent)
            ? UInt8(random.inRange(1...Int(approval.stepCount)))
            : 0
        approval.rejectionReason = UInt8(
            random.below(renderer.vocabulary.approvalRejections.count))
        planNextApprovalEvent(of: approval, cause: cause)
    }

    /// Plans the next signature, or the outcome once the planned number of
    /// signatures is in. Approvals left open simply get no further event.
    mutating func planNextApprovalEvent(of approval: ApprovalCase, cause: Cause) {
        let signed = Int(approval.stepsCompleted)
        if signed < Int(approval.stepsBeforeOutcome) {
            let wait = signed == 0 ? 1...3 : 0...2
            let at = moment(weekdaysAfter: cause.writtenAt, wait,
                            between: ClockTime(8), and: ClockTime(18))
            schedule(.approvalStepCompleted(approval), at: at,
                     actor: approver(ofStep: signed + 1, in: approval), following: cause)
            return
        }

        switch approval.plan {
        case .grant:
            let at = moment(after: cause.writtenAt, minutes: 1...30)
            schedule(.approvalGranted(approval), at: at,
                     actor: approver(ofStep: Int(approval.stepCount), in: approval),
                     following: cause)
        case .reject:
            let at = moment(weekdaysAfter: cause.writtenAt, 1...3,
                            between: ClockTime(8), and: ClockTime(18))
            schedule(.approvalRejected(approval), at: at,
                     actor: approver(ofStep: signed + 1, in: approval), following: cause)
        case .withdraw:
            let at = moment(weekdaysAfter: cause.writtenAt, 1...5,
                            between: ClockTime(8), and: ClockTime(18))
            schedule(.approvalWithdrawn(approval), at: at, actor: approval.requester,
                     following: cause)
        case .leaveOpen:
            break
        }
    }

    /// Plans what a grant unlocks: for an invoice release, the invoice.
    mutating func planGrantedFollowUp(of approval: ApprovalCase, cause: Cause) {
        guard approval.kind == .invoiceRelease, let amount = approval.amount else {
            return
        }
        ids.invoice += 1
        let notice = InvoiceNotice(
            number: ids.invoice,
            engagement: approval.engagement,
            milestone: approval.subject,
            amount: amount
        )
        let at = moment(weekdaysAfter: cause.writtenAt, 0...2,
                        between: ClockTime(9), and: ClockTime(17))
        schedule(.invoiceIssued(notice), at: at, actor: financeController(for: notice.number),
                 following: cause)
    }

    /// After a rejection, sometimes asks again under the same approval id,
    /// for a smaller amount where there is one.
    mutating func planRerequest(of rejected: ApprovalCase, cause: Cause) {
        guard rejected.attempt < 3, random.chance(percent: 50) else {
            return
        }
        var approval = rejected
        approval.attempt += 1
        approval.stepsCompleted = 0
        switch approval.kind {
        case .discount, .budgetIncrease, .writeOff:
            if let amount = approval.amount {
                approval.amount = amount * Int64(random.inRange(70...95)) / 100 / 100 * 100
            }
        case .changeRequest, .staffing, .invoiceRelease, .expense:
            break
        }
        let at = moment(weekdaysAfter: cause.writtenAt, 2...6,
                        between: ClockTime(9), and: ClockTime(17))
        schedule(.approvalRequested(approval), at: at, actor: approval.requester,
                 following: cause)
    }

    /// The user who signs `step` (1-based) of an approval.
    private func approver(ofStep step: Int, in approval: ApprovalCase) -> Int32 {
        if step == Int(approval.selfApprovedStep) {
            return approval.requester
        }
        switch approval.chain[step - 1] {
        case .engagementManager:
            return approval.deliveryManager
        case .partner:
            return approval.partner
        case .practiceLead:
            return approval.practiceLead
        case .financeController:
            return financeController(for: approval.number)
        case .cfo:
            return roster.chiefFinancialOfficer
        }
    }
}
