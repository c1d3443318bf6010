// MARK: - Milestones

/// When the client signs a milestone off, relative to its completion.
enum SignoffTiming: UInt8 {
    /// The usual case: a few working days after completion.
    case afterCompletion
    /// The client signs the deliverable off before the team marks it done.
    case beforeCompletion
    /// The client never signs; the milestone is never invoiced.
    case never
}

/// A deliverable of an engagement, and how far it has come.
struct Milestone {
    let number: Int32
    let nameIndex: UInt8
    /// The amount in cents; the milestones of a fixed-fee or milestone
    /// engagement add up to its contract value.
    let amount: Int64
    let dueDay: CalendarDay
    /// When the team will mark it complete; after the engagement's end for
    /// the milestones that never complete.
    let completionDay: CalendarDay
    let signoffTiming: SignoffTiming
    /// When an early sign-off arrives; used only for `.beforeCompletion`.
    let earlySignoffDay: CalendarDay
    let signatory: UInt8
    /// The workflow key shared by its completion, sign-off and invoice.
    let correlation: UInt64
    var isCompleted = false
    var isSignedOff = false
}

// MARK: - Engagements

/// A client engagement that is open or about to open: its terms, its team
/// and the running figures the simulation needs.
struct Engagement {
    let number: Int32
    let client: Int32
    let serviceLine: ServiceLine
    let billing: BillingModel
    let currency: Currency
    let deliveryManager: Int32
    let partner: Int32
    let openDay: CalendarDay
    /// The Friday the engagement closes.
    let closeDay: CalendarDay
    /// The workflow key of the engagement's lifecycle events.
    let correlation: UInt64
    var team: [TeamMember] = []
    var milestones: [Milestone] = []
    var budgetHours = 0
    /// Budgeted cost in cents.
    var budgetCost: Int64 = 0
    /// Contract value in cents.
    var contractValue: Int64 = 0
    /// Target margin in half percent: 65 is 32.5%.
    var targetMarginHalfPercent = 60
    /// Billable time not yet invoiced, in cents; used for monthly
    /// time-and-materials invoices.
    var unbilled: Int64 = 0
    /// False once the engagement has closed and its slot is free.
    var isOpen = true
}

// MARK: - Engagement book

/// The open engagements, in numbered slots that are reused after a close.
///
/// Only open engagements keep their team and milestones, so memory follows
/// the size of the firm, not the length of the workload. Slots are scanned
/// in index order, which keeps the simulation deterministic. A closed slot
/// keeps an emptied engagement rather than nil, so that reading an open
/// engagement's member in the hot path needs no optional unwrapping.
struct EngagementBook {
    /// Every slot; closed slots hold an emptied engagement that is not open.
    var engagements: [Engagement] = []
    private var freeSlots: [Int] = []

    /// Stores `engagement` in a free slot and returns the slot.
    mutating func insert(_ engagement: Engagement) -> Int {
        if let slot = freeSlots.popLast() {
            engagements[slot] = engagement
            return slot
        }
        engagements.append(engagement)
        return engagements.count - 1
    }

    /// Closes the engagement in `slot` and frees the slot.
    mutating func remove(slot: Int) {
        precondition(engagements[slot].isOpen, "closing a free engagement slot")
        engagements[slot].isOpen = false
        engagements[slot].team = []
        engagements[slot].milestones = []
        freeSlots.append(slot)
    }

    /// True when `slot` still holds open engagement `number`.
    func holds(slot: Int, number: Int32) -> Bool {
        engagements[slot].isOpen && engagements[slot].number == number
    }

    /// The engagement in `slot`, provided it is still open engagement `number`.
    func engagement(slot: Int, number: Int32) -> Engagement? {
        holds(slot: slot, number: number) ? engagements[slot] : nil
    }
}
