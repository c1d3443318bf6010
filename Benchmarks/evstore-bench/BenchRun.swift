import EventStore
import Foundation

/// The state shared by the scenarios of one run: where things are, and the
/// figures collected so far.
final class BenchRun {
    let options: BenchOptions
    let work: WorkDirectory
    /// The generated JSON Lines workload.
    let input: String
    let inputBytes: Int
    /// The store the import scenario filled; the read scenarios use it.
    var importedStore: String
    /// The baseline database the baseline import filled.
    var baseline: BaselineStore?
    private(set) var figures: [Figure] = []
    private let started = Measure.now()

    init(options: BenchOptions, work: WorkDirectory, input: String, inputBytes: Int) {
        self.options = options
        self.work = work
        self.input = input
        self.inputBytes = inputBytes
        self.importedStore = work.fresh("store-import")
    }

    func add(_ figure: Figure) {
        figures.append(figure)
    }

    /// A step's progress on standard error, so the table stays clean.
    func note(_ text: String) {
        var standardError = StandardError()
        let elapsed = String(format: "%6.1f", Measure.now() - started)
        print("-- [\(elapsed) s] " + text, to: &standardError)
    }

    /// The store filled by the import, opened fresh for one scenario.
    func openImportedStore() throws -> EventStore {
        try EventStore(directory: importedStore)
    }

    func requireBaseline() throws -> BaselineStore {
        guard let baseline else { throw BenchError(description: "the baseline was not imported") }
        return baseline
    }
}

struct StandardError: TextOutputStream {
    mutating func write(_ text: String) {
        var text = text
        text.withUTF8 { bytes in
            // Progress notes only: a failed write to stderr loses a note, no more.
            _ = Glibc.write(STDERR_FILENO, bytes.baseAddress, bytes.count)
        }
    }
}

import Glibc

/// Mebibytes, the unit of the memory figures.
func megabytes(_ bytes: Double) -> Double { bytes / 1_048_576 }
