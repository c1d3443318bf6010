import EventModel
import EventStore
import Foundation
import TestSupport
import Testing
@testable import Projections

@Suite("Dictionaries loaded lazily, under stress")
struct LazyDictionaryStressTests {
    typealias Timesheet = UtilizationProjection.Timesheet
    typealias Lazy = LazyDictionary<Timesheet>

    /// Keys: ASCII, empty, non-ASCII, long, and many short ones so a 16-slot
    /// table collides. No two are canonically equivalent.
    static let keyPool: [String] = {
        var keys = ["", " ", "é", "日本語", "🙂", "a\u{0}b", String(repeating: "k", count: 300),
                    "T-1", "t-1", "Ω", "ß", "ﬁ"]
        for i in 0..<120 { keys.append("T\(i)") }
        return keys
    }()

    private func randomTimesheet(_ rng: inout SplitMix64) -> Timesheet {
        let statuses: [UtilizationProjection.Status] = [.submitted, .approved, .rejected]
        let hours = Decimal(sign: Bool.random(using: &rng) ? .plus : .minus,
                            exponent: Int.random(in: -4...2, using: &rng),
                            significand: Decimal(UInt64.random(in: 0...100_000, using: &rng)))
        return Timesheet(consultantID: ["C1", "", "Ç", "C2"].randomElement(using: &rng)!,
                         weekStart: Int.random(in: -100_000...100_000, using: &rng),
                         hours: hours, billable: Bool.random(using: &rng),
                         status: statuses.randomElement(using: &rng)!)
    }

    private func check(_ lazy: Lazy, _ model: [String: Timesheet], _ note: String) throws {
        #expect(lazy.count == model.count, "\(note): count")
        #expect(try lazy.dictionary() == model, "\(note): entries")
        for key in Self.keyPool {
            #expect(try lazy.value(forKey: key) == model[key], "\(note): key \(key.debugDescription)")
        }
        // The bytes read back as a plain dictionary, the old format.
        let bytes = CompactState.encode(lazy)
        #expect(try CompactState.decode([String: Timesheet].self, from: bytes) == model,
                "\(note): plain read")
    }

    @Test("random updates, saves and loads match a plain dictionary", arguments: [1, 2, 3, 4, 5, 6, 7, 8])
    func modelCheck(seed: UInt64) throws {
        var rng = SplitMix64(seed: seed)
        var lazy = Lazy()
        var model: [String: Timesheet] = [:]
        var copies: [(Lazy, [String: Timesheet])] = []
        var ops: [Int] = []
        for step in 0..<3_000 {
            let op = Int.random(in: 0..<100, using: &rng)
            ops.append(op)
            switch op {
            case 0..<60:
                let key = Self.keyPool.randomElement(using: &rng)!
                let value = randomTimesheet(&rng)
                let old = try lazy.updateValue(value, forKey: key)
                #expect(old == model.updateValue(value, forKey: key), "step \(step): old value")
            case 60..<75:
                let key = Self.keyPool.randomElement(using: &rng)!
                #expect(try lazy.value(forKey: key) == model[key], "step \(step): lookup")
            case 75..<85:
                lazy = try CompactState.decode(Lazy.self, from: CompactState.encode(lazy))
            case 85..<90:
                // Through the old format's reader and back.
                let plain = try CompactState.decode([String: Timesheet].self,
                                                    from: CompactState.encode(lazy))
                lazy = try CompactState.decode(Lazy.self, from: CompactState.encode(plain))
            case 90..<94:
                copies.append((lazy, model))
            case 94..<97:
                lazy = try StateCoder.decode(Lazy.self, from: StateCoder.encode(lazy))
            default:
                try check(lazy, model, "step \(step)")
            }
            if lazy.count != model.count || (try? lazy.dictionary()) != model {
                Issue.record("step \(step): diverged after ops \(ops.suffix(4)), counts \(lazy.count) \(model.count)")
                return
            }
        }
        try check(lazy, model, "end")
        // Value semantics: copies taken along the way are untouched.
        for (index, (copy, expected)) in copies.enumerated() {
            try check(copy, expected, "copy \(index)")
        }
    }

    @Test("a saved key replaced twice, and copies of a loaded dictionary mutated apart")
    func replacedTwiceAndCopies() throws {
        var rng = SplitMix64(seed: 99)
        var model: [String: Timesheet] = [:]
        for key in Self.keyPool { model[key] = randomTimesheet(&rng) }
        let loaded = try CompactState.decode(Lazy.self, from: CompactState.encode(model))
        var a = loaded
        var b = loaded
        var modelA = model
        let first = randomTimesheet(&rng), second = randomTimesheet(&rng)
        #expect(try a.updateValue(first, forKey: "é") == model["é"])
        #expect(try a.updateValue(second, forKey: "é") == first)
        modelA["é"] = second
        #expect(a.count == model.count)
        try check(a, modelA, "a")
        try check(b, model, "b untouched")
        try check(loaded, model, "loaded untouched")
        #expect(try b.updateValue(first, forKey: "new") == nil)
        var modelB = model
        modelB["new"] = first
        try check(b, modelB, "b")
        try check(a, modelA, "a untouched by b")
        #expect(a != b)
        #expect(a == LazyDictionary(modelA))
    }

    @Test("huge or damaged counts throw")
    func hugeCounts() throws {
        var rng = SplitMix64(seed: 42)
        let model = ["T1": randomTimesheet(&rng)]
        let good = CompactState.encode(model)
        // The count sits after format (1) + probe; find it: it is 1.
        let probeSize = CompactState.encode(Optional<Int>.none).count - 1
        let countAt = probeSize
        #expect(good[countAt] == 1)
        for count: UInt64 in [2, 3, 200, 1 << 31, 1 << 40, .max] {
            var bytes = Array(good[..<countAt])
            var rest = count
            while rest >= 0x80 { bytes.append(UInt8(truncatingIfNeeded: rest) | 0x80); rest >>= 7 }
            bytes.append(UInt8(rest))
            bytes += good[(countAt + 1)...]
            #expect(throws: CompactStateError.self) { try CompactState.decode(Lazy.self, from: bytes) }
        }
    }

    @Test("every single-byte change either throws, or reads as the plain decoder reads it",
          arguments: [11, 12, 13])
    func flippedBytes(seed: UInt64) throws {
        var rng = SplitMix64(seed: seed)
        var model: [String: Timesheet] = [:]
        for key in Self.keyPool.prefix(40) { model[key] = randomTimesheet(&rng) }
        let good = CompactState.encode(model)
        var disagreements: [String] = []
        for index in 1..<good.count {
            for _ in 0..<4 {
                var bytes = good
                bytes[index] = UInt8.random(in: 0...255, using: &rng)
                let plain = Result { try CompactState.decode([String: Timesheet].self, from: bytes) }
                let lazy = Result { try CompactState.decode(Lazy.self, from: bytes) }
                switch (plain, lazy) {
                case (.success(let p), .success(let l)):
                    let built = Result { try l.dictionary() }
                    guard case .success(let d) = built, d == p, l.count == p.count else {
                        disagreements.append("byte \(index) = \(bytes[index]): lazy \(l.count) entries, built \(built), plain \(p.count)")
                        continue
                    }
                    // Keys whose damaged bytes are not UTF-8 read back repaired
                    // (U+FFFD) and cannot be found lazily: see invalidUTF8Lookup.
                    for key in p.keys where (try? l.value(forKey: key)) != p[key]
                        && !key.unicodeScalars.contains("\u{FFFD}") {
                        disagreements.append("byte \(index) = \(bytes[index]): key \(key.debugDescription) not found lazily")
                    }
                case (.failure, .failure): break
                case (.success, .failure(let e)):
                    disagreements.append("byte \(index) = \(bytes[index]): only lazy refuses: \(e)")
                case (.failure(let e), .success):
                    disagreements.append("byte \(index) = \(bytes[index]): only plain refuses: \(e)")
                }
            }
        }
        #expect(disagreements.isEmpty, "\(disagreements.count): \(disagreements.prefix(6))")
    }

    @Test("truncated anywhere: throws")
    func truncated() throws {
        var rng = SplitMix64(seed: 5)
        var model: [String: Timesheet] = [:]
        for key in Self.keyPool { model[key] = randomTimesheet(&rng) }
        let good = CompactState.encode(model)
        for cut in 0..<good.count {
            #expect(throws: (any Error).self) { try CompactState.decode(Lazy.self, from: Array(good.prefix(cut))) }
        }
    }

    // MARK: - Keys that are equal as Strings but not as bytes

    /// Entries written with these raw key bytes, in the compact format.
    private func bytes(keys: [[UInt8]]) -> [UInt8] {
        var rng = SplitMix64(seed: 1)
        var writer = StateWriter()
        writer.bytes.append(CompactState.format)
        CompactState.probe.write(to: &writer)
        writer.writeVarint(UInt64(keys.count))
        for key in keys {
            writer.writeVarint(UInt64(key.count))
            writer.bytes += key
            randomTimesheet(&rng).write(to: &writer)
        }
        return writer.bytes
    }

    @Test("canonically equivalent keys: refused as duplicates, as the plain reader does")
    func canonicallyEquivalentDuplicates() throws {
        let composed = Array("\u{E9}".utf8), decomposed = Array("e\u{301}".utf8)
        let state = bytes(keys: [composed, decomposed])
        #expect(throws: CompactStateError.self) {
            try CompactState.decode([String: Timesheet].self, from: state)
        }
        #expect(throws: CompactStateError.self) { try CompactState.decode(Lazy.self, from: state) }
    }

    @Test("invalid UTF-8 keys that repair to the same string: refused as the plain reader does")
    func invalidUTF8Duplicates() throws {
        let state = bytes(keys: [[0xFF], [0xFE]])
        #expect(throws: CompactStateError.self) {
            try CompactState.decode([String: Timesheet].self, from: state)
        }
        #expect(throws: CompactStateError.self) { try CompactState.decode(Lazy.self, from: state) }
    }

    @Test("a damaged key that is not UTF-8 is refused, or found under the string it reads as")
    func invalidUTF8Lookup() throws {
        let state = bytes(keys: [[UInt8(ascii: "T"), 0xFF]])
        let plain = try CompactState.decode([String: Timesheet].self, from: state)
        let lazy = try CompactState.decode(Lazy.self, from: state)
        let key = try #require(plain.keys.first)
        #expect(try lazy.value(forKey: key) == plain[key])
    }

    @Test("a loaded key is found by a canonically equivalent string, as a Dictionary finds it")
    func canonicallyEquivalentLookup() throws {
        var rng = SplitMix64(seed: 3)
        let value = randomTimesheet(&rng)
        let plain = ["\u{E9}": value]
        var lazy = try CompactState.decode(Lazy.self, from: CompactState.encode(plain))
        #expect(plain["e\u{301}"] == value)
        #expect(try lazy.value(forKey: "e\u{301}") == value)
        try lazy.updateValue(value, forKey: "e\u{301}")
        #expect(lazy.count == 1)
    }
}

@Suite("utilization from a snapshot, with keys equal as Strings only")
struct UtilizationSnapshotKeyTests {
    private func events(_ idSubmitted: String, _ idApproved: String) -> [RecordedEvent] {
        var script = EventScript()
        script.add("TimesheetSubmitted", at: "2026-03-01T09:00:00Z", #"""
            {"timesheet_id":"\#(idSubmitted)","engagement_id":"E1","consultant_id":"C1",
             "work_date":"2026-03-02","hours":8,"billable":true}
            """#)
        script.add("TimesheetApproved", at: "2026-03-01T09:00:00Z",
                   #"{"timesheet_id":"\#(idApproved)","approver":"M1"}"#)
        return script.events
    }

    @Test("folding across a snapshot gives the rows a fold from scratch gives")
    func acrossSnapshot() throws {
        let projection = UtilizationProjection()
        let events = events("\u{E9}", "e\u{301}")
        let scratch = try foldRows(projection, events)
        var state = projection.initialState()
        try projection.fold(&state, events[0])
        state = try CompactState.decode(UtilizationProjection.State.self,
                                        from: CompactState.encode(state))
        try projection.fold(&state, events[1])
        let now = try Timestamp(rfc3339: "2026-12-31T00:00:00Z")
        let resumed = printed(projection, projection.rows(of: state, now: now))
        #expect(resumed == scratch)
    }

    /// Two spellings of one String: composed and decomposed, and a Hangul
    /// syllable with a trailing jamo (which Foundation's NFC gets wrong).
    @Test("a resubmission under an equivalent id after a snapshot replaces, as from scratch",
          arguments: [("\u{E9}", "e\u{301}"), ("\u{AC01}", "\u{AC00}\u{11A8}")])
    func resubmissionAcrossSnapshot(first: String, second: String) throws {
        let projection = UtilizationProjection()
        var script = EventScript()
        for id in [first, second] {
            script.add("TimesheetSubmitted", at: "2026-03-01T09:00:00Z", #"""
                {"timesheet_id":"\#(id)","engagement_id":"E1","consultant_id":"C1",
                 "work_date":"2026-03-02","hours":8,"billable":true}
                """#)
        }
        let scratch = try foldRows(projection, script.events)
        var state = projection.initialState()
        try projection.fold(&state, script.events[0])
        state = try CompactState.decode(UtilizationProjection.State.self,
                                        from: CompactState.encode(state))
        try projection.fold(&state, script.events[1])
        let now = try Timestamp(rfc3339: "2026-12-31T00:00:00Z")
        #expect(printed(projection, projection.rows(of: state, now: now)) == scratch)
        // The state saved now holds the timesheet once, under the spelling
        // it was first submitted with, so it loads again, lazily and plainly.
        let bytes = CompactState.encode(state)
        let again = try CompactState.decode(UtilizationProjection.State.self, from: bytes)
        let plain = try again.timesheets.dictionary()
        #expect(plain.count == 1)
        #expect(plain.keys.first.map { Array($0.unicodeScalars) } == Array(first.unicodeScalars))
    }
}
