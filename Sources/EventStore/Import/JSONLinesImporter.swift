import EventModel
import Foundation

/// A line of an import that was refused, with its number; the batch holding
/// it was not stored, the batches before it were.
public struct ImportLineError: Error, CustomStringConvertible {
    public let path: String
    public let line: Int
    /// The reason, naming the field.
    public let reason: String
    /// The append error behind it, when the store refused the line.
    public let appendError: AppendError?
    /// Events stored by the batches before the failing one.
    public var storedBefore = 0

    public var description: String {
        "\(path): line \(line): \(reason) (this batch was not stored; "
            + "\(storedBefore) events of earlier batches were)"
    }
}

/// A batch of an import that the store could not write (a full disk, an I/O
/// error): the batch was not stored, the batches before it were.
public struct ImportBatchError: Error, CustomStringConvertible {
    public let path: String
    /// The batch's first and last line numbers.
    public let lines: ClosedRange<Int>
    /// The store's error.
    public let underlying: any Error
    /// Events stored by the batches before the failing one.
    public var storedBefore = 0

    public var description: String {
        "\(path): lines \(lines.lowerBound)-\(lines.upperBound): \(underlying) (this batch "
            + "was not stored; \(storedBefore) events of earlier batches were)"
    }
}

/// What an import stored.
public struct ImportSummary: Sendable, Equatable {
    public var stored = 0
    public var duplicates = 0
    /// Lines read, blank ones included.
    public var lines = 0
    /// Bytes of the input file read so far (compressed bytes for gzip), for
    /// progress.
    public var inputOffset = 0
}

/// Imports JSON Lines in the wire format through the ordinary append path, in
/// atomic multi-stream batches: each line is one part with its own expected
/// version, and a batch is stored whole or not at all.
///
/// Reading and decoding the lines (a third of an import's work) runs on a
/// thread of its own, at most two batches ahead of the appends, so that on
/// two cores it overlaps with planning, writing and indexing. Batches are
/// appended in line order, and a refused line stops the import exactly as
/// it would one line at a time.
public struct JSONLinesImporter {
    public let store: EventStore
    public let batchSize: Int
    public let preserveRecordedAt: Bool

    public init(store: EventStore, batchSize: Int = 1000, preserveRecordedAt: Bool = false) {
        self.store = store
        self.batchSize = batchSize
        self.preserveRecordedAt = preserveRecordedAt
    }

    /// Reads every line of `reader` and appends it; blank lines are skipped.
    /// `reader` is read on a thread of its own until this returns: do not use
    /// it meanwhile.
    /// - Parameter progress: called after each stored batch with the summary so far.
    /// - Throws: `ImportLineError` for the first refused line, `ImportBatchError`
    ///   for a batch the store could not write; earlier batches stay stored.
    ///   Errors reading the input pass through.
    @discardableResult
    public func run(reader: LineReader,
                    progress: (ImportSummary) -> Void = { _ in }) throws -> ImportSummary {
        var summary = ImportSummary()
        do {
            return try run(reader: reader, summary: &summary, progress: progress)
        } catch var error as ImportLineError {
            error.storedBefore = summary.stored
            throw error
        } catch var error as ImportBatchError {
            error.storedBefore = summary.stored
            throw error
        }
    }

    private func run(reader: LineReader, summary: inout ImportSummary,
                     progress: (ImportSummary) -> Void) throws -> ImportSummary {
        let path = reader.path
        let batches = DecodedBatches()
        let handoff = ReaderHandoff(reader)
        let decoder = Thread { [batchSize] in
            Self.decode(handoff.reader, batchSize: batchSize, into: batches)
        }
        decoder.start()
        // Whatever ends the import, the decoding thread is stopped and done
        // with the reader before this returns.
        defer { batches.stopAndDrain() }
        while true {
            switch batches.take() {
            case .batch(var parts, var lines, let position):
                try append(&parts, lines: &lines, summary: &summary, path: path)
                (summary.lines, summary.inputOffset) = (position.lines, position.offset)
                progress(summary)
            case .failed(let error):
                throw error
            case .finished(let position):
                (summary.lines, summary.inputOffset) = (position.lines, position.offset)
                try store.flush()
                return summary
            }
        }
    }

    /// The decoding thread: reads lines and hands over full batches, then a
    /// last item, `.finished` or the first error (a refused line's batch is
    /// not handed over).
    private static func decode(_ reader: LineReader, batchSize: Int,
                               into batches: DecodedBatches) {
        var parts: [StreamAppend] = []
        var lines: [Int] = []
        var read = 0
        func position() -> DecodedBatches.Position {
            DecodedBatches.Position(lines: read, offset: reader.compressedOffset)
        }
        do {
            while !batches.isStopped {
                let line: ArraySlice<UInt8>?
                do {
                    line = try reader.next()
                } catch let tooLong as LineTooLong {
                    throw ImportLineError(path: reader.path, line: tooLong.line,
                                          reason: "the line is longer than \(tooLong.limit) bytes",
                                          appendError: nil)
                }
                guard let line else { break }
                read += 1
                if line.allSatisfy({ $0 == 0x20 || $0 == 0x09 }) { continue }
                let wire: WireEvent
                do {
                    wire = try WireCodec.decodeLine(line, line: reader.lineNumber)
                } catch {
                    throw ImportLineError(path: reader.path, line: reader.lineNumber,
                                          reason: Self.reason(of: error), appendError: nil)
                }
                parts.append(StreamAppend(stream: wire.stream,
                                          expectedVersion: wire.expectedVersion ?? .any,
                                          events: [NewEvent(wire: wire)]))
                lines.append(reader.lineNumber)
                if parts.count >= batchSize {
                    batches.put(.batch(parts, lines: lines, position: position()))
                    parts.removeAll(keepingCapacity: true)
                    lines.removeAll(keepingCapacity: true)
                }
            }
            if !parts.isEmpty { batches.put(.batch(parts, lines: lines, position: position())) }
            batches.put(.finished(position()))
        } catch {
            batches.put(.failed(error))
        }
    }

    private func append(_ parts: inout [StreamAppend], lines: inout [Int],
                        summary: inout ImportSummary, path: String) throws {
        do {
            let results = try store.append(parts, preserveRecordedAt: preserveRecordedAt)
            for result in results {
                summary.duplicates += result.duplicates
                summary.stored += result.positions.count - result.duplicates
            }
        } catch let batch as BatchAppendError {
            throw ImportLineError(path: path, line: lines[batch.part],
                                  reason: Self.reason(of: batch.error), appendError: batch.error)
        } catch {
            throw ImportBatchError(path: path, lines: (lines.first ?? 0)...(lines.last ?? 0),
                                   underlying: error)
        }
        parts.removeAll(keepingCapacity: true)
        lines.removeAll(keepingCapacity: true)
    }

    /// The reason without the line prefix the codec adds (the importer adds its own).
    static func reason(of error: any Error) -> String {
        switch error {
        case let codec as CodecError:
            switch codec {
            case .invalidJSON(_, let offset, let reason):
                return "invalid JSON at byte \(offset): \(reason)"
            case .invalidField(_, let field, let reason):
                return "field \(field): \(reason)"
            }
        case let append as AppendError:
            let (field, reason) = append.fieldAndReason
            return field.map { "field \($0): \(reason)" } ?? reason
        default:
            return String(describing: error)
        }
    }
}

/// The reader of an import, handed to its decoding thread.
///
/// `@unchecked Sendable`: only the decoding thread uses the reader, from its
/// start until it queues its last item, and `run` returns only after taking
/// that item, so the reader is never used by two threads at once.
private final class ReaderHandoff: @unchecked Sendable {
    let reader: LineReader
    init(_ reader: LineReader) { self.reader = reader }
}

/// The decoded batches of an import on their way from the decoding thread to
/// the appends: a queue of at most two, ended by one last item.
private final class DecodedBatches: Sendable {
    /// How far the input had been read.
    struct Position: Sendable {
        var lines: Int
        var offset: Int
    }

    enum Item: Sendable {
        case batch([StreamAppend], lines: [Int], position: Position)
        case failed(any Error)
        case finished(Position)

        var isLast: Bool {
            if case .batch = self { false } else { true }
        }
    }

    private let queue = Locked((items: [Item](), stopped: false, lastTaken: false))
    private let queued = DispatchSemaphore(value: 0)
    private let room = DispatchSemaphore(value: 2)

    /// Set when the appends stop early; the decoding thread then ends.
    var isStopped: Bool { queue.withLock { $0.stopped } }

    /// Queues an item, waiting while two are queued.
    func put(_ item: Item) {
        room.wait()
        queue.withLock { $0.items.append(item) }
        queued.signal()
    }

    /// The next item, waiting for one.
    func take() -> Item {
        queued.wait()
        let item = queue.withLock { queue in
            let item = queue.items.removeFirst()
            if item.isLast { queue.lastTaken = true }
            return item
        }
        room.signal()
        return item
    }

    /// Stops the decoding thread and takes what it still queues, up to its
    /// last item; returns at once when that was taken already.
    func stopAndDrain() {
        let lastTaken = queue.withLock { queue in
            queue.stopped = true
            return queue.lastTaken
        }
        guard !lastTaken else { return }
        while !take().isLast {}
    }
}
