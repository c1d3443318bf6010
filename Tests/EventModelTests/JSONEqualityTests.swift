import Testing

@testable import EventModel

@Suite("Semantic JSON equality ignores spelling but not meaning")
struct JSONSemanticEqualityTests {
    @Test("member order, whitespace and number spelling do not matter")
    func spellingIgnored() throws {
        let a = try JSONParser.parse(#"{"a":1,"b":[1.50,"x"]}"#)
        let b = try JSONParser.parse(#"{ "b" : [ 15e-1 , "x" ] , "a" : 1.0 }"#)
        #expect(a.isSemanticallyEqual(to: b))
        #expect(a == b)
    }

    @Test("equal numbers compare equal however written", arguments: [
        ("1.50", "1.5"), ("1.5", "15e-1"), ("0", "-0"), ("0", "0.0e5"),
        ("1e2", "100"), ("100", "1E+2"), ("-0.025", "-2.50E-2"),
        (
            "1234567890123456789012345678901234567890.5",
            "12345678901234567890123456789012345678905e-1"
        ),
    ])
    func equalNumbers(a: String, b: String) throws {
        #expect(try JSONParser.parse(a) == JSONParser.parse(b))
    }

    @Test("different numbers compare unequal", arguments: [
        ("100", "1000"), ("1", "-1"), ("0.1", "0.01"), ("1.5", "1.05"),
    ])
    func differentNumbers(a: String, b: String) throws {
        #expect(try JSONParser.parse(a) != JSONParser.parse(b))
    }

    @Test("a missing member, an extra member or another type makes a difference")
    func structuralDifferences() throws {
        #expect(try JSONParser.parse(#"{"a":1}"#) != JSONParser.parse(#"{"a":1,"b":null}"#))
        #expect(try JSONParser.parse(#"{"a":1}"#) != JSONParser.parse(#"{"b":1}"#))
        #expect(try JSONParser.parse("1") != JSONParser.parse(#""1""#))
        #expect(try JSONParser.parse("[1,2]") != JSONParser.parse("[2,1]"))
        #expect(try JSONParser.parse("null") != JSONParser.parse("false"))
    }

    @Test("strings compare by exact scalars, not canonical equivalence")
    func exactScalars() throws {
        let precomposed = try JSONParser.parse(#""Caf\u00e9""#)
        let decomposed = try JSONParser.parse(#""Cafe\u0301""#)
        #expect(precomposed != decomposed)
        #expect(precomposed == .string("Caf\u{E9}"))
    }

    @Test("objects with more than 16 members compare regardless of order")
    func largeObjects() throws {
        let letters = "abcdefghijklmnopqrst".map(String.init)
        let forward = "{" + letters.map { "\"\($0)\":1.0" }.joined(separator: ",") + "}"
        let backward = "{" + letters.reversed().map { "\"\($0)\":1" }.joined(separator: ",") + "}"
        let changed = "{" + letters.map { "\"\($0)\":\($0 == "q" ? "2" : "1")" }
            .joined(separator: ",") + "}"
        #expect(try JSONParser.parse(forward) == JSONParser.parse(backward))
        #expect(try JSONParser.parse(forward) != JSONParser.parse(changed))
    }

    @Test("JSONNumber equality is literal, numeric equality is by value")
    func numberIdentity() throws {
        let a = try #require(JSONNumber(literal: "1.50"))
        let b = try #require(JSONNumber(literal: "1.5"))
        #expect(a != b)
        #expect(a.isNumericallyEqual(to: b))
    }

    @Test("JSONNumber accepts only number syntax", arguments: [
        ("0", true), ("-12.5e-3", true), ("1E+9", true),
        ("01", false), ("+1", false), ("1.", false), (".5", false), ("1e", false),
        ("", false), ("-", false), (" 1", false), ("NaN", false),
    ])
    func numberSyntax(literal: String, valid: Bool) {
        #expect((JSONNumber(literal: literal) != nil) == valid)
    }
}

@Suite("JSON writing escapes only what RFC 8259 requires")
struct JSONWriterTests {
    @Test("quotes, backslashes and control characters are escaped")
    func escapes() {
        let text = "a\"b\\c\u{8}\u{C}\n\r\t\u{1}\u{1F}\u{7F}\u{E9}/\u{2028}"
        let expected = #""a\"b\\c\b\f\n\r\t\u0001\u001f"# + "\u{7F}\u{E9}/\u{2028}\""
        #expect(JSONWriter.quoted(text) == expected)
    }

    @Test("values are written compactly with members in stored order")
    func compactValues() throws {
        let value: JSONValue = ["z": [1, true, nil], "a": ["k": "v"], "n": .number(
            try #require(JSONNumber(literal: "2.50")))]
        #expect(JSONWriter.string(value) == #"{"z":[1,true,null],"a":{"k":"v"},"n":2.50}"#)
    }

    @Test("a written string parses back to the same scalars")
    func stringRoundTrip() throws {
        let text = "tab\t nul\u{0} \u{1F600} e\u{301}"
        #expect(try JSONParser.parse(JSONWriter.quoted(text)) == .string(text))
    }

    @Test("appendString appends to what the buffer already holds")
    func appends() {
        var buffer = bytes("x=")
        JSONWriter.appendString("y", to: &buffer)
        #expect(buffer == bytes(#"x="y""#))
    }
}
