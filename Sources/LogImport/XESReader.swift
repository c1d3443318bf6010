import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif

// Streaming XES (IEEE 1849) with Foundation's XMLParser over a zlib input
// stream: events are handed on as each `</event>` closes, so memory holds
// one trace's attributes and one event, whatever the size of the log.
//
// Only attributes that are direct children of <trace> and <event> are read;
// nested attributes (meta-attributes, lists, containers) and the log's own
// attributes and <global> defaults are skipped. XES puts a trace's own
// attributes before its events, so each event sees all of them.

/// Reads `.xes` and `.xes.gz` files.
final class XESReader: EventLogReader {
    private let file: GzipFile

    /// - Throws: `LogImportError.unreadable` when the file cannot be opened.
    init(path: String) throws(LogImportError) {
        file = try GzipFile(path: path)
    }

    var compressedOffset: Int { file.compressedOffset }

    func forEachEvent(_ body: (SourceEvent) throws -> Void) throws {
        let stream = GzipInputStream(file: file)
        try withoutActuallyEscaping(body) { body in
            let handler = XESHandler(path: file.path, stream: stream, body: body)
            let parser = XMLParser(stream: stream)
            parser.shouldProcessNamespaces = false
            // Logs come from elsewhere: never fetch what a DOCTYPE points at.
            parser.shouldResolveExternalEntities = false
            parser.delegate = handler
            let parsed = parser.parse()
            try handler.finish(parsed: parsed, parser: parser)
        }
    }
}

/// The parser's delegate: tracks the element path, gathers attributes, and
/// hands on each finished event.
private final class XESHandler: NSObject, XMLParserDelegate {
    private static let attributeElements: Set<String> = [
        "string", "date", "int", "float", "boolean", "id",
    ]

    private let path: String
    private let stream: GzipInputStream
    private let body: (SourceEvent) throws -> Void
    private var elements: [String] = []
    private var traceAttributes: [String: String] = [:]
    private var eventAttributes: [String: String] = [:]
    private var traceIndex = 0
    private var eventIndex = 0
    private var sawLog = false
    /// The body's error, or a document that is not XES, which stopped the parse.
    private var failure: (any Error)?
    private var xmlError: XMLFault?

    init(path: String, stream: GzipInputStream, body: @escaping (SourceEvent) throws -> Void) {
        self.path = path
        self.stream = stream
        self.body = body
    }

    func parser(_ parser: XMLParser, didStartElement name: String, namespaceURI: String?,
                qualifiedName: String?, attributes: [String: String]) {
        guard failure == nil else { return }
        // Traces are children of <log> and events children of a trace; only
        // there do they count. Anywhere else they are refused, so that no event
        // is read with another trace's attributes.
        let depth = elements.count
        let parent = elements.last
        elements.append(name)
        switch (depth, parent, name) {
        case (0, _, "log"):
            sawLog = true
        case (0, _, _):
            stop(parser, malformed("the root element is <\(name)>, not <log>", parser))
        case (1, _, "trace"):
            traceIndex += 1
            eventIndex = 0
            traceAttributes = [:]
        case (2, "trace"?, "event"):
            eventIndex += 1
            eventAttributes = [:]
        case (_, _, "trace"), (_, _, "event"):
            stop(parser, malformed("<\(name)> inside <\(parent ?? "")>: XES puts traces in "
                + "<log> and events in a <trace>", parser))
        case (2, "trace"?, _) where Self.attributeElements.contains(name):
            guard let key = attributes["key"] else { return }
            traceAttributes["case:" + key] = attributes["value"] ?? ""
        case (3, "event"?, _) where Self.attributeElements.contains(name):
            guard let key = attributes["key"] else { return }
            eventAttributes[key] = attributes["value"] ?? ""
        default:
            // Extensions, globals, classifiers and nested (list) attributes.
            break
        }
    }

    func parser(_ parser: XMLParser, didEndElement name: String, namespaceURI: String?,
                qualifiedName: String?) {
        guard failure == nil else { return }
        elements.removeLast()
        guard name == "event", elements.count == 2 else { return }

        var attributes = traceAttributes
        attributes.merge(eventAttributes) { _, event in event }
        do {
            try body(SourceEvent(attributes: attributes,
                                 location: .event(trace: traceIndex, event: eventIndex)))
        } catch {
            stop(parser, error)
        }
    }

    func parser(_ parser: XMLParser, parseErrorOccurred parseError: any Error) {
        guard xmlError == nil else { return }
        xmlError = XMLFault(code: (parseError as NSError).code, line: parser.lineNumber,
                            atEndOfFile: stream.reachedEnd)
    }

    private func malformed(_ reason: String, _ parser: XMLParser) -> LogImportError {
        .malformedSource(path: path, location: .line(parser.lineNumber), reason: reason)
    }

    private func stop(_ parser: XMLParser, _ error: any Error) {
        failure = error
        stream.stop()
        parser.abortParsing()
    }

    /// Rethrows what stopped the parse, else checks that the whole log was read.
    func finish(parsed: Bool, parser: XMLParser) throws {
        if let failure { throw failure }
        if let streamFailure = stream.failure { throw streamFailure }
        // An error raised only once the file is read is an unclosed element.
        if let unclosed = elements.last, xmlError?.atEndOfFile ?? true {
            throw LogImportError.malformedSource(
                path: path, location: .event(trace: traceIndex, event: eventIndex),
                reason: "the file ends inside <\(unclosed)> (truncated?)")
        }
        if let fault = xmlError ?? (parsed ? nil : XMLFault(code: 0, line: parser.lineNumber,
                                                            atEndOfFile: false)) {
            // XMLParser passes on libxml2's error numbers without their text.
            throw LogImportError.malformedSource(
                path: path, location: .line(fault.line),
                reason: "not well-formed XML (libxml2 error \(fault.code))")
        }
        guard sawLog else {
            throw LogImportError.malformedSource(path: path, location: nil,
                                                 reason: "no <log> element: not an XES file")
        }
    }
}

/// The first error the XML parser reported.
private struct XMLFault {
    let code: Int
    let line: Int
    /// Whether the whole file had been read when it came.
    let atEndOfFile: Bool
}
