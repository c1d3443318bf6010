import Foundation
import Testing

@testable import EventModel

@Suite("RFC 3339 timestamps parse to UTC microseconds")
struct TimestampParsingTests {
    @Test("an offset is applied: 09:49:50+01:00 is 08:49:50Z")
    func offsetApplied() throws {
        let stamp = try Timestamp(rfc3339: "2017-01-09T09:49:50.000+01:00")
        // 2017-01-09 is day 17175; 17175 × 86400 + 8h 49m 50s = 1483951790 s.
        #expect(stamp.microseconds == 1_483_951_790_000_000)
        #expect(stamp.rfc3339 == "2017-01-09T08:49:50Z")
    }

    @Test("separators and zone letters may be lower case or a space", arguments: [
        "2026-03-02T09:15:00Z", "2026-03-02t09:15:00z", "2026-03-02 09:15:00Z",
        "2026-03-02T09:15:00+00:00", "2026-03-02T09:15:00-00:00", "2026-03-02T10:45:00+01:30",
    ])
    func equivalentSpellings(text: String) throws {
        // 2026-03-02 is day 20514; 20514 × 86400 + 9h 15m = 1772442900 s.
        #expect(try Timestamp(rfc3339: text).microseconds == 1_772_442_900_000_000)
    }

    @Test("a negative offset can move the instant into the next day")
    func nextDay() throws {
        let stamp = try Timestamp(rfc3339: "2026-03-01T23:30:00-05:00")
        #expect(stamp.rfc3339 == "2026-03-02T04:30:00Z")
        #expect(stamp.utcDate == (try CalendarDate(iso: "2026-03-02")))
    }

    @Test("a positive offset can move the instant into the previous year")
    func previousYear() throws {
        let stamp = try Timestamp(rfc3339: "2026-01-01T00:30:00+01:00")
        #expect(stamp.rfc3339 == "2025-12-31T23:30:00Z")
        #expect(stamp.utcDate == (try CalendarDate(iso: "2025-12-31")))
    }

    @Test("fractions keep microseconds and drop the rest toward the past", arguments: [
        ("2026-03-02T09:15:00.5Z", 500_000),
        ("2026-03-02T09:15:00.123Z", 123_000),
        ("2026-03-02T09:15:00.000001Z", 1),
        ("2026-03-02T09:15:00.123456Z", 123_456),
        ("2026-03-02T09:15:00.1234567Z", 123_456),
        ("2026-03-02T09:15:00.999999999Z", 999_999),
    ])
    func fractions(text: String, micros: Int64) throws {
        #expect(try Timestamp(rfc3339: text).microseconds == 1_772_442_900_000_000 + micros)
    }

    @Test("a leap day exists only in leap years")
    func leapDay() throws {
        // 2024-02-29 is day 19782: 19782 × 86400 + 12h = 1709208000 s.
        let stamp = try Timestamp(rfc3339: "2024-02-29T12:00:00Z")
        #expect(stamp.microseconds == 1_709_208_000_000_000)
        #expect(throws: TimestampError(reason: "day 29 is not in 1...28 for that month")) {
            try Timestamp(rfc3339: "2026-02-29T12:00:00Z")
        }
    }

    @Test("impossible fields and shapes are refused with a reason", arguments: [
        ("2026-02-30T00:00:00Z", "day 30 is not in 1...28 for that month"),
        ("2026-04-31T00:00:00Z", "day 31 is not in 1...30 for that month"),
        ("2026-13-01T00:00:00Z", "month 13 is not in 1...12"),
        ("2026-00-01T00:00:00Z", "month 0 is not in 1...12"),
        ("2026-03-02T24:00:00Z", "hour 24 is not in 0...23"),
        ("2026-03-02T09:60:00Z", "minute 60 is not in 0...59"),
        ("2026-03-02T09:15:60Z", "leap second not supported"),
        ("2026-03-02T09:15:61Z", "second 61 is not in 0...59"),
        ("2026-03-02T09:15:00", "an offset or Z is required after the time (e.g. Z or +01:00)"),
        ("2026-03-02T09:15:00.5", "an offset or Z is required after the time (e.g. Z or +01:00)"),
        ("2026-03-02T09:15:00+24:00", "offset must be within ±23:59"),
        ("2026-03-02T09:15:00+01:60", "offset must be within ±23:59"),
        ("2026-03-02T09:15:00+0100", "expected the offset as ±HH:MM"),
        ("2026-03-02T09:15:00Zjunk", "unexpected text after the offset"),
        ("2026-03-02T09:15:00.Z", "the fraction of a second must have 1 to 9 digits"),
        ("2026-03-02T09:15:00.1234567890Z", "the fraction of a second must have 1 to 9 digits"),
        ("2026-03-02X09:15:00Z", "expected 'T' between the date and the time"),
        ("2026-3-2T09:15:00Z", "expected an RFC 3339 date-time such as 2026-03-02T09:15:00Z"),
        ("2026-03-02", "expected an RFC 3339 date-time such as 2026-03-02T09:15:00Z"),
        ("", "expected an RFC 3339 date-time such as 2026-03-02T09:15:00Z"),
    ])
    func refused(text: String, reason: String) {
        #expect(throws: TimestampError(reason: reason)) {
            try Timestamp(rfc3339: text)
        }
    }
}

@Suite("Timestamps print as UTC RFC 3339")
struct TimestampFormattingTests {
    @Test("fraction digits: none, 3 for whole milliseconds, else 6", arguments: [
        (0, "2026-03-02T09:15:00Z"),
        (123_000, "2026-03-02T09:15:00.123Z"),
        (120_000, "2026-03-02T09:15:00.120Z"),
        (500_000, "2026-03-02T09:15:00.500Z"),
        (123_456, "2026-03-02T09:15:00.123456Z"),
        (1, "2026-03-02T09:15:00.000001Z"),
    ])
    func fractionDigits(micros: Int64, expected: String) {
        let stamp = Timestamp(microseconds: 1_772_442_900_000_000 + micros)
        #expect(stamp.rfc3339 == expected)
        #expect(stamp.description == expected)
        #expect(stamp.secondsString == "2026-03-02T09:15:00Z")
    }

    @Test("one microsecond before the epoch is the last microsecond of 1969")
    func beforeEpoch() throws {
        let stamp = try Timestamp(rfc3339: "1969-12-31T23:59:59.9999999Z")
        #expect(stamp.microseconds == -1)
        #expect(stamp.rfc3339 == "1969-12-31T23:59:59.999999Z")
        #expect(stamp.secondsString == "1969-12-31T23:59:59Z")
        #expect(stamp.utcDate == (try CalendarDate(iso: "1969-12-31")))
    }

    @Test("the epoch itself")
    func epoch() {
        #expect(Timestamp(microseconds: 0).rfc3339 == "1970-01-01T00:00:00Z")
        #expect(Timestamp(microseconds: 0).utcDate == (try? CalendarDate(iso: "1970-01-01")))
    }

    @Test("the last microsecond of a day belongs to that day")
    func dayBoundary() throws {
        let stamp = try Timestamp(rfc3339: "2026-03-02T23:59:59.999999Z")
        #expect(stamp.utcDate == (try CalendarDate(iso: "2026-03-02")))
        let next = Timestamp(microseconds: stamp.microseconds + 1)
        #expect(next.rfc3339 == "2026-03-03T00:00:00Z")
        #expect(stamp < next)
    }

    @Test("parsing what was printed gives the same instant")
    func printParseRoundTrip() throws {
        for micros: Int64 in [0, 1, -1, 999, 1_483_951_790_123_456, -86_400_000_000] {
            let stamp = Timestamp(microseconds: micros)
            #expect(try Timestamp(rfc3339: stamp.rfc3339) == stamp)
        }
    }

    @Test("a Date converts both ways to the microsecond")
    func dateRoundTrip() {
        let stamp = Timestamp(microseconds: 1_483_951_790_123_456)
        #expect(Timestamp(date: stamp.date) == stamp)
        #expect(stamp.date.timeIntervalSince1970 == 1_483_951_790.123456)
    }

    @Test("now is after 2026-01-01")
    func now() throws {
        #expect(Timestamp.now() > (try Timestamp(rfc3339: "2026-01-01T00:00:00Z")))
    }
}

@Suite("Cutoffs accept a bare date as the end of that day")
struct TimestampCutoffTests {
    @Test("a bare date is its last microsecond in UTC")
    func bareDate() throws {
        let cutoff = try Timestamp(cutoff: "2026-03-31")
        // 2026-04-01 is day 20544; one microsecond before its midnight.
        #expect(cutoff.microseconds == 1_775_001_599_999_999)
        #expect(cutoff.rfc3339 == "2026-03-31T23:59:59.999999Z")
    }

    @Test("a date-time is read as RFC 3339")
    func dateTime() throws {
        let cutoff = try Timestamp(cutoff: "2026-03-31T12:00:00+02:00")
        #expect(cutoff.rfc3339 == "2026-03-31T10:00:00Z")
    }

    @Test("an impossible bare date is refused")
    func impossibleDate() {
        #expect(throws: TimestampError(reason: "day 30 is not in 1...28 for that month")) {
            try Timestamp(cutoff: "2026-02-30")
        }
        #expect(throws: TimestampError(reason: "expected a date as YYYY-MM-DD")) {
            try Timestamp(cutoff: "2026/03/31")
        }
    }
}
