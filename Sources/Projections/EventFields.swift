import EventModel
import EventStore
import Foundation

/// Required, typed reads of one event's data, shared by the built-in folds.
/// A field that is missing or of the wrong shape is refused with the
/// validator's own `ValidationError`, so the message is the one an append of
/// that data would have given (the engine adds the projection and position).
///
/// The data is read through a `JSONObjectScan`, which parses only the
/// members asked for, unless the event was parsed already (a rebuild parses
/// each event once for all its read models) or the scan cannot follow it.
struct EventFields {
    private enum Members {
        case scanned(JSONObjectScan)
        case parsed(JSONObject)
    }

    let type: String
    /// The data's bytes, parsed whole only to explain a refusal; the rest
    /// of the event is not kept (a fold builds one of these per event).
    private let data: [UInt8]
    private let members: Members

    init(_ event: RecordedEvent) throws {
        type = event.type
        data = event.data
        if let parsed = event.parsedDataObject {
            members = .parsed(parsed)
        } else if let scan = event.scannedDataObject ?? JSONObjectScan(event.data) {
            members = .scanned(scan)
        } else {
            members = .parsed(try Self.object(event.data))
        }
    }

    private static func object(_ data: [UInt8]) throws -> JSONObject {
        guard case .object(let object)? = try? JSONParser.parse(data) else {
            throw ValidationError(field: "data", reason: "is not a JSON object")
        }
        return object
    }

    private subscript(key: String) -> JSONValue? {
        switch members {
        case .scanned(let scan): scan[key]
        case .parsed(let object): object[key]
        }
    }

    func string(_ key: String) throws -> String {
        guard let value = self[key]?.stringValue else { throw refusal(key) }
        return value
    }

    /// A string member that may be `null` (or absent).
    func optionalString(_ key: String) throws -> String? {
        guard let value = self[key], value != .null else { return nil }
        guard let text = value.stringValue else { throw refusal(key) }
        return text
    }

    func decimal(_ key: String) throws -> Decimal {
        guard let value = self[key]?.decimalValue else { throw refusal(key) }
        return value
    }

    func bool(_ key: String) throws -> Bool {
        guard let value = self[key]?.boolValue else { throw refusal(key) }
        return value
    }

    func date(_ key: String) throws -> CalendarDate {
        guard let value = self[key]?.dateValue else { throw refusal(key) }
        return value
    }

    /// A `YYYY-MM-DD` date as days since 1970-01-01.
    func day(_ key: String) throws -> Int {
        try date(key).daysSinceEpoch
    }

    /// Why `key` could not be read: the whole data is parsed and validated,
    /// so the error is the one its append would have met.
    private func refusal(_ key: String) -> any Error {
        let whole: JSONObject
        switch members {
        case .parsed(let object):
            whole = object
        case .scanned:
            do {
                whole = try Self.object(data)
            } catch {
                return error
            }
        }
        do {
            try BuiltInEvents.validate(type: type, data: whole)
        } catch {
            return error
        }
        // Validation passes only if the type's catalogue entry lacks the
        // field; name it rather than guess a reason.
        return ValidationError(field: "data.\(key)", reason: "is required")
    }
}
