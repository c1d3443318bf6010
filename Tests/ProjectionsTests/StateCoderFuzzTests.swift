import Foundation
import TestSupport
import Testing
@testable import Projections

/// A custom projection's state, as a service might write one.
private struct FuzzState: Codable, Equatable {
    struct Entry: Codable, Equatable {
        var amount: Decimal
        var note: String?
        var tags: Set<String>
        var when: Int?
    }
    var entries: [String: Entry] = [:]
    var totals: [String: Decimal] = [:]
    var counts: [String: Int] = [:]
    var nested: [String: [String: Int]] = [:]
    var ratios: [String: Double] = [:]
    var byDay: [Int: Decimal] = [:]
    var list: [String] = []
    var big: UInt64 = 0
    var small: Int64 = 0
}

@Suite("StateCoder: random states, with and without empty keys, read back as written")
struct StateCoderFuzzTests {
    private static let keys = ["", "", "a", " ", "é", "e\u{301}", "\u{0}", "0", "-1", "key", "🙂", "\"", "{}"]

    private static func decimal(_ rng: inout SplitMix64) -> Decimal {
        switch Int.random(in: 0..<6, using: &rng) {
        case 0: return Decimal(Int.random(in: -1_000_000...1_000_000, using: &rng))
        case 1:
            // 38-digit quotients.
            return Decimal(Int.random(in: -99_999...99_999, using: &rng)) / Decimal(Int.random(in: 1...997, using: &rng))
        case 2:
            return Decimal(sign: Bool.random(using: &rng) ? .plus : .minus,
                           exponent: Int.random(in: -120...120, using: &rng),
                           significand: Decimal(UInt64.random(in: 0...UInt64.max, using: &rng)))
        case 3: return Decimal(string: ["7.50", "0.10", "1e-20", "-0", "123456789012345678901234567890.12345678"]
                                .randomElement(using: &rng)!)!
        case 4: return [Decimal.greatestFiniteMagnitude, .leastFiniteMagnitude, .leastNonzeroMagnitude]
                .randomElement(using: &rng)!
        default: return Decimal(string: "0.\(Int.random(in: 0...99_999, using: &rng))")!
        }
    }

    private static func string(_ rng: inout SplitMix64) -> String { keys.randomElement(using: &rng)! + String(Int.random(in: 0...3, using: &rng)) }

    private static func state(_ rng: inout SplitMix64, emptyKeys: Bool) -> FuzzState {
        func key(_ rng: inout SplitMix64) -> String {
            let key = keys.randomElement(using: &rng)!
            return !emptyKeys && key.isEmpty ? "x" : key
        }
        var state = FuzzState()
        for _ in 0..<Int.random(in: 0...6, using: &rng) {
            state.entries[key(&rng)] = .init(amount: decimal(&rng),
                                             note: Bool.random(using: &rng) ? nil : key(&rng),
                                             tags: Set((0..<Int.random(in: 0...3, using: &rng)).map { _ in key(&rng) }),
                                             when: Bool.random(using: &rng) ? nil : Int.random(in: Int.min...Int.max, using: &rng))
        }
        for _ in 0..<Int.random(in: 0...6, using: &rng) { state.totals[key(&rng)] = decimal(&rng) }
        for _ in 0..<Int.random(in: 0...6, using: &rng) { state.counts[key(&rng)] = Int.random(in: Int.min...Int.max, using: &rng) }
        for _ in 0..<Int.random(in: 0...3, using: &rng) {
            state.nested[key(&rng)] = [key(&rng): Int.random(in: -9...9, using: &rng)]
        }
        for _ in 0..<Int.random(in: 0...3, using: &rng) {
            state.ratios[key(&rng)] = [0.1, -0.0, 1e-310, 1.7976931348623157e308, Double(Int.random(in: -99...99, using: &rng)) / 7]
                .randomElement(using: &rng)!
        }
        for _ in 0..<Int.random(in: 0...3, using: &rng) { state.byDay[Int.random(in: -9...9, using: &rng)] = decimal(&rng) }
        state.list = (0..<Int.random(in: 0...4, using: &rng)).map { _ in key(&rng) }
        state.big = UInt64.random(in: 0...UInt64.max, using: &rng)
        state.small = Int64.random(in: Int64.min...Int64.max, using: &rng)
        return state
    }

    /// Decimals compare by value in ==; also compare their printed digits.
    private static func sameDecimals(_ a: FuzzState, _ b: FuzzState) -> Bool {
        func texts(_ s: FuzzState) -> [String] {
            s.entries.sorted { $0.key.unicodeScalars.lexicographicallyPrecedes($1.key.unicodeScalars) }
                .map { "\($0.value.amount)" }
                + s.totals.sorted { $0.key.unicodeScalars.lexicographicallyPrecedes($1.key.unicodeScalars) }.map { "\($0.value)" }
                + s.byDay.sorted { $0.key < $1.key }.map { "\($0.value)" }
        }
        return texts(a) == texts(b)
    }

    @Test("states round-trip; with an empty key as well as without", arguments: [1, 2, 3])
    func roundTrips(seed: UInt64) throws {
        var rng = SplitMix64(seed: seed)
        var failures: [String] = []
        var json = 0, binary = 0
        for round in 0..<600 {
            let emptyKeys = Bool.random(using: &rng)
            let original = Self.state(&rng, emptyKeys: emptyKeys)
            let bytes: [UInt8]
            do {
                bytes = try StateCoder.encode(original)
            } catch {
                failures.append("seed \(seed) round \(round): encode threw \(error) for \(original)")
                continue
            }
            if bytes.first == StateCoder.json { json += 1 } else { binary += 1 }
            do {
                let decoded = try StateCoder.decode(FuzzState.self, from: bytes)
                if decoded != original || !Self.sameDecimals(decoded, original) {
                    failures.append("seed \(seed) round \(round) (\(bytes.first == StateCoder.json ? "JSON" : "binary")): decoded \(decoded) vs \(original)")
                }
            } catch {
                failures.append("seed \(seed) round \(round) (\(bytes.first == StateCoder.json ? "JSON" : "binary")): decode threw \(error)")
            }
            if failures.count > 10 { break }
        }
        #expect(json > 50 && binary > 50, "json \(json) binary \(binary)")
        #expect(failures.isEmpty, "\(failures.count): \(failures.prefix(4))")
    }

    @Test("one state, with and without an empty key: the same values come back")
    func emptyKeyAgainstBinary() throws {
        var failures: [String] = []
        var rng = SplitMix64(seed: 44)
        for round in 0..<300 {
            let value = Self.decimal(&rng)
            let ratio = [0.1, 1e-310, -0.0, 3.0e300].randomElement(using: &rng)!
            let withKey: [String: [String: Decimal]] = ["": ["v": value], "x": ["": value]]
            let without: [String: [String: Decimal]] = ["y": ["v": value], "x": ["z": value]]
            let a = try StateCoder.decode([String: [String: Decimal]].self, from: StateCoder.encode(withKey))
            let b = try StateCoder.decode([String: [String: Decimal]].self, from: StateCoder.encode(without))
            if a[""]?["v"] != b["y"]?["v"] || a["x"]?[""] != value || b["y"]?["v"] != value {
                failures.append("round \(round): \(value) read back as \(String(describing: a[""]?["v"])) with an empty key, \(String(describing: b["y"]?["v"])) without")
            }
            let doubles = try StateCoder.decode([String: Double].self, from: StateCoder.encode(["": ratio]))
            if doubles[""]?.bitPattern != ratio.bitPattern {
                failures.append("round \(round): double \(ratio) read back as \(String(describing: doubles[""]))")
            }
        }
        #expect(failures.isEmpty, "\(failures.count): \(failures.prefix(4))")
    }

    @Test("an empty key beside values the binary format holds but JSON does not")
    func nonFiniteWithEmptyKey() throws {
        for value in [Double.nan, .infinity, -.infinity] {
            let without = try StateCoder.decode([String: Double].self, from: StateCoder.encode(["k": value]))
            #expect(without["k"]?.bitPattern == value.bitPattern || (value.isNaN && without["k"]!.isNaN))
            let result = Result { try StateCoder.decode([String: Double].self, from: StateCoder.encode(["": value])) }
            switch result {
            case .success(let read):
                #expect(read[""]?.isNaN == value.isNaN && (value.isNaN || read[""] == value))
            case .failure(let error):
                Issue.record("[\"\": \(value)] cannot be saved or read: \(error) (without the empty key it round-trips)")
            }
        }
    }
}
