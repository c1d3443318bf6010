import EventModel
#if canImport(Glibc)
import Glibc
#endif

/// Turns the records of frame payloads into `RecordedEvent`s.
///
/// Streams and types repeat from event to event, so the decoder keeps the
/// strings it made for them and hands out the same string again for the same
/// bytes: a full read then allocates for the id, data and metadata of an
/// event, not for its stream and type. A decoder lives for one read; it is
/// not shared between threads.
struct EventDecoder {
    private var streams: TextCache
    private var types: TextCache

    /// - Parameters: cache slots (powers of two); a full read meets many
    ///   streams, a stream read one.
    init(streamSlots: Int = 4096, typeSlots: Int = 512) {
        streams = TextCache(slots: streamSlots)
        types = TextCache(slots: typeSlots)
    }

    /// Decodes the record at the cursor into the event at `position`.
    mutating func decode(_ cursor: inout ByteCursor, position: Int,
                         frameRecordedAt: Int64) throws(FrameFault) -> RecordedEvent {
        let stream = try streams.text(cursor.bytes, cursor.span())
        let version = try cursor.varint()
        let id = try Text.validated(cursor.bytes, cursor.span())
        let type = try types.text(cursor.bytes, cursor.span())
        let zigzag = try cursor.varint()
        let occurredAt = Int64(bitPattern: zigzag >> 1) ^ -Int64(bitPattern: zigzag & 1)
        let recordedBefore = try cursor.varint()
        let data = try cursor.byteArray()
        let metadata = try cursor.byteArray()
        guard version >= 1, version < UInt64(Int64.max), recordedBefore < UInt64(Int64.max)
        else {
            throw .badPayload("version \(version) or recorded time is out of range")
        }
        return RecordedEvent(
            position: position, stream: stream, version: Int(version), id: id, type: type,
            occurredAt: Timestamp(microseconds: occurredAt),
            recordedAt: Timestamp(microseconds: frameRecordedAt - Int64(recordedBefore)),
            data: data, metadata: metadata)
    }
}

/// UTF-8 text fields of a payload, checked.
enum Text {
    /// The string of `bytes[range]`, or a fault when they are not valid UTF-8.
    static func validated(_ bytes: UnsafeRawBufferPointer,
                          _ range: Range<Int>) throws(FrameFault) -> String {
        let slice = UnsafeRawBufferPointer(rebasing: bytes[range])
        let utf8 = slice.assumingMemoryBound(to: UInt8.self)
        // ASCII is always valid UTF-8: the common case needs no comparison.
        if isASCII(slice) { return String(decoding: utf8, as: UTF8.self) }
        // `String(decoding:)` replaces ill-formed sequences with U+FFFD, so
        // the result has exactly the input's bytes only when the input was
        // valid. (`String(validating:)` says so directly but is several
        // times slower here: it is not specialised for raw buffers.)
        var text = slice.withMemoryRebound(to: UInt8.self) { String(decoding: $0, as: UTF8.self) }
        let same = text.withUTF8 { utf8 in
            utf8.count == slice.count
                && (slice.isEmpty || memcmp(utf8.baseAddress!, slice.baseAddress!, slice.count) == 0)
        }
        guard same else { throw .badPayload("a text field is not valid UTF-8") }
        return text
    }

    /// True when no byte has its high bit set (eight bytes at a time).
    @inline(__always)
    static func isASCII(_ bytes: UnsafeRawBufferPointer) -> Bool {
        var offset = 0
        var high: UInt64 = 0
        while offset + 8 <= bytes.count {
            high |= bytes.loadUnaligned(fromByteOffset: offset, as: UInt64.self)
            offset += 8
        }
        while offset < bytes.count {
            high |= UInt64(bytes[offset])
            offset += 1
        }
        return high & 0x8080_8080_8080_8080 == 0
    }
}

/// A direct-mapped cache from the bytes of a text field to its string.
/// A slot holds the last text whose hash fell on it; a miss validates the
/// bytes and replaces the slot, so memory stays bounded however many
/// distinct values a read meets.
struct TextCache {
    private struct Entry {
        var hash: UInt64 = 0
        var key: [UInt8] = []
        var text = ""
    }

    private var entries: [Entry]

    /// - Parameter slots: a power of two.
    init(slots: Int) {
        precondition(slots > 0 && slots & (slots - 1) == 0, "slots must be a power of two")
        entries = Array(repeating: Entry(), count: slots)
    }

    mutating func text(_ bytes: UnsafeRawBufferPointer,
                       _ range: Range<Int>) throws(FrameFault) -> String {
        let slice = UnsafeRawBufferPointer(rebasing: bytes[range])
        let hash = Self.hash(slice)
        let slot = Int(truncatingIfNeeded: hash) & (entries.count - 1)
        let hit = entries.withUnsafeBufferPointer { entries -> String? in
            // Fields are read in place: copying the entry would retain its key.
            guard entries[slot].hash == hash, entries[slot].key.count == slice.count
            else { return nil }
            let equal = slice.isEmpty || entries[slot].key.withUnsafeBytes {
                memcmp($0.baseAddress!, slice.baseAddress!, slice.count) == 0
            }
            return equal ? entries[slot].text : nil
        }
        if let hit { return hit }
        let text = try Text.validated(bytes, range)
        entries[slot] = Entry(hash: hash, key: Array(slice), text: text)
        return text
    }

    /// FNV-1a over 8-byte words (then the remaining bytes), mixed at the end.
    /// Only spreads values over slots; equality is always checked on bytes.
    static func hash(_ bytes: UnsafeRawBufferPointer) -> UInt64 {
        var hash: UInt64 = 0xCBF2_9CE4_8422_2325 ^ UInt64(bytes.count)
        var offset = 0
        while offset + 8 <= bytes.count {
            hash = (hash ^ bytes.loadUnaligned(fromByteOffset: offset, as: UInt64.self))
                &* 0x0000_0100_0000_01B3
            offset += 8
        }
        while offset < bytes.count {
            hash = (hash ^ UInt64(bytes[offset])) &* 0x0000_0100_0000_01B3
            offset += 1
        }
        hash ^= hash >> 29
        hash &*= 0xBF58_476D_1CE4_E5B9
        return hash ^ (hash >> 32)
    }
}
