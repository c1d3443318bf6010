import EventModel
import EventStore

/// What one source event became.
enum MappedOutcome {
    /// An event to append to `stream`.
    case event(stream: String, event: NewEvent, caseID: String)
    /// No rule matches the activity; the event is counted, not stored.
    case unmapped(activity: String, caseID: String)
}

/// Applies a mapping to source events. Remembers which rule each activity
/// name matched, since a log repeats a handful of names many times.
struct EventMapper {
    /// Activity names remembered at most; past it, names are matched afresh
    /// each time, so a log of ever-new names cannot grow memory without end.
    static let rememberedActivities = 10_000

    let mapping: LogMapping
    private var matches: [String: (index: Int, captures: [String: String])?] = [:]

    init(mapping: LogMapping) {
        self.mapping = mapping
    }

    /// Maps one source event.
    /// - Throws: `FieldFailure` naming the event field that could not be built.
    mutating func map(_ source: SourceEvent) throws(FieldFailure) -> MappedOutcome {
        guard let activity = source.attributes[mapping.activityAttribute], !activity.isEmpty
        else {
            throw FieldFailure(field: "activity",
                               reason: "attribute \(mapping.activityAttribute) is missing")
        }
        let caseScope = ValueScope(attributes: source.attributes, variables: [:])
        let caseID = try text(mapping.caseID.evaluate(in: caseScope, field: "case_id"),
                              field: "case_id")
        guard let (index, captures) = rule(for: activity) else {
            return .unmapped(activity: activity, caseID: caseID)
        }

        var variables = captures
        variables["case_id"] = caseID
        if let name = mapping.caseID.pattern?.placeholders.first { variables[name] = caseID }
        let scope = ValueScope(attributes: source.attributes, variables: variables)
        let rule = mapping.activities[index]
        let event = try makeEvent(type: rule.type, data: rule.data, in: scope)
        return .event(stream: try render(mapping.stream, in: scope, field: "stream"),
                      event: event, caseID: caseID)
    }

    private mutating func rule(for activity: String) -> (index: Int, captures: [String: String])? {
        if let known = matches[activity] { return known }
        let found = mapping.rule(for: activity)
        if matches.count < Self.rememberedActivities { matches[activity] = .some(found) }
        return found
    }

    // MARK: - Building the event

    private func makeEvent(type: String, data: NamedRules,
                           in scope: ValueScope) throws(FieldFailure) -> NewEvent {
        let id = try render(mapping.eventID, in: scope, field: "id")
        let occurredText = try text(mapping.occurredAt.evaluate(in: scope, field: "occurred_at"),
                                    field: "occurred_at")
        let occurredAt: Timestamp
        do throws(TimestampError) {
            occurredAt = try Timestamp(rfc3339: occurredText)
        } catch {
            throw FieldFailure(field: "occurred_at",
                               reason: "must be an RFC 3339 date-time: \(error)")
        }

        var event = NewEvent(type: type, data: "{}", id: id, occurredAt: occurredAt)
        event.data = try object(data, in: scope, prefix: "data")
        if !mapping.metadata.isEmpty {
            event.metadata = try object(mapping.metadata, in: scope, prefix: "metadata")
        }
        return event
    }

    /// The members' values as one compact JSON object, in mapping order.
    private func object(_ members: NamedRules, in scope: ValueScope,
                        prefix: String) throws(FieldFailure) -> [UInt8] {
        var bytes: [UInt8] = [UInt8(ascii: "{")]
        for (offset, member) in members.enumerated() {
            if offset > 0 { bytes.append(UInt8(ascii: ",")) }
            JSONWriter.appendString(member.key, to: &bytes)
            bytes.append(UInt8(ascii: ":"))
            let value = try member.rule.evaluate(in: scope, field: prefix + "." + member.key)
            JSONWriter.appendValue(value, to: &bytes)
        }
        bytes.append(UInt8(ascii: "}"))
        return bytes
    }

    private func render(_ template: TextPattern, in scope: ValueScope,
                        field: String) throws(FieldFailure) -> String {
        do throws(MissingPlaceholder) {
            return try template.render(scope.lookup)
        } catch {
            throw FieldFailure(field: field, reason: "{\(error.name)} of \"\(template)\" "
                + "is neither a capture nor an attribute of the event")
        }
    }

    private func text(_ value: JSONValue, field: String) throws(FieldFailure) -> String {
        guard case .string(let text) = value else {
            throw FieldFailure(field: field,
                               reason: "must be text, got \(MappingReader.kind(of: value))")
        }
        return text
    }
}
