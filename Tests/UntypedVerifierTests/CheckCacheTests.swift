import Foundation
import Testing
@testable import UntypedVerifier

/// The check cache's key is SHA-256: FIPS 180-4 test vectors, block boundaries and a long input.
@Test(arguments: [
    ("", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"),
    ("abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"),
    (String(repeating: "a", count: 55), "9f4390f8d30c2dd92ec9f095b65e2b9ae9b0a925a5258e241c9f1e910f734318"),
    (String(repeating: "a", count: 56), "b35439a4ac6f0948b6d6f9e3c6af0f5f590ce20f1bde7090ef7970686ec6738a"),
    (String(repeating: "a", count: 63), "7d3e74a05d7db15bce4ad9ec0658ea98e3f06eeecf16b4c6fff2da457ddc2f34"),
    (String(repeating: "a", count: 64), "ffe054fe7ae0cb6dc65c3af9b61d5209f439851db43d0ba5997337df154668eb"),
    (String(repeating: "a", count: 65), "635361c48bb9eab14198e76ea8ab7f1a41685d6ad62aa9146d301d4f17eb0ae0"),
    ("é(assert true)", "84dde0f4e6e2b9cbdc7980a53a383d87abd48f95acd692bd57affeaf1d5069d4"),
    (String(repeating: "x", count: 100_003), "68f003dab14596fbb48139f41f183dd7c93a4fbe87b9cc4b621d4a6b4ccf486b"),
])
func sha256(text: String, digest: String) {
    #expect(SHA256.hex(text) == digest)
}

@Test func sha256InPieces() {
    var h = SHA256()
    h.update("a")
    h.update(String(repeating: "a", count: 63))
    h.update("a")
    #expect(h.finalize() == "635361c48bb9eab14198e76ea8ab7f1a41685d6ad62aa9146d301d4f17eb0ae0")
}

private func scratchCache() -> CheckCache {
    CheckCache(directory: NSTemporaryDirectory() + "untyped-cache-test-\(UInt64.random(in: 0...UInt64.max))")
}

@Test func cacheRoundTripsVerdicts() {
    let cache = scratchCache()
    defer { try? FileManager.default.removeItem(atPath: cache.directory) }
    let unsatKey = CheckCache.key(solver: "z3 4.8.12", how: "tactic", preambleDigest: "d", rest: "(check-sat)")
    let satKey = CheckCache.key(solver: "z3 4.8.12", how: "tactic", preambleDigest: "d", rest: "(assert x)(check-sat)")
    #expect(cache.lookup(unsatKey) == nil)
    cache.store(unsatKey, .init(outcome: .unsat, seconds: 1.5))
    cache.store(satKey, .init(outcome: .sat(["a.paddr": 0xe0000000000, "r.has": 1]), seconds: 0.25))
    guard case .unsat = cache.lookup(unsatKey)?.outcome else { Issue.record("unsat not read back"); return }
    #expect(cache.lookup(unsatKey)?.seconds == 1.5)
    guard case .sat(let values) = cache.lookup(satKey)?.outcome else { Issue.record("sat not read back"); return }
    #expect(values == ["a.paddr": 0xe0000000000, "r.has": 1])
}

@Test func cacheNeverKeepsAnUnknownOrATornEntry() throws {
    let cache = scratchCache()
    defer { try? FileManager.default.removeItem(atPath: cache.directory) }
    let key = CheckCache.key(solver: "z3", how: "tactic", preambleDigest: "d", rest: "r")
    cache.store(key, .init(outcome: .unknown("timeout"), seconds: 120))
    #expect(cache.lookup(key) == nil)
    // An entry cut short (or edited) is not trusted.
    try FileManager.default.createDirectory(atPath: (cache.path(key) as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
    try "untyped check cache 1\nseconds 1\n".write(toFile: cache.path(key), atomically: true, encoding: .utf8)
    #expect(cache.lookup(key) == nil)
    try "untyped check cache 1\nseconds 1\nunsat\nextra\n".write(toFile: cache.path(key), atomically: true, encoding: .utf8)
    #expect(cache.lookup(key) == nil)
}

/// Any change of solver, version, tactic or query text is another key.
@Test func cacheKeyCoversSolverTacticAndText() {
    let base = CheckCache.key(solver: "z3 4.8.12", how: "tactic (then simplify bit-blast sat)", preambleDigest: SHA256.hex("pre"), rest: "goal")
    #expect(base != CheckCache.key(solver: "z3 4.8.13", how: "tactic (then simplify bit-blast sat)", preambleDigest: SHA256.hex("pre"), rest: "goal"))
    #expect(base != CheckCache.key(solver: "z3 4.8.12", how: "z3 default solver", preambleDigest: SHA256.hex("pre"), rest: "goal"))
    #expect(base != CheckCache.key(solver: "z3 4.8.12", how: "tactic (then simplify bit-blast sat)", preambleDigest: SHA256.hex("pre "), rest: "goal"))
    #expect(base != CheckCache.key(solver: "z3 4.8.12", how: "tactic (then simplify bit-blast sat)", preambleDigest: SHA256.hex("pre"), rest: "goal2"))
}

/// A run answered from the cache gives the same verdicts and says it was cached; --no-cache
/// (no cache) solves again.
@Test func verifyUsesTheCacheOnlyForIdenticalChecks() throws {
    let cache = scratchCache()
    defer { try? FileManager.default.removeItem(atPath: cache.directory) }
    let window = ProofWindow.any(wordBits: 32)
    let plan = VerificationPlan(windows: [window], strategies: [.offset], obligations: [.noReset], emitDirectory: nil, workers: 2)
    let cold = try Verifier(cache: cache).run(plan)
    let warm = try Verifier(cache: cache).run(plan)
    let uncached = try Verifier().run(plan)
    let noReset = { (records: [VerificationRecord]) in records.first { $0.obligation == .noReset }! }
    #expect(noReset(cold).result.name == "proved" && !noReset(cold).cached)
    #expect(noReset(warm).result.name == "proved" && noReset(warm).cached)
    #expect(noReset(uncached).result.name == "proved" && !noReset(uncached).cached)
    // A mutant's query differs, so nothing of the offset rule's entries answers it.
    let mutant = try Verifier(cache: cache).run(VerificationPlan(windows: [window], strategies: [.mutantSingleHold], obligations: [.noReset],
                                                                 emitDirectory: nil, workers: 2))
    #expect(mutant.first { $0.obligation == .noReset }.map { !$0.cached && $0.result.name == "refuted" } == true)
}
