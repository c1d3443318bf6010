import EventModel
import EventStore
import Foundation
import Testing
@testable import Projections

/// A store whose clock (recorded_at) the test sets by hand.
final class ReplayFixture {
    let directory: String
    let store: EventStore
    private let clock = ClockBox()

    init() throws {
        directory = FileManager.default.temporaryDirectory.path
            + "/evstore-replay-" + UUID().uuidString.lowercased()
        var options = StoreOptions()
        let clock = self.clock
        options.clock = { clock.read() }
        store = try EventStore(directory: directory, options: options, create: true)
    }

    deinit {
        // Best effort: a leftover temporary directory harms nothing.
        try? FileManager.default.removeItem(atPath: directory)
    }

    /// Sets the store's clock: the recorded_at of the next appends.
    func record(at time: String) {
        let value = try! Timestamp(rfc3339: time).microseconds
        clock.now.withLock { $0 = value }
    }

    func append(_ stream: String, _ type: String, occurred: String, _ data: String,
                actor: String = "user-1") throws {
        try store.append([NewEvent(type: type, data: data,
                                   metadata: #"{"actor":"\#(actor)"}"#,
                                   occurredAt: try Timestamp(rfc3339: occurred))], to: stream)
    }

    func engine(_ names: [String] = BuiltInProjections.names,
                rules: [String: String] = [:], snapshotInterval: Int = 100_000,
                actor: String = "auditor") throws -> ProjectionEngine {
        let registrations = try names.map { name in
            try BuiltInProjections.make(
                name, rules: Array((rules[name] ?? BuiltInProjections.defaultRules[name]!).utf8),
                file: "\(name).json")
        }
        return try ProjectionEngine(store: store, projections: registrations,
                                    clock: { Timestamp(microseconds: 0) },
                                    snapshotInterval: snapshotInterval, actor: actor)
    }
}

/// Lets the store's `@Sendable` clock read the fixture's mutex.
final class ClockBox: Sendable {
    let now = Locked(Int64(0))
    func read() -> Timestamp { Timestamp(microseconds: now.withLock { $0 }) }
}

func time(_ text: String) -> Timestamp { try! Timestamp(cutoff: text) }

func printedRows(_ model: ReadModel) -> [[String]] {
    model.rows.map { row in zip(row, model.columns).map { $0.formatted(for: $1) } }
}

func column(_ model: ReadModel, _ row: [String], _ name: String) -> String {
    row[model.columns.firstIndex { $0.name == name }!]
}

@Suite("Point-in-time replay")
struct ReplayTests {
    /// C7 works 8 h in the week of 2026-03-16 (recorded in March) and 6 h on
    /// 2026-03-31, a late timesheet entered and approved on 2026-04-03 but
    /// dated (occurred) March 31.
    private func lateTimesheet() throws -> ReplayFixture {
        let fixture = try ReplayFixture()
        fixture.record(at: "2026-03-20T10:00:00Z")
        try fixture.append("timesheet-C7", "TimesheetSubmitted", occurred: "2026-03-16T17:00:00Z",
            #"{"timesheet_id":"T1","engagement_id":"E1","consultant_id":"C7","#
            + #""work_date":"2026-03-16","hours":8,"billable":true}"#)
        try fixture.append("timesheet-C7", "TimesheetApproved", occurred: "2026-03-17T09:00:00Z",
            #"{"timesheet_id":"T1","approver":"M1"}"#)
        fixture.record(at: "2026-04-03T08:00:00Z")
        try fixture.append("timesheet-C7", "TimesheetSubmitted", occurred: "2026-03-31T17:00:00Z",
            #"{"timesheet_id":"T2","engagement_id":"E1","consultant_id":"C7","#
            + #""work_date":"2026-03-31","hours":6,"billable":true}"#)
        try fixture.append("timesheet-C7", "TimesheetApproved", occurred: "2026-03-31T18:00:00Z",
            #"{"timesheet_id":"T2","approver":"M1"}"#)
        return fixture
    }

    @Test("a late March timesheet recorded in April: --as-of leaves it out, --occurred-until takes it")
    func lateArrival() throws {
        let fixture = try lateTimesheet()
        let engine = try fixture.engine(["utilization"])

        // As the store knew it on March 31: only the week of March 16, 8 h of
        // 40 = 20.0 % against the default target 75 -> below_target.
        let asOf = try engine.replay("utilization", cutoff: ReplayCutoff(asOf: time("2026-03-31")))
        #expect(printedRows(asOf) == [
            ["C7", "2026-03-16", "40.00", "8.00", "0.00", "0.00", "20.0", "75.0", "below_target"],
        ])
        // The facts of March as known now: March 31 is a Tuesday, week of
        // March 30; 6 h of 40 = 15.0 %.
        let occurred = try engine.replay("utilization",
                                         cutoff: ReplayCutoff(occurredUntil: time("2026-03-31")))
        #expect(printedRows(occurred) == [
            ["C7", "2026-03-16", "40.00", "8.00", "0.00", "0.00", "20.0", "75.0", "below_target"],
            ["C7", "2026-03-30", "40.00", "6.00", "0.00", "0.00", "15.0", "75.0", "below_target"],
        ])
    }

    @Test("the cut-off is inclusive: recorded exactly at T is in, a millisecond later is out")
    func inclusiveBoundary() throws {
        let fixture = try ReplayFixture()
        let request = { (id: String) in
            #"{"approval_id":"\#(id)","engagement_id":"E1","kind":"discount","subject_id":null,"#
                + #""requested_by":"U1","approver_role":"partner","amount":"100.00"}"#
        }
        fixture.record(at: "2026-03-31T12:00:00.000Z")
        try fixture.append("approval-A1", "ApprovalRequested", occurred: "2026-03-31T11:00:00Z",
                           request("A1"))
        fixture.record(at: "2026-03-31T12:00:00.001Z")
        try fixture.append("approval-A2", "ApprovalRequested", occurred: "2026-03-31T11:00:00Z",
                           request("A2"))
        let engine = try fixture.engine(["approval-aging"])
        let model = try engine.replay("approval-aging",
                                      cutoff: ReplayCutoff(asOf: time("2026-03-31T12:00:00Z")))
        #expect(printedRows(model).map { $0[0] } == ["A1"])
        #expect(model.position == 1)
        let later = try engine.replay("approval-aging",
                                      cutoff: ReplayCutoff(asOf: time("2026-03-31T12:00:00.001Z")))
        #expect(printedRows(later).map { $0[0] } == ["A1", "A2"])
    }

    /// A discount approval requested 2026-03-29T12:00Z and never decided.
    private func openDiscount() throws -> ReplayFixture {
        let fixture = try ReplayFixture()
        fixture.record(at: "2026-03-29T12:00:00Z")
        try fixture.append("approval-A1", "ApprovalRequested", occurred: "2026-03-29T12:00:00Z",
            #"{"approval_id":"A1","engagement_id":"E1","kind":"discount","subject_id":null,"#
            + #""requested_by":"U1","approver_role":"partner","amount":"100.00"}"#)
        return fixture
    }

    @Test("ages are computed against the cut-off, not the clock")
    func agesAgainstCutoff() throws {
        let fixture = try openDiscount()
        let engine = try fixture.engine(["approval-aging"])
        // 2026-03-29T12:00Z to 2026-03-30T00:00Z is 12.0 h: bucket 0-1d, within the 24 h SLA.
        let model = try engine.replay("approval-aging",
                                      cutoff: ReplayCutoff(asOf: time("2026-03-30T00:00:00Z")))
        let row = try #require(printedRows(model).first)
        #expect(column(model, row, "age_hours") == "12.0")
        #expect(column(model, row, "bucket") == "0-1d")
        #expect(column(model, row, "breached") == "false")
        // The earlier of the two cut-offs is "now": 36.0 h, 1-3d, breached.
        let both = try engine.replay("approval-aging", cutoff: ReplayCutoff(
            asOf: time("2026-04-30T00:00:00Z"), occurredUntil: time("2026-03-31T00:00:00Z")))
        let aged = try #require(printedRows(both).first)
        #expect(column(both, aged, "age_hours") == "36.0")
        #expect(column(both, aged, "bucket") == "1-3d")
        #expect(column(both, aged, "breached") == "true")
    }

    @Test("an SLA changed in April: a replay as of March 31 uses March's SLA")
    func rulesInForce() throws {
        let fixture = try openDiscount()
        fixture.record(at: "2026-03-30T08:00:00Z")
        try fixture.engine(["approval-aging"], actor: "ops-lead").catchUp()
        fixture.record(at: "2026-04-02T08:00:00Z")
        let april = #"{"bucket_bounds_hours": [24, 72, 168, 336], "sla_hours": {"discount": 72}}"#
        let engine = try fixture.engine(["approval-aging"], rules: ["approval-aging": april],
                                        actor: "cfo")
        #expect(try engine.recordRules(actor: "cfo") == ["approval-aging"])

        // March 29 12:00 to March 31 24:00 is 60.0 h: over March's 24 h SLA.
        let march = try engine.replay("approval-aging", cutoff: ReplayCutoff(asOf: time("2026-03-31")))
        let row = try #require(printedRows(march).first)
        #expect(column(march, row, "age_hours") == "60.0")
        #expect(column(march, row, "sla_hours") == "24.00")
        #expect(column(march, row, "breached") == "true")
        // The same cut-off with today's rules: 72 h SLA, not breached.
        let current = try engine.replay("approval-aging",
                                        cutoff: ReplayCutoff(asOf: time("2026-03-31")),
                                        rules: .current)
        let now = try #require(printedRows(current).first)
        #expect(column(current, now, "sla_hours") == "72.00")
        #expect(column(current, now, "breached") == "false")

        // $rules shows who changed which rule and when.
        let history = try fixture.store.read(stream: rulesStream)
        #expect(history.map(\.type) == ["RulesChanged", "RulesChanged"])
        #expect(history.map { try! $0.dataObject().string("actor")! } == ["ops-lead", "cfo"])
        #expect(history.map(\.recordedAt) == [time("2026-03-30T08:00:00Z"),
                                              time("2026-04-02T08:00:00Z")])
    }
}

@Suite("Row lineage")
struct ExplainTests {
    @Test("explain on a blocked milestone lists what blocks it, then the row as it stands")
    func blockedMilestone() throws {
        let fixture = try ReplayFixture()
        fixture.record(at: "2026-04-01T00:00:00Z")
        try fixture.append("engagement-E1", "MilestoneDefined", occurred: "2026-03-01T09:00:00Z",
            #"{"milestone_id":"M-17","engagement_id":"E1","name":"Design","amount":"5000.00","#
            + #""due_date":"2026-03-31"}"#)
        try fixture.append("timesheet-C7", "TimesheetSubmitted", occurred: "2026-03-10T17:00:00Z",
            #"{"timesheet_id":"T1","engagement_id":"E1","consultant_id":"C7","#
            + #""work_date":"2026-03-10","hours":8,"billable":true}"#, actor: "C7")
        try fixture.append("timesheet-C8", "TimesheetSubmitted", occurred: "2026-03-10T17:00:00Z",
            #"{"timesheet_id":"T2","engagement_id":"E2","consultant_id":"C8","#
            + #""work_date":"2026-03-10","hours":8,"billable":true}"#, actor: "C8")
        try fixture.append("engagement-E1", "MilestoneCompleted", occurred: "2026-03-20T12:00:00Z",
            #"{"milestone_id":"M-17","engagement_id":"E1"}"#, actor: "dm-1")
        try fixture.append("engagement-E1", "ClientSignoffReceived",
                           occurred: "2026-03-21T12:00:00Z",
            #"{"milestone_id":"M-17","engagement_id":"E1","signed_by":"client-cfo"}"#)
        try fixture.append("approval-R1", "ApprovalRequested", occurred: "2026-03-22T12:00:00Z",
            #"{"approval_id":"R1","engagement_id":"E1","kind":"invoice_release","#
            + #""subject_id":"M-17","requested_by":"dm-1","approver_role":"partner","#
            + #""amount":"5000.00"}"#, actor: "dm-1")
        let engine = try fixture.engine(["billing-readiness"])
        let lineage = try engine.explain("billing-readiness", key: "M-17",
                                         cutoff: ReplayCutoff(asOf: time("2026-04-01")))
        // T2 is on another engagement: it never touches the row.
        #expect(lineage.steps.map(\.event.type) == [
            "MilestoneDefined", "MilestoneCompleted", "ClientSignoffReceived", "ApprovalRequested",
        ])
        let blockers = lineage.columns.firstIndex { $0.name == "blockers" }!
        #expect(lineage.steps.map { $0.row![blockers].formatted(for: lineage.columns[blockers]) }
            == ["", "awaiting_signoff;timesheets_pending:1", "timesheets_pending:1",
                "timesheets_pending:1;approval_pending:R1"])
        #expect(lineage.steps.map(\.event.position) == [1, 4, 5, 6])
    }

    @Test("explain on a margin row lists the events that moved revenue and cost")
    func marginRow() throws {
        let fixture = try ReplayFixture()
        fixture.record(at: "2026-04-01T00:00:00Z")
        try fixture.append("engagement-E1", "EngagementOpened", occurred: "2026-03-01T09:00:00Z",
            #"{"engagement_id":"E1","client_id":"CL1","service_line":"strategy","#
            + #""billing_model":"time_and_materials","currency":"EUR","budget_hours":100,"#
            + #""budget_cost":"10000.00","contract_value":"20000.00","target_margin_pct":30,"#
            + #""delivery_manager":"dm-1"}"#)
        try fixture.append("engagement-E1", "ConsultantAssigned", occurred: "2026-03-01T10:00:00Z",
            #"{"engagement_id":"E1","consultant_id":"C7","role":"senior","bill_rate":"150.00","#
            + #""cost_rate":"80.00","allocation_pct":100,"start_date":"2026-03-01","#
            + #""end_date":"2026-06-30"}"#)
        try fixture.append("timesheet-C7", "TimesheetSubmitted", occurred: "2026-03-02T17:00:00Z",
            #"{"timesheet_id":"T1","engagement_id":"E1","consultant_id":"C7","#
            + #""work_date":"2026-03-02","hours":8,"billable":true}"#)
        try fixture.append("timesheet-C7", "TimesheetApproved", occurred: "2026-03-03T09:00:00Z",
            #"{"timesheet_id":"T1","approver":"dm-1"}"#, actor: "dm-1")
        try fixture.append("engagement-E1", "ExpensePosted", occurred: "2026-03-04T09:00:00Z",
            #"{"expense_id":"X1","engagement_id":"E1","amount":"99.90","billable":false}"#)
        let engine = try fixture.engine(["margin-exposure"])
        let lineage = try engine.explain("margin-exposure", key: "E1", cutoff: ReplayCutoff())
        #expect(lineage.steps.map(\.event.type)
            == ["EngagementOpened", "TimesheetApproved", "ExpensePosted"])
        let cost = lineage.columns.firstIndex { $0.name == "cost" }!
        let revenue = lineage.columns.firstIndex { $0.name == "revenue" }!
        func printed(_ index: Int) -> [String] {
            lineage.steps.map { $0.row![index].formatted(for: lineage.columns[index]) }
        }
        // 8 h x 80.00 = 640.00 cost, 8 h x 150.00 = 1200.00 revenue; then +99.90 cost.
        #expect(printed(cost) == ["0.00", "640.00", "739.90"])
        #expect(printed(revenue) == ["0.00", "1200.00", "1200.00"])
        #expect(lineage.steps[1].event.position == 4)
    }
}
