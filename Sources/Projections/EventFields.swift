import EventModel
import EventStore
import Foundation

/// Required, typed reads of one event's data, shared by the built-in folds.
/// A field that is missing or of the wrong shape is refused with the
/// validator's own `ValidationError`, so the message is the one an append of
/// that data would have given (the engine adds the projection and position).
struct EventFields {
    let type: String
    let data: JSONObject

    init(_ event: RecordedEvent) throws {
        type = event.type
        do {
            data = try event.dataObject()
        } catch {
            throw ValidationError(field: "data", reason: "is not a JSON object")
        }
    }

    func string(_ key: String) throws -> String {
        guard let value = data.string(key) else { throw refusal(key) }
        return value
    }

    /// A string member that may be `null` (or absent).
    func optionalString(_ key: String) throws -> String? {
        guard let value = data[key], value != .null else { return nil }
        return try string(key)
    }

    func decimal(_ key: String) throws -> Decimal {
        guard let value = data.decimal(key) else { throw refusal(key) }
        return value
    }

    func bool(_ key: String) throws -> Bool {
        guard let value = data.bool(key) else { throw refusal(key) }
        return value
    }

    func date(_ key: String) throws -> CalendarDate {
        guard let value = data.date(key) else { throw refusal(key) }
        return value
    }

    /// A `YYYY-MM-DD` date as days since 1970-01-01.
    func day(_ key: String) throws -> Int {
        try date(key).daysSinceEpoch
    }

    private func refusal(_ key: String) -> ValidationError {
        do {
            try BuiltInEvents.validate(type: type, data: data)
        } catch {
            return error
        }
        // Validation passes only if the type's catalogue entry lacks the
        // field; name it rather than guess a reason.
        return ValidationError(field: "data.\(key)", reason: "is required")
    }
}
