// MARK: - Timesheets and expenses

/// One of a consultant's engagements that can take their time today.
struct DayCandidate {
    var link: StaffingLink
    var percent: Int
    /// The candidate's pull on the day's hours once chosen.
    var weight = 0
}

extension Simulation {
    /// Out of 1000 working days, how many book nothing (sickness, training).
    private static let idleDaysPerMille = 15
    /// Out of 100 first submissions, how many are written one to three weeks
    /// after the work date.
    private static let lateSubmissionPercent = 3

    /// Plans the day's timesheets: every consultant at work books the day's
    /// hours to one, two or three of their current engagements.
    mutating func planTimesheets(on day: CalendarDay) {
        let weekday = day.weekdayIndex
        for index in roster.consultants.indices {
            guard roster.consultants[index].works(onWeekday: weekday),
                  !roster.consultants[index].links.isEmpty,
                  !random.chance(perMille: Self.idleDaysPerMille)
            else {
                continue
            }
            gatherCandidates(forConsultantAt: index, on: day)
            if !dayCandidates.isEmpty {
                bookDay(of: roster.consultants[index].number, on: day)
            }
        }
    }

    /// Fills `dayCandidates` with the assignments that run on `day`.
    private mutating func gatherCandidates(forConsultantAt index: Int, on day: CalendarDay) {
        dayCandidates.removeAll(keepingCapacity: true)
        for link in roster.consultants[index].links {
            let member = book.engagements[Int(link.slot)].team[Int(link.memberIndex)]
            guard member.startDay <= day, day <= member.endDay else {
                continue
            }
            dayCandidates.append(DayCandidate(link: link, percent: Int(member.allocationPercent)))
        }
    }

    /// Books one consultant's day: the hours follow their total allocation,
    /// with some noise and the odd long day, split over the engagements
    /// chosen in proportion to their allocations.
    private mutating func bookDay(of consultant: Int32, on day: CalendarDay) {
        let totalPercent = min(100, dayCandidates.reduce(0) { $0 + $1.percent })
        var quarterHours = 32 * totalPercent / 100 * random.inRange(88...112) / 100
        if random.chance(percent: 6) {
            quarterHours += random.inRange(4...12)
        }

        let entryCount = drawEntryCount(candidates: dayCandidates.count)
        quarterHours = min(48, max(entryCount, quarterHours))
        chooseCandidates(count: entryCount)
        recordEntries(count: entryCount, sharing: quarterHours, consultant: consultant, on: day)
        planExpense(by: consultant, on: dayCandidates[0].link, day: day)
    }

    /// Records timesheets for the first `count` candidates, splitting the
    /// hours roughly by allocation; every share gets at least a quarter hour,
    /// and the last one takes what is left.
    private mutating func recordEntries(
        count entryCount: Int,
        sharing quarterHours: Int,
        consultant: Int32,
        on day: CalendarDay
    ) {
        var totalWeight = 0
        for position in 0..<entryCount {
            dayCandidates[position].weight = dayCandidates[position].percent
                * random.inRange(60...140)
            totalWeight += dayCandidates[position].weight
        }
        var unassigned = quarterHours
        for position in 0..<entryCount {
            let share = position == entryCount - 1
                ? max(1, unassigned)
                : max(1, quarterHours * dayCandidates[position].weight / totalWeight)
            unassigned -= share
            recordTimesheet(for: dayCandidates[position], quarterHours: share,
                            consultant: consultant, on: day)
        }
    }

    private mutating func drawEntryCount(candidates: Int) -> Int {
        guard candidates > 1 else {
            return 1
        }
        var count = random.chance(percent: 25) ? 2 : 1
        if candidates > 2, random.chance(percent: 10) {
            count += 1
        }
        return count
    }

    /// Moves `count` candidates, drawn by allocation, to the front.
    private mutating func chooseCandidates(count: Int) {
        for position in 0..<count {
            let remaining = dayCandidates[position...].reduce(0) { $0 + $1.percent }
            var draw = random.below(max(1, remaining))
            var chosen = position
            while chosen < dayCandidates.count - 1, draw >= dayCandidates[chosen].percent {
                draw -= dayCandidates[chosen].percent
                chosen += 1
            }
            dayCandidates.swapAt(position, chosen)
        }
    }

    /// Plans one TimesheetSubmitted event, occasionally a late one, and adds
    /// billable time-and-materials work to the engagement's unbilled total.
    private mutating func recordTimesheet(
        for candidate: DayCandidate,
        quarterHours: Int,
        consultant: Int32,
        on day: CalendarDay
    ) {
        let slot = Int(candidate.link.slot)
        let member = book.engagements[slot].team[Int(candidate.link.memberIndex)]
        let billable = random.chance(percent: member.role == .partner ? 70 : 92)
        if billable, book.engagements[slot].billing == .timeAndMaterials {
            book.engagements[slot].unbilled += Int64(quarterHours) * member.billRate / 4
        }

        // Nobody reviews their own time: the partner reviews the manager's.
        let deliveryManager = book.engagements[slot].deliveryManager
        ids.timesheet += 1
        let entry = TimesheetEntry(
            number: ids.timesheet,
            engagement: candidate.link.engagement,
            consultant: consultant,
            approver: consultant == deliveryManager
                ? book.engagements[slot].partner : deliveryManager,
            workDay: day,
            quarterHours: Int16(quarterHours),
            billable: billable,
            attempt: 1
        )

        let occurredAt = moment(on: day, between: ClockTime(16, 30), and: ClockTime(19, 30))
        var writtenAt = occurredAt
        if random.chance(percent: Self.lateSubmissionPercent) {
            let lateDay = day.adding(days: random.inRange(7...21)).onOrAfterWeekend
            writtenAt = moment(on: lateDay, between: ClockTime(8), and: ClockTime(18))
        }
        schedule(.timesheetSubmitted(entry), at: writtenAt, occurredAt: occurredAt,
                 actor: consultant, correlation: newCorrelation())
    }

    /// Now and then, plans an expense claim: mostly meals and local travel,
    /// sometimes flights and hotels.
    private mutating func planExpense(by consultant: Int32, on link: StaffingLink,
                                      day: CalendarDay) {
        guard random.chance(percent: 30) else {
            return
        }
        let amount: Int64 = switch random.weightedIndex([70, 25, 5]) {
        case 0: Int64(random.inRange(1_200...18_000))
        case 1: Int64(random.inRange(15_000...90_000))
        default: Int64(random.inRange(90_000...350_000))
        }

        ids.expense += 1
        let claim = ExpenseClaim(
            number: ids.expense,
            slot: link.slot,
            engagement: link.engagement,
            consultant: consultant,
            amount: amount,
            billable: random.chance(percent: 75)
        )
        let at = moment(on: day, between: ClockTime(12), and: ClockTime(22))
        schedule(.expensePosted(claim), at: at, actor: consultant, correlation: newCorrelation())
    }

    // MARK: Reviews

    /// Plans the manager's review of a submitted timesheet, one to three
    /// working days later: mostly approved, about 5% rejected, and a few
    /// never reviewed at all.
    mutating func planReview(of entry: TimesheetEntry, cause: Cause) {
        let roll = random.below(1_000)
        let (rejectedBelow, pendingBelow) = entry.attempt == 1 ? (50, 70) : (30, 80)
        if roll >= rejectedBelow, roll < pendingBelow {
            return
        }

        let at = moment(weekdaysAfter: cause.writtenAt, 1...3,
                        between: ClockTime(8), and: ClockTime(12, 30))
        if roll < rejectedBelow {
            let reason = UInt8(random.below(renderer.vocabulary.timesheetRejections.count))
            schedule(.timesheetRejected(entry, reason: reason), at: at, actor: entry.approver,
                     following: cause)
        } else {
            schedule(.timesheetApproved(entry), at: at, actor: entry.approver, following: cause)
        }
    }

    /// Plans the corrected submission after a rejection, under the same
    /// timesheet id and sometimes with other hours; a few are abandoned.
    mutating func planResubmission(of entry: TimesheetEntry, cause: Cause) {
        guard entry.attempt < 3, random.chance(percent: 92) else {
            return
        }
        var corrected = entry
        corrected.attempt += 1
        if random.chance(percent: 50) {
            let hours = Int(entry.quarterHours) + random.inRange(-4...4)
            corrected.quarterHours = Int16(min(48, max(1, hours)))
        }
        let at = moment(weekdaysAfter: cause.writtenAt, 0...2,
                        between: ClockTime(16), and: ClockTime(19, 30))
        schedule(.timesheetSubmitted(corrected), at: at, actor: entry.consultant,
                 following: cause)
    }
}
