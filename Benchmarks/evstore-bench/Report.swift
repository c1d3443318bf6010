import EventModel
import Foundation

/// What a figure must reach.
enum Target: Sendable {
    case atLeast(Double)
    case atMost(Double)
    /// No target: the figure is reported for context.
    case none

    func isMet(by value: Double) -> Bool? {
        switch self {
        case .atLeast(let bound): return value >= bound
        case .atMost(let bound): return value <= bound
        case .none: return nil
        }
    }
}

/// One line of the report.
struct Figure: Sendable {
    /// What was measured, e.g. "import JSON Lines (relaxed, flush at end)".
    let name: String
    let value: Double
    /// "events/s", "ms", "MB", "x input".
    let unit: String
    let target: Target
    /// The baseline's value of the same figure, when it has one.
    var baseline: Double? = nil
    /// True when a larger value is better (throughput); the ratio is then
    /// evstore / baseline, otherwise baseline / evstore, so > 1 favours evstore.
    var higherIsBetter = true
    /// A figure that could not be measured in this run says why.
    var skippedReason: String? = nil

    var ratio: Double? {
        guard let baseline, baseline > 0, value > 0 else { return nil }
        return higherIsBetter ? value / baseline : baseline / value
    }

    var met: Bool? { skippedReason == nil ? target.isMet(by: value) : nil }

    static func skipped(_ name: String, unit: String, target: Target,
                        reason: String) -> Figure {
        Figure(name: name, value: 0, unit: unit, target: target, skippedReason: reason)
    }
}

/// Prints the figures as an aligned table and writes them as JSON.
enum Report {
    static func format(_ value: Double, unit: String) -> String {
        switch unit {
        case "events/s", "events": return grouped(Int(value.rounded()))
        case "ms": return value < 10 ? String(format: "%.3f", value) : String(format: "%.1f", value)
        default: return String(format: "%.2f", value)
        }
    }

    static func targetText(_ target: Target, unit: String) -> String {
        switch target {
        case .atLeast(let bound): return ">= " + format(bound, unit: unit) + " " + unit
        case .atMost(let bound): return "<= " + format(bound, unit: unit) + " " + unit
        case .none: return "-"
        }
    }

    private static func grouped(_ number: Int) -> String {
        let digits = Array(String(number))
        var out = ""
        for (index, digit) in digits.enumerated() {
            if index > 0 && (digits.count - index) % 3 == 0 { out.append(",") }
            out.append(digit)
        }
        return out
    }

    /// The table, one row per figure, columns padded to their widest cell.
    static func table(_ figures: [Figure]) -> String {
        let header = ["figure", "value", "target", "met", "baseline", "ratio"]
        let rows = figures.map { figure -> [String] in
            if let reason = figure.skippedReason {
                return [figure.name, "skipped", targetText(figure.target, unit: figure.unit),
                        "-", "-", reason]
            }
            return [
                figure.name,
                format(figure.value, unit: figure.unit) + " " + figure.unit,
                targetText(figure.target, unit: figure.unit),
                figure.met.map { $0 ? "yes" : "NO" } ?? "-",
                figure.baseline.map { format($0, unit: figure.unit) } ?? "-",
                figure.ratio.map { String(format: "%.2fx", $0) } ?? "-",
            ]
        }
        let all = [header] + rows
        let widths = header.indices.map { column in all.map { $0[column].count }.max() ?? 0 }
        return all.map { cells in
            cells.enumerated().map { column, cell in
                let pad = String(repeating: " ", count: widths[column] - cell.count)
                return column == 0 || column == 5 ? cell + pad : pad + cell
            }.joined(separator: "  ")
        }.map { String($0.reversed().drop { $0 == " " }.reversed()) }.joined(separator: "\n")
    }

    /// The figures and the run's context as one JSON document.
    static func json(_ figures: [Figure], context: [(String, JSONValue)]) -> String {
        let items = figures.map { figure -> JSONValue in
            var members: [(key: String, value: JSONValue)] = [
                ("name", .string(figure.name)),
                ("unit", .string(figure.unit)),
                ("value", figure.skippedReason == nil ? number(figure.value) : .null),
            ]
            switch figure.target {
            case .atLeast(let bound): members.append(("target", .string(">=")))
                members.append(("target_value", number(bound)))
            case .atMost(let bound): members.append(("target", .string("<=")))
                members.append(("target_value", number(bound)))
            case .none: members.append(("target", .null))
            }
            members.append(("met", figure.met.map { .bool($0) } ?? .null))
            members.append(("baseline", figure.baseline.map(number) ?? .null))
            members.append(("ratio", figure.ratio.map(number) ?? .null))
            if let reason = figure.skippedReason { members.append(("skipped", .string(reason))) }
            return .object(JSONObject(members: members))
        }
        var members = context.map { (key: $0.0, value: $0.1) }
        members.append((key: "figures", value: .array(items)))
        return JSONWriter.string(.object(JSONObject(members: members))) + "\n"
    }

    static func number(_ value: Double) -> JSONValue {
        guard value.isFinite, let parsed = JSONNumber(literal: String(format: "%.10g", value))
        else { return .null }
        return .number(parsed)
    }
}
