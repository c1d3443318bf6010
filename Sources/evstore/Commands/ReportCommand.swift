import EventModel
import EventStore
import Foundation
import Projections

/// A read model's rows with their cells looked up by column name.
struct NamedRows {
    let model: ReadModel

    var rows: [[String: Cell]] {
        model.rows.map { row in
            Dictionary(uniqueKeysWithValues: zip(model.columns.map(\.name), row))
        }
    }

    func text(_ row: [String: Cell], _ name: String) -> String {
        guard let cell = row[name],
              let column = model.columns.first(where: { $0.name == name }) else { return "" }
        return cell.formatted(for: column)
    }
}

extension Cell {
    var decimalValue: Decimal? {
        switch self {
        case .decimal(let value): return value
        case .integer(let value): return Decimal(value)
        default: return nil
        }
    }

    var isTrue: Bool { self == .bool(true) }
}

struct ReportCommand: Command {
    static let spec = CommandSpec(
        name: "report", usage: "report [--now T] [--top N]",
        summary: """
            A short leadership summary of the four read models as of their checkpoints:
            engagements at risk, approvals past their SLA, milestones ready but not
            invoiced, and consultants below target in the latest week.
            """,
        options: [
            .option("--now", "T", "the time ages are computed against (default: the clock)"),
            .option("--top", "N", "how many rows to list under each heading (default 5)"),
        ],
        positionals: 0...0)

    static func run(_ arguments: ParsedArguments, context: Context) throws {
        let now = try parseTime(arguments.value("--now"), option: "--now") ?? Timestamp.now()
        let top = try arguments.int("--top", atLeast: 0) ?? 5
        let store = try context.openStore(readOnly: true)
        let engine = try context.openEngine(store)
        func model(_ name: String) throws -> NamedRows { NamedRows(model: try engine.model(name, now: now)) }
        var text = "as of \(now.secondsString)\n"
        text += atRisk(try model("margin-exposure"), top: top)
        text += pastSLA(try model("approval-aging"), top: top)
        text += readyToInvoice(try model("billing-readiness"), top: top)
        text += belowTarget(try model("utilization"), now: now, top: top)
        print(text, terminator: "")
    }

    static func atRisk(_ model: NamedRows, top: Int) -> String {
        let rows = model.rows.filter { $0["at_risk"]?.isTrue == true }
            .sorted { ($0["exposure"]?.decimalValue ?? 0) > ($1["exposure"]?.decimalValue ?? 0) }
        var text = "\nengagements at risk: \(rows.count) of \(model.rows.count)"
            + " (by margin exposure)\n"
        for row in rows.prefix(top) {
            text += "  \(model.text(row, "engagement_id"))  \(model.text(row, "client_id"))  "
                + "margin \(model.text(row, "margin_pct"))% vs target "
                + "\(model.text(row, "target_margin_pct"))%, burn "
                + "\(model.text(row, "budget_burn_pct"))%, exposure "
                + "\(model.text(row, "exposure")) \(model.text(row, "currency"))\n"
        }
        return text
    }

    static func pastSLA(_ model: NamedRows, top: Int) -> String {
        let rows = model.rows
            .filter { $0["status"] == .text("open") && $0["breached"]?.isTrue == true }
            .sorted { ($0["age_hours"]?.decimalValue ?? 0) > ($1["age_hours"]?.decimalValue ?? 0) }
        let open = model.rows.filter { $0["status"] == .text("open") }.count
        var text = "\nopen approvals past their SLA: \(rows.count) of \(open) open (oldest first)\n"
        for row in rows.prefix(top) {
            text += "  \(model.text(row, "approval_id"))  \(model.text(row, "kind"))  waiting "
                + "\(model.text(row, "age_hours")) h (SLA \(model.text(row, "sla_hours")) h) "
                + "with \(model.text(row, "approver_role"))\n"
        }
        return text
    }

    static func readyToInvoice(_ model: NamedRows, top: Int) -> String {
        let rows = model.rows.filter { $0["status"] == .text("ready") }
            .sorted { ($0["days_ready"]?.decimalValue ?? 0) > ($1["days_ready"]?.decimalValue ?? 0) }
        let total = rows.reduce(Decimal(0)) { $0 + ($1["amount"]?.decimalValue ?? 0) }
        let blocked = model.rows.filter { $0["status"] == .text("blocked") }.count
        var text = "\nmilestones ready but not invoiced: \(rows.count), worth "
            + "\(ExactDecimal.format(total, fractionDigits: 2)); \(blocked) blocked\n"
        for row in rows.prefix(top) {
            text += "  \(model.text(row, "milestone_id"))  \(model.text(row, "engagement_id"))  "
                + "\(model.text(row, "amount"))  ready for \(model.text(row, "days_ready")) days\n"
        }
        return text
    }

    static func belowTarget(_ model: NamedRows, now: Timestamp, top: Int) -> String {
        // The latest week that has ended by now.
        let lastStart = now.utcDate.adding(days: -7).description
        let weeks = Set(model.rows.map { model.text($0, "week_start") }.filter { $0 <= lastStart })
        guard let week = weeks.max() else {
            return "\nconsultants below target: no complete week yet\n"
        }
        let inWeek = model.rows.filter { model.text($0, "week_start") == week }
        let rows = inWeek.filter { $0["status"] == .text("below_target") }
            .sorted {
                ($0["utilization_pct"]?.decimalValue ?? 0) < ($1["utilization_pct"]?.decimalValue ?? 0)
            }
        var text = "\nconsultants below target in the week of \(week): \(rows.count) of "
            + "\(inWeek.count)\n"
        for row in rows.prefix(top) {
            text += "  \(model.text(row, "consultant_id"))  utilization "
                + "\(model.text(row, "utilization_pct"))% vs target \(model.text(row, "target_pct"))%"
                + " (\(model.text(row, "billable_hours")) of \(model.text(row, "available_hours")) h)\n"
        }
        return text
    }
}
