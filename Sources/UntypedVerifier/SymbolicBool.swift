import UntypedCore
import Z3

/// A Z3 Boolean term as a core `Condition`.
///
/// Connectives with a constant operand fold (`true.and(c)` is `c`, ...), so code
/// that runs on concrete values builds no terms for them.
public struct SymbolicBool: Condition, CustomStringConvertible {
    /// The Boolean term.
    public let expr: Expr

    /// Wraps a Boolean term.
    public init(_ expr: Expr) {
        precondition(expr.isBool, "SymbolicBool needs a Boolean term, got \(expr.sort)")
        self.expr = expr
    }

    init(unchecked expr: Expr) { self.expr = expr }

    /// The Boolean variable `name` in `context` (`Context.boolVar(name:)`).
    public static func variable(_ name: String, in context: Context = SymbolicContext.required) -> Self {
        Self(unchecked: context.boolVar(name: name))
    }

    /// `true` or `false` in `context`.
    public static func constant(_ value: Bool, in context: Context) -> Self {
        Self(unchecked: context.bool(value))
    }

    /// `true` or `false` in `SymbolicContext.current`.
    public static func constant(_ value: Bool) -> Self { constant(value, in: SymbolicContext.required) }

    /// The value if the term is `true` or `false`, else `nil`.
    public var constantValue: Bool? { expr.boolValue }

    public func and(_ other: Self) -> Self {
        if let value = constantValue { return value ? other : self }
        if let value = other.constantValue { return value ? self : other }
        return Self(unchecked: expr.and(other.expr))
    }

    public func or(_ other: Self) -> Self {
        if let value = constantValue { return value ? self : other }
        if let value = other.constantValue { return value ? other : self }
        return Self(unchecked: expr.or(other.expr))
    }

    public var negated: Self {
        if let value = constantValue { return .constant(!value, in: expr.context) }
        return Self(unchecked: expr.not())
    }

    public static func select(_ c: Self, _ a: Self, _ b: Self) -> Self {
        if let value = c.constantValue { return value ? a : b }
        if a.expr == b.expr { return a }
        return Self(unchecked: c.expr.ite(a.expr, b.expr))
    }

    public var description: String { expr.sexpr }
}

extension Solver {
    /// Asserts a symbolic condition (`Z3_solver_assert`).
    public func assert(_ condition: SymbolicBool) { self.assert(condition.expr) }
}

extension Model {
    /// The value of `condition` in this model, with completion.
    public func value(of condition: SymbolicBool) -> Bool? { bool(condition.expr) }
}
