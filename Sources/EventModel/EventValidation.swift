import Foundation

// Rules for the names that identify events: stream ids, event ids and
// event types.
//
// Stream ids are normalised to Unicode NFC so that two spellings of the same
// visible name ("Café" typed with a precomposed é or with e + combining
// acute) address one stream rather than two. Event ids and types are only
// checked, not rewritten: they are compared byte for byte.

/// A field that broke a validation rule.
public struct ValidationError: Error, CustomStringConvertible, Equatable {
    /// The field as a dotted path: `stream`, `data.hours`, `metadata.actor`.
    public let field: String
    /// What is wrong. Quotes no payload text except, for numeric range
    /// rules, the offending number.
    public let reason: String

    /// Creates an error for `field`.
    public init(field: String, reason: String) {
        self.field = field
        self.reason = reason
    }

    /// `<field>: <reason>`.
    public var description: String { "\(field): \(reason)" }
}

/// Validation and normalisation of stream ids, event ids and event types.
public enum EventNames {
    /// The longest name accepted, in UTF-8 bytes.
    public static let maximumUTF8Length = 200

    /// Normalises a stream id to NFC and checks it.
    ///
    /// - Parameter stream: The stream id as given.
    /// - Returns: The NFC form, which is the stream's identity.
    /// - Throws: `ValidationError` for field `stream` when the NFC form is
    ///   empty, longer than 200 UTF-8 bytes, or contains a control character
    ///   (general category Cc, or U+2028/U+2029).
    /// - Complexity: O(n); ASCII ids skip normalisation.
    public static func normalizeStream(_ stream: String) throws(ValidationError) -> String {
        // ASCII is already in NFC; only other text pays for Foundation.
        let isASCII = stream.utf8.allSatisfy { $0 < 0x80 }
        let normalized = isASCII ? stream : stream.precomposedStringWithCanonicalMapping
        try checkName(normalized, field: "stream")
        return normalized
    }

    /// Whether a stream id is reserved for the store's own streams (`$…`).
    public static func isReservedStream(_ stream: String) -> Bool {
        stream.utf8.first == UInt8(ascii: "$")
    }

    /// Checks an event id.
    ///
    /// - Throws: `ValidationError` for field `id` when the id is empty,
    ///   longer than 200 UTF-8 bytes, or contains a control character.
    public static func validateEventID(_ id: String) throws(ValidationError) {
        try checkName(id, field: "id")
    }

    /// Checks an event type.
    ///
    /// - Throws: `ValidationError` for field `type` when the type is empty,
    ///   longer than 200 UTF-8 bytes, or contains a control character.
    public static func validateType(_ type: String) throws(ValidationError) {
        try checkName(type, field: "type")
    }

    static func checkName(_ name: String, field: String) throws(ValidationError) {
        let length = name.utf8.count
        guard length > 0 else {
            throw ValidationError(field: field, reason: "must not be empty")
        }
        guard length <= maximumUTF8Length else {
            throw ValidationError(
                field: field,
                reason: "must be at most \(maximumUTF8Length) bytes of UTF-8, got \(length)")
        }
        guard !containsControlCharacter(name) else {
            throw ValidationError(field: field, reason: "must not contain control characters")
        }
    }

    /// Whether `text` holds a C0 or C1 control (U+0000–U+001F,
    /// U+007F–U+009F, the whole of category Cc) or a line or paragraph
    /// separator (U+2028, U+2029), any of which would break a log line.
    ///
    /// Scans the UTF-8 bytes: C1 controls are `C2 80`–`C2 9F` and the
    /// separators `E2 80 A8` and `E2 80 A9`.
    static func containsControlCharacter(_ text: String) -> Bool {
        var text = text
        return text.withUTF8 { utf8 in
            for index in utf8.indices {
                switch utf8[index] {
                case 0x00...0x1F, 0x7F:
                    return true
                case 0xC2 where index + 1 < utf8.count:
                    if (0x80...0x9F).contains(utf8[index + 1]) { return true }
                case 0xE2 where index + 2 < utf8.count:
                    let last = utf8[index + 2]
                    if utf8[index + 1] == 0x80, last == 0xA8 || last == 0xA9 { return true }
                default:
                    continue
                }
            }
            return false
        }
    }
}
