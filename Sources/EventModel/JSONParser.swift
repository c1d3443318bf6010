// A strict RFC 8259 JSON parser working directly on UTF-8 bytes.
//
// Strictness is deliberate: the store keeps what producers send for years,
// so anything another parser might read differently is refused up front.
// That means invalid UTF-8, unescaped control characters, lone surrogates
// in \u escapes, leading zeros, duplicate keys, trailing data and nesting
// deeper than 512 levels. Errors carry the byte offset and a reason that
// names what was expected, never the payload text itself (object keys are
// the one exception: a duplicate key is named).

/// A JSON syntax error.
public struct JSONError: Error, CustomStringConvertible, Equatable {
    /// The byte offset of the problem, from the start of the input.
    public let offset: Int
    /// What is wrong, without quoting payload content.
    public let reason: String

    /// Creates an error at `offset`.
    public init(offset: Int, reason: String) {
        self.offset = offset
        self.reason = reason
    }

    /// `byte 12: <reason>`.
    public var description: String { "byte \(offset): \(reason)" }
}

/// One member of a top-level object, with where its value sits in the input.
public struct JSONMemberSpan: Sendable {
    /// The member's key.
    public let key: String
    /// The parsed value.
    public let value: JSONValue
    /// The byte range of the value's text in the input, without surrounding
    /// whitespace, so the exact bytes can be kept.
    public let valueRange: Range<Int>
}

/// Parses JSON text strictly per RFC 8259.
public enum JSONParser {
    /// The deepest nesting of arrays and objects accepted.
    public static let maximumDepth = 512

    /// Parses one JSON value, surrounded by optional whitespace.
    ///
    /// - Parameter bytes: UTF-8 JSON text.
    /// - Returns: The value.
    /// - Throws: `JSONError` with the byte offset of the first problem.
    /// - Complexity: O(n) in the input length.
    public static func parse(_ bytes: UnsafeRawBufferPointer) throws(JSONError) -> JSONValue {
        var scanner = JSONScanner(bytes)
        scanner.skipWhitespace()
        let value = try scanner.parseValue()
        try scanner.expectEnd()
        return value
    }

    /// Parses one JSON value from a byte array.
    ///
    /// - Throws: `JSONError` with the byte offset of the first problem.
    public static func parse(_ bytes: [UInt8]) throws(JSONError) -> JSONValue {
        let result = bytes.withUnsafeBytes { buffer in
            Result { () throws(JSONError) in try parse(buffer) }
        }
        return try result.get()
    }

    /// Parses one JSON value from a string's UTF-8.
    ///
    /// - Throws: `JSONError` with the byte offset of the first problem.
    public static func parse(_ text: String) throws(JSONError) -> JSONValue {
        try parse(Array(text.utf8))
    }

    /// Parses a JSON object and reports where each member's value lies.
    ///
    /// The store uses the ranges to keep a payload byte for byte as given.
    ///
    /// - Parameter bytes: UTF-8 JSON text whose top-level value is an object.
    /// - Returns: The members in source order.
    /// - Throws: `JSONError` when the text is invalid or is not an object.
    /// - Complexity: O(n) in the input length.
    public static func parseTopLevelObject(
        _ bytes: UnsafeRawBufferPointer
    ) throws(JSONError) -> [JSONMemberSpan] {
        var scanner = JSONScanner(bytes)
        scanner.skipWhitespace()
        guard scanner.peek() == UInt8(ascii: "{") else {
            throw scanner.unexpected(expecting: "a JSON object")
        }
        let (members, ranges) = try scanner.parseObjectMembers(recordingRanges: true)
        try scanner.expectEnd()

        var spans: [JSONMemberSpan] = []
        spans.reserveCapacity(members.count)
        for (member, range) in zip(members, ranges) {
            spans.append(JSONMemberSpan(key: member.key, value: member.value, valueRange: range))
        }
        return spans
    }

    /// Parses a top-level JSON object from a byte array.
    ///
    /// - Throws: `JSONError` when the text is invalid or is not an object.
    public static func parseTopLevelObject(
        _ bytes: [UInt8]
    ) throws(JSONError) -> [JSONMemberSpan] {
        let result = bytes.withUnsafeBytes { buffer in
            Result { () throws(JSONError) in try parseTopLevelObject(buffer) }
        }
        return try result.get()
    }
}

// MARK: - Scanner

/// The parser's cursor over the input bytes.
struct JSONScanner {
    let bytes: UnsafeRawBufferPointer
    var index = 0
    var depth = 0
    /// Reused buffer for strings that contain escapes.
    var scratch: [UInt8] = []

    init(_ bytes: UnsafeRawBufferPointer) {
        self.bytes = bytes
    }

    @inline(__always)
    func peek() -> UInt8? {
        index < bytes.count ? bytes[index] : nil
    }

    @inline(__always)
    mutating func skipWhitespace() {
        while index < bytes.count {
            switch bytes[index] {
            case 0x20, 0x09, 0x0A, 0x0D: index += 1
            default: return
            }
        }
    }

    /// Refuses anything but whitespace after the top-level value.
    mutating func expectEnd() throws(JSONError) {
        skipWhitespace()
        guard index == bytes.count else {
            throw unexpected(expecting: "nothing after the JSON value")
        }
    }

    /// Describes the byte at the cursor as a problem, preferring to call out
    /// invalid UTF-8 and control characters over a generic complaint.
    func unexpected(expecting expected: String) -> JSONError {
        guard index < bytes.count else {
            return JSONError(
                offset: index, reason: "unexpected end of input, expected \(expected)")
        }
        let byte = bytes[index]
        if byte >= 0x80, UTF8Validation.sequenceLength(in: bytes, at: index) == nil {
            return JSONError(offset: index, reason: "invalid UTF-8")
        }
        let found = byte < 0x20 ? "control character" : "character"
        return JSONError(offset: index, reason: "unexpected \(found), expected \(expected)")
    }

    // MARK: Values

    mutating func parseValue() throws(JSONError) -> JSONValue {
        guard let byte = peek() else { throw unexpected(expecting: "a value") }
        switch byte {
        case UInt8(ascii: "{"):
            let (members, _) = try parseObjectMembers(recordingRanges: false)
            return .object(JSONObject(members: members))
        case UInt8(ascii: "["):
            return .array(try parseArray())
        case UInt8(ascii: "\""):
            return .string(try parseString())
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            return .number(try parseNumber())
        case UInt8(ascii: "t"):
            try expectLiteral("true")
            return .bool(true)
        case UInt8(ascii: "f"):
            try expectLiteral("false")
            return .bool(false)
        case UInt8(ascii: "n"):
            try expectLiteral("null")
            return .null
        default:
            throw unexpected(expecting: "a value")
        }
    }

    mutating func expectLiteral(_ word: StaticString) throws(JSONError) {
        let start = index
        let text = UnsafeRawBufferPointer(start: word.utf8Start, count: word.utf8CodeUnitCount)
        for expected in text {
            guard index < bytes.count, bytes[index] == expected else {
                throw JSONError(offset: start, reason: "invalid literal, expected \(word)")
            }
            index += 1
        }
    }

    mutating func enterContainer() throws(JSONError) {
        depth += 1
        guard depth <= JSONParser.maximumDepth else {
            throw JSONError(
                offset: index,
                reason: "nesting deeper than \(JSONParser.maximumDepth) levels")
        }
        index += 1
    }

    mutating func parseArray() throws(JSONError) -> [JSONValue] {
        try enterContainer()
        var elements: [JSONValue] = []
        skipWhitespace()
        if peek() == UInt8(ascii: "]") {
            index += 1
            depth -= 1
            return elements
        }

        while true {
            skipWhitespace()
            elements.append(try parseValue())
            skipWhitespace()
            switch peek() {
            case UInt8(ascii: ","):
                index += 1
            case UInt8(ascii: "]"):
                index += 1
                depth -= 1
                return elements
            default:
                throw unexpected(expecting: "',' or ']' after an array element")
            }
        }
    }

    /// Parses an object at the cursor, optionally noting each value's range.
    mutating func parseObjectMembers(
        recordingRanges: Bool
    ) throws(JSONError) -> ([(key: String, value: JSONValue)], [Range<Int>]) {
        try enterContainer()
        var members: [(key: String, value: JSONValue)] = []
        var ranges: [Range<Int>] = []
        // Event objects are small; one allocation usually suffices.
        members.reserveCapacity(8)
        if recordingRanges { ranges.reserveCapacity(8) }
        skipWhitespace()
        if peek() == UInt8(ascii: "}") {
            index += 1
            depth -= 1
            return (members, ranges)
        }

        // Small objects check duplicates by scanning; large ones by hashing.
        var seen: Set<ExactKey> = []
        while true {
            skipWhitespace()
            guard peek() == UInt8(ascii: "\"") else {
                throw unexpected(expecting: "a string key")
            }
            let keyOffset = index
            let key = try parseString()
            if isDuplicate(key, in: members, seen: &seen) {
                throw JSONError(
                    offset: keyOffset, reason: "duplicate key \(JSONWriter.quoted(key))")
            }

            skipWhitespace()
            guard peek() == UInt8(ascii: ":") else {
                throw unexpected(expecting: "':' after an object key")
            }
            index += 1
            skipWhitespace()
            let valueStart = index
            let value = try parseValue()
            members.append((key: key, value: value))
            if recordingRanges { ranges.append(valueStart..<index) }

            skipWhitespace()
            switch peek() {
            case UInt8(ascii: ","):
                index += 1
            case UInt8(ascii: "}"):
                index += 1
                depth -= 1
                return (members, ranges)
            default:
                throw unexpected(expecting: "',' or '}' after an object member")
            }
        }
    }

    func isDuplicate(
        _ key: String,
        in members: [(key: String, value: JSONValue)],
        seen: inout Set<ExactKey>
    ) -> Bool {
        if members.count < 16 {
            return members.contains { scalarsEqual($0.key, key) }
        }
        if seen.isEmpty {
            seen = Set(members.map { ExactKey(text: $0.key) })
        }
        return !seen.insert(ExactKey(text: key)).inserted
    }

    // MARK: Numbers

    /// Parses a number per the RFC 8259 grammar, keeping its literal text.
    mutating func parseNumber() throws(JSONError) -> JSONNumber {
        let start = index
        if peek() == UInt8(ascii: "-") { index += 1 }

        switch peek() {
        case UInt8(ascii: "0"):
            index += 1
            if let next = peek(), isDigit(next) {
                throw JSONError(offset: index - 1, reason: "leading zeros are not allowed")
            }
        case let byte? where isDigit(byte):
            skipDigits()
        default:
            throw unexpected(expecting: "a digit")
        }

        if peek() == UInt8(ascii: ".") {
            index += 1
            guard let byte = peek(), isDigit(byte) else {
                throw unexpected(expecting: "a digit after the decimal point")
            }
            skipDigits()
        }

        if peek() == UInt8(ascii: "e") || peek() == UInt8(ascii: "E") {
            index += 1
            if peek() == UInt8(ascii: "+") || peek() == UInt8(ascii: "-") { index += 1 }
            guard let byte = peek(), isDigit(byte) else {
                throw unexpected(expecting: "a digit in the exponent")
            }
            skipDigits()
        }

        let text = UnsafeRawBufferPointer(rebasing: bytes[start..<index])
        return JSONNumber(uncheckedLiteral: String(decoding: text, as: UTF8.self))
    }

    @inline(__always)
    mutating func skipDigits() {
        while index < bytes.count, isDigit(bytes[index]) { index += 1 }
    }
}

@inline(__always)
func isDigit(_ byte: UInt8) -> Bool {
    byte &- UInt8(ascii: "0") < 10
}

/// Checks text against the RFC 8259 number grammar:
/// `-? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?`.
enum NumberSyntax {
    static func isValid(_ text: some Collection<UInt8>) -> Bool {
        var bytes = Array(text)[...]
        if bytes.first == UInt8(ascii: "-") { bytes = bytes.dropFirst() }
        guard let first = bytes.first, isDigit(first) else { return false }

        let integer = bytes.prefix(while: isDigit)
        if integer.count > 1, first == UInt8(ascii: "0") { return false }
        bytes = bytes.dropFirst(integer.count)

        if bytes.first == UInt8(ascii: ".") {
            let fraction = bytes.dropFirst().prefix(while: isDigit)
            guard !fraction.isEmpty else { return false }
            bytes = bytes.dropFirst(1 + fraction.count)
        }

        if bytes.first == UInt8(ascii: "e") || bytes.first == UInt8(ascii: "E") {
            bytes = bytes.dropFirst()
            if bytes.first == UInt8(ascii: "+") || bytes.first == UInt8(ascii: "-") {
                bytes = bytes.dropFirst()
            }
            let exponent = bytes.prefix(while: isDigit)
            guard !exponent.isEmpty else { return false }
            bytes = bytes.dropFirst(exponent.count)
        }
        return bytes.isEmpty
    }
}
