import EventModel
import Foundation
import Testing
@testable import Projections

/// A strict RFC 4180 parser for the tests: CRLF records, quoted fields with
/// doubled quotes, nothing else accepted.
func parseCSV(_ bytes: [UInt8]) throws -> [[String]] {
    struct Malformed: Error { let offset: Int }
    var records: [[String]] = []
    var fields: [String] = []
    var field: [UInt8] = []
    var index = 0
    while index < bytes.count {
        if bytes[index] == UInt8(ascii: "\"") {
            index += 1
            while true {
                guard index < bytes.count else { throw Malformed(offset: index) }
                if bytes[index] == UInt8(ascii: "\"") {
                    if index + 1 < bytes.count && bytes[index + 1] == UInt8(ascii: "\"") {
                        field.append(UInt8(ascii: "\""))
                        index += 2
                        continue
                    }
                    index += 1
                    break
                }
                field.append(bytes[index])
                index += 1
            }
        }
        guard index < bytes.count else { throw Malformed(offset: index) }
        switch bytes[index] {
        case UInt8(ascii: ","):
            fields.append(String(decoding: field, as: UTF8.self))
            field = []
            index += 1
        case 0x0D:
            guard index + 1 < bytes.count, bytes[index + 1] == 0x0A else {
                throw Malformed(offset: index)
            }
            fields.append(String(decoding: field, as: UTF8.self))
            records.append(fields)
            fields = []
            field = []
            index += 2
        case UInt8(ascii: "\""), 0x0A:
            throw Malformed(offset: index)
        default:
            field.append(bytes[index])
            index += 1
        }
    }
    guard fields.isEmpty && field.isEmpty else { throw Malformed(offset: index) }
    return records
}

@Suite("CSV and JSON Lines export")
struct TableWriterTests {
    let columns = [Column("name", .text), Column("margin", .decimal(places: 2)),
                   Column("at_risk", .bool), Column("since", .timestamp), Column("due", .date)]

    @Test("awkward text survives a round trip through a strict CSV parser")
    func roundTrip() throws {
        let texts = ["Smith, Jones & Co", "say \"hi\"", "line one\nline two", "Zoë Müller",
                     "=SUM(A1)", "-minus", "+plus", "@at", "\ttab", "\rcr", "plain", ""]
        let rows: [Row] = texts.map { text in
            [.text(text), .decimal(Decimal(string: "-150.005")!), .bool(true),
             .timestamp(try! Timestamp(rfc3339: "2026-03-31T23:59:59.750+00:00")),
             .date(try! CalendarDate(iso: "2026-04-01"))]
        }
        let bytes = TableWriter.csv(columns: columns, rows: rows)
        let parsed = try parseCSV(bytes)
        #expect(parsed[0] == ["name", "margin", "at_risk", "since", "due"])
        #expect(parsed.count == texts.count + 1)
        #expect(parsed[1] == ["Smith, Jones & Co", "-150.01", "true", "2026-03-31T23:59:59Z",
                              "2026-04-01"])
        #expect(parsed.dropFirst().map { $0[0] } == [
            "Smith, Jones & Co", "say \"hi\"", "line one\nline two", "Zoë Müller",
            "'=SUM(A1)", "'-minus", "'+plus", "'@at", "'\ttab", "'\rcr", "plain", "",
        ])
        // Negative money stays a plain number, never neutralised or quoted.
        #expect(parsed.dropFirst().allSatisfy { $0[1] == "-150.01" })
    }

    @Test("CSV uses CRLF, quotes only where needed, and --excel adds a byte order mark")
    func layout() {
        let rows: [Row] = [[.text("a,b"), .decimal(Decimal(string: "-0.004")!), .bool(false),
                            .null, .null]]
        let text = String(decoding: TableWriter.csv(columns: columns, rows: rows), as: UTF8.self)
        #expect(text == "name,margin,at_risk,since,due\r\n\"a,b\",0.00,false,,\r\n")
        let excel = TableWriter.csv(columns: columns, rows: rows, excel: true)
        #expect(Array(excel.prefix(3)) == [0xEF, 0xBB, 0xBF])
    }

    @Test("JSON Lines keep numbers numeric and nulls null")
    func jsonLines() {
        let rows: [Row] = [[.text("x\"y"), .decimal(Decimal(string: "12.345")!), .bool(true),
                            .null, .date(try! CalendarDate(iso: "2026-01-05"))]]
        let text = String(decoding: TableWriter.jsonLines(columns: columns, rows: rows),
                          as: UTF8.self)
        #expect(text == #"{"name":"x\"y","margin":12.35,"at_risk":true,"since":null,"#
            + #""due":"2026-01-05"}"# + "\n")
    }
}
