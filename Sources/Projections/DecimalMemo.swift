import EventModel
import EventStore
import Foundation

// Foundation's `Decimal` arithmetic and printing allocate on every call, and
// read models repeat the same few values endlessly: weekly hours, rates,
// targets. A result is a pure function of its operands' bits, so remembering
// it by those bits gives the same value, bit for bit, as computing it again.
// Two decimals that are equal but spelled differently (7.5 and 7.50) only
// miss the memo; they never share a result.

/// A decimal's exact bits, as a dictionary key.
struct DecimalBits: Hashable {
    private let low: UInt64
    private let high: UInt64
    private let tail: UInt32

    /// Nil when `Decimal` is not the 20 bytes this reads (the memos then
    /// compute every value).
    init?(_ value: Decimal) {
        guard CompactState.isAvailable else { return nil }
        (low, high, tail) = withUnsafeBytes(of: value) { raw in
            (raw.loadUnaligned(fromByteOffset: 0, as: UInt64.self),
             raw.loadUnaligned(fromByteOffset: 8, as: UInt64.self),
             raw.loadUnaligned(fromByteOffset: 16, as: UInt32.self))
        }
    }
}

/// Remembers the results of a pure function of decimals, keyed by their
/// bits. Bounded: past `limit` entries it starts again, so a stream of
/// distinct values costs memory no more than `limit` entries.
struct DecimalMemo<Key: Hashable, Value> {
    private var results: [Key: Value] = [:]
    private let limit: Int

    init(limit: Int = 65_536) {
        self.limit = limit
    }

    /// The remembered result for `key`, or `compute()` remembered.
    mutating func value(_ key: Key?, _ compute: () -> Value) -> Value {
        guard let key else { return compute() }
        if let known = results[key] { return known }
        let value = compute()
        if results.count >= limit { results.removeAll(keepingCapacity: true) }
        results[key] = value
        return value
    }
}

/// Prints cells as `Cell.formatted(for:)` does, remembering the text of
/// decimals and dates.
struct CellFormatter {
    private struct Printed: Hashable {
        var bits: DecimalBits
        var places: Int
    }

    private var memo = DecimalMemo<Printed, String>()
    /// Dates by their day number: a read model repeats a few hundred weeks.
    private var dates = DecimalMemo<Int, String>(limit: 4_096)

    init() {}

    /// The same text as `cell.formatted(for: column)`.
    mutating func text(_ cell: Cell, for column: Column) -> String {
        if case .date(let date) = cell {
            return dates.value(date.daysSinceEpoch) { date.description }
        }
        guard case .decimal(let value) = cell, case .decimal(let places) = column.kind,
              let bits = DecimalBits(value) else {
            return cell.formatted(for: column)
        }
        return memo.value(Printed(bits: bits, places: places)) { cell.formatted(for: column) }
    }
}

/// Exact sums, differences and products, memoised on the operands' bits for
/// the whole process: folds add the same hours to the same running totals
/// and multiply hours by the same rates over and over (a few thousand
/// distinct pairs each).
final class DecimalArithmetic: Sendable {
    static let shared = DecimalArithmetic()

    private enum Operation: UInt8 {
        case sum, difference, product
    }

    private struct Operands: Hashable {
        var lhs: DecimalBits
        var rhs: DecimalBits
        var operation: Operation
    }

    private let memo = Locked(DecimalMemo<Operands, Decimal>(limit: 131_072))

    /// `lhs + rhs`, the same bits as Foundation's addition gives.
    func sum(_ lhs: Decimal, _ rhs: Decimal) -> Decimal {
        result(lhs, rhs, .sum)
    }

    /// `lhs - rhs`, the same bits as Foundation's subtraction gives.
    func difference(_ lhs: Decimal, _ rhs: Decimal) -> Decimal {
        result(lhs, rhs, .difference)
    }

    /// `lhs * rhs`, the same bits as `Decimal.multiplied(by:)` gives.
    func product(_ lhs: Decimal, _ rhs: Decimal) -> Decimal {
        result(lhs, rhs, .product)
    }

    private func result(_ lhs: Decimal, _ rhs: Decimal, _ operation: Operation) -> Decimal {
        if operation != .product,
           let exact = SmallDecimal.exactSum(lhs, rhs, subtracting: operation == .difference) {
            return exact
        }
        guard let left = DecimalBits(lhs), let right = DecimalBits(rhs) else {
            return Self.compute(lhs, rhs, operation)
        }
        let operands = Operands(lhs: left, rhs: right, operation: operation)
        return memo.withLock { $0.value(operands) { Self.compute(lhs, rhs, operation) } }
    }

    private static func compute(_ lhs: Decimal, _ rhs: Decimal,
                                _ operation: Operation) -> Decimal {
        switch operation {
        case .sum: lhs + rhs
        case .difference: lhs - rhs
        case .product: lhs.multiplied(by: rhs)
        }
    }
}

extension Decimal {
    /// `self * other`, except where Foundation's multiplication would trap:
    /// it stops the process when the exact product falls below 10^-128. When
    /// the operands' exponents come near that, each is first rounded to 60
    /// places, so a product that small comes out as the zero (or the value
    /// to 60 places) it is for any amount or count of hours.
    func multiplied(by other: Decimal) -> Decimal {
        guard exponent + other.exponent < -120 else { return self * other }
        func rounded(_ value: Decimal) -> Decimal {
            var value = value
            var result = Decimal()
            NSDecimalRound(&result, &value, 60, .plain)
            return result
        }
        return rounded(self) * rounded(other)
    }
}

/// A decimal whose significand fits in 64 bits, read from its bits, so that
/// comparisons need none of Foundation's arithmetic (a `<` costs it about
/// 2,000 instructions and an addition allocates). Nil for a value with a
/// larger significand, for NaN, and on a build whose `Decimal` keeps its
/// fields elsewhere; callers then use Foundation.
struct SmallDecimal {
    let isNegative: Bool
    let exponent: Int
    let significand: UInt64

    init?(_ value: Decimal) {
        guard Self.layoutIsKnown, let read = Self(bitsOf: value) else { return nil }
        self = read
    }

    private init(isNegative: Bool, exponent: Int, significand: UInt64) {
        self.isNegative = isNegative
        self.exponent = exponent
        self.significand = significand
    }

    /// Reads swift-foundation's layout: the exponent in the low byte of the
    /// first word, the sign in bit 11, the count of 16-bit mantissa words in
    /// use in bits 12–15, then the mantissa words, least significant first.
    private init?(bitsOf value: Decimal) {
        guard CompactState.isAvailable else { return nil }
        let (word, mantissa, rest) = withUnsafeBytes(of: value) { raw in
            (raw.loadUnaligned(fromByteOffset: 0, as: UInt32.self),
             UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: 4, as: UInt64.self)),
             raw.loadUnaligned(fromByteOffset: 12, as: UInt64.self))
        }
        let length = Int(word >> 12 & 0xF)
        let negative = word >> 11 & 1 == 1
        // More than four words do not fit; no words and a sign is NaN.
        guard length <= 4, length > 0 || !negative else { return nil }
        let mask: UInt64 = length == 4 ? .max : (1 << (16 * UInt64(length))) - 1
        // Words in use that hold a zero, or set words past the length in
        // use: Foundation makes neither, but damaged bytes can, and its
        // arithmetic and printing read them otherwise.
        guard length == 0 || mantissa & mask != 0, mantissa & ~mask == 0, rest == 0 else {
            return nil
        }
        self.init(isNegative: negative, exponent: Int(Int8(truncatingIfNeeded: word)),
                  significand: mantissa & mask)
    }

    /// Whether this build's `Decimal` reads as expected, checked on known values.
    fileprivate static let layoutIsKnown: Bool = {
        let known: [(Decimal, Bool, Int, UInt64)] = [
            (Decimal(0), false, 0, 0), (Decimal(65_537), false, 0, 65_537),
            (Decimal(UInt64.max), false, 0, .max),
            (Decimal(sign: .minus, exponent: -4, significand: 12_345_678), true, -4, 12_345_678),
            (Decimal(sign: .plus, exponent: 7, significand: 3), false, 7, 3),
        ]
        return known.allSatisfy { value, negative, exponent, significand in
            guard let read = SmallDecimal(bitsOf: value) else { return false }
            return read.isNegative == negative && read.exponent == exponent
                && read.significand == significand
        }
    }()

    /// -1, 0 or 1 as `lhs` is below, equal to or above `rhs`, exactly.
    static func order(_ lhs: SmallDecimal, _ rhs: SmallDecimal) -> Int {
        let left = lhs.sign
        let right = rhs.sign
        if left != right { return left < right ? -1 : 1 }
        if left == 0 { return 0 }
        let magnitude = magnitudeOrder(lhs.significand, lhs.exponent,
                                       rhs.significand, rhs.exponent)
        return left > 0 ? magnitude : -magnitude
    }

    /// `lhs + rhs` for two values of the same sign, or nil when the exact sum
    /// does not fit in 64 bits at the smaller exponent.
    static func sum(_ lhs: SmallDecimal, _ rhs: SmallDecimal) -> SmallDecimal? {
        if lhs.significand == 0 { return rhs }
        if rhs.significand == 0 { return lhs }
        guard lhs.isNegative == rhs.isNegative else { return nil }
        let exponent = min(lhs.exponent, rhs.exponent)
        guard let left = scaled(lhs.significand, by: lhs.exponent - exponent),
              let right = scaled(rhs.significand, by: rhs.exponent - exponent) else {
            return nil
        }
        let (total, overflow) = left.addingReportingOverflow(right)
        return overflow ? nil : SmallDecimal(isNegative: lhs.isNegative, exponent: exponent,
                                             significand: total)
    }

    private var sign: Int { significand == 0 ? 0 : isNegative ? -1 : 1 }

    /// `lhs + rhs`, or `lhs - rhs` when `subtracting`, with the bits
    /// Foundation's `+` and `-` give, computed on 64-bit significands; nil
    /// when an operand is not small, an exponent lies beyond ±64 or the
    /// exact result needs more than 64 bits (callers then use Foundation).
    ///
    /// Foundation returns the other operand as it is when one is zero (its
    /// negation for `0 - x`; two zeros are left to it), and otherwise the
    /// exact result without trailing zeros, zero as `Decimal()`; the tests
    /// hold this to Foundation's bits on random operands.
    static func exactSum(_ lhs: Decimal, _ rhs: Decimal, subtracting: Bool) -> Decimal? {
        writesKnownBits ? exactSum(unchecked: lhs, rhs, subtracting) : nil
    }

    private static func exactSum(unchecked lhs: Decimal, _ rhs: Decimal,
                                 _ subtracting: Bool) -> Decimal? {
        guard let left = SmallDecimal(lhs), let right = SmallDecimal(rhs),
              abs(left.exponent) <= 64, abs(right.exponent) <= 64 else { return nil }
        switch (left.significand == 0, right.significand == 0) {
        case (true, true): return nil
        case (true, false): return subtracting ? negated(rhs) : rhs
        case (false, true): return lhs
        case (false, false): break
        }
        let exponent = min(left.exponent, right.exponent)
        guard let a = scaled(left.significand, by: left.exponent - exponent),
              let b = scaled(right.significand, by: right.exponent - exponent) else { return nil }
        let rightNegative = right.isNegative != subtracting
        if left.isNegative == rightNegative {
            let (total, overflow) = a.addingReportingOverflow(b)
            guard !overflow else { return nil }
            return decimal(isNegative: left.isNegative, exponent: exponent, significand: total)
        }
        return a >= b
            ? decimal(isNegative: left.isNegative, exponent: exponent, significand: a - b)
            : decimal(isNegative: rightNegative, exponent: exponent, significand: b - a)
    }

    /// The decimal Foundation makes of an exact result: no trailing zeros,
    /// marked compact; zero is `Decimal()`.
    private static func decimal(isNegative: Bool, exponent: Int, significand: UInt64) -> Decimal {
        guard significand != 0 else { return Decimal() }
        var significand = significand
        var exponent = exponent
        while significand % 10 == 0 {
            significand /= 10
            exponent += 1
        }
        let words = (64 - significand.leadingZeroBitCount + 15) / 16
        var word = UInt32(UInt8(bitPattern: Int8(exponent))) | 1 << 10 | UInt32(words) << 12
        if isNegative { word |= 1 << 11 }
        var value = Decimal()
        withUnsafeMutableBytes(of: &value) { raw in
            raw.storeBytes(of: word.littleEndian, toByteOffset: 0, as: UInt32.self)
            raw.storeBytes(of: significand.littleEndian, toByteOffset: 4, as: UInt64.self)
        }
        return value
    }

    /// `value` with its sign bit flipped, as Foundation negates a non-zero value.
    private static func negated(_ value: Decimal) -> Decimal {
        var value = value
        withUnsafeMutableBytes(of: &value) { raw in
            let word = UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: 0, as: UInt32.self))
            raw.storeBytes(of: (word ^ 1 << 11).littleEndian, toByteOffset: 0, as: UInt32.self)
        }
        return value
    }

    /// Whether the results built here have Foundation's bits on this build,
    /// checked on known sums (a zero, carries, trailing zeros, signs).
    private static let writesKnownBits: Bool = {
        guard layoutIsKnown else { return false }
        let values = ["7.5", "0.5", "8", "0.25", "-7.5", "99999", "0.00001", "0", "-0.5",
                      "18446744073709551615", "40", "1.10"].compactMap { Decimal(string: $0) }
        for a in values {
            for b in values {
                for subtracting in [false, true] {
                    guard let fast = SmallDecimal.exactSum(unchecked: a, b, subtracting) else {
                        continue
                    }
                    let slow = subtracting ? a - b : a + b
                    if DecimalBits(fast) != DecimalBits(slow) { return false }
                }
            }
        }
        return true
    }()

    /// Orders `a × 10^ea` against `b × 10^eb`, for non-zero a and b.
    private static func magnitudeOrder(_ a: UInt64, _ ea: Int, _ b: UInt64, _ eb: Int) -> Int {
        if ea == eb { return a < b ? -1 : a == b ? 0 : 1 }
        if ea > eb { return -magnitudeOrder(b, eb, a, ea) }
        // b's exponent is larger: scaled to a's, b is b × 10^(eb - ea). When
        // that exceeds 64 bits it exceeds a.
        guard let scaledB = scaled(b, by: eb - ea) else { return -1 }
        return a < scaledB ? -1 : a == scaledB ? 0 : 1
    }

    /// `value × 10^places`, or nil past 64 bits.
    private static func scaled(_ value: UInt64, by places: Int) -> UInt64? {
        guard places > 0 else { return value }
        guard places < powers.count else { return value == 0 ? 0 : nil }
        let (product, overflow) = value.multipliedReportingOverflow(by: powers[places])
        return overflow ? nil : product
    }

    private static let powers: [UInt64] = (0...19).map { exponent in
        (0..<exponent).reduce(1) { power, _ in power * 10 }
    }
}

extension Decimal {
    /// `self + other`, with the bits Foundation's `+` gives, computed on the
    /// significands when both are small (no memo: running totals rarely
    /// repeat).
    func exactlyPlus(_ other: Decimal) -> Decimal {
        SmallDecimal.exactSum(self, other, subtracting: false) ?? self + other
    }

    /// Whether `self` is below `other`, as Foundation's `<` says, without
    /// its arithmetic when both values are small.
    func isExactlyBelow(_ other: Decimal) -> Bool {
        guard let left = SmallDecimal(self), let right = SmallDecimal(other) else {
            return self < other
        }
        return SmallDecimal.order(left, right) < 0
    }

    /// Whether `self + addend` is above `limit`, exactly, without Foundation's
    /// arithmetic when the values are small.
    func plus(_ addend: Decimal, isExactlyAbove limit: Decimal) -> Bool {
        guard let left = SmallDecimal(self), let right = SmallDecimal(addend),
              let bound = SmallDecimal(limit), let total = SmallDecimal.sum(left, right) else {
            return self + addend > limit
        }
        return SmallDecimal.order(total, bound) > 0
    }
}

/// A finite decimal's sign, exponent and whole 128-bit significand, read
/// from its bits like `SmallDecimal`, for printing: Foundation's
/// `description` of a 38-digit quotient costs about 100,000 instructions.
struct DecimalParts {
    let isNegative: Bool
    let exponent: Int
    let significand: UInt128

    /// Nil for NaN, for mantissa words in use that hold a zero or set words
    /// past the length (damaged bytes; Foundation judges those) and on an
    /// unknown layout.
    init?(_ value: Decimal) {
        guard SmallDecimal.layoutIsKnown else { return nil }
        let (word, low, high) = withUnsafeBytes(of: value) { raw in
            (raw.loadUnaligned(fromByteOffset: 0, as: UInt32.self),
             UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: 4, as: UInt64.self)),
             UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: 12, as: UInt64.self)))
        }
        let length = Int(word >> 12 & 0xF)
        let negative = word >> 11 & 1 == 1
        guard length <= 8, length > 0 || !negative else { return nil }
        let whole = UInt128(high) << 64 | UInt128(low)
        let significand = length == 8 ? whole : whole & ((1 << (16 * UInt128(length))) - 1)
        // As for `SmallDecimal`: no zero in use, nothing past the length.
        guard length == 0 || significand != 0, significand == whole else { return nil }
        self.isNegative = negative
        self.exponent = Int(Int8(truncatingIfNeeded: word))
        self.significand = significand
    }
}
