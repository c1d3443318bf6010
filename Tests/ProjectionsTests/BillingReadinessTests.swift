import EventModel
import EventStore
import Foundation
import Testing

@testable import Projections

// Expected rows are worked out by hand; the comments show the arithmetic.
// Column order: milestone_id, engagement_id, name, amount, due_date, status,
// blockers, completed_at, ready_since, days_ready, invoice_id, overdue.

@Suite("billing readiness")
struct BillingReadinessTests {
    let projection = BillingReadinessProjection()

    // MARK: - Sign-off

    @Test("a completed milestone awaits the client's sign-off until it arrives")
    func signoffAfterCompletion() throws {
        var script = EventScript()
        script.add("MilestoneDefined", at: "2026-03-01T09:00:00Z", Self.definition("M1"))
        let now = "2026-03-14T21:00:00Z"
        #expect(try foldRows(projection, script.events, now: now) == [[
            "M1", "E1", "Design", "5000.00", "2026-04-30", "open", "", "", "", "", "", "false",
        ]])

        script.add("MilestoneCompleted", at: "2026-03-10T15:00:00Z", Self.completion("M1"))
        #expect(try foldRows(projection, script.events, now: now) == [[
            "M1", "E1", "Design", "5000.00", "2026-04-30", "blocked", "awaiting_signoff",
            "2026-03-10T15:00:00Z", "", "", "", "false",
        ]])

        // Ready from the sign-off; 2026-03-14T21:00 - 2026-03-12T09:00 =
        // 2 d 12 h = 2.5 days.
        script.add("ClientSignoffReceived", at: "2026-03-12T09:00:00Z", Self.signoff("M1"))
        #expect(try foldRows(projection, script.events, now: now) == [[
            "M1", "E1", "Design", "5000.00", "2026-04-30", "ready", "",
            "2026-03-10T15:00:00Z", "2026-03-12T09:00:00Z", "2.5", "", "false",
        ]])
    }

    @Test("a sign-off received before completion, even before definition, counts")
    func signoffBeforeCompletion() throws {
        var script = EventScript()
        script.add("MilestoneDefined", at: "2026-03-01T09:00:00Z", Self.definition("M1"))
        script.add("ClientSignoffReceived", at: "2026-03-05T09:00:00Z", Self.signoff("M1"))
        script.add("MilestoneCompleted", at: "2026-03-10T15:00:00Z", Self.completion("M1"))
        script.add("ClientSignoffReceived", at: "2026-03-01T08:00:00Z", Self.signoff("M2"))
        script.add("MilestoneDefined", at: "2026-03-02T09:00:00Z", Self.definition("M2"))
        script.add("MilestoneCompleted", at: "2026-03-10T15:00:00Z", Self.completion("M2"))

        // Both ready from their completion. 2026-03-12T16:12 - 2026-03-10T15:00
        // = 2 d 1 h 12 min = 2 + 1.2 / 24 = 2.05 days, printed 2.1 (half up).
        let rows = try foldRows(projection, script.events, now: "2026-03-12T16:12:00Z")
        let readiness = rows.map { [$0[0], $0[5], $0[6], $0[8], $0[9]] }
        #expect(readiness == [
            ["M1", "ready", "", "2026-03-10T15:00:00Z", "2.1"],
            ["M2", "ready", "", "2026-03-10T15:00:00Z", "2.1"],
        ])
    }

    @Test("without a required sign-off a completion with no other blocker is ready at once")
    func signoffNotRequired() throws {
        let rules = try BillingReadinessRules(reader: Self.reader(
            #"{"require_client_signoff": false}"#))
        let relaxed = BillingReadinessProjection(rules: rules)
        var script = EventScript()
        script.add("MilestoneDefined", at: "2026-03-01T09:00:00Z", Self.definition("M1"))
        script.add("TimesheetSubmitted", at: "2026-03-09T18:00:00Z",
                   Self.timesheet("T1", date: "2026-03-09"))
        script.add("MilestoneDefined", at: "2026-03-01T09:00:00Z",
                   Self.definition("M2", engagement: "E2"))
        script.add("MilestoneCompleted", at: "2026-03-10T15:00:00Z", Self.completion("M1"))
        script.add("MilestoneCompleted", at: "2026-03-10T16:00:00Z",
                   Self.completion("M2", engagement: "E2"))

        // M1 is held only by T1; M2 (E2) has nothing and is ready at its
        // completion: 2026-03-11T04:00 - 2026-03-10T16:00 = 12 h = 0.5 days.
        let rows = try foldRows(relaxed, script.events, now: "2026-03-11T04:00:00Z")
        let readiness = rows.map { [$0[0], $0[5], $0[6], $0[8], $0[9]] }
        #expect(readiness == [
            ["M1", "blocked", "timesheets_pending:1", "", ""],
            ["M2", "ready", "", "2026-03-10T16:00:00Z", "0.5"],
        ])
    }

    // MARK: - Timesheets

    @Test("pending timesheets count up to the completion's UTC date, on its engagement only")
    func pendingTimesheetsCounted() throws {
        var script = EventScript()
        script.add("MilestoneDefined", at: "2026-03-01T09:00:00Z", Self.definition("M1"))
        script.add("ClientSignoffReceived", at: "2026-03-02T09:00:00Z", Self.signoff("M1"))
        let submitted = "2026-03-09T18:00:00Z"
        script.add("TimesheetSubmitted", at: submitted, Self.timesheet("T1", date: "2026-03-11"))
        script.add("TimesheetSubmitted", at: submitted,
                   Self.timesheet("T2", date: "2026-03-09", billable: false))
        script.add("TimesheetSubmitted", at: submitted, Self.timesheet("T3", date: "2026-03-12"))
        script.add("TimesheetSubmitted", at: submitted,
                   Self.timesheet("T4", engagement: "E2", date: "2026-03-01"))
        script.add("TimesheetSubmitted", at: submitted, Self.timesheet("T5", date: "2026-03-05"))
        script.add("TimesheetApproved", at: submitted, Self.approved("T5"))
        script.add("TimesheetSubmitted", at: submitted, Self.timesheet("T6", date: "2026-03-06"))
        script.add("TimesheetRejected", at: submitted, Self.rejected("T6"))
        // 22:30 at -03:00 is 2026-03-11T01:30Z: the UTC date is 03-11.
        script.add("MilestoneCompleted", at: "2026-03-10T22:30:00-03:00", Self.completion("M1"))

        // T1 (on the UTC date) and T2 (non-billable, earlier) count; T3 is
        // later, T4 on E2, T5 approved, T6 rejected.
        let rows = try foldRows(projection, script.events, now: "2026-03-12T00:00:00Z")
        #expect(rows == [[
            "M1", "E1", "Design", "5000.00", "2026-04-30", "blocked", "timesheets_pending:2",
            "2026-03-11T01:30:00Z", "", "", "", "false",
        ]])

        // A timesheet submitted after completion for an earlier date counts too.
        script.add("TimesheetSubmitted", at: "2026-03-11T09:00:00Z",
                   Self.timesheet("T7", date: "2026-03-10"))
        let later = try foldRows(projection, script.events, now: "2026-03-12T00:00:00Z")
        #expect(cell(projection, later.first, "blockers") == "timesheets_pending:3")
    }

    @Test("an approved timesheet clears the blocker and a resubmission brings it back")
    func timesheetClearsAndReturns() throws {
        var script = EventScript()
        script.add("MilestoneDefined", at: "2026-03-01T09:00:00Z", Self.definition("M1"))
        script.add("ClientSignoffReceived", at: "2026-03-02T09:00:00Z", Self.signoff("M1"))
        script.add("TimesheetSubmitted", at: "2026-03-09T18:00:00Z",
                   Self.timesheet("T1", date: "2026-03-09"))
        script.add("MilestoneCompleted", at: "2026-03-10T15:00:00Z", Self.completion("M1"))
        let now = "2026-03-14T00:00:00Z"
        #expect(try Self.readiness(projection, script, now: now)
            == ["blocked", "timesheets_pending:1", "", ""])

        // The approval removed the last blocker: ready since 03-11T10:00,
        // 2026-03-14T00:00 - 2026-03-11T10:00 = 2 d 14 h = 2.583 days.
        script.add("TimesheetApproved", at: "2026-03-11T10:00:00Z", Self.approved("T1"))
        #expect(try Self.readiness(projection, script, now: now)
            == ["ready", "", "2026-03-11T10:00:00Z", "2.6"])

        script.add("TimesheetSubmitted", at: "2026-03-12T08:00:00Z",
                   Self.timesheet("T1", date: "2026-03-09"))
        #expect(try Self.readiness(projection, script, now: now)
            == ["blocked", "timesheets_pending:1", "", ""])

        // Ready again from the second approval: 00:00 - 12:00 the day
        // before = 12 h = 0.5 days.
        script.add("TimesheetApproved", at: "2026-03-13T12:00:00Z", Self.approved("T1"))
        #expect(try Self.readiness(projection, script, now: now)
            == ["ready", "", "2026-03-13T12:00:00Z", "0.5"])
    }

    @Test("a resubmission to another engagement or a later date stops blocking")
    func timesheetMovedAway() throws {
        var script = EventScript()
        script.add("MilestoneDefined", at: "2026-03-01T09:00:00Z", Self.definition("M1"))
        script.add("ClientSignoffReceived", at: "2026-03-02T09:00:00Z", Self.signoff("M1"))
        script.add("TimesheetSubmitted", at: "2026-03-09T18:00:00Z",
                   Self.timesheet("T1", date: "2026-03-09"))
        script.add("TimesheetSubmitted", at: "2026-03-09T18:00:00Z",
                   Self.timesheet("T2", date: "2026-03-08"))
        script.add("MilestoneCompleted", at: "2026-03-10T15:00:00Z", Self.completion("M1"))
        let now = "2026-03-12T12:00:00Z"
        #expect(try Self.readiness(projection, script, now: now)
            == ["blocked", "timesheets_pending:2", "", ""])

        // T1 moves to E2, T2 to a date after the 03-10 completion.
        script.add("TimesheetSubmitted", at: "2026-03-11T09:00:00Z",
                   Self.timesheet("T1", engagement: "E2", date: "2026-03-09"))
        #expect(try Self.readiness(projection, script, now: now)
            == ["blocked", "timesheets_pending:1", "", ""])

        // Ready from T2's move: 2026-03-12T12:00 - 2026-03-11T12:00 = 1.0 day.
        script.add("TimesheetSubmitted", at: "2026-03-11T12:00:00Z",
                   Self.timesheet("T2", date: "2026-03-11"))
        #expect(try Self.readiness(projection, script, now: now)
            == ["ready", "", "2026-03-11T12:00:00Z", "1.0"])

        // T1 back on E1 but dated after the completion: still ready since 12:00.
        script.add("TimesheetSubmitted", at: "2026-03-11T21:00:00Z",
                   Self.timesheet("T1", date: "2026-03-12"))
        #expect(try Self.readiness(projection, script, now: now)
            == ["ready", "", "2026-03-11T12:00:00Z", "1.0"])
    }

    // MARK: - Approvals

    @Test("an open invoice_release approval blocks its subject until it closes")
    func invoiceReleaseApproval() throws {
        var script = EventScript()
        script.add("MilestoneDefined", at: "2026-03-01T09:00:00Z", Self.definition("M1"))
        script.add("ClientSignoffReceived", at: "2026-03-02T09:00:00Z", Self.signoff("M1"))
        script.add("MilestoneCompleted", at: "2026-03-10T15:00:00Z", Self.completion("M1"))
        script.add("ApprovalRequested", at: "2026-03-11T09:00:00Z", Self.request("AP2"))
        script.add("ApprovalRequested", at: "2026-03-11T10:00:00Z", Self.request("AP1"))
        // Neither another kind on M1 nor an invoice release on M2 blocks M1.
        script.add("ApprovalRequested", at: "2026-03-11T11:00:00Z",
                   Self.request("AP3", kind: "discount"))
        script.add("ApprovalRequested", at: "2026-03-11T11:00:00Z",
                   Self.request("AP4", subject: "M2"))
        let now = "2026-03-15T00:00:00Z"
        #expect(try Self.readiness(projection, script, now: now)
            == ["blocked", "approval_pending:AP1;approval_pending:AP2", "", ""])

        script.add("ApprovalGranted", at: "2026-03-12T09:00:00Z", Self.decision("AP1"))
        script.add("ApprovalStepCompleted", at: "2026-03-12T10:00:00Z",
                   #"{"approval_id":"AP2","approver":"u5","role":"finance"}"#)
        #expect(try Self.readiness(projection, script, now: now)
            == ["blocked", "approval_pending:AP2", "", ""])

        // 2026-03-15T00:00 - 2026-03-12T12:00 = 2 d 12 h = 2.5 days.
        script.add("ApprovalWithdrawn", at: "2026-03-12T12:00:00Z",
                   #"{"approval_id":"AP2","by":"u1"}"#)
        #expect(try Self.readiness(projection, script, now: now)
            == ["ready", "", "2026-03-12T12:00:00Z", "2.5"])

        // Requested again after the withdrawal: open again.
        script.add("ApprovalRequested", at: "2026-03-13T09:00:00Z", Self.request("AP2"))
        #expect(try Self.readiness(projection, script, now: now)
            == ["blocked", "approval_pending:AP2", "", ""])

        // Granted at 03-13T17:00 (7 h = 0.2917 days before now); a new
        // request for the granted AP1 changes nothing.
        script.add("ApprovalGranted", at: "2026-03-13T17:00:00Z", Self.decision("AP2"))
        script.add("ApprovalRequested", at: "2026-03-14T09:00:00Z", Self.request("AP1"))
        #expect(try Self.readiness(projection, script, now: "2026-03-14T00:00:00Z")
            == ["ready", "", "2026-03-13T17:00:00Z", "0.3"])
    }

    @Test("blockers are listed as sign-off, timesheets, then approvals in id order")
    func blockerOrder() throws {
        var script = EventScript()
        script.add("MilestoneDefined", at: "2026-03-01T09:00:00Z", Self.definition("M1"))
        script.add("TimesheetSubmitted", at: "2026-03-09T18:00:00Z",
                   Self.timesheet("T1", date: "2026-03-09"))
        script.add("ApprovalRequested", at: "2026-03-09T18:00:00Z", Self.request("AP3"))
        script.add("ApprovalRequested", at: "2026-03-09T18:00:00Z", Self.request("AP1"))
        script.add("MilestoneCompleted", at: "2026-03-10T15:00:00Z", Self.completion("M1"))

        let rows = try foldRows(projection, script.events)
        #expect(cell(projection, rows.first, "blockers")
            == "awaiting_signoff;timesheets_pending:1;approval_pending:AP1;approval_pending:AP3")
    }

    // MARK: - Invoices and milestones

    @Test("an invoice keeps ready_since, empties days_ready and stops tracking blockers")
    func invoicedMilestone() throws {
        var script = EventScript()
        script.add("MilestoneDefined", at: "2026-03-01T09:00:00Z",
                   Self.definition("M1", due: "2026-03-01"))
        script.add("ClientSignoffReceived", at: "2026-03-02T09:00:00Z", Self.signoff("M1"))
        script.add("MilestoneCompleted", at: "2026-03-10T15:00:00Z", Self.completion("M1"))
        script.add("InvoiceIssued", at: "2026-03-12T09:00:00Z", Self.invoice("INV1", "M1"))
        script.add("InvoiceIssued", at: "2026-03-13T09:00:00Z", Self.invoice("INV2", "M1"))
        script.add("InvoiceIssued", at: "2026-03-13T09:00:00Z", Self.invoice("INV3", nil))
        // A pending timesheet no longer matters once invoiced.
        script.add("TimesheetSubmitted", at: "2026-03-13T10:00:00Z",
                   Self.timesheet("T1", date: "2026-03-09"))
        script.add("MilestoneDefined", at: "2026-03-01T09:00:00Z", Self.definition("M2"))
        script.add("MilestoneCompleted", at: "2026-03-10T15:00:00Z", Self.completion("M2"))
        script.add("InvoiceIssued", at: "2026-03-12T09:00:00Z", Self.invoice("INV4", "M2"))
        script.add("ClientSignoffReceived", at: "2026-03-13T09:00:00Z", Self.signoff("M2"))

        // M1 was due 03-01 but is invoiced, so not overdue; M2 was blocked
        // when invoiced, so it never had a ready_since.
        let rows = try foldRows(projection, script.events, now: "2026-03-20T00:00:00Z")
        #expect(rows == [
            [
                "M1", "E1", "Design", "5000.00", "2026-03-01", "invoiced", "",
                "2026-03-10T15:00:00Z", "2026-03-10T15:00:00Z", "", "INV1", "false",
            ],
            [
                "M2", "E1", "Design", "5000.00", "2026-04-30", "invoiced", "",
                "2026-03-10T15:00:00Z", "", "", "INV4", "false",
            ],
        ])
    }

    @Test("a milestone needs its definition: earlier invoices count, completions do not")
    func eventsBeforeDefinition() throws {
        var script = EventScript()
        script.add("MilestoneCompleted", at: "2026-03-01T09:00:00Z", Self.completion("M1"))
        script.add("InvoiceIssued", at: "2026-03-01T09:00:00Z", Self.invoice("INV1", "M2"))
        script.add("ClientSignoffReceived", at: "2026-03-01T09:00:00Z", Self.signoff("M3"))
        #expect(try foldRows(projection, script.events).isEmpty)

        script.add("MilestoneDefined", at: "2026-03-02T09:00:00Z", Self.definition("M1"))
        script.add("MilestoneDefined", at: "2026-03-02T09:00:00Z", Self.definition("M2"))
        let rows = try foldRows(projection, script.events, now: "2026-03-05T00:00:00Z")
        #expect(rows == [
            ["M1", "E1", "Design", "5000.00", "2026-04-30", "open", "", "", "", "", "", "false"],
            [
                "M2", "E1", "Design", "5000.00", "2026-04-30", "invoiced", "", "", "", "",
                "INV1", "false",
            ],
        ])
    }

    @Test("a redefinition replaces name, amount, due date and engagement")
    func redefinition() throws {
        var script = EventScript()
        script.add("MilestoneDefined", at: "2026-03-01T09:00:00Z", Self.definition("M1"))
        script.add("ClientSignoffReceived", at: "2026-03-02T09:00:00Z", Self.signoff("M1"))
        script.add("TimesheetSubmitted", at: "2026-03-09T18:00:00Z",
                   Self.timesheet("T1", engagement: "E2", date: "2026-03-09"))
        script.add("MilestoneCompleted", at: "2026-03-10T15:00:00Z", Self.completion("M1"))
        script.add("MilestoneDefined", at: "2026-03-11T09:00:00Z",
                   Self.definition("M1", engagement: "E2", name: "Build", amount: "7250.5",
                                   due: "2026-05-15"))
        // On E2, T1 (03-09, before the 03-10 completion) now blocks it.
        let now = "2026-03-13T00:00:00Z"
        #expect(try foldRows(projection, script.events, now: now) == [[
            "M1", "E2", "Build", "7250.50", "2026-05-15", "blocked", "timesheets_pending:1",
            "2026-03-10T15:00:00Z", "", "", "", "false",
        ]])

        // 2026-03-13T00:00 - 2026-03-12T00:00 = 1.0 day.
        script.add("TimesheetApproved", at: "2026-03-12T00:00:00Z", Self.approved("T1"))
        #expect(try Self.readiness(projection, script, now: now)
            == ["ready", "", "2026-03-12T00:00:00Z", "1.0"])
    }

    /// (now, overdue) for a milestone due 2026-03-31 and never invoiced.
    static let overdueCases: [(String, String)] = [
        ("2026-03-31T23:59:59Z", "false"),
        ("2026-04-01T00:00:00Z", "true"),
        // 22:00 at -03:00 is 2026-04-01T01:00Z: already April in UTC.
        ("2026-03-31T22:00:00-03:00", "true"),
    ]

    @Test("overdue compares the due date with the UTC date of now", arguments: overdueCases)
    func overdue(now: String, expected: String) throws {
        var script = EventScript()
        script.add("MilestoneDefined", at: "2026-03-01T09:00:00Z",
                   Self.definition("M1", due: "2026-03-31"))
        let rows = try foldRows(projection, script.events, now: now)
        #expect(cell(projection, rows.first, "overdue") == expected)
    }

    // MARK: - Rule file

    @Test("the shipped rule file holds the defaults")
    func shippedRuleFile() throws {
        let path = URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
            .appendingPathComponent("projections/billing-readiness.json").path
        let bytes = try #require(FileManager.default.contents(atPath: path))
        let reader = try RuleReader(file: path, bytes: Array(bytes))
        #expect(try BillingReadinessRules(reader: reader) == BillingReadinessRules())
        #expect(BillingReadinessRules().requireClientSignoff)
    }

    @Test("a rule file with an unknown key or a non-boolean value is refused",
          arguments: [
              (#"{"require_signoff": false}"#, "require_signoff"),
              (#"{"require_client_signoff": "no"}"#, "require_client_signoff"),
          ])
    func refusedRuleFile(text: String, key: String) throws {
        let error = #expect(throws: RuleError.self) {
            try BillingReadinessRules(reader: Self.reader(text))
        }
        #expect(error?.key == key)
    }

    @Test("the fold state survives encoding")
    func stateRoundTrip() throws {
        var script = EventScript()
        script.add("MilestoneDefined", at: "2026-03-01T09:00:00Z", Self.definition("M1"))
        script.add("TimesheetSubmitted", at: "2026-03-09T18:00:00Z",
                   Self.timesheet("T1", date: "2026-03-09"))
        script.add("ApprovalRequested", at: "2026-03-09T18:00:00Z", Self.request("AP1"))
        script.add("MilestoneCompleted", at: "2026-03-10T15:00:00Z", Self.completion("M1"))
        var state = projection.initialState()
        for event in script.events { try projection.fold(&state, event) }

        let data = try JSONEncoder().encode(state)
        let decoded = try JSONDecoder().decode(BillingReadinessProjection.State.self, from: data)
        #expect(decoded == state)
    }

    // MARK: - Event data

    /// status, blockers, ready_since and days_ready of the only row.
    static func readiness(_ projection: BillingReadinessProjection, _ script: EventScript,
                          now: String) throws -> [String] {
        let rows = try foldRows(projection, script.events, now: now)
        return rows.first.map { [$0[5], $0[6], $0[8], $0[9]] } ?? []
    }

    static func definition(_ id: String, engagement: String = "E1", name: String = "Design",
                           amount: String = "5000", due: String = "2026-04-30") -> String {
        #"{"milestone_id":"\#(id)","engagement_id":"\#(engagement)","name":"\#(name)","#
            + #""amount":\#(amount),"due_date":"\#(due)"}"#
    }

    static func completion(_ id: String, engagement: String = "E1") -> String {
        #"{"milestone_id":"\#(id)","engagement_id":"\#(engagement)"}"#
    }

    static func signoff(_ id: String) -> String {
        #"{"milestone_id":"\#(id)","engagement_id":"E1","signed_by":"client-1"}"#
    }

    static func invoice(_ id: String, _ milestone: String?) -> String {
        let milestoneJSON = milestone.map { #""\#($0)""# } ?? "null"
        return #"{"invoice_id":"\#(id)","engagement_id":"E1","#
            + #""milestone_id":\#(milestoneJSON),"amount":"5000.00"}"#
    }

    static func timesheet(_ id: String, engagement: String = "E1", date: String,
                          billable: Bool = true) -> String {
        #"{"timesheet_id":"\#(id)","engagement_id":"\#(engagement)","consultant_id":"C1","#
            + #""work_date":"\#(date)","hours":7.5,"billable":\#(billable)}"#
    }

    static func approved(_ id: String) -> String {
        #"{"timesheet_id":"\#(id)","approver":"u9"}"#
    }

    static func rejected(_ id: String) -> String {
        #"{"timesheet_id":"\#(id)","approver":"u9","reason":"wrong code"}"#
    }

    static func request(_ id: String, kind: String = "invoice_release",
                        subject: String = "M1") -> String {
        #"{"approval_id":"\#(id)","engagement_id":"E1","kind":"\#(kind)","#
            + #""subject_id":"\#(subject)","requested_by":"u1","approver_role":"finance","#
            + #""amount":null}"#
    }

    static func decision(_ id: String) -> String {
        #"{"approval_id":"\#(id)","approver":"u5"}"#
    }

    static func reader(_ text: String) throws -> RuleReader {
        try RuleReader(file: "billing-readiness.json", bytes: Array(text.utf8))
    }
}
