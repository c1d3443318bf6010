import EventModel
import Foundation
import Testing
@testable import EventStore

/// The corpus in `Fixtures/bad-input` (see its README).
enum BadInput {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("Fixtures/bad-input").path

    struct Expectation: Decodable {
        let line: Int
        let contains: String
    }

    static func cases() throws -> [(file: String, expected: Expectation)] {
        let data = try Data(contentsOf: URL(fileURLWithPath: directory + "/expected.json"))
        return try JSONDecoder().decode([String: Expectation].self, from: data)
            .sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
    }
}

@Suite("Bad input")
struct BadInputTests {
    @Test("every file of the corpus is refused with its line and field, and stores nothing")
    func corpus() throws {
        let cases = try BadInput.cases()
        #expect(cases.count == 16)
        for (file, expected) in cases {
            let directory = TemporaryDirectory()
            let store = ["--store", directory.store]
            #expect(try runCLI(store + ["init"]).status == 0)
            let path = BadInput.directory + "/" + file
            let result = try runCLI(store + ["import", path])
            #expect(result.status == 1, "\(file)")
            let lines = result.stderr.split(separator: "\n")
            #expect(lines.count == 1, "\(file): \(result.stderr)")
            #expect(result.stderr.hasPrefix("evstore: error: \(path): line \(expected.line): "),
                    "\(file): \(result.stderr)")
            #expect(result.stderr.contains(expected.contains), "\(file): \(result.stderr)")
            let stats = try runCLI(store + ["stats", "--json"])
            #expect(stats.stdout.contains(#""events":0,"#), "\(file) stored something")
        }
    }

    @Test("a 20 MB line is refused with its size and the limit; the store is unchanged")
    func hugeLine() throws {
        let directory = TemporaryDirectory()
        let store = ["--store", directory.store]
        #expect(try runCLI(store + ["init"]).status == 0)
        let padding = String(repeating: "x", count: 20 << 20)
        let line = #"{"stream":"s","type":"Tick","data":{"blob":"\#(padding)"}}"#
        let path = directory.path + "/huge.jsonl"
        try (#"{"stream":"s","type":"Tick","data":{}}"# + "\n" + line + "\n")
            .write(toFile: path, atomically: true, encoding: .utf8)
        let result = try runCLI(store + ["import", path])
        #expect(result.status == 1)
        #expect(result.stderr.contains("line 2: "))
        #expect(result.stderr.contains("limit is 1048576"))
        #expect(try runCLI(store + ["stats", "--json"]).stdout.contains(#""events":0,"#))
    }

    @Test("stream ids, types and ids that look like SQL, paths or shell are plain data")
    func hostileNames() throws {
        let directory = TemporaryDirectory()
        let store = try openStore(directory)
        let names = ["x'); DROP TABLE streams;--", "../../etc/passwd", "$(rm -rf /)", "`id`",
                     "a\"b\\c", "Zoë; SELECT *"]
        for name in names {
            try store.append([NewEvent(type: name, data: "{}", id: name)], to: "s-" + name)
        }
        for name in names {
            let events = try store.read(stream: "s-" + name)
            #expect(events.map(\.type) == [name])
            #expect(events.map(\.id) == [name])
        }
        #expect(try store.verify().isOK)
    }
}
