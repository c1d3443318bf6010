import EventModel
import Foundation

// The rows of margin-exposure: the figures that depend on the terms, the
// billing model and the rules are derived from the ledger when asked for.
// All arithmetic is exact `Decimal` (division to 38 digits); rounding
// happens only when a cell is printed, and every comparison uses the exact
// value.

extension MarginExposureProjection {
    /// The derived figures of one engagement.
    struct Figures {
        /// The opening's contract value plus granted change requests.
        var contractValue: Decimal
        /// The opening's budget hours plus granted change requests.
        var budgetHours: Decimal
        var cost: Decimal
        var revenue: Decimal
        var margin: Decimal
        /// Margin over revenue, in percent; `nil` when revenue is 0.
        var marginPercent: Decimal?
        /// Cost over budgeted cost, in percent; `nil` when that budget is 0.
        var burnPercent: Decimal?
        var unbilled: Decimal
        var exposure: Decimal
        var atRisk: Bool

        init(_ engagement: Engagement, _ ledger: Ledger, rules: MarginExposureRules) {
            // Terms, moved by granted change requests.
            contractValue = engagement.contractValue + ledger.grantedValue
            budgetHours = engagement.budgetHours + ledger.grantedHours

            // Money.
            cost = ledger.labourCost + ledger.expenses
            revenue = Self.revenue(engagement.billingModel, ledger,
                                   contractValue: contractValue, budgetHours: budgetHours)
            margin = revenue - cost
            unbilled = revenue - ledger.invoiced

            // Ratios and risk.
            let target = engagement.targetMarginPercent
            marginPercent = revenue == 0 ? nil : margin * 100 / revenue
            burnPercent = engagement.budgetCost == 0
                ? nil : cost * 100 / engagement.budgetCost
            exposure = max(0, revenue.multiplied(by: target) / 100 - margin)
            let marginBelowTarget = marginPercent.map { $0 < target } ?? false
            let burnAboveAlert = burnPercent.map { $0 > rules.burnAlertPercent } ?? false
            atRisk = !engagement.isClosed && (marginBelowTarget || burnAboveAlert)
        }

        /// Revenue recognised under `model`.
        ///
        /// Fixed fee recognises the contract value in proportion to hours
        /// worked against budget, capped at the whole; with no positive
        /// budget (zero, or negative after change requests) it recognises
        /// nothing.
        static func revenue(_ model: BillingModel, _ ledger: Ledger,
                            contractValue: Decimal, budgetHours: Decimal) -> Decimal {
            switch model {
            case .timeAndMaterials:
                return ledger.billableLabour + ledger.billableExpenses
            case .fixedFee:
                guard budgetHours > 0 else { return 0 }
                guard ledger.actualHours < budgetHours else { return contractValue }
                return contractValue.multiplied(by: ledger.actualHours) / budgetHours
            case .milestone:
                return ledger.completedMilestones
            }
        }
    }

    /// One row per opened engagement, sorted by the code points of
    /// engagement_id. `now` is unused: no column depends on the time of
    /// asking.
    ///
    /// - Complexity: O(e log e) for e opened engagements.
    public func rows(of state: State, now: Timestamp) -> [Row] {
        state.engagements
            .sorted { utf8Precedes($0.key, $1.key) }
            .map { id, engagement in
                row(id, engagement, state.ledgers[id] ?? Ledger())
            }
    }

    /// The row of one engagement (`key` is its engagement_id), for `explain`.
    /// - Complexity: O(1).
    public func row(of state: State, key: String, now: Timestamp) -> Row? {
        state.engagements[key].map { row(key, $0, state.ledgers[key] ?? Ledger()) }
    }

    /// The cells of one engagement, in column order.
    func row(_ id: String, _ engagement: Engagement, _ ledger: Ledger) -> Row {
        let figures = Figures(engagement, ledger, rules: rules)
        return [
            .text(id),
            .text(engagement.clientID),
            .text(engagement.billingModel.rawValue),
            .text(engagement.currency),
            .decimal(figures.contractValue),
            .decimal(figures.budgetHours),
            .decimal(engagement.budgetCost),
            .decimal(ledger.actualHours),
            .decimal(ledger.unassignedHours),
            .decimal(figures.cost),
            .decimal(figures.revenue),
            .decimal(figures.margin),
            figures.marginPercent.map(Cell.decimal) ?? .null,
            figures.burnPercent.map(Cell.decimal) ?? .null,
            .decimal(ledger.invoiced),
            .decimal(figures.unbilled),
            .decimal(engagement.targetMarginPercent),
            .decimal(figures.exposure),
            .bool(figures.atRisk),
            .text(engagement.isClosed ? "closed" : "open"),
        ]
    }
}
