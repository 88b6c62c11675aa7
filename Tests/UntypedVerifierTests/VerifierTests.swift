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

/// Every deliberately broken strategy (and the reported absolute-paddr rule on x86_64) is
/// refuted, with a counterexample that reproduces on the concrete core.
@Test(arguments: [
    (StrategyUnderTest.absolute, Obligation.placement),
    (.mutantAlignOffByOne, .placement),
    (.mutantFloorLog2, .placement),
    (.mutantSingleHold, .noReset),
])
func brokenStrategiesAreRefuted(strategy: StrategyUnderTest, obligation: Obligation) throws {
    let result = try verdict(obligation, x86Window, strategy)
    guard case .refuted(let cex) = result else {
        Issue.record("\(strategy.cliName) \(obligation.rawValue): expected refuted, got \(result.name)")
        return
    }
    #expect(cex.reproduced)
    #expect(!cex.explanation.isEmpty)
}

/// `alignment` holds for the kernel by construction except where the core must refuse: an
/// un-anchored frame whose place is not physically aligned (possible when PPTR_BASE_OFFSET is
/// less aligned than the frame). Without that refusal it is refuted on a window with any offset.
@Test func alignmentCatchesAMissingPhysicalCheck() throws {
    let anyOffset = ProofWindow.any(wordBits: 32)
    #expect(try verdict(.alignment, anyOffset, .offset).name == "proved")
    let result = try verdict(.alignment, anyOffset, .mutantNoPhysicalCheck)
    guard case .refuted(let cex) = result else {
        Issue.record("expected refuted, got \(result.name)")
        return
    }
    #expect(cex.reproduced)
}

@Test func counterexampleForTheAbsoluteRuleIsATraceOfTheBug() throws {
    guard case .found(let cex) = try Verifier().counterexample(.placement, window: x86Window, strategy: .absolute) else {
        Issue.record("expected a counterexample")
        return
    }
    #expect(cex.reproduced)
    #expect(cex.traceJSON?.contains("\"expected\"") == true)
    // A state x86_64's kernel can reach: the untyped lies below the device top (2^47), or
    // in the kernel window if it is RAM.
    let value = { (name: String) in cex.inputs.first { $0.name == name }?.value ?? 0 }
    let end = value("a.paddr") + (1 << value("a.size"))
    #expect(value("a.paddr") < end && end <= (value("a.dev") != 0 ? 1 << 47 : 0x7f_8000_0000), "\(cex.inputs)")
}

/// On aarch64 with 40 physical address bits, no untyped the kernel can hand out is large
/// enough for the absolute rule to go wrong (PPTR_BASE_OFFSET has 39 trailing zeros; a
/// divergence needs an untyped of 2^40 aligned in both spaces), so placement is proved there.
@Test func absoluteRuleCannotMisplaceWithFortyPhysicalAddressBits() throws {
    #expect(try verdict(.placement, ProofWindow(KernelWindow.named("aarch64-pa40")!), .absolute).name == "proved")
}

/// A refusal is justified: no retype from the kernel's free index or a later one places the
/// object. Refusing a target exactly at the watermark is a false refusal.
@Test func refusalsAreJustified() throws {
    #expect(try verdict(.refusal, any32, .offset).name == "proved")
}

/// The mutants the obligations missed before: a false refusal (`w >= t`), the search's
/// tie-break made strict (more dummies, the slot bound), and the dummy count's `min` made
/// `max`. Each has a counterexample on any-32 that reproduces on the concrete core, found the
/// way `verify` falls back when the reduced form fails: Z3's own strategy on the query with the
/// strategy's own search, all goals at once.
@Test(arguments: [
    (StrategyUnderTest.mutantRefuseAtWatermark, Obligation.refusal),
    (.mutantSmallerBlocksOnTies, .optimality),
    (.mutantMaxDummyCount, .progress),
])
func formerlySurvivingMutantsAreRefuted(strategy: StrategyUnderTest, obligation: Obligation) throws {
    let verifier = Verifier(timeoutMilliseconds: 120_000)
    let q = try verifier.query(obligation, window: any32, strategy: strategy, form: .strategySearch)
    let (result, model) = try verifier.solve(q.whole, what: "proof query", expectSat: true)
    guard result == .sat, let model else {
        Issue.record("\(strategy.cliName) \(obligation.rawValue): expected a counterexample, got \(result)")
        return
    }
    let cex = try verifier.replay(q, window: any32, strategy: strategy, values: Verifier.values(of: q, in: model, width: 32))
    #expect(cex.reproduced, "\(cex.explanation)")
}

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

@Test func counterexampleSearchHoldsForTheDefaultStrategy() throws {
    let result = try Verifier().counterexample(.noReset, window: x86Window, strategy: .offset)
    guard case .holds = result else {
        Issue.record("expected holds, got \(result)")
        return
    }
}

/// The same obligations hold for the default strategy.
@Test(arguments: [Obligation.noReset, .alignment])
func defaultStrategyProved(obligation: Obligation) throws {
    let result = try verdict(obligation, x86Window, .offset)
    #expect(result.name == "proved", "\(obligation.rawValue): \(result)")
}

@Test func kernelModelEqualsSpecAndBootShape32() throws {
    #expect(try verdict(.modelSpec, imx6Window, .offset).name == "proved")
    #expect(try verdict(.bootShape, imx6Window, .offset).name == "proved")
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

/// The obligations about the search itself each catch a strategy that breaks them: a search
/// that skips 16-byte blocks gets stuck (progress), and rust-sel4's one-block rule, correct
/// but not furthest-reaching, falls behind another plan (optimality).
@Test(arguments: [
    (StrategyUnderTest.mutantSkipSmallestBlock, Obligation.progress),
    (.rustSel4, .optimality),
    (.mutantSingleHold, .watermark),
])
func searchObligationsCatchBrokenSearches(strategy: StrategyUnderTest, obligation: Obligation) throws {
    let result = try verdict(obligation, any32, strategy)
    guard case .refuted(let cex) = result else {
        Issue.record("\(strategy.cliName) \(obligation.rawValue): expected refuted, got \(result)")
        return
    }
    #expect(cex.reproduced)
}

/// The default strategy meets progress and optimality on every 32-bit window at once, in the
/// search-contract form (the loop proved by induction), without falling back.
@Test(arguments: [Obligation.progress, .optimality])
func defaultStrategyMeetsTheSearchObligations(obligation: Obligation) throws {
    let record = try Verifier(timeoutMilliseconds: 300_000).verify(obligation, window: any32, strategy: .offset)
    #expect(record.result.name == "proved", "\(record.result)")
    #expect(record.form == .searchContract)
    #expect(record.query.goals.contains { $0.label.contains("the search is these rounds") })
}

/// A safety obligation is proved whatever the dummy search proposes for the default strategy;
/// rust-sel4 relies on what its search returns (blocks aligned at the watermark), so its
/// proof needs, and gets, the strategy-search form.
@Test func anySearchFormAndItsFallback() throws {
    let offset = try Verifier().verify(.placement, window: any32, strategy: .offset)
    #expect(offset.result.name == "proved")
    #expect(offset.form == .anySearch)
    let rust = try Verifier().verify(.placement, window: any32, strategy: .rustSel4)
    #expect(rust.result.name == "proved")
    #expect(rust.form == .strategySearch)
}

/// In a run with a symbolic window, an allocator obligation it proves is not solved again for
/// the catalogue windows it covers; kernel obligations are always checked per window.
@Test func symbolicWindowCoversCatalogueWindows() throws {
    let plan = VerificationPlan(windows: [imx6Window, any32], strategies: [.offset], obligations: [.modelSpec, .noReset],
                                emitDirectory: nil, workers: 2)
    let records = try Verifier().run(plan)
    #expect(records.allSatisfy { $0.result.name == "proved" })
    #expect(records.first { $0.window == imx6Window.name && $0.obligation == .noReset }?.via == "any-32")
    #expect(records.first { $0.window == imx6Window.name && $0.obligation == .modelSpec }?.via == nil)
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
