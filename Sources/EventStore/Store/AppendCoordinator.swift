import Dispatch
import EventModel

/// Serialises appends and shares one sync among concurrent appenders (group
/// commit). Callers queue a ticket; the first caller that finds no round in
/// progress leads rounds until the queue is empty: each round takes the
/// writer lock, catches up with other processes, plans every queued request,
/// writes one frame per accepted request, syncs once, commits the index once,
/// and then wakes each caller with its own result.
///
/// `@unchecked Sendable`: the queue is behind a lock; the log writer, the
/// planner and the lock file are touched only by the leading thread, and only
/// one thread leads at a time (the `leading` flag is set and cleared under the
/// queue's mutex), so they are never used by two threads at once.
final class AppendCoordinator: @unchecked Sendable {
    private let writer: LogWriter
    private let planner: AppendPlanner
    private let lock: WriterLock
    private let options: StoreOptions
    private let queue = Locked(Queue())

    private struct Queue {
        var tickets: [Ticket] = []
        var leading = false
    }

    final class Ticket: Sendable {
        let request: AppendRequest?
        let outcome = Locked<Result<[AppendResult], any Error>?>(nil)
        let done = DispatchSemaphore(value: 0)

        init(_ request: AppendRequest?) { self.request = request }

        var isFinished: Bool { outcome.withLock { $0 != nil } }

        func finish(_ result: Result<[AppendResult], any Error>) {
            outcome.withLock { $0 = result }
            done.signal()
        }
    }

    init(writer: LogWriter, lock: WriterLock, options: StoreOptions) {
        self.writer = writer
        self.planner = AppendPlanner(index: writer.index, log: writer.log, options: options)
        self.lock = lock
        self.options = options
    }

    /// Appends one request (a nil request only syncs) and waits for its round.
    func submit(_ request: AppendRequest?) throws -> [AppendResult] {
        let ticket = Ticket(request)
        let lead = queue.withLock { queue in
            queue.tickets.append(ticket)
            if queue.leading { return false }
            queue.leading = true
            return true
        }
        if lead {
            while let round = nextRound() { run(round) }
        }
        ticket.done.wait()
        return try ticket.outcome.withLock { $0! }.get()
    }

    private func nextRound() -> [Ticket]? {
        queue.withLock { queue in
            let round = queue.tickets
            queue.tickets.removeAll()
            if round.isEmpty { queue.leading = false }
            return round.isEmpty ? nil : round
        }
    }

    /// Recovers the store: catches up under the lock (used when opening).
    func recover() throws {
        _ = try submit(nil)
    }

    // MARK: - One round

    private func run(_ tickets: [Ticket]) {
        do {
            try lock.acquire(timeout: options.lockTimeout)
        } catch {
            for ticket in tickets { ticket.finish(.failure(error)) }
            return
        }
        defer { lock.release() }
        let connection = writer.index.connection
        var accepted: [(Ticket, PlannedFrame)] = []
        // Set once caught up: only then may a failure cut the log back.
        var mark: LogWriter.Mark?
        do {
            try connection.execute("BEGIN IMMEDIATE")
            planner.frames.removeAll()
            try writer.catchUp()
            mark = writer.mark()
            accepted = plan(tickets)
            for (_, frame) in accepted where !frame.records.isEmpty {
                try write(frame, mark: &mark!)
            }
            if options.durability == .durable || tickets.contains(where: { $0.request == nil }) {
                try writer.sync()
            }
            connection.resetStatements()
            try connection.execute("COMMIT")
        } catch {
            undo(to: mark, after: error)
            for ticket in tickets where !ticket.isFinished {
                ticket.finish(.failure(error))
            }
            return
        }
        for (ticket, frame) in accepted { ticket.finish(.success(frame.results)) }
        for ticket in tickets where ticket.request == nil { ticket.finish(.success([])) }
    }

    /// Plans the round's requests in order; a refused request is answered at once
    /// and takes no part in the round.
    private func plan(_ tickets: [Ticket]) -> [(Ticket, PlannedFrame)] {
        var state = AppendPlanner.State(nextPosition: writer.nextPosition,
                                        lastRecordedAt: writer.lastRecordedAt)
        var accepted: [(Ticket, PlannedFrame)] = []
        for ticket in tickets {
            guard let request = ticket.request else { continue }
            do {
                accepted.append((ticket, try planner.plan(request, state: &state)))
            } catch {
                ticket.finish(.failure(error))
            }
        }
        return accepted
    }

    private func write(_ frame: PlannedFrame, mark: inout LogWriter.Mark) throws {
        let (bytes, rawLength) = try FrameEncoder.encode(records: frame.records,
                                                         firstPosition: frame.firstPosition,
                                                         recordedAt: frame.recordedAt)
        let location = try writer.write(
            frame: bytes,
            header: (frame.firstPosition, frame.firstPosition + frame.records.count - 1,
                     frame.recordedAt, rawLength),
            mark: &mark)
        try writer.index(location, rows: frame.rows, checkVersions: false)
    }

    /// A failed round leaves no trace: the index transaction is rolled back and
    /// the log cut back to where the round began.
    private func undo(to mark: LogWriter.Mark?, after error: any Error) {
        // ROLLBACK fails only when SQLite has already rolled back by itself.
        writer.index.connection.resetStatements()
        _ = try? writer.index.connection.execute("ROLLBACK")
        writer.index.discardCaches()
        guard let mark else { return }
        do {
            try writer.rollBack(to: mark)
        } catch let undoError {
            options.logger.log(.error, "could not cut back the log after a failed append", [
                "error": String(describing: undoError),
                "cause": String(describing: error),
            ])
        }
    }
}
