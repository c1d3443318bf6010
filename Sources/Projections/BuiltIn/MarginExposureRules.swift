import EventModel
import Foundation

/// The tunable figures of the `margin-exposure` read model, read from
/// `projections/margin-exposure.json`.
///
/// Every key is optional; an absent key keeps its default. Unknown keys are
/// refused (keys starting with `_` are free, for comments).
public struct MarginExposureRules: Sendable, Equatable {
    /// An open engagement whose cost has passed this percentage of its
    /// budgeted cost is at risk (`burn_alert_pct`, 0...1000; the comparison
    /// is strictly greater than).
    public var burnAlertPercent: Decimal

    /// The keys a rule file may hold.
    static let keys: Set<String> = ["burn_alert_pct"]
    static let defaultBurnAlert: Decimal = 90

    /// The defaults: a burn alert above 90% of the budgeted cost.
    public init() {
        burnAlertPercent = Self.defaultBurnAlert
    }

    /// Reads a rule file strictly; absent keys keep their defaults.
    ///
    /// - Parameter reader: The parsed rule file.
    /// - Throws: `RuleError` naming the file and the key for an unknown key,
    ///   a value that is not a number, or a value outside 0...1000.
    public init(reader: RuleReader) throws {
        try reader.allowOnly(Self.keys)
        burnAlertPercent = try reader.decimal(
            "burn_alert_pct", default: Self.defaultBurnAlert, range: 0...1000)
    }
}
