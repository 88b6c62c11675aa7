import Foundation

/// A value in a parsed JSON document together with its path (`untypeds[2].sizeBits`), so
/// that every error names the place and the value it found there.
///
/// Parsing is Foundation's `JSONSerialization`; this layer only gives typed, checked access.
public struct JSONNode {
    /// Where the value is; empty for the document itself.
    public let path: String
    let value: Any

    /// Parses `data`; `source` (a file name) appears in the error.
    public static func parse(_ data: Data, source: String) throws(InputError) -> JSONNode {
        let value: Any
        do {
            value = try JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed])
        } catch {
            let reason = (error as NSError).userInfo["NSDebugDescription"] as? String ?? error.localizedDescription
            throw InputError("invalid JSON in \(source): \(reason)")
        }
        // Foundation keeps one of two equal keys silently; the input is ambiguous, so refuse it.
        if let (path, key) = DuplicateKeyScan(Array(data)).first() {
            throw InputError("\(path.isEmpty ? "top level" : path): duplicate field '\(key)' in \(source)")
        }
        return JSONNode(path: "", value: value)
    }

    /// Reads and parses a file.
    public static func load(file: String) throws(InputError) -> JSONNode {
        guard let data = FileManager.default.contents(atPath: file) else {
            let reason = FileManager.default.fileExists(atPath: file) ? "not readable" : "no such file"
            throw InputError("cannot read \(file): \(reason)")
        }
        return try parse(data, source: file)
    }

    /// An error about this value: `"<path>: <problem>"`.
    public func error(_ problem: String) -> InputError {
        InputError("\(path.isEmpty ? "top level" : path): \(problem)")
    }

    /// The value as it appeared, briefly: `50`, `"0x10"`, `an object`.
    public var shown: String {
        switch value {
        case is NSNull: return "null"
        case let s as String: return "\"\(s)\""
        case is [Any]: return "an array"
        case is [String: Any]: return "an object"
        case let n as NSNumber: return n.isBoolean ? (n.boolValue ? "true" : "false") : n.stringValue
        default: return "\(value)"
        }
    }

    // MARK: - Typed access

    /// An object whose keys must all be in `allowed`.
    public func object(allowing allowed: [String]) throws(InputError) -> JSONObject {
        let object = try map()
        for key in object.fields.keys.sorted() where !allowed.contains(key) {
            throw error("unknown field '\(key)' (expected \(allowed.joined(separator: ", ")))")
        }
        return object
    }

    /// An object with arbitrary keys (a map from names to values).
    public func map() throws(InputError) -> JSONObject {
        guard let dictionary = value as? [String: Any] else { throw error("expected an object, found \(shown)") }
        return JSONObject(path: path, fields: dictionary)
    }

    public func array() throws(InputError) -> [JSONNode] {
        guard let items = value as? [Any] else { throw error("expected an array, found \(shown)") }
        return items.enumerated().map { JSONNode(path: "\(path)[\($0.offset)]", value: $0.element) }
    }

    public func string() throws(InputError) -> String {
        guard let s = value as? String else { throw error("expected a string, found \(shown)") }
        return s
    }

    public func bool() throws(InputError) -> Bool {
        guard let n = value as? NSNumber, n.isBoolean else { throw error("expected true or false, found \(shown)") }
        return n.boolValue
    }

    /// A non-negative JSON integer (not a string, not a fraction).
    public func unsigned() throws(InputError) -> UInt64 {
        guard let n = value as? NSNumber, !n.isBoolean else { throw error("\(shown) is not a number") }
        guard let u = n.exactUnsigned else {
            throw error(n.isLargeInteger ? "\(shown) is too large (at most 2^64 - 1)" : "\(shown) is not a non-negative integer")
        }
        return u
    }

    /// An integer in `range`, with `what` naming the range in the error (`for x86_64`).
    public func unsigned(in range: ClosedRange<UInt64>, _ what: String) throws(InputError) -> UInt64 {
        let u = try unsigned()
        guard range.contains(u) else { throw error("\(u) is out of range \(range.lowerBound)...\(range.upperBound) \(what)") }
        return u
    }

    /// An address: a hex string (`"0x8000000000"`) or a JSON integer, at most `limit`.
    public func address(limit: UInt64, _ what: String) throws(InputError) -> UInt64 {
        let a: UInt64
        if let text = value as? String {
            guard text.lowercased().hasPrefix("0x"), let parsed = parseUnsigned(text) else {
                if text.lowercased().hasPrefix("0x"), text.count > 2,
                   text.dropFirst(2).allSatisfy({ $0.isHexDigit || $0 == "_" }) {
                    throw error("\(shown) is too large (at most 2^64 - 1)")
                }
                throw error("\(shown) is not an address (hex \"0x…\" or a JSON integer)")
            }
            a = parsed
        } else {
            a = try unsigned()
        }
        guard a <= limit else { throw error("\(hex(a)) \(what)") }
        return a
    }

    /// A string or an integer (names and indices).
    public enum Key { case index(UInt64), name(String) }

    public func indexOrName() throws(InputError) -> Key {
        if let s = value as? String { return .name(s) }
        if let n = value as? NSNumber, !n.isBoolean, let u = n.exactUnsigned { return .index(u) }
        if let n = value as? NSNumber, n.isLargeInteger { throw error("\(shown) is too large for an index") }
        throw error("expected an index or a name, found \(shown)")
    }
}

/// The fields of a JSON object, each a `JSONNode` with its path.
public struct JSONObject {
    let path: String
    let fields: [String: Any]

    func child(_ key: String) -> String { path.isEmpty ? key : "\(path).\(key)" }

    /// A field that must be present (and not null).
    public func required(_ key: String) throws(InputError) -> JSONNode {
        guard let node = optional(key) else {
            throw InputError("\(path.isEmpty ? "top level" : path): missing field '\(key)'")
        }
        return node
    }

    /// A field that may be absent or null.
    public func optional(_ key: String) -> JSONNode? {
        guard let value = fields[key], !(value is NSNull) else { return nil }
        return JSONNode(path: child(key), value: value)
    }

    /// Every field, in key order.
    public var entries: [(key: String, node: JSONNode)] {
        fields.keys.sorted().map { ($0, JSONNode(path: child($0), value: fields[$0]!)) }
    }
}

extension NSNumber {
    /// JSON `true`/`false` (Foundation gives booleans the `char` encoding).
    var isBoolean: Bool { String(cString: objCType) == "c" }

    /// A non-negative integer too large for a `UInt64` (Foundation parses those as decimals).
    var isLargeInteger: Bool {
        self is NSDecimalNumber && !stringValue.isEmpty && stringValue.allSatisfy(\.isASCIIDigit)
    }

    /// The value as a `UInt64` when it is a non-negative integer that fits.
    var exactUnsigned: UInt64? {
        switch String(cString: objCType) {
        case "d", "f": return nil
        case "Q", "L", "I", "S", "C": return uint64Value
        default: return int64Value >= 0 ? UInt64(int64Value) : nil
        }
    }
}

extension Character {
    var isASCIIDigit: Bool { ("0"..."9").contains(self) }
}

/// Finds the first object key that occurs twice in one object of a JSON text that
/// `JSONSerialization` accepted (so the text is well formed), with the path of that object.
struct DuplicateKeyScan {
    private let bytes: [UInt8]
    private var i = 0

    init(_ bytes: [UInt8]) { self.bytes = bytes }

    /// (path of the object, key) of the first duplicate, if any.
    func first() -> (String, String)? {
        var scan = self
        return scan.value(path: "")
    }

    private mutating func skipSpace() {
        while i < bytes.count, [0x20, 0x09, 0x0a, 0x0d].contains(bytes[i]) { i += 1 }
    }

    /// Scans one value starting at `i`; returns the first duplicate inside it.
    private mutating func value(path: String) -> (String, String)? {
        skipSpace()
        guard i < bytes.count else { return nil }
        switch bytes[i] {
        case UInt8(ascii: "{"):
            i += 1
            var seen: Set<String> = []
            while true {
                skipSpace()
                guard i < bytes.count else { return nil }
                if bytes[i] == UInt8(ascii: "}") { i += 1; return nil }
                if bytes[i] == UInt8(ascii: ",") { i += 1; continue }
                let key = string()
                if !seen.insert(key).inserted { return (path, key) }
                skipSpace()
                if i < bytes.count, bytes[i] == UInt8(ascii: ":") { i += 1 }
                if let found = value(path: path.isEmpty ? key : "\(path).\(key)") { return found }
            }
        case UInt8(ascii: "["):
            i += 1
            var index = 0
            while true {
                skipSpace()
                guard i < bytes.count else { return nil }
                if bytes[i] == UInt8(ascii: "]") { i += 1; return nil }
                if bytes[i] == UInt8(ascii: ",") { i += 1; index += 1; continue }
                if let found = value(path: "\(path)[\(index)]") { return found }
            }
        case UInt8(ascii: "\""):
            _ = string()
            return nil
        default:
            // A number, true, false or null: up to the next delimiter.
            while i < bytes.count, !",]} \t\n\r".utf8.contains(bytes[i]) { i += 1 }
            return nil
        }
    }

    /// A string starting at `i` (at its quote), decoded.
    private mutating func string() -> String {
        let start = i
        i += 1
        var escaped = false
        while i < bytes.count {
            let b = bytes[i]
            i += 1
            if escaped { escaped = false } else if b == UInt8(ascii: "\\") { escaped = true } else if b == UInt8(ascii: "\"") { break }
        }
        let raw = Data(bytes[start..<i])
        return (try? JSONSerialization.jsonObject(with: raw, options: [.fragmentsAllowed]) as? String) ?? String(decoding: raw, as: UTF8.self)
    }
}
