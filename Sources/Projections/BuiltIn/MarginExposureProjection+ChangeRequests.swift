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

    /// Remembers an approval of kind `change_request` with a subject until
    /// it is decided; a re-request under the same approval id replaces it.
    mutating func requestApproval(_ fields: Fields) throws {
        let id = try fields.string("approval_id")
        let kind = try fields.string("kind")
        let subject = try fields.optionalString("subject_id")
        if kind == "change_request", let subject {
            changeApprovals[id] = subject
        } else {
            changeApprovals[id] = nil
        }
    }

    /// Grants the change request an open approval names. A grant of an
    /// approval not requested, or already decided, is ignored.
    mutating func grantApproval(_ fields: Fields) throws {
        let id = try fields.string("approval_id")
        guard let changeID = changeApprovals.removeValue(forKey: id) else { return }
        guard var change = changeRequests[changeID] else {
            earlyGrants.insert(changeID)
            return
        }
        guard !change.isGranted else { return }
        change.isGranted = true
        changeRequests[changeID] = change
        ledgers[change.engagementID, default: .init()].post(change, sign: 1)
    }

    /// A rejected or withdrawn approval can no longer be granted; what it
    /// asked for stays as it was (a grant is never undone).
    mutating func closeApproval(_ fields: Fields) throws {
        changeApprovals[try fields.string("approval_id")] = nil
    }
}
