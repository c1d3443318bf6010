// MARK: - Capacity, openings and staffing

extension Simulation {
    /// The booked allocation the firm aims for, in percent per consultant;
    /// new engagements open while the firm is below it.
    private static let targetUtilisationPercent = 80

    /// Publishes every consultant's capacity for the week of `day`, then
    /// opens the engagements the firm has room for.
    mutating func planWeek(startingOn day: CalendarDay) {
        let weekStart = day.mondayOfWeek
        let holidayWeek = Self.containsYearEndHoliday(weekStart)

        for index in roster.consultants.indices {
            let hours = drawAvailableHours(holidayWeek: holidayWeek)
            roster.consultants[index].workingDays = drawWorkingDays(forHours: hours)
            let notice = CapacityNotice(
                consultant: roster.consultants[index].number,
                weekStart: weekStart,
                availableHours: Int16(hours)
            )
            let at = moment(on: day, between: ClockTime(6), and: ClockTime(8, 30))
            let correlation = newCorrelation()
            schedule(.capacitySet(notice), at: at, actor: roster.resourceManager,
                     correlation: correlation)
        }

        planOpenings(inWeekOf: day)
    }

    private mutating func drawAvailableHours(holidayWeek: Bool) -> Int {
        if holidayWeek {
            return random.chance(percent: 55) ? 0 : 24
        }
        return [40, 32, 24, 0][random.weightedIndex([86, 6, 4, 4])]
    }

    /// Picks the weekdays worked in a week of `hours`: all five for a full
    /// week, one day fewer per eight hours less.
    private mutating func drawWorkingDays(forHours hours: Int) -> UInt8 {
        var days: UInt8 = 0b11111
        for _ in 0..<((40 - hours) / 8) {
            var dayOff = random.below(5)
            while days & (1 << UInt8(dayOff)) == 0 {
                dayOff = (dayOff + 1) % 5
            }
            days &= ~(1 << UInt8(dayOff))
        }
        return days
    }

    /// True when a working day of the week starting `monday` falls between
    /// Christmas Eve and New Year's Day.
    private static func containsYearEndHoliday(_ monday: CalendarDay) -> Bool {
        (0..<5).contains { offset in
            let fields = monday.adding(days: offset).civilFields
            let christmas = fields.month == 12 && fields.day >= 24
            return christmas || (fields.month == 1 && fields.day == 1)
        }
    }

    // MARK: Openings

    /// Opens engagements on the coming weekdays while the firm is booked
    /// below its target, a bounded number per week so the book fills
    /// gradually at the start and then opens about as many as close.
    private mutating func planOpenings(inWeekOf day: CalendarDay) {
        let consultantCount = roster.consultants.count
        let target = consultantCount * Self.targetUtilisationPercent
        let openingsAllowed = max(1, consultantCount / 25)

        // Even a firm too small for its target takes on one engagement.
        for _ in 0..<openingsAllowed
        where bookedPercentTotal == 0 || bookedPercentTotal + 125 < target {
            let openDay = day.onOrAfterWeekend.addingWeekdays(random.inRange(0...3))
            openEngagement(on: openDay)
        }
    }

    private mutating func openEngagement(on openDay: CalendarDay) {
        // Two draws make 8 to 40 weeks, most often around 24.
        let weeks = 8 + random.below(17) + random.below(17)
        let closeDay = openDay.mondayOfWeek.adding(days: weeks * 7 + 4)
        let billing = [BillingModel.fixedFee, .timeAndMaterials, .milestone][
            random.weightedIndex([30, 45, 25])]
        let currency = [Currency.euro, .dollar, .pound][random.weightedIndex([55, 30, 15])]
        let team = staffTeam(from: openDay, to: closeDay, currency: currency)

        ids.engagement += 1
        var engagement = Engagement(
            number: ids.engagement,
            client: 1 + Int32(random.below(Int(clientCount))),
            serviceLine: random.element(of: ServiceLine.allCases),
            billing: billing,
            currency: currency,
            deliveryManager: (team.first { $0.role == .manager } ?? team[0]).consultant,
            partner: team[0].consultant,
            openDay: openDay,
            closeDay: closeDay,
            correlation: newCorrelation()
        )
        engagement.team = team
        setBudget(of: &engagement)
        engagement.milestones = planMilestones(of: engagement)

        let slot = book.insert(engagement)
        for (index, member) in team.enumerated() {
            let link = StaffingLink(slot: Int32(slot), engagement: engagement.number,
                                    memberIndex: Int32(index))
            roster.assign(member.consultant, to: link, percent: Int(member.allocationPercent))
            bookedPercentTotal += Int(member.allocationPercent)
        }

        let at = moment(on: openDay, between: ClockTime(8, 30), and: ClockTime(11, 30))
        schedule(.engagementOpened(terms(of: engagement, slot: slot)), at: at,
                 actor: engagement.deliveryManager, correlation: engagement.correlation)
    }

    /// Staffs a team of two to eight: a partner, a manager who runs the
    /// delivery, then seniors, consultants and analysts. Juniors nobody has
    /// room for are left out rather than overbooked.
    private mutating func staffTeam(
        from openDay: CalendarDay,
        to closeDay: CalendarDay,
        currency: Currency
    ) -> [TeamMember] {
        let size = 2 + random.below(4) + random.below(4)
        var team: [TeamMember] = []

        for position in 0..<size {
            let grade: Grade = switch position {
            case 0: .partner
            case 1: .manager
            default: [Grade.senior, .consultant, .analyst][random.weightedIndex([35, 35, 30])]
            }
            let percent = random.element(of: grade.allocationChoices)
            guard let number = roster.findAvailable(
                grade: grade,
                percent: percent,
                avoiding: team,
                mandatory: position < 2,
                random: &random
            ) else {
                continue
            }
            let leads = position < 2
            let startDay = leads ? openDay : openDay.addingWeekdays(random.inRange(0...5))
            team.append(TeamMember(
                consultant: number,
                role: grade,
                allocationPercent: Int16(percent),
                billRate: drawBillRate(for: grade, in: currency),
                costRate: roster[number].costRate * currency.rateCardPercent / 100,
                startDay: startDay,
                endDay: leads ? closeDay : drawRollOffDay(after: startDay, closing: closeDay)
            ))
        }
        return team
    }

    /// A negotiated rate near the rate card, rounded to 5 currency units.
    private mutating func drawBillRate(for grade: Grade, in currency: Currency) -> Int64 {
        let discountPercent = Int64(random.inRange(92...106))
        let cents = grade.listBillRate * currency.rateCardPercent * discountPercent / 10_000
        return cents / 500 * 500
    }

    /// The close day for most juniors; for some, a Friday a few weeks earlier.
    private mutating func drawRollOffDay(after startDay: CalendarDay,
                                         closing closeDay: CalendarDay) -> CalendarDay {
        guard random.chance(percent: 20) else {
            return closeDay
        }
        let rollOff = closeDay.adding(days: -7 * random.inRange(1...4))
        return rollOff.daysSinceEpoch - startDay.daysSinceEpoch >= 21 ? rollOff : closeDay
    }

    // MARK: Budget and milestones

    /// Budgets the team's planned hours and prices the contract.
    private mutating func setBudget(of engagement: inout Engagement) {
        var hours: Int64 = 0
        var cost: Int64 = 0
        var value: Int64 = 0
        for member in engagement.team {
            let days = Int64(member.endDay.daysSinceEpoch - member.startDay.daysSinceEpoch + 1)
            let memberHours = days * 5 / 7 * 8 * Int64(member.allocationPercent) / 100
            hours += memberHours
            cost += memberHours * member.costRate
            value += memberHours * member.billRate
        }

        let margin = random.inRange(40...90)
        engagement.budgetHours = Int((hours + 5) / 10 * 10)
        engagement.budgetCost = (cost + 50) / 100 * 100
        engagement.targetMarginHalfPercent = margin
        let price = engagement.billing == .timeAndMaterials
            ? value
            : cost * 200 / Int64(200 - margin)
        engagement.contractValue = max(100_000, (price + 50_000) / 100_000 * 100_000)
    }

    /// Plans the milestones: a payment schedule for fixed-fee and milestone
    /// engagements, and a few unpriced checkpoints for time and materials.
    private mutating func planMilestones(of engagement: Engagement) -> [Milestone] {
        let count = switch engagement.billing {
        case .fixedFee: random.inRange(2...4)
        case .milestone: random.inRange(3...5)
        case .timeAndMaterials: random.inRange(0...2)
        }
        let weights = (0..<count).map { _ in Int64(random.inRange(2...5)) }
        let totalWeight = weights.reduce(0, +)
        let span = engagement.closeDay.daysSinceEpoch - engagement.openDay.daysSinceEpoch
        var milestones: [Milestone] = []
        var scheduled: Int64 = 0

        for index in 0..<count {
            // The last payment takes the rounding, so payments add up exactly.
            var amount: Int64 = 0
            if engagement.billing != .timeAndMaterials {
                let share = engagement.contractValue * weights[index] / totalWeight / 100 * 100
                amount = index == count - 1 ? engagement.contractValue - scheduled : share
                scheduled += amount
            }
            let dueDay = min(
                engagement.openDay.adding(days: span * (index + 1) / count).onOrAfterWeekend,
                engagement.closeDay
            )
            milestones.append(drawMilestone(position: index, of: count, amount: amount,
                                            dueDay: dueDay, in: engagement))
        }
        return milestones
    }

    /// Draws a milestone's name and how it will go: some complete late or
    /// never, some are signed off before they complete, and some never are.
    private mutating func drawMilestone(
        position: Int,
        of count: Int,
        amount: Int64,
        dueDay: CalendarDay,
        in engagement: Engagement
    ) -> Milestone {
        let completionDay = random.chance(percent: 8)
            ? engagement.closeDay.adding(days: 30)
            : max(dueDay.adding(days: random.inRange(-4...9)).onOrAfterWeekend,
                  engagement.openDay.addingWeekdays(2))
        let earlySignoffDay = completionDay.adding(days: -random.inRange(1...6))
            .onOrAfterWeekend
        var timing = [SignoffTiming.afterCompletion, .beforeCompletion, .never][
            random.weightedIndex([80, 7, 13])]
        if timing == .beforeCompletion, earlySignoffDay >= completionDay {
            timing = .afterCompletion
        }

        // Names follow delivery order, so later milestones get later names.
        let nameCount = renderer.vocabulary.milestoneNames.count
        let nameIndex = min(nameCount - 1, position * nameCount / count + random.below(2))
        ids.milestone += 1
        return Milestone(
            number: ids.milestone,
            nameIndex: UInt8(nameIndex),
            amount: amount,
            dueDay: dueDay,
            completionDay: completionDay,
            signoffTiming: timing,
            earlySignoffDay: earlySignoffDay,
            signatory: UInt8(random.below(renderer.vocabulary.signatories.count)),
            correlation: newCorrelation()
        )
    }

    private func terms(of engagement: Engagement, slot: Int) -> EngagementTerms {
        EngagementTerms(
            slot: Int32(slot),
            engagement: engagement.number,
            client: engagement.client,
            serviceLine: engagement.serviceLine,
            billing: engagement.billing,
            currency: engagement.currency,
            targetMarginHalfPercent: Int16(engagement.targetMarginHalfPercent),
            budgetHours: Int32(engagement.budgetHours),
            deliveryManager: engagement.deliveryManager,
            budgetCost: engagement.budgetCost,
            contractValue: engagement.contractValue
        )
    }

    // MARK: Announcing, re-assigning and releasing

    /// Plans the ConsultantAssigned and MilestoneDefined events that follow
    /// an opening, a few minutes apart.
    mutating func announceTeamAndMilestones(of terms: EngagementTerms, cause: Cause) {
        guard let engagement = book.engagement(slot: Int(terms.slot),
                                               number: terms.engagement) else {
            return
        }
        var at = cause.writtenAt

        for member in engagement.team {
            at = moment(after: at, minutes: 1...12)
            let notice = AssignmentNotice(engagement: engagement.number, member: member)
            schedule(.consultantAssigned(notice), at: at, actor: engagement.deliveryManager,
                     following: cause)
        }
        for milestone in engagement.milestones {
            at = moment(after: at, minutes: 2...20)
            let notice = MilestoneNotice(
                engagement: engagement.number,
                milestone: milestone.number,
                nameIndex: milestone.nameIndex,
                amount: milestone.amount,
                dueDay: milestone.dueDay
            )
            schedule(.milestoneDefined(notice), at: at, actor: engagement.deliveryManager,
                     following: cause)
        }
    }

    /// Re-assigns one team member from `day` on, at a new rate and sometimes
    /// a new allocation, as after a rate-card change or a promotion.
    mutating func planReassignment(inSlot slot: Int, on day: CalendarDay) {
        let engagement = book.engagements[slot]
        let index = random.below(engagement.team.count)
        var member = engagement.team[index]
        guard member.startDay < day, day < member.endDay else {
            return
        }

        let previousPercent = Int(member.allocationPercent)
        member.billRate = member.billRate * Int64(random.inRange(103...110)) / 100 / 500 * 500
        if random.chance(percent: 35) {
            member.allocationPercent = Int16(random.element(of: member.role.allocationChoices))
        }
        member.startDay = day
        book.engagements[slot].team[index] = member
        let delta = Int(member.allocationPercent) - previousPercent
        roster.rebook(member.consultant, by: delta)
        bookedPercentTotal += delta

        let at = moment(on: day, between: ClockTime(9), and: ClockTime(17))
        let notice = AssignmentNotice(engagement: engagement.number, member: member)
        schedule(.consultantAssigned(notice), at: at, actor: engagement.deliveryManager,
                 correlation: engagement.correlation)
    }

    /// Frees a closed engagement's consultants and its slot.
    mutating func releaseTeam(ofSlot slot: Int) {
        let engagement = book.engagements[slot]
        for member in engagement.team {
            let percent = Int(member.allocationPercent)
            roster.release(member.consultant, fromEngagement: engagement.number,
                           percent: percent)
            bookedPercentTotal -= percent
        }
        book.remove(slot: slot)
    }
}
