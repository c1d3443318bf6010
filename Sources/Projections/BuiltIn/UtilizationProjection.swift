import EventModel
import EventStore
import Foundation

// Weekly utilization per consultant.
//
// The fold keeps the current state of every timesheet by id (a
// resubmission replaces it and puts it back to submitted; a decision sets
// its status), the capacity set for each consultant and week, and the role
// of each consultant's latest assignment. It also keeps each week's sums:
// every change to a timesheet takes its old state out of its old week and
// puts its new state into its new week, so a timesheet that a resubmission
// moved leaves nothing behind, and `rows(of:now:)` reads the sums instead
// of adding up every timesheet again (version 2; version 1 summed them
// when asked, which made a replay's rows cost a pass over all timesheets).
//
// Which weeks have a row (the spec leaves it open; this is the reading
// chosen): a (consultant, week) has one while the current state of some
// timesheet lies in it, whatever that timesheet's status, or while a
// capacity is set for it. So a week whose only timesheet was rejected keeps
// a row of zeros, and a week that its only timesheet moved away from, with
// no capacity set, has no row at all.

/// Utilization of each consultant's ISO weeks: approved billable and
/// non-billable hours, hours still awaiting a decision, and billable hours
/// against the hours available and the target for the consultant's role.
///
/// One row per (consultant_id, week_start) with a timesheet or a capacity;
/// week_start is the Monday on or before the timesheet's work_date.
public struct UtilizationProjection: Projection, ReadsEventFields {
    /// Everything the fold remembers, keyed by ids.
    public struct State: Codable, Sendable, Equatable {
        /// The current state of every timesheet, by timesheet id; loaded
        /// lazily, since a replay touches few of them.
        var timesheets = LazyDictionary<Timesheet>()
        /// The latest available hours, by consultant id, then by the days
        /// from 1970-01-01 to the week's Monday.
        var capacity: [String: [Int: Decimal]] = [:]
        /// The role of each consultant's latest assignment, by consultant id.
        var roles: [String: String] = [:]
        /// The sums of every week that holds the current state of some
        /// timesheet, by consultant id, then by the days from 1970-01-01 to
        /// the week's Monday. A week leaves when its last timesheet does.
        var weeks: [String: [Int: WeekTotals]] = [:]

        init() {}

        /// Reads the fields and refuses a damaged week count (see
        /// `weekCountFault`), as the compact decoder does.
        public init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            timesheets = try container.decode(LazyDictionary<Timesheet>.self,
                                              forKey: .timesheets)
            capacity = try container.decode([String: [Int: Decimal]].self, forKey: .capacity)
            roles = try container.decode([String: String].self, forKey: .roles)
            weeks = try container.decode([String: [Int: WeekTotals]].self, forKey: .weeks)
            if let fault = weekCountFault {
                throw DecodingError.dataCorrupted(
                    DecodingError.Context(codingPath: [CodingKeys.weeks], debugDescription: fault))
            }
        }

        /// Why the weeks' timesheet counts cannot be right, or nil. Every
        /// timesheet lies in exactly one week, so each count is at least 1
        /// and they add up to the timesheets; a damaged count is refused
        /// when the state is read rather than overflowing in a later fold.
        var weekCountFault: String? {
            var counted = 0
            for byWeek in weeks.values {
                for totals in byWeek.values {
                    guard totals.timesheets >= 1, totals.timesheets <= timesheets.count else {
                        return "a week's timesheet count is out of range"
                    }
                    counted += totals.timesheets
                    guard counted <= timesheets.count else {
                        return "the weeks' timesheet counts add up to more than the timesheets"
                    }
                }
            }
            return counted == timesheets.count
                ? nil : "the weeks' timesheet counts add up to fewer than the timesheets"
        }
    }

    /// The hours of one consultant's week, by kind, and how many timesheets
    /// lie in it now (a rejected one counts there but adds no hours).
    struct WeekTotals: Codable, Sendable, Equatable {
        var billable: Decimal = 0
        var nonBillable: Decimal = 0
        var pending: Decimal = 0
        var timesheets = 0

        private var arithmetic: DecimalArithmetic { .shared }

        /// Counts a timesheet's hours under its status.
        mutating func add(_ timesheet: Timesheet) {
            tally(timesheet, adding: true)
        }

        /// Takes back exactly what `add` counted for the same timesheet.
        mutating func remove(_ timesheet: Timesheet) {
            tally(timesheet, adding: false)
        }

        private mutating func tally(_ timesheet: Timesheet, adding: Bool) {
            timesheets += adding ? 1 : -1
            func changed(_ total: Decimal) -> Decimal {
                adding ? arithmetic.sum(total, timesheet.hours)
                    : arithmetic.difference(total, timesheet.hours)
            }
            switch (timesheet.status, timesheet.billable) {
            case (.approved, true): billable = changed(billable)
            case (.approved, false): nonBillable = changed(nonBillable)
            case (.submitted, _): pending = changed(pending)
            case (.rejected, _): break
            }
        }
    }

    /// One timesheet as its latest submission and decision left it.
    struct Timesheet: Codable, Sendable, Equatable {
        var consultantID: String
        /// The days from 1970-01-01 to the Monday of the work date's week.
        var weekStart: Int
        var hours: Decimal
        var billable: Bool
        var status: Status
    }

    /// Where a timesheet stands: only approved hours count as worked.
    enum Status: String, Codable, Sendable, CaseIterable {
        case submitted, approved, rejected
    }

    /// The rules in force: default capacity and targets.
    public let rules: UtilizationRules

    /// `utilization`.
    public let name = "utilization"
    /// 2: week sums are part of the state.
    public let version = 2
    /// `consultant_id, week_start, available_hours, billable_hours,
    /// non_billable_hours, pending_hours, utilization_pct, target_pct, status`.
    public let columns: [Column] = [
        Column("consultant_id", .text),
        Column("week_start", .date),
        Column("available_hours", .decimal(places: 2)),
        Column("billable_hours", .decimal(places: 2)),
        Column("non_billable_hours", .decimal(places: 2)),
        Column("pending_hours", .decimal(places: 2)),
        Column("utilization_pct", .decimal(places: 1)),
        Column("target_pct", .decimal(places: 1)),
        Column("status", .text),
    ]
    /// 2: consultant_id and week_start.
    public let keyColumnCount = 2

    /// The event types the fold reads; others leave the state as it is.
    public var eventTypes: Set<String>? { Self.foldedTypes }

    static let foldedTypes: Set<String> = [
        "TimesheetSubmitted",
        "TimesheetApproved",
        "TimesheetRejected",
        "ConsultantCapacitySet",
        "ConsultantAssigned",
    ]

    /// Creates the projection with `rules` (the defaults when omitted).
    public init(rules: UtilizationRules = UtilizationRules()) {
        self.rules = rules
    }

    /// No timesheets, capacities or assignments.
    public func initialState() -> State {
        State()
    }

    /// Folds one event. Only timesheet, capacity and assignment events are
    /// read; every other type returns before its data is parsed. A decision
    /// on a timesheet not yet submitted is ignored.
    ///
    /// - Throws: `ValidationError` when a field this fold reads is missing or
    ///   malformed (the append's validation would have refused it).
    /// - Complexity: O(1) expected, plus the parse of the event's data.
    public func fold(_ state: inout State, _ event: RecordedEvent) throws {
        switch event.type {
        case "TimesheetSubmitted":
            try state.submit(Fields(event))
        case "TimesheetApproved":
            try state.decide(Fields(event), .approved)
        case "TimesheetRejected":
            try state.decide(Fields(event), .rejected)
        case "ConsultantCapacitySet":
            try state.setCapacity(Fields(event))
        case "ConsultantAssigned":
            let fields = try Fields(event)
            state.roles[try fields.string("consultant_id")] = try fields.string("role")
        default:
            return
        }
    }
}

// MARK: - Fold steps

extension UtilizationProjection.State {
    typealias Timesheet = UtilizationProjection.Timesheet

    /// Records a submission, replacing any earlier one with the same id.
    mutating func submit(_ fields: UtilizationProjection.Fields) throws {
        let id = try fields.string("timesheet_id")
        let timesheet = Timesheet(
            consultantID: try fields.string("consultant_id"),
            weekStart: try fields.date("work_date").isoWeekStart.daysSinceEpoch,
            hours: try fields.decimal("hours"),
            billable: try fields.bool("billable"),
            status: .submitted)
        let old = try timesheets.updateValue(timesheet, forKey: id)
        replaceInWeeks(old, with: timesheet)
    }

    /// Sets a known timesheet's status; the latest decision wins.
    mutating func decide(_ fields: UtilizationProjection.Fields,
                         _ status: UtilizationProjection.Status) throws {
        let id = try fields.string("timesheet_id")
        guard var timesheet = try timesheets.value(forKey: id) else { return }
        let old = timesheet
        timesheet.status = status
        try timesheets.updateValue(timesheet, forKey: id)
        replaceInWeeks(old, with: timesheet)
    }

    /// Moves a timesheet's hours from its old state's week to its new
    /// state's week (the same week when only the status changed).
    private mutating func replaceInWeeks(_ old: Timesheet?, with new: Timesheet) {
        var old = old
        if let moved = old,
           moved.consultantID != new.consultantID || moved.weekStart != new.weekStart {
            changeWeek(of: moved) { $0.remove(moved) }
            old = nil
        }
        changeWeek(of: new) { totals in
            if let old { totals.remove(old) }
            totals.add(new)
        }
    }

    /// Changes the sums of `timesheet`'s week in place, and drops the week
    /// (and the consultant) when no timesheet is left there.
    private mutating func changeWeek(of timesheet: Timesheet,
                                     _ change: (inout UtilizationProjection.WeekTotals) -> Void) {
        let consultant = timesheet.consultantID
        let week = timesheet.weekStart
        func apply(_ totals: inout UtilizationProjection.WeekTotals) -> Int {
            change(&totals)
            return totals.timesheets
        }
        guard apply(&weeks[consultant, default: [:]][week, default: .init()]) == 0 else {
            return
        }
        weeks[consultant]?[week] = nil
        if weeks[consultant]?.isEmpty == true { weeks[consultant] = nil }
    }

    /// Records the latest capacity of one consultant's week.
    mutating func setCapacity(_ fields: UtilizationProjection.Fields) throws {
        let consultant = try fields.string("consultant_id")
        let week = try fields.date("week_start").isoWeekStart.daysSinceEpoch
        capacity[consultant, default: [:]][week] = try fields.decimal("available_hours")
    }
}

// MARK: - Reading event data

extension UtilizationProjection {
    typealias Fields = EventFields
}
