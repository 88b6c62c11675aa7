/// JSON as the tools write it: keys in the order given, addresses as hex strings, objects
/// whose values are all scalars on one line (one untyped or object per line).
public indirect enum JSONValue {
    case null
    case bool(Bool)
    case int(Int)
    case string(String)
    case array([JSONValue])
    case object([(String, JSONValue)])

    /// An address: `"0x…"`.
    public static func address(_ value: UInt64) -> JSONValue { .string(hex(value)) }
    /// A small unsigned number (size bits, counts, indices).
    public static func number(_ value: UInt64) -> JSONValue {
        value <= UInt64(Int.max) ? .int(Int(value)) : .string(hex(value))
    }

    /// The document text, without a trailing newline.
    public func rendered(indent: String = "") -> String {
        switch self {
        case .null: return "null"
        case .bool(let b): return b ? "true" : "false"
        case .int(let i): return String(i)
        case .string(let s): return JSONValue.quoted(s)
        case .array(let items):
            if items.isEmpty { return "[]" }
            let inner = indent + "  "
            return "[\n" + items.map { inner + $0.rendered(indent: inner) }.joined(separator: ",\n") + "\n\(indent)]"
        case .object(let fields):
            if fields.isEmpty { return "{}" }
            if fields.allSatisfy({ $0.1.isScalar }) {
                return "{" + fields.map { "\(JSONValue.quoted($0.0)): \($0.1.rendered())" }.joined(separator: ", ") + "}"
            }
            let inner = indent + "  "
            return "{\n" + fields.map { "\(inner)\(JSONValue.quoted($0.0)): \($0.1.rendered(indent: inner))" }
                .joined(separator: ",\n") + "\n\(indent)}"
        }
    }

    var isScalar: Bool {
        switch self {
        case .array, .object: return false
        default: return true
        }
    }

    static func quoted(_ s: String) -> String {
        var out = "\""
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where scalar.value < 0x20: out += unicodeEscape(scalar.value)
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }
}

/// `\u00XX` for a control character.
private func unicodeEscape(_ value: UInt32) -> String {
    let digits = String(value, radix: 16)
    return "\\u" + String(repeating: "0", count: 4 - digits.count) + digits
}
