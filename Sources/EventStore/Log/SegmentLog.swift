import EventModel

/// A fault found in the log, with the segment file and byte offset of the frame.
public struct LogCorruption: Error, CustomStringConvertible {
    public let path: String
    public let offset: Int
    public let reason: String

    public var description: String { "\(path) at byte offset \(offset): \(reason)" }
}

/// A frame read from a segment: its header, where it lies, and its payload.
struct Frame {
    var header: FrameHeader
    var segment: Int
    var offset: Int
    /// The decompressed payload: the batch's event records.
    var payload: [UInt8]
    /// Where the blocks of the payload start (one block for version 1).
    var blocks: [FrameBlock]

    /// Decodes every event of the frame, in position order.
    func events(path: String) throws -> [RecordedEvent] {
        var events: [RecordedEvent] = []
        events.reserveCapacity(header.count)
        try forEachEvent(path: path) { events.append($0) }
        return events
    }

    /// - Parameter positions: when given, only the events at these positions.
    func forEachEvent(path: String, positions: Set<Int>? = nil,
                      _ body: (RecordedEvent) throws -> Void) throws {
        var decoder = EventDecoder()
        try forEachEvent(path: path, positions: positions, decoder: &decoder, body)
    }

    /// Decodes with `decoder`, which a long read keeps from frame to frame.
    /// - Parameter positions: when given, only the events at these positions.
    func forEachEvent(path: String, positions: Set<Int>? = nil, decoder: inout EventDecoder,
                      _ body: (RecordedEvent) throws -> Void) throws {
        let header = header
        let wanted = positions.map { Set($0.map { $0 - header.firstPosition }) }
        do {
            try payload.withUnsafeBytes { bytes in
                var cursor = ByteCursor(bytes)
                var nextBlock = 0
                for index in 0..<header.count {
                    // Blocks start at event boundaries; a partial read trusts it.
                    if nextBlock < blocks.count, blocks[nextBlock].firstEvent == index {
                        guard cursor.offset == blocks[nextBlock].rawOffset else {
                            throw FrameFault.badPayload(
                                "block \(nextBlock) does not start at event \(index)")
                        }
                        nextBlock += 1
                    }
                    if let wanted, !wanted.contains(index) {
                        try EventRecord.skip(&cursor)
                        continue
                    }
                    let event = try decoder.decode(&cursor,
                                                   position: header.firstPosition + index,
                                                   frameRecordedAt: header.recordedAt)
                    try body(event)
                }
                if nextBlock != blocks.count {
                    throw FrameFault.badPayload("block \(nextBlock) starts after the last event")
                }
                if !cursor.isAtEnd {
                    throw FrameFault.badPayload(
                        "\(bytes.count - cursor.offset) bytes after the last event")
                }
            }
        } catch let fault as FrameFault {
            throw LogCorruption(path: path, offset: offset, reason: fault.description)
        }
    }
}

/// The directory of segment files: naming, listing, reading frames.
struct SegmentLog {
    let directory: String

    static let suffix = ".seg"

    func path(ofSegment first: Int) -> String {
        var digits = String(first)
        digits = String(repeating: "0", count: max(0, 20 - digits.count)) + digits
        return directory + "/" + digits + SegmentLog.suffix
    }

    /// First positions of the segments on disk, ascending.
    func segments() throws -> [Int] {
        try FileSystem.listDirectory(directory).compactMap { name in
            guard name.hasSuffix(SegmentLog.suffix) else { return nil }
            let digits = name.dropLast(SegmentLog.suffix.count)
            guard digits.count == 20, let first = Int(digits) else { return nil }
            return first
        }.sorted()
    }

    /// Reads and checks the frame at `offset` of segment `first`.
    /// - Complexity: two reads; O(frame size) to check and decompress.
    func readFrame(segment first: Int, offset: Int, file: POSIXFile? = nil,
                   decompressor: LZ4Decompressor? = nil) throws -> Frame {
        let path = path(ofSegment: first)
        let handle = try file ?? POSIXFile(path: path, flags: O_RDONLY)
        let headerBytes = try handle.read(count: FrameHeader.size, at: offset)
        let header: FrameHeader
        do {
            header = try headerBytes.withUnsafeBytes { bytes throws(FrameFault) in
                try FrameHeader.decode(bytes)
            }
        } catch let fault as FrameFault {
            throw LogCorruption(path: path, offset: offset, reason: fault.description)
        }
        // A damaged length must not make us allocate what the file cannot hold.
        let available = try handle.size - offset - FrameHeader.size
        let wanted = header.frameLength - FrameHeader.size
        guard wanted <= available else {
            throw LogCorruption(path: path, offset: offset, reason: FrameFault.truncated(
                "\(max(0, available)) of \(wanted) bytes after the header's fixed part")
                .description)
        }
        let rest = try handle.read(count: wanted, at: offset + FrameHeader.size)
        let tableLength = header.length - FrameHeader.size
        let fullHeader = headerBytes + rest[..<tableLength]
        let compressed = rest[tableLength...]
        return try fullHeader.withUnsafeBytes { h in
            try compressed.withUnsafeBytes { c in
                try Self.checkAndDecompress(header: header, headerBytes: h, compressed: c,
                                            segment: first, offset: offset, path: path,
                                            decompressor: decompressor ?? LZ4Decompressor())
            }
        }
    }

    static func checkAndDecompress(header: FrameHeader, headerBytes: UnsafeRawBufferPointer,
                                   compressed: UnsafeRawBufferPointer, segment: Int,
                                   offset: Int, path: String,
                                   decompressor: LZ4Decompressor) throws -> Frame {
        guard compressed.count == header.compressedLength else {
            throw LogCorruption(path: path, offset: offset, reason: FrameFault.truncated(
                "\(compressed.count) of \(header.compressedLength) payload bytes").description)
        }
        var payload: [UInt8] = []
        var blocks: [FrameBlock] = []
        do {
            try header.verifyChecksum(header: headerBytes, payload: compressed)
            blocks = try header.blocks(header: headerBytes)
            if header.version == 1 {
                try decompressor.decompress(compressed, expectedSize: header.rawLength,
                                            into: &payload)
            } else {
                payload = [UInt8](unsafeUninitializedCapacity: header.rawLength) { _, count in
                    count = header.rawLength
                }
                try payload.withUnsafeMutableBytes { out in
                    for (k, block) in blocks.enumerated() {
                        let next = k + 1 < blocks.count ? blocks[k + 1]
                            : FrameBlock(firstEvent: header.count,
                                         offset: header.compressedLength,
                                         rawOffset: header.rawLength)
                        try decompressor.decompress(
                            UnsafeRawBufferPointer(rebasing: compressed[block.offset..<next.offset]),
                            into: UnsafeMutableRawBufferPointer(
                                rebasing: out[block.rawOffset..<next.rawOffset]))
                    }
                }
            }
        } catch let fault as FrameFault {
            throw LogCorruption(path: path, offset: offset, reason: fault.description)
        } catch let error as LZ4Error {
            throw LogCorruption(path: path, offset: offset, reason: error.description)
        }
        return Frame(header: header, segment: segment, offset: offset, payload: payload,
                     blocks: blocks)
    }
}

/// Reads the frames of one segment in order with large buffered reads.
/// Used by full reads, `verify`, `reindex` and recovery.
struct SegmentScanner {
    let path: String
    let segment: Int
    private let file: POSIXFile
    private let decompressor: LZ4Decompressor
    private var buffer: [UInt8] = []
    /// How many bytes of `buffer` hold file data, from `bufferStart` on.
    private var filled = 0
    private var bufferStart = 0
    /// Byte offset of the next frame.
    private(set) var offset: Int
    /// Stop before this byte offset (the end of what the index knows), or nil for the file end.
    let limit: Int?

    static let chunkSize = 4 << 20

    init(log: SegmentLog, segment: Int, from offset: Int = 0, limit: Int? = nil) throws {
        self.path = log.path(ofSegment: segment)
        self.segment = segment
        self.file = try POSIXFile(path: path, flags: O_RDONLY)
        self.decompressor = try LZ4Decompressor()
        self.offset = offset
        self.limit = limit
        self.bufferStart = offset
    }

    /// The next whole, checked frame; nil at the end. A partial or damaged frame
    /// throws `LogCorruption` naming this segment and the frame's offset.
    mutating func next() throws -> Frame? {
        if let limit, offset >= limit { return nil }
        guard let headerRange = try range(at: offset, count: FrameHeader.size) else {
            let size = try file.size
            if size <= offset {
                // The index knows frames up to `limit`: a file that ends
                // before it has lost whole frames.
                if let limit, size < limit {
                    throw LogCorruption(path: path, offset: size, reason: FrameFault.truncated(
                        "the file ends \(limit - size) bytes before the index's last frame ends")
                        .description)
                }
                return nil
            }
            throw LogCorruption(path: path, offset: offset, reason: FrameFault.truncated(
                "\(size - offset) bytes where a frame header needs \(FrameHeader.size)")
                .description)
        }
        let header: FrameHeader
        do {
            header = try buffer.withUnsafeBytes { bytes throws(FrameFault) in
                try FrameHeader.decode(UnsafeRawBufferPointer(rebasing: bytes[headerRange]))
            }
        } catch let fault as FrameFault {
            throw LogCorruption(path: path, offset: offset, reason: fault.description)
        }
        guard let fullRange = try range(at: offset, count: header.length) else {
            let available = try file.size - offset
            throw LogCorruption(path: path, offset: offset, reason: FrameFault.truncated(
                "\(max(0, available)) bytes where the header needs \(header.length)")
                .description)
        }
        // Copy the header: reading the payload may refill the buffer.
        let headerBytes = Array(buffer[fullRange])
        let compressedStart = offset + header.length
        guard let payloadRange = try range(at: compressedStart, count: header.compressedLength)
        else {
            let available = try file.size - compressedStart
            throw LogCorruption(path: path, offset: offset, reason: FrameFault.truncated(
                "\(max(0, available)) of \(header.compressedLength) payload bytes").description)
        }
        let frame = try headerBytes.withUnsafeBytes { h in
            try buffer.withUnsafeBytes { bytes in
                try SegmentLog.checkAndDecompress(
                    header: header, headerBytes: h,
                    compressed: UnsafeRawBufferPointer(rebasing: bytes[payloadRange]),
                    segment: segment, offset: offset, path: path,
                    decompressor: decompressor)
            }
        }
        offset += header.frameLength
        return frame
    }

    /// Where `count` bytes at file offset `start` lie in the buffer, refilling
    /// it (in place, without a new allocation when it is large enough) when
    /// they are not there; nil when the file ends first.
    private mutating func range(at start: Int, count: Int) throws -> Range<Int>? {
        let end = start + count
        if start < bufferStart || end > bufferStart + filled {
            // A damaged length must not make us allocate what the file cannot hold.
            if end > (try file.size) { return nil }
            let want = max(count, SegmentScanner.chunkSize)
            if buffer.count < want { buffer = [UInt8](repeating: 0, count: want) }
            filled = try buffer.withUnsafeMutableBytes { bytes in
                try file.read(into: UnsafeMutableRawBufferPointer(rebasing: bytes[0..<want]),
                              at: start)
            }
            bufferStart = start
            if filled < count { return nil }
        }
        let from = start - bufferStart
        return from..<(from + count)
    }
}

#if canImport(Glibc)
import Glibc
#endif
