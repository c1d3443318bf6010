import EventModel
import EventStore
import Foundation

/// The four built-in read models and their rule files.
public enum BuiltInProjections {
    public static let names = ["utilization", "margin-exposure", "approval-aging",
                               "billing-readiness"]

    /// `<store>/projections`, where `init` puts the rule files users edit.
    public static func rulesDirectory(of store: String) -> String {
        store + "/projections"
    }

    /// Builds one built-in projection from its rule file's bytes.
    /// - Parameter file: names the file in errors.
    /// - Throws: `RuleError` naming the file, the key and the reason.
    public static func make(_ name: String, rules bytes: [UInt8],
                            file: String) throws -> RegisteredProjection {
        let reader = try RuleReader(file: file, bytes: bytes)
        let projection: any Projection
        switch name {
        case "utilization":
            projection = UtilizationProjection(rules: try UtilizationRules(reader: reader))
        case "margin-exposure":
            projection = MarginExposureProjection(rules: try MarginExposureRules(reader: reader))
        case "approval-aging":
            projection = ApprovalAgingProjection(rules: try ApprovalAgingRules(reader: reader))
        case "billing-readiness":
            projection = BillingReadinessProjection(
                rules: try BillingReadinessRules(reader: reader))
        default:
            throw ProjectionError.unknownProjection(name, known: names)
        }
        return RegisteredProjection(projection, rules: bytes) { other in
            try make(name, rules: other, file: file + " (rules in force at the cut-off)")
        }
    }

    /// The built-ins with the rules in `directory` (the defaults for a file
    /// that is missing).
    public static func load(rulesDirectory directory: String) throws -> [RegisteredProjection] {
        try names.map { name in
            let path = directory + "/\(name).json"
            if let data = FileManager.default.contents(atPath: path) {
                return try make(name, rules: Array(data), file: path)
            }
            return try make(name, rules: Array(defaultRules[name]!.utf8), file: path)
        }
    }

    /// Writes the default rule files into `directory` (0700), keeping any
    /// file already there.
    public static func installDefaultRules(into directory: String) throws {
        try FileSystem.makeDirectory(directory)
        for name in names {
            let path = directory + "/\(name).json"
            if FileManager.default.fileExists(atPath: path) { continue }
            guard FileManager.default.createFile(
                atPath: path, contents: Data(defaultRules[name]!.utf8),
                attributes: [.posixPermissions: 0o600]) else {
                throw RuleError(file: path, key: "(file)", reason: "cannot be written")
            }
        }
    }
}
