import EventModel
import Foundation
@testable import EventStore

/// A fresh temporary directory, removed when the value is dropped.
final class TemporaryDirectory {
    let path: String

    init() {
        let base = FileManager.default.temporaryDirectory.path
        path = base + "/evstore-test-" + UUID().uuidString.lowercased()
        try! FileManager.default.createDirectory(atPath: path,
                                                 withIntermediateDirectories: true)
    }

    deinit {
        // Best effort: a leftover temporary directory harms nothing.
        try? FileManager.default.removeItem(atPath: path)
    }

    var store: String { path + "/store" }
}

/// A clock the test moves by hand: starts at 2026-03-02T09:00:00Z and ticks
/// one second on every reading unless frozen.
final class TestClock: Sendable {
    private let now: Locked<Int64>
    let step: Int64

    init(start: String = "2026-03-02T09:00:00Z", step: Int64 = 1_000_000) {
        now = Locked(try! Timestamp(rfc3339: start).microseconds)
        self.step = step
    }

    func read() -> Timestamp {
        now.withLock { value in
            let current = value
            value += step
            return Timestamp(microseconds: current)
        }
    }

    func set(_ text: String) {
        now.withLock { $0 = try! Timestamp(rfc3339: text).microseconds }
    }
}

func makeOptions(clock: TestClock? = nil, segmentSize: Int? = nil) -> StoreOptions {
    var options = StoreOptions()
    if let clock { options.clock = { clock.read() } }
    if let segmentSize { options.segmentSize = segmentSize }
    return options
}

func openStore(_ directory: TemporaryDirectory, clock: TestClock? = nil,
               segmentSize: Int? = nil) throws -> EventStore {
    try EventStore(directory: directory.store,
                   options: makeOptions(clock: clock, segmentSize: segmentSize), create: true)
}

/// A simple custom (not built-in) event.
func note(_ text: String, id: String? = nil) -> NewEvent {
    NewEvent(type: "NoteAdded", data: #"{"text":"\#(text)"}"#, id: id)
}

func timesheet(_ id: String, hours: String, date: String = "2026-03-02") -> NewEvent {
    NewEvent(type: "TimesheetSubmitted", data: """
        {"timesheet_id":"\(id)","engagement_id":"E042","consultant_id":"C7",\
        "work_date":"\(date)","hours":\(hours),"billable":true}
        """)
}

extension RecordedEvent {
    var text: String { dataText }
}

/// The directory holding the built products (the `evstore` executable): the
/// test bundle's own folder, or one of its parents.
func productsDirectory() -> String {
    func isProgram(_ path: String) -> Bool {
        var isDirectory: ObjCBool = false
        return FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory)
            && !isDirectory.boolValue && FileManager.default.isExecutableFile(atPath: path)
    }
    for candidate in [Bundle.main.bundlePath, CommandLine.arguments[0]] {
        var url = URL(fileURLWithPath: candidate)
        for _ in 0..<4 {
            if isProgram(url.path + "/evstore") { return url.path }
            url.deleteLastPathComponent()
        }
    }
    return FileManager.default.currentDirectoryPath + "/.build/debug"
}

/// The result of running the CLI.
struct CommandResult {
    var status: Int32
    var stdout: String
    var stderr: String
}

/// Runs the `evstore` executable with `arguments` and optional standard input.
@discardableResult
func runCLI(_ arguments: [String], input: String? = nil,
            environment: [String: String] = [:]) throws -> CommandResult {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: productsDirectory() + "/evstore")
    process.arguments = arguments
    var env = ProcessInfo.processInfo.environment
    for (key, value) in environment { env[key] = value }
    process.environment = env
    let out = Pipe()
    let err = Pipe()
    process.standardOutput = out
    process.standardError = err
    let inPipe = Pipe()
    process.standardInput = inPipe
    try process.run()
    if let input { inPipe.fileHandleForWriting.write(Data(input.utf8)) }
    try inPipe.fileHandleForWriting.close()
    let outData = out.fileHandleForReading.readDataToEndOfFile()
    let errData = err.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return CommandResult(status: process.terminationStatus,
                         stdout: String(decoding: outData, as: UTF8.self),
                         stderr: String(decoding: errData, as: UTF8.self))
}
