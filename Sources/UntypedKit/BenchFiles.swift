import Foundation

/// One proof of proofs/manifest.json (`untyped verify --emit-smt proofs`).
public struct BenchProof: Sendable {
    public var config: String
    public var strategy: String
    public var obligation: String
    public var result: String
    public var seconds: Double
    public var solver: String
}

/// One row of embedded/out/sizes.txt (written by embedded/build.sh): section bytes of
/// UntypedCore.o, all and kept by --gc-sections, and the undefined symbols kept.
public struct BenchFootprint: Sendable {
    public var target: String
    /// text, rodata, data, bss.
    public var all: [Int]
    public var kept: [Int]
    public var undefined: String
}

extension Bench {
    /// The proofs of `path`, or nil when there is no manifest (or it does not parse).
    public static func proofs(manifest path: String) -> [BenchProof]? {
        guard let data = FileManager.default.contents(atPath: path),
              let root = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
              let entries = root["proofs"] as? [[String: Any]] else { return nil }
        return entries.map { e in
            BenchProof(config: e["config"] as? String ?? "?", strategy: e["strategy"] as? String ?? "?",
                       obligation: e["obligation"] as? String ?? "?", result: e["result"] as? String ?? "?",
                       seconds: (e["seconds"] as? NSNumber)?.doubleValue ?? 0, solver: e["solver"] as? String ?? "?")
        }
    }

    /// The rows of `path`, or nil when embedded/build.sh has not written it.
    public static func footprint(sizes path: String) -> [BenchFootprint]? {
        guard let data = FileManager.default.contents(atPath: path) else { return nil }
        var rows: [BenchFootprint] = []
        for line in String(decoding: data, as: UTF8.self).split(separator: "\n") {
            let f = line.split(separator: " ").map(String.init)
            guard f.count >= 9 else { continue }
            let numbers = f[1...8].compactMap { Int($0) }
            guard numbers.count == 8 else { continue }
            rows.append(BenchFootprint(target: f[0], all: Array(numbers[0..<4]), kept: Array(numbers[4..<8]),
                                       undefined: f.count > 9 ? f[9...].joined(separator: " ") : "none"))
        }
        return rows
    }
}
