import UntypedCore

/// What `progress` and `optimality` need of the dummy search, and the lemmas that prove it of
/// a furthest-reach search (`searchDummies` for `.offset` and its relatives).
///
/// The contract, for the watermark `w` and target offset `t` the step searched with:
/// - whenever a dummy retype is needed (`needed`), the proposal is one: 1...budget dummies of
///   2^k bytes, 4 <= k < the untyped's size, their total size not overflowing, from where the strategy believes they start (at
///   or above `w`) to `reach`, at or below `t`, without wrapping;
/// - (for `optimality`) it reaches at least as far as blocks of any single size k would.
///
/// The lemmas prove it by induction over the search's loop, with one symbolic round of
/// `furthestReach` in place of all W-4 rounds: the first round (16-byte blocks) finds a
/// proposal, no round drops or invalidates one, no round reaches less far, the round of size
/// k reaches as far as blocks of size k, and the search is exactly these rounds for
/// k = 4 ... W-1 starting from `DummySearch.none`.
struct SearchContract<S: SymbolicMachineWord> {
    let state: UntypedState<S>
    let request: PlacementRequest<S>
    let strategy: StrategyUnderTest
    /// The watermark and target offset the step searched with.
    let w: S
    let t: S

    /// A dummy retype is needed: the watermark is below the target, both on 16-byte
    /// boundaries, the untyped is larger than 16 bytes and holds the target, and the budget is
    /// 1...256 dummies per retype.
    func needed(_ q: inout QueryBuilder<S>) -> String {
        q.define("search.w", w)
        q.define("search.t", t)
        return all(["(bvult search.w search.t)", "(= (bvand search.w \(q.literal(15))) \(q.literal(0)))",
                    "(= (bvand search.t \(q.literal(15))) \(q.literal(0)))", "(bvult \(q.literal(4)) a.size)",
                    "(bvule search.t (\(q.k)bit a.size))", "(bvule \(q.literal(1)) r.per)", "(bvule r.per \(q.literal(256)))"])
    }

    /// `d` names a valid dummy retype (its fields are defined as `prefix.*`).
    func valid(_ prefix: String, _ d: DummySearch<S>, _ q: inout QueryBuilder<S>) -> String {
        all(validParts(prefix, d, &q).map(\.formula))
    }

    /// The conditions of `valid`, each with what it says.
    func validParts(_ prefix: String, _ d: DummySearch<S>, _ q: inout QueryBuilder<S>) -> [(label: String, formula: String)] {
        define(prefix, d, &q)
        q.define("\(prefix).offset", believedDummyOffset(w, d.sizeBits, base: state.paddr, strategy))
        let p = prefix
        return [("at least one dummy", "(bvule \(q.literal(1)) \(p).count)"),
                ("within the budget per retype", "(bvule \(p).count r.per)"),
                ("blocks of at least 16 bytes", "(bvule \(q.literal(4)) \(p).size)"),
                ("blocks smaller than the untyped", "(bvult \(p).size a.size)"),
                ("the total size does not overflow", "(= (bvlshr (bvshl \(p).count \(p).size) \(p).size) \(p).count)"),
                ("they start at or above the watermark", "(bvule search.w \(p).offset)"),
                ("the reach is where they end", "(= \(p).reach (bvadd \(p).offset (bvshl \(p).count \(p).size)))"),
                ("the range does not wrap", "(bvule \(p).offset \(p).reach)"),
                ("they end at or below the target", "(bvule \(p).reach search.t)")]
    }

    /// The contract on the search's proposal `p`.
    func proposes(_ p: DummySearch<S>, _ q: inout QueryBuilder<S>) -> String {
        implies(needed(&q), all(["(distinct prop.count \(q.literal(0)))", valid("prop", p, &q)]))
    }

    /// The proposal reaches at least as far as blocks of 2^`size` bytes alone would.
    func reachesAsFar(_ p: DummySearch<S>, size k: S, name: String, _ q: inout QueryBuilder<S>) -> String {
        define("prop", p, &q)
        q.define("\(name).k", k)
        define(name, round(.none, size: k), &q)
        return implies(all(["(bvule \(q.literal(4)) \(name).k)", "(bvult \(name).k \(q.literal(UInt64(S.bitWidth))))",
                            "(distinct \(name).count \(q.literal(0)))"]), "(bvuge prop.reach \(name).reach)")
    }

    /// Blocks of 2^`size` bytes alone from the watermark (`name.*`); the range hypothesis on the size.
    func singleSize(size k: S, name: String, _ q: inout QueryBuilder<S>) -> String {
        q.define("\(name).k", k)
        define(name, round(.none, size: k), &q)
        return all(["(bvule \(q.literal(4)) \(name).k)", "(bvult \(name).k \(q.literal(UInt64(S.bitWidth))))"])
    }

    /// Among block sizes reaching exactly as far, the proposal uses the fewest dummies
    /// (`name.*` from `singleSize` or `reachesAsFar`).
    func fewestSlots(_ p: DummySearch<S>, name: String, _ q: inout QueryBuilder<S>) -> String {
        define("prop", p, &q)
        return implies(all(["(bvule \(q.literal(4)) \(name).k)", "(bvult \(name).k \(q.literal(UInt64(S.bitWidth))))",
                            "(distinct \(name).count \(q.literal(0)))", "(= \(name).reach prop.reach)"]), "(bvule prop.count \(name).count)")
    }

    /// The lemmas (goals of the same query) and the hypotheses their vacuity check adds.
    func lemmas(reach: Bool, _ q: inout QueryBuilder<S>) -> ([ObligationQuery.Goal], String) {
        let best = DummySearch<S>(sizeBits: q.word("sb.size", "a proposal before one round of the search: size bits"),
                                  count: q.word("sb.count", "its number of dummies"),
                                  reach: q.word("sb.reach", "where it ends"))
        let k = q.word("sk", "the block size of that round")
        let next = round(best, size: k)
        let zero = q.literal(0)
        let needed = needed(&q)
        let kRange = "(and (bvule \(q.literal(4)) sk) (bvult sk \(q.literal(UInt64(S.bitWidth)))))"
        let before = "(or (= sb.count \(zero)) \(valid("sb", best, &q)))"
        // A new proposal is valid, condition by condition: one goal each (together they are
        // several times cheaper to prove than their conjunction).
        let afterParts = validParts("sn", next, &q)
        define("first", round(.none, size: KernelConstants.minUntypedBits()), &q)
        define("real", strategy.searchDummies(watermark: w, target: t, state: state, perRetype: request.maxDummiesPerRetype), &q)
        var fold = DummySearch<S>.none
        var size: S = KernelConstants.minUntypedBits()
        for _ in 4..<S.bitWidth {
            fold = round(fold, size: size)
            size = size &+ 1
        }
        define("fold", fold, &q)
        var goals: [ObligationQuery.Goal] = [
            .init("search: the first round (16-byte blocks) finds a proposal", implies(needed, "(distinct first.count \(zero))")),
        ] + afterParts.map { part in
            ObligationQuery.Goal("search: a round keeps a proposal valid: \(part.label)",
                                 implies(all([needed, before, kRange]), "(or (= sn.count \(zero)) \(part.formula))"))
        } + [
            .init("search: a round never drops a proposal", implies("(distinct sb.count \(zero))", "(distinct sn.count \(zero))")),
            .init("search: the search is these rounds for k = 4 ... W-1",
                  "(and (= real.size fold.size) (= real.count fold.count) (= real.reach fold.reach))"),
        ]
        if reach {
            define("sc", round(.none, size: k), &q)
            goals += [
                .init("search: a round never reaches less far", "(bvuge sn.reach sb.reach)"),
                .init("search: the round of size k reaches as far as blocks of size k",
                      implies("(distinct sc.count \(zero))", "(bvuge sn.reach sc.reach)")),
                // The slot bound by induction: among the sizes tried so far that reach as far
                // as the proposal, none needs fewer dummies.
                .init("search: a round that reaches only as far as blocks of size k uses no more of them",
                      implies(all(["(distinct sc.count \(zero))", "(= sn.reach sc.reach)"]), "(bvule sn.count sc.count)")),
                .init("search: a round after smaller sizes never uses more dummies for the same reach",
                      implies(all([needed, before, kRange, "(distinct sb.count \(zero))", "(bvult sb.size sk)", "(= sn.reach sb.reach)"]),
                              "(bvule sn.count sb.count)")),
            ]
        }
        return (goals, all([needed, before, kRange]))
    }

    /// One round of the strategy's furthest-reach search.
    private func round(_ best: DummySearch<S>, size k: S) -> DummySearch<S> {
        strategy.searchRound(best, size: k, watermark: w, target: t, untypedSizeBits: state.sizeBits,
                             perRetype: request.maxDummiesPerRetype, base: state.paddr)
    }

    private func define(_ prefix: String, _ d: DummySearch<S>, _ q: inout QueryBuilder<S>) {
        q.define("\(prefix).size", d.sizeBits)
        q.define("\(prefix).count", d.count)
        q.define("\(prefix).reach", d.reach)
    }
}
