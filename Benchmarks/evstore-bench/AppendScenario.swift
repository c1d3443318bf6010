import EventModel
import EventStore
import Foundation

/// Durable appends: one writer's latency, and eight writers' throughput
/// (sharing syncs through group commit), each in a fresh store.
enum AppendScenario {
    static let writers = 8

    static func run(_ bench: BenchRun) throws {
        let count = bench.options.events >= 100_000 ? 1000 : 200
        try singleWriter(bench, appends: count)
        try concurrentWriters(bench, appendsPerWriter: count / 2)
    }

    /// A realistic timesheet event, about the workload's size.
    static func event(_ index: Int) -> NewEvent {
        NewEvent(type: "TimesheetSubmitted", data: """
            {"timesheet_id":"TS-B\(index)","engagement_id":"E0001","consultant_id":"C0001",\
            "work_date":"2026-03-02","hours":7.5,"billable":true}
            """, metadata: #"{"actor":"user-1","correlation_id":"bench"}"#,
            id: "bench-\(index)", occurredAt: Timestamp(microseconds: 1_772_442_900_000_000))
    }

    private static func singleWriter(_ bench: BenchRun, appends: Int) throws {
        bench.note("\(appends) single durable appends, one writer")
        let store = try EventStore(directory: bench.work.fresh("store-append"), create: true)
        let baseline = try BaselineStore(path: bench.work.fresh("baseline-append.sqlite"),
                                         synchronous: "FULL")
        var ours: [Double] = []
        var theirs: [Double] = []
        for index in 0..<appends {
            let event = event(index)
            let stream = "timesheet-B\(index % 10)"
            ours.append(try Measure.time { try store.append([event], to: stream) }.seconds * 1000)
            theirs.append(try Measure.time {
                try baseline.appendOne(event, to: stream)
            }.seconds * 1000)
        }
        bench.add(Figure(name: "single durable append, p50", value: Measure.median(ours),
                         unit: "ms", target: .atMost(0.5), baseline: Measure.median(theirs),
                         higherIsBetter: false))
        bench.add(Figure(name: "single durable append, p99",
                         value: Measure.percentile(99, of: ours), unit: "ms", target: .atMost(2),
                         baseline: Measure.percentile(99, of: theirs), higherIsBetter: false))
    }

    private static func concurrentWriters(_ bench: BenchRun, appendsPerWriter: Int) throws {
        bench.note("\(writers) threads x \(appendsPerWriter) durable appends to distinct streams")
        let store = try EventStore(directory: bench.work.fresh("store-append-8"), create: true)
        let failure = Locked<String?>(nil)
        let done = DispatchGroup()
        let start = Measure.now()
        for writer in 0..<writers {
            done.enter()
            // Unowned: the store must close in this function, before the work
            // directory is removed, not on a writer thread still exiting.
            let thread = Thread { [unowned store] in
                defer { done.leave() }
                do {
                    for index in 0..<appendsPerWriter {
                        try store.append([event(writer * 1_000_000 + index)],
                                         to: "timesheet-W\(writer)")
                    }
                } catch {
                    failure.withLock { $0 = $0 ?? String(describing: error) }
                }
            }
            thread.start()
        }
        done.wait()
        let seconds = Measure.now() - start
        if let message = failure.withLock({ $0 }) {
            throw BenchError(description: "a concurrent append failed: \(message)")
        }
        bench.add(Figure(name: "\(writers) threads appending durably (group commit)",
                         value: Double(writers * appendsPerWriter) / seconds, unit: "events/s",
                         target: .atLeast(30_000)))
    }
}
