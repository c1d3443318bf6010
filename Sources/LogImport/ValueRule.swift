import EventModel

// How one field of an event is built from the source: where its text comes
// from, an optional pattern that keeps part of it, a transform, and what to
// use when the source has nothing.
//
// Values are built from the source text without any detour through Double:
// `decimal` checks the text and keeps it digit for digit, `timestamp` parses
// RFC 3339 exactly and prints UTC.

/// What a value rule turns its text into.
enum ValueTransform: String, Sendable, CaseIterable {
    /// The text as it is.
    case copy
    /// Runs of characters other than ASCII letters and digits become one `-`,
    /// with none at either end; letter case is kept (`budget 86566` gives
    /// `budget-86566`, `UNKNOWN` stays `UNKNOWN`).
    case slug
    /// An exact decimal, kept as written, as a JSON string (`"26.85120450862128"`).
    case decimal
    /// An RFC 3339 date-time with an offset, printed in UTC.
    case timestamp
}

/// The names an event's values can refer to: the attributes of the source
/// event (trace attributes under `case:`) and the variables of the mapping
/// (activity captures, `case_id` and the case id pattern's capture).
struct ValueScope {
    let attributes: [String: String]
    let variables: [String: String]

    /// A variable, else an attribute; an empty attribute counts as missing
    /// (a CSV cell is empty where XES has no attribute).
    func lookup(_ name: String) -> String? {
        if let variable = variables[name] { return variable }
        guard let value = attributes[name], !value.isEmpty else { return nil }
        return value
    }

    func attribute(_ key: String) -> String? {
        guard let value = attributes[key], !value.isEmpty else { return nil }
        return value
    }
}

/// The members of a `data` or `metadata` object, in mapping order.
typealias NamedRules = [(key: String, rule: ValueRule)]

/// One value of a mapping: its source, an optional pattern, a transform and
/// a fallback.
struct ValueRule: Sendable {
    enum Source: Sendable {
        /// A fixed JSON value.
        case constant(JSONValue)
        /// An attribute of the event, by key (`case:` for trace attributes).
        case attribute(String)
        /// A capture of the activity pattern or of the case id pattern.
        case capture(String)
        /// A text with placeholders naming captures or attributes.
        case template(TextPattern)
    }

    let source: Source
    /// Keeps the part of the text its one placeholder covers.
    var pattern: TextPattern?
    var transform: ValueTransform = .copy
    /// Used when the source has no text or the pattern does not match;
    /// without it, either is an error for the event.
    var otherwise: JSONValue?

    /// The value for one event.
    /// - Parameter field: the event field being built, for the error.
    /// - Throws: `FieldFailure` naming `field`.
    func evaluate(in scope: ValueScope, field: String) throws(FieldFailure) -> JSONValue {
        let text: String
        switch readText(in: scope) {
        case .constant(let value):
            return value
        case .missing(let what):
            if let otherwise { return otherwise }
            throw FieldFailure(field: field, reason: "\(what) is missing")
        case .text(let found):
            text = found
        }

        var kept = text
        if let pattern {
            guard let captures = pattern.match(text), let first = pattern.placeholders.first,
                  let capture = captures[first] else {
                if let otherwise { return otherwise }
                throw FieldFailure(field: field,
                                   reason: "the value does not match the pattern \"\(pattern)\"")
            }
            kept = capture
        }
        return try Self.apply(transform, to: kept, field: field)
    }

    private enum Reading {
        case constant(JSONValue)
        case text(String)
        case missing(String)
    }

    private func readText(in scope: ValueScope) -> Reading {
        switch source {
        case .constant(let value):
            return .constant(value)
        case .attribute(let key):
            return scope.attribute(key).map(Reading.text) ?? .missing("attribute \(key)")
        case .capture(let name):
            return scope.variables[name].map(Reading.text) ?? .missing("capture {\(name)}")
        case .template(let template):
            do {
                return .text(try template.render(scope.lookup))
            } catch {
                return .missing("{\(error.name)} of \"\(template)\"")
            }
        }
    }

    // MARK: - Transforms

    /// Applies `transform` to `text`.
    /// - Throws: `FieldFailure` when the text is not what the transform needs.
    static func apply(_ transform: ValueTransform, to text: String,
                      field: String) throws(FieldFailure) -> JSONValue {
        switch transform {
        case .copy:
            return .string(text)
        case .slug:
            let slug = Self.slug(text)
            guard !slug.isEmpty else {
                throw FieldFailure(field: field, reason: "has no letter or digit to slug")
            }
            return .string(slug)
        case .decimal:
            do throws(DecimalError) {
                _ = try ExactDecimal.parse(text)
            } catch {
                throw FieldFailure(field: field, reason: "must be an exact decimal: \(error)")
            }
            return .string(text)
        case .timestamp:
            do throws(TimestampError) {
                return .string(try Timestamp(rfc3339: text).rfc3339)
            } catch {
                throw FieldFailure(field: field,
                                   reason: "must be an RFC 3339 date-time: \(error)")
            }
        }
    }

    /// `budget 86566` → `budget-86566`; letter case is kept.
    static func slug(_ text: String) -> String {
        var output: [UInt8] = []
        var pendingDash = false
        for byte in text.utf8 {
            let isWord = (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte)
                || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte)
                || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
            if isWord {
                if pendingDash && !output.isEmpty { output.append(UInt8(ascii: "-")) }
                pendingDash = false
                output.append(byte)
            } else {
                pendingDash = true
            }
        }
        return String(decoding: output, as: UTF8.self)
    }
}
