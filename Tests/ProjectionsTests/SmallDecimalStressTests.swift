import EventModel
import Foundation
import TestSupport
import Testing
@testable import Projections

@Suite("Exact comparisons of small decimals, against Foundation, on edge cases")
struct SmallDecimalStressTests {
    /// A decimal with these fields, as Foundation would hold them.
    static func raw(_ exponent: Int32, negative: Bool, _ mantissa: UInt64,
                    length: UInt32? = nil, compact: Bool = true) -> Decimal {
        var used: UInt32 = 0
        for index in 0..<4 where mantissa >> (16 * UInt64(index)) != 0 { used = UInt32(index + 1) }
        // swift-foundation's layout: exponent in bits 0-7, compact bit 10,
        // sign bit 11, length in bits 12-15, then the mantissa's words.
        let word = UInt32(UInt8(bitPattern: Int8(exponent))) | (compact ? 1 << 10 : 0)
            | (negative ? 1 << 11 : 0) | ((length ?? used) << 12)
        var value = Decimal()
        withUnsafeMutableBytes(of: &value) { raw in
            for index in 0..<20 { raw[index] = 0 }
            raw.storeBytes(of: word, toByteOffset: 0, as: UInt32.self)
            raw.storeBytes(of: mantissa.littleEndian, toByteOffset: 4, as: UInt64.self)
        }
        return value
    }

    static let significands: [UInt64] = [
        0, 1, 2, 5, 9, 10, 99, 100, 65_535, 65_536, 999_999, 1_000_000, 4_294_967_295,
        4_294_967_296, 10_000_000_000_000_000_000, 9_999_999_999_999_999_999,
        1_844_674_407_370_955_161, 1_844_674_407_370_955_162,
        18_446_744_073_709_551_615, 18_446_744_073_709_551_614, 18_446_744_073_709_551_610,
        12_345_678_901_234_567_890, 281_474_976_710_655, 281_474_976_710_656,
    ]
    static let exponents: [Int32] = [-128, -127, -126, -120, -109, -108, -100, -40, -39, -38, -20,
                                     -19, -18, -2, -1, 0, 1, 2, 18, 19, 20, 38, 39, 100, 108,
                                     109, 126, 127]

    static func edgeValues() -> [Decimal] {
        var values: [Decimal] = [.nan, .greatestFiniteMagnitude, .leastFiniteMagnitude,
                                 .leastNonzeroMagnitude, Decimal(0), Decimal(-0.0)]
        for significand in significands {
            for exponent in exponents {
                values.append(raw(exponent, negative: false, significand))
                if significand != 0 { values.append(raw(exponent, negative: true, significand)) }
            }
        }
        // Zero with other exponents, and a zero-valued mantissa kept at length 1.
        for exponent: Int32 in [-128, -5, 0, 3, 127] {
            values.append(raw(exponent, negative: false, 0, length: 0))
        }
        return values
    }

    /// Values Foundation makes by arithmetic.
    static func arithmeticValues(_ rng: inout SplitMix64) -> [Decimal] {
        var values: [Decimal] = []
        let bases: [Decimal] = [Decimal(string: "7.35")!, Decimal(string: "0.1")!, Decimal(3),
                                Decimal(string: "40")!, Decimal(string: "1e-5")!, Decimal(UInt64.max),
                                Decimal(string: "-2.5")!, Decimal(string: "1e30")!,
                                Decimal(string: "1e-30")!, Decimal(0.1), Decimal(1.0 / 3.0)]
        typealias Op = (UnsafeMutablePointer<Decimal>, UnsafePointer<Decimal>,
                        UnsafePointer<Decimal>, Decimal.RoundingMode) -> Decimal.CalculationError
        let ops: [Op] = [NSDecimalAdd, NSDecimalSubtract, NSDecimalMultiply, NSDecimalDivide]
        for a in bases {
            for b in bases {
                for op in ops {
                    var (x, y, result) = (a, b, Decimal())
                    if op(&result, &x, &y, .plain) == .noError { values.append(result) }
                }
                var (x, zero) = (a, Decimal())
                var (copy, difference) = (a, Decimal())
                if NSDecimalSubtract(&difference, &x, &copy, .plain) == .noError {
                    values.append(difference)
                }
                var rounded = Decimal()
                x = a
                NSDecimalRound(&rounded, &x, 2, .plain)
                values.append(rounded)
                _ = zero
                zero = 0
            }
        }
        for _ in 0..<200 {
            let hours = Decimal(sign: .plus, exponent: -2,
                                significand: Decimal(UInt64.random(in: 0...2_400, using: &rng)))
            values += [hours * 100 / 40, hours - hours, hours + Decimal(string: "0.00")!]
        }
        return values
    }

    private func mismatches(_ values: [Decimal], _ rng: inout SplitMix64, triples: Int) -> [String] {
        var found: [String] = []
        for a in values {
            for b in values where a.isExactlyBelow(b) != (a < b) {
                found.append("\(a) <? \(b): small says \(a.isExactlyBelow(b)), Foundation \(a < b)"
                             + " [\(Self.describe(a)) vs \(Self.describe(b))]")
            }
        }
        for _ in 0..<triples {
            let a = values.randomElement(using: &rng)!, b = values.randomElement(using: &rng)!
            let c = values.randomElement(using: &rng)!
            if a.plus(b, isExactlyAbove: c) != (a + b > c) {
                found.append("\(a) + \(b) >? \(c): small says \(a.plus(b, isExactlyAbove: c))"
                             + " [\(Self.describe(a)), \(Self.describe(b)), \(Self.describe(c))]")
            }
        }
        return found
    }

    static func describe(_ value: Decimal) -> String {
        withUnsafeBytes(of: value) { raw in
            let word = raw.loadUnaligned(as: UInt32.self)
            return "e\(Int8(truncatingIfNeeded: word)) len\(word >> 12 & 0xF) neg\(word >> 11 & 1) m"
                + (0..<8).map { String(raw.loadUnaligned(fromByteOffset: 4 + 2 * $0, as: UInt16.self)) }
                .joined(separator: ",")
        }
    }

    @Test("a zero kept at length 1 (as damaged state bytes may hold) compares as Foundation compares it")
    func unnormalizedZero() {
        var found: [String] = []
        for exponent: Int32 in [-128, -5, 0, 3, 127] {
            for negative in [false, true] {
                let odd = Self.raw(exponent, negative: negative, 0, length: 1)
                for other in [Decimal(0), Decimal(1), Decimal(-1)] {
                    if odd.isExactlyBelow(other) != (odd < other) { found.append("\(Self.describe(odd)) < \(other)") }
                    if other.isExactlyBelow(odd) != (other < odd) { found.append("\(other) < \(Self.describe(odd))") }
                }
            }
        }
        #expect(found.isEmpty, "\(found)")
    }

    @Test("exact sums and differences have the bits Foundation's + and - give")
    func exactSums() {
        var rng = SplitMix64(seed: 11)
        var values = Self.arithmeticValues(&rng) + Self.edgeValues()
        // Hours and amounts as folds meet them, compact or not, and wide ones.
        for _ in 0..<800 {
            let exponent = Int32.random(in: -6...3, using: &rng)
            let significand = Bool.random(using: &rng)
                ? UInt64.random(in: 0...10_000, using: &rng) : UInt64.random(in: 0...UInt64.max, using: &rng)
            values.append(Self.raw(exponent, negative: Bool.random(using: &rng) && significand != 0,
                                   significand, compact: Bool.random(using: &rng)))
        }
        var found: [String] = []
        var exact = 0
        for _ in 0..<150_000 {
            let a = values.randomElement(using: &rng)!, b = values.randomElement(using: &rng)!
            for subtracting in [false, true] {
                guard let result = SmallDecimal.exactSum(a, b, subtracting: subtracting) else { continue }
                exact += 1
                let expected = subtracting ? a - b : a + b
                if DecimalBits(result) != DecimalBits(expected) {
                    found.append("\(Self.describe(a)) \(subtracting ? "-" : "+") \(Self.describe(b)):"
                                 + " \(Self.describe(result)), Foundation \(Self.describe(expected))")
                }
            }
        }
        #expect(found.isEmpty, "\(found.count): \(found.prefix(6))")
        // Most pairs are small enough for the exact path.
        #expect(exact > 100_000)
    }

    @Test("cells print from the significand as from Foundation's text, 128-bit significands included")
    func formatting() {
        var rng = SplitMix64(seed: 12)
        var values = Self.arithmeticValues(&rng) + Self.edgeValues()
        for _ in 0..<2_000 {
            let significand = Bool.random(using: &rng)
                ? UInt64.random(in: 0...100_000, using: &rng) : UInt64.random(in: 0...UInt64.max, using: &rng)
            values.append(Self.raw(Int32.random(in: -25...5, using: &rng),
                                   negative: Bool.random(using: &rng) && significand != 0, significand,
                                   compact: Bool.random(using: &rng)))
            // Quotients: up to 38 digits, past 64 bits.
            values.append(Decimal(Int.random(in: -10_000...10_000, using: &rng))
                          / Decimal(Int.random(in: 1...999, using: &rng)))
        }
        var found: [String] = []
        var wide = 0
        for value in values {
            guard let parts = DecimalParts(value) else { continue }
            for places in 0...4 {
                let fast = ExactDecimal.format(significand: parts.significand, exponent: parts.exponent,
                                               isNegative: parts.isNegative, fractionDigits: places)
                let slow = ExactDecimal.format(value, fractionDigits: places)
                if fast != slow { found.append("\(Self.describe(value)) at \(places): \(fast), Foundation \(slow)") }
            }
            if parts.significand > UInt64.max { wide += 1 }
        }
        #expect(found.isEmpty, "\(found.count): \(found.prefix(6))")
        #expect(wide > 500)
    }

    @Test("edge values: every pair, and random triples")
    func edges() {
        var rng = SplitMix64(seed: 7)
        let found = mismatches(Self.edgeValues(), &rng, triples: 300_000)
        #expect(found.isEmpty, "\(found.count): \(found.prefix(8))")
    }

    @Test("values from Foundation's arithmetic: every pair, and random triples")
    func arithmetic() {
        var rng = SplitMix64(seed: 8)
        let values = Self.arithmeticValues(&rng)
        let found = mismatches(values, &rng, triples: 300_000)
        #expect(found.isEmpty, "\(found.count): \(found.prefix(8))")
    }

    @Test("random values with exponents across the whole range")
    func wideRandom() {
        var rng = SplitMix64(seed: 9)
        var values: [Decimal] = []
        for _ in 0..<1_500 {
            let bits = Int.random(in: 0...64, using: &rng)
            let significand = bits == 0 ? 0 : UInt64.random(in: 0...(UInt64.max >> (64 - bits)), using: &rng)
            let exponent = Int32.random(in: -128...127, using: &rng)
            values.append(Self.raw(exponent, negative: Bool.random(using: &rng) && significand != 0, significand))
            // And neighbours: the same value at a nearby exponent.
            if significand % 10 == 0, exponent < 127 {
                values.append(Self.raw(exponent + 1, negative: false, significand / 10))
            }
        }
        let found = mismatches(values, &rng, triples: 300_000)
        #expect(found.isEmpty, "\(found.count): \(found.prefix(8))")
    }
}
