import Foundation
import Testing
@testable import Projections

@Suite("Dictionaries loaded lazily")
struct LazyDictionaryTests {
    typealias Timesheet = UtilizationProjection.Timesheet

    private func timesheet(_ consultant: String, hours: String,
                           _ status: UtilizationProjection.Status = .submitted) -> Timesheet {
        Timesheet(consultantID: consultant, weekStart: 20_514,
                  hours: Decimal(string: hours)!, billable: true, status: status)
    }

    /// 500 timesheets: T0 … T499, consultant C(i mod 7), i/4 hours.
    private func plain() -> [String: Timesheet] {
        var entries: [String: Timesheet] = [:]
        for i in 0..<500 {
            entries["T\(i)"] = timesheet("C\(i % 7)", hours: "\(Double(i) / 4)")
        }
        return entries
    }

    @Test("it reads a plain dictionary's bytes, answers each key, and writes the same entries")
    func sameAsDictionary() throws {
        let entries = plain()
        var lazy = try CompactState.decode(LazyDictionary<Timesheet>.self,
                                           from: CompactState.encode(entries))
        #expect(lazy.count == 500)
        #expect(try lazy.value(forKey: "T123") == timesheet("C4", hours: "30.75"))
        #expect(try lazy.value(forKey: "T500") == nil)

        // Replacing a loaded entry returns it and keeps the count; a new key
        // adds one.
        let old = try lazy.updateValue(timesheet("C9", hours: "8", .approved), forKey: "T123")
        #expect(old == timesheet("C4", hours: "30.75"))
        #expect(try lazy.updateValue(timesheet("C1", hours: "1"), forKey: "T900") == nil)
        #expect(lazy.count == 501)
        #expect(try lazy.value(forKey: "T123") == timesheet("C9", hours: "8", .approved))

        var expected = entries
        expected["T123"] = timesheet("C9", hours: "8", .approved)
        expected["T900"] = timesheet("C1", hours: "1")
        #expect(try lazy.dictionary() == expected)
        // Written, it reads back as a plain dictionary: the format is the same.
        #expect(try CompactState.decode([String: Timesheet].self,
                                        from: CompactState.encode(lazy)) == expected)
        // And lazily again, with the changed entries among the saved ones.
        let again = try CompactState.decode(LazyDictionary<Timesheet>.self,
                                            from: CompactState.encode(lazy))
        #expect(again == LazyDictionary(expected))
        #expect(try again.value(forKey: "T900") == timesheet("C1", hours: "1"))
    }

    @Test("damaged entries are refused when loaded, not when first asked for")
    func damaged() throws {
        var entries = plain()
        entries["T7"] = timesheet("C0", hours: "1")
        var bytes = CompactState.encode(entries)
        let load = { (bytes: [UInt8]) in
            try CompactState.decode(LazyDictionary<Timesheet>.self, from: bytes)
        }
        #expect(throws: Never.self) { try load(bytes) }

        // A status no case has: "submitted" with its last letter changed.
        let submitted = Array("submitted".utf8)
        let at = try #require(bytes.indices.last {
            bytes[$0...].starts(with: submitted)
        })
        var unknownStatus = bytes
        unknownStatus[at + submitted.count - 1] = UInt8(ascii: "x")
        #expect(throws: CompactStateError.self) { try load(unknownStatus) }

        // A key written twice: rename T8 to T7 (same length).
        let renamed = Array("T8".utf8)
        let key = try #require(bytes.indices.first { bytes[$0...].starts(with: renamed) })
        bytes[key + 1] = UInt8(ascii: "7")
        let error = #expect(throws: CompactStateError.self) { try load(bytes) }
        #expect(error?.reason == "duplicate key")

        // Cut anywhere: an error, never a crash.
        let whole = CompactState.encode(entries)
        for cut in stride(from: 1, to: whole.count, by: 97) {
            #expect(throws: (any Error).self) { try load(Array(whole.prefix(cut))) }
        }
    }
}
