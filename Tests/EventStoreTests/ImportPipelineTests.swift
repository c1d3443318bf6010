import EventModel
import Foundation
import Testing
@testable import EventStore

@Suite("JSON Lines import, decoded ahead of the appends")
struct ImportPipelineTests {
    /// `count` lines, one event each on streams s0 … s9; `replace` swaps in
    /// other text for some line numbers (1-based).
    private func input(_ directory: TemporaryDirectory, count: Int,
                       replace: [Int: String] = [:]) throws -> String {
        var text = ""
        for line in 1...count {
            text += replace[line]
                ?? #"{"stream":"s\#(line % 10)","type":"Tick","data":{"n":\#(line)}}"#
            text += "\n"
        }
        let path = directory.path + "/input.jsonl"
        try text.write(toFile: path, atomically: false, encoding: .utf8)
        return path
    }

    @Test("a batch refused while later ones are decoded stops the import after the batches before it")
    func refusedBatch() throws {
        let directory = TemporaryDirectory()
        let store = try openStore(directory)
        // Line 250 expects s0 at version 99; s0 then holds 24 events
        // (lines 10, 20, …, 240), so batch 3 (lines 201–300) is refused.
        let path = try input(directory, count: 5_000, replace: [
            250: #"{"stream":"s0","type":"Tick","data":{},"expected_version":99}"#,
        ])
        let importer = JSONLinesImporter(store: store, batchSize: 100)
        let error = #expect(throws: ImportLineError.self) {
            try importer.run(reader: LineReader(path: path))
        }
        #expect(error?.line == 250)
        #expect(error?.storedBefore == 200)
        #expect(error?.appendError != nil)
        #expect(try store.headPosition() == 200)
        #expect(try store.version(of: "s0") == 20)
    }

    @Test("a line the codec refuses stops the import before its batch")
    func refusedLine() throws {
        let directory = TemporaryDirectory()
        let store = try openStore(directory)
        let path = try input(directory, count: 5_000, replace: [4_321: #"{"stream":"s1""#])
        let importer = JSONLinesImporter(store: store, batchSize: 100)
        let error = #expect(throws: ImportLineError.self) {
            try importer.run(reader: LineReader(path: path))
        }
        #expect(error?.line == 4_321)
        #expect(error?.storedBefore == 4_300)
        #expect(try store.headPosition() == 4_300)
    }

    @Test("the summary counts every line, blank ones too, and the whole file read")
    func summary() throws {
        let directory = TemporaryDirectory()
        let store = try openStore(directory)
        // 2,500 lines, of which 3 blank: 2,497 events.
        let path = try input(directory, count: 2_500, replace: [7: "", 1_000: "  ", 2_500: "\t"])
        var seen: [ImportSummary] = []
        let summary = try JSONLinesImporter(store: store, batchSize: 1_000)
            .run(reader: LineReader(path: path)) { seen.append($0) }
        let size = try #require(FileManager.default.attributesOfItem(atPath: path)[.size] as? Int)
        #expect(summary == ImportSummary(stored: 2_497, duplicates: 0, lines: 2_500,
                                         inputOffset: size))
        // Lines 1–1,002 hold 1,000 events (7 and 1,000 are blank), lines
        // 1,003–2,002 the next 1,000, and the last batch is handed over at
        // the end of the file, after line 2,500 (blank).
        #expect(seen.map(\.stored) == [1_000, 2_000, 2_497])
        #expect(seen.map(\.lines) == [1_002, 2_002, 2_500])
        #expect(try store.headPosition() == 2_497)
    }
}
