import EventModel
import Foundation
import TestSupport
import Testing
@testable import Projections

/// All 20 bytes of a decimal.
private func rawBytes(_ value: Decimal) -> [UInt8] {
    withUnsafeBytes(of: value) { Array($0) }
}

private func hex(_ value: Decimal) -> String {
    rawBytes(value).map { String(format: "%02x", $0) }.joined()
}

/// A decimal with exactly these fields (swift-foundation's layout): exponent
/// in bits 0-7, compact bit 10, sign bit 11, length in bits 12-15, then eight
/// 16-bit mantissa words, least significant first.
private func makeDecimal(exponent: Int, negative: Bool, mantissa: UInt128,
                         length: Int? = nil, compact: Bool = true) -> Decimal {
    var used = 0
    for index in 0..<8 where (mantissa >> (16 * UInt128(index))) & 0xFFFF != 0 { used = index + 1 }
    let word = UInt32(UInt8(bitPattern: Int8(exponent))) | (compact ? 1 << 10 : 0)
        | (negative ? 1 << 11 : 0) | UInt32(length ?? used) << 12
    var value = Decimal()
    withUnsafeMutableBytes(of: &value) { raw in
        for index in 0..<20 { raw[index] = 0 }
        raw.storeBytes(of: word.littleEndian, toByteOffset: 0, as: UInt32.self)
        raw.storeBytes(of: UInt64(truncatingIfNeeded: mantissa).littleEndian, toByteOffset: 4, as: UInt64.self)
        raw.storeBytes(of: UInt64(truncatingIfNeeded: mantissa >> 64).littleEndian, toByteOffset: 12,
                       as: UInt64.self)
    }
    return value
}

@Suite("Exact sums and significand printing against Foundation, fuzzed")
struct ExactSumFuzzTests {
    // MARK: Operand generators

    /// Decimals as folds meet them: parsed literals (ExactDecimal), with
    /// trailing zeros and exponents, Foundation's products and quotients.
    private static func literal(_ rng: inout SplitMix64) -> String {
        var text = Bool.random(using: &rng) && Int.random(in: 0..<4, using: &rng) == 0 ? "-" : ""
        let integerDigits = Int.random(in: 0...8, using: &rng)
        if integerDigits == 0 {
            text += "0"
        } else {
            text += String(Int.random(in: 1...9, using: &rng))
            for _ in 1..<integerDigits { text += String(Int.random(in: 0...9, using: &rng)) }
        }
        if Bool.random(using: &rng) {
            text += "."
            for _ in 0..<Int.random(in: 1...6, using: &rng) {
                // Trailing zeros are common (7.50, 1.000).
                text += Int.random(in: 0..<3, using: &rng) == 0 ? "0" : String(Int.random(in: 0...9, using: &rng))
            }
        }
        if Int.random(in: 0..<6, using: &rng) == 0 {
            text += "e" + String(Int.random(in: -12...12, using: &rng))
        }
        return text
    }

    private static func operand(_ rng: inout SplitMix64) -> Decimal {
        switch Int.random(in: 0..<12, using: &rng) {
        case 10:
            // Foundation's rounding of a 38-digit quotient: a short result
            // computed in a wide one (mantissa words past its length may be left set).
            var quotient = Decimal(Int.random(in: -1_000_000...1_000_000, using: &rng))
                / Decimal(Int.random(in: 1...9_999, using: &rng))
            var rounded = Decimal()
            NSDecimalRound(&rounded, &quotient, Int.random(in: 0...6, using: &rng), .plain)
            return rounded
        case 11:
            // Residues of wide arithmetic: (a / b) * b - a, and wide minus near-wide.
            let a = Decimal(Int.random(in: 1...1_000_000, using: &rng))
            let b = Decimal(Int.random(in: 1...9_999, using: &rng))
            return Bool.random(using: &rng) ? (a / b) * b - a : (a / b) - (a / b - Decimal(string: "0.01")!)
        case 0, 1, 2:
            return (try? ExactDecimal.parse(literal(&rng))) ?? Decimal(1)
        case 3:
            // A raw small value, compact or not, at any exponent the fast path takes and past it.
            let bits = Int.random(in: 0...64, using: &rng)
            let significand: UInt64 = bits == 0 ? 0 : UInt64.random(in: 0...(UInt64.max >> (64 - bits)), using: &rng)
            return makeDecimal(exponent: Int.random(in: -70...70, using: &rng),
                               negative: significand != 0 && Bool.random(using: &rng),
                               mantissa: UInt128(significand), compact: Bool.random(using: &rng))
        case 4:
            // Zeros: at any exponent, compact or not.
            return makeDecimal(exponent: Int.random(in: -70...70, using: &rng), negative: false,
                               mantissa: 0, compact: Bool.random(using: &rng))
        case 5:
            // Values with trailing zeros in the significand.
            let base = UInt64.random(in: 1...99_999, using: &rng)
            let zeros = Int.random(in: 0...10, using: &rng)
            var significand = base
            for _ in 0..<zeros where significand <= UInt64.max / 10 { significand *= 10 }
            return makeDecimal(exponent: Int.random(in: -12...4, using: &rng),
                               negative: Bool.random(using: &rng), mantissa: UInt128(significand),
                               compact: Bool.random(using: &rng))
        case 6:
            let a = (try? ExactDecimal.parse(literal(&rng))) ?? 1
            let b = (try? ExactDecimal.parse(literal(&rng))) ?? 1
            return DecimalArithmetic.shared.product(a, b)
        case 7:
            let a = Decimal(Int.random(in: -100_000...100_000, using: &rng))
            return a / Decimal(Int.random(in: 1...999, using: &rng))
        case 8:
            // Near 64 bits.
            let significand = UInt64.max - UInt64.random(in: 0...1_000, using: &rng)
            return makeDecimal(exponent: Int.random(in: -20...20, using: &rng),
                               negative: Bool.random(using: &rng), mantissa: UInt128(significand))
        default:
            let base: [Decimal] = [0, 1, -1, Decimal(string: "0.1")!, Decimal(string: "7.5")!,
                                   Decimal(string: "40")!, Decimal(string: "-0.00")!,
                                   Decimal(string: "100")!, Decimal(UInt64.max), Decimal(Int64.min)]
            return base.randomElement(using: &rng)!
        }
    }

    // MARK: Sums

    @Test("exactSum, exactlyPlus and DecimalArithmetic sum/difference: Foundation's 20 bytes",
          arguments: [101, 202, 303])
    func sums(seed: UInt64) {
        var rng = SplitMix64(seed: seed)
        var failures: [String] = []
        var fast = 0
        for _ in 0..<40_000 {
            let a = Self.operand(&rng), b = Self.operand(&rng)
            let plus = a + b, minus = a - b
            if let sum = SmallDecimal.exactSum(a, b, subtracting: false) {
                fast += 1
                if rawBytes(sum) != rawBytes(plus) {
                    failures.append("\(a) + \(b) [\(hex(a)) + \(hex(b))]: got \(hex(sum)), Foundation \(hex(plus))")
                }
            }
            if let difference = SmallDecimal.exactSum(a, b, subtracting: true),
               rawBytes(difference) != rawBytes(minus) {
                failures.append("\(a) - \(b) [\(hex(a)) - \(hex(b))]: got \(hex(difference)), Foundation \(hex(minus))")
            }
            if rawBytes(a.exactlyPlus(b)) != rawBytes(plus) {
                failures.append("exactlyPlus \(hex(a)) + \(hex(b)): got \(hex(a.exactlyPlus(b))), Foundation \(hex(plus))")
            }
            if rawBytes(DecimalArithmetic.shared.sum(a, b)) != rawBytes(plus) {
                failures.append("arithmetic.sum \(hex(a)) + \(hex(b))")
            }
            if rawBytes(DecimalArithmetic.shared.difference(a, b)) != rawBytes(minus) {
                failures.append("arithmetic.difference \(hex(a)) - \(hex(b))")
            }
            if failures.count > 20 { break }
        }
        #expect(fast > 15_000, "fast path taken only \(fast) times")
        #expect(failures.isEmpty, "\(failures.count): \(failures.prefix(6))")
    }

    @Test("running totals (as the margin ledger keeps them) match Foundation's += step by step",
          arguments: [7, 8, 9, 10])
    func runningTotals(seed: UInt64) {
        var rng = SplitMix64(seed: seed)
        var failures: [String] = []
        for chain in 0..<200 {
            var fast = Decimal(), slow = Decimal()
            var posted: [Decimal] = []
            for step in 0..<150 {
                // Post amounts and take some back off (negated), as the ledger does.
                let amount: Decimal
                if !posted.isEmpty && Int.random(in: 0..<3, using: &rng) == 0 {
                    amount = -posted.remove(at: Int.random(in: 0..<posted.count, using: &rng))
                } else {
                    amount = Int.random(in: 0..<4, using: &rng) == 0 ? Self.operand(&rng)
                        : ((try? ExactDecimal.parse(Self.literal(&rng))) ?? 1)
                    posted.append(amount)
                }
                fast = fast.exactlyPlus(amount)
                slow += amount
                if rawBytes(fast) != rawBytes(slow) {
                    failures.append("chain \(chain) step \(step): + \(hex(amount)) gives \(hex(fast)), Foundation \(hex(slow))")
                    fast = slow
                }
            }
            if failures.count > 20 { break }
        }
        #expect(failures.isEmpty, "\(failures.count): \(failures.prefix(6))")
    }

    // MARK: Printing

    private static func wideValue(_ rng: inout SplitMix64) -> Decimal {
        let words = Int.random(in: 0...8, using: &rng)
        var mantissa: UInt128 = 0
        for index in 0..<words {
            var word = UInt128(UInt16.random(in: 0...UInt16.max, using: &rng))
            if index == words - 1 && word == 0 { word = 1 }
            mantissa |= word << (16 * UInt128(index))
        }
        let exponent: Int
        switch Int.random(in: 0..<4, using: &rng) {
        case 0: exponent = Int.random(in: -128...127, using: &rng)
        case 1: exponent = [-128, -127, -100, -40, -39, -38, 37, 38, 100, 126, 127].randomElement(using: &rng)!
        default: exponent = Int.random(in: -45...5, using: &rng)
        }
        return makeDecimal(exponent: exponent, negative: mantissa != 0 && Bool.random(using: &rng),
                           mantissa: mantissa, compact: Bool.random(using: &rng))
    }

    @Test("Cell.formatted and format(significand:...) print what format(Decimal) prints",
          arguments: [31, 32])
    func printing(seed: UInt64) {
        var rng = SplitMix64(seed: seed)
        var values: [Decimal] = [.greatestFiniteMagnitude, .leastFiniteMagnitude, .leastNonzeroMagnitude,
                                 -Decimal.leastNonzeroMagnitude, Decimal(UInt64.max), Decimal(Int64.min),
                                 makeDecimal(exponent: -128, negative: true, mantissa: .max),
                                 makeDecimal(exponent: 127, negative: false, mantissa: .max),
                                 makeDecimal(exponent: -128, negative: false, mantissa: 5),
                                 makeDecimal(exponent: -39, negative: false, mantissa: UInt128(1) << 127)]
        for _ in 0..<3_000 { values.append(Self.wideValue(&rng)) }

        for _ in 0..<1_000 {
            // Quotients and products Foundation makes, with 38 digits.
            let a = Decimal(Int.random(in: -1_000_000...1_000_000, using: &rng))
            let b = Decimal(Int.random(in: 1...99_999, using: &rng))
            values.append(a / b)
            values.append((a / b) * (a / b))
            values.append(Decimal(sign: Bool.random(using: &rng) ? .plus : .minus,
                                  exponent: Int.random(in: -60...60, using: &rng), significand: a / b))
        }
        var failures: [String] = []
        var checked = 0
        for value in values where !value.isNaN {
            let parts = DecimalParts(value)
            for places in [0, 1, 2, 3, 4, 6, 10, 40] {
                let expected = ExactDecimal.format(value, fractionDigits: places)
                let cell = Cell.decimal(value).formatted(for: Column("x", .decimal(places: places)))
                if cell != expected {
                    failures.append("[\(hex(value))] \(value) at \(places): cell \(cell), expected \(expected)")
                }
                if let parts {
                    checked += 1
                    let direct = ExactDecimal.format(significand: parts.significand, exponent: parts.exponent,
                                                     isNegative: parts.isNegative, fractionDigits: places)
                    if direct != expected {
                        failures.append("[\(hex(value))] parts at \(places): \(direct), expected \(expected)")
                    }
                }
            }
            let plain = Cell.decimal(value).formatted(for: Column("t", .text))
            if plain != ExactDecimal.format(value, fractionDigits: 0) {
                failures.append("[\(hex(value))] text column: \(plain)")
            }
            if failures.count > 20 { break }
        }
        #expect(checked > 20_000)
        #expect(failures.isEmpty, "\(failures.count): \(failures.prefix(6))")
    }

    @Test("a significand against its exponent: format(significand:) agrees with the Decimal built from it")
    func significandFormat() {
        var rng = SplitMix64(seed: 77)
        var failures: [String] = []
        for _ in 0..<6_000 {
            let value = Self.wideValue(&rng)
            guard let parts = DecimalParts(value) else { continue }
            // Independent oracle: the digits of the significand moved by the exponent,
            // rounded half away from zero by hand with Foundation's rounding.
            var copy = value
            var rounded = Decimal()
            let places = Int.random(in: 0...6, using: &rng)
            NSDecimalRound(&rounded, &copy, places, .plain)
            let direct = ExactDecimal.format(significand: parts.significand, exponent: parts.exponent,
                                             isNegative: parts.isNegative, fractionDigits: places)
            // Foundation's rounding gives an exact decimal with at most `places` digits;
            // it prints identically when padded.
            let viaRound = ExactDecimal.format(rounded, fractionDigits: places)
            if direct != viaRound && !rounded.isNaN {
                failures.append("[\(hex(value))] at \(places): \(direct), NSDecimalRound gives \(viaRound)")
            }
            if failures.count > 10 { break }
        }
        #expect(failures.isEmpty, "\(failures.count): \(failures.prefix(6))")
    }

    /// Bit patterns Foundation's arithmetic never makes (a probe of 189,000
    /// random +, -, *, / and NSDecimalRound results found none) and
    /// CompactState refuses at load: mantissa words set past the length in
    /// use. Foundation's description reads all eight words; DecimalParts
    /// masks to the length.
    @Test("words set past the length in use print as Foundation prints them")
    func wordsPastLength() {
        var rng = SplitMix64(seed: 55)
        var failures: [String] = []
        for _ in 0..<300 {
            let mantissa = UInt128(UInt64.random(in: 1...UInt64.max, using: &rng)) << 64
                | UInt128(UInt64.random(in: 1...UInt64.max, using: &rng))
            let value = makeDecimal(exponent: Int.random(in: -40...10, using: &rng), negative: Bool.random(using: &rng),
                                    mantissa: mantissa, length: Int.random(in: 1...7, using: &rng))
            let expected = ExactDecimal.format(value, fractionDigits: 2)
            let cell = Cell.decimal(value).formatted(for: Column("x", .decimal(places: 2)))
            if cell != expected { failures.append("[\(hex(value))]: cell \(cell), format(Decimal) \(expected)") }
        }
        #expect(failures.isEmpty, "\(failures.count) of 300: \(failures.prefix(3))")
        // Minimal: exponent 0, length 1, words [5, 1]; Foundation reads 65541.
        let small = makeDecimal(exponent: 0, negative: false, mantissa: 1 << 16 | 5, length: 1)
        #expect(Cell.decimal(small).formatted(for: Column("x", .decimal(places: 0)))
                == ExactDecimal.format(small, fractionDigits: 0))
        if let sum = SmallDecimal.exactSum(small, 1, subtracting: false) {
            #expect(rawBytes(sum) == rawBytes(small + 1), "exactSum \(sum), Foundation \(small + 1)")
        }
    }
}
