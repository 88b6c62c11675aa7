// The allocator's step function: one source, run by root tasks (UInt32/UInt64, Embedded
// Swift, through the C ABI), by the hosted planner, and symbolically by the verifier.
//
// A root task asks `nextStep` what to do, performs that seL4 call, and tells the allocator
// with `apply`. It repeats until the step is `.retypeObject` (then the object is where the
// request said) or `.fail` (then nothing was placed anywhere).

/// The next action for `request` in the untyped `state`.
@inline(__always)
public func nextStep<W: Word, R: PlacementRule>(_ state: UntypedState<W>, _ request: PlacementRequest<W>,
                                                strategy: R) -> Step<W> {
    nextStep(state, request, strategy: strategy) { w, t in
        strategy.searchDummies(watermark: w, target: t, state: state, perRetype: request.maxDummiesPerRetype)
    }
}

/// The next action for `request` with the default strategy (`.offset`).
@inline(__always)
public func nextStep<W: Word>(_ state: UntypedState<W>, _ request: PlacementRequest<W>) -> Step<W> {
    nextStep(state, request, strategy: Strategy.offset)
}

/// The next action for `request`, with the dummy search supplied by the caller.
///
/// `search(watermark, target)` proposes the next dummy retype (offsets from the untyped's
/// base). Root tasks use the strategy's `searchDummies` (the overload above); the verifier passes an
/// arbitrary, unconstrained proposal to prove that the safety obligations hold whatever
/// the search returns, because the step checks the proposal before it uses it.
@inline(__always)
public func nextStep<W: Word, R: PlacementRule>(_ state: UntypedState<W>, _ request: PlacementRequest<W>,
                                                strategy: R,
                                                search: (_ watermark: W, _ target: W) -> DummySearch<W>) -> Step<W> {
    let s = state, r = request
    let w = s.effectiveWatermark
    let untypedBytes = W.bit(s.sizeBits)
    let natural = strategy.believedAlignUp(w, r.sizeBits, base: s.paddr)
    let offsetTarget = r.target &- s.paddr
    let t = W.select(r.hasTarget, offsetTarget, natural)
    let needed = r.count.shiftedLeft(by: r.sizeBits)
    let fanOut: W = KernelConstants.retypeFanOutLimit()

    // Refusals, first match wins.
    let badCount = r.count.ult(1).or(r.count.ugt(fanOut))
        .or(r.maxDummiesPerRetype.ult(1)).or(r.maxDummiesPerRetype.ugt(fanOut))
    let tooLarge = r.sizeBits.ugt(s.sizeBits).or(r.sizeBits.ult(KernelConstants.minUntypedBits()))
    let deviceType = s.isDevice.and(r.deviceAllowed.negated)
    let outside = r.hasTarget.and(offsetTarget.uge(untypedBytes))
    let unaligned = r.hasTarget.and(r.needsPhysicalAlignment).and(r.target.isAligned(r.sizeBits).negated)
    let checksPhysical: W.Cond = .constant(strategy.checksPhysicalAlignment)
    let kernelMisaligned = r.hasTarget.and(t.isAligned(r.sizeBits).negated)
        .or(checksPhysical.and(r.hasTarget.negated).and(r.needsPhysicalAlignment).and((s.paddr &+ t).isAligned(r.sizeBits).negated))
    let below = r.hasTarget.and(strategy.refusesTarget(t, belowWatermark: w))
    let noMemory = needed.shiftedRight(by: r.sizeBits).ne(r.count)
        .or(needed.ugt(untypedBytes)).or(t.ugt(untypedBytes &- needed))
        .or(t.ult(w))   // an unanchored object whose aligned place wrapped
    let error: W = W.select(badCount, PlacementError.badCount.word(),
                   W.select(tooLarge, PlacementError.objectTooLarge.word(),
                   W.select(deviceType, PlacementError.deviceType.word(),
                   W.select(outside, PlacementError.targetOutside.word(),
                   W.select(unaligned, PlacementError.targetUnaligned.word(),
                   W.select(kernelMisaligned, PlacementError.kernelMisaligned.word(),
                   W.select(below, PlacementError.targetBelowWatermark.word(),
                   W.select(noMemory, PlacementError.notEnoughMemory.word(), PlacementError.none.word()))))))))

    // Is the object reachable with no more padding? The kernel's own align-up is free,
    // except for the rules that always pad to the exact offset.
    let reached = strategy.padsExactly ? r.hasTarget.negated.or(w.eq(t)) : natural.eq(t)

    // The dummy retype that brings the watermark closest to the target without passing it,
    // and where the strategy believes the kernel puts it.
    let found = search(w, t)
    let dummy = DummyChoice(sizeBits: found.sizeBits, count: found.count,
                            offset: believedDummyOffset(w, found.sizeBits, base: s.paddr, strategy))

    // Hold discipline: dummies alternate between two hold groups; a group is emptied before
    // it is reused, while the other group (created later) keeps the untyped from resetting.
    let group: W = strategy.holdGroup(s)
    let mustDelete = s.held(group).ne(0)

    // Postcondition of a dummy retype, checked rather than trusted: 1...budget dummies of a
    // size in [16 bytes, untyped), their total size not overflowing the word, starting at or
    // above the watermark, ending at or before the target without wrapping. (It cannot
    // fail for `.offset`; the verifier proves that.)
    let dummyBytes = dummy.count.shiftedLeft(by: dummy.sizeBits)
    let dummyEnd = dummy.offset &+ dummyBytes
    let dummyOK = dummy.count.uge(1).and(dummy.count.ule(r.maxDummiesPerRetype))
        .and(dummyBytes.shiftedRight(by: dummy.sizeBits).eq(dummy.count))
        .and(dummy.sizeBits.uge(KernelConstants.minUntypedBits())).and(dummy.sizeBits.ult(s.sizeBits))
        .and(w.ule(dummy.offset)).and(dummy.offset.ule(dummyEnd)).and(dummyEnd.ule(t))
    let cannotPad = reached.negated.and(mustDelete.negated).and(dummyOK.negated)
    let stepError: W = W.select(error.eq(0).and(cannotPad), PlacementError.cannotPad.word(), error)

    let failed = stepError.ne(0)
    let kind: W = W.select(failed, StepKind.fail.word(),
                  W.select(reached, StepKind.retypeObject.word(),
                  W.select(mustDelete, StepKind.deleteHold.word(), StepKind.retypeDummies.word())))
    let isObject = failed.negated.and(reached)
    return Step(kind: kind,
                sizeBits: W.select(isObject, r.sizeBits, dummy.sizeBits),
                count: W.select(isObject, r.count, W.select(mustDelete, s.held(group), dummy.count)),
                hold: group,
                paddr: s.paddr &+ W.select(isObject, t, dummy.offset),
                error: stepError)
}

/// A dummy retype: `count` untypeds of `sizeBits`, the first at `offset` from the base.
public struct DummyChoice<W: Word> {
    public var sizeBits: W
    public var count: W
    public var offset: W
}

/// What a dummy search proposes: `count` dummies of 2^`sizeBits` bytes that end at `reach`
/// (an offset from the untyped's base). A count of 0 means it found none.
public struct DummySearch<W: Word> {
    public var sizeBits: W
    public var count: W
    public var reach: W

    @inline(__always)
    public init(sizeBits: W, count: W, reach: W) {
        self.sizeBits = sizeBits
        self.count = count
        self.reach = reach
    }

    /// Nothing found yet: where the furthest-reach search starts.
    @inline(__always) public static var none: Self { Self(sizeBits: KernelConstants.minUntypedBits(), count: 0, reach: 0) }
}

/// Where `strategy` believes dummies of 2^bits bytes land when the watermark is `w`.
/// The rules that pad to the exact offset believe the first dummy lands at the watermark.
@inline(__always)
public func believedDummyOffset<W: Word, R: PlacementRule>(_ w: W, _ bits: W, base paddr: W, _ strategy: R) -> W {
    strategy.padsExactly ? w : strategy.believedAlignUp(w, bits, base: paddr)
}

/// The furthest-reach search, from watermark `w` towards target offset `t` (w < t): for every
/// block size k, place as many blocks (up to the per-retype budget) as end at or before the
/// target; keep the k that reaches furthest, the larger k on a tie (fewer slots). With one
/// dummy per retype this is optimal. It is the fold of the rule's `searchRound` over k = 4...W-1.
@inline(__always)
public func furthestReachSearch<W: Word, R: PlacementRule>(watermark w: W, target t: W, state s: UntypedState<W>,
                                                           perRetype: W, rule: R) -> DummySearch<W> {
    var best = DummySearch<W>.none
    var k: W = KernelConstants.minUntypedBits()
    for _ in 4..<W.bitWidth {
        best = rule.searchRound(best, size: k, watermark: w, target: t, untypedSizeBits: s.sizeBits,
                                perRetype: perRetype, base: s.paddr)
        k = k &+ 1
    }
    return best
}

/// One round of the furthest-reach search: blocks of 2^k bytes from the watermark `w`
/// towards the target offset `t`; keeps `best` unless they reach at least as far.
@inline(__always)
public func furthestReach<W: Word, R: PlacementRule>(_ best: DummySearch<W>, size k: W, watermark w: W, target t: W,
                                                     untypedSizeBits: W, perRetype: W, base paddr: W,
                                                     rule: R) -> DummySearch<W> {
    let round = FurthestReachRound(best, size: k, watermark: w, target: t, untypedSizeBits: untypedSizeBits,
                                   perRetype: perRetype, base: paddr, rule: rule)
    return DummySearch(sizeBits: W.select(round.better, k, best.sizeBits),
                       count: W.select(round.better, round.count, best.count),
                       reach: W.select(round.better, round.reach, best.reach))
}

/// The blocks one round of `furthestReach` considers, before it compares them with the best
/// so far: from where the rule believes blocks of 2^k bytes start, as many as fit below the
/// target (at most `perRetype`), and whether they replace `best`.
public struct FurthestReachRound<W: Word> {
    public var start: W
    public var count: W
    public var reach: W
    public var better: W.Cond

    @inline(__always)
    public init<R: PlacementRule>(_ best: DummySearch<W>, size k: W, watermark w: W, target t: W,
                                  untypedSizeBits: W, perRetype: W, base paddr: W, rule: R) {
        start = rule.believedAlignUp(w, k, base: paddr)
        let fits = start.ule(t).and(k.ult(untypedSizeBits))
        count = W.min((t &- start).shiftedRight(by: k), perRetype)
        reach = start &+ count.shiftedLeft(by: k)
        better = fits.and(count.ne(0)).and(reach.uge(best.reach))
    }
}

/// The allocator's state after the root task performed `step` successfully.
@inline(__always)
public func apply<W: Word>(_ step: Step<W>, to state: UntypedState<W>) -> UntypedState<W> {
    var s = state
    let end = (step.paddr &- s.paddr) &+ step.count.shiftedLeft(by: step.sizeBits)
    let isObject = step.is(.retypeObject)
    let isDummies = step.is(.retypeDummies)
    let isDelete = step.is(.deleteHold)
    let inGroup0 = step.hold.eq(0)
    s.watermark = W.select(isObject.or(isDummies), end, s.effectiveWatermark)
    // Saturating: only "some object is alive" matters, and it must never wrap back to 0.
    let live = s.liveObjects &+ step.count
    s.liveObjects = W.select(isObject, W.select(live.ult(s.liveObjects), ~0, live), s.liveObjects)
    s.hold0 = W.select(inGroup0.and(isDummies), step.count, W.select(inGroup0.and(isDelete), 0, s.hold0))
    s.hold1 = W.select(inGroup0.negated.and(isDummies), step.count, W.select(inGroup0.negated.and(isDelete), 0, s.hold1))
    s.nextHold = W.select(isDummies, W.select(inGroup0, 1, 0), s.nextHold)
    return s
}
