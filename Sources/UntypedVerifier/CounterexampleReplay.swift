import UntypedCore
import Z3

/// A computation that needs the window's words: the concrete word `C` (`UInt32`/`UInt64`)
/// and the symbolic one `S` of the same width. `ProofWindow.withWord` picks them.
protocol WidthBody {
    associatedtype Output
    func run<C: ObligationWord & MachineWord, S: ObligationWord & SymbolicMachineWord>(concrete: C.Type, symbolic: S.Type) throws(VerifierError) -> Output
}

extension ProofWindow {
    /// Runs `body` with this window's words: the one place the verifier dispatches on width.
    func withWord<B: WidthBody>(_ body: B) throws(VerifierError) -> B.Output {
        switch wordBits {
        case 64: return try body.run(concrete: UInt64.self, symbolic: SymbolicWord64.self)
        case 32: return try body.run(concrete: UInt32.self, symbolic: SymbolicWord32.self)
        default: throw .solver("word width \(wordBits) is not 32 or 64")
        }
    }
}

/// Builds an obligation's query: on symbolic words, or (with `values`) on the concrete core
/// from a counterexample's input values.
struct BuildObligation: WidthBody {
    let obligation: Obligation
    let window: ProofWindow
    let strategy: StrategyUnderTest
    let form: SearchForm
    let specs: String
    let values: [String: UInt64]?

    func run<C: ObligationWord & MachineWord, S: ObligationWord & SymbolicMachineWord>(concrete: C.Type, symbolic: S.Type) -> ObligationQuery {
        let context = Context()
        if let values {
            return ObligationBuilder<C>(window: window, strategy: strategy, form: form, specs: specs, context: context, values: values).build(obligation)
        }
        return ObligationBuilder<S>(window: window, strategy: strategy, form: form, specs: specs, context: context).build(obligation)
    }
}

extension Verifier {
    /// Replays a solver's counterexample to query `q` on the concrete core: builds the same
    /// obligation from the counterexample's input values on concrete words (inputs defined as
    /// those values, every core term the concrete core's value) and evaluates its assumptions
    /// and goals, the same text the proof checked, with Z3 on these ground terms. Reproduced
    /// iff the assumptions hold and at least one goal fails. A counterexample lacking a value
    /// for an input of the query is an error.
    public func replay(_ q: ObligationQuery, window: ProofWindow, strategy: StrategyUnderTest,
                       values: [String: UInt64]) throws(VerifierError) -> Counterexample {
        let specs = try library.specText(wordBits: window.wordBits)
        let ground = try window.withWord(BuildObligation(obligation: q.obligation, window: window, strategy: strategy,
                                                         form: q.form, specs: specs, values: values))
        if !ground.missingValues.isEmpty {
            throw .solver("the counterexample has no value for input \(ground.missingValues.joined(separator: ", "))")
        }
        let names = Set(ground.inputs.map(\.name))
        let inputs = values.keys.filter(names.contains).sorted().map { (name: $0, value: values[$0]!) }
        let situation = ground.situation ?? (q.obligation == .modelSpec
            ? "The Swift kernel model and specs/ disagree on these inputs (one of the two is wrong: compare with the kernel source)."
            : "On these inputs:")
        func result(_ reproduced: Bool, _ text: String) -> Counterexample {
            Counterexample(inputs: inputs, explanation: situation + " " + text, reproduced: reproduced, traceJSON: nil)
        }
        switch try solve(ground.preamble + "(check-sat)\n", what: "replay of the assumptions", expectSat: true).0 {
        case .sat: break
        case .unsat: return result(false, "The obligation's assumptions do not hold under the concrete core's values.")
        case .unknown(let reason): return result(false, "The solver gave no verdict on the assumptions: \(reason).")
        }
        var failing: [Int] = []
        for i in ground.goals.indices {
            switch try solve(ground.goalQuery(i), what: "replay of a goal", expectSat: true).0 {
            case .sat: failing.append(i)
            case .unsat: continue
            case .unknown(let reason): return result(false, "The solver gave no verdict on goal '\(ground.goals[i].label)': \(reason).")
            }
        }
        guard let first = failing.first else {
            return result(false, "Every goal holds under the concrete core's values: not reproduced.")
        }
        let goal = ground.goals[first]
        let others = failing.count > 1 ? " (and \(failing.count - 1) more goal\(failing.count > 2 ? "s" : ""))" : ""
        return result(true, "Fails: \(goal.label)\(others). " + (try valuesText(goal.mentions, of: ground, wordBits: window.wordBits)))
    }

    /// `name=value` for the inputs and named terms `names` of a ground query, as Z3 evaluates them.
    private func valuesText(_ names: [String], of ground: ObligationQuery, wordBits: Int) throws(VerifierError) -> String {
        let named = names.filter { ground.sorts[$0] != nil }
        guard !named.isEmpty else { return "" }
        var text = ground.preamble
        for name in named {
            let sort = ground.sorts[name] == .bool ? "Bool" : "(_ BitVec \(wordBits))"
            text += "(declare-const replay!\(name) \(sort))\n(assert (= replay!\(name) \(name)))\n"
        }
        let (result, model) = try solve(text + "(check-sat)\n", what: "replay's values", expectSat: true)
        guard result == .sat, let model else { return "" }
        let parts = named.map { name -> String in
            if ground.sorts[name] == .bool {
                return "\(name)=" + (model.bool(model.context.boolVar(name: "replay!\(name)")).map { "\($0)" } ?? "?")
            }
            return "\(name)=" + (model.uint64(model.context.bvVar(name: "replay!\(name)", width: wordBits)).map { hex($0) } ?? "?")
        }
        return "Values: " + parts.joined(separator: ", ") + "."
    }
}
