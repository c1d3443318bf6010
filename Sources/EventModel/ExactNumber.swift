import Foundation

// The exact value of JSON-number text as an integer significand and a power
// of ten, before any `Decimal` is built.
//
// Parsing is hot (every amount and hour on every imported line), and
// `Decimal` arithmetic is slow and lossy at its edges: it silently rounds,
// turns a large exponent into NaN and flushes a small one to zero. So the
// significand is accumulated in a UInt128 (38 decimal digits always fit),
// every limit is checked here with a reason, and range checks against small
// integer bounds are done on the integers without building a `Decimal`.

/// A checked number: `±significand × 10^exponent`, with no trailing zeros
/// in the significand (zero is a zero significand with exponent 0).
struct ExactNumber {
    var isNegative = false
    var significand: UInt128 = 0
    var exponent = 0

    /// Parses JSON-number syntax, enforcing 38 significant digits and the
    /// exponent range of `Decimal` (-128...127).
    init(_ text: some StringProtocol) throws(DecimalError) {
        let direct = text.utf8.withContiguousStorageIfAvailable { bytes in
            Result { () throws(DecimalError) in try ExactNumber(utf8: bytes) }
        }
        if let direct {
            self = try direct.get()
            return
        }
        let copy = Array(text.utf8)
        let result = copy.withUnsafeBufferPointer { bytes in
            Result { () throws(DecimalError) in try ExactNumber(utf8: bytes) }
        }
        self = try result.get()
    }

    /// Parses JSON-number syntax from UTF-8 bytes.
    init(utf8 bytes: UnsafeBufferPointer<UInt8>) throws(DecimalError) {
        var scan = SignificandScan()
        var index = 0
        let syntaxError = DecimalError(reason: "not a decimal number")

        // Sign and integer part.
        let isNegative = bytes.first == UInt8(ascii: "-")
        if isNegative { index += 1 }
        let integerStart = index
        while index < bytes.count, isDigit(bytes[index]) {
            try scan.add(bytes[index])
            index += 1
        }
        let integerDigits = index - integerStart
        guard integerDigits > 0 else { throw syntaxError }
        guard integerDigits == 1 || bytes[integerStart] != UInt8(ascii: "0") else {
            throw syntaxError
        }

        // Fraction.
        var fractionDigits = 0
        if index < bytes.count, bytes[index] == UInt8(ascii: ".") {
            index += 1
            while index < bytes.count, isDigit(bytes[index]) {
                try scan.add(bytes[index])
                index += 1
                fractionDigits += 1
            }
            guard fractionDigits > 0 else { throw syntaxError }
        }

        // Exponent, saturated well beyond any representable range.
        var exponent = 0
        if index < bytes.count, bytes[index] | 0x20 == UInt8(ascii: "e") {
            index += 1
            var sign = 1
            if index < bytes.count, bytes[index] == UInt8(ascii: "-") {
                sign = -1
                index += 1
            } else if index < bytes.count, bytes[index] == UInt8(ascii: "+") {
                index += 1
            }
            let exponentStart = index
            while index < bytes.count, isDigit(bytes[index]) {
                exponent = min(exponent * 10 + Int(bytes[index] - UInt8(ascii: "0")), 1_000_000)
                index += 1
            }
            guard index > exponentStart else { throw syntaxError }
            exponent *= sign
        }
        guard index == bytes.count else { throw syntaxError }

        // Range: the significand has no trailing zeros, so the exponent
        // cannot be lowered to fit; and `Decimal` strips trailing zeros from
        // its own mantissa, so a larger exponent cannot be absorbed by
        // padding the significand either (it would come back as NaN).
        guard scan.significand != 0 else { return }
        let finalExponent = scan.pendingZeros - fractionDigits + exponent
        guard finalExponent <= 127 else {
            throw DecimalError(reason: "value too large for a decimal")
        }
        guard finalExponent >= -128 else {
            throw DecimalError(reason: "value too small for a decimal")
        }
        self.isNegative = isNegative
        self.significand = scan.significand
        self.exponent = finalExponent
    }

    /// The value as a `Decimal`, built without rounding.
    var decimal: Decimal {
        guard significand != 0 else { return Decimal.zero }
        let magnitude = Decimal(sign: .plus, exponent: exponent, significand: wholeDecimal())
        return isNegative ? -magnitude : magnitude
    }

    /// The significand as a `Decimal`: below 10^38, so two UInt64 halves
    /// recombine exactly in Decimal's 128-bit mantissa.
    private func wholeDecimal() -> Decimal {
        if significand <= UInt128(UInt64.max) { return Decimal(UInt64(significand)) }
        let split = powerOfTen(19)
        let high = Decimal(UInt64(significand / split))
        let low = Decimal(UInt64(significand % split))
        return Decimal(sign: .plus, exponent: 19, significand: high) + low
    }

    /// Compares the value with an integer exactly: -1, 0 or 1 as the value
    /// is below, equal to or above `bound`.
    func compare(to bound: Int) -> Int {
        let valueSign = significand == 0 ? 0 : (isNegative ? -1 : 1)
        let boundSign = bound.signum()
        guard valueSign == boundSign else { return valueSign < boundSign ? -1 : 1 }
        guard valueSign != 0 else { return 0 }

        let magnitudeOrder = compareMagnitude(to: UInt128(bound.magnitude))
        return valueSign > 0 ? magnitudeOrder : -magnitudeOrder
    }

    /// Compares `significand × 10^exponent` with a positive integer.
    private func compareMagnitude(to bound: UInt128) -> Int {
        if exponent >= 0 {
            // A scaled significand too big for UInt128 exceeds any Int bound.
            guard exponent <= 38 else { return 1 }
            let (scaled, overflow) = significand.multipliedReportingOverflow(
                by: powerOfTen(exponent))
            if overflow { return 1 }
            return scaled < bound ? -1 : (scaled == bound ? 0 : 1)
        }
        // Scale the bound instead; if that overflows, the significand
        // (below 10^38) is the smaller.
        guard -exponent <= 38 else { return -1 }
        let (scaled, overflow) = bound.multipliedReportingOverflow(by: powerOfTen(-exponent))
        if overflow { return -1 }
        return significand < scaled ? -1 : (significand == scaled ? 0 : 1)
    }
}

/// 10^exponent, for exponents 0...38.
@inline(__always)
func powerOfTen(_ exponent: Int) -> UInt128 {
    var result: UInt128 = 1
    for _ in 0..<exponent { result &*= 10 }
    return result
}

// MARK: - Significand accumulation

/// Collects the significant digits of a number into an integer.
///
/// Zeros after a non-zero digit are held back in `pendingZeros` until a
/// later non-zero digit proves them significant, so the significand never
/// carries trailing zeros and its digit count is exactly the number of
/// significant digits.
struct SignificandScan {
    var significand: UInt128 = 0
    var digitCount = 0
    var pendingZeros = 0

    @inline(__always)
    mutating func add(_ byte: UInt8) throws(DecimalError) {
        let digit = byte &- UInt8(ascii: "0")
        if digit == 0 {
            if digitCount > 0 { pendingZeros += 1 }
            return
        }
        let newCount = digitCount + pendingZeros + 1
        guard newCount <= ExactDecimal.maximumSignificantDigits else {
            throw DecimalError(
                reason: "more than \(ExactDecimal.maximumSignificantDigits) significant digits")
        }
        significand = significand * powerOfTen(pendingZeros + 1) + UInt128(digit)
        digitCount = newCount
        pendingZeros = 0
    }
}
