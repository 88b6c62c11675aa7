import Z3

/// The Z3 context in which symbolic words are made when no operand supplies one:
/// integer literals, `Condition.constant`, `Word.width`, `variable(_:)`.
///
/// Operations on existing terms use their operands' context; only constants
/// made from nothing read `current`. Bind it with `withSymbolicContext(_:_:)`
/// (or, in async code, `SymbolicContext.$current.withValue(_:operation:)`).
/// Being task-local, it is inherited by child tasks: don't run them concurrently
/// on the same context.
public enum SymbolicContext {
    /// The context bound by the innermost enclosing `withSymbolicContext`.
    @TaskLocal public static var current: Context?

    /// `current`, trapping with a hint when none is bound.
    public static var required: Context {
        guard let current else {
            fatalError("no symbolic context: run symbolic code inside withSymbolicContext(_:_:)")
        }
        return current
    }
}

/// Runs `body` with `context` as `SymbolicContext.current`.
///
///     let context = Context()
///     let sum = withSymbolicContext(context) { SymbolicWord64.variable("x") &+ 1 }
public func withSymbolicContext<R, E: Error>(
    _ context: Context, _ body: () throws(E) -> R
) throws(E) -> R {
    let result = SymbolicContext.$current.withValue(context) { Result(catching: body) }
    return try result.get()
}
