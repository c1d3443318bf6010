import EventModel
import EventStore
import Foundation
import Projections
import Testing
@testable import LogImport

@Suite("Approval aging of real declarations")
struct RealSampleReadModelTests {
    /// Rows of approval-aging after importing the committed sample, keyed by approval_id.
    private func approvalRows() throws -> [String: [String: String]] {
        let directory = TemporaryDirectory()
        let store = try openStore(directory)
        try importLog(Fixture.sampleXES, into: store, mapping: try Fixture.mapping())
        let projection = ApprovalAgingProjection()
        var state = projection.initialState()
        try store.readAll { event in
            try projection.fold(&state, event)
            return true
        }
        let now = try Timestamp(rfc3339: "2018-01-01T00:00:00Z")
        var rows: [String: [String: String]] = [:]
        for row in projection.rows(of: state, now: now) {
            let cells = zip(projection.columns, row).map { ($0.name, $1.formatted(for: $0)) }
            let named = Dictionary(uniqueKeysWithValues: cells)
            rows[named["approval_id"]!] = named
        }
        return rows
    }

    @Test("rows worked out by hand from the source rows")
    func handWorked() throws {
        let rows = try approvalRows()
        // Three of the 300 cases hold only "Declaration SAVED by EMPLOYEE" (a
        // DraftSaved, no request), so they have no approval row.
        #expect(rows.count == 297)

        // declaration 86791: SUBMITTED 2017-01-09T09:49:50+01:00, FINAL_APPROVED
        // 11:27:48+01:00. Age 1 h 37 min 58 s = 1.633 h -> 1.6, bucket 0-1d,
        // within the 120 h expense SLA.
        #expect(rows["declaration-86791"] == [
            "approval_id": "declaration-86791", "engagement_id": "budget-86566",
            "kind": "expense", "subject_id": "86792", "requested_by": "EMPLOYEE",
            "approver_role": "SUPERVISOR", "requested_at": "2017-01-09T08:49:50Z",
            "last_action_at": "2017-01-09T10:27:48Z", "closed_at": "2017-01-09T10:27:48Z",
            "status": "granted", "steps": "0", "resubmissions": "0", "age_hours": "1.6",
            "bucket": "0-1d", "sla_hours": "120.00", "breached": "false",
            "sod_violation": "false",
        ])

        // declaration 86720 (times in UTC): submitted 01-09 14:57:21, granted
        // 14:57:24, rejected by MISSING 01-10 12:08:27, resubmitted 01-17 15:51:42
        // (resubmission 1), rejected by PRE_APPROVER 15:51:54, withdrawn by the
        // employee 01-19 11:19:38, resubmitted 15:13:16 (resubmission 2), approved
        // by PRE_APPROVER 15:13:46 (step 1, role PRE_APPROVER), granted 01-23
        // 07:52:57. Age 13 d 16:55:36 = 328.93 h -> 328.9, bucket 7-14d, over
        // the 120 h SLA. Payment events are not approval events.
        #expect(rows["declaration-86720"] == [
            "approval_id": "declaration-86720", "engagement_id": "budget-86566",
            "kind": "expense", "subject_id": "86721", "requested_by": "EMPLOYEE",
            "approver_role": "PRE_APPROVER", "requested_at": "2017-01-09T14:57:21Z",
            "last_action_at": "2017-01-23T07:52:57Z", "closed_at": "2017-01-23T07:52:57Z",
            "status": "granted", "steps": "1", "resubmissions": "2", "age_hours": "328.9",
            "bucket": "7-14d", "sla_hours": "120.00", "breached": "true",
            "sod_violation": "false",
        ])

        // declaration 86620: submitted 01-18 12:44:32, rejected, withdrawn,
        // resubmitted 01-23 08:31:12, step, granted 13:26:38, rejected by MISSING
        // 01-26 12:04:38, resubmitted 12:33:37, step, granted 12:52:11.
        // Age 8 d 0:07:39 = 192.13 h -> 192.1.
        let row = try #require(rows["declaration-86620"])
        #expect(row["requested_at"] == "2017-01-18T12:44:32Z")
        #expect(row["closed_at"] == "2017-01-26T12:52:11Z")
        #expect(row["status"] == "granted")
        #expect(row["steps"] == "2")
        #expect(row["resubmissions"] == "2")
        #expect(row["age_hours"] == "192.1")
        #expect(row["bucket"] == "7-14d")
        #expect(row["approver_role"] == "PRE_APPROVER")
    }
}
