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
        /// The writers likely to queue for the next round: those of the last
        /// round (answered, they may come back at once) and those that queued
        /// while it ran.
        var expected = 0
        var lastRoundEnd = DispatchTime(uptimeNanoseconds: 0)
        /// Signalled when `expected` requests are queued, while a leader waits.
        var gathering: DispatchSemaphore?
    }

    final class Ticket: Sendable {
        enum State {
            case queued
            /// Chosen to lead the next round, which holds this ticket.
            case leading
            case finished(Result<[AppendResult], any Error>)
        }

        let request: AppendRequest?
        let state = Locked(State.queued)
        /// Signalled when the ticket is chosen to lead and when it is finished.
        let wake = DispatchSemaphore(value: 0)

        init(_ request: AppendRequest?) { self.request = request }

        var isFinished: Bool {
            state.withLock { if case .finished = $0 { true } else { false } }
        }

        func finish(_ result: Result<[AppendResult], any Error>) {
            state.withLock { $0 = .finished(result) }
            wake.signal()
        }

        func promote() {
            state.withLock { $0 = .leading }
            wake.signal()
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
            if let gathering = queue.gathering, queue.tickets.count >= queue.expected {
                queue.gathering = nil
                gathering.signal()
            }
            if queue.leading { return false }
            queue.leading = true
            return true
        }
        if lead { self.lead(until: ticket) }
        while true {
            ticket.wake.wait()
            let state = ticket.state.withLock { $0 }
            switch state {
            case .queued: continue
            case .leading: self.lead(until: ticket)
            case .finished(let result): return try result.get()
            }
        }
    }

    /// Runs rounds until the one holding `own` is done, then hands the lead to
    /// a queued writer, so that the leader's caller is answered at once and
    /// can queue its next request for the following round.
    private func lead(until own: Ticket) {
        while !own.isFinished {
            gather()
            let round: [Ticket] = queue.withLock { queue in
                let round = queue.tickets
                queue.tickets.removeAll()
                return round
            }
            let answers = run(round)
            queue.withLock { queue in
                // Writers answered now may come back; count neither those
                // refused while planning (answered already, so any that came
                // back are queued) nor sync-only requests (a timer, a flush).
                let answered = answers.count { $0.0.request != nil }
                queue.expected = answered + queue.tickets.count
                queue.lastRoundEnd = .now()
            }
            for (ticket, answer) in answers { ticket.finish(answer) }
        }
        queue.withLock { queue in
            if let next = queue.tickets.first {
                next.promote()
            } else {
                queue.leading = false
            }
        }
    }

    /// Waits a moment for the writers of the last round to queue again, so
    /// that one sync serves them all. Writers that append in a loop are
    /// answered together; without this wait, the first one back would start
    /// the next round alone, the rest would queue behind it, and the writers
    /// would settle into two groups taking turns, each sync serving half of
    /// them. The wait ends as soon as the expected writers are queued, and
    /// `groupCommitWindow` after the last round ended at the latest. So a
    /// writer never waits when the last round held only itself, nor when it
    /// comes more than the window after the last round ended; one that
    /// comes sooner, after a round of several writers that do not all come
    /// back, waits out the rest of the window.
    private func gather() {
        let window = options.groupCommitWindow
        guard window > 0 else { return }
        let gathering: (DispatchSemaphore, DispatchTime)? = queue.withLock { queue in
            let deadline = queue.lastRoundEnd + window
            guard queue.tickets.count < queue.expected, DispatchTime.now() < deadline else {
                return nil
            }
            let signal = DispatchSemaphore(value: 0)
            queue.gathering = signal
            return (signal, deadline)
        }
        guard let (signal, deadline) = gathering else { return }
        if signal.wait(timeout: deadline) == .timedOut {
            queue.withLock { queue in
                if queue.gathering === signal { queue.gathering = nil }
            }
        }
    }

    /// Recovers the store: catches up under the lock (used when opening).
    func recover() throws {
        _ = try submit(nil)
    }

    // MARK: - One round

    /// Runs one round and returns the answers of its tickets, except those
    /// refused while planning, which are answered at once.
    private func run(_ tickets: [Ticket]) -> [(Ticket, Result<[AppendResult], any Error>)] {
        do {
            try lock.acquire(timeout: options.lockTimeout)
        } catch {
            return tickets.map { ($0, .failure(error)) }
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
            return tickets.filter { !$0.isFinished }.map { ($0, .failure(error)) }
        }
        return accepted.map { ($0.0, .success($0.1.results)) }
            + tickets.filter { $0.request == nil }.map { ($0, .success([])) }
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
