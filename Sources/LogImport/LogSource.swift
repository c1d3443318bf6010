/// The formats an event log can come in.
public enum LogFormat: String, Sendable, Equatable {
    /// IEEE 1849 XES, plain or gzip-compressed.
    case xes
    /// RFC 4180 CSV with a header row, one row per event, plain or gzip-compressed.
    case csv

    /// The format a file name announces: `.xes`, `.xes.gz`, `.csv` or `.csv.gz`
    /// (any letter case); nil for anything else.
    public init?(fileName: String) {
        var name = fileName.lowercased()
        if name.hasSuffix(".gz") { name.removeLast(3) }
        if name.hasSuffix(".xes") {
            self = .xes
        } else if name.hasSuffix(".csv") {
            self = .csv
        } else {
            return nil
        }
    }
}

/// An event log file opened for one import, read once, in file order and in
/// bounded memory.
public final class LogSource {
    /// The file, as given.
    public let path: String
    /// XES or CSV, from the name unless given.
    public let format: LogFormat
    let reader: any EventLogReader

    /// Opens `path`, taking the format from its name unless `format` is given.
    /// - Throws: `LogImportError.unsupportedFormat` for an unknown name,
    ///   `LogImportError.unreadable` when the file cannot be opened.
    public init(path: String, format: LogFormat? = nil) throws(LogImportError) {
        guard let format = format ?? LogFormat(fileName: path) else {
            throw LogImportError.unsupportedFormat(path: path)
        }
        self.path = path
        self.format = format
        switch format {
        case .xes: reader = try XESReader(path: path)
        case .csv: reader = try CSVReader(path: path)
        }
    }

    /// Bytes consumed from the file on disk so far (compressed bytes for
    /// gzip), for a progress bar against the file's size.
    public var bytesRead: Int { reader.compressedOffset }
}
