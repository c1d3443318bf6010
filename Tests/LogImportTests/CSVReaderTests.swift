import Foundation
import Testing
@testable import LogImport

/// Reads every record of a CSV text through `CSVReader`.
private func events(in text: String) throws -> [SourceEvent] {
    let directory = TemporaryDirectory()
    let path = try directory.write("log.csv", text)
    var events: [SourceEvent] = []
    try CSVReader(path: path).forEachEvent { events.append($0) }
    return events
}

@Suite("RFC 4180 CSV")
struct CSVReaderTests {
    @Test("quoted fields keep commas, doubled quotes and line breaks")
    func quotedFields() throws {
        let text = "id,note\r\n"
            + "1,\"a, b\"\r\n"
            + "2,\"say \"\"hi\"\"\"\r\n"
            + "3,\"two\r\nlines\"\r\n"
            + "4,plain\r\n"

        let read = try events(in: text)

        #expect(read.map { $0.attributes["note"] } == ["a, b", "say \"hi\"", "two\r\nlines",
                                                      "plain"])
        // Record 4 starts on line 6: record 3 spans lines 4 and 5.
        #expect(read.map(\.location) == [.line(2), .line(3), .line(4), .line(6)])
    }

    @Test("LF and CRLF line ends read alike, with or without a final line break")
    func lineEnds() throws {
        let unix = try events(in: "a,b\n1,2\n3,4")
        let windows = try events(in: "a,b\r\n1,2\r\n3,4\r\n")

        #expect(unix.map(\.attributes) == [["a": "1", "b": "2"], ["a": "3", "b": "4"]])
        #expect(windows.map(\.attributes) == unix.map(\.attributes))
    }

    @Test("an empty cell is a missing attribute, as in XES; blank lines are skipped")
    func emptyCells() throws {
        let read = try events(in: "a,b,c\n1,,3\n\n,\"\",x\n")

        #expect(read.map(\.attributes) == [["a": "1", "c": "3"], ["c": "x"]])
        #expect(read.map(\.location) == [.line(2), .line(4)])
    }

    @Test("a byte order mark before the header is skipped")
    func byteOrderMark() throws {
        let read = try events(in: "\u{FEFF}case:concept:name,x\nd1,2\n")

        #expect(read.first?.attributes == ["case:concept:name": "d1", "x": "2"])
    }

    @Test("malformed records are refused with their line")
    func malformed() {
        let cases: [(String, LogImportError)] = [
            ("a,b\n1,2,3\n", .malformedSource(path: "", location: .line(2),
                                             reason: "the record has 3 fields, the header 2")),
            ("a,b\n1,x\"y\n", .malformedSource(path: "", location: .line(2),
                                              reason: "a quote inside an unquoted field")),
            ("a,b\n1,\"x\"y\n", .malformedSource(
                path: "", location: .line(2), reason: "text after the closing quote of a field")),
            ("a,b\n1,2\n3,\"open\n", .malformedSource(
                path: "", location: .line(3),
                reason: "a quoted field is not closed before the end of the file")),
            ("a,a\n1,2\n", .malformedSource(path: "", location: .line(1),
                                           reason: "the header names column \"a\" twice")),
        ]
        for (text, expected) in cases {
            let error = caught { try events(in: text) } as? LogImportError
            guard case .malformedSource(let path, let location, let reason)? = error,
                  case .malformedSource(_, let expectedLocation, let expectedReason) = expected
            else {
                Issue.record("expected a malformed-source error for \(text.debugDescription)")
                continue
            }
            #expect(path.hasSuffix("/log.csv"))
            #expect(location == expectedLocation)
            #expect(reason == expectedReason)
        }
    }
}
