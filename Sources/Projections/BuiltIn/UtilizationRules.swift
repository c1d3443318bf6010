import EventModel
import Foundation

/// The tunable figures of the `utilization` read model, read from
/// `projections/utilization.json`.
///
/// Every key is optional; an absent key keeps its default. Unknown keys are
/// refused (keys starting with `_` are free, for comments).
public struct UtilizationRules: Sendable, Equatable {
    /// The hours a consultant is available in a week with no
    /// `ConsultantCapacitySet` for it (`default_available_hours`, 0...168).
    public var defaultAvailableHours: Decimal
    /// The utilization target, in percent, for a consultant with no
    /// assignment or whose role has no entry in `roleTargets`
    /// (`default_target_pct`, 0...100).
    public var defaultTargetPercent: Decimal
    /// Utilization targets in percent by role, as the role is written in
    /// `ConsultantAssigned` (`role_targets`, each 0...100). Role names
    /// match exactly, case included.
    public var roleTargets: [String: Decimal]

    /// The keys a rule file may hold.
    static let keys: Set<String> = [
        "default_available_hours", "default_target_pct", "role_targets",
    ]
    static let defaultAvailable: Decimal = 40
    static let defaultTarget: Decimal = 75
    /// Partners sell and lead, managers split delivery with running the
    /// engagement, and the grades below them mostly deliver.
    static let defaultRoleTargets: [String: Decimal] = [
        "partner": 50, "manager": 65, "senior": 75, "consultant": 80, "analyst": 80,
    ]

    /// The defaults: 40 available hours, a 75% target, and targets for
    /// partner (50), manager (65), senior (75), consultant and analyst (80).
    public init() {
        defaultAvailableHours = Self.defaultAvailable
        defaultTargetPercent = Self.defaultTarget
        roleTargets = Self.defaultRoleTargets
    }

    /// Reads a rule file strictly; absent keys keep their defaults.
    ///
    /// - Parameter reader: The parsed rule file.
    /// - Throws: `RuleError` naming the file and the key for an unknown key,
    ///   a value of the wrong type, or a value out of its range.
    public init(reader: RuleReader) throws {
        try reader.allowOnly(Self.keys)
        defaultAvailableHours = try reader.decimal(
            "default_available_hours", default: Self.defaultAvailable, range: 0...168)
        defaultTargetPercent = try reader.decimal(
            "default_target_pct", default: Self.defaultTarget, range: 0...100)
        roleTargets = try reader.decimalMap(
            "role_targets", default: Self.defaultRoleTargets, range: 0...100)
    }

    /// The target for `role`, or the default target when the role is
    /// unknown or the consultant has no assignment (`nil`).
    public func targetPercent(forRole role: String?) -> Decimal {
        guard let role, let target = roleTargets[role] else { return defaultTargetPercent }
        return target
    }
}
