import Foundation

// The JSON document model used by the wire format.
//
// Values keep what exact processing needs: numbers keep their literal text
// (never a Double), objects keep their members in source order, and strings
// compare by Unicode scalars rather than by Swift's canonical equivalence.

/// A parsed JSON value.
///
/// `==` is semantic equality, the same as ``isSemanticallyEqual(to:)``:
/// object members compare regardless of order, numbers by exact decimal
/// value, and strings by exact Unicode scalars.
public enum JSONValue: Sendable, Equatable {
    /// The literal `null`.
    case null
    /// The literal `true` or `false`.
    case bool(Bool)
    /// A number, kept exactly as written.
    case number(JSONNumber)
    /// A string, with escapes decoded.
    case string(String)
    /// An array, in source order.
    case array([JSONValue])
    /// An object, with members in source order.
    case object(JSONObject)

    /// Whether two values mean the same JSON document.
    ///
    /// Objects compare regardless of member order; numbers compare by exact
    /// decimal value (`1.50`, `1.5` and `15e-1` are equal, with no limit on
    /// the number of digits); strings and keys compare by exact Unicode
    /// scalars, so `"Caf\u{E9}"` and `"Cafe\u{301}"` differ.
    ///
    /// - Complexity: O(n) in the size of the values, plus O(k log k) for an
    ///   object with more than 16 members.
    public func isSemanticallyEqual(to other: JSONValue) -> Bool {
        switch (self, other) {
        case (.null, .null):
            return true
        case let (.bool(a), .bool(b)):
            return a == b
        case let (.number(a), .number(b)):
            return a.isNumericallyEqual(to: b)
        case let (.string(a), .string(b)):
            return scalarsEqual(a, b)
        case let (.array(a), .array(b)):
            guard a.count == b.count else { return false }
            for index in a.indices where !a[index].isSemanticallyEqual(to: b[index]) {
                return false
            }
            return true
        case let (.object(a), .object(b)):
            return a.isSemanticallyEqual(to: b)
        default:
            return false
        }
    }

    /// Semantic equality; see ``isSemanticallyEqual(to:)``.
    public static func == (lhs: JSONValue, rhs: JSONValue) -> Bool {
        lhs.isSemanticallyEqual(to: rhs)
    }

    /// The JSON type with an article, for error messages ("a string").
    ///
    /// Names only the type, never the content, so messages stay free of
    /// payload data.
    var typeDescription: String {
        switch self {
        case .null: return "null"
        case .bool: return "a boolean"
        case .number: return "a number"
        case .string: return "a string"
        case .array: return "an array"
        case .object: return "an object"
        }
    }
}

// MARK: - Numbers

/// A JSON number kept exactly as written, e.g. `26.85120450862128` or `1.5e3`.
///
/// `==` and hashing compare the literal text, so `1.50` and `1.5` are
/// different `JSONNumber`s; use ``isNumericallyEqual(to:)`` or
/// ``decimal()`` to compare values.
public struct JSONNumber: Sendable, Hashable, CustomStringConvertible {
    /// The number's text, which always matches the RFC 8259 number grammar.
    public let literal: String

    /// Wraps a literal the parser has already checked.
    init(uncheckedLiteral literal: String) {
        self.literal = literal
    }

    /// Creates a number from its text.
    ///
    /// - Parameter literal: Text in RFC 8259 number syntax, such as `-0.5e3`.
    /// - Returns: `nil` when `literal` is not a valid JSON number.
    public init?(literal: String) {
        guard NumberSyntax.isValid(literal.utf8) else { return nil }
        self.literal = literal
    }

    /// Creates a number from an integer.
    public init(_ value: Int64) {
        self.literal = String(value)
    }

    /// Creates a number from a decimal, written in plain notation
    /// (`Decimal`'s `description`, e.g. `1500` or `0.025`).
    public init(decimal value: Decimal) {
        self.literal = value.description
    }

    /// The exact decimal value.
    ///
    /// - Throws: `DecimalError` when the number has more than 38 significant
    ///   digits or lies outside `Decimal`'s exponent range.
    public func decimal() throws(DecimalError) -> Decimal {
        try ExactDecimal.parse(literal)
    }

    /// Whether two numbers have the same exact value, however written.
    ///
    /// Works for any number of digits; `0`, `-0` and `0.0e9` are all equal.
    public func isNumericallyEqual(to other: JSONNumber) -> Bool {
        CanonicalNumber(literal) == CanonicalNumber(other.literal)
    }

    /// The literal text.
    public var description: String { literal }
}

/// A number reduced to sign, significant digits and the power of ten of
/// the last digit, so equal values written differently compare equal.
struct CanonicalNumber: Equatable {
    var isNegative = false
    var digits: [UInt8] = []
    var exponent = 0

    init(_ literal: String) {
        var fractionDigits = 0
        var trailingZeros = 0
        var inFraction = false
        var iterator = literal.utf8.makeIterator()
        var exponentSign = 1
        var exponentValue = 0
        var inExponent = false

        while let byte = iterator.next() {
            switch byte {
            case UInt8(ascii: "-") where !inExponent:
                isNegative = true
            case UInt8(ascii: "-"):
                exponentSign = -1
            case UInt8(ascii: "."):
                inFraction = true
            case UInt8(ascii: "e"), UInt8(ascii: "E"):
                inExponent = true
            case UInt8(ascii: "0")...UInt8(ascii: "9") where inExponent:
                // Saturate: such exponents are absurd, but must not trap.
                exponentValue = min(exponentValue * 10 + Int(byte - 48), 1_000_000_000)
            case UInt8(ascii: "0")...UInt8(ascii: "9"):
                if inFraction { fractionDigits += 1 }
                if byte == UInt8(ascii: "0") {
                    if !digits.isEmpty { trailingZeros += 1 }
                } else {
                    digits.append(contentsOf: repeatElement(0, count: trailingZeros))
                    trailingZeros = 0
                    digits.append(byte - 48)
                }
            default:
                continue
            }
        }

        if digits.isEmpty {
            isNegative = false
            exponent = 0
        } else {
            exponent = trailingZeros - fractionDigits + exponentSign * exponentValue
        }
    }
}

/// Compares strings by exact Unicode scalars (UTF-8 bytes), unlike `==`
/// on `String`, which treats canonically equivalent spellings as equal.
///
/// Hot: every member lookup runs it, so it compares the stored bytes with
/// `memcmp` (`withUTF8` copies only strings that are not native UTF-8).
@inline(__always)
func scalarsEqual(_ a: String, _ b: String) -> Bool {
    guard a.utf8.count == b.utf8.count else { return false }
    var a = a
    var b = b
    return a.withUTF8 { left in
        b.withUTF8 { right in
            left.isEmpty || memcmp(left.baseAddress!, right.baseAddress!, left.count) == 0
        }
    }
}

// MARK: - Literals

extension JSONValue: ExpressibleByNilLiteral, ExpressibleByBooleanLiteral,
    ExpressibleByIntegerLiteral, ExpressibleByStringLiteral,
    ExpressibleByArrayLiteral, ExpressibleByDictionaryLiteral
{
    /// Creates `null`.
    public init(nilLiteral: ()) {
        self = .null
    }

    /// Creates a boolean.
    public init(booleanLiteral value: Bool) {
        self = .bool(value)
    }

    /// Creates an integer number.
    public init(integerLiteral value: Int64) {
        self = .number(JSONNumber(value))
    }

    /// Creates a string.
    public init(stringLiteral value: String) {
        self = .string(value)
    }

    /// Creates an array.
    public init(arrayLiteral elements: JSONValue...) {
        self = .array(elements)
    }

    /// Creates an object with members in the order written.
    public init(dictionaryLiteral elements: (String, JSONValue)...) {
        self = .object(JSONObject(members: elements.map { (key: $0.0, value: $0.1) }))
    }
}
