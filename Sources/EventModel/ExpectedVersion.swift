// The optimistic-concurrency condition an append states about its stream.

/// What an append expects of its stream's current version.
///
/// Versions are 1-based within a stream, so a stream holding three events is
/// at version 3, and `.exact(3)` means "append only if nobody has written
/// since I read those three events".
public enum ExpectedVersion: Sendable, Hashable, CustomStringConvertible {
    /// No condition: append whatever the stream holds.
    case any
    /// The stream must not exist yet (it has no events).
    case noStream
    /// The stream must already exist (it has at least one event).
    case exists
    /// The stream must be at exactly this version.
    case exact(UInt64)

    /// Parses the wire spelling: `any`, `no_stream`, `exists`, or a
    /// non-negative decimal integer without sign or leading zeros.
    ///
    /// - Parameter text: The spelling, e.g. from a command-line flag.
    /// - Returns: `nil` when `text` is none of these.
    public init?(_ text: some StringProtocol) {
        switch text {
        case "any": self = .any
        case "no_stream": self = .noStream
        case "exists": self = .exists
        default:
            guard let version = ExpectedVersion.parseVersion(text.utf8) else { return nil }
            self = .exact(version)
        }
    }

    /// `any`, `no_stream`, `exists`, or the version number.
    public var description: String {
        switch self {
        case .any: return "any"
        case .noStream: return "no_stream"
        case .exists: return "exists"
        case .exact(let version): return String(version)
        }
    }

    /// Reads a plain decimal integer that fits in `UInt64`: digits only, no
    /// sign, no leading zeros (but `0` itself).
    static func parseVersion(_ utf8: some Collection<UInt8>) -> UInt64? {
        guard let first = utf8.first, isDigit(first) else { return nil }
        guard first != UInt8(ascii: "0") || utf8.count == 1 else { return nil }
        var value: UInt64 = 0
        for byte in utf8 {
            guard isDigit(byte) else { return nil }
            let (times10, overflow1) = value.multipliedReportingOverflow(by: 10)
            let digit = UInt64(byte - UInt8(ascii: "0"))
            let (sum, overflow2) = times10.addingReportingOverflow(digit)
            guard !overflow1, !overflow2 else { return nil }
            value = sum
        }
        return value
    }
}
