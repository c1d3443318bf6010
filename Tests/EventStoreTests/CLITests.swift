import Foundation
import Testing
@testable import EventStore

@Suite("The evstore command line")
struct CLITests {
    @Test("init, append, read, import, stats, verify and reindex end to end")
    func endToEnd() throws {
        let directory = TemporaryDirectory()
        let store = ["--store", directory.store]

        #expect(try runCLI(store + ["init"]).status == 0)
        let appended = try runCLI(store + [
            "append", "engagement-E042", "--type", "TimesheetSubmitted",
            "--data", #"{"timesheet_id":"T1","engagement_id":"E042","consultant_id":"C7","#
                + #""work_date":"2026-03-02","hours":7.5,"billable":true}"#,
            "--metadata", #"{"actor":"user-17"}"#, "--id", "ts-1",
            "--occurred-at", "2026-03-02T10:15:00+01:00", "--expected-version", "no_stream",
        ])
        #expect(appended.status == 0)
        #expect(appended.stdout
            == #"{"stream":"engagement-E042","position":1,"version":1,"duplicate":false}"# + "\n")

        let read = try runCLI(store + ["read", "engagement-E042"])
        #expect(read.status == 0)
        #expect(read.stdout.hasPrefix(#"{"position":1,"stream":"engagement-E042","version":1,"#
            + #""id":"ts-1","type":"TimesheetSubmitted","occurred_at":"2026-03-02T09:15:00Z","#))
        #expect(read.stdout.hasSuffix(#""hours":7.5,"billable":true},"#
            + #""metadata":{"actor":"user-17"}}"# + "\n"))

        let lines = """
            {"stream":"a","type":"Tick","data":{"n":1},"id":"i1"}
            {"stream":"b","type":"Tick","data":{"n":2},"id":"i2","expected_version":"no_stream"}
            {"stream":"a","type":"Tick","data":{"n":3},"id":"i3","expected_version":1}

            """
        let imported = try runCLI(store + ["import", "-"], input: lines)
        #expect(imported.status == 0)
        #expect(imported.stdout.hasPrefix("imported 3 events, skipped 0 duplicates"))
        let again = try runCLI(store + ["import", "-"], input: lines)
        #expect(again.stdout.hasPrefix("imported 0 events, skipped 3 duplicates"))

        let stats = try runCLI(store + ["stats", "--json"])
        #expect(stats.stdout.contains(#""events":4,"streams":3,"segments":1"#))
        #expect(stats.stdout.contains(#""events_by_type":{"Tick":3,"TimesheetSubmitted":1}"#))

        let verify = try runCLI(store + ["verify"])
        #expect(verify.status == 0)
        #expect(verify.stdout.contains("checked 1 segments, 2 frames, 4 events in 3 streams"))
        let reindex = try runCLI(store + ["reindex"])
        #expect(reindex.stdout == "reindexed 4 events\n")
        let all = try runCLI(store + ["read", "--all", "--type", "Tick", "--limit", "2"])
        #expect(all.stdout.split(separator: "\n").count == 2)
    }

    @Test("an invalid line stops the import with its number; earlier batches stay")
    func invalidLine() throws {
        let directory = TemporaryDirectory()
        let store = ["--store", directory.store]
        #expect(try runCLI(store + ["init"]).status == 0)
        let lines = """
            {"stream":"s","type":"Tick","data":{"n":1}}
            {"stream":"s","type":"Tick","data":{"n":2}}
            {"stream":"s","type":"Tick","data":{"n":3}}
            {"stream":"t","type":"TimesheetSubmitted","data":{"timesheet_id":"T","engagement_id":"E","consultant_id":"C","work_date":"2026-02-30","hours":8,"billable":true}}
            {"stream":"s","type":"Tick","data":{"n":5}}
            """
        let result = try runCLI(store + ["import", "-", "--batch-size", "2"], input: lines)
        #expect(result.status == 1)
        #expect(result.stderr.hasPrefix("evstore: error: -: line 4: field data.work_date: "))
        #expect(result.stderr.hasSuffix(
            "(this batch was not stored; 2 events of earlier batches were)\n"))
        let read = try runCLI(store + ["read", "s"])
        #expect(read.stdout.split(separator: "\n").count == 2)
    }

    @Test("a byte order mark before the first line is not part of it")
    func byteOrderMark() throws {
        let directory = TemporaryDirectory()
        let store = ["--store", directory.store]
        #expect(try runCLI(store + ["init"]).status == 0)
        let result = try runCLI(store + ["import", "-"],
                                input: "\u{FEFF}" + #"{"stream":"s","type":"Tick","data":{}}"# + "\n")
        #expect(result.status == 0)
        #expect(result.stdout.hasPrefix("imported 1 events"))
    }

    @Test("exit codes: 2 for usage errors, 3 for a version conflict, 1 for failures")
    func exitCodes() throws {
        let directory = TemporaryDirectory()
        let store = ["--store", directory.store]
        #expect(try runCLI(store + ["read", "s"]).status == 1)  // no store yet
        #expect(try runCLI(store + ["init"]).status == 0)
        #expect(try runCLI(store + ["frobnicate"]).status == 2)
        #expect(try runCLI(store + ["read", "s", "--limit", "many"]).status == 2)
        #expect(try runCLI(store + ["append", "s", "--type", "T"]).status == 2)
        let top = try runCLI(["--help"])
        #expect(top.status == 0)
        #expect(top.stdout.contains("  import-log  import an XES or CSV event log through a mapping\n"))
        let help = try runCLI(store + ["append", "--help"])
        #expect(help.status == 0 && help.stdout.contains("--expected-version V"))
        #expect(try runCLI(store + ["append", "s", "--type", "T", "--data", "{}"]).status == 0)
        let conflict = try runCLI(store + ["append", "s", "--type", "T", "--data", "{}",
                                           "--expected-version", "no_stream"])
        #expect(conflict.status == 3)
        #expect(conflict.stderr == "evstore: error: version conflict on stream \"s\": "
            + "expected no_stream, actual 1\n")
        let env = try runCLI(["read", "s"], environment: ["EVSTORE_DIR": directory.store])
        #expect(env.status == 0 && env.stdout.contains(#""stream":"s""#))
    }
}

@Suite("Reading gzip input")
struct GzipInputTests {
    @Test("a truncated .gz file fails loudly instead of importing as a shorter file")
    func truncated() throws {
        let directory = TemporaryDirectory()
        var lines = ""
        for i in 0..<2_000 { lines += #"{"stream":"s","type":"Tick","data":{"n":\#(i)}}"# + "\n" }
        let plain = directory.path + "/w.jsonl"
        try lines.write(toFile: plain, atomically: true, encoding: .utf8)
        let gzip = Process()
        gzip.executableURL = URL(fileURLWithPath: "/bin/gzip")
        gzip.arguments = ["-k", plain]
        try gzip.run()
        gzip.waitUntilExit()
        let data = try Data(contentsOf: URL(fileURLWithPath: plain + ".gz"))
        try data.prefix(data.count / 2).write(to: URL(fileURLWithPath: directory.path + "/cut.gz"))

        let whole = try LineReader(path: plain + ".gz")
        var count = 0
        while try whole.next() != nil { count += 1 }
        #expect(count == 2_000)
        let cut = try LineReader(path: directory.path + "/cut.gz")
        #expect(throws: LineReadError.self) { while try cut.next() != nil {} }
    }
}
