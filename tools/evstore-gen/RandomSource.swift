// MARK: - Seeded randomness

/// The generator's only source of randomness: xoshiro256** seeded through
/// SplitMix64.
///
/// The workload must come out byte for byte the same for the same
/// arguments, on every machine and every run, so nothing here reads the
/// clock or the system entropy pool, and every draw is plain integer
/// arithmetic with no platform-dependent rounding.
struct RandomSource {
    private var state0: UInt64
    private var state1: UInt64
    private var state2: UInt64
    private var state3: UInt64

    /// Creates a generator whose whole sequence is fixed by `seed`.
    ///
    /// SplitMix64 spreads the seed over the 256-bit state, so seeds that
    /// differ by one still give unrelated sequences.
    init(seed: UInt64) {
        var spreader = SplitMix64(state: seed)
        state0 = spreader.next()
        state1 = spreader.next()
        state2 = spreader.next()
        state3 = spreader.next()
    }

    /// The next 64 uniformly distributed bits.
    mutating func next() -> UInt64 {
        let result = rotated(state1 &* 5, by: 7) &* 9
        let shifted = state1 << 17
        state2 ^= state0
        state3 ^= state1
        state1 ^= state2
        state0 ^= state3
        state2 ^= shifted
        state3 = rotated(state3, by: 45)
        return result
    }

    /// A number in `0..<bound`; `bound` must be positive.
    ///
    /// Uses the high half of a 128-bit product instead of `%`, which is
    /// faster and, for the small bounds used here, unbiased to well below
    /// anything a workload could show.
    mutating func below(_ bound: Int) -> Int {
        precondition(bound > 0, "a random bound must be positive")
        return Int(next().multipliedFullWidth(by: UInt64(bound)).high)
    }

    /// A number in `range`.
    mutating func inRange(_ range: ClosedRange<Int>) -> Int {
        range.lowerBound + below(range.count)
    }

    /// True with a probability of `perMille` / 1000.
    mutating func chance(perMille: Int) -> Bool {
        below(1000) < perMille
    }

    /// True with a probability of `percent` / 100.
    mutating func chance(percent: Int) -> Bool {
        below(100) < percent
    }

    /// An index into `weights`, each index drawn in proportion to its weight.
    mutating func weightedIndex(_ weights: [Int]) -> Int {
        var remaining = below(weights.reduce(0, +))
        for (index, weight) in weights.enumerated() {
            if remaining < weight {
                return index
            }
            remaining -= weight
        }
        return weights.count - 1
    }

    /// One element of a non-empty array.
    mutating func element<Element>(of elements: [Element]) -> Element {
        elements[below(elements.count)]
    }

    private func rotated(_ value: UInt64, by count: UInt64) -> UInt64 {
        (value << count) | (value >> (64 - count))
    }
}

// MARK: - Seed spreading and hashing

/// SplitMix64: a tiny generator used to spread one seed over a larger state,
/// and whose output function doubles as a bijective 64-bit hash.
struct SplitMix64 {
    var state: UInt64

    /// Advances the state and returns its mixed value.
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        return Self.mix(state)
    }

    /// Scrambles `value` so that nearby inputs give unrelated outputs.
    ///
    /// The function is a bijection on 64-bit values: distinct inputs always
    /// give distinct outputs, which is what keeps correlation ids unique.
    static func mix(_ value: UInt64) -> UInt64 {
        var mixed = value
        mixed = (mixed ^ (mixed >> 30)) &* 0xBF58_476D_1CE4_E5B9
        mixed = (mixed ^ (mixed >> 27)) &* 0x94D0_49BB_1331_11EB
        return mixed ^ (mixed >> 31)
    }
}
