import Testing
@testable import LogImport

@Suite("Activity patterns and templates")
struct TextPatternTests {
    @Test("a trailing placeholder captures the rest of the name, spaces included")
    func trailingPlaceholder() throws {
        let pattern = try TextPattern("Declaration APPROVED by {role}")

        #expect(pattern.match("Declaration APPROVED by BUDGET OWNER") == ["role": "BUDGET OWNER"])
        #expect(pattern.match("Declaration APPROVED by PRE_APPROVER") == ["role": "PRE_APPROVER"])
        #expect(pattern.match("Declaration FINAL_APPROVED by SUPERVISOR") == nil)
        #expect(pattern.match("Declaration APPROVED by ") == nil)
    }

    @Test("placeholders between literals capture the shortest text that lets the rest match")
    func innerPlaceholders() throws {
        let pattern = try TextPattern("{object} REJECTED by {role}")

        #expect(pattern.match("Request For Payment REJECTED by MISSING")
            == ["object": "Request For Payment", "role": "MISSING"])
        #expect(pattern.match("Declaration REJECTED by EMPLOYEE")
            == ["object": "Declaration", "role": "EMPLOYEE"])
        #expect(pattern.match("REJECTED by EMPLOYEE") == nil)
    }

    @Test("a placeholder backtracks past an earlier occurrence of the next literal")
    func backtracking() throws {
        let pattern = try TextPattern("{a} by {b} end")

        #expect(pattern.match("x by y by z end") == ["a": "x", "b": "y by z"])
    }

    @Test("a pattern without placeholders matches only its exact text")
    func exactText() throws {
        let pattern = try TextPattern("Request Payment")

        #expect(pattern.match("Request Payment") == [:])
        #expect(pattern.match("Request Payment ") == nil)
        #expect(pattern.match("request payment") == nil)
    }

    @Test("doubled braces are literal braces")
    func escapedBraces() throws {
        let pattern = try TextPattern("{{x}} is {value}")

        #expect(pattern.match("{x} is 5") == ["value": "5"])
        #expect(try pattern.render { $0 == "value" ? "7" : nil } == "{x} is 7")
    }

    @Test("captures split only between characters, never inside one")
    func unicode() throws {
        let pattern = try TextPattern("{name}é{rest}")

        #expect(pattern.match("Renéé") == ["name": "Ren", "rest": "é"])
    }

    @Test("a template fills in each placeholder and names the first it cannot fill")
    func rendering() throws {
        let template = try TextPattern("bpi2020:{id}/{case_number}")
        let values = ["id": "st_step 86794_0", "case_number": "86791"]

        #expect(try template.render { values[$0] } == "bpi2020:st_step 86794_0/86791")
        #expect(throws: MissingPlaceholder(name: "case_number")) {
            try template.render { $0 == "id" ? "1" : nil }
        }
    }

    @Test("malformed texts are refused with a reason")
    func malformed() {
        #expect(throws: PatternSyntaxError(reason: "a { is not closed")) {
            try TextPattern("APPROVED by {role")
        }
        #expect(throws: PatternSyntaxError(reason: "a lone } (write }} for a literal brace)")) {
            try TextPattern("APPROVED by role}")
        }
        #expect(throws: PatternSyntaxError(reason: "a placeholder needs a name, as in {role}")) {
            try TextPattern("APPROVED by {}")
        }
        #expect(throws: PatternSyntaxError(
            reason: "two placeholders need literal text between them")) {
            try TextPattern("{a}{b}").checkMatchable()
        }
        #expect(throws: PatternSyntaxError(reason: "placeholder {a} appears twice")) {
            try TextPattern("{a} and {a}").checkMatchable()
        }
    }
}
