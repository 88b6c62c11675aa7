import UntypedCore
import Z3

/// One generated query: the obligation's assumptions and its goals, each goal checked on its
/// own (expect `unsat` for its negation), plus the vacuity check (expect `sat`).
public struct ObligationQuery: Sendable {
    public var obligation: Obligation
    public var window: String
    public var strategy: StrategyUnderTest?
    /// How the query treats the dummy search.
    public var form: SearchForm
    /// Header, specs, inputs, the core's terms and the assumptions.
    public var preamble: String
    /// The goals; the obligation is their conjunction.
    public var goals: [Goal]
    /// The obligation's guard: a case the vacuity check shows can happen under the assumptions.
    public var guardFormula: String
    /// Inputs declared by the query, in order (Bool ones flagged).
    public var inputs: [Input]

    public struct Input: Sendable {
        public var name: String
        public var isBool: Bool
    }

    /// One conjunct of the obligation, in words and in SMT-LIB.
    public struct Goal: Sendable {
        public var label: String
        public var formula: String
        public init(_ label: String, _ formula: String) {
            self.label = label
            self.formula = formula
        }

        /// H when the goal is an implication `(=> H F)`.
        public var hypothesis: String? {
            guard formula.hasPrefix("(=> ") else { return nil }
            let text = Array(formula.utf8.dropFirst(4))
            var depth = 0, end = 0
            for (i, c) in text.enumerated() {
                if c == UInt8(ascii: "(") { depth += 1 }
                if c == UInt8(ascii: ")") { depth -= 1 }
                if depth == 0 && (c == UInt8(ascii: " ") || c == UInt8(ascii: "\n") || c == UInt8(ascii: ")")) {
                    end = c == UInt8(ascii: ")") ? i + 1 : i
                    break
                }
            }
            return end > 0 ? String(decoding: text[..<end], as: UTF8.self) : nil
        }
    }

    /// The vacuity check: the preamble, the guard and `check-sat` (expect `sat`).
    public var vacuity: String { preamble + "(assert \(guardFormula))\n(check-sat)\n" }

    /// The hypotheses of the goals written `(=> H F)`, each once and other than the
    /// obligation's guard: each must be satisfiable under the assumptions, or its goal would
    /// hold vacuously. Labelled with the first goal that has it.
    public var goalGuards: [(label: String, formula: String)] {
        var seen: Set<String> = [guardFormula, "true"]
        var guards: [(label: String, formula: String)] = []
        for g in goals {
            guard let h = g.hypothesis, seen.insert(h).inserted else { continue }
            guards.append((g.label, h))
        }
        return guards
    }

    /// Guard `index` on its own, as one `check-sat` (expect `sat`).
    public func guardQuery(_ index: Int) -> String {
        preamble + "(assert \(goalGuards[index].formula))\n(check-sat)\n"
    }

    /// The committed file: the preamble, the vacuity check (expect `sat`), then one
    /// `push`/`check-sat`/`pop` per goal, each expected `unsat`. Any SMT-LIB solver that takes
    /// several `check-sat`s (z3, cvc5 --incremental, yices-smt2 --incremental) reads it as is.
    public var proof: String {
        var out = preamble
        out += "; ---- vacuity check: the assumptions and the guard can hold (expect sat)\n"
        out += "(push 1)\n(assert \(guardFormula))\n(check-sat)\n(pop 1)\n"
        for (label, h) in goalGuards {
            out += "; ---- vacuity check of a goal's hypothesis: \(label) (expect sat)\n"
            out += "(push 1)\n(assert \(h))\n(check-sat)\n(pop 1)\n"
        }
        for (i, g) in goals.enumerated() {
            out += "; ---- goal \(i + 1) of \(goals.count): \(g.label) (expect unsat)\n"
            out += "(push 1)\n(assert (not \(g.formula)))\n(check-sat)\n(pop 1)\n"
        }
        return out
    }

    /// Goal `index` on its own, as one `check-sat` (what the in-process check runs).
    public func goalQuery(_ index: Int) -> String {
        preamble + "(assert (not \(goals[index].formula)))\n(check-sat)\n"
    }

    /// Every goal at once: a model of this breaks at least one of them.
    public var whole: String {
        preamble + "(assert (not \(all(goals.map(\.formula)))))\n(check-sat)\n"
    }
}

/// Builds obligation queries by running the core on symbolic words of width `S`.
struct ObligationBuilder<S: SymbolicMachineWord> {
    let window: ProofWindow
    let strategy: StrategyUnderTest
    let form: SearchForm
    let specs: String
    let context: Context

    /// What an obligation's construction yields: assumptions, the guard its vacuity check adds,
    /// and the goals.
    typealias Parts = (assumptions: String, guardText: String, goals: [Goal])
    typealias Goal = ObligationQuery.Goal

    func build(_ obligation: Obligation) -> ObligationQuery {
        withSymbolicContext(context) {
            var q = QueryBuilder<S>(context: context)
            let parts: Parts
            switch obligation {
            case .modelSpec: parts = modelSpec(&q)
            case .bootShape: parts = bootShape(&q)
            case .watermark, .placement, .alignment, .noOverlap, .noReset, .refusal, .progress, .optimality:
                parts = allocatorObligation(obligation, &q)
            }
            let uses = ([parts.guardText] + parts.goals.map(\.formula)).joined(separator: " ")
            let preamble = q.preamble(header: headerLines(obligation) + ["expect: sat for the vacuity check, then unsat for every goal (the obligation holds)"],
                                      specs: specs, assumptions: parts.assumptions, uses: uses)
            return ObligationQuery(obligation: obligation, window: window.name,
                                   strategy: obligation.dependsOnStrategy ? strategy : nil, form: form,
                                   preamble: preamble, goals: parts.goals, guardFormula: parts.guardText,
                                   inputs: q.inputs.map { .init(name: $0.name, isBool: $0.isBool) })
        }
    }

    private func headerLines(_ obligation: Obligation) -> [String] {
        var lines = ["Obligation \(obligation.rawValue) for kernel window \(window.name)"
                     + (obligation.dependsOnStrategy ? ", strategy \(strategy.cliName)" : "") + ".",
                     "Generated by `untyped verify`; do not edit. Regenerate with `untyped verify --emit-smt proofs`."]
        lines.append("Claim: " + obligation.statement)
        if obligation.dependsOnStrategy {
            lines.append("The kernel's retype appears in the specs' offset form (inv\(window.wordBits).offset-*), which equals k\(window.wordBits).retype-*")
            lines.append("for every untyped the kernel can hold on every window: proofs/any-\(window.wordBits)/kernel/model-spec.smt2.")
        }
        if form == .searchContract {
            lines.append("The dummy search's proposal (search.*) is an input under the search's contract (prop.*); the goals")
            lines.append("'search: ...' prove the contract of the strategy's search by induction over its rounds.")
        }
        if form == .anySearch && obligation.admitsAnySearch {
            lines.append("The dummy search's proposal (search.*) is an unconstrained input: the claim holds whatever the")
            lines.append("search returns, so in particular for the strategy's own search (checked by progress and optimality).")
        }
        lines.append("Window: W=\(window.wordBits), PPTR_BASE_OFFSET="
                     + (window.pptrBaseOffset.map { hex($0) } ?? "any") + ", seL4_MaxUntypedBits=\(window.maxUntypedBits)"
                     + ", device top=" + (window.deviceTop.map { hex($0) } ?? "any")
                     + (window.paddrBase.map { b in ", RAM in [\(hex(b)), " + (window.paddrTop.map { hex($0) } ?? "?") + ")" } ?? "") + ".")
        if obligation.dependsOnStrategy {
            lines.append("The untyped lies where the window's kernel can hand one out: its physical range does not wrap"
                         + (window.deviceTop == nil ? "." : ", devices below the device top, RAM inside [PADDR_BASE, PADDR_TOP)."))
        }
        lines.append("The spec functions (kW.*, invW.*) are the hand-written semantics from specs/; the define-funs")
        lines.append("below them are the Swift core's own terms, computed by running it on Z3 bit-vectors.")
        return lines
    }

    private func numeral(_ value: UInt64) -> S { S(value, in: context) }

    private var maxBits: String { "(_ bv\(window.maxUntypedBits) \(S.bitWidth))" }
    /// The core's constants as SMT-LIB numerals.
    private var fixedClass: String { "(_ bv\(ObjectClass.fixed() as UInt64) \(S.bitWidth))" }
    private var untypedClass: String { "(_ bv\(ObjectClass.untyped() as UInt64) \(S.bitWidth))" }
    private var minSchedContextBits: String { "(_ bv\(KernelConstants.minSchedContextBits() as UInt64) \(S.bitWidth))" }
    private var slotBits: String { "(_ bv\(window.cnodeSlotBits) \(S.bitWidth))" }
    private var storage: CapPtrStorage<S> {
        CapPtrStorage(kind: numeral(window.capPtrKind), bits: numeral(window.capPtrBits))
    }
    private var config: KernelConfig<S> {
        KernelConfig(maxUntypedBits: numeral(window.maxUntypedBits), cnodeSlotBits: numeral(window.cnodeSlotBits),
                     capPtrStorage: storage)
    }

    /// PPTR_BASE_OFFSET: a numeral, or an input when the window leaves it open.
    private func offset(_ q: inout QueryBuilder<S>) -> (word: S, text: String) {
        if let o = window.pptrBaseOffset { return (numeral(o), q.literal(o)) }
        return (q.word("win.offset", "PPTR_BASE_OFFSET: any value"), "win.offset")
    }

    // MARK: model-spec

    private func modelSpec(_ q: inout QueryBuilder<S>) -> Parts {
        let pptr = q.word("c.pptr", "capPtr of the untyped")
        let size = q.word("c.size", "capBlockSize")
        let fi = q.word("c.fi", "capFreeIndex")
        let dev = q.bool("c.dev", "capIsDevice")
        let hc = q.bool("c.hc", "the untyped has children")
        let valid = q.bool("r.valid", "type number in range")
        let cls = q.word("r.class", "object class: 0 untyped, 1 cnode, 2 schedcontext, other fixed")
        let fixed = q.word("r.fixed", "size of a fixed-size type")
        let devok = q.bool("r.devok", "type may come from device memory")
        let user = q.word("r.user", "userObjSize")
        let count = q.word("r.count", "nodeWindow")
        let out = kernelRetype(KernelUntyped(pptr: pptr, sizeBits: size, freeIndex: fi, isDevice: dev, hasChildren: hc),
                               RetypeRequest(typeValid: valid, objectClass: cls, fixedSizeBits: fixed, deviceAllowed: devok,
                                             userObjSize: user, count: count), config)
        q.define("sw.error", out.error)
        q.define("sw.reset", out.reset)
        q.define("sw.first", out.firstObject)
        q.define("sw.fi", out.untyped.freeIndex)
        q.define("sw.hc", out.untyped.hasChildren)
        let start = q.word("b.start", "boot region start (pptr)")
        let end = q.word("b.end", "boot region end (pptr)")
        let cut = bootCut(start: start, end: end, maxUntypedBits: config.maxUntypedBits)
        q.define("sw.cut.size", cut.sizeBits)
        q.define("sw.cut.emits", cut.emits)
        q.define("sw.cut.next", cut.next)
        let p = q.word("p.ptr", "a pointer stored into an untyped cap")
        q.define("sw.load", storage.load(p))

        let args = "c.pptr c.size c.fi c.dev c.hc r.valid r.class r.fixed r.devok r.user r.count \(maxBits) \(slotBits) \(minSchedContextBits)"
        var goals = [
            Goal("error code and order", "(= sw.error (\(q.k)retype-error \(args)))"),
            Goal("reset", "(= sw.reset (\(q.k)retype-reset \(args)))"),
            Goal("aligned free pointer", implies("(= sw.error \(q.literal(0)))", "(= sw.first (\(q.k)retype-aligned-free-ref \(args)))")),
            Goal("new free index", implies("(= sw.error \(q.literal(0)))", "(= sw.fi (\(q.k)retype-new-free-index \(args)))")),
            Goal("children after a retype", implies("(= sw.error \(q.literal(0)))", "sw.hc")),
            Goal("a refused retype changes nothing", implies("(not (= sw.error \(q.literal(0))))", "(and (= sw.fi c.fi) (= sw.hc c.hc))")),
            Goal("boot cut", implies("(distinct b.start b.end)", all([
                "(= sw.cut.size (\(q.k)boot-cut-size b.start b.end \(maxBits)))",
                "(= sw.cut.emits (\(q.k)boot-cut-emits b.start b.end \(maxBits)))",
                "(= sw.cut.next (\(q.k)boot-cut-next b.start b.end \(maxBits)))"]))),
            Goal("capPtr storage", "(= sw.load (\(q.k)capptr-load p.ptr \(q.literal(window.capPtrKind)) \(q.literal(window.capPtrBits))))"),
        ]
        // On the symbolic windows, also the specs' offset form (invariants-W.smt2): the
        // kernel's retype seen from the untyped's base, for every capPtr and every
        // seL4_MaxUntypedBits < W. The allocator obligations of every window of this width use it.
        if window.pptrBaseOffset == nil {
            _ = q.word("f.maxbits", "seL4_MaxUntypedBits: any value")
            _ = q.word("f.slotbits", "seL4_SlotBits: any value")
            let fargs = "c.pptr c.size c.fi c.dev c.hc r.valid r.class r.fixed r.devok r.user r.count f.maxbits f.slotbits \(minSchedContextBits)"
            let hyp = all(["(\(q.inv)untyped-ok c.pptr c.size f.maxbits)", "(bvult f.maxbits \(q.literal(UInt64(S.bitWidth))))",
                           "(bvule (bvshl c.fi \(q.literal(4))) (\(q.k)bit c.size))"])
            let error = "(\(q.k)retype-error \(fargs))"
            let objectSize = "(\(q.k)object-size r.class r.fixed r.user f.slotbits)"
            goals += [
                Goal("offset form: error code", implies(hyp, "(= \(error) (\(q.inv)offset-retype-error \(fargs.split(separator: " ").dropFirst().joined(separator: " "))))")),
                Goal("offset form: first object", implies(all([hyp, "(= \(error) \(q.literal(0)))"]),
                     "(= (\(q.k)retype-aligned-free-ref \(fargs)) (bvadd c.pptr (\(q.inv)offset-retype-start c.fi c.hc \(objectSize))))")),
                // Given the first object's place (the goal before), the new free index is arithmetic.
                Goal("offset form: new free index",
                     implies("(= (\(q.k)retype-aligned-free-ref \(fargs)) (bvadd c.pptr (\(q.inv)offset-retype-start c.fi c.hc \(objectSize))))",
                     "(= (\(q.k)retype-new-free-index \(fargs)) (bvlshr (\(q.inv)offset-retype-end c.fi c.hc \(objectSize) r.count) \(q.literal(4))))")),
            ]
        }
        return ("true", "true", goals)
    }

    // MARK: boot-shape

    private func bootShape(_ q: inout QueryBuilder<S>) -> Parts {
        let (o, oText) = offset(&q)
        let p = q.word("b.paddr", "physical start of the rest of a region")
        let e = q.word("b.end", "physical end of the region (exclusive)")
        let cut = bootCut(start: p &+ o, end: e &+ o, maxUntypedBits: config.maxUntypedBits)
        q.define("sw.cut.size", cut.sizeBits)
        q.define("sw.cut.emits", cut.emits)
        q.define("sw.cut.next", cut.next)
        q.defineText("b.start", type: q.sort, "(bvadd b.paddr \(oText))")
        // The region lies inside [0, device top); a device top of 2^W is the word 0 (32-bit Arm/RISC-V).
        let inside: String
        if let top = window.deviceTop {
            if S.bitWidth < 64 && top >> UInt64(S.bitWidth) != 0 {
                inside = "(or (bvult b.paddr b.end) (and (= b.end \(q.literal(0))) (distinct b.paddr \(q.literal(0)))))"
            } else {
                inside = all(["(bvult b.paddr b.end)", "(bvule b.end \(q.literal(top)))"])
            }
        } else {
            _ = q.word("win.devtop", "device top: any value")
            inside = all(["(bvult b.paddr b.end)", "(bvule b.end win.devtop)"])
        }
        let size = "sw.cut.size"
        var shape = [
            "(\(q.inv)untyped-ok b.start \(size) \(maxBits))",
            "(bvule (\(q.k)bit \(size)) (bvsub b.end b.paddr))",
            "(= (bvsub sw.cut.next b.start) (\(q.k)bit \(size)))",
        ]
        // The capPtr round trip is a property of a real window (its pptrs are canonical); with an
        // arbitrary offset it cannot hold, so it is checked on every catalogue window only.
        if window.pptrBaseOffset != nil {
            shape.append("(= (\(q.k)capptr-load b.start \(q.literal(window.capPtrKind)) \(q.literal(window.capPtrBits))) b.start)")
        }
        let labels = ["pptr aligned, size in range", "inside the region", "the next piece starts after it", "pptr survives capPtr storage"]
        return (inside, "sw.cut.emits", zip(labels, shape).map { Goal($0, implies("sw.cut.emits", $1)) })
    }

    // MARK: allocator obligations

    private func allocatorObligation(_ obligation: Obligation, _ q: inout QueryBuilder<S>) -> Parts {
        let oText = offset(&q).text
        let state = UntypedState<S>(
            paddr: q.word("a.paddr", "untyped base paddr"), sizeBits: q.word("a.size", "untyped size bits"),
            isDevice: q.bool("a.dev", "device untyped"), watermark: q.word("a.watermark", "allocator's watermark (bytes)"),
            liveObjects: q.word("a.live", "live objects the allocator made"), hold0: q.word("a.hold0", "dummies in hold group 0"),
            hold1: q.word("a.hold1", "dummies in hold group 1"), nextHold: q.word("a.next", "next hold group"))
        _ = q.word("k.fi", "the kernel's capFreeIndex of the untyped")
        let request = PlacementRequest<S>(
            sizeBits: q.word("r.size", "object size bits"), count: q.word("r.count", "objects in the retype"),
            deviceAllowed: q.bool("r.devok", "type may come from device memory"),
            needsPhysicalAlignment: q.bool("r.phys", "object must be physically aligned (frame)"),
            hasTarget: q.bool("r.has", "anchored object"), target: q.word("r.target", "target paddr"),
            maxDummiesPerRetype: q.word("r.per", "dummies one retype may create"))
        q.defineText("u.pptr", type: q.sort, "(bvadd a.paddr \(oText))")
        q.define("st.hc", state.hasChildren)
        q.define("st.eff", state.effectiveWatermark)
        // The dummy search: an unconstrained proposal, a proposal under the search's contract,
        // or the strategy's own search. The step reports the watermark and target it searched with.
        let proposal = form == .strategySearch ? nil
            : DummySearch<S>(sizeBits: q.word("search.size", "size bits the dummy search proposes"),
                             count: q.word("search.count", "number of dummies it proposes"),
                             reach: q.word("search.reach", "where it believes they end"))
        var searched = (w: S(0, in: context), t: S(0, in: context))
        let step = nextStep(state, request, strategy: strategy) { w, t in
            searched = (w, t)
            return proposal ?? strategy.searchDummies(watermark: w, target: t, state: state, perRetype: request.maxDummiesPerRetype)
        }
        let contract = SearchContract(state: state, request: request, strategy: strategy, w: searched.w, t: searched.t)
        q.define("step.kind", step.kind)
        q.define("step.size", step.sizeBits)
        q.define("step.count", step.count)
        q.define("step.hold", step.hold)
        q.define("step.paddr", step.paddr)
        q.define("step.error", step.error)
        let after = apply(step, to: state)
        q.define("after.watermark", after.watermark)
        q.define("after.live", after.liveObjects)
        q.define("after.hold0", after.hold0)
        q.define("after.hold1", after.hold1)
        q.define("after.next", after.nextHold)
        q.define("after.hc", after.hasChildren)
        q.define("after.eff", after.effectiveWatermark)
        q.define("st.holds", state.keepsHoldInvariant)
        q.define("after.holds", after.keepsHoldInvariant)

        let zero = q.literal(0)
        q.define("is-object", step.is(.retypeObject))
        q.define("is-dummy", step.is(.retypeDummies))
        q.define("is-delete", step.is(.deleteHold))
        q.define("is-fail", step.is(.fail))
        q.define("step.cannot-pad", step.error.eq(PlacementError.cannotPad.word()))
        q.define("step.bad-count", step.error.eq(PlacementError.badCount.word()))
        q.defineText("is-retype", type: "Bool", "(or is-object is-dummy)")
        // The kernel executes the step's retype, in the specs' offset form (invariants-W.smt2),
        // which equals the kernel's retype on every untyped the kernel can hold, on every window
        // (model-spec on any-W). Dummies are Untyped; the object is taken as a type of r.size
        // bits (its class only matters for checks the core leaves to the caller).
        let cls = "(ite is-object \(fixedClass) \(untypedClass))"
        q.defineText("kern.size", type: q.sort, "(\(q.k)object-size \(cls) r.size step.size \(slotBits))")
        q.defineText("kern.error", type: q.sort,
                     "(\(q.inv)offset-retype-error a.size k.fi a.dev st.hc true \(cls) r.size (or (not is-object) r.devok) step.size step.count \(maxBits) \(slotBits) \(minSchedContextBits))")
        q.defineText("kern.offset", type: q.sort, "(\(q.inv)offset-retype-start k.fi st.hc kern.size)")
        q.defineText("kern.end", type: q.sort, "(\(q.inv)offset-retype-end k.fi st.hc kern.size step.count)")
        q.defineText("kern.first", type: q.sort, "(bvadd u.pptr kern.offset)")
        q.defineText("kern.fi", type: q.sort, "(bvlshr kern.end \(q.literal(4)))")
        q.defineText("target.offset", type: q.sort, "(bvsub r.target a.paddr)")

        let range = physicalRange(&q)
        let pre = all([
            "(\(q.inv)untyped-ok u.pptr a.size \(maxBits))",
            range,
            "(\(q.inv)mirrors st.eff k.fi st.hc)",
            "st.holds",
            "(bvule (bvshl k.fi \(q.literal(4))) (\(q.k)bit a.size))",
        ])
        let accepted = "(= kern.error \(zero))"
        func each(_ kinds: [(String, String)], _ label: String, _ formula: String) -> [Goal] {
            kinds.map { Goal("\($0.1): \(label)", implies($0.0, formula)) }
        }
        let retypes = [("is-dummy", "dummies"), ("is-object", "object")]
        switch obligation {
        case .watermark:
            var goals = each(retypes, "the kernel accepts the retype", accepted)
            goals += each(retypes, "the watermarks still mirror each other", "(\(q.inv)mirrors after.eff kern.fi after.hc)")
            goals += each(retypes, "the untyped has children", "after.hc")
            goals += each(retypes, "the kernel's free index stays inside the untyped", "(bvule (bvshl kern.fi \(q.literal(4))) (\(q.k)bit a.size))")
            goals += [Goal("delete: the watermarks still mirror each other", implies("is-delete", "(\(q.inv)mirrors after.eff k.fi after.hc)"))]
            goals += [Goal("the hold invariant holds after the step", "after.holds")]
            return (pre, "is-retype", goals)
        case .placement:
            return (pre, "(and is-object r.has)", [
                Goal("dummies land where the allocator believes", implies("is-dummy", "(= (bvsub step.paddr a.paddr) kern.offset)")),
                Goal("the object lands where the allocator believes", implies("is-object", "(= (bvsub step.paddr a.paddr) kern.offset)")),
                Goal("an anchored object lands at its target", implies("(and is-object r.has)", "(\(q.inv)placed kern.first u.pptr a.paddr r.target)")),
            ])
        case .alignment:
            return (pre, "(and is-object r.phys)", [
                Goal("aligned in kernel-virtual space", implies("is-object", "(\(q.inv)aligned kern.first r.size)")),
                Goal("frames aligned physically", implies("(and is-object r.phys)", "(\(q.inv)aligned (bvsub kern.first \(oText)) r.size)")),
            ])
        case .noOverlap:
            // That the kernel accepts the retype is `watermark`'s to prove; here, where it lands.
            var goals = each(retypes, "at or above the watermark", "(\(q.inv)no-overlap st.eff kern.offset)")
            goals += each(retypes, "the first object inside the untyped", "(\(q.inv)in-bounds kern.offset step.size a.size)")
            goals += each(retypes, "the last object inside the untyped", "(and (bvule kern.offset kern.end) (bvule kern.end (\(q.k)bit a.size)))")
            goals.append(Goal("dummies end at or before the target", implies("(and is-dummy r.has)", "(\(q.inv)dummy-before-target kern.end target.offset)")))
            return (pre, "(and is-dummy r.has)", goals)
        case .noReset:
            return (pre, "is-delete", [Goal("a delete leaves the untyped with children", implies("is-delete", "after.hc"))])
        case .refusal:
            // Another way to place the request: the kernel's free index now or any later one
            // (dummy retypes of 16-byte untypeds reach every one), then one retype of the object(s).
            _ = q.word("x.fi", "a free index at or after the kernel's, where another plan retypes the object")
            let four = q.literal(4)
            q.defineText("x.w", type: q.sort, "(bvshl x.fi \(four))")
            q.defineText("x.hc", type: "Bool", "(ite (= x.w st.eff) st.hc true)")
            q.defineText("x.error", type: q.sort,
                         "(\(q.inv)offset-retype-error a.size x.fi a.dev x.hc true \(fixedClass) r.size r.devok r.size r.count \(maxBits) \(slotBits) \(minSchedContextBits))")
            q.defineText("x.offset", type: q.sort, "(\(q.inv)offset-retype-start x.fi x.hc r.size)")
            let reachable = all(["(bvuge x.w st.eff)", "(= (bvlshr x.w \(four)) x.fi)", "(bvule x.w (\(q.k)bit a.size))"])
            let refused = all(["is-fail", "(not step.bad-count)", "(not step.cannot-pad)", "(bvule \(four) r.size)"])
            let places = all(["(= x.error \(zero))", implies("r.has", "(= x.offset target.offset)"),
                              implies("r.phys", "(\(q.inv)aligned (bvadd a.paddr x.offset) r.size)")])
            return (all([pre, reachable]), refused, [
                Goal("a refused request has no placement the kernel accepts", implies(refused, "(not \(places))")),
            ])
        case .progress:
            let next = nextStep(after, request, strategy: strategy) { _, _ in proposal ?? DummySearch<S>.none }
            q.define("next.is-delete", next.is(.deleteHold))
            var assumptions = pre, lemmas: [Goal] = [], lemmaGuard = "true"
            if let proposal, form == .searchContract {
                assumptions = all([pre, contract.proposes(proposal, &q)])
                (lemmas, lemmaGuard) = contract.lemmas(reach: false, &q)
            }
            return (assumptions, all(["is-dummy", lemmaGuard]), lemmas + [
                Goal("the step never fails its own postcondition", "(not step.cannot-pad)"),
                Goal("a dummy retype advances the watermark", implies("is-dummy", "(bvult st.eff after.eff)")),
                Goal("a dummy retype stays at or below the target", implies("(and is-dummy r.has)", "(bvule after.eff target.offset)")),
                Goal("a delete is followed by a retype", implies("is-delete", "(not next.is-delete)")),
            ])
        case .optimality, .modelSpec, .bootShape:
            // build(_:) sends only allocator obligations here.
            return optimality(&q, contract: contract, proposal: proposal, pre: pre)
        }
    }

    /// Where the kernel can hand out the untyped: its physical range does not wrap past 2^W
    /// and, on a window with known numbers, device untypeds lie below the device top and
    /// normal (RAM) untypeds inside the kernel window [PADDR_BASE, PADDR_TOP). (With its pptr
    /// aligned to its size and a size in [4, seL4_MaxUntypedBits], `untyped-ok`, that is
    /// what boot cutting produces: every such block is the cut of a region of its own.)
    /// A counterexample on a window therefore describes a state that window's kernel reaches.
    private func physicalRange(_ q: inout QueryBuilder<S>) -> String {
        q.defineText("a.end", type: q.sort, "(bvadd a.paddr (\(q.k)bit a.size))")
        let noWrap = "(or (bvult a.paddr a.end) (= a.end \(q.literal(0))))"
        // The range ends at or below `top` (exclusive; 2^W or more: no bound beyond noWrap).
        func endsBelow(_ top: UInt64) -> String {
            top >> UInt64(S.bitWidth) != 0
                ? noWrap : all(["(bvult a.paddr a.end)", "(bvule a.end \(q.literal(top)))"])
        }
        guard let top = window.deviceTop, let base = window.paddrBase, let ramTop = window.paddrTop else { return noWrap }
        return "(ite a.dev \(endsBelow(top)) \(all(["(bvule \(q.literal(base)) a.paddr)", endsBelow(ramTop)])))"
    }

    /// Greedy stays ahead: from any watermark at or below ours, no dummy retype the kernel
    /// accepts (with the same budget of dummies per retype) ends beyond where our dummy retype
    /// ends, and reaching the target is monotone in the watermark. By induction over plans, no
    /// plan with fewer dummy retypes reaches the target (a reset only moves a plan back to 0).
    private func optimality(_ q: inout QueryBuilder<S>, contract: SearchContract<S>, proposal: DummySearch<S>?, pre: String) -> Parts {
        let ok = q.word("o.k", "size bits of another plan's dummy retype")
        _ = q.word("o.n", "number of dummies in that retype")
        _ = q.word("o.fi", "the kernel's capFreeIndex in that plan (its watermark is o.fi << 4)")
        let zero = q.literal(0), k = q.k, inv = q.inv
        q.defineText("o.w", type: q.sort, "(bvshl o.fi \(q.literal(4)))")
        q.defineText("o.end", type: q.sort, "(\(inv)offset-retype-end o.fi true o.k o.n)")
        let oargs = "a.size o.fi a.dev true true \(untypedClass) \(zero) true o.k o.n \(maxBits) \(slotBits) \(minSchedContextBits)"
        let otherPlan = all([
            "(bvule \(q.literal(4)) o.k)", "(bvult o.k a.size)", "(bvule \(q.literal(1)) o.n)", "(bvule o.n r.per)",
            "(bvule (bvshl o.fi \(q.literal(4))) (\(k)bit a.size))",
            "(bvule o.w st.eff)",
            "(= (\(inv)offset-retype-error \(oargs)) \(zero))",
            "(bvule o.end target.offset)",
        ])
        var assumptions = all([pre, "r.has", "(not is-fail)", otherPlan])
        var lemmas: [Goal] = [], lemmaGuard = "true"
        var mainGoal = Goal("no dummy retype from a watermark at or below ours ends beyond ours", implies("is-dummy", "(bvule o.end after.eff)"))
        // Slot bound: blocks of any one size o.k from our watermark that reach exactly as far
        // as our dummy retype are no fewer than ours.
        let slots = contract.singleSize(size: ok, name: "c1", &q)
        let slotGoal = Goal("slot bound: no block size reaching as far as our dummies needs fewer of them",
                            implies(all(["is-dummy", "(distinct c1.count \(zero))", "(= c1.reach after.eff)"]), "(bvule step.count c1.count)"))
        if let proposal, form == .searchContract {
            // The argument, in steps. With S = our watermark aligned up to the other plan's
            // block size: (a) if such blocks fit from our watermark, the search's round of that
            // size reaches at least as far as the other plan; (b) if not, the other plan ends
            // at or below S; (c) if S is above our watermark and not beyond the target, the
            // largest block that fits below S reaches S; (d) if S is beyond the target, the
            // other plan ends at or below our watermark; (e) our dummies end above it. The
            // search reaches as far as both rounds (its contract); the last goal combines them.
            let w = contract.w
            let needed = contract.needed(&q)
            assumptions = all([assumptions, contract.proposes(proposal, &q),
                               contract.reachesAsFar(proposal, size: ok, name: "c1", &q),
                               contract.reachesAsFar(proposal, size: (w.alignedUp(ok) &- w).floorLog2, name: "c2", &q),
                               contract.fewestSlots(proposal, name: "c1", &q)])
            (lemmas, lemmaGuard) = contract.lemmas(reach: true, &q)
            q.defineText("o.s", type: q.sort, "(\(k)align-up search.w o.k)")
            let width = q.literal(UInt64(S.bitWidth))
            let steps = [
                Goal("a dummy retype is needed when the step makes one", implies("is-dummy", needed)),
                Goal("the dummies end where the search said", implies("is-dummy", "(= after.eff prop.reach)")),
                Goal("(a) blocks of the other plan's size, if they fit, reach as far from our watermark",
                     implies(all([needed, "(distinct c1.count \(zero))"]), "(bvuge c1.reach o.end)")),
                Goal("(b) if they do not fit, the other plan ends at or below S",
                     implies(all([needed, "(= c1.count \(zero))"]), "(bvule o.end o.s)")),
                Goal("(c) if S lies above our watermark and not beyond the target, the largest block below S reaches S",
                     implies(all([needed, "(bvult search.w o.s)", "(bvule o.s search.t)"]),
                             all(["(bvule \(q.literal(4)) c2.k)", "(bvult c2.k \(width))", "(distinct c2.count \(zero))", "(bvuge c2.reach o.s)"]))),
                Goal("(d) if S lies beyond the target, the other plan ends at or below our watermark",
                     implies(all([needed, "(bvult search.t o.s)"]), "(bvule o.end search.w)")),
                Goal("(e) our dummies end above our watermark", implies("is-dummy", "(bvult search.w after.eff)")),
            ]
            lemmas += steps
            mainGoal.formula = implies(all(["is-dummy"] + steps.map(\.formula)), "(bvule o.end after.eff)")
        }
        _ = slots
        return (assumptions, all(["is-dummy", lemmaGuard]), lemmas + [
            mainGoal,
            slotGoal,
            Goal("reaching the target is monotone in the watermark",
                 implies(all(["(bvule st.eff target.offset)", "(= (\(k)align-up o.w r.size) target.offset)"]),
                         "(= (\(k)align-up st.eff r.size) target.offset)")),
        ])
    }
}

func hex(_ v: UInt64) -> String { "0x" + String(v, radix: 16) }
