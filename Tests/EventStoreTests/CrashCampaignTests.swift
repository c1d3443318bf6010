import Foundation
import Testing
@testable import EventStore

/// Kills a writer with SIGKILL at random moments and checks, after each kill,
/// that every acknowledged event is there byte for byte, that no half batch
/// is visible, and that appending goes on with contiguous positions. The
/// writer is a shell loop around `evstore import` of one two-event batch,
/// which records each batch's number in a side file only after the command
/// returned (that is, after its durable append). `EVSTORE_CRASH_ROUNDS` sets the
/// number of rounds (20 by default; the long campaign uses 200 or more).
@Suite("Crash during append")
struct CrashCampaignTests {
    @Test("SIGKILL at random moments loses no acknowledged event")
    func campaign() throws {
        let rounds = Int(ProcessInfo.processInfo.environment["EVSTORE_CRASH_ROUNDS"] ?? "") ?? 20
        let directory = TemporaryDirectory()
        _ = try openStore(directory)
        let acknowledged = directory.path + "/acknowledged"
        let executable = productsDirectory() + "/evstore"
        // Each batch is an `import` of two lines (one atomic batch), and it is
        // acknowledged once the command has returned.
        let script = """
            i=0
            while true; do
              i=$((i+1))
              printf '{"stream":"s-%d","type":"Tick","data":{"n":%d,"pad":"%s"}}\\n{"stream":"t","type":"Tock","data":{"n":%d}}\\n' \
                $((i % 3)) $i "$(head -c $((i % 50)) /dev/zero | tr '\\0' x)" $i > "$1/batch"
              "$2" --store "$1/store" import "$1/batch" --batch-size 2 >/dev/null || exit 1
              echo "$i" >> "$3"
            done
            """
        var generator = SystemRandomNumberGenerator()
        for round in 0..<rounds {
            let writer = Process()
            writer.executableURL = URL(fileURLWithPath: "/bin/bash")
            writer.arguments = ["-c", script, "campaign", directory.path, executable,
                                acknowledged]
            try writer.run()
            usleep(UInt32.random(in: 30_000...400_000, using: &generator))
            // Kill the loop and whatever `evstore` it is running.
            let pkill = Process()
            pkill.executableURL = URL(fileURLWithPath: "/usr/bin/pkill")
            pkill.arguments = ["-KILL", "-P", String(writer.processIdentifier)]
            try pkill.run()
            pkill.waitUntilExit()
            kill(writer.processIdentifier, SIGKILL)
            writer.waitUntilExit()

            // Reopen (recovering), verify, and check every acknowledged batch.
            let store = try EventStore(directory: directory.store, options: makeOptions())
            #expect(try store.verify().isOK, "round \(round)")
            let events = try store.readAll()
            #expect(events.map(\.position) == Array(stride(from: 1, through: events.count, by: 1)))
            // A batch is a Tick and its Tock at the next position: never one alone.
            for (index, event) in events.enumerated() where event.type == "Tick" {
                let next = index + 1 < events.count ? events[index + 1] : nil
                #expect(next?.type == "Tock", "half a batch visible in round \(round)")
            }
            for (index, event) in events.enumerated() where event.type == "Tock" {
                #expect(index > 0 && events[index - 1].type == "Tick",
                        "half a batch visible in round \(round)")
            }
            let ticks = Set(events.filter { $0.type == "Tick" }.map { event -> Int in
                let data = try! event.dataObject()
                return Int(data.number("n")!.literal)!
            })
            let acked = (try? String(contentsOfFile: acknowledged, encoding: .utf8)) ?? ""
            for line in acked.split(separator: "\n") {
                // Each loop restarts its counter, so a batch number may repeat;
                // what matters is that an acknowledged number is stored.
                #expect(ticks.contains(Int(line)!), "acknowledged batch \(line) lost")
            }
            try store.append([note("after round \(round)")], to: "after")
        }
        let store = try EventStore(directory: directory.store, options: makeOptions())
        #expect(try store.read(stream: "after").map(\.version) == Array(1...rounds))
        #expect(try store.verify().isOK)
    }
}
