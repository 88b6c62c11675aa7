import Testing
import UntypedCore
@testable import UntypedVerifier

/// Progress and optimality in the search-contract form assume the search's contract, so a plan
/// asking for either also proves dummy-search (once per window and strategy); a strategy
/// whose search is not by rounds (rust-sel4) has no such obligation.
@Test func planIncludesTheSearchContractWhereItIsAssumed() {
    let any32 = ProofWindow.any(wordBits: 32)
    let offsetJobs = VerificationPlan(windows: [any32], strategies: [.offset], obligations: [.progress], emitDirectory: nil, workers: 1).jobs
    #expect(offsetJobs.map(\.2) == [.dummySearch, .progress])
    let both = VerificationPlan(windows: [any32], strategies: [.offset], obligations: [.progress, .optimality], emitDirectory: nil, workers: 1).jobs
    #expect(both.map(\.2) == [.dummySearch, .progress, .optimality])
    let rust = VerificationPlan(windows: [any32], strategies: [.rustSel4], obligations: Obligation.allCases, emitDirectory: nil, workers: 1).jobs
    #expect(!rust.contains { $0.2 == .dummySearch })
    let safety = VerificationPlan(windows: [any32], strategies: [.offset], obligations: [.alignment], emitDirectory: nil, workers: 1).jobs
    #expect(safety.map(\.2) == [.alignment])
    // Only the strategy-search form asked for: nothing assumes the contract.
    let own = VerificationPlan(windows: [any32], strategies: [.offset], obligations: [.progress], emitDirectory: nil, workers: 1,
                               form: .strategySearch).jobs
    #expect(own.map(\.2) == [.progress])
}

/// Without the lemmas in their own query, progress and optimality in the search-contract form
/// carry no goal about the search's rounds; dummy-search has them all.
@Test func searchLemmasLiveOnlyInDummySearch() throws {
    let verifier = Verifier()
    let any32 = ProofWindow.any(wordBits: 32)
    let lemmas = try verifier.query(.dummySearch, window: any32, strategy: .offset).goals.map(\.label)
    #expect(lemmas.filter { $0.hasPrefix("search: a round keeps a proposal valid: ") }.count == 9)
    #expect(lemmas.contains("search: the search is these rounds for k = 4 ... W-1"))
    for o in [Obligation.progress, .optimality] {
        let q = try verifier.query(o, window: any32, strategy: .offset, form: .searchContract)
        #expect(q.form == .searchContract)
        #expect(!q.goals.contains { $0.label.hasPrefix("search:") }, "\(o.rawValue)")
    }
}

/// In the any-search form, watermark and no-overlap assume placement's landing goals in their
/// goals about the kernel's retype (placement proves them, and a plan with either includes
/// placement); in the strategy-search form (the fall-back that decides for a broken rule) they
/// do not assume them.
@Test func landingAssumedOnlyInTheAnySearchForm() throws {
    let verifier = Verifier()
    let any32 = ProofWindow.any(wordBits: 32)
    let placement = try verifier.query(.placement, window: any32, strategy: .offset, form: .anySearch)
    let landing = placement.goals.prefix(2).map(\.formula)
    for o in [Obligation.watermark, .noOverlap] {
        let reduced = try verifier.query(o, window: any32, strategy: .offset, form: .anySearch)
        #expect(!reduced.goals.contains { g in landing.contains(g.formula) }, "\(o.rawValue)")
        let users = reduced.goals.filter { g in landing.allSatisfy { g.formula.contains($0) } }
        #expect(users.count >= 4, "\(o.rawValue): \(users.map(\.label))")
        let own = try verifier.query(o, window: any32, strategy: .offset, form: .strategySearch)
        #expect(!own.goals.contains { g in landing.contains { g.formula.contains($0) } }, "\(o.rawValue)")
        #expect(o.prerequisite(for: .offset, form: .anySearch) == .placement && o.prerequisite(for: .offset, form: .strategySearch) == nil)
        let jobs = VerificationPlan(windows: [any32], strategies: [.offset], obligations: [o], emitDirectory: nil, workers: 1).jobs
        #expect(jobs.map(\.2) == [.placement, o].sorted { a, b in Obligation.allCases.firstIndex(of: a)! < Obligation.allCases.firstIndex(of: b)! })
        let own2 = VerificationPlan(windows: [any32], strategies: [.offset], obligations: [o], emitDirectory: nil, workers: 1,
                                    form: .strategySearch).jobs
        #expect(own2.map(\.2) == [o])
    }
}

/// In the any-search form the goals about the kernel's retype speak of each kind apart (the
/// request's objects, the proposal's dummies), and placement proves the step's retype of each
/// kind is that one; the strategy-search form keeps one retype over the step's fields.
@Test func retypesByKindOnlyInTheAnySearchForm() throws {
    let verifier = Verifier()
    let any32 = ProofWindow.any(wordBits: 32)
    let placement = try verifier.query(.placement, window: any32, strategy: .offset, form: .anySearch)
    #expect(placement.goals.contains { $0.label == "the step retypes the request's objects or the proposal's dummies" })
    let reduced = try verifier.query(.watermark, window: any32, strategy: .offset, form: .anySearch)
    let accepts = { (q: ObligationQuery, kind: String) in q.goals.first { $0.label == "\(kind): the kernel accepts the retype" } }
    #expect(accepts(reduced, "object")?.mentions.contains("kern.obj.error") == true)
    #expect(accepts(reduced, "dummies")?.mentions.contains("kern.dum.error") == true)
    #expect(accepts(reduced, "object")?.mentions.contains("kern.error") == false)
    let own = try verifier.query(.watermark, window: any32, strategy: .offset, form: .strategySearch)
    #expect(accepts(own, "object")?.mentions.contains("kern.error") == true)
    #expect(!own.goals.contains { g in g.mentions.contains { $0.hasPrefix("kern.obj.") || $0.hasPrefix("kern.dum.") } })
    let ownPlacement = try verifier.query(.placement, window: any32, strategy: .offset, form: .strategySearch)
    #expect(!ownPlacement.goals.contains { $0.label == "the step retypes the request's objects or the proposal's dummies" })
}
