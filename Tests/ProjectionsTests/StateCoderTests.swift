import Foundation
import Testing
@testable import Projections

struct Sample: Codable, Equatable {
    enum Kind: String, Codable { case open, closed }
    struct Line: Codable, Equatable {
        var amount: Decimal
        var note: String?
        var flags: Set<String>
    }
    var lines: [String: Line]
    var byDay: [Int: Decimal]
    var kinds: [Kind]
    var counts: [Int]
    var big: UInt64
    var small: Int64
    var ratio: Double
    var missing: Decimal?
    var empty: [String: Int]
    var nested: [[String]]
}

enum WithPayload: Codable, Equatable {
    case amount(Decimal)
    case none
}

@Suite("The binary state format")
struct StateCoderTests {
    let sample = Sample(
        lines: ["L1": .init(amount: Decimal(string: "26.85120450862128")!, note: nil,
                            flags: ["a", "b"]),
                "L2": .init(amount: Decimal(string: "-0.1")! + Decimal(string: "0.2")!,
                            note: "Zoë, \"quoted\"", flags: [])],
        byDay: [20_512: Decimal(string: "12345678901234567890.123456789012345678")!, -3: 0],
        kinds: [.open, .closed], counts: [0, -1, Int.max, Int.min], big: UInt64.max,
        small: -42, ratio: 0.1, missing: nil, empty: [:], nested: [[], ["x"]])

    @Test("a state round-trips exactly: decimals, optionals, dictionaries, sets, extremes")
    func roundTrip() throws {
        let bytes = try StateCoder.encode(sample)
        #expect(bytes.first == StateCoder.version)
        #expect(try StateCoder.decode(Sample.self, from: bytes) == sample)
    }

    @Test("a state with nested containers falls back to JSON, and old JSON states still load")
    func fallbacks() throws {
        let values: [WithPayload] = [.amount(Decimal(string: "1.50")!), .none]
        let bytes = try StateCoder.encode(values)
        #expect(bytes.first == StateCoder.json)
        #expect(try StateCoder.decode([WithPayload].self, from: bytes) == values)
        let old = Array(try JSONEncoder().encode(sample))
        #expect(try StateCoder.decode(Sample.self, from: old) == sample)
    }

    @Test("damaged bytes are an error, not a crash")
    func damaged() throws {
        let bytes = try StateCoder.encode(sample)
        for cut in [1, 5, bytes.count / 2, bytes.count - 1] {
            #expect(throws: (any Error).self) {
                _ = try StateCoder.decode(Sample.self, from: Array(bytes.prefix(cut)))
            }
        }
    }
}

@Suite("StateCoder and dictionary keys")
struct StateCoderKeyTests {
    @Test("a plain dictionary with an empty key round trips through StateCoder",
          arguments: [["": 1, "a": 2, "b": 3], ["a": 1, "b": 2], ["a\u{0}b": 1, "c": 2]])
    func emptyKey(_ dictionary: [String: Int]) throws {
        let bytes = try StateCoder.encode(dictionary)
        #expect(try StateCoder.decode([String: Int].self, from: bytes) == dictionary)
        // A key of length 0 would read as the end tag: such a state goes as JSON.
        #expect(bytes.first == (dictionary[""] == nil ? StateCoder.version : StateCoder.json))
    }
}
