import Dispatch
import EventModel
import Foundation
import Synchronization
import Testing
@testable import EventStore

@Suite("Concurrent writers and readers")
struct ConcurrencyTests {
    @Test("threads appending at once share syncs and lose nothing")
    func threads() throws {
        let directory = TemporaryDirectory()
        let store = try openStore(directory)
        DispatchQueue.concurrentPerform(iterations: 8) { worker in
            for i in 0..<25 {
                // Half of the workers share one stream, the others have their own.
                let stream = worker % 2 == 0 ? "shared" : "own-\(worker)"
                _ = try! store.append([note("\(worker)-\(i)", id: "w\(worker)-\(i)")],
                                      to: stream)
            }
        }
        let all = try store.readAll()
        #expect(all.count == 200)
        #expect(all.map(\.position) == Array(1...200))
        #expect(Set(all.map(\.id)).count == 200)
        #expect(try store.read(stream: "shared").map(\.version) == Array(1...100))
        for worker in [1, 3, 5, 7] {
            #expect(try store.read(stream: "own-\(worker)").map(\.version) == Array(1...25))
        }
        #expect(try store.verify().isOK)
    }

    @Test("writers that append in a loop come back to one round: one sync serves all eight")
    func gathering() throws {
        let directory = TemporaryDirectory()
        let syncs = FaultPlan(operation: "sync", failAt: Int.max, fault: .none)
        var options = makeOptions()
        options.faults = { syncs.decide($0, $1) }
        // A long window, so that a slow machine still gathers every writer;
        // the wait ends as soon as they are all back, not at the window.
        options.groupCommitWindow = 0.25
        let store = try EventStore(directory: directory.store, options: options, create: true)
        let before = syncs.calls
        // Threads of their own: concurrentPerform would run only as many
        // workers at once as there are cores.
        let finished = DispatchGroup()
        for worker in 0..<8 {
            finished.enter()
            Thread { [unowned store] in
                defer { finished.leave() }
                for i in 0..<25 {
                    _ = try! store.append([note("\(worker)-\(i)")], to: "own-\(worker)")
                }
            }.start()
        }
        finished.wait()
        // 200 appends by 8 writers: once the writers move together, every
        // round holds all 8, so 25 rounds, plus a few before they fall into
        // step. Without the wait (a window of 0), a round starts with whoever
        // is back first: 35 syncs here; before leaders handed off, the rounds
        // alternated between 1 writer and 7, about 60 syncs.
        let rounds = syncs.calls - before
        #expect(rounds >= 25 && rounds <= 30, "\(rounds) syncs for 200 appends")
        #expect(try store.readAll().map(\.position) == Array(1...200))
        for worker in 0..<8 {
            #expect(try store.read(stream: "own-\(worker)").map(\.version) == Array(1...25))
        }
    }

    @Test("threads racing with the same expected version: exactly one wins each round")
    func race() throws {
        let directory = TemporaryDirectory()
        let store = try openStore(directory)
        // Each round races twice on a new stream: to create it (.noStream),
        // then to write its second event (.exact(1)).
        for round in 0..<10 {
            for expected in [ExpectedVersion.noStream, .exact(1)] {
                let wins = Atomic<Int>(0)
                let conflicts = Atomic<Int>(0)
                DispatchQueue.concurrentPerform(iterations: 4) { worker in
                    do {
                        try store.append([note("r\(round)w\(worker)")], to: "race-\(round)",
                                         expectedVersion: expected)
                        wins.add(1, ordering: .relaxed)
                    } catch AppendError.versionConflict {
                        conflicts.add(1, ordering: .relaxed)
                    } catch {
                        Issue.record("unexpected error \(error)")
                    }
                }
                #expect(wins.load(ordering: .relaxed) == 1, "round \(round), \(expected)")
                #expect(conflicts.load(ordering: .relaxed) == 3, "round \(round), \(expected)")
            }
            #expect(try store.version(of: "race-\(round)") == 2)
        }
        #expect(try store.headPosition() == 20)
    }

    @Test("a writer that waits past the timeout gets an error naming the store and holder")
    func lockTimeout() throws {
        let directory = TemporaryDirectory()
        var options = makeOptions()
        options.lockTimeout = 0.3
        let store = try EventStore(directory: directory.store, options: options, create: true)

        let holder = try WriterLock(storeDirectory: directory.store)
        try holder.acquire(timeout: 1)
        defer { holder.release() }
        #expect(throws: StoreError.lockTimeout(store: directory.store,
                                               holderPID: Int(getpid()), seconds: 0.3)) {
            try store.append([note("late")], to: "s")
        }
        holder.release()
        #expect(try store.append([note("now")], to: "s").positions == [1])
    }

    @Test("two writer processes and a reader process: every event once, versions dense")
    func processes() throws {
        let directory = TemporaryDirectory()
        _ = try openStore(directory)
        // Two files of 100 events each, both writing to the same five streams.
        var files: [String] = []
        for writer in ["A", "B"] {
            var lines = ""
            for i in 0..<100 {
                lines += #"{"stream":"s-\#(i % 5)","type":"Tick","data":{"n":\#(i)},"#
                    + #""id":"\#(writer)-\#(i)"}"# + "\n"
            }
            let path = directory.path + "/\(writer).jsonl"
            try lines.write(toFile: path, atomically: true, encoding: .utf8)
            files.append(path)
        }
        let executable = productsDirectory() + "/evstore"
        func start(_ arguments: [String]) throws -> Process {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: executable)
            process.arguments = ["--store", directory.store] + arguments
            process.standardOutput = FileHandle.nullDevice
            try process.run()
            return process
        }
        let writers = try files.map { try start(["import", $0, "--batch-size", "5"]) }

        // Meanwhile read the whole store again and again: every read must be a
        // gapless prefix made of whole batches of five.
        var reads = 0
        while writers.contains(where: { $0.isRunning }) || reads < 3 {
            let result = try runCLI(["--store", directory.store, "read", "--all"])
            #expect(result.status == 0)
            let positions = result.stdout.split(separator: "\n").map { line in
                (try? JSONParser.parse(String(line))).flatMap { value -> Int? in
                    guard case .object(let object) = value,
                          case .number(let n) = object["position"] else { return nil }
                    return Int(n.literal)
                } ?? -1
            }
            #expect(positions == Array(stride(from: 1, through: positions.count, by: 1)))
            #expect(positions.count % 5 == 0)
            reads += 1
        }
        for writer in writers {
            writer.waitUntilExit()
            #expect(writer.terminationStatus == 0)
        }

        let store = try EventStore(directory: directory.store, options: makeOptions())
        let all = try store.readAll()
        #expect(all.count == 200)
        #expect(Set(all.map(\.id)).count == 200)
        for stream in 0..<5 {
            #expect(try store.read(stream: "s-\(stream)").map(\.version) == Array(1...40))
        }
        #expect(try store.verify().isOK)
    }

    @Test("a subscription delivers stored events, then new ones as they come")
    func subscription() async throws {
        let directory = TemporaryDirectory()
        let store = try openStore(directory)
        try store.append([note("1"), note("2")], to: "s")
        var seen: [Int] = []
        for try await event in store.subscribe(from: 2, pollInterval: 0.01) {
            seen.append(event.position)
            if event.position == 2 { try store.append([note("3")], to: "t") }
            if event.position == 3 { break }
        }
        #expect(seen == [2, 3])
    }
}
