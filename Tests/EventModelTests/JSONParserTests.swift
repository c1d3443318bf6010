import Testing

@testable import EventModel

@Suite("JSON parsing keeps every value exactly")
struct JSONParsingTests {
    @Test("compact JSON survives a parse and write unchanged")
    func compactRoundTrip() throws {
        let text = #"{"b":[1,-0.50,2.5e-3,1E+2,true,false,null],"#
            + #""a":{"c":"x\ny\"z\\","d":{}},"e":[]}"#
        #expect(try rewritten(text) == text)
    }

    @Test("whitespace between tokens is dropped when written back")
    func whitespaceDropped() throws {
        let text = " \t\r\n{ \"a\" : [ 1 , 2 ] ,\n \"b\" : { } }\n "
        #expect(try rewritten(text) == #"{"a":[1,2],"b":{}}"#)
    }

    @Test("numbers keep their literal text, trailing zeros included")
    func numberLiterals() throws {
        let value = try JSONParser.parse("[26.85120450862128, 1.50, -0, 15e-1]")
        guard case .array(let elements) = value else {
            Issue.record("not an array")
            return
        }
        let literals = elements.compactMap { element -> String? in
            guard case .number(let number) = element else { return nil }
            return number.literal
        }
        #expect(literals == ["26.85120450862128", "1.50", "-0", "15e-1"])
    }

    @Test("escapes decode, including a surrogate pair")
    func escapesDecode() throws {
        let value = try JSONParser.parse(#""\"\\\/\b\f\n\r\t\u00e9\u0041\ud83d\ude00""#)
        #expect(value == .string("\"\\/\u{8}\u{C}\n\r\t\u{E9}A\u{1F600}"))
    }

    @Test("raw UTF-8 in strings is kept as is")
    func rawUTF8() throws {
        let value = try JSONParser.parse(bytes("\"Caf\u{E9} \u{1F600} \u{7F}\""))
        guard case .string(let text) = value else {
            Issue.record("not a string")
            return
        }
        #expect(Array(text.utf8) == bytes("Caf\u{E9} \u{1F600} \u{7F}"))
    }

    @Test("an escaped NUL is allowed")
    func escapedNUL() throws {
        #expect(try JSONParser.parse(#""a\u0000b""#) == .string("a\u{0}b"))
    }

    @Test("a scalar is accepted at the top level")
    func topLevelScalar() throws {
        #expect(try JSONParser.parse("  42 ") == .number(JSONNumber(42)))
        #expect(try JSONParser.parse("null") == .null)
    }

    @Test("512 levels of nesting are accepted")
    func maximumDepth() throws {
        let text = String(repeating: "[", count: 512) + String(repeating: "]", count: 512)
        _ = try JSONParser.parse(text)
    }

    @Test("object members keep source order and duplicates are found past 16 members")
    func memberOrder() throws {
        let letters = "abcdefghijklmnopqrst".map(String.init)
        let text = "{" + letters.reversed().map { "\"\($0)\":0" }.joined(separator: ",") + "}"
        let parsed = try object(text)
        #expect(parsed.keys == letters.reversed())
    }
}

@Suite("JSON parsing refuses what RFC 8259 forbids, at the right byte")
struct JSONRejectionTests {
    static let cases: [(input: [UInt8], offset: Int, reason: String)] = [
        (bytes(""), 0, "unexpected end of input, expected a value"),
        (bytes("  "), 2, "unexpected end of input, expected a value"),
        (bytes(#"{"a":01}"#), 5, "leading zeros are not allowed"),
        (bytes("-01"), 1, "leading zeros are not allowed"),
        (bytes("[1,]"), 3, "unexpected character, expected a value"),
        (bytes(#"{"a":1} x"#), 8, "unexpected character, expected nothing after the JSON value"),
        (bytes("1 2"), 2, "unexpected character, expected nothing after the JSON value"),
        (bytes("\"ab\u{1}\""), 3, "unescaped control character in string"),
        (bytes("\"a\tb\""), 2, "unescaped control character in string"),
        ([0x5B, 0x22, 0x61, 0xFF, 0x22, 0x5D], 3, "invalid UTF-8"),
        ([0x22, 0xC0, 0xAF, 0x22], 1, "invalid UTF-8"),
        ([0x22, 0xED, 0xA0, 0x80, 0x22], 1, "invalid UTF-8"),
        ([0x22, 0xF4, 0x90, 0x80, 0x80, 0x22], 1, "invalid UTF-8"),
        ([0x22, 0xE2, 0x82], 1, "invalid UTF-8"),
        ([0x5B, 0x31, 0x2C, 0xFF, 0x5D], 3, "invalid UTF-8"),
        ([0xEF, 0xBB, 0xBF, 0x7B, 0x7D], 0, "unexpected character, expected a value"),
        (bytes(#""\uD800""#), 1, #"lone surrogate in \u escape"#),
        (bytes(#""\uDC00x""#), 1, #"lone surrogate in \u escape"#),
        (bytes(#""\uD800\u0041""#), 1, #"lone surrogate in \u escape"#),
        (bytes(#""a\uD83D""#), 2, #"lone surrogate in \u escape"#),
        (bytes(#""\u12G4""#), 1, #"invalid \u escape, expected 4 hex digits"#),
        (bytes(#""\x""#), 1, "invalid escape sequence"),
        (bytes(#""abc"#), 0, "unterminated string"),
        (bytes(#"{"x":1,"x":2}"#), 7, #"duplicate key "x""#),
        (bytes("tru"), 0, "invalid literal, expected true"),
        (bytes("nul1"), 0, "invalid literal, expected null"),
        (bytes("1."), 2, "unexpected end of input, expected a digit after the decimal point"),
        (bytes("1e+"), 3, "unexpected end of input, expected a digit in the exponent"),
        (bytes("-"), 1, "unexpected end of input, expected a digit"),
        (bytes("+1"), 0, "unexpected character, expected a value"),
        (bytes(".5"), 0, "unexpected character, expected a value"),
        (bytes(#"{"a" 1}"#), 5, "unexpected character, expected ':' after an object key"),
        (
            bytes(#"{"a":1 "b":2}"#), 7,
            "unexpected character, expected ',' or '}' after an object member"
        ),
        (bytes("[1 2]"), 3, "unexpected character, expected ',' or ']' after an array element"),
        (bytes("{,}"), 1, "unexpected character, expected a string key"),
        (bytes(#"{"a":1,}"#), 7, "unexpected character, expected a string key"),
        (bytes("[\u{1}]"), 1, "unexpected control character, expected a value"),
    ]

    @Test("each malformed input is refused with its offset and reason", arguments: cases)
    func refused(input: [UInt8], offset: Int, reason: String) {
        #expect(throws: JSONError(offset: offset, reason: reason)) {
            try JSONParser.parse(input)
        }
    }

    @Test("513 levels of nesting are refused at the 513th bracket")
    func tooDeep() {
        let text = String(repeating: "[", count: 513) + String(repeating: "]", count: 513)
        #expect(throws: JSONError(offset: 512, reason: "nesting deeper than 512 levels")) {
            try JSONParser.parse(text)
        }
    }

    @Test("a duplicate key in a large object is found at its second occurrence")
    func duplicateInLargeObject() {
        // 20 members of 6 bytes each ("a":0,) follow the brace, so the
        // repeated "e" starts at 1 + 20 * 6 = 121.
        let members = "abcdefghijklmnopqrst".map { "\"\($0)\":0," }.joined()
        let text = "{" + members + #""e":0}"#
        #expect(throws: JSONError(offset: 121, reason: #"duplicate key "e""#)) {
            try JSONParser.parse(text)
        }
    }

    @Test("canonically equivalent keys are distinct keys, not duplicates")
    func equivalentKeysAreDistinct() throws {
        let parsed = try object("{\"Caf\u{E9}\":1,\"Cafe\u{301}\":2}")
        #expect(parsed.count == 2)
        #expect(parsed["Caf\u{E9}"] == 1)
        #expect(parsed["Cafe\u{301}"] == 2)
    }
}

@Suite("Top-level object parsing reports where each value lies")
struct JSONMemberSpanTests {
    @Test("value ranges cover exactly the value's text")
    func valueRanges() throws {
        // Offsets: { 0, "s" 1-3, : 4, "x" 5-7, , 8, "data" 9-14, : 15,
        // space 16, {"b": 1} 17-24, two spaces 25-26, } 27.
        let text = bytes(#"{"s":"x","data": {"b": 1}  }"#)
        let spans = try JSONParser.parseTopLevelObject(text)
        #expect(spans.map(\.key) == ["s", "data"])
        #expect(spans[0].valueRange == 5..<8)
        #expect(spans[1].valueRange == 17..<25)
        #expect(Array(text[spans[1].valueRange]) == bytes(#"{"b": 1}"#))
    }

    @Test("a top-level value that is not an object is refused")
    func notAnObject() {
        let expected = JSONError(
            offset: 1, reason: "unexpected character, expected a JSON object")
        #expect(throws: expected) {
            try JSONParser.parseTopLevelObject(bytes(" [1]"))
        }
    }

    @Test("trailing data after the object is refused")
    func trailingData() {
        let expected = JSONError(
            offset: 3, reason: "unexpected character, expected nothing after the JSON value")
        #expect(throws: expected) {
            try JSONParser.parseTopLevelObject(bytes("{} {}"))
        }
    }
}
