internal import CZ3

/// The outcome of `Solver.check()` (`Z3_lbool`).
public enum CheckResult: Hashable, Sendable {
    /// The assertions have a model.
    case sat
    /// The assertions are contradictory.
    case unsat
    /// Z3 gave up; `reason` is `Z3_solver_get_reason_unknown` (e.g. `"timeout"`, `"canceled"`).
    case unknown(reason: String)
}

/// A Z3 solver (`Z3_solver`), made with `Z3_mk_solver`.
public final class Solver {
    /// The context the solver belongs to.
    public let context: Context
    let raw: Z3_solver

    /// A general-purpose solver (`Z3_mk_solver`).
    public convenience init(context: Context) {
        self.init(context: context, raw: context.checked(Z3_mk_solver(context.raw)))
    }

    /// Takes a reference to `raw` (`Z3_solver_inc_ref`).
    init(context: Context, raw: Z3_solver) {
        self.context = context
        self.raw = raw
        Z3_solver_inc_ref(context.raw, raw)
    }

    deinit { Z3_solver_dec_ref(context.raw, raw) }

    /// Adds a Boolean assertion (`Z3_solver_assert`).
    public func assert(_ expr: Expr) {
        precondition(expr.context === context, "Z3: term from a different context")
        Z3_solver_assert(context.raw, raw, expr.raw)
        context.trapOnError()
    }

    /// Adds the assertions of an SMT-LIB 2 script (`Z3_solver_from_string`).
    ///
    /// The text may declare constants, define functions (`define-fun`, expanded in
    /// place) and assert; commands such as `check-sat` are ignored. Constants are
    /// the same terms as those of the same name and sort made through the context.
    public func load(smtlib2 text: String) throws(Z3Error) {
        Z3_solver_from_string(context.raw, raw, text)
        if let error = context.lastError() { throw error }
    }

    /// Checks the assertions (`Z3_solver_check`).
    public func check() -> CheckResult {
        let result = Z3_solver_check(context.raw, raw)
        if let error = context.lastError() { return .unknown(reason: error.message) }
        switch result {
        case Z3_L_TRUE: return .sat
        case Z3_L_FALSE: return .unsat
        default: return .unknown(reason: reasonUnknown)
        }
    }

    /// Why the last check returned unknown (`Z3_solver_get_reason_unknown`).
    public var reasonUnknown: String { String(cString: Z3_solver_get_reason_unknown(context.raw, raw)) }

    /// The model of the last check, which must have been `.sat` (or `.unknown`)
    /// (`Z3_solver_get_model`).
    public func model() throws(Z3Error) -> Model {
        let model = Z3_solver_get_model(context.raw, raw)
        if let error = context.lastError() { throw error }
        return Model(context, model!)
    }

    /// Opens a backtracking scope (`Z3_solver_push`).
    public func push() { Z3_solver_push(context.raw, raw) }

    /// Removes the assertions of the last `count` scopes (`Z3_solver_pop`).
    public func pop(_ count: Int = 1) {
        precondition(count <= scopeCount, "Z3: pop below the base scope")
        Z3_solver_pop(context.raw, raw, UInt32(count))
    }

    /// Number of open scopes (`Z3_solver_get_num_scopes`).
    public var scopeCount: Int { Int(Z3_solver_get_num_scopes(context.raw, raw)) }

    /// Removes all assertions and scopes (`Z3_solver_reset`).
    public func reset() { Z3_solver_reset(context.raw, raw) }

    /// The current assertions (`Z3_solver_get_assertions`).
    public var assertions: [Expr] {
        ASTVector(context, context.checked(Z3_solver_get_assertions(context.raw, raw))).elements
    }

    /// A self-contained SMT-LIB 2 benchmark of the current assertions: `set-logic`,
    /// declarations, one `assert` per assertion and `check-sat`
    /// (`Z3_benchmark_to_smtlib_string`). It can be given to `z3` or `cvc5` as is.
    ///
    /// - Parameter logic: the `set-logic` to state.
    public func toSMTLIB2(logic: String = "QF_BV") -> String {
        let assertions = self.assertions
        let asts: [Z3_ast?] = assertions.map(\.raw)
        let truth = context.bool(true)
        return withExtendedLifetime((assertions, truth)) {
            String(cString: context.checked(Z3_benchmark_to_smtlib_string(
                context.raw, "", logic, "unknown", "", UInt32(asts.count), asts, truth.raw)))
        }
    }
}
