import EventModel
import EventStore
import Foundation
import Testing
@testable import LogImport
@testable import Projections

/// Replays the kept fuzzing inputs (`Fixtures/fuzz/TARGET`: the seeds of
/// `tools/fuzz.sh` and every crashing input it found, once fixed) through the
/// same entry points the fuzzer drives. Each entry traps on a crash or a broken
/// invariant, so passing means no input of the folder regressed.
@Suite("Fuzzing inputs")
struct FuzzRegressionTests {
    /// The kept inputs of one target, by file name.
    private func inputs(_ target: String) throws -> [(name: String, bytes: [UInt8])] {
        let folder = Fixture.path("fuzz/" + target)
        let names = try FileManager.default.contentsOfDirectory(atPath: folder).sorted()
        return try names.map { name in
            (name, Array(try Data(contentsOf: URL(fileURLWithPath: folder + "/" + name))))
        }
    }

    @Test("JSON Lines inputs parse, write back to the same value, or fail cleanly")
    func jsonLines() throws {
        let kept = try inputs("jsonl")
        #expect(kept.count >= 18)
        for input in kept { input.bytes.withUnsafeBytes { WireFuzzEntry.run($0) } }
        // The seeds include the good lines and the bad-input corpus: the good
        // decode, the bad are refused.
        let timesheet = try #require(kept.first { $0.name == "seed-timesheet" })
        #expect(throws: Never.self) { try WireCodec.decodeLine(timesheet.bytes, line: 1) }
        let broken = try #require(kept.first { $0.name == "seed-broken-json" })
        #expect(throws: CodecError.self) { try WireCodec.decodeLine(broken.bytes, line: 1) }
    }

    @Test("saved states load, save again to the same rows, or are refused")
    func states() throws {
        let kept = try inputs("state")
        for input in kept { _ = input.bytes.withUnsafeBytes { StateFuzzEntry.run($0) } }
        // The seeds are the four built-in states after the same 400 generated
        // events: each loads and has rows; cut short, each is refused.
        for name in BuiltInProjections.names {
            let seed = try #require(kept.first { $0.name == "seed-" + name }).bytes
            let rows = seed.withUnsafeBytes { StateFuzzEntry.run($0) }
            #expect((rows ?? 0) > 0, "\(name)")
            #expect(seed.dropLast().withUnsafeBytes { StateFuzzEntry.run($0) } == nil)
        }
        // The events folded after a load are ones the seed states take.
        let events = StateFuzzEntry.probes
        for (index, name) in BuiltInProjections.names.enumerated() {
            let seed = try #require(kept.first { $0.name == "seed-" + name }).bytes
            #expect(seed.first == UInt8(index))
            let runner = makeRunner(try BuiltInProjections.make(
                name, rules: Array(BuiltInProjections.defaultRules[name]!.utf8), file: name))
            try runner.load(Array(seed.dropFirst()))
            for event in events { #expect(throws: Never.self) { try runner.fold(event) } }
        }
    }

    @Test("record payloads and segment files decode, or are refused, soundly")
    func logInputs() throws {
        let directory = TemporaryDirectory()
        let scratch = directory.path
        let records = try inputs("records")
        #expect(!records.isEmpty)
        for input in records { input.bytes.withUnsafeBytes { LogFuzzEntry.records($0) } }
        let segments = try inputs("segment")
        #expect(!segments.isEmpty)
        for input in segments { LogFuzzEntry.segment(input.bytes, scratch: scratch) }

        // The seed segment holds two frames of 1 and 2 events: recovery keeps
        // all three.
        let seed = try #require(segments.first { $0.name == "seed-two-frames" })
        LogFuzzEntry.segment(seed.bytes, scratch: scratch)
        let store = try EventStore(directory: scratch + "/store")
        #expect(try store.readAll().map(\.type) == ["TimesheetSubmitted", "InvoiceNoted", "Note"])
    }

    @Test("XES and CSV inputs are read, or refused, without a crash")
    func logFiles() throws {
        let directory = TemporaryDirectory()
        let scratch = directory.path
        for (target, format) in [("xes", LogFormat.xes), ("csv", .csv)] {
            let kept = try inputs(target)
            #expect(!kept.isEmpty)
            for input in kept {
                LogReaderFuzzEntry.run(input.bytes, format: format, scratch: scratch)
            }
        }
        // The seeds read whole: the first two traces of the BPI sample have
        // 4 and 5 events; the CSV seeds have 5 rows, and 1 row over two lines.
        func events(_ target: String, _ name: String, _ format: LogFormat) throws -> Int {
            let input = try #require(try inputs(target).first { $0.name == name })
            return LogReaderFuzzEntry.run(input.bytes, format: format, scratch: scratch)
        }
        #expect(try events("xes", "seed-bpi-2-traces", .xes) == 9)
        #expect(try events("csv", "seed-bpi-5-rows", .csv) == 5)
        #expect(try events("csv", "seed-quoted", .csv) == 1)
    }
}
