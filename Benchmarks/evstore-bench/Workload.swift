import Foundation

/// The temporary directory of one run and the files in it.
struct WorkDirectory {
    let path: String

    /// Creates a fresh directory under `root` (mkdtemp: unique, mode 0700).
    static func create(under root: String) throws -> WorkDirectory {
        var template = Array((root + "/evstore-bench-XXXXXX").utf8CString)
        guard let made = mkdtemp(&template) else {
            throw BenchError(description: "cannot create a directory under \(root): "
                + String(cString: strerror(errno)))
        }
        return WorkDirectory(path: String(cString: made))
    }

    /// A fresh path for a store or database, named after the scenario.
    func fresh(_ name: String) -> String { path + "/" + name }

    func remove() throws {
        try FileManager.default.removeItem(atPath: path)
    }

    /// Bytes of `path` (a file, or a directory's files, recursively).
    static func size(of path: String) throws -> Int {
        let manager = FileManager.default
        var isDirectory: ObjCBool = false
        guard manager.fileExists(atPath: path, isDirectory: &isDirectory) else { return 0 }
        if !isDirectory.boolValue {
            return (try manager.attributesOfItem(atPath: path)[.size] as? Int) ?? 0
        }
        var total = 0
        for name in try manager.subpathsOfDirectory(atPath: path) {
            total += try size(of: path + "/" + name)
        }
        return total
    }
}

/// Generates the workload with the project's generator, fixed seed and firm.
enum Workload {
    /// Writes `events` lines to `path`; returns the seconds it took.
    static func generate(events: Int, to path: String, options: BenchOptions) throws -> Double {
        let generator = try options.generator ?? {
            URL(fileURLWithPath: try ChildProcess.selfPath())
                .deletingLastPathComponent().appendingPathComponent("evstore-gen").path
        }()
        guard FileManager.default.isExecutableFile(atPath: generator) else {
            throw BenchError(description: "no generator at \(generator): build it with "
                + "`swift build --product evstore-gen` (same configuration) or pass --generator")
        }
        let (seconds, _) = try Measure.time {
            try ChildProcess.run(generator, [
                "--events", String(events), "--seed", String(BenchOptions.seed),
                "--consultants", String(BenchOptions.consultants), "--out", path,
            ])
        }
        return seconds
    }
}
