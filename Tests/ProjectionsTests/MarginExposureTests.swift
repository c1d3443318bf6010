import EventModel
import EventStore
import Foundation
import Testing
@testable import Projections

/// Builds margin-exposure events with short calls. Money and hours are the
/// JSON text: a number (`0.1`) or a decimal string (`"0.2"`).
private struct MarginScript {
    var script = EventScript()
    var events: [RecordedEvent] { script.events }

    mutating func open(_ id: String, _ model: String, contract: String = "0",
                       budgetHours: String = "0", budgetCost: String = "0",
                       target: String = "0") {
        add("EngagementOpened", #"""
            {"engagement_id":"\#(id)","client_id":"CL1","service_line":"advisory",
             "billing_model":"\#(model)","currency":"USD","budget_hours":\#(budgetHours),
             "budget_cost":\#(budgetCost),"contract_value":\#(contract),
             "target_margin_pct":\#(target),"delivery_manager":"DM1"}
            """#)
    }

    mutating func close(_ id: String) {
        add("EngagementClosed", #"{"engagement_id":"\#(id)"}"#)
    }

    mutating func assign(_ consultant: String, to engagement: String,
                         bill: String, cost: String) {
        add("ConsultantAssigned", #"""
            {"engagement_id":"\#(engagement)","consultant_id":"\#(consultant)",
             "role":"senior","bill_rate":\#(bill),"cost_rate":\#(cost),"allocation_pct":100,
             "start_date":"2026-01-01","end_date":"2026-12-31"}
            """#)
    }

    mutating func submit(_ id: String, on engagement: String, by consultant: String = "C1",
                         hours: String, billable: Bool = true) {
        add("TimesheetSubmitted", #"""
            {"timesheet_id":"\#(id)","engagement_id":"\#(engagement)",
             "consultant_id":"\#(consultant)","work_date":"2026-03-02",
             "hours":\#(hours),"billable":\#(billable)}
            """#)
    }

    mutating func approve(_ id: String) {
        add("TimesheetApproved", #"{"timesheet_id":"\#(id)","approver":"M1"}"#)
    }

    mutating func reject(_ id: String) {
        add("TimesheetRejected",
            #"{"timesheet_id":"\#(id)","approver":"M1","reason":"wrong code"}"#)
    }

    /// Submits and approves in one step.
    mutating func approved(_ id: String, on engagement: String, by consultant: String = "C1",
                           hours: String, billable: Bool = true) {
        submit(id, on: engagement, by: consultant, hours: hours, billable: billable)
        approve(id)
    }

    mutating func expense(_ id: String, on engagement: String, _ amount: String,
                          billable: Bool) {
        add("ExpensePosted", #"""
            {"expense_id":"\#(id)","engagement_id":"\#(engagement)","amount":\#(amount),
             "billable":\#(billable)}
            """#)
    }

    mutating func milestone(_ id: String, on engagement: String, _ amount: String) {
        add("MilestoneDefined", #"""
            {"milestone_id":"\#(id)","engagement_id":"\#(engagement)","name":"phase",
             "amount":\#(amount),"due_date":"2026-06-30"}
            """#)
    }

    mutating func complete(_ id: String, on engagement: String) {
        add("MilestoneCompleted",
            #"{"milestone_id":"\#(id)","engagement_id":"\#(engagement)"}"#)
    }

    mutating func invoice(_ id: String, on engagement: String, _ amount: String,
                          milestone: String = "null") {
        add("InvoiceIssued", #"""
            {"invoice_id":"\#(id)","engagement_id":"\#(engagement)",
             "milestone_id":\#(milestone),"amount":\#(amount)}
            """#)
    }

    mutating func changeRequest(_ id: String, on engagement: String,
                                hours: String, value: String) {
        add("ChangeRequestSubmitted", #"""
            {"change_request_id":"\#(id)","engagement_id":"\#(engagement)",
             "hours_delta":\#(hours),"value_delta":\#(value)}
            """#)
    }

    /// `subject` is JSON text: `"\"CR1\""` or `null`.
    mutating func requestApproval(_ id: String, on engagement: String,
                                  kind: String = "change_request", subject: String) {
        add("ApprovalRequested", #"""
            {"approval_id":"\#(id)","engagement_id":"\#(engagement)","kind":"\#(kind)",
             "subject_id":\#(subject),"requested_by":"DM1","approver_role":"partner",
             "amount":null}
            """#)
    }

    mutating func grant(_ id: String) {
        add("ApprovalGranted", #"{"approval_id":"\#(id)","approver":"P1"}"#)
    }

    mutating func rejectApproval(_ id: String) {
        add("ApprovalRejected",
            #"{"approval_id":"\#(id)","approver":"P1","reason":"out of scope"}"#)
    }

    mutating func withdraw(_ id: String) {
        add("ApprovalWithdrawn", #"{"approval_id":"\#(id)","by":"DM1"}"#)
    }

    mutating func add(_ type: String, _ data: String) {
        script.add(type, at: "2026-03-02T09:00:00Z", data)
    }
}

@Suite("margin-exposure")
struct MarginExposureTests {
    let projection = MarginExposureProjection()

    /// Folds the events with `projection` and prints the rows.
    private func rows(_ events: [RecordedEvent],
                      _ projection: MarginExposureProjection = MarginExposureProjection())
        throws -> [[String]]
    {
        try foldRows(projection, events)
    }

    @Test("the columns are the contract's, in order")
    func columnsAreTheContract() {
        #expect(projection.columns.map(\.name) == [
            "engagement_id", "client_id", "billing_model", "currency", "contract_value",
            "budget_hours", "budget_cost", "actual_hours", "unassigned_hours", "cost",
            "revenue", "margin", "margin_pct", "budget_burn_pct", "invoiced", "unbilled",
            "target_margin_pct", "exposure", "at_risk", "status",
        ])
        #expect(projection.keyColumnCount == 1)
        #expect(projection.name == "margin-exposure")
        #expect(projection.version == 2)  // 2: a re-request keeps the first subject
    }

    // MARK: - Timesheets and rates

    @Test("each approval captures the rates of the assignment in force when it is folded")
    func rateChangeBetweenApprovals() throws {
        var script = MarginScript()
        script.open("E1", "time_and_materials", contract: "20000", budgetHours: "100",
                    budgetCost: "10000", target: "30")
        script.assign("C1", to: "E1", bill: "150", cost: "100")
        script.approved("T1", on: "E1", hours: "8")
        script.assign("C1", to: "E1", bill: "200", cost: "120")
        script.approved("T2", on: "E1", hours: "5")
        script.approved("T3", on: "E1", hours: "2", billable: false)

        // cost    = 8 × 100 + 5 × 120 + 2 × 120 = 800 + 600 + 240 = 1640
        // revenue = 8 × 150 + 5 × 200 (T3 is not billable) = 2200
        // margin  = 2200 − 1640 = 560; margin_pct = 560 / 2200 × 100 = 25.45… → 25.5
        // burn    = 1640 / 10000 × 100 = 16.4
        // exposure = max(0, 2200 × 30 / 100 − 560) = 660 − 560 = 100
        // at_risk: 25.45… < 30 → true
        #expect(try rows(script.events) == [
            ["E1", "CL1", "time_and_materials", "USD", "20000.00", "100.00", "10000.00",
             "15.00", "0.00", "1640.00", "2200.00", "560.00", "25.5", "16.4", "0.00",
             "2200.00", "30.0", "100.00", "true", "open"],
        ])
    }

    @Test("values at the smallest scale the validation admits fold without a trap")
    func smallestScale() throws {
        // Foundation's Decimal multiplication stops the process when a product
        // falls below 10^-128. Here revenue = 1e-32 × 1e-32 / (10^18 − 1), a
        // 38-digit quotient near 1e-82, and exposure multiplies it by a target
        // of 1e-32: about 1e-114, whose exact digits reach 10^-151.
        let tiny = "0.00000000000000000000000000000001"
        var script = MarginScript()
        script.open("E9", "fixed_fee", contract: tiny, budgetHours: "999999999999999999",
                    budgetCost: "1", target: tiny)
        script.assign("C1", to: "E9", bill: "150", cost: "100")
        script.approved("T1", on: "E9", hours: tiny)

        // cost = 1e-32 × 100 = 1e-30; every amount but the budget rounds to 0.00, and the
        // margin (1e-82 − 1e-30) is below the target (1e-32 %): at risk.
        let row = try #require(try rows(script.events).first)
        #expect(row[4...11] == ["0.00", "999999999999999999.00", "1.00", "0.00", "0.00",
                                "0.00", "0.00", "0.00"])
        #expect(row[17...19] == ["0.00", "true", "open"])
    }

    @Test("a product that would fall below 10^-128 is rounded first, not trapped")
    func guardedProduct() {
        func decimal(_ text: String) -> Decimal { Decimal(string: text)! }
        #expect(decimal("7.5").multiplied(by: decimal("180.25")) == decimal("1351.875"))
        #expect(decimal("1e-60").multiplied(by: decimal("1e-60")) == decimal("1e-120"))
        #expect(decimal("1e-65").multiplied(by: decimal("1e-65")) == 0)
        #expect(decimal("5e-128").multiplied(by: decimal("0.1")) == 0)
        // Rounded to 60 places first: 3e-61 → 0, so the product is 0.
        #expect(decimal("3e-61").multiplied(by: decimal("2e-61")) == 0)
    }

    @Test("hours approved with no assignment stay unassigned when one arrives later")
    func approvalWithoutAssignmentIsUnassigned() throws {
        var script = MarginScript()
        script.open("E2", "time_and_materials", budgetHours: "10", budgetCost: "1000",
                    target: "20")
        // An assignment to another engagement does not count for E2.
        script.assign("C9", to: "E3", bill: "100", cost: "50")
        script.approved("T1", on: "E2", by: "C9", hours: "4")
        script.assign("C9", to: "E2", bill: "100", cost: "50")
        // Approving T1 again changes nothing: it stays unassigned.
        script.approve("T1")
        script.approved("T2", on: "E2", by: "C9", hours: "2")

        // actual = 4 + 2 = 6, of which T1's 4 are unassigned and not costed.
        // cost = 2 × 50 = 100; revenue = 2 × 100 = 200; margin = 100
        // margin_pct = 100 / 200 × 100 = 50.0; burn = 100 / 1000 × 100 = 10.0
        // exposure = max(0, 200 × 20 / 100 − 100) = max(0, −60) = 0
        #expect(try rows(script.events) == [
            ["E2", "CL1", "time_and_materials", "USD", "0.00", "10.00", "1000.00",
             "6.00", "4.00", "100.00", "200.00", "100.00", "50.0", "10.0", "0.00",
             "200.00", "20.0", "0.00", "false", "open"],
        ])
    }

    @Test("a resubmitted or rejected timesheet's hours, cost and revenue come off")
    func resubmissionAndRejectionTakeHoursOff() throws {
        var script = MarginScript()
        script.open("E3", "time_and_materials", contract: "5000", budgetHours: "40",
                    budgetCost: "1000", target: "25")
        script.assign("C1", to: "E3", bill: "100", cost: "60")
        script.approved("T1", on: "E3", hours: "8")
        script.approved("T2", on: "E3", hours: "6")
        script.approved("T4", on: "E3", hours: "3", billable: false)
        // Back to submitted: T1's 8 h, 480 cost and 800 revenue come off.
        script.submit("T1", on: "E3", hours: "7")
        // T2's 6 h, 360 and 600 come off.
        script.reject("T2")
        // T4 moves to an engagement never opened: its 3 h and 180 leave E3.
        script.submit("T4", on: "E9", hours: "3", billable: false)
        script.assign("C1", to: "E3", bill: "110", cost: "70")
        script.approve("T1")

        // Only T1 counts, at the new rates: cost = 7 × 70 = 490, revenue = 7 × 110 = 770
        // margin = 280; margin_pct = 280 / 770 × 100 = 36.36… → 36.4
        // burn = 490 / 1000 × 100 = 49.0; exposure = max(0, 192.5 − 280) = 0
        #expect(try rows(script.events) == [
            ["E3", "CL1", "time_and_materials", "USD", "5000.00", "40.00", "1000.00",
             "7.00", "0.00", "490.00", "770.00", "280.00", "36.4", "49.0", "0.00",
             "770.00", "25.0", "0.00", "false", "open"],
        ])
    }

    // MARK: - Change requests

    @Test("a re-request keeps the approval's first subject: regrants and resubmissions")
    func reRequestKeepsSubject() throws {
        // A1 is about CR1. Requested again for CR2 while granted: nothing
        // changes, so its second grant does not grant CR2.
        var granted = MarginScript()
        granted.open("E1", "fixed_fee", contract: "1000", budgetHours: "100",
                     budgetCost: "500", target: "20")
        granted.changeRequest("CR1", on: "E1", hours: "10", value: "100")
        granted.changeRequest("CR2", on: "E1", hours: "20", value: "200")
        granted.requestApproval("A1", on: "E1", subject: #""CR1""#)
        granted.grant("A1")
        granted.requestApproval("A1", on: "E1", subject: #""CR2""#)
        granted.grant("A1")
        // contract 1000 + 100 = 1100, budget hours 100 + 10 = 110.
        let grantedRow = try #require(try rows(granted.events).first)
        #expect(grantedRow[4] == "1100.00" && grantedRow[5] == "110.00")

        // Rejected, then re-requested naming CR2 and granted: the resubmission
        // reopens A1 on its first subject, CR1.
        var rejected = MarginScript()
        rejected.open("E1", "fixed_fee", contract: "1000", budgetHours: "100",
                      budgetCost: "500", target: "20")
        rejected.changeRequest("CR1", on: "E1", hours: "10", value: "100")
        rejected.changeRequest("CR2", on: "E1", hours: "20", value: "200")
        rejected.requestApproval("A1", on: "E1", subject: #""CR1""#)
        rejected.rejectApproval("A1")
        rejected.requestApproval("A1", on: "E1", subject: #""CR2""#)
        rejected.grant("A1")
        let rejectedRow = try #require(try rows(rejected.events).first)
        #expect(rejectedRow[4] == "1100.00" && rejectedRow[5] == "110.00")
    }

    @Test("only granted change requests move the contract value and budget hours, once")
    func grantedAndRejectedChangeRequests() throws {
        var script = MarginScript()
        script.open("E4", "fixed_fee", contract: "10000", budgetHours: "100",
                    budgetCost: "5000", target: "20")
        // Granted: +20 h, +2000.
        script.changeRequest("CR1", on: "E4", hours: "20", value: "2000")
        script.requestApproval("A1", on: "E4", subject: #""CR1""#)
        script.grant("A1")
        // Rejected; a grant after the rejection is ignored.
        script.changeRequest("CR2", on: "E4", hours: #""-10""#, value: "-500")
        script.requestApproval("A2", on: "E4", subject: #""CR2""#)
        script.rejectApproval("A2")
        script.grant("A2")
        // Withdrawn, then granted: ignored too.
        script.requestApproval("A6", on: "E4", subject: #""CR2""#)
        script.withdraw("A6")
        script.grant("A6")
        // An approval of another kind about CR2 does not grant it.
        script.requestApproval("A5", on: "E4", kind: "discount", subject: #""CR2""#)
        script.grant("A5")
        // CR1 re-requested and granted again: not applied twice.
        script.requestApproval("A3", on: "E4", subject: #""CR1""#)
        script.grant("A3")
        // Granted before its submission is folded: +5 h, +500 once both are known.
        script.requestApproval("A4", on: "E4", subject: #""CR3""#)
        script.grant("A4")
        script.changeRequest("CR3", on: "E4", hours: "5", value: "500")
        script.assign("C1", to: "E4", bill: "0", cost: "40")
        script.approved("T1", on: "E4", hours: "10")

        // contract = 10000 + 2000 + 500 = 12500; budget_hours = 100 + 20 + 5 = 125
        // cost = 10 × 40 = 400; revenue = 12500 × min(1, 10 / 125) = 1000
        // margin = 600; margin_pct = 60.0; burn = 400 / 5000 × 100 = 8.0
        // exposure = max(0, 1000 × 20 / 100 − 600) = 0
        #expect(try rows(script.events) == [
            ["E4", "CL1", "fixed_fee", "USD", "12500.00", "125.00", "5000.00",
             "10.00", "0.00", "400.00", "1000.00", "600.00", "60.0", "8.0", "0.00",
             "1000.00", "20.0", "0.00", "false", "open"],
        ])
    }

    // MARK: - Revenue by billing model

    @Test("fixed-fee revenue follows hours against budget, capped at the contract value")
    func fixedFeeCappedAtContract() throws {
        var script = MarginScript()
        script.open("E5", "fixed_fee", contract: "3000", budgetHours: "10",
                    budgetCost: "1000", target: "40")
        script.assign("C1", to: "E5", bill: "0", cost: "80")
        script.approved("T1", on: "E5", hours: "8")
        script.approved("T2", on: "E5", hours: "6", billable: false)
        // No budget hours: no revenue, and no percentages.
        script.open("E6", "fixed_fee", contract: "500", target: "40")
        script.assign("C1", to: "E6", bill: "0", cost: "50")
        script.approved("T3", on: "E6", hours: "2")

        // E5: actual = 14 > 10 → revenue = 3000 (100%, not 140%)
        //     cost = 14 × 80 = 1120; margin = 1880; margin_pct = 62.66… → 62.7
        //     burn = 1120 / 1000 × 100 = 112.0 > 90 → at risk
        //     exposure = max(0, 3000 × 40 / 100 − 1880) = max(0, −680) = 0
        // E6: revenue = 0; cost = 2 × 50 = 100; margin = −100; both percentages
        //     empty → not at risk; exposure = max(0, 0 − (−100)) = 100
        #expect(try rows(script.events) == [
            ["E5", "CL1", "fixed_fee", "USD", "3000.00", "10.00", "1000.00",
             "14.00", "0.00", "1120.00", "3000.00", "1880.00", "62.7", "112.0", "0.00",
             "3000.00", "40.0", "0.00", "true", "open"],
            ["E6", "CL1", "fixed_fee", "USD", "500.00", "0.00", "0.00",
             "2.00", "0.00", "100.00", "0.00", "-100.00", "", "", "0.00",
             "0.00", "40.0", "100.00", "false", "open"],
        ])
    }

    @Test("milestone revenue counts completed milestones only; repeated ids replace")
    func milestoneRevenueAndReplacements() throws {
        var script = MarginScript()
        script.open("E10", "milestone", contract: "9000", budgetHours: "100",
                    budgetCost: "6000", target: "25")
        script.milestone("M1", on: "E10", "3000")
        script.milestone("M2", on: "E10", "4000")
        script.milestone("M3", on: "E10", "2000")
        script.complete("M1", on: "E10")
        script.complete("M2", on: "E10")
        // Redefined after completion: still completed, now 4500.
        script.milestone("M2", on: "E10", "4500")
        // Completing an unknown milestone, or M1 again, changes nothing.
        script.complete("M9", on: "E10")
        script.complete("M1", on: "E10")
        // X1 replaced: 500 billable becomes 300 not billable.
        script.expense("X1", on: "E10", "500", billable: true)
        script.expense("X1", on: "E10", "300", billable: false)
        // I2 replaced: 2000 becomes 2500.
        script.invoice("I1", on: "E10", "3000", milestone: #""M1""#)
        script.invoice("I2", on: "E10", "2000")
        script.invoice("I2", on: "E10", "2500")
        script.assign("C1", to: "E10", bill: "0", cost: "100")
        script.approved("T1", on: "E10", hours: "20")

        // revenue = M1 3000 + M2 4500 = 7500 (M3 is not completed)
        // cost = 20 × 100 + 300 = 2300; margin = 5200
        // margin_pct = 5200 / 7500 × 100 = 69.33… → 69.3
        // burn = 2300 / 6000 × 100 = 38.33… → 38.3
        // invoiced = 3000 + 2500 = 5500; unbilled = 7500 − 5500 = 2000
        // exposure = max(0, 7500 × 25 / 100 − 5200) = max(0, 1875 − 5200) = 0
        #expect(try rows(script.events) == [
            ["E10", "CL1", "milestone", "USD", "9000.00", "100.00", "6000.00",
             "20.00", "0.00", "2300.00", "7500.00", "5200.00", "69.3", "38.3", "5500.00",
             "2000.00", "25.0", "0.00", "false", "open"],
        ])
    }

    // MARK: - Risk and printing

    @Test("a condition whose value is empty is false; a negative margin prints plainly")
    func atRiskWithEmptyValues() throws {
        var script = MarginScript()
        // No revenue, so no margin_pct; the burn alone puts E7 at risk.
        script.open("E7", "time_and_materials", budgetCost: "100", target: "50")
        script.expense("X1", on: "E7", "150", billable: false)
        // Nothing at all: both percentages empty → not at risk.
        script.open("E8", "time_and_materials", target: "50")

        // E7: cost 150, revenue 0, margin −150; burn = 150 / 100 × 100 = 150.0 > 90
        //     exposure = max(0, 0 × 50 / 100 − (−150)) = 150
        #expect(try rows(script.events) == [
            ["E7", "CL1", "time_and_materials", "USD", "0.00", "0.00", "100.00",
             "0.00", "0.00", "150.00", "0.00", "-150.00", "", "150.0", "0.00",
             "0.00", "50.0", "150.00", "true", "open"],
            ["E8", "CL1", "time_and_materials", "USD", "0.00", "0.00", "0.00",
             "0.00", "0.00", "0.00", "0.00", "0.00", "", "", "0.00",
             "0.00", "50.0", "0.00", "false", "open"],
        ])
    }

    @Test("a value that rounds to zero prints without a sign, and risk uses the exact value")
    func roundsToZeroWithoutSign() throws {
        var script = MarginScript()
        script.open("E11", "time_and_materials", budgetHours: "10", budgetCost: "1000")
        script.assign("C1", to: "E11", bill: "100", cost: "100")
        script.approved("T1", on: "E11", hours: "1")
        script.expense("X1", on: "E11", "0.004", billable: false)

        // cost = 100 + 0.004 = 100.004 → 100.00; revenue = 100
        // margin = −0.004 → 0.00 (not −0.00)
        // margin_pct = −0.004 / 100 × 100 = −0.004 → 0.0 (not −0.0)
        // burn = 100.004 / 1000 × 100 = 10.0004 → 10.0
        // exposure = max(0, 0 − (−0.004)) = 0.004 → 0.00
        // at_risk: −0.004 < 0 exactly → true, though both print 0.0
        #expect(try rows(script.events) == [
            ["E11", "CL1", "time_and_materials", "USD", "0.00", "10.00", "1000.00",
             "1.00", "0.00", "100.00", "100.00", "0.00", "0.0", "10.0", "0.00",
             "100.00", "0.0", "0.00", "true", "open"],
        ])
    }

    @Test("money and hours sum exactly and round half away from zero only when printed")
    func exactDecimalMoney() throws {
        var script = MarginScript()
        script.open("E12", "time_and_materials", budgetHours: "10", budgetCost: "12",
                    target: "10")
        script.assign("C1", to: "E12", bill: #""0.67""#, cost: "0.04")
        script.approved("T1", on: "E12", hours: "1.5")
        script.approved("T2", on: "E12", hours: #""7.35""#, billable: false)
        script.approved("T3", on: "E12", hours: "0.15", billable: false)
        script.expense("X1", on: "E12", "0.1", billable: true)
        script.expense("X2", on: "E12", #""0.2""#, billable: true)
        script.expense("X3", on: "E12", "0.24", billable: false)
        script.invoice("I1", on: "E12", "1.2")

        // hours = 1.5 + 7.35 + 0.15 = 9.00
        // labour cost = 9 × 0.04 = 0.36; expenses = 0.1 + 0.2 + 0.24 = 0.54
        // cost = 0.90
        // revenue = 1.5 × 0.67 + 0.1 + 0.2 = 1.005 + 0.3 = 1.305 → 1.31
        //   (the Double nearest 1.305 lies below it and would print 1.30)
        // margin = 1.305 − 0.9 = 0.405 → 0.41
        // margin_pct = 0.405 / 1.305 × 100 = 31.03… → 31.0
        // burn = 0.9 / 12 × 100 = 7.5
        // unbilled = 1.305 − 1.2 = 0.105 → 0.11 (the Double 0.105 would print 0.10)
        // exposure = max(0, 1.305 × 10 / 100 − 0.405) = max(0, 0.1305 − 0.405) = 0
        #expect(try rows(script.events) == [
            ["E12", "CL1", "time_and_materials", "USD", "0.00", "10.00", "12.00",
             "9.00", "0.00", "0.90", "1.31", "0.41", "31.0", "7.5", "1.20",
             "0.11", "10.0", "0.00", "false", "open"],
        ])
    }

    @Test("the burn alert compares the exact burn: 0.1 + 0.2 of 1 is not above 30%")
    func burnAlertComparesExactly() throws {
        var script = MarginScript()
        script.open("E13", "time_and_materials", budgetCost: "1", target: "10")
        script.expense("X1", on: "E13", "0.1", billable: false)
        script.expense("X2", on: "E13", "0.2", billable: false)
        var rules = MarginExposureRules()
        rules.burnAlertPercent = 30

        // burn = (0.1 + 0.2) / 1 × 100 = 30, not > 30 → not at risk.
        // (In Double, 0.1 + 0.2 = 0.30000000000000004 → 30.000000000000004 > 30.)
        // margin = −0.3; exposure = max(0, 0 − (−0.3)) = 0.3
        #expect(try rows(script.events, MarginExposureProjection(rules: rules)) == [
            ["E13", "CL1", "time_and_materials", "USD", "0.00", "0.00", "1.00",
             "0.00", "0.00", "0.30", "0.00", "-0.30", "", "30.0", "0.00",
             "0.00", "10.0", "0.30", "false", "open"],
        ])
    }

    // MARK: - Engagement lifecycle

    @Test("records before the opening count; a closed engagement is not at risk")
    func recordsBeforeOpeningAndClosing() throws {
        var script = MarginScript()
        // Everything before the opening is remembered.
        script.assign("C1", to: "E14", bill: "100", cost: "50")
        script.approved("T1", on: "E14", hours: "4")
        script.expense("X1", on: "E14", "100", billable: false)
        script.invoice("I1", on: "E14", "300")
        script.changeRequest("CR9", on: "E14", hours: "2", value: "100")
        script.requestApproval("A9", on: "E14", subject: #""CR9""#)
        script.grant("A9")
        // Closing an engagement not yet opened is ignored.
        script.close("E15")
        script.open("E15", "milestone")
        script.open("E14", "time_and_materials", contract: "1000", budgetHours: "10",
                    budgetCost: "200", target: "50")
        // A timesheet for an engagement never opened makes no row.
        script.approved("T2", on: "E98", hours: "1")
        let beforeClosing = script.events
        script.close("E14")

        // E14: contract = 1000 + 100 = 1100; budget_hours = 10 + 2 = 12
        //      cost = 4 × 50 + 100 = 300; revenue = 4 × 100 = 400; margin = 100
        //      margin_pct = 25.0 < 50 and burn = 300 / 200 × 100 = 150.0 > 90
        //      unbilled = 400 − 300 = 100; exposure = max(0, 200 − 100) = 100
        let e14 = ["E14", "CL1", "time_and_materials", "USD", "1100.00", "12.00", "200.00",
                   "4.00", "0.00", "300.00", "400.00", "100.00", "25.0", "150.0", "300.00",
                   "100.00", "50.0", "100.00"]
        let e15 = ["E15", "CL1", "milestone", "USD", "0.00", "0.00", "0.00",
                   "0.00", "0.00", "0.00", "0.00", "0.00", "", "", "0.00",
                   "0.00", "0.0", "0.00", "false", "open"]
        #expect(try rows(beforeClosing) == [e14 + ["true", "open"], e15])
        #expect(try rows(script.events) == [e14 + ["false", "closed"], e15])
    }

    @Test("rows sort by the code points of engagement_id")
    func rowsSortByCodePoints() throws {
        var script = MarginScript()
        script.open("e1", "milestone")
        script.open("E2", "milestone")
        script.open("E10", "milestone")

        // "E10" < "E2" ('1' < '2'); upper case before lower case.
        #expect(try rows(script.events).map { $0[0] } == ["E10", "E2", "e1"])
    }

    // MARK: - State and data

    @Test("the state survives a JSON round trip unchanged")
    func stateRoundTrip() throws {
        var script = MarginScript()
        script.open("E1", "time_and_materials", budgetCost: "100", target: "10")
        script.assign("C1", to: "E1", bill: "150.5", cost: "99.99")
        script.approved("T1", on: "E1", hours: "7.35")
        script.approved("T2", on: "E9", by: "C2", hours: "1")
        script.milestone("M1", on: "E1", "10")
        script.changeRequest("CR1", on: "E1", hours: "1", value: "2")
        script.requestApproval("A1", on: "E1", subject: #""CR1""#)
        script.requestApproval("A2", on: "E1", subject: #""CR2""#)
        script.grant("A2")

        var state = projection.initialState()
        for event in script.events { try projection.fold(&state, event) }
        let decoded = try JSONDecoder().decode(
            MarginExposureProjection.State.self, from: try JSONEncoder().encode(state))
        #expect(decoded == state)
    }

    @Test("an expense with a malformed amount is refused with the field named")
    func malformedEventIsRefused() throws {
        var script = MarginScript()
        script.expense("X1", on: "E1", #""12,50""#, billable: true)
        var state = projection.initialState()
        let error = #expect(throws: ValidationError.self) {
            try projection.fold(&state, script.events[0])
        }
        #expect(error?.field == "data.amount")
    }

    @Test("events of other types are ignored without reading their data")
    func otherTypesAreIgnored() throws {
        var script = MarginScript()
        // Not even JSON: the fold must not parse it.
        script.add("ConsultantCapacitySet", "not json")
        #expect(try rows(script.events) == [])
    }
}

// MARK: - Rules

extension MarginExposureTests {
    @Suite("margin-exposure rules")
    struct Rules {
        private func reader(_ json: String) throws -> RuleReader {
            try RuleReader(file: "margin-exposure.json", bytes: Array(json.utf8))
        }

        @Test("the shipped rule file holds the defaults")
        func shippedFileHoldsDefaults() throws {
            let root = URL(fileURLWithPath: #filePath)
                .deletingLastPathComponent().deletingLastPathComponent()
                .deletingLastPathComponent()
            let path = root.appendingPathComponent("projections/margin-exposure.json").path
            let bytes = try #require(FileManager.default.contents(atPath: path))
            let rules = try MarginExposureRules(
                reader: RuleReader(file: path, bytes: Array(bytes)))
            #expect(rules == MarginExposureRules())
        }

        @Test("absent keys keep their defaults")
        func absentKeysKeepDefaults() throws {
            let rules = try MarginExposureRules(reader: reader(#"{"_note": "comment"}"#))
            #expect(rules.burnAlertPercent == 90)
        }

        @Test("an unknown key is refused with the file and the key named")
        func unknownKeyIsRefused() throws {
            let error = #expect(throws: RuleError.self) {
                try MarginExposureRules(reader: reader(#"{"burn_alert": 80}"#))
            }
            #expect(error?.file == "margin-exposure.json")
            #expect(error?.key == "burn_alert")
        }

        @Test("a burn alert that is not a number, or out of range, is refused")
        func badBurnAlertIsRefused() throws {
            let text = #expect(throws: RuleError.self) {
                try MarginExposureRules(reader: reader(#"{"burn_alert_pct": "90"}"#))
            }
            #expect(text?.key == "burn_alert_pct")
            let negative = #expect(throws: RuleError.self) {
                try MarginExposureRules(reader: reader(#"{"burn_alert_pct": -1}"#))
            }
            #expect(negative?.key == "burn_alert_pct")
        }

        @Test("a higher burn alert takes an over-budget engagement out of risk")
        func customBurnAlertApplies() throws {
            let rules = try MarginExposureRules(reader: reader(#"{"burn_alert_pct": 120}"#))
            var script = MarginScript()
            script.open("E5", "fixed_fee", contract: "3000", budgetHours: "10",
                        budgetCost: "1000", target: "40")
            script.assign("C1", to: "E5", bill: "0", cost: "80")
            script.approved("T1", on: "E5", hours: "14")

            // burn = 14 × 80 / 1000 × 100 = 112.0, not > 120; margin_pct = 62.7 ≥ 40.
            let printed = try foldRows(MarginExposureProjection(rules: rules), script.events)
            let projection = MarginExposureProjection(rules: rules)
            #expect(cell(projection, row(printed, "E5"), "budget_burn_pct") == "112.0")
            #expect(cell(projection, row(printed, "E5"), "at_risk") == "false")
        }
    }
}
