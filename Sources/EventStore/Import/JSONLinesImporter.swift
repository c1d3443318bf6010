import EventModel

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
    public var lines = 0
}

/// Imports JSON Lines in the wire format through the ordinary append path, in
/// atomic multi-stream batches: each line is one part with its own expected
/// version, and a batch is stored whole or not at all.
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
        var parts: [StreamAppend] = []
        var lines: [Int] = []
        parts.reserveCapacity(batchSize)
        while true {
            let line: ArraySlice<UInt8>?
            do {
                line = try reader.next()
            } catch let tooLong as LineTooLong {
                throw ImportLineError(path: reader.path, line: tooLong.line,
                                      reason: "the line is longer than \(tooLong.limit) bytes",
                                      appendError: nil)
            }
            guard let line else { break }
            summary.lines += 1
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
                try append(&parts, lines: &lines, summary: &summary, path: reader.path)
                progress(summary)
            }
        }
        if !parts.isEmpty {
            try append(&parts, lines: &lines, summary: &summary, path: reader.path)
            progress(summary)
        }
        try store.flush()
        return summary
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
