import UntypedCore
import UntypedKit
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
        // Preferences over the query's own inputs (those it has), in order.
        let kinds = Dictionary(uniqueKeysWithValues: q.inputs.map { ($0.name, $0.isBool) })
        func word(_ name: String) -> BVTerm? { kinds[name] == false ? .named(name) : nil }
        func flag(_ name: String) -> BoolTerm? { kinds[name] == true ? .named(name) : nil }
        let lit = { (v: UInt64) in BVTerm.numeral(v, width: window.wordBits) }
        // (The untyped already lies where the window's kernel can put one: an assumption.)
        var preferences = ["a.live", "a.hold0", "a.hold1", "a.next"].compactMap { word($0)?.eq(lit(0)) }
            + ["r.count", "r.per"].compactMap { word($0)?.eq(lit(1)) }
            + [flag("r.phys")?.not, flag("r.has"), flag("a.dev")?.not].compactMap { $0 }
        // Small sizes: object and untyped, by halving an upper bound.
        for name in ["r.size", "a.size"] {
            guard let size = word(name) else { continue }
            for bound in [12, 20, 30, 40] as [UInt64] { preferences.append(size.ule(lit(bound))) }
        }
        for p in preferences {
            solver.push()
            do { try solver.load(smtlib2: declarations(of: q) + "(assert \(p.text))") } catch { solver.pop(); continue }
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
        CounterexampleTrace<C>(window: window, strategy: strategy, values: values).trace()?.json.rendered()
    }
}

/// A trace in the planner's format that reproduces an allocator counterexample on the kernel
/// model: the untyped, the strategy's own steps from a fresh untyped up to the object (run by
/// UntypedKit's `PlacementDriver`, as the planner runs them), and the address the strategy
/// promised (`expected`). `untyped replay` then shows where it really lands.
struct CounterexampleTrace<C: MachineWord> {
    let window: ProofWindow
    let strategy: StrategyUnderTest
    let values: [String: UInt64]

    func trace() -> Trace? {
        guard let paddr = values["a.paddr"], let size = values["a.size"], let objectBits = values["r.size"],
              let per = values["r.per"], (1...256).contains(per),
              let kernel = window.kernelWindow(offset: values["win.offset"]) else { return nil }
        let untyped = UntypedDescriptor(paddr: paddr, sizeBits: size, isDevice: values["a.dev"] == 1)
        guard case .success(let type) = kernel.resolveObjectType(values["r.phys"] == 1 ? "frame" : "untyped", sizeBits: objectBits, mcs: false)
        else { return nil }
        var driver = PlacementDriver<C>(window: kernel, mcs: false, untyped: untyped, cap: .boot(0), rule: strategy,
                                        maxDummiesPerRetype: Int(per), namePrefix: "")
        let target = values["r.has"] == 1 ? values["r.target"] : nil
        guard let placement = try? driver.place(type, userObjSize: objectBits, names: ["object"], target: target) else { return nil }
        return Trace(window: kernel, mcs: false, untypeds: [untyped], invocations: placement.invocations,
                     expected: ["object": placement.paddr])
    }
}
