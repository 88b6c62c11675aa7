internal import CZ3

/// A Z3 tactic (`Z3_tactic`), parsed from its SMT-LIB 2 combinator syntax.
public final class Tactic {
    public let context: Context
    let raw: Z3_tactic

    /// The tactic named `name` (`Z3_mk_tactic`), e.g. `"bit-blast"`.
    public init(_ name: String, context: Context) throws(Z3Error) {
        self.context = context
        guard let raw = Z3_mk_tactic(context.raw, name) else {
            throw context.lastError() ?? Z3Error(code: .invalidArgument, message: "unknown tactic \(name)")
        }
        self.raw = raw
        Z3_tactic_inc_ref(context.raw, raw)
    }

    private init(context: Context, raw: Z3_tactic) {
        self.context = context
        self.raw = raw
        Z3_tactic_inc_ref(context.raw, raw)
    }

    deinit { Z3_tactic_dec_ref(context.raw, raw) }

    /// `first` then `second` on every subgoal (`Z3_tactic_and_then`).
    public static func then(_ first: Tactic, _ second: Tactic) -> Tactic {
        Tactic(context: first.context, raw: first.context.checked(Z3_tactic_and_then(first.context.raw, first.raw, second.raw)))
    }

    /// The tactics in sequence: `(then t1 t2 ...)`.
    public static func sequence(_ names: [String], context: Context) throws(Z3Error) -> Tactic {
        var result = try Tactic(names[0], context: context)
        for name in names.dropFirst() { result = then(result, try Tactic(name, context: context)) }
        return result
    }

    /// This tactic, giving up after `milliseconds` (`Z3_tactic_try_for`).
    public func tryFor(milliseconds: UInt32) -> Tactic {
        Tactic(context: context, raw: context.checked(Z3_tactic_try_for(context.raw, raw, milliseconds)))
    }
}

extension Solver {
    /// A solver that runs `tactic` on its assertions at every check (`Z3_mk_solver_from_tactic`).
    public convenience init(context: Context, tactic: Tactic) {
        precondition(tactic.context === context, "Z3: tactic from a different context")
        self.init(context: context, raw: context.checked(Z3_mk_solver_from_tactic(context.raw, tactic.raw)))
    }
}
