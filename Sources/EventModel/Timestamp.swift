import Foundation

// Instants with microsecond precision, parsed from and printed as RFC 3339.
//
// Parsing is hand-written over UTF-8 bytes because imports read millions of
// timestamps; DateFormatter is both slow and lenient in ways an event store
// cannot afford (it guesses at missing offsets, for one).

/// Why a timestamp was refused.
public struct TimestampError: Error, CustomStringConvertible, Equatable {
    /// What is wrong, without quoting the text.
    public let reason: String

    /// Creates an error with a reason.
    public init(reason: String) {
        self.reason = reason
    }

    /// The reason.
    public var description: String { reason }
}

/// An instant, as whole microseconds since 1970-01-01T00:00:00Z (UTC).
public struct Timestamp: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// Microseconds since the Unix epoch; negative before 1970.
    public var microseconds: Int64

    static let microsecondsPerSecond: Int64 = 1_000_000
    static let microsecondsPerDay: Int64 = 86_400_000_000

    /// Creates a timestamp from microseconds since the epoch.
    public init(microseconds: Int64) {
        self.microseconds = microseconds
    }

    /// Parses an RFC 3339 date-time, e.g. `2017-01-09T09:49:50.000+01:00`.
    ///
    /// The shape is `YYYY-MM-DD`, then `T`, `t` or one space, `HH:MM:SS`, an
    /// optional fraction of 1–9 digits, then `Z`, `z` or `±HH:MM`. Digits
    /// beyond the sixth are dropped, which rounds toward the past. The offset
    /// is applied, so the result is always UTC.
    ///
    /// - Parameter text: The date-time text.
    /// - Throws: `TimestampError` when the shape is wrong, a field is out of
    ///   range (month, day of that month, hour, minute, offset), the second
    ///   is 60 (leap seconds are not supported), or the offset is missing.
    /// - Complexity: O(n) in the length of `text`.
    public init(rfc3339 text: some StringProtocol) throws(TimestampError) {
        let parsed = withUTF8Buffer(text) { utf8 in
            Result { () throws(TimestampError) in try RFC3339.parse(utf8) }
        }
        self.microseconds = try parsed.get()
    }

    /// Parses a cutoff for "as of" queries.
    ///
    /// A bare `YYYY-MM-DD` means the last microsecond of that day in UTC
    /// (`2026-03-31` is `2026-03-31T23:59:59.999999Z`); anything else must
    /// be an RFC 3339 date-time.
    ///
    /// - Throws: `TimestampError` when the text is neither.
    public init(cutoff text: some StringProtocol) throws(TimestampError) {
        guard text.utf8.count == 10 else {
            try self.init(rfc3339: text)
            return
        }
        let date: CalendarDate
        do throws(DateError) {
            date = try CalendarDate(iso: text)
        } catch {
            throw TimestampError(reason: error.reason)
        }
        let nextMidnight = Int64(date.daysSinceEpoch + 1) * Timestamp.microsecondsPerDay
        self.init(microseconds: nextMidnight - 1)
    }

    /// Converts a `Date`, rounding to the nearest microsecond (a `Date` holds
    /// a Double, so rounding rather than truncating keeps round trips exact).
    public init(date: Date) {
        let micros = (date.timeIntervalSince1970 * 1_000_000).rounded()
        self.microseconds = Int64(micros)
    }

    /// The instant as a `Date`.
    public var date: Date {
        Date(timeIntervalSince1970: Double(microseconds) / 1_000_000)
    }

    /// The current time, to the microsecond.
    public static func now() -> Timestamp {
        Timestamp(date: Date())
    }

    /// The calendar date in UTC on which this instant falls.
    public var utcDate: CalendarDate {
        CalendarDate(daysSinceEpoch: Int(floorDivide(microseconds, Timestamp.microsecondsPerDay)))
    }

    /// UTC RFC 3339 with only as many fraction digits as needed: none for a
    /// whole second (`2017-01-09T08:49:50Z`), 3 for a whole millisecond
    /// (`…50.123Z`), otherwise 6 (`…50.123456Z`).
    public var rfc3339: String {
        let fraction = floorModulo(microseconds, Timestamp.microsecondsPerSecond)
        var text = secondsPrefix
        if fraction == 0 {
            // Nothing to add.
        } else if fraction % 1000 == 0 {
            text += "." + paddedDecimal(Int(fraction / 1000), width: 3)
        } else {
            text += "." + paddedDecimal(Int(fraction), width: 6)
        }
        return text + "Z"
    }

    /// UTC RFC 3339 to the whole second, `YYYY-MM-DDTHH:MM:SSZ`; a fraction
    /// is dropped (rounding toward the past).
    public var secondsString: String {
        secondsPrefix + "Z"
    }

    /// `YYYY-MM-DDTHH:MM:SS` in UTC, without fraction or zone.
    private var secondsPrefix: String {
        let days = floorDivide(microseconds, Timestamp.microsecondsPerDay)
        let secondOfDay = Int(floorModulo(microseconds, Timestamp.microsecondsPerDay) / 1_000_000)
        var text = CalendarDate(daysSinceEpoch: Int(days)).description
        text += "T"
        text += paddedDecimal(secondOfDay / 3600, width: 2)
        text += ":"
        text += paddedDecimal(secondOfDay / 60 % 60, width: 2)
        text += ":"
        text += paddedDecimal(secondOfDay % 60, width: 2)
        return text
    }

    /// The same as ``rfc3339``.
    public var description: String { rfc3339 }

    /// Chronological order.
    public static func < (lhs: Timestamp, rhs: Timestamp) -> Bool {
        lhs.microseconds < rhs.microseconds
    }
}

/// Division rounding toward negative infinity.
@inline(__always)
func floorDivide(_ value: Int64, _ divisor: Int64) -> Int64 {
    let quotient = value / divisor
    return value % divisor < 0 ? quotient - 1 : quotient
}

/// The remainder matching ``floorDivide(_:_:)``: always in 0..<divisor.
@inline(__always)
func floorModulo(_ value: Int64, _ divisor: Int64) -> Int64 {
    let remainder = value % divisor
    return remainder < 0 ? remainder + divisor : remainder
}

// MARK: - RFC 3339 parsing

/// The RFC 3339 date-time grammar, over UTF-8 bytes.
enum RFC3339 {
    /// Parses a date-time into microseconds since the epoch (UTC).
    static func parse(_ utf8: UnsafeBufferPointer<UInt8>) throws(TimestampError) -> Int64 {
        let shape = TimestampError(
            reason: "expected an RFC 3339 date-time such as 2026-03-02T09:15:00Z")
        guard utf8.count >= 19,
            utf8[4] == UInt8(ascii: "-"), utf8[7] == UInt8(ascii: "-"),
            utf8[13] == UInt8(ascii: ":"), utf8[16] == UInt8(ascii: ":"),
            let year = decimalField(utf8, 0..<4),
            let month = decimalField(utf8, 5..<7),
            let day = decimalField(utf8, 8..<10),
            let hour = decimalField(utf8, 11..<13),
            let minute = decimalField(utf8, 14..<16),
            let second = decimalField(utf8, 17..<19)
        else { throw shape }
        guard [UInt8(ascii: "T"), UInt8(ascii: "t"), UInt8(ascii: " ")].contains(utf8[10]) else {
            throw TimestampError(reason: "expected 'T' between the date and the time")
        }

        // Fields.
        let date: CalendarDate
        do throws(DateError) {
            date = try CalendarDate(year: year, month: month, day: day)
        } catch {
            throw TimestampError(reason: error.reason)
        }
        guard hour <= 23 else { throw TimestampError(reason: "hour \(hour) is not in 0...23") }
        guard minute <= 59 else {
            throw TimestampError(reason: "minute \(minute) is not in 0...59")
        }
        guard second != 60 else { throw TimestampError(reason: "leap second not supported") }
        guard second <= 59 else {
            throw TimestampError(reason: "second \(second) is not in 0...59")
        }

        // Fraction, kept to the microsecond and truncated beyond it.
        var index = 19
        var fraction: Int64 = 0
        if index < utf8.count, utf8[index] == UInt8(ascii: ".") {
            index += 1
            let start = index
            while index < utf8.count, isDigit(utf8[index]) {
                if index - start < 6 {
                    fraction = fraction * 10 + Int64(utf8[index] - UInt8(ascii: "0"))
                }
                index += 1
            }
            let digits = index - start
            guard (1...9).contains(digits) else {
                throw TimestampError(reason: "the fraction of a second must have 1 to 9 digits")
            }
            for _ in digits..<max(digits, 6) { fraction *= 10 }
        }

        let offsetSeconds = try parseOffset(utf8, from: index)
        let localSeconds = Int64(date.daysSinceEpoch) * 86_400
            + Int64(hour * 3600 + minute * 60 + second)
        return (localSeconds - Int64(offsetSeconds)) * Timestamp.microsecondsPerSecond + fraction
    }

    /// Parses `Z`, `z` or `±HH:MM` ending the text, in seconds east of UTC.
    static func parseOffset(
        _ utf8: UnsafeBufferPointer<UInt8>,
        from index: Int
    ) throws(TimestampError) -> Int {
        guard index < utf8.count else {
            throw TimestampError(
                reason: "an offset or Z is required after the time (e.g. Z or +01:00)")
        }
        switch utf8[index] {
        case UInt8(ascii: "Z"), UInt8(ascii: "z"):
            guard index + 1 == utf8.count else {
                throw TimestampError(reason: "unexpected text after the offset")
            }
            return 0
        case UInt8(ascii: "+"), UInt8(ascii: "-"):
            guard index + 6 == utf8.count, utf8[index + 3] == UInt8(ascii: ":"),
                let hours = decimalField(utf8, (index + 1)..<(index + 3)),
                let minutes = decimalField(utf8, (index + 4)..<(index + 6))
            else {
                throw TimestampError(reason: "expected the offset as ±HH:MM")
            }
            guard hours <= 23, minutes <= 59 else {
                throw TimestampError(reason: "offset must be within ±23:59")
            }
            let seconds = hours * 3600 + minutes * 60
            return utf8[index] == UInt8(ascii: "-") ? -seconds : seconds
        default:
            throw TimestampError(
                reason: "an offset or Z is required after the time (e.g. Z or +01:00)")
        }
    }
}
