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
        appendCSVLine(columns.map(\.name), to: &out)
        var formatter = CellFormatter()
        for row in rows {
            let fields = zip(row, columns).map { cell, column -> String in
                let text = formatter.text(cell, for: column)
                return column.isNumeric ? text : neutralised(text)
            }
            appendCSVLine(fields, to: &out)
        }
        return out
    }

    /// Prefixes `'` to text a spreadsheet would read as a formula.
    static func neutralised(_ text: String) -> String {
        guard let first = text.unicodeScalars.first,
              ["=", "+", "-", "@", "\t", "\r"].contains(first) else { return text }
        return "'" + text
    }

    private static func appendCSVLine(_ fields: [String], to out: inout [UInt8]) {
        for (index, field) in fields.enumerated() {
            if index > 0 { out.append(UInt8(ascii: ",")) }
            let needsQuotes = field.utf8.contains {
                $0 == UInt8(ascii: ",") || $0 == UInt8(ascii: "\"") || $0 == 0x0D || $0 == 0x0A
            }
            if needsQuotes {
                out.append(UInt8(ascii: "\""))
                for byte in field.utf8 {
                    if byte == UInt8(ascii: "\"") { out.append(byte) }
                    out.append(byte)
                }
                out.append(UInt8(ascii: "\""))
            } else {
                out.append(contentsOf: field.utf8)
            }
        }
        out.append(contentsOf: [0x0D, 0x0A])
    }

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
