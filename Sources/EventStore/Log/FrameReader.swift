import EventModel

/// Reads a few events out of frames the index located, decompressing only
/// the blocks of a version 2 frame that hold them (version 1 frames are
/// read whole). Used by stream reads; one reader serves one call, keeping
/// its segment files open and its buffers between frames.
///
/// Every byte returned is checked: the block table against its CRC, each
/// block against its LZ4 content checksum. Damage elsewhere in the frame is
/// left to full reads and `verify`, which check the whole frame.
struct FrameReader {
    let log: SegmentLog
    private var files: [Int: (file: POSIXFile, path: String)] = [:]
    private let decompressor: LZ4Decompressor
    private var decoder = EventDecoder(streamSlots: 16, typeSlots: 64)
    private var block: [UInt8] = []

    /// Bytes read at once at the start of a frame: enough for the header
    /// and block table of a frame whose blocks are all of about
    /// `FrameEncoder.blockSize` bytes (a second read fetches the rest of a
    /// larger table).
    static func prefixSize(_ location: FrameLocation) -> Int {
        let blocks = location.rawLength / FrameEncoder.blockSize + 2
        return min(location.length, FrameHeader.size + blocks * FrameBlock.size + 4)
    }

    init(log: SegmentLog) throws {
        self.log = log
        self.decompressor = try LZ4Decompressor()
    }

    /// The events at `positions` (all inside `location`), by position.
    /// - Complexity: two or three reads, and decompression of the blocks
    ///   that hold the events (a few kilobytes each).
    mutating func events(in location: FrameLocation,
                         at positions: [Int]) throws -> [Int: RecordedEvent] {
        let (file, path) = try self.file(segment: location.segment)
        let corruption = { (reason: String) in
            LogCorruption(path: path, offset: location.offset, reason: reason)
        }
        // The index is checked against the file before it sizes any read.
        guard location.length >= FrameHeader.size, location.end <= (try file.size) else {
            throw corruption(FrameFault.truncated(
                "the index places a frame of \(location.length) bytes past the file's end")
                .description)
        }
        let prefix = try file.read(count: Self.prefixSize(location), at: location.offset)
        let header: FrameHeader
        do {
            header = try prefix.withUnsafeBytes { bytes throws(FrameFault) in
                try FrameHeader.decode(bytes)
            }
        } catch let fault as FrameFault {
            throw corruption(fault.description)
        }
        guard header.firstPosition == location.firstPosition,
              header.lastPosition == location.lastPosition,
              header.frameLength == location.length else {
            throw corruption("the frame's header does not match the index; run `evstore verify`")
        }
        if header.version == 1 {
            return try wholeFrame(location, positions: positions, file: file, path: path)
        }

        let headerBytes = header.length <= prefix.count
            ? Array(prefix[..<header.length])
            : try file.read(count: header.length, at: location.offset)
        let blocks: [FrameBlock]
        do {
            blocks = try headerBytes.withUnsafeBytes { bytes throws(FrameFault) in
                try header.blocks(header: bytes)
            }
        } catch let fault as FrameFault {
            throw corruption(fault.description)
        }

        var events: [Int: RecordedEvent] = [:]
        let indexes = positions.map { $0 - header.firstPosition }.sorted()
        var next = 0
        while next < indexes.count {
            let k = Self.block(holding: indexes[next], in: blocks)
            let end = k + 1 < blocks.count ? blocks[k + 1]
                : FrameBlock(firstEvent: header.count, offset: header.compressedLength,
                             rawOffset: header.rawLength)
            var last = next
            while last + 1 < indexes.count, indexes[last + 1] < end.firstEvent { last += 1 }
            let wanted = Set(indexes[next...last])
            do {
                let length = try decompressBlock(blocks[k], end: end, header: header,
                                                 location: location, prefix: prefix, file: file)
                try decodeBlock(length: length, first: blocks[k].firstEvent,
                                upTo: indexes[last], wanted: wanted,
                                header: header) { events[$0.position] = $0 }
            } catch let fault as FrameFault {
                throw corruption(fault.description)
            } catch let error as LZ4Error {
                throw corruption("block \(k): \(error.description)")
            }
            next = last + 1
        }
        return events
    }

    /// The last block whose first event is at or before `index`.
    static func block(holding index: Int, in blocks: [FrameBlock]) -> Int {
        var low = 0
        var high = blocks.count - 1
        while low < high {
            let middle = (low + high + 1) / 2
            if blocks[middle].firstEvent <= index { low = middle } else { high = middle - 1 }
        }
        return low
    }

    /// Reads (from the prefix when it holds them) and decompresses one block
    /// into the start of `block`, checking its content checksum; returns its
    /// length.
    private mutating func decompressBlock(_ start: FrameBlock, end: FrameBlock,
                                          header: FrameHeader, location: FrameLocation,
                                          prefix: [UInt8], file: POSIXFile) throws -> Int {
        let from = header.length + start.offset
        let to = header.length + end.offset
        let rawCount = end.rawOffset - start.rawOffset
        if block.count < rawCount {
            block = [UInt8](repeating: 0, count: max(rawCount, FrameEncoder.blockSize * 2))
        }
        let compressed = to <= prefix.count
            ? Array(prefix[from..<to])
            : try file.read(count: to - from, at: location.offset + from)
        guard compressed.count == to - from else {
            throw FrameFault.truncated("\(compressed.count) of \(to - from) block bytes")
        }
        let decompressor = decompressor
        try compressed.withUnsafeBytes { source in
            try block.withUnsafeMutableBytes { out in
                try decompressor.decompress(
                    source, into: UnsafeMutableRawBufferPointer(rebasing: out[..<rawCount]))
            }
        }
        return rawCount
    }

    /// Decodes the events of the block (the first `length` bytes of
    /// `block`) from its first up to `last`, keeping the wanted ones; an
    /// event running past the block is a fault.
    private mutating func decodeBlock(length: Int, first: Int, upTo last: Int,
                                      wanted: Set<Int>, header: FrameHeader,
                                      _ body: (RecordedEvent) -> Void) throws {
        var decoder = decoder
        defer { self.decoder = decoder }
        try block.withUnsafeBytes { bytes in
            var cursor = ByteCursor(UnsafeRawBufferPointer(rebasing: bytes[..<length]))
            for index in first...last {
                if !wanted.contains(index) {
                    try EventRecord.skip(&cursor)
                    continue
                }
                body(try decoder.decode(&cursor, position: header.firstPosition + index,
                                        frameRecordedAt: header.recordedAt))
            }
        }
    }

    private func wholeFrame(_ location: FrameLocation, positions: [Int], file: POSIXFile,
                            path: String) throws -> [Int: RecordedEvent] {
        var events: [Int: RecordedEvent] = [:]
        try log.readFrame(segment: location.segment, offset: location.offset, file: file,
                          decompressor: decompressor)
            .forEachEvent(path: path, positions: Set(positions)) { events[$0.position] = $0 }
        return events
    }

    private mutating func file(segment: Int) throws -> (file: POSIXFile, path: String) {
        if let open = files[segment] { return open }
        let path = log.path(ofSegment: segment)
        let file = try POSIXFile(path: path, flags: O_RDONLY)
        files[segment] = (file, path)
        return (file, path)
    }
}

#if canImport(Glibc)
import Glibc
#endif
