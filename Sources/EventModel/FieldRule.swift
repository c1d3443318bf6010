import Foundation

// The checks one data field of a built-in event must pass.
//
// Messages name the expected shape and the JSON type found, never the text
// found: payloads may hold secrets. The one exception is a number outside
// its range, which is echoed because it is the whole point of the message
// ("must be greater than 0 and at most 24, got 25").

/// A rule for one field of a built-in event's data.
indirect enum FieldRule: Sendable {
    /// A non-empty string naming an entity.
    case identifier
    /// A non-empty string of free text.
    case text
    /// One of a fixed set of strings.
    case oneOf([String])
    /// Three upper-case ASCII letters (ISO 4217 style).
    case currency
    /// `true` or `false`.
    case bool
    /// A `YYYY-MM-DD` string naming a real calendar date.
    case date
    /// A date that is a Monday (the start of an ISO week).
    case monday
    /// An exact decimal, as a JSON number or a decimal string, within a range.
    case decimal(DecimalRange)
    /// The wrapped rule, or `null`; the field must still be present.
    case nullable(FieldRule)

    /// Why `value` breaks the rule, or `nil` when it satisfies it.
    ///
    /// Returns a reason rather than throwing so the caller builds the field
    /// path only for a refusal; validation runs for every imported line.
    func violation(of value: JSONValue) -> String? {
        switch self {
        case .nullable(let rule):
            if case .null = value { return nil }
            return rule.violation(of: value)
        case .identifier, .text:
            guard case .string(let text) = value else {
                return mismatch("a non-empty string", value)
            }
            if text.isEmpty { return "must not be empty" }
        case .oneOf(let allowed):
            guard case .string(let text) = value,
                allowed.contains(where: { scalarsEqual($0, text) })
            else { return "must be one of " + allowed.joined(separator: ", ") }
        case .currency:
            guard case .string(let text) = value, text.utf8.count == 3,
                text.utf8.allSatisfy({ (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains($0) })
            else { return "must be a currency code of 3 upper-case letters" }
        case .bool:
            guard case .bool = value else { return mismatch("true or false", value) }
        case .date:
            if case .failure(let reason) = FieldRule.date(value) { return reason.text }
        case .monday:
            switch FieldRule.date(value) {
            case .failure(let reason): return reason.text
            case .success(let date): return date.isoWeekday == 1 ? nil : "must be a Monday"
            }
        case .decimal(let range):
            switch FieldRule.number(value) {
            case .failure(let reason): return reason.text
            case .success(let number): return number.scaleViolation ?? range.violation(number)
            }
        }
        return nil
    }

    /// Reads a `YYYY-MM-DD` date string.
    static func date(_ value: JSONValue) -> Result<CalendarDate, Reason> {
        guard case .string(let text) = value else {
            return .failure(Reason(mismatch("a date string YYYY-MM-DD", value)))
        }
        do throws(DateError) {
            return .success(try CalendarDate(iso: text))
        } catch {
            return .failure(Reason("must be a valid date: \(error.reason)"))
        }
    }

    /// Reads an exact number from a JSON number or a decimal string.
    static func number(_ value: JSONValue) -> Result<ExactNumber, Reason> {
        do throws(DecimalError) {
            switch value {
            case .number(let number):
                return .success(try ExactNumber(number.literal))
            case .string(let text):
                return .success(try ExactNumber(text))
            default:
                return .failure(Reason(mismatch("a number or a decimal string", value)))
            }
        } catch {
            return .failure(Reason("must be an exact decimal: \(error.reason)"))
        }
    }
}

/// A refusal reason, as an `Error` so it can travel in a `Result`.
struct Reason: Error {
    let text: String

    init(_ text: String) {
        self.text = text
    }
}

/// "must be X, got <JSON type>".
private func mismatch(_ expected: String, _ value: JSONValue) -> String {
    "must be \(expected), got \(value.typeDescription)"
}

extension ExactNumber {
    /// Digits a built-in decimal field may have after the decimal point:
    /// more than any currency's minor units or any real log needs (the BPI
    /// logs' amounts carry up to 18), few enough that a product of two
    /// fields stays far above 10^-128, below which Foundation's `Decimal`
    /// multiplication traps.
    static let maximumFractionDigits = 32
    /// Digits a built-in decimal field may have before the decimal point, so
    /// that sums over millions of events stay exact instead of overflowing.
    static let maximumWholeDigits = 18

    /// Why the value has too many digits after or before the point, if it has.
    var scaleViolation: String? {
        if exponent < -Self.maximumFractionDigits {
            return "must have at most \(Self.maximumFractionDigits) digits after the decimal point"
        }
        // |value| < 10^18 exactly when significand < 10^(18 - exponent).
        if exponent >= Self.maximumWholeDigits
            || significand >= powerOfTen(Self.maximumWholeDigits - exponent) {
            return "must be less than 10^\(Self.maximumWholeDigits) in magnitude"
        }
        return nil
    }
}

/// The values a decimal field may take. Bounds are integers so checks run
/// on the exact significand without building a `Decimal`.
enum DecimalRange: Sendable {
    /// Any value, negative included.
    case unbounded
    /// Zero or more.
    case nonNegative
    /// More than zero and at most the bound.
    case positiveAtMost(Int)
    /// From the lower to the upper bound, both included.
    case between(Int, Int)

    /// Why `value` is outside the range, or `nil` when it is inside.
    func violation(_ value: ExactNumber) -> String? {
        switch self {
        case .unbounded:
            return nil
        case .nonNegative:
            guard value.compare(to: 0) >= 0 else {
                return "must not be negative, got \(value.decimal)"
            }
            return nil
        case .positiveAtMost(let upper):
            guard value.compare(to: 0) > 0, value.compare(to: upper) <= 0 else {
                return "must be greater than 0 and at most \(upper), got \(value.decimal)"
            }
            return nil
        case .between(let lower, let upper):
            guard value.compare(to: lower) >= 0, value.compare(to: upper) <= 0 else {
                return "must be between \(lower) and \(upper), got \(value.decimal)"
            }
            return nil
        }
    }
}
