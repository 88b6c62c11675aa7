import ArgumentParser
import Foundation
import UntypedKit

/// The root command.
struct Untyped: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "untyped",
        abstract: "Plan, check and replay seL4 untyped retypes, bit-exact with the kernel.",
        discussion: """
            Addresses are hex strings ("0x8000000000") in every file; JSON integers are accepted \
            on input. Kernel configurations: 'untyped archs'.

            Exit codes:
              0  success (replay matched, property proved)
              1  a kernel error, a refuted property or a paddr mismatch
              2  bad input or usage (one line on stderr)
              3  unknown or timeout
            """,
        // Subcommands, one file each. Verify, Counterexample, Plan and Bench go here.
        subcommands: [
            ArchsCommand.self,
            BootinfoCommand.self,
            ReplayCommand.self,
            KernelLogCommand.self,
            PlanCommand.self,
            CampaignCommand.self,
            VerifyCommand.self,
            CounterexampleCommand.self,
            BenchCommand.self,
            DiagnoseCommand.self,
        ]
    )
}

/// The documented exit codes.
enum ExitStatus: Int32 {
    case success = 0
    /// A kernel error, a refuted property, a paddr mismatch.
    case failed = 1
    /// Bad input or usage.
    case badInput = 2
    /// Unknown result or timeout.
    case unknown = 3

    var exitCode: ExitCode { ExitCode(rawValue) }
}

/// Diagnostics: one line each, on stderr.
enum Diagnostics {
    static func error(_ message: String) { write("error: \(message)") }
    static func warning(_ message: String) { write("warning: \(message)") }

    private static func write(_ line: String) {
        FileHandle.standardError.write(Data((line + "\n").utf8))
    }
}

extension Untyped {
    /// Parses `arguments`, runs the command and exits: help and version with 0, a command's
    /// own `ExitCode` as is, bad input and bad usage with 2 and one `error:` line.
    static func runAndExit(_ arguments: [String]) -> Never {
        do {
            var command = try parseAsRoot(arguments)
            try command.run()
            Foundation.exit(ExitStatus.success.rawValue)
        } catch let error as InputError {
            Diagnostics.error(error.message)
            Foundation.exit(ExitStatus.badInput.rawValue)
        } catch let code as ExitCode {
            Foundation.exit(code.rawValue)
        } catch {
            if exitCode(for: error) == .success { exit(withError: error) }   // --help, --version
            Diagnostics.error(usageMessage(for: error))
            Foundation.exit(ExitStatus.badInput.rawValue)
        }
    }

    /// The parser's message for a usage error, reduced to one line.
    static func usageMessage(for error: Error) -> String {
        let lines = message(for: error).split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }
        var line = lines.first { !$0.isEmpty } ?? "invalid usage"
        if line.hasPrefix("Error: ") { line.removeFirst("Error: ".count) }
        return line
    }
}
