import Testing
import UntypedCore
import Z3
@testable import UntypedVerifier

/// The printer that writes the core's terms into queries says exactly what Z3's own printer
/// says: for the allocator's step, its state after the step, a search round and the kernel
/// model, each term printed (with earlier terms by name and shared subterms under `let`) is
/// proved equal to Z3's `Z3_ast_to_string` of the same term, and no Z3-internal function
/// name is left in the text.
@Test(arguments: [32, 64])
func printedTermsEqualZ3sOwnText(bits: Int) throws {
    let context = Context()
    var printer = TermPrinter()
    var definitions: [String] = [], checks: [String] = []
    let sort = "(_ BitVec \(bits))"
    var declarations: [String] = []
    func run<S: SymbolicMachineWord>(_: S.Type) {
        withSymbolicContext(context) {
            func word(_ name: String) -> S { declarations.append("(declare-const \(name) \(sort))"); return S.variable(name, in: context) }
            func flag(_ name: String) -> SymbolicBool { declarations.append("(declare-const \(name) Bool)"); return SymbolicBool.variable(name, in: context) }
            let state = UntypedState<S>(paddr: word("paddr"), sizeBits: word("size"), isDevice: flag("dev"), watermark: word("mark"),
                                        liveObjects: word("live"), hold0: word("h0"), hold1: word("h1"), nextHold: word("next"))
            let request = PlacementRequest<S>(sizeBits: word("rsize"), count: word("count"), deviceAllowed: flag("devok"),
                                              needsPhysicalAlignment: flag("phys"), hasTarget: flag("has"), target: word("target"),
                                              maxDummiesPerRetype: word("per"))
            let step = nextStep(state, request, strategy: StrategyUnderTest.offset)
            let after = apply(step, to: state)
            let round = StrategyUnderTest.offset.searchRound(.none, size: word("k"), watermark: state.effectiveWatermark, target: word("t"),
                                                             untypedSizeBits: state.sizeBits, perRetype: request.maxDummiesPerRetype, base: state.paddr)
            let config = KernelConfig<S>(maxUntypedBits: S(29, in: context), cnodeSlotBits: S(4, in: context),
                                         capPtrStorage: CapPtrStorage(kind: S(2, in: context), bits: S(0, in: context)))
            let retype = kernelRetype(KernelUntyped(pptr: word("pptr"), sizeBits: state.sizeBits, freeIndex: word("fi"), isDevice: state.isDevice,
                                                    hasChildren: state.hasChildren),
                                      RetypeRequest.untypeds(sizeBits: word("k2"), count: request.count), config)
            let words: [(String, S)] = [("eff", state.effectiveWatermark), ("step.size", step.sizeBits), ("step.count", step.count),
                                        ("step.paddr", step.paddr), ("step.kind", step.kind), ("after.eff", after.effectiveWatermark),
                                        ("round.reach", round.reach), ("round.count", round.count), ("kernel.first", retype.firstObject),
                                        ("kernel.error", retype.error), ("kernel.fi", retype.untyped.freeIndex)]
            for (name, w) in words {
                let (text, _) = printer.render(w.expr)
                definitions.append("(define-fun \(name) () \(sort) \(text))")
                checks.append("(= \(name) \(w.expr.sexpr))")
                printer.name(w.expr, name)
            }
            for (name, c) in [("holds", after.keepsHoldInvariant), ("fails", step.is(.fail))] {
                let (text, _) = printer.render(c.expr)
                definitions.append("(define-fun \(name) () Bool \(text))")
                checks.append("(= \(name) \(c.expr.sexpr))")
                printer.name(c.expr, name)
            }
        }
    }
    if bits == 32 { run(SymbolicWord32.self) } else { run(SymbolicWord64.self) }
    let text = (declarations + definitions).joined(separator: "\n")
    #expect(!text.contains("(if "), "Z3's internal name for ite leaked")
    #expect(text.contains("(let (("), "shared subterms are bound once")
    let solver = Solver(context: Context())
    try solver.load(smtlib2: text + "\n(assert (not (and \(checks.joined(separator: " ")))))")
    #expect(solver.check() == .unsat)
}

/// Printing is by identifier: a subterm named earlier prints as its name and is reported as a
/// mention; numerals and constants print as SMT-LIB.
@Test func earlierNamesAreUsedAndMentioned() {
    let context = Context()
    var printer = TermPrinter()
    let x = context.bvVar(name: "x", width: 32), one = context.bv(1, width: 32)
    let sum = x.bvadd(one)
    printer.name(sum, "sum")
    let (text, mentions) = printer.render(sum.bvshl(sum))
    #expect(text == "(bvshl sum sum)")
    #expect(mentions == ["sum"])
    let (plain, none) = TermPrinter().render(x.bvult(one).ite(x, one))
    #expect(plain == "(ite (bvult x (_ bv1 32)) x (_ bv1 32))")
    #expect(none.isEmpty)
}
