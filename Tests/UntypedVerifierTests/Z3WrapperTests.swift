import Foundation
import Testing
import Z3

@Suite struct Z3WrapperTests {
    @Test func version() {
        #expect(Context.version.hasPrefix("4."))
    }

    @Test func sorts() {
        let context = Context()
        let bv64 = context.bitVectorSort(width: 64)
        #expect(bv64.bitWidth == 64)
        #expect(!bv64.isBool)
        #expect(bv64.description == "(_ BitVec 64)")
        #expect(bv64 == context.bitVectorSort(width: 64))
        #expect(bv64 != context.bitVectorSort(width: 32))
        #expect(context.boolSort.isBool)
        #expect(context.boolSort.bitWidth == nil)
    }

    /// Many terms, sorts, solvers, models and contexts made and dropped in any order.
    @Test func referenceCounting() throws {
        for round in 0..<20 {
            let context = Context()
            let x = context.bvVar(name: "x", width: 64)
            var chain = x
            var kept: [Expr] = []
            for i in 0..<5_000 {
                let term = x.bvadd(context.bv(UInt64(i), width: 64)).bvxor(context.freshBVVar(prefix: "t", width: 64))
                if i % 100 == 0 { kept.append(term) }
                if i < 200 { chain = chain.bvxor(x).bvadd(context.bv(UInt64(i), width: 64)) }
                _ = term.sort.bitWidth
            }
            let solver = Solver(context: context)
            solver.assert(x.eq(context.bv(UInt64(round), width: 64)))
            #expect(solver.check() == .sat)
            let model = try solver.model()
            kept.removeAll()
            #expect(model.uint64(chain) != nil)
        }
        // A term and a model outliving every other handle to their context and solver.
        let orphan = { () -> Expr in let c = Context(); return c.bv(7, width: 8).bvadd(c.bv(1, width: 8)) }()
        #expect(orphan.simplify().uint64Value == 8)
        let model = try { () throws(Z3Error) -> Model in
            let c = Context(), s = Solver(context: c)
            s.assert(c.boolVar(name: "p"))
            _ = s.check()
            return try s.model()
        }()
        #expect(model.bool(model.context.boolVar(name: "p")) == true)
    }

    @Test func numeralsAndBooleans() {
        let context = Context()
        #expect(context.bv(0xdead_beef_cafe_babe, width: 64).uint64Value == 0xdead_beef_cafe_babe)
        #expect(context.bv(0x1ff, width: 8).uint64Value == 0xff)
        #expect(context.bvVar(name: "x", width: 8).uint64Value == nil)
        #expect(context.bool(true).boolValue == true)
        #expect(context.bool(false).boolValue == false)
        #expect(context.boolVar(name: "p").boolValue == nil)
        #expect(context.bvVar(name: "x", width: 8) == context.bvVar(name: "x", width: 8))
        #expect(context.freshBVVar(prefix: "x", width: 8) != context.freshBVVar(prefix: "x", width: 8))
    }

    @Test func operationsSimplify() {
        let c = Context()
        func bv(_ v: UInt64, _ w: Int = 64) -> Expr { c.bv(v, width: w) }
        #expect(bv(~0).bvadd(bv(2)).simplify().uint64Value == 1)
        #expect(bv(1).bvsub(bv(2)).simplify().uint64Value == ~0)
        #expect(bv(6).bvmul(bv(7)).simplify().uint64Value == 42)
        #expect(bv(1).bvshl(bv(64)).simplify().uint64Value == 0)
        #expect(bv(1 << 63).bvlshr(bv(63)).simplify().uint64Value == 1)
        #expect(bv(1 << 63).bvashr(bv(63)).simplify().uint64Value == ~0)
        #expect(bv(0xf0).bvand(bv(0x3c)).bvor(bv(1)).bvxor(bv(0x100)).simplify().uint64Value == 0x131)
        #expect(bv(0).bvnot().simplify().uint64Value == ~0)
        #expect(bv(0x1234).extract(high: 11, low: 4).simplify().uint64Value == 0x23)
        #expect(bv(0xab, 8).zeroExtend(8).simplify().bitWidth == 16)
        #expect(bv(0xab, 8).concat(bv(0xcd, 8)).simplify().uint64Value == 0xabcd)
        #expect(bv(3).bvult(bv(~0)).simplify().boolValue == true)
        #expect(bv(3).bvule(bv(3)).simplify().boolValue == true)
        #expect(bv(3).eq(bv(4)).simplify().boolValue == false)
        #expect(bv(3).bvult(bv(4)).ite(bv(10), bv(20)).simplify().uint64Value == 10)
        let p = c.boolVar(name: "p")
        #expect(p.and(p.not()).simplify().boolValue == false)
        #expect(p.or(p.not()).simplify().boolValue == true)
        #expect(p.implies(p).simplify().boolValue == true)
        #expect(c.and([]).boolValue == true)
        #expect(c.or([]).boolValue == false)
    }

    @Test func sexprIsSMTLIB() {
        let c = Context()
        let x = c.bvVar(name: "x", width: 64)
        #expect(x.bvadd(x).sexpr == "(bvadd x x)")
        #expect(x.bvult(x).not().sexpr == "(not (bvult x x))")
    }

    @Test func parseErrorThrows() {
        let context = Context()
        let error = #expect(throws: Z3Error.self) { try context.parseSMTLIB2("(assert (= x #x01))") }
        #expect(error?.code == .parserError)
        #expect(error?.message.contains("unknown constant x") == true)
        #expect(throws: Z3Error.self) { try context.parseSMTLIB2("(assert (bvadd") }
        // The context is still usable.
        #expect(context.bv(1, width: 8).bvadd(context.bv(1, width: 8)).simplify().uint64Value == 2)
    }

    @Test func parseGivesAssertionsOverSharedConstants() throws {
        let context = Context()
        let assertions = try context.parseSMTLIB2("""
            (declare-const x (_ BitVec 64))
            (define-fun inc ((a (_ BitVec 64))) (_ BitVec 64) (bvadd a #x0000000000000001))
            (assert (= (inc x) #x0000000000000000))
            (assert (bvult x #xffffffffffffffff))
            """)
        #expect(assertions.count == 2)
        try expectMaxWordThenNone(assertions, in: context)
    }

    /// `assertions` say x + 1 = 0 (sat, only for x = 2^64 - 1), then x < 2^64 - 1 (unsat).
    private func expectMaxWordThenNone(_ assertions: [Expr], in context: Context) throws {
        let solver = Solver(context: context)
        solver.assert(assertions[0])
        #expect(solver.check() == .sat)
        #expect(try solver.model().uint64(context.bvVar(name: "x", width: 64)) == ~0)
        solver.assert(assertions[1])
        #expect(solver.check() == .unsat)
    }

    /// Terms copied into another context are the same terms there: same text, same answers,
    /// and they outlive the context they came from.
    @Test func translateCopiesTermsIntoAnotherContext() throws {
        let target = Context()
        let copies: [Expr]
        do {
            let source = Context()
            let assertions = try source.parseSMTLIB2("""
                (declare-const x (_ BitVec 64))
                (assert (= (bvadd x #x0000000000000001) #x0000000000000000))
                (assert (bvult x #xffffffffffffffff))
                """)
            copies = target.translate(assertions)
            #expect(copies.map(\.description) == assertions.map(\.description))
        }
        // The source context and its terms are gone; the copies live on in `target`.
        #expect(copies.count == 2 && copies.allSatisfy { $0.context === target })
        #expect(target.translate([]).isEmpty)
        try expectMaxWordThenNone(copies, in: target)
    }

    @Test func loadAndCheck() throws {
        let context = Context()
        let spec = """
            (define-fun aligned ((a (_ BitVec 64)) (bits (_ BitVec 64))) Bool
              (= (bvand a (bvsub (bvshl #x0000000000000001 bits) #x0000000000000001)) #x0000000000000000))
            (declare-const p (_ BitVec 64))
            """
        let sat = Solver(context: context)
        try sat.load(smtlib2: spec + "(assert (aligned p #x000000000000000c)) (assert (bvugt p #x0000000000000000)) (check-sat)")
        #expect(sat.check() == .sat)
        let p = try sat.model().uint64(context.bvVar(name: "p", width: 64))
        #expect(p.map { $0 != 0 && $0 % 4096 == 0 } == true)

        let unsat = Solver(context: context)
        try unsat.load(smtlib2: spec + "(assert (aligned p #x000000000000000c)) (assert (= ((_ extract 0 0) p) #b1))")
        #expect(unsat.check() == .unsat)

        #expect(throws: Z3Error.self) { try Solver(context: context).load(smtlib2: "(assert (aligned q))") }
    }

    @Test func pushPopAndAssertions() {
        let c = Context()
        let solver = Solver(context: c)
        let x = c.bvVar(name: "x", width: 32)
        solver.assert(x.bvult(c.bv(10, width: 32)))
        solver.push()
        #expect(solver.scopeCount == 1)
        solver.assert(x.eq(c.bv(10, width: 32)))
        #expect(solver.assertions.count == 2)
        #expect(solver.check() == .unsat)
        solver.pop()
        #expect(solver.scopeCount == 0)
        #expect(solver.assertions.count == 1)
        #expect(solver.check() == .sat)
        solver.reset()
        #expect(solver.assertions.isEmpty)
    }

    @Test func modelBeforeCheckThrows() {
        let solver = Solver(context: Context())
        #expect(throws: Z3Error.self) { try solver.model() }
    }

    @Test func modelEvaluation() throws {
        let c = Context()
        let solver = Solver(context: c)
        let x = c.bvVar(name: "x", width: 16), y = c.bvVar(name: "y", width: 16)
        solver.assert(x.eq(c.bv(0x1234, width: 16)))
        #expect(solver.check() == .sat)
        let model = try solver.model()
        #expect(model.uint64(x.bvadd(c.bv(1, width: 16))) == 0x1235)
        #expect(model.eval(y, completion: false).uint64Value == nil)
        #expect(model.uint64(y) != nil)
        #expect(model.bool(x.eq(y)) != nil)
        #expect(model.description.contains("x"))
    }

    /// 128-bit factoring cannot finish in a millisecond.
    @Test func timeoutGivesUnknown() {
        let c = Context(timeoutMilliseconds: 1)
        let solver = Solver(context: c)
        let x = c.bvVar(name: "x", width: 64).zeroExtend(64), y = c.bvVar(name: "y", width: 64).zeroExtend(64)
        let one = c.bv(1, width: 128)
        solver.assert(x.bvmul(y).eq(c.bv(0xffff_fffb_0000_0005, width: 128).bvmul(c.bv(0xffff_ffff_ffff_ffc5, width: 128))))
        solver.assert(one.bvult(x).and(one.bvult(y)))
        #expect(solver.check() == .unknown(reason: "timeout"))
    }

    @Test func benchmarkReparses() throws {
        let c = Context()
        let solver = Solver(context: c)
        let x = c.bvVar(name: "x", width: 64), p = c.boolVar(name: "p")
        let fresh = c.freshBVVar(prefix: "t", width: 64)
        solver.assert(x.bvadd(fresh).eq(c.bv(5, width: 64)))
        solver.assert(p.implies(x.bvult(c.bv(3, width: 64))).and(p))
        let text = solver.toSMTLIB2()
        #expect(text.contains("(set-logic QF_BV)"))
        #expect(text.contains("(check-sat)"))

        // Same context: the very same assertions.
        #expect(try c.parseSMTLIB2(text) == solver.assertions)
        // Fresh context and solver: same answer.
        let again = Solver(context: Context())
        try again.load(smtlib2: text)
        #expect(again.check() == .sat)
    }

    @Test(arguments: ["/usr/bin/z3", "/usr/bin/cvc5"])
    func benchmarkRunsInExternalSolver(_ solverPath: String) throws {
        try #require(FileManager.default.isExecutableFile(atPath: solverPath))
        let c = Context()
        let solver = Solver(context: c)
        let x = c.bvVar(name: "x", width: 64)
        solver.assert(x.bvshl(c.bv(3, width: 64)).eq(c.bv(0x40, width: 64)).and(x.extract(high: 63, low: 60).eq(c.bv(0, width: 4))))
        solver.push()
        solver.assert(x.eq(c.bv(8, width: 64)).not())
        let text = solver.toSMTLIB2()
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("z3wrapper-\(UUID()).smt2")
        try text.write(to: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: file) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: solverPath)
        process.arguments = [file.path]
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        process.waitUntilExit()
        let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        #expect(output.trimmingCharacters(in: .whitespacesAndNewlines) == "unsat", "\(text)")
    }

    @Test func mismatchedSortsTrap() async {
        await #expect(processExitsWith: .failure) {
            let c = Context()
            _ = c.bv(1, width: 8).bvadd(c.bv(1, width: 16))
        }
    }
}
