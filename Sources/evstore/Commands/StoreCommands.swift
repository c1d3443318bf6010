import EventModel
import EventStore
import Foundation
import Projections

struct InitCommand: Command {
    static let spec = CommandSpec(
        name: "init", usage: "init",
        summary: """
            Creates the store directory (mode 0700) with its log and index, and copies
            the default rule files of the read models into DIR/projections (keeping
            files already there), where you edit them.
            """,
        options: [], positionals: 0...0)

    static func run(_ arguments: ParsedArguments, context: Context) throws {
        let existed = FileManager.default.fileExists(atPath: context.storeDirectory + "/log")
        _ = try context.openStore(create: true)
        let rules = BuiltInProjections.rulesDirectory(of: context.storeDirectory)
        try BuiltInProjections.installDefaultRules(into: rules)
        if existed {
            print("a store exists at \(context.storeDirectory): left as it was "
                  + "(rules in \(rules); missing rule files put back)")
        } else {
            print("initialised store at \(context.storeDirectory) (rules in \(rules))")
        }
    }
}

struct VerifyCommand: Command {
    static let spec = CommandSpec(
        name: "verify", usage: "verify",
        summary: """
            Checks every frame's checksum, that positions are contiguous, versions dense
            and recorded times in order, that the index agrees with the log, and SQLite's
            integrity check of the index. Prints what it checked and the first fault
            (segment file, byte offset, what is wrong); exits 1 on a fault.
            """,
        options: [], positionals: 0...0)

    static func run(_ arguments: ParsedArguments, context: Context) throws {
        let store = try context.openStore(readOnly: true)
        let report = try store.verify()
        print("checked \(report.segments) segments, \(report.frames) frames, "
              + "\(report.events) events in \(report.streams) streams")
        if let fault = report.fault {
            throw ExitFailure(message: "verify found a fault: \(fault)", code: 1)
        }
        print("ok: checksums, positions, versions, recorded times and index agree")
    }
}

struct ReindexCommand: Command {
    static let spec = CommandSpec(
        name: "reindex", usage: "reindex",
        summary: """
            Rebuilds index.sqlite from the log (the source of truth). Run it while no
            other process has the store open.
            """,
        options: [], positionals: 0...0)

    static func run(_ arguments: ParsedArguments, context: Context) throws {
        var options = StoreOptions()
        options.logger = context.logger
        let events = try EventStore.reindex(directory: context.storeDirectory, options: options)
        print("reindexed \(events) events")
    }
}

struct StatsCommand: Command {
    static let spec = CommandSpec(
        name: "stats", usage: "stats [--json]",
        summary: "Counts and sizes: events, streams, segments, bytes on disk, compression.",
        options: [.flag("--json", "print one JSON object instead of text")],
        positionals: 0...0)

    static func run(_ arguments: ParsedArguments, context: Context) throws {
        let stats = try context.openStore(readOnly: true).stats()
        let ratio = String(format: "%.2f", stats.compressionRatio)
        if arguments.has("--json") {
            let types = stats.eventsByType.map { "\(JSONWriter.quoted($0.type)):\($0.count)" }
            print("{\"events\":\(stats.events),\"streams\":\(stats.streams),"
                  + "\"segments\":\(stats.segments),\"frames\":\(stats.frames),"
                  + "\"bytes_on_disk\":\(stats.bytesOnDisk),\"log_bytes\":\(stats.logBytes),"
                  + "\"compression_ratio\":\(ratio),\"last_position\":\(stats.lastPosition),"
                  + "\"events_by_type\":{\(types.joined(separator: ","))}}")
            return
        }
        print("""
            events             \(stats.events)
            streams            \(stats.streams)
            segments           \(stats.segments)
            frames             \(stats.frames)
            bytes on disk      \(stats.bytesOnDisk) (log \(stats.logBytes))
            compression ratio  \(ratio)
            last position      \(stats.lastPosition)
            """)
        if !stats.eventsByType.isEmpty {
            print("events by type:")
            let width = stats.eventsByType.map(\.type.count).max() ?? 0
            for (type, count) in stats.eventsByType {
                let pad = String(repeating: " ", count: width - type.count)
                print("  \(type)\(pad)  \(String(count).leftPadded(to: 9))")
            }
        }
    }
}

extension String {
    func leftPadded(to width: Int) -> String {
        String(repeating: " ", count: max(0, width - count)) + self
    }
}

struct BackupCommand: Command {
    static let spec = CommandSpec(
        name: "backup", usage: "backup DEST",
        summary: """
            Makes a consistent copy of the store in DEST (a new directory) while writers
            may go on appending: the read models, then the index (SQLite's online
            backup), then the log up to the last frame that index knows, and the rule
            files. Verify the copy with `evstore --store DEST verify`.
            """,
        options: [], positionals: 1...1)

    static func run(_ arguments: ParsedArguments, context: Context) throws {
        let store = try context.openStore(readOnly: true)
        let report = try store.backup(to: arguments.positionals[0])
        print("backed up positions 1-\(report.lastPosition): \(report.segments) segments, "
              + "\(report.bytes) bytes of log, to \(arguments.positionals[0])")
    }
}
