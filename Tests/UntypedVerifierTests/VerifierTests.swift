import Testing
import UntypedCore
@testable import UntypedVerifier

let x86Window = ProofWindow(name: "x86_64", wordBits: 64, pptrBaseOffset: 0xffff_ff80_0000_0000, maxUntypedBits: 47,
                            cnodeSlotBits: 5, capPtrKind: 0, capPtrBits: 48, deviceTop: 1 << 47)
let imx6Window = ProofWindow(name: "aarch32-imx6", wordBits: 32, pptrBaseOffset: 0xd000_0000, maxUntypedBits: 29,
                             cnodeSlotBits: 4, capPtrKind: 2, capPtrBits: 0, deviceTop: 1 << 32)

func verdict(_ o: Obligation, _ w: ProofWindow, _ s: Strategy) throws -> ProofResult {
    try Verifier(timeoutMilliseconds: 300_000).verify(o, window: w, strategy: s).result
}

/// Every deliberately broken strategy (and the reported absolute-paddr rule on x86_64) is
/// refuted, with a counterexample that reproduces on the concrete core.
@Test(arguments: [
    (Strategy.absolute, Obligation.placement),
    (.mutantAlignOffByOne, .placement),
    (.mutantFloorLog2, .placement),
    (.mutantSingleHold, .noReset),
])
func brokenStrategiesAreRefuted(strategy: Strategy, obligation: Obligation) throws {
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
    let cex = try Verifier().counterexample(.placement, window: x86Window, strategy: .absolute)
    #expect(cex?.reproduced == true)
    #expect(cex?.traceJSON?.contains("\"expected\"") == true)
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
