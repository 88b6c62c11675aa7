internal import CZ3

/// A Z3 term (`Z3_ast`): a bit-vector or Boolean expression.
///
/// Holds a reference (`Z3_inc_ref`/`Z3_dec_ref`) and its context. Operations are
/// named after the SMT-LIB function they build and trap if the operands' sorts
/// don't fit (a programming error).
public final class Expr: Hashable, CustomStringConvertible {
    /// The context the term belongs to.
    public let context: Context
    let raw: Z3_ast

    /// Takes a reference to `raw` (`Z3_inc_ref`).
    init(_ context: Context, _ raw: Z3_ast) {
        self.context = context
        self.raw = raw
        Z3_inc_ref(context.raw, raw)
    }

    deinit { Z3_dec_ref(context.raw, raw) }

    // MARK: Inspection

    /// The term's sort (`Z3_get_sort`).
    public var sort: Sort { Sort(context, context.checked(Z3_get_sort(context.raw, raw))) }

    /// Whether the term is Boolean.
    public var isBool: Bool { sort.isBool }

    /// The width of a bit-vector term, `nil` otherwise.
    public var bitWidth: Int? { sort.bitWidth }

    /// The value of a numeral that fits in 64 bits, else `nil`
    /// (`Z3_is_numeral_ast`, `Z3_get_numeral_uint64`).
    public var uint64Value: UInt64? {
        guard Z3_is_numeral_ast(context.raw, raw) else { return nil }
        var value: UInt64 = 0
        guard Z3_get_numeral_uint64(context.raw, raw, &value) else { return nil }
        return value
    }

    /// `true` or `false` for those constants, else `nil` (`Z3_get_bool_value`).
    public var boolValue: Bool? {
        switch Z3_get_bool_value(context.raw, raw) {
        case Z3_L_TRUE: true
        case Z3_L_FALSE: false
        default: nil
        }
    }

    /// SMT-LIB 2 text of the term (`Z3_ast_to_string`).
    public var sexpr: String { String(cString: Z3_ast_to_string(context.raw, raw)) }

    public var description: String { sexpr }

    /// An equivalent, simplified term; constant operands fold to a numeral (`Z3_simplify`).
    public func simplify() -> Expr { context.expr(Z3_simplify(context.raw, raw)) }

    /// The same term (Z3 terms are hash-consed) (`Z3_is_eq_ast`).
    public static func == (lhs: Expr, rhs: Expr) -> Bool {
        lhs.context === rhs.context && Z3_is_eq_ast(lhs.context.raw, lhs.raw, rhs.raw)
    }

    public func hash(into hasher: inout Hasher) { hasher.combine(Z3_get_ast_hash(context.raw, raw)) }

    // MARK: Bit-vector arithmetic and logic

    /// `(bvadd self other)` (`Z3_mk_bvadd`).
    public func bvadd(_ other: Expr) -> Expr { binary(other, Z3_mk_bvadd) }
    /// `(bvsub self other)` (`Z3_mk_bvsub`).
    public func bvsub(_ other: Expr) -> Expr { binary(other, Z3_mk_bvsub) }
    /// `(bvmul self other)` (`Z3_mk_bvmul`).
    public func bvmul(_ other: Expr) -> Expr { binary(other, Z3_mk_bvmul) }
    /// `(bvudiv self other)`; all ones when `other` is 0 (`Z3_mk_bvudiv`).
    public func bvudiv(_ other: Expr) -> Expr { binary(other, Z3_mk_bvudiv) }
    /// `(bvurem self other)`; `self` when `other` is 0 (`Z3_mk_bvurem`).
    public func bvurem(_ other: Expr) -> Expr { binary(other, Z3_mk_bvurem) }
    /// `(bvneg self)` (`Z3_mk_bvneg`).
    public func bvneg() -> Expr { context.expr(Z3_mk_bvneg(context.raw, raw)) }
    /// `(bvand self other)` (`Z3_mk_bvand`).
    public func bvand(_ other: Expr) -> Expr { binary(other, Z3_mk_bvand) }
    /// `(bvor self other)` (`Z3_mk_bvor`).
    public func bvor(_ other: Expr) -> Expr { binary(other, Z3_mk_bvor) }
    /// `(bvxor self other)` (`Z3_mk_bvxor`).
    public func bvxor(_ other: Expr) -> Expr { binary(other, Z3_mk_bvxor) }
    /// `(bvnot self)` (`Z3_mk_bvnot`).
    public func bvnot() -> Expr { context.expr(Z3_mk_bvnot(context.raw, raw)) }
    /// `(bvshl self amount)`: 0 when `amount` >= width (`Z3_mk_bvshl`).
    public func bvshl(_ amount: Expr) -> Expr { binary(amount, Z3_mk_bvshl) }
    /// `(bvlshr self amount)`: 0 when `amount` >= width (`Z3_mk_bvlshr`).
    public func bvlshr(_ amount: Expr) -> Expr { binary(amount, Z3_mk_bvlshr) }
    /// `(bvashr self amount)`: arithmetic shift right (`Z3_mk_bvashr`).
    public func bvashr(_ amount: Expr) -> Expr { binary(amount, Z3_mk_bvashr) }

    // MARK: Bit-vector comparisons

    /// `(bvult self other)`, unsigned (`Z3_mk_bvult`).
    public func bvult(_ other: Expr) -> Expr { binary(other, Z3_mk_bvult) }
    /// `(bvule self other)`, unsigned (`Z3_mk_bvule`).
    public func bvule(_ other: Expr) -> Expr { binary(other, Z3_mk_bvule) }
    /// `(bvslt self other)`, signed (`Z3_mk_bvslt`).
    public func bvslt(_ other: Expr) -> Expr { binary(other, Z3_mk_bvslt) }
    /// `(bvsle self other)`, signed (`Z3_mk_bvsle`).
    public func bvsle(_ other: Expr) -> Expr { binary(other, Z3_mk_bvsle) }

    // MARK: Bit-vector structure

    /// `((_ extract high low) self)`: bits `high` down to `low`, inclusive (`Z3_mk_extract`).
    public func extract(high: Int, low: Int) -> Expr {
        precondition(0 <= low && low <= high, "Z3: extract needs 0 <= low <= high")
        return context.expr(Z3_mk_extract(context.raw, UInt32(high), UInt32(low), raw))
    }
    /// `((_ zero_extend bits) self)`: `bits` more zero bits on top (`Z3_mk_zero_ext`).
    public func zeroExtend(_ bits: Int) -> Expr {
        precondition(bits >= 0, "Z3: negative extension")
        return context.expr(Z3_mk_zero_ext(context.raw, UInt32(bits), raw))
    }
    /// `((_ sign_extend bits) self)` (`Z3_mk_sign_ext`).
    public func signExtend(_ bits: Int) -> Expr {
        precondition(bits >= 0, "Z3: negative extension")
        return context.expr(Z3_mk_sign_ext(context.raw, UInt32(bits), raw))
    }
    /// `(concat self low)`: `self` in the high bits (`Z3_mk_concat`).
    public func concat(_ low: Expr) -> Expr { binary(low, Z3_mk_concat) }

    // MARK: Core (any sort)

    /// `(= self other)` (`Z3_mk_eq`).
    public func eq(_ other: Expr) -> Expr { binary(other, Z3_mk_eq) }
    /// `(ite self then else)`, `self` Boolean (`Z3_mk_ite`).
    public func ite(_ then: Expr, _ else: Expr) -> Expr {
        sameContext(then); sameContext(`else`)
        return context.expr(Z3_mk_ite(context.raw, raw, then.raw, `else`.raw))
    }

    // MARK: Boolean connectives

    /// `(and self other)` (`Z3_mk_and`); see `Context.and(_:)` for n operands.
    public func and(_ other: Expr) -> Expr { context.and([self, other]) }
    /// `(or self other)` (`Z3_mk_or`); see `Context.or(_:)` for n operands.
    public func or(_ other: Expr) -> Expr { context.or([self, other]) }
    /// `(not self)` (`Z3_mk_not`).
    public func not() -> Expr { context.expr(Z3_mk_not(context.raw, raw)) }
    /// `(=> self other)` (`Z3_mk_implies`).
    public func implies(_ other: Expr) -> Expr { binary(other, Z3_mk_implies) }
    /// `(xor self other)` on Booleans (`Z3_mk_xor`).
    public func xor(_ other: Expr) -> Expr { binary(other, Z3_mk_xor) }

    // MARK: Helpers

    private func sameContext(_ other: Expr) {
        precondition(other.context === context, "Z3: terms from different contexts")
    }

    private func binary(
        _ other: Expr, _ make: (Z3_context?, Z3_ast?, Z3_ast?) -> Z3_ast?, function: StaticString = #function
    ) -> Expr {
        sameContext(other)
        return context.expr(make(context.raw, raw, other.raw), function: function)
    }
}
