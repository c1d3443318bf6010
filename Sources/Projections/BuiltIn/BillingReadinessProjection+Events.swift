// How each event type changes billing-readiness's state. Every handler
// that can change a tracked milestone's blockers refreshes exactly the
// milestones it can change, at the event's time.

extension BillingReadinessProjection.State {
    // MARK: - Milestones

    /// A (re)definition replaces name, amount, due date and engagement; a
    /// tracked milestone that moves engagement is indexed and refreshed
    /// under the new one.
    mutating func defineMilestone(_ data: EventData, _ change: Change) throws {
        let id = try data.string("milestone_id")
        let definition = Definition(
            engagementID: try data.string("engagement_id"),
            name: try data.string("name"),
            amount: try data.decimal("amount"),
            dueDay: try data.day("due_date"))
        let previous = milestones[id]?.definition?.engagementID
        milestones[id, default: Milestone()].definition = definition

        guard milestones[id]?.isTracked == true, let previous,
            previous != definition.engagementID,
            let completionDay = milestones[id]?.completionDay
        else { return }
        untrack(id, in: previous)
        track(id, in: definition.engagementID, completionDay: completionDay)
        refresh(id, at: change.time, requireSignoff: change.requireSignoff)
    }

    /// The first completion of a defined milestone starts tracking its
    /// blockers, unless it is already invoiced.
    mutating func completeMilestone(_ data: EventData, _ change: Change) throws {
        let id = try data.string("milestone_id")
        guard let milestone = milestones[id], let definition = milestone.definition,
            milestone.completedAt == nil
        else { return }
        milestones[id]?.completedAt = change.time
        guard milestone.invoiceID == nil,
            let completionDay = milestones[id]?.completionDay
        else { return }

        track(id, in: definition.engagementID, completionDay: completionDay)
        refresh(id, at: change.time, requireSignoff: change.requireSignoff)
    }

    /// A sign-off counts whenever it arrives, even before the definition.
    mutating func receiveSignoff(_ data: EventData, _ change: Change) throws {
        let id = try data.string("milestone_id")
        guard milestones[id]?.signedOff != true else { return }
        milestones[id, default: Milestone()].signedOff = true
        refresh(id, at: change.time, requireSignoff: change.requireSignoff)
    }

    /// The first invoice naming a milestone ends the tracking of its
    /// blockers; `ready_since` keeps the value it had.
    mutating func issueInvoice(_ data: EventData) throws {
        guard let id = try data.optionalString("milestone_id"),
            milestones[id]?.invoiceID == nil
        else { return }
        let invoiceID = try data.string("invoice_id")
        let wasTracked = milestones[id]?.isTracked == true
        milestones[id, default: Milestone()].invoiceID = invoiceID

        if wasTracked, let engagement = milestones[id]?.definition?.engagementID {
            untrack(id, in: engagement)
        }
    }

    // MARK: - Timesheets

    /// A submission, first or again, may move the timesheet to another
    /// engagement or date; the milestones either placement can block are
    /// refreshed.
    mutating func submitTimesheet(_ data: EventData, _ change: Change) throws {
        let id = try data.string("timesheet_id")
        let timesheet = SubmittedTimesheet(
            engagementID: try data.string("engagement_id"),
            workDay: try data.day("work_date"))
        let previous = removeSubmitted(id)
        addSubmitted(id, timesheet)

        if let previous {
            refreshEngagement(previous.engagementID, datedFrom: previous.workDay,
                              at: change.time, requireSignoff: change.requireSignoff)
        }
        refreshEngagement(timesheet.engagementID, datedFrom: timesheet.workDay,
                          at: change.time, requireSignoff: change.requireSignoff)
    }

    /// An approval or rejection of a submitted timesheet stops it pending.
    mutating func decideTimesheet(_ data: EventData, _ change: Change) throws {
        guard let previous = removeSubmitted(try data.string("timesheet_id")) else { return }
        refreshEngagement(previous.engagementID, datedFrom: previous.workDay,
                          at: change.time, requireSignoff: change.requireSignoff)
    }

    // MARK: - Approvals

    /// A first invoice_release request opens an approval on its subject; a
    /// new request reopens a rejected or withdrawn one and changes nothing
    /// else (subject and kind stay as first requested).
    mutating func requestApproval(_ data: EventData, _ change: Change) throws {
        let id = try data.string("approval_id")
        if let approval = invoiceApprovals[id] {
            guard approval.status == .closed else { return }
            invoiceApprovals[id]?.status = .open
            open(id, on: approval.milestoneID)
            refresh(approval.milestoneID, change)
            return
        }
        guard !otherApprovals.contains(id) else { return }
        guard try data.string("kind") == "invoice_release" else {
            otherApprovals.insert(id)
            return
        }

        let subject = try data.optionalString("subject_id")
        invoiceApprovals[id] = InvoiceApproval(milestoneID: subject, status: .open)
        open(id, on: subject)
        refresh(subject, change)
    }

    /// A grant, rejection or withdrawal closes the approval; a later one
    /// overwrites the status, as in approval-aging.
    mutating func closeApproval(_ data: EventData, _ granted: Bool, _ change: Change) throws {
        let id = try data.string("approval_id")
        guard let approval = invoiceApprovals[id] else { return }
        invoiceApprovals[id]?.status = granted ? .granted : .closed
        guard approval.status == .open else { return }

        close(id, on: approval.milestoneID)
        refresh(approval.milestoneID, change)
    }

    private mutating func refresh(_ milestoneID: String?, _ change: Change) {
        guard let milestoneID else { return }
        refresh(milestoneID, at: change.time, requireSignoff: change.requireSignoff)
    }
}
