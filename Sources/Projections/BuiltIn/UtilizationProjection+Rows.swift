import EventModel
import Foundation

// The rows of the utilization read model, summed from the timesheets'
// current states when asked for, so the fold stays a few dictionary writes.

extension UtilizationProjection {
    /// Where a week stands against capacity and target, first match wins.
    enum WeekStatus: String {
        case overCapacity = "over_capacity"
        case noCapacity = "no_capacity"
        case belowTarget = "below_target"
        case onTarget = "on_target"

        /// Classifies a week on exact values, never printed ones.
        ///
        /// - Parameters:
        ///   - worked: Approved billable plus non-billable hours.
        ///   - available: The week's available hours.
        ///   - utilization: Billable over available hours, in percent;
        ///     `nil` when nothing is available.
        ///   - target: The target, in percent.
        init(worked: Decimal, available: Decimal, utilization: Decimal?, target: Decimal) {
            if worked > available {
                self = .overCapacity
            } else if available == 0 {
                self = .noCapacity
            } else if let utilization, utilization < target {
                self = .belowTarget
            } else {
                self = .onTarget
            }
        }
    }

    /// One consultant's week: the row key.
    struct WeekKey: Hashable {
        var consultantID: String
        /// The days from 1970-01-01 to the week's Monday.
        var weekStart: Int

        /// Code-point order of consultant_id, then of week_start; printed
        /// dates have four-digit years, so their text order is day order.
        static func precedes(_ lhs: WeekKey, _ rhs: WeekKey) -> Bool {
            if lhs.consultantID != rhs.consultantID {
                return utf8Precedes(lhs.consultantID, rhs.consultantID)
            }
            return lhs.weekStart < rhs.weekStart
        }
    }

    /// The hours of one week, by kind.
    struct WeekTotals {
        var billable: Decimal = 0
        var nonBillable: Decimal = 0
        var pending: Decimal = 0

        /// Adds a timesheet by its status; a rejected one adds nothing.
        mutating func add(_ timesheet: Timesheet, _ adder: inout DecimalAdder) {
            switch (timesheet.status, timesheet.billable) {
            case (.approved, true): billable = adder.sum(billable, timesheet.hours)
            case (.approved, false): nonBillable = adder.sum(nonBillable, timesheet.hours)
            case (.submitted, _): pending = adder.sum(pending, timesheet.hours)
            case (.rejected, _): break
            }
        }
    }

    /// Billable hours over available hours, in percent, remembered by the
    /// bits of the two: many weeks share the same hours and capacity, and
    /// an exact division costs microseconds.
    struct UtilizationMemo {
        private struct Operands: Hashable {
            var billable: DecimalBits
            var available: DecimalBits
        }

        private var memo = DecimalMemo<Operands, Decimal>()

        /// `billable * 100 / available`; nil when nothing is available.
        mutating func percent(_ billable: Decimal, of available: Decimal) -> Decimal? {
            guard available != 0 else { return nil }
            guard let left = DecimalBits(billable), let right = DecimalBits(available) else {
                return billable * 100 / available
            }
            return memo.value(Operands(billable: left, available: right)) {
                billable * 100 / available
            }
        }
    }

    /// One row per (consultant_id, week_start) with a timesheet or a
    /// capacity, sorted by consultant_id then week_start. `now` is unused:
    /// no column depends on the time of asking.
    ///
    /// - Complexity: O(t + c + w log w) for t timesheets, c capacities and
    ///   w rows.
    public func rows(of state: State, now: Timestamp) -> [Row] {
        let weeks = weeklyTotals(state)
        var memo = UtilizationMemo()
        return weeks
            .sorted { WeekKey.precedes($0.key, $1.key) }
            .map { row(for: $0.key, $0.value, state, memo: &memo) }
    }

    /// The row of one week (`key` is `consultant_id/week_start`), for `explain`.
    /// - Complexity: O(t) for t timesheets, without sorting or building
    ///   other weeks' rows.
    public func row(of state: State, key: String, now: Timestamp) -> Row? {
        guard let slash = key.lastIndex(of: "/"),
              let week = try? CalendarDate(iso: key[key.index(after: slash)...]) else {
            return nil
        }
        let wanted = WeekKey(consultantID: String(key[..<slash]), weekStart: week.daysSinceEpoch)
        var totals = WeekTotals()
        var adder = DecimalAdder()
        var seen = state.capacity[wanted.consultantID]?[wanted.weekStart] != nil
        for timesheet in state.timesheets.values
        where timesheet.weekStart == wanted.weekStart
            && timesheet.consultantID == wanted.consultantID {
            totals.add(timesheet, &adder)
            seen = true
        }
        var memo = UtilizationMemo()
        return seen ? row(for: wanted, totals, state, memo: &memo) : nil
    }

    /// The totals of every week some timesheet is in or some capacity is
    /// set for; a week with only rejected timesheets gets zeros.
    func weeklyTotals(_ state: State) -> [WeekKey: WeekTotals] {
        var weeks: [WeekKey: WeekTotals] = [:]
        var adder = DecimalAdder()
        for timesheet in state.timesheets.values {
            let key = WeekKey(consultantID: timesheet.consultantID,
                              weekStart: timesheet.weekStart)
            weeks[key, default: WeekTotals()].add(timesheet, &adder)
        }
        for (consultant, byWeek) in state.capacity {
            for week in byWeek.keys {
                let key = WeekKey(consultantID: consultant, weekStart: week)
                if weeks[key] == nil { weeks[key] = WeekTotals() }
            }
        }
        return weeks
    }

    /// The cells of one week, in column order.
    func row(for key: WeekKey, _ totals: WeekTotals, _ state: State,
             memo: inout UtilizationMemo) -> Row {
        let available = state.capacity[key.consultantID]?[key.weekStart]
            ?? rules.defaultAvailableHours
        let utilization = memo.percent(totals.billable, of: available)
        let target = rules.targetPercent(forRole: state.roles[key.consultantID])
        let status = WeekStatus(worked: totals.billable + totals.nonBillable,
                                available: available,
                                utilization: utilization,
                                target: target)
        return [
            .text(key.consultantID),
            .date(CalendarDate(daysSinceEpoch: key.weekStart)),
            .decimal(available),
            .decimal(totals.billable),
            .decimal(totals.nonBillable),
            .decimal(totals.pending),
            utilization.map(Cell.decimal) ?? .null,
            .decimal(target),
            .text(status.rawValue),
        ]
    }
}
