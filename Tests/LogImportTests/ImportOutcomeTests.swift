import EventModel
import EventStore
import Foundation
import Testing
@testable import LogImport

/// A few BPI-shaped CSV rows: two declarations of two events each.
private func declarationsCSV(secondAmount: String) -> String {
    let header = "case:concept:name,time:timestamp,(case)_Amount,(case)_BudgetNumber,"
        + "(case)_DeclarationNumber,(case)_id,concept:name,id,org:resource\n"
    func row(_ n: Int, _ time: String, _ amount: String, _ activity: String,
             _ id: String) -> String {
        "declaration\(n),\(time),\(amount),budget 7,declaration number \(n + 1),"
            + "declaration \(n),\(activity),\(id),STAFF MEMBER\n"
    }
    return header
        + row(1, "2017-01-09T09:49:50.000+01:00", "10.5", "Declaration SUBMITTED by EMPLOYEE",
              "st_step 1_0")
        + row(1, "2017-01-09T11:27:48.000+01:00", "10.5",
              "Declaration FINAL_APPROVED by SUPERVISOR", "st_step 2_0")
        + row(3, "2017-01-10T09:00:00.000+01:00", secondAmount,
              "Declaration SUBMITTED by EMPLOYEE", "st_step 3_0")
        + row(3, "2017-01-10T10:00:00.000+01:00", secondAmount, "Request Payment",
              "dd_declaration 3_19")
}

/// The shipped mapping without its rules for `activities`.
private func mappingWithout(_ activities: Set<String>) throws -> LogMapping {
    let text = try String(contentsOfFile: Fixture.mappingPath("bpi2020.json"), encoding: .utf8)
    guard case .object(var root) = try JSONParser.parse(text),
          case .array(let rules)? = root["activities"] else {
        throw MappingError(file: "bpi2020.json", key: "", reason: "unexpected shape")
    }
    root["activities"] = .array(rules.filter { rule in
        guard case .object(let object) = rule, case .string(let name)? = object["match"] else {
            return true
        }
        return !activities.contains(name)
    })
    let json = JSONWriter.string(.object(root))
    return try LogMapping(json: Array(json.utf8), file: "reduced.json")
}

@Suite("What an import stores, skips and stops at")
struct ImportOutcomeTests {
    @Test("an event the store refuses stops the import at its CSV line; batches before stay")
    func refusedEventStops() throws {
        let directory = TemporaryDirectory()
        let store = try openStore(directory)
        let path = try directory.write("declarations.csv", declarationsCSV(secondAmount: "-4.25"))

        let error = caught {
            try importLog(path, into: store, mapping: Fixture.mapping(), batchSize: 2)
        }

        // Lines 2 and 3 form the first batch; line 4 (ApprovalRequested with a
        // negative amount) is refused, and with it its batch (lines 4 and 5).
        guard case .invalidEvent(let errorPath, let location, let field, let reason,
                                 let appendError)? = error as? LogImportError else {
            Issue.record("expected an invalid-event error, got \(String(describing: error))")
            return
        }
        #expect(errorPath == path && location == .line(4))
        #expect(field == "data.amount" && reason == "must not be negative, got -4.25")
        #expect(appendError != nil)
        #expect("\(error!)" == "\(path): line 4: field data.amount: must not be negative, "
            + "got -4.25")
        #expect(try store.readAll().map(\.id) == ["bpi2020:st_step 1_0", "bpi2020:st_step 2_0"])
    }

    @Test("a value the mapping cannot convert stops the import before its batch is stored")
    func unconvertibleValueStops() throws {
        let directory = TemporaryDirectory()
        let store = try openStore(directory)
        // A quoted field, so the comma is part of the amount.
        let path = try directory.write("declarations.csv",
                                       declarationsCSV(secondAmount: "\"4,25\""))

        let error = caught {
            try importLog(path, into: store, mapping: Fixture.mapping(), batchSize: 2)
        }

        #expect(error as? LogImportError == .invalidEvent(
            path: path, location: .line(4), field: "data.amount",
            reason: "must be an exact decimal: not a decimal number", appendError: nil))
        #expect(try store.headPosition() == 2)
    }

    @Test("an XES event is named by its trace and its place in the trace")
    func xesLocation() throws {
        let directory = TemporaryDirectory()
        let store = try openStore(directory)
        let event = """
                <event>
                  <string key="concept:name" value="Request Payment"/>
                  <string key="id" value="ID"/>
                  <string key="(case)_id" value="declaration CASE"/>
                  <string key="(case)_Amount" value="1.0"/>
                  <string key="org:resource" value="SYSTEM"/>
                  <date key="time:timestamp" value="TIME"/>
                </event>
            """
        func trace(_ number: Int, times: [String]) -> String {
            "  <trace>\n" + times.enumerated().map { index, time in
                event.replacingOccurrences(of: "CASE", with: "\(number)")
                    .replacingOccurrences(of: "ID", with: "e\(number)-\(index)")
                    .replacingOccurrences(of: "TIME", with: time)
            }.joined(separator: "\n") + "\n  </trace>\n"
        }
        let text = "<log xes.version=\"1.0\">\n"
            + trace(1, times: ["2017-01-09T09:49:50.000+01:00"])
            + trace(2, times: ["2017-01-10T09:00:00.000+01:00", "2017-01-10 noon"])
            + "</log>\n"
        let path = try directory.write("declarations.xes", text)

        let error = caught { try importLog(path, into: store, mapping: Fixture.mapping()) }

        #expect(error as? LogImportError == .invalidEvent(
            path: path, location: .event(trace: 2, event: 2), field: "occurred_at",
            reason: "must be an RFC 3339 date-time: expected an RFC 3339 date-time such as "
                + "2026-03-02T09:15:00Z", appendError: nil))
        #expect(try store.headPosition() == 0)
    }

    @Test("unmapped activities are counted per name, not stored, and the import goes on")
    func unmappedActivities() throws {
        let directory = TemporaryDirectory()
        let store = try openStore(directory)
        let mapping = try mappingWithout(["Payment Handled", "Declaration SAVED by EMPLOYEE"])

        let summary = try importLog(Fixture.sampleXES, into: store, mapping: mapping,
                                    batchSize: 100)

        // The sample has 290 Payment Handled and 3 SAVED events (3 cases of one
        // SAVED event each, still counted as cases).
        #expect(summary.unmappedActivities == ["Payment Handled": 290,
                                               "Declaration SAVED by EMPLOYEE": 3])
        #expect(summary.unmapped == 293)
        #expect(summary.eventsRead == 1342)
        #expect(summary.cases == 300)
        #expect(summary.stored == 1342 - 293)
        #expect(summary.storedByType["PaymentHandled"] == nil)
        #expect(try store.headPosition() == 1049)
    }

    @Test("a file whose name is neither XES nor CSV is refused before reading")
    func unknownFormat() {
        let error = caught { try LogSource(path: "/tmp/log.json") }

        #expect(error as? LogImportError == .unsupportedFormat(path: "/tmp/log.json"))
        #expect(LogFormat(fileName: "BPI.XES.GZ") == .xes)
        #expect(LogFormat(fileName: "bpi.csv") == .csv)
    }
}
