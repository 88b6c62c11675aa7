import ArgumentParser
import UntypedKit

/// `--arch` and `--mcs`, shared by every command that works on a kernel configuration.
struct ArchOptions: ParsableArguments {
    @Option(help: ArgumentHelp(
        "Kernel configuration: a catalogue name ('untyped archs') or custom:KEY=VALUE,…; replaces the input's \"arch\".",
        discussion: CustomWindow.grammar, valueName: "arch"))
    var arch: String?

    @Flag(help: "MCS kernel: SchedContext and Reply objects exist, architecture type numbers are 2 higher, notifications are twice as large.")
    var mcs = false

    mutating func validate() throws {
        do { _ = try window() } catch { throw ValidationError(error.message) }
    }

    /// The configuration named by `--arch`, if given.
    func window() throws(InputError) -> KernelWindow? {
        guard let arch else { return nil }
        return try KernelWindow.resolve(arch, source: "--arch")
    }
}

/// `--json`.
struct OutputOptions: ParsableArguments {
    @Flag(help: "Write JSON instead of a table.")
    var json = false
}
