// Compact JSON output.
//
// The writer produces the one canonical spelling the store uses: no
// whitespace, members in their stored order, numbers as their literal text,
// and only the escapes RFC 8259 requires.

/// Writes JSON values as compact UTF-8.
public enum JSONWriter {
    /// Appends `text` as a quoted JSON string.
    ///
    /// Escapes `"` and `\` with a backslash; the control characters U+0008,
    /// U+0009, U+000A, U+000C and U+000D as `\b`, `\t`, `\n`, `\f` and `\r`;
    /// every other character below U+0020 as `\u00XX` with lower-case hex.
    /// Everything else, including `/`, U+007F and U+2028, is written as
    /// plain UTF-8.
    ///
    /// - Parameters:
    ///   - text: The string to write.
    ///   - buffer: The output, appended to.
    /// - Complexity: O(n) in the UTF-8 length of `text`.
    public static func appendString(_ text: String, to buffer: inout [UInt8]) {
        buffer.append(UInt8(ascii: "\""))
        var text = text
        text.withUTF8 { utf8 in
            var runStart = 0
            for (offset, byte) in utf8.enumerated() where needsEscape(byte) {
                buffer.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[runStart..<offset]))
                appendEscape(for: byte, to: &buffer)
                runStart = offset + 1
            }
            buffer.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[runStart...]))
        }
        buffer.append(UInt8(ascii: "\""))
    }

    @inline(__always)
    private static func needsEscape(_ byte: UInt8) -> Bool {
        byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\")
    }

    private static func appendEscape(for byte: UInt8, to buffer: inout [UInt8]) {
        buffer.append(UInt8(ascii: "\\"))
        switch byte {
        case 0x22: buffer.append(UInt8(ascii: "\""))
        case 0x5C: buffer.append(UInt8(ascii: "\\"))
        case 0x08: buffer.append(UInt8(ascii: "b"))
        case 0x09: buffer.append(UInt8(ascii: "t"))
        case 0x0A: buffer.append(UInt8(ascii: "n"))
        case 0x0C: buffer.append(UInt8(ascii: "f"))
        case 0x0D: buffer.append(UInt8(ascii: "r"))
        default:
            buffer.append(UInt8(ascii: "u"))
            buffer.append(UInt8(ascii: "0"))
            buffer.append(UInt8(ascii: "0"))
            buffer.append(hexDigit(byte >> 4))
            buffer.append(hexDigit(byte & 0x0F))
        }
    }

    private static func hexDigit(_ nibble: UInt8) -> UInt8 {
        nibble < 10 ? UInt8(ascii: "0") + nibble : UInt8(ascii: "a") + nibble - 10
    }

    /// Appends `value` as compact JSON: no whitespace, object members in
    /// stored order, numbers as their literal text.
    ///
    /// - Parameters:
    ///   - value: The value to write.
    ///   - buffer: The output, appended to.
    /// - Complexity: O(n) in the size of `value`.
    public static func appendValue(_ value: JSONValue, to buffer: inout [UInt8]) {
        switch value {
        case .null:
            buffer.append(contentsOf: "null".utf8)
        case .bool(let flag):
            buffer.append(contentsOf: (flag ? "true" : "false").utf8)
        case .number(let number):
            buffer.append(contentsOf: number.literal.utf8)
        case .string(let text):
            appendString(text, to: &buffer)
        case .array(let elements):
            buffer.append(UInt8(ascii: "["))
            for (position, element) in elements.enumerated() {
                if position > 0 { buffer.append(UInt8(ascii: ",")) }
                appendValue(element, to: &buffer)
            }
            buffer.append(UInt8(ascii: "]"))
        case .object(let object):
            appendObject(object, to: &buffer)
        }
    }

    /// Appends `object` as compact JSON, members in stored order.
    ///
    /// - Parameters:
    ///   - object: The object to write.
    ///   - buffer: The output, appended to.
    public static func appendObject(_ object: JSONObject, to buffer: inout [UInt8]) {
        buffer.append(UInt8(ascii: "{"))
        for (position, member) in object.members.enumerated() {
            if position > 0 { buffer.append(UInt8(ascii: ",")) }
            appendString(member.key, to: &buffer)
            buffer.append(UInt8(ascii: ":"))
            appendValue(member.value, to: &buffer)
        }
        buffer.append(UInt8(ascii: "}"))
    }

    /// Returns `value` as compact JSON text.
    public static func string(_ value: JSONValue) -> String {
        var buffer: [UInt8] = []
        appendValue(value, to: &buffer)
        return String(decoding: buffer, as: UTF8.self)
    }

    /// Returns `text` as a quoted, escaped JSON string literal.
    public static func quoted(_ text: String) -> String {
        var buffer: [UInt8] = []
        buffer.reserveCapacity(text.utf8.count + 2)
        appendString(text, to: &buffer)
        return String(decoding: buffer, as: UTF8.self)
    }
}
