import EventModel
import EventStore
import Foundation

// Reading a mapping file. Every check names the key at fault as a path
// (`activities[3].data.amount`, indexes from 0), so a mistake in a mapping
// is found without reading code. Unknown keys are refused: a misspelt key
// would otherwise be ignored and its intent silently lost.

extension LogMapping {
    /// Reads and checks the mapping file at `path`.
    /// - Throws: `MappingError` naming the file, the key and the reason.
    public static func load(path: String) throws(MappingError) -> LogMapping {
        let bytes: [UInt8]
        do {
            bytes = Array(try Data(contentsOf: URL(fileURLWithPath: path)))
        } catch {
            // Foundation's text for a missing file names no file and no
            // cause; say it as the other file errors do.
            let cause = FileSystem.exists(path)
                ? error.localizedDescription : String(cString: strerror(ENOENT))
            throw MappingError(file: path, key: "", reason: "cannot be read: \(cause)")
        }
        return try LogMapping(json: bytes, file: path)
    }

    /// Checks a mapping given as JSON text.
    /// - Parameters:
    ///   - json: the mapping's JSON.
    ///   - file: the name used in error messages.
    /// - Throws: `MappingError` naming `file`, the key and the reason.
    public init(json: [UInt8], file: String) throws(MappingError) {
        let reader = MappingReader(file: file)
        let root = try reader.parseDocument(json)
        try reader.checkKeys(root, at: "", allowed: [
            "source", "activity_attribute", "case_id", "stream", "event_id", "occurred_at",
            "metadata", "activities",
        ])

        self.file = file
        source = try reader.requiredString(root, "source", at: "")
        activityAttribute = try reader.optionalString(root, "activity_attribute", at: "")
            ?? "concept:name"
        caseID = try reader.valueRule(root, "case_id", at: "", captures: [])
        let caseVariables = reader.caseVariables(of: caseID)
        stream = try reader.template(root, "stream", at: "")
        eventID = try reader.template(root, "event_id", at: "")
        occurredAt = try reader.valueRule(root, "occurred_at", at: "", captures: caseVariables)
        metadata = try reader.ruleObject(root, "metadata", at: "", captures: caseVariables)
        activities = try reader.activityRules(root, caseVariables: caseVariables)
    }
}

/// Reads the parts of a mapping document, naming the key path of each fault.
struct MappingReader {
    let file: String

    func fail(_ key: String, _ reason: String) -> MappingError {
        MappingError(file: file, key: key, reason: reason)
    }

    /// `parent.key`, or `key` at the top.
    func path(_ parent: String, _ key: String) -> String {
        parent.isEmpty ? key : parent + "." + key
    }

    // MARK: - The document

    func parseDocument(_ json: [UInt8]) throws(MappingError) -> JSONObject {
        let value: JSONValue
        do {
            value = try JSONParser.parse(json)
        } catch {
            let place = Self.lineAndColumn(of: error.offset, in: json)
            throw fail("", "invalid JSON at line \(place.line), column \(place.column): "
                + error.reason)
        }
        guard case .object(let object) = value else {
            throw fail("", "must hold a JSON object")
        }
        return object
    }

    private static func lineAndColumn(of offset: Int,
                                      in bytes: [UInt8]) -> (line: Int, column: Int) {
        let before = bytes.prefix(offset)
        let line = before.count(where: { $0 == UInt8(ascii: "\n") }) + 1
        let lineStart = before.lastIndex(of: UInt8(ascii: "\n")).map { $0 + 1 } ?? 0
        return (line, offset - lineStart + 1)
    }

    func checkKeys(_ object: JSONObject, at parent: String,
                   allowed: [String]) throws(MappingError) {
        for key in object.keys where !allowed.contains(key) {
            throw fail(path(parent, key),
                       "unknown key (expected " + Self.list(allowed) + ")")
        }
    }

    /// `a, b or c`.
    static func list(_ words: [String]) -> String {
        guard words.count > 1 else { return words.first ?? "" }
        return words.dropLast().joined(separator: ", ") + " or " + words.last!
    }

    // MARK: - Scalars

    func requiredString(_ object: JSONObject, _ key: String,
                        at parent: String) throws(MappingError) -> String {
        guard let text = try optionalString(object, key, at: parent) else {
            throw fail(path(parent, key), "is required")
        }
        return text
    }

    func optionalString(_ object: JSONObject, _ key: String,
                        at parent: String) throws(MappingError) -> String? {
        guard let value = object[key] else { return nil }
        guard case .string(let text) = value else {
            throw fail(path(parent, key), "must be a string, got \(Self.kind(of: value))")
        }
        guard !text.isEmpty else { throw fail(path(parent, key), "must not be empty") }
        return text
    }

    func template(_ object: JSONObject, _ key: String,
                  at parent: String) throws(MappingError) -> TextPattern {
        let text = try requiredString(object, key, at: parent)
        return try pattern(text, at: path(parent, key), matchable: false)
    }

    func pattern(_ text: String, at key: String,
                 matchable: Bool) throws(MappingError) -> TextPattern {
        do throws(PatternSyntaxError) {
            let pattern = try TextPattern(text)
            if matchable { try pattern.checkMatchable() }
            return pattern
        } catch {
            throw fail(key, error.reason)
        }
    }

    /// `case_id`, plus the case id pattern's placeholder.
    func caseVariables(of caseID: ValueRule) -> Set<String> {
        var names: Set<String> = ["case_id"]
        if let pattern = caseID.pattern { names.formUnion(pattern.placeholders) }
        return names
    }
}

extension MappingReader {
    /// The JSON kind of a value, for messages (never the value itself).
    static func kind(of value: JSONValue) -> String {
        switch value {
        case .null: return "null"
        case .bool: return "a boolean"
        case .number: return "a number"
        case .string: return "a string"
        case .array: return "an array"
        case .object: return "an object"
        }
    }
}
