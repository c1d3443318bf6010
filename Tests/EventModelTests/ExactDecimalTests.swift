import Foundation
import Testing

@testable import EventModel

/// `sign significand × 10^exponent`, built without any text.
private func decimal(_ sign: FloatingPointSign, _ significand: Int, _ exponent: Int) -> Decimal {
    Decimal(sign: sign, exponent: exponent, significand: Decimal(significand))
}

@Suite("Decimal parsing is exact")
struct ExactDecimalParsingTests {
    @Test("0.1 + 0.2 is exactly 0.3")
    func noBinaryRounding() throws {
        let sum = try ExactDecimal.parse("0.1") + ExactDecimal.parse("0.2")
        #expect(sum == (try ExactDecimal.parse("0.3")))
    }

    @Test("a real-world amount round-trips digit for digit")
    func realAmount() throws {
        #expect("\(try ExactDecimal.parse("26.85120450862128"))" == "26.85120450862128")
    }

    @Test("text prints back as the same value in plain notation", arguments: [
        ("1.5e3", "1500"),
        ("2.50E-2", "0.025"),
        ("1.50", "1.5"),
        ("-2.345", "-2.345"),
        ("0", "0"),
        ("-0", "0"),
        ("0.000", "0"),
        ("0e999999", "0"),
        ("100", "100"),
        ("1E+2", "100"),
        ("12345678901234567890123456789012345678", "12345678901234567890123456789012345678"),
        ("-99999999999999999999999999999999999999", "-99999999999999999999999999999999999999"),
        // 40 digits but only 38 significant: trailing zeros are free.
        ("1234567890123456789012345678901234567800", "1234567890123456789012345678901234567800"),
        (
            "0.00000000000000000000000000000000000000000001",
            "0.00000000000000000000000000000000000000000001"
        ),
    ])
    func printsBack(text: String, printed: String) throws {
        #expect("\(try ExactDecimal.parse(text))" == printed)
    }

    @Test("exponents are applied exactly")
    func exponents() throws {
        #expect(try ExactDecimal.parse("1.5e3") == Decimal(1500))
        #expect(try ExactDecimal.parse("2.50E-2") == decimal(.plus, 25, -3))
        #expect(try ExactDecimal.parse("-2.345") == decimal(.minus, 2345, -3))
    }

    @Test("the exponent range is used in full")
    func exponentRange() throws {
        #expect(try ExactDecimal.parse("1e127") == decimal(.plus, 1, 127))
        #expect(try ExactDecimal.parse("1e-128") == decimal(.plus, 1, -128))
        #expect(try ExactDecimal.parse("-1.5e127") == decimal(.minus, 15, 126))
        #expect(try ExactDecimal.parse("10e126") == decimal(.plus, 1, 127))
    }

    @Test("more than 38 significant digits is refused", arguments: [
        "123456789012345678901234567890123456789",
        "1000000000000000000000000000000000000001",
        "1.23456789012345678901234567890123456789",
        "0.000123456789012345678901234567890123456789",
    ])
    func tooManyDigits(text: String) {
        #expect(throws: DecimalError(reason: "more than 38 significant digits")) {
            try ExactDecimal.parse(text)
        }
    }

    @Test("values outside Decimal's range are refused")
    func outOfRange() {
        #expect(throws: DecimalError(reason: "value too small for a decimal")) {
            try ExactDecimal.parse("1e-129")
        }
        #expect(throws: DecimalError(reason: "value too large for a decimal")) {
            try ExactDecimal.parse("1e128")
        }
        #expect(throws: DecimalError(reason: "value too small for a decimal")) {
            try ExactDecimal.parse("0.1e-128")
        }
        #expect(throws: DecimalError(reason: "value too large for a decimal")) {
            try ExactDecimal.parse("5e99999999999999999999")
        }
    }

    @Test("anything but JSON-number syntax is refused", arguments: [
        "", "+1", "01", "-01", "1.", ".5", "1e", "1e+", " 1", "1 ", "0x10", "1,5", "NaN", "--1",
        "1.2.3", "e5",
    ])
    func badSyntax(text: String) {
        #expect(throws: DecimalError(reason: "not a decimal number")) {
            try ExactDecimal.parse(text)
        }
    }

    @Test("a substring parses like a string")
    func substring() throws {
        let text = "amount=12.30;"
        let start = text.index(text.startIndex, offsetBy: 7)
        let end = text.index(text.endIndex, offsetBy: -1)
        #expect(try ExactDecimal.parse(text[start..<end]) == ExactDecimal.parse("12.3"))
    }

    @Test("JSONNumber.decimal gives the exact value")
    func numberDecimal() throws {
        let number = try #require(JSONNumber(literal: "7.50"))
        #expect(try number.decimal() == Decimal(sign: .plus, exponent: -1, significand: 75))
    }
}

@Suite("Decimal formatting rounds half away from zero")
struct DecimalFormattingTests {
    @Test("values print with a fixed number of fraction digits", arguments: [
        ("2.345", 2, "2.35"),
        ("-2.345", 2, "-2.35"),
        ("-0.004", 2, "0.00"),
        ("2", 2, "2.00"),
        ("0.005", 2, "0.01"),
        ("-0.005", 2, "-0.01"),
        ("0.125", 2, "0.13"),
        ("0.135", 2, "0.14"),
        ("2.344999", 2, "2.34"),
        ("9.995", 2, "10.00"),
        ("-9.995", 2, "-10.00"),
        ("999.5", 0, "1000"),
        ("1.2", 0, "1"),
        ("-0.4", 0, "0"),
        ("26.85120450862128", 4, "26.8512"),
        ("1234567.891", 2, "1234567.89"),
        ("0", 3, "0.000"),
        ("1.5", 5, "1.50000"),
        ("0.0001", 2, "0.00"),
    ])
    func formats(text: String, digits: Int, expected: String) throws {
        let value = try ExactDecimal.parse(text)
        #expect(ExactDecimal.format(value, fractionDigits: digits) == expected)
        // The same value as significand and exponent: "-2.345" is -2345 × 10^-3.
        let isNegative = text.hasPrefix("-")
        let unsigned = text.drop { $0 == "-" }
        let places = unsigned.split(separator: ".").dropFirst().first?.count ?? 0
        let significand = try #require(UInt128(unsigned.filter { $0 != "." }))
        #expect(ExactDecimal.format(significand: significand, exponent: -places,
                                    isNegative: isNegative, fractionDigits: digits) == expected)
    }

    @Test("a significand with a positive exponent, and zeros, print like their decimals")
    func significandForms() {
        // 5 × 10^2 = 500; 123 × 10^1 = 1230; 7 × 10^-4 = 0.0007.
        #expect(ExactDecimal.format(significand: 5, exponent: 2, isNegative: false,
                                    fractionDigits: 1) == "500.0")
        #expect(ExactDecimal.format(significand: 123, exponent: 1, isNegative: true,
                                    fractionDigits: 0) == "-1230")
        #expect(ExactDecimal.format(significand: 7, exponent: -4, isNegative: false,
                                    fractionDigits: 3) == "0.001")
        #expect(ExactDecimal.format(significand: 0, exponent: -3, isNegative: true,
                                    fractionDigits: 2) == "0.00")
        #expect(ExactDecimal.format(significand: 18_446_744_073_709_551_615, exponent: -20,
                                    isNegative: false, fractionDigits: 2) == "0.18")
        // 38 digits: 2/3 as a quotient gives them.
        #expect(ExactDecimal.format(significand: 66_666_666_666_666_666_666_666_666_666_666_666_667,
                                    exponent: -38, isNegative: false, fractionDigits: 1) == "0.7")
    }

    @Test("NaN prints as NaN")
    func notANumber() {
        #expect(ExactDecimal.format(Decimal.nan, fractionDigits: 2) == "NaN")
    }
}

@Suite("Range checks compare exact values with integer bounds")
struct ExactNumberComparisonTests {
    @Test("values compare with bounds without rounding", arguments: [
        ("24", 24, 0), ("24.0000001", 24, 1), ("23.9999999", 24, -1), ("2.4e1", 24, 0),
        ("240e-1", 24, 0), ("0", 0, 0), ("-0", 0, 0), ("1e-128", 0, 1), ("-1e-100", 0, -1),
        ("1e127", 168, 1), ("0.5", 1, -1), ("-5", -4, -1), ("-3.5", -4, 1),
        ("99999999999999999999999999999999999999", Int.max, 1),
    ])
    func compare(text: String, bound: Int, order: Int) throws {
        #expect(try ExactNumber(text).compare(to: bound) == order)
    }
}
