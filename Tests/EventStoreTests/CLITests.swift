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
        // A conflict inside an import is a conflict too.
        let imported = try runCLI(store + ["import", "-"], input: """
            {"stream":"s","type":"T","data":{},"expected_version":5}

            """)
        #expect(imported.status == 3)
        #expect(imported.stderr.contains("version conflict on stream \"s\": expected 5"))
    }

    @Test("options of the other read form, numbers out of range and extra arguments are refused")
    func refusedOptions() throws {
        let directory = TemporaryDirectory()
        let store = ["--store", directory.store]
        #expect(try runCLI(store + ["init"]).status == 0)
        #expect(try runCLI(store + ["append", "s", "--type", "X", "--data", "{}"]).status == 0)
        func refused(_ arguments: [String]) throws -> String {
            let result = try runCLI(store + arguments)
            #expect(result.status == 2, "\(arguments)")
            #expect(result.stdout.isEmpty, "\(arguments)")
            return result.stderr
        }
        #expect(try refused(["read", "s", "--type", "Y"])
            == "evstore: error: --type goes with --all, not with a STREAM\n")
        #expect(try refused(["read", "s", "--follow"])
            == "evstore: error: --follow goes with --all, not with a STREAM\n")
        #expect(try refused(["read", "--all", "--backwards"])
            == "evstore: error: --backwards reads one stream; it does not go with --all\n")
        #expect(try refused(["read", "--all", "--from-version", "3"])
            == "evstore: error: --from-version reads one stream; it does not go with --all\n")
        #expect(try refused(["report", "--top", "-1"])
            == "evstore: error: --top must be at least 0, got -1\n")
        #expect(try refused(["read", "s", "--from-version", "-1"])
            == "evstore: error: --from-version must be at least 0, got -1\n")
        #expect(try refused(["verify", "extra"])
            == "evstore: error: verify: unexpected argument \"extra\"; usage: evstore verify\n")
        #expect(try refused(["export", "utilization", "--format", "table", "--excel"])
            == "evstore: error: --excel goes with --format csv, not table\n")
        // The forms that are right still work.
        let read = try runCLI(store + ["read", "s", "--from-version", "1", "--backwards"])
        #expect(read.status == 0 && read.stdout.contains(#""type":"X""#))
    }

    @Test("a lost index and a missing store get errors that say what to run")
    func missingPieces() throws {
        let directory = TemporaryDirectory()
        let store = ["--store", directory.store]
        let missing = try runCLI(store + ["read", "s"])
        #expect(missing.status == 1)
        #expect(missing.stderr == "evstore: error: \(directory.store) does not exist "
            + "(run `evstore init` to create a store there)\n")
        #expect(try runCLI(store + ["init"]).status == 0)
        #expect(try runCLI(store + ["append", "s", "--type", "X", "--data", "{}"]).status == 0)
        for suffix in ["", "-wal", "-shm"] {
            try? FileManager.default.removeItem(atPath: directory.store + "/index.sqlite" + suffix)
        }
        let lost = try runCLI(store + ["read", "s"])
        #expect(lost.status == 1)
        #expect(lost.stderr == "evstore: error: \(directory.store) has its log but no "
            + "index.sqlite; run `evstore reindex` to rebuild the index from the log\n")
        #expect(try runCLI(store + ["reindex"]).stdout == "reindexed 1 events\n")
        #expect(try runCLI(store + ["read", "s"]).stdout.contains(#""type":"X""#))

        let backup = try runCLI(store + ["backup", directory.store])
        #expect(backup.status == 1)
        #expect(backup.stderr == "evstore: error: backup: \(directory.store) already exists; "
            + "the destination must be a new path\n")
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
