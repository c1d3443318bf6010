import Foundation

// MARK: - The compact state format
//
// The built-in read models keep hundreds of thousands of records, and their
// state is written at every snapshot and read back by every replay, so going
// through `Codable` (a key name per field, a dynamic cast per value, decimals
// as text) cost more than folding the log. A state that conforms to
// `CompactCodable` writes itself field by field, in declaration order, with
// no names:
//
//   - the first byte is `CompactState.format` (0x02), which neither
//     `StateCoder`'s binary (0x01), its JSON fallback (0x4A) nor plain JSON
//     ("{", "[") starts with, so bytes of one format are never read as the
//     other;
//   - then a probe: the decimal -1234.5678 in the form below. Decimals are
//     stored as their memory, so bytes written by a build whose `Decimal`
//     lays out its memory otherwise would be misread; such bytes are
//     refused instead (a snapshot is then skipped, a state must be rebuilt);
//   - integers are zig-zag varints, booleans one byte (0 or 1), optionals a
//     presence byte then the value, strings a varint length then UTF-8;
//   - a decimal is the five 32-bit words of its in-memory form, each as a
//     varint (the first, the exponent, zig-zag): exact to the bit, with no
//     text conversion;
//   - dictionaries and sets are a varint count then their elements, in the
//     collection's own order.
//
// Decoding checks every length against the bytes left and throws
// `CompactStateError` on a short or malformed buffer, never trapping.

/// A value that writes itself in the compact state format and reads itself
/// back. Fields are written and read in the same order, without names.
protocol CompactCodable {
    func write(to writer: inout StateWriter)
    init(from reader: inout StateReader) throws
}

/// Why compact state bytes could not be read.
struct CompactStateError: Error, CustomStringConvertible {
    var offset: Int
    var reason: String

    var description: String { "compact state at byte \(offset): \(reason)" }
}

/// Encodes and decodes whole states in the compact format.
enum CompactState {
    /// The first byte of compact state bytes.
    static let format: UInt8 = 0x02

    /// Whether `Decimal` has the 20-byte layout the format copies. On a
    /// platform where it does not, states use `StateCoder` instead.
    static let isAvailable = MemoryLayout<Decimal>.size == 20 && lengthIsWhereExpected

    /// Whether this build's `Decimal` keeps the count of mantissa words in
    /// use in bits 12–15 of its first word, as swift-foundation does; checked
    /// on known values. Decoding needs it: Foundation traps on a decimal
    /// whose count is above 8, which damaged state bytes could otherwise
    /// hand it.
    private static let lengthIsWhereExpected: Bool = {
        let known: [(Decimal, UInt32)] = [
            (Decimal(0), 0), (Decimal(1), 1), (Decimal(65_537), 2), (Decimal(UInt64.max), 4),
            (Decimal(sign: .minus, exponent: -4, significand: 12_345_678), 2),
        ]
        return known.allSatisfy { value, length in
            withUnsafeBytes(of: value) { $0.loadUnaligned(as: UInt32.self) } >> 12 & 0xF == length
        }
    }()

    /// - Parameter capacity: the bytes to reserve, e.g. the size of the
    ///   last encoding of a similar value, so the buffer is not regrown.
    static func encode<T: CompactCodable>(_ value: T, capacity: Int = 4096) -> [UInt8] {
        var writer = StateWriter(capacity: capacity)
        writer.bytes.append(format)
        probe.write(to: &writer)
        value.write(to: &writer)
        return writer.bytes
    }

    /// A decimal whose stored form checks that the writer's `Decimal` had
    /// the same memory layout as the reader's.
    static let probe = Decimal(sign: .minus, exponent: -4, significand: 12_345_678)

    /// Whether `decimal` has the probe's exact bits.
    private static func isProbe(_ decimal: Decimal) -> Bool {
        withUnsafeBytes(of: decimal) { read in
            withUnsafeBytes(of: probe) { expected in read.elementsEqual(expected) }
        }
    }

    /// - Throws: `CompactStateError` when the bytes are not a whole value of
    ///   this type in the compact format.
    static func decode<T: CompactCodable>(_ type: T.Type, from bytes: [UInt8]) throws -> T {
        try bytes.withUnsafeBufferPointer { buffer in
            guard isAvailable, buffer.first == format else {
                throw CompactStateError(offset: 0, reason: "not the compact format")
            }
            var reader = StateReader(buffer, offset: 1)
            guard isProbe(try Decimal(from: &reader)) else {
                throw CompactStateError(offset: 1, reason: "written with another decimal layout")
            }
            let value = try T(from: &reader)
            guard reader.isAtEnd else {
                throw CompactStateError(offset: reader.offset, reason: "trailing bytes")
            }
            return value
        }
    }
}

// MARK: - Writing

/// Appends values in the compact format.
struct StateWriter {
    var bytes: [UInt8] = []

    init(capacity: Int = 4096) {
        bytes.reserveCapacity(capacity)
    }

    mutating func writeVarint(_ value: UInt64) {
        var rest = value
        while rest >= 0x80 {
            bytes.append(UInt8(truncatingIfNeeded: rest) | 0x80)
            rest >>= 7
        }
        bytes.append(UInt8(rest))
    }

    mutating func write<T: CompactCodable>(_ value: T) {
        value.write(to: &self)
    }
}

// MARK: - Reading

/// Reads values in the compact format from a buffer that outlives it.
struct StateReader {
    private let buffer: UnsafeBufferPointer<UInt8>
    private(set) var offset: Int

    init(_ buffer: UnsafeBufferPointer<UInt8>, offset: Int = 0) {
        self.buffer = buffer
        self.offset = offset
    }

    var isAtEnd: Bool { offset == buffer.count }

    func failure(_ reason: String) -> CompactStateError {
        CompactStateError(offset: offset, reason: reason)
    }

    mutating func readByte() throws -> UInt8 {
        guard offset < buffer.count else { throw failure("truncated") }
        defer { offset += 1 }
        return buffer[offset]
    }

    mutating func readVarint() throws -> UInt64 {
        // Most varints (counts, small integers, a decimal's unused words)
        // are one byte.
        if offset < buffer.count, buffer[offset] < 0x80 {
            defer { offset += 1 }
            return UInt64(buffer[offset])
        }
        var value: UInt64 = 0
        var shift: UInt64 = 0
        while true {
            let byte = try readByte()
            guard shift < 64 else { throw failure("varint too long") }
            value |= UInt64(byte & 0x7F) << shift
            if byte < 0x80 { return value }
            shift += 7
        }
    }

    /// A count of elements, each at least one byte long, so a damaged count
    /// can never drive a large allocation.
    mutating func readCount() throws -> Int {
        let count = try readVarint()
        guard count <= UInt64(buffer.count - offset) else { throw failure("count too large") }
        return Int(count)
    }

    /// The next `count` bytes.
    mutating func readBytes(_ count: Int) throws -> UnsafeBufferPointer<UInt8> {
        guard count <= buffer.count - offset else { throw failure("truncated") }
        defer { offset += count }
        return UnsafeBufferPointer(rebasing: buffer[offset..<(offset + count)])
    }

    /// A copy of the bytes from `start` up to the current offset.
    func bytes(from start: Int) -> [UInt8] {
        Array(buffer[start..<offset])
    }

    mutating func read<T: CompactCodable>(_ type: T.Type = T.self) throws -> T {
        try T(from: &self)
    }
}

// MARK: - Standard types

extension Int64: CompactCodable {
    func write(to writer: inout StateWriter) {
        writer.writeVarint(UInt64(bitPattern: (self << 1) ^ (self >> 63)))
    }

    init(from reader: inout StateReader) throws {
        let raw = try reader.readVarint()
        self = Int64(bitPattern: raw >> 1) ^ -Int64(bitPattern: raw & 1)
    }
}

extension Int: CompactCodable {
    func write(to writer: inout StateWriter) { Int64(self).write(to: &writer) }

    init(from reader: inout StateReader) throws {
        let value = try Int64(from: &reader)
        guard let exact = Int(exactly: value) else { throw reader.failure("integer too large") }
        self = exact
    }
}

extension Bool: CompactCodable {
    func write(to writer: inout StateWriter) { writer.bytes.append(self ? 1 : 0) }

    init(from reader: inout StateReader) throws {
        switch try reader.readByte() {
        case 0: self = false
        case 1: self = true
        default: throw reader.failure("not a boolean")
        }
    }
}

extension String: CompactCodable {
    func write(to writer: inout StateWriter) {
        var copy = self
        copy.withUTF8 { utf8 in
            writer.writeVarint(UInt64(utf8.count))
            writer.bytes.append(contentsOf: utf8)
        }
    }

    init(from reader: inout StateReader) throws {
        let count = try reader.readCount()
        let bytes = try reader.readBytes(count)
        // Written from a String, so valid UTF-8: decoding repairs nothing.
        self = String(decoding: bytes, as: UTF8.self)
    }
}

extension Decimal: CompactCodable {
    /// The five 32-bit words of the value's memory, so the round trip is
    /// exact to the bit (`CompactState.isAvailable` checks the size).
    func write(to writer: inout StateWriter) {
        withUnsafeBytes(of: self) { raw in
            let exponent = Int64(raw.loadUnaligned(fromByteOffset: 0, as: Int32.self))
            exponent.write(to: &writer)
            for word in 1..<5 {
                writer.writeVarint(UInt64(raw.loadUnaligned(fromByteOffset: word * 4,
                                                            as: UInt32.self)))
            }
        }
    }

    init(from reader: inout StateReader) throws {
        let exponent = try Int64(from: &reader)
        guard let exponentWord = Int32(exactly: exponent) else {
            throw reader.failure("decimal exponent out of range")
        }
        var value = Decimal()
        try withUnsafeMutableBytes(of: &value) { raw in
            raw.storeBytes(of: UInt32(bitPattern: exponentWord), toByteOffset: 0, as: UInt32.self)
            for word in 1..<5 {
                guard let bits = UInt32(exactly: try reader.readVarint()) else {
                    throw reader.failure("decimal word out of range")
                }
                raw.storeBytes(of: bits, toByteOffset: word * 4, as: UInt32.self)
            }
            // A decimal Foundation can work with: at most 8 mantissa words
            // in use, and those beyond the count zero, as every decimal it
            // makes has them.
            let length = Int(UInt32(bitPattern: exponentWord) >> 12 & 0xF)
            guard length <= 8 else { throw reader.failure("decimal length above 8") }
            for word in length..<8 where raw.loadUnaligned(fromByteOffset: 4 + 2 * word,
                                                           as: UInt16.self) != 0 {
                throw reader.failure("decimal digits past its length")
            }
        }
        self = value
    }
}

extension Optional: CompactCodable where Wrapped: CompactCodable {
    func write(to writer: inout StateWriter) {
        switch self {
        case .none: writer.bytes.append(0)
        case .some(let value):
            writer.bytes.append(1)
            value.write(to: &writer)
        }
    }

    init(from reader: inout StateReader) throws {
        switch try reader.readByte() {
        case 0: self = .none
        case 1: self = .some(try Wrapped(from: &reader))
        default: throw reader.failure("not an optional")
        }
    }
}

extension Array: CompactCodable where Element: CompactCodable {
    func write(to writer: inout StateWriter) {
        writer.writeVarint(UInt64(count))
        for element in self { element.write(to: &writer) }
    }

    init(from reader: inout StateReader) throws {
        let count = try reader.readCount()
        self.init()
        reserveCapacity(count)
        for _ in 0..<count { append(try Element(from: &reader)) }
    }
}

extension Dictionary: CompactCodable where Key: CompactCodable, Value: CompactCodable {
    func write(to writer: inout StateWriter) {
        writer.writeVarint(UInt64(count))
        for (key, value) in self {
            key.write(to: &writer)
            value.write(to: &writer)
        }
    }

    init(from reader: inout StateReader) throws {
        let count = try reader.readCount()
        self.init(minimumCapacity: count)
        for _ in 0..<count {
            let key = try Key(from: &reader)
            self[key] = try Value(from: &reader)
        }
        guard self.count == count else { throw reader.failure("duplicate key") }
    }
}

extension Set: CompactCodable where Element: CompactCodable {
    func write(to writer: inout StateWriter) {
        writer.writeVarint(UInt64(count))
        for element in self { element.write(to: &writer) }
    }

    init(from reader: inout StateReader) throws {
        let count = try reader.readCount()
        self.init(minimumCapacity: count)
        for _ in 0..<count { insert(try Element(from: &reader)) }
        guard self.count == count else { throw reader.failure("duplicate element") }
    }
}

/// An enum stored as its raw text.
protocol CompactRawRepresentable: CompactCodable, RawRepresentable where RawValue == String {}

extension CompactRawRepresentable {
    func write(to writer: inout StateWriter) { rawValue.write(to: &writer) }

    init(from reader: inout StateReader) throws {
        guard let value = Self(rawValue: try String(from: &reader)) else {
            throw reader.failure("unknown case of \(Self.self)")
        }
        self = value
    }
}
