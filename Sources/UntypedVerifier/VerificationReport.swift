import Foundation

/// What `untyped verify --json` prints: one entry per checked (configuration, strategy,
/// obligation), with the counterexample or the reason where there is one.
public struct VerificationReport: Codable, Sendable {
    public var results: [Entry]

    public struct Entry: Codable, Sendable {
        public var config: String
        /// A strategy's command-line name, or "kernel" for the strategy-independent obligations.
        public var strategy: String
        public var obligation: String
        public var result: String
        public var seconds: Double
        /// How the checked query treated the dummy search (none for an entry covered "via" another window).
        public var form: String?
        public var counterexample: CounterexampleReport?
        /// Why the result is unknown.
        public var reason: String?
        /// The symbolic window whose proof covers this entry.
        public var via: String?
        /// Every check was answered by the check cache (nil: solved in this run).
        public var cached: Bool?
    }

    /// A refutation: what goes wrong in words, and the input values (hex).
    public struct CounterexampleReport: Codable, Sendable {
        public var explanation: String
        /// The counterexample reproduced on the concrete core (always, for a reported refutation).
        public var reproduced: Bool
        public var inputs: [String: String]
    }

    public init(_ records: [VerificationRecord]) {
        results = records.map { r in
            var e = Entry(config: r.window.name, strategy: r.strategy?.cliName ?? "kernel", obligation: r.obligation.rawValue,
                          result: r.result.name, seconds: (r.seconds * 1000).rounded() / 1000, via: r.via?.name,
                          cached: r.cached ? true : nil)
            if r.via == nil { e.form = r.form.rawValue }
            switch r.result {
            case .refuted(let c):
                e.counterexample = CounterexampleReport(explanation: c.explanation, reproduced: c.reproduced,
                                                        inputs: Dictionary(uniqueKeysWithValues: c.inputs.map { ($0.name, hex($0.value)) }))
            case .unknown(let why): e.reason = why
            case .proved: break
            }
            return e
        }
    }

    /// Pretty-printed JSON with sorted keys (as the manifest).
    public var json: String { encodeJSON(self) }
}

/// The verifier's JSON documents (reports, manifests): pretty-printed, keys sorted.
func encodeJSON<T: Encodable>(_ value: T) -> String {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
    return (try? encoder.encode(value)).map { String(decoding: $0, as: UTF8.self) } ?? "{}"
}
