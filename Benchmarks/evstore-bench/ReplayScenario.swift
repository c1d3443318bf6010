import Projections

/// Replay of one projection at random cut-offs, from the rebuild's snapshots.
enum ReplayScenario {
    static let projection = "utilization"
    static let cutoffs = 5

    static func run(_ bench: BenchRun) throws {
        bench.note("replay \(projection) at \(cutoffs) random cut-offs")
        let store = try bench.openImportedStore()
        let engine = try RebuildScenario.engine(for: store,
                                                snapshotInterval: bench.options.snapshotInterval)
        let head = try store.headPosition()
        var random = SeededRandom(seed: UInt64(BenchOptions.seed))
        var times: [Double] = []
        for _ in 0..<cutoffs {
            let position = Int.random(in: 1...head, using: &random)
            let (seconds, _) = try Measure.time {
                try engine.replay(projection, cutoff: ReplayCutoff(atPosition: position))
            }
            times.append(seconds * 1000)
        }
        bench.add(Figure(name: "replay \(projection) at a random cut-off (snapshots), median",
                         value: Measure.median(times), unit: "ms", target: .atMost(50),
                         higherIsBetter: false))

        // The same cut-offs folded from position 1, for scale.
        random = SeededRandom(seed: UInt64(BenchOptions.seed))
        let position = Int.random(in: 1...head, using: &random)
        let (fromStart, _) = try Measure.time {
            try engine.replay(projection, cutoff: ReplayCutoff(atPosition: position),
                              useSnapshots: false)
        }
        bench.add(Figure(name: "  the first cut-off without snapshots", value: fromStart * 1000,
                         unit: "ms", target: .none, higherIsBetter: false))
    }
}
