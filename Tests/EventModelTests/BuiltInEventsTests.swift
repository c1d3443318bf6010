import Foundation
import Testing

@testable import EventModel

/// One valid data object for every built-in type.
private let validExamples: [(type: String, data: String)] = [
    (
        "EngagementOpened",
        #"{"engagement_id":"E042","client_id":"C1","service_line":"audit","#
            + #""billing_model":"time_and_materials","currency":"EUR","budget_hours":"1200","#
            + #""budget_cost":150000.00,"contract_value":"210000.00","target_margin_pct":28.5,"#
            + #""delivery_manager":"U9"}"#
    ),
    ("EngagementClosed", #"{"engagement_id":"E042"}"#),
    (
        "ConsultantAssigned",
        #"{"engagement_id":"E042","consultant_id":"C7","role":"senior","bill_rate":"180.00","#
            + #""cost_rate":95,"allocation_pct":50,"start_date":"2026-03-02","#
            + #""end_date":"2026-06-30"}"#
    ),
    (
        "ConsultantCapacitySet",
        #"{"consultant_id":"C7","week_start":"2026-03-02","available_hours":37.5}"#
    ),
    (
        "TimesheetSubmitted",
        #"{"timesheet_id":"T1","engagement_id":"E042","consultant_id":"C7","#
            + #""work_date":"2026-03-02","hours":7.5,"billable":true}"#
    ),
    ("TimesheetApproved", #"{"timesheet_id":"T1","approver":"U9"}"#),
    ("TimesheetRejected", #"{"timesheet_id":"T1","approver":"U9","reason":"wrong code"}"#),
    (
        "ExpensePosted",
        #"{"expense_id":"X1","engagement_id":"E042","amount":"26.85120450862128","#
            + #""billable":false}"#
    ),
    (
        "MilestoneDefined",
        #"{"milestone_id":"M1","engagement_id":"E042","name":"Design","amount":50000,"#
            + #""due_date":"2026-04-30"}"#
    ),
    ("MilestoneCompleted", #"{"milestone_id":"M1","engagement_id":"E042"}"#),
    ("ClientSignoffReceived", #"{"milestone_id":"M1","engagement_id":"E042","signed_by":"K2"}"#),
    (
        "InvoiceIssued",
        #"{"invoice_id":"I1","engagement_id":"E042","milestone_id":null,"amount":0}"#
    ),
    (
        "ApprovalRequested",
        #"{"approval_id":"A1","engagement_id":"E042","kind":"write_off","subject_id":null,"#
            + #""requested_by":"U3","approver_role":"partner","amount":null}"#
    ),
    ("ApprovalStepCompleted", #"{"approval_id":"A1","approver":"U9","role":"manager"}"#),
    ("ApprovalGranted", #"{"approval_id":"A1","approver":"U9"}"#),
    ("ApprovalRejected", #"{"approval_id":"A1","approver":"U9","reason":"too high"}"#),
    ("ApprovalWithdrawn", #"{"approval_id":"A1","by":"U3"}"#),
    (
        "ChangeRequestSubmitted",
        #"{"change_request_id":"R1","engagement_id":"E042","hours_delta":-40,"#
            + #""value_delta":"-5200.50"}"#
    ),
]

/// The valid TimesheetSubmitted data with one member replaced (or removed
/// when `json` is nil) or added.
private func timesheet(_ key: String, _ json: String?) throws -> JSONObject {
    var data = try object(validExamples[4].data)
    data[key] = try json.map { try JSONParser.parse($0) }
    return data
}

@Suite("Built-in events accept well-formed data")
struct BuiltInEventsAcceptanceTests {
    @Test("the catalogue has the 18 engagement event types")
    func catalogue() {
        #expect(BuiltInEvents.types.count == 18)
        #expect(Set(validExamples.map(\.type)) == BuiltInEvents.types)
    }

    @Test("a valid example of each type passes", arguments: validExamples)
    func validExample(type: String, data: String) throws {
        try BuiltInEvents.validate(type: type, data: try object(data))
    }

    @Test(
        "hours may be a decimal string and up to 24",
        arguments: [#""7.5""#, "24", "0.25", "24.0"])
    func validHours(json: String) throws {
        try BuiltInEvents.validate(type: "TimesheetSubmitted", data: try timesheet("hours", json))
    }

    @Test("a type outside the catalogue passes anything")
    func otherTypes() throws {
        let data = try object(#"{"hours":-1,"anything":[{"goes":true}]}"#)
        try BuiltInEvents.validate(type: "SomethingElseHappened", data: data)
        try BuiltInEvents.validate(type: "timesheetsubmitted", data: data)
    }
}

@Suite("Built-in events refuse malformed data, naming the field")
struct BuiltInEventsRejectionTests {
    @Test("hours must be more than 0 and at most 24", arguments: [
        ("0", "0"), ("-1", "-1"), ("25", "25"), ("24.0000001", "24.0000001"), (#""-0.5""#, "-0.5"),
    ])
    func badHours(json: String, shown: String) throws {
        let reason = "must be greater than 0 and at most 24, got \(shown)"
        #expect(throws: ValidationError(field: "data.hours", reason: reason)) {
            let data = try timesheet("hours", json)
            try BuiltInEvents.validate(type: "TimesheetSubmitted", data: data)
        }
    }

    @Test("a decimal field has at most 32 digits after the point and is below 10^18",
          arguments: [
        ("hours", "1e-33", "must have at most 32 digits after the decimal point"),
        ("hours", #""0.000000000000000000000000000000001""#,
         "must have at most 32 digits after the decimal point"),
        ("amount", "1e18", "must be less than 10^18 in magnitude"),
        ("amount", #""1000000000000000000.5""#, "must be less than 10^18 in magnitude"),
        ("amount", "-1e19", "must be less than 10^18 in magnitude"),
    ])
    func decimalScale(key: String, json: String, reason: String) throws {
        #expect(throws: ValidationError(field: "data.\(key)", reason: reason)) {
            if key == "hours" {
                try BuiltInEvents.validate(type: "TimesheetSubmitted",
                                           data: try timesheet(key, json))
            } else {
                var data = try object(validExamples[7].data)
                data[key] = try JSONParser.parse(json)
                try BuiltInEvents.validate(type: "ExpensePosted", data: data)
            }
        }
    }

    @Test("decimals at the edges of the scale are accepted", arguments: [
        ("hours", "1e-32"), ("hours", #""0.00000000000000000000000000000001""#),
        ("amount", #""999999999999999999.99""#), ("amount", "26.851204508621283"),
    ])
    func decimalScaleEdges(key: String, json: String) throws {
        if key == "hours" {
            try BuiltInEvents.validate(type: "TimesheetSubmitted", data: try timesheet(key, json))
        } else {
            var data = try object(validExamples[7].data)
            data[key] = try JSONParser.parse(json)
            try BuiltInEvents.validate(type: "ExpensePosted", data: data)
        }
    }

    @Test("each malformed TimesheetSubmitted field is named with its reason", arguments: [
        ("hours", "true", "must be a number or a decimal string, got a boolean"),
        ("hours", #""abc""#, "must be an exact decimal: not a decimal number"),
        ("hours", nil, "is required"),
        ("billable", #""yes""#, "must be true or false, got a string"),
        (
            "work_date", #""2026-02-30""#,
            "must be a valid date: day 30 is not in 1...28 for that month"
        ),
        ("work_date", "20260302", "must be a date string YYYY-MM-DD, got a number"),
        ("work_date", #""2026-3-2""#, "must be a valid date: expected a date as YYYY-MM-DD"),
        ("timesheet_id", #""""#, "must not be empty"),
        ("timesheet_id", "null", "must be a non-empty string, got null"),
        ("note", #""extra""#, "unknown field for TimesheetSubmitted"),
    ])
    func badTimesheet(key: String, json: String?, reason: String) throws {
        #expect(throws: ValidationError(field: "data.\(key)", reason: reason)) {
            try BuiltInEvents.validate(type: "TimesheetSubmitted", data: try timesheet(key, json))
        }
    }

    @Test("a capacity week must start on a Monday")
    func weekStartMonday() throws {
        // 2026-03-03 is a Tuesday.
        let data = try object(
            #"{"consultant_id":"C7","week_start":"2026-03-03","available_hours":40}"#)
        #expect(throws: ValidationError(field: "data.week_start", reason: "must be a Monday")) {
            try BuiltInEvents.validate(type: "ConsultantCapacitySet", data: data)
        }
    }

    @Test("available hours stay within a week")
    func availableHours() throws {
        let data = try object(
            #"{"consultant_id":"C7","week_start":"2026-03-02","available_hours":169}"#)
        let reason = "must be between 0 and 168, got 169"
        #expect(throws: ValidationError(field: "data.available_hours", reason: reason)) {
            try BuiltInEvents.validate(type: "ConsultantCapacitySet", data: data)
        }
    }

    @Test("engagement terms are checked", arguments: [
        ("currency", #""eur""#, "must be a currency code of 3 upper-case letters"),
        ("currency", #""EURO""#, "must be a currency code of 3 upper-case letters"),
        ("billing_model", #""hourly""#, "must be one of fixed_fee, time_and_materials, milestone"),
        ("budget_cost", "-1", "must not be negative, got -1"),
        ("contract_value", #""-0.01""#, "must not be negative, got -0.01"),
        ("target_margin_pct", "101", "must be between 0 and 100, got 101"),
        (
            "budget_cost", "1234567890123456789012345678901234567.89",
            "must be an exact decimal: more than 38 significant digits"
        ),
    ])
    func badEngagement(key: String, json: String, reason: String) throws {
        var data = try object(validExamples[0].data)
        data[key] = try JSONParser.parse(json)
        #expect(throws: ValidationError(field: "data.\(key)", reason: reason)) {
            try BuiltInEvents.validate(type: "EngagementOpened", data: data)
        }
    }

    @Test("a field that may be null must still be present")
    func nullableStillRequired() throws {
        var data = try object(validExamples[11].data)
        data["milestone_id"] = nil
        #expect(throws: ValidationError(field: "data.milestone_id", reason: "is required")) {
            try BuiltInEvents.validate(type: "InvoiceIssued", data: data)
        }
        data["milestone_id"] = .string("M1")
        try BuiltInEvents.validate(type: "InvoiceIssued", data: data)
    }

    @Test("an approval kind must be one of the known kinds")
    func approvalKind() throws {
        var data = try object(validExamples[12].data)
        data["kind"] = "refund"
        let reason = "must be one of discount, change_request, staffing, budget_increase, "
            + "write_off, invoice_release, expense"
        #expect(throws: ValidationError(field: "data.kind", reason: reason)) {
            try BuiltInEvents.validate(type: "ApprovalRequested", data: data)
        }
    }

    @Test("an assignment may not end before it starts")
    func assignmentDates() throws {
        var data = try object(validExamples[2].data)
        data["end_date"] = "2026-03-01"
        let expected = ValidationError(
            field: "data.end_date", reason: "must not be before start_date")
        #expect(throws: expected) {
            try BuiltInEvents.validate(type: "ConsultantAssigned", data: data)
        }
    }
}

@Suite("Well-known metadata keys are strings or null")
struct MetadataValidationTests {
    @Test("strings, null and other keys pass")
    func accepted() throws {
        let metadata = try object(
            #"{"actor":"user-17","correlation_id":null,"causation_id":"c","ip":[1,2]}"#)
        try BuiltInEvents.validateMetadata(metadata)
    }

    @Test("a known key of another type is refused", arguments: [
        ("actor", "5", "a number"), ("correlation_id", "{}", "an object"),
        ("causation_id", "false", "a boolean"),
    ])
    func refused(key: String, json: String, type: String) throws {
        let metadata = try object(#"{"\#(key)":\#(json)}"#)
        let expected = ValidationError(
            field: "metadata.\(key)", reason: "must be a string or null, got \(type)")
        #expect(throws: expected) {
            try BuiltInEvents.validateMetadata(metadata)
        }
    }
}

@Suite("Typed accessors read projection fields")
struct JSONObjectAccessorTests {
    @Test("each accessor reads its type and answers nil otherwise")
    func accessors() throws {
        let data = try object(
            #"{"s":"x","n":7.50,"d":"12.5","b":true,"day":"2026-03-02","#
                + #""at":"2026-03-02T09:15:00Z","o":{"k":1},"a":[1],"z":null}"#)
        #expect(data.string("s") == "x")
        #expect(data.string("n") == nil)
        #expect(data.decimal("n") == Decimal(sign: .plus, exponent: -1, significand: 75))
        #expect(data.decimal("d") == Decimal(sign: .plus, exponent: -1, significand: 125))
        #expect(data.decimal("s") == nil)
        #expect(data.decimal("missing") == nil)
        #expect(data.bool("b") == true)
        #expect(data.bool("s") == nil)
        #expect(data.date("day") == (try CalendarDate(iso: "2026-03-02")))
        #expect(data.date("s") == nil)
        #expect(data.timestamp("at")?.microseconds == 1_772_442_900_000_000)
        #expect(data.number("n")?.literal == "7.50")
        #expect(data.object("o")?["k"] == 1)
        #expect(data.array("a") == [1])
        #expect(data.isNull("z"))
        #expect(!data.isNull("missing"))
        #expect(data.contains(key: "z"))
    }

    @Test("setting a member replaces it in place, nil removes it")
    func subscriptSetter() {
        var data: JSONObject = ["a": 1, "b": 2]
        data["a"] = 3
        data["c"] = 4
        data["b"] = nil
        #expect(data.keys == ["a", "c"])
        #expect(data["a"] == 3)
    }
}
