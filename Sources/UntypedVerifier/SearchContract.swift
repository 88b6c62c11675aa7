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
struct SearchContract<S: ObligationWord> {
    let state: UntypedState<S>
    let request: PlacementRequest<S>
    let strategy: StrategyUnderTest
    /// The watermark and target offset the step searched with.
    let w: S
    let t: S

    /// A dummy search's result as named terms (`prefix.size`, `.count`, `.reach`).
    struct Named {
        let size: BVTerm
        let count: BVTerm
        let reach: BVTerm
    }

    /// The untyped's size bits and the budget of dummies per retype, as the query names them.
    let untypedSize: BVTerm
    let perRetype: BVTerm

    /// The watermark and target the step searched with, named `search.w` and `search.t`.
    func searched(_ q: inout QueryBuilder<S>) -> (w: BVTerm, t: BVTerm) {
        (q.define("search.w", w), q.define("search.t", t))
    }

    /// A dummy retype is needed: the watermark is below the target, both on 16-byte
    /// boundaries, the untyped is larger than 16 bytes and holds the target, and the budget is
    /// 1...256 dummies per retype.
    func needed(_ q: inout QueryBuilder<S>) -> BoolTerm {
        let (sw, st) = searched(&q)
        let zero = q.literal(0), unitMask = q.literal(UInt64.mask(KernelConstants.minUntypedBits()))
        return all([sw.ult(st), sw.bitAnd(unitMask).eq(zero), st.bitAnd(unitMask).eq(zero), minUntypedBits(q).ult(untypedSize),
                    st.ule(q.spec.bit(untypedSize)), q.literal(1).ule(perRetype), perRetype.ule(q.literal(KernelConstants.retypeFanOutLimit()))])
    }

    /// `d` names a valid dummy retype (its fields are defined as `prefix.*`).
    func valid(_ prefix: String, _ d: DummySearch<S>, _ q: inout QueryBuilder<S>) -> (BoolTerm, Named) {
        let (parts, p) = validParts(prefix, d, &q)
        return (all(parts.map(\.formula)), p)
    }

    /// The label of the condition of `valid` that the proposal ends at or below the target (its
    /// goal in `lemmas` assumes arithmetic steps of its own).
    static var endsAtOrBelowTarget: String { "they end at or below the target" }

    /// The conditions of `valid`, each with what it says.
    func validParts(_ prefix: String, _ d: DummySearch<S>, _ q: inout QueryBuilder<S>) -> ([(label: String, formula: BoolTerm)], Named) {
        let p = define(prefix, d, &q)
        let offset = q.define("\(prefix).offset", believedDummyOffset(w, d.sizeBits, base: state.paddr, strategy))
        let sw = searched(&q).w, st = searched(&q).t
        return ([("at least one dummy", q.literal(1).ule(p.count)),
                 ("within the budget per retype", p.count.ule(perRetype)),
                 ("blocks of at least 16 bytes", minUntypedBits(q).ule(p.size)),
                 ("blocks smaller than the untyped", p.size.ult(untypedSize)),
                 ("the total size does not overflow", p.count.shl(p.size).lshr(p.size).eq(p.count)),
                 ("they start at or above the watermark", sw.ule(offset)),
                 ("the reach is where they end", p.reach.eq(offset + p.count.shl(p.size))),
                 ("the range does not wrap", offset.ule(p.reach)),
                 (Self.endsAtOrBelowTarget, p.reach.ule(st))], p)
    }

    /// The contract on the search's proposal `p` (named `prop.*`).
    func proposes(_ p: DummySearch<S>, _ q: inout QueryBuilder<S>) -> (BoolTerm, Named) {
        let needed = needed(&q)
        let prop = define("prop", p, &q)
        return (implies(needed, all([prop.count.distinct(q.literal(0)), valid("prop", p, &q).0])), prop)
    }

    /// The proposal reaches at least as far as blocks of 2^`size` bytes alone would (`name.*`).
    func reachesAsFar(_ p: DummySearch<S>, size k: S, name: String, _ q: inout QueryBuilder<S>) -> (BoolTerm, (k: BVTerm, count: BVTerm, reach: BVTerm)) {
        let prop = define("prop", p, &q)
        let kTerm = q.define("\(name).k", k)
        let single = define(name, round(.none, size: k), &q)
        return (implies(all([minUntypedBits(q).ule(kTerm), kTerm.ult(q.literal(UInt64(S.bitWidth))), single.count.distinct(q.literal(0))]),
                        prop.reach.uge(single.reach)),
                (kTerm, single.count, single.reach))
    }

    /// Blocks of 2^`size` bytes alone from the watermark (`name.*`).
    func singleSize(size k: S, name: String, _ q: inout QueryBuilder<S>) -> (k: BVTerm, count: BVTerm, reach: BVTerm) {
        let kTerm = q.define("\(name).k", k)
        let single = define(name, round(.none, size: k), &q)
        return (kTerm, single.count, single.reach)
    }

    /// Among block sizes reaching exactly as far, the proposal uses the fewest dummies
    /// (`name.*` from `singleSize` or `reachesAsFar`).
    func fewestSlots(_ p: DummySearch<S>, than single: (k: BVTerm, count: BVTerm, reach: BVTerm), _ q: inout QueryBuilder<S>) -> BoolTerm {
        let prop = define("prop", p, &q)
        let (k, count, reach) = single
        return implies(all([minUntypedBits(q).ule(k), k.ult(q.literal(UInt64(S.bitWidth))), count.distinct(q.literal(0)), reach.eq(prop.reach)]),
                       prop.count.ule(count))
    }

    /// The lemmas (goals of the same query) and the hypotheses their vacuity check adds.
    func lemmas(reach: Bool, _ q: inout QueryBuilder<S>) -> ([ObligationQuery.Goal], BoolTerm) {
        let sbSize = q.word("sb.size", "a proposal before one round of the search: size bits")
        let sbCount = q.word("sb.count", "its number of dummies")
        let sbReach = q.word("sb.reach", "where it ends")
        let best = DummySearch<S>(sizeBits: sbSize.value, count: sbCount.value, reach: sbReach.value)
        let sk = q.word("sk", "the block size of that round")
        let next = round(best, size: sk.value)
        let zero = q.literal(0)
        let needed = needed(&q)
        let kRange = minUntypedBits(q).ule(sk.term).and(sk.term.ult(q.literal(UInt64(S.bitWidth))))
        let before = sbCount.term.eq(zero).or(valid("sb", best, &q).0)
        // A new proposal is valid, condition by condition: one goal each (together they are
        // several times cheaper to prove than their conjunction).
        let (afterParts, sn) = validParts("sn", next, &q)
        let first = define("first", round(.none, size: KernelConstants.minUntypedBits()), &q)
        let real = define("real", strategy.searchDummies(watermark: w, target: t, state: state, perRetype: request.maxDummiesPerRetype), &q)
        var fold = DummySearch<S>.none
        var size: S = KernelConstants.minUntypedBits()
        for _ in 4..<S.bitWidth {
            fold = round(fold, size: size)
            size = size &+ 1
        }
        let folded = define("fold", fold, &q)
        // Two steps of arithmetic, each proved for every value of inputs of its own (l.*) and
        // assumed where the round ends: its blocks, as many as furthestReach takes from where it
        // starts, end at or below the target (a tenth of the time without them).
        let fitsBelow = { (n: BVTerm, x: BVTerm, k: BVTerm) in implies(n.ule(x.lshr(k)), n.shl(k).ule(x)) }
        let addsBelow = { (a: BVTerm, t: BVTerm, d: BVTerm) in implies(a.ule(t).and(d.ule(t - a)), (a + d).ule(t)) }
        let (ln, lx, lk) = (q.word("l.n", "lemma: any count").term, q.word("l.x", "lemma: any room").term, q.word("l.k", "lemma: any block size").term)
        let (la, lt, ld) = (q.word("l.a", "lemma: any start").term, q.word("l.t", "lemma: any end").term, q.word("l.d", "lemma: any length").term)
        let considered = FurthestReachRound(best, size: sk.value, watermark: w, target: t, untypedSizeBits: state.sizeBits,
                                            perRetype: request.maxDummiesPerRetype, base: state.paddr, rule: strategy)
        let roundStart = q.define("sk.start", considered.start)
        let roundCount = q.define("sk.n", considered.count)
        let target = searched(&q).t
        let endSteps = [fitsBelow(roundCount, target - roundStart, sk.term), addsBelow(roundStart, target, roundCount.shl(sk.term))]
        // Where the new proposal's blocks start, by cases on whether the round replaced the
        // proposal: align-up of a choice is the choice of the align-ups (for every value of l.*).
        let alignedChoice = { (c: S.Cond, x: S, y: S) -> (S, S) in
            (strategy.believedAlignUp(w, S.select(c, x, y), base: state.paddr),
             S.select(c, strategy.believedAlignUp(w, x, base: state.paddr), strategy.believedAlignUp(w, y, base: state.paddr)))
        }
        let (lc, ly) = (q.bool("l.c", "lemma: any choice"), q.word("l.y", "lemma: any other block size"))
        let anyChoice = alignedChoice(lc.value, sk.value, ly.value)
        let choiceStep = q.define("sc.offset-of-choice", anyChoice.0).eq(q.define("sc.choice-of-offsets", anyChoice.1))
        let roundChoice = alignedChoice(considered.better, sk.value, sbSize.value)
        let offsetSteps = [q.define("sn.offset-of-choice", roundChoice.0).eq(q.define("sn.choice-of-offsets", roundChoice.1))]
        var goals: [ObligationQuery.Goal] = [
            .init("search, step: n blocks of 2^k bytes fit in x when n <= x >> k", fitsBelow(ln, lx, lk)),
            .init("search, step: a + d <= t when a <= t and d <= t - a", addsBelow(la, lt, ld)),
            .init("search, step: where the blocks start, by cases on the round's choice", choiceStep),
            .init("search: the first round (16-byte blocks) finds a proposal", implies(needed, first.count.distinct(zero))),
        ] + afterParts.map { part in
            ObligationQuery.Goal("search: a round keeps a proposal valid: \(part.label)",
                                 implies(all([needed, before, kRange] + (part.label == Self.endsAtOrBelowTarget ? endSteps : offsetSteps)),
                                         sn.count.eq(zero).or(part.formula)))
        } + [
            .init("search: a round never drops a proposal", implies(sbCount.term.distinct(zero), sn.count.distinct(zero))),
            .init("search: the search is these rounds for k = 4 ... W-1",
                  .apply("and", [real.size.eq(folded.size), real.count.eq(folded.count), real.reach.eq(folded.reach)])),
        ]
        if reach {
            let sc = define("sc", round(.none, size: sk.value), &q)
            goals += [
                .init("search: a round never reaches less far", sn.reach.uge(sbReach.term)),
                .init("search: the round of size k reaches as far as blocks of size k",
                      implies(sc.count.distinct(zero), sn.reach.uge(sc.reach))),
                // The slot bound by induction: among the sizes tried so far that reach as far
                // as the proposal, none needs fewer dummies.
                .init("search: a round that reaches only as far as blocks of size k uses no more of them",
                      implies(all([sc.count.distinct(zero), sn.reach.eq(sc.reach)]), sn.count.ule(sc.count))),
                .init("search: a round after smaller sizes never uses more dummies for the same reach",
                      implies(all([needed, before, kRange, sbCount.term.distinct(zero), sbSize.term.ult(sk.term), sn.reach.eq(sbReach.term)]),
                              sn.count.ule(sbCount.term))),
            ]
        }
        return (goals, all([needed, before, kRange]))
    }

    /// seL4_MinUntypedBits: no dummy is smaller than 2^this bytes.
    private func minUntypedBits(_ q: QueryBuilder<S>) -> BVTerm { q.literal(KernelConstants.minUntypedBits()) }

    /// One round of the strategy's furthest-reach search.
    private func round(_ best: DummySearch<S>, size k: S) -> DummySearch<S> {
        strategy.searchRound(best, size: k, watermark: w, target: t, untypedSizeBits: state.sizeBits,
                             perRetype: request.maxDummiesPerRetype, base: state.paddr)
    }

    @discardableResult
    private func define(_ prefix: String, _ d: DummySearch<S>, _ q: inout QueryBuilder<S>) -> Named {
        Named(size: q.define("\(prefix).size", d.sizeBits), count: q.define("\(prefix).count", d.count),
              reach: q.define("\(prefix).reach", d.reach))
    }
}
