import Foundation

/// Why the verifier could not do its job (not a verdict on an obligation).
public enum VerifierError: Error, CustomStringConvertible {
    case io(String)
    case solver(String)

    public var description: String {
        switch self {
        case .io(let m): return m
        case .solver(let m): return m
        }
    }
}

func getenvString(_ name: String) -> String? { ProcessInfo.processInfo.environment[name] }

func readText(_ path: String) throws(VerifierError) -> String {
    guard let data = FileManager.default.contents(atPath: path), let text = String(data: data, encoding: .utf8) else {
        throw .io("cannot read \(path)")
    }
    return text
}

func writeText(_ text: String, to path: String) throws(VerifierError) {
    let dir = (path as NSString).deletingLastPathComponent
    do {
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        try text.write(toFile: path, atomically: true, encoding: .utf8)
    } catch {
        throw .io("cannot write \(path): \(error.localizedDescription)")
    }
}

/// Monotonic seconds.
func now() -> Double { Double(DispatchTime.now().uptimeNanoseconds) / 1e9 }
