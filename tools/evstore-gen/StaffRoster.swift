// MARK: - Consultants

/// A consultant's link to one of their engagements' team members.
struct StaffingLink {
    var slot: Int32
    var engagement: Int32
    var memberIndex: Int32
}

/// One person on the firm's delivery staff.
///
/// Consultant number n is `C000n` on the wire and logs in as `user-n`.
struct Consultant {
    let number: Int32
    let grade: Grade
    /// Hourly cost in euro cents; each person's differs a little.
    let costRate: Int64
    /// The sum of the allocations of the engagements they are staffed on.
    var bookedPercent = 0
    var links: [StaffingLink] = []
    /// This week's working days, one bit per weekday, Monday in bit 0.
    var workingDays: UInt8 = 0b11111

    /// True when the consultant works on the given weekday this week.
    func works(onWeekday index: Int) -> Bool {
        workingDays & (1 << UInt8(index)) != 0
    }
}

// MARK: - Roster

/// The firm's people: the consultants, grouped by grade, and the back-office
/// staff who set capacity and sign off finance.
///
/// Back-office people have user numbers above every consultant's, so user
/// ids never clash.
struct StaffRoster {
    /// Every consultant; consultant number n is at index n - 1.
    var consultants: [Consultant]
    /// Consultant numbers by grade, indexed by `Grade.rawValue`.
    private let pools: [[Int32]]
    /// The user who publishes weekly capacity.
    let resourceManager: Int32
    /// The users who approve as finance controller, taking turns.
    let financeControllers: [Int32]
    /// The user who approves as chief financial officer.
    let chiefFinancialOfficer: Int32

    /// Hires `count` consultants in a fixed grade mix: of every twelve, one
    /// partner, two managers and three each of the other grades.
    init(count: Int, random: inout RandomSource) {
        let pattern: [Grade] = [
            .partner, .manager, .senior, .consultant, .analyst, .senior,
            .consultant, .analyst, .manager, .consultant, .senior, .analyst,
        ]
        var consultants: [Consultant] = []
        var pools = [[Int32]](repeating: [], count: Grade.allCases.count)
        consultants.reserveCapacity(count)

        for index in 0..<count {
            let grade = pattern[index % pattern.count]
            let number = Int32(index + 1)
            let costRate = grade.typicalCostRate * Int64(random.inRange(90...112)) / 100
            consultants.append(Consultant(number: number, grade: grade, costRate: costRate))
            pools[Int(grade.rawValue)].append(number)
        }

        self.consultants = consultants
        self.pools = pools
        resourceManager = Int32(count + 1)
        financeControllers = [Int32(count + 2), Int32(count + 3)]
        chiefFinancialOfficer = Int32(count + 4)
    }

    /// The consultant with the given number.
    subscript(number: Int32) -> Consultant {
        consultants[Int(number) - 1]
    }

    /// Links a consultant to a team member of an engagement and books their
    /// allocation.
    mutating func assign(_ number: Int32, to link: StaffingLink, percent: Int) {
        consultants[Int(number) - 1].links.append(link)
        consultants[Int(number) - 1].bookedPercent += percent
    }

    /// Changes a consultant's booked allocation by `delta` percent.
    mutating func rebook(_ number: Int32, by delta: Int) {
        consultants[Int(number) - 1].bookedPercent += delta
    }

    /// Unlinks a consultant from a closed engagement and frees its allocation.
    mutating func release(_ number: Int32, fromEngagement engagement: Int32, percent: Int) {
        consultants[Int(number) - 1].links.removeAll { $0.engagement == engagement }
        consultants[Int(number) - 1].bookedPercent -= percent
    }

    /// The partner who leads a service line's practice.
    func practiceLead(of serviceLine: ServiceLine) -> Int32 {
        let partners = pool(for: .partner)
        return partners[Int(serviceLine.rawValue) % partners.count]
    }

    // MARK: Staffing

    /// Finds someone of `grade` with room for `percent` more allocation who is
    /// not on `team` yet.
    ///
    /// Tries a handful of random people rather than scanning everyone, so
    /// staffing costs the same at any firm size. When `mandatory` is set and
    /// nobody tried has room, the least booked of them is overbooked instead.
    mutating func findAvailable(
        grade: Grade,
        percent: Int,
        avoiding team: [TeamMember],
        mandatory: Bool,
        random: inout RandomSource
    ) -> Int32? {
        let candidates = pool(for: grade)
        var leastBooked: Int32?

        for _ in 0..<10 {
            let number = random.element(of: candidates)
            if team.contains(where: { $0.consultant == number }) {
                continue
            }
            let booked = self[number].bookedPercent
            if booked + percent <= 100 {
                return number
            }
            if leastBooked.map({ self[$0].bookedPercent > booked }) ?? true {
                leastBooked = number
            }
        }
        return mandatory ? leastBooked : nil
    }

    /// The consultants of `grade`, or everyone when the firm is too small to
    /// have that grade.
    private func pool(for grade: Grade) -> [Int32] {
        let numbers = pools[Int(grade.rawValue)]
        return numbers.isEmpty ? pools.first(where: { !$0.isEmpty })! : numbers
    }
}
