// The allocator's step function: one source, run by root tasks (UInt32/UInt64, Embedded
// Swift, through the C ABI), by the hosted planner, and symbolically by the verifier.
//
// A root task asks `nextStep` what to do, performs that seL4 call, and tells the allocator
// with `apply`. It repeats until the step is `.retypeObject` (then the object is where the
// request said) or `.fail` (then nothing was placed anywhere).

/// Rounds `offset` (from the untyped's base) up to 2^bits the way `strategy` believes the
/// kernel does. Only `.offset` (and the rules that share its arithmetic) matches the kernel on
/// every window: the untyped's pptr is aligned to its size, so for bits <= its size, aligning
/// pptr + offset equals aligning the offset.
@inline(__always)
func believedAlignUp<W: Word>(_ offset: W, _ bits: W, base paddr: W, _ strategy: Strategy) -> W {
    switch strategy {
    case .absolute:
        return (paddr &+ offset).alignedUp(bits) &- paddr
    case .mutantAlignOffByOne:
        return offset.alignedUp(bits &- 1)
    case .offset, .rustSel4, .split, .mutantFloorLog2, .mutantSingleHold, .mutantNoPhysicalCheck:
        return offset.alignedUp(bits)
    }
}

/// The next action for `request` in the untyped `state`.
@inline(__always)
public func nextStep<W: Word>(_ state: UntypedState<W>, _ request: PlacementRequest<W>,
                              strategy: Strategy = .offset) -> Step<W> {
    let s = state, r = request
    let w = s.effectiveWatermark
    let untypedBytes = W.bit(s.sizeBits)
    let natural = believedAlignUp(w, r.sizeBits, base: s.paddr, strategy)
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
    let checksPhysical: W.Cond = .constant(strategy != .mutantNoPhysicalCheck)
    let kernelMisaligned = r.hasTarget.and(t.isAligned(r.sizeBits).negated)
        .or(checksPhysical.and(r.hasTarget.negated).and(r.needsPhysicalAlignment).and((s.paddr &+ t).isAligned(r.sizeBits).negated))
    let below = r.hasTarget.and(w.ugt(t))
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
    let padsExactly = strategy == .absolute || strategy == .rustSel4 || strategy == .split || strategy == .mutantFloorLog2
    let reached = padsExactly ? r.hasTarget.negated.or(w.eq(t)) : natural.eq(t)

    // The dummy retype that brings the watermark closest to the target without passing it.
    let dummy = chooseDummies(watermark: w, target: t, state: s, perRetype: r.maxDummiesPerRetype, strategy: strategy)

    // Hold discipline: dummies alternate between two hold groups; a group is emptied before
    // it is reused, while the other group (created later) keeps the untyped from resetting.
    let group: W = strategy == .mutantSingleHold ? 0 : s.nextHold
    let mustDelete = s.held(group).ne(0)

    // Postcondition of a dummy retype, checked rather than trusted: 1...budget dummies of a
    // size in [16 bytes, untyped), starting at or above the watermark, ending at or before
    // the target without wrapping. (It cannot fail for `.offset`; the verifier proves that.)
    let dummyEnd = dummy.offset &+ dummy.count.shiftedLeft(by: dummy.sizeBits)
    let dummyOK = dummy.count.uge(1).and(dummy.count.ule(r.maxDummiesPerRetype))
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

/// The dummies to retype next, from watermark `w` towards target offset `t` (w < t).
@inline(__always)
func chooseDummies<W: Word>(watermark w: W, target t: W, state s: UntypedState<W>,
                            perRetype: W, strategy: Strategy) -> DummyChoice<W> {
    switch strategy {
    case .rustSel4, .split:
        // One dummy, already aligned at the watermark: min(ctz(w), floor(log2(t - w))).
        let k = W.min(w.trailingZeros, (t &- w).floorLog2)
        return DummyChoice(sizeBits: k, count: 1, offset: w)
    case .absolute:
        // The same rule on the absolute physical address: the largest block aligned at
        // paddr + w. It believes the block lands at w; the kernel aligns the pptr instead.
        let k = W.min((s.paddr &+ w).trailingZeros, (t &- w).floorLog2)
        return DummyChoice(sizeBits: k, count: 1, offset: w)
    case .mutantFloorLog2:
        // Broken: ignores the watermark's alignment yet believes the dummy lands at w.
        return DummyChoice(sizeBits: (t &- w).floorLog2, count: 1, offset: w)
    case .offset, .mutantAlignOffByOne, .mutantSingleHold, .mutantNoPhysicalCheck:
        // Furthest reach: for every block size k, place as many blocks (up to the per-retype
        // budget) as end at or before the target; keep the k that reaches furthest, the
        // larger k on a tie (fewer slots). With one dummy per retype this is optimal.
        var bestSize: W = KernelConstants.minUntypedBits()
        var bestCount: W = 0
        var bestReach: W = 0
        var k: W = KernelConstants.minUntypedBits()
        for _ in 4..<W.bitWidth {
            let start = believedAlignUp(w, k, base: s.paddr, strategy)
            let fits = start.ule(t).and(k.ult(s.sizeBits))
            let n = W.min((t &- start).shiftedRight(by: k), perRetype)
            let reach = start &+ n.shiftedLeft(by: k)
            let better = fits.and(n.ne(0)).and(reach.uge(bestReach))
            bestSize = W.select(better, k, bestSize)
            bestCount = W.select(better, n, bestCount)
            bestReach = W.select(better, reach, bestReach)
            k = k &+ 1
        }
        // Where the dummies start is recomputed from the chosen size, exactly as the kernel
        // will: one alignment, whichever size won.
        return DummyChoice(sizeBits: bestSize, count: bestCount,
                           offset: believedAlignUp(w, bestSize, base: s.paddr, strategy))
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
