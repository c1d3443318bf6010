// MARK: - Simulation

/// A day-by-day simulation of a professional-services firm that writes what
/// happens as events.
///
/// Each day starts by planning that day's fresh activity: on Mondays the
/// week's capacity and new engagements, on weekdays timesheets, expenses and
/// engagement business. Planned events wait in a queue ordered by the time
/// they are written. Writing an event may plan its consequences (a review
/// after a submission, the next step of an approval), always at the same
/// moment or later, so lines come out in business-time order; only late
/// timesheets are written weeks after their `occurred_at`.
///
/// Everything random comes from one seeded generator, and the simulation
/// state is visited in index order only, so the same options always give
/// the same bytes.
struct Simulation {
    let eventLimit: Int
    let startDay: CalendarDay
    /// How many clients the firm has; engagements pick among them.
    let clientCount: Int32

    var random: RandomSource
    var queue = EventQueue()
    var renderer: EventRenderer
    var roster: StaffRoster
    var book = EngagementBook()
    var ids = IDCounters()
    /// The sum of every open engagement's allocations, in percent of a
    /// consultant; drives how many engagements open.
    var bookedPercentTotal = 0
    var linesWritten = 0
    /// Reused scratch space for a consultant's assignments of the day.
    var dayCandidates: [DayCandidate] = []

    /// Prepares a simulation for `options`, writing to `output`.
    init(options: GeneratorOptions, output: OutputFile) {
        eventLimit = options.eventCount
        startDay = options.startDay
        random = RandomSource(seed: options.seed)
        renderer = EventRenderer(output: output, seed: options.seed)
        roster = StaffRoster(count: options.consultantCount, random: &random)
        clientCount = Int32(max(12, options.consultantCount / 3))
    }

    /// The last day the simulation plans. Plans reach at most a year ahead,
    /// so every printed date keeps a four-digit year.
    private static let lastPlannedDay = CalendarDay(year: 9_998, month: 12, day: 31)

    /// Simulates day after day until the requested number of lines is
    /// written, then flushes the output.
    ///
    /// - Throws: `GenerationError.output` when the output rejects a chunk;
    ///   `GenerationError.calendarExhausted` when a tiny firm would need past
    ///   the year 9998 to produce that many events.
    mutating func run() throws(GenerationError) {
        var day = startDay
        while linesWritten < eventLimit {
            guard day <= Self.lastPlannedDay else {
                try flushOutput()
                throw .calendarExhausted(linesWritten: linesWritten)
            }
            planDay(day)
            let nextDay = day.adding(days: 1)
            do {
                try writeEvents(before: nextDay.startSecond)
            } catch {
                throw .output(error)
            }
            day = nextDay
        }
        try flushOutput()
    }

    private mutating func flushOutput() throws(GenerationError) {
        do {
            try renderer.flush()
        } catch {
            throw .output(error)
        }
    }

    private mutating func planDay(_ day: CalendarDay) {
        // A run starting mid-week plans that week on its first weekday.
        if day.weekdayIndex == 0 || (day == startDay && day.isWeekday) {
            planWeek(startingOn: day)
        }
        guard day.isWeekday else {
            return
        }
        planTimesheets(on: day)
        planEngagementBusiness(on: day)
    }

    /// Writes queued events due before `limit`, planning their consequences.
    private mutating func writeEvents(before limit: Int64) throws(OutputError) {
        while linesWritten < eventLimit,
              let writtenAt = queue.earliestWriteTime, writtenAt < limit,
              let scheduled = queue.removeEarliest() {
            linesWritten += 1
            try renderer.write(scheduled, line: linesWritten)
            let cause = Cause(
                line: Int32(linesWritten),
                writtenAt: scheduled.writtenAt,
                correlation: scheduled.metadata.correlation
            )
            planConsequences(of: scheduled.event, cause: cause)
        }
    }

    /// Plans what follows from an event that has just been written.
    private mutating func planConsequences(of event: PlannedEvent, cause: Cause) {
        switch event {
        case let .engagementOpened(terms):
            announceTeamAndMilestones(of: terms, cause: cause)
        case let .timesheetSubmitted(entry):
            planReview(of: entry, cause: cause)
        case let .timesheetRejected(entry, _):
            planResubmission(of: entry, cause: cause)
        case let .expensePosted(claim):
            planExpenseApproval(for: claim, cause: cause)
        case let .milestoneCompleted(progress):
            recordCompletion(of: progress, cause: cause)
        case let .clientSignoffReceived(progress):
            recordSignoff(of: progress, cause: cause)
        case let .changeRequestSubmitted(notice):
            planChangeRequestApproval(for: notice, cause: cause)
        case let .approvalRequested(approval):
            planOutcome(of: approval, cause: cause)
        case var .approvalStepCompleted(approval):
            approval.stepsCompleted += 1
            planNextApprovalEvent(of: approval, cause: cause)
        case let .approvalGranted(approval):
            planGrantedFollowUp(of: approval, cause: cause)
        case let .approvalRejected(approval):
            planRerequest(of: approval, cause: cause)
        case let .engagementClosed(slot, _):
            releaseTeam(ofSlot: Int(slot))
        case .consultantAssigned, .milestoneDefined, .capacitySet, .timesheetApproved,
             .invoiceIssued, .approvalWithdrawn:
            break
        }
    }

    // MARK: Scheduling

    /// Queues an event, written at `writtenAt` and, unless told otherwise,
    /// occurring then too.
    mutating func schedule(
        _ event: PlannedEvent,
        at writtenAt: Int64,
        occurredAt: Int64? = nil,
        actor: Int32,
        correlation: UInt64,
        causeLine: Int32 = 0
    ) {
        let metadata = EventMetadata(actor: actor, correlation: correlation, causeLine: causeLine)
        queue.insert(
            event,
            writtenAt: writtenAt,
            occurredAt: occurredAt ?? writtenAt,
            metadata: metadata
        )
    }

    /// Queues an event that follows from `cause`, in the same workflow.
    mutating func schedule(
        _ event: PlannedEvent,
        at writtenAt: Int64,
        actor: Int32,
        following cause: Cause
    ) {
        schedule(
            event,
            at: max(writtenAt, cause.writtenAt),
            actor: actor,
            correlation: cause.correlation,
            causeLine: cause.line
        )
    }

    /// A random second on `day` between two clock times.
    mutating func moment(on day: CalendarDay, between earliest: ClockTime,
                         and latest: ClockTime) -> Int64 {
        let minute = random.inRange(earliest.minuteOfDay...latest.minuteOfDay - 1)
        return day.startSecond + Int64(minute * 60 + random.below(60))
    }

    /// A random second some minutes after `start`.
    mutating func moment(after start: Int64, minutes: ClosedRange<Int>) -> Int64 {
        start + Int64(random.inRange(minutes) * 60 + random.below(60))
    }

    /// A random second between two clock times, some weekdays after the day
    /// of `start`, and never before `start`.
    mutating func moment(
        weekdaysAfter start: Int64,
        _ weekdays: ClosedRange<Int>,
        between earliest: ClockTime,
        and latest: ClockTime
    ) -> Int64 {
        let startDay = CalendarDay(daysSinceEpoch: Int(start / 86_400))
        let count = random.inRange(weekdays)
        let day = count == 0 ? startDay.onOrAfterWeekend : startDay.addingWeekdays(count)
        return max(start + 1, moment(on: day, between: earliest, and: latest))
    }

    /// A fresh workflow key, for an event that starts a workflow.
    mutating func newCorrelation() -> UInt64 {
        ids.correlation += 1
        return ids.correlation
    }
}

// MARK: - Supporting types

/// Why a workload could not be generated in full.
enum GenerationError: Error, CustomStringConvertible {
    /// The output could not be written.
    case output(OutputError)
    /// The simulated calendar reached the year 9999 first.
    case calendarExhausted(linesWritten: Int)

    var description: String {
        switch self {
        case let .output(error):
            return error.description
        case let .calendarExhausted(linesWritten):
            return "the simulation reached the year 9999 after \(linesWritten) events; "
                + "use more --consultants or fewer --events"
        }
    }
}

/// The event that has just been written, as seen by its consequences.
struct Cause {
    let line: Int32
    let writtenAt: Int64
    let correlation: UInt64
}

/// A time of day, to the minute.
struct ClockTime {
    let minuteOfDay: Int

    init(_ hour: Int, _ minute: Int = 0) {
        minuteOfDay = hour * 60 + minute
    }
}

/// The last number handed out for each kind of id.
struct IDCounters {
    var engagement: Int32 = 0
    var timesheet: Int32 = 0
    var expense: Int32 = 0
    var milestone: Int32 = 0
    var invoice: Int32 = 0
    var approval: Int32 = 0
    var changeRequest: Int32 = 0
    var correlation: UInt64 = 0
}
