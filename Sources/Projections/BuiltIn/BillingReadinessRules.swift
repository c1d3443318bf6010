/// The rules of ``BillingReadinessProjection``, read from
/// `projections/billing-readiness.json`.
public struct BillingReadinessRules: Sendable, Equatable {
    /// Whether a completed milestone waits for the client's sign-off before
    /// it can be invoiced (the `awaiting_signoff` blocker). Default `true`.
    public let requireClientSignoff: Bool

    /// The default rules: sign-off required.
    public init() {
        requireClientSignoff = true
    }

    /// Reads a rule file; an absent key keeps its default.
    ///
    /// - Throws: `RuleError` for an unknown key, or a
    ///   `require_client_signoff` that is not `true` or `false`.
    public init(reader: RuleReader) throws {
        try reader.allowOnly(["require_client_signoff"])
        requireClientSignoff = try reader.bool("require_client_signoff", default: true)
    }
}
