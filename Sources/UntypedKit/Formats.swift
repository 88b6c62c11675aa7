/// Bad input: a file, a field or an option the tools cannot use. The message is one line
/// that names where the problem is (a JSON path, an option) and what was found there.
public struct InputError: Error, Equatable, CustomStringConvertible {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

/// `0x…`, lower case, no padding: how every address is written.
public func hex(_ value: UInt64) -> String { "0x" + String(value, radix: 16) }

/// A hex (`0x…`, underscores allowed) or decimal unsigned 64-bit number, or nil.
public func parseUnsigned(_ text: String) -> UInt64? {
    let lowered = text.lowercased()
    if lowered.hasPrefix("0x") {
        let digits = lowered.dropFirst(2).filter { $0 != "_" }
        return digits.isEmpty ? nil : UInt64(digits, radix: 16)
    }
    return UInt64(text)
}

extension String {
    /// Without leading and trailing whitespace.
    var trimmed: String {
        var s = Substring(self)
        while s.first?.isWhitespace == true { s.removeFirst() }
        while s.last?.isWhitespace == true { s.removeLast() }
        return String(s)
    }

    /// Without trailing spaces.
    var trimmedTrailing: String {
        var s = Substring(self)
        while s.last == " " { s.removeLast() }
        return String(s)
    }
}

/// A plain-text table: a header row and rows of cells, columns padded to their widest cell,
/// the columns in `rightAligned` (numbers) aligned to the right.
public struct TextTable {
    public var header: [String]
    public var rows: [[String]] = []
    /// Columns (by index) aligned to the right.
    public var rightAligned: Set<Int> = []

    public init(header: [String], rightAligned: Set<Int> = []) {
        self.header = header
        self.rightAligned = rightAligned
    }

    public mutating func append(_ row: [String]) { rows.append(row) }

    public func rendered() -> String {
        let all = [header] + rows
        let columns = all.map(\.count).max() ?? 0
        let widths = (0..<columns).map { column in all.map { $0.indices.contains(column) ? $0[column].count : 0 }.max() ?? 0 }
        return all.map { row in
            row.enumerated().map { column, cell in
                let pad = String(repeating: " ", count: widths[column] - cell.count)
                return rightAligned.contains(column) ? pad + cell : cell + pad
            }.joined(separator: "  ").trimmedTrailing
        }.joined(separator: "\n")
    }
}
