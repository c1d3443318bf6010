// MARK: - The segment format
//
// The log is a directory of segment files, `<store>/log/<P>.seg`, where P is
// the first position the segment holds, written as 20 decimal digits so that
// names sort in position order. A segment is a plain concatenation of frames
// with no file header: one frame per append batch. Only the last segment (the
// tail) is ever written; once the store rolls to a new segment (when the tail
// has reached the configured size) the old one is sealed and never written again.
//
// A frame is two standard LZ4 frames back to back, so that the `lz4` tool can
// check (`lz4 -t`) and read (`lz4 -dc`) a whole segment:
//
//   1. An LZ4 *skippable* frame holding evstore's frame header. `lz4` skips it.
//        bytes 0-3    magic 0x184D2A5E, little endian (a skippable-frame magic)
//        bytes 4-7    40, the size of the header that follows, little endian
//      then the 40-byte header, all integers little endian:
//        bytes 0-3    "EVF1", the header's own magic and format version
//        bytes 4-11   first position of the batch (u64)
//        bytes 12-15  number of events in the batch (u32, at least 1)
//        bytes 16-19  length of the LZ4 frame that follows (u32)
//        bytes 20-23  length of the payload once decompressed (u32)
//        bytes 24-31  recorded_at of the batch's last event, microseconds
//                     since the Unix epoch in UTC (i64)
//        bytes 32-35  reserved, zero
//        bytes 36-39  CRC-32 (zlib's polynomial) of header bytes 0-35 followed
//                     by every byte of the LZ4 frame that follows
//   2. A standard LZ4 frame (content size and content checksum flags set)
//      whose content is the payload: the batch's events, one record after
//      another, each as
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
// content checksum (xxHash-32) covers the decompressed payload as well.
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
    static let magic: [UInt8] = Array("EVF1".utf8)
    /// Header bytes, the LZ4 skippable frame's 8 bytes included.
    static let size = 48
    static let contentSize = 40

    var firstPosition: Int
    var count: Int
    var compressedLength: Int
    var rawLength: Int
    var recordedAt: Int64
    var checksum: UInt32

    /// Bytes the whole frame takes in its segment.
    var frameLength: Int { FrameHeader.size + compressedLength }
    var lastPosition: Int { firstPosition + count - 1 }

    /// Serialises the header; the checksum is computed over these bytes and `payload`.
    static func encode(firstPosition: Int, count: Int, rawLength: Int, recordedAt: Int64,
                       payload: [UInt8]) -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(size + payload.count)
        bytes.appendLittleEndian(skippableMagic)
        bytes.appendLittleEndian(UInt32(contentSize))
        bytes.append(contentsOf: magic)
        bytes.appendLittleEndian(UInt64(firstPosition))
        bytes.appendLittleEndian(UInt32(count))
        bytes.appendLittleEndian(UInt32(payload.count))
        bytes.appendLittleEndian(UInt32(rawLength))
        bytes.appendLittleEndian(UInt64(bitPattern: recordedAt))
        bytes.appendLittleEndian(UInt32(0))
        let crc = bytes.withUnsafeBytes { header in
            let headerCRC = Checksum.crc32(UnsafeRawBufferPointer(rebasing: header[8..<44]))
            return payload.withUnsafeBytes { Checksum.crc32($0, seed: headerCRC) }
        }
        bytes.appendLittleEndian(crc)
        return bytes
    }

    /// Parses the 48 bytes at the start of a frame, checking magics and sizes.
    /// The checksum is checked separately (`verifyChecksum`), once the
    /// compressed bytes are at hand.
    static func decode(_ bytes: UnsafeRawBufferPointer) throws(FrameFault) -> FrameHeader {
        guard bytes.count >= size else { throw .truncated("header is \(bytes.count) bytes") }
        guard bytes.loadLittleEndianUInt32(at: 0) == skippableMagic else {
            throw .badHeader("no skippable-frame magic")
        }
        guard bytes.loadLittleEndianUInt32(at: 4) == UInt32(contentSize),
              Array(bytes[8..<12]) == magic else {
            throw .badHeader("not an evstore frame header")
        }
        let first = bytes.loadLittleEndianUInt64(at: 12)
        let count = Int(bytes.loadLittleEndianUInt32(at: 20))
        guard first >= 1, first < UInt64(Int64.max / 2), count >= 1 else {
            throw .badHeader("position \(first) or count \(count) is out of range")
        }
        return FrameHeader(
            firstPosition: Int(first),
            count: count,
            compressedLength: Int(bytes.loadLittleEndianUInt32(at: 24)),
            rawLength: Int(bytes.loadLittleEndianUInt32(at: 28)),
            recordedAt: Int64(bitPattern: bytes.loadLittleEndianUInt64(at: 32)),
            checksum: bytes.loadLittleEndianUInt32(at: 44))
    }

    /// Checks the CRC over header bytes and the compressed payload.
    func verifyChecksum(header: UnsafeRawBufferPointer,
                        payload: UnsafeRawBufferPointer) throws(FrameFault) {
        let headerCRC = Checksum.crc32(UnsafeRawBufferPointer(rebasing: header[8..<44]))
        let crc = Checksum.crc32(payload, seed: headerCRC)
        if crc != checksum {
            throw .checksumMismatch("header says \(checksum), bytes give \(crc)")
        }
    }
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
        let source = bytes.baseAddress
        return [UInt8](unsafeUninitializedCapacity: range.count) { buffer, count in
            if let source, let target = buffer.baseAddress, !range.isEmpty {
                target.initialize(from: source.advanced(by: range.lowerBound)
                    .assumingMemoryBound(to: UInt8.self), count: range.count)
            }
            count = range.count
        }
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
    /// The bytes of one frame holding `records`, the first at `firstPosition`.
    /// The bytes of the frame and the length of its decompressed payload.
    static func encode(records: [EventRecord], firstPosition: Int,
                       recordedAt: Int64) throws -> (bytes: [UInt8], rawLength: Int) {
        var payload: [UInt8] = []
        payload.reserveCapacity(records.reduce(0) { $0 + $1.data.count + $1.metadata.count + 64 })
        for record in records { record.encode(into: &payload) }
        let compressed = try payload.withUnsafeBytes { try LZ4Frame.compress($0) }
        var frame = FrameHeader.encode(firstPosition: firstPosition, count: records.count,
                                       rawLength: payload.count, recordedAt: recordedAt,
                                       payload: compressed)
        frame.append(contentsOf: compressed)
        return (frame, payload.count)
    }
}
