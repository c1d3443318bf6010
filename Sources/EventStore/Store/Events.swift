import EventModel

/// An event as the store holds it: the writer's fields plus the place and time
/// the store gave it.
public struct RecordedEvent: Sendable, Hashable {
    /// Global, 1-based, gapless, strictly increasing in append order.
    public let position: Int
    /// The stream, NFC-normalised.
    public let stream: String
    /// 1-based within the stream.
    public let version: Int
    public let id: String
    public let type: String
    /// Business time, given by the writer (or the recorded time when it gave none).
    public let occurredAt: Timestamp
    /// The store's time of the append; never decreases with position.
    public let recordedAt: Timestamp
    /// The data object's JSON bytes exactly as written.
    public let data: [UInt8]
    /// The metadata object's JSON bytes exactly as written (`{}` when none).
    public let metadata: [UInt8]
    /// The data already parsed, when a caller folding the event into several
    /// read models parsed it once for all of them (`parsingData()`).
    private var parsedData: JSONObject?
    /// Where the data's members lie, when a caller folding the event into
    /// several read models scanned it once for all of them (`scanningData()`).
    private var scannedData: JSONObjectScan?

    /// Builds an event by hand (for folds in tests, and for other sources).
    public init(position: Int, stream: String, version: Int, id: String, type: String,
                occurredAt: Timestamp, recordedAt: Timestamp, data: [UInt8],
                metadata: [UInt8] = Array("{}".utf8)) {
        self.position = position
        self.stream = stream
        self.version = version
        self.id = id
        self.type = type
        self.occurredAt = occurredAt
        self.recordedAt = recordedAt
        self.data = data
        self.metadata = metadata
    }

    /// The data as a UTF-8 string.
    public var dataText: String { String(decoding: data, as: UTF8.self) }

    /// The data as one line of text (line breaks between tokens as spaces).
    public var dataLine: String {
        var line: [UInt8] = []
        Self.appendOnOneLine(data, to: &line)
        return String(decoding: line, as: UTF8.self)
    }

    /// The parsed data object.
    public func dataObject() throws -> JSONObject {
        if let parsedData { return parsedData }
        return try Self.object(data)
    }

    /// The data as `parsingData()` parsed it; nil when it was not.
    public var parsedDataObject: JSONObject? { parsedData }

    /// The data's members as `scanningData()` found them; nil when it did not.
    public var scannedDataObject: JSONObjectScan? { scannedData }

    /// The same event with its data's members located once (see
    /// `JSONObjectScan`), for several folds that each read a few of them.
    /// Data the scan cannot follow is left for each reader to parse.
    public func scanningData() -> RecordedEvent {
        var copy = self
        copy.scannedData = JSONObjectScan(data)
        return copy
    }

    /// The same event with its data parsed once, so that `dataObject()` costs
    /// nothing for each fold after the first. Data that does not parse is
    /// left for `dataObject()` to report.
    public func parsingData() -> RecordedEvent {
        var copy = self
        // A parse failure is reported by dataObject(), to the fold that needs it.
        copy.parsedData = try? Self.object(data)
        return copy
    }

    // Equality and hashing are those of the stored fields; the parsed cache
    // is only a copy of `data`.
    public static func == (a: RecordedEvent, b: RecordedEvent) -> Bool {
        a.position == b.position && a.stream == b.stream && a.version == b.version
            && a.id == b.id && a.type == b.type && a.occurredAt == b.occurredAt
            && a.recordedAt == b.recordedAt && a.data == b.data && a.metadata == b.metadata
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(position)
        hasher.combine(stream)
        hasher.combine(id)
    }

    /// The parsed metadata object.
    public func metadataObject() throws -> JSONObject {
        try Self.object(metadata)
    }

    static func object(_ bytes: [UInt8]) throws -> JSONObject {
        let value = try bytes.withUnsafeBytes { try JSONParser.parse($0) }
        guard case .object(let object) = value else {
            throw JSONError(offset: 0, reason: "not a JSON object")
        }
        return object
    }

    /// The event as one line of JSON (no line break): position, stream,
    /// version, id, type, occurred_at, recorded_at, data and metadata.
    public func appendJSONLine(to out: inout [UInt8]) {
        out.append(contentsOf: #"{"position":"#.utf8)
        out.append(contentsOf: String(position).utf8)
        out.append(contentsOf: #","stream":"#.utf8)
        JSONWriter.appendString(stream, to: &out)
        out.append(contentsOf: #","version":"#.utf8)
        out.append(contentsOf: String(version).utf8)
        out.append(contentsOf: #","id":"#.utf8)
        JSONWriter.appendString(id, to: &out)
        out.append(contentsOf: #","type":"#.utf8)
        JSONWriter.appendString(type, to: &out)
        out.append(contentsOf: #","occurred_at":""#.utf8)
        out.append(contentsOf: occurredAt.rfc3339.utf8)
        out.append(contentsOf: #"","recorded_at":""#.utf8)
        out.append(contentsOf: recordedAt.rfc3339.utf8)
        out.append(contentsOf: #"","data":"#.utf8)
        Self.appendOnOneLine(data, to: &out)
        out.append(contentsOf: #","metadata":"#.utf8)
        Self.appendOnOneLine(metadata, to: &out)
        out.append(UInt8(ascii: "}"))
    }

    /// Stored JSON may span lines: raw CR and LF can only be white space
    /// between tokens (inside strings they must be escaped), so writing them
    /// as spaces keeps the value and keeps JSON Lines one event per line.
    static func appendOnOneLine(_ json: [UInt8], to out: inout [UInt8]) {
        if !json.contains(0x0A) && !json.contains(0x0D) {
            out.append(contentsOf: json)
            return
        }
        for byte in json { out.append(byte == 0x0A || byte == 0x0D ? 0x20 : byte) }
    }
}

/// An event to append.
public struct NewEvent: Sendable {
    public var type: String { didSet { validated = false } }
    /// A JSON object, stored byte for byte.
    public var data: [UInt8] {
        didSet {
            parsedData = nil
            validated = false
        }
    }
    /// A JSON object (actor, correlation_id, causation_id and free keys), or nil.
    public var metadata: [UInt8]? {
        didSet {
            parsedMetadata = nil
            validated = false
        }
    }
    /// The idempotency key; a UUID is generated when nil.
    public var id: String? { didSet { validated = false } }
    /// Business time; the recorded time when nil.
    public var occurredAt: Timestamp?
    /// Only honoured by appends that preserve recorded times (history migration).
    public var recordedAt: Timestamp?
    /// Already-parsed data and metadata, when the caller has them (saves a parse).
    var parsedData: JSONObject?
    var parsedMetadata: JSONObject?
    /// True while type, id, data and metadata are as the wire codec checked
    /// them (names, built-in fields, metadata keys), so the store need not
    /// check them again; any change to those fields clears it.
    var validated = false

    /// - Parameters:
    ///   - type: the event type, e.g. `TimesheetSubmitted`.
    ///   - data: a JSON object as text, kept byte for byte.
    ///   - metadata: a JSON object as text, or nil.
    ///   - id: the idempotency key; generated when nil.
    ///   - occurredAt: business time; defaults to the recorded time.
    public init(type: String, data: String, metadata: String? = nil, id: String? = nil,
                occurredAt: Timestamp? = nil) {
        self.type = type
        self.data = Array(data.utf8)
        self.metadata = metadata.map { Array($0.utf8) }
        self.id = id
        self.occurredAt = occurredAt
    }

    /// Builds an event from one decoded wire-format line.
    public init(wire: WireEvent) {
        self.type = wire.type
        self.data = wire.data
        self.metadata = wire.metadata
        self.id = wire.id
        self.occurredAt = wire.occurredAt
        self.recordedAt = wire.recordedAt
        self.parsedData = wire.dataValue
        self.parsedMetadata = wire.metadataValue
        self.validated = true
    }
}

/// The events of one stream in a (possibly multi-stream) atomic append.
public struct StreamAppend: Sendable {
    public var stream: String
    public var expectedVersion: ExpectedVersion
    public var events: [NewEvent]

    public init(stream: String, expectedVersion: ExpectedVersion = .any, events: [NewEvent]) {
        self.stream = stream
        self.expectedVersion = expectedVersion
        self.events = events
    }
}

/// What one stream's part of an append stored.
public struct AppendResult: Sendable, Equatable {
    /// The NFC-normalised stream.
    public let stream: String
    /// The position of each event of the call, in order; a duplicate (an id
    /// already stored with the same content) gets its original position.
    public let positions: [Int]
    /// The stream's version after the append.
    public let streamVersion: Int
    /// How many of the events were already stored and so not written again.
    public let duplicates: Int
}
