import EventModel
import EventStore
import Foundation
import Testing
@testable import Projections

@Suite("The compact state format")
struct CompactStateTests {
    /// Folds a generated workload into each built-in projection's state.
    func foldedStates() throws -> [(name: String, runner: any ProjectionRunner)] {
        let fixture = try ReplayFixture()
        fixture.record(at: "2026-12-01T00:00:00Z")
        let lines = try generatedWorkload(events: 3_000, in: fixture.directory)
        try appendLines(lines[...], to: fixture.store)
        let engine = try fixture.engine()
        return try engine.registrations.map { registration in
            let runner = makeRunner(registration)
            try fixture.store.readAll(from: 1) { event in
                try runner.fold(event)
                return true
            }
            return (registration.name, runner)
        }
    }

    @Test("every built-in state round-trips exactly, and so do its rows")
    func builtInRoundTrip() throws {
        /// Whole-state equality, so a field the codec forgot is caught even
        /// when no row shows it.
        func sameState<P: Projection>(_ a: any ProjectionRunner, _ b: any ProjectionRunner,
                                      as type: P.Type) -> Bool? where P.State: Equatable {
            guard let a = a as? Runner<P>, let b = b as? Runner<P> else { return nil }
            return a.state == b.state
        }
        for (name, runner) in try foldedStates() {
            let bytes = try runner.encode()
            #expect(bytes.first == CompactState.format, "\(name)")
            let copy = makeRunner(runner.registration)
            try copy.load(bytes)
            let same = sameState(runner, copy, as: UtilizationProjection.self)
                ?? sameState(runner, copy, as: MarginExposureProjection.self)
                ?? sameState(runner, copy, as: ApprovalAgingProjection.self)
                ?? sameState(runner, copy, as: BillingReadinessProjection.self)
            #expect(same == true, "\(name)")
            #expect(copy.rows(now: fixedNow) == runner.rows(now: fixedNow), "\(name)")
            #expect(!runner.rows(now: fixedNow).isEmpty, "\(name)")
            #expect(try copy.encode().count == bytes.count, "\(name)")
        }
    }

    @Test("a state saved in the older Codable format still loads")
    func olderFormat() throws {
        for (name, runner) in try foldedStates() {
            func old<P: Projection>(_ runner: Runner<P>) throws -> [UInt8] {
                try StateCoder.encode(runner.state)
            }
            let bytes: [UInt8]
            switch runner {
            case let typed as Runner<UtilizationProjection>: bytes = try old(typed)
            case let typed as Runner<MarginExposureProjection>: bytes = try old(typed)
            case let typed as Runner<ApprovalAgingProjection>: bytes = try old(typed)
            case let typed as Runner<BillingReadinessProjection>: bytes = try old(typed)
            default: Issue.record("unexpected runner \(name)"); continue
            }
            #expect(bytes.first == StateCoder.version)
            let copy = makeRunner(runner.registration)
            try copy.load(bytes)
            #expect(copy.rows(now: fixedNow) == runner.rows(now: fixedNow), "\(name)")
        }
    }

    @Test("decimals keep their exact value, scale and sign")
    func decimals() throws {
        let values: [Decimal] = [
            0, 1, -1, Decimal(string: "7.50")!, Decimal(string: "-0.1")! + Decimal(string: "0.2")!,
            Decimal(string: "12345678901234567890.123456789012345678")!,
            Decimal(string: "-99999999999999999999999999999999999999")!,
            Decimal(string: "0.00000000000000000000000000000000000001")!,
            Decimal(string: "26.85120450862128")! * 3,
        ]
        let map = Dictionary(
            uniqueKeysWithValues: values.enumerated().map { ($0.offset, $0.element) })
        let bytes = CompactState.encode(map)
        let decoded = try CompactState.decode([Int: Decimal].self, from: bytes)
        #expect(decoded == map)
        for (key, value) in map {
            #expect(decoded[key]?.description == value.description)
        }
    }

    @Test("a decimal Foundation would trap on is refused")
    func malformedDecimals() throws {
        // 7.5: exponent -1, one mantissa word (75) in use.
        let words = withUnsafeBytes(of: Decimal(string: "7.5")!) { raw in
            (0..<5).map { raw.loadUnaligned(fromByteOffset: $0 * 4, as: UInt32.self) }
        }
        func encoded(_ words: [UInt32]) -> [UInt8] {
            var writer = StateWriter()
            writer.bytes.append(CompactState.format)
            CompactState.probe.write(to: &writer)
            Int64(Int32(bitPattern: words[0])).write(to: &writer)
            for word in words[1...] { writer.writeVarint(UInt64(word)) }
            return writer.bytes
        }
        #expect(words[1] == 75)
        #expect(try CompactState.decode(Decimal.self, from: encoded(words))
            == Decimal(string: "7.5")!)
        // A count of 9 words in use: Foundation reads past its mantissa.
        var tooLong = words
        tooLong[0] = tooLong[0] & ~0xF000 | 9 << 12
        #expect(throws: CompactStateError.self) {
            try CompactState.decode(Decimal.self, from: encoded(tooLong))
        }
        // Digits in a word past the count.
        var stray = words
        stray[3] = 1
        #expect(throws: CompactStateError.self) {
            try CompactState.decode(Decimal.self, from: encoded(stray))
        }
    }

    @Test("strings, optionals, integers and sets at their extremes")
    func extremes() throws {
        let value: [String: [Int64?]] = ["": [nil, 0, Int64.min, Int64.max, -1],
                                         "Zoë, \"quoted\" 🎉": []]
        #expect(try CompactState.decode([String: [Int64?]].self,
                                        from: CompactState.encode(value)) == value)
        let set: Set<String> = ["a", "b", "ç"]
        #expect(try CompactState.decode(Set<String>.self, from: CompactState.encode(set)) == set)
    }

    @Test("damaged bytes are an error, not a crash or a wrong state")
    func damaged() throws {
        let (_, runner) = try #require(try foldedStates().first { $0.name == "utilization" })
        let bytes = try runner.encode()
        for cut in [1, 2, 7, bytes.count / 2, bytes.count - 1] {
            #expect(throws: (any Error).self) {
                try makeRunner(runner.registration).load(Array(bytes.prefix(cut)))
            }
        }
        #expect(throws: (any Error).self) {
            try makeRunner(runner.registration).load(bytes + [0])
        }
        // A decimal layout other than this build's (the probe differs).
        var otherLayout = bytes
        otherLayout[2] ^= 0x01
        #expect(throws: (any Error).self) {
            try makeRunner(runner.registration).load(otherLayout)
        }
        // A count far beyond the bytes left must not allocate.
        #expect(throws: (any Error).self) {
            try makeRunner(runner.registration).load([CompactState.format, 0xFF, 0xFF, 0xFF, 0x7F])
        }
    }
}

@Suite("Key order")
struct UTF8OrderTests {
    @Test("utf8Precedes orders as the strings' UTF-8 bytes do")
    func order() {
        let keys = ["", "a", "A", "ab", "b", "é", "e\u{301}", "Z", "C10", "C9", "🎉", "z\u{0}",
                    "a long key past fifteen bytes", "a long key past fifteen bytez"]
        for lhs in keys {
            for rhs in keys {
                #expect(utf8Precedes(lhs, rhs) == lhs.utf8.lexicographicallyPrecedes(rhs.utf8),
                        "\(lhs) < \(rhs)")
            }
        }
    }
}
