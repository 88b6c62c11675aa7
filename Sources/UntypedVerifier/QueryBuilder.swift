import UntypedCore
import Z3

/// Assembles one self-contained SMT-LIB2 query: the hand-written specs, the inputs, the
/// core's own terms (obtained by running the core on symbolic words and printed by Z3),
/// and the obligation written against the specs' vocabulary.
struct QueryBuilder<S: SymbolicMachineWord> {
    let context: Context
    private(set) var declarations: [String] = []
    private(set) var definitions: [String] = []
    private(set) var inputs: [(name: String, isBool: Bool)] = []
    private var defined: Set<String> = []

    init(context: Context) { self.context = context }

    var width: Int { S.bitWidth }
    /// `(_ BitVec W)`.
    var sort: String { "(_ BitVec \(S.bitWidth))" }
    /// Prefix of the spec functions of this width: `k64.`, `inv64.`.
    var k: String { "k\(S.bitWidth)." }
    var inv: String { "inv\(S.bitWidth)." }

    /// A numeral in SMT-LIB syntax.
    func literal(_ value: UInt64) -> String { "(_ bv\(value) \(S.bitWidth))" }

    /// A fresh bit-vector input.
    mutating func word(_ name: String, _ comment: String) -> S {
        declarations.append("(declare-const \(name) \(sort)) ; \(comment)")
        inputs.append((name, false))
        defined.insert(name)
        return S.variable(name, in: context)
    }

    /// A fresh Boolean input.
    mutating func bool(_ name: String, _ comment: String) -> SymbolicBool {
        declarations.append("(declare-const \(name) Bool) ; \(comment)")
        inputs.append((name, true))
        defined.insert(name)
        return SymbolicBool.variable(name, in: context)
    }

    /// Names a term computed by the Swift core; returns the name to use in the obligation.
    /// A name already defined keeps its first definition.
    @discardableResult
    mutating func define(_ name: String, _ term: S) -> String {
        guard defined.insert(name).inserted else { return name }
        definitions.append("(define-fun \(name) () \(sort)\n  \(term.expr.sexpr))")
        return name
    }

    @discardableResult
    mutating func define(_ name: String, _ term: SymbolicBool) -> String {
        guard defined.insert(name).inserted else { return name }
        definitions.append("(define-fun \(name) () Bool\n  \(term.expr.sexpr))")
        return name
    }

    /// Names a formula written in SMT-LIB text (over the specs' functions).
    @discardableResult
    mutating func defineText(_ name: String, type: String, _ text: String) -> String {
        guard defined.insert(name).inserted else { return name }
        definitions.append("(define-fun \(name) () \(type)\n  \(text))")
        return name
    }

    /// Everything a check needs before its goal: header, specs, inputs, the core's terms that
    /// `uses` mentions (directly or through other kept terms), and the assumptions.
    func preamble(header: [String], specs: String, assumptions: String, uses: String) -> String {
        var out = header.map { "; " + $0 }
        out.append("(set-logic QF_BV)")
        out.append("")
        out.append(specs)
        out.append("; ---- inputs")
        out.append(contentsOf: declarations)
        out.append("; ---- terms computed by the Swift core (UntypedCore), run on Z3 bit-vectors")
        out.append(contentsOf: Self.used(definitions, by: assumptions + " " + uses))
        out.append("; ---- the obligation's assumptions")
        out.append("(assert \(assumptions))")
        return out.joined(separator: "\n") + "\n"
    }
}

extension QueryBuilder {
    /// The definitions the text needs, directly or through other kept definitions, in order.
    static func used(_ definitions: [String], by text: String) -> [String] {
        func name(_ d: String) -> Substring { d.dropFirst("(define-fun ".count).prefix { $0 != " " } }
        func mentions(_ haystack: String, _ n: Substring) -> Bool {
            var rest = haystack[...]
            while let r = rest.range(of: n) {
                let before = r.lowerBound == haystack.startIndex ? " " : haystack[haystack.index(before: r.lowerBound)]
                let after = r.upperBound == haystack.endIndex ? " " : haystack[r.upperBound]
                if " ()\n".contains(before) && " ()\n".contains(after) { return true }
                rest = haystack[r.upperBound...]
            }
            return false
        }
        var keep = Array(repeating: false, count: definitions.count)
        var frontier = [text]
        while let t = frontier.popLast() {
            for (i, d) in definitions.enumerated() where !keep[i] && mentions(t, name(d)) {
                keep[i] = true
                frontier.append(d)
            }
        }
        return definitions.indices.filter { keep[$0] }.map { definitions[$0] }
    }
}

/// Conjunction in SMT-LIB text.
func all(_ parts: [String]) -> String { parts.count == 1 ? parts[0] : "(and\n    " + parts.joined(separator: "\n    ") + ")" }
func implies(_ a: String, _ b: String) -> String { "(=> \(a) \(b))" }
