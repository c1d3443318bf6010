/// One event read from a log: its attributes as text, and where it was.
///
/// Keys are XES attribute keys. Trace attributes carry a `case:` prefix
/// (`case:concept:name`), the way the flattened CSV names its columns, so a
/// mapping reads XES and CSV alike.
struct SourceEvent {
    var attributes: [String: String]
    var location: SourceLocation
}

/// A log file read event by event, in file order, in bounded memory.
protocol EventLogReader: AnyObject {
    /// Bytes consumed from the file on disk so far (compressed bytes for gzip).
    var compressedOffset: Int { get }

    /// Calls `body` with each event in file order; an error from `body` stops
    /// the reading and is rethrown.
    /// - Throws: `LogImportError` when the file is unreadable or malformed,
    ///   or what `body` throws.
    func forEachEvent(_ body: (SourceEvent) throws -> Void) throws
}
