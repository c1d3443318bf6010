import Testing

@testable import EventModel

@Suite("Calendar dates parse strictly and count days from 1970")
struct CalendarDateTests {
    @Test("days since the epoch", arguments: [
        ("1970-01-01", 0),
        ("1969-12-31", -1),
        ("2000-03-01", 11_017),
        ("2024-02-29", 19_782),
        ("2026-03-02", 20_514),
        ("0000-01-01", -719_528),
    ])
    func daysSinceEpoch(text: String, days: Int) throws {
        let date = try CalendarDate(iso: text)
        #expect(date.daysSinceEpoch == days)
        #expect(CalendarDate(daysSinceEpoch: days) == date)
        #expect(date.description == text)
    }

    @Test("every day of four centuries converts both ways")
    func roundTrip() {
        var mismatches: [Int] = []
        var previous = CalendarDate(daysSinceEpoch: -73_001)
        for days in -73_000...73_000 {
            let date = CalendarDate(daysSinceEpoch: days)
            if date.daysSinceEpoch != days || !(previous < date) { mismatches.append(days) }
            previous = date
        }
        #expect(mismatches.isEmpty)
    }

    @Test("leap years follow the Gregorian rule", arguments: [
        ("2024-02-29", true), ("2000-02-29", true), ("1900-02-29", false),
        ("2026-02-29", false), ("2100-02-29", false),
    ])
    func leapYears(text: String, valid: Bool) {
        #expect(((try? CalendarDate(iso: text)) != nil) == valid)
    }

    @Test("malformed or impossible dates are refused with a reason", arguments: [
        ("2026-2-01", "expected a date as YYYY-MM-DD"),
        ("2026/02/01", "expected a date as YYYY-MM-DD"),
        ("2026-02-01 ", "expected a date as YYYY-MM-DD"),
        ("20260201", "expected a date as YYYY-MM-DD"),
        ("2026-02-0a", "expected a date as YYYY-MM-DD"),
        ("+026-02-01", "expected a date as YYYY-MM-DD"),
        ("2026-13-01", "month 13 is not in 1...12"),
        ("2026-00-10", "month 0 is not in 1...12"),
        ("2026-04-31", "day 31 is not in 1...30 for that month"),
        ("2026-02-30", "day 30 is not in 1...28 for that month"),
        ("2026-01-00", "day 0 is not in 1...31 for that month"),
    ])
    func refused(text: String, reason: String) {
        #expect(throws: DateError(reason: reason)) {
            try CalendarDate(iso: text)
        }
    }

    @Test("dates order chronologically and print padded")
    func orderAndPrinting() throws {
        #expect(try CalendarDate(iso: "2026-01-31") < CalendarDate(iso: "2026-02-01"))
        #expect(try CalendarDate(iso: "2025-12-31") < CalendarDate(iso: "2026-01-01"))
        #expect(try CalendarDate(year: 5, month: 1, day: 2).description == "0005-01-02")
    }

    @Test("adding days crosses month and year ends")
    func addingDays() throws {
        let date = try CalendarDate(iso: "2024-02-28")
        #expect(date.adding(days: 1).description == "2024-02-29")
        #expect(date.adding(days: 2).description == "2024-03-01")
        #expect(date.adding(days: 308).description == "2025-01-01")
        #expect(date.adding(days: -59).description == "2023-12-31")
    }
}

@Suite("ISO weeks start on Monday and belong to the year of their Thursday")
struct ISOWeekTests {
    @Test("weekday, week start and week number at year edges", arguments: [
        // 2021-01-01 is a Friday; its week began on Monday 2020-12-28 and
        // its Thursday (2020-12-31) makes it week 53 of 2020.
        ("2021-01-01", 5, "2020-12-28", 2020, 53),
        // 2024-12-30 is a Monday; its Thursday is 2025-01-02.
        ("2024-12-30", 1, "2024-12-30", 2025, 1),
        // 2027-01-03 is a Sunday; its Thursday is 2026-12-31 (2026 has 53 weeks).
        ("2027-01-03", 7, "2026-12-28", 2026, 53),
        ("1970-01-01", 4, "1969-12-29", 1970, 1),
        ("2026-03-02", 1, "2026-03-02", 2026, 10),
        ("2026-03-08", 7, "2026-03-02", 2026, 10),
        ("1969-12-31", 3, "1969-12-29", 1970, 1),
    ])
    func isoWeek(text: String, weekday: Int, start: String, weekYear: Int, week: Int) throws {
        let date = try CalendarDate(iso: text)
        #expect(date.isoWeekday == weekday)
        #expect(date.isoWeekStart.description == start)
        #expect(date.isoWeek.year == weekYear)
        #expect(date.isoWeek.week == week)
    }
}
