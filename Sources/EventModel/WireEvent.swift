// One event as it arrives on the wire: a single JSON Lines line such as
//
//     {"stream":"engagement-E042","type":"TimesheetSubmitted",
//      "occurred_at":"2026-03-02T09:15:00Z","data":{...},
//      "metadata":{"actor":"user-17"},"id":"...","expected_version":3}
//
// (one line in practice). `stream`, `type` and `data` are required; `id`,
// `occurred_at`, `recorded_at`, `metadata` and `expected_version` are
// optional. The payloads are kept as the exact bytes the producer sent, so
// the store can hand them back byte for byte, alongside their parsed form.

/// A decoded, validated wire-format event, not yet stored.
public struct WireEvent: Sendable {
    /// The stream id, normalised to NFC.
    public var stream: String
    /// The event type, e.g. `TimesheetSubmitted`.
    public var type: String
    /// The producer's event id, used to recognise a retried append.
    public var id: String?
    /// When the fact happened, in UTC (any offset on the wire is applied).
    public var occurredAt: Timestamp?
    /// When the event was first recorded; only an import that preserves
    /// recorded times uses it.
    public var recordedAt: Timestamp?
    /// The exact bytes of the `data` object as given, whitespace included.
    public var data: [UInt8]
    /// The exact bytes of the `metadata` object as given, if any.
    public var metadata: [UInt8]?
    /// The parsed `data` object.
    public var dataValue: JSONObject
    /// The parsed `metadata` object, if any.
    public var metadataValue: JSONObject?
    /// The append's concurrency condition, if the line states one.
    public var expectedVersion: ExpectedVersion?

    /// Creates an event from its parts.
    public init(
        stream: String,
        type: String,
        id: String? = nil,
        occurredAt: Timestamp? = nil,
        recordedAt: Timestamp? = nil,
        data: [UInt8],
        metadata: [UInt8]? = nil,
        dataValue: JSONObject,
        metadataValue: JSONObject? = nil,
        expectedVersion: ExpectedVersion? = nil
    ) {
        self.stream = stream
        self.type = type
        self.id = id
        self.occurredAt = occurredAt
        self.recordedAt = recordedAt
        self.data = data
        self.metadata = metadata
        self.dataValue = dataValue
        self.metadataValue = metadataValue
        self.expectedVersion = expectedVersion
    }
}

/// Why a wire-format line was refused.
///
/// Messages name the line and the field but never repeat payload contents,
/// which may hold secrets.
public enum CodecError: Error, CustomStringConvertible, Equatable {
    /// The line is not valid JSON, or not a JSON object.
    ///
    /// - `line`: the line number the caller passed in.
    /// - `offset`: the byte offset within the line.
    case invalidJSON(line: Int, offset: Int, reason: String)
    /// A field is missing, unknown, of the wrong type, or breaks a rule.
    ///
    /// - `field`: a dotted path such as `occurred_at` or `data.hours`.
    case invalidField(line: Int, field: String, reason: String)

    /// The line number the error refers to.
    public var line: Int {
        switch self {
        case .invalidJSON(let line, _, _), .invalidField(let line, _, _):
            return line
        }
    }

    /// `line 12: field "occurred_at": <reason>` or
    /// `line 12: invalid JSON at byte 40: <reason>`.
    public var description: String {
        switch self {
        case let .invalidJSON(line, offset, reason):
            return "line \(line): invalid JSON at byte \(offset): \(reason)"
        case let .invalidField(line, field, reason):
            return "line \(line): field \(JSONWriter.quoted(field)): \(reason)"
        }
    }
}
