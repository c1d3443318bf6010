import EventModel
import EventStore
import Foundation
import Testing
@testable import LogImport

// Expected values come from the sample's source rows, read with
// `zcat BPI2020_DomesticDeclarations_first300.csv.gz`: activity counts with
// `cut -d, -f11 | sort | uniq -c`, one case with `grep ^declaration91316,`.

@Suite("Importing the BPI 2020 sample with the shipped mapping")
struct SampleImportTests {
    /// Activity counts of the sample, by the type the mapping gives them:
    /// SUBMITTED 329; FINAL_APPROVED by SUPERVISOR 309; Request Payment 290;
    /// Payment Handled 290; APPROVED by PRE_APPROVER 62, by BUDGET OWNER 1,
    /// by ADMINISTRATION 1; REJECTED by MISSING 19, by PRE_APPROVER 10, by
    /// SUPERVISOR 9; REJECTED by EMPLOYEE 19; SAVED by EMPLOYEE 3.
    static let countsByType = [
        "ApprovalRequested": 329,
        "ApprovalGranted": 309,
        "PaymentRequested": 290,
        "PaymentHandled": 290,
        "ApprovalStepCompleted": 62 + 1 + 1,
        "ApprovalRejected": 19 + 10 + 9,
        "ApprovalWithdrawn": 19,
        "DraftSaved": 3,
    ]

    @Test("the XES sample stores 1,342 events of 300 cases, counted per type")
    func countsPerType() throws {
        let directory = TemporaryDirectory()
        let store = try openStore(directory)

        let summary = try importLog(Fixture.sampleXES, into: store, mapping: Fixture.mapping())

        #expect(summary.eventsRead == 1342)
        #expect(summary.cases == 300)
        #expect(summary.stored == 1342)
        #expect(summary.duplicates == 0)
        #expect(summary.storedByType == Self.countsByType)
        #expect(summary.unmappedActivities.isEmpty)
        #expect(try store.headPosition() == 1342)
    }

    @Test("declaration 91316 becomes eight events in order, times in UTC, amounts exact")
    func oneDeclaration() throws {
        let directory = TemporaryDirectory()
        let store = try openStore(directory)
        try importLog(Fixture.sampleXES, into: store, mapping: Fixture.mapping())

        let events = try store.read(stream: "declaration-91316")

        // Source: 2017-02-09T17:05:16.000+01:00, then seven times at +02:00.
        #expect(events.map(\.version) == Array(1...8))
        #expect(events.map(\.type) == [
            "ApprovalRequested", "ApprovalRejected", "ApprovalWithdrawn", "ApprovalRequested",
            "ApprovalStepCompleted", "ApprovalGranted", "PaymentRequested", "PaymentHandled",
        ])
        #expect(events.map(\.occurredAt.rfc3339) == [
            "2017-02-09T16:05:16Z", "2017-04-21T15:07:43Z", "2017-04-25T07:40:03Z",
            "2017-04-25T08:11:25Z", "2017-04-25T08:11:38Z", "2017-05-01T11:59:22Z",
            "2017-05-03T10:59:02Z", "2017-05-08T15:31:14Z",
        ])
        #expect(events.map(\.id) == [
            "bpi2020:st_step 91323_0", "bpi2020:st_step 91321_0", "bpi2020:st_step 91322_0",
            "bpi2020:st_step 91318_0", "bpi2020:st_step 91320_0", "bpi2020:st_step 91319_0",
            "bpi2020:dd_declaration 91316_19", "bpi2020:dd_declaration 91316_20",
        ])

        let approval = #""approval_id":"declaration-91316""#
        let requested = "{\(approval),\"engagement_id\":\"budget-86566\",\"kind\":\"expense\","
            + #""subject_id":"91317","requested_by":"EMPLOYEE","approver_role":"SUPERVISOR","#
            + #""amount":"469.8869651610107"}"#
        #expect(events.map(\.dataText) == [
            requested,
            #"{\#(approval),"approver":"PRE_APPROVER","reason":"rejected by PRE_APPROVER"}"#,
            #"{\#(approval),"by":"EMPLOYEE"}"#,
            requested,
            #"{\#(approval),"approver":"PRE_APPROVER","role":"PRE_APPROVER"}"#,
            #"{\#(approval),"approver":"SUPERVISOR"}"#,
            #"{\#(approval),"amount":"469.8869651610107"}"#,
            #"{\#(approval),"amount":"469.8869651610107"}"#,
        ])
        #expect(String(decoding: events[0].metadata, as: UTF8.self)
            == #"{"source":"bpi2020","source_event_id":"st_step 91323_0","#
            + #""resource":"STAFF MEMBER"}"#)
        #expect(String(decoding: events[7].metadata, as: UTF8.self)
            == #"{"source":"bpi2020","source_event_id":"dd_declaration 91316_20","#
            + #""resource":"SYSTEM"}"#)
    }

    @Test("an UNKNOWN declaration number gives a null subject; the amount stays 0.0")
    func unknownDeclarationNumber() throws {
        let directory = TemporaryDirectory()
        let store = try openStore(directory)
        try importLog(Fixture.sampleXES, into: store, mapping: Fixture.mapping())

        // Source row: declaration88072,…,2017-01-31T22:26:54.000+01:00,0.0,
        // budget 86566,UNKNOWN,declaration 88072,Declaration SUBMITTED by EMPLOYEE,…
        let first = try #require(try store.read(stream: "declaration-88072").first)

        #expect(first.type == "ApprovalRequested")
        #expect(first.occurredAt.rfc3339 == "2017-01-31T21:26:54Z")
        #expect(first.dataText == #"{"approval_id":"declaration-88072","#
            + #""engagement_id":"budget-86566","kind":"expense","subject_id":null,"#
            + #""requested_by":"EMPLOYEE","approver_role":"SUPERVISOR","amount":"0.0"}"#)
    }

    @Test("the XES and the CSV sample give the same events")
    func xesAndCSVAgree() throws {
        let fromXES = TemporaryDirectory()
        let fromCSV = TemporaryDirectory()
        let xesStore = try openStore(fromXES)
        let csvStore = try openStore(fromCSV)
        let xesSummary = try importLog(Fixture.sampleXES, into: xesStore,
                                       mapping: Fixture.mapping())
        let csvSummary = try importLog(Fixture.sampleCSV, into: csvStore,
                                       mapping: Fixture.mapping(), batchSize: 97)

        let xesEvents = try xesStore.readAll()
        let csvEvents = try csvStore.readAll()

        #expect(csvSummary == xesSummary)
        #expect(xesEvents.count == 1342 && csvEvents.count == 1342)
        for (xes, csv) in zip(xesEvents, csvEvents) {
            #expect(xes.position == csv.position && xes.stream == csv.stream)
            #expect(xes.version == csv.version && xes.id == csv.id && xes.type == csv.type)
            #expect(xes.occurredAt == csv.occurredAt)
            #expect(xes.data == csv.data && xes.metadata == csv.metadata)
        }

        // The store agrees: every CSV event is a duplicate of an XES one.
        let crossed = try importLog(Fixture.sampleCSV, into: xesStore, mapping: Fixture.mapping())
        #expect(crossed.stored == 0 && crossed.duplicates == 1342)
    }

    @Test("importing the sample a second time stores nothing and says so")
    func secondImportStoresNothing() throws {
        let directory = TemporaryDirectory()
        let store = try openStore(directory)
        try importLog(Fixture.sampleXES, into: store, mapping: Fixture.mapping())

        let again = try importLog(Fixture.sampleXES, into: store, mapping: Fixture.mapping(),
                                  batchSize: 250)

        #expect(again.stored == 0)
        #expect(again.duplicates == 1342)
        #expect(again.storedByType.isEmpty)
        #expect(again.duplicatesByType == Self.countsByType)
        #expect(try store.headPosition() == 1342)
    }
}
