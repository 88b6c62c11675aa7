import ArgumentParser
import Foundation
import UntypedCore
import UntypedKit
import UntypedVerifier

/// `untyped counterexample`: a concrete input on which a strategy disagrees with the kernel.
struct CounterexampleCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "counterexample",
        abstract: "Find, minimise and explain an input on which a strategy breaks an obligation.",
        discussion: """
            The obligations are tried in order (or only --obligation). The first refutation is \
            minimised (fresh untyped, one object, small sizes where possible), replayed through \
            the concrete core, explained in words, and with --json written as a trace with \
            "expected" placements that 'untyped replay' runs. dummy-search is not tried: it is a \
            lemma about the search's rounds, whose inputs are not a state of an untyped (progress \
            and optimality give the search's counterexamples). Exit 0 when a counterexample was \
            found, 1 when every obligation holds, 2 on usage errors, 3 when the solver gave no verdict.
            """)

    @OptionGroup var selection: ProofSelection
    @OptionGroup var output: OutputOptions

    mutating func validate() throws {
        guard selection.arch != "all" else { throw ValidationError("--arch: name one configuration") }
        guard selection.strategy != "all" else { throw ValidationError("--strategy: name one strategy") }
        if let list = selection.obligation, list.split(separator: ",").allSatisfy({ $0 == Substring(Obligation.dummySearch.rawValue) }) {
            throw ValidationError("--obligation: dummy-search is a lemma about the search's rounds and has no counterexample an untyped can reach; ask for progress or optimality")
        }
    }

    func run() throws {
        let window = try selection.windows()[0], strategy = try selection.strategies()[0]
        let verifier = Verifier(timeoutMilliseconds: selection.timeout * 1000)
        var undecided: [String] = []
        for obligation in try selection.obligations() where obligation != .dummySearch {
            let cex: Counterexample
            switch try verifier.counterexample(obligation, window: window, strategy: strategy) {
            case .holds: continue
            case .unknown(let reason):
                Diagnostics.warning("no verdict on \(obligation.rawValue): \(reason)")
                undecided.append(obligation.rawValue)
                continue
            case .found(let found): cex = found
            }
            if !cex.reproduced {
                Diagnostics.warning("encoder disagreement on \(obligation.rawValue): the solver's model does not reproduce on the concrete core; not a bug report")
                undecided.append(obligation.rawValue)
                continue
            }
            if output.json {
                print(cex.traceJSON ?? "{}")
            } else {
                print("\(window.name), strategy \(strategy.cliName), obligation \(obligation.rawValue): refuted")
                print(cex.explanation)
                print("inputs: " + cex.inputs.map { "\($0.name)=0x\(String($0.value, radix: 16))" }.joined(separator: " "))
                if cex.traceJSON != nil { print("(--json writes a trace that 'untyped replay' runs)") }
            }
            return
        }
        if !undecided.isEmpty {
            print("\(window.name), strategy \(strategy.cliName): no counterexample found; no verdict on \(undecided.joined(separator: ", "))")
            throw ExitStatus.unknown.exitCode
        }
        print("\(window.name), strategy \(strategy.cliName): no counterexample; every obligation tried holds")
        throw ExitStatus.failed.exitCode
    }
}
