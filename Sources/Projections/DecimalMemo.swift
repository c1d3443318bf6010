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
