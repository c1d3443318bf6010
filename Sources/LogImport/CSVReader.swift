// RFC 4180 CSV with a header row: fields separated by commas, records by
// CRLF or LF; a field in double quotes may hold commas, line breaks and
// doubled quotes (`""` is one `"`). Parsed byte by byte over zlib chunks,
// so memory holds one record whatever the size of the file.
//
// Strictness: a quote inside an unquoted field, text after a closing quote,
// a record with more or fewer fields than the header, and a quote left open
// at the end of the file are errors with their line. A UTF-8 byte order mark
// before the header is skipped, and so are empty lines.

/// Reads `.csv` and `.csv.gz` files: one record per event, columns named by
/// the header.
final class CSVReader: EventLogReader {
    private let file: GzipFile
    private var scanner = CSVScanner()

    /// - Throws: `LogImportError.unreadable` when the file cannot be opened.
    init(path: String) throws(LogImportError) {
        file = try GzipFile(path: path)
    }

    var compressedOffset: Int { file.compressedOffset }

    func forEachEvent(_ body: (SourceEvent) throws -> Void) throws {
        var header: [String]?
        func handle(_ record: CSVRecord) throws {
            guard let columns = header else {
                header = try checkedHeader(record)
                return
            }
            try body(try event(from: record, columns: columns))
        }

        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let count = try chunk.withUnsafeMutableBytes { try file.read(into: $0) }
            if count == 0 { break }
            try chunk.withUnsafeBufferPointer { bytes in
                try scanner.scan(UnsafeBufferPointer(rebasing: bytes[..<count]),
                                 path: file.path, record: handle)
            }
        }
        try scanner.finish(path: file.path, record: handle)
    }

    private func checkedHeader(_ record: CSVRecord) throws(LogImportError) -> [String] {
        var seen: Set<String> = []
        for name in record.fields where !seen.insert(name).inserted {
            throw LogImportError.malformedSource(
                path: file.path, location: .line(record.line),
                reason: "the header names column \"\(name)\" twice")
        }
        return record.fields
    }

    private func event(from record: CSVRecord,
                       columns: [String]) throws(LogImportError) -> SourceEvent {
        guard record.fields.count == columns.count else {
            throw LogImportError.malformedSource(
                path: file.path, location: .line(record.line),
                reason: "the record has \(record.fields.count) fields, the header "
                    + "\(columns.count)")
        }
        var attributes: [String: String] = [:]
        attributes.reserveCapacity(columns.count)
        for (column, value) in zip(columns, record.fields) where !value.isEmpty {
            attributes[column] = value
        }
        return SourceEvent(attributes: attributes, location: .line(record.line))
    }
}

/// One record: its fields and the line it starts on.
struct CSVRecord {
    var fields: [String]
    var line: Int
}

/// The RFC 4180 state machine, fed chunk by chunk.
struct CSVScanner {
    private enum State {
        case fieldStart, unquoted, quoted, quoteInQuoted, afterCarriageReturn
    }

    private static let quote = UInt8(ascii: "\"")
    private static let comma = UInt8(ascii: ",")
    private static let lineFeed = UInt8(ascii: "\n")
    private static let carriageReturn = UInt8(ascii: "\r")

    private var state = State.fieldStart
    private var field: [UInt8] = []
    private var fields: [String] = []
    private var line = 1
    private var recordLine = 1
    private var atFileStart = true
    /// Whether the current field was quoted (`""` is an empty field, not
    /// a blank line).
    private var fieldWasQuoted = false

    /// Feeds `bytes`, calling `record` for each complete record.
    mutating func scan(_ bytes: UnsafeBufferPointer<UInt8>, path: String,
                       record: (CSVRecord) throws -> Void) throws {
        var start = 0
        if atFileStart {
            atFileStart = false
            if bytes.count >= 3, bytes[0] == 0xEF, bytes[1] == 0xBB, bytes[2] == 0xBF {
                start = 3
            }
        }
        for index in start..<bytes.count {
            try step(bytes[index], path: path, record: record)
        }
    }

    /// Ends the input: emits a last record without a line break.
    mutating func finish(path: String, record: (CSVRecord) throws -> Void) throws {
        switch state {
        case .quoted:
            throw LogImportError.malformedSource(
                path: path, location: .line(recordLine),
                reason: "a quoted field is not closed before the end of the file")
        case .fieldStart where fields.isEmpty:
            return
        default:
            try endRecord(path: path, record: record)
        }
    }

    private mutating func step(_ byte: UInt8, path: String,
                               record: (CSVRecord) throws -> Void) throws {
        switch state {
        case .quoted:
            if byte == Self.quote {
                state = .quoteInQuoted
            } else {
                if byte == Self.lineFeed { line += 1 }
                field.append(byte)
            }
        case .quoteInQuoted:
            if byte == Self.quote {
                field.append(Self.quote)
                state = .quoted
            } else {
                try delimit(byte, path: path, record: record)
            }
        case .afterCarriageReturn:
            try stepAfterCarriageReturn(byte, path: path, record: record)
        case .fieldStart, .unquoted:
            try stepOutsideQuotes(byte, path: path, record: record)
        }
    }

    private mutating func stepOutsideQuotes(_ byte: UInt8, path: String,
                                            record: (CSVRecord) throws -> Void) throws {
        switch byte {
        case Self.quote:
            guard state == .fieldStart else {
                throw malformed(path, "a quote inside an unquoted field")
            }
            fieldWasQuoted = true
            state = .quoted
        case Self.comma, Self.lineFeed, Self.carriageReturn:
            try delimit(byte, path: path, record: record)
        default:
            field.append(byte)
            state = .unquoted
        }
    }

    private mutating func stepAfterCarriageReturn(_ byte: UInt8, path: String,
                                                  record: (CSVRecord) throws -> Void) throws {
        if byte == Self.lineFeed {
            try endRecord(path: path, record: record)
            line += 1
            return
        }
        // A bare carriage return is data, but not after a closing quote.
        guard !fieldWasQuoted else {
            throw malformed(path, "text after the closing quote of a field")
        }
        field.append(Self.carriageReturn)
        state = .unquoted
        try step(byte, path: path, record: record)
    }

    /// Handles a byte that ends a field: a comma, a line break, or (after a
    /// closing quote) anything else, which is an error.
    private mutating func delimit(_ byte: UInt8, path: String,
                                  record: (CSVRecord) throws -> Void) throws {
        switch byte {
        case Self.comma:
            try endField(path: path)
            state = .fieldStart
        case Self.lineFeed:
            try endRecord(path: path, record: record)
            line += 1
        case Self.carriageReturn:
            // A line break if a line feed follows, else data (see step).
            state = .afterCarriageReturn
        default:
            throw malformed(path, "text after the closing quote of a field")
        }
    }

    private mutating func endField(path: String) throws {
        guard let text = String(validating: field, as: UTF8.self) else {
            throw malformed(path, "a field is not valid UTF-8")
        }
        fields.append(text)
        field.removeAll(keepingCapacity: true)
        fieldWasQuoted = false
    }

    private mutating func endRecord(path: String, record: (CSVRecord) throws -> Void) throws {
        let isBlankLine = fields.isEmpty && field.isEmpty && !fieldWasQuoted
        if !isBlankLine {
            try endField(path: path)
            try record(CSVRecord(fields: fields, line: recordLine))
        }
        fields.removeAll(keepingCapacity: true)
        field.removeAll(keepingCapacity: true)
        fieldWasQuoted = false
        state = .fieldStart
        recordLine = line + 1
    }

    private func malformed(_ path: String, _ reason: String) -> LogImportError {
        .malformedSource(path: path, location: .line(line), reason: reason)
    }
}
