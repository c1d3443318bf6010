import EventModel

// Reading value rules and activity rules from a mapping document.

extension MappingReader {
    // MARK: - Value rules

    /// A required value rule at `parent.key`.
    func valueRule(_ object: JSONObject, _ key: String, at parent: String,
                   captures: Set<String>) throws(MappingError) -> ValueRule {
        guard let value = object[key] else { throw fail(path(parent, key), "is required") }
        return try valueRule(value, at: path(parent, key), captures: captures)
    }

    /// An optional object whose members are value rules, in file order.
    func ruleObject(_ object: JSONObject, _ key: String, at parent: String,
                    captures: Set<String>) throws(MappingError) -> NamedRules {
        guard let value = object[key] else { return [] }
        let at = path(parent, key)
        guard case .object(let members) = value else {
            throw fail(at, "must be an object, got \(Self.kind(of: value))")
        }
        var rules: NamedRules = []
        for member in members.members {
            let rule = try valueRule(member.value, at: path(at, member.key), captures: captures)
            rules.append((member.key, rule))
        }
        return rules
    }

    /// A value rule: a string is a template, a number, `true`, `false` or
    /// `null` a constant, and an object spells the rule out.
    func valueRule(_ value: JSONValue, at key: String,
                   captures: Set<String>) throws(MappingError) -> ValueRule {
        switch value {
        case .string(let text):
            return ValueRule(source: .template(try pattern(text, at: key, matchable: false)))
        case .number, .bool, .null:
            return ValueRule(source: .constant(value))
        case .array:
            throw fail(key, "must be a string, a number, true, false, null or an object")
        case .object(let object):
            return try spelledOutRule(object, at: key, captures: captures)
        }
    }

    private static let sourceKeys = ["constant", "attribute", "capture", "template"]

    private func spelledOutRule(_ object: JSONObject, at key: String,
                                captures: Set<String>) throws(MappingError) -> ValueRule {
        try checkKeys(object, at: key,
                      allowed: Self.sourceKeys + ["pattern", "transform", "otherwise"])
        let given = Self.sourceKeys.filter { object.contains(key: $0) }
        guard given.count == 1 else {
            throw fail(key, given.isEmpty
                ? "needs one of " + Self.list(Self.sourceKeys)
                : "takes only one of " + Self.list(given))
        }

        let source = try ruleSource(given[0], object, at: key, captures: captures)
        if case .constant = source {
            for extra in ["pattern", "transform", "otherwise"] where object.contains(key: extra) {
                throw fail(key, "a constant takes no \(extra)")
            }
        }
        var rule = ValueRule(source: source)
        if let text = try optionalString(object, "pattern", at: key) {
            let pattern = try pattern(text, at: path(key, "pattern"), matchable: true)
            guard pattern.placeholders.count == 1 else {
                throw fail(key, "a value pattern needs exactly one {placeholder}, "
                    + "the part of the value to keep")
            }
            rule.pattern = pattern
        }
        if let name = try optionalString(object, "transform", at: key) {
            guard let transform = ValueTransform(rawValue: name) else {
                let names = ValueTransform.allCases.map(\.rawValue)
                throw fail(key, "unknown transform \"\(name)\" "
                    + "(expected " + Self.list(names) + ")")
            }
            rule.transform = transform
        }
        rule.otherwise = object["otherwise"]
        return rule
    }

    private func ruleSource(_ name: String, _ object: JSONObject, at key: String,
                            captures: Set<String>) throws(MappingError) -> ValueRule.Source {
        switch name {
        case "constant":
            return .constant(object["constant"] ?? .null)
        case "attribute":
            return .attribute(try requiredString(object, "attribute", at: key))
        case "capture":
            let capture = try requiredString(object, "capture", at: key)
            guard captures.contains(capture) else {
                let known = captures.sorted().map { "{\($0)}" }
                throw fail(key, "unknown capture \"\(capture)\" (known here: "
                    + (known.isEmpty ? "none" : known.joined(separator: ", ")) + ")")
            }
            return .capture(capture)
        default:
            let text = try requiredString(object, "template", at: key)
            return .template(try pattern(text, at: path(key, "template"), matchable: false))
        }
    }

    // MARK: - Activity rules

    func activityRules(_ root: JSONObject,
                       caseVariables: Set<String>) throws(MappingError) -> [ActivityRule] {
        guard let value = root["activities"] else { throw fail("activities", "is required") }
        guard case .array(let entries) = value, !entries.isEmpty else {
            throw fail("activities", "must be a non-empty array of rules")
        }
        var rules: [ActivityRule] = []
        for (index, entry) in entries.enumerated() {
            rules.append(try activityRule(entry, at: "activities[\(index)]",
                                          caseVariables: caseVariables))
        }
        return rules
    }

    private func activityRule(_ value: JSONValue, at key: String,
                              caseVariables: Set<String>) throws(MappingError) -> ActivityRule {
        guard case .object(let object) = value else {
            throw fail(key, "must be an object, got \(Self.kind(of: value))")
        }
        try checkKeys(object, at: key, allowed: ["match", "type", "data"])

        let match = try activityMatch(object, at: key, caseVariables: caseVariables)
        let type = try requiredString(object, "type", at: key)
        do throws(ValidationError) {
            try EventNames.validateType(type)
        } catch {
            throw fail(path(key, "type"), error.reason)
        }
        var captures = caseVariables
        if case .pattern(let pattern) = match { captures.formUnion(pattern.placeholders) }
        let data = try ruleObject(object, "data", at: key, captures: captures)
        return ActivityRule(match: match, type: type, data: data)
    }

    private func activityMatch(_ object: JSONObject, at parent: String,
                               caseVariables: Set<String>) throws(MappingError) -> ActivityMatch {
        let key = path(parent, "match")
        switch object["match"] {
        case nil:
            throw fail(key, "is required")
        case .string(let name)?:
            guard !name.isEmpty else { throw fail(key, "must not be empty") }
            return .exact(name)
        case .object(let spec)?:
            try checkKeys(spec, at: key, allowed: ["pattern"])
            let text = try requiredString(spec, "pattern", at: key)
            let pattern = try pattern(text, at: path(key, "pattern"), matchable: true)
            for name in pattern.placeholders where caseVariables.contains(name) {
                throw fail(path(key, "pattern"),
                           "{\(name)} is already a case variable; choose another name")
            }
            return .pattern(pattern)
        case let other?:
            throw fail(key, "must be an activity name or {\"pattern\": \"...\"}, got "
                + Self.kind(of: other))
        }
    }
}
