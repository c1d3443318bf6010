import Dispatch
import Foundation
import Synchronization
import Testing
@testable import EventStore

@Suite("Backup")
struct BackupTests {
    @Test("a backup taken while a writer appends verifies and holds a whole prefix of the log")
    func underAppends() throws {
        let directory = TemporaryDirectory()
        let store = try openStore(directory, segmentSize: 4_000)
        for i in 0..<50 { try store.append([note("before \(i)"), note("pair \(i)")], to: "s") }

        let stop = Atomic<Bool>(false)
        let writer = DispatchGroup()
        DispatchQueue.global().async(group: writer) {
            var i = 0
            while !stop.load(ordering: .relaxed) {
                _ = try? store.append([note("during \(i)"), note("pair \(i)")], to: "t")
                i += 1
            }
        }
        usleep(50_000)
        let copy = directory.path + "/copy"
        let report = try store.backup(to: copy)
        stop.store(true, ordering: .relaxed)
        writer.wait()

        let restored = try EventStore(directory: copy, options: makeOptions())
        #expect(try restored.verify().isOK)
        #expect(try restored.headPosition() == report.lastPosition)
        #expect(report.lastPosition >= 100 && report.lastPosition % 2 == 0)
        // The copy is exactly the original's first positions, byte for byte.
        let original = try store.readAll().prefix(report.lastPosition)
        #expect(try restored.readAll() == Array(original))
        // A restored store takes appends and goes on from its last position.
        #expect(try restored.append([note("after")], to: "u").positions
            == [report.lastPosition + 1])
        #expect(throws: StoreError.destinationExists(copy)) { _ = try store.backup(to: copy) }
    }
}
