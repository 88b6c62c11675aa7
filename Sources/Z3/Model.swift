internal import CZ3

/// A model (`Z3_model`): an assignment satisfying a solver's assertions.
public final class Model: CustomStringConvertible {
    /// The context the model belongs to.
    public let context: Context
    let raw: Z3_model

    init(_ context: Context, _ raw: Z3_model) {
        self.context = context
        self.raw = raw
        Z3_model_inc_ref(context.raw, raw)
    }

    deinit { Z3_model_dec_ref(context.raw, raw) }

    /// The value of `expr` in this model (`Z3_model_eval`).
    ///
    /// - Parameter completion: give constants the model doesn't mention a default
    ///   value, so that the result is a numeral or `true`/`false`.
    public func eval(_ expr: Expr, completion: Bool = true) -> Expr {
        precondition(expr.context === context, "Z3: term from a different context")
        var result: Z3_ast?
        let ok = Z3_model_eval(context.raw, raw, expr.raw, completion, &result)
        guard ok else { fatalError("Z3: Z3_model_eval failed: \(context.lastError()?.message ?? "")") }
        return context.expr(result)
    }

    /// The value of a bit-vector term of at most 64 bits, with completion.
    public func uint64(_ expr: Expr) -> UInt64? { eval(expr).uint64Value }

    /// The value of a Boolean term, with completion.
    public func bool(_ expr: Expr) -> Bool? { eval(expr).boolValue }

    /// The model in Z3's text format (`Z3_model_to_string`).
    public var description: String { String(cString: Z3_model_to_string(context.raw, raw)) }
}
