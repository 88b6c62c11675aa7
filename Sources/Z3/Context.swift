internal import CZ3

/// A Z3 context (`Z3_context`), created with `Z3_mk_context_rc`.
///
/// Every term, sort, solver and model keeps its context alive. Z3 errors are
/// routed through a no-op handler and surface as `Z3Error`s or traps.
///
/// A context is not thread-safe: use one per thread (or task) and never use a
/// context from two threads at the same time. It is `@unchecked Sendable` only
/// so that it can be handed to another thread or held in a task-local; the only
/// call that may be made concurrently is `interrupt()`.
public final class Context: @unchecked Sendable {
    let raw: Z3_context

    /// Creates a context (`Z3_mk_config`, `Z3_set_param_value`, `Z3_mk_context_rc`).
    ///
    /// - Parameter timeoutMilliseconds: the `timeout` parameter, applied to
    ///   every solver check in this context; `nil` for none.
    public init(timeoutMilliseconds: UInt32? = nil) {
        let config = Z3_mk_config()!
        defer { Z3_del_config(config) }
        if let timeoutMilliseconds {
            Z3_set_param_value(config, "timeout", String(timeoutMilliseconds))
        }
        raw = Z3_mk_context_rc(config)
        // A handler that returns lets calls fail softly; we read the code afterwards.
        Z3_set_error_handler(raw) { _, _ in }
        Z3_set_ast_print_mode(raw, Z3_PRINT_SMTLIB2_COMPLIANT)
    }

    deinit { Z3_del_context(raw) }

    /// The Z3 library version, e.g. `"4.8.12.0"` (`Z3_get_full_version`).
    public static var version: String { String(cString: Z3_get_full_version()) }

    /// Interrupts a running solver check from another thread (`Z3_interrupt`).
    public func interrupt() { Z3_interrupt(raw) }

    // MARK: Sorts

    /// The sort of bit-vectors of `width` bits (`Z3_mk_bv_sort`).
    public func bitVectorSort(width: Int) -> Sort {
        precondition(width > 0, "bit-vector width must be positive")
        return Sort(self, checked(Z3_mk_bv_sort(raw, UInt32(width))))
    }

    /// The Boolean sort (`Z3_mk_bool_sort`).
    public var boolSort: Sort { Sort(self, checked(Z3_mk_bool_sort(raw))) }

    // MARK: Constants and variables

    /// The bit-vector numeral `value mod 2^width` (`Z3_mk_unsigned_int64`).
    public func bv(_ value: UInt64, width: Int) -> Expr {
        let sort = bitVectorSort(width: width)
        return withExtendedLifetime(sort) { expr(Z3_mk_unsigned_int64(raw, value, sort.raw)) }
    }

    /// `true` or `false` (`Z3_mk_true`, `Z3_mk_false`).
    public func bool(_ value: Bool) -> Expr { expr(value ? Z3_mk_true(raw) : Z3_mk_false(raw)) }

    /// The constant named `name` of sort `sort` (`Z3_mk_const`, `Z3_mk_string_symbol`).
    /// The same name and sort always give the same constant.
    public func constant(name: String, sort: Sort) -> Expr {
        withExtendedLifetime(sort) { expr(Z3_mk_const(raw, Z3_mk_string_symbol(raw, name), sort.raw)) }
    }

    /// A new constant of sort `sort` named `prefix!n`, with `n` counting up per context.
    ///
    /// Unlike `Z3_mk_fresh_const`, whose internal names print the same as a
    /// user-named constant `prefix!n`, this is an ordinary named constant
    /// (`constant(name:sort:)`), so printed text parses back to the same term.
    /// It is fresh as long as no other constant name of the form `prefix!n` is used.
    public func freshConstant(prefix: String, sort: Sort) -> Expr {
        defer { freshCount += 1 }
        return constant(name: "\(prefix)!\(freshCount)", sort: sort)
    }

    private var freshCount = 0

    /// The bit-vector variable `name` of `width` bits (`Z3_mk_const`).
    public func bvVar(name: String, width: Int) -> Expr {
        constant(name: name, sort: bitVectorSort(width: width))
    }

    /// The Boolean variable `name` (`Z3_mk_const`).
    public func boolVar(name: String) -> Expr { constant(name: name, sort: boolSort) }

    /// A fresh bit-vector variable (`freshConstant(prefix:sort:)`).
    public func freshBVVar(prefix: String, width: Int) -> Expr {
        freshConstant(prefix: prefix, sort: bitVectorSort(width: width))
    }

    /// A fresh Boolean variable (`freshConstant(prefix:sort:)`).
    public func freshBoolVar(prefix: String) -> Expr { freshConstant(prefix: prefix, sort: boolSort) }

    // MARK: N-ary connectives

    /// The conjunction of `operands`; `true` when empty (`Z3_mk_and`).
    public func and(_ operands: [Expr]) -> Expr {
        operands.isEmpty ? bool(true) : nary(operands, Z3_mk_and)
    }

    /// The disjunction of `operands`; `false` when empty (`Z3_mk_or`).
    public func or(_ operands: [Expr]) -> Expr {
        operands.isEmpty ? bool(false) : nary(operands, Z3_mk_or)
    }

    // MARK: Parsing

    /// Parses SMT-LIB 2 text and returns its assertions (`Z3_parse_smtlib2_string`).
    ///
    /// Constants declared in the text are the same terms as those made with
    /// `constant(name:sort:)` of the same name and sort. Definitions (`define-fun`)
    /// are expanded in the assertions and are not exported; to check a query that
    /// uses them, load the whole text into a solver with `Solver.load(smtlib2:)`.
    public func parseSMTLIB2(_ text: String) throws(Z3Error) -> [Expr] {
        let vector = Z3_parse_smtlib2_string(raw, text, 0, nil, nil, 0, nil, nil)
        if let error = lastError() { throw error }
        return ASTVector(self, vector!).elements
    }

    /// Copies `terms`, all of another context, into this one (`Z3_mk_ast_vector`,
    /// `Z3_ast_vector_push`, `Z3_ast_vector_translate`): one translation, so subterms they
    /// share are copied once. Far cheaper than parsing their text again. The source context
    /// is read (and its reference counts changed): nobody else may use it meanwhile.
    public func translate(_ terms: [Expr]) -> [Expr] {
        guard let source = terms.first?.context else { return [] }
        precondition(terms.allSatisfy { $0.context === source }, "Z3: terms from different contexts")
        precondition(source !== self, "Z3: translating a context into itself")
        let vector = ASTVector(source, Z3_mk_ast_vector(source.raw)!)
        for term in terms { Z3_ast_vector_push(source.raw, vector.raw, term.raw) }
        return withExtendedLifetime(terms) {
            ASTVector(self, checked(Z3_ast_vector_translate(source.raw, vector.raw, raw))).elements
        }
    }

    // MARK: Errors

    /// The error set by the last call, if any (`Z3_get_error_code`, `Z3_get_error_msg`).
    func lastError() -> Z3Error? {
        let code = Z3_get_error_code(raw)
        guard code != Z3_OK else { return nil }
        var message = String(cString: Z3_get_error_msg(raw, code))
        while message.last?.isWhitespace == true { message.removeLast() }
        return Z3Error(code: .init(code), message: message)
    }

    /// `result`, or a trap with Z3's message if the call that produced it failed.
    /// Only for calls that fail on misuse (mismatched sorts, bad indices).
    func checked<T>(_ result: T?, function: StaticString = #function) -> T {
        trapOnError(function: function)
        guard let result else { fatalError("Z3: \(function) returned null") }
        return result
    }

    /// Traps with Z3's message if the last call failed.
    func trapOnError(function: StaticString = #function) {
        if let error = lastError() { fatalError("Z3: \(function): \(error.message)") }
    }

    /// Wraps a freshly made term, trapping if the call failed.
    func expr(_ ast: Z3_ast?, function: StaticString = #function) -> Expr {
        Expr(self, checked(ast, function: function))
    }

    private func nary(
        _ operands: [Expr], _ make: (Z3_context?, UInt32, UnsafePointer<Z3_ast?>?) -> Z3_ast?,
        function: StaticString = #function
    ) -> Expr {
        for operand in operands { precondition(operand.context === self, "Z3: terms from different contexts") }
        let asts: [Z3_ast?] = operands.map(\.raw)
        return withExtendedLifetime(operands) { expr(make(raw, UInt32(asts.count), asts), function: function) }
    }
}
