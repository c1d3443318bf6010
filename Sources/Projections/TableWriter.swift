import EventModel

/// Writes read-model rows as CSV or JSON Lines. This is the project's one CSV
/// writer.
///
/// CSV follows RFC 4180: a header row, CRLF line ends, fields that hold a
/// comma, a quote, CR or LF are quoted with quotes doubled, UTF-8, `.` as the
/// decimal separator whatever the locale (numbers are formatted by our own
/// code, never by a locale). A text cell that begins with `=`, `+`, `-`, `@`,
/// tab or CR gets a leading `'` so that spreadsheets do not run it as a
/// formula; numeric columns (a negative margin) stay plain numbers.
public enum TableWriter {
    public enum Format: String, Sendable, CaseIterable {
        case csv, jsonl, table
    }

    /// The whole table in `format`.
    /// - Parameter excel: for CSV, start with a UTF-8 byte order mark.
    public static func write(columns: [Column], rows: [Row], format: Format,
                             excel: Bool = false) -> [UInt8] {
        switch format {
        case .csv: return csv(columns: columns, rows: rows, excel: excel)
        case .jsonl: return jsonLines(columns: columns, rows: rows)
        case .table: return table(columns: columns, rows: rows)
        }
    }

    public static func csv(columns: [Column], rows: [Row], excel: Bool = false) -> [UInt8] {
        var out: [UInt8] = excel ? [0xEF, 0xBB, 0xBF] : []
        for (index, column) in columns.enumerated() {
            if index > 0 { out.append(UInt8(ascii: ",")) }
            appendCSVField(column.name, neutralise: false, to: &out)
        }
        out.append(contentsOf: [0x0D, 0x0A])
        var formatter = CellFormatter()
        for row in rows {
            for (index, (cell, column)) in zip(row, columns).enumerated() {
                if index > 0 { out.append(UInt8(ascii: ",")) }
                appendCSVField(formatter.text(cell, for: column),
                               neutralise: !column.isNumeric, to: &out)
            }
            out.append(contentsOf: [0x0D, 0x0A])
        }
        return out
    }

    /// Appends one field: with `neutralise`, text a spreadsheet would read as
    /// a formula gets a leading `'`; then the field is quoted when it holds a
    /// comma, a quote, CR or LF, with quotes doubled.
    private static func appendCSVField(_ text: String, neutralise: Bool,
                                       to out: inout [UInt8]) {
        var text = text
        text.withUTF8 { bytes in
            let formula = neutralise && bytes.first.map(formulaStarts.contains) == true
            let needsQuotes = bytes.contains {
                $0 == UInt8(ascii: ",") || $0 == UInt8(ascii: "\"") || $0 == 0x0D || $0 == 0x0A
            }
            guard needsQuotes else {
                if formula { out.append(UInt8(ascii: "'")) }
                out.append(contentsOf: bytes)
                return
            }
            out.append(UInt8(ascii: "\""))
            if formula { out.append(UInt8(ascii: "'")) }
            for byte in bytes {
                if byte == UInt8(ascii: "\"") { out.append(byte) }
                out.append(byte)
            }
            out.append(UInt8(ascii: "\""))
        }
    }

    /// The first bytes that make a spreadsheet run a cell as a formula:
    /// `=`, `+`, `-`, `@`, tab and CR.
    private static let formulaStarts: Set<UInt8> = [
        UInt8(ascii: "="), UInt8(ascii: "+"), UInt8(ascii: "-"), UInt8(ascii: "@"), 0x09, 0x0D,
    ]

    /// One JSON object per row: numbers as JSON numbers (printed with the
    /// column's places), booleans, null, and text as strings.
    public static func jsonLines(columns: [Column], rows: [Row]) -> [UInt8] {
        var out: [UInt8] = []
        var formatter = CellFormatter()
        for row in rows {
            out.append(UInt8(ascii: "{"))
            for (index, (cell, column)) in zip(row, columns).enumerated() {
                if index > 0 { out.append(UInt8(ascii: ",")) }
                JSONWriter.appendString(column.name, to: &out)
                out.append(UInt8(ascii: ":"))
                switch cell {
                case .null: out.append(contentsOf: "null".utf8)
                case .bool(let value): out.append(contentsOf: (value ? "true" : "false").utf8)
                case .decimal, .integer:
                    out.append(contentsOf: formatter.text(cell, for: column).utf8)
                case .text, .timestamp, .date:
                    JSONWriter.appendString(cell.formatted(for: column), to: &out)
                }
            }
            out.append(contentsOf: "}\n".utf8)
        }
        return out
    }

    /// An aligned plain-text table for reading on a terminal.
    public static func table(columns: [Column], rows: [Row]) -> [UInt8] {
        var formatter = CellFormatter()
        let cells = [columns.map(\.name)]
            + rows.map { row in zip(row, columns).map { formatter.text($0, for: $1) } }
        var widths = columns.map { _ in 0 }
        for line in cells {
            for (index, text) in line.enumerated() { widths[index] = max(widths[index], text.count) }
        }
        var out = ""
        for line in cells {
            let padded = line.enumerated().map { index, text in
                columns[index].isNumeric
                    ? String(repeating: " ", count: widths[index] - text.count) + text
                    : text + String(repeating: " ", count: widths[index] - text.count)
            }
            var text = padded.joined(separator: "  ")
            while text.hasSuffix(" ") { text.removeLast() }
            out += text + "\n"
        }
        return Array(out.utf8)
    }
}
