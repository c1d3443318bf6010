import EventModel
import Foundation
import Testing
@testable import EventStore

/// The import pipeline under errors at every point: which events are
/// stored, what is thrown, and that `run` returns with the reader idle.
@Suite("JSON Lines import pipeline, under errors")
struct ImportPipelineStressTests {
    private static func line(_ n: Int) -> String {
        #"{"stream":"s\#(n % 10)","type":"Tick","data":{"n":\#(n)}}"#
    }

    private func write(_ directory: TemporaryDirectory, _ lines: [String],
                       name: String = "input.jsonl") throws -> String {
        let path = directory.path + "/" + name
        try (lines.joined(separator: "\n") + (lines.isEmpty ? "" : "\n"))
            .write(toFile: path, atomically: false, encoding: .utf8)
        return path
    }

    /// The `n` values of the stored events, in order.
    private func stored(_ store: EventStore) throws -> [Int] {
        try store.readAll().map { event in
            let text = event.text
            let digits = text.drop { !$0.isNumber }.prefix { $0.isNumber }
            return Int(digits)!
        }
    }

    /// After `run` returns the caller owns the reader again: reading on (on
    /// this thread) must not race with the decoder (ThreadSanitizer) and
    /// must not crash.
    private func drain(_ reader: LineReader) {
        while (try? reader.next()) != nil {}
    }

    enum Fault: CaseIterable {
        case badJSON, conflict, tooLong
    }

    @Test("a refused line anywhere stores exactly the whole batches before its batch",
          arguments: [1, 2, 3, 7, 64, 1_000_000], Fault.allCases)
    func refusedAnywhere(batchSize: Int, fault: Fault) throws {
        let count = 130
        for bad in [1, 2, 3, 7, 8, 63, 64, 65, 100, 129, 130] {
            let directory = TemporaryDirectory()
            let store = try openStore(directory)
            var lines = (1...count).map(Self.line)
            switch fault {
            case .badJSON: lines[bad - 1] = #"{"stream":"s1","type":"#
            case .conflict:
                lines[bad - 1] = #"{"stream":"s\#(bad % 10)","type":"Tick","data":{"n":\#(bad)},"expected_version":999}"#
            case .tooLong:
                lines[bad - 1] = #"{"stream":"s1","type":"Tick","data":{"pad":"\#(String(repeating: "x", count: 2 << 20))"}}"#
            }
            let path = try write(directory, lines)
            let reader = try LineReader(path: path, maximumLineLength: 300)
            var progressed: [Int] = []
            let error = #expect(throws: ImportLineError.self, "bad \(bad)") {
                try JSONLinesImporter(store: store, batchSize: batchSize)
                    .run(reader: reader) { progressed.append($0.stored) }
            }
            drain(reader)
            let before = (bad - 1) / batchSize * batchSize
            #expect(error?.line == bad, "bad \(bad) batch \(batchSize)")
            #expect(error?.storedBefore == before, "bad \(bad) batch \(batchSize)")
            #expect((error?.appendError != nil) == (fault == .conflict))
            #expect(try stored(store) == Array(0..<before).map { $0 + 1 },
                    "bad \(bad) batch \(batchSize)")
            #expect(progressed == Array(stride(from: batchSize, through: before, by: batchSize)))
        }
    }

    @Test("empty files, blank-only files, and no newline at the end", arguments: [1, 3, 1000])
    func emptyAndBlank(batchSize: Int) throws {
        let cases: [(String, Int, Int)] = [
            ("", 0, 0), ("\n", 0, 1), ("  \n\t\n\n", 0, 3), ("   ", 0, 1),
            ("\r\n\r\n", 0, 2),
            (Self.line(1), 1, 1), ("\n\n" + Self.line(1) + "\n\n", 1, 4),
            ("\u{FEFF}" + Self.line(1) + "\n" + Self.line(2), 2, 2),
        ]
        for (text, events, lines) in cases {
            let directory = TemporaryDirectory()
            let store = try openStore(directory)
            let path = directory.path + "/in.jsonl"
            try text.write(toFile: path, atomically: false, encoding: .utf8)
            let reader = try LineReader(path: path)
            let summary = try JSONLinesImporter(store: store, batchSize: batchSize).run(reader: reader)
            drain(reader)
            #expect(summary.stored == events, "\(text.debugDescription)")
            #expect(summary.lines == lines, "\(text.debugDescription)")
            #expect(try store.headPosition() == events)
        }
    }

    @Test("a write or sync that fails at any batch: the batches before it stay, the error names its lines",
          arguments: ["write", "sync"], [1, 2, 3, 5, 9])
    func storeFaults(operation: String, failAt: Int) throws {
        for batchSize in [1, 4, 50] {
            let directory = TemporaryDirectory()
            let plan = FaultPlan(operation: operation, failAt: failAt, fault: .fail(errno: EIO))
            var options = makeOptions()
            options.faults = { plan.decide($0, $1) }
            let store = try EventStore(directory: directory.store, options: options, create: true)
            let path = try write(directory, (1...200).map(Self.line))
            let reader = try LineReader(path: path)
            let importer = JSONLinesImporter(store: store, batchSize: batchSize)
            do {
                let summary = try importer.run(reader: reader)
                // The planned call may never come (fewer calls than failAt).
                #expect(plan.calls < failAt, "no error, batch \(batchSize)")
                #expect(summary.stored == 200)
                #expect(try stored(store) == Array(1...200))
            } catch let error as ImportBatchError {
                drain(reader)
                let head = try store.headPosition()
                #expect(error.storedBefore == head, "batch \(batchSize)")
                #expect(head % batchSize == 0)
                #expect(error.lines == (head + 1)...min(head + batchSize, 200))
                #expect(try stored(store) == Array(0..<head).map { $0 + 1 })
            }
        }
    }

    private func gzip(_ path: String) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["gzip", "-f", path]
        try process.run()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
    }

    @Test("a truncated or damaged gzip file: an error, a prefix of whole batches stored",
          arguments: [1, 7, 500])
    func truncatedGzip(batchSize: Int) throws {
        let directory = TemporaryDirectory()
        let plain = try write(directory, (1...1_500).map(Self.line), name: "in.jsonl")
        try gzip(plain)
        let whole = try Data(contentsOf: URL(fileURLWithPath: plain + ".gz"))
        for cut in [10, 11, 30, whole.count / 3, whole.count / 2, whole.count - 9, whole.count - 1] {
            for damage in [false, true] {
                let storeDirectory = TemporaryDirectory()
                let store = try openStore(storeDirectory)
                var bytes = whole.prefix(cut)
                if damage { bytes = whole; bytes[cut] ^= 0x55 }
                let path = directory.path + "/cut-\(cut)-\(damage).jsonl.gz"
                try bytes.write(to: URL(fileURLWithPath: path))
                let reader = try LineReader(path: path)
                var result: Result<ImportSummary, any Error>
                result = Result { try JSONLinesImporter(store: store, batchSize: batchSize).run(reader: reader) }
                drain(reader)
                let events = try stored(store)
                #expect(events == Array(0..<events.count).map { $0 + 1 }, "cut \(cut) \(damage)")
                switch result {
                case .success(let summary):
                    // Only a damaged byte that zlib and the CRC let through
                    // could succeed; a truncated stream must not.
                    #expect(damage, "cut \(cut): truncated gzip imported without error: \(summary)")
                case .failure(let error):
                    if let line = error as? ImportLineError {
                        #expect(line.storedBefore == events.count)
                    } else if !(error is FileError || error is LineReadError) {
                        Issue.record("cut \(cut) \(damage): unexpected \(type(of: error)): \(error)")
                    }
                    #expect(events.count % batchSize == 0 || error is ImportLineError == false,
                            "cut \(cut) \(damage)")
                }
            }
        }
    }

    @Test("many small imports with a refused line at a random place (races)")
    func manySmall() throws {
        var generator = SystemRandomNumberGenerator()
        for round in 0..<100 {
            let directory = TemporaryDirectory()
            let store = try openStore(directory)
            let count = Int.random(in: 1...40, using: &generator)
            let batchSize = Int.random(in: 1...6, using: &generator)
            var lines = (1...count).map(Self.line)
            let bad = Bool.random(using: &generator) ? Int.random(in: 1...count, using: &generator) : nil
            if let bad { lines[bad - 1] = "{" }
            let path = try write(directory, lines)
            let reader = try LineReader(path: path)
            let result = Result { try JSONLinesImporter(store: store, batchSize: batchSize).run(reader: reader) }
            drain(reader)
            let expected = bad.map { ($0 - 1) / batchSize * batchSize } ?? count
            // What a failing round needs to be repeated.
            let round = "round \(round): \(count) lines, batches of \(batchSize), bad line \(bad.map(String.init) ?? "none")"
            #expect(try store.headPosition() == expected, "\(round)")
            switch result {
            case .success: #expect(bad == nil, "\(round)")
            case .failure(let error as ImportLineError):
                #expect(error.line == bad && error.storedBefore == expected, "\(round)")
            case .failure(let error): Issue.record("\(round): \(error)")
            }
        }
    }

    @Test("a line nested as deep as the parser allows decodes on the decoding thread")
    func deepNesting() throws {
        let directory = TemporaryDirectory()
        let store = try openStore(directory)
        let depth = 510
        let nested = String(repeating: "[", count: depth) + String(repeating: "]", count: depth)
        let path = try write(directory, [#"{"stream":"s","type":"Deep","data":{"a":\#(nested)}}"#,
                                         Self.line(2)])
        let summary = try JSONLinesImporter(store: store).run(reader: LineReader(path: path))
        #expect(summary.stored == 2)
    }

    @Test("the progress callback runs on the caller's thread, in order")
    func progressThread() throws {
        let directory = TemporaryDirectory()
        let store = try openStore(directory)
        let path = try write(directory, (1...1_000).map(Self.line))
        let caller = Thread.current
        var seen: [Int] = []
        try JSONLinesImporter(store: store, batchSize: 10).run(reader: LineReader(path: path)) {
            #expect(Thread.current == caller)
            seen.append($0.stored)
        }
        #expect(seen == Array(stride(from: 10, through: 1_000, by: 10)))
    }
}
