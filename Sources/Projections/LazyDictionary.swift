import Foundation

// A dictionary read back from compact state bytes that builds its values
// only when asked for them.
//
// utilization keeps every timesheet ever submitted, and a replay loads that
// from a snapshot (147,000 entries at position 500,000 of the benchmark's
// store) to fold a few thousand events on top. Building every entry (two
// strings, a decimal, an enum, a hash-table insert) was a third of the
// replay. Loading now walks the bytes once: it checks every entry as the
// plain decoder would, so damaged bytes are still refused at load, and
// indexes the keys by a hash of their bytes; only the entries the fold
// touches are built. The bytes on disk are the same as a `[String: Value]`'s.

/// A value whose compact bytes can be checked and passed over without
/// building the value.
protocol CompactSkippable: CompactCodable {
    /// Reads past one value, refusing what `init(from:)` would refuse.
    static func skip(_ reader: inout StateReader) throws
}

extension CompactSkippable {
    static func skip(_ reader: inout StateReader) throws {
        _ = try Self(from: &reader)
    }
}

extension String: CompactSkippable {
    static func skip(_ reader: inout StateReader) throws {
        _ = try reader.readBytes(try reader.readCount())
    }
}

extension Int: CompactSkippable {}
extension Bool: CompactSkippable {}
extension Decimal: CompactSkippable {}

extension CompactRawRepresentable {
    /// Reads past a raw value, refusing one that is not among `cases` (the
    /// raw values' UTF-8), without building a string.
    static func skipRawValue(_ reader: inout StateReader, cases: [[UInt8]]) throws {
        let bytes = try reader.readBytes(try reader.readCount())
        search: for known in cases where known.count == bytes.count {
            for index in 0..<bytes.count where known[index] != bytes[index] { continue search }
            return
        }
        throw reader.failure("unknown case of \(Self.self)")
    }
}

/// `[String: Value]`, with the entries read from compact bytes kept as bytes
/// until asked for. Written, it gives the same bytes a dictionary would.
struct LazyDictionary<Value: CompactSkippable & Sendable>: Sendable {
    /// The entries as loaded; shared by copies, never changed.
    private var saved: SavedEntries<Value>?
    /// Entries set since loading, over the saved ones.
    private var changed: [String: Value] = [:]
    /// The saved entries that `changed` replaces.
    private var replaced: Set<Int> = []
    private(set) var count = 0

    init() {}

    init(_ dictionary: [String: Value]) {
        changed = dictionary
        count = dictionary.count
    }

    /// The value for `key`, built from its bytes when it was loaded.
    /// - Complexity: O(1) expected.
    func value(forKey key: String) throws -> Value? {
        if let value = changed[key] { return value }
        guard let saved, let entry = saved.entry(forKey: key) else { return nil }
        return try saved.value(of: entry)
    }

    /// Sets `key` to `value` and returns the value it replaced.
    @discardableResult
    mutating func updateValue(_ value: Value, forKey key: String) throws -> Value? {
        if let old = changed.updateValue(value, forKey: key) { return old }
        if let saved, let entry = saved.entry(forKey: key) {
            replaced.insert(entry)
            return try saved.value(of: entry)
        }
        count += 1
        return nil
    }

    /// Every entry, built.
    func dictionary() throws -> [String: Value] {
        var result = changed
        if let saved {
            for entry in 0..<saved.count where !replaced.contains(entry) {
                result[saved.key(of: entry)] = try saved.value(of: entry)
            }
        }
        return result
    }
}

extension LazyDictionary: CompactCodable {
    func write(to writer: inout StateWriter) {
        writer.writeVarint(UInt64(count))
        for (key, value) in changed {
            key.write(to: &writer)
            value.write(to: &writer)
        }
        // Saved entries were checked when loaded: their bytes go out as
        // they came in.
        guard let saved else { return }
        for entry in 0..<saved.count where !replaced.contains(entry) {
            saved.appendBytes(of: entry, to: &writer)
        }
    }

    init(from reader: inout StateReader) throws {
        let saved = try SavedEntries<Value>(from: &reader)
        self.saved = saved.count > 0 ? saved : nil
        count = saved.count
    }
}

extension LazyDictionary: Equatable where Value: Equatable {
    /// Equal when they hold the same entries; bytes that cannot be read
    /// make two dictionaries unequal.
    static func == (lhs: LazyDictionary, rhs: LazyDictionary) -> Bool {
        guard lhs.count == rhs.count,
              let left = try? lhs.dictionary(), let right = try? rhs.dictionary() else {
            return false
        }
        return left == right
    }
}

extension LazyDictionary: Codable where Value: Codable {
    init(from decoder: any Decoder) throws {
        self.init(try [String: Value](from: decoder))
    }

    func encode(to encoder: any Encoder) throws {
        try dictionary().encode(to: encoder)
    }
}

/// The entries of one loaded dictionary: their bytes, where each lies, and a
/// hash table of their keys. Immutable, so copies of the state share it.
private final class SavedEntries<Value: CompactSkippable & Sendable>: Sendable {
    private struct Entry {
        /// Where the entry's bytes start (its key's length) and end, and
        /// where its key's UTF-8 and its value start, in `bytes`.
        var start: Int
        var keyStart: Int
        var valueStart: Int
        var end: Int
    }

    private let bytes: [UInt8]
    private let entries: [Entry]
    /// Open addressing on the keys' FNV-1a hashes: an entry index, or -1.
    private let slots: [Int32]
    /// Where `bytes` began in the state, for error offsets.
    private let base: Int

    var count: Int { entries.count }

    /// Reads a dictionary's count and entries, checking each value.
    init(from reader: inout StateReader) throws {
        let count = try reader.readCount()
        guard count < Int(Int32.max) else { throw reader.failure("count too large") }
        let start = reader.offset
        var entries: [Entry] = []
        entries.reserveCapacity(count)
        for _ in 0..<count {
            let entryStart = reader.offset - start
            let keyLength = try reader.readCount()
            let keyStart = reader.offset - start
            _ = try reader.readBytes(keyLength)
            let valueStart = reader.offset - start
            try Value.skip(&reader)
            entries.append(Entry(start: entryStart, keyStart: keyStart, valueStart: valueStart,
                                 end: reader.offset - start))
        }
        let bytes = reader.bytes(from: start)
        var slots = [Int32](repeating: -1, count: Self.tableSize(for: count))
        let mask = slots.count - 1
        try bytes.withUnsafeBufferPointer { buffer in
            for (index, entry) in entries.enumerated() {
                let key = UnsafeBufferPointer(rebasing: buffer[entry.keyStart..<entry.valueStart])
                var slot = Self.hash(key) & mask
                while slots[slot] >= 0 {
                    let other = entries[Int(slots[slot])]
                    if buffer[other.keyStart..<other.valueStart].elementsEqual(key) {
                        throw CompactStateError(offset: start + entry.start, reason: "duplicate key")
                    }
                    slot = (slot + 1) & mask
                }
                slots[slot] = Int32(index)
            }
        }
        self.base = start
        self.bytes = bytes
        self.entries = entries
        self.slots = slots
    }

    /// A power of two at least twice the count, so probes stay short.
    private static func tableSize(for count: Int) -> Int {
        var size = 16
        while size < count * 2 { size *= 2 }
        return size
    }

    private static func hash(_ bytes: UnsafeBufferPointer<UInt8>) -> Int {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in bytes {
            hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01b3
        }
        return Int(truncatingIfNeeded: hash ^ (hash >> 29))
    }

    func entry(forKey key: String) -> Int? {
        var key = key
        return key.withUTF8 { utf8 in
            bytes.withUnsafeBufferPointer { buffer in
                let mask = slots.count - 1
                var slot = Self.hash(utf8) & mask
                while slots[slot] >= 0 {
                    let entry = entries[Int(slots[slot])]
                    if buffer[entry.keyStart..<entry.valueStart].elementsEqual(utf8) {
                        return Int(slots[slot])
                    }
                    slot = (slot + 1) & mask
                }
                return nil
            }
        }
    }

    func key(of entry: Int) -> String {
        let entry = entries[entry]
        return String(decoding: bytes[entry.keyStart..<entry.valueStart], as: UTF8.self)
    }

    /// Builds an entry's value; its bytes were checked when loaded.
    func value(of entry: Int) throws -> Value {
        let entry = entries[entry]
        return try bytes.withUnsafeBufferPointer { buffer in
            var reader = StateReader(
                UnsafeBufferPointer(rebasing: buffer[..<entry.end]), offset: entry.valueStart)
            do {
                return try Value(from: &reader)
            } catch var error as CompactStateError {
                error.offset += base
                throw error
            }
        }
    }

    func appendBytes(of entry: Int, to writer: inout StateWriter) {
        let entry = entries[entry]
        writer.bytes.append(contentsOf: bytes[entry.start..<entry.end])
    }
}
