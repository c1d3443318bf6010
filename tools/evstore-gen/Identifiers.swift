// MARK: - Entity ids

/// An id the workload hands out: a fixed prefix and a zero-padded counter,
/// such as `E0042` or `TS-0001234`.
///
/// Counters only grow, so ids never repeat within one file; the padding is a
/// minimum width, and larger numbers simply print more digits.
enum EntityID {
    case engagement(Int32)
    case client(Int32)
    case consultant(Int32)
    case timesheet(Int32)
    case expense(Int32)
    case milestone(Int32)
    case invoice(Int32, year: Int)
    case approval(Int32)
    case changeRequest(Int32)
}

/// A stream name: an entity kind, a dash and the entity's id.
enum StreamName {
    /// `engagement-E0042`: engagement facts, milestones, invoices, changes.
    case engagement(Int32)
    /// `timesheet-C0017`: one consultant's timesheets and their reviews.
    case timesheets(consultant: Int32)
    /// `consultant-C0017`: one consultant's weekly capacity.
    case consultant(Int32)
    /// `approval-AP-000123`: one approval's workflow.
    case approval(Int32)
}

/// Who did it and why, as recorded in every event's metadata.
struct EventMetadata {
    /// The acting person's user number, printed as `user-<n>`.
    var actor: Int32
    /// The key of the workflow the event belongs to; it becomes the
    /// UUID-shaped `correlation_id`.
    var correlation: UInt64
    /// The line number of the event that caused this one, or 0 for an event
    /// that starts a workflow (its `causation_id` is then its own id).
    var causeLine: Int32
}

// MARK: - Writing ids

extension JSONLineWriter {
    /// Appends an entity id, without quotes.
    mutating func append(id: EntityID) {
        switch id {
        case let .engagement(number):
            append("E")
            append(unsigned: UInt64(number), width: 4)
        case let .client(number):
            append("CL-")
            append(unsigned: UInt64(number), width: 4)
        case let .consultant(number):
            append("C")
            append(unsigned: UInt64(number), width: 4)
        case let .timesheet(number):
            append("TS-")
            append(unsigned: UInt64(number), width: 7)
        case let .expense(number):
            append("EX-")
            append(unsigned: UInt64(number), width: 6)
        case let .milestone(number):
            append("MS-")
            append(unsigned: UInt64(number), width: 5)
        case let .invoice(number, year):
            append("INV-")
            append(unsigned: UInt64(year), width: 4)
            append("-")
            append(unsigned: UInt64(number), width: 5)
        case let .approval(number):
            append("AP-")
            append(unsigned: UInt64(number), width: 6)
        case let .changeRequest(number):
            append("CR-")
            append(unsigned: UInt64(number), width: 5)
        }
    }

    /// Appends a stream name, without quotes.
    mutating func append(stream: StreamName) {
        switch stream {
        case let .engagement(number):
            append("engagement-")
            append(id: .engagement(number))
        case let .timesheets(consultant):
            append("timesheet-")
            append(id: .consultant(consultant))
        case let .consultant(number):
            append("consultant-")
            append(id: .consultant(number))
        case let .approval(number):
            append("approval-")
            append(id: .approval(number))
        }
    }

    /// Appends a user id `user-<n>`, without quotes.
    mutating func append(user number: Int32) {
        append("user-")
        append(unsigned: UInt64(number))
    }

    /// Appends a UUID-shaped id (version 4 layout) derived from `key`.
    ///
    /// All 64 bits of the scrambled key land in the id, so distinct keys give
    /// distinct ids; a second scramble fills the remaining digits.
    mutating func append(correlationKey key: UInt64, salt: UInt64) {
        let unique = SplitMix64.mix(key ^ salt)
        let filler = SplitMix64.mix(unique ^ 0x5DEE_CE66_D1CE_4E5B)

        // xxxxxxxx-xxxx-4xxx-Vxxx-xxxxxxxxxxxx, V being 8, 9, a or b.
        append(hex: unique >> 32, digits: 8)
        append("-")
        append(hex: unique >> 16, digits: 4)
        append("-4")
        append(hex: unique >> 4, digits: 3)
        append("-")
        append(hex: 8 | (filler >> 62), digits: 1)
        append(hex: unique, digits: 1)
        append(hex: filler >> 48, digits: 2)
        append("-")
        append(hex: filler, digits: 12)
    }
}
