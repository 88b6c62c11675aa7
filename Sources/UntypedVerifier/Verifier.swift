import UntypedCore
import Z3

/// One checked obligation.
public struct VerificationRecord: Sendable {
    public var window: String
    public var strategy: StrategyUnderTest?
    public var obligation: Obligation
    /// How the checked query treated the dummy search.
    public var form: SearchForm { query.form }
    public var result: ProofResult
    /// Solver seconds for the proof query and its vacuity check.
    public var seconds: Double
    public var query: ObligationQuery
    /// The symbolic window whose proof covers this one (nothing was solved for it), if any.
    public var via: String? = nil
}

/// Builds and checks obligations with Z3, one fresh context per query (so runs can be parallel).
public struct Verifier: Sendable {
    public let library: SpecLibrary
    public let timeoutMilliseconds: UInt32

    public init(library: SpecLibrary = SpecLibrary(), timeoutMilliseconds: UInt32 = 60_000) {
        self.library = library
        self.timeoutMilliseconds = timeoutMilliseconds
    }

    /// The query text for one obligation (what `--emit-smt` writes and the solver reads).
    ///
    /// `form` applies only where it is the obligation's reduced form for `strategy`; otherwise
    /// the query runs the strategy's own search.
    public func query(_ obligation: Obligation, window: ProofWindow, strategy: StrategyUnderTest,
                      form: SearchForm = .strategySearch) throws(VerifierError) -> ObligationQuery {
        let specs = try library.specText(wordBits: window.wordBits)
        let form = obligation.reducedForm(for: strategy) == form ? form : .strategySearch
        return try window.withWord(BuildObligation(obligation: obligation, window: window, strategy: strategy, form: form,
                                                   specs: specs, values: nil))
    }

    /// Checks one obligation on one window: `run` with a plan of that one job (reduced form
    /// first, the strategy's own search where that does not prove it, and for an allocator
    /// obligation the offset-form prerequisite). `onlyForm` checks only that form.
    public func verify(_ obligation: Obligation, window: ProofWindow, strategy: StrategyUnderTest,
                       onlyForm: SearchForm? = nil) throws(VerifierError) -> VerificationRecord {
        let plan = VerificationPlan(windows: [window], strategies: [strategy], obligations: [obligation],
                                    emitDirectory: nil, workers: 2, form: onlyForm)
        guard let record = try run(plan).first else { throw .solver("no record for \(obligation.rawValue)") }
        return record
    }

    /// The Z3 tactic every check uses: word-level simplification, then bit-blasting to SAT.
    /// On these queries it is several times faster than Z3's default QF_BV strategy.
    public static let tactic = ["simplify", "propagate-values", "solve-eqs", "bit-blast", "sat"]

    /// A fresh solver running `tactic` with this verifier's time limit.
    func makeSolver(_ context: Context) throws(VerifierError) -> Solver {
        do {
            return Solver(context: context, tactic: try Tactic.sequence(Self.tactic, context: context).tryFor(milliseconds: timeoutMilliseconds))
        } catch { throw .solver("Z3 has no tactic \(Self.tactic): \(error)") }
    }

    /// Solves one query text: `.unsat`, `.sat` with its model, or `.unknown`. A check
    /// expected to be satisfiable (a vacuity check) runs Z3's own QF_BV strategy, which finds
    /// models where the bit-blasting tactic, faster for proofs, can take minutes.
    func solve(_ text: String, what: String, expectSat: Bool = false) throws(VerifierError) -> (CheckResult, Model?) {
        let context = Context(timeoutMilliseconds: timeoutMilliseconds)
        let solver = expectSat ? Solver(context: context) : try makeSolver(context)
        do { try solver.load(smtlib2: text) } catch { throw .solver("Z3 rejected the \(what): \(error)") }
        let result = solver.check()
        if case .unknown(let reason) = result, reason.contains("timeout") || reason.contains("canceled") {
            return (.unknown(reason: "timeout after \(timeoutMilliseconds / 1000) s"), nil)
        }
        return (result, result == .sat ? try? solver.model() : nil)
    }

    /// What one solver check of a query found.
    enum CheckOutcome: Sendable {
        case unsat
        /// With the model's input values.
        case sat([String: UInt64])
        case unknown(String)
    }

    /// Runs check `item` of `q`: -1 the vacuity check, 0..<goals goal i, then the goals' guards.
    func runCheck(_ q: ObligationQuery, item: Int, wordBits: Int) throws(VerifierError) -> CheckOutcome {
        let text = item < 0 ? q.vacuity : item < q.goals.count ? q.goalQuery(item) : q.guardQuery(item - q.goals.count)
        let (result, model) = try solve(text, what: item < 0 ? "vacuity query" : "proof query", expectSat: item < 0 || item >= q.goals.count)
        switch result {
        case .unsat: return .unsat
        case .unknown(let reason): return .unknown(reason)
        case .sat: return .sat(model.map { Self.values(of: q, in: $0, width: wordBits) } ?? [:])
        }
    }

    /// The verdict from the outcomes of all of `q`'s checks (vacuity first, then the goals in
    /// order). With `replay`, a counterexample is replayed through the concrete core.
    func verdict(_ q: ObligationQuery, _ outcomes: [CheckOutcome], window: ProofWindow, strategy: StrategyUnderTest, replay: Bool) -> ProofResult {
        switch outcomes[0] {
        case .unsat: return .unknown("vacuous: the assumptions and guard are unsatisfiable, so a proof would mean nothing")
        case .unknown(let reason): return .unknown("vacuity check: \(reason)")
        case .sat: break
        }
        for (guardText, outcome) in zip(q.goalGuards, outcomes.dropFirst(1 + q.goals.count)) {
            switch outcome {
            case .sat: continue
            case .unsat: return .unknown("vacuous goal '\(guardText.label)': its hypothesis cannot hold under the assumptions")
            case .unknown(let reason): return .unknown("vacuity check of goal '\(guardText.label)': \(reason)")
            }
        }
        var undecided: ProofResult? = nil
        for (goal, outcome) in zip(q.goals, outcomes.dropFirst()) {
            switch outcome {
            case .unsat: continue
            case .unknown(let reason):
                // A later goal's reproduced counterexample still refutes the obligation.
                if undecided == nil { undecided = .unknown("goal '\(goal.label)': \(reason)") }
            case .sat(let values):
                guard replay else { return .unknown("goal '\(goal.label)' has a counterexample in the \(q.form.rawValue) form") }
                let cex: Counterexample
                do { cex = try self.replay(q, window: window, strategy: strategy, values: values) } catch {
                    if undecided == nil { undecided = .unknown("the counterexample to goal '\(goal.label)' cannot be replayed: \(error)") }
                    continue
                }
                if cex.reproduced { return .refuted(cex) }
                if undecided == nil {
                    undecided = .unknown("encoder disagreement: the solver's counterexample to goal '\(goal.label)' does not reproduce on the concrete core (\(cex.explanation))")
                }
            }
        }
        return undecided ?? .proved
    }

    static func values(of q: ObligationQuery, in model: Model, width: Int) -> [String: UInt64] {
        var values: [String: UInt64] = [:]
        for input in q.inputs {
            if input.isBool {
                values[input.name] = model.bool(model.context.boolVar(name: input.name)).map { $0 ? 1 : 0 }
            } else {
                values[input.name] = model.uint64(model.context.bvVar(name: input.name, width: width))
            }
        }
        return values
    }
}

extension Verifier {
    /// The solver's name and version, for manifests.
    public var solverVersion: String { Context.version }
}
