import ArgumentParser
import UntypedCore
import UntypedKit
import UntypedVerifier

/// `--arch`, `--strategy`, `--obligation` as the verifier reads them.
struct ProofSelection: ParsableArguments {
    @Option(help: ArgumentHelp("A configuration ('untyped archs'), custom:…, any-64 or any-32 (every PPTR_BASE_OFFSET and device top), or 'all'.", valueName: "arch"))
    var arch: String = "all"

    @Option(help: ArgumentHelp("offset (default), absolute, rust-sel4, mutant-align-off-by-one, mutant-floor-log2, mutant-single-hold, mutant-no-physical-check, mutant-skip-smallest-block, or 'all'.", valueName: "strategy"))
    var strategy: String = "offset"

    @Option(help: ArgumentHelp("One or more (comma-separated) of \(Obligation.allCases.map(\.rawValue).joined(separator: ", ")); default: all, in that order.", valueName: "obligations"))
    var obligation: String?

    @Option(help: "Seconds the solver may spend on one query before the result is unknown.")
    var timeout: UInt32 = 120

    mutating func validate() throws {
        do { _ = try windows(); _ = try strategies(); _ = try obligations() } catch { throw ValidationError(error.message) }
        guard timeout > 0 else { throw ValidationError("--timeout: must be at least 1 second") }
    }

    func windows() throws(InputError) -> [ProofWindow] {
        switch arch {
        case "all": return KernelWindow.catalogue.map(ProofWindow.init) + [.any(wordBits: 64), .any(wordBits: 32)]
        default: return [try ProofWindow.resolve(arch, source: "--arch")]
        }
    }

    func strategies() throws(InputError) -> [StrategyUnderTest] {
        if strategy == "all" { return StrategyUnderTest.allCases.filter { !$0.isMutant } }
        guard let s = StrategyUnderTest(cliName: strategy) else {
            throw InputError("--strategy: unknown strategy '\(strategy)' (known: \(StrategyUnderTest.allCases.map(\.cliName).joined(separator: ", ")), all)")
        }
        return [s]
    }

    func obligations() throws(InputError) -> [Obligation] {
        guard let list = obligation else { return Obligation.allCases }
        var chosen: [Obligation] = []
        for name in list.split(separator: ",").map(String.init) {
            guard let o = Obligation(rawValue: name) else {
                throw InputError("--obligation: unknown obligation '\(name)' (known: \(Obligation.allCases.map(\.rawValue).joined(separator: ", ")))")
            }
            chosen.append(o)
        }
        return Obligation.allCases.filter(chosen.contains)
    }
}
