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
// indexes the keys by a hash of their bytes (of their normalized bytes when
// not ASCII, so keys are equal exactly when the strings are); only the
// entries the fold touches are built. The bytes on disk are the same as a
// `[String: Value]`'s.

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
        guard let saved, let (entry, _) = saved.entry(forKey: key) else { return nil }
        return try saved.value(of: entry)
    }

    /// Sets `key` to `value` and returns the value it replaced.
    @discardableResult
    mutating func updateValue(_ value: Value, forKey key: String) throws -> Value? {
        if let old = changed.updateValue(value, forKey: key) { return old }
        guard let saved, let (entry, sameBytes) = saved.entry(forKey: key) else {
            count += 1
            return nil
        }
        let old: Value
        do {
            old = try saved.value(of: entry)
        } catch {
            changed[key] = nil
            throw error
        }
        if !sameBytes {
            // Under the saved spelling of the key, as a dictionary keeps the
            // key it was first given.
            changed[key] = nil
            changed[saved.key(of: entry)] = value
        }
        replaced.insert(entry)
        return old
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
    /// The equality forms of the keys that are not ASCII, by entry.
    private let spelled: [Int: [UInt8]]

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
        var spelled: [Int: [UInt8]] = [:]
        let mask = slots.count - 1
        try bytes.withUnsafeBufferPointer { buffer in
            for (index, entry) in entries.enumerated() {
                let raw = UnsafeBufferPointer(rebasing: buffer[entry.keyStart..<entry.valueStart])
                try Self.withEqualityForm(ofUTF8: raw) { key, hash, form in
                    if let form { spelled[index] = form }
                    var slot = hash & mask
                    while slots[slot] >= 0 {
                        let other = Int(slots[slot])
                        let otherForm = Self.form(of: other, in: spelled)
                        if Self.withEqualityForm(buffer, entries[other], otherForm, {
                            $0.elementsEqual(key)
                        }) {
                            throw CompactStateError(offset: start + entry.start,
                                                    reason: "duplicate key")
                        }
                        slot = (slot + 1) & mask
                    }
                    slots[slot] = Int32(index)
                }
            }
        }
        self.base = start
        self.bytes = bytes
        self.entries = entries
        self.slots = slots
        self.spelled = spelled
    }

    /// A power of two at least twice the count, so probes stay short.
    private static func tableSize(for count: Int) -> Int {
        var size = 16
        while size < count * 2 { size *= 2 }
        return size
    }

    /// FNV-1a of the bytes, and whether they are all ASCII.
    private static func hash(_ bytes: UnsafeBufferPointer<UInt8>) -> (hash: Int, isASCII: Bool) {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        var high: UInt8 = 0
        for byte in bytes {
            hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01b3
            high |= byte
        }
        return (Int(truncatingIfNeeded: hash ^ (hash >> 29)), high < 0x80)
    }

    /// The entry whose key equals `key` as strings do, and whether its
    /// bytes are the key's UTF-8 (so the key is spelled as it was saved).
    func entry(forKey key: String) -> (index: Int, sameBytes: Bool)? {
        var key = key
        return key.withUTF8 { utf8 in
            Self.withEqualityForm(ofUTF8: utf8) { key, hash, queryForm in
                bytes.withUnsafeBufferPointer { buffer in
                    let mask = slots.count - 1
                    var slot = hash & mask
                    while slots[slot] >= 0 {
                        let entry = Int(slots[slot])
                        let form = Self.form(of: entry, in: spelled)
                        if Self.withEqualityForm(buffer, entries[entry], form, { $0.elementsEqual(key) }) {
                            // Both ASCII: the bytes compared were the key's own.
                            return (entry, form == nil && queryForm == nil)
                        }
                        slot = (slot + 1) & mask
                    }
                    return nil
                }
            }
        }
    }

    // Keys are equal as Swift's `String`s are: canonically equivalent
    // spellings ("\u{E9}" and "e\u{301}") are one key, and bytes that are
    // not UTF-8 read as the string they repair to, as the plain decoder
    // reads them. So keys are hashed and compared by their UTF-8 when it is
    // ASCII (every key the generator writes, and nearly every real one) and
    // otherwise by the UTF-8 of their normalization form C, where two
    // strings are equal exactly when their forms are. The form is the
    // standard library's own (`_nfcCodeUnits`, what `String`'s `==` and
    // hashing use): Foundation's `precomposedStringWithCanonicalMapping`
    // on Linux composes some Hangul sequences that `==` keeps apart, and
    // misses others it joins.

    /// Calls `body` with the bytes `utf8` is hashed and compared by, their
    /// hash, and the UTF-8 of the key's normalization form C when the key is
    /// not ASCII (nil when it is, and so its own form).
    private static func withEqualityForm<R>(
        ofUTF8 utf8: UnsafeBufferPointer<UInt8>,
        _ body: (UnsafeBufferPointer<UInt8>, Int, [UInt8]?) throws -> R
    ) rethrows -> R {
        let (hash, isASCII) = Self.hash(utf8)
        if isASCII { return try body(utf8, hash, nil) }
        let form = String(decoding: utf8, as: UTF8.self)._nfcCodeUnits
        return try form.withUnsafeBufferPointer { key in try body(key, Self.hash(key).hash, form) }
    }

    /// An entry's form when its key is not ASCII (no hashing when all are).
    private static func form(of entry: Int, in spelled: [Int: [UInt8]]) -> [UInt8]? {
        spelled.isEmpty ? nil : spelled[entry]
    }

    /// Calls `body` with the bytes a loaded entry's key is compared by.
    private static func withEqualityForm<R>(
        _ buffer: UnsafeBufferPointer<UInt8>, _ entry: Entry, _ form: [UInt8]?,
        _ body: (UnsafeBufferPointer<UInt8>) throws -> R
    ) rethrows -> R {
        guard let form else {
            return try body(UnsafeBufferPointer(rebasing: buffer[entry.keyStart..<entry.valueStart]))
        }
        return try form.withUnsafeBufferPointer(body)
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
