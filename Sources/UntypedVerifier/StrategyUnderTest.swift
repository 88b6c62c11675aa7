import UntypedCore

/// A placement rule the verifier checks: one of the core's real strategies, or a deliberately
/// broken variant of the default one that the obligations must refute. The broken variants
/// live here, in the verifier, and are never linked into a root task.
public enum StrategyUnderTest: Hashable, Sendable, CaseIterable, PlacementRule {
    case offset, absolute, rustSel4
    /// Aligns to one bit less than it should.
    case mutantAlignOffByOne
    /// floor(log2(distance)) where trailing zeros of the watermark are meant: ignores the
    /// watermark's alignment yet believes the dummy lands at the watermark.
    case mutantFloorLog2
    /// A single hold slot, so deleting the previous dummy can leave the untyped without
    /// children and the kernel resets it.
    case mutantSingleHold
    /// Places an un-anchored frame wherever the kernel's align-up puts it, without checking
    /// that the place is physically aligned.
    case mutantNoPhysicalCheck
    /// The furthest-reach search never tries 16-byte blocks, so it can find nothing when the
    /// watermark and the target are 16 bytes apart and misaligned.
    case mutantSkipSmallestBlock
    /// Refuses an anchored target exactly at the watermark too (`w >= t` for `w > t`): a
    /// false refusal, e.g. of a target at a fresh untyped's base.
    case mutantRefuseAtWatermark
    /// The search's tie-break made strict (`>` for `>=`): on equal reach it keeps the smaller
    /// blocks, so it uses more dummies (CSpace slots) than needed.
    case mutantSmallerBlocksOnTies
    /// The search's dummy count takes `max` of what fits and the budget instead of `min`.
    case mutantMaxDummyCount

    public init(_ strategy: Strategy) {
        switch strategy {
        case .offset: self = .offset
        case .absolute: self = .absolute
        case .rustSel4: self = .rustSel4
        }
    }

    /// The core's strategy, for the real ones.
    public var real: Strategy? {
        switch self {
        case .offset: return .offset
        case .absolute: return .absolute
        case .rustSel4: return .rustSel4
        default: return nil
        }
    }

    /// The deliberately broken variants the verifier must refute.
    public var isMutant: Bool { real == nil }

    /// The name used on the command line and in proofs/.
    public var cliName: String {
        switch self {
        case .offset: return "offset"
        case .absolute: return "absolute"
        case .rustSel4: return "rust-sel4"
        case .mutantAlignOffByOne: return "mutant-align-off-by-one"
        case .mutantFloorLog2: return "mutant-floor-log2"
        case .mutantSingleHold: return "mutant-single-hold"
        case .mutantNoPhysicalCheck: return "mutant-no-physical-check"
        case .mutantSkipSmallestBlock: return "mutant-skip-smallest-block"
        case .mutantRefuseAtWatermark: return "mutant-refuse-at-watermark"
        case .mutantSmallerBlocksOnTies: return "mutant-smaller-blocks-on-ties"
        case .mutantMaxDummyCount: return "mutant-max-dummy-count"
        }
    }

    public init?(cliName: String) {
        guard let s = Self.allCases.first(where: { $0.cliName == cliName }) else { return nil }
        self = s
    }

    /// Position in `allCases` (table order).
    public var order: Int { Self.allCases.firstIndex(of: self) ?? 0 }

    // MARK: PlacementRule: the real strategies as the core defines them, the mutants as above.

    @inline(__always)
    public func believedAlignUp<W: Word>(_ offset: W, _ bits: W, base paddr: W) -> W {
        if let real { return real.believedAlignUp(offset, bits, base: paddr) }
        return self == .mutantAlignOffByOne ? offset.alignedUp(bits &- 1) : offset.alignedUp(bits)
    }

    @inline(__always) public var padsExactly: Bool { real?.padsExactly ?? (self == .mutantFloorLog2) }

    @inline(__always) public var checksPhysicalAlignment: Bool { self != .mutantNoPhysicalCheck }

    @inline(__always)
    public func holdGroup<W: Word>(_ state: UntypedState<W>) -> W { self == .mutantSingleHold ? 0 : state.nextHold }

    @inline(__always)
    public func searchDummies<W: Word>(watermark w: W, target t: W, state s: UntypedState<W>, perRetype: W) -> DummySearch<W> {
        if let real { return real.searchDummies(watermark: w, target: t, state: s, perRetype: perRetype) }
        if self == .mutantFloorLog2 {
            let k = (t &- w).floorLog2
            return DummySearch(sizeBits: k, count: 1, reach: w &+ W.bit(k))
        }
        return furthestReachSearch(watermark: w, target: t, state: s, perRetype: perRetype, rule: self)
    }

    @inline(__always)
    public func refusesTarget<W: Word>(_ t: W, belowWatermark w: W) -> W.Cond {
        self == .mutantRefuseAtWatermark ? w.uge(t) : w.ugt(t)
    }

    @inline(__always)
    public func searchRound<W: Word>(_ best: DummySearch<W>, size k: W, watermark w: W, target t: W,
                                     untypedSizeBits: W, perRetype: W, base paddr: W) -> DummySearch<W> {
        if self == .mutantSmallerBlocksOnTies || self == .mutantMaxDummyCount {
            // `furthestReach` with one operator changed.
            let start = believedAlignUp(w, k, base: paddr)
            let fits = start.ule(t).and(k.ult(untypedSizeBits))
            let blocks = (t &- start).shiftedRight(by: k)
            let n = self == .mutantMaxDummyCount ? W.max(blocks, perRetype) : W.min(blocks, perRetype)
            let reach = start &+ n.shiftedLeft(by: k)
            let further = self == .mutantSmallerBlocksOnTies ? reach.ugt(best.reach) : reach.uge(best.reach)
            let better = fits.and(n.ne(0)).and(further)
            return DummySearch(sizeBits: W.select(better, k, best.sizeBits), count: W.select(better, n, best.count),
                               reach: W.select(better, reach, best.reach))
        }
        let round = furthestReach(best, size: k, watermark: w, target: t, untypedSizeBits: untypedSizeBits,
                                  perRetype: perRetype, base: paddr, rule: self)
        guard self == .mutantSkipSmallestBlock else { return round }
        let skipped = k.eq(KernelConstants.minUntypedBits())
        return DummySearch(sizeBits: W.select(skipped, best.sizeBits, round.sizeBits),
                           count: W.select(skipped, best.count, round.count),
                           reach: W.select(skipped, best.reach, round.reach))
    }
}
