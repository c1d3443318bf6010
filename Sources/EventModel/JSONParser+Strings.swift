// String decoding for the JSON parser: UTF-8 validation, escapes and
// surrogate pairs.
//
// Most strings in event payloads are plain ASCII without escapes, so the
// parser first scans for the closing quote and builds the String straight
// from the input bytes; only a backslash sends it to the slower path that
// decodes into a scratch buffer.

extension JSONScanner {
    /// Parses a string at the cursor (which sits on the opening quote).
    mutating func parseString() throws(JSONError) -> String {
        let open = index
        index += 1
        let start = index

        // Fast path: no escapes, so the bytes between the quotes are the text.
        while index < bytes.count {
            let byte = bytes[index]
            if byte == UInt8(ascii: "\"") {
                let text = UnsafeRawBufferPointer(rebasing: bytes[start..<index])
                index += 1
                return String(decoding: text, as: UTF8.self)
            }
            if byte == UInt8(ascii: "\\") {
                return try parseEscapedString(open: open, start: start)
            }
            try skipStringByte(byte)
        }
        throw JSONError(offset: open, reason: "unterminated string")
    }

    /// Continues a string that contains escapes, decoding into `scratch`.
    mutating func parseEscapedString(open: Int, start: Int) throws(JSONError) -> String {
        scratch.removeAll(keepingCapacity: true)
        scratch.append(contentsOf: UnsafeRawBufferPointer(rebasing: bytes[start..<index]))

        while index < bytes.count {
            let byte = bytes[index]
            if byte == UInt8(ascii: "\"") {
                index += 1
                return String(decoding: scratch, as: UTF8.self)
            }
            if byte == UInt8(ascii: "\\") {
                try decodeEscape()
                continue
            }
            let runStart = index
            try skipStringByte(byte)
            scratch.append(contentsOf: UnsafeRawBufferPointer(rebasing: bytes[runStart..<index]))
        }
        throw JSONError(offset: open, reason: "unterminated string")
    }

    /// Steps over one unescaped character, refusing control characters and
    /// invalid UTF-8.
    @inline(__always)
    mutating func skipStringByte(_ byte: UInt8) throws(JSONError) {
        if byte < 0x20 {
            throw JSONError(offset: index, reason: "unescaped control character in string")
        }
        if byte < 0x80 {
            index += 1
            return
        }
        guard let length = UTF8Validation.sequenceLength(in: bytes, at: index) else {
            throw JSONError(offset: index, reason: "invalid UTF-8")
        }
        index += length
    }

    /// Decodes the escape at the cursor (on the backslash) into `scratch`.
    mutating func decodeEscape() throws(JSONError) {
        let escapeStart = index
        guard index + 1 < bytes.count else {
            throw JSONError(offset: escapeStart, reason: "unterminated string")
        }
        let letter = bytes[index + 1]
        index += 2

        switch letter {
        case UInt8(ascii: "\""): scratch.append(0x22)
        case UInt8(ascii: "\\"): scratch.append(0x5C)
        case UInt8(ascii: "/"): scratch.append(0x2F)
        case UInt8(ascii: "b"): scratch.append(0x08)
        case UInt8(ascii: "f"): scratch.append(0x0C)
        case UInt8(ascii: "n"): scratch.append(0x0A)
        case UInt8(ascii: "r"): scratch.append(0x0D)
        case UInt8(ascii: "t"): scratch.append(0x09)
        case UInt8(ascii: "u"):
            let scalar = try decodeUnicodeEscape(escapeStart: escapeStart)
            appendUTF8(scalar)
        default:
            throw JSONError(offset: escapeStart, reason: "invalid escape sequence")
        }
    }

    /// Decodes `\uXXXX` (the cursor is past the `u`), joining a surrogate
    /// pair written as two escapes and refusing a lone surrogate.
    mutating func decodeUnicodeEscape(escapeStart: Int) throws(JSONError) -> UInt32 {
        let first = try readHex4(escapeStart: escapeStart)
        switch first {
        case 0xD800...0xDBFF:
            guard index + 1 < bytes.count,
                bytes[index] == UInt8(ascii: "\\"),
                bytes[index + 1] == UInt8(ascii: "u")
            else {
                throw JSONError(offset: escapeStart, reason: "lone surrogate in \\u escape")
            }
            let secondStart = index
            index += 2
            let second = try readHex4(escapeStart: secondStart)
            guard (0xDC00...0xDFFF).contains(second) else {
                throw JSONError(offset: escapeStart, reason: "lone surrogate in \\u escape")
            }
            return 0x10000 + ((first - 0xD800) << 10) + (second - 0xDC00)
        case 0xDC00...0xDFFF:
            throw JSONError(offset: escapeStart, reason: "lone surrogate in \\u escape")
        default:
            return first
        }
    }

    mutating func readHex4(escapeStart: Int) throws(JSONError) -> UInt32 {
        var value: UInt32 = 0
        for _ in 0..<4 {
            guard index < bytes.count, let digit = hexValue(bytes[index]) else {
                throw JSONError(
                    offset: escapeStart,
                    reason: "invalid \\u escape, expected 4 hex digits")
            }
            value = value << 4 | UInt32(digit)
            index += 1
        }
        return value
    }

    mutating func appendUTF8(_ scalar: UInt32) {
        switch scalar {
        case 0..<0x80:
            scratch.append(UInt8(scalar))
        case 0x80..<0x800:
            scratch.append(UInt8(0xC0 | scalar >> 6))
            scratch.append(UInt8(0x80 | scalar & 0x3F))
        case 0x800..<0x10000:
            scratch.append(UInt8(0xE0 | scalar >> 12))
            scratch.append(UInt8(0x80 | scalar >> 6 & 0x3F))
            scratch.append(UInt8(0x80 | scalar & 0x3F))
        default:
            scratch.append(UInt8(0xF0 | scalar >> 18))
            scratch.append(UInt8(0x80 | scalar >> 12 & 0x3F))
            scratch.append(UInt8(0x80 | scalar >> 6 & 0x3F))
            scratch.append(UInt8(0x80 | scalar & 0x3F))
        }
    }
}

@inline(__always)
func hexValue(_ byte: UInt8) -> UInt8? {
    switch byte {
    case UInt8(ascii: "0")...UInt8(ascii: "9"): return byte - UInt8(ascii: "0")
    case UInt8(ascii: "a")...UInt8(ascii: "f"): return byte - UInt8(ascii: "a") + 10
    case UInt8(ascii: "A")...UInt8(ascii: "F"): return byte - UInt8(ascii: "A") + 10
    default: return nil
    }
}

// MARK: - UTF-8 validation

/// Strict UTF-8 checks (Unicode Table 3-7 "well-formed byte sequences"):
/// no overlong forms, no surrogates, nothing above U+10FFFF.
enum UTF8Validation {
    /// The length of the well-formed sequence starting at `offset`, or `nil`
    /// when the bytes there are not well-formed UTF-8.
    static func sequenceLength(in bytes: UnsafeRawBufferPointer, at offset: Int) -> Int? {
        let lead = bytes[offset]
        let length: Int
        var secondRange: ClosedRange<UInt8> = 0x80...0xBF
        switch lead {
        case 0x00...0x7F: return 1
        case 0xC2...0xDF: length = 2
        case 0xE0: length = 3; secondRange = 0xA0...0xBF
        case 0xE1...0xEC, 0xEE...0xEF: length = 3
        case 0xED: length = 3; secondRange = 0x80...0x9F
        case 0xF0: length = 4; secondRange = 0x90...0xBF
        case 0xF1...0xF3: length = 4
        case 0xF4: length = 4; secondRange = 0x80...0x8F
        default: return nil
        }

        guard offset + length <= bytes.count,
            secondRange.contains(bytes[offset + 1])
        else { return nil }
        for position in (offset + 2)..<(offset + length) where bytes[position] & 0xC0 != 0x80 {
            return nil
        }
        return length
    }
}
