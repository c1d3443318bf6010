import EventModel

// A declarative mapping from an event log to store events, loaded from a
// JSON file (the format is described in tools/mappings/README.md).
//
// Per source event: the case id gives the case's variables, the activity
// picks the first rule that matches (exact name or pattern, in file order),
// and the rule's type and data, with the mapping's stream, event id,
// occurred_at and metadata, make the event. An activity no rule matches is
// counted as unmapped, never dropped silently.

/// How an event log becomes store events. Load one with ``load(path:)``.
public struct LogMapping: Sendable {
    /// The mapping file, as given (for messages).
    public let file: String
    /// The name of the source, e.g. `bpi2020`.
    public let source: String
    /// The attribute holding the activity name; `concept:name` by default.
    let activityAttribute: String
    /// The case id; its value is the variable `case_id`, and its pattern's
    /// placeholder (if any) names a second variable with the same value.
    let caseID: ValueRule
    let stream: TextPattern
    let eventID: TextPattern
    let occurredAt: ValueRule
    let metadata: NamedRules
    let activities: [ActivityRule]

    /// The rule for the first activity rule matching `activity`, with its
    /// captures, or nil when no rule matches.
    /// - Complexity: O(r·n) for r rules and an activity of n bytes.
    func rule(for activity: String) -> (index: Int, captures: [String: String])? {
        for (index, rule) in activities.enumerated() {
            if let captures = rule.match.captures(for: activity) {
                return (index, captures)
            }
        }
        return nil
    }
}

/// Which activities a rule covers.
enum ActivityMatch: Sendable {
    /// Exactly this name.
    case exact(String)
    /// Any name the pattern matches; its placeholders become captures.
    case pattern(TextPattern)

    /// The captures when `activity` matches (empty for an exact name), else nil.
    func captures(for activity: String) -> [String: String]? {
        switch self {
        case .exact(let name):
            return name.utf8.elementsEqual(activity.utf8) ? [:] : nil
        case .pattern(let pattern):
            return pattern.match(activity)
        }
    }
}

/// One entry of `activities`: what it matches, the event type it gives and
/// how the event's data is built.
struct ActivityRule: Sendable {
    let match: ActivityMatch
    let type: String
    let data: NamedRules
}
