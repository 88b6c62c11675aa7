import UntypedCore

/// One object a system needs.
public struct PlanObject: Sendable, Equatable {
    /// The cap's name in the trace (unique; names starting with `_` are the planner's).
    public var name: String
    public var type: ObjectType
    /// The size argument of the retype, as traces write it: bits for untypeds and
    /// SchedContexts, the radix for CNodes, the object size for fixed-size types.
    public var userObjSize: UInt64
    /// The required physical address (an anchor), or nil: anywhere.
    public var paddr: UInt64?
    /// true: device memory only; false: normal memory only; nil: an anchor takes whatever
    /// memory is at its address, an un-anchored object normal memory.
    public var device: Bool?
    /// Index of the untyped it must come from.
    public var untyped: Int?

    public init(name: String, type: ObjectType, userObjSize: UInt64, paddr: UInt64? = nil,
                device: Bool? = nil, untyped: Int? = nil) {
        self.name = name
        self.type = type
        self.userObjSize = userObjSize
        self.paddr = paddr
        self.device = device
        self.untyped = untyped
    }

    /// An object of a fixed-size type (the size argument is the object size).
    public init(name: String, type: ObjectType, window: KernelWindow, paddr: UInt64? = nil,
                device: Bool? = nil, untyped: Int? = nil) {
        self.init(name: name, type: type, userObjSize: window.objectSizeBits(type, userObjSize: 0),
                  paddr: paddr, device: device, untyped: untyped)
    }
}

/// What `untyped plan` reads: an untyped list plus the objects to place.
///
///     {"arch": "x86_64", "mcs": false,
///      "untypeds": [{"paddr": "0x8000000000", "sizeBits": 46, "isDevice": true}, …],
///      "objects": [
///        {"name": "uart", "type": "frame", "sizeBits": 21, "paddr": "0xe0000000000"},
///        {"name": "tcb0", "type": "tcb"},
///        {"name": "buf", "type": "frame", "sizeBits": 12, "device": false},
///        {"name": "ut", "type": "untyped", "sizeBits": 20, "untyped": 3}]}
///
/// `type` is a type name of the configuration or `frame` (then `sizeBits` picks the frame);
/// `sizeBits` is the retype's size argument as in traces (required for untyped, cnode (the
/// radix) and schedcontext; for fixed-size types it may be given and must match);
/// `paddr` anchors the object; `device` asks for device (true) or normal (false) memory;
/// `untyped` forces the parent (an index into `untypeds`).
public struct PlanSpec: Sendable {
    public var window: KernelWindow
    public var mcs: Bool
    public var untypeds: [UntypedDescriptor]
    public var objects: [PlanObject]

    public init(window: KernelWindow, mcs: Bool = false, untypeds: [UntypedDescriptor], objects: [PlanObject]) {
        self.window = window
        self.mcs = mcs
        self.untypeds = untypeds
        self.objects = objects
    }

    /// Parses the format and validates it (`validate()`). `arch` (from `--arch`) replaces
    /// the file's `"arch"`; `mcs` (from `--mcs`) turns MCS on whatever the file says.
    public init(json: JSONNode, arch: KernelWindow?, mcs: Bool) throws(InputError) {
        let object = try json.object(allowing: ["arch", "mcs", "untypeds", "objects"])
        let window = try UntypedList.window(of: object, override: arch)
        let fileMCS = try object.optional("mcs")?.bool() ?? false
        let isMCS = mcs || fileMCS
        let untypeds = try UntypedList.untypeds(in: object, window: window)
        var objects: [PlanObject] = []
        for node in try object.required("objects").array() {
            objects.append(try PlanSpec.object(node, window: window, mcs: isMCS, untypeds: untypeds.count))
        }
        self.init(window: window, mcs: isMCS, untypeds: untypeds, objects: objects)
        try validate()
    }

    static func object(_ node: JSONNode, window: KernelWindow, mcs: Bool, untypeds: Int) throws(InputError) -> PlanObject {
        let fields = try node.object(allowing: ["name", "type", "sizeBits", "paddr", "device", "untyped"])
        let name = try fields.required("name").string()
        let sizeNode = fields.optional("sizeBits")
        let sizeBits = try sizeNode?.unsigned(in: 0...UInt64(window.wordBits - 1), "for a \(window.wordBits)-bit kernel")
        let typeNode = try fields.required("type")
        let type: ObjectType
        switch window.resolveObjectType(try typeNode.string(), sizeBits: sizeBits, mcs: mcs) {
        case .success(let t): type = t
        case .failure(let error): throw typeNode.error(error.description)
        }
        let userObjSize: UInt64
        switch type.sizing {
        case .fixed(let bits):
            if let sizeBits, sizeBits != bits, let sizeNode {
                throw sizeNode.error("\(sizeBits), but \(withArticle(type.name)) on \(window.name) is 2^\(bits) bytes")
            }
            userObjSize = bits
        case .untyped, .cnode, .schedContext:
            guard let sizeBits else {
                let what = type.sizing == .cnode ? "sizeBits (the radix, as in traces)" : "sizeBits"
                throw node.error("\(withArticle(type.name)) needs \(what)")
            }
            userObjSize = sizeBits
        }
        let paddr = try fields.optional("paddr")?.address(limit: window.wordMask,
                                                          "does not fit in a \(window.wordBits)-bit word")
        let device = try fields.optional("device")?.bool()
        var forced: Int?
        if let untypedNode = fields.optional("untyped") {
            let index = try untypedNode.unsigned()
            guard index < UInt64(untypeds) else {
                throw untypedNode.error("\(index) is not an index into untypeds (\(untypeds == 0 ? "none" : "0...\(untypeds - 1)"))")
            }
            forced = Int(index)
        }
        return PlanObject(name: name, type: type, userObjSize: userObjSize, paddr: paddr, device: device, untyped: forced)
    }

    // MARK: - Validation

    /// The object size in bits of `objects[i]`.
    public func sizeBits(_ object: PlanObject) -> UInt64 {
        window.objectSizeBits(object.type, userObjSize: object.userObjSize)
    }

    /// The untyped whose memory contains `paddr`, if any.
    public func untypedIndex(containing paddr: UInt64) -> Int? {
        untypeds.firstIndex { $0.paddr <= paddr && paddr < $0.end }
    }

    /// Every check the planner relies on, first failure wins, each one line naming the
    /// field and the value: the untyped list (kernel-shaped, not overlapping), then each
    /// object (name, size, memory kind, anchor inside exactly one untyped, aligned
    /// physically for frames and in kernel space for everything, not past the untyped's
    /// end), then anchors overlapping each other, then un-anchored objects that fit nowhere.
    public func validate() throws(InputError) {
        try validateUntypeds()
        var names: [String: Int] = [:]
        for (i, object) in objects.enumerated() {
            try validate(object, at: i, names: &names)
        }
        try validateAnchorOverlaps()
        for (i, object) in objects.enumerated() where object.paddr == nil {
            try validateFitsSomewhere(object, at: i)
        }
    }

    func validateUntypeds() throws(InputError) {
        for (i, u) in untypeds.enumerated() {
            let path = "untypeds[\(i)]"
            guard window.fitsInWord(u.paddr) else {
                throw InputError("\(path).paddr: \(hex(u.paddr)) does not fit in a \(window.wordBits)-bit word")
            }
            guard (KernelWindow.minUntypedBits...window.maxUntypedBits).contains(u.sizeBits) else {
                throw InputError("\(path).sizeBits: \(u.sizeBits) is out of range 4...\(window.maxUntypedBits) for \(window.name)")
            }
            let pptr = window.pptr(ofPaddr: u.paddr)
            guard pptr & ((1 << u.sizeBits) - 1) == 0 else {
                throw InputError("\(path): pptr \(hex(pptr)) (paddr \(hex(u.paddr))) is not aligned to 2^\(u.sizeBits): "
                                 + "the kernel hands out only size-aligned untypeds")
            }
            guard window.capPtr.load(pptr, wordBits: window.wordBits) == pptr else {
                throw InputError("\(path): pptr \(hex(pptr)) (paddr \(hex(u.paddr))) does not survive capPtr storage "
                                 + "(\(window.capPtr)) on \(window.name)")
            }
            guard window.wordBits == 64 || u.end <= 1 << 32, u.end > u.paddr else {
                throw InputError("\(path): [\(hex(u.paddr)), paddr + 2^\(u.sizeBits)) runs past the end of physical memory")
            }
        }
        let order = untypeds.indices.sorted { untypeds[$0].paddr < untypeds[$1].paddr }
        for (a, b) in zip(order, order.dropFirst()) where untypeds[b].paddr < untypeds[a].end {
            let (first, second) = (min(a, b), max(a, b))
            throw InputError("untypeds[\(second)] \(region(untypeds[second])) overlaps untypeds[\(first)] \(region(untypeds[first]))")
        }
    }

    func region(_ u: UntypedDescriptor) -> PhysicalRegion { PhysicalRegion(start: u.paddr, end: u.end) }

    /// `[start, end)` of an anchored object.
    public func anchorRegion(_ object: PlanObject) -> PhysicalRegion? {
        object.paddr.map { PhysicalRegion(start: $0, end: $0 &+ (1 << sizeBits(object))) }
    }

    func memoryKind(_ u: UntypedDescriptor) -> String { u.isDevice ? "device memory" : "normal memory" }

    func validate(_ object: PlanObject, at i: Int, names: inout [String: Int]) throws(InputError) {
        let path = "objects[\(i)]"
        let type = object.type
        // Name.
        guard !object.name.isEmpty else { throw InputError("\(path).name: empty name") }
        guard !object.name.hasPrefix("_") else {
            throw InputError("\(path).name: '\(object.name)' starts with '_', which is reserved for the planner's dummies")
        }
        if let first = names[object.name] {
            throw InputError("\(path).name: '\(object.name)' is already used by objects[\(first)]")
        }
        names[object.name] = i

        // Type and size, as the kernel checks them.
        let size = sizeBits(object)
        switch (type.sizing, type.userSizeRange(on: window)) {
        case (.fixed(let bits), _):
            guard object.userObjSize == bits else {
                throw InputError("\(path).sizeBits: \(object.userObjSize), but \(withArticle(type.name)) on \(window.name) is 2^\(bits) bytes")
            }
        case (.cnode, let range?) where !range.contains(object.userObjSize):
            throw InputError("\(path).sizeBits: radix \(object.userObjSize) is out of range \(range.lowerBound)...\(range.upperBound) for a cnode on "
                             + "\(window.name) (2^\(window.cnodeSlotBits)-byte slots, seL4_MaxUntypedBits \(window.maxUntypedBits))")
        case (_, let range?) where !range.contains(object.userObjSize):
            throw InputError("\(path).sizeBits: \(object.userObjSize) is out of range \(range.lowerBound)...\(range.upperBound) for \(withArticle(type.name)) on \(window.name)")
        default:
            break
        }

        // Memory kind asked for.
        if object.device == true, !type.deviceAllowed {
            throw InputError("\(path).device: true, but \(withArticle(type.name)) cannot be made from device memory "
                             + "(only frames and untypeds can)")
        }
        if let forced = object.untyped {
            let u = untypeds[forced]
            if u.isDevice, !type.deviceAllowed {
                throw InputError("\(path).untyped: untypeds[\(forced)] is device memory; \(withArticle(type.name)) can only be made from normal memory")
            }
            if let device = object.device, device != u.isDevice {
                throw InputError("\(path).untyped: untypeds[\(forced)] is \(memoryKind(u)), but \"device\": \(device)")
            }
            if size > u.sizeBits {
                throw InputError("\(path): a 2^\(size)-byte \(type.name) is larger than untypeds[\(forced)] (2^\(u.sizeBits) bytes)")
            }
        }

        // The anchor.
        guard let paddr = object.paddr else { return }
        let at = hex(paddr)
        guard let index = untypedIndex(containing: paddr) else {
            throw InputError("\(path).paddr: \(at) is not inside any untyped")
        }
        let u = untypeds[index]
        if let forced = object.untyped, forced != index {
            throw InputError("\(path).paddr: \(at) is not inside untypeds[\(forced)] \(region(untypeds[forced])) (it is in untypeds[\(index)])")
        }
        if size > u.sizeBits {
            throw InputError("\(path): a 2^\(size)-byte \(type.name) is larger than untypeds[\(index)] \(region(u)) "
                             + "(2^\(u.sizeBits) bytes), which contains paddr \(at)")
        }
        let mask: UInt64 = (1 << size) - 1
        if type.isFrame, paddr & mask != 0 {
            throw InputError("\(path).paddr: \(at) is not aligned to 2^\(size) (\(withArticle(type.name)) must be physically aligned to its size)")
        }
        let offset = paddr - u.paddr
        if offset & mask != 0 {
            throw InputError("\(path).paddr: \(at) is \(hex(offset)) bytes into untypeds[\(index)] (paddr \(hex(u.paddr))), "
                             + "not a multiple of 2^\(size): the kernel places \(withArticle(type.name)) only where its "
                             + "kernel-virtual address (pptr \(hex(window.pptr(ofPaddr: paddr)))) is aligned to its size")
        }
        let end = paddr &+ (1 << size)
        if end > u.end || end < paddr {
            throw InputError("\(path) '\(object.name)' [\(at), \(hex(end))) runs past the end of untypeds[\(index)] \(region(u))")
        }
        if u.isDevice, !type.deviceAllowed {
            throw InputError("\(path).paddr: \(at) is device memory (untypeds[\(index)]); \(withArticle(type.name)) can only be made from normal memory")
        }
        if let device = object.device, device != u.isDevice {
            throw InputError("\(path).device: \(device), but paddr \(at) is \(memoryKind(u)) (untypeds[\(index)])")
        }
    }

    func validateAnchorOverlaps() throws(InputError) {
        let anchors = objects.indices.filter { objects[$0].paddr != nil }
            .sorted { (objects[$0].paddr!, $0) < (objects[$1].paddr!, $1) }
        var furthest: Int?   // the anchor reaching highest so far
        for b in anchors {
            if let a = furthest, anchorRegion(objects[b])!.start < anchorRegion(objects[a])!.end {
                let (first, second) = (min(a, b), max(a, b))
                throw InputError("objects[\(first)] '\(objects[first].name)' \(anchorRegion(objects[first])!) overlaps "
                                 + "objects[\(second)] '\(objects[second].name)' \(anchorRegion(objects[second])!)")
            }
            if furthest == nil || anchorRegion(objects[b])!.end > anchorRegion(objects[furthest!])!.end { furthest = b }
        }
    }

    /// Whether an un-anchored object may come from `untypeds[index]`.
    public func mayUse(_ object: PlanObject, untyped index: Int) -> Bool {
        if let forced = object.untyped { return forced == index }
        return untypeds[index].isDevice == (object.device ?? false)
    }

    func validateFitsSomewhere(_ object: PlanObject, at i: Int) throws(InputError) {
        let size = sizeBits(object)
        let eligible = untypeds.indices.filter { mayUse(object, untyped: $0) }
        guard eligible.contains(where: { untypeds[$0].sizeBits >= size }) else {
            let kind = object.device == true ? "device" : "normal"
            let largest = eligible.map { untypeds[$0].sizeBits }.max()
            throw InputError("objects[\(i)] '\(object.name)': no \(kind) untyped can hold a 2^\(size)-byte \(object.type.name) "
                             + (largest.map { "(the largest is 2^\($0) bytes)" } ?? "(there is none)"))
        }
    }
}

extension PlanSpec {
    /// The document (`untyped campaign` can write the systems it generates).
    public var json: JSONValue {
        var fields: [(String, JSONValue)] = [("arch", .string(window.name))]
        if mcs { fields.append(("mcs", .bool(true))) }
        fields.append(("untypeds", .array(untypeds.map(\.json))))
        fields.append(("objects", .array(objects.map { o in
            var f: [(String, JSONValue)] = [("name", .string(o.name)), ("type", .string(o.type.name)),
                                            ("sizeBits", .number(o.userObjSize))]
            if let paddr = o.paddr { f.append(("paddr", .address(paddr))) }
            if let device = o.device { f.append(("device", .bool(device))) }
            if let untyped = o.untyped { f.append(("untyped", .int(untyped))) }
            return .object(f)
        })))
        return .object(fields)
    }
}

/// "a tcb", "an untyped", "an endpoint".
func withArticle(_ name: String) -> String {
    ("aeiou".contains(name.first ?? "x") ? "an " : "a ") + name
}
