@testable import EventModel

/// The UTF-8 bytes of `text`.
func bytes(_ text: String) -> [UInt8] {
    Array(text.utf8)
}

/// Parses `json`, which must be a JSON object.
func object(_ json: String) throws -> JSONObject {
    guard case .object(let object) = try JSONParser.parse(json) else {
        throw TestFailure(message: "not an object")
    }
    return object
}

/// Parses and re-writes `json` compactly.
func rewritten(_ json: String) throws -> String {
    JSONWriter.string(try JSONParser.parse(json))
}

struct TestFailure: Error {
    let message: String
}
