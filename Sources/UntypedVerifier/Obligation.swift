import UntypedCore

/// The proof obligations, in the order `untyped verify` runs them.
public enum Obligation: String, CaseIterable, Sendable {
    case modelSpec = "model-spec"
    case bootShape = "boot-shape"
    case watermark
    case placement
    case alignment
    case noOverlap = "no-overlap"
    case noReset = "no-reset"
    case refusal
    case dummySearch = "dummy-search"
    case progress
    case optimality

    /// What a proof of this obligation establishes, for file headers and `--help`.
    public var statement: String {
        switch self {
        case .modelSpec:
            return "The Swift kernel model (kernelRetype, bootCut, CapPtrStorage.load) equals the hand-written SMT-LIB semantics in specs/ for all inputs: error kind and order, reset, aligned free pointer, new free index, boot cutting, capPtr storage. On the symbolic windows for every seL4_MaxUntypedBits, slot size and capPtr storage (so for every window of that width), and also the spec facts the allocator obligations use: the specs' offset form of the retype (invW.offset-*), for every capPtr and every seL4_MaxUntypedBits < W, and that reaching an aligned target is monotone in the watermark (optimality's induction over plans)."
        case .bootShape:
            return "Every untyped the boot derivation emits from a region inside [0, device top) has its pptr aligned to its size, a size in [4, seL4_MaxUntypedBits], lies inside the region, and (on every catalogue window) its pptr survives capPtr storage."
        case .watermark:
            return "Inductive watermark agreement: if the allocator's state mirrors the kernel's untyped (watermark, children) and satisfies the hold invariant, then after the step's seL4 call the kernel accepts the call and the new states still mirror each other."
        case .placement:
            return "Every retype lands where the allocator believes (dummies and objects); an anchored object lands exactly at its target paddr."
        case .alignment:
            return "Every object the allocator retypes is aligned to its size in kernel-virtual space, and physically too when it needs to be (frames)."
        case .noOverlap:
            return "Every retype lies inside the untyped and at or above everything placed before it; dummies end at or before the target."
        case .noReset:
            return "A hold is deleted only while another child keeps the untyped from being reset."
        case .refusal:
            return "The allocator refuses a request only when no retype the kernel accepts could place it: from the kernel's free index or any later one (every one is reachable with dummy retypes), no retype of the object(s) lands where the request asks (at the target, physically aligned when it must be). A malformed request (count or budget outside 1...256) is a usage error; that the step's own postcondition never fails is progress's to prove. No seL4 object is under 16 bytes."
        case .dummySearch:
            return "The strategy's dummy search meets the contract that progress and optimality assume of it (search-contract form), by induction over its rounds: the first round (16-byte blocks) finds a proposal whenever a dummy retype is needed; no round drops a proposal or makes it invalid (each of its nine conditions: 1...budget dummies of 16 bytes or more, smaller than the untyped, total size without overflow, from at or above the watermark to at or below the target, without wrapping); no round reaches less far; the round of size k reaches as far as blocks of size k alone, with no more dummies when it reaches only as far; and the search is exactly these rounds for k = 4 ... W-1. Proved once per window and strategy and assumed where it is used."
        case .progress:
            return "The step never gets stuck: whenever a dummy retype is needed its search proposes a valid one (its own postcondition never fails). Each dummy retype strictly advances the watermark without passing the target, so at most (target - watermark)/16 are made, and a delete is always followed by a retype."
        case .optimality:
            return "Greedy stays ahead: from any watermark at or below ours, no dummy retype the kernel accepts (with the same budget of dummies per retype) ends beyond where the strategy's dummy retype ends; with reaching the target monotone in the watermark (a spec fact, proved by model-spec on any-W), by induction over plans (a reset only moves a plan back to 0), no plan with fewer dummy retypes reaches the target. Slot bound: no single block size that reaches as far as the strategy's dummy retype needs fewer dummies (CSpace slots)."
        }
    }

    /// Whether the obligation speaks about an allocation strategy (otherwise only about the kernel model).
    public var dependsOnStrategy: Bool { self != .modelSpec && self != .bootShape }

    /// Whether the obligation is stated for `strategy`: `dummy-search` only for strategies
    /// whose search goes by rounds of block sizes (furthest reach); for the others progress
    /// and optimality run the strategy's own search.
    public func applies(to strategy: StrategyUnderTest) -> Bool {
        self != .dummySearch || strategy.searchesFurthestReach
    }

    /// The obligation whose proof this one assumes for `strategy` in `form`: progress and
    /// optimality in the search-contract form assume the contract that dummy-search proves;
    /// watermark and no-overlap in the any-search form assume where the retypes land, the
    /// first two goals of placement (in the same form).
    public func prerequisite(for strategy: StrategyUnderTest, form: SearchForm) -> Obligation? {
        switch (self, form) {
        case (.progress, .searchContract), (.optimality, .searchContract): return strategy.searchesFurthestReach ? .dummySearch : nil
        case (.watermark, .anySearch), (.noOverlap, .anySearch): return .placement
        default: return nil
        }
    }

    /// What an obligation that has this one as its prerequisite assumes of it, in words.
    var assumedPart: String {
        self == .dummySearch ? "the dummy search's contract" : "where the retypes land"
    }

    /// The form `untyped verify` checks this obligation in first when asked for `form` (nil:
    /// the usual order): the reduced form where it is the one asked for, else the strategy's
    /// own search; dummy-search always in the search-contract form.
    func firstForm(for strategy: StrategyUnderTest, asked form: SearchForm?) -> SearchForm {
        if self == .dummySearch { return .searchContract }
        let reduced = reducedForm(for: strategy)
        return reduced != nil && (form == nil || form == reduced) ? reduced! : .strategySearch
    }
}

/// How a query treats the allocator's dummy search (`searchDummies`).
public enum SearchForm: String, Sendable, CaseIterable {
    /// The search's proposal is an unconstrained input (`search.*`): the obligation is
    /// proved for whatever the search returns, because the step checks the proposal before
    /// it uses it. Much smaller queries; a proof here covers the strategy's own search.
    case anySearch = "any-search"
    /// The search's proposal is an input constrained by the search's contract (it proposes a
    /// valid dummy retype whenever one is needed, reaching at least as far as any single
    /// block size would), and the contract is proved, in the same query, of the strategy's
    /// furthest-reach search by induction over its loop: one round of `furthestReach` with a
    /// symbolic block size, instead of all W-4 rounds at once.
    case searchContract = "search-contract"
    /// The strategy's own search, run symbolically with the rest of the step.
    case strategySearch = "strategy-search"
}

extension Obligation {
    /// The smaller form `untyped verify` tries first for `strategy`, if any; when it does not
    /// prove the obligation, the strategy-search form decides (and gives counterexamples).
    public func reducedForm(for strategy: StrategyUnderTest) -> SearchForm? {
        if admitsAnySearch { return .anySearch }
        if (self == .progress || self == .optimality || self == .dummySearch) && strategy.searchesFurthestReach { return .searchContract }
        return nil
    }

    /// Whether the obligation can hold whatever the dummy search proposes (the safety
    /// obligations). `progress` and `optimality` are about the search itself.
    public var admitsAnySearch: Bool {
        switch self {
        case .watermark, .placement, .alignment, .noOverlap, .noReset, .refusal: return true
        case .modelSpec, .bootShape, .dummySearch, .progress, .optimality: return false
        }
    }
}
