// Calendar dates in the proleptic Gregorian calendar, with no time zone.
//
// Conversions use the days-from-civil arithmetic: shift the year to start in
// March so the leap day falls at the end, then count whole 400-year eras
// (146 097 days each). That needs no Calendar or DateFormatter, works for
// dates before 1970, and costs a few integer operations.

/// Why a date was refused.
public struct DateError: Error, CustomStringConvertible, Equatable {
    /// What is wrong.
    public let reason: String

    /// Creates an error with a reason.
    public init(reason: String) {
        self.reason = reason
    }

    /// The reason.
    public var description: String { reason }
}

/// A day in the proleptic Gregorian calendar, such as 2026-03-02.
public struct CalendarDate: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// The year, 0...9999 when parsed from text.
    public let year: Int
    /// The month, 1...12.
    public let month: Int
    /// The day of the month, 1...31.
    public let day: Int

    /// Creates a date after checking that it exists.
    ///
    /// - Throws: `DateError` when the month is not 1...12 or the day is not
    ///   in that month (2026-02-29 is refused, 2024-02-29 accepted).
    public init(year: Int, month: Int, day: Int) throws(DateError) {
        guard (1...12).contains(month) else {
            throw DateError(reason: "month \(month) is not in 1...12")
        }
        let length = CalendarDate.daysInMonth(year: year, month: month)
        guard (1...length).contains(day) else {
            throw DateError(reason: "day \(day) is not in 1...\(length) for that month")
        }
        self.year = year
        self.month = month
        self.day = day
    }

    /// Parses exactly `YYYY-MM-DD`.
    ///
    /// - Parameter text: Ten characters: a four-digit year, a two-digit
    ///   month and a two-digit day, separated by `-`.
    /// - Throws: `DateError` for any other shape or a date that does not exist.
    public init(iso text: some StringProtocol) throws(DateError) {
        let fields = withUTF8Buffer(text) { utf8 -> (Int, Int, Int)? in
            guard utf8.count == 10, utf8[4] == UInt8(ascii: "-"), utf8[7] == UInt8(ascii: "-"),
                let year = decimalField(utf8, 0..<4),
                let month = decimalField(utf8, 5..<7),
                let day = decimalField(utf8, 8..<10)
            else { return nil }
            return (year, month, day)
        }
        guard let (year, month, day) = fields else {
            throw DateError(reason: "expected a date as YYYY-MM-DD")
        }
        try self.init(year: year, month: month, day: day)
    }

    /// Creates the date `days` days after 1970-01-01 (negative for before).
    public init(daysSinceEpoch days: Int) {
        // Shift the epoch to 0000-03-01, the start of an era.
        let shifted = days + 719_468
        let era = (shifted >= 0 ? shifted : shifted - 146_096) / 146_097
        let dayOfEra = shifted - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let marchMonth = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * marchMonth + 2) / 5 + 1
        let month = marchMonth < 10 ? marchMonth + 3 : marchMonth - 9
        self.year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)
        self.month = month
        self.day = day
    }

    /// Days since 1970-01-01 (negative before it).
    public var daysSinceEpoch: Int {
        let marchYear = month <= 2 ? year - 1 : year
        let era = (marchYear >= 0 ? marchYear : marchYear - 399) / 400
        let yearOfEra = marchYear - era * 400
        let marchMonth = month > 2 ? month - 3 : month + 9
        let dayOfYear = (153 * marchMonth + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    /// The ISO 8601 weekday: 1 is Monday, 7 is Sunday.
    public var isoWeekday: Int {
        // 1970-01-01 was a Thursday (4).
        let offset = (daysSinceEpoch + 3) % 7
        return (offset < 0 ? offset + 7 : offset) + 1
    }

    /// The Monday on or before this date: the start of its ISO week.
    public var isoWeekStart: CalendarDate {
        adding(days: 1 - isoWeekday)
    }

    /// The ISO 8601 week-numbering year and week (1...53).
    ///
    /// A week belongs to the year of its Thursday, so 2021-01-01 is in week
    /// 53 of 2020 and 2024-12-30 in week 1 of 2025.
    public var isoWeek: (year: Int, week: Int) {
        let thursday = adding(days: 4 - isoWeekday)
        let january1 = CalendarDate(uncheckedYear: thursday.year, month: 1, day: 1)
        let dayOfYear = thursday.daysSinceEpoch - january1.daysSinceEpoch
        return (thursday.year, dayOfYear / 7 + 1)
    }

    /// The date `days` days later (earlier when negative).
    public func adding(days: Int) -> CalendarDate {
        CalendarDate(daysSinceEpoch: daysSinceEpoch + days)
    }

    /// `YYYY-MM-DD`.
    public var description: String {
        var text = paddedDecimal(year, width: 4)
        text += "-"
        text += paddedDecimal(month, width: 2)
        text += "-"
        text += paddedDecimal(day, width: 2)
        return text
    }

    /// Chronological order.
    public static func < (lhs: CalendarDate, rhs: CalendarDate) -> Bool {
        (lhs.year, lhs.month, lhs.day) < (rhs.year, rhs.month, rhs.day)
    }

    // MARK: - Calendar rules

    init(uncheckedYear year: Int, month: Int, day: Int) {
        self.year = year
        self.month = month
        self.day = day
    }

    /// Whether `year` has a 29 February.
    static func isLeapYear(_ year: Int) -> Bool {
        year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
    }

    /// The number of days in a month (1...12) of a year.
    static func daysInMonth(year: Int, month: Int) -> Int {
        switch month {
        case 2: return isLeapYear(year) ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }
}

// MARK: - Digit helpers shared with Timestamp

/// Reads an all-digit field, or `nil` when any byte is not a digit.
func decimalField(_ bytes: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) -> Int? {
    var value = 0
    for index in range {
        guard index < bytes.count, isDigit(bytes[index]) else { return nil }
        value = value * 10 + Int(bytes[index] - UInt8(ascii: "0"))
    }
    return value
}

/// Runs `body` on the UTF-8 of `text`, copying only when the text is not
/// stored contiguously.
func withUTF8Buffer<Result>(
    _ text: some StringProtocol,
    _ body: (UnsafeBufferPointer<UInt8>) -> Result
) -> Result {
    if let result = text.utf8.withContiguousStorageIfAvailable(body) {
        return result
    }
    return Array(text.utf8).withUnsafeBufferPointer(body)
}

/// `value` in decimal, left-padded with zeros to `width` digits; a negative
/// value keeps its `-` in front of the padding.
func paddedDecimal(_ value: Int, width: Int) -> String {
    let digits = String(value.magnitude)
    let padding = String(repeating: "0", count: max(0, width - digits.count))
    return (value < 0 ? "-" : "") + padding + digits
}
