import Foundation
import Testing
import UntypedCore
import Z3
@testable import UntypedVerifier

/// An S-expression of a spec file.
private indirect enum SExpr {
    case atom(String)
    case list([SExpr])

    var atom: String? { if case .atom(let a) = self { a } else { nil } }
    var list: [SExpr]? { if case .list(let l) = self { l } else { nil } }
}

/// The top-level S-expressions of an SMT-LIB text (comments dropped).
private func parse(_ text: String) -> [SExpr] {
    var tokens: [String] = [], atom = ""
    var comment = false
    for c in text {
        if comment { if c == "\n" { comment = false }; continue }
        if c == ";" || c == "(" || c == ")" || c.isWhitespace {
            if !atom.isEmpty { tokens.append(atom); atom = "" }
            if c == ";" { comment = true } else if c == "(" || c == ")" { tokens.append(String(c)) }
        } else {
            atom.append(c)
        }
    }
    var stack: [[SExpr]] = [[]]
    for t in tokens {
        if t == "(" { stack.append([]) } else if t == ")" {
            let done = stack.removeLast()
            stack[stack.count - 1].append(.list(done))
        } else {
            stack[stack.count - 1].append(.atom(t))
        }
    }
    return stack[0]
}

/// `Bool` or `(_ BitVec w)` as a sort of width `w`; nil for anything else.
private func sort(_ e: SExpr, width: Int) -> TermSort? {
    if e.atom == "Bool" { return .bool }
    if let l = e.list, l.count == 3, l[0].atom == "_", l[1].atom == "BitVec", l[2].atom == "\(width)" { return .bitVector }
    return nil
}

/// Every Swift signature of a spec function matches the specs' `define-fun` (name, number and
/// sorts of parameters, result), for both word widths.
@Test(arguments: [32, 64])
func specSignaturesMatchTheSpecs(width: Int) throws {
    let library = SpecLibrary()
    var defined: [String: (parameters: [TermSort?], result: TermSort?)] = [:]
    for file in ["kernel", "invariants"] {
        let text = try String(contentsOfFile: library.specsDirectory + "/\(file)-\(width).smt2", encoding: .utf8)
        for e in parse(text) {
            guard let l = e.list, l.count == 5, l[0].atom == "define-fun", let name = l[1].atom, let params = l[2].list else { continue }
            defined[name] = (params.map { p in p.list.flatMap { $0.count == 2 ? sort($0[1], width: width) : nil } }, sort(l[3], width: width))
        }
    }
    #expect(defined.count > 20, "the parser found the specs' define-funs")
    for s in SpecFunctions.signatures {
        let name = s.fullName(wordBits: width)
        guard let d = defined[name] else {
            Issue.record("\(name): no define-fun in specs/")
            continue
        }
        #expect(d.parameters == s.parameters.map { Optional($0) }, "\(name): parameters \(d.parameters) in specs/, \(s.parameters) in Swift")
        #expect(d.result == s.result, "\(name): result")
    }
}

private let symbolic32 = ProofWindow.any(wordBits: 32)

/// Input values of a fresh 4 KiB untyped asked for a 16-byte object at its base: the
/// offset strategy places it right, so no goal of `placement` fails.
private let honestPlacement: [String: UInt64] = [
    "win.offset": 0x8000_0000, "a.paddr": 0x1000_0000, "a.size": 12, "a.dev": 0, "a.watermark": 0, "a.live": 0,
    "a.hold0": 0, "a.hold1": 0, "a.next": 0, "k.fi": 0, "r.size": 4, "r.count": 1, "r.devok": 1, "r.phys": 0,
    "r.has": 1, "r.target": 0x1000_0000, "r.per": 1,
]

/// The replay evaluates the obligation's own goals on the concrete core: values that break
/// no goal are not reproduced.
@Test func replayRejectsABogusCounterexample() throws {
    let verifier = Verifier()
    let q = try verifier.query(.placement, window: symbolic32, strategy: .offset, form: .strategySearch)
    let cex = try verifier.replay(q, window: symbolic32, strategy: .offset, values: honestPlacement)
    #expect(!cex.reproduced, "\(cex.explanation)")
    #expect(cex.explanation.contains("Every goal holds"), "\(cex.explanation)")
}

/// model-spec is no longer reproduced by default: the Swift kernel model agrees with specs/
/// on these inputs, so nothing is reproduced.
@Test func modelSpecReplayNeedsARealDisagreement() throws {
    let verifier = Verifier()
    let q = try verifier.query(.modelSpec, window: symbolic32, strategy: .offset)
    var values = Dictionary(uniqueKeysWithValues: q.inputs.map { ($0.name, UInt64(0)) })
    values["c.pptr"] = 0x8000_0000; values["c.size"] = 12; values["r.count"] = 1; values["r.valid"] = 1
    values["b.start"] = 0x8000_0000; values["b.end"] = 0x8010_0000; values["f.maxbits"] = 29; values["f.slotbits"] = 4
    let cex = try verifier.replay(q, window: symbolic32, strategy: .offset, values: values)
    #expect(!cex.reproduced, "\(cex.explanation)")
}

/// A counterexample without a value for one of the query's inputs is an error, never 0.
@Test func replayOfAnIncompleteCounterexampleIsAnError() throws {
    let verifier = Verifier()
    let q = try verifier.query(.placement, window: symbolic32, strategy: .offset, form: .strategySearch)
    var values = honestPlacement
    values["a.size"] = nil
    #expect(throws: VerifierError.self) { try verifier.replay(q, window: symbolic32, strategy: .offset, values: values) }
}

/// The replay of a real counterexample reproduces it and names the failing goal and its values.
@Test func replayReproducesAMutantsCounterexample() throws {
    let verifier = Verifier(timeoutMilliseconds: 120_000)
    let result = try verifier.counterexample(.noReset, window: symbolic32, strategy: .mutantSingleHold)
    guard case .found(let cex) = result else {
        Issue.record("expected a counterexample, got \(result)")
        return
    }
    #expect(cex.reproduced, "\(cex.explanation)")
    #expect(cex.explanation.contains("a delete leaves the untyped with children"), "\(cex.explanation)")
    #expect(cex.explanation.contains("after.hc=false"), "\(cex.explanation)")
}

/// The query keeps exactly the definitions its assumptions and goals mention, through the
/// typed terms' dependencies.
@Test func preambleKeepsWhatTheTermsMention() {
    let context = Context()
    withSymbolicContext(context) {
        var q = QueryBuilder<SymbolicWord32>(context: context)
        let x = q.word("x", "an input").term
        let a = q.define("a", x + q.literal(1))
        let b = q.define("b", a + q.literal(2))
        _ = q.define("unused", x + q.literal(3))
        let text = q.preamble(header: [], specs: "", assumptions: .true, uses: [b.ult(x)])
        #expect(text.contains("(define-fun a ()") && text.contains("(define-fun b ()"))
        #expect(!text.contains("(define-fun unused"))
    }
}

/// A real disagreement between the Swift kernel model and specs/ reproduces: with a spec whose
/// 32-bit capPtr storage drops 3 low bits instead of 4, a pointer with bit 3 set breaks the
/// capPtr goal under the concrete core's values.
@Test func modelSpecReplayReproducesARealDisagreement() throws {
    let root = FileManager.default.temporaryDirectory.appendingPathComponent("untyped-specs-\(getpid())").path
    try? FileManager.default.removeItem(atPath: root)
    try FileManager.default.createDirectory(atPath: root + "/specs", withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(atPath: root) }
    let specs = SpecLibrary().specsDirectory
    let kernel = try String(contentsOfFile: specs + "/kernel-32.smt2", encoding: .utf8)
    let broken = kernel.replacingOccurrences(of: "(bvand p (bvnot (_ bv15 32)))", with: "(bvand p (bvnot (_ bv7 32)))")
    #expect(broken != kernel)
    try broken.write(toFile: root + "/specs/kernel-32.smt2", atomically: true, encoding: .utf8)
    try FileManager.default.copyItem(atPath: specs + "/invariants-32.smt2", toPath: root + "/specs/invariants-32.smt2")

    let verifier = Verifier(library: SpecLibrary(root: root))
    let q = try verifier.query(.modelSpec, window: symbolic32, strategy: .offset)
    var values = Dictionary(uniqueKeysWithValues: q.inputs.map { ($0.name, UInt64(0)) })
    values["p.ptr"] = 0x8000_0008
    // The symbolic window's query leaves the kernel-model numbers open: the 32-bit ones.
    values["f.capkind"] = 2
    values["f.maxbits"] = 29
    values["f.slotbits"] = 4
    let cex = try verifier.replay(q, window: symbolic32, strategy: .offset, values: values)
    #expect(cex.reproduced, "\(cex.explanation)")
    #expect(cex.explanation.contains("capPtr storage") && cex.explanation.contains("sw.load=0x80000000"), "\(cex.explanation)")
    // The same values under the real specs: no disagreement.
    let honest = Verifier()
    #expect(try !honest.replay(honest.query(.modelSpec, window: symbolic32, strategy: .offset), window: symbolic32,
                               strategy: .offset, values: values).reproduced)
}
