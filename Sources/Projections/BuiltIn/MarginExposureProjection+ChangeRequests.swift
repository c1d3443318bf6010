import EventModel
import Foundation

// Change requests move an engagement's contract value and budget hours once
// granted. The grant names an approval, the approval names the change
// request, and the two may be folded in either order relative to the
// change request's submission: a grant for a change request not yet seen
// waits in `earlyGrants`. Deltas are posted once per change request id,
// however many approvals are granted for it.

extension MarginExposureProjection.State {
    /// Records a change request; one already granted (now, or earlier by
    /// a grant folded before it) posts its deltas. A repeated submission
    /// replaces the deltas and keeps the grant.
    mutating func submitChangeRequest(_ fields: Fields) throws {
        let id = try fields.string("change_request_id")
        let old = changeRequests[id]
        let wasGrantedEarly = earlyGrants.remove(id) != nil
        let change = MarginExposureProjection.ChangeRequest(
            engagementID: try fields.string("engagement_id"),
            hoursDelta: try fields.decimal("hours_delta"),
            valueDelta: try fields.decimal("value_delta"),
            isGranted: (old?.isGranted ?? false) || wasGrantedEarly)
        if let old, old.isGranted {
            ledgers[old.engagementID, default: .init()].post(old, sign: -1)
        }
        changeRequests[id] = change
        if change.isGranted {
            ledgers[change.engagementID, default: .init()].post(change, sign: 1)
        }
    }

    /// The first request of an approval fixes its kind and subject. A
    /// later request reopens a rejected or withdrawn approval, still about
    /// the same change request, and changes nothing on an open or granted one.
    mutating func requestApproval(_ fields: Fields) throws {
        let id = try fields.string("approval_id")
        if var known = changeApprovals[id] {
            if known.status == .closed {
                known.status = .open
                changeApprovals[id] = known
            }
            return
        }
        let kind = try fields.string("kind")
        let subject = try fields.optionalString("subject_id")
        changeApprovals[id] = MarginExposureProjection.ChangeApproval(
            subject: kind == "change_request" ? subject : nil, status: .open)
    }

    /// Grants the change request an open approval names. A grant of an
    /// approval not requested, or not open, is ignored.
    mutating func grantApproval(_ fields: Fields) throws {
        let id = try fields.string("approval_id")
        guard var approval = changeApprovals[id], approval.status == .open else { return }
        approval.status = .granted
        changeApprovals[id] = approval
        guard let changeID = approval.subject else { return }
        guard var change = changeRequests[changeID] else {
            earlyGrants.insert(changeID)
            return
        }
        guard !change.isGranted else { return }
        change.isGranted = true
        changeRequests[changeID] = change
        ledgers[change.engagementID, default: .init()].post(change, sign: 1)
    }

    /// A rejected or withdrawn approval can no longer be granted until it is
    /// requested again; what a grant posted stays (a grant is never undone).
    mutating func closeApproval(_ fields: Fields) throws {
        let id = try fields.string("approval_id")
        guard var approval = changeApprovals[id], approval.status != .granted else { return }
        approval.status = .closed
        changeApprovals[id] = approval
    }
}
