import EventModel
import EventStore
import Foundation

/// Saved states and snapshots as the fuzzer (`tools/evstore-fuzz`) and the
/// tests that replay its findings drive them: any bytes, read back as a
/// built-in projection's state. A refusal is a fine outcome; a crash, or a
/// state that loads but does not save and load again to the same rows, is a
/// defect.
package enum StateFuzzEntry {
    /// The first byte picks the projection (modulo four); the rest is the
    /// state as stored, its format byte first.
    /// - Returns: the number of rows of a state that loaded, else nil.
    @discardableResult
    package static func run(_ bytes: UnsafeRawBufferPointer) -> Int? {
        guard let first = bytes.first else { return nil }
        let registration = builtIns[Int(first) % builtIns.count]
        let runner = makeRunner(registration)
        guard (try? runner.load(Array(bytes.dropFirst()))) != nil else { return nil }
        let rows = runner.rows(now: now)
        let again = makeRunner(registration)
        do {
            try again.load(try runner.encode())
        } catch {
            fatalError("a state that loaded does not load again once saved: \(error)")
        }
        precondition(again.rows(now: now) == rows, "a saved state gives other rows")
        // A loaded state must also take further events: a fold may refuse
        // one, never crash on what the state holds.
        for event in probes { try? again.fold(event) }
        _ = again.rows(now: now)
        return rows.count
    }

    /// Events on the ids the seeds hold (the generator's first engagement,
    /// consultant, timesheets, approval and milestone), of every kind the
    /// built-in folds read.
    package static let probes: [RecordedEvent] = [
        ("TimesheetSubmitted", #"{"timesheet_id":"TS-0000001","engagement_id":"E0001","#
            + #""consultant_id":"C0002","work_date":"2026-01-13","hours":3.5,"billable":false}"#),
        ("TimesheetApproved", #"{"timesheet_id":"TS-0000001","approver":"user-9"}"#),
        ("TimesheetRejected", #"{"timesheet_id":"TS-0000003","approver":"user-9","#
            + #""reason":"probe"}"#),
        ("ConsultantCapacitySet", #"{"consultant_id":"C0001","week_start":"2026-01-05","#
            + #""available_hours":0}"#),
        ("ExpensePosted", #"{"expense_id":"EX-000001","engagement_id":"E0001","#
            + #""amount":"1.00","billable":true}"#),
        ("ApprovalStepCompleted", #"{"approval_id":"AP-000001","approver":"user-1","#
            + #""role":"partner"}"#),
        ("ApprovalGranted", #"{"approval_id":"AP-000001","approver":"user-15"}"#),
        ("MilestoneDefined", #"{"milestone_id":"MS-00001","engagement_id":"E0001","#
            + #""name":"probe","amount":"1.00","due_date":"2026-02-23"}"#),
        ("ChangeRequestSubmitted", #"{"change_request_id":"CR-00001","engagement_id":"E0001","#
            + #""hours_delta":1,"value_delta":"1.00"}"#),
    ].enumerated().map { index, probe in
        RecordedEvent(position: 1_000_000 + index, stream: "probe", version: index + 1,
                      id: "probe-\(index)", type: probe.0, occurredAt: now, recordedAt: now,
                      data: Array(probe.1.utf8))
    }

    /// The state of each built-in folded over `events`, as stored, with the
    /// byte that picks it in `run` first: the fuzzer's seeds.
    package static func seeds(folding events: [RecordedEvent]) throws -> [[UInt8]] {
        try builtIns.indices.map { index in
            let runner = makeRunner(builtIns[index])
            for event in events { try runner.fold(event) }
            return [UInt8(index)] + (try runner.encode())
        }
    }

    private static let now = Timestamp(microseconds: 1_782_000_000_000_000)

    /// The built-ins with their default rules.
    private static let builtIns: [RegisteredProjection] = BuiltInProjections.names.map { name in
        do {
            return try BuiltInProjections.make(
                name, rules: Array(BuiltInProjections.defaultRules[name]!.utf8), file: name)
        } catch {
            fatalError("the default rules of \(name) do not load: \(error)")
        }
    }
}
