import Foundation

// Exact decimal parsing and formatting for money and hours.
//
// Amounts must survive a trip through the store digit for digit, so text is
// never routed through Double: `ExactNumber` reads the digits into an
// integer significand and a power of ten, checks every limit, and only then
// builds the `Decimal`. Formatting rounds on the decimal digits themselves.

/// Why a decimal could not be parsed exactly.
public struct DecimalError: Error, CustomStringConvertible, Equatable {
    /// What is wrong, without quoting the text.
    public let reason: String

    /// Creates an error with a reason.
    public init(reason: String) {
        self.reason = reason
    }

    /// The reason.
    public var description: String { reason }
}

/// Exact conversion between JSON-number text and `Decimal`.
public enum ExactDecimal {
    /// The most significant digits a value may have.
    public static let maximumSignificantDigits = 38

    /// Parses JSON-number syntax exactly.
    ///
    /// Accepts `-? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?`; no
    /// leading `+`, no leading zeros, no surrounding spaces. The exponent is
    /// applied exactly: `1.5e3` is 1500 and `2.50E-2` is 0.025. Significant
    /// digits run from the first non-zero digit to the last non-zero digit.
    ///
    /// - Parameter text: The number's text.
    /// - Returns: The exact value; `description` prints the same digits back
    ///   without trailing fraction zeros (`1.50` prints as `1.5`).
    /// - Throws: `DecimalError` for bad syntax, more than 38 significant
    ///   digits, or a value outside `Decimal`'s range.
    /// - Complexity: O(n) in the length of `text`.
    public static func parse(_ text: some StringProtocol) throws(DecimalError) -> Decimal {
        try ExactNumber(text).decimal
    }

    // MARK: - Formatting

    /// Formats `value` with exactly `fractionDigits` digits after the point.
    ///
    /// Rounds half away from zero (2.345 → `2.35`, -2.345 → `-2.35`), always
    /// uses `.` as the separator whatever the locale, pads with zeros
    /// (2 → `2.00`), and never prints `-` for a value that rounds to zero
    /// (-0.004 → `0.00`). NaN prints as `NaN`.
    ///
    /// - Parameters:
    ///   - value: The value to print.
    ///   - fractionDigits: Digits after the point; 0 prints no point.
    /// - Returns: The formatted text.
    public static func format(_ value: Decimal, fractionDigits: Int) -> String {
        precondition(fractionDigits >= 0, "fractionDigits must not be negative")
        guard !value.isNaN else { return "NaN" }

        // `description` is exact plain notation: -?digits(.digits)?
        var text = Array(value.description.utf8)[...]
        let isNegative = text.first == UInt8(ascii: "-")
        if isNegative { text = text.dropFirst() }
        let point = text.firstIndex(of: UInt8(ascii: ".")) ?? text.endIndex
        return format(integer: Array(text[..<point]),
                      fraction: point < text.endIndex ? Array(text[(point + 1)...]) : [],
                      isNegative: isNegative, fractionDigits: fractionDigits)
    }

    /// Formats `significand × 10^exponent`, negated when `isNegative`, as
    /// `format(_:fractionDigits:)` formats the decimal of that value, without
    /// building the decimal's text (Foundation's `description` costs from
    /// 6,000 instructions for a few digits to 100,000 for 38; a read model
    /// prints hundreds of thousands).
    public static func format(significand: UInt128, exponent: Int, isNegative: Bool,
                              fractionDigits: Int) -> String {
        precondition(fractionDigits >= 0, "fractionDigits must not be negative")
        let zero = UInt8(ascii: "0")
        guard significand != 0 else {
            return format(integer: [zero], fraction: [], isNegative: false,
                          fractionDigits: fractionDigits)
        }
        let digits = Array(String(significand).utf8)
        var integer: [UInt8]
        var fraction: [UInt8] = []
        if exponent >= 0 {
            integer = digits + repeatElement(zero, count: exponent)
        } else if digits.count > -exponent {
            integer = Array(digits[..<(digits.count + exponent)])
            fraction = Array(digits[(digits.count + exponent)...])
        } else {
            integer = [zero]
            fraction = Array(repeatElement(zero, count: -exponent - digits.count)) + digits
        }
        return format(integer: integer, fraction: fraction, isNegative: isNegative,
                      fractionDigits: fractionDigits)
    }

    /// Rounds the digits `integer.fraction` to `fractionDigits` places, half
    /// away from zero, pads them, and prints them with their sign.
    private static func format(integer: [UInt8], fraction: [UInt8], isNegative: Bool,
                               fractionDigits: Int) -> String {
        var integer = integer
        var fraction = fraction

        // Round half away from zero on the magnitude, then pad.
        if fraction.count > fractionDigits {
            let roundUp = fraction[fractionDigits] >= UInt8(ascii: "5")
            fraction.removeSubrange(fractionDigits...)
            if roundUp { incrementDigits(&integer, &fraction) }
        }
        let padding = fractionDigits - fraction.count
        fraction.append(contentsOf: repeatElement(UInt8(ascii: "0"), count: padding))

        let isZero = (integer + fraction).allSatisfy { $0 == UInt8(ascii: "0") }
        var output: [UInt8] = isNegative && !isZero ? [UInt8(ascii: "-")] : []
        output += integer
        if fractionDigits > 0 {
            output.append(UInt8(ascii: "."))
            output += fraction
        }
        return String(decoding: output, as: UTF8.self)
    }

    /// Adds one unit in the last place of `integer.fraction`, carrying left.
    private static func incrementDigits(_ integer: inout [UInt8], _ fraction: inout [UInt8]) {
        for index in fraction.indices.reversed() {
            if fraction[index] == UInt8(ascii: "9") {
                fraction[index] = UInt8(ascii: "0")
            } else {
                fraction[index] += 1
                return
            }
        }
        for index in integer.indices.reversed() {
            if integer[index] == UInt8(ascii: "9") {
                integer[index] = UInt8(ascii: "0")
            } else {
                integer[index] += 1
                return
            }
        }
        integer.insert(UInt8(ascii: "1"), at: 0)
    }
}
