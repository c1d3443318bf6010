// MARK: - Event queue

/// The events planned but not yet written, earliest first: a binary min-heap
/// ordered by write time, then by the order of planning.
///
/// The heap holds 16-byte keys only; the events themselves wait in a slab
/// of reusable cells, so sifting moves little memory. The queue holds only
/// the near future (reviews a few days out, late timesheets up to three
/// weeks out), so it stays small however long the workload runs. Ties are
/// broken by a counter, never by memory layout, so the order is the same on
/// every run.
struct EventQueue {
    /// Where an event sits in the heap: its write time, then its planning
    /// order in the high bits of `sequence` and its slab cell in the low
    /// bits. Orders are unique, so comparing whole sequences compares orders.
    private struct Key {
        var writtenAt: Int64
        var sequence: UInt64

        @inline(__always)
        func precedes(_ other: Key) -> Bool {
            writtenAt != other.writtenAt
                ? writtenAt < other.writtenAt
                : sequence < other.sequence
        }
    }

    /// Bits of `Key.sequence` that hold the slab cell: room for 16 million
    /// waiting events, far more than any firm size produces.
    private static let cellBits: UInt64 = 24

    private var heap: [Key] = []
    private var cells: [ScheduledEvent] = []
    private var freeCells: [Int] = []
    private var nextOrder: UInt64 = 0

    /// When the earliest waiting event is written, or nil when none waits.
    var earliestWriteTime: Int64? {
        heap.first?.writtenAt
    }

    /// Adds an event; among events written in the same second, it comes
    /// after those added before it.
    ///
    /// - Complexity: O(log n).
    mutating func insert(
        _ event: PlannedEvent,
        writtenAt: Int64,
        occurredAt: Int64,
        metadata: EventMetadata
    ) {
        let scheduled = ScheduledEvent(
            writtenAt: writtenAt,
            occurredAt: occurredAt,
            metadata: metadata,
            event: event
        )
        let cell: Int
        if let free = freeCells.popLast() {
            cell = free
            cells[cell] = scheduled
        } else {
            cell = cells.count
            precondition(UInt64(cell) < 1 << Self.cellBits, "event queue overflow")
            cells.append(scheduled)
        }

        heap.append(Key(writtenAt: writtenAt, sequence: nextOrder << Self.cellBits | UInt64(cell)))
        nextOrder += 1
        siftUp(from: heap.count - 1)
    }

    /// Removes and returns the event written next.
    ///
    /// - Complexity: O(log n).
    mutating func removeEarliest() -> ScheduledEvent? {
        guard let earliest = heap.first else {
            return nil
        }
        let last = heap.removeLast()
        if !heap.isEmpty {
            siftDown(last, from: 0)
        }

        let cell = Int(earliest.sequence & (1 << Self.cellBits - 1))
        freeCells.append(cell)
        return cells[cell]
    }

    /// Moves a new key up from `start` until its parent precedes it.
    private mutating func siftUp(from start: Int) {
        let key = heap[start]
        var hole = start
        while hole > 0 {
            let parent = (hole - 1) / 2
            guard key.precedes(heap[parent]) else {
                break
            }
            heap[hole] = heap[parent]
            hole = parent
        }
        heap[hole] = key
    }

    /// Places `key` at `start` and moves it down until it precedes both
    /// children, shifting children up into the hole instead of swapping.
    private mutating func siftDown(_ key: Key, from start: Int) {
        var hole = start
        let count = heap.count
        while true {
            var child = 2 * hole + 1
            guard child < count else {
                break
            }
            if child + 1 < count, heap[child + 1].precedes(heap[child]) {
                child += 1
            }
            guard heap[child].precedes(key) else {
                break
            }
            heap[hole] = heap[child]
            hole = child
        }
        heap[hole] = key
    }
}
