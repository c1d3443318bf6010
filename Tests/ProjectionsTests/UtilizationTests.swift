import EventModel
import EventStore
import Foundation
import Testing
@testable import Projections

/// Builds utilization events with short calls; every event happens at the
/// same instant, since the fold reads work dates, not event times.
private struct UtilizationScript {
    var script = EventScript()
    var events: [RecordedEvent] { script.events }

    /// `hours` is the JSON text: a number (`7.35`) or a string (`"7.35"`).
    mutating func submit(_ id: String, _ consultant: String, on date: String,
                         hours: String, billable: Bool = true) {
        add("TimesheetSubmitted", #"""
            {"timesheet_id":"\#(id)","engagement_id":"E1","consultant_id":"\#(consultant)",
             "work_date":"\#(date)","hours":\#(hours),"billable":\#(billable)}
            """#)
    }

    mutating func approve(_ id: String) {
        add("TimesheetApproved", #"{"timesheet_id":"\#(id)","approver":"M1"}"#)
    }

    mutating func reject(_ id: String) {
        add("TimesheetRejected",
            #"{"timesheet_id":"\#(id)","approver":"M1","reason":"wrong code"}"#)
    }

    mutating func capacity(_ consultant: String, week: String, hours: String) {
        add("ConsultantCapacitySet", #"""
            {"consultant_id":"\#(consultant)","week_start":"\#(week)",
             "available_hours":\#(hours)}
            """#)
    }

    mutating func assign(_ consultant: String, to engagement: String, as role: String) {
        add("ConsultantAssigned", #"""
            {"engagement_id":"\#(engagement)","consultant_id":"\#(consultant)",
             "role":"\#(role)","bill_rate":200,"cost_rate":100,"allocation_pct":50,
             "start_date":"2026-01-01","end_date":"2026-12-31"}
            """#)
    }

    /// Submits and approves in one step.
    mutating func approved(_ id: String, _ consultant: String, on date: String,
                           hours: String, billable: Bool = true) {
        submit(id, consultant, on: date, hours: hours, billable: billable)
        approve(id)
    }

    mutating func add(_ type: String, _ data: String) {
        script.add(type, at: "2026-03-01T09:00:00Z", data)
    }
}

@Suite("utilization")
struct UtilizationTests {
    let projection = UtilizationProjection()

    /// Folds the script with `projection` and prints the rows.
    private func rows(_ script: UtilizationScript,
                      _ projection: UtilizationProjection = UtilizationProjection())
        throws -> [[String]]
    {
        try foldRows(projection, script.events)
    }

    @Test("the columns are the contract's, in order")
    func columnsAreTheContract() {
        #expect(projection.columns.map(\.name) == [
            "consultant_id", "week_start", "available_hours", "billable_hours",
            "non_billable_hours", "pending_hours", "utilization_pct", "target_pct", "status",
        ])
        #expect(projection.keyColumnCount == 2)
        #expect(projection.name == "utilization")
        #expect(projection.version == 2)
    }

    // MARK: - Timesheet states

    @Test("a resubmission replaces the timesheet, puts it back to submitted and moves its week")
    func resubmissionMovesWeek() throws {
        var script = UtilizationScript()
        // 2026-03-04 is a Wednesday: week 2026-03-02.
        script.approved("T1", "C1", on: "2026-03-04", hours: "8")
        script.approved("T2", "C1", on: "2026-03-05", hours: "2", billable: false)
        // T1 moves to Tuesday 2026-03-10 (week 2026-03-09) and awaits approval again.
        script.submit("T1", "C1", on: "2026-03-10", hours: "6")
        // T3 is the only timesheet of week 2026-03-16 and moves to 2026-03-24.
        script.submit("T3", "C1", on: "2026-03-17", hours: "4")
        script.submit("T3", "C1", on: "2026-03-24", hours: "5")
        script.approve("T3")

        // Week 03-02: T2's 2 non-billable hours; 0 / 40 = 0.0% < 75 → below_target.
        // Week 03-09: T1's 6 hours pending; nothing approved → 0.0%.
        // Week 03-16: nothing of T3 is left there, and no capacity → no row.
        // Week 03-23: T3's 5 billable hours; 5 / 40 × 100 = 12.5%.
        #expect(try rows(script) == [
            ["C1", "2026-03-02", "40.00", "0.00", "2.00", "0.00", "0.0", "75.0", "below_target"],
            ["C1", "2026-03-09", "40.00", "0.00", "0.00", "6.00", "0.0", "75.0", "below_target"],
            ["C1", "2026-03-23", "40.00", "5.00", "0.00", "0.00", "12.5", "75.0", "below_target"],
        ])
    }

    @Test("a week whose only timesheet was rejected keeps a row of zeros")
    func rejectedOnlyWeekKeepsZeroRow() throws {
        var script = UtilizationScript()
        script.approved("T1", "C2", on: "2026-03-04", hours: "8")
        // Rejected after its approval: the 8 hours no longer count.
        script.reject("T1")
        // A decision on a timesheet never submitted is ignored.
        script.approve("T9")

        #expect(try rows(script) == [
            ["C2", "2026-03-02", "40.00", "0.00", "0.00", "0.00", "0.0", "75.0", "below_target"],
        ])
    }

    @Test("the latest decision wins: a rejected timesheet approved later counts")
    func latestDecisionWins() throws {
        var script = UtilizationScript()
        script.submit("T1", "C1", on: "2026-03-02", hours: "30")
        script.reject("T1")
        script.approve("T1")

        // 30 / 40 × 100 = 75.0%, not below the 75% target → on_target.
        #expect(try rows(script) == [
            ["C1", "2026-03-02", "40.00", "30.00", "0.00", "0.00", "75.0", "75.0", "on_target"],
        ])
    }

    // MARK: - Weeks

    @Test("work dates fall into the ISO week of their Monday, across year ends")
    func isoWeekYearEdges() throws {
        var script = UtilizationScript()
        // Friday 2021-01-01 belongs to the week of Monday 2020-12-28.
        script.submit("T1", "C1", on: "2021-01-01", hours: "1")
        // Sunday 2027-01-03 belongs to the week of Monday 2026-12-28.
        script.submit("T2", "C1", on: "2027-01-03", hours: "2")
        // A Monday is its own week start.
        script.submit("T3", "C1", on: "2026-03-02", hours: "3")

        let printed = try rows(script)
        #expect(printed.map { $0[1] } == ["2020-12-28", "2026-03-02", "2026-12-28"])
        #expect(cell(projection, row(printed, "C1", "2020-12-28"), "pending_hours") == "1.00")
        #expect(cell(projection, row(printed, "C1", "2026-12-28"), "pending_hours") == "2.00")
    }

    @Test("rows sort by the code points of consultant_id, then by week")
    func rowsSortByCodePoints() throws {
        var script = UtilizationScript()
        script.submit("T1", "c1", on: "2026-03-02", hours: "1")
        script.submit("T2", "C2", on: "2026-03-09", hours: "1")
        script.submit("T3", "C10", on: "2026-03-02", hours: "1")
        script.submit("T4", "C2", on: "2026-03-02", hours: "1")

        // "C10" < "C2" ('1' < '2'), and upper case sorts before lower case.
        #expect(try rows(script).map { [$0[0], $0[1]] } == [
            ["C10", "2026-03-02"], ["C2", "2026-03-02"], ["C2", "2026-03-09"],
            ["c1", "2026-03-02"],
        ])
    }

    // MARK: - Capacity and status

    @Test("the latest capacity wins, and zero capacity gives no_capacity and no percentage")
    func capacityOverrides() throws {
        var script = UtilizationScript()
        script.capacity("C1", week: "2026-03-02", hours: "32")
        script.capacity("C1", week: "2026-03-02", hours: "24")
        script.approved("T1", "C1", on: "2026-03-03", hours: "18")
        // A capacity alone makes a row; pending hours are not worked hours.
        script.capacity("C1", week: "2026-03-09", hours: "0")
        script.submit("T2", "C1", on: "2026-03-10", hours: "4")

        // Week 03-02: 18 / 24 × 100 = 75.0%, not below 75 → on_target.
        // Week 03-09: available 0, worked 0 (not > 0) → no_capacity, empty percentage.
        #expect(try rows(script) == [
            ["C1", "2026-03-02", "24.00", "18.00", "0.00", "0.00", "75.0", "75.0", "on_target"],
            ["C1", "2026-03-09", "0.00", "0.00", "0.00", "4.00", "", "75.0", "no_capacity"],
        ])
    }

    @Test("approved hours beyond the week's capacity give over_capacity")
    func overCapacity() throws {
        var script = UtilizationScript()
        script.capacity("C1", week: "2026-03-02", hours: "10")
        script.approved("T1", "C1", on: "2026-03-02", hours: "8")
        script.approved("T2", "C1", on: "2026-03-03", hours: "3", billable: false)
        // Zero capacity with approved hours is over capacity, not no_capacity.
        script.capacity("C1", week: "2026-03-09", hours: "0")
        script.approved("T3", "C1", on: "2026-03-09", hours: "1", billable: false)

        // Week 03-02: 8 + 3 = 11 > 10 → over_capacity; 8 / 10 × 100 = 80.0%.
        // Week 03-09: 1 > 0 → over_capacity; no percentage of 0 hours.
        #expect(try rows(script) == [
            ["C1", "2026-03-02", "10.00", "8.00", "3.00", "0.00", "80.0", "75.0", "over_capacity"],
            ["C1", "2026-03-09", "0.00", "0.00", "1.00", "0.00", "", "75.0", "over_capacity"],
        ])
    }

    @Test("the target is that of the role of the consultant's latest assignment")
    func roleTargets() throws {
        var script = UtilizationScript()
        script.assign("C1", to: "E1", as: "analyst")
        script.assign("C1", to: "E2", as: "manager")
        script.approved("T1", "C1", on: "2026-03-04", hours: "14")
        script.approved("T2", "C1", on: "2026-03-05", hours: "14")
        // A role with no target of its own takes the default.
        script.assign("C2", to: "E1", as: "intern")
        script.approved("T3", "C2", on: "2026-03-04", hours: "24")
        script.approved("T4", "C2", on: "2026-03-05", hours: "5")

        // C1: manager (65), not analyst (80); 28 / 40 × 100 = 70.0 ≥ 65 → on_target.
        // C2: default 75; 29 / 40 × 100 = 72.5 < 75 → below_target.
        #expect(try rows(script) == [
            ["C1", "2026-03-02", "40.00", "28.00", "0.00", "0.00", "70.0", "65.0", "on_target"],
            ["C2", "2026-03-02", "40.00", "29.00", "0.00", "0.00", "72.5", "75.0",
             "below_target"],
        ])
    }

    // MARK: - Exact arithmetic

    @Test("hours sum and compare exactly, as binary floating point would not")
    func exactDecimalHours() throws {
        var script = UtilizationScript()
        // 0.1 + 0.2 is exactly 0.3 = the capacity: not over it.
        // (In Double, 0.1 + 0.2 = 0.30000000000000004 > 0.3.)
        script.capacity("C1", week: "2026-03-02", hours: "0.3")
        script.approved("T1", "C1", on: "2026-03-02", hours: "0.1")
        script.approved("T2", "C1", on: "2026-03-03", hours: #""0.2""#)
        // Week 03-09: 7.35 + 0.15 = 7.50 non-billable, 0.5 billable,
        // and 1.005 pending, which prints 1.01 (half away from zero;
        // the Double nearest 1.005 is below it and would print 1.00).
        script.approved("T3", "C1", on: "2026-03-09", hours: #""7.35""#, billable: false)
        script.approved("T4", "C1", on: "2026-03-10", hours: "0.15", billable: false)
        script.approved("T5", "C1", on: "2026-03-11", hours: "0.5")
        script.submit("T6", "C1", on: "2026-03-12", hours: "1.005")

        // Week 03-02: 0.3 / 0.3 × 100 = 100.0% → on_target.
        // Week 03-09: 0.5 / 40 × 100 = 1.25 → 1.3 (half away from zero).
        #expect(try rows(script) == [
            ["C1", "2026-03-02", "0.30", "0.30", "0.00", "0.00", "100.0", "75.0", "on_target"],
            ["C1", "2026-03-09", "40.00", "0.50", "7.50", "1.01", "1.3", "75.0", "below_target"],
        ])
    }

    // MARK: - State and data

    @Test("the state survives a JSON round trip unchanged")
    func stateRoundTrip() throws {
        var script = UtilizationScript()
        script.assign("C1", to: "E1", as: "senior")
        script.capacity("C1", week: "2026-03-02", hours: "37.5")
        script.approved("T1", "C1", on: "2026-03-02", hours: "7.35")
        script.submit("T2", "C1", on: "2026-03-03", hours: "0.1")

        var state = projection.initialState()
        for event in script.events { try projection.fold(&state, event) }
        let decoded = try JSONDecoder().decode(
            UtilizationProjection.State.self, from: try JSONEncoder().encode(state))
        #expect(decoded == state)
    }

    @Test("the week sums the fold keeps equal the timesheets' current states after every event")
    func weekSumsFollowTimesheets() throws {
        // Submissions, resubmissions that move a timesheet to another week or
        // consultant, approvals, rejections and decisions on unknown ids, in
        // a fixed pseudo-random order.
        var seed: UInt64 = 7
        func next(_ bound: Int) -> Int {
            seed = seed &* 6364136223846793005 &+ 1442695040888963407
            return Int((seed >> 33) % UInt64(bound))
        }
        let days = ["2026-03-02", "2026-03-04", "2026-03-09", "2026-03-15", "2026-03-16"]
        let hours = ["0.25", "1", "7.5", #""2.75""#, "8"]
        var script = UtilizationScript()
        for _ in 0..<400 {
            let id = "T\(next(12))"
            switch next(4) {
            case 0, 1:
                script.submit(id, "C\(next(3))", on: days[next(days.count)],
                              hours: hours[next(hours.count)], billable: next(2) == 0)
            case 2: script.approve(id)
            default: script.reject(id)
            }
        }

        /// The sums worked out from scratch, as version 1 of the projection
        /// did when asked for rows.
        func recounted(_ state: UtilizationProjection.State) throws
            -> [String: [Int: UtilizationProjection.WeekTotals]]
        {
            var weeks: [String: [Int: UtilizationProjection.WeekTotals]] = [:]
            for timesheet in try state.timesheets.dictionary().values {
                var totals = weeks[timesheet.consultantID]?[timesheet.weekStart]
                    ?? UtilizationProjection.WeekTotals()
                totals.timesheets += 1
                switch (timesheet.status, timesheet.billable) {
                case (.approved, true): totals.billable += timesheet.hours
                case (.approved, false): totals.nonBillable += timesheet.hours
                case (.submitted, _): totals.pending += timesheet.hours
                case (.rejected, _): break
                }
                weeks[timesheet.consultantID, default: [:]][timesheet.weekStart] = totals
            }
            return weeks
        }

        var state = projection.initialState()
        var emptied = 0
        for (index, event) in script.events.enumerated() {
            let weeksBefore = state.weeks.values.reduce(0) { $0 + $1.count }
            try projection.fold(&state, event)
            #expect(try state.weeks == recounted(state), "after event \(index + 1)")
            if state.weeks.values.reduce(0, { $0 + $1.count }) < weeksBefore { emptied += 1 }
        }
        // The script did move a week's last timesheet away, more than once.
        #expect(emptied > 1)
        #expect(state.timesheets.count == 12)
    }

    @Test("a timesheet resubmitted under another consultant leaves the first one's week")
    func resubmissionMovesConsultant() throws {
        var script = UtilizationScript()
        script.approved("T1", "C1", on: "2026-03-04", hours: "8")
        script.submit("T2", "C1", on: "2026-03-05", hours: "3")
        script.submit("T2", "C2", on: "2026-03-05", hours: "3")
        script.approve("T2")
        script.submit("T1", "C2", on: "2026-03-06", hours: "4", billable: false)

        // C1 has no timesheet left and no capacity: no row at all.
        // C2, week 03-02: T2's 3 billable hours approved, T1's 4 pending;
        // 3 / 40 × 100 = 7.5% < 75 → below_target.
        #expect(try rows(script) == [
            ["C2", "2026-03-02", "40.00", "3.00", "0.00", "4.00", "7.5", "75.0", "below_target"],
        ])
    }

    @Test("a saved state whose week counts cannot be right is refused when loaded")
    func damagedWeekCounts() throws {
        var script = UtilizationScript()
        script.approved("T1", "C1", on: "2026-03-02", hours: "7.5")
        script.submit("T2", "C1", on: "2026-03-03", hours: "1")
        script.submit("T3", "C1", on: "2026-03-10", hours: "2")
        var state = projection.initialState()
        for event in script.events { try projection.fold(&state, event) }
        // 2026-03-02 is day 20514 since 1970-01-01: T1 and T2 are there.
        #expect(state.weeks["C1"]?[20514]?.timesheets == 2)
        #expect(state.weekCountFault == nil)
        #expect(try CompactState.decode(UtilizationProjection.State.self,
                                        from: CompactState.encode(state)) == state)

        // A count that would overflow at the next submission, one of zero,
        // and one that no longer adds up to the three timesheets.
        for count in [Int.max, 0, 1] {
            var damaged = state
            damaged.weeks["C1"]?[20514]?.timesheets = count
            #expect(damaged.weekCountFault != nil, "\(count)")
            #expect(throws: CompactStateError.self) {
                try CompactState.decode(UtilizationProjection.State.self,
                                        from: CompactState.encode(damaged))
            }
            #expect(throws: DecodingError.self) {
                try JSONDecoder().decode(UtilizationProjection.State.self,
                                         from: try JSONEncoder().encode(damaged))
            }
        }
    }

    @Test("a timesheet missing a field is refused with the field named")
    func malformedEventIsRefused() throws {
        var script = UtilizationScript()
        script.add("TimesheetSubmitted", #"""
            {"timesheet_id":"T1","engagement_id":"E1","consultant_id":"C1",
             "work_date":"2026-03-02","billable":true}
            """#)
        var state = projection.initialState()
        let error = #expect(throws: ValidationError.self) {
            try projection.fold(&state, script.events[0])
        }
        #expect(error?.field == "data.hours")
    }

    @Test("a field of the wrong shape, and data that is no object, are refused as an append would be")
    func malformedFieldsAreRefused() throws {
        var script = UtilizationScript()
        script.add("TimesheetSubmitted", #"""
            {"timesheet_id":"T1","engagement_id":"E1","consultant_id":"C1",
             "work_date":"2026-03-02","hours":"eight","billable":true}
            """#)
        script.add("TimesheetSubmitted", #"{"timesheet_id":"T2","#)
        var state = projection.initialState()
        let shape = #expect(throws: ValidationError.self) {
            try projection.fold(&state, script.events[0])
        }
        #expect(shape?.field == "data.hours")
        let object = #expect(throws: ValidationError.self) {
            try projection.fold(&state, script.events[1])
        }
        #expect(object?.field == "data")
        #expect(object?.reason == "is not a JSON object")
    }

    @Test("keys written with escapes, and events parsed ahead, fold as plain ones do")
    func escapedKeysAndParsedEvents() throws {
        var plain = UtilizationScript()
        plain.submit("T1", "C1", on: "2026-03-03", hours: "7.5")
        plain.approve("T1")
        // "\u0068ours" is "hours": the scan leaves such data to the parser.
        var escaped = UtilizationScript()
        escaped.add("TimesheetSubmitted", #"""
            {"timesheet_id":"T1","engagement_id":"E1","consultant_id":"C1",
             "work_date":"2026-03-03","\u0068ours":7.5,"billable":true}
            """#)
        escaped.approve("T1")
        let expected = [["C1", "2026-03-02", "40.00", "7.50", "0.00", "0.00", "18.8", "75.0", "below_target"]]
        #expect(try foldRows(projection, plain.events) == expected)
        #expect(try foldRows(projection, escaped.events) == expected)
        #expect(try foldRows(projection, plain.events.map { $0.parsingData() }) == expected)
    }

    @Test("events of other types are ignored without reading their data")
    func otherTypesAreIgnored() throws {
        var script = UtilizationScript()
        // Not even JSON: the fold must not parse it.
        script.add("InvoiceIssued", "not json")
        #expect(try rows(script) == [])
    }
}

// MARK: - Rules

extension UtilizationTests {
    @Suite("utilization rules")
    struct Rules {
        private func reader(_ json: String) throws -> RuleReader {
            try RuleReader(file: "utilization.json", bytes: Array(json.utf8))
        }

        @Test("the shipped rule file holds the defaults")
        func shippedFileHoldsDefaults() throws {
            let root = URL(fileURLWithPath: #filePath)
                .deletingLastPathComponent().deletingLastPathComponent()
                .deletingLastPathComponent()
            let path = root.appendingPathComponent("projections/utilization.json").path
            let bytes = try #require(FileManager.default.contents(atPath: path))
            let rules = try UtilizationRules(
                reader: RuleReader(file: path, bytes: Array(bytes)))
            #expect(rules == UtilizationRules())
        }

        @Test("absent keys keep their defaults")
        func absentKeysKeepDefaults() throws {
            let rules = try UtilizationRules(reader: reader("{}"))
            #expect(rules == UtilizationRules())
            #expect(rules.defaultAvailableHours == 40)
            #expect(rules.defaultTargetPercent == 75)
            #expect(rules.roleTargets["partner"] == 50)
        }

        @Test("an unknown key is refused with the file and the key named")
        func unknownKeyIsRefused() throws {
            let error = #expect(throws: RuleError.self) {
                try UtilizationRules(reader: reader(#"{"default_target": 70}"#))
            }
            #expect(error?.file == "utilization.json")
            #expect(error?.key == "default_target")
        }

        @Test("values out of range are refused with the key named")
        func outOfRangeIsRefused() throws {
            let target = #expect(throws: RuleError.self) {
                try UtilizationRules(reader: reader(#"{"default_target_pct": 120}"#))
            }
            #expect(target?.key == "default_target_pct")
            let role = #expect(throws: RuleError.self) {
                try UtilizationRules(reader: reader(#"{"role_targets": {"partner": -1}}"#))
            }
            #expect(role?.key == "role_targets.partner")
            let hours = #expect(throws: RuleError.self) {
                try UtilizationRules(reader: reader(#"{"default_available_hours": 169}"#))
            }
            #expect(hours?.key == "default_available_hours")
        }

        @Test("custom rules set the default capacity and the targets")
        func customRulesApply() throws {
            let rules = try UtilizationRules(reader: reader(#"""
                {"default_available_hours": 37.5, "default_target_pct": 60,
                 "role_targets": {"lead": 55}}
                """#))
            var script = UtilizationScript()
            script.approved("T1", "C1", on: "2026-03-02", hours: "15")
            script.assign("C2", to: "E1", as: "lead")
            script.approved("T2", "C2", on: "2026-03-02", hours: "21")
            // A file's role_targets replaces the default roles as a whole.
            script.assign("C3", to: "E1", as: "partner")
            script.submit("T3", "C3", on: "2026-03-02", hours: "1")

            // C1: 15 / 37.5 × 100 = 40.0 < 60 (default) → below_target.
            // C2: 21 / 37.5 × 100 = 56.0 ≥ 55 (lead) → on_target.
            // C3: partner has no target here → 60; 0 / 37.5 = 0.0 → below_target.
            #expect(try foldRows(UtilizationProjection(rules: rules), script.events) == [
                ["C1", "2026-03-02", "37.50", "15.00", "0.00", "0.00", "40.0", "60.0",
                 "below_target"],
                ["C2", "2026-03-02", "37.50", "21.00", "0.00", "0.00", "56.0", "55.0",
                 "on_target"],
                ["C3", "2026-03-02", "37.50", "0.00", "0.00", "1.00", "0.0", "60.0",
                 "below_target"],
            ])
        }
    }
}
