import EventModel
import Foundation
import Testing
@testable import EventStore

/// A real write failure rather than an injected one: `evstore import` runs
/// under a file-size limit (`ulimit -f`, with SIGXFSZ ignored so that the
/// write fails with EFBIG instead of killing the process).
@Suite("File-size limit (EFBIG)")
struct FileSizeLimitTests {
    /// Imports `file` under a limit of `kilobytes`, returning the result.
    private func limitedImport(_ directory: TemporaryDirectory, _ file: String,
                               kilobytes: Int, batchSize: Int) throws -> CommandResult {
        let executable = productsDirectory() + "/evstore"
        let script = #"trap '' XFSZ; ulimit -f "$1"; exec "$2" --store "$3" import "$4" "#
            + #"--batch-size "$5""#
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/bash")
        process.arguments = ["-c", script, "limit", String(kilobytes), executable,
                             directory.store, file, String(batchSize)]
        let err = Pipe()
        process.standardOutput = FileHandle.nullDevice
        process.standardError = err
        try process.run()
        let errors = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return CommandResult(status: process.terminationStatus, stdout: "",
                             stderr: String(decoding: errors, as: UTF8.self))
    }

    /// Writes `count` events whose data holds `blobBytes` of pseudo-random hex
    /// (which LZ4 cannot shrink much), returning each line's data text.
    private func writeEvents(_ path: String, count: Int, blobBytes: Int) throws -> [String] {
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        var lines = ""
        var data: [String] = []
        for i in 0..<count {
            var blob = ""
            blob.reserveCapacity(blobBytes)
            while blob.utf8.count < blobBytes {
                state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
                blob += String(state >> 1, radix: 16)
            }
            let text = #"{"n":\#(i),"blob":"\#(blob)"}"#
            data.append(text)
            lines += #"{"stream":"s-\#(i % 7)","type":"Tick","id":"e-\#(i)","data":\#(text)}"#
                + "\n"
        }
        try lines.write(toFile: path, atomically: true, encoding: .utf8)
        return data
    }

    /// Checks what a failed limited import left: whole batches, byte for byte,
    /// a store that verifies, and an import without the limit that finishes it.
    private func checkAfterFailure(_ directory: TemporaryDirectory, file: String,
                                   data: [String], batchSize: Int,
                                   result: CommandResult, failingFile: String,
                                   reason: String) throws {
        #expect(result.status == 1)
        #expect(result.stderr.contains(failingFile), "\(result.stderr)")
        #expect(result.stderr.contains(reason), "\(result.stderr)")

        var store = try EventStore(directory: directory.store, options: makeOptions())
        #expect(try store.verify().isOK)
        let stored = try store.readAll()
        #expect(stored.count > 0 && stored.count < data.count)
        #expect(stored.count % batchSize == 0, "half a batch stored: \(stored.count)")
        #expect(stored.map(\.text) == Array(data[0..<stored.count]))
        // The error names the failed batch's lines and what came before it.
        let first = stored.count + 1
        #expect(result.stderr.contains("lines \(first)-\(first + batchSize - 1)"),
                "\(result.stderr)")
        #expect(result.stderr.contains("\(stored.count) events of earlier batches were"))

        // Space is back: the rest goes in after the stored prefix.
        let rerun = try runCLI(["--store", directory.store, "import", file])
        #expect(rerun.status == 0, "\(rerun.stderr)")
        store = try EventStore(directory: directory.store, options: makeOptions())
        #expect(try store.verify().isOK)
        let all = try store.readAll()
        #expect(all.map(\.position) == Array(1...data.count))
        #expect(all.map(\.text) == data)
    }

    @Test("the segment reaches the limit: the batch fails naming the segment, EFBIG")
    func segmentLimit() throws {
        let directory = TemporaryDirectory()
        _ = try openStore(directory)
        let file = directory.path + "/big.jsonl"
        // 400 events of about 8 KB: about 4 KB each in the log, so 50-event
        // frames of about 200 KB reach a 1 MiB limit after a few batches, long
        // before the index (a few pages per batch) does.
        let data = try writeEvents(file, count: 400, blobBytes: 8_000)
        let result = try limitedImport(directory, file, kilobytes: 1_024, batchSize: 50)
        // The failed frame was cut back: the segment holds whole frames only,
        // within the limit.
        let segment = directory.store + "/log/00000000000000000001.seg"
        let size = try FileManager.default.attributesOfItem(atPath: segment)[.size] as? Int
        #expect((size ?? Int.max) <= 1_048_576)
        try checkAfterFailure(directory, file: file, data: data, batchSize: 50,
                              result: result, failingFile: "00000000000000000001.seg",
                              reason: "File too large (errno 27)")
    }

    @Test("the index reaches the limit: the batch fails naming the index, and the log is cut back")
    func indexLimit() throws {
        let directory = TemporaryDirectory()
        _ = try openStore(directory)
        let file = directory.path + "/small.jsonl"
        // Small events compress well, so the index and its write-ahead log
        // (which grows until a checkpoint) reach a 200 KiB limit first.
        let data = try writeEvents(file, count: 20_000, blobBytes: 16)
        let result = try limitedImport(directory, file, kilobytes: 200, batchSize: 500)
        try checkAfterFailure(directory, file: file, data: data, batchSize: 500,
                              result: result, failingFile: "index.sqlite",
                              // SQLite reports every failed write so.
                              reason: "disk I/O error")
    }
}
