import Dispatch

// MARK: - Reading ahead on other threads

/// A long full read runs as three stages on three threads, so that it can
/// use more than one core: a scan thread reads, checks and decompresses
/// frames; a decode thread turns them into events; the caller's thread
/// filters them and runs its body. Stages hand over chunks of about
/// `ReadAhead.chunkEvents` events through bounded queues, so memory stays
/// bounded (a few chunks) and a store of one-event frames does not pay one
/// hand-over per event.
///
/// Order and failure are as in a read on one thread: chunks arrive in
/// position order, and a fault (a damaged frame, a gap) arrives after every
/// event before it, so the caller gets exactly the events before the fault
/// and then the error. When the caller stops early, or its body throws, the
/// stages are cancelled and the read returns only once both threads are done.
enum ReadAhead {
    /// Events per chunk handed from stage to stage (a frame is never split).
    static let chunkEvents = 2048
    /// Chunks a stage may run ahead of the next.
    static let depth = 2
    /// Full reads of fewer events than this stay on the caller's thread.
    static let minimumEvents = 20_000
}

/// One hand-over between stages.
enum StageItem<Chunk: Sendable>: Sendable {
    case chunk(Chunk)
    case failure(any Error)
    case end
}

/// A bounded, single-producer single-consumer queue between two stages.
/// `put` waits while the queue is full and returns false once the consumer
/// has cancelled; `take` waits while it is empty.
final class Handoff<Chunk: Sendable>: Sendable {
    private struct State {
        var items: [StageItem<Chunk>] = []
        var cancelled = false
    }

    private let state = Locked(State())
    private let filled = DispatchSemaphore(value: 0)
    private let free: DispatchSemaphore

    init(depth: Int) {
        // Created at zero and raised: libdispatch traps when a semaphore is
        // freed below its initial value, as a cancelled queue's may be.
        free = DispatchSemaphore(value: 0)
        for _ in 0..<depth { free.signal() }
    }

    /// Queues `item`; false (and the item dropped) when the consumer cancelled.
    func put(_ item: StageItem<Chunk>) -> Bool {
        free.wait()
        let accepted = state.withLock { state -> Bool in
            if state.cancelled { return false }
            state.items.append(item)
            return true
        }
        if accepted { filled.signal() } else { free.signal() }
        return accepted
    }

    /// The next item; `.end` once cancelled and empty.
    func take() -> StageItem<Chunk> {
        filled.wait()
        let item = state.withLock { state -> StageItem<Chunk>? in
            // Woken by `cancel` with nothing queued.
            guard !state.items.isEmpty else { return nil }
            // Removed, not passed by: a taken chunk must not stay referenced
            // while the producer keeps the queue from ever running empty.
            // (At most `depth` items, so shifting them costs nothing.)
            return state.items.removeFirst()
        }
        guard let item else { return .end }
        free.signal()
        return item
    }

    /// Tells both sides to stop: the producer's waiting or next `put`
    /// returns false, and a consumer waiting on an empty queue gets `.end`.
    func cancel() {
        state.withLock { $0.cancelled = true }
        free.signal()
        filled.signal()
    }

    var isCancelled: Bool { state.withLock { $0.cancelled } }
}

/// What the scan stage needs to know about the read.
struct ScanPlan: Sendable {
    var log: SegmentLog
    var segments: [Int]
    var start: FrameLocation
    var head: FrameLocation
    /// The last position the read delivers.
    var last: Int
}

extension ScanPlan {
    /// Reads every frame from `start` on, checking that frames follow each
    /// other without a gap, and hands each frame to `body` until it returns
    /// false; throws at the first fault.
    func scan(_ body: (Frame, String) throws -> Bool) throws {
        var expected = start.firstPosition
        for segment in segments {
            var scanner = try SegmentScanner(
                log: log, segment: segment,
                from: segment == start.segment ? start.offset : 0,
                limit: segment == head.segment ? head.end : nil)
            while let frame = try scanner.next() {
                // Frames follow each other without a gap; a segment that lost
                // frames at its end must fail the read, not skip positions.
                guard frame.header.firstPosition == expected else {
                    throw LogCorruption(
                        path: scanner.path, offset: frame.offset,
                        reason: "frame starts at position \(frame.header.firstPosition), "
                            + "expected \(expected)")
                }
                expected = frame.header.lastPosition + 1
                if try !body(frame, scanner.path) { return }
                if expected > last { return }
            }
        }
        if expected <= last {
            throw LogCorruption(path: log.path(ofSegment: head.segment), offset: head.offset,
                                reason: "the log ends at position \(expected - 1); the index "
                                    + "knows positions up to \(head.lastPosition)")
        }
    }

    /// Runs the scan stage on another thread and hands its frames, chunk by
    /// chunk, to `body` on the caller's thread until it returns false.
    func readAhead(_ body: ([(Frame, String)]) throws -> Bool) throws {
        let frames = Handoff<[(Frame, String)]>(depth: ReadAhead.depth)
        let stages = DispatchGroup()
        let plan = self
        DispatchQueue.global().async(group: stages) { plan.scanStage(into: frames) }
        defer {
            frames.cancel()
            stages.wait()
        }
        while true {
            switch frames.take() {
            case .chunk(let chunk):
                if try !body(chunk) { return }
            case .failure(let error):
                throw error
            case .end:
                return
            }
        }
    }

    private func scanStage(into output: Handoff<[(Frame, String)]>) {
        var chunk: [(Frame, String)] = []
        var count = 0
        do {
            try scan { frame, path in
                chunk.append((frame, path))
                count += frame.header.count
                if count >= ReadAhead.chunkEvents {
                    defer { chunk = []; count = 0 }
                    return output.put(.chunk(chunk))
                }
                return !output.isCancelled
            }
            if !chunk.isEmpty, !output.put(.chunk(chunk)) { return }
            _ = output.put(.end)
        } catch {
            // The frames before the fault go first, then the fault.
            if !chunk.isEmpty, !output.put(.chunk(chunk)) { return }
            _ = output.put(.failure(error))
        }
    }
}
