import Testing

@testable import EventModel

@Suite("Stream ids are normalised to NFC and checked")
struct StreamNameTests {
    @Test("two spellings of the same visible name give the same stream")
    func nfcEquality() throws {
        let precomposed = try EventNames.normalizeStream("Caf\u{E9}")
        let decomposed = try EventNames.normalizeStream("Cafe\u{301}")
        #expect(Array(precomposed.utf8) == Array(decomposed.utf8))
        #expect(Array(decomposed.utf8) == [0x43, 0x61, 0x66, 0xC3, 0xA9])
    }

    @Test("ASCII ids come back unchanged")
    func asciiUnchanged() throws {
        #expect(try EventNames.normalizeStream("engagement-E042") == "engagement-E042")
    }

    @Test("200 bytes of UTF-8 are accepted, 201 refused")
    func lengthLimit() throws {
        _ = try EventNames.normalizeStream(String(repeating: "a", count: 200))
        _ = try EventNames.normalizeStream(String(repeating: "\u{E9}", count: 100))
        let expected = ValidationError(
            field: "stream", reason: "must be at most 200 bytes of UTF-8, got 201")
        #expect(throws: expected) {
            try EventNames.normalizeStream(String(repeating: "a", count: 201))
        }
        #expect(throws: expected) {
            try EventNames.normalizeStream(String(repeating: "\u{E9}", count: 100) + "a")
        }
    }

    @Test("the limit applies after normalisation")
    func limitAfterNormalisation() throws {
        // 67 × (e + U+0301) is 201 bytes as given, 67 × é is 134 bytes in NFC.
        let stream = try EventNames.normalizeStream(String(repeating: "e\u{301}", count: 67))
        #expect(stream.utf8.count == 134)
    }

    @Test("control characters and line separators are refused", arguments: [
        "a\u{0}b", "a\nb", "a\tb", "a\u{1B}", "a\u{7F}", "a\u{85}", "a\u{9F}", "a\u{2028}",
        "a\u{2029}",
    ])
    func controlCharacters(stream: String) {
        let expected = ValidationError(
            field: "stream", reason: "must not contain control characters")
        #expect(throws: expected) {
            try EventNames.normalizeStream(stream)
        }
    }

    @Test("an empty stream is refused")
    func empty() {
        #expect(throws: ValidationError(field: "stream", reason: "must not be empty")) {
            try EventNames.normalizeStream("")
        }
    }

    @Test("streams starting with $ are reserved")
    func reserved() {
        #expect(EventNames.isReservedStream("$all"))
        #expect(!EventNames.isReservedStream("a$"))
        #expect(!EventNames.isReservedStream(""))
    }
}

@Suite("Event ids and types are checked but not rewritten")
struct EventIDAndTypeTests {
    @Test("ordinary ids and types pass")
    func ordinary() throws {
        try EventNames.validateEventID("2f1e-77aa")
        try EventNames.validateType("TimesheetSubmitted")
        try EventNames.validateType(String(repeating: "T", count: 200))
    }

    @Test("empty, long or control-character ids are refused")
    func badIDs() {
        #expect(throws: ValidationError(field: "id", reason: "must not be empty")) {
            try EventNames.validateEventID("")
        }
        let tooLong = "must be at most 200 bytes of UTF-8, got 201"
        #expect(throws: ValidationError(field: "id", reason: tooLong)) {
            try EventNames.validateEventID(String(repeating: "x", count: 201))
        }
        let control = "must not contain control characters"
        #expect(throws: ValidationError(field: "id", reason: control)) {
            try EventNames.validateEventID("x\ry")
        }
    }

    @Test("empty, long or control-character types are refused")
    func badTypes() {
        #expect(throws: ValidationError(field: "type", reason: "must not be empty")) {
            try EventNames.validateType("")
        }
        let tooLong = "must be at most 200 bytes of UTF-8, got 201"
        #expect(throws: ValidationError(field: "type", reason: tooLong)) {
            try EventNames.validateType(String(repeating: "T", count: 201))
        }
        let control = "must not contain control characters"
        #expect(throws: ValidationError(field: "type", reason: control)) {
            try EventNames.validateType("Type\u{1B}")
        }
    }
}

@Suite("Expected versions use the wire spellings")
struct ExpectedVersionTests {
    @Test("descriptions", arguments: [
        (ExpectedVersion.any, "any"), (.noStream, "no_stream"), (.exists, "exists"),
        (.exact(0), "0"), (.exact(42), "42"),
    ])
    func descriptions(version: ExpectedVersion, text: String) {
        #expect(version.description == text)
        #expect(ExpectedVersion(text) == version)
    }

    @Test("other spellings are not versions", arguments: [
        "", "ANY", "noStream", "-1", "+1", "01", "1.0", "18446744073709551616",
    ])
    func invalid(text: String) {
        #expect(ExpectedVersion(text) == nil)
    }

    @Test("the largest version fits")
    func largest() {
        #expect(ExpectedVersion("18446744073709551615") == .exact(UInt64.max))
    }
}
