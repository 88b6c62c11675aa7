import Foundation
import UntypedCore

/// What one `untyped verify` run checks, and where it writes.
public struct VerificationPlan: Sendable {
    public var windows: [ProofWindow]
    public var strategies: [Strategy]
    public var obligations: [Obligation]
    /// Write every query to DIR/<window>/<strategy|kernel>/<obligation>.smt2.
    public var emitDirectory: String?
    /// Parallel solver workers.
    public var workers: Int

    public init(windows: [ProofWindow], strategies: [Strategy], obligations: [Obligation], emitDirectory: String?, workers: Int) {
        self.windows = windows
        self.strategies = strategies
        self.obligations = obligations
        self.emitDirectory = emitDirectory
        self.workers = workers
    }

    /// The (window, strategy, obligation) triples, strategy-independent obligations once per window.
    public var jobs: [(ProofWindow, Strategy, Obligation)] {
        var jobs: [(ProofWindow, Strategy, Obligation)] = []
        for w in windows {
            for o in obligations where !o.dependsOnStrategy { jobs.append((w, strategies.first ?? .offset, o)) }
            for s in strategies { for o in obligations where o.dependsOnStrategy { jobs.append((w, s, o)) } }
        }
        return jobs
    }
}

/// Where a query's file lives below a proofs directory.
public func proofPath(window: String, strategy: Strategy?, obligation: Obligation) -> String {
    "\(window)/\(strategy?.cliName ?? "kernel")/\(obligation.rawValue).smt2"
}

extension Verifier {
    /// Runs the plan on `plan.workers` threads (one Z3 context each); records in plan order.
    public func run(_ plan: VerificationPlan, progress: @Sendable (VerificationRecord) -> Void = { _ in }) throws(VerifierError) -> [VerificationRecord] {
        let jobs = plan.jobs
        let results = Locked([VerificationRecord?](repeating: nil, count: jobs.count))
        let failure = Locked<VerifierError?>(nil)
        let next = Locked(0)
        let workers = max(1, min(plan.workers, jobs.count))
        DispatchQueue.concurrentPerform(iterations: workers) { _ in
            while true {
                let i: Int = next.withLock { n in defer { n += 1 }; return n }
                guard i < jobs.count else { return }
                let (w, s, o) = jobs[i]
                do {
                    let record = try verify(o, window: w, strategy: s)
                    if let dir = plan.emitDirectory {
                        try writeText(record.query.proof, to: dir + "/" + proofPath(window: w.name, strategy: record.strategy, obligation: o))
                    }
                    results.withLock { $0[i] = record }
                    progress(record)
                } catch let e as VerifierError {
                    failure.withLock { $0 = e }
                } catch {
                    failure.withLock { $0 = .solver("\(error)") }
                }
            }
        }
        if let e = failure.withLock({ $0 }) { throw e }
        return results.withLock { $0.compactMap { $0 } }
    }
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

/// The manifest of proofs/: one entry per query with its result, solver and time. Entries of
/// `existing` (a manifest from an earlier run into the same directory) for other files are kept.
public func manifestJSON(_ records: [VerificationRecord], solver: String, existing: String? = nil) -> String {
    var previous: [[String: Any]] = []
    if let existing, let object = try? JSONSerialization.jsonObject(with: Data(existing.utf8)) as? [String: Any],
       let proofs = object["proofs"] as? [[String: Any]] {
        let fresh = Set(records.map { proofPath(window: $0.window, strategy: $0.strategy, obligation: $0.obligation) })
        previous = proofs.filter { !fresh.contains(($0["file"] as? String) ?? "") }
    }
    let entries = previous + records.map { r -> [String: Any] in
        var e: [String: Any] = ["config": r.window, "strategy": r.strategy?.cliName ?? "kernel", "obligation": r.obligation.rawValue,
                                "file": proofPath(window: r.window, strategy: r.strategy, obligation: r.obligation),
                                "result": r.result.name, "seconds": (r.seconds * 100).rounded() / 100, "solver": solver]
        if case .unknown(let why) = r.result { e["reason"] = why }
        return e
    }
    let sorted = entries.sorted { ($0["file"] as? String ?? "") < ($1["file"] as? String ?? "") }
    let data = (try? JSONSerialization.data(withJSONObject: ["proofs": sorted], options: [.prettyPrinted, .sortedKeys])) ?? Data()
    return String(decoding: data, as: UTF8.self)
}
