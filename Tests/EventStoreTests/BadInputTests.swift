import EventModel
import Foundation
import Testing
@testable import EventStore

/// Keeps every message logged, with its metadata. Sendable: the messages sit
/// behind a mutex.
private final class RecordingLogger: EventStoreLogger {
    let messages = Locked<[String]>([])

    func log(_ level: LogLevel, _ message: String, _ metadata: [String: String]) {
        messages.withLock { $0.append(message + " " + metadata.description) }
    }
}

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

    @Test("values inside event data never appear in errors or in the store's log messages")
    func noDataInMessages() throws {
        let secret = "s3cr3t-Tok3n"
        let recorder = RecordingLogger()
        let directory = TemporaryDirectory()
        var options = makeOptions()
        options.logger = recorder
        var store = try EventStore(directory: directory.store, options: options, create: true)
        try store.append([NewEvent(type: "Login", data: #"{"token":"\#(secret)"}"#, id: "e1")],
                         to: "s")
        // Each of these fails; none may quote the data.
        let failing: [(String, [NewEvent], ExpectedVersion)] = [
            ("other content, same id",
             [NewEvent(type: "Login", data: #"{"token":"\#(secret)-2"}"#, id: "e1")], .any),
            ("version conflict",
             [NewEvent(type: "Login", data: #"{"token":"\#(secret)"}"#)], .noStream),
            ("broken JSON", [NewEvent(type: "Login", data: #"{"token":"\#(secret)""#)], .any),
            ("bad built-in field", [NewEvent(type: "TimesheetSubmitted", data: """
                {"timesheet_id":"t","engagement_id":"e","consultant_id":"c",\
                "work_date":"\(secret)","hours":"\(secret)","billable":true}
                """)], .any),
            ("unknown built-in field", [NewEvent(type: "TimesheetSubmitted", data: """
                {"timesheet_id":"t","engagement_id":"e","consultant_id":"c",\
                "work_date":"2026-03-02","hours":7,"billable":true,"note":"\(secret)"}
                """)], .any),
        ]
        for (label, events, expected) in failing {
            do {
                try store.append(events, to: "s", expectedVersion: expected)
                Issue.record("\(label) was accepted")
            } catch {
                #expect(!"\(error)".contains(secret), "\(label): \(error)")
            }
        }
        // A torn frame holding the secret (written by a twin store, as a crash
        // would leave it) is cut off on the next open, and that is logged.
        let twin = directory.path + "/twin"
        try copyStore(directory.store, to: twin)
        let before = try FileSystem.fileSize(segmentPath(twin))
        do {
            let store = try EventStore(directory: twin, options: makeOptions())
            try store.append([NewEvent(type: "Login", data: #"{"token":"\#(secret)"}"#)],
                             to: "t")
        }
        let frame = Array(try Data(contentsOf: URL(fileURLWithPath: segmentPath(twin)))[before...])
        let handle = try #require(FileHandle(forWritingAtPath: segmentPath(directory.store)))
        try handle.seekToEnd()
        try handle.write(contentsOf: frame.dropLast(3))
        try handle.close()
        store = try EventStore(directory: directory.store, options: options)
        #expect(try store.headPosition() == 1)
        let logged = recorder.messages.withLock { $0 }
        #expect(logged.contains { $0.contains("torn") }, "\(logged)")
        #expect(!logged.contains { $0.contains(secret) }, "\(logged)")
    }
}
