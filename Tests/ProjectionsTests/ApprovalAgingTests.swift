import EventModel
import EventStore
import Foundation
import Testing

@testable import Projections

// Expected rows are worked out by hand; the comments show the arithmetic.
// Column order: approval_id, engagement_id, kind, subject_id, requested_by,
// approver_role, requested_at, last_action_at, closed_at, status, steps,
// resubmissions, age_hours, bucket, sla_hours, breached, sod_violation.

@Suite("approval aging")
struct ApprovalAgingTests {
    let projection = ApprovalAgingProjection()

    // MARK: - Lifecycle

    @Test("a multi-step approval resubmitted after a rejection keeps its first request")
    func resubmissionAfterRejection() throws {
        var script = EventScript()
        script.add("ApprovalRequested", at: "2026-03-02T09:00:00Z", Self.request("A1"))
        script.add("ApprovalStepCompleted", at: "2026-03-02T10:00:00Z",
                   Self.step("A1", approver: "u2", role: "director"))
        script.add("ApprovalRejected", at: "2026-03-02T12:00:00Z",
                   Self.rejection("A1", approver: "u3"))

        // Rejected at 12:00, three hours after the 09:00 request: 3.0 h.
        let rejected = try foldRows(projection, script.events, now: "2026-03-04T09:00:00Z")
        #expect(rejected == [[
            "A1", "E1", "discount", "", "u1", "director", "2026-03-02T09:00:00Z",
            "2026-03-02T12:00:00Z", "2026-03-02T12:00:00Z", "rejected", "1", "0",
            "3.0", "0-1d", "24.00", "false", "false",
        ]])

        // The new request brings a new role; kind, requester, engagement and
        // subject stay as first requested.
        script.add("ApprovalRequested", at: "2026-03-03T09:00:00Z",
                   Self.request("A1", kind: "expense", by: "u9", role: "partner",
                                engagement: "E9", subject: "S9"))
        script.add("ApprovalStepCompleted", at: "2026-03-03T10:00:00Z",
                   Self.step("A1", approver: "u4", role: "finance"))

        // Open again: 2026-03-04T09:00 - 2026-03-02T09:00 = 48 h, in [24, 72)
        // so 1-3d, and 48 > 24 (discount's SLA) so breached.
        let reopened = try foldRows(projection, script.events, now: "2026-03-04T09:00:00Z")
        #expect(reopened == [[
            "A1", "E1", "discount", "", "u1", "finance", "2026-03-02T09:00:00Z",
            "2026-03-03T10:00:00Z", "", "open", "2", "1",
            "48.0", "1-3d", "24.00", "true", "false",
        ]])
    }

    @Test("a withdrawal after a rejection ends withdrawn at the withdrawal")
    func rejectionThenWithdrawal() throws {
        var script = EventScript()
        script.add("ApprovalRequested", at: "2026-03-02T09:00:00Z",
                   Self.request("A2", kind: "staffing"))
        script.add("ApprovalRejected", at: "2026-03-02T10:00:00Z",
                   Self.rejection("A2", approver: "u2"))
        script.add("ApprovalWithdrawn", at: "2026-03-02T11:30:00Z",
                   Self.withdrawal("A2", by: "u1"))

        // 11:30 - 09:00 = 2.5 h; staffing's SLA is 48 h. The requester
        // withdrew, which is not an approval of their own request.
        let rows = try foldRows(projection, script.events, now: "2026-03-20T00:00:00Z")
        #expect(rows == [[
            "A2", "E1", "staffing", "", "u1", "manager", "2026-03-02T09:00:00Z",
            "2026-03-02T11:30:00Z", "2026-03-02T11:30:00Z", "withdrawn", "0", "0",
            "2.5", "0-1d", "48.00", "false", "false",
        ]])
    }

    @Test("a repeated request for an open or granted approval changes only last_action_at")
    func repeatedRequest() throws {
        var script = EventScript()
        script.add("ApprovalRequested", at: "2026-03-02T09:00:00Z", Self.request("A3"))
        script.add("ApprovalRequested", at: "2026-03-02T15:00:00Z",
                   Self.request("A3", kind: "expense", by: "u7", role: "partner"))
        script.add("ApprovalRequested", at: "2026-03-02T09:00:00Z", Self.request("A4"))
        script.add("ApprovalGranted", at: "2026-03-02T10:00:00Z",
                   Self.grant("A4", approver: "u2"))
        script.add("ApprovalRequested", at: "2026-03-02T11:00:00Z",
                   Self.request("A4", role: "partner"))

        // A3 open: 2026-03-02T21:00 - 09:00 = 12 h. A4 closed at 10:00: 1 h.
        let rows = try foldRows(projection, script.events, now: "2026-03-02T21:00:00Z")
        #expect(rows == [
            [
                "A3", "E1", "discount", "", "u1", "manager", "2026-03-02T09:00:00Z",
                "2026-03-02T15:00:00Z", "", "open", "0", "0",
                "12.0", "0-1d", "24.00", "false", "false",
            ],
            [
                "A4", "E1", "discount", "", "u1", "manager", "2026-03-02T09:00:00Z",
                "2026-03-02T11:00:00Z", "2026-03-02T10:00:00Z", "granted", "0", "0",
                "1.0", "0-1d", "24.00", "false", "false",
            ],
        ])
    }

    @Test("a step after closing counts but does not reopen the approval")
    func stepAfterClosing() throws {
        var script = EventScript()
        script.add("ApprovalRequested", at: "2026-03-02T09:00:00Z", Self.request("A5"))
        script.add("ApprovalGranted", at: "2026-03-02T10:00:00Z",
                   Self.grant("A5", approver: "u2"))
        script.add("ApprovalStepCompleted", at: "2026-03-02T12:00:00Z",
                   Self.step("A5", approver: "u1", role: "auditor"))

        // Still granted at 10:00 (age 1.0 h); the late step by the
        // requester u1 counts, sets the role and breaks segregation.
        let rows = try foldRows(projection, script.events)
        #expect(rows == [[
            "A5", "E1", "discount", "", "u1", "auditor", "2026-03-02T09:00:00Z",
            "2026-03-02T12:00:00Z", "2026-03-02T10:00:00Z", "granted", "1", "0",
            "1.0", "0-1d", "24.00", "false", "true",
        ]])
    }

    @Test("a requester who approves or rejects their own request breaks segregation")
    func segregationOfDuties() throws {
        var script = EventScript()
        for id in ["S1", "S2", "S3", "S4"] {
            script.add("ApprovalRequested", at: "2026-03-02T09:00:00Z", Self.request(id))
        }
        script.add("ApprovalGranted", at: "2026-03-02T10:00:00Z",
                   Self.grant("S1", approver: "u1"))
        script.add("ApprovalRejected", at: "2026-03-02T10:00:00Z",
                   Self.rejection("S2", approver: "u1"))
        script.add("ApprovalWithdrawn", at: "2026-03-02T10:00:00Z",
                   Self.withdrawal("S3", by: "u1"))
        script.add("ApprovalStepCompleted", at: "2026-03-02T10:00:00Z",
                   Self.step("S4", approver: "u2", role: "director"))
        script.add("ApprovalGranted", at: "2026-03-02T11:00:00Z",
                   Self.grant("S4", approver: "u3"))

        let rows = try foldRows(projection, script.events)
        let violations = rows.map { cell(projection, $0, "sod_violation") }
        // u1 requested all four: granted S1 and rejected S2 themselves,
        // withdrew S3 (not an approval); u2 and u3 decided S4.
        #expect(violations == ["true", "true", "false", "false"])
    }

    @Test("events naming an approval never requested are ignored")
    func unknownApproval() throws {
        var script = EventScript()
        script.add("ApprovalStepCompleted", at: "2026-03-02T10:00:00Z",
                   Self.step("X1", approver: "u2", role: "director"))
        script.add("ApprovalGranted", at: "2026-03-02T10:00:00Z",
                   Self.grant("X1", approver: "u2"))
        script.add("ApprovalWithdrawn", at: "2026-03-02T10:00:00Z",
                   Self.withdrawal("X1", by: "u1"))
        script.add("TimesheetApproved", at: "2026-03-02T10:00:00Z",
                   #"{"timesheet_id":"T1","approver":"u2"}"#)

        #expect(try foldRows(projection, script.events).isEmpty)
    }

    @Test("rows are sorted by the plain string order of approval_id")
    func rowOrder() throws {
        var script = EventScript()
        for id in ["A9", "A10", "B1", "A11"] {
            script.add("ApprovalRequested", at: "2026-03-02T09:00:00Z", Self.request(id))
        }
        let rows = try foldRows(projection, script.events)
        #expect(rows.map { $0[0] } == ["A10", "A11", "A9", "B1"])
    }

    // MARK: - Age, bucket and SLA

    @Test("age runs to now while open and to closed_at once closed")
    func ageAgainstNowOrClosedAt() throws {
        var script = EventScript()
        script.add("ApprovalRequested", at: "2026-03-01T00:00:00Z", Self.request("G1"))
        script.add("ApprovalRequested", at: "2026-03-01T00:00:00Z", Self.request("G2"))
        script.add("ApprovalGranted", at: "2026-03-01T01:15:00Z",
                   Self.grant("G2", approver: "u2"))

        // G1: 2026-03-02T06:30 - 2026-03-01T00:00 = 30.5 h, 1-3d, > 24 h.
        // G2: 01:15 - 00:00 = 1.25 h, printed half away from zero as 1.3.
        let rows = try foldRows(projection, script.events, now: "2026-03-02T06:30:00Z")
        let ages = rows.map { [$0[0], $0[12], $0[13], $0[15]] }
        #expect(ages == [["G1", "30.5", "1-3d", "true"], ["G2", "1.3", "0-1d", "false"]])
    }

    /// (requested_at, printed age, bucket) with now = 2026-03-31T00:00:00Z.
    static let boundaryCases: [(String, String, String)] = [
        ("2026-03-31T00:00:00Z", "0.0", "0-1d"),
        // 86 399 s / 3600 = 23.9997 h: printed 24.0, still below 24.
        ("2026-03-30T00:00:01Z", "24.0", "0-1d"),
        ("2026-03-30T00:00:00Z", "24.0", "1-3d"),
        // 3 days less one second: 71.9997 h.
        ("2026-03-28T00:00:01Z", "72.0", "1-3d"),
        ("2026-03-28T00:00:00Z", "72.0", "3-7d"),
        ("2026-03-24T00:00:00Z", "168.0", "7-14d"),
        ("2026-03-17T00:00:00Z", "336.0", "14d+"),
        // A request after now (a replay cut-off): -5 h, in the first bucket.
        ("2026-03-31T05:00:00Z", "-5.0", "0-1d"),
    ]

    @Test("each bucket starts at its bound, by the exact age",
          arguments: boundaryCases)
    func bucketBoundaries(requestedAt: String, age: String, bucket: String) throws {
        var script = EventScript()
        script.add("ApprovalRequested", at: requestedAt, Self.request("B1"))
        let rows = try foldRows(projection, script.events, now: "2026-03-31T00:00:00Z")
        #expect(cell(projection, rows.first, "age_hours") == age)
        #expect(cell(projection, rows.first, "bucket") == bucket)
    }

    @Test("an age exactly at the SLA is not breached, one second more is")
    func breachedAtTheSLA() throws {
        var script = EventScript()
        script.add("ApprovalRequested", at: "2026-03-01T00:00:00Z", Self.request("D1"))
        script.add("ApprovalRequested", at: "2026-02-28T23:59:59Z", Self.request("D2"))

        // D1: exactly 24 h, not over discount's 24. D2: 24 h 1 s =
        // 24.0003 h, printed 24.0 but over the SLA.
        let rows = try foldRows(projection, script.events, now: "2026-03-02T00:00:00Z")
        let breaches = rows.map { [$0[12], $0[14], $0[15]] }
        #expect(breaches == [["24.0", "24.00", "false"], ["24.0", "24.00", "true"]])
    }

    @Test("custom rules name buckets from their bounds and override one kind's SLA")
    func customRules() throws {
        let rules = try ApprovalAgingRules(reader: Self.reader(
            #"{"bucket_bounds_hours": [12, 36, 48], "sla_hours": {"discount": 6.5}}"#))
        // 12 h and 36 h (1.5 d) are not whole days, so they stay in hours;
        // 48 h is 2 d.
        #expect(rules.bucketNames == ["0-12h", "12-36h", "36h-2d", "2d+"])
        let custom = ApprovalAgingProjection(rules: rules)

        var script = EventScript()
        script.add("ApprovalRequested", at: "2026-03-04T17:00:00Z", Self.request("C1"))
        script.add("ApprovalRequested", at: "2026-03-04T12:00:00Z",
                   Self.request("C2", kind: "staffing"))
        script.add("ApprovalRequested", at: "2026-03-03T08:00:00Z",
                   Self.request("C3", kind: "staffing"))
        script.add("ApprovalRequested", at: "2026-03-02T22:00:00Z",
                   Self.request("C4", kind: "expense"))

        // now 2026-03-05T00:00: C1 7 h (> 6.5), C2 12 h, C3 40 h, C4 50 h;
        // staffing keeps 48, expense 120.
        let rows = try foldRows(custom, script.events, now: "2026-03-05T00:00:00Z")
        let aging = rows.map { [$0[12], $0[13], $0[14], $0[15]] }
        #expect(aging == [
            ["7.0", "0-12h", "6.50", "true"],
            ["12.0", "12-36h", "48.00", "false"],
            ["40.0", "36h-2d", "48.00", "false"],
            ["50.0", "2d+", "120.00", "false"],
        ])
    }

    // MARK: - Rule file

    @Test("the shipped rule file holds the defaults")
    func shippedRuleFile() throws {
        let path = URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
            .appendingPathComponent("projections/approval-aging.json").path
        let bytes = try #require(FileManager.default.contents(atPath: path))
        let reader = try RuleReader(file: path, bytes: Array(bytes))
        #expect(try ApprovalAgingRules(reader: reader) == ApprovalAgingRules())
        #expect(ApprovalAgingRules().bucketNames == ["0-1d", "1-3d", "3-7d", "7-14d", "14d+"])
        #expect(try ApprovalAgingRules(reader: Self.reader("{}")) == ApprovalAgingRules())
    }

    /// (file text, the key the error names)
    static let refusedRules: [(String, String)] = [
        (#"{"bucket_bounds": [24]}"#, "bucket_bounds"),
        (#"{"sla_hours": {"discounts": 10}}"#, "sla_hours.discounts"),
        (#"{"sla_hours": {"discount": -1}}"#, "sla_hours.discount"),
        (#"{"sla_hours": {"discount": "x"}}"#, "sla_hours.discount"),
        (#"{"bucket_bounds_hours": [24, 24]}"#, "bucket_bounds_hours"),
        (#"{"bucket_bounds_hours": []}"#, "bucket_bounds_hours"),
        (#"{"bucket_bounds_hours": [0, 24]}"#, "bucket_bounds_hours"),
        (#"{"bucket_bounds_hours": [24, 100000]}"#, "bucket_bounds_hours"),
    ]

    @Test("a rule file with an unknown key or kind, or a value out of range, is refused",
          arguments: refusedRules)
    func refusedRuleFile(text: String, key: String) throws {
        let error = #expect(throws: RuleError.self) {
            try ApprovalAgingRules(reader: Self.reader(text))
        }
        #expect(error?.key == key)
    }

    @Test("the fold state survives encoding")
    func stateRoundTrip() throws {
        var script = EventScript()
        script.add("ApprovalRequested", at: "2026-03-02T09:00:00Z",
                   Self.request("A1", subject: "M1"))
        script.add("ApprovalRejected", at: "2026-03-02T10:00:00Z",
                   Self.rejection("A1", approver: "u1"))
        var state = projection.initialState()
        for event in script.events { try projection.fold(&state, event) }

        let data = try JSONEncoder().encode(state)
        #expect(try JSONDecoder().decode(ApprovalAgingProjection.State.self, from: data) == state)
    }

    // MARK: - Event data

    static func request(_ id: String, kind: String = "discount", by requester: String = "u1",
                        role: String = "manager", engagement: String = "E1",
                        subject: String? = nil) -> String {
        let subjectJSON = subject.map { #""\#($0)""# } ?? "null"
        return #"{"approval_id":"\#(id)","engagement_id":"\#(engagement)","kind":"\#(kind)","#
            + #""subject_id":\#(subjectJSON),"requested_by":"\#(requester)","#
            + #""approver_role":"\#(role)","amount":"1500.00"}"#
    }

    static func step(_ id: String, approver: String, role: String) -> String {
        #"{"approval_id":"\#(id)","approver":"\#(approver)","role":"\#(role)"}"#
    }

    static func grant(_ id: String, approver: String) -> String {
        #"{"approval_id":"\#(id)","approver":"\#(approver)"}"#
    }

    static func rejection(_ id: String, approver: String) -> String {
        #"{"approval_id":"\#(id)","approver":"\#(approver)","reason":"over budget"}"#
    }

    static func withdrawal(_ id: String, by actor: String) -> String {
        #"{"approval_id":"\#(id)","by":"\#(actor)"}"#
    }

    static func reader(_ text: String) throws -> RuleReader {
        try RuleReader(file: "approval-aging.json", bytes: Array(text.utf8))
    }
}
