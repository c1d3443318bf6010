// Reading a few members of a stored event's data without building it.
//
// A fold reads a handful of its event's data members: utilization reads
// four of a timesheet's. Building the whole object (a string for every key
// and value, an array of members) was half of what a replay spent folding.
// A scan finds where each top-level member's key and value lie and builds
// nothing; a value is parsed, by the strict parser, when it is asked for.
//
// The data of a stored event was parsed strictly when it was appended, so
// the scan does not check what it passes over. It gives up (nil) on
// anything it does not expect, and on keys written with escapes; the caller
// then parses the whole object, which reports any error exactly.

/// The top-level members of a JSON object, located by one pass that builds
/// no values. Values are parsed strictly when read.
public struct JSONObjectScan: Sendable {
    private struct Member {
        /// The key's UTF-8 (without its quotes) and the value's text.
        var key: Range<Int>
        var value: Range<Int>
    }

    private let bytes: [UInt8]
    private let members: [Member]

    /// Scans `bytes`; nil when they are not a JSON object the scan can
    /// follow (the strict parser then says why, or parses it).
    public init?(_ bytes: [UInt8]) {
        guard let members = bytes.withUnsafeBufferPointer(Self.scan) else { return nil }
        self.bytes = bytes
        self.members = members
    }

    /// The number of top-level members.
    public var count: Int { members.count }

    /// The member's value, parsed strictly; nil when there is no member
    /// `key` or its text is not a JSON value. Keys compare by their exact
    /// scalars, as `JSONObject`'s do.
    /// - Complexity: O(members) to find it, plus the parse of the value.
    public subscript(key: String) -> JSONValue? {
        var key = key
        let found = key.withUTF8 { key in
            bytes.withUnsafeBufferPointer { buffer in
                members.first { member in
                    member.key.count == key.count
                        && UnsafeBufferPointer(rebasing: buffer[member.key]).elementsEqual(key)
                }
            }
        }
        guard let found else { return nil }
        return bytes.withUnsafeBytes { raw -> JSONValue? in
            var scanner = JSONScanner(UnsafeRawBufferPointer(rebasing: raw[found.value]))
            guard let value = try? scanner.parseValue(), scanner.index == found.value.count else {
                return nil
            }
            return value
        }
    }

    // MARK: - The scan

    private static func scan(_ bytes: UnsafeBufferPointer<UInt8>) -> [Member]? {
        var index = skippingWhitespace(bytes, from: 0)
        guard index < bytes.count, bytes[index] == UInt8(ascii: "{") else { return nil }
        index = skippingWhitespace(bytes, from: index + 1)
        var members: [Member] = []
        members.reserveCapacity(8)
        if index < bytes.count, bytes[index] == UInt8(ascii: "}") {
            index += 1
        } else {
            while true {
                guard index < bytes.count, bytes[index] == UInt8(ascii: "\""),
                      let keyEnd = plainKeyEnd(bytes, from: index + 1) else { return nil }
                let key = index + 1..<keyEnd
                index = skippingWhitespace(bytes, from: keyEnd + 1)
                guard index < bytes.count, bytes[index] == UInt8(ascii: ":") else { return nil }
                let valueStart = skippingWhitespace(bytes, from: index + 1)
                guard let valueEnd = valueEnd(bytes, from: valueStart) else { return nil }
                members.append(Member(key: key, value: valueStart..<valueEnd))
                index = skippingWhitespace(bytes, from: valueEnd)
                guard index < bytes.count else { return nil }
                if bytes[index] == UInt8(ascii: "}") {
                    index += 1
                    break
                }
                guard bytes[index] == UInt8(ascii: ",") else { return nil }
                index = skippingWhitespace(bytes, from: index + 1)
            }
        }
        return skippingWhitespace(bytes, from: index) == bytes.count ? members : nil
    }

    private static func skippingWhitespace(_ bytes: UnsafeBufferPointer<UInt8>, from start: Int) -> Int {
        var index = start
        while index < bytes.count {
            switch bytes[index] {
            case 0x20, 0x09, 0x0A, 0x0D: index += 1
            default: return index
            }
        }
        return index
    }

    /// Where a key that starts at `start` (after its quote) ends, at its
    /// closing quote; nil for a key with an escape or a control character.
    private static func plainKeyEnd(_ bytes: UnsafeBufferPointer<UInt8>, from start: Int) -> Int? {
        var index = start
        while index < bytes.count {
            switch bytes[index] {
            case UInt8(ascii: "\""): return index
            case UInt8(ascii: "\\"), 0x00..<0x20: return nil
            default: index += 1
            }
        }
        return nil
    }

    /// Where the value that starts at `start` ends: past a string's closing
    /// quote, a container's closing bracket, or a number's or literal's last
    /// byte. Nil when the text ends first.
    private static func valueEnd(_ bytes: UnsafeBufferPointer<UInt8>, from start: Int) -> Int? {
        guard start < bytes.count else { return nil }
        switch bytes[start] {
        case UInt8(ascii: "\""):
            return stringEnd(bytes, from: start + 1)
        case UInt8(ascii: "{"), UInt8(ascii: "["):
            var depth = 0
            var index = start
            while index < bytes.count {
                switch bytes[index] {
                case UInt8(ascii: "\""):
                    guard let end = stringEnd(bytes, from: index + 1) else { return nil }
                    index = end
                    continue
                case UInt8(ascii: "{"), UInt8(ascii: "["):
                    depth += 1
                case UInt8(ascii: "}"), UInt8(ascii: "]"):
                    depth -= 1
                    if depth == 0 { return index + 1 }
                default:
                    break
                }
                index += 1
            }
            return nil
        default:
            var index = start
            scalar: while index < bytes.count {
                switch bytes[index] {
                case UInt8(ascii: ","), UInt8(ascii: "}"), UInt8(ascii: "]"),
                     0x20, 0x09, 0x0A, 0x0D:
                    break scalar
                default:
                    index += 1
                }
            }
            return index > start ? index : nil
        }
    }

    /// Past the closing quote of a string whose text starts at `start`.
    private static func stringEnd(_ bytes: UnsafeBufferPointer<UInt8>, from start: Int) -> Int? {
        var index = start
        while index < bytes.count {
            switch bytes[index] {
            case UInt8(ascii: "\""): return index + 1
            case UInt8(ascii: "\\"): index += 2
            default: index += 1
            }
        }
        return nil
    }
}
