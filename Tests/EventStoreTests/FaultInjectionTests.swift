import Foundation
import Testing
@testable import EventStore

/// Fails the n-th write, sync or truncate the store makes (counting from 1),
/// once, with the given fault.
final class FaultPlan: Sendable {
    private let state: Locked<(calls: Int, failAt: Int, operation: String)>
    private let fault: InjectedFault

    init(operation: String, failAt: Int, fault: InjectedFault) {
        state = Locked((0, failAt, operation))
        self.fault = fault
    }

    /// How many calls of the planned operation the store has made.
    var calls: Int { state.withLock { $0.calls } }

    func decide(_ operation: String, _ path: String) -> InjectedFault {
        state.withLock { state in
            guard operation == state.operation else { return .none }
            state.calls += 1
            return state.calls == state.failAt ? fault : .none
        }
    }
}

@Suite("Write errors")
struct FaultInjectionTests {
    private func store(_ directory: TemporaryDirectory, plan: FaultPlan) throws -> EventStore {
        var options = makeOptions()
        options.faults = { plan.decide($0, $1) }
        return try EventStore(directory: directory.store, options: options, create: true)
    }

    @Test("a failed or short write stores nothing of the batch, names the file, and appends go on",
          arguments: [InjectedFault.fail(errno: ENOSPC), .short(bytes: 30, errno: ENOSPC),
                      .fail(errno: EIO)])
    func failedWrite(fault: InjectedFault) throws {
        let directory = TemporaryDirectory()
        // The second frame write fails.
        let plan = FaultPlan(operation: "write", failAt: 2, fault: fault)
        let store = try store(directory, plan: plan)
        try store.append([note("1")], to: "s")
        let sizeBefore = try FileSystem.fileSize(segmentPath(directory.store))
        #expect {
            try store.append([note("2"), note("3")], to: "s")
        } throws: { error in
            guard let file = error as? FileError else { return false }
            return file.operation == "write" && file.path == segmentPath(directory.store)
        }
        #expect(try FileSystem.fileSize(segmentPath(directory.store)) == sizeBefore)
        #expect(try store.headPosition() == 1)
        #expect(try store.append([note("4")], to: "s").positions == [2])
        #expect(try store.readAll().map(\.text) == [#"{"text":"1"}"#, #"{"text":"4"}"#])
        #expect(try store.verify().isOK)
    }

    @Test("a failed sync is not acknowledged and leaves nothing behind")
    func failedSync() throws {
        let directory = TemporaryDirectory()
        let plan = FaultPlan(operation: "sync", failAt: 2, fault: .fail(errno: EIO))
        let store = try store(directory, plan: plan)
        try store.append([note("1")], to: "s")
        #expect(throws: FileError.self) { try store.append([note("2")], to: "s") }
        #expect(try store.headPosition() == 1)
        #expect(try store.append([note("3")], to: "s").positions == [2])
        #expect(try store.verify().isOK)

        // Reopened, the store holds exactly the acknowledged events.
        let reopened = try EventStore(directory: directory.store, options: makeOptions())
        #expect(try reopened.readAll().map(\.text) == [#"{"text":"1"}"#, #"{"text":"3"}"#])
    }
}
