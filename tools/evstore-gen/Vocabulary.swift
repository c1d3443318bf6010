// MARK: - Vocabulary

/// The free text of the workload: milestone names, client signatories and
/// rejection reasons, escaped for JSON once at start-up.
///
/// A few entries hold non-ASCII letters, an apostrophe or double quotes on
/// purpose, so that readers of the file meet multi-byte UTF-8 and escaped
/// quotes in ordinary data.
struct Vocabulary {
    /// Deliverable names for milestones, roughly in delivery order.
    let milestoneNames: [[UInt8]]
    /// Client-side people who sign off milestones.
    let signatories: [[UInt8]]
    /// Why a manager sends a timesheet back.
    let timesheetRejections: [[UInt8]]
    /// Why an approver turns a request down.
    let approvalRejections: [[UInt8]]

    init() {
        milestoneNames = [
            "Discovery and mobilisation complete",
            "Current-state assessment delivered",
            "Target operating model agreed",
            "Solution design signed off",
            "Build and configuration complete",
            "User acceptance testing passed",
            "Go-live and cutover",
            "Hypercare exit",
            "Final report and board presentation",
            "Knowledge transfer complete",
        ].map(JSONText.escaped)

        signatories = [
            "Anna Becker (CFO)", "James O'Connor", "Sophie Laurent",
            "Marco Rossi", "Zoë Fischer", "José García", "Priya Raman",
            "Ngozi Adeyemi", "Lars Søndergaard", "Hannah Weiß",
            "Emily Carter", "Tomasz Nowak", "Chloé Dubois", "David Kim",
        ].map(JSONText.escaped)

        timesheetRejections = [
            "Hours booked to the wrong engagement code",
            "Missing task description",
            "Travel time is not billable on this engagement",
            "Hours exceed the agreed daily cap",
            "Duplicate entry for the same day",
            "Work date falls in an approved holiday",
            "Client flagged \"internal meetings\" as non-billable",
        ].map(JSONText.escaped)

        approvalRejections = [
            "Exceeds delegated authority",
            "Business case missing",
            "Budget variance not explained",
            "Please split into smaller requests",
            "Client has not confirmed the scope change",
            "Margin would fall below the floor",
            "Supporting receipts missing",
            "Resubmit after the steering committee",
        ].map(JSONText.escaped)
    }
}
