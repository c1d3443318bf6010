import EventModel
import Foundation

/// A rule file that could not be used, naming the file, the key and the reason.
public struct RuleError: Error, CustomStringConvertible {
    public let file: String
    public let key: String
    public let reason: String

    public init(file: String, key: String, reason: String) {
        self.file = file
        self.key = key
        self.reason = reason
    }

    public var description: String { "\(file): \(key): \(reason)" }
}

/// Reads the typed values of one rule file (a JSON object), naming the file
/// and the key in every error. Absent keys take the caller's default.
public struct RuleReader {
    public let file: String
    public let object: JSONObject

    /// Parses `bytes` as a JSON object; `file` names it in errors.
    public init(file: String, bytes: [UInt8]) throws {
        self.file = file
        let value: JSONValue
        do {
            value = try JSONParser.parse(bytes)
        } catch {
            throw RuleError(file: file, key: "(file)", reason: "invalid JSON: \(error)")
        }
        guard case .object(let object) = value else {
            throw RuleError(file: file, key: "(file)", reason: "must be a JSON object")
        }
        self.object = object
    }

    /// Refuses keys the projection does not know, so a typo is not silently ignored.
    public func allowOnly(_ keys: Set<String>) throws {
        for key in object.keys where !keys.contains(key) && !key.hasPrefix("_") {
            throw RuleError(file: file, key: key, reason: "unknown rule (known: "
                + keys.sorted().joined(separator: ", ") + ")")
        }
    }

    public func decimal(_ key: String, default value: Decimal,
                        range: ClosedRange<Decimal>? = nil) throws -> Decimal {
        guard let raw = object[key], raw != .null else { return value }
        guard case .number(let number) = raw, let decimal = try? number.decimal() else {
            throw RuleError(file: file, key: key, reason: "must be a number")
        }
        if let range, !range.contains(decimal) {
            throw RuleError(file: file, key: key,
                            reason: "must be between \(range.lowerBound) and \(range.upperBound)")
        }
        return decimal
    }

    public func bool(_ key: String, default value: Bool) throws -> Bool {
        guard let raw = object[key], raw != .null else { return value }
        guard case .bool(let flag) = raw else {
            throw RuleError(file: file, key: key, reason: "must be true or false")
        }
        return flag
    }

    /// An object of name → number, e.g. targets by role.
    public func decimalMap(_ key: String, default value: [String: Decimal],
                           range: ClosedRange<Decimal>? = nil) throws -> [String: Decimal] {
        guard let raw = object[key], raw != .null else { return value }
        guard case .object(let map) = raw else {
            throw RuleError(file: file, key: key, reason: "must be an object of numbers")
        }
        var result: [String: Decimal] = [:]
        for (name, entry) in map.members {
            guard case .number(let number) = entry, let decimal = try? number.decimal() else {
                throw RuleError(file: file, key: "\(key).\(name)", reason: "must be a number")
            }
            if let range, !range.contains(decimal) {
                throw RuleError(file: file, key: "\(key).\(name)",
                                reason: "must be between \(range.lowerBound) and "
                                    + "\(range.upperBound)")
            }
            result[name] = decimal
        }
        return result
    }

    /// An array of numbers, strictly increasing.
    public func increasingDecimals(_ key: String, default value: [Decimal]) throws -> [Decimal] {
        guard let raw = object[key], raw != .null else { return value }
        guard case .array(let items) = raw else {
            throw RuleError(file: file, key: key, reason: "must be an array of numbers")
        }
        var result: [Decimal] = []
        for item in items {
            guard case .number(let number) = item, let decimal = try? number.decimal() else {
                throw RuleError(file: file, key: key, reason: "must be an array of numbers")
            }
            if let last = result.last, decimal <= last {
                throw RuleError(file: file, key: key, reason: "must be strictly increasing")
            }
            result.append(decimal)
        }
        return result
    }
}
