import ArgumentParser
import Foundation
import UntypedCore
import UntypedKit
import UntypedVerifier

/// `untyped verify`: prove the allocator against the kernel semantics with Z3.
struct VerifyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Prove, with Z3 over bit-vectors, that a strategy agrees with the kernel on every kernel window.",
        discussion: """
            For each configuration, strategy and obligation the command runs the Swift core on Z3 \
            bit-vector terms, joins the result with the hand-written kernel semantics in specs/, \
            and asks Z3 for an input that breaks the obligation, goal by goal, after a vacuity \
            check (the assumptions must be satisfiable). A counterexample is replayed through the \
            concrete core before it is reported. Obligations: \
            \(Obligation.allCases.map(\.rawValue).joined(separator: ", ")).

            Allocator obligations are first tried in a reduced form (the dummy search as a free \
            input, or under its contract proved by induction over its rounds) and, if not proved \
            there, with the strategy's own search. A proof on any-64 or any-32 covers every \
            catalogue window of that width: with --arch all those cells read "proved via any-W" \
            and only the rest is solved per window.

            Exit codes: 0 all proved, 1 any refuted (or --check-proofs found stale files), \
            2 usage error, 3 any unknown or timeout.
            """)

    @OptionGroup var selection: ProofSelection
    @OptionGroup var output: OutputOptions

    @Option(help: ArgumentHelp("Write every query as a self-contained .smt2 file (and manifest.json) below DIR.", valueName: "DIR"))
    var emitSmt: String?

    @Flag(help: "Regenerate every query listed in proofs/manifest.json and compare it with the committed file; fail when any differs or is missing. Solves nothing; ignores the selection options.")
    var checkProofs = false

    @Option(help: "Solver threads (one Z3 context each).")
    var jobs: Int = 2

    @Flag(help: ArgumentHelp("Solve every check, neither reading nor writing the check cache.", discussion: "By default verdicts are cached under $XDG_CACHE_HOME/untyped/checks (else ~/.cache/untyped/checks), keyed by the SHA-256 of the solver and its version, the tactic and the exact query text; a query answered entirely from the cache prints \"proved (cached)\"."))
    var noCache = false

    @Option(help: .hidden)
    var form: String?

    func validate() throws {
        if let form, SearchForm(rawValue: form) == nil {
            throw ValidationError("--form: unknown form '\(form)' (known: \(SearchForm.allCases.map(\.rawValue).joined(separator: ", ")))")
        }
    }

    func run() throws {
        let windows = try selection.windows(), strategies = try selection.strategies(), obligations = try selection.obligations()
        let plan = VerificationPlan(windows: windows, strategies: strategies, obligations: obligations,
                                    emitDirectory: emitSmt, workers: max(1, jobs), form: form.flatMap(SearchForm.init(rawValue:)))
        let verifier = Verifier(timeoutMilliseconds: selection.timeout * 1000, cache: noCache ? nil : CheckCache.userDefault)
        if checkProofs {
            try checkCommittedProofs(verifier)
            return
        }
        let started = Date()
        let records = try verifier.run(plan)
        let total = Date().timeIntervalSince(started)
        if let dir = emitSmt {
            let path = dir + "/manifest.json"
            let existing = FileManager.default.contents(atPath: path).flatMap(ProofManifest.init(json:))
            try? ProofManifest(records, solver: "z3 \(verifier.solverVersion)", existing: existing).json
                .write(toFile: path, atomically: true, encoding: .utf8)
        }
        print(output.json ? VerificationReport(records).json : table(records, total: total))
        if records.contains(where: { if case .refuted = $0.result { true } else { false } }) { throw ExitStatus.failed.exitCode }
        if records.contains(where: { if case .unknown = $0.result { true } else { false } }) { throw ExitStatus.unknown.exitCode }
    }

    /// Regenerates each query the manifest lists and compares it with its committed file.
    func checkCommittedProofs(_ verifier: Verifier) throws {
        let dir = verifier.library.proofsDirectory
        guard let data = FileManager.default.contents(atPath: dir + "/manifest.json"),
              let manifest = ProofManifest(json: data) else {
            throw InputError("proofs/manifest.json: missing or not a manifest (write one with --emit-smt proofs)")
        }
        let entries = manifest.proofs
        var files = Set<String>(), requests: [(obligation: Obligation, window: ProofWindow, strategy: StrategyUnderTest, form: SearchForm)] = []
        var paths: [String] = []
        for (i, e) in entries.enumerated() {
            let file = e.file
            guard let obligation = Obligation(rawValue: e.obligation),
                  let strategy = e.strategy == "kernel" ? StrategyUnderTest.offset : StrategyUnderTest(cliName: e.strategy) else {
                throw InputError("proofs/manifest.json: proofs[\(i)] is not a valid entry")
            }
            // Entries covered by a symbolic window's proof share its file: check each file once.
            guard files.insert(file).inserted else { continue }
            let name = e.via ?? e.config
            let window = try ProofWindow.resolve(name, source: "proofs/manifest.json: proofs[\(i)].config")
            requests.append((obligation, window, strategy, SearchForm(rawValue: e.form) ?? .strategySearch))
            paths.append(file)
        }
        var stale = 0
        for (file, query) in zip(paths, try verifier.queries(requests, workers: jobs)) {
            let committed = try? String(contentsOfFile: dir + "/" + file, encoding: .utf8)
            if committed != query.proof {
                stale += 1
                print("stale: proofs/\(file)")
            }
        }
        print("\(files.count - stale) of \(files.count) committed query files (\(entries.count) manifest entries) are up to date")
        if stale > 0 { throw ExitStatus.failed.exitCode }
    }

    func table(_ records: [VerificationRecord], total: Double) -> String {
        let obligations = Obligation.allCases.filter { o in records.contains { $0.obligation == o } }
        var rows: [[String]] = []
        var keys: [String] = []
        var cells: [String: [Obligation: String]] = [:]
        for r in records {
            let strategies = Set(records.compactMap(\.strategy)).sorted { $0.order < $1.order }.map(\.cliName)
            for s in (r.strategy.map { [$0.cliName] } ?? (strategies.isEmpty ? ["-"] : strategies)) {
                let key = "\(r.window.name)\t\(s)"
                if cells[key] == nil { keys.append(key); cells[key] = [:] }
                cells[key]![r.obligation] = r.via.map { "\(r.result.name) via \($0.name)" }
                    ?? (r.cached ? "\(r.result.name) (cached)" : "\(r.result.name) \(String(format: "%.1fs", r.seconds))")
            }
        }
        for key in keys {
            let parts = key.split(separator: "\t").map(String.init)
            rows.append(parts + obligations.map { cells[key]![$0] ?? "-" })
        }
        var t = TextTable(header: ["CONFIG", "STRATEGY"] + obligations.map { $0.rawValue.uppercased() }, rightAligned: [])
        for row in rows { t.append(row) }
        var lines = [t.rendered()]
        for r in records where r.via == nil {
            switch r.result {
            case .refuted(let c): lines.append("refuted: \(r.window.name) \(r.strategy?.cliName ?? "kernel") \(r.obligation.rawValue): \(c.explanation)")
            case .unknown(let why): lines.append("unknown: \(r.window.name) \(r.strategy?.cliName ?? "kernel") \(r.obligation.rawValue): \(why)")
            case .proved: break
            }
        }
        let count = { (n: String) in records.filter { $0.result.name == n }.count }
        let cached = records.filter(\.cached).count
        lines.append("\(records.count) obligations: \(count("proved")) proved, \(count("refuted")) refuted, \(count("unknown")) unknown in \(String(format: "%.1f", total)) s"
                     + (cached > 0 ? " (\(cached) answered from the check cache; --no-cache solves them again)" : ""))
        return lines.joined(separator: "\n")
    }
}
