#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

// evstore-gen: writes a deterministic professional-services workload as
// JSON Lines in the evstore wire format. See README.md next to this file.

/// Exit statuses, following the BSD `sysexits` convention for usage errors.
enum ExitStatus: Int32 {
    case success = 0
    case outputFailed = 1
    case usage = 2
}

/// Generates the workload described by `options`.
///
/// - Throws: `GenerationError` when the output cannot be opened or written,
///   or the simulated calendar runs out.
func generate(_ options: GeneratorOptions) throws(GenerationError) {
    let output: OutputFile
    do {
        if let path = options.outputPath {
            output = try OutputFile.creating(path: path)
        } else {
            output = OutputFile.standardOutput()
        }
    } catch {
        throw .output(error)
    }

    // On failure the file is closed when `output` goes away.
    var simulation = Simulation(options: options, output: output)
    try simulation.run()

    do {
        try output.close()
    } catch {
        throw .output(error)
    }
}

func runCommandLine() -> ExitStatus {
    let request: CommandLineRequest
    do {
        request = try GeneratorOptions.parse(Array(CommandLine.arguments.dropFirst()))
    } catch {
        writeDiagnostic("evstore-gen: \(error) (see --help)")
        return .usage
    }

    switch request {
    case .showHelp:
        print(GeneratorOptions.usage)
        return .success
    case let .generate(options):
        do {
            try generate(options)
            return .success
        } catch {
            writeDiagnostic("evstore-gen: \(error)")
            return .outputFailed
        }
    }
}

exit(runCommandLine().rawValue)
