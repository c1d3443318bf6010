import EventModel
import EventStore
import Foundation

/// Why a projection cannot run.
public enum ProjectionError: Error, CustomStringConvertible, Equatable {
    case unknownProjection(String, known: [String])
    /// The rules or the projection's version changed since its checkpoint.
    case needsRebuild(name: String, reason: String)
    case invalidName(String)
    /// A fold failed on an event.
    case foldFailed(name: String, position: Int, reason: String)

    public var description: String {
        switch self {
        case .unknownProjection(let name, let known):
            return "unknown projection \"\(name)\" (known: \(known.joined(separator: ", ")))"
        case .needsRebuild(let name, let reason):
            return "projection \(name): \(reason); run `evstore rebuild \(name)` to fold it "
                + "again from position 1"
        case .invalidName(let name):
            return "projection name \"\(name)\" must be lower-case letters, digits and -"
        case .foldFailed(let name, let position, let reason):
            return "projection \(name) failed at position \(position): \(reason)"
        }
    }
}

/// What a catch-up or rebuild did for one projection.
public struct ProjectionRun: Sendable, Equatable {
    public let name: String
    public let fromPosition: Int
    public let toPosition: Int
    public let rows: Int
}

/// Runs projections over a store: catches them up from their checkpoints,
/// rebuilds them from position 1, and reads their rows. State, rows and
/// checkpoint of a projection are always written in one SQLite transaction,
/// so a crash never applies an event twice or skips one.
///
/// `@unchecked Sendable`: the database connection and the runners are used only
/// inside `lock`, so two threads never touch them at once.
public final class ProjectionEngine: AppendObserver, @unchecked Sendable {
    public let store: EventStore
    public let registrations: [RegisteredProjection]
    private let database: ProjectionDatabase
    private let clock: @Sendable () -> Timestamp
    private let lock = Locked(())
    /// A snapshot of each projection's state is stored every this many
    /// positions during catch-up and rebuild (for fast replays).
    public let snapshotInterval: Int
    /// Who the `$rules` events name (the first catch-up or rebuild records rules).
    public let actor: String
    private let rulesChecked = Locked(false)

    /// - Parameters:
    ///   - store: the event store to fold.
    ///   - projections: the projections, built-in or custom, with their rules.
    ///   - clock: "now" for the rows written to the tables.
    ///   - snapshotInterval: positions between snapshots (default 100,000).
    ///   - actor: who `$rules` events name, e.g. the user running the command.
    public init(store: EventStore, projections: [RegisteredProjection],
                clock: @escaping @Sendable () -> Timestamp = { Timestamp.now() },
                snapshotInterval: Int = 100_000, actor: String = "evstore") throws {
        for registration in projections where !ProjectionDatabase.isValidName(registration.name) {
            throw ProjectionError.invalidName(registration.name)
        }
        self.store = store
        self.registrations = projections
        self.clock = clock
        self.snapshotInterval = max(1, snapshotInterval)
        self.actor = actor
        self.database = try ProjectionDatabase(path: store.directory + "/projections.sqlite")
    }

    public var names: [String] { registrations.map(\.name) }

    func registration(_ name: String) throws -> RegisteredProjection {
        guard let found = registrations.first(where: { $0.name == name }) else {
            throw ProjectionError.unknownProjection(name, known: names)
        }
        return found
    }

    func selected(_ names: [String]?) throws -> [RegisteredProjection] {
        guard let names, !names.isEmpty else { return registrations }
        var seen: Set<String> = []
        return try names.filter { seen.insert($0).inserted }.map { try registration($0) }
    }

    // MARK: - Catching up

    /// Folds each projection from its checkpoint to the head of the log.
    /// - Throws: `ProjectionError.needsRebuild` for a projection whose rules or
    ///   version changed since its checkpoint. That projection is not folded;
    ///   the others are caught up and saved before the error is thrown.
    /// - Parameter progress: called now and then with (position, head).
    @discardableResult
    public func catchUp(_ names: [String]? = nil,
                        progress: (Int, Int) -> Void = { _, _ in }) throws -> [ProjectionRun] {
        let (runs, refused) = try catchUpReporting(names, progress: progress)
        if let first = refused.first { throw first }
        return runs
    }

    /// `catchUp`, returning the refusals (`ProjectionError.needsRebuild`, one
    /// per refused projection) beside the runs of the others instead of
    /// throwing the first, so a caller can say what was done as well.
    public func catchUpReporting(
        _ names: [String]? = nil, progress: (Int, Int) -> Void = { _, _ in }
    ) throws -> (runs: [ProjectionRun], refused: [ProjectionError]) {
        try recordRulesOnce()
        return try lock.withLock { _ in
            try catchUpLocked(try selected(names), progress: progress)
        }
    }

    private func catchUpLocked(
        _ registrations: [RegisteredProjection], progress: (Int, Int) -> Void
    ) throws -> (runs: [ProjectionRun], refused: [ProjectionError]) {
        var runners: [(runner: any ProjectionRunner, checkpoint: Checkpoint?)] = []
        var refused: [ProjectionError] = []
        for registration in registrations {
            let checkpoint = try database.checkpoint(registration.name)
            if let checkpoint {
                do {
                    try checkCompatible(checkpoint, registration)
                } catch let error as ProjectionError {
                    refused.append(error)
                    continue
                }
            }
            let runner = makeRunner(registration)
            if let state = try database.state(registration.name) { try runner.load(state) }
            runners.append((runner, checkpoint))
        }
        let head = try store.headPosition()
        let start = runners.map { $0.checkpoint?.position ?? 0 }.min() ?? head
        if start < head {
            try fold(from: start + 1, through: head, runners: runners.map(\.runner),
                     progress: progress) { event, folds in
                for (index, (runner, checkpoint)) in runners.enumerated()
                where event.position > (checkpoint?.position ?? 0) {
                    if folds[index] { try runner.fold(event) }
                    try snapshotIfDue(runner, at: event.position)
                }
            }
        }
        let now = clock()
        let runs = try runners.map { runner, checkpoint in
            let rows = runner.rows(now: now)
            try database.connection.transaction {
                try database.save(runner, checkpoint: Checkpoint(
                    position: head, rulesHash: runner.registration.rulesHash,
                    projectionVersion: runner.registration.projection.version),
                    rows: rows, intoTable: ProjectionDatabase.table(for: runner.name),
                    updatedAt: now)
            }
            return ProjectionRun(name: runner.name, fromPosition: (checkpoint?.position ?? 0) + 1,
                                 toPosition: head, rows: rows.count)
        }
        return (runs, refused)
    }

    private func snapshotIfDue(_ runner: any ProjectionRunner, at position: Int) throws {
        if position % snapshotInterval == 0 {
            try database.saveSnapshot(runner, position: position)
        }
    }

    /// Records changed rules in `$rules` before the first catch-up or rebuild.
    /// The flag is set first: the append below tells observers (maybe this
    /// engine), whose catch-up must not record again.
    private func recordRulesOnce() throws {
        let first = rulesChecked.withLock { checked in
            defer { checked = true }
            return !checked
        }
        if first { try recordRules(actor: actor) }
    }

    /// Runs `body` with the database, serialised with the engine's other work.
    func withDatabase<T>(_ body: (ProjectionDatabase) throws -> T) throws -> T {
        try lock.withLock { _ in try body(database) }
    }

    private func checkCompatible(_ checkpoint: Checkpoint,
                                 _ registration: RegisteredProjection) throws {
        if checkpoint.projectionVersion != registration.projection.version {
            throw ProjectionError.needsRebuild(
                name: registration.name,
                reason: "it was built by version \(checkpoint.projectionVersion) of the "
                    + "projection, this is version \(registration.projection.version)")
        }
        if checkpoint.rulesHash != registration.rulesHash {
            throw ProjectionError.needsRebuild(
                name: registration.name, reason: "its rules changed since it was built")
        }
    }

    /// Streams the events `from...head` into `body` with which of `runners`
    /// fold each, reporting progress. An event that some projection reads
    /// as a `JSONObject` has its data parsed once for all; otherwise the
    /// built-in projections read the members they need from one scan.
    private func fold(from: Int, through head: Int, runners: [any ProjectionRunner],
                      progress: (Int, Int) -> Void,
                      _ body: (RecordedEvent, _ folds: [Bool]) throws -> Void) throws {
        var filter = EventTypeFilter(runners)
        var count = 0
        try store.readAll(from: from, filter: ReadFilter(untilPosition: head)) { event in
            let selection = filter.selection(for: event.type)
            let prepared = selection.parsesAhead ? event.parsingData()
                : selection.scansAhead ? event.scanningData() : event
            try body(prepared, selection.folds)
            count += 1
            if count % 50_000 == 0 { progress(event.position, head) }
            return true
        }
        progress(head, head)
    }

    // MARK: - Rebuilding

    /// Folds the named projections (all when nil) from position 1 into new
    /// tables and swaps them in, with state and checkpoint, in one transaction
    /// at the end. Readers keep the old model until then; an interrupted
    /// rebuild leaves it in place.
    @discardableResult
    public func rebuild(_ names: [String]? = nil,
                        progress: (Int, Int) -> Void = { _, _ in }) throws -> [ProjectionRun] {
        try recordRulesOnce()
        return try lock.withLock { _ in
            let runners = try selected(names).map(makeRunner)
            let head = try store.headPosition()
            if head > 0 {
                try fold(from: 1, through: head, runners: runners,
                         progress: progress) { event, folds in
                    for (index, runner) in runners.enumerated() {
                        if folds[index] { try runner.fold(event) }
                        try snapshotIfDue(runner, at: event.position)
                    }
                }
            }
            // Every rebuilt model is swapped in by one transaction.
            let now = clock()
            return try database.connection.transaction {
                try runners.map { runner in
                    let table = ProjectionDatabase.table(for: runner.name)
                    let rows = runner.rows(now: now)
                    try database.connection.execute("DROP TABLE IF EXISTS \(table)__rebuild")
                    try database.save(runner, checkpoint: Checkpoint(
                        position: head, rulesHash: runner.registration.rulesHash,
                        projectionVersion: runner.registration.projection.version),
                        rows: rows, intoTable: table + "__rebuild", updatedAt: now)
                    try database.swap(table + "__rebuild", into: table)
                    // The state is saved: free it before the next model's rows.
                    runner.reset()
                    return ProjectionRun(name: runner.name, fromPosition: 1, toPosition: head,
                                         rows: rows.count)
                }
            }
        }
    }

    // MARK: - Reading

    /// The stored read model as of its checkpoint, with rows computed for `now`.
    public func model(_ name: String, now: Timestamp) throws -> ReadModel {
        try lock.withLock { _ in
            let registration = try registration(name)
            let runner = makeRunner(registration)
            let checkpoint = try database.checkpoint(name)
            if let checkpoint {
                try checkCompatible(checkpoint, registration)
                if let state = try database.state(name) { try runner.load(state) }
            }
            return ReadModel(name: name, columns: runner.columns,
                             keyColumnCount: runner.keyColumnCount,
                             rows: runner.rows(now: now), position: checkpoint?.position ?? 0)
        }
    }

    /// The checkpoint of a projection, nil before its first catch-up.
    public func checkpoint(_ name: String) throws -> Checkpoint? {
        try lock.withLock { _ in try database.checkpoint(name) }
    }

    // MARK: - AppendObserver

    /// Catches every projection up after an append through the library, when
    /// the engine is registered with `store.addAppendObserver(engine)`.
    public func storeDidAppend(_ store: EventStore, through position: Int) throws {
        try catchUp()
    }
}

/// A read model's rows as of a position.
public struct ReadModel: Sendable {
    public let name: String
    public let columns: [Column]
    public let keyColumnCount: Int
    public let rows: [Row]
    /// The last position folded into these rows.
    public let position: Int
}
