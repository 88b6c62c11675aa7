/// `seL4_UntypedDesc`: one untyped as bootinfo describes it.
public struct UntypedDescriptor: Equatable, Sendable {
    /// Physical base address.
    public var paddr: UInt64
    /// log2 of the size in bytes.
    public var sizeBits: UInt64
    public var isDevice: Bool

    public init(paddr: UInt64, sizeBits: UInt64, isDevice: Bool) {
        self.paddr = paddr
        self.sizeBits = sizeBits
        self.isDevice = isDevice
    }

    /// The physical end (exclusive), in 64-bit arithmetic: exactly 2^32 for the last
    /// untyped of a 32-bit kernel whose device top is 2^32.
    public var end: UInt64 { paddr &+ (1 << sizeBits) }

    public var json: JSONValue {
        .object([("paddr", .address(paddr)), ("sizeBits", .number(sizeBits)), ("isDevice", .bool(isDevice))])
    }
}

/// The untyped-list format:
///
///     {"arch": "x86_64", "untypeds": [{"paddr": "0x8000000000", "sizeBits": 46, "isDevice": true}]}
///
/// `isDevice` defaults to false. Every untyped must be one the kernel could hand out: its
/// pptr aligned to its size and surviving capPtr storage.
public struct UntypedList {
    public var window: KernelWindow
    public var untypeds: [UntypedDescriptor]

    public init(window: KernelWindow, untypeds: [UntypedDescriptor]) {
        self.window = window
        self.untypeds = untypeds
    }

    /// Parses the format; `arch` (from `--arch`) replaces the file's `"arch"`.
    public init(json: JSONNode, arch: KernelWindow?) throws(InputError) {
        let object = try json.object(allowing: ["arch", "untypeds"])
        let window = try UntypedList.window(of: object, override: arch)
        self.init(window: window, untypeds: try UntypedList.untypeds(in: object, window: window))
    }

    /// The document: arch, then one line per untyped.
    public var json: JSONValue {
        .object([("arch", .string(window.name)), ("untypeds", .array(untypeds.map(\.json)))])
    }

    /// The configuration of a document: `override`, else its `"arch"` field.
    static func window(of object: JSONObject, override: KernelWindow?) throws(InputError) -> KernelWindow {
        if let override { return override }
        guard let node = object.optional("arch") else {
            throw InputError("top level: missing field 'arch' (or give --arch)")
        }
        return try KernelWindow.resolve(try node.string(), source: node.path)
    }

    /// The `"untypeds"` array of a document (untyped lists and traces).
    static func untypeds(in object: JSONObject, window: KernelWindow) throws(InputError) -> [UntypedDescriptor] {
        var result: [UntypedDescriptor] = []
        for node in try object.required("untypeds").array() {
            let fields = try node.object(allowing: ["paddr", "sizeBits", "isDevice"])
            let paddr = try fields.required("paddr").address(limit: window.wordMask,
                                                             "does not fit in a \(window.wordBits)-bit word")
            let sizeBits = try fields.required("sizeBits").unsigned(
                in: KernelWindow.minUntypedBits...window.maxUntypedBits, "for \(window.name)")
            let isDevice = try fields.optional("isDevice")?.bool() ?? false
            let pptr = window.pptr(ofPaddr: paddr)
            guard pptr & ((1 << sizeBits) - 1) == 0 else {
                throw node.error("pptr \(hex(pptr)) (paddr \(hex(paddr))) is not aligned to 2^\(sizeBits): "
                                 + "the kernel hands out only size-aligned untypeds")
            }
            guard window.capPtr.load(pptr, wordBits: window.wordBits) == pptr else {
                throw node.error("pptr \(hex(pptr)) (paddr \(hex(paddr))) does not survive capPtr storage "
                                 + "(\(window.capPtr)) on \(window.name)")
            }
            result.append(UntypedDescriptor(paddr: paddr, sizeBits: sizeBits, isDevice: isDevice))
        }
        return result
    }
}
