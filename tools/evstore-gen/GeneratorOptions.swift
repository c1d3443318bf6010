// MARK: - Options

/// What to generate, as given on the command line.
struct GeneratorOptions {
    /// The largest event count, so that line numbers fit the 9-digit ids.
    static let maximumEventCount = 999_999_999
    /// The largest firm, far beyond any realistic workload.
    static let maximumConsultantCount = 1_000_000

    var eventCount = 10_000
    var seed: UInt64 = 42
    var startDay = CalendarDay(year: 2026, month: 1, day: 5)
    /// The firm's size when given; otherwise derived from `eventCount`.
    var requestedConsultantCount: Int?
    /// The output file, or nil for standard output.
    var outputPath: String?

    /// The firm's size: as requested, or about one consultant per 500
    /// events, at least 10 and at most 2000.
    var consultantCount: Int {
        requestedConsultantCount ?? min(2_000, max(10, eventCount / 500))
    }

    static let usage = """
        Usage: evstore-gen [--events N] [--seed S] [--start YYYY-MM-DD]
                           [--consultants N] [--out FILE]

        Writes a deterministic professional-services workload as JSON Lines
        in the evstore wire format: exactly N events, identical for identical
        arguments.

          --events N         number of lines to write (default 10000)
          --seed S           unsigned 64-bit seed (default 42)
          --start DATE       first simulated day (default 2026-01-05)
          --consultants N    size of the firm (default: events / 500,
                             at least 10, at most 2000)
          --out FILE         write to FILE instead of standard output
          -h, --help         show this help
        """
}

// MARK: - Parsing

/// What the command line asks for.
enum CommandLineRequest {
    case showHelp
    case generate(GeneratorOptions)
}

/// A command line that cannot be followed; the tool exits with status 2.
enum UsageError: Error, CustomStringConvertible {
    case unknownOption(String)
    case missingValue(option: String)
    case invalidValue(option: String, value: String, expected: String)
    case repeatedOption(String)

    var description: String {
        switch self {
        case let .unknownOption(option):
            return "unknown option '\(option)'"
        case let .missingValue(option):
            return "option \(option) needs a value"
        case let .invalidValue(option, value, expected):
            return "invalid value '\(value)' for \(option): expected \(expected)"
        case let .repeatedOption(option):
            return "option \(option) given more than once"
        }
    }
}

extension GeneratorOptions {
    /// Parses the arguments after the program name. Accepts `--name value`
    /// and `--name=value`.
    ///
    /// - Throws: `UsageError` naming the first offending argument.
    static func parse(_ arguments: [String]) throws(UsageError) -> CommandLineRequest {
        var options = GeneratorOptions()
        var seen: Set<String> = []
        var remaining = arguments[...]

        while let argument = remaining.popFirst() {
            if argument == "--help" || argument == "-h" {
                return .showHelp
            }
            let (name, inlineValue) = split(argument)
            guard Self.knownOptions.contains(name) else {
                throw .unknownOption(argument)
            }
            guard seen.insert(name).inserted else {
                throw .repeatedOption(name)
            }
            guard let value = inlineValue ?? remaining.popFirst() else {
                throw .missingValue(option: name)
            }
            try options.apply(value, to: name)
        }
        return .generate(options)
    }

    private static let knownOptions: Set<String> = [
        "--events", "--seed", "--start", "--consultants", "--out",
    ]

    private static func split(_ argument: String) -> (name: String, value: String?) {
        guard argument.hasPrefix("--"), let equals = argument.firstIndex(of: "=") else {
            return (argument, nil)
        }
        let value = String(argument[argument.index(after: equals)...])
        return (String(argument[..<equals]), value)
    }

    private mutating func apply(_ value: String, to name: String) throws(UsageError) {
        switch name {
        case "--events":
            guard let count = Int(value), (0...Self.maximumEventCount).contains(count) else {
                throw .invalidValue(option: name, value: value,
                                    expected: "a whole number from 0 to 999999999")
            }
            eventCount = count
        case "--seed":
            guard let seed = UInt64(value) else {
                throw .invalidValue(option: name, value: value,
                                    expected: "a whole number from 0 to 18446744073709551615")
            }
            self.seed = seed
        case "--start":
            guard let day = CalendarDay(parsing: value),
                  (1970...2999).contains(day.civilFields.year)
            else {
                throw .invalidValue(option: name, value: value,
                                    expected: "a date YYYY-MM-DD between 1970 and 2999")
            }
            startDay = day
        case "--consultants":
            guard let count = Int(value), (1...Self.maximumConsultantCount).contains(count) else {
                throw .invalidValue(option: name, value: value,
                                    expected: "a whole number from 1 to 1000000")
            }
            requestedConsultantCount = count
        default:
            guard !value.isEmpty else {
                throw .invalidValue(option: name, value: value, expected: "a file path")
            }
            outputPath = value
        }
    }
}
