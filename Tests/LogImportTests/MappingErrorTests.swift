import EventModel
import Foundation
import Testing
@testable import LogImport

/// A small valid mapping; tests break one part of it at a time.
private func validMapping(activities: String = """
    [{"match": "Start", "type": "Started", "data": {"amount": {"attribute": "amount"}}}]
    """, top: String = "") -> String {
    """
    {"source": "test", "case_id": {"attribute": "case:concept:name"},
     "stream": "case-{case_id}", "event_id": "test:{id}",
     "occurred_at": {"attribute": "time:timestamp", "transform": "timestamp"},
     \(top)"activities": \(activities)}
    """
}

@Suite("Mapping errors name the file, the key and the reason")
struct MappingErrorTests {
    @Test("a misspelt transform names the data field of its rule")
    func unknownTransform() {
        let activities = """
            [{"match": "A", "type": "T"}, {"match": "B", "type": "T"},
             {"match": "C", "type": "T"},
             {"match": "D", "type": "T",
              "data": {"amount": {"attribute": "(case)_Amount", "transform": "decmal"}}}]
            """
        let error = caught { try mapping(validMapping(activities: activities)) }

        #expect(error as? MappingError == MappingError(
            file: "test.json", key: "activities[3].data.amount",
            reason: #"unknown transform "decmal" (expected copy, slug, decimal or timestamp)"#))
        #expect("\(error!)" == #"test.json: activities[3].data.amount: unknown transform "#
            + #""decmal" (expected copy, slug, decimal or timestamp)"#)
    }

    @Test("a capture the rule's pattern does not have is refused with the known ones")
    func unknownCapture() {
        let activities = """
            [{"match": {"pattern": "APPROVED by {role}"}, "type": "Approved",
              "data": {"approver": {"capture": "rol"}}}]
            """
        let error = caught { try mapping(validMapping(activities: activities)) }

        #expect(error as? MappingError == MappingError(
            file: "test.json", key: "activities[0].data.approver",
            reason: #"unknown capture "rol" (known here: {case_id}, {role})"#))
    }

    @Test("a misspelt key is refused rather than ignored")
    func unknownKey() {
        let activities = #"[{"match": "A", "type": "T", "dta": {}}]"#
        let error = caught { try mapping(validMapping(activities: activities)) }

        #expect(error as? MappingError == MappingError(
            file: "test.json", key: "activities[0].dta",
            reason: "unknown key (expected match, type or data)"))
    }

    @Test("a missing required key is named")
    func missingKey() {
        let json = validMapping().replacingOccurrences(of: #""stream": "case-{case_id}","#,
                                                       with: "")
        let error = caught { try mapping(json) }

        #expect(error as? MappingError == MappingError(file: "test.json", key: "stream",
                                                       reason: "is required"))
    }

    @Test("malformed patterns are refused at the key that holds them")
    func malformedPatterns() {
        let unclosed = #"[{"match": {"pattern": "APPROVED by {role"}, "type": "T"}]"#
        let adjacent = #"[{"match": {"pattern": "{a}{b}"}, "type": "T"}]"#
        let twoKept = """
            [{"match": "A", "type": "T",
              "data": {"n": {"attribute": "x", "pattern": "{a} and {b}"}}}]
            """

        #expect(caught { try mapping(validMapping(activities: unclosed)) } as? MappingError
            == MappingError(file: "test.json", key: "activities[0].match.pattern",
                            reason: "a { is not closed"))
        #expect(caught { try mapping(validMapping(activities: adjacent)) } as? MappingError
            == MappingError(file: "test.json", key: "activities[0].match.pattern",
                            reason: "two placeholders need literal text between them"))
        #expect(caught { try mapping(validMapping(activities: twoKept)) } as? MappingError
            == MappingError(file: "test.json", key: "activities[0].data.n",
                            reason: "a value pattern needs exactly one {placeholder}, "
                                + "the part of the value to keep"))
    }

    @Test("a value rule needs exactly one source")
    func oneSource() {
        let none = #"[{"match": "A", "type": "T", "data": {"n": {"transform": "slug"}}}]"#
        let two = """
            [{"match": "A", "type": "T", "data": {"n": {"attribute": "x", "template": "y"}}}]
            """

        #expect(caught { try mapping(validMapping(activities: none)) } as? MappingError
            == MappingError(file: "test.json", key: "activities[0].data.n",
                            reason: "needs one of constant, attribute, capture or template"))
        #expect(caught { try mapping(validMapping(activities: two)) } as? MappingError
            == MappingError(file: "test.json", key: "activities[0].data.n",
                            reason: "takes only one of attribute or template"))
    }

    @Test("an empty event type and an empty rule list are refused")
    func emptyTypeAndRules() {
        let emptyType = #"[{"match": "A", "type": ""}]"#

        #expect(caught { try mapping(validMapping(activities: emptyType)) } as? MappingError
            == MappingError(file: "test.json", key: "activities[0].type",
                            reason: "must not be empty"))
        #expect(caught { try mapping(validMapping(activities: "[]")) } as? MappingError
            == MappingError(file: "test.json", key: "activities",
                            reason: "must be a non-empty array of rules"))
    }

    @Test("invalid JSON is reported with its line and column")
    func invalidJSON() {
        let json = "{\n  \"source\": \"test\",\n  \"stream\" \"x\"\n}"
        let error = caught { try mapping(json) } as? MappingError

        #expect(error?.file == "test.json")
        #expect(error?.key == "")
        #expect(error?.reason.hasPrefix("invalid JSON at line 3, column 12: ") == true)
    }

    @Test("a mapping file that does not exist is named")
    func missingFile() {
        let error = caught { try LogMapping.load(path: "/nonexistent/bpi2020.json") }
            as? MappingError

        #expect(error?.file == "/nonexistent/bpi2020.json")
        #expect(error?.reason == "cannot be read: No such file or directory")
    }

    @Test("both shipped mappings load")
    func shippedMappingsLoad() throws {
        let declarations = try Fixture.mapping("bpi2020.json")
        let requests = try Fixture.mapping("bpi2020-requests.json")

        #expect(declarations.source == "bpi2020")
        #expect(declarations.activities.count == 8)
        #expect(requests.activities.count == 8)
    }
}
