import EventModel
import EventStore
import Foundation
import TestSupport
import Testing
@testable import Projections

/// A custom projection that folds only some types, reading JSON objects.
private struct SubsetTotals: Projection {
    struct State: Codable, Sendable {
        var sums: [String: Decimal] = [:]
        var counts: [String: Int] = [:]
    }

    var name: String { "subset-totals" }
    var version: Int { 1 }
    var columns: [Column] {
        [Column("type", .text), Column("events", .integer), Column("total", .decimal(places: 3))]
    }
    var keyColumnCount: Int { 1 }
    var eventTypes: Set<String>? { ["TimesheetSubmitted", "ExpenseRecorded", "ExpensePosted", "A", "Fee"] }

    func initialState() -> State { State() }

    func fold(_ state: inout State, _ event: RecordedEvent) throws {
        let data = try event.dataObject()
        state.counts[event.type, default: 0] += 1
        for key in ["hours", "amount"] {
            if let value = data.decimal(key) { state.sums[event.type, default: 0] += value }
        }
    }

    func rows(of state: State, now: Timestamp) -> [Row] {
        state.counts.keys.sorted().map { type in
            [.text(type), .integer(state.counts[type]!), .decimal(state.sums[type] ?? 0)]
        }
    }
}

/// Re-writes a parsed JSON object as a producer might: members reordered,
/// whitespace anywhere, characters of strings escaped, numbers respelled,
/// and now and then keys escaped (which sends the scan to the full parse).
private struct Mangler {
    var rng: SplitMix64

    mutating func chance(_ percent: Int) -> Bool { Int.random(in: 0..<100, using: &rng) < percent }

    mutating func ws() -> String {
        chance(30) ? [" ", "\n", "\t", "\r\n ", "  "].randomElement(using: &rng)! : ""
    }

    mutating func string(_ text: String, escapeRate: Int) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "/" where chance(50): out += "\\/"
            case _ where scalar.value < 0x20: out += String(format: "\\u%04x", scalar.value)
            case _ where chance(escapeRate):
                if scalar.value > 0xFFFF {
                    let v = scalar.value - 0x10000
                    out += String(format: "\\u%04X\\u%04x", 0xD800 + (v >> 10), 0xDC00 + (v & 0x3FF))
                } else {
                    out += String(format: chance(50) ? "\\u%04x" : "\\u%04X", scalar.value)
                }
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }

    mutating func number(_ literal: String) -> String {
        guard !literal.contains("e"), !literal.contains("E"), chance(50) else { return literal }
        let negative = literal.hasPrefix("-")
        let body = negative ? String(literal.dropFirst()) : literal
        let parts = body.split(separator: ".", omittingEmptySubsequences: false)
        let integer = String(parts[0]), fraction = parts.count > 1 ? String(parts[1]) : ""
        let sign = negative ? "-" : ""
        switch Int.random(in: 0..<3, using: &rng) {
        case 0:
            return sign + integer + "." + (fraction.isEmpty ? "0" : fraction) + String(repeating: "0", count: Int.random(in: 0...3, using: &rng))
        case 1:
            var digits = Substring(integer + fraction)
            while digits.count > 1 && digits.first == "0" { digits = digits.dropFirst() }
            return sign + digits + "e-" + String(fraction.count)
        default:
            return sign + integer + (fraction.isEmpty ? "" : "." + fraction) + (chance(50) ? "E+0" : "e0")
        }
    }

    mutating func value(_ value: JSONValue, escapeRate: Int) -> String {
        switch value {
        case .null: return "null"
        case .bool(let flag): return flag ? "true" : "false"
        case .number(let number): return self.number(number.literal)
        case .string(let text): return string(text, escapeRate: escapeRate)
        case .array(let items):
            return "[" + items.map { ws() + self.value($0, escapeRate: escapeRate) + ws() }.joined(separator: ",") + "]"
        case .object(let object): return self.object(object, escapeRate: escapeRate, escapeKeys: false)
        }
    }

    mutating func object(_ object: JSONObject, escapeRate: Int, escapeKeys: Bool) -> String {
        var members = object.members
        members.shuffle(using: &rng)
        let parts = members.map { member in
            ws() + string(member.key, escapeRate: escapeKeys ? 40 : 0) + ws() + ":" + ws()
                + value(member.value, escapeRate: escapeRate) + ws()
        }
        return ws() + "{" + parts.joined(separator: ",") + "}" + ws()
    }
}

@Suite("Engine folds with per-type selection, against each projection folded alone")
struct EngineFilterFuzzTests {
    private static let now = try! Timestamp(rfc3339: "2026-06-30T12:00:00Z")

    private static func registrations(_ names: [String]) throws -> [RegisteredProjection] {
        try names.map { name -> RegisteredProjection in
            switch name {
            case "type-totals": return RegisteredProjection(TypeTotals())
            case "subset-totals": return RegisteredProjection(SubsetTotals())
            default:
                return try BuiltInProjections.make(
                    name, rules: Array(BuiltInProjections.defaultRules[name]!.utf8), file: "\(name).json")
            }
        }
    }

    /// The generated workload's events, their data re-written, plus events of custom types.
    private static func events(seed: UInt64, count: Int, directory: String) throws -> [StreamAppend] {
        let path = directory + "/gen-\(seed).jsonl"
        #expect(try run("evstore-gen", ["--events", "\(count)", "--seed", "\(seed)",
                                         "--consultants", "8", "--out", path]) == 0)
        let lines = try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n")
        var mangler = Mangler(rng: SplitMix64(seed: seed))
        var appends: [StreamAppend] = []
        var rewritten = 0, escapedKeyEvents = 0
        for (index, line) in lines.enumerated() {
            let wire = try WireCodec.decodeLine(Array(line.utf8), line: index + 1)
            var event = NewEvent(wire: wire)
            let escapeKeys = mangler.chance(6)
            let text = mangler.object(wire.dataValue, escapeRate: mangler.chance(50) ? 25 : 0,
                                      escapeKeys: escapeKeys)
            // Keep the re-written data only when it is valid as the store checks it.
            if case .object(let parsed)? = try? JSONParser.parse(text),
               (try? BuiltInEvents.validate(type: wire.type, data: parsed)) != nil {
                event.data = Array(text.utf8)
                rewritten += 1
                if escapeKeys { escapedKeyEvents += 1 }
            }
            appends.append(StreamAppend(stream: wire.stream, events: [event]))
            if mangler.chance(8) {
                let type = ["A", "Fee", "NoteAdded", "TimesheetSubmittedX"].randomElement(using: &mangler.rng)!
                let amount = ["1.25", "-0.10", "7.5e1", "\"3.333\"", "12345678901234567890.5", "0", "null"]
                    .randomElement(using: &mangler.rng)!
                let data = mangler.object(
                    ["amount": (try? JSONParser.parse(amount)) ?? .null, "hours": "x{\"}",
                     "note": .string("a \\ \" } ] \u{E9}")],
                    escapeRate: 30, escapeKeys: mangler.chance(20))
                appends.append(StreamAppend(stream: "custom", events: [NewEvent(type: type, data: data)]))
            }
        }
        // Most events carry re-written data; some have escaped keys (the full-parse fallback).
        #expect(lines.count == count && rewritten > count * 9 / 10 && escapedKeyEvents > 10,
                "lines \(lines.count), rewritten \(rewritten), escaped keys \(escapedKeyEvents)")
        return appends
    }

    /// Each projection folded alone over every stored event, each event's
    /// data parsed whole first (the path the folds took before the scan).
    private static func oracle(_ registration: RegisteredProjection, _ events: [RecordedEvent]) throws -> [[String]] {
        func fold<P: Projection>(_ projection: P) throws -> [[String]] {
            var state = projection.initialState()
            for event in events where projection.eventTypes?.contains(event.type) ?? true {
                try projection.fold(&state, event.parsingData())
            }
            return printed(projection, projection.rows(of: state, now: now)).sorted { $0.lexicographicallyPrecedes($1) }
        }
        return try fold(registration.projection)
    }

    private static func engineRows(_ engine: ProjectionEngine, _ name: String) throws -> [[String]] {
        printedRows(try engine.model(name, now: now)).sorted { $0.lexicographicallyPrecedes($1) }
    }

    static let sets: [[String]] = [
        BuiltInProjections.names,
        BuiltInProjections.names + ["type-totals"],
        ["utilization", "margin-exposure", "subset-totals"],
        ["subset-totals", "billing-readiness", "approval-aging", "type-totals"],
        ["margin-exposure"],
    ]

    @Test("rebuild, and catch-up in random steps with projections at different checkpoints",
          arguments: [3, 4])
    func rebuildAndCatchUp(seed: UInt64) throws {
        let source = try ReplayFixture()
        source.record(at: "2026-06-01T00:00:00Z")
        let appends = try Self.events(seed: seed, count: 1_200, directory: source.directory)
        try source.store.append(appends)
        #expect(try source.store.readAll().count == appends.count)
        var oracles: [String: [[String]]] = [:]

        var rng = SplitMix64(seed: seed &* 31)
        for (setIndex, names) in Self.sets.enumerated() {
            // Rebuild over the whole store.
            let rebuilt = try ProjectionEngine(store: source.store, projections: Self.registrations(names),
                                               clock: { Self.now }, snapshotInterval: 97)
            try rebuilt.rebuild()
            // The oracle reads the store after the engine recorded its rules.
            let stored = try source.store.readAll()
            for name in names {
                let expected = try Self.oracle(Self.registrations([name])[0], stored)
                #expect(!expected.isEmpty, "\(name) has no rows")
                let rows = try Self.engineRows(rebuilt, name)
                #expect(rows == expected, "seed \(seed) set \(setIndex) rebuild \(name): \(rows.count) rows vs \(expected.count); first difference \(String(describing: zip(rows, expected).first { $0 != $1 }))")
            }
        }

        // Catch-up: a fresh store filled in steps; some steps catch up only some projections.
        let names = BuiltInProjections.names + ["type-totals", "subset-totals"]
        let fixture = try ReplayFixture()
        fixture.record(at: "2026-06-01T00:00:00Z")
        let engine = try ProjectionEngine(store: fixture.store, projections: Self.registrations(names),
                                          clock: { Self.now }, snapshotInterval: 61)
        var next = 0
        while next < appends.count {
            let step = Int.random(in: 1...300, using: &rng)
            try fixture.store.append(Array(appends[next..<min(appends.count, next + step)]))
            next += step
            if Bool.random(using: &rng) {
                try engine.catchUp(names.filter { _ in Bool.random(using: &rng) })
            } else {
                try engine.catchUp()
            }
        }
        try engine.catchUp()
        let stored = try fixture.store.readAll()
        for name in names {
            oracles[name] = try Self.oracle(Self.registrations([name])[0], stored)
            let rows = try Self.engineRows(engine, name)
            #expect(rows == oracles[name]!, "seed \(seed) catch-up \(name): \(rows.count) rows vs \(oracles[name]!.count); first difference \(String(describing: zip(rows, oracles[name]!).first { $0 != $1 }))")
        }
    }

    @Test("EventTypeFilter selections: folds match each runner, parse ahead exactly when a non-built-in folds")
    func selections() throws {
        var rng = SplitMix64(seed: 5)
        let all = BuiltInProjections.names + ["type-totals", "subset-totals"]
        let types = Array(BuiltInEvents.types) + ["A", "Fee", "NoteAdded", "", "e\u{301}", "\u{E9}"]
        for _ in 0..<200 {
            let names = all.filter { _ in Bool.random(using: &rng) }
            let runners = try Self.registrations(names).map(makeRunner)
            var filter = EventTypeFilter(runners)
            for _ in 0..<20 {
                let type = types.randomElement(using: &rng)!
                let selection = filter.selection(for: type)
                let folds = runners.map { $0.registration.projection.eventTypes?.contains(type) ?? true }
                #expect(selection.folds == folds, "\(names) \(type)")
                let custom = zip(names, folds).contains { name, folds in
                    folds && (name == "type-totals" || name == "subset-totals")
                }
                #expect(selection.parsesAhead == custom, "\(names) \(type)")
                #expect(selection.scansAhead == (!custom && folds.filter { $0 }.count > 1), "\(names) \(type)")
            }
        }
    }
}
