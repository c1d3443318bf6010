import Foundation

// The rules of approval-aging, read from `projections/approval-aging.json`:
// where the age buckets split, and how many hours each kind of approval may
// wait before it breaches its SLA.
//
// Bucket names are derived from the bounds so that a custom file needs no
// names of its own. A bound that is a whole number of days is written in
// days (`d`), any other in hours (`h`); a bucket whose two ends share a unit
// writes the unit once, at the end. The default bounds [24, 72, 168, 336]
// therefore give `0-1d`, `1-3d`, `3-7d`, `7-14d` and `14d+`, and
// [12, 36, 48] gives `0-12h`, `12-36h`, `36h-2d` and `2d+`.

/// The bucket bounds and SLAs of ``ApprovalAgingProjection``.
public struct ApprovalAgingRules: Sendable, Equatable {
    /// The approval kinds the event catalogue allows, in catalogue order.
    public static let kinds = [
        "discount", "change_request", "staffing", "budget_increase", "write_off",
        "invoice_release", "expense",
    ]

    /// The default bucket bounds, in hours: one, three, seven and 14 days.
    public static let defaultBucketBoundsHours: [Decimal] = [24, 72, 168, 336]

    /// The default SLA of each kind, in hours.
    public static let defaultSLAHours: [String: Decimal] = [
        "discount": 24, "change_request": 72, "staffing": 48, "budget_increase": 72,
        "write_off": 120, "invoice_release": 24, "expense": 120,
    ]

    /// The largest bound or SLA a rule file may give: ten years, in hours.
    public static let maximumHours: Decimal = 87_600

    static let microsecondsPerHour = Decimal(3_600_000_000)

    /// Strictly increasing, positive bucket bounds in hours; an age at a
    /// bound falls in the bucket above it.
    public let bucketBoundsHours: [Decimal]
    /// The SLA of every kind, in hours.
    public let slaHours: [String: Decimal]
    /// The bucket names, one more than the bounds.
    public let bucketNames: [String]
    /// The bounds and SLAs in microseconds, worked out once: every row
    /// compares its age with them.
    private let bucketBoundsMicroseconds: [Decimal]
    private let slaMicroseconds: [String: Decimal]

    /// The default rules.
    public init() {
        self.init(bounds: Self.defaultBucketBoundsHours, sla: Self.defaultSLAHours)
    }

    /// Reads a rule file; absent keys keep their defaults, and an
    /// `sla_hours` object need only name the kinds it changes.
    ///
    /// - Throws: `RuleError` for an unknown key or kind, bounds that are
    ///   empty, not strictly increasing, or outside 0 (exclusive) to
    ///   ``maximumHours``, and SLAs outside 0...``maximumHours``.
    public init(reader: RuleReader) throws {
        try reader.allowOnly(["bucket_bounds_hours", "sla_hours"])

        let boundsKey = "bucket_bounds_hours"
        let bounds = try reader.increasingDecimals(
            boundsKey, default: Self.defaultBucketBoundsHours)
        guard let first = bounds.first, let last = bounds.last else {
            throw RuleError(file: reader.file, key: boundsKey, reason: "must not be empty")
        }
        guard first > 0, last <= Self.maximumHours else {
            throw RuleError(file: reader.file, key: boundsKey,
                            reason: "must be above 0 and at most \(Self.maximumHours)")
        }

        let changes = try reader.decimalMap("sla_hours", default: [:],
                                            range: 0...Self.maximumHours)
        for kind in changes.keys.sorted() where !Self.kinds.contains(kind) {
            throw RuleError(file: reader.file, key: "sla_hours.\(kind)",
                            reason: "unknown approval kind (known: "
                                + Self.kinds.sorted().joined(separator: ", ") + ")")
        }
        let sla = Self.defaultSLAHours.merging(changes) { _, changed in changed }
        self.init(bounds: bounds, sla: sla)
    }

    private init(bounds: [Decimal], sla: [String: Decimal]) {
        bucketBoundsHours = bounds
        slaHours = sla
        bucketNames = Self.names(forBounds: bounds)
        bucketBoundsMicroseconds = bounds.map { $0 * Self.microsecondsPerHour }
        slaMicroseconds = sla.mapValues { $0 * Self.microsecondsPerHour }
    }

    /// The bucket of an exact age: the first bucket for any age below the
    /// first bound, negative ones included.
    func bucket(forAgeMicroseconds age: Decimal) -> String {
        let above = bucketBoundsMicroseconds.prefix { !age.isExactlyBelow($0) }
        return bucketNames[above.count]
    }

    /// Whether an exact age is past the SLA of `kind`; nil for a kind
    /// without one.
    func isBreached(kind: String, ageMicroseconds age: Decimal) -> Bool? {
        slaMicroseconds[kind].map { $0.isExactlyBelow(age) }
    }

    // MARK: - Bucket names

    /// `0-<b0>`, `<b0>-<b1>`, …, `<bn>+`, each bound in days or hours.
    static func names(forBounds bounds: [Decimal]) -> [String] {
        let labels = bounds.map(label(hours:))
        var names: [String] = []
        var lower: (number: String, unit: String)? = nil
        for upper in labels {
            if let lower {
                let lowerUnit = lower.unit == upper.unit ? "" : lower.unit
                names.append("\(lower.number)\(lowerUnit)-\(upper.number)\(upper.unit)")
            } else {
                names.append("0-\(upper.number)\(upper.unit)")
            }
            lower = upper
        }
        if let lower { names.append("\(lower.number)\(lower.unit)+") }
        return names
    }

    /// A bound as a whole number of days, or else as hours.
    static func label(hours: Decimal) -> (number: String, unit: String) {
        var days = hours / 24
        var whole = Decimal()
        NSDecimalRound(&whole, &days, 0, .plain)
        return whole == days ? (whole.description, "d") : (hours.description, "h")
    }
}
