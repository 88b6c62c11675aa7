/// Typed SMT-LIB terms: the obligations are written with these, never with bare strings.
///
/// A term carries its SMT-LIB text and the names it mentions directly (inputs and named
/// definitions). A query keeps exactly the definitions its assumptions, guard and goals
/// mention, directly or through other kept definitions (`QueryBuilder.preamble`).

/// The sort of a term: a bit-vector of the query's width, or Bool.
public enum TermSort: Sendable, Equatable, CustomStringConvertible {
    case bitVector
    case bool

    public var description: String { self == .bool ? "Bool" : "BitVec" }
}

/// What both term types share.
protocol Term: Sendable {
    static var sort: TermSort { get }
    /// The SMT-LIB text.
    var text: String { get }
    /// Inputs and definitions the text names directly.
    var mentions: Set<String> { get }
    init(text: String, mentions: Set<String>)
}

extension Term {
    /// The term naming `name` (an input or a definition).
    static func named(_ name: String) -> Self { Self(text: name, mentions: [name]) }
    /// `(head a b ...)` with the operands' mentions.
    static func apply(_ head: String, _ operands: [any Term]) -> Self {
        Self(text: "(" + ([head] + operands.map(\.text)).joined(separator: " ") + ")",
             mentions: operands.reduce(into: Set<String>()) { $0.formUnion($1.mentions) })
    }
}

/// A bit-vector term of the query's width.
struct BVTerm: Term {
    static var sort: TermSort { .bitVector }
    let text: String
    let mentions: Set<String>
    init(text: String, mentions: Set<String> = []) {
        self.text = text
        self.mentions = mentions
    }

    /// The numeral `value` of `width` bits.
    static func numeral(_ value: UInt64, width: Int) -> BVTerm { BVTerm(text: "(_ bv\(value) \(width))") }

    static func + (a: BVTerm, b: BVTerm) -> BVTerm { .apply("bvadd", [a, b]) }
    static func - (a: BVTerm, b: BVTerm) -> BVTerm { .apply("bvsub", [a, b]) }
    func bitAnd(_ b: BVTerm) -> BVTerm { .apply("bvand", [self, b]) }
    func shl(_ b: BVTerm) -> BVTerm { .apply("bvshl", [self, b]) }
    func lshr(_ b: BVTerm) -> BVTerm { .apply("bvlshr", [self, b]) }
    var bitNot: BVTerm { .apply("bvnot", [self]) }

    func eq(_ b: BVTerm) -> BoolTerm { .apply("=", [self, b]) }
    func distinct(_ b: BVTerm) -> BoolTerm { .apply("distinct", [self, b]) }
    func ule(_ b: BVTerm) -> BoolTerm { .apply("bvule", [self, b]) }
    func ult(_ b: BVTerm) -> BoolTerm { .apply("bvult", [self, b]) }
    func uge(_ b: BVTerm) -> BoolTerm { .apply("bvuge", [self, b]) }
}

/// A Boolean term.
struct BoolTerm: Term {
    static var sort: TermSort { .bool }
    let text: String
    let mentions: Set<String>
    init(text: String, mentions: Set<String> = []) {
        self.text = text
        self.mentions = mentions
    }

    static let `true` = BoolTerm(text: "true")

    var not: BoolTerm { .apply("not", [self]) }
    /// `(and a b)` on one line (`all` writes a multi-line conjunction).
    func and(_ b: BoolTerm) -> BoolTerm { .apply("and", [self, b]) }
    func or(_ b: BoolTerm) -> BoolTerm { .apply("or", [self, b]) }
    func implies(_ b: BoolTerm) -> BoolTerm { .apply("=>", [self, b]) }
    /// `(= a b)`: both hold or neither.
    func iff(_ b: BoolTerm) -> BoolTerm { .apply("=", [self, b]) }
}

/// `(ite c a b)`.
func ite<T: Term>(_ c: BoolTerm, _ a: T, _ b: T) -> T { .apply("ite", [c, a, b]) }

/// Conjunction, one conjunct a line (a single conjunct is itself).
func all(_ parts: [BoolTerm]) -> BoolTerm {
    if parts.count == 1 { return parts[0] }
    return BoolTerm(text: "(and\n    " + parts.map(\.text).joined(separator: "\n    ") + ")",
                    mentions: parts.reduce(into: Set<String>()) { $0.formUnion($1.mentions) })
}

/// `(=> a b)`.
func implies(_ a: BoolTerm, _ b: BoolTerm) -> BoolTerm { a.implies(b) }
