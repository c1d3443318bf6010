import EventModel
import EventStore
import Foundation
import Testing
@testable import Projections

/// A projection a service might define itself: events and the sum of
/// `data.amount` per type.
struct TypeTotals: Projection {
    struct State: Codable, Sendable {
        var counts: [String: Int] = [:]
        var sums: [String: Decimal] = [:]
    }

    var name: String = "type-totals"
    var version: Int { 1 }
    var columns: [Column] {
        [Column("type", .text), Column("events", .integer), Column("amount", .decimal(places: 2))]
    }
    var keyColumnCount: Int { 1 }

    func initialState() -> State { State() }

    func fold(_ state: inout State, _ event: RecordedEvent) throws {
        state.counts[event.type, default: 0] += 1
        if let amount = try event.dataObject().decimal("amount") {
            state.sums[event.type, default: 0] += amount
        }
    }

    func rows(of state: State, now: Timestamp) -> [Row] {
        state.counts.keys.sorted().map { type in
            [.text(type), .integer(state.counts[type]!), .decimal(state.sums[type] ?? 0)]
        }
    }
}

final class EngineFixture {
    let directory: String
    let store: EventStore

    init() throws {
        directory = FileManager.default.temporaryDirectory.path
            + "/evstore-projection-" + UUID().uuidString.lowercased()
        store = try EventStore(directory: directory, create: true)
    }

    deinit {
        // Best effort: a leftover temporary directory harms nothing.
        try? FileManager.default.removeItem(atPath: directory)
    }

    func engine(rules: String = "") throws -> ProjectionEngine {
        try ProjectionEngine(store: store,
                             projections: [RegisteredProjection(TypeTotals(),
                                                                rules: Array(rules.utf8))])
    }

    func add(_ type: String, amount: String) throws {
        try store.append([NewEvent(type: type, data: #"{"amount":\#(amount)}"#)], to: "s")
    }
}

@Suite("The projection engine")
struct EngineTests {
    @Test("catch-up folds from the checkpoint and keeps rows, state and checkpoint together")
    func catchUp() throws {
        let fixture = try EngineFixture()
        try fixture.add("A", amount: "0.10")
        try fixture.add("B", amount: "5")
        let engine = try fixture.engine()
        let first = try engine.catchUp()
        #expect(first == [ProjectionRun(name: "type-totals", fromPosition: 1, toPosition: 2,
                                        rows: 2)])
        try fixture.add("A", amount: "0.20")
        let second = try engine.catchUp()
        #expect(second[0].fromPosition == 3 && second[0].toPosition == 3)
        // 0.10 + 0.20 is exactly 0.30 (a Double would give 0.30000000000000004).
        let model = try engine.model("type-totals", now: Timestamp.now())
        #expect(printed(TypeTotals(), model.rows) == [["A", "2", "0.30"], ["B", "1", "5.00"]])
        #expect(model.position == 3)

        // A fresh engine (another process) continues from the stored checkpoint.
        let again = try fixture.engine()
        #expect(try again.checkpoint("type-totals")?.position == 3)
        #expect(try again.catchUp()[0].fromPosition == 4)
    }

    @Test("the read model is a SQLite table with the CSV's columns")
    func table() throws {
        let fixture = try EngineFixture()
        try fixture.add("A", amount: "-1.005")
        try fixture.engine().catchUp()
        let connection = try SQLiteConnection(path: fixture.directory + "/projections.sqlite")
        let statement = try connection.statement(
            "SELECT type, events, amount FROM type_totals ORDER BY type")
        #expect(try statement.step())
        #expect(statement.string(0) == "A" && statement.int(1) == 1)
        #expect(statement.string(2) == "-1.01")
    }

    @Test("changed rules refuse catch-up until a rebuild")
    func changedRules() throws {
        let fixture = try EngineFixture()
        try fixture.add("A", amount: "1")
        try fixture.engine(rules: #"{"x":1}"#).catchUp()
        let changed = try fixture.engine(rules: #"{"x":2}"#)
        #expect(throws: ProjectionError.needsRebuild(
            name: "type-totals", reason: "its rules changed since it was built")) {
            try changed.catchUp()
        }
        let rebuilt = try changed.rebuild()
        #expect(rebuilt == [ProjectionRun(name: "type-totals", fromPosition: 1, toPosition: 1,
                                          rows: 1)])
        #expect(try changed.catchUp()[0].toPosition == 1)
    }

    @Test("catching up in random-sized steps gives exactly the rows of one rebuild")
    func randomSteps() throws {
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<5 {
            let fixture = try EngineFixture()
            let engine = try fixture.engine()
            let total = Int.random(in: 20...60, using: &generator)
            var added = 0
            while added < total {
                let step = Int.random(in: 1...7, using: &generator)
                for _ in 0..<min(step, total - added) {
                    let type = ["A", "B", "C"].randomElement(using: &generator)!
                    let cents = Int.random(in: -999...999, using: &generator)
                    try fixture.add(type, amount: "\(cents)e-2")
                    added += 1
                }
                try engine.catchUp()
            }
            let stepped = try engine.model("type-totals", now: Timestamp.now()).rows
            try engine.rebuild()
            let rebuilt = try engine.model("type-totals", now: Timestamp.now()).rows
            #expect(stepped == rebuilt)
            #expect(stepped.map { $0[1] }.reduce(0) {
                if case .integer(let n) = $1 { return $0 + n } else { return $0 }
            } == total)
        }
    }

    @Test("a projection with changed rules is refused while the others catch up")
    func partialRefusal() throws {
        let fixture = try EngineFixture()
        try fixture.add("A", amount: "1")
        let other = TypeTotals(name: "other-totals")
        func engine(_ rules: String) throws -> ProjectionEngine {
            try ProjectionEngine(store: fixture.store, projections: [
                RegisteredProjection(TypeTotals(), rules: Array(rules.utf8)),
                RegisteredProjection(other),
            ])
        }
        try engine("v1").catchUp()
        try fixture.add("B", amount: "2")
        let changed = try engine("v2")
        #expect(throws: ProjectionError.needsRebuild(
            name: "type-totals", reason: "its rules changed since it was built")) {
            try changed.catchUp()
        }
        #expect(try changed.checkpoint("other-totals")?.position == 2)
        #expect(try changed.checkpoint("type-totals")?.position == 1)

        // The reporting form says both: what ran and what was refused.
        try fixture.add("C", amount: "3")
        let report = try changed.catchUpReporting()
        #expect(report.runs == [ProjectionRun(name: "other-totals", fromPosition: 3,
                                              toPosition: 3, rows: 3)])
        #expect(report.refused == [.needsRebuild(
            name: "type-totals", reason: "its rules changed since it was built")])
    }

    @Test("a name given twice is caught up once")
    func repeatedName() throws {
        let fixture = try EngineFixture()
        try fixture.add("A", amount: "1")
        let runs = try fixture.engine().catchUp(["type-totals", "type-totals"])
        #expect(runs == [ProjectionRun(name: "type-totals", fromPosition: 1, toPosition: 1,
                                       rows: 1)])
    }

    @Test("an unknown projection name lists the known ones")
    func unknown() throws {
        let fixture = try EngineFixture()
        #expect(throws: ProjectionError.unknownProjection("nope", known: ["type-totals"])) {
            try fixture.engine().catchUp(["nope"])
        }
    }
}

@Suite("Which projections fold an event, and how its data is read")
struct EventTypeFilterTests {
    private func runners(_ projections: [any Projection]) -> [any ProjectionRunner] {
        projections.map { makeRunner(RegisteredProjection($0)) }
    }

    @Test("built-in folds share one scan; a projection reading JSON objects gets one parse")
    func selections() {
        var builtIn = EventTypeFilter(runners([UtilizationProjection(), MarginExposureProjection()]))
        let submitted = builtIn.selection(for: "TimesheetSubmitted")
        #expect(submitted.folds == [true, true])
        #expect(!submitted.parsesAhead && submitted.scansAhead)
        // Only margin-exposure folds expenses: nothing to share.
        let expense = builtIn.selection(for: "ExpensePosted")
        #expect(expense.folds == [false, true])
        #expect(!expense.parsesAhead && !expense.scansAhead)
        #expect(builtIn.selection(for: "NoteAdded").folds == [false, false])

        var mixed = EventTypeFilter(runners([UtilizationProjection(), TypeTotals()]))
        // TypeTotals folds every type through dataObject().
        let note = mixed.selection(for: "NoteAdded")
        #expect(note.folds == [false, true])
        #expect(note.parsesAhead && !note.scansAhead)
        #expect(mixed.selection(for: "TimesheetSubmitted").parsesAhead)
    }

    @Test("a rebuild of the built-in read models beside a custom one gives each its own rows")
    func mixedRebuild() throws {
        let fixture = try EngineFixture()
        try fixture.store.append([NewEvent(type: "TimesheetSubmitted", data: #"""
            {"timesheet_id":"T1","engagement_id":"E1","consultant_id":"C1",
             "work_date":"2026-03-04","hours":6.5,"billable":true}
            """#), NewEvent(type: "TimesheetApproved", data: #"{"timesheet_id":"T1","approver":"M1"}"#)],
            to: "engagement-E1")
        try fixture.add("A", amount: "1.25")
        let engine = try ProjectionEngine(store: fixture.store, projections: [
            RegisteredProjection(UtilizationProjection()), RegisteredProjection(TypeTotals()),
        ])
        try engine.rebuild()
        let now = try Timestamp(rfc3339: "2026-12-31T00:00:00Z")
        // 6.5 billable hours of a 40-hour week: 16.25 %, printed 16.3.
        #expect(printedRows(try engine.model("utilization", now: now))
                == [["C1", "2026-03-02", "40.00", "6.50", "0.00", "0.00", "16.3", "75.0", "below_target"]])
        #expect(printedRows(try engine.model("type-totals", now: now))
                == [["A", "1", "1.25"], ["TimesheetApproved", "1", "0.00"],
                    ["TimesheetSubmitted", "1", "0.00"]])
    }
}
