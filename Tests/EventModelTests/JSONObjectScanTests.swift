import Foundation
import Testing

@testable import EventModel

@Suite("Scanning an object's members reads what the parser reads")
struct JSONObjectScanTests {
    private func scan(_ text: String) -> JSONObjectScan? {
        JSONObjectScan(Array(text.utf8))
    }

    @Test("members are found past strings, nesting and whitespace, and read strictly")
    func readsMembers() throws {
        let text = #" { "note" : "a \"quoted\" }, and a \\" , "nested":{"x":[1,{"}":"]"}],"y":"{"},"#
            + "\n\t" + #""hours":7.50,"billable":true,"gone":null,"work_date":"2026-03-02","list":[ 1 , 2 ] } "#
        let members = try #require(scan(text))
        #expect(members.count == 7)
        #expect(members["hours"]?.decimalValue == Decimal(string: "7.5"))
        #expect(members["billable"]?.boolValue == true)
        #expect(members["gone"] == .null)
        #expect(members["work_date"]?.dateValue == (try CalendarDate(iso: "2026-03-02")))
        #expect(members["note"]?.stringValue == #"a "quoted" }, and a \"#)
        #expect(members["list"] == .array([.number(JSONNumber(uncheckedLiteral: "1")),
                                           .number(JSONNumber(uncheckedLiteral: "2"))]))
        #expect(members["missing"] == nil)
        // The same values the parser gives for the whole object.
        guard case .object(let object) = try JSONParser.parse(text) else {
            Issue.record("not an object")
            return
        }
        for key in object.keys {
            #expect(members[key] == object[key], "\(key)")
        }
    }

    @Test("keys compare by their exact bytes")
    func exactKeys() throws {
        let members = try #require(scan(#"{"hour":1,"hours":2,"Hours":3,"é":4}"#))
        #expect(members["hours"]?.decimalValue == 2)
        #expect(members["hour"]?.decimalValue == 1)
        #expect(members["Hours"]?.decimalValue == 3)
        #expect(members["\u{E9}"]?.decimalValue == 4)
        #expect(members["e\u{301}"] == nil)
        #expect(members["hou"] == nil)
    }

    @Test("an empty object has no members")
    func empty() throws {
        #expect(try #require(scan(" {} ")).count == 0)
        #expect(try #require(scan("{\n}")).count == 0)
    }

    @Test("what the scan cannot follow gives nil, for the parser to judge",
          arguments: [
              "",                                  // nothing
              "[1,2]",                             // not an object
              #"{"a":1"#,                          // no closing brace
              #"{"a":1,}"#,                        // a comma and no member
              #"{"a" 1}"#,                         // no colon
              #"{"a":}"#,                          // no value
              #"{"a":"open}"#,                     // a string that never ends
              #"{"a":[1,2}"#,                      // a container that never ends
              #"{"a":1} x"#,                       // text after the object
              #"{"\u0061":1}"#,                    // an escaped key
              "{\"a\tb\":1}",                      // a control character in a key
          ])
    func unfollowable(_ text: String) {
        #expect(scan(text) == nil, "\(text.debugDescription)")
    }

    @Test("a value the scan passed over but the parser refuses reads as nil")
    func invalidValue() throws {
        let members = try #require(scan(#"{"a":01,"b":tru,"c":[1,,2],"d":"ok"}"#))
        #expect(members["a"] == nil)
        #expect(members["b"] == nil)
        #expect(members["c"] == nil)
        #expect(members["d"]?.stringValue == "ok")
    }
}
