import Foundation
import Testing
@testable import EventStore

/// Flips, zeroes or truncates bytes at random offsets of sealed and tail
/// segments. After each change `verify` names the segment file and a byte
/// offset, and a full read either fails loudly or, until it fails, returns
/// exactly the original events: never altered or invented ones.
/// `EVSTORE_CORRUPTION_CASES` sets the number of cases (60 by default; the
/// long campaign uses 1,000 or more).
@Suite("Corruption")
struct CorruptionCampaignTests {
    enum Damage: CaseIterable { case flip, zero, truncate }

    @Test("damaged segments are found by verify and never read as other events")
    func campaign() throws {
        let cases = Int(ProcessInfo.processInfo.environment["EVSTORE_CORRUPTION_CASES"] ?? "")
            ?? 60
        let directory = TemporaryDirectory()
        do {
            let store = try openStore(directory, segmentSize: 3_000)
            for i in 0..<60 {
                try store.append([note("event \(i) " + String(repeating: "y", count: i)),
                                  note("second \(i)")], to: "s-\(i % 4)")
            }
        }
        let pristine = directory.path + "/pristine"
        try FileManager.default.moveItem(atPath: directory.store, toPath: pristine)
        let originals = try EventStore(directory: pristine, options: readOnly()).readAll()
        let segments = try FileSystem.listDirectory(pristine + "/log")
        #expect(segments.count >= 3)

        var generator = SystemRandomNumberGenerator()
        for number in 0..<cases {
            try? FileManager.default.removeItem(atPath: directory.store)
            try FileManager.default.copyItem(atPath: pristine, toPath: directory.store)
            // Half the cases hit the tail segment, half a sealed one.
            let name = number % 2 == 0 ? segments.last!
                : segments.dropLast().randomElement(using: &generator)!
            let path = directory.store + "/log/" + name
            var bytes = try Array(Data(contentsOf: URL(fileURLWithPath: path)))
            let original = bytes
            let offset = Int.random(in: 0..<bytes.count, using: &generator)
            switch Damage.allCases.randomElement(using: &generator)! {
            case .flip: bytes[offset] ^= UInt8(1 << Int.random(in: 0..<8, using: &generator))
            case .zero:
                for i in offset..<min(bytes.count, offset + Int.random(in: 1...16)) { bytes[i] = 0 }
            case .truncate: bytes.removeSubrange(offset...)
            }
            if bytes == original { continue }
            try Data(bytes).write(to: URL(fileURLWithPath: path))

            let store = try EventStore(directory: directory.store, options: readOnly())
            let fault = try #require(try store.verify().fault, "case \(number): \(name)")
            #expect(fault.contains(path) || fault.contains("index.sqlite"),
                    "case \(number): \(fault)")
            #expect(fault.contains("byte offset"), "case \(number): \(fault)")

            // On the caller's thread and reading ahead on another.
            for readAhead in [false, true] {
                var delivered: [RecordedEvent] = []
                #expect(throws: (any Error).self, "case \(number): a damaged log read whole") {
                    try store.readAll(from: 1, filter: ReadFilter(),
                                      readAhead: readAhead) { event in
                        delivered.append(event)
                        return true
                    }
                }
                #expect(delivered == Array(originals.prefix(delivered.count)), "case \(number)")
            }
        }
    }

    private func readOnly() -> StoreOptions {
        var options = makeOptions()
        options.readOnly = true
        return options
    }
}
