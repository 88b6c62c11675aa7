/// The outcome of one proof obligation.
public enum ProofResult: Sendable {
    /// The solver found no input violating the obligation (its assumptions being satisfiable).
    case proved
    /// An input violating the obligation, replayed through the concrete core.
    case refuted(Counterexample)
    /// No verdict: solver timeout, unknown, vacuous assumptions, or an encoder disagreement.
    case unknown(String)

    public var name: String {
        switch self {
        case .proved: return "proved"
        case .refuted: return "refuted"
        case .unknown: return "unknown"
        }
    }
}

/// A concrete input on which an obligation fails, with the values that matter.
public struct Counterexample: Sendable {
    /// Named input values (hex), in a stable order.
    public var inputs: [(name: String, value: UInt64)]
    /// What went wrong, in words, from replaying the input through the concrete core.
    public var explanation: String
    /// The replay reproduced the violation on the concrete core and kernel model.
    public var reproduced: Bool
    /// A trace in the planner's format that `untyped replay` runs (JSON text), when one can be built.
    public var traceJSON: String?
}
