import UntypedCore
import Z3

/// One checked obligation.
public struct VerificationRecord: Sendable {
    public var window: String
    public var strategy: Strategy?
    public var obligation: Obligation
    public var result: ProofResult
    /// Solver seconds for the proof query and its vacuity check.
    public var seconds: Double
    public var query: ObligationQuery
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
    public func query(_ obligation: Obligation, window: ProofWindow, strategy: Strategy) throws(VerifierError) -> ObligationQuery {
        let specs = try library.specText(wordBits: window.wordBits)
        let context = Context()
        switch window.wordBits {
        case 64: return ObligationBuilder<SymbolicWord64>(window: window, strategy: strategy, specs: specs, context: context).build(obligation)
        case 32: return ObligationBuilder<SymbolicWord32>(window: window, strategy: strategy, specs: specs, context: context).build(obligation)
        default: throw .solver("word width \(window.wordBits) is not 32 or 64")
        }
    }

    /// Checks one obligation: vacuity first, then the proof; a counterexample is replayed
    /// through the concrete core before it is reported.
    public func verify(_ obligation: Obligation, window: ProofWindow, strategy: Strategy) throws(VerifierError) -> VerificationRecord {
        let q = try query(obligation, window: window, strategy: strategy)
        let start = now()
        let result = try check(q, window: window, strategy: strategy)
        return VerificationRecord(window: window.name, strategy: q.strategy, obligation: obligation,
                                  result: result, seconds: now() - start, query: q)
    }

    func check(_ q: ObligationQuery, window: ProofWindow, strategy: Strategy) throws(VerifierError) -> ProofResult {
        let context = Context(timeoutMilliseconds: timeoutMilliseconds)
        let vacuity = Solver(context: context)
        do { try vacuity.load(smtlib2: q.vacuity) } catch { throw .solver("Z3 rejected the vacuity query: \(error)") }
        switch vacuity.check() {
        case .unsat: return .unknown("vacuous: the assumptions and guard are unsatisfiable, so a proof would mean nothing")
        case .unknown(let reason): return .unknown("vacuity check: \(reason)")
        case .sat: break
        }
        let solver = Solver(context: context)
        do { try solver.load(smtlib2: q.proof) } catch { throw .solver("Z3 rejected the proof query: \(error)") }
        switch solver.check() {
        case .unsat: return .proved
        case .unknown(let reason): return .unknown(reason)
        case .sat:
            guard let model = try? solver.model() else { return .unknown("sat but Z3 gave no model") }
            let values = Self.values(of: q, in: model, width: window.wordBits)
            let cex = CounterexampleReplay.replay(q.obligation, window: window, strategy: strategy, values: values)
            return cex.reproduced ? .refuted(cex) : .unknown("encoder disagreement: the solver's counterexample does not reproduce on the concrete core (\(cex.explanation))")
        }
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
