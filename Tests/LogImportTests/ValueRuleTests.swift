import EventModel
import Testing
@testable import LogImport

@Suite("Value transforms")
struct ValueRuleTests {
    @Test("slug joins words with dashes and keeps letter case")
    func slug() {
        #expect(ValueRule.slug("budget 86566") == "budget-86566")
        #expect(ValueRule.slug("UNKNOWN") == "UNKNOWN")
        #expect(ValueRule.slug("  project  503 / B ") == "project-503-B")
        #expect(ValueRule.slug("Café 1") == "Caf-1")
    }

    @Test("decimal keeps the digits exactly as written, as a JSON string")
    func decimal() throws {
        #expect(try ValueRule.apply(.decimal, to: "26.85120450862128", field: "data.amount")
            == .string("26.85120450862128"))
        // 27 significant digits: a Double keeps about 17 of them.
        let long = "1234567890.12345678901234567"
        #expect(try ValueRule.apply(.decimal, to: long, field: "data.amount") == .string(long))
        #expect(try ValueRule.apply(.decimal, to: "0.0", field: "data.amount") == .string("0.0"))
        #expect(throws: FieldFailure(field: "data.amount",
                                     reason: "must be an exact decimal: not a decimal number")) {
            try ValueRule.apply(.decimal, to: "12,50", field: "data.amount")
        }
    }

    @Test("timestamp applies the offset and prints UTC")
    func timestamp() throws {
        // +01:00 in winter, +02:00 in summer (Dutch time in 2017).
        #expect(try ValueRule.apply(.timestamp, to: "2017-01-09T09:49:50.000+01:00",
                                    field: "occurred_at") == .string("2017-01-09T08:49:50Z"))
        #expect(try ValueRule.apply(.timestamp, to: "2017-04-21T17:07:43.250+02:00",
                                    field: "occurred_at") == .string("2017-04-21T15:07:43.250Z"))
        #expect(throws: FieldFailure(field: "occurred_at", reason: "must be an RFC 3339 "
            + "date-time: an offset or Z is required after the time (e.g. Z or +01:00)")) {
            try ValueRule.apply(.timestamp, to: "2012-12-16T19:33:10", field: "occurred_at")
        }
    }

    @Test("a value pattern keeps its capture, and otherwise stands in when it does not match")
    func patternAndOtherwise() throws {
        var rule = ValueRule(source: .attribute("(case)_DeclarationNumber"))
        rule.pattern = try TextPattern("declaration number {number}")
        rule.otherwise = .null
        func value(_ text: String?) throws -> JSONValue {
            let attributes = text.map { ["(case)_DeclarationNumber": $0] } ?? [:]
            return try rule.evaluate(in: ValueScope(attributes: attributes, variables: [:]),
                                     field: "data.subject_id")
        }

        #expect(try value("declaration number 86792") == .string("86792"))
        #expect(try value("UNKNOWN") == .null)
        #expect(try value(nil) == .null)
        rule.otherwise = nil
        #expect(throws: FieldFailure(
            field: "data.subject_id",
            reason: #"the value does not match the pattern "declaration number {number}""#)) {
            try value("UNKNOWN")
        }
        #expect(throws: FieldFailure(field: "data.subject_id",
                                     reason: "attribute (case)_DeclarationNumber is missing")) {
            try value(nil)
        }
    }

    @Test("a template takes captures before attributes")
    func templateLookup() throws {
        let rule = ValueRule(source: .template(try TextPattern("rejected by {role}")))
        let scope = ValueScope(attributes: ["role": "attribute", "org:role": "x"],
                               variables: ["role": "BUDGET OWNER"])

        #expect(try rule.evaluate(in: scope, field: "data.reason")
            == .string("rejected by BUDGET OWNER"))
    }
}
