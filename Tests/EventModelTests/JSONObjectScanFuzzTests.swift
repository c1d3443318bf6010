import Foundation
import TestSupport
import Testing

@testable import EventModel

/// Exact structural equality (number literals, string scalars, member order),
/// stricter than JSONValue's semantic ==.
private func identical(_ a: JSONValue?, _ b: JSONValue?) -> Bool {
    switch (a, b) {
    case (nil, nil): return true
    case (.null?, .null?): return true
    case let (.bool(x)?, .bool(y)?): return x == y
    case let (.number(x)?, .number(y)?): return x.literal == y.literal
    case let (.string(x)?, .string(y)?): return Array(x.unicodeScalars) == Array(y.unicodeScalars)
    case let (.array(x)?, .array(y)?):
        return x.count == y.count && zip(x, y).allSatisfy { identical($0, $1) }
    case let (.object(x)?, .object(y)?):
        return x.count == y.count && zip(x.members, y.members).allSatisfy {
            Array($0.key.unicodeScalars) == Array($1.key.unicodeScalars) && identical($0.value, $1.value)
        }
    default: return false
    }
}

/// Writes random JSON text directly (not through a writer), so whitespace,
/// escapes and spellings vary as a producer's would.
private struct JSONTextGenerator {
    var rng: SplitMix64
    /// Set when a top-level key was written with an escape.
    var escapedTopKey = false

    init(seed: UInt64) { rng = SplitMix64(seed: seed) }

    mutating func int(_ range: ClosedRange<Int>) -> Int { Int.random(in: range, using: &rng) }
    mutating func chance(_ percent: Int) -> Bool { int(0...99) < percent }

    mutating func ws() -> String {
        guard chance(35) else { return "" }
        let pieces = [" ", "\t", "\n", "\r", "\r\n", "  "]
        return (0..<int(1...3)).map { _ in pieces.randomElement(using: &rng)! }.joined()
    }

    /// Raw (unescaped) scalars that are legal inside a JSON string.
    static let rawPieces: [String] = [
        "a", "b", "z", "A", "0", "9", " ", "{", "}", "[", "]", ":", ",", "'", "/", "#",
        "é", "e\u{301}", "ß", "日本", "🙂", "\u{7F}", "\u{FEFF}", "\u{2028}", "\u{10FFFF}",
        "hours", "timesheet_id", "true", "null", "-1.5e3", "\u{212A}",
    ]
    static let escapes: [String] = [
        "\\\"", "\\\\", "\\/", "\\b", "\\f", "\\n", "\\r", "\\t", "\\u0041", "\\u00e9",
        "\\u005C", "\\u0022", "\\u007B", "\\u007d", "\\u0000", "\\u001F", "\\uD83D\\uDE42",
        "\\uFFFF", "\\u2028",
    ]

    /// A string's body (between quotes); `escapes` allows backslash escapes.
    mutating func stringBody(escapes allowEscapes: Bool, maxPieces: Int = 6) -> String {
        var body = ""
        for _ in 0..<int(0...maxPieces) {
            if allowEscapes && chance(30) {
                body += Self.escapes.randomElement(using: &rng)!
            } else {
                body += Self.rawPieces.randomElement(using: &rng)!
            }
        }
        return body
    }

    mutating func number() -> String {
        var text = chance(30) ? "-" : ""
        if chance(20) {
            text += "0"
        } else {
            text += String(int(1...9))
            for _ in 0..<int(0...22) { text += String(int(0...9)) }
        }
        if chance(40) {
            text += "."
            for _ in 0..<int(1...12) { text += String(int(0...9)) }
        }
        if chance(30) {
            text += chance(50) ? "e" : "E"
            switch int(0...2) {
            case 0: text += "+"
            case 1: text += "-"
            default: break
            }
            for _ in 0..<int(1...3) { text += String(int(0...9)) }
        }
        return text
    }

    mutating func value(depth: Int) -> String {
        let kind = depth > 4 ? int(0...3) : int(0...5)
        switch kind {
        case 0: return ["true", "false", "null"].randomElement(using: &rng)!
        case 1: return number()
        case 2, 3: return "\"" + stringBody(escapes: true) + "\""
        case 4:
            let count = int(0...4)
            if count == 0 { return "[" + ws() + "]" }
            return "[" + (0..<count).map { _ in ws() + value(depth: depth + 1) + ws() }
                .joined(separator: ",") + "]"
        default:
            return object(depth: depth + 1, top: false)
        }
    }

    mutating func object(depth: Int, top: Bool) -> String {
        let count = int(0...(top ? 10 : 4))
        if count == 0 { return "{" + ws() + "}" }
        var keys: [String] = []
        var members: [String] = []
        for _ in 0..<count {
            var key: String
            repeat {
                let escaped = chance(top ? 8 : 30)
                key = stringBody(escapes: escaped, maxPieces: 4)
                if top && key.contains("\\") { escapedTopKey = true }
            } while keys.contains(key)
            keys.append(key)
            members.append(ws() + "\"" + key + "\"" + ws() + ":" + ws() + value(depth: depth) + ws())
        }
        return "{" + members.joined(separator: ",") + "}"
    }

    mutating func document() -> (text: String, escapedKey: Bool) {
        escapedTopKey = false
        let text = ws() + object(depth: 0, top: true) + ws()
        return (text, escapedTopKey)
    }
}

@Suite("JSONObjectScan against the strict parser, on random text")
struct JSONObjectScanFuzzTests {
    /// Checks one text; returns a failure description or nil. `requireScan`:
    /// the text has no escaped top-level key, so the scan should follow it.
    private static func check(_ bytes: [UInt8], requireScan: Bool?,
                              probes: [String]) -> [String] {
        let text = String(decoding: bytes, as: UTF8.self).debugDescription
        guard case .object(let object)? = try? JSONParser.parse(bytes) else { return [] }
        guard let scan = JSONObjectScan(bytes) else {
            // nil is allowed only for escaped keys (the caller falls back).
            let anyEscapedKey = object.keys.isEmpty ? false : bytesHaveEscapedTopKey(bytes)
            if requireScan == true || (requireScan == nil && !anyEscapedKey) {
                return ["scan nil on valid object without escaped keys: \(text)"]
            }
            return []
        }
        var failures: [String] = []
        if scan.count != object.count {
            failures.append("count \(scan.count) vs parser \(object.count): \(text)")
        }
        for key in object.keys + probes {
            let expected = object[key]
            let actual = scan[key]
            if !identical(expected, actual) {
                failures.append("key \(key.debugDescription): expected \(expected.map(JSONWriter.string) ?? "nil"), got \(actual.map(JSONWriter.string) ?? "nil") in \(text)")
            }
        }
        return failures
    }

    /// Whether some top-level key of a valid object contains a backslash
    /// (found with the parser's own member ranges: the key text lies between
    /// the previous delimiter and the value).
    private static func bytesHaveEscapedTopKey(_ bytes: [UInt8]) -> Bool {
        guard let spans = try? JSONParser.parseTopLevelObject(bytes) else { return false }
        var previousEnd = 0
        for span in spans {
            if bytes[previousEnd..<span.valueRange.lowerBound].contains(UInt8(ascii: "\\")) {
                return true
            }
            previousEnd = span.valueRange.upperBound
        }
        return false
    }

    private static func probes(for object: String, _ rng: inout SplitMix64) -> [String] {
        var probes = ["", "hours", "a", "é", "e\u{301}", "K", "\u{212A}", "\"", "\\", "{", "a\0",
                      "\u{FEFF}", "🙂", " a", "a "]
        if case .object(let parsed)? = try? JSONParser.parse(object) {
            for key in parsed.keys {
                probes.append(String(key.dropLast()))
                probes.append(key + "x")
                probes.append(key.precomposedStringWithCanonicalMapping)
                probes.append(key.decomposedStringWithCanonicalMapping)
                probes.append(key.uppercased())
            }
        }
        _ = rng.next()
        return probes
    }

    @Test("random valid objects: every key reads as the parser reads it", arguments: 0..<6)
    func randomObjects(seedBlock: UInt64) throws {
        var failures: [String] = []
        var scanned = 0, valid = 0
        for index in 0..<1_500 {
            let seed = seedBlock * 1_000_003 + UInt64(index)
            var generator = JSONTextGenerator(seed: seed)
            let (text, escapedKey) = generator.document()
            let bytes = Array(text.utf8)
            guard (try? JSONParser.parse(bytes)) != nil else { continue }
            valid += 1
            if JSONObjectScan(bytes) != nil { scanned += 1 }
            let found = Self.check(bytes, requireScan: !escapedKey,
                                   probes: Self.probes(for: text, &generator.rng))
            failures += found.map { "seed \(seed): \($0)" }
            if failures.count > 20 { break }
        }
        #expect(valid > 1_000, "generator made too few valid objects: \(valid)")
        #expect(scanned > valid / 2, "scan followed only \(scanned) of \(valid)")
        #expect(failures.isEmpty, "\(failures.count) failures, first: \(failures.prefix(5))")
    }

    @Test("mutated text the parser still accepts as an object reads the same", arguments: 0..<4)
    func mutatedObjects(seedBlock: UInt64) throws {
        var failures: [String] = []
        var accepted = 0
        let alphabet: [UInt8] = Array(#"{}[]",:\ ""#.utf8) + [0x20, 0x0A, 0x09, 0x0D, 0x30, 0x31,
                                 UInt8(ascii: "e"), UInt8(ascii: "-"), UInt8(ascii: "."),
                                 UInt8(ascii: "u"), UInt8(ascii: "n"), 0xC3, 0xA9, 0xFF, 0x00]
        for index in 0..<2_000 {
            let seed = 7_000_000 + seedBlock * 1_000_003 + UInt64(index)
            var generator = JSONTextGenerator(seed: seed)
            var bytes = Array(generator.document().text.utf8)
            for _ in 0..<generator.int(1...3) where !bytes.isEmpty {
                let at = generator.int(0...(bytes.count - 1))
                switch generator.int(0...2) {
                case 0: bytes.remove(at: at)
                case 1: bytes.insert(alphabet.randomElement(using: &generator.rng)!, at: at)
                default: bytes[at] = alphabet.randomElement(using: &generator.rng)!
                }
            }
            guard case .object? = try? JSONParser.parse(bytes) else { continue }
            accepted += 1
            let text = String(decoding: bytes, as: UTF8.self)
            failures += Self.check(bytes, requireScan: nil,
                                   probes: Self.probes(for: text, &generator.rng))
                .map { "seed \(seed): \($0)" }
            if failures.count > 20 { break }
        }
        #expect(accepted > 100, "too few mutants accepted: \(accepted)")
        #expect(failures.isEmpty, "\(failures.count) failures, first: \(failures.prefix(5))")
    }

    @Test("hand-picked edges: deep nesting, backslashes before quotes, odd spacing")
    func edges() throws {
        let deep = String(repeating: "[", count: 511) + String(repeating: "]", count: 511)
        let deepObject = String(repeating: "{\"k\":", count: 510) + "1" + String(repeating: "}", count: 510)
        let texts: [String] = [
            "{}", " {\r\n} ", #"{"":1}"#, #"{"": "" , "a":""}"#,
            #"{"a":"\\"}"#, #"{"a":"\\\\","b":"\"}"}"#, #"{"a":"\\\"","b":2}"#,
            #"{"a":[],"b":{},"c":[{}],"d":[[[]]]}"#,
            "{\"a\":" + deep + ",\"b\":true}",
            "{\"a\":" + deepObject + "}",
            #"{"a":-0,"b":0.0e-0,"c":1E+400,"d":-12345678901234567890123456789012345678901234567890}"#,
            #"{"a":"}","b":"]","c":"{","d":"[","e":"\u007D"}"#,
            #"{"x":{"y":"\"}\"","z":["]","}"]},"w":1}"#,
            "{\"k\u{FEFF}\":1,\"k\":2}", #"{"e\u0301":1,"é":2}"#,
            "{\"é\":1,\"e\u{301}\":2}", "{\"\u{212A}\":1,\"K\":2}",
            #"{"a":1,"a\u0000":2}"#, "\t{\t\"a\"\t:\t1\t,\t\"b\"\t:\tnull\t}\t",
        ]
        var failures: [String] = []
        for text in texts {
            let bytes = Array(text.utf8)
            #expect((try? JSONParser.parse(bytes)) != nil, "edge not valid: \(text.prefix(40))")
            var rng = SplitMix64(seed: 1)
            failures += Self.check(bytes, requireScan: nil, probes: Self.probes(for: text, &rng))
        }
        #expect(failures.isEmpty, "\(failures.prefix(5))")
    }
}
