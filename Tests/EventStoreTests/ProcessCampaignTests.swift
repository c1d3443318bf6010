import EventModel
import Foundation
import Testing
@testable import EventStore

/// Several `evstore` processes writing and reading one store at once.
///
/// `EVSTORE_PROCESS_EVENTS` sets the events each writer appends (240 by
/// default; the long campaign uses 20,000 or more) and `EVSTORE_RACE_ROUNDS`
/// the rounds of the expected-version race (8 by default).
@Suite("Processes writing and tailing at once")
struct ProcessCampaignTests {
    /// One writer's plan: its name, the streams it writes and its batch size.
    private struct Writer {
        var name: String
        var streams: [String]
        var batchSize: Int
    }

    @Test("writers append while readers tail: every position once, in order, whole batches")
    func writersAndTailingReaders() throws {
        let perWriter = Int(ProcessInfo.processInfo.environment["EVSTORE_PROCESS_EVENTS"] ?? "")
            ?? 240
        let directory = TemporaryDirectory()
        _ = try openStore(directory)
        // A writes its own streams; B and C share five streams. Batch sizes
        // differ so that batches of different writers interleave unevenly.
        let writers = [
            Writer(name: "A", streams: ["a-0", "a-1"], batchSize: 3),
            Writer(name: "B", streams: (0..<5).map { "s-\($0)" }, batchSize: 5),
            Writer(name: "C", streams: (0..<5).map { "s-\($0)" }, batchSize: 8),
        ]
        let total = perWriter * writers.count
        var files: [String] = []
        for writer in writers {
            // Every event says which batch it belongs to and how big that is.
            var lines = ""
            for i in 0..<perWriter {
                let batch = i / writer.batchSize
                let size = min(writer.batchSize, perWriter - batch * writer.batchSize)
                lines += #"{"stream":"\#(writer.streams[i % writer.streams.count])","#
                    + #""type":"Tick","id":"\#(writer.name)-\#(i)","#
                    + #""data":{"batch":"\#(writer.name)-\#(batch)","size":\#(size)}}"# + "\n"
            }
            let path = directory.path + "/\(writer.name).jsonl"
            try lines.write(toFile: path, atomically: true, encoding: .utf8)
            files.append(path)
        }

        // Two readers follow the store from the start until they have seen
        // every event; they start before any writer.
        let followers = try (0..<2).map { index in
            try startCLI(["--store", directory.store, "read", "--all", "--follow",
                          "--limit", String(total)],
                         stdout: directory.path + "/follower-\(index).jsonl")
        }
        let running = try zip(writers, files).map { writer, file in
            try startCLI(["--store", directory.store, "import", file,
                          "--batch-size", String(writer.batchSize)])
        }

        // Meanwhile one-shot reads: each must be a gapless prefix of whole batches.
        var reads = 0
        while running.contains(where: { $0.isRunning }) || reads < 3 {
            let result = try runCLI(["--store", directory.store, "read", "--all"])
            #expect(result.status == 0, "\(result.stderr)")
            let events = try parsedEvents(result.stdout)
            #expect(events.map(\.position) == Array(stride(from: 1, through: events.count,
                                                            by: 1)))
            var seen: [String: (count: Int, size: Int)] = [:]
            for event in events { seen[event.batch, default: (0, event.size)].count += 1 }
            let half = seen.filter { $0.value.count != $0.value.size }
            #expect(half.isEmpty, "half batches visible: \(half.keys.sorted())")
            reads += 1
        }
        for process in running {
            process.waitUntilExit()
            #expect(process.terminationStatus == 0)
        }

        // The followers stop by themselves once they have printed every event.
        let deadline = Date().addingTimeInterval(60)
        while followers.contains(where: { $0.isRunning }) && Date() < deadline {
            usleep(20_000)
        }
        for (index, follower) in followers.enumerated() {
            if follower.isRunning { follower.terminate() }
            follower.waitUntilExit()
            #expect(follower.terminationStatus == 0, "follower \(index)")
            let text = try String(contentsOfFile: directory.path + "/follower-\(index).jsonl",
                                  encoding: .utf8)
            let events = try parsedEvents(text)
            #expect(events.map(\.position) == Array(1...total), "follower \(index)")
            #expect(Set(events.map(\.id)).count == total, "follower \(index)")
        }

        // Every event once; each stream's versions dense.
        let store = try EventStore(directory: directory.store, options: makeOptions())
        let all = try store.readAll()
        #expect(all.count == total)
        #expect(Set(all.map(\.id)).count == total)
        for stream in Set(writers.flatMap(\.streams)) {
            let versions = try store.read(stream: stream).map(\.version)
            #expect(versions == Array(1...versions.count), "\(stream)")
        }
        #expect(try store.verify().isOK)
    }

    @Test("processes racing with no_stream, then with a version number: one wins each round")
    func expectedVersionRace() throws {
        let rounds = Int(ProcessInfo.processInfo.environment["EVSTORE_RACE_ROUNDS"] ?? "") ?? 8
        let contenders = 4
        let directory = TemporaryDirectory()
        _ = try openStore(directory)
        for round in 0..<rounds {
            let stream = "race-\(round)"
            for expected in ["no_stream", "1"] {
                let processes = try (0..<contenders).map { contender in
                    try startCLI(["--store", directory.store, "append", stream,
                                  "--type", "Claimed",
                                  "--data", #"{"by":\#(contender)}"#,
                                  "--expected-version", expected])
                }
                for process in processes { process.waitUntilExit() }
                let statuses = processes.map(\.terminationStatus).sorted()
                // Exactly one success (0); every other contender a conflict (3).
                #expect(statuses == [0] + Array(repeating: 3, count: contenders - 1),
                        "round \(round), expected \(expected)")
            }
        }
        let store = try EventStore(directory: directory.store, options: makeOptions())
        for round in 0..<rounds {
            #expect(try store.read(stream: "race-\(round)").map(\.version) == [1, 2])
        }
        #expect(try store.headPosition() == 2 * rounds)
        #expect(try store.verify().isOK)
    }
}

/// What the campaign needs of a printed event.
private struct PrintedEvent {
    var position: Int
    var id: String
    var batch: String
    var size: Int
}

/// Parses `read`'s JSON Lines output.
private func parsedEvents(_ text: String) throws -> [PrintedEvent] {
    try text.split(separator: "\n").map { line in
        guard case .object(let event) = try JSONParser.parse(String(line)),
              case .number(let position) = event["position"],
              case .string(let id) = event["id"],
              case .object(let data) = event["data"],
              case .string(let batch) = data["batch"],
              case .number(let size) = data["size"],
              let positionValue = Int(position.literal), let sizeValue = Int(size.literal)
        else { throw CampaignError(line: String(line)) }
        return PrintedEvent(position: positionValue, id: id, batch: batch, size: sizeValue)
    }
}

private struct CampaignError: Error, CustomStringConvertible {
    var line: String
    var description: String { "not a printed event: \(line)" }
}

/// Starts the `evstore` executable without waiting; its output goes to
/// `stdout` (a file created for it) or nowhere, its errors nowhere.
func startCLI(_ arguments: [String], stdout: String? = nil) throws -> Process {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: productsDirectory() + "/evstore")
    process.arguments = arguments
    if let stdout {
        guard FileManager.default.createFile(atPath: stdout, contents: nil),
              let handle = FileHandle(forWritingAtPath: stdout) else {
            throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: stdout])
        }
        process.standardOutput = handle
    } else {
        process.standardOutput = FileHandle.nullDevice
    }
    process.standardError = FileHandle.nullDevice
    try process.run()
    return process
}
