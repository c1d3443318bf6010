// MARK: - Calendar days

/// A date of the proleptic Gregorian calendar, counted in days since
/// 1970-01-01, always read in UTC.
///
/// The generator needs only day arithmetic, weekdays and the civil fields
/// for printing, so it carries its own small calendar rather than
/// Foundation's, whose time zones and locales could make output differ
/// between machines.
struct CalendarDay: Comparable, Hashable {
    /// Days since 1970-01-01; the epoch itself is day 0.
    var daysSinceEpoch: Int

    init(daysSinceEpoch: Int) {
        self.daysSinceEpoch = daysSinceEpoch
    }

    /// The day with the given civil fields; the fields must form a date.
    init(year: Int, month: Int, day: Int) {
        // Count from March so that the leap day falls at the end of a year.
        let marchYear = month <= 2 ? year - 1 : year
        let era = (marchYear >= 0 ? marchYear : marchYear - 399) / 400
        let yearOfEra = marchYear - era * 400
        let monthFromMarch = (month + 9) % 12
        let dayOfYear = (153 * monthFromMarch + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        daysSinceEpoch = era * 146_097 + dayOfEra - 719_468
    }

    /// Parses a strict `YYYY-MM-DD` date, or returns nil.
    init?(parsing text: String) {
        let bytes = Array(text.utf8)
        guard bytes.count == 10, bytes[4] == UInt8(ascii: "-"),
              bytes[7] == UInt8(ascii: "-"),
              let year = Self.number(in: bytes[0..<4]),
              let month = Self.number(in: bytes[5..<7]),
              let day = Self.number(in: bytes[8..<10]),
              (1...12).contains(month), (1...31).contains(day)
        else {
            return nil
        }

        // A day past the end of its month would roll into the next one.
        let candidate = CalendarDay(year: year, month: month, day: day)
        let fields = candidate.civilFields
        guard fields.month == month, fields.day == day else {
            return nil
        }
        self = candidate
    }

    /// The year, month (1–12) and day of month (1–31).
    var civilFields: (year: Int, month: Int, day: Int) {
        let shifted = daysSinceEpoch + 719_468
        let era = (shifted >= 0 ? shifted : shifted - 146_096) / 146_097
        let dayOfEra = shifted - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1_460 + dayOfEra / 36_524
            - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let monthFromMarch = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * monthFromMarch + 2) / 5 + 1
        let month = monthFromMarch < 10 ? monthFromMarch + 3 : monthFromMarch - 9
        let year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)
        return (year, month, day)
    }

    /// Monday is 0, Sunday is 6.
    var weekdayIndex: Int {
        // 1970-01-01 was a Thursday, index 3.
        let index = (daysSinceEpoch + 3) % 7
        return index >= 0 ? index : index + 7
    }

    /// True from Monday to Friday.
    var isWeekday: Bool {
        weekdayIndex < 5
    }

    /// The Monday on or before this day.
    var mondayOfWeek: CalendarDay {
        adding(days: -weekdayIndex)
    }

    /// The first second of this day, in seconds since the epoch.
    var startSecond: Int64 {
        Int64(daysSinceEpoch) * 86_400
    }

    /// The day `count` days later (or earlier, when negative).
    func adding(days count: Int) -> CalendarDay {
        CalendarDay(daysSinceEpoch: daysSinceEpoch + count)
    }

    /// The weekday `count` weekdays after this day; weekends are skipped.
    func addingWeekdays(_ count: Int) -> CalendarDay {
        var day = self
        var remaining = count
        while remaining > 0 {
            day = day.adding(days: 1)
            if day.isWeekday {
                remaining -= 1
            }
        }
        return day
    }

    /// This day when it is a weekday, otherwise the following Monday.
    var onOrAfterWeekend: CalendarDay {
        isWeekday ? self : adding(days: 7 - weekdayIndex)
    }

    static func < (lhs: CalendarDay, rhs: CalendarDay) -> Bool {
        lhs.daysSinceEpoch < rhs.daysSinceEpoch
    }

    private static func number(in digits: ArraySlice<UInt8>) -> Int? {
        var value = 0
        for digit in digits {
            guard (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(digit) else {
                return nil
            }
            value = value * 10 + Int(digit - UInt8(ascii: "0"))
        }
        return value
    }
}
