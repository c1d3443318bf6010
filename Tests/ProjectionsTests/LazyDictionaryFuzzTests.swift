import EventModel
import EventStore
import Foundation
import TestSupport
import Testing
@testable import Projections

/// Groups of canonically equivalent spellings (each group one string to Swift).
private let equivalentPieces: [[String]] = [
    ["\u{E9}", "e\u{301}"],
    ["a\u{301}\u{316}", "a\u{316}\u{301}", "\u{E1}\u{316}"],
    ["\u{AC00}", "\u{1100}\u{1161}"],
    ["\u{AC01}", "\u{1100}\u{1161}\u{11A8}", "\u{AC00}\u{11A8}"],
    ["K", "\u{212A}"],
    ["\u{C5}", "A\u{30A}", "\u{212B}"],
    ["\u{3A9}", "\u{2126}"],
    [";", "\u{37E}"],
    ["`", "\u{1FEF}"],
    ["\u{B7}", "\u{387}"],
    ["\u{308}\u{301}", "\u{344}"],
    ["\u{8C48}", "\u{F900}"],
    ["\u{915}\u{93C}", "\u{958}"],
    ["\u{1E69}", "s\u{323}\u{307}", "s\u{307}\u{323}", "\u{1E63}\u{307}"],
    ["\u{1E0B}\u{323}", "\u{1E0D}\u{307}", "d\u{323}\u{307}"],
    ["T"], ["1"], ["-"], [""], ["\u{0}"], ["🙂"], ["👍🏽"], ["\u{FFFD}"], ["ﬁ"], ["fi"], ["\u{301}"],
    ["\u{1F1FA}\u{1F1F8}"], ["\u{200D}"], ["\u{FE0F}"], ["i\u{307}"], ["ς"], ["σ"],
]

/// The same without Hangul (where Foundation's NFC is known to disagree
/// with Swift's ==, see LazyDictionaryHangulTests), to look for other failures.
private let nonHangulPieces = equivalentPieces.filter { group in
    !group.joined().unicodeScalars.contains { (0x1100...0x11FF).contains($0.value) || (0xAC00...0xD7A3).contains($0.value) }
}

private func randomKey(_ rng: inout SplitMix64, _ pieces: [[String]]) -> String {
    var key = ""
    for _ in 0..<Int.random(in: 1...3, using: &rng) {
        key += pieces.randomElement(using: &rng)!.randomElement(using: &rng)!
    }
    return key
}

private func scalars(_ text: String) -> [UInt32] { text.unicodeScalars.map(\.value) }

/// The keys' exact spellings, sorted, to compare which spelling was kept.
private func spellings<V>(_ dictionary: [String: V]) -> [[UInt32]] {
    dictionary.keys.map(scalars).sorted { $0.lexicographicallyPrecedes($1) }
}

@Suite("LazyDictionary against a plain [String: Value], with canonically equivalent keys")
struct LazyDictionaryFuzzTests {
    typealias Lazy = LazyDictionary<Int>

    private func compare(_ lazy: Lazy, _ model: [String: Int], _ note: String,
                         _ rng: inout SplitMix64, pieces: [[String]] = equivalentPieces) throws -> [String] {
        var failures: [String] = []
        if lazy.count != model.count { failures.append("\(note): count \(lazy.count) vs \(model.count)") }
        let built = try lazy.dictionary()
        if built != model { failures.append("\(note): entries \(built) vs \(model)") }
        if spellings(built) != spellings(model) {
            failures.append("\(note): kept spellings \(spellings(built)) vs \(spellings(model))")
        }
        for _ in 0..<8 {
            let key = randomKey(&rng, pieces)
            if try lazy.value(forKey: key) != model[key] {
                failures.append("\(note): lookup \(scalars(key)) lazy \(String(describing: try lazy.value(forKey: key))) model \(String(describing: model[key]))")
            }
        }
        // Through the plain reader.
        let plain = try CompactState.decode([String: Int].self, from: CompactState.encode(lazy))
        if plain != model || spellings(plain) != spellings(model) {
            failures.append("\(note): plain read \(plain) vs \(model)")
        }
        return failures
    }

    @Test("random updates, lookups, saves and loads (all pieces, Hangul included)", arguments: [1, 2, 3])
    func randomOperations(seed: UInt64) throws {
        try randomOperations(seed: seed, pieces: equivalentPieces)
    }

    @Test("random updates, lookups, saves and loads (Hangul left out)", arguments: [4, 5, 6])
    func randomOperationsWithoutHangul(seed: UInt64) throws {
        try randomOperations(seed: seed, pieces: nonHangulPieces)
    }

    private func randomOperations(seed: UInt64, pieces: [[String]]) throws {
        var rng = SplitMix64(seed: seed)
        var failures: [String] = []
        for round in 0..<40 {
            var lazy = Lazy()
            var model: [String: Int] = [:]
            for step in 0..<150 {
                let note = "seed \(seed) round \(round) step \(step)"
                switch Int.random(in: 0..<100, using: &rng) {
                case 0..<55:
                    let key = randomKey(&rng, pieces)
                    let value = Int.random(in: -5...1_000_000, using: &rng)
                    let old = try lazy.updateValue(value, forKey: key)
                    let expected = model.updateValue(value, forKey: key)
                    if old != expected {
                        failures.append("\(note): update \(scalars(key)) returned \(String(describing: old)), model \(String(describing: expected))")
                    }
                case 55..<70:
                    let key = randomKey(&rng, pieces)
                    if try lazy.value(forKey: key) != model[key] {
                        failures.append("\(note): lookup \(scalars(key))")
                    }
                case 70..<85:
                    lazy = try CompactState.decode(Lazy.self, from: CompactState.encode(lazy))
                case 85..<90:
                    let plain = try CompactState.decode([String: Int].self, from: CompactState.encode(lazy))
                    lazy = try CompactState.decode(Lazy.self, from: CompactState.encode(plain))
                case 90..<94:
                    lazy = try StateCoder.decode(Lazy.self, from: StateCoder.encode(lazy))
                default:
                    failures += try compare(lazy, model, note, &rng, pieces: pieces)
                }
                if lazy.count != model.count {
                    failures.append("\(note): count diverged \(lazy.count) vs \(model.count)")
                    break
                }
                if failures.count > 10 { break }
            }
            failures += try compare(lazy, model, "seed \(seed) round \(round) end", &rng, pieces: pieces)
            if failures.count > 10 { break }
        }
        #expect(failures.isEmpty, "\(failures.count): \(failures.prefix(5))")
    }

    /// State bytes holding these raw keys (possibly not UTF-8), in order.
    private func state(keys: [[UInt8]], values: [Int]) -> [UInt8] {
        var writer = StateWriter()
        writer.bytes.append(CompactState.format)
        CompactState.probe.write(to: &writer)
        writer.writeVarint(UInt64(keys.count))
        for (key, value) in zip(keys, values) {
            writer.writeVarint(UInt64(key.count))
            writer.bytes += key
            value.write(to: &writer)
        }
        return writer.bytes
    }

    @Test("raw key bytes (invalid UTF-8, equivalent spellings): load, lookups and updates as the plain reader",
          arguments: [11, 12, 13])
    func rawKeys(seed: UInt64) throws {
        var rng = SplitMix64(seed: seed)
        let rawPieces: [[UInt8]] = [[0xFF], [0xFE], [0xC3], [0xC3, 0xA9], [0x65, 0xCC, 0x81], [0xE0, 0x80],
                                    [0xED, 0xA0, 0x80], [0xF4, 0x90, 0x80, 0x80], [0xC0, 0xAF], [0x80],
                                    [0x41], [0x4B], [0xE2, 0x84, 0xAA], [0xF0, 0x9F, 0x99], [0xEF, 0xBF, 0xBD]]
        var failures: [String] = []
        var bothLoaded = 0
        for round in 0..<600 {
            var keys: [[UInt8]] = []
            for _ in 0..<Int.random(in: 0...6, using: &rng) {
                var key: [UInt8] = []
                for _ in 0..<Int.random(in: 1...3, using: &rng) { key += rawPieces.randomElement(using: &rng)! }
                keys.append(key)
            }
            let values = keys.indices.map { $0 * 10 }
            let bytes = state(keys: keys, values: values)
            let plain = Result { try CompactState.decode([String: Int].self, from: bytes) }
            let lazy = Result { try CompactState.decode(Lazy.self, from: bytes) }
            let note = "seed \(seed) round \(round) keys \(keys)"
            switch (plain, lazy) {
            case (.failure, .failure): continue
            case (.success, .failure(let error)):
                failures.append("\(note): only lazy refuses: \(error)")
                continue
            case (.failure(let error), .success):
                failures.append("\(note): only plain refuses: \(error)")
                continue
            case (.success(var model), .success(var loaded)):
                bothLoaded += 1
                failures += try compare(loaded, model, note, &rng)
                // Look up and replace by every key, and by the repaired strings' other spellings.
                for key in model.keys + model.keys.map(\.decomposedStringWithCanonicalMapping) {
                    if try loaded.value(forKey: key) != model[key] {
                        failures.append("\(note): lookup \(scalars(key))")
                    }
                    let value = Int.random(in: 0...99, using: &rng)
                    if try loaded.updateValue(value, forKey: key) != model.updateValue(value, forKey: key) {
                        failures.append("\(note): update \(scalars(key))")
                    }
                }
                failures += try compare(loaded, model, note + " after updates", &rng)
                let again = try CompactState.decode(Lazy.self, from: CompactState.encode(loaded))
                failures += try compare(again, model, note + " reloaded", &rng)
            }
            if failures.count > 10 { break }
        }
        #expect(bothLoaded > 100)
        #expect(failures.isEmpty, "\(failures.count): \(failures.prefix(5))")
    }
}

/// Minimal cases found by the fuzz above: Hangul syllables followed by a
/// trailing jamo, where Foundation's `precomposedStringWithCanonicalMapping`
/// (the equality form) disagrees with Swift's String ==.
@Suite("LazyDictionary: keys that Foundation NFC and Swift == judge differently (Hangul, Tibetan)")
struct LazyDictionaryHangulTests {
    typealias Lazy = LazyDictionary<Int>

    /// "\u{AC00}\u{11A8}" == "\u{AC01}" in Swift (LV syllable + T jamo composes),
    /// but Foundation leaves the pair uncomposed.
    @Test("an LV syllable + T jamo is found under its composed spelling, as a Dictionary finds it")
    func lvPlusT() throws {
        let composed = "\u{AC01}", split = "\u{AC00}\u{11A8}"
        #expect(composed == split)
        let plain = [composed: 1]
        var lazy = try CompactState.decode(Lazy.self, from: CompactState.encode(plain))
        #expect(try lazy.value(forKey: split) == plain[split])
        var model = plain
        let old = try lazy.updateValue(2, forKey: split)
        #expect(old == model.updateValue(2, forKey: split))
        #expect(lazy.count == model.count)
        let bytes = CompactState.encode(lazy)
        #expect(throws: Never.self) { try CompactState.decode([String: Int].self, from: bytes) }
        #expect(throws: Never.self) { try CompactState.decode(Lazy.self, from: bytes) }
    }

    /// "\u{1100}\u{1161}\u{11C3}" (U+11C3 is not a modern trailing jamo) and
    /// "\u{AC1C}" are different Strings, but Foundation composes the first to
    /// the second.
    @Test("two different Strings are two keys, as in a Dictionary")
    func distinctKeysMerged() throws {
        let jamo = "\u{1100}\u{1161}\u{11C3}", syllable = "\u{AC1C}"
        #expect(jamo != syllable)
        let plain = [jamo: 1, syllable: 2]
        #expect(plain.count == 2)
        let bytes = CompactState.encode(plain)
        #expect(try CompactState.decode([String: Int].self, from: bytes) == plain)
        let lazy = try CompactState.decode(Lazy.self, from: bytes)
        #expect(try lazy.value(forKey: jamo) == 1)
        #expect(try lazy.value(forKey: syllable) == 2)

        var one = try CompactState.decode(Lazy.self, from: CompactState.encode([jamo: 1]))
        #expect(try one.value(forKey: syllable) == nil)
        #expect(try one.updateValue(2, forKey: syllable) == nil)
        #expect(one.count == 2)
    }

    /// Foundation's NFC leaves "a\u{F81}\u{301}" uncomposed but composes
    /// "a\u{F71}\u{F80}\u{301}" to "\u{E1}\u{F71}\u{F80}"; Swift says the two are equal.
    @Test("a Tibetan vowel sign before a combining mark: equal Strings, one key")
    func tibetan() throws {
        let a = "a\u{F81}\u{301}", b = "a\u{F71}\u{F80}\u{301}"
        #expect(a == b)
        let lazy = try CompactState.decode(Lazy.self, from: CompactState.encode([a: 1]))
        #expect(try lazy.value(forKey: b) == 1)
    }
}
