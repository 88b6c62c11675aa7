import Foundation
import UntypedCore

/// What one `untyped verify` run checks, and where it writes.
public struct VerificationPlan: Sendable {
    public var windows: [ProofWindow]
    public var strategies: [StrategyUnderTest]
    public var obligations: [Obligation]
    /// Write every query to DIR/<window>/<strategy|kernel>/<obligation>.smt2.
    public var emitDirectory: String?
    /// Parallel solver workers.
    public var workers: Int
    /// Check only this form (where it applies), with no fallback; nil: the usual order.
    public var form: SearchForm? = nil

    public init(windows: [ProofWindow], strategies: [StrategyUnderTest], obligations: [Obligation], emitDirectory: String?, workers: Int,
                form: SearchForm? = nil) {
        self.form = form
        self.windows = windows
        self.strategies = strategies
        self.obligations = obligations
        self.emitDirectory = emitDirectory
        self.workers = workers
    }

    /// The (window, strategy, obligation) triples, strategy-independent obligations once per
    /// window. Where an obligation is checked in a form that assumes another's proof (progress
    /// and optimality in the search-contract form: dummy-search; watermark and no-overlap in
    /// the any-search form: placement), the plan includes that obligation.
    public var jobs: [(ProofWindow, StrategyUnderTest, Obligation)] {
        var jobs: [(ProofWindow, StrategyUnderTest, Obligation)] = []
        for w in windows {
            for o in obligations where !o.dependsOnStrategy { jobs.append((w, strategies.first ?? .offset, o)) }
            for s in strategies {
                var chosen = obligations.filter { $0.dependsOnStrategy && $0.applies(to: s) }
                for o in chosen {
                    if let needed = o.prerequisite(for: s, form: o.firstForm(for: s, asked: form)), !chosen.contains(needed) {
                        chosen.append(needed)
                    }
                }
                for o in Obligation.allCases where chosen.contains(o) { jobs.append((w, s, o)) }
            }
        }
        return jobs
    }
}

/// Where a query's file lives below a proofs directory.
public func proofPath(window: String, strategy: StrategyUnderTest?, obligation: Obligation) -> String {
    "\(window)/\(strategy?.cliName ?? "kernel")/\(obligation.rawValue).smt2"
}

extension Verifier {
    /// Runs the plan on `plan.workers` threads (one Z3 context per check), records in plan order.
    ///
    /// Every check (each query's vacuity check and each of its goals) is a separate task, so
    /// the workers stay busy however unevenly the obligations cost. Each obligation is first
    /// checked in its reduced form, where it has one; those not proved there are checked again
    /// with the strategy's own search. Allocator obligations count as proved only if the
    /// offset form of the kernel's retype is proved for their word width (model-spec on any-W),
    /// which the run includes when the plan does not.
    public func run(_ plan: VerificationPlan, progress: @Sendable (VerificationRecord) -> Void = { _ in }) throws(VerifierError) -> [VerificationRecord] {
        let jobs = plan.jobs
        let workers = max(1, plan.workers)
        // A proof on a symbolic window covers each window of the plan it is an instance of.
        // model-spec is proved once per set of kernel-model numbers: a symbolic window's query
        // first (it has the same goals and the offset form), else the first such window.
        func cover(_ job: Job) -> ProofWindow? {
            guard plan.form == nil else { return nil }
            if job.2 == .modelSpec {
                let first = plan.windows.first { $0.pptrBaseOffset == nil && $0.coversKernelModel(of: job.0) }
                    ?? plan.windows.first { $0.coversKernelModel(of: job.0) }
                return first.map(\.name) == job.0.name ? nil : first
            }
            guard job.2.dependsOnStrategy, job.0.pptrBaseOffset != nil else { return nil }
            return plan.windows.first { $0.covers(job.0) }
        }
        var direct = jobs.indices.filter { cover(jobs[$0]) == nil }.map { jobs[$0] }
        // The offset-form prerequisite: any-W model-spec for each width with allocator obligations.
        for bits in Set(jobs.filter { $0.2.dependsOnStrategy }.map { $0.0.wordBits }).sorted()
        where plan.form == nil && !direct.contains(where: { $0.0.name == "any-\(bits)" && $0.2 == .modelSpec }) {
            direct.append((.any(wordBits: bits), .offset, .modelSpec))
        }
        var done = try execute(direct, plan: plan, workers: workers)
        func key(_ w: String, _ s: StrategyUnderTest, _ o: Obligation) -> String { "\(w) \(o.dependsOnStrategy ? s.cliName : "kernel") \(o.rawValue)" }
        var byKey: [String: Outcome] = [:]
        for (job, outcome) in zip(direct, done) { byKey[key(job.0.name, job.1, job.2)] = outcome }
        // Covered jobs whose symbolic window did not prove them are checked on their own.
        let uncovered = jobs.filter { job in
            guard let any = cover(job) else { return false }
            return byKey[key(any.name, job.1, job.2)]?.result.name != "proved"
        }
        done = try execute(uncovered, plan: plan, workers: workers)
        for (job, outcome) in zip(uncovered, done) { byKey[key(job.0.name, job.1, job.2)] = outcome }
        // The prerequisite, per width.
        let offsetForm = { (bits: Int) in byKey[key("any-\(bits)", .offset, .modelSpec)]?.result.name ?? "not run" }
        var records: [VerificationRecord] = []
        for job in jobs {
            let (w, s, o) = job
            var via: ProofWindow? = nil
            var outcome: Outcome
            if let own = byKey[key(w.name, s, o)] {
                outcome = own
            } else {
                let any = cover(job)!   // not run on its own: covered by a proof on `any`
                outcome = byKey[key(any.name, s, o)]!
                outcome.seconds = 0
                via = any
            }
            if o.dependsOnStrategy, outcome.result.name == "proved", plan.form == nil, offsetForm(w.wordBits) != "proved" {
                outcome.result = .unknown("the offset form of the kernel's retype is not proved (any-\(w.wordBits) model-spec: \(offsetForm(w.wordBits)))")
            }
            let q = outcome.query
            var record = VerificationRecord(window: w, strategy: q.strategy, obligation: o, result: outcome.result,
                                            seconds: outcome.seconds, query: q)
            record.via = via
            record.cached = via == nil && outcome.cached
            if let dir = plan.emitDirectory, via == nil {
                try writeText(q.proof, to: dir + "/" + proofPath(window: w.name, strategy: q.strategy, obligation: o))
            }
            progress(record)
            records.append(record)
        }
        return records
    }

    /// The query texts for several obligations, built on `workers` threads, in input order
    /// (what `verify --check-proofs` compares with the committed files).
    public func queries(_ requests: [(obligation: Obligation, window: ProofWindow, strategy: StrategyUnderTest, form: SearchForm)],
                        workers: Int) throws(VerifierError) -> [ObligationQuery] {
        try parallelMap(Array(requests.indices), max(1, workers)) { (i: Int) throws(VerifierError) -> ObligationQuery in
            try query(requests[i].obligation, window: requests[i].window, strategy: requests[i].strategy, form: requests[i].form)
        }
    }

    typealias Job = (ProofWindow, StrategyUnderTest, Obligation)
    typealias Outcome = (result: ProofResult, seconds: Double, query: ObligationQuery, cached: Bool)

    /// Checks `jobs`: reduced forms first (or the only form), then the strategy's own search
    /// for those the reduced form did not prove.
    private func execute(_ jobs: [Job], plan: VerificationPlan, workers: Int) throws(VerifierError) -> [Outcome] {
        guard !jobs.isEmpty else { return [] }
        let first = try parallelMap(Array(jobs.indices), workers) { (i: Int) throws(VerifierError) -> ObligationQuery in
            let (w, s, o) = jobs[i]
            return try query(o, window: w, strategy: s, form: o.firstForm(for: s, asked: plan.form))
        }
        var firstResults = try checkAll(first, windows: jobs.map(\.0), strategies: jobs.map(\.1), workers: workers,
                                        replay: { i in plan.form != nil || jobs[i].2.reducedForm(for: jobs[i].1) == nil })
        // A form that assumes another obligation's proof (progress and optimality in the
        // search-contract form: the search's contract; watermark and no-overlap in the
        // any-search form: placement's landing goals) counts as proved only where that
        // obligation is proved, in the form whose goals are assumed; otherwise the obligation
        // is checked again with the strategy's own search.
        for i in jobs.indices where firstResults[i].result.name == "proved" {
            guard let needed = jobs[i].2.prerequisite(for: jobs[i].1, form: first[i].form) else { continue }
            let holds = jobs.indices.contains { j in
                jobs[j].2 == needed && jobs[j].0.name == jobs[i].0.name && jobs[j].1 == jobs[i].1 && firstResults[j].result.name == "proved"
                    && first[j].form == needed.firstForm(for: jobs[i].1, asked: first[i].form)
            }
            if !holds {
                firstResults[i].result = .unknown("it assumes \(needed.assumedPart), which \(needed.rawValue) does not prove on \(jobs[i].0.name) in the \(first[i].form.rawValue) form")
            }
        }
        // (dummy-search has one form: its failure sends progress and optimality to the strategy's
        // own search; a placement that fails sends watermark and no-overlap there too.)
        let retry = jobs.indices.filter { i in
            firstResults[i].result.name != "proved" && plan.form == nil && jobs[i].2.reducedForm(for: jobs[i].1) != nil
                && jobs[i].2 != .dummySearch
        }
        let second = try parallelMap(retry, workers) { (i: Int) throws(VerifierError) -> ObligationQuery in
            try query(jobs[i].2, window: jobs[i].0, strategy: jobs[i].1, form: .strategySearch)
        }
        // The reduced form failed, so a counterexample is likely: first ask for one to all goals
        // at once with Z3's own strategy, which finds models fast (a short time limit); a
        // reproduced one refutes the obligation. The rest are checked goal by goal.
        let searcher = Verifier(library: library, timeoutMilliseconds: min(timeoutMilliseconds, 30_000), cache: cache)
        let found = try parallelMap(Array(retry.indices), workers) { (n: Int) throws(VerifierError) -> (ProofResult?, Double, Bool) in
            let job = jobs[retry[n]], q = second[n]
            let run = try searcher.check(q, digest: cache == nil ? "" : SHA256.hex(q.preamble), rest: String(q.whole.dropFirst(q.preamble.count)),
                                         what: "proof query", expectSat: true, wordBits: job.0.wordBits)
            guard case .sat(let values) = run.outcome else { return (nil, run.seconds, run.cached) }
            let cex = try? replay(q, window: job.0, strategy: job.1, values: values)
            return (cex?.reproduced == true ? cex.map { .refuted($0) } : nil, run.seconds, run.cached)
        }
        let rest = retry.indices.filter { found[$0].0 == nil }
        let secondResults = try checkAll(rest.map { second[$0] }, windows: rest.map { jobs[retry[$0]].0 },
                                         strategies: rest.map { jobs[retry[$0]].1 }, workers: workers, replay: { _ in true })
        var outcomes = firstResults
        for (n, i) in retry.enumerated() {
            if let refuted = found[n].0 {
                outcomes[i] = (refuted, firstResults[i].seconds + found[n].1, second[n], firstResults[i].cached && found[n].2)
            }
        }
        for (m, n) in rest.enumerated() {
            let i = retry[n]
            outcomes[i] = (secondResults[m].result, firstResults[i].seconds + found[n].1 + secondResults[m].seconds, second[n],
                           firstResults[i].cached && found[n].2 && secondResults[m].cached)
        }
        return outcomes
    }

    /// Checks every query, all checks of all queries in parallel, the largest queries first
    /// (so the longest checks do not start last); per query its verdict, the solver seconds of
    /// its checks, and the query. A query's satisfiable checks (vacuity and its goals'
    /// hypotheses) are one task, so that one model can witness several of them.
    private func checkAll(_ queries: [ObligationQuery], windows: [ProofWindow], strategies: [StrategyUnderTest], workers: Int,
                          replay: (Int) -> Bool) throws(VerifierError) -> [Outcome] {
        // The preambles' digests, for cache keys (none without a cache).
        let digests = try parallelMap(Array(queries.indices), workers) { (qi: Int) throws(VerifierError) -> String in
            cache == nil ? "" : SHA256.hex(queries[qi].preamble)
        }
        // (query, goal index), goal -1 for the query's satisfiable checks.
        var tasks = queries.indices.flatMap { qi in (-1..<queries[qi].goals.count).map { (qi, $0) } }
        tasks.sort { a, b in
            let (sa, sb) = (queries[a.0].preamble.utf8.count, queries[b.0].preamble.utf8.count)
            return sa != sb ? sa > sb : a.1 > b.1
        }
        let pool = ParsedQueryPool(queries, tasks: Dictionary(tasks.map { ($0.0, 1) }, uniquingKeysWith: +),
                                   timeoutMilliseconds: timeoutMilliseconds)
        let runs = try parallelMap(Array(tasks.indices), workers) { (n: Int) throws(VerifierError) -> [CheckRun] in
            let (qi, goal) = tasks[n]
            let q = queries[qi], bits = windows[qi].wordBits
            let result = try pool.withQuery(qi) { (parsed) throws(VerifierError) -> [CheckRun] in
                goal < 0 ? try checkWitnesses(q, digest: digests[qi], wordBits: bits, parsed: parsed)
                         : [try checkGoal(q, goal, digest: digests[qi], wordBits: bits, parsed: parsed)]
            }
            if getenvString("UNTYPED_PROFILE") != nil {
                for (i, r) in result.enumerated() {
                    let label = goal >= 0 ? q.goals[goal].label : i == 0 ? "vacuity" : "hypothesis of " + q.goalGuards[i - 1].label
                    profileLine(r.seconds, q, label + (r.cached ? " (cached)" : ""))
                }
            }
            return result
        }
        // Per query, in the order `verdict` reads: vacuity, goals, goals' hypotheses.
        var byTask: [String: [CheckRun]] = [:]
        for (n, t) in tasks.enumerated() { byTask["\(t.0) \(t.1)"] = runs[n] }
        return queries.indices.map { qi in
            let witnesses = byTask["\(qi) -1"]!
            let checks = [witnesses[0]] + queries[qi].goals.indices.map { byTask["\(qi) \($0)"]![0] } + witnesses.dropFirst()
            return (verdict(queries[qi], checks.map(\.outcome), window: windows[qi], strategy: strategies[qi], replay: replay(qi)),
                    checks.reduce(0) { $0 + $1.seconds }, queries[qi], checks.allSatisfy(\.cached))
        }
    }
}

/// One line of the per-check profile (`UNTYPED_PROFILE` set): seconds, window, strategy,
/// obligation, form, check. BENCHMARKS.md's per-goal figures come from these lines.
private func profileLine(_ seconds: Double, _ q: ObligationQuery, _ label: String) {
    let line = [String(format: "%.2f", seconds), q.window, q.strategy?.cliName ?? "kernel", q.obligation.rawValue, q.form.rawValue, label]
    FileHandle.standardError.write(("profile\t" + line.joined(separator: "\t") + "\n").data(using: .utf8)!)
}

/// `body` applied to every element on `workers` threads; results in input order. The first
/// error is rethrown after every started call has finished.
func parallelMap<T>(_ items: [Int], _ workers: Int, _ body: (Int) throws(VerifierError) -> T) throws(VerifierError) -> [T] {
    let input = items
    let results = Locked([T?](repeating: nil, count: input.count))
    let failure = Locked<VerifierError?>(nil)
    let next = Locked(0)
    withoutActuallyEscaping(body) { body in
        let shared = UncheckedBox(body)
        DispatchQueue.concurrentPerform(iterations: max(1, min(workers, input.count))) { _ in
            while true {
                let i: Int = next.withLock { n in defer { n += 1 }; return n }
                guard i < input.count, failure.withLock({ $0 == nil }) else { return }
                do {
                    let value = try shared.value(input[i])
                    results.withLock { $0[i] = value }
                } catch let error as VerifierError {
                    failure.withLock { $0 = error }
                } catch {
                    failure.withLock { $0 = .solver("\(error)") }
                }
            }
        }
    }
    if let e = failure.withLock({ $0 }) { throw e }
    return results.withLock { $0.compactMap { $0 } }
}

/// Hands a non-Sendable value to `concurrentPerform`'s workers; the callers make the uses safe.
private struct UncheckedBox<T>: @unchecked Sendable {
    let value: T
    init(_ value: T) { self.value = value }
}

/// A value behind a lock.
final class Locked<T>: @unchecked Sendable {
    private var value: T
    private let lock = NSLock()
    init(_ value: T) { self.value = value }
    func withLock<R>(_ body: (inout T) -> R) -> R {
        lock.lock()
        defer { lock.unlock() }
        return body(&value)
    }
}

/// One entry of `proofs/manifest.json`: a (configuration, strategy, obligation) and its result.
/// The one type both the writer (`verify --emit-smt`) and the reader (`--check-proofs`) use.
public struct ManifestEntry: Codable, Sendable {
    public var config: String
    /// A strategy's command-line name, or "kernel" for the strategy-independent obligations.
    public var strategy: String
    public var obligation: String
    /// The query file below proofs/ (the symbolic window's, for an entry it covers).
    public var file: String
    public var form: String
    public var goals: Int
    public var result: String
    public var seconds: Double
    public var solver: String
    /// The symbolic window whose proof covers this entry (nothing was solved for it).
    public var via: String?
    /// Why the result is unknown.
    public var reason: String?

    var key: String { "\(config) \(strategy) \(obligation)" }

    public init(_ r: VerificationRecord, solver: String) {
        config = r.window.name
        strategy = r.strategy?.cliName ?? "kernel"
        obligation = r.obligation.rawValue
        file = proofPath(window: (r.via ?? r.window).name, strategy: r.strategy, obligation: r.obligation)
        form = r.form.rawValue
        goals = r.query.goals.count
        result = r.result.name
        seconds = (r.seconds * 100).rounded() / 100
        self.solver = solver
        via = r.via?.name
        if case .unknown(let why) = r.result { reason = why }
    }
}

/// `proofs/manifest.json`: every entry, ordered by configuration, strategy and obligation.
public struct ProofManifest: Codable, Sendable {
    public var proofs: [ManifestEntry]

    public init(proofs: [ManifestEntry]) { self.proofs = proofs }

    /// Parses a manifest; nil when the text is not one.
    public init?(json: Data) {
        guard let m = try? JSONDecoder().decode(ProofManifest.self, from: json) else { return nil }
        self = m
    }

    /// The manifest after a run: `records`' entries, plus those of `existing` (a manifest from an
    /// earlier run into the same directory) for other queries.
    public init(_ records: [VerificationRecord], solver: String, existing: ProofManifest? = nil) {
        let fresh = records.map { ManifestEntry($0, solver: solver) }
        let keys = Set(fresh.map(\.key))
        let kept = (existing?.proofs ?? []).filter { !keys.contains($0.key) }
        proofs = (kept + fresh).sorted { "\($0.config)/\($0.strategy)/\($0.obligation)" < "\($1.config)/\($1.strategy)/\($1.obligation)" }
    }

    /// Pretty-printed JSON with sorted keys.
    public var json: String { encodeJSON(self) }
}
