import Z3

/// One query parsed once into a Z3 context of its own (`Z3_parse_smtlib2_string`): its
/// assumptions, and for every check the one assertion the check adds.
///
/// Parsing a query costs about as much as solving its easy goals (the furthest-reach
/// search's definitions alone take a third of a second at 64 bits), so a worker parses a
/// query once and runs every check of it that it takes on these terms, each check with a
/// fresh solver: the solver state is never shared between checks, only the parsed terms.
/// The check texts (`preamble + rest`) stay what the cache keys, `--emit-smt` and the second
/// solver see; this is only how Z3 reads them.
final class ParsedQuery {
    let context: Context
    /// The preamble's assertions (the obligation's assumptions).
    let assumptions: [Expr]
    /// `(not goal)` for every goal, in order.
    let negatedGoals: [Expr]
    /// The guard, then every goal's hypothesis, in `goalGuards` order.
    let hypotheses: [Expr]

    init(_ q: ObligationQuery, timeoutMilliseconds: UInt32) throws(VerifierError) {
        context = Context(timeoutMilliseconds: timeoutMilliseconds)
        let goals = q.goals.map { "(assert (not \($0.formula)))\n" }
        let hypotheses = ([q.guardFormula] + q.goalGuards.map(\.formula)).map { "(assert \($0))\n" }
        let terms: [Expr]
        do { terms = try context.parseSMTLIB2(q.preamble + goals.joined() + hypotheses.joined()) } catch {
            throw .solver("Z3 rejected the query for \(q.obligation.rawValue) on \(q.window): \(error)")
        }
        let own = goals.count + hypotheses.count
        guard terms.count >= own else {
            throw .solver("the query for \(q.obligation.rawValue) on \(q.window) parses to \(terms.count) assertions, fewer than its \(own) checks")
        }
        assumptions = Array(terms.dropLast(own))
        negatedGoals = Array(terms.suffix(own).prefix(goals.count))
        self.hypotheses = Array(terms.suffix(hypotheses.count))
    }

    /// A copy of `master`'s terms in a context of its own (`Context.translate`): the same terms,
    /// built in the same order for every copy, at a fraction of the cost of parsing the text.
    /// The caller keeps everyone else off `master` meanwhile.
    init(copying master: ParsedQuery, timeoutMilliseconds: UInt32) {
        context = Context(timeoutMilliseconds: timeoutMilliseconds)
        let terms = context.translate(master.assumptions + master.negatedGoals + master.hypotheses)
        assumptions = Array(terms.prefix(master.assumptions.count))
        negatedGoals = Array(terms.dropFirst(master.assumptions.count).prefix(master.negatedGoals.count))
        hypotheses = Array(terms.suffix(master.hypotheses.count))
    }
}

/// Parsed queries shared by the workers of one run: a worker takes a parsed copy of a query
/// (making one when none is free), uses it alone, and gives it back; once every check of a
/// query has run, its copies are dropped. At most one copy per worker exists for a query.
///
/// A query's text is parsed once, into a master copy that no check uses; the workers' copies
/// are translations of it. Every copy is thus the same terms built in the same order, so a
/// check takes the same time on whichever worker runs it (Z3's search depends on term order).
final class ParsedQueryPool: @unchecked Sendable {
    private let queries: [ObligationQuery]
    private let timeoutMilliseconds: UInt32
    private let state: Locked<(free: [Int: [ParsedQuery]], remaining: [Int: Int])>
    /// Per query, its master copy once parsed (each behind its own lock).
    private let masters: [Locked<ParsedQuery?>]

    /// `tasks[qi]`: how many tasks will use query `qi`.
    init(_ queries: [ObligationQuery], tasks: [Int: Int], timeoutMilliseconds: UInt32) {
        self.queries = queries
        self.timeoutMilliseconds = timeoutMilliseconds
        state = Locked((free: [:], remaining: tasks))
        masters = queries.map { _ in Locked(nil) }
    }

    /// A new copy of query `qi` for one worker: translated from the master copy, which the
    /// first call parses.
    private func copy(_ qi: Int) throws(VerifierError) -> ParsedQuery {
        let made = masters[qi].withLock { (master: inout ParsedQuery?) -> Result<ParsedQuery, VerifierError> in
            if master == nil {
                do throws(VerifierError) { master = try ParsedQuery(queries[qi], timeoutMilliseconds: timeoutMilliseconds) } catch { return .failure(error) }
            }
            return .success(ParsedQuery(copying: master!, timeoutMilliseconds: timeoutMilliseconds))
        }
        return try made.get()
    }

    /// Runs one task of query `qi`; `body` gets the parsed query on demand (a task answered
    /// by the cache never parses).
    func withQuery<R>(_ qi: Int, _ body: (() throws(VerifierError) -> ParsedQuery) throws(VerifierError) -> R) throws(VerifierError) -> R {
        var taken: ParsedQuery? = nil
        defer {
            let last = state.withLock { s in
                s.remaining[qi, default: 1] -= 1
                if s.remaining[qi]! <= 0 {
                    s.free[qi] = nil
                    return true
                } else if let taken {
                    s.free[qi, default: []].append(taken)
                }
                return false
            }
            if last { masters[qi].withLock { $0 = nil } }
        }
        return try body { () throws(VerifierError) -> ParsedQuery in
            if let taken { return taken }
            let free = state.withLock { s in s.free[qi]?.popLast() }
            let parsed: ParsedQuery
            if let free { parsed = free } else { parsed = try copy(qi) }
            taken = parsed
            return parsed
        }
    }
}
