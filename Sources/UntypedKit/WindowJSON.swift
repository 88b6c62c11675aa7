extension KernelWindow {
    /// The window and its object types (`untyped archs --json`).
    public func json(mcs: Bool) -> JSONValue {
        let capPtrKind: String
        var capPtrBits = 0
        switch capPtr {
        case .signExtended(let bits): (capPtrKind, capPtrBits) = ("signExtended", bits)
        case .zeroExtended(let bits): (capPtrKind, capPtrBits) = ("zeroExtended", bits)
        case .dropLow4: capPtrKind = "dropLow4"
        }
        return .object([
            ("name", .string(name)),
            ("summary", .string(summary)),
            ("wordBits", .int(wordBits)),
            ("pptrBaseOffset", .address(pptrBaseOffset)),
            ("offsetAlignmentBits", .int(offsetAlignmentBits)),
            ("paddrBase", .address(paddrBase)),
            ("paddrTop", .address(paddrTop)),
            ("pptrBase", .address(pptrBase)),
            ("pptrTop", .address(pptrTop)),
            ("deviceTop", .address(deviceTop)),
            ("minUntypedBits", .number(KernelWindow.minUntypedBits)),
            ("maxUntypedBits", .number(maxUntypedBits)),
            ("capPtr", .object([("kind", .string(capPtrKind)), ("bits", .int(capPtrBits))])),
            ("freeIndexBits", .int(freeIndexBits)),
            ("cnodeSlotBits", .number(cnodeSlotBits)),
            ("freeMemorySlots", freeMemorySlots.map(JSONValue.int) ?? .null),
            ("mcs", .bool(mcs)),
            ("objectTypes", .array(objectTypes(mcs: mcs).map(\.json))),
        ])
    }
}

extension ObjectType {
    /// `sizeBits` is a number for fixed-size types, else `"untyped"`, `"cnode"` or
    /// `"schedcontext"` (the size argument decides).
    public var json: JSONValue {
        let size: JSONValue
        switch sizing {
        case .fixed(let bits): size = .number(bits)
        case .untyped: size = .string("untyped")
        case .cnode: size = .string("cnode")
        case .schedContext: size = .string("schedcontext")
        }
        return .object([("name", .string(name)), ("kernelName", .string(kernelName)), ("number", .number(number)),
                        ("sizeBits", size), ("frame", .bool(isFrame)), ("deviceAllowed", .bool(deviceAllowed))])
    }

    /// The size as the listing shows it: `11`, or what decides it.
    public var sizeText: String {
        switch sizing {
        case .fixed(let bits): return String(bits)
        case .untyped: return "size arg"
        case .cnode: return "slot + radix"
        case .schedContext: return "size arg (>= 7)"
        }
    }
}
