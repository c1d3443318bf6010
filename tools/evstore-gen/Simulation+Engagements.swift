// MARK: - Engagement business

extension Simulation {
    /// Plans each open engagement's business for `day`: milestone progress,
    /// monthly invoices, the odd approval, change request or re-assignment,
    /// and the close on the last day.
    mutating func planEngagementBusiness(on day: CalendarDay) {
        let firstWeekdayOfMonth = Self.isFirstWeekdayOfMonth(day)

        for slot in book.engagements.indices {
            guard book.engagements[slot].isOpen, book.engagements[slot].openDay < day else {
                continue
            }
            let engagement = book.engagements[slot]
            planMilestoneProgress(of: engagement, inSlot: slot, on: day)
            if firstWeekdayOfMonth, engagement.billing == .timeAndMaterials {
                planTimeAndMaterialsInvoice(inSlot: slot, on: day,
                                            between: ClockTime(9), and: ClockTime(12))
            }

            if day < engagement.closeDay {
                planOccasionalBusiness(of: engagement, inSlot: slot, on: day)
            } else if day == engagement.closeDay {
                planClosing(of: engagement, inSlot: slot, on: day)
            }
        }
    }

    private static func isFirstWeekdayOfMonth(_ day: CalendarDay) -> Bool {
        let dayOfMonth = day.civilFields.day
        return day.isWeekday && (dayOfMonth == 1 || (dayOfMonth <= 3 && day.weekdayIndex == 0))
    }

    private mutating func planOccasionalBusiness(
        of engagement: Engagement,
        inSlot slot: Int,
        on day: CalendarDay
    ) {
        if random.chance(perMille: 380) {
            planAdHocApproval(for: engagement, on: day)
        }
        if random.chance(perMille: 50) {
            planChangeRequest(for: engagement, inSlot: slot, on: day)
        }
        let daysOpen = day.daysSinceEpoch - engagement.openDay.daysSinceEpoch
        if random.chance(perMille: 15), daysOpen > 14 {
            planReassignment(inSlot: slot, on: day)
        }
    }

    /// Plans the final time-and-materials invoice, then the close itself in
    /// the evening, after the day's timesheets.
    private mutating func planClosing(of engagement: Engagement, inSlot slot: Int,
                                      on day: CalendarDay) {
        if engagement.billing == .timeAndMaterials {
            planTimeAndMaterialsInvoice(inSlot: slot, on: day,
                                        between: ClockTime(15), and: ClockTime(17))
        }
        let at = moment(on: day, between: ClockTime(19, 45), and: ClockTime(20, 30))
        let event = PlannedEvent.engagementClosed(slot: Int32(slot), engagement: engagement.number)
        schedule(event, at: at, actor: engagement.deliveryManager,
                 correlation: engagement.correlation)
    }

    // MARK: Invoices

    /// Invoices the billable time not yet invoiced, if there is any.
    private mutating func planTimeAndMaterialsInvoice(
        inSlot slot: Int,
        on day: CalendarDay,
        between earliest: ClockTime,
        and latest: ClockTime
    ) {
        let unbilled = book.engagements[slot].unbilled
        guard unbilled > 0 else {
            return
        }
        book.engagements[slot].unbilled = 0

        ids.invoice += 1
        let notice = InvoiceNotice(
            number: ids.invoice,
            engagement: book.engagements[slot].number,
            milestone: 0,
            amount: unbilled
        )
        let at = moment(on: day, between: earliest, and: latest)
        schedule(.invoiceIssued(notice), at: at, actor: financeController(for: notice.number),
                 correlation: newCorrelation())
    }

    /// The finance controller on duty for a document number; they take turns.
    func financeController(for number: Int32) -> Int32 {
        roster.financeControllers[Int(number) % roster.financeControllers.count]
    }

    // MARK: Milestones

    /// Plans the completions and early sign-offs that fall on `day`.
    private mutating func planMilestoneProgress(
        of engagement: Engagement,
        inSlot slot: Int,
        on day: CalendarDay
    ) {
        for (index, milestone) in engagement.milestones.enumerated() {
            let completes = milestone.completionDay == day
            let signsEarly = milestone.signoffTiming == .beforeCompletion
                && milestone.earlySignoffDay == day
            guard completes || signsEarly else {
                continue
            }

            let progress = MilestoneProgress(
                slot: Int32(slot),
                engagement: engagement.number,
                index: Int32(index),
                milestone: milestone.number,
                signatory: milestone.signatory
            )
            let at = moment(on: day, between: ClockTime(10), and: ClockTime(17))
            let event = completes
                ? PlannedEvent.milestoneCompleted(progress)
                : .clientSignoffReceived(progress)
            schedule(event, at: at, actor: engagement.deliveryManager,
                     correlation: milestone.correlation)
        }
    }

    /// Marks a milestone complete; asks the client to sign it off, or, when
    /// they already have, asks for the invoice to be released.
    mutating func recordCompletion(of progress: MilestoneProgress, cause: Cause) {
        guard book.holds(slot: Int(progress.slot), number: progress.engagement) else {
            return
        }
        let slot = Int(progress.slot)
        let index = Int(progress.index)
        book.engagements[slot].milestones[index].isCompleted = true
        let milestone = book.engagements[slot].milestones[index]

        if milestone.isSignedOff {
            requestInvoiceRelease(for: progress, cause: cause)
        } else if milestone.signoffTiming == .afterCompletion {
            let at = moment(weekdaysAfter: cause.writtenAt, 1...8,
                            between: ClockTime(9), and: ClockTime(18))
            schedule(.clientSignoffReceived(progress), at: at,
                     actor: book.engagements[slot].deliveryManager, following: cause)
        }
    }

    /// Records a client sign-off; once the milestone is also complete, asks
    /// for its invoice to be released.
    mutating func recordSignoff(of progress: MilestoneProgress, cause: Cause) {
        guard book.holds(slot: Int(progress.slot), number: progress.engagement) else {
            return
        }
        let slot = Int(progress.slot)
        let index = Int(progress.index)
        book.engagements[slot].milestones[index].isSignedOff = true
        if book.engagements[slot].milestones[index].isCompleted {
            requestInvoiceRelease(for: progress, cause: cause)
        }
    }

    /// Asks for approval to invoice a done and signed milestone; time and
    /// materials engagements invoice monthly instead.
    private mutating func requestInvoiceRelease(for progress: MilestoneProgress, cause: Cause) {
        let slot = Int(progress.slot)
        guard let engagement = book.engagement(slot: slot, number: progress.engagement),
              engagement.billing != .timeAndMaterials
        else {
            return
        }
        let milestone = engagement.milestones[Int(progress.index)]
        requestApproval(
            .invoiceRelease,
            for: engagement,
            subject: milestone.number,
            amount: milestone.amount,
            requester: engagement.deliveryManager,
            at: moment(after: cause.writtenAt, minutes: 20...600),
            cause: cause
        )
    }

    // MARK: Approvals and change requests

    /// Plans an approval the delivery manager asks for out of the blue: a
    /// discount, a staffing change, more budget or a write-off.
    private mutating func planAdHocApproval(for engagement: Engagement, on day: CalendarDay) {
        let kind = [ApprovalKind.discount, .staffing, .budgetIncrease, .writeOff][
            random.weightedIndex([25, 25, 30, 20])]
        var subject: Int32 = 0
        var amount: Int64?

        switch kind {
        case .discount:
            amount = engagement.contractValue * Int64(random.inRange(2...10)) / 100 / 100 * 100
        case .staffing:
            if random.chance(percent: 65) {
                subject = random.element(of: engagement.team).consultant
            }
        case .budgetIncrease:
            amount = engagement.budgetCost * Int64(random.inRange(5...20)) / 100 / 10_000 * 10_000
        default:
            amount = Int64(random.inRange(30_000...1_500_000))
        }

        let at = moment(on: day, between: ClockTime(9), and: ClockTime(17))
        let root = Cause(line: 0, writtenAt: at, correlation: newCorrelation())
        requestApproval(kind, for: engagement, subject: subject, amount: amount,
                        requester: engagement.deliveryManager, at: at, cause: root)
    }

    /// Plans a change request: usually more scope, sometimes less.
    private mutating func planChangeRequest(for engagement: Engagement, inSlot slot: Int,
                                            on day: CalendarDay) {
        let hoursDelta = random.chance(percent: 80)
            ? random.inRange(8...200)
            : -random.inRange(8...80)
        let rate = engagement.team[min(1, engagement.team.count - 1)].billRate
        let valueDelta = Int64(hoursDelta) * rate / 10_000 * 10_000

        ids.changeRequest += 1
        let notice = ChangeRequestNotice(
            number: ids.changeRequest,
            slot: Int32(slot),
            engagement: engagement.number,
            hoursDelta: Int32(hoursDelta),
            valueDelta: valueDelta
        )
        let at = moment(on: day, between: ClockTime(10), and: ClockTime(17))
        schedule(.changeRequestSubmitted(notice), at: at, actor: engagement.deliveryManager,
                 correlation: newCorrelation())
    }

    /// Asks for approval of a just-submitted change request.
    mutating func planChangeRequestApproval(for notice: ChangeRequestNotice, cause: Cause) {
        let slot = Int(notice.slot)
        guard let engagement = book.engagement(slot: slot, number: notice.engagement) else {
            return
        }
        requestApproval(
            .changeRequest,
            for: engagement,
            subject: notice.number,
            amount: notice.valueDelta.magnitude == 0 ? nil : Int64(notice.valueDelta.magnitude),
            requester: engagement.deliveryManager,
            at: moment(after: cause.writtenAt, minutes: 10...240),
            cause: cause
        )
    }

    /// Asks for approval of a large expense claim.
    mutating func planExpenseApproval(for claim: ExpenseClaim, cause: Cause) {
        guard claim.amount > 50_000,
              let engagement = book.engagement(slot: Int(claim.slot), number: claim.engagement)
        else {
            return
        }
        requestApproval(
            .expense,
            for: engagement,
            subject: claim.number,
            amount: claim.amount,
            requester: claim.consultant,
            at: moment(after: cause.writtenAt, minutes: 5...90),
            cause: cause
        )
    }
}
