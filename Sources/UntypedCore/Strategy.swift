/// The pieces in which placement rules differ: how a rule believes the kernel aligns, how it
/// searches for dummies, and its hold discipline. The step function (`nextStep`) is generic
/// over a rule, so every rule runs the same refusal checks, postcondition and hold logic.
///
/// The core defines only real rules (`Strategy`). The verifier's tests define broken rules
/// of their own to show that the proofs catch them; none of them is linked into a root task.
public protocol PlacementRule {
    /// `offset` (from the untyped's base) rounded up to 2^`bits`, as the rule believes the
    /// kernel does it; `paddr` is the untyped's physical base.
    func believedAlignUp<W: Word>(_ offset: W, _ bits: W, base paddr: W) -> W
    /// The rule pads to the exact offset and never relies on the kernel's own align-up: its
    /// dummies are believed to start at the watermark, and the object is placed only there.
    var padsExactly: Bool { get }
    /// Whether an unanchored object that needs physical alignment is checked for it.
    var checksPhysicalAlignment: Bool { get }
    /// The hold group the next dummy retype goes into (0 or 1).
    func holdGroup<W: Word>(_ state: UntypedState<W>) -> W
    /// The next dummy retype from watermark `w` towards target offset `t` (w < t).
    func searchDummies<W: Word>(watermark w: W, target t: W, state s: UntypedState<W>, perRetype: W) -> DummySearch<W>
    /// Whether an anchored target at offset `t` counts as below the watermark `w` (memory there
    /// was handed out), so the request is refused. Every real rule refuses exactly w > t; the
    /// verifier checks that a rule refusing more is caught (`refusal`).
    func refusesTarget<W: Word>(_ t: W, belowWatermark w: W) -> W.Cond
    /// One round of a furthest-reach search with blocks of 2^`k` bytes (see `furthestReach`).
    func searchRound<W: Word>(_ best: DummySearch<W>, size k: W, watermark w: W, target t: W,
                              untypedSizeBits: W, perRetype: W, base paddr: W) -> DummySearch<W>
}

extension PlacementRule {
    /// The search is the fold of `searchRound` over k = 4...W-1 (`furthestReachSearch`).
    @inline(__always) public var searchesFurthestReach: Bool { !padsExactly }

    /// Align-up on the offset from the untyped's base, which equals the kernel's align-up of
    /// pptr + offset for every size up to the untyped's (its pptr is aligned to its size).
    @inline(__always)
    public func believedAlignUp<W: Word>(_ offset: W, _ bits: W, base paddr: W) -> W { offset.alignedUp(bits) }
    @inline(__always) public var padsExactly: Bool { false }
    @inline(__always) public var checksPhysicalAlignment: Bool { true }
    @inline(__always) public func refusesTarget<W: Word>(_ t: W, belowWatermark w: W) -> W.Cond { w.ugt(t) }
    /// Two hold groups used in turn.
    @inline(__always) public func holdGroup<W: Word>(_ state: UntypedState<W>) -> W { state.nextHold }
    @inline(__always)
    public func searchDummies<W: Word>(watermark w: W, target t: W, state s: UntypedState<W>, perRetype: W) -> DummySearch<W> {
        furthestReachSearch(watermark: w, target: t, state: s, perRetype: perRetype, rule: self)
    }
    @inline(__always)
    public func searchRound<W: Word>(_ best: DummySearch<W>, size k: W, watermark w: W, target t: W,
                                     untypedSizeBits: W, perRetype: W, base paddr: W) -> DummySearch<W> {
        furthestReach(best, size: k, watermark: w, target: t, untypedSizeBits: untypedSizeBits,
                      perRetype: perRetype, base: paddr, rule: self)
    }
}

/// The real placement rules.
///
/// Only `.offset` is correct on every kernel window and it is the one the C ABI places objects
/// with (`untyped_alloc_next_step_absolute` exists only to show the reported bug on a real kernel).
/// The others are real rules other allocators use; they exist so that the verifier,
/// `untyped counterexample` and the benchmarks can show what goes wrong with them (or what
/// they cost). (seL4_libs' utspace_split is a buddy allocator over many untypeds, not a
/// single-untyped rule: the hosted planner models it, see `SplitPlanner`.)
public enum Strategy: UInt8, Sendable, PlacementRule {
    /// Align on the offset from the untyped's base (equal to the kernel's alignment for every
    /// size up to the untyped's, because the untyped's pptr is aligned to its size); pad with
    /// the fewest dummy retypes, taking the furthest-reaching block each time.
    case offset = 0
    /// Align on the absolute physical address: the rust-sel4 capDL initialiser before mid-2026
    /// (the reported bug: wrong memory when PPTR_BASE_OFFSET is not aligned to the object).
    case absolute = 1
    /// The current rust-sel4 rule: one dummy of size min(ctz(offset), floor(log2(distance))),
    /// never using the kernel's own align-up.
    case rustSel4 = 2

    @inline(__always)
    public func believedAlignUp<W: Word>(_ offset: W, _ bits: W, base paddr: W) -> W {
        self == .absolute ? (paddr &+ offset).alignedUp(bits) &- paddr : offset.alignedUp(bits)
    }

    @inline(__always) public var padsExactly: Bool { self != .offset }

    @inline(__always)
    public func searchDummies<W: Word>(watermark w: W, target t: W, state s: UntypedState<W>, perRetype: W) -> DummySearch<W> {
        switch self {
        case .offset:
            return furthestReachSearch(watermark: w, target: t, state: s, perRetype: perRetype, rule: self)
        case .rustSel4:
            // One dummy, already aligned at the watermark: min(ctz(w), floor(log2(t - w))).
            let k = W.min(w.trailingZeros, (t &- w).floorLog2)
            return DummySearch(sizeBits: k, count: 1, reach: w &+ W.bit(k))
        case .absolute:
            // The same rule on the absolute physical address: the largest block aligned at
            // paddr + w. It believes the block lands at w; the kernel aligns the pptr instead.
            let k = W.min((s.paddr &+ w).trailingZeros, (t &- w).floorLog2)
            return DummySearch(sizeBits: k, count: 1, reach: w &+ W.bit(k))
        }
    }
}

#if !hasFeature(Embedded)
extension Strategy: CaseIterable {}
#endif
