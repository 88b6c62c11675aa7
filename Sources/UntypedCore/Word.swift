// The word abstraction the whole core is written against.
//
// The allocator and the kernel model are generic over `Word`. Instantiated with
// `UInt32`/`UInt64` they run in root tasks (Embedded Swift) and in the hosted tools;
// instantiated with Z3 bit-vector terms (UntypedVerifier) the same code is executed
// symbolically and produces the proof obligations. Every operation therefore has
// SMT-LIB bit-vector semantics and is total:
//
//   &+ &-            bvadd bvsub (wrap mod 2^W)
//   & | ^ ~          bvand bvor bvxor bvnot
//   shiftedLeft      bvshl   (shift amount >= W gives 0)
//   shiftedRight     bvlshr  (shift amount >= W gives 0)
//   ult ule ...      bvult bvule ... (unsigned)
//   trailingZeros    number of trailing zero bits, W for 0
//   leadingZeros     number of leading zero bits, W for 0
//   select           ite
//
// Rules for code written against it: never branch (`if`, `while`, `?:`, `&&`) on a value
// that may be symbolic -- use `select`; loops have concrete bounds; no heap, no
// existentials, no Foundation, no traps.

/// A truth value that may be concrete (`Bool`) or symbolic (a Z3 Bool term).
public protocol Condition {
    /// A constant condition.
    static func constant(_ value: Bool) -> Self
    /// Conjunction (SMT-LIB `and`). Both sides are always evaluated.
    func and(_ other: Self) -> Self
    /// Disjunction (SMT-LIB `or`). Both sides are always evaluated.
    func or(_ other: Self) -> Self
    /// Negation (SMT-LIB `not`).
    var negated: Self { get }
    /// `c ? a : b` on conditions (SMT-LIB `ite`).
    static func select(_ c: Self, _ a: Self, _ b: Self) -> Self
}

/// A machine word of `bitWidth` bits with bit-vector semantics.
public protocol Word: ExpressibleByIntegerLiteral {
    associatedtype Cond: Condition

    /// W: 32 or 64, for concrete loop bounds.
    static var bitWidth: Int { get }
    /// W as a word value.
    static var width: Self { get }

    static func &+ (lhs: Self, rhs: Self) -> Self
    static func &- (lhs: Self, rhs: Self) -> Self
    static func & (lhs: Self, rhs: Self) -> Self
    static func | (lhs: Self, rhs: Self) -> Self
    static func ^ (lhs: Self, rhs: Self) -> Self
    static prefix func ~ (operand: Self) -> Self

    /// Logical shift left; a shift amount of `bitWidth` or more gives 0 (SMT-LIB `bvshl`).
    func shiftedLeft(by amount: Self) -> Self
    /// Logical shift right; a shift amount of `bitWidth` or more gives 0 (SMT-LIB `bvlshr`).
    func shiftedRight(by amount: Self) -> Self

    func eq(_ other: Self) -> Cond
    /// Unsigned less-than (SMT-LIB `bvult`).
    func ult(_ other: Self) -> Cond
    /// Unsigned less-or-equal (SMT-LIB `bvule`).
    func ule(_ other: Self) -> Cond

    /// Count of trailing zero bits; `bitWidth` for zero.
    var trailingZeros: Self { get }
    /// Count of leading zero bits; `bitWidth` for zero.
    var leadingZeros: Self { get }

    /// `c ? a : b` (SMT-LIB `ite`). Both arms are always evaluated.
    static func select(_ c: Cond, _ a: Self, _ b: Self) -> Self
}

// MARK: - Derived operations (one definition, used concretely and symbolically)

extension Word {
    @inline(__always) public func ne(_ other: Self) -> Cond { eq(other).negated }
    @inline(__always) public func ugt(_ other: Self) -> Cond { other.ult(self) }
    @inline(__always) public func uge(_ other: Self) -> Cond { other.ule(self) }

    /// `BIT(n)`: 1 << n, 0 when n >= W.
    @inline(__always) public static func bit(_ n: Self) -> Self { (1 as Self).shiftedLeft(by: n) }
    /// `MASK(n)`: BIT(n) - 1; all ones when n >= W.
    @inline(__always) public static func mask(_ n: Self) -> Self { bit(n) &- 1 }

    /// Rounds up to a multiple of 2^bits, wrapping mod 2^W (the kernel's `ROUND_UP`).
    @inline(__always) public func alignedUp(_ bits: Self) -> Self {
        (self &+ Self.mask(bits)) & ~Self.mask(bits)
    }
    /// Rounds down to a multiple of 2^bits.
    @inline(__always) public func alignedDown(_ bits: Self) -> Self { self & ~Self.mask(bits) }
    /// Whether the low `bits` bits are zero.
    @inline(__always) public func isAligned(_ bits: Self) -> Cond { (self & Self.mask(bits)).eq(0) }

    /// floor(log2(x)) for x != 0; all ones (i.e. -1) for x == 0.
    @inline(__always) public var floorLog2: Self { (Self.width &- 1) &- leadingZeros }

    @inline(__always) public static func min(_ a: Self, _ b: Self) -> Self { select(a.ule(b), a, b) }
    @inline(__always) public static func max(_ a: Self, _ b: Self) -> Self { select(a.ule(b), b, a) }
}

extension Condition {
    @inline(__always) public static var yes: Self { constant(true) }
    @inline(__always) public static var no: Self { constant(false) }
    /// `self → other`.
    @inline(__always) public func implies(_ other: Self) -> Self { negated.or(other) }
}
