import EventModel
import EventStore
import Foundation
import LogImport
import Projections

/// The readers a fuzzing run can drive; each takes any bytes.
enum FuzzTarget: String, CaseIterable {
    /// One JSON Lines line: the JSON parser, writer and wire codec.
    case jsonl
    /// A frame's decompressed payload: the record decoder.
    case records
    /// A whole segment file, opened by recovery, read and verified.
    case segment
    /// An XES file.
    case xes
    /// A CSV file.
    case csv
    /// A saved projection state or snapshot, loaded, saved again and shown.
    case state

    func run(_ bytes: UnsafeRawBufferPointer) {
        switch self {
        case .jsonl: WireFuzzEntry.run(bytes)
        case .records: LogFuzzEntry.records(bytes)
        case .segment: LogFuzzEntry.segment(Array(bytes), scratch: scratchDirectory)
        case .xes: LogReaderFuzzEntry.run(Array(bytes), format: .xes, scratch: scratchDirectory)
        case .csv: LogReaderFuzzEntry.run(Array(bytes), format: .csv, scratch: scratchDirectory)
        case .state: StateFuzzEntry.run(bytes)
        }
    }
}

/// A private directory for the targets that need files (made once; global
/// lets are initialised once, thread-safely).
let scratchDirectory: String = {
    let path = NSTemporaryDirectory() + "/evstore-fuzz-\(getpid())"
    try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    return path
}()

/// The target of a libFuzzer run, from `EVSTORE_FUZZ_TARGET`.
let fuzzTarget: FuzzTarget = {
    let name = ProcessInfo.processInfo.environment["EVSTORE_FUZZ_TARGET"] ?? ""
    guard let target = FuzzTarget(rawValue: name) else {
        let names = FuzzTarget.allCases.map(\.rawValue).joined(separator: ", ")
        FileHandle.standardError.write(Data("set EVSTORE_FUZZ_TARGET to one of \(names)\n".utf8))
        exit(2)
    }
    return target
}()

/// libFuzzer's entry point (linked in by `-sanitize=fuzzer`).
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    fuzzTarget.run(UnsafeRawBufferPointer(start: data, count: size))
    return 0
}

#if FUZZING
/// libFuzzer's driver, which parses its own options (`-max_total_time=60`,
/// corpus directories) and calls the callback with each input.
@_silgen_name("LLVMFuzzerRunDriver")
func runFuzzerDriver(
    _ argc: UnsafeMutablePointer<CInt>,
    _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>>,
    _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt) -> CInt

/// Under libFuzzer: hands the process to its driver. (The package manager
/// names the program's entry point itself, so libFuzzer's own `main` cannot
/// be used.)
@main
struct FuzzMain {
    static func main() {
        var argc = CommandLine.argc
        var argv = CommandLine.unsafeArgv
        _ = fuzzTarget
        exit(runFuzzerDriver(&argc, &argv) { data, size in fuzzOneInput(data, size) })
    }
}
#else
/// Without libFuzzer: runs the target over the files given, for replaying
/// kept inputs. `evstore-fuzz TARGET FILE...`
@main
struct Replay {
    static func main() {
        let arguments = CommandLine.arguments.dropFirst()
        guard let name = arguments.first, let target = FuzzTarget(rawValue: name) else {
            let names = FuzzTarget.allCases.map(\.rawValue).joined(separator: "|")
            print("usage: evstore-fuzz \(names) FILE...")
            exit(2)
        }
        for path in arguments.dropFirst() {
            guard let data = FileManager.default.contents(atPath: path) else {
                print("evstore-fuzz: cannot read \(path)")
                exit(1)
            }
            data.withUnsafeBytes { target.run($0) }
        }
        print("\(arguments.count - 1) inputs, no crash")
    }
}
#endif
