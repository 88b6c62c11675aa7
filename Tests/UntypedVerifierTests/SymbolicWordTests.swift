import Testing
import UntypedCore
import UntypedVerifier
import Z3

// Every `Word` operation is checked on both widths: the concrete result on
// UInt32/UInt64 must equal Z3's value of the symbolic term built from the same
// inputs, (1) from numerals (folded by Z3_simplify) and (2) from variables fixed
// by assertions, read from a model and refuted by the solver.

/// SplitMix64, for a reproducible sample.
private struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9e37_79b9_7f4a_7c15
        var z = state
        z = (z ^ (z >> 30)) &* 0xbf58_476d_1ce4_e5b9
        z = (z ^ (z >> 27)) &* 0x94d0_49bb_1331_11eb
        return z ^ (z >> 31)
    }
}

/// Input pairs for a `w`-bit word: edge values crossed with each other, every
/// shift amount 0...w+2 (and huge ones), and a seeded random sample.
private func inputPairs(width w: Int) -> [(UInt64, UInt64)] {
    let ones: UInt64 = w == 64 ? ~0 : (1 << UInt64(w)) - 1
    let wide: [UInt64] = [
        0, 1, 2, 3, UInt64(w - 1), UInt64(w), UInt64(w + 1), 1 << UInt64(w - 1), (1 << UInt64(w - 1)) - 1,
        ~0, ~0 - 1, 0x80_0000_0000, 0xffff_ff80_0000_0000, 0xfff, 0x1000, 1 << 32, (1 << 32) - 1,
        0xdead_beef_cafe_babe,
    ]
    var edges: [UInt64] = []
    for value in wide.map({ $0 & ones }) where !edges.contains(value) { edges.append(value) }

    var pairs = edges.flatMap { a in edges.map { b in (a, b) } }
    let amounts = Array(0...UInt64(w + 2)) + [ones, ones - 1, 1 << UInt64(w - 1), 0x1_0000_0000 & ones]
    for a: UInt64 in [1, ones, 0x1234_5678_9abc_def0 & ones, 1 << UInt64(w - 1)] {
        pairs += amounts.map { (a, $0) }
    }
    var random = SplitMix64(state: 0x5eed_0000 + UInt64(w))
    for i in 0..<400 {
        let a = random.next() & ones, b = random.next() & ones
        switch i % 4 {
        case 0: pairs.append((a, b))
        case 1: pairs.append((a, b % UInt64(w + 3)))  // small operand: shift and alignment amounts
        case 2: pairs.append((a >> (b % UInt64(w)), a))  // few significant bits
        default: pairs.append((a << (b % UInt64(w)) & ones, b >> (a % UInt64(w))))  // trailing zeros
        }
    }
    return pairs
}

/// Runs `body` with the concrete and symbolic types of `bits`.
private func withWidth(_ bits: SymbolicWordTests.Bits, _ body: (any ConcreteWord.Type, any SymbolicWidth.Type) throws -> Void) rethrows {
    switch bits {
    case .w32: try body(UInt32.self, SymbolicWidth32.self)
    case .w64: try body(UInt64.self, SymbolicWidth64.self)
    }
}

/// UInt32 or UInt64 as a `Word`.
private protocol ConcreteWord: Word, FixedWidthInteger, UnsignedInteger where Cond == Bool {}
extension UInt32: ConcreteWord {}
extension UInt64: ConcreteWord {}

/// The concrete result as a number or truth value.
private func concrete<C: ConcreteWord>(_ op: SymbolicWordTests.Op, _ a: UInt64, _ b: UInt64, as _: C.Type) -> Either {
    switch op.apply(C(truncatingIfNeeded: a), C(truncatingIfNeeded: b)) {
    case .word(let w): .number(UInt64(w))
    case .cond(let c): .truth(c)
    }
}

private enum Either: Equatable, CustomStringConvertible {
    case number(UInt64), truth(Bool), missing
    var description: String {
        switch self {
        case .number(let n): "0x" + String(n, radix: 16)
        case .truth(let t): "\(t)"
        case .missing: "not a constant"
        }
    }
}

/// The symbolic result's term.
private func term<W>(_ out: SymbolicWordTests.Out<SymbolicWord<W>>) -> Expr {
    switch out {
    case .word(let w): w.expr
    case .cond(let c): c.expr
    }
}

/// A constant term's value.
private func value(_ expr: Expr) -> Either {
    if let n = expr.uint64Value { return .number(n) }
    if let t = expr.boolValue { return .truth(t) }
    return .missing
}

extension SymbolicWordTests {
    /// The result of an operation: a word or a condition.
    enum Out<T: Word> {
        case word(T)
        case cond(T.Cond)
    }

    /// The operations under test, each written once against `Word` like the core.
    enum Op: String, CaseIterable, Sendable {
        case add, sub, and, or, xor, not, shiftedLeft, shiftedRight
        case eq, ult, ule, ne, ugt, uge
        case trailingZeros, leadingZeros, floorLog2, select, min, max
        case alignedUp, alignedDown, isAligned, mask, bit
        case condAnd, condOr, condNegated, condImplies, condSelect, condConstant

        func apply<T: Word>(_ a: T, _ b: T) -> Out<T> {
            switch self {
            case .add: .word(a &+ b)
            case .sub: .word(a &- b)
            case .and: .word(a & b)
            case .or: .word(a | b)
            case .xor: .word(a ^ b)
            case .not: .word(~a)
            case .shiftedLeft: .word(a.shiftedLeft(by: b))
            case .shiftedRight: .word(a.shiftedRight(by: b))
            case .eq: .cond(a.eq(b))
            case .ult: .cond(a.ult(b))
            case .ule: .cond(a.ule(b))
            case .ne: .cond(a.ne(b))
            case .ugt: .cond(a.ugt(b))
            case .uge: .cond(a.uge(b))
            case .trailingZeros: .word(a.trailingZeros)
            case .leadingZeros: .word(a.leadingZeros)
            case .floorLog2: .word(a.floorLog2)
            case .select: .word(T.select(a.ult(b), a &+ 1, b ^ 5))
            case .min: .word(T.min(a, b))
            case .max: .word(T.max(a, b))
            case .alignedUp: .word(a.alignedUp(b))
            case .alignedDown: .word(a.alignedDown(b))
            case .isAligned: .cond(a.isAligned(b))
            case .mask: .word(T.mask(a))
            case .bit: .word(T.bit(a))
            case .condAnd: .cond(a.ult(b).and(a.ne(0)))
            case .condOr: .cond(a.ult(b).or(b.eq(T.width)))
            case .condNegated: .cond(a.ule(b).negated)
            case .condImplies: .cond(a.ugt(1).implies(b.uge(a)))
            case .condSelect: .cond(T.Cond.select(a.eq(b), b.ult(T.width), a.ne(0)))
            case .condConstant: .cond(T.Cond.select(a.eq(b), .yes, .no))
            }
        }
    }

    /// A word width, for parameterised tests.
    enum Bits: Int, CaseIterable, Sendable {
        case w32 = 32, w64 = 64
    }
}

@Suite struct SymbolicWordTests {
    /// Numerals in, numerals out (Z3_simplify folding), equal to UInt32/UInt64.
    @Test(arguments: Bits.allCases, Op.allCases)
    func constantsAgreeWithConcrete(bits: Bits, op: Op) {
        withWidth(bits) { concreteType, width in check(concreteType, width) }

        func check<C: ConcreteWord, W: SymbolicWidth>(_: C.Type, _: W.Type) {
            let context = Context()
            withSymbolicContext(context) {
                for (a, b) in inputPairs(width: bits.rawValue) {
                    let x = SymbolicWord<W>(a, in: context), y = SymbolicWord<W>(b, in: context)
                    let symbolic = value(term(op.apply(x, y)))
                    let expected = concrete(op, a, b, as: C.self)
                    #expect(symbolic == expected, "\(op)(0x\(String(a, radix: 16)), 0x\(String(b, radix: 16)))")
                }
            }
        }
    }

    /// Terms over variables, fixed by `x == a`, `y == b`: the model's value equals the
    /// concrete result, and the solver refutes any other value.
    @Test(arguments: Bits.allCases, Op.allCases)
    func variablesAgreeWithConcrete(bits: Bits, op: Op) throws {
        try withWidth(bits) { concreteType, width in try check(concreteType, width) }

        func check<C: ConcreteWord, W: SymbolicWidth>(_: C.Type, _: W.Type) throws {
            let context = Context()
            let solver = Solver(context: context)
            let pairs = inputPairs(width: bits.rawValue)
            var cases: [(a: UInt64, b: UInt64, term: Expr, expected: Either)] = []
            withSymbolicContext(context) {
                for (i, (a, b)) in pairs.enumerated() {
                    let x = SymbolicWord<W>.variable("x\(i)"), y = SymbolicWord<W>.variable("y\(i)")
                    solver.assert(x.eq(SymbolicWord<W>(a, in: context)))
                    solver.assert(y.eq(SymbolicWord<W>(b, in: context)))
                    let t = term(op.apply(x, y))
                    if op != .condConstant { #expect(value(t) == .missing, "\(op) folded a term over variables") }
                    cases.append((a, b, t, concrete(op, a, b, as: C.self)))
                }
            }
            #expect(solver.check() == .sat)
            let model = try solver.model()
            for c in cases {
                #expect(value(model.eval(c.term)) == c.expected,
                        "\(op)(0x\(String(c.a, radix: 16)), 0x\(String(c.b, radix: 16)))")
            }
            // No assignment satisfying the fixing equations gives a different result.
            let wrong = cases.map { c -> Expr in
                switch c.expected {
                case .number(let n): c.term.eq(context.bv(n, width: bits.rawValue)).not()
                case .truth(let t): c.term.eq(context.bool(t)).not()
                case .missing: context.bool(true)
                }
            }
            solver.assert(context.or(wrong))
            #expect(solver.check() == .unsat)
        }
    }

    /// The balanced `trailingZeros`/`leadingZeros` equal the plain linear ite chains
    /// over single-bit tests, for every input.
    @Test(arguments: Bits.allCases)
    func zeroCountsEqualLinearChains(bits: Bits) {
        let w = bits.rawValue
        let context = Context()
        let x = context.bvVar(name: "x", width: w)
        func bitSet(_ i: Int) -> Expr { x.extract(high: i, low: i).eq(context.bv(1, width: 1)) }
        var trailing = context.bv(UInt64(w), width: w), leading = context.bv(UInt64(w), width: w)
        for i in (0..<w).reversed() {
            trailing = bitSet(i).ite(context.bv(UInt64(i), width: w), trailing)
            leading = bitSet(w - 1 - i).ite(context.bv(UInt64(i), width: w), leading)
        }
        let (tz, lz): (Expr, Expr) = withSymbolicContext(context) {
            switch bits {
            case .w32: let v = SymbolicWord32(x); return (v.trailingZeros.expr, v.leadingZeros.expr)
            case .w64: let v = SymbolicWord64(x); return (v.trailingZeros.expr, v.leadingZeros.expr)
            }
        }
        let solver = Solver(context: context)
        solver.assert(tz.eq(trailing).and(lz.eq(leading)).not())
        #expect(solver.check() == .unsat)
    }

    @Test func literalsUseTheCurrentContext() {
        let context = Context()
        withSymbolicContext(context) {
            let x: SymbolicWord64 = 42
            #expect(x.expr.context === context)
            #expect(x.constantValue == 42)
            #expect(SymbolicWord32.width.constantValue == 32)
            #expect(SymbolicBool.yes.constantValue == true)
            #expect(SymbolicContext.current === context)
        }
        #expect(SymbolicContext.current == nil)
    }

    @Test func nestedContextsShadow() {
        let outer = Context(), inner = Context()
        withSymbolicContext(outer) {
            withSymbolicContext(inner) { #expect((1 as SymbolicWord64).expr.context === inner) }
            #expect((1 as SymbolicWord64).expr.context === outer)
        }
    }

    @Test func constantConditionsPickWithoutBuilding() {
        let context = Context()
        withSymbolicContext(context) {
            let x = SymbolicWord64.variable("x"), y = SymbolicWord64.variable("y")
            #expect(SymbolicWord64.select(.yes, x, y).expr == x.expr)
            #expect(SymbolicWord64.select(.no, x, y).expr == y.expr)
            #expect(SymbolicWord64.select(x.eq(y), x, x).expr == x.expr)
            let c = x.ult(y)
            #expect(c.and(.yes).expr == c.expr)
            #expect(c.or(.no).expr == c.expr)
            #expect(c.and(.no).constantValue == false)
            #expect(c.or(.yes).constantValue == true)
            #expect(SymbolicBool.no.negated.constantValue == true)
        }
    }

    @Test func termsPrintAsSMTLIB() {
        let context = Context()
        withSymbolicContext(context) {
            let x = SymbolicWord64.variable("x")
            #expect((x &+ 1).description.hasPrefix("(bvadd x "))
            #expect(x.shiftedLeft(by: x).description == "(bvshl x x)")
            #expect(x.shiftedRight(by: x).description == "(bvlshr x x)")
            #expect(x.ult(x &- 1).description.hasPrefix("(bvult x "))
        }
    }

    @Test func modelsReadWords() throws {
        let context = Context()
        let solver = Solver(context: context)
        let (x, c) = withSymbolicContext(context) {
            let x = SymbolicWord32.variable("x")
            return (x, x.alignedUp(12).eq(0x3000).and(x.ugt(0x2000)))
        }
        solver.assert(c)
        #expect(solver.check() == .sat)
        let model = try solver.model()
        let v = try #require(model.value(of: x))
        #expect(v > 0x2000 && v <= 0x3000)
        #expect(model.value(of: c) == true)
    }

    @Test func literalOutsideAContextTraps() async {
        await #expect(processExitsWith: .failure) { _ = 1 as SymbolicWord64 }
    }

    @Test func oversizedLiteralTraps() async {
        await #expect(processExitsWith: .failure) {
            withSymbolicContext(Context()) { _ = 0x1_0000_0000 as SymbolicWord32 }
        }
    }
}
