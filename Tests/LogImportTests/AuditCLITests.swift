import Foundation
import Testing

/// The built `evstore` executable beside the test bundle (or in a parent folder).
func evstoreExecutable() -> String {
    var url = URL(fileURLWithPath: Bundle.main.bundlePath)
    for _ in 0..<4 {
        var isDirectory: ObjCBool = false
        let path = url.path + "/evstore"
        if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory),
           !isDirectory.boolValue {
            return path
        }
        url.deleteLastPathComponent()
    }
    return FileManager.default.currentDirectoryPath + "/.build/debug/evstore"
}

/// Runs `evstore`; standard error is read after standard output, so it must
/// stay under a pipe's buffer (an error message, not a stream of output).
func evstore(_ arguments: [String]) throws -> (status: Int32, output: String, errors: String) {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: evstoreExecutable())
    process.arguments = arguments
    let output = Pipe()
    let errors = Pipe()
    process.standardOutput = output
    process.standardError = errors
    try process.run()
    let data = output.fileHandleForReading.readDataToEndOfFile()
    let errorData = errors.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return (process.terminationStatus, String(decoding: data, as: UTF8.self),
            String(decoding: errorData, as: UTF8.self))
}

@Suite("One real declaration through the command line")
struct AuditCLITests {
    @Test("import and import-log say the same of an input file that is not there")
    func missingInput() throws {
        let directory = TemporaryDirectory()
        let store = ["--store", directory.store]
        #expect(try evstore(store + ["init"]).status == 0)
        let lines = try evstore(store + ["import", directory.path + "/none.jsonl"])
        #expect(lines.status == 1)
        #expect(lines.errors == "evstore: error: cannot read \(directory.path)/none.jsonl: "
            + "No such file or directory\n")
        let log = try evstore(store + ["import-log", directory.path + "/none.csv",
                                       "--mapping", Fixture.mappingPath("bpi2020.json")])
        #expect(log.status == 1)
        #expect(log.errors == "evstore: error: cannot read \(directory.path)/none.csv: "
            + "No such file or directory\n")
    }

    @Test("init on an existing store says it left it as it was")
    func initTwice() throws {
        let directory = TemporaryDirectory()
        let first = try evstore(["--store", directory.store, "init"])
        #expect(first.status == 0 && first.output.hasPrefix("initialised store at \(directory.store)"))
        let again = try evstore(["--store", directory.store, "init"])
        #expect(again.status == 0
                && again.output.hasPrefix("a store exists at \(directory.store): left as it was"))
    }

    @Test("evstore help [COMMAND] prints what --help prints")
    func helpCommand() throws {
        let top = try evstore(["--help"])
        #expect(top.status == 0 && top.output.hasPrefix("usage: evstore"))
        #expect(try evstore(["help"]).output == top.output)
        let replay = try evstore(["replay", "--help"])
        #expect(replay.status == 0 && replay.output.contains("--at-position P"))
        let viaHelp = try evstore(["help", "replay"])
        #expect(viaHelp.status == 0 && viaHelp.output == replay.output)
        #expect(try evstore(["help", "nonsense"]).status == 2)
    }

    @Test("import-log then audit shows declaration 86791's history as in the source rows")
    func audit() throws {
        let directory = TemporaryDirectory()
        let store = ["--store", directory.store]
        #expect(try evstore(store + ["init"]).status == 0)
        #expect(try evstore(store + ["import-log", Fixture.sampleXES,
                                     "--mapping", Fixture.mappingPath("bpi2020.json")]).status == 0)
        let audit = try evstore(store + ["audit", "declaration-86791", "--format", "jsonl"])
        #expect(audit.status == 0)
        let lines = audit.output.split(separator: "\n").map(String.init)
        // Source rows (+01:00): SUBMITTED 09:49:50, FINAL_APPROVED 11:27:48 on
        // 2017-01-09, Request Payment 2017-01-10 09:34:44, Payment Handled
        // 2017-01-12 17:31:22; amount 26.85120450862128 as written.
        #expect(lines.count == 4)
        let expected: [(String, String, String)] = [
            ("ApprovalRequested", "2017-01-09T08:49:50Z", "st_step 86794_0"),
            ("ApprovalGranted", "2017-01-09T10:27:48Z", "st_step 86793_0"),
            ("PaymentRequested", "2017-01-10T08:34:44Z", "dd_declaration 86791_19"),
            ("PaymentHandled", "2017-01-12T16:31:22Z", "dd_declaration 86791_20"),
        ]
        for (index, (type, occurred, sourceID)) in expected.enumerated() where index < lines.count {
            let line = lines[index]
            #expect(line.contains(#""version":\#(index + 1),"#))
            #expect(line.contains(#""type":"\#(type)""#))
            #expect(line.contains(#""occurred_at":"\#(occurred)""#))
            #expect(line.contains(#""id":"bpi2020:\#(sourceID)""#))
        }
        #expect(lines.first?.contains(#""amount":"26.85120450862128""#) == true)
        #expect(lines.first?.contains(#""subject_id":"86792""#) == true)
    }
}
