import Foundation

/// The results of earlier solver checks, so that `untyped verify` on an unchanged tree does not
/// solve again. An entry is keyed by the SHA-256 of the solver's name and version, the way it
/// was asked (the tactic, or Z3's own strategy for satisfiable checks) and the exact query text:
/// a change to any of them is a different key, so a stale entry is never used. Only verdicts
/// are kept (`unsat`, or `sat` with the model's input values); an unknown or a timeout is
/// never cached. The cache lives under the user's cache directory, never in the repository.
public struct CheckCache: Sendable {
    /// The directory holding one file per entry.
    public let directory: String

    public init(directory: String) { self.directory = directory }

    /// `$XDG_CACHE_HOME/untyped/checks`, else `$HOME/.cache/untyped/checks`; nil when neither
    /// variable is set.
    public static var userDefault: CheckCache? {
        let env = ProcessInfo.processInfo.environment
        if let xdg = env["XDG_CACHE_HOME"], xdg.hasPrefix("/") { return CheckCache(directory: xdg + "/untyped/checks") }
        if let home = env["HOME"], !home.isEmpty { return CheckCache(directory: home + "/.cache/untyped/checks") }
        return nil
    }

    /// A cached verdict and the solver seconds it took when it was solved.
    struct Entry {
        var outcome: Verifier.CheckOutcome
        var seconds: Double
    }

    /// The key of one check: `solver` (name and version), `how` (tactic or strategy), and the
    /// query text, given as the digest of its preamble and the rest of the text (the query is
    /// the preamble followed by `rest`).
    static func key(solver: String, how: String, preambleDigest: String, rest: String) -> String {
        SHA256.hex("untyped check cache 1\n\(solver)\n\(how)\n\(preambleDigest)\n\(rest)")
    }

    func path(_ key: String) -> String { directory + "/" + key.prefix(2) + "/" + key }

    /// The entry for `key`, if one was stored and reads back whole.
    func lookup(_ key: String) -> Entry? {
        guard let data = FileManager.default.contents(atPath: path(key)) else { return nil }
        let lines = String(decoding: data, as: UTF8.self).split(separator: "\n").map(String.init)
        guard lines.count >= 3, lines[0] == "untyped check cache 1", lines[1].hasPrefix("seconds "),
              let seconds = Double(lines[1].dropFirst("seconds ".count)) else { return nil }
        switch lines[2] {
        case "unsat":
            return lines.count == 3 ? Entry(outcome: .unsat, seconds: seconds) : nil
        case "sat":
            var values: [String: UInt64] = [:]
            for line in lines.dropFirst(3) {
                let parts = line.split(separator: " ")
                guard parts.count == 2, let v = UInt64(parts[1].dropFirst(2), radix: 16), parts[1].hasPrefix("0x") else { return nil }
                values[String(parts[0])] = v
            }
            return Entry(outcome: .sat(values), seconds: seconds)
        default:
            return nil
        }
    }

    /// Stores a verdict (an unknown is not stored). Written to a temporary file and renamed,
    /// so a concurrent reader sees the whole entry or none. Failures to write are ignored: the
    /// cache only saves time.
    func store(_ key: String, _ entry: Entry) {
        var text = "untyped check cache 1\nseconds \(String(format: "%.3f", entry.seconds))\n"
        switch entry.outcome {
        case .unsat: text += "unsat\n"
        case .sat(let values): text += "sat\n" + values.keys.sorted().map { "\($0) 0x\(String(values[$0]!, radix: 16))\n" }.joined()
        case .unknown: return
        }
        let final = path(key)
        let dir = (final as NSString).deletingLastPathComponent
        let temporary = final + ".\(ProcessInfo.processInfo.processIdentifier).\(UInt64.random(in: 0...UInt64.max))"
        do {
            try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
            try text.write(toFile: temporary, atomically: false, encoding: .utf8)
            if rename(temporary, final) != 0 { try? FileManager.default.removeItem(atPath: temporary) }
        } catch {
            try? FileManager.default.removeItem(atPath: temporary)
        }
    }
}
