// MARK: - People

/// A consultant's grade, which is also the role they take on an engagement.
enum Grade: UInt8, CaseIterable {
    case partner, manager, senior, consultant, analyst

    /// The `role` value on the wire.
    var wireName: StaticString {
        switch self {
        case .partner: "partner"
        case .manager: "manager"
        case .senior: "senior"
        case .consultant: "consultant"
        case .analyst: "analyst"
        }
    }

    /// The rate card's hourly bill rate in euro cents, before negotiation.
    var listBillRate: Int64 {
        switch self {
        case .partner: 39_500
        case .manager: 25_000
        case .senior: 18_000
        case .consultant: 13_500
        case .analyst: 9_500
        }
    }

    /// The typical fully loaded hourly cost in euro cents.
    var typicalCostRate: Int64 {
        switch self {
        case .partner: 16_000
        case .manager: 10_500
        case .senior: 8_000
        case .consultant: 6_200
        case .analyst: 4_600
        }
    }

    /// The shares of a working week this grade usually gives one engagement.
    var allocationChoices: [Int] {
        switch self {
        case .partner: [10, 10, 15, 20]
        case .manager: [30, 40, 50, 50, 60]
        case .senior: [40, 50, 60, 80, 100]
        case .consultant: [50, 60, 80, 100, 100]
        case .analyst: [50, 80, 100, 100]
        }
    }
}

/// The role whose holder must approve a step of an approval.
enum ApproverRole: UInt8 {
    case engagementManager, partner, practiceLead, financeController, cfo

    /// The `approver_role` and `role` value on the wire.
    var wireName: StaticString {
        switch self {
        case .engagementManager: "engagement_manager"
        case .partner: "partner"
        case .practiceLead: "practice_lead"
        case .financeController: "finance_controller"
        case .cfo: "cfo"
        }
    }
}

// MARK: - Engagements

/// How an engagement is billed.
enum BillingModel: UInt8 {
    case fixedFee, timeAndMaterials, milestone

    /// The `billing_model` value on the wire.
    var wireName: StaticString {
        switch self {
        case .fixedFee: "fixed_fee"
        case .timeAndMaterials: "time_and_materials"
        case .milestone: "milestone"
        }
    }
}

/// The currency an engagement is contracted in.
enum Currency: UInt8 {
    case euro, dollar, pound

    /// The `currency` value on the wire.
    var wireName: StaticString {
        switch self {
        case .euro: "EUR"
        case .dollar: "USD"
        case .pound: "GBP"
        }
    }

    /// Rates in this currency, as a percentage of the euro rate card.
    var rateCardPercent: Int64 {
        switch self {
        case .euro: 100
        case .dollar: 110
        case .pound: 86
        }
    }
}

/// The practice an engagement is sold and delivered by.
enum ServiceLine: UInt8, CaseIterable {
    case strategy, technology, risk, deals, tax, operations, people, finance

    /// The `service_line` value on the wire.
    var wireName: StaticString {
        switch self {
        case .strategy: "strategy"
        case .technology: "technology_consulting"
        case .risk: "risk_advisory"
        case .deals: "deals"
        case .tax: "tax_advisory"
        case .operations: "operations"
        case .people: "people_and_change"
        case .finance: "finance_transformation"
        }
    }
}

// MARK: - Approvals

/// What an approval is asked for.
enum ApprovalKind: UInt8 {
    case discount, changeRequest, staffing, budgetIncrease, writeOff
    case invoiceRelease, expense

    /// The `kind` value on the wire.
    var wireName: StaticString {
        switch self {
        case .discount: "discount"
        case .changeRequest: "change_request"
        case .staffing: "staffing"
        case .budgetIncrease: "budget_increase"
        case .writeOff: "write_off"
        case .invoiceRelease: "invoice_release"
        case .expense: "expense"
        }
    }

    /// The roles that sign, in order, when the request comes from the
    /// engagement's delivery manager; a request needs the first one to
    /// three of them.
    var approvalChain: [ApproverRole] {
        switch self {
        case .discount: [.partner, .practiceLead, .cfo]
        case .changeRequest: [.partner, .practiceLead, .financeController]
        case .staffing: [.practiceLead, .partner]
        case .budgetIncrease: [.partner, .financeController, .cfo]
        case .writeOff: [.partner, .financeController, .cfo]
        case .invoiceRelease: [.partner, .financeController]
        case .expense: [.engagementManager, .financeController]
        }
    }
}
