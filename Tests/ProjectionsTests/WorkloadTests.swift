import EventModel
import EventStore
import Foundation
import Testing
@testable import Projections

/// The directory holding the built executables (`evstore`, `evstore-gen`):
/// the test bundle's own folder, or one of its parents.
func builtProducts() -> String {
    var url = URL(fileURLWithPath: Bundle.main.bundlePath)
    for _ in 0..<4 {
        var isDirectory: ObjCBool = false
        let path = url.path + "/evstore-gen"
        if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory),
           !isDirectory.boolValue {
            return url.path
        }
        url.deleteLastPathComponent()
    }
    return FileManager.default.currentDirectoryPath + "/.build/debug"
}

@discardableResult
func run(_ tool: String, _ arguments: [String]) throws -> Int32 {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: builtProducts() + "/" + tool)
    process.arguments = arguments
    process.standardOutput = FileHandle.nullDevice
    try process.run()
    process.waitUntilExit()
    return process.terminationStatus
}

/// Writes `events` generated engagement events (seed 7) to a file and returns its lines.
func generatedWorkload(events: Int, in directory: String) throws -> [String] {
    let path = directory + "/workload.jsonl"
    #expect(try run("evstore-gen", ["--events", "\(events)", "--seed", "7",
                                     "--consultants", "12", "--out", path]) == 0)
    return try String(contentsOfFile: path, encoding: .utf8)
        .split(separator: "\n").map(String.init)
}

func appendLines(_ lines: ArraySlice<String>, to store: EventStore) throws {
    let parts = try lines.enumerated().map { index, line in
        let wire = try WireCodec.decodeLine(Array(line.utf8), line: index + 1)
        return StreamAppend(stream: wire.stream, events: [NewEvent(wire: wire)])
    }
    try store.append(parts)
}

let fixedNow = try! Timestamp(rfc3339: "2026-06-30T12:00:00Z")

@Suite("The four read models over a generated workload")
struct WorkloadTests {
    @Test("catching up in random-sized steps gives exactly the rows of one rebuild")
    func randomSteps() throws {
        let fixture = try ReplayFixture()
        fixture.record(at: "2026-12-01T00:00:00Z")
        let lines = try generatedWorkload(events: 3_000, in: fixture.directory)
        let engine = try fixture.engine()
        var generator = SystemRandomNumberGenerator()
        var next = 0
        while next < lines.count {
            let step = Int.random(in: 1...400, using: &generator)
            try appendLines(lines[next..<min(lines.count, next + step)], to: fixture.store)
            next += step
            try engine.catchUp()
        }
        let stepped = try BuiltInProjections.names.map { try engine.model($0, now: fixedNow).rows }
        try engine.rebuild()
        let rebuilt = try BuiltInProjections.names.map { try engine.model($0, now: fixedNow).rows }
        #expect(stepped == rebuilt)
        #expect(stepped.allSatisfy { !$0.isEmpty })
    }

    @Test("a replay at the head equals the export of the caught-up read model")
    func replayAtHead() throws {
        let fixture = try ReplayFixture()
        fixture.record(at: "2026-12-01T00:00:00Z")
        let lines = try generatedWorkload(events: 2_000, in: fixture.directory)
        try appendLines(lines[...], to: fixture.store)
        let engine = try fixture.engine()
        try engine.catchUp()
        let head = try fixture.store.headPosition()
        let now = try #require(try fixture.store.recordedAt(position: head))
        for name in BuiltInProjections.names {
            let replayed = try engine.replay(name, cutoff: ReplayCutoff(atPosition: head))
            let exported = try engine.model(name, now: now)
            #expect(replayed.rows == exported.rows, "\(name)")
            #expect(replayed.position == head)
        }
    }

    @Test("for random cut-offs, a replay from a snapshot equals a replay from position 1")
    func snapshots() throws {
        let fixture = try ReplayFixture()
        let lines = try generatedWorkload(events: 2_400, in: fixture.directory)
        // Record the workload over four days, 600 events a day.
        for day in 0..<4 {
            fixture.record(at: "2026-11-0\(day + 1)T09:00:00Z")
            try appendLines(lines[(day * 600)..<((day + 1) * 600)], to: fixture.store)
        }
        let engine = try fixture.engine(snapshotInterval: 250)
        try engine.rebuild()
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<6 {
            let name = BuiltInProjections.names.randomElement(using: &generator)!
            let position = Int.random(in: 1...2_400, using: &generator)
            for cutoff in [ReplayCutoff(atPosition: position),
                           ReplayCutoff(asOf: time("2026-11-0\(position % 4 + 1)T12:00:00Z"))] {
                let fast = try engine.replay(name, cutoff: cutoff, useSnapshots: true)
                let slow = try engine.replay(name, cutoff: cutoff, useSnapshots: false)
                #expect(fast.rows == slow.rows, "\(name) at \(cutoff)")
                #expect(fast.position == slow.position)
            }
        }
    }

    @Test("replays at cut-offs just before, at and after each snapshot equal folds from 1")
    func snapshotBoundaries() throws {
        let fixture = try ReplayFixture()
        fixture.record(at: "2026-11-01T09:00:00Z")
        let lines = try generatedWorkload(events: 1_500, in: fixture.directory)
        try appendLines(lines[...], to: fixture.store)
        let engine = try fixture.engine(snapshotInterval: 400)
        try engine.rebuild()
        for name in BuiltInProjections.names {
            for snapshot in [400, 800, 1_200] {
                for position in [snapshot - 1, snapshot, snapshot + 1, snapshot + 299] {
                    let cutoff = ReplayCutoff(atPosition: position)
                    let fast = try engine.replay(name, cutoff: cutoff, useSnapshots: true)
                    let slow = try engine.replay(name, cutoff: cutoff, useSnapshots: false)
                    #expect(fast.rows == slow.rows, "\(name) at \(position)")
                    #expect(fast.position == position)
                }
            }
        }
    }

    @Test("a snapshot this build cannot read is skipped: the replay folds from position 1")
    func unreadableSnapshots() throws {
        let fixture = try ReplayFixture()
        fixture.record(at: "2026-11-01T09:00:00Z")
        let lines = try generatedWorkload(events: 1_200, in: fixture.directory)
        try appendLines(lines[...], to: fixture.store)
        let engine = try fixture.engine(snapshotInterval: 500)
        try engine.rebuild()
        try engine.withDatabase { database in
            // A compact header with another probe, then one with a damaged body.
            try database.connection.execute(
                "UPDATE snapshots SET state = x'02ff' WHERE position = 500")
            try database.connection.execute(
                "UPDATE snapshots SET state = substr(state, 1, 40) WHERE position = 1000")
        }
        for name in BuiltInProjections.names {
            for position in [700, 1_100] {
                let cutoff = ReplayCutoff(atPosition: position)
                let fast = try engine.replay(name, cutoff: cutoff, useSnapshots: true)
                let slow = try engine.replay(name, cutoff: cutoff, useSnapshots: false)
                #expect(fast.rows == slow.rows, "\(name) at \(position)")
                #expect(!slow.rows.isEmpty, "\(name)")
            }
        }
    }

    @Test("a built-in fold leaves its state as it is for every type outside its eventTypes")
    func eventTypeFilters() throws {
        let fixture = try ReplayFixture()
        fixture.record(at: "2026-11-01T09:00:00Z")
        let lines = try generatedWorkload(events: 3_000, in: fixture.directory)
        try appendLines(lines[...], to: fixture.store)
        let events = try fixture.store.readAll(from: 1)
        func check<P: Projection>(_ projection: P) throws where P.State: Equatable {
            let types = try #require(projection.eventTypes)
            let others = events.filter { !types.contains($0.type) }
            #expect(others.count > 100, "\(projection.name)")
            // Folded after real events, so the state has records to disturb.
            var state = projection.initialState()
            for event in events.prefix(1_500) where types.contains(event.type) {
                try projection.fold(&state, event)
            }
            let before = state
            for event in others { try projection.fold(&state, event) }
            #expect(state == before, "\(projection.name)")
        }
        try check(UtilizationProjection())
        try check(MarginExposureProjection())
        try check(ApprovalAgingProjection())
        try check(BillingReadinessProjection())
    }

    /// Kills `project` and `rebuild --all` with SIGKILL at random moments while
    /// the log grows. After each kill, every stored read model must be exactly
    /// the fold of the log up to its checkpoint, and a killed rebuild must have
    /// left either the old models or the new ones, never a mix.
    /// `EVSTORE_PROJECTION_CRASH_ROUNDS` sets the rounds (8 by default; the long
    /// campaign uses 200).
    @Test("a killed project or rebuild leaves read models equal to a clean rebuild")
    func crashes() throws {
        let rounds = Int(ProcessInfo.processInfo.environment["EVSTORE_PROJECTION_CRASH_ROUNDS"]
            ?? "") ?? 8
        let fixture = try ReplayFixture()
        fixture.record(at: "2026-12-01T00:00:00Z")
        let lines = try generatedWorkload(events: 6_000, in: fixture.directory)
        // Half the log at first, the rest in slices, one before each round.
        try appendLines(lines[..<3_000], to: fixture.store)
        let slice = max(1, 3_000 / rounds)
        try BuiltInProjections.installDefaultRules(
            into: BuiltInProjections.rulesDirectory(of: fixture.directory))
        let store = ["--store", fixture.directory]
        var generator = SystemRandomNumberGenerator()
        for round in 0..<rounds {
            let from = 3_000 + round * slice
            if from < lines.count {
                try appendLines(lines[from..<min(lines.count, from + slice)], to: fixture.store)
            }
            let rebuilding = round % 3 == 2
            let before = try storedModels(fixture)
            let process = Process()
            process.executableURL = URL(fileURLWithPath: builtProducts() + "/evstore")
            process.arguments = store + (rebuilding ? ["rebuild", "--all"] : ["project"])
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            try process.run()
            usleep(UInt32.random(in: 5_000...700_000, using: &generator))
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()

            let after = try storedModels(fixture)
            let engine = try fixture.engine()
            for (name, model) in after {
                // The stored rows are the fold up to the checkpoint, no more, no less.
                let refolded = try engine.replay(name, cutoff: ReplayCutoff(
                    atPosition: max(1, model.position)), useSnapshots: false)
                if model.position > 0 {
                    #expect(model.rows == refolded.rows, "round \(round): \(name)")
                }
            }
            if rebuilding {
                // One transaction swaps every model: all old or all new.
                let head = try fixture.store.headPosition()
                let old = after.allSatisfy { before[$0.key]?.rows == $0.value.rows
                    && before[$0.key]?.position == $0.value.position }
                let new = after.values.allSatisfy { $0.position == head }
                #expect(old || new, "round \(round): a killed rebuild left a mix")
            }
        }
        #expect(try run("evstore", store + ["project"]) == 0)

        let clean = fixture.directory + "-clean"
        try FileManager.default.copyItem(atPath: fixture.directory, toPath: clean)
        defer { try? FileManager.default.removeItem(atPath: clean) }
        try FileManager.default.removeItem(atPath: clean + "/projections.sqlite")
        #expect(try run("evstore", ["--store", clean, "rebuild", "--all"]) == 0)
        for name in BuiltInProjections.names {
            let a = fixture.directory + "/\(name).csv"
            let b = clean + "/\(name).csv"
            #expect(try run("evstore", store + ["export", name, "--now", "2026-06-30",
                                                "--out", a]) == 0)
            #expect(try run("evstore", ["--store", clean, "export", name,
                                        "--now", "2026-06-30", "--out", b]) == 0)
            #expect(FileManager.default.contentsEqual(atPath: a, andPath: b), "\(name)")
        }
    }
}

/// Each built-in model as stored, rows computed at its checkpoint's recorded
/// time (the time a replay at that position uses).
private func storedModels(_ fixture: ReplayFixture) throws -> [String: ReadModel] {
    let engine = try fixture.engine()
    var models: [String: ReadModel] = [:]
    for name in BuiltInProjections.names {
        let position = try engine.checkpoint(name)?.position ?? 0
        let now = try fixture.store.recordedAt(position: max(1, position)) ?? fixedNow
        models[name] = try engine.model(name, now: now)
    }
    return models
}

@Suite("Rule files")
struct RuleFileTests {
    @Test("the shipped rule files are the defaults the binary carries")
    func shipped() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent()
        for name in BuiltInProjections.names {
            let file = try String(contentsOf: root.appendingPathComponent("projections/\(name).json"),
                                  encoding: .utf8)
            #expect(file == BuiltInProjections.defaultRules[name]! + "\n", "\(name)")
        }
    }

    @Test("a rule file error names the file and the key")
    func errors() throws {
        #expect {
            _ = try BuiltInProjections.make("margin-exposure", rules: Array(#"{"burn_alert":9}"#.utf8),
                                            file: "store/projections/margin-exposure.json")
        } throws: { error in
            "\(error)".hasPrefix("store/projections/margin-exposure.json: burn_alert: unknown rule")
        }
    }
}

@Suite("Row look-up by key")
struct RowLookupTests {
    @Test("each built-in's one-row look-up agrees with its full rows")
    func agrees() throws {
        let fixture = try ReplayFixture()
        fixture.record(at: "2026-12-01T00:00:00Z")
        let lines = try generatedWorkload(events: 1_500, in: fixture.directory)
        try appendLines(lines[...], to: fixture.store)
        for registration in try fixture.engine().registrations {
            let runner = makeRunner(registration)
            try fixture.store.readAll { event in
                try runner.fold(event)
                return true
            }
            let rows = runner.rows(now: fixedNow)
            #expect(!rows.isEmpty)
            for row in rows.prefix(60) {
                let key = registration.projection.key(of: row)
                #expect(runner.row(key: key, now: fixedNow) == row, "\(registration.name) \(key)")
            }
            #expect(runner.row(key: "no-such-key/2026-01-05", now: fixedNow) == nil)
        }
    }
}
