/// The command line's one parser: every command declares its options here,
/// and `parse` turns `argv` into positionals, option values and flags.

/// A usage error: printed as one line, exit code 2.
struct UsageError: Error, CustomStringConvertible {
    let description: String
    init(_ message: String) { description = message }
}

/// One option a command accepts.
struct OptionSpec {
    let name: String
    /// nil for a flag; otherwise the value's placeholder in help, e.g. `FILE`.
    let value: String?
    let help: String

    static func flag(_ name: String, _ help: String) -> OptionSpec {
        OptionSpec(name: name, value: nil, help: help)
    }

    static func option(_ name: String, _ value: String, _ help: String) -> OptionSpec {
        OptionSpec(name: name, value: value, help: help)
    }
}

/// A command's name, usage line, help text and options.
struct CommandSpec {
    let name: String
    let usage: String
    let summary: String
    let options: [OptionSpec]
    /// How many positional arguments it takes.
    let positionals: ClosedRange<Int>

    var help: String {
        var text = "usage: evstore [--store DIR] \(usage)\n\n\(summary)\n"
        let all = options + [.flag("--help", "show this help")]
        text += "\noptions:\n"
        for option in all {
            let left = option.value.map { "\(option.name) \($0)" } ?? option.name
            let pad = String(repeating: " ", count: max(2, 26 - left.count))
            text += "  \(left)\(pad)\(option.help)\n"
        }
        return text
    }
}

/// What was on the command line for one command.
struct ParsedArguments {
    var positionals: [String] = []
    var values: [String: [String]] = [:]
    var flags: Set<String> = []

    func value(_ name: String) -> String? { values[name]?.last }
    func all(_ name: String) -> [String] { values[name] ?? [] }
    func has(_ name: String) -> Bool { flags.contains(name) }

    /// Whether `name` (an option or a flag) is on the command line.
    func gave(_ name: String) -> Bool { values[name] != nil || flags.contains(name) }

    /// The whole number given to `name`, refused below `minimum`.
    func int(_ name: String, atLeast minimum: Int = .min) throws -> Int? {
        guard let text = value(name) else { return nil }
        guard let number = Int(text) else {
            throw UsageError("\(name) takes a whole number, got \"\(text)\"")
        }
        guard number >= minimum else {
            throw UsageError("\(name) must be at least \(minimum), got \(number)")
        }
        return number
    }

    /// Refuses any of `names` that was given: they belong to another form
    /// of the command, and ignoring them would print what was not asked for.
    func refuse(_ names: [String], _ reason: String) throws {
        if let given = names.first(where: gave) {
            throw UsageError("\(given) \(reason)")
        }
    }

    /// Parses `arguments` (the words after the command name) against `spec`.
    /// `--name=value` and `--name value` are both accepted; `--` ends options.
    static func parse(_ arguments: [String], spec: CommandSpec) throws -> ParsedArguments {
        var parsed = ParsedArguments()
        var rest = arguments[...]
        var optionsEnded = false
        while let word = rest.popFirst() {
            if optionsEnded || !word.hasPrefix("--") || word == "-" {
                parsed.positionals.append(word)
                continue
            }
            if word == "--" {
                optionsEnded = true
                continue
            }
            var name = word
            var inline: String?
            if let equals = word.firstIndex(of: "=") {
                name = String(word[..<equals])
                inline = String(word[word.index(after: equals)...])
            }
            if name == "--help" {
                parsed.flags.insert(name)
                continue
            }
            guard let option = spec.options.first(where: { $0.name == name }) else {
                throw UsageError("\(spec.name): unknown option \(name) (see evstore "
                    + "\(spec.name) --help)")
            }
            if option.value == nil {
                if inline != nil { throw UsageError("\(name) takes no value") }
                parsed.flags.insert(name)
            } else if let value = inline ?? rest.popFirst() {
                parsed.values[name, default: []].append(value)
            } else {
                throw UsageError("\(name) needs a value (\(option.value!))")
            }
        }
        if !parsed.has("--help") && !spec.positionals.contains(parsed.positionals.count) {
            if parsed.positionals.count > spec.positionals.upperBound {
                let extra = parsed.positionals[spec.positionals.upperBound]
                throw UsageError("\(spec.name): unexpected argument \"\(extra)\"; "
                    + "usage: evstore \(spec.usage)")
            }
            throw UsageError("usage: evstore \(spec.usage)")
        }
        return parsed
    }
}
