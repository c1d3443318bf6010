import Foundation
import Testing
@testable import Projections

@Suite("Exact comparisons of small decimals")
struct SmallDecimalTests {
    private func value(_ text: String) -> Decimal { Decimal(string: text)! }

    private func order(_ lhs: String, _ rhs: String) -> Int? {
        guard let left = SmallDecimal(value(lhs)), let right = SmallDecimal(value(rhs)) else {
            return nil
        }
        return SmallDecimal.order(left, right)
    }

    @Test("values order exactly, whatever their exponents and signs")
    func ordering() {
        #expect(order("7.5", "7.50") == 0)
        #expect(order("0.1", "0.09") == 1)
        #expect(order("39.99", "40") == -1)
        #expect(order("-2", "1") == -1)
        #expect(order("-2", "-3") == 1)
        #expect(order("0", "-0.0001") == 1)
        #expect(order("0", "0.000") == 0)
        // 10^30 against 18446744073709551615 (the largest 64-bit significand):
        // scaling 10^30 down to exponent 0 does not fit in 64 bits.
        #expect(order("1e30", "18446744073709551615") == 1)
        #expect(order("18446744073709551615", "1e30") == -1)
        // The same digits with a 5 in the 19th decimal place added.
        #expect(order("1.8446744073709551615", "1.844674407370955161") == 1)
    }

    @Test("sums are exact, or nil when they leave 64 bits or mix signs")
    func sums() throws {
        let sum = try #require(SmallDecimal.sum(SmallDecimal(value("7.5"))!,
                                                SmallDecimal(value("2.25"))!))
        // 7.5 + 2.25 = 9.75 = 975 × 10^-2.
        #expect(sum.significand == 975 && sum.exponent == -2 && !sum.isNegative)
        #expect(SmallDecimal.sum(SmallDecimal(value("18446744073709551615"))!,
                                 SmallDecimal(value("1"))!) == nil)
        // 10^19 at exponent -1 is 10^20 tenths: past 64 bits.
        #expect(SmallDecimal.sum(SmallDecimal(value("1e19"))!,
                                 SmallDecimal(value("0.1"))!) == nil)
        #expect(SmallDecimal.sum(SmallDecimal(value("-1"))!, SmallDecimal(value("2"))!) == nil)
        let withZero = try #require(SmallDecimal.sum(SmallDecimal(value("0"))!,
                                                     SmallDecimal(value("-4.5"))!))
        #expect(withZero.significand == 45 && withZero.exponent == -1 && withZero.isNegative)
    }

    /// The exponent, sign and significand of an exact sum's result.
    private func fields(_ lhs: String, _ rhs: String, subtracting: Bool = false) -> String? {
        guard let result = SmallDecimal.exactSum(value(lhs), value(rhs), subtracting: subtracting),
              let read = SmallDecimal(result) else { return nil }
        return "\(read.isNegative ? "-" : "")\(read.significand)e\(read.exponent)"
    }

    @Test("exact sums and differences drop trailing zeros, or are left to Foundation")
    func exactSums() {
        // 7.5 + 0.5 = 8.0, written as 8 × 10^0.
        #expect(fields("7.5", "0.5") == "8e0")
        // 8 + 0.25 = 8.25; 8 - 0.25 = 7.75.
        #expect(fields("8", "0.25") == "825e-2")
        #expect(fields("8", "0.25", subtracting: true) == "775e-2")
        // 0.5 - 7.5 = -7; 40 + -8 = 32; 1.10 - 2.20 = -1.1.
        #expect(fields("0.5", "7.5", subtracting: true) == "-7e0")
        #expect(fields("40", "-8") == "32e0")
        #expect(fields("1.10", "2.20", subtracting: true) == "-11e-1")
        // 8 - 8 is Foundation's zero: no words, exponent 0.
        #expect(SmallDecimal.exactSum(value("8"), value("8"), subtracting: true) == 0)
        // 18446744073709551615 + 1 needs 65 bits; 1e70 lies beyond ±64.
        #expect(fields("18446744073709551615", "1") == nil)
        #expect(fields("1e70", "1") == nil)
    }

    @Test("a significand past 64 bits and NaN are left to Foundation")
    func outOfReach() {
        #expect(SmallDecimal(value("18446744073709551616")) == nil)
        #expect(SmallDecimal(Decimal.nan) == nil)
        // The fallbacks still answer, through Foundation.
        #expect(value("18446744073709551616").isExactlyBelow(value("18446744073709551617")))
        #expect(value("18446744073709551615").plus(value("1"),
                                                   isExactlyAbove: value("18446744073709551615")))
    }

    @Test("the comparisons agree with Foundation's on 20,000 random pairs")
    func agreesWithFoundation() {
        var generator = SystemRandomNumberGenerator()
        func random() -> Decimal {
            // Hours and money as they come, and some far larger or smaller.
            let significand = UInt64.random(in: 0...(Bool.random(using: &generator)
                ? 100_000 : .max), using: &generator)
            let exponent = Int.random(in: -12...12, using: &generator)
            let sign: FloatingPointSign = Bool.random(using: &generator) ? .plus : .minus
            return Decimal(sign: sign, exponent: exponent, significand: Decimal(significand))
        }
        var mismatches: [String] = []
        for _ in 0..<20_000 {
            let (a, b, c) = (random(), random(), random())
            if a.isExactlyBelow(b) != (a < b) { mismatches.append("\(a) < \(b)") }
            if a.plus(b, isExactlyAbove: c) != (a + b > c) { mismatches.append("\(a) + \(b) > \(c)") }
        }
        let count = mismatches.count
        #expect(count == 0, "first: \(mismatches.prefix(5))")
    }
}
