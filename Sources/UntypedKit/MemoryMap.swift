/// A physical address range `[start, end)`.
public struct PhysicalRegion: Equatable, Sendable, CustomStringConvertible {
    public var start: UInt64
    public var end: UInt64

    public init(start: UInt64, end: UInt64) {
        self.start = start
        self.end = end
    }

    public var isEmpty: Bool { start >= end }
    public var description: String { "[\(hex(start)), \(hex(end)))" }
}

/// What the kernel is told about physical memory at boot:
///
///     {"arch": "x86_64", "ram": [{"start": "0x100000", "end": "0x80000000"}],
///      "reserved": [{"start": …, "end": …}], "deviceTop": "0x800000000000"}
///
/// * `ram`: the available memory regions as the kernel receives them (after the boot
///   code's own filtering, e.g. x86 ignores memory below 1 MiB). Non-empty, not overlapping;
///   any order (the kernel wants them sorted, this tool sorts them).
/// * `reserved`: memory that becomes neither free RAM nor device untyped: the kernel image,
///   the user image, the device tree, the root server's objects, kernel devices. Not
///   overlapping; adjacent regions are merged, as the kernel does. Optional.
/// * `deviceTop`: `CONFIG_PADDR_USER_DEVICE_TOP`, default the configuration's.
/// * `bootMemoryReuse`: optional; the kernel's boot-only code and data, inside a reserved
///   region, which the kernel hands out as normal untypeds after the device untypeds.
public struct MemoryMap {
    public var window: KernelWindow
    public var ram: [PhysicalRegion]
    public var reserved: [PhysicalRegion]
    public var deviceTop: UInt64
    public var bootMemoryReuse: PhysicalRegion?

    public init(window: KernelWindow, ram: [PhysicalRegion], reserved: [PhysicalRegion] = [],
                deviceTop: UInt64? = nil, bootMemoryReuse: PhysicalRegion? = nil) {
        self.window = window
        self.ram = ram
        self.reserved = reserved
        self.deviceTop = deviceTop ?? window.deviceTop
        self.bootMemoryReuse = bootMemoryReuse
    }

    /// Parses and validates the format; `arch` (from `--arch`) replaces the file's `"arch"`.
    public init(json: JSONNode, arch: KernelWindow?) throws(InputError) {
        let object = try json.object(allowing: ["arch", "ram", "reserved", "deviceTop", "bootMemoryReuse"])
        let window = try UntypedList.window(of: object, override: arch)
        let wordLimit = "does not fit in a \(window.wordBits)-bit word"
        func regions(_ key: String) throws(InputError) -> [PhysicalRegion] {
            guard let node = object.optional(key) else { return [] }
            var result: [PhysicalRegion] = []
            for item in try node.array() { result.append(try MemoryMap.region(item, window: window)) }
            return result
        }
        let deviceTopLimit = window.wordBits == 64 ? UInt64.max : 1 << 32
        self.init(window: window, ram: try regions("ram"), reserved: try regions("reserved"),
                  deviceTop: try object.optional("deviceTop")?.address(
                      limit: deviceTopLimit, window.wordBits == 64 ? wordLimit : "is above 2^32"),
                  bootMemoryReuse: try object.optional("bootMemoryReuse").map { node throws(InputError) in
                      try MemoryMap.region(node, window: window) })
        try validate()
    }

    static func region(_ node: JSONNode, window: KernelWindow) throws(InputError) -> PhysicalRegion {
        let fields = try node.object(allowing: ["start", "end"])
        let limit = "does not fit in a \(window.wordBits)-bit word"
        return PhysicalRegion(start: try fields.required("start").address(limit: window.wordMask, limit),
                              end: try fields.required("end").address(limit: window.wordMask, limit))
    }

    /// The checks the kernel makes on its memory description (`init_freemem`,
    /// `check_available_memory`, `check_reserved_memory`), with errors naming the field.
    public func validate() throws(InputError) {
        for (i, r) in ram.enumerated() {
            guard window.fitsInWord(r.start), window.fitsInWord(r.end) else {
                throw InputError("ram[\(i)]: \(r) does not fit in a \(window.wordBits)-bit word")
            }
            guard r.start < r.end else {
                throw InputError("ram[\(i)]: start \(hex(r.start)) is not below end \(hex(r.end))")
            }
        }
        for (i, r) in reserved.enumerated() {
            guard window.fitsInWord(r.start), window.fitsInWord(r.end) else {
                throw InputError("reserved[\(i)]: \(r) does not fit in a \(window.wordBits)-bit word")
            }
            guard r.start <= r.end else {
                throw InputError("reserved[\(i)]: start \(hex(r.start)) is above end \(hex(r.end))")
            }
        }
        try MemoryMap.checkDisjoint(ram, "ram")
        try MemoryMap.checkDisjoint(reserved, "reserved")
        guard deviceTop != 0 else {
            throw InputError("deviceTop: 0 is not a device top (it is the exclusive end of physical memory, above every region)")
        }
        guard deviceTop <= (window.wordBits == 64 ? UInt64.max : 1 << 32) else {
            throw InputError("deviceTop: \(hex(deviceTop)) is above 2^\(window.wordBits)")
        }
        if let boot = bootMemoryReuse, !boot.isEmpty {
            guard boot.start >= window.paddrBase, boot.end <= window.paddrTop else {
                throw InputError("bootMemoryReuse: \(boot) is not inside the kernel window "
                                 + "[\(hex(window.paddrBase)), \(hex(window.paddrTop))) of \(window.name)")
            }
            guard reserved.contains(where: { $0.start <= boot.start && boot.end <= $0.end }) else {
                throw InputError("bootMemoryReuse: \(boot) is not inside a reserved region (the kernel image)")
            }
        }
    }

    /// Non-empty regions must not overlap; the error names both by their index in the file.
    static func checkDisjoint(_ regions: [PhysicalRegion], _ key: String) throws(InputError) {
        let order = regions.indices.filter { !regions[$0].isEmpty }.sorted { regions[$0].start < regions[$1].start }
        for (a, b) in zip(order, order.dropFirst()) where regions[b].start < regions[a].end {
            let (first, second) = (min(a, b), max(a, b))
            throw InputError("\(key)[\(second)]: \(regions[second]) overlaps \(key)[\(first)] \(regions[first])")
        }
    }
}
