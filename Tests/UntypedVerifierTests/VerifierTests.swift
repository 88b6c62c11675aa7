import Foundation
import Testing
import UntypedCore
import UntypedKit
@testable import UntypedVerifier

let x86Window = ProofWindow(KernelWindow.named("x86_64")!)
let imx6Window = ProofWindow(KernelWindow.named("aarch32-imx6")!)

func verdict(_ o: Obligation, _ w: ProofWindow, _ s: StrategyUnderTest) throws -> ProofResult {
    try Verifier(timeoutMilliseconds: 300_000).verify(o, window: w, strategy: s).result
}

// The slow proof runs (broken strategies refuted with reproduced counterexamples, the forms the
// search obligations are proved in, the absolute rule's counterexample trace and its replay)
// run through the CLI in scripts/refutations, a stage of scripts/test, with the same assertions.

/// A search the solver gives up on is no verdict, never "holds".
@Test func counterexampleSearchTimeoutIsUnknown() throws {
    let result = try Verifier(timeoutMilliseconds: 1).counterexample(.optimality, window: .any(wordBits: 64), strategy: .offset)
    guard case .unknown = result else {
        Issue.record("expected unknown, got \(result)")
        return
    }
}

/// An obligation with contradictory assumptions is not reported as holding.
@Test func counterexampleSearchOnVacuousAssumptionsIsUnknown() throws {
    var broken = x86Window
    broken.maxUntypedBits = 3
    let result = try Verifier().counterexample(.noReset, window: broken, strategy: .offset)
    guard case .unknown(let why) = result else {
        Issue.record("expected unknown, got \(result)")
        return
    }
    #expect(why.contains("vacuous"))
}

/// A window whose assumptions cannot hold (maximum untyped size below the minimum) must not
/// count as a proof: the vacuity check catches it.
@Test func contradictoryAssumptionsAreReportedVacuous() throws {
    var broken = x86Window
    broken.maxUntypedBits = 3
    let result = try verdict(.noReset, broken, .offset)
    guard case .unknown(let why) = result else {
        Issue.record("expected unknown (vacuous), got \(result.name)")
        return
    }
    #expect(why.contains("vacuous"))
}

let any32 = ProofWindow.any(wordBits: 32)

/// In a run with a symbolic window, an allocator obligation it proves is not solved again for
/// the catalogue windows it covers; model-spec is solved once per set of kernel-model numbers;
/// boot-shape is checked per window.
@Test func symbolicWindowCoversCatalogueWindows() throws {
    let plan = VerificationPlan(windows: [imx6Window, any32], strategies: [.offset], obligations: [.modelSpec, .bootShape, .noReset],
                                emitDirectory: nil, workers: 2)
    let records = try Verifier().run(plan)
    #expect(records.allSatisfy { $0.result.name == "proved" })
    #expect(records.first { $0.window.name == imx6Window.name && $0.obligation == .noReset }?.via?.name == "any-32")
    // model-spec depends only on the kernel-model numbers, which aarch32-imx6 shares with any-32.
    #expect(records.first { $0.window.name == imx6Window.name && $0.obligation == .modelSpec }?.via?.name == "any-32")
    let boot = records.first { $0.window.name == imx6Window.name && $0.obligation == .bootShape }
    #expect(boot != nil && boot?.via == nil)
}

/// Which windows share a model-spec proof: a symbolic window's covers every window of its word
/// width (it proves the model for any seL4_MaxUntypedBits, slot size and capPtr storage); a
/// catalogue window's, the windows with the same numbers (aarch64-hyp-pa40's covers hyp-pa44,
/// not riscv64 with its 39-bit capPtrs).
@Test func kernelModelCoverage() {
    let any64 = ProofWindow.any(wordBits: 64)
    let named = { (n: String) in ProofWindow(KernelWindow.named(n)!) }
    for name in ["x86_64", "aarch64-pa44", "aarch64-hyp-pa40", "riscv64"] {
        #expect(any64.coversKernelModel(of: named(name)), "\(name)")
    }
    #expect(!any64.coversKernelModel(of: named("ia32")) && !any32.coversKernelModel(of: named("x86_64")))
    #expect(named("aarch64-hyp-pa40").coversKernelModel(of: named("aarch64-hyp-pa44")))
    #expect(!named("aarch64-hyp-pa40").coversKernelModel(of: named("riscv64")))
    #expect(any32.coversKernelModel(of: imx6Window))
}

/// The symbolic windows' model-spec leaves the kernel-model numbers open: the same goals hold
/// for every seL4_MaxUntypedBits, slot size and capPtr storage (the inputs f.*).
@Test func symbolicModelSpecHasOpenNumbers() throws {
    let q = try Verifier().query(.modelSpec, window: any32, strategy: .offset)
    let names = Set(q.inputs.map(\.name))
    #expect(["f.maxbits", "f.slotbits", "f.capkind", "f.capbits"].allSatisfy(names.contains))
    let window = try Verifier().query(.modelSpec, window: imx6Window, strategy: .offset)
    #expect(!window.inputs.contains { $0.name.hasPrefix("f.") })
}

/// Each goal file holds a vacuity check and one check per goal, and the offset form of the
/// kernel's retype is among the goals of model-spec on a symbolic window.
@Test func queryFileLayout() throws {
    let q = try Verifier().query(.modelSpec, window: any32, strategy: .offset)
    #expect(q.proof.components(separatedBy: "(check-sat)").count - 1 == q.goals.count + 1 + q.goalGuards.count)
    #expect(q.goals.contains { $0.label.hasPrefix("offset form") })
    let window = try Verifier().query(.modelSpec, window: imx6Window, strategy: .offset)
    #expect(!window.goals.contains { $0.label.hasPrefix("offset form") })
}

/// The manifest is one Codable type: what `--emit-smt` writes, `--check-proofs` reads back, and
/// an earlier manifest's entries for other queries are kept.
@Test func manifestRoundTrip() throws {
    let text = #"{"proofs": [{"config": "ia32", "strategy": "kernel", "obligation": "model-spec", "file": "ia32/kernel/model-spec.smt2", "form": "strategy-search", "goals": 8, "result": "proved", "seconds": 0.25, "solver": "z3"}]}"#
    let old = try #require(ProofManifest(json: Data(text.utf8)))
    let record = try Verifier().verify(.noReset, window: any32, strategy: .offset)
    let merged = ProofManifest([record], solver: "z3", existing: old)
    #expect(merged.proofs.map(\.config) == ["any-32", "ia32"])
    let again = try #require(ProofManifest(json: Data(merged.json.utf8)))
    #expect(again.proofs.map(\.file) == ["any-32/offset/no-reset.smt2", "ia32/kernel/model-spec.smt2"])
    #expect(again.proofs[0].result == "proved" && again.proofs[0].via == nil)
    #expect(ProofManifest(json: Data("[1]".utf8)) == nil)
}

/// A query parsed once (`ParsedQuery`) has one term per check, and each check run on those terms
/// answers as the check's own text does; a false goal added to the query is found on both paths.
@Test func parsedQueryAnswersAsItsText() throws {
    let verifier = Verifier()
    var q = try verifier.query(.bootShape, window: imx6Window, strategy: .offset)
    q.goals.append(.init("planted: every cut is 16 bytes", "(= sw.cut.size (_ bv4 32))"))
    let parsed = try ParsedQuery(q, timeoutMilliseconds: 60_000)
    #expect(parsed.negatedGoals.count == q.goals.count)
    #expect(parsed.hypotheses.count == 1 + q.goalGuards.count)
    #expect(!parsed.assumptions.isEmpty)
    for (i, goal) in q.goals.enumerated() {
        let fromTerms = try verifier.solve(parsed, adding: parsed.negatedGoals[i]).0
        let fromText = try verifier.solve(q.preamble + "(assert (not \(goal.formula)))\n(check-sat)\n", what: "goal").0
        #expect(fromTerms == fromText, "\(goal.label)")
        #expect(fromTerms == (goal.label.hasPrefix("planted") ? .sat : .unsat), "\(goal.label)")
    }
    let witnesses = try verifier.checkWitnesses(q, digest: "", wordBits: 32) { parsed }
    #expect(witnesses.allSatisfy { if case .sat = $0.outcome { true } else { false } })
}
