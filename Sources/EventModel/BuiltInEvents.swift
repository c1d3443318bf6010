import Foundation

// The catalogue of built-in engagement events and the checks on their data.
//
// Projections fold these events without defensive code, so the store refuses
// a built-in event whose data is incomplete or malformed at append time.
// Each type lists every field it has, in a fixed order: a missing field, a
// wrong JSON type, an impossible value or an extra field is refused with
// the field's dotted path (`data.hours`). Events of other types are the
// producer's business and pass unchecked.

/// The built-in engagement event types and their data rules.
public enum BuiltInEvents {
    /// The names of all built-in event types.
    public static let types: Set<String> = Set(catalogue.keys)

    /// Checks the data of a built-in event; other types pass unchecked.
    ///
    /// - Parameters:
    ///   - type: The event type.
    ///   - data: The event's data object.
    /// - Throws: `ValidationError` naming `data.<field>` for the first field
    ///   that is missing, of the wrong JSON type, out of range, not a valid
    ///   date, not an allowed value, or not part of the type.
    /// - Complexity: O(f²) in the number of fields (a handful).
    public static func validate(type: String, data: JSONObject) throws(ValidationError) {
        guard let fields = catalogue[type] else { return }

        for (name, rule) in fields {
            guard let value = data[name] else {
                throw ValidationError(field: "data.\(name)", reason: "is required")
            }
            if let reason = rule.violation(of: value) {
                throw ValidationError(field: "data.\(name)", reason: reason)
            }
        }

        for member in data.members {
            guard !fields.contains(where: { scalarsEqual($0.0, member.key) }) else { continue }
            throw ValidationError(field: "data.\(member.key)", reason: "unknown field for \(type)")
        }

        try checkCrossFieldRules(type: type, data: data)
    }

    /// Checks the well-known metadata keys; other keys are free.
    ///
    /// - Parameter metadata: The event's metadata object.
    /// - Throws: `ValidationError` naming `metadata.<key>` when `actor`,
    ///   `correlation_id` or `causation_id` is present but neither a string
    ///   nor `null`.
    public static func validateMetadata(_ metadata: JSONObject) throws(ValidationError) {
        for key in ["actor", "correlation_id", "causation_id"] {
            switch metadata[key] {
            case nil, .null?, .string?:
                continue
            case let value?:
                throw ValidationError(
                    field: "metadata.\(key)",
                    reason: "must be a string or null, got \(value.typeDescription)")
            }
        }
    }

    /// Rules that relate two fields of one event.
    private static func checkCrossFieldRules(
        type: String,
        data: JSONObject
    ) throws(ValidationError) {
        if type == "ConsultantAssigned",
            let start = data.date("start_date"), let end = data.date("end_date"), end < start
        {
            throw ValidationError(field: "data.end_date", reason: "must not be before start_date")
        }
    }

    // MARK: - Catalogue

    private static let hours24 = FieldRule.decimal(.positiveAtMost(24))
    private static let money = FieldRule.decimal(.nonNegative)
    private static let percent = FieldRule.decimal(.between(0, 100))
    private static let signed = FieldRule.decimal(.unbounded)
    private static let billingModels = FieldRule.oneOf([
        "fixed_fee", "time_and_materials", "milestone",
    ])
    private static let approvalKinds = FieldRule.oneOf([
        "discount", "change_request", "staffing", "budget_increase", "write_off",
        "invoice_release", "expense",
    ])

    /// Every built-in type with its fields, in the order they are checked.
    static let catalogue: [String: [(String, FieldRule)]] = [
        "EngagementOpened": [
            ("engagement_id", .identifier), ("client_id", .identifier),
            ("service_line", .text), ("billing_model", billingModels),
            ("currency", .currency), ("budget_hours", .decimal(.nonNegative)),
            ("budget_cost", money), ("contract_value", money),
            ("target_margin_pct", percent), ("delivery_manager", .identifier),
        ],
        "EngagementClosed": [("engagement_id", .identifier)],
        "ConsultantAssigned": [
            ("engagement_id", .identifier), ("consultant_id", .identifier),
            ("role", .text), ("bill_rate", money), ("cost_rate", money),
            ("allocation_pct", percent), ("start_date", .date), ("end_date", .date),
        ],
        "ConsultantCapacitySet": [
            ("consultant_id", .identifier), ("week_start", .monday),
            ("available_hours", .decimal(.between(0, 168))),
        ],
        "TimesheetSubmitted": [
            ("timesheet_id", .identifier), ("engagement_id", .identifier),
            ("consultant_id", .identifier), ("work_date", .date),
            ("hours", hours24), ("billable", .bool),
        ],
        "TimesheetApproved": [("timesheet_id", .identifier), ("approver", .identifier)],
        "TimesheetRejected": [
            ("timesheet_id", .identifier), ("approver", .identifier), ("reason", .text),
        ],
        "ExpensePosted": [
            ("expense_id", .identifier), ("engagement_id", .identifier),
            ("amount", money), ("billable", .bool),
        ],
        "MilestoneDefined": [
            ("milestone_id", .identifier), ("engagement_id", .identifier),
            ("name", .text), ("amount", money), ("due_date", .date),
        ],
        "MilestoneCompleted": [("milestone_id", .identifier), ("engagement_id", .identifier)],
        "ClientSignoffReceived": [
            ("milestone_id", .identifier), ("engagement_id", .identifier),
            ("signed_by", .identifier),
        ],
        "InvoiceIssued": [
            ("invoice_id", .identifier), ("engagement_id", .identifier),
            ("milestone_id", .nullable(.identifier)), ("amount", money),
        ],
        "ApprovalRequested": [
            ("approval_id", .identifier), ("engagement_id", .identifier),
            ("kind", approvalKinds), ("subject_id", .nullable(.identifier)),
            ("requested_by", .identifier), ("approver_role", .text),
            ("amount", .nullable(money)),
        ],
        "ApprovalStepCompleted": [
            ("approval_id", .identifier), ("approver", .identifier), ("role", .text),
        ],
        "ApprovalGranted": [("approval_id", .identifier), ("approver", .identifier)],
        "ApprovalRejected": [
            ("approval_id", .identifier), ("approver", .identifier), ("reason", .text),
        ],
        "ApprovalWithdrawn": [("approval_id", .identifier), ("by", .identifier)],
        "ChangeRequestSubmitted": [
            ("change_request_id", .identifier), ("engagement_id", .identifier),
            ("hours_delta", signed), ("value_delta", signed),
        ],
    ]
}
