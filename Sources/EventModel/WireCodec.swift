// Decoding of wire-format lines into `WireEvent`s.
//
// Decoding and validation happen together so that every refusal can name
// its line and field: JSON syntax, the envelope fields, the stream and type
// name rules, and the data rules of built-in event types. What the codec
// leaves to the store: reserved (`$`) streams, version checks, and whether a
// `recorded_at` may be honoured.

/// Decodes JSON Lines wire-format events.
public enum WireCodec {
    /// Decodes and validates one line (without its line terminator).
    ///
    /// Checks, in order: JSON syntax; each envelope field as it appears
    /// (unknown fields refused); the required `stream`, `type` and `data`;
    /// then the built-in data rules for `type` and the well-known metadata
    /// keys. Optional fields may be `null`, which means absent.
    ///
    /// - Parameters:
    ///   - bytes: The line's UTF-8 bytes.
    ///   - line: The line number to report in errors.
    /// - Returns: The event, its stream id NFC-normalised and its timestamps
    ///   in UTC.
    /// - Throws: `CodecError.invalidJSON` with the byte offset in the line,
    ///   or `CodecError.invalidField` with the dotted field path.
    /// - Complexity: O(n) in the line length.
    public static func decodeLine(
        _ bytes: UnsafeRawBufferPointer,
        line: Int
    ) throws(CodecError) -> WireEvent {
        let spans: [JSONMemberSpan]
        do throws(JSONError) {
            spans = try JSONParser.parseTopLevelObject(bytes)
        } catch {
            throw .invalidJSON(line: line, offset: error.offset, reason: error.reason)
        }

        var envelope = Envelope(line: line)
        for span in spans {
            try envelope.read(span, from: bytes)
        }
        return try envelope.event()
    }

    /// Decodes and validates one line held in an array; see the
    /// `UnsafeRawBufferPointer` overload.
    ///
    /// - Throws: `CodecError`; offsets count from the array's start.
    public static func decodeLine(_ bytes: [UInt8], line: Int) throws(CodecError) -> WireEvent {
        let result = bytes.withUnsafeBytes { buffer in
            Result { () throws(CodecError) in try decodeLine(buffer, line: line) }
        }
        return try result.get()
    }

    /// Decodes and validates one line held in an array slice.
    ///
    /// - Throws: `CodecError`; offsets count from the slice's start.
    public static func decodeLine(
        _ bytes: ArraySlice<UInt8>,
        line: Int
    ) throws(CodecError) -> WireEvent {
        let result = bytes.withUnsafeBytes { buffer in
            Result { () throws(CodecError) in try decodeLine(buffer, line: line) }
        }
        return try result.get()
    }
}

// MARK: - Envelope fields

/// The envelope fields collected so far from one line.
private struct Envelope {
    let line: Int
    var stream: String?
    var type: String?
    var id: String?
    var occurredAt: Timestamp?
    var recordedAt: Timestamp?
    var data: (bytes: [UInt8], value: JSONObject)?
    var metadata: (bytes: [UInt8], value: JSONObject)?
    var expectedVersion: ExpectedVersion?

    init(line: Int) {
        self.line = line
    }

    func fieldError(_ field: String, _ reason: String) -> CodecError {
        .invalidField(line: line, field: field, reason: reason)
    }

    func fieldError(_ error: ValidationError) -> CodecError {
        .invalidField(line: line, field: error.field, reason: error.reason)
    }

    mutating func read(
        _ span: JSONMemberSpan,
        from bytes: UnsafeRawBufferPointer
    ) throws(CodecError) {
        let value = span.value
        switch span.key {
        case "stream":
            let text = try string(value, field: "stream")
            do throws(ValidationError) {
                stream = try EventNames.normalizeStream(text)
            } catch {
                throw fieldError(error)
            }
        case "type":
            let text = try string(value, field: "type")
            do throws(ValidationError) {
                try EventNames.validateType(text)
            } catch {
                throw fieldError(error)
            }
            type = text
        case "id":
            guard value != .null else { return }
            let text = try string(value, field: "id")
            do throws(ValidationError) {
                try EventNames.validateEventID(text)
            } catch {
                throw fieldError(error)
            }
            id = text
        case "occurred_at":
            occurredAt = try timestamp(value, field: "occurred_at")
        case "recorded_at":
            recordedAt = try timestamp(value, field: "recorded_at")
        case "data":
            guard case .object(let object) = value else {
                throw fieldError("data", "must be a JSON object, got \(value.typeDescription)")
            }
            data = (Array(bytes[span.valueRange]), object)
        case "metadata":
            guard value != .null else { return }
            guard case .object(let object) = value else {
                throw fieldError("metadata", "must be a JSON object, got \(value.typeDescription)")
            }
            metadata = (Array(bytes[span.valueRange]), object)
        case "expected_version":
            expectedVersion = try version(value)
        default:
            // Name the field, but cap a pathological key's length.
            let name = span.key.count > 64 ? String(span.key.prefix(64)) + "…" : span.key
            throw fieldError(name, "unknown field")
        }
    }

    func string(_ value: JSONValue, field: String) throws(CodecError) -> String {
        guard case .string(let text) = value else {
            throw fieldError(field, "must be a string, got \(value.typeDescription)")
        }
        return text
    }

    func timestamp(_ value: JSONValue, field: String) throws(CodecError) -> Timestamp? {
        guard value != .null else { return nil }
        let text = try string(value, field: field)
        do throws(TimestampError) {
            return try Timestamp(rfc3339: text)
        } catch {
            throw fieldError(field, error.reason)
        }
    }

    func version(_ value: JSONValue) throws(CodecError) -> ExpectedVersion? {
        switch value {
        case .null:
            return nil
        case .number(let number):
            if let version = ExpectedVersion.parseVersion(number.literal.utf8) {
                return .exact(version)
            }
        case .string("any"):
            return .any
        case .string("no_stream"):
            return .noStream
        case .string("exists"):
            return .exists
        default:
            break
        }
        throw fieldError(
            "expected_version",
            "must be an integer >= 0 or one of \"any\", \"no_stream\", \"exists\"")
    }

    /// The finished event, after the required fields and data rules.
    func event() throws(CodecError) -> WireEvent {
        guard let stream else { throw fieldError("stream", "is required") }
        guard let type else { throw fieldError("type", "is required") }
        guard let data else { throw fieldError("data", "is required") }

        do throws(ValidationError) {
            try BuiltInEvents.validate(type: type, data: data.value)
            if let metadata { try BuiltInEvents.validateMetadata(metadata.value) }
        } catch {
            throw fieldError(error)
        }

        return WireEvent(
            stream: stream,
            type: type,
            id: id,
            occurredAt: occurredAt,
            recordedAt: recordedAt,
            data: data.bytes,
            metadata: metadata?.bytes,
            dataValue: data.value,
            metadataValue: metadata?.value,
            expectedVersion: expectedVersion)
    }
}
