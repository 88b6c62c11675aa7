import UntypedCore
import Z3

/// One checked obligation.
public struct VerificationRecord: Sendable {
    public var window: String
    public var strategy: Strategy?
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
    public func query(_ obligation: Obligation, window: ProofWindow, strategy: Strategy,
                      form: SearchForm = .strategySearch) throws(VerifierError) -> ObligationQuery {
        let specs = try library.specText(wordBits: window.wordBits)
        let context = Context()
        let form = obligation.reducedForm(for: strategy) == form ? form : .strategySearch
        switch window.wordBits {
        case 64: return ObligationBuilder<SymbolicWord64>(window: window, strategy: strategy, form: form, specs: specs, context: context).build(obligation)
        case 32: return ObligationBuilder<SymbolicWord32>(window: window, strategy: strategy, form: form, specs: specs, context: context).build(obligation)
        default: throw .solver("word width \(window.wordBits) is not 32 or 64")
        }
    }

    /// Checks one obligation: vacuity first, then the proof; a counterexample is replayed
    /// through the concrete core before it is reported.
    ///
    /// A safety obligation is first tried with the dummy search as an unconstrained input
    /// (`SearchForm.anySearch`), a much smaller query. Only if that is not proved (the
    /// strategy may rely on what its search returns, or be wrong) is the obligation checked
    /// again with the strategy's own search, which decides it and gives real counterexamples.
    public func verify(_ obligation: Obligation, window: ProofWindow, strategy: Strategy,
                       onlyForm: SearchForm? = nil) throws(VerifierError) -> VerificationRecord {
        let start = now()
        if let onlyForm {
            let q = try query(obligation, window: window, strategy: strategy, form: onlyForm)
            return VerificationRecord(window: window.name, strategy: q.strategy, obligation: obligation,
                                      result: try check(q, window: window, strategy: strategy), seconds: now() - start, query: q)
        }
        if obligation.dependsOnStrategy, let missing = try offsetFormMissing(wordBits: window.wordBits) {
            let q = try query(obligation, window: window, strategy: strategy)
            return VerificationRecord(window: window.name, strategy: q.strategy, obligation: obligation,
                                      result: .unknown(missing), seconds: now() - start, query: q)
        }
        if let reduced = obligation.reducedForm(for: strategy) {
            let q = try query(obligation, window: window, strategy: strategy, form: reduced)
            if case .proved = try check(q, window: window, strategy: strategy, replay: false) {
                return VerificationRecord(window: window.name, strategy: q.strategy, obligation: obligation,
                                          result: .proved, seconds: now() - start, query: q)
            }
        }
        let q = try query(obligation, window: window, strategy: strategy)
        let result = try check(q, window: window, strategy: strategy)
        return VerificationRecord(window: window.name, strategy: q.strategy, obligation: obligation,
                                  result: result, seconds: now() - start, query: q)
    }

    /// The allocator obligations use the specs' offset form of the kernel's retype; it is
    /// proved equal to the kernel's retype by model-spec on the symbolic window of the same
    /// width, once per process. Nil when proved, else why the allocator obligations cannot be.
    func offsetFormMissing(wordBits: Int) throws(VerifierError) -> String? {
        let key = "\(wordBits) \(timeoutMilliseconds)"
        if let known = Self.offsetForm.withLock({ $0[key] }) { return known }
        let record = try verify(.modelSpec, window: .any(wordBits: wordBits), strategy: .offset)
        let missing: String? = record.result.name == "proved" ? nil
            : "the offset form of the kernel's retype is not proved (any-\(wordBits) model-spec: \(record.result.name))"
        Self.offsetForm.withLock { $0[key] = .some(missing) }
        return missing
    }

    private static let offsetForm = Locked<[String: String?]>([:])

    /// The Z3 tactic every check uses: word-level simplification, then bit-blasting to SAT.
    /// On these queries it is several times faster than Z3's default QF_BV strategy.
    public static let tactic = ["simplify", "propagate-values", "solve-eqs", "bit-blast", "sat"]

    /// A fresh solver running `tactic` with this verifier's time limit.
    func makeSolver(_ context: Context) throws(VerifierError) -> Solver {
        do {
            return Solver(context: context, tactic: try Tactic.sequence(Self.tactic, context: context).tryFor(milliseconds: timeoutMilliseconds))
        } catch { throw .solver("Z3 has no tactic \(Self.tactic): \(error)") }
    }

    /// Solves one query text: `.unsat`, `.sat` with its model, or `.unknown`.
    func solve(_ text: String, what: String) throws(VerifierError) -> (CheckResult, Model?) {
        let context = Context(timeoutMilliseconds: timeoutMilliseconds)
        let solver = try makeSolver(context)
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

    /// Runs check `item` of `q`: -1 the vacuity check, i >= 0 goal i.
    func runCheck(_ q: ObligationQuery, item: Int, wordBits: Int) throws(VerifierError) -> CheckOutcome {
        let (result, model) = try solve(item < 0 ? q.vacuity : q.goalQuery(item), what: item < 0 ? "vacuity query" : "proof query")
        switch result {
        case .unsat: return .unsat
        case .unknown(let reason): return .unknown(reason)
        case .sat: return .sat(model.map { Self.values(of: q, in: $0, width: wordBits) } ?? [:])
        }
    }

    /// The verdict from the outcomes of all of `q`'s checks (vacuity first, then the goals in
    /// order). With `replay`, a counterexample is replayed through the concrete core.
    func verdict(_ q: ObligationQuery, _ outcomes: [CheckOutcome], window: ProofWindow, strategy: Strategy, replay: Bool) -> ProofResult {
        switch outcomes[0] {
        case .unsat: return .unknown("vacuous: the assumptions and guard are unsatisfiable, so a proof would mean nothing")
        case .unknown(let reason): return .unknown("vacuity check: \(reason)")
        case .sat: break
        }
        for (goal, outcome) in zip(q.goals, outcomes.dropFirst()) {
            switch outcome {
            case .unsat: continue
            case .unknown(let reason): return .unknown("goal '\(goal.label)': \(reason)")
            case .sat(let values):
                guard replay else { return .unknown("goal '\(goal.label)' has a counterexample in the \(q.form.rawValue) form") }
                let cex = CounterexampleReplay.replay(q.obligation, window: window, strategy: strategy, values: values)
                return cex.reproduced ? .refuted(cex) : .unknown("encoder disagreement: the solver's counterexample to goal '\(goal.label)' does not reproduce on the concrete core (\(cex.explanation))")
            }
        }
        return .proved
    }

    func check(_ q: ObligationQuery, window: ProofWindow, strategy: Strategy, replay: Bool = true) throws(VerifierError) -> ProofResult {
        var outcomes: [CheckOutcome] = []
        for item in -1..<q.goals.count {
            let outcome = try runCheck(q, item: item, wordBits: window.wordBits)
            outcomes.append(outcome)
            if item < 0 {
                if case .sat = outcome { continue }
                break   // vacuous or undecided
            }
            if case .unsat = outcome { continue }
            break   // the verdict is decided
        }
        return verdict(q, outcomes, window: window, strategy: strategy, replay: replay)
    }

    static func values(of q: ObligationQuery, in model: Model, width: Int) -> [String: UInt64] {
        var values: [String: UInt64] = [:]
        for input in q.inputs {
            if input.isBool {
                values[input.name] = (model.bool(model.context.boolVar(name: input.name)) ?? false) ? 1 : 0
            } else {
                values[input.name] = model.uint64(model.context.bvVar(name: input.name, width: width)) ?? 0
            }
        }
        return values
    }
}

extension Verifier {
    /// The solver's name and version, for manifests.
    public var solverVersion: String { Context.version }
}
