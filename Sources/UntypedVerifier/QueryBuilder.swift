import UntypedCore
import Z3

/// A core condition an obligation can name: a Z3 Boolean term, or a concrete `Bool`.
public protocol ObligationCondition: Condition {
    /// The condition as SMT-LIB text: Z3's term, or `true`/`false`.
    var smtText: String { get }
    /// The Z3 term, when the condition is symbolic.
    var expression: Expr? { get }
    /// The value when it is known (always, for `Bool`).
    var knownValue: Bool? { get }
    /// An input: a fresh Boolean constant `name` (symbolic), or `value` (concrete).
    static func input(_ name: String, value: Bool?, in context: Context) -> Self
}

/// A word the obligation builder runs the core on. The same obligation code runs in two
/// modes: on `SymbolicWord32/64` the inputs are declared constants and each defined term is
/// the core's Z3 term (the proof query); on `UInt32/UInt64` the inputs are a
/// counterexample's values and each defined term is the concrete core's value as a numeral
/// (the replay). The assumptions and goals come out as the same text in both.
public protocol ObligationWord: Word where Cond: ObligationCondition {
    /// The word as SMT-LIB text: Z3's term, or a numeral.
    var smtText: String { get }
    /// The Z3 term, when the word is symbolic.
    var expression: Expr? { get }
    /// The value when it is known (always, for a concrete word).
    var knownValue: UInt64? { get }
    /// The numeral `value`.
    static func numeral(_ value: UInt64, in context: Context) -> Self
    /// An input: a fresh bit-vector constant `name` (symbolic), or `value` (concrete).
    static func input(_ name: String, value: UInt64?, in context: Context) -> Self
    /// Whether inputs are symbolic constants (else they hold a counterexample's values).
    static var isSymbolic: Bool { get }
}

extension SymbolicBool: ObligationCondition {
    public var smtText: String { expr.sexpr }
    public var expression: Expr? { expr }
    public var knownValue: Bool? { constantValue }
    public static func input(_ name: String, value: Bool?, in context: Context) -> Self { variable(name, in: context) }
}

extension Bool: ObligationCondition {
    public var smtText: String { self ? "true" : "false" }
    public var expression: Expr? { nil }
    public var knownValue: Bool? { self }
    public static func input(_ name: String, value: Bool?, in context: Context) -> Self { value ?? false }
}

extension SymbolicWord: ObligationWord {
    public var smtText: String { expr.sexpr }
    public var expression: Expr? { expr }
    public var knownValue: UInt64? { constantValue }
    public static func numeral(_ value: UInt64, in context: Context) -> Self { Self(value, in: context) }
    public static func input(_ name: String, value: UInt64?, in context: Context) -> Self { variable(name, in: context) }
    public static var isSymbolic: Bool { true }
}

extension ObligationWord where Self: MachineWord {
    public var smtText: String { "(_ bv\(self) \(Self.bitWidth))" }
    public var expression: Expr? { nil }
    public var knownValue: UInt64? { UInt64(self) }
    public static func numeral(_ value: UInt64, in context: Context) -> Self { Self(truncatingIfNeeded: value) }
    public static func input(_ name: String, value: UInt64?, in context: Context) -> Self { Self(truncatingIfNeeded: value ?? 0) }
    public static var isSymbolic: Bool { false }
}

extension UInt64: ObligationWord {}
extension UInt32: ObligationWord {}

/// An input of a query: the core's value and the term naming it.
struct Input<Value> {
    let value: Value
    let term: BVTerm
}

/// A Boolean input of a query.
struct BoolInput<Value> {
    let value: Value
    let term: BoolTerm
}

/// Assembles one self-contained SMT-LIB2 query: the hand-written specs, the inputs, the
/// core's own terms (obtained by running the core on `S`), the named spec terms, and the
/// obligation written with typed terms over the specs' functions.
struct QueryBuilder<S: ObligationWord> {
    let context: Context
    /// The counterexample's input values (concrete mode); nil when the inputs are symbolic.
    let values: [String: UInt64]?
    /// Inputs the counterexample has no value for (concrete mode): an error, never 0.
    private(set) var missing: [String] = []
    private(set) var declarations: [String] = []
    private(set) var inputs: [(name: String, isBool: Bool)] = []
    /// Named definitions in order: text and the names their body mentions.
    private(set) var definitions: [(name: String, text: String, mentions: Set<String>)] = []
    private var defined: Set<String> = []
    /// The sort of every input and named term.
    private(set) var sorts: [String: TermSort] = [:]
    /// Prints the core's Z3 terms, naming subterms defined earlier.
    private var printer = TermPrinter()

    init(context: Context, values: [String: UInt64]? = nil) {
        self.context = context
        self.values = values
    }

    var width: Int { S.bitWidth }
    /// `(_ BitVec W)`.
    var sort: String { "(_ BitVec \(S.bitWidth))" }
    /// The spec functions of this width (`kW.*`, `invW.*`).
    var spec: SpecFunctions { SpecFunctions(wordBits: S.bitWidth) }

    /// A numeral of the query's width.
    func literal(_ value: UInt64) -> BVTerm { .numeral(value, width: S.bitWidth) }

    /// The value of input `name` in concrete mode (recording it missing when absent).
    private mutating func value(_ name: String) -> UInt64? {
        guard let values else { return nil }
        if let v = values[name] { return v }
        missing.append(name)
        return nil
    }

    /// A bit-vector input: declared (symbolic) or defined as the counterexample's value (concrete).
    mutating func word(_ name: String, _ comment: String) -> Input<S> {
        let v = value(name)
        let word = S.input(name, value: v, in: context)
        declarations.append(S.isSymbolic ? "(declare-const \(name) \(sort)) ; \(comment)"
                            : "(define-fun \(name) () \(sort) \(word.smtText)) ; \(comment)")
        inputs.append((name, false))
        defined.insert(name)
        sorts[name] = .bitVector
        return Input(value: word, term: .named(name))
    }

    /// A Boolean input.
    mutating func bool(_ name: String, _ comment: String) -> BoolInput<S.Cond> {
        let v = value(name).map { $0 != 0 }
        let cond = S.Cond.input(name, value: v, in: context)
        declarations.append(S.isSymbolic ? "(declare-const \(name) Bool) ; \(comment)"
                            : "(define-fun \(name) () Bool \(cond.smtText)) ; \(comment)")
        inputs.append((name, true))
        defined.insert(name)
        sorts[name] = .bool
        return BoolInput(value: cond, term: .named(name))
    }

    /// Adds `(define-fun name () type body)` unless `name` is taken (the first definition stays).
    private mutating func add(_ name: String, type: String, _ body: String, mentions: Set<String>) {
        guard defined.insert(name).inserted else { return }
        sorts[name] = type == "Bool" ? .bool : .bitVector
        definitions.append((name, "(define-fun \(name) () \(type)\n  \(body))", mentions))
    }

    /// Names a term computed by the core.
    @discardableResult
    mutating func define(_ name: String, _ term: S) -> BVTerm {
        defineCore(name, type: sort, term.expression, text: term.smtText)
        return .named(name)
    }

    /// Names a condition computed by the core.
    @discardableResult
    mutating func define(_ name: String, _ term: S.Cond) -> BoolTerm {
        defineCore(name, type: "Bool", term.expression, text: term.smtText)
        return .named(name)
    }

    /// A core term: a Z3 term is printed with earlier definitions' names for the subterms they
    /// name; a concrete value is its numeral.
    private mutating func defineCore(_ name: String, type: String, _ expression: Expr?, text: @autoclosure () -> String) {
        guard !defined.contains(name) else { return }
        guard let expression else { add(name, type: type, text(), mentions: []); return }
        let (body, mentions) = printer.render(expression)
        add(name, type: type, body, mentions: mentions)
        printer.name(expression, name)
    }

    /// Names a term written over the specs' functions.
    @discardableResult
    mutating func define(_ name: String, _ term: BVTerm) -> BVTerm {
        add(name, type: sort, term.text, mentions: term.mentions)
        return .named(name)
    }

    @discardableResult
    mutating func define(_ name: String, _ term: BoolTerm) -> BoolTerm {
        add(name, type: "Bool", term.text, mentions: term.mentions)
        return .named(name)
    }

    /// The definitions `terms` need, directly or through other kept definitions, in order.
    func needed(by terms: [BoolTerm]) -> [String] {
        let index = Dictionary(uniqueKeysWithValues: definitions.enumerated().map { ($1.name, $0) })
        var keep = Set<Int>()
        var frontier = terms.flatMap(\.mentions)
        while let name = frontier.popLast() {
            guard let i = index[name], keep.insert(i).inserted else { continue }
            frontier.append(contentsOf: definitions[i].mentions)
        }
        return keep.sorted().map { definitions[$0].text }
    }

    /// Everything a check needs before its goal: header, specs, inputs, the core's terms and
    /// spec terms that `assumptions` and `uses` mention, and the assumptions.
    func preamble(header: [String], specs: String, assumptions: BoolTerm, uses: [BoolTerm]) -> String {
        var out = header.map { "; " + $0 }
        out.append("(set-logic QF_BV)")
        out.append("")
        out.append(specs)
        out.append("; ---- inputs")
        out.append(contentsOf: declarations)
        out.append("; ---- terms computed by the Swift core (UntypedCore), run on Z3 bit-vectors")
        out.append(contentsOf: needed(by: [assumptions] + uses))
        out.append("; ---- the obligation's assumptions")
        out.append("(assert \(assumptions.text))")
        return out.joined(separator: "\n") + "\n"
    }
}
