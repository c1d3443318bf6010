// MARK: - The segment format
//
// The log is a directory of segment files, `<store>/log/<P>.seg`, where P is
// the first position the segment holds, written as 20 decimal digits so that
// names sort in position order. A segment is a plain concatenation of frames
// with no file header: one frame per append batch. Only the last segment (the
// tail) is ever written; once the store rolls to a new segment (when the tail
// has reached the configured size) the old one is sealed and never written again.
//
// A frame is an LZ4 skippable frame holding evstore's header, followed by
// standard LZ4 frames, so that the `lz4` tool can check (`lz4 -t`) and read
// (`lz4 -dc`) a whole segment. There are two versions; the store writes
// version 2 and reads both (stores written before version 2 keep working).
//
//   1. An LZ4 *skippable* frame holding evstore's frame header. `lz4` skips it.
//        bytes 0-3    magic 0x184D2A5E, little endian (a skippable-frame magic)
//        bytes 4-7    the size S of the header that follows, little endian:
//                     40 in version 1, 40 + 12 * blocks + 4 in version 2
//      then the header, all integers little endian:
//        bytes 0-3    "EVF1" or "EVF2", the header's own magic and version
//        bytes 4-11   first position of the batch (u64)
//        bytes 12-15  number of events in the batch (u32, at least 1)
//        bytes 16-19  length of the compressed part that follows (u32)
//        bytes 20-23  length of the payload once decompressed (u32)
//        bytes 24-31  recorded_at of the batch's last event, microseconds
//                     since the Unix epoch in UTC (i64)
//        bytes 32-35  version 1: reserved, zero; version 2: the number of
//                     blocks (u32, at least 1, at most the number of events)
//        bytes 36-39  CRC-32 (zlib's polynomial) of header bytes 0-35, then
//                     header bytes 40 to S (the block table and its CRC,
//                     version 2 only), then every byte of the compressed part
//      version 2 only, the block table, one 12-byte entry per block:
//        bytes 0-3    index in the batch of the block's first event (u32)
//        bytes 4-7    offset of the block in the compressed part (u32)
//        bytes 8-11   offset of the block's first byte in the payload (u32)
//      and after it a CRC-32 of header bytes 0-35 and the table, so that a
//      reader can trust the table without reading the whole frame.
//   2. The compressed part. Version 1: one standard LZ4 frame (content size
//      and content checksum flags set) whose content is the whole payload.
//      Version 2: one such LZ4 frame per block, back to back; block k holds
//      the records of its events, whole, and the blocks' contents in order
//      are the payload. A block holds about `FrameEncoder.blockSize` bytes
//      (more when one event is larger), so that reading one event means
//      decompressing a few kilobytes rather than the whole batch.
//   The payload is the batch's events, one record after another, each as
//        varint stream length, stream (UTF-8, NFC)
//        varint version (1-based within the stream)
//        varint id length, id (UTF-8)
//        varint type length, type (UTF-8)
//        zig-zag varint occurred_at (microseconds since the epoch, UTC)
//        varint recorded_at, as microseconds before the header's recorded_at
//                     (0 for an ordinary append, where one batch shares one
//                     time; an import that preserves recorded times differs)
//        varint data length, data (the JSON object's bytes exactly as given)
//        varint metadata length, metadata (JSON object bytes; `{}` when none)
//      Varints are unsigned LEB128. Positions are not stored per event: the
//      event at index i of the batch has position first + i.
//
// Checksums: the header CRC covers the header and the compressed bytes, so a
// flipped bit anywhere in a frame is found without decompressing; the LZ4
// content checksums (xxHash-32) cover the decompressed payload as well. A
// full read and `verify` check all of them. A read of a few events of a
// version 2 frame checks the table CRC and the content checksum of each
// block it decompresses: every byte it returns is checked, without reading
// the blocks it does not need.
//
// A torn tail is what a crash in the middle of an append leaves: the last
// frame of the tail segment is shorter than its header says, or its checksum
// does not match. Nothing acknowledged can be in it (an append is acknowledged
// only after its frame is synced), so recovery cuts the tail segment back to
// the end of the last whole frame.

import EventModel

/// The evstore header at the start of every frame.
struct FrameHeader: Equatable {
    static let skippableMagic: UInt32 = 0x184D_2A5E
    static let magicV1: [UInt8] = Array("EVF1".utf8)
    static let magicV2: [UInt8] = Array("EVF2".utf8)
    /// Bytes of the fixed part of a header, the LZ4 skippable frame's 8 bytes
    /// included (the whole header in version 1).
    static let size = 48
    static let contentSize = 40

    /// 1 or 2 (see the format above).
    var version: Int
    var firstPosition: Int
    var count: Int
    var compressedLength: Int
    var rawLength: Int
    var recordedAt: Int64
    /// Blocks in the table (version 2); 0 in version 1.
    var blockCount: Int
    var checksum: UInt32

    /// Bytes the whole header takes: the fixed part, then (version 2) the
    /// block table and its CRC.
    var length: Int { version == 1 ? Self.size : Self.size + blockCount * FrameBlock.size + 4 }
    /// Bytes the whole frame takes in its segment.
    var frameLength: Int { length + compressedLength }
    var lastPosition: Int { firstPosition + count - 1 }

    /// Serialises a version 2 header with its block table; the checksums
    /// are computed over these bytes and `payload` (the compressed part).
    static func encode(firstPosition: Int, count: Int, rawLength: Int, recordedAt: Int64,
                       blocks: [FrameBlock], payload: [UInt8]) -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(size + blocks.count * FrameBlock.size + 4 + payload.count)
        bytes.appendLittleEndian(skippableMagic)
        bytes.appendLittleEndian(UInt32(contentSize + blocks.count * FrameBlock.size + 4))
        bytes.append(contentsOf: magicV2)
        bytes.appendLittleEndian(UInt64(firstPosition))
        bytes.appendLittleEndian(UInt32(count))
        bytes.appendLittleEndian(UInt32(payload.count))
        bytes.appendLittleEndian(UInt32(rawLength))
        bytes.appendLittleEndian(UInt64(bitPattern: recordedAt))
        bytes.appendLittleEndian(UInt32(blocks.count))
        bytes.appendLittleEndian(UInt32(0))  // the frame CRC, set below
        for block in blocks {
            bytes.appendLittleEndian(UInt32(block.firstEvent))
            bytes.appendLittleEndian(UInt32(block.offset))
            bytes.appendLittleEndian(UInt32(block.rawOffset))
        }
        let tableCRC = bytes.withUnsafeBytes { tableChecksum(header: $0) }
        bytes.appendLittleEndian(tableCRC)
        let crc = bytes.withUnsafeBytes { header in
            payload.withUnsafeBytes { frameChecksum(header: header, payload: $0) }
        }
        bytes.withUnsafeMutableBytes { $0.storeBytes(of: crc.littleEndian, toByteOffset: 44,
                                                     as: UInt32.self) }
        return bytes
    }

    /// Serialises a version 1 header (what stores wrote before version 2);
    /// kept so that tests can build old frames.
    static func encodeVersion1(firstPosition: Int, count: Int, rawLength: Int,
                               recordedAt: Int64, payload: [UInt8]) -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(size + payload.count)
        bytes.appendLittleEndian(skippableMagic)
        bytes.appendLittleEndian(UInt32(contentSize))
        bytes.append(contentsOf: magicV1)
        bytes.appendLittleEndian(UInt64(firstPosition))
        bytes.appendLittleEndian(UInt32(count))
        bytes.appendLittleEndian(UInt32(payload.count))
        bytes.appendLittleEndian(UInt32(rawLength))
        bytes.appendLittleEndian(UInt64(bitPattern: recordedAt))
        bytes.appendLittleEndian(UInt32(0))
        bytes.appendLittleEndian(UInt32(0))  // the frame CRC, set below
        let crc = bytes.withUnsafeBytes { header in
            payload.withUnsafeBytes { frameChecksum(header: header, payload: $0) }
        }
        bytes.withUnsafeMutableBytes { $0.storeBytes(of: crc.littleEndian, toByteOffset: 44,
                                                     as: UInt32.self) }
        return bytes
    }

    /// Parses the 48 bytes at the start of a frame, checking magics and sizes.
    /// The checksums are checked separately (`verifyChecksum`,
    /// `blocks(header:)`), once the bytes they cover are at hand.
    static func decode(_ bytes: UnsafeRawBufferPointer) throws(FrameFault) -> FrameHeader {
        guard bytes.count >= size else { throw .truncated("header is \(bytes.count) bytes") }
        guard bytes.loadLittleEndianUInt32(at: 0) == skippableMagic else {
            throw .badHeader("no skippable-frame magic")
        }
        let magic = Array(bytes[8..<12])
        let version = magic == magicV1 ? 1 : magic == magicV2 ? 2 : 0
        guard version != 0 else { throw .badHeader("not an evstore frame header") }
        let first = bytes.loadLittleEndianUInt64(at: 12)
        let count = Int(bytes.loadLittleEndianUInt32(at: 20))
        guard first >= 1, first < UInt64(Int64.max / 2), count >= 1 else {
            throw .badHeader("position \(first) or count \(count) is out of range")
        }
        let blocks = version == 1 ? 0 : Int(bytes.loadLittleEndianUInt32(at: 40))
        guard version == 1 || (blocks >= 1 && blocks <= count) else {
            throw .badHeader("\(blocks) blocks for \(count) events")
        }
        let header = FrameHeader(
            version: version,
            firstPosition: Int(first),
            count: count,
            compressedLength: Int(bytes.loadLittleEndianUInt32(at: 24)),
            rawLength: Int(bytes.loadLittleEndianUInt32(at: 28)),
            recordedAt: Int64(bitPattern: bytes.loadLittleEndianUInt64(at: 32)),
            blockCount: blocks,
            checksum: bytes.loadLittleEndianUInt32(at: 44))
        guard Int(bytes.loadLittleEndianUInt32(at: 4)) == header.length - 8 else {
            throw .badHeader("header size does not match its version and blocks")
        }
        return header
    }

    /// Checks the frame CRC over the whole header and the compressed part.
    func verifyChecksum(header: UnsafeRawBufferPointer,
                        payload: UnsafeRawBufferPointer) throws(FrameFault) {
        let crc = Self.frameChecksum(header: UnsafeRawBufferPointer(rebasing: header[..<length]),
                                     payload: payload)
        if crc != checksum {
            throw .checksumMismatch("header says \(checksum), bytes give \(crc)")
        }
    }

    /// The block table of a version 2 header (`header` holds all `length`
    /// bytes), checked against its CRC and for order and bounds; version 1
    /// frames have one implicit block, the whole payload.
    func blocks(header: UnsafeRawBufferPointer) throws(FrameFault) -> [FrameBlock] {
        guard version == 2 else { return [FrameBlock(firstEvent: 0, offset: 0, rawOffset: 0)] }
        let table = UnsafeRawBufferPointer(rebasing: header[..<length])
        let stored = table.loadLittleEndianUInt32(at: length - 4)
        let crc = Self.tableChecksum(header: UnsafeRawBufferPointer(rebasing: table[..<(length - 4)]))
        guard crc == stored else {
            throw .checksumMismatch("block table says \(stored), bytes give \(crc)")
        }
        var blocks: [FrameBlock] = []
        blocks.reserveCapacity(blockCount)
        for k in 0..<blockCount {
            let at = Self.size + k * FrameBlock.size
            let block = FrameBlock(firstEvent: Int(table.loadLittleEndianUInt32(at: at)),
                                   offset: Int(table.loadLittleEndianUInt32(at: at + 4)),
                                   rawOffset: Int(table.loadLittleEndianUInt32(at: at + 8)))
            let inOrder: Bool
            if let previous = blocks.last {
                inOrder = block.firstEvent > previous.firstEvent
                    && block.offset > previous.offset && block.rawOffset > previous.rawOffset
            } else {
                inOrder = block == FrameBlock(firstEvent: 0, offset: 0, rawOffset: 0)
            }
            guard inOrder, block.firstEvent < count, block.offset < compressedLength,
                  block.rawOffset < rawLength
            else {
                throw .badHeader("block \(k) of the table is out of order or out of range")
            }
            blocks.append(block)
        }
        return blocks
    }

    /// The frame CRC: header bytes 8-43 (the header's bytes 0-35), the rest
    /// of the header after the CRC field, then the compressed part.
    static func frameChecksum(header: UnsafeRawBufferPointer,
                              payload: UnsafeRawBufferPointer) -> UInt32 {
        var crc = Checksum.crc32(UnsafeRawBufferPointer(rebasing: header[8..<44]))
        crc = Checksum.crc32(UnsafeRawBufferPointer(rebasing: header[48...]), seed: crc)
        return Checksum.crc32(payload, seed: crc)
    }

    /// The table CRC: header bytes 8-43, then the block table (`header` ends
    /// where the table does).
    static func tableChecksum(header: UnsafeRawBufferPointer) -> UInt32 {
        let crc = Checksum.crc32(UnsafeRawBufferPointer(rebasing: header[8..<44]))
        return Checksum.crc32(UnsafeRawBufferPointer(rebasing: header[48...]), seed: crc)
    }
}

/// One entry of a version 2 frame's block table.
struct FrameBlock: Equatable {
    static let size = 12

    /// Index in the batch of the block's first event.
    var firstEvent: Int
    /// Where the block's LZ4 frame starts in the frame's compressed part.
    var offset: Int
    /// Where the block's content starts in the payload.
    var rawOffset: Int
}

/// What is wrong with a frame; the reader adds the file and offset.
enum FrameFault: Error, CustomStringConvertible {
    case truncated(String)
    case badHeader(String)
    case checksumMismatch(String)
    case badPayload(String)

    var description: String {
        switch self {
        case .truncated(let why): return "truncated frame (\(why))"
        case .badHeader(let why): return "bad frame header (\(why))"
        case .checksumMismatch(let why): return "frame checksum mismatch (\(why))"
        case .badPayload(let why): return "bad frame payload (\(why))"
        }
    }

    /// True for the faults a crash mid-append leaves at the end of the tail.
    var isTornTail: Bool {
        switch self {
        case .truncated, .checksumMismatch, .badHeader: return true
        case .badPayload: return false
        }
    }
}

// MARK: - Event records

/// One event as it is encoded inside a frame's payload.
struct EventRecord {
    var stream: String
    var version: Int
    var id: String
    var type: String
    var occurredAt: Int64
    /// Microseconds before the frame's recorded_at (never negative).
    var recordedBefore: Int64
    var data: [UInt8]
    var metadata: [UInt8]

    func encode(into bytes: inout [UInt8]) {
        bytes.appendString(stream)
        bytes.appendVarint(UInt64(version))
        bytes.appendString(id)
        bytes.appendString(type)
        bytes.appendVarint(UInt64(bitPattern: (occurredAt << 1) ^ (occurredAt >> 63)))
        bytes.appendVarint(UInt64(recordedBefore))
        bytes.appendVarint(UInt64(data.count))
        bytes.append(contentsOf: data)
        bytes.appendVarint(UInt64(metadata.count))
        bytes.append(contentsOf: metadata)
    }

    /// Moves past one record, checking only that its fields fit the payload.
    static func skip(_ cursor: inout ByteCursor) throws(FrameFault) {
        _ = try cursor.span()       // stream
        _ = try cursor.varint()     // version
        _ = try cursor.span()       // id
        _ = try cursor.span()       // type
        _ = try cursor.varint()     // occurred_at
        _ = try cursor.varint()     // recorded_at
        _ = try cursor.span()       // data
        _ = try cursor.span()       // metadata
    }
}

/// Reads varints and length-prefixed fields from a payload, bounds-checked.
struct ByteCursor {
    let bytes: UnsafeRawBufferPointer
    private(set) var offset = 0

    init(_ bytes: UnsafeRawBufferPointer) { self.bytes = bytes }

    var isAtEnd: Bool { offset == bytes.count }

    @inline(__always)
    mutating func varint() throws(FrameFault) -> UInt64 {
        // Most fields (versions, short lengths) fit one byte.
        if offset < bytes.count {
            let byte = bytes[offset]
            if byte < 0x80 {
                offset += 1
                return UInt64(byte)
            }
        }
        return try longVarint()
    }

    private mutating func longVarint() throws(FrameFault) -> UInt64 {
        var value: UInt64 = 0
        var shift: UInt64 = 0
        while true {
            guard offset < bytes.count else { throw .badPayload("varint runs past the payload") }
            let byte = bytes[offset]
            offset += 1
            guard shift < 64 else { throw .badPayload("varint is too long") }
            value |= UInt64(byte & 0x7F) << shift
            if byte & 0x80 == 0 { return value }
            shift += 7
        }
    }

    mutating func span() throws(FrameFault) -> Range<Int> {
        let length = try varint()
        guard length <= UInt64(bytes.count - offset) else {
            throw .badPayload("field of \(length) bytes runs past the payload")
        }
        let range = offset..<(offset + Int(length))
        offset += Int(length)
        return range
    }

    mutating func byteArray() throws(FrameFault) -> [UInt8] {
        let range = try span()
        // The payload is bytes; `Array(UnsafeBufferPointer)` is specialised
        // in our module and about twice as fast here as building the array
        // through `init(unsafeUninitializedCapacity:)`.
        return Array(UnsafeRawBufferPointer(rebasing: bytes[range]).assumingMemoryBound(to: UInt8.self))
    }
}

// MARK: - Little-endian helpers

extension Array where Element == UInt8 {
    mutating func appendLittleEndian(_ value: UInt32) {
        Swift.withUnsafeBytes(of: value.littleEndian) { append(contentsOf: $0) }
    }

    mutating func appendLittleEndian(_ value: UInt64) {
        Swift.withUnsafeBytes(of: value.littleEndian) { append(contentsOf: $0) }
    }

    mutating func appendVarint(_ value: UInt64) {
        var rest = value
        while rest >= 0x80 {
            append(UInt8(truncatingIfNeeded: rest) | 0x80)
            rest >>= 7
        }
        append(UInt8(rest))
    }

    mutating func appendString(_ text: String) {
        var copy = text
        copy.withUTF8 { utf8 in
            appendVarint(UInt64(utf8.count))
            append(contentsOf: utf8)
        }
    }
}

extension UnsafeRawBufferPointer {
    func loadLittleEndianUInt32(at offset: Int) -> UInt32 {
        UInt32(littleEndian: loadUnaligned(fromByteOffset: offset, as: UInt32.self))
    }

    func loadLittleEndianUInt64(at offset: Int) -> UInt64 {
        UInt64(littleEndian: loadUnaligned(fromByteOffset: offset, as: UInt64.self))
    }
}

// MARK: - Encoding a whole frame

enum FrameEncoder {
    /// The payload bytes after which a block is closed (at the end of the
    /// event that reaches it). Small enough that reading one event costs a
    /// few microseconds, large enough that LZ4 still finds the repetition
    /// between neighbouring events.
    static let blockSize = 4096

    /// The bytes of one (version 2) frame holding `records`, the first at
    /// `firstPosition`, and the length of its decompressed payload.
    static func encode(records: [EventRecord], firstPosition: Int,
                       recordedAt: Int64) throws -> (bytes: [UInt8], rawLength: Int) {
        var payload: [UInt8] = []
        payload.reserveCapacity(records.reduce(0) { $0 + $1.data.count + $1.metadata.count + 64 })
        var blocks: [FrameBlock] = []
        var blockStart = 0
        var compressed: [UInt8] = []
        compressed.reserveCapacity(payload.capacity / 2)
        let compressor = try LZ4Compressor()
        for (index, record) in records.enumerated() {
            if payload.count == blockStart {
                blocks.append(FrameBlock(firstEvent: index, offset: compressed.count,
                                         rawOffset: blockStart))
            }
            record.encode(into: &payload)
            if payload.count - blockStart >= blockSize || index == records.count - 1 {
                try payload.withUnsafeBytes { bytes in
                    try compressor.compress(
                        UnsafeRawBufferPointer(rebasing: bytes[blockStart...]),
                        appendingTo: &compressed)
                }
                blockStart = payload.count
            }
        }
        var frame = FrameHeader.encode(firstPosition: firstPosition, count: records.count,
                                       rawLength: payload.count, recordedAt: recordedAt,
                                       blocks: blocks, payload: compressed)
        frame.append(contentsOf: compressed)
        return (frame, payload.count)
    }

    /// A version 1 frame (one LZ4 frame for the whole payload), as stores
    /// wrote before version 2; only tests write these now.
    static func encodeVersion1(records: [EventRecord], firstPosition: Int,
                               recordedAt: Int64) throws -> [UInt8] {
        var payload: [UInt8] = []
        for record in records { record.encode(into: &payload) }
        var compressed: [UInt8] = []
        try payload.withUnsafeBytes { try LZ4Frame.compress($0, appendingTo: &compressed) }
        var frame = FrameHeader.encodeVersion1(firstPosition: firstPosition,
                                               count: records.count, rawLength: payload.count,
                                               recordedAt: recordedAt, payload: compressed)
        frame.append(contentsOf: compressed)
        return frame
    }
}
