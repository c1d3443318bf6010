import EventModel
import Foundation

// The rows of the utilization read model, from the week sums the fold keeps.

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
        ///   - billable: Approved billable hours.
        ///   - nonBillable: Approved non-billable hours; with `billable`,
        ///     the hours worked.
        ///   - available: The week's available hours.
        ///   - utilization: Billable over available hours, in percent;
        ///     `nil` when nothing is available.
        ///   - target: The target, in percent.
        init(billable: Decimal, nonBillable: Decimal, available: Decimal,
             utilization: Decimal?, target: Decimal) {
            if billable.plus(nonBillable, isExactlyAbove: available) {
                self = .overCapacity
            } else if available.isZero {
                self = .noCapacity
            } else if let utilization, utilization.isExactlyBelow(target) {
                self = .belowTarget
            } else {
                self = .onTarget
            }
        }
    }

    /// A week's utilization, remembered by the bits of its billable and
    /// available hours: many weeks share them, and Foundation's exact
    /// division costs tens of microseconds.
    struct UtilizationMemo {
        private struct Percent: Hashable {
            var billable: DecimalBits
            var available: DecimalBits
        }

        private var percents = DecimalMemo<Percent, Decimal?>()

        /// Billable over available hours, in percent (nil when nothing is
        /// available), and where the week stands.
        mutating func assess(_ sums: WeekTotals, available: Decimal, target: Decimal)
            -> (utilization: Decimal?, status: WeekStatus)
        {
            // The memo key is nil (no memo) when a decimal's bits are not known.
            var key: Percent?
            if let billable = DecimalBits(sums.billable), let capacity = DecimalBits(available) {
                key = Percent(billable: billable, available: capacity)
            }
            let utilization = percents.value(key) {
                available == 0 ? nil : sums.billable * 100 / available
            }
            let status = WeekStatus(billable: sums.billable, nonBillable: sums.nonBillable,
                                    available: available, utilization: utilization,
                                    target: target)
            return (utilization, status)
        }
    }

    /// One row per (consultant_id, week_start) with a timesheet or a
    /// capacity, sorted by the code points of consultant_id, then by
    /// week_start. `now` is unused: no column depends on the time of asking.
    ///
    /// - Complexity: O(w + c log c + w log w) for w rows and c consultants;
    ///   the week sums are kept by the fold, so no timesheet is read.
    public func rows(of state: State, now: Timestamp) -> [Row] {
        var consultants = Array(state.weeks.keys)
        for consultant in state.capacity.keys where state.weeks[consultant] == nil {
            consultants.append(consultant)
        }
        consultants.sort(by: utf8Precedes)
        var memo = UtilizationMemo()
        var rows: [Row] = []
        for consultant in consultants {
            let sums = state.weeks[consultant] ?? [:]
            let capacity = state.capacity[consultant] ?? [:]
            var weeks = Array(sums.keys)
            for week in capacity.keys where sums[week] == nil {
                weeks.append(week)
            }
            weeks.sort()
            let target = rules.targetPercent(forRole: state.roles[consultant])
            for week in weeks {
                rows.append(row(consultant, week, sums[week] ?? WeekTotals(),
                                available: capacity[week] ?? rules.defaultAvailableHours,
                                target: target, memo: &memo))
            }
        }
        return rows
    }

    /// The row of one week (`key` is `consultant_id/week_start`), for `explain`.
    /// - Complexity: O(1) expected.
    public func row(of state: State, key: String, now: Timestamp) -> Row? {
        guard let slash = key.lastIndex(of: "/"),
              let week = try? CalendarDate(iso: key[key.index(after: slash)...]) else {
            return nil
        }
        let consultant = String(key[..<slash])
        let weekStart = week.daysSinceEpoch
        let sums = state.weeks[consultant]?[weekStart]
        let capacity = state.capacity[consultant]?[weekStart]
        guard sums != nil || capacity != nil else { return nil }
        var memo = UtilizationMemo()
        return row(consultant, weekStart, sums ?? WeekTotals(),
                   available: capacity ?? rules.defaultAvailableHours,
                   target: rules.targetPercent(forRole: state.roles[consultant]),
                   memo: &memo)
    }

    /// The cells of one week, in column order.
    func row(_ consultant: String, _ weekStart: Int, _ sums: WeekTotals,
             available: Decimal, target: Decimal, memo: inout UtilizationMemo) -> Row {
        let (utilization, status) = memo.assess(sums, available: available, target: target)
        return [
            .text(consultant),
            .date(CalendarDate(daysSinceEpoch: weekStart)),
            .decimal(available),
            .decimal(sums.billable),
            .decimal(sums.nonBillable),
            .decimal(sums.pending),
            utilization.map(Cell.decimal) ?? .null,
            .decimal(target),
            .text(status.rawValue),
        ]
    }
}
