import EventModel
import Foundation

// What billing-readiness remembers, and how it works out a milestone's
// blockers.
//
// Only what can still block a milestone is kept: timesheets whose latest
// state is submitted (an approval or rejection drops one; a resubmission
// brings back everything it needs), counted per engagement and work date,
// and the invoice_release approvals with, per milestone, the open ones. The
// milestones whose blockers are tracked (defined, completed, not invoiced)
// are indexed by engagement with their completion's UTC date, so a
// timesheet event looks only at its engagement's milestones completed on or
// after its work date, and an approval event only at its subject.

extension BillingReadinessProjection {
    /// Milestones, submitted timesheets and invoice_release approvals, with
    /// the indexes that find the milestones an event can change. Times are
    /// microseconds since the epoch; dates are days since 1970-01-01.
    public struct State: Codable, Sendable, Equatable {
        /// Every milestone an event named, defined or not yet.
        var milestones: [String: Milestone] = [:]
        /// Engagement → its milestones whose blockers are tracked, each
        /// with its completion's UTC date.
        var trackedByEngagement: [String: [String: Int]] = [:]
        /// Timesheets whose latest state is submitted, by id.
        var submittedTimesheets: [String: SubmittedTimesheet] = [:]
        /// Engagement → work date → how many of its timesheets are submitted.
        var submittedCounts: [String: [Int: Int]] = [:]
        /// Every invoice_release approval, by id.
        var invoiceApprovals: [String: InvoiceApproval] = [:]
        /// Approvals of other kinds: a re-request keeps the first kind, so
        /// it must not turn one of these into an invoice release.
        var otherApprovals: Set<String> = []
        /// Milestone → its open invoice_release approvals.
        var openApprovals: [String: Set<String>] = [:]
    }

    /// One milestone. A sign-off or an invoice may arrive before the
    /// definition; the milestone has a row only once it is defined.
    struct Milestone: Codable, Sendable, Equatable {
        var definition: Definition?
        /// The first completion's time.
        var completedAt: Int64?
        var signedOff = false
        /// The first invoice naming the milestone.
        var invoiceID: String?
        /// When the last blocker went away; kept once invoiced.
        var readySince: Int64?

        /// Whether blockers are worked out: completed and not invoiced.
        var isTracked: Bool {
            definition != nil && completedAt != nil && invoiceID == nil
        }

        /// The completion's UTC date, in days since 1970-01-01.
        var completionDay: Int? {
            completedAt.map { Timestamp(microseconds: $0).utcDate.daysSinceEpoch }
        }
    }

    /// The latest `MilestoneDefined`'s fields.
    struct Definition: Codable, Sendable, Equatable {
        var engagementID: String
        var name: String
        var amount: Decimal
        var dueDay: Int
    }

    /// A timesheet whose latest state is submitted.
    struct SubmittedTimesheet: Codable, Sendable, Equatable {
        var engagementID: String
        var workDay: Int
    }

    /// An invoice_release approval: its subject as first requested, and
    /// whether it is open, granted, or rejected or withdrawn (which a new
    /// request reopens).
    struct InvoiceApproval: Codable, Sendable, Equatable {
        enum Status: String, Codable, Sendable {
            case open, granted, closed
        }

        var milestoneID: String?
        var status: Status
    }
}

// MARK: - Blockers

extension BillingReadinessProjection {
    /// What holds a completed milestone back from being invoiced. The fold
    /// asks only whether there is anything (no text, no sorting); the row
    /// prints the labels.
    struct Blockers {
        var awaitingSignoff: Bool
        /// Submitted timesheets of the engagement dated on or before the
        /// completion's UTC date.
        var pendingTimesheets: Int
        /// Open invoice_release approvals whose subject is the milestone.
        var openApprovals: Set<String>

        var isEmpty: Bool {
            !awaitingSignoff && pendingTimesheets == 0 && openApprovals.isEmpty
        }

        /// `awaiting_signoff`, `timesheets_pending:N`, then
        /// `approval_pending:ID` in id order.
        var labels: [String] {
            var labels: [String] = []
            if awaitingSignoff { labels.append("awaiting_signoff") }
            if pendingTimesheets > 0 { labels.append("timesheets_pending:\(pendingTimesheets)") }
            for approval in openApprovals.sorted() {
                labels.append("approval_pending:\(approval)")
            }
            return labels
        }
    }
}

extension BillingReadinessProjection.State {
    // The projection's nested types, by their short names, for the State's
    // extensions (a nested type's extension does not see its siblings).
    typealias Milestone = BillingReadinessProjection.Milestone
    typealias Definition = BillingReadinessProjection.Definition
    typealias SubmittedTimesheet = BillingReadinessProjection.SubmittedTimesheet
    typealias InvoiceApproval = BillingReadinessProjection.InvoiceApproval
    typealias EventData = BillingReadinessProjection.EventData
    typealias Change = BillingReadinessProjection.Change
    typealias Blockers = BillingReadinessProjection.Blockers

    /// A tracked milestone's blockers; `nil` for a milestone that is not
    /// tracked (open, invoiced, or not defined).
    ///
    /// - Complexity: O(d) for d work dates with submitted timesheets on its
    ///   engagement.
    func blockers(of id: String, requireSignoff: Bool) -> Blockers? {
        guard let milestone = milestones[id], milestone.isTracked,
            let definition = milestone.definition, let completionDay = milestone.completionDay
        else { return nil }

        let pending = submittedCounts[definition.engagementID, default: [:]]
            .reduce(0) { sum, entry in entry.key <= completionDay ? sum + entry.value : sum }
        return Blockers(
            awaitingSignoff: requireSignoff && !milestone.signedOff,
            pendingTimesheets: pending,
            openApprovals: openApprovals[id, default: []])
    }

    /// Works out a tracked milestone's blockers again after an event at
    /// `time`: the milestone becomes ready at `time` if it was not already,
    /// or loses its ready time when something blocks it.
    mutating func refresh(_ id: String, at time: Int64, requireSignoff: Bool) {
        guard let blockers = blockers(of: id, requireSignoff: requireSignoff) else { return }
        if blockers.isEmpty {
            if milestones[id]?.readySince == nil { milestones[id]?.readySince = time }
        } else {
            milestones[id]?.readySince = nil
        }
    }

    /// Refreshes the tracked milestones of an engagement that a timesheet
    /// dated `workDay` can block: those completed on or after that date.
    mutating func refreshEngagement(_ engagementID: String, datedFrom workDay: Int,
                                    at time: Int64, requireSignoff: Bool) {
        for (id, completionDay) in trackedByEngagement[engagementID, default: [:]]
        where completionDay >= workDay {
            refresh(id, at: time, requireSignoff: requireSignoff)
        }
    }

    // MARK: - Indexes

    mutating func track(_ id: String, in engagementID: String, completionDay: Int) {
        trackedByEngagement[engagementID, default: [:]][id] = completionDay
    }

    mutating func untrack(_ id: String, in engagementID: String) {
        trackedByEngagement[engagementID]?[id] = nil
        if trackedByEngagement[engagementID]?.isEmpty == true {
            trackedByEngagement[engagementID] = nil
        }
    }

    mutating func addSubmitted(_ id: String, _ timesheet: SubmittedTimesheet) {
        submittedTimesheets[id] = timesheet
        submittedCounts[timesheet.engagementID, default: [:]][timesheet.workDay, default: 0] += 1
    }

    /// Forgets a submitted timesheet; `nil` if its latest state was not
    /// submitted.
    mutating func removeSubmitted(_ id: String) -> SubmittedTimesheet? {
        guard let timesheet = submittedTimesheets.removeValue(forKey: id) else { return nil }
        let engagement = timesheet.engagementID
        submittedCounts[engagement]?[timesheet.workDay]? -= 1
        if submittedCounts[engagement]?[timesheet.workDay] == 0 {
            submittedCounts[engagement]?[timesheet.workDay] = nil
        }
        if submittedCounts[engagement]?.isEmpty == true {
            submittedCounts[engagement] = nil
        }
        return timesheet
    }

    mutating func open(_ approvalID: String, on milestoneID: String?) {
        guard let milestoneID else { return }
        openApprovals[milestoneID, default: []].insert(approvalID)
    }

    mutating func close(_ approvalID: String, on milestoneID: String?) {
        guard let milestoneID else { return }
        openApprovals[milestoneID]?.remove(approvalID)
        if openApprovals[milestoneID]?.isEmpty == true {
            openApprovals[milestoneID] = nil
        }
    }
}
