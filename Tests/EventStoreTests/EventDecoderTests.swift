import Testing
@testable import EventStore

/// The decoder that full reads share from frame to frame: text checks and
/// the cache of stream and type strings.
@Suite("Event decoding")
struct EventDecoderTests {
    @Test("a text field that is not valid UTF-8 is a bad payload; valid UTF-8 reads back")
    func utf8IsChecked() throws {
        let valid: [UInt8] = Array("projet-été".utf8)
        let text = try valid.withUnsafeBytes { try Text.validated($0, 0..<$0.count) }
        #expect(text == "projet-été")

        for bad: [UInt8] in [[0x61, 0xFF], [0xC3], [0xE2, 0x82], [0xED, 0xA0, 0x80]] {
            #expect(throws: FrameFault.self) {
                _ = try bad.withUnsafeBytes { try Text.validated($0, 0..<$0.count) }
            }
        }
    }

    @Test("the text cache gives the string of the bytes asked for when values share a slot")
    func cacheChecksBytes() throws {
        // One slot: every value evicts the one before.
        var cache = TextCache(slots: 1)
        let names = ["engagement-E001", "engagement-E002", "engagement-E001", "", "é"]
        for name in names {
            let bytes = Array(name.utf8)
            let text = try bytes.withUnsafeBytes { try cache.text($0, 0..<$0.count) }
            #expect(text == name)
        }
        var large = TextCache(slots: 64)
        let bad: [UInt8] = [0x73, 0x80]
        #expect(throws: FrameFault.self) {
            _ = try bad.withUnsafeBytes { try large.text($0, 0..<$0.count) }
        }
    }

    @Test("a full read decodes every field of every event")
    func fullReadFields() throws {
        let directory = TemporaryDirectory()
        let store = try openStore(directory)
        try store.append([NewEvent(type: "NoteAdded", data: #"{"n":1}"#,
                                   metadata: #"{"actor":"ana"}"#, id: "id-1")],
                         to: "engagement-E001")
        try store.append([NewEvent(type: "NoteAdded", data: #"{"n":2}"#, id: "id-2")],
                         to: "engagement-E002")
        let events = try store.readAll()
        #expect(events.map(\.stream) == ["engagement-E001", "engagement-E002"])
        #expect(events.map(\.id) == ["id-1", "id-2"])
        #expect(events.map(\.type) == ["NoteAdded", "NoteAdded"])
        #expect(events.map(\.dataText) == [#"{"n":1}"#, #"{"n":2}"#])
        #expect(events.map { String(decoding: $0.metadata, as: UTF8.self) }
                    == [#"{"actor":"ana"}"#, "{}"])
        #expect(events.map(\.position) == [1, 2])
        #expect(events.map(\.version) == [1, 1])
    }
}
