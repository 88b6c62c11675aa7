import UntypedCore
import Z3

extension Verifier {
    /// Looks for a counterexample to `obligation` and makes it small: it prefers, one at a
    /// time and only while the query stays satisfiable, a fresh untyped (no children), one
    /// object, one dummy per retype, no physical-alignment need and small sizes. The result is
    /// replayed through the concrete core. `.holds` only when the solver proved that no input
    /// breaks the obligation and its assumptions are satisfiable; every other case without a
    /// counterexample (timeout, unknown, vacuous assumptions) is `.unknown`.
    public func counterexample(_ obligation: Obligation, window: ProofWindow, strategy: StrategyUnderTest) throws(VerifierError) -> CounterexampleSearchResult {
        let q = try query(obligation, window: window, strategy: strategy)
        let context = Context(timeoutMilliseconds: timeoutMilliseconds)
        let solver = Solver(context: context)
        do { try solver.load(smtlib2: q.whole) } catch { throw .solver("Z3 rejected the query: \(error)") }
        switch solver.check() {
        case .sat: break
        case .unknown(let reason): return .unknown(reason)
        case .unsat:
            // Unsatisfiable: either the obligation holds or its assumptions contradict each other.
            switch try solve(q.vacuity, what: "vacuity query", expectSat: true).0 {
            case .sat: return .holds
            case .unsat: return .unknown("vacuous: the assumptions and guard are unsatisfiable")
            case .unknown(let reason): return .unknown("vacuity check: \(reason)")
            }
        }
        let names = Set(q.inputs.map(\.name))
        let lit = { (v: UInt64) in "(_ bv\(v) \(window.wordBits))" }
        // (The untyped already lies where the window's kernel can put one: an assumption.)
        var preferences = [
            "(= a.live \(lit(0)))", "(= a.hold0 \(lit(0)))", "(= a.hold1 \(lit(0)))", "(= a.next \(lit(0)))",
            "(= r.count \(lit(1)))", "(= r.per \(lit(1)))", "(not r.phys)", "r.has", "(not a.dev)",
        ].filter { p in names.contains { p.contains($0) } }
        // Small sizes: object and untyped, by halving an upper bound.
        for name in ["r.size", "a.size"] where names.contains(name) {
            for bound in [12, 20, 30, 40] as [UInt64] { preferences.append("(bvule \(name) \(lit(bound)))") }
        }
        for p in preferences {
            solver.push()
            do { try solver.load(smtlib2: declarations(of: q) + "(assert \(p))") } catch { solver.pop(); continue }
            if solver.check() != .sat { solver.pop() }
        }
        let final = solver.check()
        guard final == .sat, let model = try? solver.model() else {
            return .unknown("the solver lost the counterexample while minimising it (\(final))")
        }
        var cex = try replay(q, window: window, strategy: strategy, values: Self.values(of: q, in: model, width: window.wordBits))
        if cex.reproduced {
            cex.traceJSON = try window.withWord(TraceBody(window: window, strategy: strategy,
                                                          values: Dictionary(uniqueKeysWithValues: cex.inputs.map { ($0.name, $0.value) })))
        }
        return .found(cex)
    }

    /// The query's declarations, so an extra assertion can be parsed on its own.
    private func declarations(of q: ObligationQuery) -> String {
        q.proof.split(separator: "\n").filter { $0.hasPrefix("(declare-const") }.joined(separator: "\n") + "\n"
    }
}

/// What a counterexample search found.
public enum CounterexampleSearchResult: Sendable {
    /// An input breaking the obligation (check `reproduced` before reporting it).
    case found(Counterexample)
    /// The solver proved the obligation (with satisfiable assumptions).
    case holds
    /// No verdict: timeout, unknown, or vacuous assumptions.
    case unknown(String)
}

/// Builds the trace on the window's concrete words.
struct TraceBody: WidthBody {
    let window: ProofWindow
    let strategy: StrategyUnderTest
    let values: [String: UInt64]

    func run<C: ObligationWord & MachineWord, S: ObligationWord & SymbolicMachineWord>(concrete: C.Type, symbolic: S.Type) -> String? {
        CounterexampleTrace<C>(window: window, strategy: strategy, values: values).json()
    }
}

/// A trace in the planner's format that reproduces an allocator counterexample on the kernel
/// model: the untyped, the strategy's own steps from a fresh untyped up to the object, and the
/// address the strategy promised (`expected`). `untyped replay` then shows where it really lands.
struct CounterexampleTrace<C: MachineWord> {
    let window: ProofWindow
    let strategy: StrategyUnderTest
    let values: [String: UInt64]

    func v(_ name: String) -> C { C(truncatingIfNeeded: values[name] ?? 0) }
    func h(_ x: C) -> String { "\"0x" + String(x, radix: 16) + "\"" }

    func json() -> String? {
        guard values["a.paddr"] != nil else { return nil }
        var state = UntypedState<C>.boot(paddr: v("a.paddr"), sizeBits: v("a.size"), isDevice: (values["a.dev"] ?? 0) != 0)
        let request = PlacementRequest<C>(sizeBits: v("r.size"), count: 1, deviceAllowed: true,
                                          needsPhysicalAlignment: (values["r.phys"] ?? 0) != 0, hasTarget: (values["r.has"] ?? 0) != 0,
                                          target: v("r.target"), maxDummiesPerRetype: v("r.per"))
        var invocations: [String] = []
        var holds: [[String]] = [[], []]
        var dummies = 0
        let objectType = request.needsPhysicalAlignment ? "frame" : "untyped"
        for _ in 0..<(4 * C.bitWidth + 8) {
            let step = nextStep(state, request, strategy: strategy)
            guard let kind = StepKind(rawValue: UInt8(truncatingIfNeeded: step.kind)) else { return nil }
            switch kind {
            case .fail:
                return nil
            case .deleteHold:
                let g = step.hold == 0 ? 0 : 1
                invocations += holds[g].map { "{\"op\": \"delete\", \"name\": \"\($0)\"}" }
                holds[g] = []
            case .retypeDummies:
                let g = step.hold == 0 ? 0 : 1
                let names = (0..<Int(step.count)).map { _ in defer { dummies += 1 }; return "dummy\(dummies)" }
                holds[g] = names
                invocations.append("{\"op\": \"retype\", \"untyped\": 0, \"type\": \"untyped\", \"sizeBits\": \(step.sizeBits), \"count\": \(step.count), \"names\": [\(names.map { "\"\($0)\"" }.joined(separator: ", "))]}")
            case .retypeObject:
                invocations.append("{\"op\": \"retype\", \"untyped\": 0, \"type\": \"\(objectType)\", \"sizeBits\": \(step.sizeBits), \"count\": 1, \"names\": [\"object\"]}")
                let arch = window.pptrBaseOffset == nil ? "custom:bits=\(C.bitWidth),offset=0x\(String(v("win.offset"), radix: 16))" : window.name
                return """
                {"arch": "\(arch)",
                 "untypeds": [{"paddr": \(h(state.paddr)), "sizeBits": \(state.sizeBits), "isDevice": \((values["a.dev"] ?? 0) != 0)}],
                 "invocations": [
                  \(invocations.joined(separator: ",\n  "))],
                 "expected": {"object": \(h(step.paddr))}}
                """
            }
            state = apply(step, to: state)
        }
        return nil
    }
}
