import Z3

/// Prints the core's Z3 terms as SMT-LIB text for `define-fun`s, in place of Z3's pretty
/// printer (`Z3_ast_to_string`), which dominated query generation. A subterm equal to a term
/// named earlier is printed as that name (the definition then mentions it), and a subterm used
/// more than once in one term is bound once with `let`, so shared structure is never printed
/// twice. Iterative throughout: the terms are deep (the dummy search's rounds nest).
struct TermPrinter {
    /// Names of earlier definitions, by term identifier.
    private var names: [UInt32: String] = [:]
    /// The named terms, kept alive so that their identifiers are not reused.
    private var retained: [Expr] = []

    /// From now on, `term` (and every occurrence of it inside later terms) prints as `name`.
    mutating func name(_ term: Expr, _ name: String) {
        guard names[term.id] == nil else { return }
        names[term.id] = name
        retained.append(term)
    }

    /// The text of `root` and the earlier names it mentions.
    func render(_ root: Expr) -> (text: String, mentions: Set<String>) {
        var mentions = Set<String>()
        // Occurrences of each composite subterm and the subterms in post-order.
        var occurrences: [UInt32: Int] = [:]
        var nodes: [UInt32: (head: String, arguments: [Expr])] = [:]
        var order: [UInt32] = []
        var leaves: [UInt32: String] = [:]
        var stack: [(Expr, Bool)] = [(root, false)]
        while let (e, expanded) = stack.popLast() {
            let id = e.id
            if expanded { order.append(id); continue }
            if let n = names[id] { leaves[id] = n; mentions.insert(n); continue }
            if leaves[id] != nil { continue }
            if let seen = occurrences[id] { occurrences[id] = seen + 1; continue }
            switch e.shape {
            case .numeral(let decimal, let width):
                leaves[id] = "(_ bv\(decimal) \(width))"
            case .other(let text):
                leaves[id] = text
            case .application(let name, let indices, let arguments):
                let head = indices.isEmpty ? Self.smtlibName(name) : "(_ \(name) \(indices.map(String.init).joined(separator: " ")))"
                if arguments.isEmpty {
                    leaves[id] = head
                } else {
                    occurrences[id] = 1
                    nodes[id] = (head, arguments)
                    stack.append((e, true))
                    for a in arguments.reversed() { stack.append((a, false)) }
                }
            }
        }
        if let leaf = leaves[root.id] { return (leaf, mentions) }
        // Bottom up: a subterm used once is spliced into its parent; one used more often is
        // bound by a `let` (a!1, a!2, ... in dependency order) and printed as its variable.
        var texts: [UInt32: String] = [:]
        var bindings: [String] = []
        for id in order {
            let node = nodes[id]!
            var parts = [node.head]
            for a in node.arguments {
                let aid = a.id
                if let leaf = leaves[aid] {
                    parts.append(leaf)
                } else if occurrences[aid]! > 1 {
                    parts.append(texts[aid]!)
                } else {
                    parts.append(texts.removeValue(forKey: aid)!)   // used once: spliced here only
                }
            }
            let text = "(" + parts.joined(separator: " ") + ")"
            if occurrences[id]! > 1 && id != root.id {
                let variable = "a!\(bindings.count + 1)"
                bindings.append("((\(variable) \(text)))")
                texts[id] = variable
            } else {
                texts[id] = text
            }
        }
        var out = texts[root.id]!
        for binding in bindings.reversed() { out = "(let \(binding) \(out))" }
        return (out, mentions)
    }

    /// The SMT-LIB name of a Z3 function: Z3 calls `ite` "if" internally; every other
    /// function the core's terms use has its SMT-LIB name (a test checks the printed text
    /// against Z3's own printer, term by term).
    private static func smtlibName(_ name: String) -> String {
        name == "if" ? "ite" : symbol(name)
    }

    /// An SMT-LIB symbol, quoted with `|...|` unless it is a simple symbol.
    private static func symbol(_ name: String) -> String {
        let simple = name.unicodeScalars.allSatisfy { c in
            c.properties.isAlphabetic && c.isASCII || ("0"..."9").contains(c) || "~!@$%^&*_-+=<>.?/".unicodeScalars.contains(c)
        }
        return simple && !name.isEmpty ? name : "|\(name)|"
    }
}
