import UntypedCore
import Z3

/// One checked obligation.
public struct VerificationRecord: Sendable {
    /// The kernel window (typed from the command line to the manifest, which writes its name).
    public var window: ProofWindow
    public var strategy: StrategyUnderTest?
    public var obligation: Obligation
    /// How the checked query treated the dummy search.
    public var form: SearchForm { query.form }
    public var result: ProofResult
    /// Solver seconds for the proof query and its vacuity check.
    public var seconds: Double
    public var query: ObligationQuery
    /// The symbolic window whose proof covers this one (nothing was solved for it), if any.
    public var via: ProofWindow? = nil
    /// Every check of the query was answered by the check cache (`seconds` is then the time
    /// the checks took when they were solved).
    public var cached: Bool = false
}

/// Builds and checks obligations with Z3, one fresh context per query (so runs can be parallel).
public struct Verifier: Sendable {
    public let library: SpecLibrary
    public let timeoutMilliseconds: UInt32
    /// Where verdicts of earlier checks are kept; nil solves every check.
    public let cache: CheckCache?

    public init(library: SpecLibrary = SpecLibrary(), timeoutMilliseconds: UInt32 = 60_000, cache: CheckCache? = nil) {
        self.library = library
        self.timeoutMilliseconds = timeoutMilliseconds
        self.cache = cache
    }

    /// The query text for one obligation (what `--emit-smt` writes and the solver reads).
    ///
    /// `form` applies only where it is the obligation's reduced form for `strategy`; otherwise
    /// the query runs the strategy's own search.
    public func query(_ obligation: Obligation, window: ProofWindow, strategy: StrategyUnderTest,
                      form: SearchForm = .strategySearch) throws(VerifierError) -> ObligationQuery {
        let specs = try library.specText(wordBits: window.wordBits)
        // dummy-search speaks only of the search's rounds: it is always stated with the
        // proposal as an input (the step's own search would only make the query larger).
        let form = obligation.firstForm(for: strategy, asked: form)
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
        guard let record = try run(plan).first(where: { $0.obligation == obligation }) else {
            throw .solver("no record for \(obligation.rawValue)")
        }
        return record
    }

    /// The Z3 tactic every check uses: word-level simplification, then bit-blasting to SAT.
    /// On these queries it is several times faster than Z3's default QF_BV strategy.
    public static let tactic = ["simplify", "propagate-values", "solve-eqs", "bit-blast", "sat"]

    /// A fresh solver running `tactic` with this verifier's time limit, or `milliseconds` if less.
    func makeSolver(_ context: Context, milliseconds: UInt32 = .max) throws(VerifierError) -> Solver {
        do {
            return Solver(context: context, tactic: try Tactic.sequence(Self.tactic, context: context)
                .tryFor(milliseconds: min(milliseconds, timeoutMilliseconds)))
        } catch { throw .solver("Z3 has no tactic \(Self.tactic): \(error)") }
    }

    /// Solves one query text: `.unsat`, `.sat` with its model, or `.unknown`. A check expected
    /// to be satisfiable (a counterexample search, a replay) runs Z3's own QF_BV strategy,
    /// which finds models where the bit-blasting tactic, faster for proofs, can take minutes.
    func solve(_ text: String, what: String, expectSat: Bool = false) throws(VerifierError) -> (CheckResult, Model?) {
        let context = Context(timeoutMilliseconds: timeoutMilliseconds)
        let solver = expectSat ? Solver(context: context) : try makeSolver(context)
        do { try solver.load(smtlib2: text) } catch { throw .solver("Z3 rejected the \(what): \(error)") }
        return outcome(of: solver)
    }

    /// Solves a parsed query's assumptions with one more assertion, `extra` (a term of
    /// `parsed`), on a fresh solver: as `solve(_:what:expectSat:)` on the same text, without
    /// parsing it again. A check expected to be satisfiable (a vacuity check) first runs the
    /// bit-blasting tactic for at most `witnessTacticMilliseconds` — on the proof queries it
    /// finds models about three times as fast as Z3's own strategy — and Z3's own strategy if
    /// the tactic gives up.
    func solve(_ parsed: ParsedQuery, adding extra: Expr, expectSat: Bool = false) throws(VerifierError) -> (CheckResult, Model?) {
        func run(_ solver: Solver) -> (CheckResult, Model?) {
            for a in parsed.assumptions { solver.assert(a) }
            solver.assert(extra)
            return outcome(of: solver)
        }
        guard expectSat else { return run(try makeSolver(parsed.context)) }
        let first = run(try makeSolver(parsed.context, milliseconds: Self.witnessTacticMilliseconds))
        if case .unknown = first.0 { return run(Solver(context: parsed.context)) }
        return first
    }

    /// Checks `solver`'s assertions: the result (a time-out in words) and the model of a `.sat`.
    private func outcome(of solver: Solver) -> (CheckResult, Model?) {
        let result = solver.check()
        if case .unknown(let reason) = result, reason.contains("timeout") || reason.contains("canceled") {
            return (.unknown(reason: "timeout after \(timeoutMilliseconds / 1000) s"), nil)
        }
        return (result, result == .sat ? try? solver.model() : nil)
    }

    /// How long a vacuity check runs the bit-blasting tactic before Z3's own strategy.
    static let witnessTacticMilliseconds: UInt32 = 5_000

    /// What one solver check of a query found.
    enum CheckOutcome: Sendable {
        case unsat
        /// With the model's input values.
        case sat([String: UInt64])
        case unknown(String)
    }

    /// How a proof check is solved, as named in cache keys.
    static var tacticName: String { "tactic (then \(tactic.joined(separator: " ")))" }
    /// How a counterexample search is solved.
    static let defaultStrategyName = "z3 default solver"
    /// How a vacuity check is solved.
    static var witnessStrategyName: String { "\(tacticName) for \(witnessTacticMilliseconds) ms, else \(defaultStrategyName)" }

    /// One check's outcome, its solver seconds, and whether the cache answered it.
    typealias CheckRun = (outcome: CheckOutcome, seconds: Double, cached: Bool)

    /// The cache key of the check `q.preamble + rest`.
    func cacheKey(_ digest: String, rest: String, how: String) -> String {
        guard cache != nil else { return "" }
        return CheckCache.key(solver: "z3 \(solverVersion)", how: how,
                       preambleDigest: digest, rest: rest)
    }

    /// One check through the cache when there is one: `.unsat`, `.sat` with the model's input
    /// values, or `.unknown`, and the solver seconds (`solve` is called on a cache miss only).
    private func cachedCheck(_ key: String, _ q: ObligationQuery, wordBits: Int,
                             _ solve: () throws(VerifierError) -> (CheckResult, Model?)) throws(VerifierError) -> CheckRun {
        if let hit = cache?.lookup(key) { return (hit.outcome, hit.seconds, true) }
        let start = now()
        let (result, model) = try solve()
        let outcome: CheckOutcome
        switch result {
        case .unsat: outcome = .unsat
        case .unknown(let reason): outcome = .unknown(reason)
        case .sat: outcome = .sat(model.map { Self.values(of: q, in: $0, width: wordBits) } ?? [:])
        }
        let seconds = now() - start
        cache?.store(key, .init(outcome: outcome, seconds: seconds))
        return (outcome, seconds, false)
    }

    /// Solves the text `q.preamble + rest` (through the cache when there is one). `digest` is
    /// the SHA-256 of the preamble.
    func check(_ q: ObligationQuery, digest: String, rest: String, what: String, expectSat: Bool,
               wordBits: Int) throws(VerifierError) -> CheckRun {
        try cachedCheck(cacheKey(digest, rest: rest, how: expectSat ? Self.defaultStrategyName : Self.tacticName), q, wordBits: wordBits) { () throws(VerifierError) in
            try solve(q.preamble + rest, what: what, expectSat: expectSat)
        }
    }

    /// Goal `index` of `q` (through the cache when there is one): its negation must be
    /// unsatisfiable. The check's text is `q.preamble + (assert (not goal)) (check-sat)`;
    /// `parsed` gives that text's terms, parsed once per query (`ParsedQuery`).
    func checkGoal(_ q: ObligationQuery, _ index: Int, digest: String, wordBits: Int,
                   parsed: () throws(VerifierError) -> ParsedQuery) throws(VerifierError) -> CheckRun {
        let key = cacheKey(digest, rest: "(assert (not \(q.goals[index].formula)))\n(check-sat)\n", how: Self.tacticName)
        return try cachedCheck(key, q, wordBits: wordBits) { () throws(VerifierError) in
            let terms = try parsed()
            return try solve(terms, adding: terms.negatedGoals[index])
        }
    }

    /// The vacuity check of `q` and the vacuity checks of its goals' hypotheses (all expected
    /// satisfiable), in that order. A model found for one is tried on those still open: a
    /// hypothesis true in that model (evaluated with model completion) is satisfiable under
    /// the assumptions as well, so it needs no check of its own.
    func checkWitnesses(_ q: ObligationQuery, digest: String, wordBits: Int,
                        parsed: () throws(VerifierError) -> ParsedQuery) throws(VerifierError) -> [CheckRun] {
        let formulas = [q.guardFormula] + q.goalGuards.map(\.formula)
        let keys = formulas.map { cacheKey(digest, rest: "(assert \($0))\n(check-sat)\n", how: Self.witnessStrategyName) }
        var runs: [CheckRun?] = keys.map { key in cache?.lookup(key).map { ($0.outcome, $0.seconds, true) } }
        guard runs.contains(where: { $0 == nil }) else { return runs.map { $0! } }
        let parseStart = now()
        let terms = try parsed()
        var parseSeconds = now() - parseStart
        // The longest hypotheses first: their models tend to satisfy the shorter ones too.
        let order = formulas.indices.sorted { formulas[$0].utf8.count > formulas[$1].utf8.count }
        for i in order where runs[i] == nil {
            let start = now()
            let (result, model) = try solve(terms, adding: terms.hypotheses[i], expectSat: true)
            let seconds = now() - start + parseSeconds
            parseSeconds = 0
            switch result {
            case .unsat:
                runs[i] = (.unsat, seconds, false)
            case .unknown(let reason):
                runs[i] = (.unknown(reason), seconds, false)
            case .sat:
                guard let model else { runs[i] = (.unknown("no model"), seconds, false); break }
                let values = Self.values(of: q, in: model, width: wordBits)
                runs[i] = (.sat(values), seconds, false)
                for j in formulas.indices where runs[j] == nil && model.bool(terms.hypotheses[j]) == true {
                    runs[j] = (.sat(values), 0, false)
                    cache?.store(keys[j], .init(outcome: .sat(values), seconds: 0))
                }
            }
            cache?.store(keys[i], .init(outcome: runs[i]!.outcome, seconds: seconds))
        }
        return runs.map { $0! }
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
