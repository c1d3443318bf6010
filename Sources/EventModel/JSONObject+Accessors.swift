import Foundation

// Typed reads for projections.
//
// Each accessor answers `nil` both when the member is missing and when it
// has another shape, so a fold can write `data.decimal("hours") ?? 0`.
// Built-in events have been validated at append time, so for them `nil`
// means the field was legitimately `null`.

extension JSONObject {
    /// The member's string value, or `nil` if missing or not a string.
    public func string(_ key: String) -> String? {
        self[key]?.stringValue
    }

    /// The member's exact decimal value, from a JSON number or a decimal
    /// string; `nil` if missing, of another type, or not exact (more than
    /// 38 significant digits or out of range).
    public func decimal(_ key: String) -> Decimal? {
        self[key]?.decimalValue
    }

    /// The member's boolean value, or `nil` if missing or not a boolean.
    public func bool(_ key: String) -> Bool? {
        self[key]?.boolValue
    }

    /// The member as a `YYYY-MM-DD` date, or `nil` if missing, not a
    /// string, or not a valid date.
    public func date(_ key: String) -> CalendarDate? {
        self[key]?.dateValue
    }

    /// The member as an RFC 3339 timestamp, or `nil` if missing, not a
    /// string, or not a valid timestamp.
    public func timestamp(_ key: String) -> Timestamp? {
        guard let text = string(key) else { return nil }
        return try? Timestamp(rfc3339: text)
    }

    /// The member's number, or `nil` if missing or not a number.
    public func number(_ key: String) -> JSONNumber? {
        guard case .number(let number)? = self[key] else { return nil }
        return number
    }

    /// The member's object value, or `nil` if missing or not an object.
    public func object(_ key: String) -> JSONObject? {
        guard case .object(let object)? = self[key] else { return nil }
        return object
    }

    /// The member's array value, or `nil` if missing or not an array.
    public func array(_ key: String) -> [JSONValue]? {
        guard case .array(let elements)? = self[key] else { return nil }
        return elements
    }

    /// Whether the member is present with the value `null`.
    public func isNull(_ key: String) -> Bool {
        self[key] == .null
    }
}

// The same reads of one value, for readers that find members otherwise
// (`JSONObjectScan`).
extension JSONValue {
    /// The string, or `nil` for another type.
    public var stringValue: String? {
        guard case .string(let text) = self else { return nil }
        return text
    }

    /// The exact decimal of a number or a decimal string; `nil` for
    /// another type or a value that is not exact.
    public var decimalValue: Decimal? {
        switch self {
        case .number(let number): try? number.decimal()
        case .string(let text): try? ExactDecimal.parse(text)
        default: nil
        }
    }

    /// The boolean, or `nil` for another type.
    public var boolValue: Bool? {
        guard case .bool(let flag) = self else { return nil }
        return flag
    }

    /// A `YYYY-MM-DD` string as a date; `nil` for another type or text.
    public var dateValue: CalendarDate? {
        guard let text = stringValue else { return nil }
        return try? CalendarDate(iso: text)
    }
}
