import Foundation

/// A failure of the harness itself (not of a target).
struct BenchError: Error, CustomStringConvertible {
    let description: String
}

/// Runs executables: the generator, and this binary again for the scenarios
/// whose peak memory is measured (a fresh process has a clean high-water mark).
enum ChildProcess {
    /// This executable's path, from the kernel (argv[0] may be relative).
    static func selfPath() throws -> String {
        do {
            return try FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")
        } catch {
            throw BenchError(description: "cannot find this executable: \(error)")
        }
    }

    /// Runs `path` with `arguments`, waits, and returns its standard output.
    /// Standard error passes through to ours.
    /// - Throws: `BenchError` when it cannot start or exits non-zero.
    static func run(_ path: String, _ arguments: [String]) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = arguments
        let output = Pipe()
        process.standardOutput = output
        do {
            try process.run()
        } catch {
            throw BenchError(description: "cannot start \(path): \(error)")
        }
        let bytes = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw BenchError(description: "\(path) \(arguments.joined(separator: " ")) "
                + "exited with status \(process.terminationStatus)")
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Runs one scenario in a child copy of this binary and returns the
    /// `key=value` lines it printed.
    static func scenario(_ name: String, _ arguments: [String]) throws -> ChildResult {
        let text = try run(try selfPath(), ["--scenario", name] + arguments)
        var values: [String: Double] = [:]
        for line in text.split(separator: "\n") {
            let parts = line.split(separator: "=", maxSplits: 1)
            if parts.count == 2, let value = Double(parts[1]) { values[String(parts[0])] = value }
        }
        return ChildResult(values: values, scenario: name)
    }
}

/// What a child scenario reported.
struct ChildResult {
    let values: [String: Double]
    let scenario: String

    /// - Throws: `BenchError` when the child did not report `key`.
    subscript(_ key: String) -> Double {
        get throws {
            guard let value = values[key] else {
                throw BenchError(description: "scenario \(scenario) did not report \(key)")
            }
            return value
        }
    }
}

/// Prints a child's measurements for the parent to parse.
func reportToParent(_ values: KeyValuePairs<String, Double>) {
    for (key, value) in values { print("\(key)=\(value)") }
    print("peak_bytes=\(Measure.peakResidentBytes())")
}
