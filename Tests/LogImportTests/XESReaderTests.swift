import Foundation
import Testing
@testable import LogImport

/// Reads every event of an XES text (or file) through `XESReader`.
private func events(in text: String) throws -> [SourceEvent] {
    let directory = TemporaryDirectory()
    return try events(at: directory.write("log.xes", text))
}

private func events(at path: String) throws -> [SourceEvent] {
    var events: [SourceEvent] = []
    try XESReader(path: path).forEachEvent { events.append($0) }
    return events
}

private let header = """
    <?xml version="1.0" encoding="UTF-8"?>
    <log xes.version="1.0" xmlns="http://www.xes-standard.org">
      <global scope="event"><string key="org:role" value="default"/></global>
      <string key="creator" value="a log attribute"/>

    """

@Suite("Streaming XES")
struct XESReaderTests {
    @Test("events carry their own attributes and their trace's under case:")
    func attributes() throws {
        let text = header + """
              <trace>
                <string key="concept:name" value="declaration1"/>
                <int key="variant-index" value="3"/>
                <event>
                  <string key="concept:name" value="Declaration SUBMITTED by EMPLOYEE"/>
                  <date key="time:timestamp" value="2017-01-09T09:49:50.000+01:00"/>
                  <float key="amount" value="1.5">
                    <string key="unit" value="a meta-attribute, skipped"/>
                  </float>
                </event>
                <event><string key="concept:name" value="Payment Handled"/></event>
              </trace>
              <trace>
                <string key="concept:name" value="declaration2"/>
                <event>
                  <string key="concept:name" value="&quot;Quoted&quot; &amp; escaped"/>
                </event>
              </trace>
            </log>
            """

        let read = try events(in: text)

        #expect(read.map(\.attributes) == [
            ["case:concept:name": "declaration1", "case:variant-index": "3",
             "concept:name": "Declaration SUBMITTED by EMPLOYEE",
             "time:timestamp": "2017-01-09T09:49:50.000+01:00", "amount": "1.5"],
            ["case:concept:name": "declaration1", "case:variant-index": "3",
             "concept:name": "Payment Handled"],
            ["case:concept:name": "declaration2", "concept:name": "\"Quoted\" & escaped"],
        ])
        #expect(read.map(\.location) == [.event(trace: 1, event: 1), .event(trace: 1, event: 2),
                                         .event(trace: 2, event: 1)])
    }

    @Test("the gzip sample streams all 1,342 events of its 300 traces")
    func gzipSample() throws {
        let read = try events(at: Fixture.sampleXES)

        #expect(read.count == 1342)
        #expect(read.last?.location == .event(trace: 300, event: 5))
        #expect(read.first?.attributes["(case)_Amount"] == "26.85120450862128")
    }

    @Test("a file cut inside a trace is an error, not a short log")
    func truncated() {
        let text = header + """
              <trace>
                <string key="concept:name" value="declaration1"/>
                <event><string key="concept:name" value="A"/></event>
                <event><string key="concept:name" value="B"/>
            """

        let error = caught { try events(in: text) } as? LogImportError

        guard case .malformedSource(_, let location, let reason)? = error else {
            Issue.record("expected a malformed-source error, got \(String(describing: error))")
            return
        }
        #expect(location == .event(trace: 1, event: 2))
        #expect(reason == "the file ends inside <event> (truncated?)")
    }

    @Test("a trace or event out of its place is refused with its line, not read under another case")
    func misplaced() {
        // Line 5 is a good trace; line 8 puts an <event> straight in <log>;
        // the second text nests a <trace> in a trace (its line 7).
        let eventInLog = header + """
              <trace><string key="concept:name" value="case-1"/>
                <event><string key="concept:name" value="A"/></event>
              </trace>
              <event><string key="concept:name" value="stray"/></event>
            </log>
            """
        let traceInTrace = header + """
              <trace><string key="concept:name" value="case-1"/>
                <event><string key="concept:name" value="A"/></event>
                <trace><event><string key="concept:name" value="B"/></event></trace>
              </trace>
            </log>
            """
        for (text, line, reason) in [
            (eventInLog, 8, "<event> inside <log>"),
            (traceInTrace, 7, "<trace> inside <trace>"),
        ] {
            let error = caught { try events(in: text) } as? LogImportError
            guard case .malformedSource(_, .line(let at)?, let message)? = error else {
                Issue.record("expected a malformed-source error, got \(String(describing: error))")
                continue
            }
            #expect(at == line)
            #expect(message.hasPrefix(reason), "\(message)")
        }
    }

    @Test("invalid UTF-8 is refused with its line before the XML parser sees it")
    func invalidUTF8() throws {
        // The fuzzer's case: a byte 0xC7 inside an element name, on line 6.
        var bytes = Array((header + "  <trace>\n    <event><st").utf8)
        bytes += [0xC7] + Array("ing key=\"a\" value=\"b\"/></event>\n  </trace>\n</log>\n".utf8)
        let directory = TemporaryDirectory()
        let path = directory.path + "/bad.xes"
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        let error = caught { try events(at: path) } as? LogImportError
        guard case .malformedSource(_, .line(let line)?, let reason)? = error else {
            Issue.record("expected a malformed-source error, got \(String(describing: error))")
            return
        }
        #expect(line == 6)
        #expect(reason == "invalid UTF-8 (XES is read as UTF-8)")
    }

    @Test("the UTF-8 check follows RFC 3629 across chunk boundaries")
    func utf8Check() {
        func check(_ chunks: [[UInt8]]) -> (valid: Bool, line: Int) {
            var utf8 = UTF8Check()
            for chunk in chunks {
                let valid = chunk.withUnsafeBytes { utf8.consume($0) }
                if !valid { return (false, utf8.line) }
            }
            return (utf8.finish(), utf8.line)
        }
        // "é" (C3 A9), "€" (E2 82 AC) and "😀" (F0 9F 98 80), split anywhere.
        #expect(check([[0x61, 0xC3], [0xA9, 0x0A, 0xE2, 0x82], [0xAC, 0xF0, 0x9F], [0x98, 0x80]])
            == (true, 2))
        #expect(check([[0xC0, 0x80]]).valid == false)              // overlong NUL
        #expect(check([[0xE0, 0x80, 0x80]]).valid == false)        // overlong 3-byte form
        #expect(check([[0xED, 0xA0, 0x80]]).valid == false)        // surrogate U+D800
        #expect(check([[0xF4, 0x90, 0x80, 0x80]]).valid == false)  // U+110000
        #expect(check([[0xF5, 0x80, 0x80, 0x80]]).valid == false)  // no such lead byte
        #expect(check([[0x0A, 0x0A, 0x80]]) == (false, 3))         // stray continuation
        #expect(check([[0x61, 0xE2, 0x82]]).valid == false)        // ends inside a sequence
        #expect(check([[0xEF, 0xBF, 0xBF], [0xF4, 0x8F, 0xBF, 0xBF]]).valid)  // U+FFFF, U+10FFFF
    }

    @Test("XML that is not well-formed is refused with its line")
    func notWellFormed() {
        let text = header + """
              <trace>
                <event><string key="concept:name" value="A"></event>
              </trace>
            </log>
            """

        let error = caught { try events(in: text) } as? LogImportError

        guard case .malformedSource(_, .line(let line)?, let reason)? = error else {
            Issue.record("expected a malformed-source error, got \(String(describing: error))")
            return
        }
        // The header ends with its line 4; <trace> is line 5, the bad <event> line 6.
        #expect(line == 6)
        #expect(reason == "not well-formed XML (libxml2 error 76)")
    }

    @Test("a damaged gzip stream is an unreadable file")
    func damagedGzip() throws {
        let directory = TemporaryDirectory()
        let bytes = try Data(contentsOf: URL(fileURLWithPath: Fixture.sampleXES))
        let path = directory.path + "/cut.xes.gz"
        try bytes.prefix(bytes.count / 2).write(to: URL(fileURLWithPath: path))

        let error = caught { try events(at: path) } as? LogImportError

        guard case .unreadable(let errorPath, let reason)? = error else {
            Issue.record("expected an unreadable-file error, got \(String(describing: error))")
            return
        }
        #expect(errorPath == path)
        #expect(reason == "the gzip stream ends early (truncated file?)")
    }

    @Test("a document without <log> is not XES")
    func notXES() {
        let error = caught { try events(in: "<?xml version=\"1.0\"?>\n<feed></feed>\n") }
            as? LogImportError

        guard case .malformedSource(_, _, let reason)? = error else {
            Issue.record("expected a malformed-source error, got \(String(describing: error))")
            return
        }
        #expect(reason == "the root element is <feed>, not <log>")
    }
}
