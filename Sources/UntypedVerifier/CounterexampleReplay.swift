import UntypedCore

/// Replays a solver's counterexample through the concrete core (UInt32/UInt64) and the
/// concrete kernel model, and says in words what goes wrong. A counterexample that does
/// not reproduce here is an encoder disagreement, never a reported bug.
enum CounterexampleReplay {
    static func replay(_ obligation: Obligation, window: ProofWindow, strategy: StrategyUnderTest,
                       values: [String: UInt64]) -> Counterexample {
        let ordered = values.keys.sorted().map { (name: $0, value: values[$0]!) }
        let (reproduced, explanation) = window.wordBits == 64
            ? ConcreteCheck<UInt64>(window: window, strategy: strategy, values: values).run(obligation)
            : ConcreteCheck<UInt32>(window: window, strategy: strategy, values: values).run(obligation)
        return Counterexample(inputs: ordered, explanation: explanation, reproduced: reproduced, traceJSON: nil)
    }
}

/// The obligation's property, evaluated on concrete words.
struct ConcreteCheck<C: MachineWord> {
    let window: ProofWindow
    let strategy: StrategyUnderTest
    let values: [String: UInt64]

    func v(_ name: String) -> C { C(truncatingIfNeeded: values[name] ?? 0) }
    func b(_ name: String) -> Bool { (values[name] ?? 0) != 0 }
    func h(_ x: C) -> String { "0x" + String(x, radix: 16) }

    var config: KernelConfig<C> {
        KernelConfig(maxUntypedBits: C(truncatingIfNeeded: window.maxUntypedBits),
                     cnodeSlotBits: C(truncatingIfNeeded: window.cnodeSlotBits),
                     capPtrStorage: CapPtrStorage(kind: C(truncatingIfNeeded: window.capPtrKind),
                                                  bits: C(truncatingIfNeeded: window.capPtrBits)))
    }
    var offset: C { window.pptrBaseOffset.map { C(truncatingIfNeeded: $0) } ?? v("win.offset") }

    func run(_ obligation: Obligation) -> (Bool, String) {
        switch obligation {
        case .modelSpec: return modelSpec()
        case .bootShape: return bootShape()
        default: return allocator(obligation)
        }
    }

    private func modelSpec() -> (Bool, String) {
        let cap = KernelUntyped<C>(pptr: v("c.pptr"), sizeBits: v("c.size"), freeIndex: v("c.fi"), isDevice: b("c.dev"), hasChildren: b("c.hc"))
        let out = kernelRetype(cap, RetypeRequest(typeValid: b("r.valid"), objectClass: v("r.class"), fixedSizeBits: v("r.fixed"),
                                                  deviceAllowed: b("r.devok"), userObjSize: v("r.user"), count: v("r.count")), config)
        let cut = bootCut(start: v("b.start"), end: v("b.end"), maxUntypedBits: config.maxUntypedBits)
        return (true, "the Swift kernel model and specs/ disagree on these inputs: Swift gives error \(out.error), first object \(h(out.firstObject)), free index \(h(out.untyped.freeIndex)); boot cut size \(cut.sizeBits), next \(h(cut.next)); capPtr load \(h(config.capPtrStorage.load(v("p.ptr")))). One of the two is wrong: compare with the kernel source.")
    }

    private func bootShape() -> (Bool, String) {
        let start = v("b.paddr") &+ offset, end = v("b.end") &+ offset
        let cut = bootCut(start: start, end: end, maxUntypedBits: config.maxUntypedBits)
        guard cut.emits else { return (false, "the cut emits nothing here") }
        let aligned = start & C.mask(cut.sizeBits) == 0
        let roundTrips = config.capPtrStorage.load(start) == start
        let fits = C.bit(cut.sizeBits) <= end &- start
        let sizeOK = cut.sizeBits >= 4 && cut.sizeBits <= config.maxUntypedBits
        let bad = !(aligned && roundTrips && fits && sizeOK)
        return (bad, "boot region paddr [\(h(v("b.paddr"))), \(h(v("b.end")))) gives an untyped at pptr \(h(start)) of 2^\(cut.sizeBits) bytes: "
                + (aligned ? "" : "pptr not aligned to its size; ") + (roundTrips ? "" : "pptr does not survive capPtr storage (reads back \(h(config.capPtrStorage.load(start)))); ")
                + (fits ? "" : "it extends past the region; ") + (sizeOK ? "" : "its size is out of range"))
    }

    private func allocator(_ obligation: Obligation) -> (Bool, String) {
        let state = UntypedState<C>(paddr: v("a.paddr"), sizeBits: v("a.size"), isDevice: b("a.dev"), watermark: v("a.watermark"),
                                    liveObjects: v("a.live"), hold0: v("a.hold0"), hold1: v("a.hold1"), nextHold: v("a.next"))
        let request = PlacementRequest<C>(sizeBits: v("r.size"), count: v("r.count"), deviceAllowed: b("r.devok"),
                                          needsPhysicalAlignment: b("r.phys"), hasTarget: b("r.has"), target: v("r.target"),
                                          maxDummiesPerRetype: v("r.per"))
        let kernel = KernelUntyped<C>(pptr: state.paddr &+ offset, sizeBits: state.sizeBits, freeIndex: v("k.fi"),
                                      isDevice: state.isDevice, hasChildren: state.hasChildren)
        let step = nextStep(state, request, strategy: strategy)
        let after = apply(step, to: state)
        let kind = StepKind(rawValue: UInt8(truncatingIfNeeded: step.kind)) ?? .fail
        let what = kind == .retypeObject ? "the 2^\(step.sizeBits)-byte object" : "\(step.count) dummy untyped(s) of 2^\(step.sizeBits) bytes"
        let situation = "Untyped paddr \(h(state.paddr)) (pptr \(h(kernel.pptr))), 2^\(state.sizeBits) bytes\(state.isDevice ? ", device" : ""); "
            + "watermark \(h(state.effectiveWatermark))\(state.hasChildren ? "" : " (no children: the kernel resets it)"); "
            + (request.hasTarget ? "target paddr \(h(request.target)) for a 2^\(request.sizeBits)-byte object. " : "an unanchored 2^\(request.sizeBits)-byte object. ")

        var out: RetypeOutcome<C>?
        if kind == .retypeObject || kind == .retypeDummies {
            let kreq = kind == .retypeObject
                ? RetypeRequest<C>(typeValid: true, objectClass: ObjectClass.fixed(), fixedSizeBits: request.sizeBits,
                                   deviceAllowed: request.deviceAllowed, userObjSize: step.sizeBits, count: step.count)
                : RetypeRequest<C>.untypeds(sizeBits: step.sizeBits, count: step.count)
            out = kernelRetype(kernel, kreq, config)
        }
        let believed = step.paddr &- state.paddr
        let actual = out.map { $0.firstObject &- kernel.pptr }
        switch obligation {
        case .watermark:
            if let out, out.error != 0 {
                return (true, situation + "The allocator retypes \(what); the kernel refuses it with \(RetypeError(rawValue: UInt8(truncatingIfNeeded: out.error)).map { "\($0)" } ?? "error \(out.error)").")
            }
            if let out {
                let kernelMark = out.untyped.freeIndex << 4
                if kernelMark != after.effectiveWatermark {
                    return (true, situation + "After retyping \(what) the allocator believes the watermark is \(h(after.effectiveWatermark)); the kernel's is \(h(kernelMark)) (it placed them at offset \(h(out.firstObject &- kernel.pptr)), the allocator believed \(h(believed))).")
                }
            }
            // The hold invariant, the inductive part of watermark agreement.
            if !after.keepsHoldInvariant {
                return (true, situation + "After the step the hold groups are \(after.hold0) and \(after.hold1) dummies, the next group is \(after.nextHold) and \(after.liveObjects) objects are alive: "
                        + "the next delete would remove the untyped's last children, so the kernel would reset it and the allocator's watermark would no longer be the kernel's.")
            }
            return (false, situation + "no watermark disagreement on the concrete core")
        case .placement:
            if let actual, actual != believed {
                return (true, situation + "The allocator believed \(what) would start at paddr \(h(step.paddr)); the kernel aligned the kernel-virtual free pointer and put it at paddr \(h(state.paddr &+ actual)).")
            }
            if kind == .retypeObject, request.hasTarget, let actual, state.paddr &+ actual != request.target {
                return (true, situation + "The object lands at paddr \(h(state.paddr &+ actual)), not at the target \(h(request.target)).")
            }
            return (false, situation + "placement matches on the concrete core")
        case .alignment:
            if kind == .retypeObject, let out {
                let pptr = out.firstObject, paddr = out.firstObject &- offset
                if pptr & C.mask(request.sizeBits) != 0 { return (true, situation + "The object's pptr \(h(pptr)) is not aligned to 2^\(request.sizeBits).") }
                if request.needsPhysicalAlignment && paddr & C.mask(request.sizeBits) != 0 {
                    return (true, situation + "The frame's paddr \(h(paddr)) is not aligned to 2^\(request.sizeBits).")
                }
            }
            return (false, situation + "alignment holds on the concrete core")
        case .noOverlap:
            if let out, let actual {
                let end = actual &+ (step.count << step.sizeBits)
                if out.error != 0 { return (true, situation + "The kernel refuses the retype of \(what).") }
                if actual < state.effectiveWatermark { return (true, situation + "\(what) starts at offset \(h(actual)), below the watermark \(h(state.effectiveWatermark)).") }
                if end > C.bit(state.sizeBits) || end < actual { return (true, situation + "\(what) ends at offset \(h(end)), outside the untyped.") }
                if kind == .retypeDummies && request.hasTarget && end > request.target &- state.paddr {
                    return (true, situation + "The dummies end at paddr \(h(state.paddr &+ end)), past the target \(h(request.target)).")
                }
            }
            return (false, situation + "no overlap on the concrete core")
        case .noReset:
            if kind == .deleteHold && !after.hasChildren {
                return (true, situation + "The allocator deletes hold group \(step.hold) (\(step.count) dummies), the untyped's last children: the kernel resets it and its next retype starts again at offset 0.")
            }
            return (false, situation + "no reset on the concrete core")
        case .refusal:
            // Another plan: from free index x.fi (at or after the kernel's), retype the object(s).
            let xfi = v("x.fi"), xw = xfi << 4
            let xhc = xw == state.effectiveWatermark ? state.hasChildren : true
            let other = kernelRetype(KernelUntyped<C>(pptr: kernel.pptr, sizeBits: state.sizeBits, freeIndex: xfi,
                                                      isDevice: state.isDevice, hasChildren: xhc),
                                     RetypeRequest<C>(typeValid: true, objectClass: ObjectClass.fixed(), fixedSizeBits: request.sizeBits,
                                                      deviceAllowed: request.deviceAllowed, userObjSize: request.sizeBits, count: request.count), config)
            let at = other.firstObject &- kernel.pptr
            let reason = PlacementError(rawValue: UInt8(truncatingIfNeeded: step.error))
            if kind == .fail, reason != .badCount, reason != .cannotPad, request.sizeBits >= 4,
               xw >= state.effectiveWatermark, xw >> 4 == xfi, xw <= C.bit(state.sizeBits), other.error == 0,
               !request.hasTarget || at == request.target &- state.paddr,
               !request.needsPhysicalAlignment || (state.paddr &+ at) & C.mask(request.sizeBits) == 0 {
                return (true, situation + "The allocator refuses the request (\(reason.map { "\($0)" } ?? "error \(step.error)")), yet from the kernel's free index \(h(xw)) "
                        + "one retype puts the object at paddr \(h(state.paddr &+ at)), where the request asks: a false refusal.")
            }
            return (false, situation + "the refusal is justified on the concrete core")
        case .progress:
            if step.error == PlacementError.cannotPad.word() {
                return (true, situation + "The step finds no dummy retype that fits between the watermark and the target (its search proposed \(step.count) of 2^\(step.sizeBits) bytes), so the allocator refuses a placement it could make.")
            }
            if kind == .retypeDummies && !(after.effectiveWatermark > state.effectiveWatermark) {
                return (true, situation + "The dummy retype does not advance the watermark (\(h(state.effectiveWatermark)) → \(h(after.effectiveWatermark))).")
            }
            if kind == .retypeDummies && request.hasTarget && after.effectiveWatermark > request.target &- state.paddr {
                return (true, situation + "The dummy retype moves the watermark past the target.")
            }
            if kind == .deleteHold && nextStep(after, request, strategy: strategy).kind == StepKind.deleteHold.word() {
                return (true, situation + "A delete is followed by another delete.")
            }
            return (false, situation + "progress holds on the concrete core")
        case .optimality:
            // Another plan, at a watermark at or below ours, makes one dummy retype the kernel accepts.
            let otherWatermark = v("o.fi") << 4
            let other = kernelRetype(KernelUntyped<C>(pptr: kernel.pptr, sizeBits: state.sizeBits, freeIndex: v("o.fi"),
                                                      isDevice: state.isDevice, hasChildren: true),
                                     .untypeds(sizeBits: v("o.k"), count: v("o.n")), config)
            let otherEnd = other.untyped.freeIndex << 4
            let t = request.target &- state.paddr
            // Slot bound: blocks of size o.k alone from our watermark, reaching exactly as far.
            let w = state.effectiveWatermark
            let single = strategy.searchRound(.none, size: v("o.k"), watermark: w, target: t, untypedSizeBits: state.sizeBits,
                                              perRetype: request.maxDummiesPerRetype, base: state.paddr)
            if kind == .retypeDummies, request.hasTarget, single.count != 0, single.reach == after.effectiveWatermark, step.count > single.count {
                return (true, situation + "The strategy retypes \(what), reaching \(h(after.effectiveWatermark)); \(single.count) blocks of 2^\(v("o.k")) bytes reach as far: "
                        + "the strategy uses more dummies (CSpace slots) than needed.")
            }
            if kind == .retypeDummies, other.error == 0, request.hasTarget, v("o.n") <= request.maxDummiesPerRetype,
               otherWatermark <= state.effectiveWatermark, otherEnd <= t, otherEnd > after.effectiveWatermark {
                return (true, situation + "The strategy retypes \(what), moving the watermark from \(h(state.effectiveWatermark)) to \(h(after.effectiveWatermark)); "
                        + "from the watermark \(h(otherWatermark)), at or below that, one retype of \(v("o.n")) dummies of 2^\(v("o.k")) bytes reaches \(h(otherEnd)), closer to the target: "
                        + "the strategy falls behind another plan, so it can need more dummy retypes than necessary.")
            }
            return (false, situation + "optimality holds on the concrete core")
        case .modelSpec, .bootShape:
            return (false, "not an allocator obligation")
        }
    }
}
