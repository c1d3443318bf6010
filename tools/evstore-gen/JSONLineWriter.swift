// MARK: - Byte buffer

/// The memory behind a `JSONLineWriter`, freed when the writer goes away.
private final class ByteStorage {
    let base: UnsafeMutablePointer<UInt8>
    let capacity: Int

    init(capacity: Int) {
        self.capacity = capacity
        base = UnsafeMutablePointer<UInt8>.allocate(capacity: capacity)
    }

    deinit {
        base.deallocate()
    }
}

// MARK: - Line writer

/// Builds JSON Lines as UTF-8 bytes in one large buffer and hands the
/// buffer to the output whenever it is nearly full.
///
/// This is the generator's hot path, so it avoids everything that costs per
/// line: no `String` building, no formatting APIs, no allocation. Keys and
/// fixed words arrive as `StaticString`s; names from the vocabulary arrive
/// already escaped. A line never outgrows `lineHeadroom`, which is why the
/// appends can skip bounds checks once a line has started.
struct JSONLineWriter {
    /// Room kept free for one line; every line the generator makes is far
    /// shorter (about 330 bytes on average, never over 1 KiB).
    static let lineHeadroom = 16 * 1_024

    private let storage: ByteStorage
    private let output: OutputFile
    private var pointer: UnsafeMutablePointer<UInt8>
    private var count = 0

    /// False until the current object has a member, so the next key knows
    /// whether a comma goes before it.
    var objectHasMembers = false

    private var lastDay = CalendarDay(daysSinceEpoch: -1)
    private var lastDayFields = (year: 1969, month: 12, day: 31)

    /// Creates a writer that hands `output` chunks of about `chunkSize` bytes.
    init(output: OutputFile, chunkSize: Int = 1 << 20) {
        storage = ByteStorage(capacity: chunkSize + Self.lineHeadroom)
        pointer = storage.base
        self.output = output
    }

    // MARK: Raw appends

    /// Appends a fixed ASCII word.
    @inline(__always)
    mutating func append(_ text: StaticString) {
        let length = text.utf8CodeUnitCount
        (pointer + count).update(from: text.utf8Start, count: length)
        count += length
    }

    /// Appends bytes that are already valid JSON in this position.
    @inline(__always)
    mutating func append(_ bytes: [UInt8]) {
        bytes.withUnsafeBufferPointer { source in
            (pointer + count).update(from: source.baseAddress!, count: source.count)
        }
        count += bytes.count
    }

    /// Appends one ASCII byte.
    @inline(__always)
    mutating func append(byte: UInt8) {
        pointer[count] = byte
        count += 1
    }

    // MARK: Numbers

    /// "00" to "99" back to back, so two digits cost one division.
    private static let digitPairs: StaticString = """
        0001020304050607080910111213141516171819202122232425262728293031323334353637383940\
        4142434445464748495051525354555657585960616263646566676869707172737475767778798081\
        828384858687888990919293949596979899
        """

    /// Appends a non-negative integer in decimal, zero-padded to `width`.
    mutating func append(unsigned value: UInt64, width: Int = 1) {
        // Digits are produced last to first into a scratch area, then copied.
        var scratch: (UInt64, UInt64, UInt64) = (0, 0, 0)
        withUnsafeMutableBytes(of: &scratch) { digits in
            var start = digits.count
            var remaining = value
            while remaining >= 100 {
                let pair = Int(remaining % 100)
                remaining /= 100
                start -= 2
                Self.storePair(pair, into: digits, at: start)
            }
            if remaining >= 10 {
                start -= 2
                Self.storePair(Int(remaining), into: digits, at: start)
            } else {
                start -= 1
                digits[start] = UInt8(ascii: "0") + UInt8(remaining)
            }

            let length = digits.count - start
            if width > length {
                (pointer + count).update(repeating: UInt8(ascii: "0"), count: width - length)
                count += width - length
            }
            (pointer + count).update(
                from: digits.baseAddress!.assumingMemoryBound(to: UInt8.self) + start,
                count: length
            )
            count += length
        }
    }

    /// Appends a value below 100 as exactly two digits.
    @inline(__always)
    mutating func append(twoDigits value: Int) {
        let source = Self.digitPairs.utf8Start + 2 * value
        pointer[count] = source[0]
        pointer[count + 1] = source[1]
        count += 2
    }

    /// Appends the low `digits` nibbles of `value` as lowercase hexadecimal.
    @inline(__always)
    mutating func append(hex value: UInt64, digits: Int) {
        var remaining = value
        var index = count + digits - 1
        while index >= count {
            pointer[index] = JSONText.hexDigit(UInt8(remaining & 0xF))
            remaining >>= 4
            index -= 1
        }
        count += digits
    }

    @inline(__always)
    private static func storePair(_ pair: Int, into digits: UnsafeMutableRawBufferPointer,
                                  at index: Int) {
        let source = digitPairs.utf8Start + 2 * pair
        digits[index] = source[0]
        digits[index + 1] = source[1]
    }

    /// Appends an integer in decimal, with a minus sign when negative.
    mutating func append(integer value: Int, width: Int = 1) {
        if value < 0 {
            append(byte: UInt8(ascii: "-"))
        }
        append(unsigned: value.magnitude.toUInt64, width: width)
    }

    /// Appends hundredths as a decimal with exactly two places: `1250.00`.
    mutating func append(hundredths value: Int64) {
        if value < 0 {
            append(byte: UInt8(ascii: "-"))
        }
        let magnitude = value.magnitude
        append(unsigned: magnitude / 100)
        append(byte: UInt8(ascii: "."))
        append(unsigned: magnitude % 100, width: 2)
    }

    /// Appends hundredths as the shortest JSON number: `1250`, `1250.5`,
    /// `99.95`.
    mutating func append(shortestHundredths value: Int64) {
        if value < 0 {
            append(byte: UInt8(ascii: "-"))
        }
        let magnitude = value.magnitude
        let fraction = magnitude % 100
        append(unsigned: magnitude / 100)
        if fraction == 0 {
            return
        }
        append(byte: UInt8(ascii: "."))
        if fraction % 10 == 0 {
            append(unsigned: fraction / 10)
        } else {
            append(unsigned: fraction, width: 2)
        }
    }

    // MARK: Dates and times

    /// Appends `YYYY-MM-DD`, without quotes; years must have four digits.
    mutating func append(day: CalendarDay) {
        // Most lines print a day printed just before; reuse its fields.
        if day != lastDay {
            lastDay = day
            lastDayFields = day.civilFields
        }
        append(twoDigits: lastDayFields.year / 100)
        append(twoDigits: lastDayFields.year % 100)
        append(byte: UInt8(ascii: "-"))
        append(twoDigits: lastDayFields.month)
        append(byte: UInt8(ascii: "-"))
        append(twoDigits: lastDayFields.day)
    }

    /// Appends a UTC timestamp `YYYY-MM-DDTHH:MM:SSZ`, without quotes.
    ///
    /// - Parameter second: seconds since the epoch; must not be negative.
    mutating func append(timestamp second: Int64) {
        let day = CalendarDay(daysSinceEpoch: Int(second / 86_400))
        let secondOfDay = Int(second % 86_400)
        append(day: day)
        append(byte: UInt8(ascii: "T"))
        append(twoDigits: secondOfDay / 3_600)
        append(byte: UInt8(ascii: ":"))
        append(twoDigits: secondOfDay / 60 % 60)
        append(byte: UInt8(ascii: ":"))
        append(twoDigits: secondOfDay % 60)
        append(byte: UInt8(ascii: "Z"))
    }

    // MARK: Lines and chunks

    /// Ends the current line and hands the buffer over once a chunk is full.
    ///
    /// - Throws: `OutputError.writeFailed` when the output rejects the chunk.
    mutating func endLine() throws(OutputError) {
        append(byte: UInt8(ascii: "\n"))
        if count >= storage.capacity - Self.lineHeadroom {
            try flush()
        }
    }

    /// Writes whatever is buffered.
    ///
    /// - Throws: `OutputError.writeFailed` when the output rejects the bytes.
    mutating func flush() throws(OutputError) {
        guard count > 0 else {
            return
        }
        try output.write(UnsafeRawBufferPointer(start: pointer, count: count))
        count = 0
    }
}

// MARK: - Escaping

/// Escaping for text that is turned into JSON once, ahead of the hot path.
enum JSONText {
    /// The UTF-8 bytes of `text` as the inside of a JSON string: quotes,
    /// backslashes and control characters escaped, the surrounding quotes
    /// left to the caller.
    static func escaped(_ text: String) -> [UInt8] {
        var bytes: [UInt8] = []
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"):
                bytes.append(UInt8(ascii: "\\"))
                bytes.append(byte)
            case 0..<0x20:
                bytes.append(contentsOf: Array("\\u00".utf8))
                bytes.append(hexDigit(byte >> 4))
                bytes.append(hexDigit(byte & 0xF))
            default:
                bytes.append(byte)
            }
        }
        return bytes
    }

    /// The lowercase hexadecimal digit for a value below 16.
    @inline(__always)
    static func hexDigit(_ value: UInt8) -> UInt8 {
        value < 10 ? UInt8(ascii: "0") + value : UInt8(ascii: "a") + value - 10
    }
}

private extension UInt {
    var toUInt64: UInt64 { UInt64(self) }
}
