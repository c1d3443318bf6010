import Foundation

// MARK: - The state format
//
// A projection's state is saved whole at every catch-up and in every
// snapshot, so its codec sits on the path of `project`, `rebuild` and every
// replay from a snapshot. Foundation's JSON coders spend most of their time
// building and parsing text; this binary format keeps `Codable` (so a
// service's own projection needs nothing extra) and writes each value once,
// tagged:
//
//   0x01 nil, 0x02 false, 0x03 true,
//   0x04 signed integer (zig-zag varint), 0x05 unsigned integer (varint),
//   0x06 floating point (8 bytes, IEEE 754, little endian),
//   0x07 string (varint length, UTF-8), 0x08 decimal (varint length, its
//        exact decimal text),
//   0x09 keyed container: entries of (varint key length, key, value), then 0x00,
//   0x0A unkeyed container: values, then 0x00.
//
// The first byte is the format: 1 for this one. A state whose `Codable`
// code asks for nested containers (enums with associated values do), or
// has an empty key, is written as JSON instead, after the byte 0x4A ("J");
// states saved by earlier versions are plain JSON and start with "{" or "[".

/// A `Codable` state as compact tagged binary (or JSON when it must).
enum StateCoder {
    static let version: UInt8 = 1
    static let json: UInt8 = 0x4A

    /// JSON has no NaN or infinities; a state that goes as JSON writes them
    /// as these strings, as the binary format keeps them.
    private static let nonFinite = (positiveInfinity: "+Infinity", negativeInfinity: "-Infinity",
                                    nan: "NaN")

    private static var jsonEncoder: JSONEncoder {
        let encoder = JSONEncoder()
        encoder.nonConformingFloatEncodingStrategy = .convertToString(
            positiveInfinity: nonFinite.positiveInfinity,
            negativeInfinity: nonFinite.negativeInfinity, nan: nonFinite.nan)
        return encoder
    }

    private static var jsonDecoder: JSONDecoder {
        let decoder = JSONDecoder()
        decoder.nonConformingFloatDecodingStrategy = .convertFromString(
            positiveInfinity: nonFinite.positiveInfinity,
            negativeInfinity: nonFinite.negativeInfinity, nan: nonFinite.nan)
        return decoder
    }

    static func encode<T: Encodable>(_ value: T) throws -> [UInt8] {
        let encoder = BinaryEncoder()
        encoder.bytes.append(version)
        try encoder.encodeValue(value)
        if encoder.needsJSON { return [json] + Array(try jsonEncoder.encode(value)) }
        return encoder.bytes
    }

    static func decode<T: Decodable>(_ type: T.Type, from bytes: [UInt8]) throws -> T {
        switch bytes.first {
        case version:
            return try bytes.withUnsafeBufferPointer { buffer in
                var reader = BinaryReader(buffer, offset: 1)
                return try BinaryDecoder.decode(type, at: &reader)
            }
        case json:
            return try jsonDecoder.decode(type, from: Data(bytes.dropFirst()))
        case UInt8(ascii: "{"), UInt8(ascii: "["):
            return try jsonDecoder.decode(type, from: Data(bytes))
        default:
            throw DecodingError.dataCorrupted(.init(codingPath: [],
                debugDescription: "unknown state format \(bytes.first.map(String.init) ?? "-")"))
        }
    }
}

enum Tag {
    static let end: UInt8 = 0x00, null: UInt8 = 0x01, no: UInt8 = 0x02, yes: UInt8 = 0x03
    static let int: UInt8 = 0x04, uint: UInt8 = 0x05, double: UInt8 = 0x06
    static let string: UInt8 = 0x07, decimal: UInt8 = 0x08
    static let keyed: UInt8 = 0x09, unkeyed: UInt8 = 0x0A
}

// MARK: - Encoding

final class BinaryEncoder: Encoder {
    var bytes: [UInt8] = []
    var codingPath: [any CodingKey] = []
    var userInfo: [CodingUserInfoKey: Any] { [:] }
    /// The container the value being encoded opened, closed after it returns.
    private var opened: UInt8?
    /// Set when a value asked for a nested container: the state goes as JSON.
    var needsJSON = false

    func encodeValue<T: Encodable>(_ value: T) throws {
        switch value {
        case let decimal as Decimal: writeDecimal(decimal)
        case let string as String: writeString(string)
        case let int as Int: writeInt(Int64(int))
        case let int as Int64: writeInt(int)
        case let bool as Bool: bytes.append(bool ? Tag.yes : Tag.no)
        default:
            let outer = opened
            opened = nil
            try value.encode(to: self)
            if opened != nil { bytes.append(Tag.end) }
            opened = outer
        }
    }

    func open(_ tag: UInt8) {
        if opened == nil {
            opened = tag
            bytes.append(tag)
        }
    }

    func writeVarint(_ value: UInt64) {
        var rest = value
        while rest >= 0x80 {
            bytes.append(UInt8(truncatingIfNeeded: rest) | 0x80)
            rest >>= 7
        }
        bytes.append(UInt8(rest))
    }

    func writeInt(_ value: Int64) {
        bytes.append(Tag.int)
        writeVarint(UInt64(bitPattern: (value << 1) ^ (value >> 63)))
    }

    func writeUInt(_ value: UInt64) {
        bytes.append(Tag.uint)
        writeVarint(value)
    }

    func writeDouble(_ value: Double) {
        bytes.append(Tag.double)
        withUnsafeBytes(of: value.bitPattern.littleEndian) { bytes.append(contentsOf: $0) }
    }

    func writeText(_ text: String) {
        var copy = text
        copy.withUTF8 { utf8 in
            writeVarint(UInt64(utf8.count))
            bytes.append(contentsOf: utf8)
        }
    }

    func writeString(_ text: String) {
        bytes.append(Tag.string)
        writeText(text)
    }

    func writeDecimal(_ value: Decimal) {
        bytes.append(Tag.decimal)
        writeText(value.description)
    }

    func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
        open(Tag.keyed)
        return KeyedEncodingContainer(KeyedWriter<Key>(encoder: self))
    }

    func unkeyedContainer() -> any UnkeyedEncodingContainer {
        open(Tag.unkeyed)
        return UnkeyedWriter(encoder: self)
    }

    func singleValueContainer() -> any SingleValueEncodingContainer {
        SingleWriter(encoder: self)
    }
}

struct KeyedWriter<Key: CodingKey>: KeyedEncodingContainerProtocol {
    let encoder: BinaryEncoder
    var codingPath: [any CodingKey] { [] }

    private func key(_ key: Key) {
        // An empty key's length, 0, would read as the container's end.
        if key.stringValue.isEmpty { encoder.needsJSON = true }
        encoder.writeText(key.stringValue)
    }

    mutating func encodeNil(forKey key: Key) throws {
        self.key(key)
        encoder.bytes.append(Tag.null)
    }

    mutating func encode<T: Encodable>(_ value: T, forKey key: Key) throws {
        self.key(key)
        try encoder.encodeValue(value)
    }

    mutating func encode(_ value: Bool, forKey key: Key) throws {
        self.key(key)
        encoder.bytes.append(value ? Tag.yes : Tag.no)
    }

    mutating func encode(_ value: String, forKey key: Key) throws {
        self.key(key)
        encoder.writeString(value)
    }

    mutating func encode(_ value: Int, forKey key: Key) throws {
        self.key(key)
        encoder.writeInt(Int64(value))
    }

    mutating func encode(_ value: Int64, forKey key: Key) throws {
        self.key(key)
        encoder.writeInt(value)
    }

    mutating func encode(_ value: Double, forKey key: Key) throws {
        self.key(key)
        encoder.writeDouble(value)
    }

    mutating func nestedContainer<NestedKey: CodingKey>(
        keyedBy keyType: NestedKey.Type, forKey key: Key
    ) -> KeyedEncodingContainer<NestedKey> {
        encoder.needsJSON = true
        return BinaryEncoder().container(keyedBy: keyType)
    }

    mutating func nestedUnkeyedContainer(forKey key: Key) -> any UnkeyedEncodingContainer {
        encoder.needsJSON = true
        return BinaryEncoder().unkeyedContainer()
    }

    mutating func superEncoder() -> any Encoder {
        encoder.needsJSON = true
        return BinaryEncoder()
    }

    mutating func superEncoder(forKey key: Key) -> any Encoder {
        encoder.needsJSON = true
        return BinaryEncoder()
    }
}

struct UnkeyedWriter: UnkeyedEncodingContainer {
    let encoder: BinaryEncoder
    var codingPath: [any CodingKey] { [] }
    private(set) var count = 0

    init(encoder: BinaryEncoder) { self.encoder = encoder }

    mutating func encodeNil() throws {
        encoder.bytes.append(Tag.null)
        count += 1
    }

    mutating func encode<T: Encodable>(_ value: T) throws {
        try encoder.encodeValue(value)
        count += 1
    }

    mutating func nestedContainer<NestedKey: CodingKey>(
        keyedBy keyType: NestedKey.Type
    ) -> KeyedEncodingContainer<NestedKey> {
        encoder.needsJSON = true
        return BinaryEncoder().container(keyedBy: keyType)
    }

    mutating func nestedUnkeyedContainer() -> any UnkeyedEncodingContainer {
        encoder.needsJSON = true
        return BinaryEncoder().unkeyedContainer()
    }

    mutating func superEncoder() -> any Encoder {
        encoder.needsJSON = true
        return BinaryEncoder()
    }
}

struct SingleWriter: SingleValueEncodingContainer {
    let encoder: BinaryEncoder
    var codingPath: [any CodingKey] { [] }

    mutating func encodeNil() throws { encoder.bytes.append(Tag.null) }
    mutating func encode(_ value: Bool) throws { encoder.bytes.append(value ? Tag.yes : Tag.no) }
    mutating func encode(_ value: String) throws { encoder.writeString(value) }
    mutating func encode(_ value: Double) throws { encoder.writeDouble(value) }
    mutating func encode(_ value: Float) throws { encoder.writeDouble(Double(value)) }
    mutating func encode(_ value: Int) throws { encoder.writeInt(Int64(value)) }
    mutating func encode(_ value: Int8) throws { encoder.writeInt(Int64(value)) }
    mutating func encode(_ value: Int16) throws { encoder.writeInt(Int64(value)) }
    mutating func encode(_ value: Int32) throws { encoder.writeInt(Int64(value)) }
    mutating func encode(_ value: Int64) throws { encoder.writeInt(value) }
    mutating func encode(_ value: UInt) throws { encoder.writeUInt(UInt64(value)) }
    mutating func encode(_ value: UInt8) throws { encoder.writeUInt(UInt64(value)) }
    mutating func encode(_ value: UInt16) throws { encoder.writeUInt(UInt64(value)) }
    mutating func encode(_ value: UInt32) throws { encoder.writeUInt(UInt64(value)) }
    mutating func encode(_ value: UInt64) throws { encoder.writeUInt(value) }
    mutating func encode<T: Encodable>(_ value: T) throws { try encoder.encodeValue(value) }
}

// MARK: - Decoding

struct BinaryReader {
    let buffer: UnsafeBufferPointer<UInt8>
    var offset: Int

    init(_ buffer: UnsafeBufferPointer<UInt8>, offset: Int) {
        self.buffer = buffer
        self.offset = offset
    }

    static func corrupt(_ what: String) -> DecodingError {
        .dataCorrupted(.init(codingPath: [], debugDescription: "state: \(what)"))
    }

    mutating func byte() throws -> UInt8 {
        guard offset < buffer.count else { throw Self.corrupt("ends early") }
        defer { offset += 1 }
        return buffer[offset]
    }

    mutating func varint() throws -> UInt64 {
        var value: UInt64 = 0
        var shift: UInt64 = 0
        while true {
            let next = try byte()
            guard shift < 64 else { throw Self.corrupt("varint too long") }
            value |= UInt64(next & 0x7F) << shift
            if next & 0x80 == 0 { return value }
            shift += 7
        }
    }

    /// A varint length of bytes that follow, checked against the bytes left
    /// before it becomes an `Int` (a damaged one may be any 64-bit value).
    mutating func length() throws -> Int {
        let length = try varint()
        guard length <= UInt64(buffer.count - offset) else {
            throw Self.corrupt("a length runs past the end")
        }
        return Int(length)
    }

    mutating func text() throws -> String {
        let count = try length()
        let slice = UnsafeBufferPointer(rebasing: buffer[offset..<(offset + count)])
        offset += count
        return String(decoding: slice, as: UTF8.self)
    }

    /// How deeply containers may nest. The states nest a few levels; damaged
    /// bytes could nest deep enough to overflow the stack of the skip below.
    static let maximumDepth = 64

    /// Moves past one tagged value.
    mutating func skipValue(depth: Int = 0) throws {
        guard depth < Self.maximumDepth else { throw Self.corrupt("containers nest too deep") }
        switch try byte() {
        case Tag.null, Tag.no, Tag.yes: return
        case Tag.int, Tag.uint: _ = try varint()
        case Tag.double:
            guard buffer.count - offset >= 8 else { throw Self.corrupt("ends early") }
            offset += 8
        case Tag.string, Tag.decimal:
            offset += try length()
        case Tag.keyed:
            while buffer[safe: offset] != Tag.end {
                offset += try length()
                try skipValue(depth: depth + 1)
            }
            offset += 1
        case Tag.unkeyed:
            while buffer[safe: offset] != Tag.end { try skipValue(depth: depth + 1) }
            offset += 1
        default:
            throw Self.corrupt("unknown tag at byte \(offset - 1)")
        }
    }
}

extension UnsafeBufferPointer where Element == UInt8 {
    /// The byte at `index`, or the end tag past the end (callers then fail
    /// on their next read).
    subscript(safe index: Int) -> UInt8? {
        index < count ? self[index] : nil
    }
}

final class BinaryDecoder: Decoder {
    let buffer: UnsafeBufferPointer<UInt8>
    /// Where this decoder's value (its tag) starts.
    let offset: Int
    var codingPath: [any CodingKey] { [] }
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    init(_ buffer: UnsafeBufferPointer<UInt8>, offset: Int) {
        self.buffer = buffer
        self.offset = offset
    }

    /// Decodes the value at the reader and moves the reader past it.
    static func decode<T: Decodable>(_ type: T.Type, at reader: inout BinaryReader) throws -> T {
        let value = try decodeValue(type, in: reader.buffer, at: reader.offset)
        try reader.skipValue()
        return value
    }

    static func decodeValue<T: Decodable>(_ type: T.Type, in buffer: UnsafeBufferPointer<UInt8>,
                                          at offset: Int) throws -> T {
        if type == Decimal.self || type == String.self || type == Int.self
            || type == Bool.self || type == Int64.self {
            let single = SingleReader(reader: BinaryReader(buffer, offset: offset))
            return try single.decode(type)
        }
        return try T(from: BinaryDecoder(buffer, offset: offset))
    }

    func container<Key: CodingKey>(keyedBy type: Key.Type) throws -> KeyedDecodingContainer<Key> {
        KeyedDecodingContainer(try KeyedReader<Key>(buffer, offset: offset))
    }

    func unkeyedContainer() throws -> any UnkeyedDecodingContainer {
        try UnkeyedReader(buffer, offset: offset)
    }

    func singleValueContainer() throws -> any SingleValueDecodingContainer {
        SingleReader(reader: BinaryReader(buffer, offset: offset))
    }
}

struct KeyedReader<Key: CodingKey>: KeyedDecodingContainerProtocol {
    let buffer: UnsafeBufferPointer<UInt8>
    var codingPath: [any CodingKey] { [] }
    private var entries: [String: Int] = [:]
    private var order: [String] = []

    init(_ buffer: UnsafeBufferPointer<UInt8>, offset: Int) throws {
        self.buffer = buffer
        var reader = BinaryReader(buffer, offset: offset)
        guard try reader.byte() == Tag.keyed else { throw BinaryReader.corrupt("expected an object") }
        while buffer[safe: reader.offset] != Tag.end {
            let key = try reader.text()
            entries[key] = reader.offset
            order.append(key)
            try reader.skipValue()
        }
    }

    var allKeys: [Key] { order.compactMap { Key(stringValue: $0) } }

    func contains(_ key: Key) -> Bool { entries[key.stringValue] != nil }

    private func offset(_ key: Key) throws -> Int {
        guard let offset = entries[key.stringValue] else {
            throw DecodingError.keyNotFound(key, .init(codingPath: [],
                debugDescription: "state: no \(key.stringValue)"))
        }
        return offset
    }

    func decodeNil(forKey key: Key) throws -> Bool {
        buffer[try offset(key)] == Tag.null
    }

    func decode<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T {
        try BinaryDecoder.decodeValue(type, in: buffer, at: try offset(key))
    }

    func nestedContainer<NestedKey: CodingKey>(
        keyedBy type: NestedKey.Type, forKey key: Key
    ) throws -> KeyedDecodingContainer<NestedKey> {
        KeyedDecodingContainer(try KeyedReader<NestedKey>(buffer, offset: try offset(key)))
    }

    func nestedUnkeyedContainer(forKey key: Key) throws -> any UnkeyedDecodingContainer {
        try UnkeyedReader(buffer, offset: try offset(key))
    }

    func superDecoder() throws -> any Decoder {
        throw BinaryReader.corrupt("super decoders are not supported")
    }

    func superDecoder(forKey key: Key) throws -> any Decoder {
        throw BinaryReader.corrupt("super decoders are not supported")
    }
}

struct UnkeyedReader: UnkeyedDecodingContainer {
    let buffer: UnsafeBufferPointer<UInt8>
    var codingPath: [any CodingKey] { [] }
    private var offsets: [Int] = []
    private(set) var currentIndex = 0

    init(_ buffer: UnsafeBufferPointer<UInt8>, offset: Int) throws {
        self.buffer = buffer
        var reader = BinaryReader(buffer, offset: offset)
        guard try reader.byte() == Tag.unkeyed else { throw BinaryReader.corrupt("expected a list") }
        while buffer[safe: reader.offset] != Tag.end {
            offsets.append(reader.offset)
            try reader.skipValue()
        }
    }

    var count: Int? { offsets.count }
    var isAtEnd: Bool { currentIndex >= offsets.count }

    private mutating func next() throws -> Int {
        guard !isAtEnd else { throw BinaryReader.corrupt("list ends early") }
        defer { currentIndex += 1 }
        return offsets[currentIndex]
    }

    mutating func decodeNil() throws -> Bool {
        guard !isAtEnd, buffer[offsets[currentIndex]] == Tag.null else { return false }
        currentIndex += 1
        return true
    }

    mutating func decode<T: Decodable>(_ type: T.Type) throws -> T {
        try BinaryDecoder.decodeValue(type, in: buffer, at: try next())
    }

    mutating func nestedContainer<NestedKey: CodingKey>(
        keyedBy type: NestedKey.Type
    ) throws -> KeyedDecodingContainer<NestedKey> {
        KeyedDecodingContainer(try KeyedReader<NestedKey>(buffer, offset: try next()))
    }

    mutating func nestedUnkeyedContainer() throws -> any UnkeyedDecodingContainer {
        try UnkeyedReader(buffer, offset: try next())
    }

    mutating func superDecoder() throws -> any Decoder {
        throw BinaryReader.corrupt("super decoders are not supported")
    }
}

struct SingleReader: SingleValueDecodingContainer {
    var reader: BinaryReader
    var codingPath: [any CodingKey] { [] }

    func decodeNil() -> Bool { reader.buffer[safe: reader.offset] == Tag.null }

    func decode(_ type: Bool.Type) throws -> Bool {
        var copy = reader
        switch try copy.byte() {
        case Tag.yes: return true
        case Tag.no: return false
        default: throw BinaryReader.corrupt("expected a boolean")
        }
    }

    func decode(_ type: String.Type) throws -> String {
        var copy = reader
        guard try copy.byte() == Tag.string else { throw BinaryReader.corrupt("expected text") }
        return try copy.text()
    }

    private func signed() throws -> Int64 {
        var copy = reader
        switch try copy.byte() {
        case Tag.int:
            let zigzag = try copy.varint()
            return Int64(bitPattern: zigzag >> 1) ^ -Int64(bitPattern: zigzag & 1)
        case Tag.uint:
            let value = try copy.varint()
            guard value <= UInt64(Int64.max) else { throw BinaryReader.corrupt("too large") }
            return Int64(value)
        default: throw BinaryReader.corrupt("expected an integer")
        }
    }

    private func unsigned() throws -> UInt64 {
        var copy = reader
        switch try copy.byte() {
        case Tag.uint: return try copy.varint()
        case Tag.int:
            let value = try signed()
            guard value >= 0 else { throw BinaryReader.corrupt("negative") }
            return UInt64(value)
        default: throw BinaryReader.corrupt("expected an integer")
        }
    }

    private func exact<T: BinaryInteger>(_ value: some BinaryInteger) throws -> T {
        guard let result = T(exactly: value) else { throw BinaryReader.corrupt("out of range") }
        return result
    }

    func decode(_ type: Double.Type) throws -> Double {
        var copy = reader
        guard try copy.byte() == Tag.double, copy.buffer.count - copy.offset >= 8 else {
            throw BinaryReader.corrupt("expected a number")
        }
        var bits: UInt64 = 0
        for index in 0..<8 { bits |= UInt64(copy.buffer[copy.offset + index]) << (8 * index) }
        return Double(bitPattern: bits)
    }

    func decode(_ type: Float.Type) throws -> Float { Float(try decode(Double.self)) }
    func decode(_ type: Int.Type) throws -> Int { try exact(try signed()) }
    func decode(_ type: Int8.Type) throws -> Int8 { try exact(try signed()) }
    func decode(_ type: Int16.Type) throws -> Int16 { try exact(try signed()) }
    func decode(_ type: Int32.Type) throws -> Int32 { try exact(try signed()) }
    func decode(_ type: Int64.Type) throws -> Int64 { try signed() }
    func decode(_ type: UInt.Type) throws -> UInt { try exact(try unsigned()) }
    func decode(_ type: UInt8.Type) throws -> UInt8 { try exact(try unsigned()) }
    func decode(_ type: UInt16.Type) throws -> UInt16 { try exact(try unsigned()) }
    func decode(_ type: UInt32.Type) throws -> UInt32 { try exact(try unsigned()) }
    func decode(_ type: UInt64.Type) throws -> UInt64 { try unsigned() }

    func decode<T: Decodable>(_ type: T.Type) throws -> T {
        if type == Decimal.self {
            var copy = reader
            guard try copy.byte() == Tag.decimal else { throw BinaryReader.corrupt("expected a decimal") }
            let text = try copy.text()
            guard let value = Decimal(string: text, locale: Locale(identifier: "en_US_POSIX")) else {
                throw BinaryReader.corrupt("bad decimal \(text)")
            }
            return value as! T
        }
        if type == String.self { return try decode(String.self) as! T }
        if type == Int.self { return try decode(Int.self) as! T }
        if type == Int64.self { return try decode(Int64.self) as! T }
        if type == Bool.self { return try decode(Bool.self) as! T }
        return try T(from: BinaryDecoder(reader.buffer, offset: reader.offset))
    }
}
