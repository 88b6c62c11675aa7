/// The hand-written specifications (specs/) and where generated proofs go (proofs/).
public struct SpecLibrary: Sendable {
    /// The repository root: `UNTYPED_ROOT` if set, else found from this source file's path.
    public let root: String

    public init(root: String? = nil) {
        if let root { self.root = root; return }
        if let env = getenvString("UNTYPED_ROOT") { self.root = env; return }
        // .../Sources/UntypedVerifier/SpecLibrary.swift → ...
        var parts = #filePath.split(separator: "/", omittingEmptySubsequences: false)
        parts.removeLast(3)
        self.root = parts.joined(separator: "/")
    }

    public var specsDirectory: String { root + "/specs" }
    public var proofsDirectory: String { root + "/proofs" }

    /// The kernel semantics and invariants for a word width, as one SMT-LIB text.
    public func specText(wordBits: Int) throws(VerifierError) -> String {
        let kernel = try readText(specsDirectory + "/kernel-\(wordBits).smt2")
        let invariants = try readText(specsDirectory + "/invariants-\(wordBits).smt2")
        return "; ==== specs/kernel-\(wordBits).smt2\n" + kernel + "\n; ==== specs/invariants-\(wordBits).smt2\n" + invariants
    }
}
