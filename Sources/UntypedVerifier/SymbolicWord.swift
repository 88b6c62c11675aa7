import UntypedCore
import Z3

/// A phantom type fixing the width of a `SymbolicWord`.
public protocol SymbolicWidth {
    /// The number of bits.
    static var bitWidth: Int { get }
}

/// 32-bit words.
public enum SymbolicWidth32: SymbolicWidth { public static var bitWidth: Int { 32 } }
/// 64-bit words.
public enum SymbolicWidth64: SymbolicWidth { public static var bitWidth: Int { 64 } }

/// A symbolic 32-bit word, the counterpart of `UInt32`.
public typealias SymbolicWord32 = SymbolicWord<SymbolicWidth32>
/// A symbolic 64-bit word, the counterpart of `UInt64`.
public typealias SymbolicWord64 = SymbolicWord<SymbolicWidth64>

/// A Z3 bit-vector term of `Width.bitWidth` bits as a core `Word`.
///
/// Every operation builds the SMT-LIB term the `Word` contract names (`bvadd`,
/// `bvshl`, `bvult`, `ite`, ...). When all operands are numerals the term is
/// folded with `Z3_simplify`, so concrete parts of a computation stay numerals
/// and are still computed with Z3's semantics. Literals and `width` are made in
/// `SymbolicContext.current`; operations use their operands' context.
public struct SymbolicWord<Width: SymbolicWidth>: Word, CustomStringConvertible {
    public typealias Cond = SymbolicBool

    /// The bit-vector term.
    public let expr: Expr

    /// Wraps a bit-vector term of `Width.bitWidth` bits.
    public init(_ expr: Expr) {
        precondition(expr.bitWidth == Width.bitWidth, "SymbolicWord<\(Width.bitWidth)> needs a (_ BitVec \(Width.bitWidth)), got \(expr.sort)")
        self.expr = expr
    }

    init(unchecked expr: Expr) { self.expr = expr }

    /// The numeral `value` in `context`; `value` must fit in `bitWidth` bits.
    public init(_ value: UInt64, in context: Context) {
        precondition(Width.bitWidth >= 64 || value >> UInt64(Width.bitWidth) == 0,
                     "\(value) does not fit in \(Width.bitWidth) bits")
        expr = context.bv(value, width: Width.bitWidth)
    }

    /// The numeral `value` in `SymbolicContext.current`.
    public init(integerLiteral value: UInt64) { self.init(value, in: SymbolicContext.required) }

    /// The bit-vector variable `name` (`Context.bvVar(name:width:)`).
    public static func variable(_ name: String, in context: Context = SymbolicContext.required) -> Self {
        Self(unchecked: context.bvVar(name: name, width: Width.bitWidth))
    }

    /// The value if the term is a numeral, else `nil`.
    public var constantValue: UInt64? { expr.uint64Value }

    public var description: String { expr.sexpr }

    // MARK: Word

    public static var bitWidth: Int { Width.bitWidth }
    public static var width: Self { Self(UInt64(Width.bitWidth), in: SymbolicContext.required) }

    public static func &+ (lhs: Self, rhs: Self) -> Self { lhs.apply(rhs) { $0.bvadd($1) } }
    public static func &- (lhs: Self, rhs: Self) -> Self { lhs.apply(rhs) { $0.bvsub($1) } }
    public static func & (lhs: Self, rhs: Self) -> Self { lhs.apply(rhs) { $0.bvand($1) } }
    public static func | (lhs: Self, rhs: Self) -> Self { lhs.apply(rhs) { $0.bvor($1) } }
    public static func ^ (lhs: Self, rhs: Self) -> Self { lhs.apply(rhs) { $0.bvxor($1) } }
    public static prefix func ~ (operand: Self) -> Self { Self(folding: operand.expr.bvnot(), operand) }

    public func shiftedLeft(by amount: Self) -> Self { apply(amount) { $0.bvshl($1) } }
    public func shiftedRight(by amount: Self) -> Self { apply(amount) { $0.bvlshr($1) } }

    public func eq(_ other: Self) -> SymbolicBool { compare(other) { $0.eq($1) } }
    public func ult(_ other: Self) -> SymbolicBool { compare(other) { $0.bvult($1) } }
    public func ule(_ other: Self) -> SymbolicBool { compare(other) { $0.bvule($1) } }

    /// Binary search from the bottom: at step `s` (W/2, ..., 1) test whether the low
    /// `s` bits are zero, record the answer as bit log2(s) of the count and drop them
    /// if so. A nonzero word ends with bit 0 set; zero gives W.
    public var trailingZeros: Self {
        countZeros { x, s in
            let isZero = x.extract(high: s - 1, low: 0).eq(x.context.bv(0, width: s))
            return (isZero, x.extract(high: Self.bitWidth - 1, low: s).zeroExtend(s))
        }
    }

    /// Binary search from the top, as `trailingZeros`.
    public var leadingZeros: Self {
        countZeros { x, s in
            let isZero = x.extract(high: Self.bitWidth - 1, low: Self.bitWidth - s).eq(x.context.bv(0, width: s))
            return (isZero, x.extract(high: Self.bitWidth - s - 1, low: 0).concat(x.context.bv(0, width: s)))
        }
    }

    public static func select(_ c: SymbolicBool, _ a: Self, _ b: Self) -> Self {
        if let value = c.constantValue { return value ? a : b }
        if a.expr == b.expr { return a }
        return Self(unchecked: c.expr.ite(a.expr, b.expr))
    }

    // MARK: Building

    /// `term`, simplified to a numeral when all `operands` are numerals.
    private init(folding term: Expr, _ operands: Self...) {
        let constant = operands.allSatisfy { $0.constantValue != nil }
        self.init(unchecked: constant ? term.simplify() : term)
    }

    private func apply(_ other: Self, _ make: (Expr, Expr) -> Expr) -> Self {
        Self(folding: make(expr, other.expr), self, other)
    }

    private func compare(_ other: Self, _ make: (Expr, Expr) -> Expr) -> SymbolicBool {
        let term = make(expr, other.expr)
        let constant = constantValue != nil && other.constantValue != nil
        return SymbolicBool(unchecked: constant ? term.simplify() : term)
    }

    /// The zero count shared by `trailingZeros` and `leadingZeros`. `step(x, s)` says
    /// whether the `s` bits at the counted end of `x` are zero and gives `x` with
    /// them shifted out.
    private func countZeros(_ step: (Expr, Int) -> (isZero: Expr, shifted: Expr)) -> Self {
        let context = expr.context
        let one = context.bv(1, width: 1), zero = context.bv(0, width: 1)
        var x = expr
        var countBits: [Expr] = []  // most significant first
        var s = Self.bitWidth / 2
        while s >= 1 {
            let (isZero, shifted) = step(x, s)
            countBits.append(isZero.ite(one, zero))
            x = isZero.ite(shifted, x)
            s /= 2
        }
        let count = countBits.dropFirst().reduce(countBits[0]) { $0.concat($1) }
        let wide = count.zeroExtend(Self.bitWidth - countBits.count)
        let w = context.bv(UInt64(Self.bitWidth), width: Self.bitWidth)
        return Self(folding: expr.eq(context.bv(0, width: Self.bitWidth)).ite(w, wide), self)
    }
}

extension Model {
    /// The value of `word` in this model, with completion.
    public func value<Width>(of word: SymbolicWord<Width>) -> UInt64? { uint64(word.expr) }
}
