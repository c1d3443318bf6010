import EventModel
#if canImport(Glibc)
import Glibc
#endif

/// What a backup copied.
public struct BackupReport: Sendable {
    /// The last position in the copy.
    public let lastPosition: Int
    public let segments: Int
    public let bytes: Int
}

extension EventStore {
    /// Makes a consistent copy of the store in `destination` (a new directory)
    /// while writers may go on appending. The read models
    /// (`projections.sqlite`) are copied first and the index second, both with
    /// SQLite's online backup, so the copy's projections never run ahead of its
    /// index. The log is then copied up to the end of the last frame that
    /// index knows: sealed segments whole, the tail to a frame boundary. The
    /// rule files come along. Run `verify` on the copy; a store restored from
    /// it opens and catches up like any other.
    /// - Throws: `StoreError.destinationExists` when `destination` exists;
    ///   `FileError` (naming the file), `SQLiteError`.
    public func backup(to destination: String) throws -> BackupReport {
        if FileSystem.exists(destination) {
            throw StoreError.destinationExists(destination)
        }
        try FileSystem.makeDirectory(destination)
        try FileSystem.makeDirectory(destination + "/log")

        let projections = directory + "/projections.sqlite"
        if FileSystem.exists(projections) {
            try SQLiteConnection(path: projections, readOnly: true)
                .backup(to: destination + "/projections.sqlite")
        }
        try SQLiteConnection(path: directory + "/index.sqlite", readOnly: true)
            .backup(to: destination + "/index.sqlite")
        for name in ["projections.sqlite", "index.sqlite"] {
            FileSystem.chmod(destination + "/" + name, 0o600)
        }

        let copied = try StreamIndex(path: destination + "/index.sqlite", readOnly: true)
        var segments = 0
        var bytes = 0
        if let head = try copied.lastFrame() {
            for segment in try log.segments() where segment <= head.segment {
                let length = segment == head.segment
                    ? head.end : try FileSystem.fileSize(log.path(ofSegment: segment))
                try copyPrefix(of: log.path(ofSegment: segment), length: length,
                               to: destination + "/log/" + segmentName(segment))
                segments += 1
                bytes += length
            }
        }
        try copyRuleFiles(to: destination)
        try FileSystem.syncDirectory(destination + "/log")
        try FileSystem.syncDirectory(destination)
        return BackupReport(lastPosition: try copied.lastFrame()?.lastPosition ?? 0,
                            segments: segments, bytes: bytes)
    }

    private func segmentName(_ segment: Int) -> String {
        String(log.path(ofSegment: segment).split(separator: "/").last!)
    }

    /// Copies the first `length` bytes of `source` into a new file, synced.
    private func copyPrefix(of source: String, length: Int, to target: String) throws {
        let input = try POSIXFile(path: source, flags: O_RDONLY)
        let output = try POSIXFile(path: target, flags: O_WRONLY | O_CREAT | O_EXCL)
        var done = 0
        while done < length {
            let chunk = try input.read(count: min(4 << 20, length - done), at: done)
            guard !chunk.isEmpty else {
                throw FileError(operation: "read", path: source, code: EIO)
            }
            try chunk.withUnsafeBytes { try output.write($0, at: done) }
            done += chunk.count
        }
        try output.sync()
    }

    private func copyRuleFiles(to destination: String) throws {
        let rules = directory + "/projections"
        guard FileSystem.isDirectory(rules) else { return }
        try FileSystem.makeDirectory(destination + "/projections")
        for name in try FileSystem.listDirectory(rules) where name.hasSuffix(".json") {
            let path = rules + "/" + name
            try copyPrefix(of: path, length: try FileSystem.fileSize(path),
                           to: destination + "/projections/" + name)
        }
    }
}
