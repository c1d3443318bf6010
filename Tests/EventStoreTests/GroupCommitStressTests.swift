import Dispatch
import EventModel
import Foundation
import Testing
@testable import EventStore
#if canImport(Glibc)
import Glibc
#endif

// Stress tests of the group commit (AppendCoordinator): many real threads,
// random pauses, refused requests, nil (sync-only) tickets, faults mid-round,
// windows of 0, tiny and huge, and a second process.

/// Joinable POSIX threads: `run` starts `count` of them and joins them, or
/// reports a hang after `timeout` seconds (the threads are then left behind).
private final class ThreadBox {
    let body: () -> Void
    init(_ body: @escaping () -> Void) { self.body = body }
}

@discardableResult
private func runThreads(_ count: Int, timeout: Double = 15,
                        _ sourceLocation: SourceLocation = #_sourceLocation,
                        _ body: @escaping @Sendable (Int) -> Void) -> Bool {
    let group = DispatchGroup()
    var threads: [pthread_t] = []
    for worker in 0..<count {
        group.enter()
        let box = ThreadBox { body(worker); group.leave() }
        var thread = pthread_t()
        let created = pthread_create(&thread, nil, { context in
            let box = Unmanaged<ThreadBox>.fromOpaque(context!).takeRetainedValue()
            box.body()
            return nil
        }, Unmanaged.passRetained(box).toOpaque())
        precondition(created == 0)
        threads.append(thread)
    }
    guard group.wait(timeout: .now() + timeout) == .success else {
        Issue.record("threads still running after \(timeout) s: a hang", sourceLocation: sourceLocation)
        return false
    }
    for thread in threads { pthread_join(thread, nil) }
    return true
}

/// What a writer was told, kept for checking against the store afterwards.
private final class Ledger: Sendable {
    struct Entry { var id: String; var stream: String; var position: Int; var version: Int }
    private let state = Locked<(acked: [Entry], failed: [String], refused: Int)>(([], [], 0))

    func acked(_ id: String, _ stream: String, _ result: AppendResult) {
        state.withLock {
            $0.acked.append(Entry(id: id, stream: stream, position: result.positions[0],
                                  version: result.streamVersion))
        }
    }
    func failed(_ id: String) { state.withLock { $0.failed.append(id) } }
    func refused() { state.withLock { $0.refused += 1 } }
    var entries: [Entry] { state.withLock { $0.acked } }
    var failures: [String] { state.withLock { $0.failed } }
    var refusals: Int { state.withLock { $0.refused } }
}

/// Checks the invariants: positions dense, per-stream versions dense, every
/// acknowledged event at its position with its id, nothing else stored.
private func checkStore(_ store: EventStore, _ ledger: Ledger,
                        sourceLocation: SourceLocation = #_sourceLocation) throws {
    let all = try store.readAll()
    #expect(all.map(\.position) == Array(stride(from: 1, through: all.count, by: 1)),
            sourceLocation: sourceLocation)
    let byPosition = Dictionary(all.map { ($0.position, $0) }, uniquingKeysWith: { a, _ in a })
    let acked = ledger.entries
    for entry in acked {
        let event = byPosition[entry.position]
        #expect(event?.id == entry.id && event?.stream == entry.stream,
                "acknowledged \(entry.id) at \(entry.position), found \(String(describing: event?.id))",
                sourceLocation: sourceLocation)
    }
    #expect(Set(all.map(\.id)) == Set(acked.map(\.id)), "stored ids are exactly the acknowledged ones",
            sourceLocation: sourceLocation)
    #expect(Set(all.map(\.id)).isDisjoint(with: ledger.failures), "a failed append was stored",
            sourceLocation: sourceLocation)
    var versions: [String: [Int]] = [:]
    for event in all { versions[event.stream, default: []].append(event.version) }
    for (stream, list) in versions {
        #expect(list == Array(1...list.count), "versions of \(stream)", sourceLocation: sourceLocation)
    }
    #expect(try store.verify().isOK, sourceLocation: sourceLocation)
}

private func options(window: Double? = nil, faults: FaultPlan? = nil) -> StoreOptions {
    var options = makeOptions()
    if let window { options.groupCommitWindow = window }
    if let faults { options.faults = { faults.decide($0, $1) } }
    return options
}

@Suite("Group commit under stress", .serialized)
struct GroupCommitStressTests {
    @Test("32 threads, random pauses, flushes, refusals, retries, batches, early stops",
          arguments: [0.0, 0.000_2, 0.002])
    func chaos(window: Double) throws {
        let directory = TemporaryDirectory()
        var opts = options(window: window)
        opts.maxEventSize = 2_000
        let store = try EventStore(directory: directory.store, options: opts, create: true)
        let ledger = Ledger()
        let unexpected = Locked<[String]>([])
        runThreads(32) { worker in
            var rng = SystemRandomNumberGenerator()
            let iterations = Int.random(in: 5...40, using: &rng)
            var mine: [(id: String, stream: String, position: Int)] = []
            for i in 0..<iterations {
                let id = "w\(worker)-\(i)"
                let stream = worker % 3 == 0 ? "shared-\(worker % 2)" : "own-\(worker)"
                do {
                    switch Int.random(in: 0..<20, using: &rng) {
                    case 0, 1:
                        try store.flush()
                    case 2:
                        do {
                            try store.append([note(id, id: id)], to: "$reserved")
                            unexpected.withLock { $0.append("reserved stream accepted") }
                        } catch is AppendError { ledger.refused() }
                    case 3:
                        do {
                            try store.append([note(String(repeating: "x", count: 3_000), id: id)],
                                             to: stream)
                            unexpected.withLock { $0.append("oversize accepted") }
                        } catch is AppendError { ledger.refused() }
                    case 4:
                        if let old = mine.randomElement(using: &rng) {
                            // Idempotent retry: same id, same content, same stream.
                            let again = try store.append([note(old.id, id: old.id)], to: old.stream)
                            if again.positions != [old.position] || again.duplicates != 1 {
                                unexpected.withLock {
                                    $0.append("retry of \(old.id) gave \(again.positions)")
                                }
                            }
                        }
                    case 5:
                        if let old = mine.randomElement(using: &rng) {
                            // Same id, other content: must be refused.
                            do {
                                try store.append([note("other", id: old.id)], to: old.stream)
                                unexpected.withLock { $0.append("id conflict accepted") }
                            } catch AppendError.idConflict { ledger.refused() }
                        }
                    case 6:
                        // The same new event twice, racing with itself in one call.
                        let results = try store.append([
                            StreamAppend(stream: "batch-\(worker)", events: [note(id, id: id)]),
                            StreamAppend(stream: stream, events: [note(id + "b", id: id + "b")]),
                        ])
                        ledger.acked(id, "batch-\(worker)", results[0])
                        ledger.acked(id + "b", stream, results[1])
                        mine.append((id, "batch-\(worker)", results[0].positions[0]))
                    default:
                        let result = try store.append([note(id, id: id)], to: stream)
                        ledger.acked(id, stream, result)
                        mine.append((id, stream, result.positions[0]))
                    }
                } catch {
                    unexpected.withLock { $0.append("\(id): \(error)") }
                }
                if Bool.random(using: &rng) { usleep(UInt32.random(in: 0...300, using: &rng)) }
            }
        }
        #expect(unexpected.withLock { $0 } == [])
        try checkStore(store, ledger)
    }

    @Test("optimistic retry loops on one stream: every increment once, versions dense")
    func optimisticCounter() throws {
        let directory = TemporaryDirectory()
        let store = try EventStore(directory: directory.store, options: options(), create: true)
        let conflicts = Locked(0)
        runThreads(16) { worker in
            for i in 0..<10 {
                while true {
                    let version = try! store.version(of: "counter")
                    do {
                        try store.append([note("\(worker)-\(i)", id: "c\(worker)-\(i)")],
                                         to: "counter", expectedVersion: .exact(UInt64(version)))
                        break
                    } catch AppendError.versionConflict {
                        conflicts.withLock { $0 += 1 }
                    } catch {
                        Issue.record("\(error)")
                        return
                    }
                }
            }
        }
        let events = try store.read(stream: "counter")
        #expect(events.map(\.version) == Array(1...160))
        #expect(Set(events.map(\.id)).count == 160)
        #expect(conflicts.withLock { $0 } > 0)
    }

    @Test("16 threads race .noStream, and 16 append one id at once: one wins, all agree")
    func racesInOneRound() throws {
        let directory = TemporaryDirectory()
        let store = try EventStore(directory: directory.store, options: options(), create: true)
        for round in 0..<15 {
            let wins = Locked(0)
            let positions = Locked<Set<Int>>([])
            runThreads(16) { worker in
                do {
                    try store.append([note("w\(worker)")], to: "race-\(round)",
                                     expectedVersion: .noStream)
                    wins.withLock { $0 += 1 }
                } catch AppendError.versionConflict {
                } catch { Issue.record("\(error)") }
                do {
                    let result = try store.append([note("same", id: "same-\(round)")],
                                                  to: "idem-\(round)")
                    positions.withLock { _ = $0.insert(result.positions[0]) }
                } catch { Issue.record("\(error)") }
            }
            #expect(wins.withLock { $0 } == 1)
            #expect(positions.withLock { $0.count } == 1)
            #expect(try store.version(of: "race-\(round)") == 1)
            #expect(try store.version(of: "idem-\(round)") == 1)
        }
        #expect(try store.headPosition() == 30)
        #expect(try store.verify().isOK)
    }

    @Test("a write or sync fails in the middle of concurrent rounds: that round fails whole, the rest goes on",
          arguments: [("sync", 9, InjectedFault.fail(errno: EIO)),
                      ("write", 20, InjectedFault.fail(errno: ENOSPC)),
                      ("write", 33, InjectedFault.short(bytes: 10, errno: ENOSPC))])
    func faultMidRound(operation: String, failAt: Int, fault: InjectedFault) throws {
        let directory = TemporaryDirectory()
        let store0 = try EventStore(directory: directory.store, options: options(), create: true)
        _ = store0
        // Opened again with the fault counted from here (the open's own calls excluded).
        let plan = FaultPlan(operation: operation, failAt: Int.max, fault: fault)
        let probe = try EventStore(directory: directory.store, options: options(faults: plan))
        let openCalls = plan.calls
        _ = probe
        let armed = FaultPlan(operation: operation, failAt: openCalls + failAt, fault: fault)
        let store2 = try EventStore(directory: directory.store, options: options(faults: armed))
        let ledger = Ledger()
        runThreads(12) { worker in
            for i in 0..<15 {
                let id = "w\(worker)-\(i)"
                do {
                    let result = try store2.append([note(id, id: id)], to: "s-\(worker % 4)")
                    ledger.acked(id, "s-\(worker % 4)", result)
                } catch {
                    ledger.failed(id)
                }
            }
        }
        print("\(operation) fault at \(failAt): \(ledger.failures.count) appends failed together")
        #expect(ledger.failures.count >= 1, "the fault fired")
        #expect(ledger.failures.count <= 12, "only one round failed: \(ledger.failures.count)")
        #expect(try store2.append([note("after", id: "after")], to: "s-0").positions.count == 1)
        ledger.acked("after", "s-0", try store2.append([note("after", id: "after")], to: "s-0"))
        try checkStore(store2, ledger)
    }

    @Test("relaxed durability: timer syncs, flushes and the last release on a writer thread")
    func relaxedWithTimer() throws {
        let directory = TemporaryDirectory()
        var opts = options()
        opts.durability = .relaxed(interval: 0.000_5)
        let ledger = Ledger()
        do {
            let store = try EventStore(directory: directory.store, options: opts, create: true)
            let box = Locked<EventStore?>(store)
            runThreads(16) { worker in
                // Each thread holds its own reference; the main one is dropped
                // while they run, so the store's deinit (a last sync, submit(nil))
                // runs on whichever writer lets go last.
                guard let store = box.withLock({ $0 }) else { return }
                for i in 0..<30 {
                    let id = "w\(worker)-\(i)"
                    do {
                        if i % 7 == 0 { try store.flush() }
                        ledger.acked(id, "s-\(worker % 5)",
                                     try store.append([note(id, id: id)], to: "s-\(worker % 5)"))
                    } catch { Issue.record("\(error)") }
                    if i == 3 && worker == 0 { box.withLock { $0 = nil } }
                    usleep(UInt32.random(in: 0...200))
                }
            }
        }
        let reopened = try EventStore(directory: directory.store, options: options())
        try checkStore(reopened, ledger)
    }

    @Test("another process appends through the CLI while 8 threads append here")
    func twoProcesses() throws {
        let directory = TemporaryDirectory()
        let store = try EventStore(directory: directory.store, options: options(), create: true)
        let ledger = Ledger()
        let cliStatuses = Locked<[Int32]>([])
        let cliPositions = Locked<[String]>([])
        let storePath = directory.store
        runThreads(9, timeout: 18) { worker in
            if worker == 8 {
                for i in 0..<12 {
                    let result = try! runCLI(["--store", storePath, "append", "cli",
                                              "--type", "Tick", "--data", #"{"n":\#(i)}"#,
                                              "--id", "cli-\(i)"])
                    cliStatuses.withLock { $0.append(result.status) }
                    cliPositions.withLock { $0.append(result.stdout) }
                }
                return
            }
            for i in 0..<40 {
                let id = "w\(worker)-\(i)"
                do {
                    ledger.acked(id, "s-\(worker)", try store.append([note(id, id: id)], to: "s-\(worker)"))
                } catch { Issue.record("\(error)") }
                usleep(UInt32.random(in: 0...2_000))
            }
        }
        #expect(cliStatuses.withLock { $0 } == Array(repeating: 0, count: 12))
        let all = try store.readAll()
        #expect(all.map(\.position) == Array(1...(320 + 12)))
        #expect(all.filter { $0.stream == "cli" }.map(\.version) == Array(1...12))
        for entry in ledger.entries {
            #expect(all[entry.position - 1].id == entry.id)
        }
        #expect(try store.verify().isOK)
    }

    @Test("two store instances on one directory (two coordinators, one flock), 8 threads each")
    func twoInstances() throws {
        let directory = TemporaryDirectory()
        let a = try EventStore(directory: directory.store, options: options(), create: true)
        let b = try EventStore(directory: directory.store, options: options(window: 0.001))
        let ledger = Ledger()
        runThreads(16) { worker in
            let store = worker % 2 == 0 ? a : b
            for i in 0..<25 {
                let id = "w\(worker)-\(i)"
                let stream = "s-\(worker % 3)"
                do {
                    if i % 9 == 0 { try store.flush() }
                    ledger.acked(id, stream, try store.append([note(id, id: id)], to: stream))
                } catch { Issue.record("\(error)") }
                if i % 4 == 0 { usleep(UInt32.random(in: 0...500)) }
            }
        }
        try checkStore(a, ledger)
        try checkStore(b, ledger)
    }

    @Test("another holder keeps the writer lock past the timeout: queued rounds fail, later ones succeed")
    func lockTimeoutMidStream() throws {
        let directory = TemporaryDirectory()
        var opts = options()
        opts.lockTimeout = 0.1
        let store = try EventStore(directory: directory.store, options: opts, create: true)
        let storePath = directory.store
        let ledger = Ledger()
        let timeouts = Locked(0)
        let hold = Thread {
            let holder = try! WriterLock(storeDirectory: storePath)
            usleep(20_000)
            try! holder.acquire(timeout: 1)
            usleep(300_000)
            holder.release()
        }
        hold.start()
        runThreads(16) { worker in
            for i in 0..<40 {
                let id = "w\(worker)-\(i)"
                do {
                    ledger.acked(id, "s", try store.append([note(id, id: id)], to: "s"))
                } catch StoreError.lockTimeout {
                    ledger.failed(id)
                    timeouts.withLock { $0 += 1 }
                } catch { Issue.record("\(error)") }
                usleep(UInt32.random(in: 0...2_000))
            }
        }
        print("lock timeouts: \(timeouts.withLock { $0 })")
        #expect(timeouts.withLock { $0 } > 0)
        try checkStore(store, ledger)
    }

    @Test("64 threads, window of 1 µs and of 0")
    func sixtyFour() throws {
        for window in [0.000_001, 0.0] {
            let directory = TemporaryDirectory()
            let store = try EventStore(directory: directory.store, options: options(window: window),
                                       create: true)
            let ledger = Ledger()
            runThreads(64) { worker in
                for i in 0..<(worker % 8 + 3) {
                    let id = "w\(worker)-\(i)"
                    do {
                        ledger.acked(id, "s-\(worker % 5)",
                                     try store.append([note(id, id: id)], to: "s-\(worker % 5)"))
                    } catch { Issue.record("\(error)") }
                }
            }
            try checkStore(store, ledger)
        }
    }

    @Test("200 Swift tasks on the cooperative pool (2 threads here) append and flush")
    func asyncTasks() async throws {
        let directory = TemporaryDirectory()
        let store = try EventStore(directory: directory.store, options: options(), create: true)
        let ledger = Ledger()
        await withTaskGroup(of: Void.self) { group in
            for worker in 0..<200 {
                group.addTask {
                    for i in 0..<3 {
                        let id = "t\(worker)-\(i)"
                        do {
                            if i == 1 && worker % 10 == 0 { try store.flush() }
                            ledger.acked(id, "s-\(worker % 7)",
                                         try store.append([note(id, id: id)], to: "s-\(worker % 7)"))
                        } catch { Issue.record("\(error)") }
                    }
                }
            }
        }
        try checkStore(store, ledger)
    }
}
