import EventModel
import EventStore
import Foundation
import Testing
@testable import Projections

@Suite("Backup and restore with read models")
struct BackupRestoreTests {
    @Test("a restored store's read models start where the copy's were and catch up to the original's")
    func restoredModelsCatchUp() throws {
        let fixture = try ReplayFixture()
        fixture.record(at: "2026-12-01T00:00:00Z")
        let lines = try generatedWorkload(events: 1_200, in: fixture.directory)
        try appendLines(lines[..<600], to: fixture.store)
        let engine = try fixture.engine()
        // The first catch-up records the four rule sets in force ($rules
        // events at positions 601-604) and folds through them.
        try engine.catchUp()
        // The read models are 600 positions behind the log when the copy is made.
        try appendLines(lines[600...], to: fixture.store)
        let copy = fixture.directory + "-restored"
        defer { try? FileManager.default.removeItem(atPath: copy) }
        let report = try fixture.store.backup(to: copy)
        #expect(report.lastPosition == 1_204)

        let restored = try EventStore(directory: copy)
        #expect(try restored.verify().isOK)
        let registrations = try BuiltInProjections.names.map { name in
            try BuiltInProjections.make(name, rules: Array(BuiltInProjections.defaultRules[name]!.utf8),
                                        file: "\(name).json")
        }
        let restoredEngine = try ProjectionEngine(store: restored, projections: registrations,
                                                  clock: { Timestamp(microseconds: 0) },
                                                  actor: "auditor")
        for name in BuiltInProjections.names {
            #expect(try restoredEngine.checkpoint(name)?.position == 604, "\(name)")
        }
        try restoredEngine.catchUp()
        try engine.catchUp()
        for name in BuiltInProjections.names {
            let original = try engine.model(name, now: fixedNow)
            let copied = try restoredEngine.model(name, now: fixedNow)
            #expect(copied.position == 1_204, "\(name)")
            #expect(copied.rows == original.rows, "\(name)")
            #expect(!copied.rows.isEmpty, "\(name)")
        }
    }
}
