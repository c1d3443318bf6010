import EventModel
import EventStore
import Foundation
@testable import LogImport

/// A fresh temporary directory, removed when the value is dropped.
final class TemporaryDirectory {
    let path: String

    init() {
        let base = FileManager.default.temporaryDirectory.path
        path = base + "/evstore-logimport-" + UUID().uuidString.lowercased()
        try! FileManager.default.createDirectory(atPath: path,
                                                 withIntermediateDirectories: true)
    }

    deinit {
        // Best effort: a leftover temporary directory harms nothing.
        try? FileManager.default.removeItem(atPath: path)
    }

    var store: String { path + "/store" }

    /// Writes `text` to a file in the directory and returns its path.
    func write(_ name: String, _ text: String) throws -> String {
        let file = path + "/" + name
        try Data(text.utf8).write(to: URL(fileURLWithPath: file))
        return file
    }
}

enum Fixture {
    /// The first 300 cases of BPI 2020 Domestic Declarations (see Fixtures/README.md).
    static var sampleXES: String { path("BPI2020_DomesticDeclarations_first300.xes.gz") }
    static var sampleCSV: String { path("BPI2020_DomesticDeclarations_first300.csv.gz") }

    static func path(_ name: String) -> String {
        Bundle.module.resourceURL!.appendingPathComponent("Fixtures/" + name).path
    }

    /// A shipped mapping from `tools/mappings/`, found from this file's place
    /// in the repository so the tests check the files users run.
    static func mappingPath(_ name: String) -> String {
        URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent()
            .deletingLastPathComponent()
            .deletingLastPathComponent()
            .appendingPathComponent("tools/mappings/" + name).path
    }

    static func mapping(_ name: String = "bpi2020.json") throws -> LogMapping {
        try LogMapping.load(path: mappingPath(name))
    }
}

func openStore(_ directory: TemporaryDirectory) throws -> EventStore {
    try EventStore(directory: directory.store, create: true)
}

/// Imports `path` into `store` with `mapping`.
@discardableResult
func importLog(_ path: String, into store: EventStore, mapping: LogMapping,
               batchSize: Int = 1000) throws -> LogImportSummary {
    let importer = LogImporter(store: store, mapping: mapping, batchSize: batchSize)
    return try importer.run(LogSource(path: path))
}

/// Parses a mapping given inline, named `test.json` in errors.
func mapping(_ json: String) throws(MappingError) -> LogMapping {
    try LogMapping(json: Array(json.utf8), file: "test.json")
}

/// The error `body` throws, or nil.
func caught<T>(_ body: () throws -> T) -> (any Error)? {
    do {
        _ = try body()
        return nil
    } catch {
        return error
    }
}
