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

    /// Why the query cannot be built as asked (the replay's inputs the counterexample lacks).
    var missingValues: [String] = []
    /// The allocator's situation in words (a query built from a counterexample's values).
    var situation: String? = nil
    /// The sort of every input and named term.
    var sorts: [String: TermSort] = [:]

    /// One conjunct of the obligation, in words and in SMT-LIB.
    public struct Goal: Sendable {
        public var label: String
        /// The goal as a typed term: its text and the names it mentions.
        let term: BoolTerm
        public var formula: String { term.text }
        /// Inputs and named terms the goal mentions, sorted.
        public var mentions: [String] { term.mentions.sorted() }

        public init(_ label: String, _ formula: String) {
            self.label = label
            term = BoolTerm(text: formula)
        }

        init(_ label: String, _ term: BoolTerm) {
            self.label = label
            self.term = term
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
        preamble + "(assert (not \(all(goals.map(\.term)).text)))\n(check-sat)\n"
    }
}

/// Builds obligation queries by running the core on words `S`: symbolic words for the proof
/// query, concrete words (a counterexample's input values) for the replay. Every assumption,
/// guard and goal is stated once, here, and reads the same in both modes.
struct ObligationBuilder<S: ObligationWord> {
    let window: ProofWindow
    let strategy: StrategyUnderTest
    let form: SearchForm
    let specs: String
    let context: Context
    /// The counterexample's input values (concrete `S`); nil for symbolic words.
    var values: [String: UInt64]? = nil

    /// What an obligation's construction yields: assumptions, the guard its vacuity check adds,
    /// and the goals.
    typealias Parts = (assumptions: BoolTerm, guardTerm: BoolTerm, goals: [Goal])
    typealias Goal = ObligationQuery.Goal

    func build(_ obligation: Obligation) -> ObligationQuery {
        withSymbolicContext(context) {
            var q = QueryBuilder<S>(context: context, values: values)
            var situation: String? = nil
            let parts: Parts
            switch obligation {
            case .modelSpec: parts = modelSpec(&q)
            case .bootShape: parts = bootShape(&q)
            case .watermark, .placement, .alignment, .noOverlap, .noReset, .refusal, .dummySearch, .progress, .optimality:
                parts = allocatorObligation(obligation, &q, situation: &situation)
            }
            let preamble = q.preamble(header: headerLines(obligation) + ["expect: sat for the vacuity check, then unsat for every goal (the obligation holds)"],
                                      specs: specs, assumptions: parts.assumptions, uses: [parts.guardTerm] + parts.goals.map(\.term))
            var query = ObligationQuery(obligation: obligation, window: window.name,
                                        strategy: obligation.dependsOnStrategy ? strategy : nil, form: form,
                                        preamble: preamble, goals: parts.goals, guardFormula: parts.guardTerm.text,
                                        inputs: q.inputs.map { .init(name: $0.name, isBool: $0.isBool) })
            query.situation = situation
            query.missingValues = q.missing
            query.sorts = q.sorts
            return query
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
        if obligation == .dummySearch {
            lines.append("The goals 'search: ...' prove the contract of the strategy's search by induction over its rounds;")
            lines.append("progress and optimality (search-contract form) assume the contract and count as proved only with this proof.")
        } else if form == .searchContract {
            lines.append("The dummy search's proposal (search.*) is an input under the search's contract (prop.*), which")
            lines.append("dummy-search proves of the strategy's search (proofs/\(window.name)/\(strategy.cliName)/dummy-search.smt2).")
        }
        if form == .anySearch && obligation.admitsAnySearch {
            lines.append("The dummy search's proposal (search.*) is an unconstrained input: the claim holds whatever the")
            lines.append("search returns, so in particular for the strategy's own search (checked by progress and optimality).")
        }
        if obligation.prerequisite(for: strategy, form: form) == .placement {
            lines.append("The goals about the kernel's retype speak of each kind apart (kern.obj.*: the request's objects, kern.dum.*:")
            lines.append("the proposal's dummies) and assume where it lands; placement proves, under the same assumptions, that")
            lines.append("the step's retype of each kind is that one and where it lands (proofs/\(window.name)/\(strategy.cliName)/placement.smt2).")
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

    private func numeral(_ value: UInt64) -> S { S.numeral(value, in: context) }
    private func literal(_ value: UInt64) -> BVTerm { .numeral(value, width: S.bitWidth) }

    /// The window's numbers and the core's constants, as numerals.
    private var maxBits: BVTerm { literal(window.maxUntypedBits) }
    private var fixedClass: BVTerm { literal(ObjectClass.fixed()) }
    private var untypedClass: BVTerm { literal(ObjectClass.untyped()) }
    private var minSchedContextBits: BVTerm { literal(KernelConstants.minSchedContextBits()) }
    /// seL4_MinUntypedBits: the kernel's free index counts units of 2^this bytes; no object is smaller.
    private var minUntypedBits: BVTerm { literal(KernelConstants.minUntypedBits()) }
    /// The kernel's code for an accepted retype.
    private var noError: BVTerm { literal(RetypeError.none.word()) }
    private var slotBits: BVTerm { literal(window.cnodeSlotBits) }
    private var storage: CapPtrStorage<S> {
        CapPtrStorage(kind: numeral(window.capPtrKind), bits: numeral(window.capPtrBits))
    }
    private var config: KernelConfig<S> {
        KernelConfig(maxUntypedBits: numeral(window.maxUntypedBits), cnodeSlotBits: numeral(window.cnodeSlotBits),
                     capPtrStorage: storage)
    }

    /// PPTR_BASE_OFFSET: a numeral, or an input when the window leaves it open.
    private func offset(_ q: inout QueryBuilder<S>) -> Input<S> {
        if let o = window.pptrBaseOffset { return Input(value: numeral(o), term: literal(o)) }
        return q.word("win.offset", "PPTR_BASE_OFFSET: any value")
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
        // A symbolic window's query proves the model for every set of kernel-model numbers of
        // its width (seL4_MaxUntypedBits, seL4_SlotBits, capPtr storage), so that it covers
        // every window of that width; a catalogue window's query uses its own numbers.
        let symbolic = window.pptrBaseOffset == nil
        let numbers = symbolic
            ? (maxBits: q.word("f.maxbits", "seL4_MaxUntypedBits: any value"), slotBits: q.word("f.slotbits", "seL4_SlotBits: any value"),
               capKind: q.word("f.capkind", "capPtr storage kind: any value"), capBits: q.word("f.capbits", "capPtr storage bits: any value up to the word width"))
            : (maxBits: Input(value: config.maxUntypedBits, term: maxBits), slotBits: Input(value: config.cnodeSlotBits, term: slotBits),
               capKind: Input(value: storage.kind, term: literal(window.capPtrKind)), capBits: Input(value: storage.bits, term: literal(window.capPtrBits)))
        let config = KernelConfig(maxUntypedBits: numbers.maxBits.value, cnodeSlotBits: numbers.slotBits.value,
                                  capPtrStorage: CapPtrStorage(kind: numbers.capKind.value, bits: numbers.capBits.value))
        let maxBits = numbers.maxBits.term, slotBits = numbers.slotBits.term
        let out = kernelRetype(KernelUntyped(pptr: pptr.value, sizeBits: size.value, freeIndex: fi.value, isDevice: dev.value, hasChildren: hc.value),
                               RetypeRequest(typeValid: valid.value, objectClass: cls.value, fixedSizeBits: fixed.value, deviceAllowed: devok.value,
                                             userObjSize: user.value, count: count.value), config)
        let swError = q.define("sw.error", out.error)
        let swReset = q.define("sw.reset", out.reset)
        let swFirst = q.define("sw.first", out.firstObject)
        let swFi = q.define("sw.fi", out.untyped.freeIndex)
        let swHc = q.define("sw.hc", out.untyped.hasChildren)
        let start = q.word("b.start", "boot region start (pptr)")
        let end = q.word("b.end", "boot region end (pptr)")
        let cut = bootCut(start: start.value, end: end.value, maxUntypedBits: config.maxUntypedBits)
        let cutSize = q.define("sw.cut.size", cut.sizeBits)
        let cutEmits = q.define("sw.cut.emits", cut.emits)
        let cutNext = q.define("sw.cut.next", cut.next)
        let p = q.word("p.ptr", "a pointer stored into an untyped cap")
        let load = q.define("sw.load", config.capPtrStorage.load(p.value))

        let k = q.spec
        let retype = SpecFunctions.Retype(
            blockSize: size.term, freeIndex: fi.term, isDevice: dev.term, hasChildren: hc.term, typeValid: valid.term,
            objectClass: cls.term, fixedSize: fixed.term, deviceAllowed: devok.term, userSize: user.term, count: count.term,
            maxUntypedBits: maxBits, slotBits: slotBits, minSchedContextBits: minSchedContextBits)
        let accepted = swError.eq(noError)
        var goals = [
            Goal("error code and order", swError.eq(k.retypeError(capPtr: pptr.term, retype))),
            Goal("reset", BoolTerm.apply("=", [swReset, k.retypeReset(capPtr: pptr.term, retype)])),
            Goal("aligned free pointer", implies(accepted, swFirst.eq(k.retypeAlignedFreeRef(capPtr: pptr.term, retype)))),
            Goal("new free index", implies(accepted, swFi.eq(k.retypeNewFreeIndex(capPtr: pptr.term, retype)))),
            Goal("children after a retype", implies(accepted, swHc)),
            Goal("a refused retype changes nothing", implies(accepted.not, swFi.eq(fi.term).and(BoolTerm.apply("=", [swHc, hc.term])))),
            Goal("boot cut", implies(symbolic ? start.term.distinct(end.term).and(maxBits.ult(literal(UInt64(S.bitWidth)))) : start.term.distinct(end.term), all([
                cutSize.eq(k.bootCutSize(start: start.term, end: end.term, maxBits: maxBits)),
                BoolTerm.apply("=", [cutEmits, k.bootCutEmits(start: start.term, end: end.term, maxBits: maxBits)]),
                cutNext.eq(k.bootCutNext(start: start.term, end: end.term, maxBits: maxBits))]))),
            Goal("capPtr storage", implies(numbers.capBits.term.ule(literal(UInt64(S.bitWidth))),
                                           load.eq(k.capPtrLoad(p.term, kind: numbers.capKind.term, bits: numbers.capBits.term)))),
        ]
        // On the symbolic windows, also the specs' offset form (invariants-W.smt2): the
        // kernel's retype seen from the untyped's base, for every capPtr and every
        // seL4_MaxUntypedBits < W. The allocator obligations of every window of this width use it.
        if symbolic {
            let fMax = maxBits, fSlot = slotBits
            let hyp = all([k.untypedOk(pptr: pptr.term, size: size.term, maxBits: fMax), fMax.ult(literal(UInt64(S.bitWidth))),
                           fi.term.shl(minUntypedBits).ule(k.bit(size.term))])
            let error = k.retypeError(capPtr: pptr.term, retype)
            let objectSize = k.objectSize(objectClass: cls.term, fixedSize: fixed.term, userSize: user.term, slotBits: fSlot)
            let start = k.offsetRetypeStart(freeIndex: fi.term, hasChildren: hc.term, objectSize: objectSize)
            let end = k.offsetRetypeEnd(freeIndex: fi.term, hasChildren: hc.term, objectSize: objectSize, count: count.term)
            let alignedFreeRef = k.retypeAlignedFreeRef(capPtr: pptr.term, retype)
            let firstAt = alignedFreeRef.eq(pptr.term + start)
            let steps = offsetFormSteps(&q, hyp: hyp, pptr: pptr.term, size: size.term, freeIndex: fi.term, hasChildren: hc.term,
                                        objectSize: objectSize, count: count.term, maxBits: fMax, start: start, end: end)
            goals += steps.goals
            // optimality's induction over plans needs reaching the target to be monotone in the
            // watermark: a spec fact, proved here for every value (inputs l.w*), with no
            // assumption.
            let (wx, wy, wt, wb) = (q.word("l.wx", "lemma: a watermark").term, q.word("l.wy", "lemma: a watermark at or above it").term,
                                    q.word("l.wt", "lemma: a target").term, q.word("l.wb", "lemma: an object size").term)
            goals.append(Goal("align-up lemma: reaching an aligned target is monotone in the watermark",
                              implies(all([wx.ule(wy), wy.ule(wt), k.alignUp(wx, bits: wb).eq(wt)]), k.alignUp(wy, bits: wb).eq(wt))))
            goals += [
                Goal("offset form: error code",
                     implies(all([hyp] + steps.error.map(\.term)), error.eq(k.offsetRetypeError(retype)))),
                Goal("offset form: first object",
                     implies(all([hyp, error.eq(noError), steps.largerObject.term, steps.pptrAligned.term,
                                  steps.alignedPointer(pptr.term, k.offsetWatermark(freeIndex: fi.term, hasChildren: hc.term) + k.mask(objectSize), objectSize)]),
                             firstAt)),
                // Given the first object's place (the goal before), the new free index is arithmetic.
                Goal("offset form: new free index",
                     implies(firstAt.and(steps.freeIndexFrom(alignedFreeRef)),
                             k.retypeNewFreeIndex(capPtr: pptr.term, retype).eq(end.lshr(minUntypedBits)))),
            ]
        }
        return (.true, .true, goals)
    }

    /// The steps of the offset form's three goals: small lemmas, each proved as a goal of its own
    /// (a fraction of the time of the goal they serve, which is then a short step from them).
    /// The error code assumes `error`; the first object `largerObject` (the first of `error`),
    /// `pptrAligned` and `alignedPointer` at its terms (`roundingDown` proves it at inputs of its
    /// own, `l.p`, `l.x`, `l.o`); the new free index `freeIndexFrom` at the first object's
    /// address (`cancels` proves it at `l.a`). A lemma about `l.*` is proved for every value of
    /// them and assumed at the terms the goal needs.
    private struct OffsetFormSteps {
        var error: [Goal]
        var pptrAligned, roundingDown, cancels: Goal
        var alignedPointer: (BVTerm, BVTerm, BVTerm) -> BoolTerm
        var freeIndexFrom: (BVTerm) -> BoolTerm
        var largerObject: Goal { error[0] }
        /// Every step, in the order the query lists them.
        var goals: [Goal] { error + [pptrAligned, roundingDown, cancels] }
    }

    private func offsetFormSteps(_ q: inout QueryBuilder<S>, hyp: BoolTerm, pptr: BVTerm, size: BVTerm, freeIndex: BVTerm, hasChildren: BoolTerm,
                                 objectSize os: BVTerm, count: BVTerm, maxBits: BVTerm, start: BVTerm, end: BVTerm) -> OffsetFormSteps {
        let k = q.spec
        let zero = literal(0)
        // The kernel's memory check (step 6) is (BIT(size) - watermark) >> objectSize < count; the
        // offset form's is exact arithmetic on the aligned start and the bytes the objects take.
        let watermark = k.offsetWatermark(freeIndex: freeIndex, hasChildren: hasChildren)
        let untypedBytes = k.bit(size)
        let freeBytes = untypedBytes - watermark
        let used = count.shl(os)
        let room = untypedBytes - used
        let noWrap = used.lshr(os).eq(count)
        // What the error code's earlier checks leave when the memory check is reached.
        let reached = all([hyp, os.ule(maxBits), literal(1).ule(count), count.ule(literal(256))])
        let error = [
            Goal("offset form, step: objects larger than the untyped leave a quotient of 0",
                 implies(reached.and(size.ult(os)), freeBytes.lshr(os).eq(zero))),
            Goal("offset form, step: a count whose bytes wrap the word never fits",
                 implies(all([reached, os.ule(size), noWrap.not]), freeBytes.lshr(os).ult(count))),
            Goal("offset form, step: the quotient check is a comparison of bytes",
                 implies(reached.and(noWrap), freeBytes.lshr(os).uge(count).iff(freeBytes.uge(used)))),
            Goal("offset form, step: more bytes than the untyped never fit",
                 implies(reached.and(untypedBytes.ult(used)), freeBytes.ult(used))),
            Goal("offset form, step: the room below the objects is aligned",
                 implies(all([reached, os.ule(size), noWrap, used.ule(untypedBytes)]), k.aligned(room, bits: os))),
            Goal("offset form, step: aligning the watermark up keeps it below an aligned bound",
                 implies(reached.and(k.aligned(room, bits: os)), watermark.ule(room).iff(k.alignUp(watermark, bits: os).ule(room)))),
            Goal("offset form, step: free bytes against the watermark",
                 implies(reached.and(used.ule(untypedBytes)), freeBytes.uge(used).iff(watermark.ule(room)))),
        ]
        let pptrAligned = Goal("offset form, step: the untyped's pptr is aligned to any object it can hold",
                               implies(hyp.and(os.ule(size)), k.aligned(pptr, bits: os)))
        // Rounding down to 2^o commutes with adding a pointer aligned to 2^o.
        let alignedPointer = { (p: BVTerm, x: BVTerm, o: BVTerm) -> BoolTerm in
            implies(k.aligned(p, bits: o), (p + x).bitAnd(k.mask(o).bitNot).eq(p + x.bitAnd(k.mask(o).bitNot)))
        }
        let lp = q.word("l.p", "lemma: a pointer aligned to 2^l.o").term
        let lx = q.word("l.x", "lemma: any word").term
        let lo = q.word("l.o", "lemma: any alignment").term
        // The kernel's new free index is (first + bytes - capPtr) >> 4: with the first object at
        // capPtr + start, the capPtr cancels.
        let freeIndexFrom = { (a: BVTerm) -> BoolTerm in
            implies(a.eq(pptr + start), ((a + used) - pptr).lshr(minUntypedBits).eq(end.lshr(minUntypedBits)))
        }
        let la = q.word("l.a", "lemma: any address of the first object").term
        return OffsetFormSteps(
            error: error, pptrAligned: pptrAligned,
            roundingDown: Goal("offset form, step: rounding down commutes with adding an aligned pointer", alignedPointer(lp, lx, lo)),
            cancels: Goal("offset form, step: the capPtr cancels from the new free index", freeIndexFrom(la)),
            alignedPointer: alignedPointer, freeIndexFrom: freeIndexFrom)
    }

    // MARK: boot-shape

    private func bootShape(_ q: inout QueryBuilder<S>) -> Parts {
        let o = offset(&q)
        let p = q.word("b.paddr", "physical start of the rest of a region")
        let e = q.word("b.end", "physical end of the region (exclusive)")
        let cut = bootCut(start: p.value &+ o.value, end: e.value &+ o.value, maxUntypedBits: config.maxUntypedBits)
        let size = q.define("sw.cut.size", cut.sizeBits)
        let emits = q.define("sw.cut.emits", cut.emits)
        let next = q.define("sw.cut.next", cut.next)
        let start = q.define("b.start", p.term + o.term)
        // The region lies inside [0, device top); a device top of 2^W is the word 0 (32-bit Arm/RISC-V).
        let inside: BoolTerm
        if let top = window.deviceTop {
            if S.bitWidth < 64 && top >> UInt64(S.bitWidth) != 0 {
                inside = p.term.ult(e.term).or(e.term.eq(literal(0)).and(p.term.distinct(literal(0))))
            } else {
                inside = all([p.term.ult(e.term), e.term.ule(literal(top))])
            }
        } else {
            let devtop = q.word("win.devtop", "device top: any value").term
            inside = all([p.term.ult(e.term), e.term.ule(devtop)])
        }
        let k = q.spec
        var shape = [
            k.untypedOk(pptr: start, size: size, maxBits: maxBits),
            k.bit(size).ule(e.term - p.term),
            (next - start).eq(k.bit(size)),
        ]
        // The capPtr round trip is a property of a real window (its pptrs are canonical); with an
        // arbitrary offset it cannot hold, so it is checked on every catalogue window only.
        if window.pptrBaseOffset != nil {
            shape.append(k.capPtrLoad(start, kind: literal(window.capPtrKind), bits: literal(window.capPtrBits)).eq(start))
        }
        let labels = ["pptr aligned, size in range", "inside the region", "the next piece starts after it", "pptr survives capPtr storage"]
        return (inside, emits, zip(labels, shape).map { Goal($0, implies(emits, $1)) })
    }

    // MARK: allocator obligations

    /// What every allocator obligation is stated over: the allocator's state and request, its
    /// step and the state after it (the core's terms), the kernel's retype of the step (the
    /// specs' offset form), and the common assumptions `pre`.
    struct Allocator {
        let state: UntypedState<S>
        let request: PlacementRequest<S>
        let after: UntypedState<S>
        /// The search's proposal when it is an input (the reduced forms).
        let proposal: DummySearch<S>?
        let contract: SearchContract<S>
        let offset, paddr, size, rSize, rCount, rTarget, rPer, kfi: BVTerm
        let dev, devok, phys, has: BoolTerm
        let uPptr, stEff, stepSize, stepCount, stepPaddr, afterEff: BVTerm
        let stHc, afterHc, afterHolds: BoolTerm
        let isObject, isDummy, isDelete, isFail, isRetype, cannotPad, badCount: BoolTerm
        let targetOffset: BVTerm
        /// The kernel's retype of the step's retype (`kernel`, over the step's own fields), and
        /// in the any-search form also of each kind of retype apart (`byKind`, over the request's
        /// size and count for the object, the proposal's for the dummies), with `sameRetypes`:
        /// the step's retype of each kind is that one.
        let kernel: KernelRetype
        let byKind: (dummies: KernelRetype, object: KernelRetype)?
        let sameRetypes: BoolTerm?
        /// The obligation's common assumptions.
        let pre: BoolTerm
        /// The two retypes a step makes, for goals stated for each: the kind, its name, and the
        /// kernel's retype of that kind.
        var retypes: [(BoolTerm, String, KernelRetype)] {
            [(isDummy, "dummies", byKind?.dummies ?? kernel), (isObject, "object", byKind?.object ?? kernel)]
        }
        var objectRetype: KernelRetype { byKind?.object ?? kernel }
        var dummyRetype: KernelRetype { byKind?.dummies ?? kernel }
    }

    /// The kernel's retype as named terms: the objects' size, whether the kernel accepts it,
    /// the first object's offset from the base, the end, the first object's pptr, the new
    /// capFreeIndex.
    struct KernelRetype {
        let size, offset, end, first, fi: BVTerm
        let accepted: BoolTerm
    }

    private func allocatorObligation(_ obligation: Obligation, _ q: inout QueryBuilder<S>, situation: inout String?) -> Parts {
        let a = allocator(&q, situation: &situation)
        switch obligation {
        case .watermark: return watermark(a, &q)
        case .placement: return placement(a, &q)
        case .alignment: return alignment(a, &q)
        case .noOverlap: return noOverlap(a, &q)
        case .noReset: return noReset(a, &q)
        case .refusal: return refusal(a, &q)
        case .dummySearch: return dummySearch(a, &q)
        case .progress: return progress(a, &q)
        case .optimality, .modelSpec, .bootShape:
            // build(_:) sends only allocator obligations here.
            return optimality(a, &q)
        }
    }

    private func allocator(_ q: inout QueryBuilder<S>, situation: inout String?) -> Allocator {
        let o = offset(&q)
        let aPaddr = q.word("a.paddr", "untyped base paddr"), aSize = q.word("a.size", "untyped size bits")
        let aDev = q.bool("a.dev", "device untyped"), aWatermark = q.word("a.watermark", "allocator's watermark (bytes)")
        let aLive = q.word("a.live", "live objects the allocator made"), aHold0 = q.word("a.hold0", "dummies in hold group 0")
        let aHold1 = q.word("a.hold1", "dummies in hold group 1"), aNext = q.word("a.next", "next hold group")
        let state = UntypedState<S>(paddr: aPaddr.value, sizeBits: aSize.value, isDevice: aDev.value, watermark: aWatermark.value,
                                    liveObjects: aLive.value, hold0: aHold0.value, hold1: aHold1.value, nextHold: aNext.value)
        let kfi = q.word("k.fi", "the kernel's capFreeIndex of the untyped").term
        let rSize = q.word("r.size", "object size bits"), rCount = q.word("r.count", "objects in the retype")
        let rDevok = q.bool("r.devok", "type may come from device memory")
        let rPhys = q.bool("r.phys", "object must be physically aligned (frame)")
        let rHas = q.bool("r.has", "anchored object"), rTarget = q.word("r.target", "target paddr")
        let rPer = q.word("r.per", "dummies one retype may create")
        let request = PlacementRequest<S>(sizeBits: rSize.value, count: rCount.value, deviceAllowed: rDevok.value,
                                          needsPhysicalAlignment: rPhys.value, hasTarget: rHas.value, target: rTarget.value,
                                          maxDummiesPerRetype: rPer.value)
        let uPptr = q.define("u.pptr", aPaddr.term + o.term)
        let stHc = q.define("st.hc", state.hasChildren)
        let stEff = q.define("st.eff", state.effectiveWatermark)
        // The dummy search: an unconstrained proposal, a proposal under the search's contract,
        // or the strategy's own search. The step reports the watermark and target it searched with.
        let proposed = form == .strategySearch ? nil
            : (size: q.word("search.size", "size bits the dummy search proposes"), count: q.word("search.count", "number of dummies it proposes"),
               reach: q.word("search.reach", "where it believes they end"))
        let proposal = proposed.map { DummySearch<S>(sizeBits: $0.size.value, count: $0.count.value, reach: $0.reach.value) }
        var searched = (w: numeral(0), t: numeral(0))
        let step = nextStep(state, request, strategy: strategy) { w, t in
            searched = (w, t)
            return proposal ?? strategy.searchDummies(watermark: w, target: t, state: state, perRetype: request.maxDummiesPerRetype)
        }
        let contract = SearchContract(state: state, request: request, strategy: strategy, w: searched.w, t: searched.t,
                                      untypedSize: aSize.term, perRetype: rPer.term)
        q.define("step.kind", step.kind)
        let stepSize = q.define("step.size", step.sizeBits)
        let stepCount = q.define("step.count", step.count)
        q.define("step.hold", step.hold)
        let stepPaddr = q.define("step.paddr", step.paddr)
        q.define("step.error", step.error)
        let after = apply(step, to: state)
        q.define("after.watermark", after.watermark)
        q.define("after.live", after.liveObjects)
        q.define("after.hold0", after.hold0)
        q.define("after.hold1", after.hold1)
        q.define("after.next", after.nextHold)
        let afterHc = q.define("after.hc", after.hasChildren)
        let afterEff = q.define("after.eff", after.effectiveWatermark)
        let stHolds = q.define("st.holds", state.keepsHoldInvariant)
        let afterHolds = q.define("after.holds", after.keepsHoldInvariant)

        let minBits = minUntypedBits, k = q.spec
        let isObject = q.define("is-object", step.is(.retypeObject))
        let isDummy = q.define("is-dummy", step.is(.retypeDummies))
        let isDelete = q.define("is-delete", step.is(.deleteHold))
        let isFail = q.define("is-fail", step.is(.fail))
        let cannotPad = q.define("step.cannot-pad", step.error.eq(PlacementError.cannotPad.word()))
        let badCount = q.define("step.bad-count", step.error.eq(PlacementError.badCount.word()))
        let isRetype = q.define("is-retype", isObject.or(isDummy))
        // The kernel executes the step's retype, in the specs' offset form (invariants-W.smt2),
        // which equals the kernel's retype on every untyped the kernel can hold, on every window
        // (model-spec on any-W). Dummies are Untyped; the object is taken as a type of r.size
        // bits (its class only matters for checks the core leaves to the caller).
        func kernelRetype(_ prefix: String, objectClass cls: BVTerm, userSize: BVTerm, count: BVTerm, deviceAllowed: BoolTerm, size: BVTerm?) -> KernelRetype {
            let kernSize = q.define("\(prefix).size", k.objectSize(objectClass: cls, fixedSize: rSize.term, userSize: userSize, slotBits: slotBits))
            let kernError = q.define("\(prefix).error", k.offsetRetypeError(SpecFunctions.Retype(
                blockSize: aSize.term, freeIndex: kfi, isDevice: aDev.term, hasChildren: stHc, typeValid: .true, objectClass: cls,
                fixedSize: rSize.term, deviceAllowed: deviceAllowed, userSize: userSize, count: count,
                maxUntypedBits: maxBits, slotBits: slotBits, minSchedContextBits: minSchedContextBits)))
            let kernOffset = q.define("\(prefix).offset", k.offsetRetypeStart(freeIndex: kfi, hasChildren: stHc, objectSize: kernSize))
            let kernEnd = q.define("\(prefix).end", k.offsetRetypeEnd(freeIndex: kfi, hasChildren: stHc, objectSize: kernSize, count: count))
            let kernFirst = q.define("\(prefix).first", uPptr + kernOffset)
            let kernFi = q.define("\(prefix).fi", kernEnd.lshr(minBits))
            return KernelRetype(size: size ?? kernSize, offset: kernOffset, end: kernEnd, first: kernFirst, fi: kernFi, accepted: kernError.eq(noError))
        }
        let kernel = kernelRetype("kern", objectClass: ite(isObject, fixedClass, untypedClass), userSize: stepSize, count: stepCount,
                                  deviceAllowed: isObject.not.or(rDevok.term), size: stepSize)
        // In the any-search form, each kind of retype apart, over the request's and the
        // proposal's numbers: the goals about one kind then need not see through the step's
        // choice between them (several times faster); `sameRetypes` shows the step's retype is that one.
        var byKind: (dummies: KernelRetype, object: KernelRetype)? = nil
        var sameRetypes: BoolTerm? = nil
        if form == .anySearch, let proposed {
            byKind = (dummies: kernelRetype("kern.dum", objectClass: untypedClass, userSize: proposed.size.term, count: proposed.count.term,
                                            deviceAllowed: .true, size: proposed.size.term),
                      object: kernelRetype("kern.obj", objectClass: fixedClass, userSize: rSize.term, count: rCount.term,
                                           deviceAllowed: rDevok.term, size: rSize.term))
            sameRetypes = all([implies(isObject, stepSize.eq(rSize.term).and(stepCount.eq(rCount.term))),
                               implies(isDummy, stepSize.eq(proposed.size.term).and(stepCount.eq(proposed.count.term)))])
        }
        let targetOffset = q.define("target.offset", rTarget.term - aPaddr.term)

        if !S.isSymbolic { situation = Self.situation(state, pptr: aPaddr.value &+ o.value, request) }

        let range = physicalRange(&q, paddr: aPaddr.term, size: aSize.term, device: aDev.term)
        let pre = all([
            k.untypedOk(pptr: uPptr, size: aSize.term, maxBits: maxBits),
            range,
            k.mirrors(watermark: stEff, freeIndex: kfi, hasChildren: stHc),
            stHolds,
            kfi.shl(minBits).ule(k.bit(aSize.term)),
        ])
        return Allocator(state: state, request: request, after: after, proposal: proposal, contract: contract,
                         offset: o.term, paddr: aPaddr.term, size: aSize.term, rSize: rSize.term, rCount: rCount.term,
                         rTarget: rTarget.term, rPer: rPer.term, kfi: kfi,
                         dev: aDev.term, devok: rDevok.term, phys: rPhys.term, has: rHas.term,
                         uPptr: uPptr, stEff: stEff, stepSize: stepSize, stepCount: stepCount, stepPaddr: stepPaddr, afterEff: afterEff,
                         stHc: stHc, afterHc: afterHc, afterHolds: afterHolds,
                         isObject: isObject, isDummy: isDummy, isDelete: isDelete, isFail: isFail, isRetype: isRetype,
                         cannotPad: cannotPad, badCount: badCount,
                         targetOffset: targetOffset, kernel: kernel, byKind: byKind, sameRetypes: sameRetypes, pre: pre)
    }

    /// `label` for each retype the step can make (dummies, object), under its kind and `lemma`;
    /// `formula` gets the kernel's retype of that kind.
    private func each(_ a: Allocator, _ label: String, assuming lemma: BoolTerm? = nil, _ formula: (KernelRetype) -> BoolTerm) -> [Goal] {
        a.retypes.map { kind, name, retype in Goal("\(name): \(label)", implies(hypothesis([kind], assuming: lemma), formula(retype))) }
    }

    /// In the any-search form, the goal that the step's retype of each kind is the one the
    /// goals about that kind speak of (the request's object(s), the proposal's dummies).
    private func sameRetypes(_ a: Allocator) -> [Goal] {
        a.sameRetypes.map { [Goal("the step retypes the request's objects or the proposal's dummies", $0)] } ?? []
    }

    /// The conjunction of `parts`, and of `lemma` when there is one.
    private func hypothesis(_ parts: [BoolTerm], assuming lemma: BoolTerm?) -> BoolTerm {
        all(parts + (lemma.map { [$0] } ?? []))
    }

    /// Each retype lands where the allocator believes (placement's first two goals).
    private func landing(_ a: Allocator) -> [Goal] {
        [Goal("dummies land where the allocator believes", implies(a.isDummy, (a.stepPaddr - a.paddr).eq(a.dummyRetype.offset))),
         Goal("the object lands where the allocator believes", implies(a.isObject, (a.stepPaddr - a.paddr).eq(a.objectRetype.offset)))]
    }

    /// In the any-search form, the goals about the kernel's retype assume where it lands:
    /// placement's landing goals (its first two, proved by placement in the same form under the
    /// same assumptions) are added to their hypotheses (a third of the time). Their goals speak
    /// of each kind of retype apart (`Allocator.byKind`), which placement's third goal shows is
    /// the step's retype. The run counts such a proof only where placement is proved
    /// (`Obligation.prerequisite`); where it is not (a broken rule), the strategy-search form,
    /// without them, decides.
    private func landingLemma(_ a: Allocator) -> BoolTerm? {
        form == .anySearch ? all(landing(a).map(\.term)) : nil
    }

    private func watermark(_ a: Allocator, _ q: inout QueryBuilder<S>) -> Parts {
        let k = q.spec
        let lemma = landingLemma(a)
        var goals: [Goal] = []
        goals += each(a, "the kernel accepts the retype", assuming: lemma) { $0.accepted }
        goals += each(a, "the watermarks still mirror each other", assuming: lemma) {
            k.mirrors(watermark: a.afterEff, freeIndex: $0.fi, hasChildren: a.afterHc)
        }
        goals += each(a, "the untyped has children") { _ in a.afterHc }
        goals += each(a, "the kernel's free index stays inside the untyped", assuming: lemma) { $0.fi.shl(minUntypedBits).ule(k.bit(a.size)) }
        goals += [Goal("delete: the watermarks still mirror each other", implies(a.isDelete, k.mirrors(watermark: a.afterEff, freeIndex: a.kfi, hasChildren: a.afterHc)))]
        goals += [Goal("the hold invariant holds after the step", a.afterHolds)]
        return (a.pre, a.isRetype, goals)
    }

    private func placement(_ a: Allocator, _ q: inout QueryBuilder<S>) -> Parts {
        (a.pre, a.isObject.and(a.has), landing(a) + sameRetypes(a) + [
            Goal("an anchored object lands at its target",
                 implies(a.isObject.and(a.has), q.spec.placed(object: a.objectRetype.first, capPtr: a.uPptr, basePaddr: a.paddr, target: a.rTarget))),
        ])
    }

    private func alignment(_ a: Allocator, _ q: inout QueryBuilder<S>) -> Parts {
        (a.pre, a.isObject.and(a.phys), [
            Goal("aligned in kernel-virtual space", implies(a.isObject, q.spec.aligned(a.kernel.first, bits: a.rSize))),
            Goal("frames aligned physically", implies(a.isObject.and(a.phys), q.spec.aligned(a.kernel.first - a.offset, bits: a.rSize))),
        ])
    }

    private func noOverlap(_ a: Allocator, _ q: inout QueryBuilder<S>) -> Parts {
        // That the kernel accepts the retype is `watermark`'s to prove; here, where it lands.
        let k = q.spec
        let lemma = landingLemma(a)
        var goals: [Goal] = []
        goals += each(a, "at or above the watermark", assuming: lemma) { k.noOverlap(previousEnd: a.stEff, offset: $0.offset) }
        goals += each(a, "the first object inside the untyped", assuming: lemma) { k.inBounds(offset: $0.offset, size: $0.size, untypedSize: a.size) }
        goals += each(a, "the last object inside the untyped", assuming: lemma) { $0.offset.ule($0.end).and($0.end.ule(k.bit(a.size))) }
        goals.append(Goal("dummies end at or before the target",
                          implies(hypothesis([a.isDummy, a.has], assuming: lemma),
                                  k.dummyBeforeTarget(dummyEnd: a.dummyRetype.end, targetOffset: a.targetOffset))))
        return (a.pre, a.isDummy.and(a.has), goals)
    }

    private func noReset(_ a: Allocator, _ q: inout QueryBuilder<S>) -> Parts {
        (a.pre, a.isDelete, [Goal("a delete leaves the untyped with children", implies(a.isDelete, a.afterHc))])
    }

    private func refusal(_ a: Allocator, _ q: inout QueryBuilder<S>) -> Parts {
        // Another way to place the request: the kernel's free index now or any later one
        // (dummy retypes of 16-byte untypeds reach every one), then one retype of the object(s).
        let k = q.spec, minBits = minUntypedBits
        let xfi = q.word("x.fi", "a free index at or after the kernel's, where another plan retypes the object").term
        let xw = q.define("x.w", xfi.shl(minBits))
        let xhc = q.define("x.hc", ite(xw.eq(a.stEff), a.stHc, .true))
        let xError = q.define("x.error", k.offsetRetypeError(SpecFunctions.Retype(
            blockSize: a.size, freeIndex: xfi, isDevice: a.dev, hasChildren: xhc, typeValid: .true, objectClass: fixedClass,
            fixedSize: a.rSize, deviceAllowed: a.devok, userSize: a.rSize, count: a.rCount,
            maxUntypedBits: maxBits, slotBits: slotBits, minSchedContextBits: minSchedContextBits)))
        let xOffset = q.define("x.offset", k.offsetRetypeStart(freeIndex: xfi, hasChildren: xhc, objectSize: a.rSize))
        let reachable = all([xw.uge(a.stEff), xw.lshr(minBits).eq(xfi), xw.ule(k.bit(a.size))])
        let refused = all([a.isFail, a.badCount.not, a.cannotPad.not, minBits.ule(a.rSize)])
        let places = all([xError.eq(noError), implies(a.has, xOffset.eq(a.targetOffset)),
                          implies(a.phys, k.aligned(a.paddr + xOffset, bits: a.rSize))])
        return (all([a.pre, reachable]), refused, [
            Goal("a refused request has no placement the kernel accepts", implies(refused, places.not)),
        ])
    }

    private func progress(_ a: Allocator, _ q: inout QueryBuilder<S>) -> Parts {
        let next = nextStep(a.after, a.request, strategy: strategy) { _, _ in a.proposal ?? DummySearch<S>.none }
        let nextIsDelete = q.define("next.is-delete", next.is(.deleteHold))
        var assumptions = a.pre
        if let proposal = a.proposal, form == .searchContract {
            assumptions = all([a.pre, a.contract.proposes(proposal, &q).0])
        }
        return (assumptions, a.isDummy, [
            Goal("the step never fails its own postcondition", a.cannotPad.not),
            Goal("a dummy retype advances the watermark", implies(a.isDummy, a.stEff.ult(a.afterEff))),
            Goal("a dummy retype stays at or below the target", implies(a.isDummy.and(a.has), a.afterEff.ule(a.targetOffset))),
            Goal("a delete is followed by a retype", implies(a.isDelete, nextIsDelete.not)),
        ])
    }

    /// The search's contract, proved once per window and strategy by induction over its rounds
    /// (the lemmas progress and optimality assume in the search-contract form).
    private func dummySearch(_ a: Allocator, _ q: inout QueryBuilder<S>) -> Parts {
        let (lemmas, lemmaGuard) = a.contract.lemmas(reach: true, &q)
        return (a.pre, lemmaGuard, lemmas)
    }

    /// The situation of an allocator counterexample in words (concrete words only).
    private static func situation(_ state: UntypedState<S>, pptr: S, _ request: PlacementRequest<S>) -> String {
        func h(_ x: S) -> String { hex(x.knownValue ?? 0) }
        func d(_ x: S) -> String { "\(x.knownValue ?? 0)" }
        let device = state.isDevice.knownValue ?? false, children = state.hasChildren.knownValue ?? false
        return "Untyped paddr \(h(state.paddr)) (pptr \(h(pptr))), 2^\(d(state.sizeBits)) bytes\(device ? ", device" : ""); "
            + "watermark \(h(state.effectiveWatermark))\(children ? "" : " (no children: the kernel resets it)"); "
            + ((request.hasTarget.knownValue ?? false) ? "target paddr \(h(request.target)) for a 2^\(d(request.sizeBits))-byte object."
                : "an unanchored 2^\(d(request.sizeBits))-byte object.")
    }

    /// Where the kernel can hand out the untyped: its physical range does not wrap past 2^W
    /// and, on a window with known numbers, device untypeds lie below the device top and
    /// normal (RAM) untypeds inside the kernel window [PADDR_BASE, PADDR_TOP). (With its pptr
    /// aligned to its size and a size in [4, seL4_MaxUntypedBits], `untyped-ok`, that is
    /// what boot cutting produces: every such block is the cut of a region of its own.)
    /// A counterexample on a window therefore describes a state that window's kernel reaches.
    private func physicalRange(_ q: inout QueryBuilder<S>, paddr: BVTerm, size: BVTerm, device: BoolTerm) -> BoolTerm {
        let end = q.define("a.end", paddr + q.spec.bit(size))
        let noWrap = paddr.ult(end).or(end.eq(literal(0)))
        // The range ends at or below `top` (exclusive; 2^W or more: no bound beyond noWrap).
        func endsBelow(_ top: UInt64) -> BoolTerm {
            top >> UInt64(S.bitWidth) != 0 ? noWrap : all([paddr.ult(end), end.ule(literal(top))])
        }
        guard let top = window.deviceTop, let base = window.paddrBase, let ramTop = window.paddrTop else { return noWrap }
        return ite(device, endsBelow(top), all([literal(base).ule(paddr), endsBelow(ramTop)]))
    }

    /// Greedy stays ahead: from any watermark at or below ours, no dummy retype the kernel
    /// accepts (with the same budget of dummies per retype) ends beyond where our dummy retype
    /// ends. With reaching the target monotone in the watermark (a spec fact that model-spec
    /// proves on the symbolic window of this width), by induction over plans, no plan with
    /// fewer dummy retypes reaches the target (a reset only moves a plan back to 0).
    private func optimality(_ a: Allocator, _ q: inout QueryBuilder<S>) -> Parts {
        let contract = a.contract, pre = a.pre
        let ok = q.word("o.k", "size bits of another plan's dummy retype")
        let on = q.word("o.n", "number of dummies in that retype").term
        let ofi = q.word("o.fi", "the kernel's capFreeIndex in that plan (its watermark is o.fi << 4)").term
        let zero = literal(0), minBits = minUntypedBits, k = q.spec
        let ow = q.define("o.w", ofi.shl(minBits))
        let oend = q.define("o.end", k.offsetRetypeEnd(freeIndex: ofi, hasChildren: .true, objectSize: ok.term, count: on))
        let otherError = k.offsetRetypeError(SpecFunctions.Retype(
            blockSize: a.size, freeIndex: ofi, isDevice: a.dev, hasChildren: .true, typeValid: .true, objectClass: untypedClass,
            fixedSize: zero, deviceAllowed: .true, userSize: ok.term, count: on,
            maxUntypedBits: maxBits, slotBits: slotBits, minSchedContextBits: minSchedContextBits))
        let otherPlan = all([
            minBits.ule(ok.term), ok.term.ult(a.size), literal(1).ule(on), on.ule(a.rPer),
            ofi.shl(minBits).ule(k.bit(a.size)),
            ow.ule(a.stEff),
            otherError.eq(noError),
            oend.ule(a.targetOffset),
        ])
        let assumptions = all([pre, a.has, a.isFail.not, otherPlan])
        var lemmas: [Goal] = []
        var mainGoal = Goal("no dummy retype from a watermark at or below ours ends beyond ours", implies(a.isDummy, oend.ule(a.afterEff)))
        // Slot bound: blocks of any one size o.k from our watermark that reach exactly as far
        // as our dummy retype are no fewer than ours.
        let c1 = contract.singleSize(size: ok.value, name: "c1", &q)
        var slotGoal = Goal("slot bound: no block size reaching as far as our dummies needs fewer of them",
                            implies(all([a.isDummy, c1.count.distinct(zero), c1.reach.eq(a.afterEff)]), a.stepCount.ule(c1.count)))
        if let proposal = a.proposal, form == .searchContract {
            // The argument, in steps. With S = our watermark aligned up to the other plan's
            // block size: (a) if such blocks fit from our watermark, the search's round of that
            // size reaches at least as far as the other plan; (b) if not, the other plan ends
            // at or below S; (c) if S is above our watermark and not beyond the target, the
            // largest block that fits below S reaches S; (d) if S is beyond the target, the
            // other plan ends at or below our watermark; (e) our dummies end above it. The
            // search reaches as far as both rounds (its contract); the last goal combines them.
            let w = contract.w
            let needed = contract.needed(&q)
            let (proposes, prop) = contract.proposes(proposal, &q)
            let (asFar1, _) = contract.reachesAsFar(proposal, size: ok.value, name: "c1", &q)
            let (asFar2, c2) = contract.reachesAsFar(proposal, size: (w.alignedUp(ok.value) &- w).floorLog2, name: "c2", &q)
            // The search's contract is assumed only by the goals that use it (the dummies' end,
            // the last goal and the slot bound): the other steps are about the other plan and the
            // single rounds alone, and are proved without it (in about two thirds of the time).
            let searchContract = [proposes, asFar1, asFar2, contract.fewestSlots(proposal, than: c1, &q)]
            let (searchW, searchT) = contract.searched(&q)
            let os = q.define("o.s", k.alignUp(searchW, bits: ok.term))
            let propReach = prop.reach
            let startsBelow = k.alignUp(ow, bits: ok.term).ule(os)
            let width = literal(UInt64(S.bitWidth))
            let steps = [
                Goal("a dummy retype is needed when the step makes one", implies(a.isDummy, needed)),
                Goal("the dummies end where the search said", implies(all([a.isDummy] + searchContract), a.afterEff.eq(propReach))),
                Goal("the dummies are as many as the search said", implies(a.isDummy, a.stepCount.eq(prop.count))),
                // (a) in its two cases (proved apart, they take half the time of the whole):
                // the round of the other plan's size stops at the budget or at the target; both
                // assume that align-up is monotone here, (a0), proved first.
                Goal("(a0) the other plan's blocks start at or below S", implies(needed, startsBelow)),
                Goal("(a) blocks of the other plan's size, if they fit, reach as far from our watermark: when the budget stops them",
                     implies(all([needed, startsBelow, c1.count.distinct(zero), c1.count.eq(a.rPer)]), c1.reach.uge(oend))),
                Goal("(a) blocks of the other plan's size, if they fit, reach as far from our watermark: when the target stops them",
                     implies(all([needed, startsBelow, c1.count.distinct(zero), c1.count.distinct(a.rPer)]), c1.reach.uge(oend))),
                Goal("(b) if they do not fit, the other plan ends at or below S",
                     implies(all([needed, c1.count.eq(zero)]), oend.ule(os))),
                Goal("(c) if S lies above our watermark and not beyond the target, the largest block below S reaches S",
                     implies(all([needed, searchW.ult(os), os.ule(searchT)]),
                             all([minBits.ule(c2.k), c2.k.ult(width), c2.count.distinct(zero), c2.reach.uge(os)]))),
                Goal("(d) if S lies beyond the target, the other plan ends at or below our watermark",
                     implies(all([needed, searchT.ult(os)]), oend.ule(searchW))),
                Goal("(e) our dummies end above our watermark", implies(a.isDummy, searchW.ult(a.afterEff))),
            ]
            lemmas = steps
            // The slot bound assumes the two steps on the proposal (a tenth of the time).
            slotGoal = Goal(slotGoal.label, implies(all([a.isDummy] + searchContract + [a.afterEff.eq(propReach), a.stepCount.eq(prop.count),
                                                         c1.count.distinct(zero), c1.reach.eq(a.afterEff)]),
                                                    a.stepCount.ule(c1.count)))
            mainGoal = Goal(mainGoal.label, implies(all([a.isDummy] + searchContract + steps.map(\.term)), oend.ule(a.afterEff)))
        }
        return (assumptions, a.isDummy, lemmas + [
            mainGoal,
            slotGoal,
        ])
    }
}

func hex(_ v: UInt64) -> String { "0x" + String(v, radix: 16) }
