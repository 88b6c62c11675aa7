import Foundation
import UntypedCore

/// One object of a capDL spec, resolved for one kernel configuration.
public struct CapDLObject: Sendable, Equatable {
    /// Index in the spec's `objects` (its object id).
    public var id: Int
    /// The name in traces: the capDL name (`capdl:`-prefixed when it starts with `_`, which
    /// traces reserve for dummies), or `objects[<id>]` for an unnamed object.
    public var name: String
    /// Whether the spec gave a name.
    public var named: Bool
    /// The name as the spec gives it.
    public var specName: String?
    /// The enum variant: `Frame`, `Tcb`, `Endpoint`, …
    public var variant: String
    /// The object type the initializer retypes, or nil for objects not made from untyped
    /// memory (IRQs, I/O ports, SMC, domain sets, I/O spaces).
    public var type: ObjectType?
    /// The retype's size argument as the trace writes it (radix for CNodes, bits for
    /// untypeds and SchedContexts, the object size for fixed-size types).
    public var userObjSize: UInt64
    /// Object size in bits (`physical_size_bits`), 0 when `type` is nil.
    public var sizeBits: UInt64
    /// Only Frame and Untyped carry one.
    public var paddr: UInt64?

    /// `objects[3] 'uart'`: how errors name it.
    public var label: String { specName.map { "objects[\(id)] '\($0)'" } ?? "objects[\(id)]" }
    /// The initializer's `{:?}` of the name (`"<unnamed>"` when there is none).
    public var initializerName: String { specName ?? "<unnamed>" }

    public init(id: Int, name: String, named: Bool, variant: String, type: ObjectType?, userObjSize: UInt64, sizeBits: UInt64,
                paddr: UInt64?) {
        self.id = id
        self.named = named
        self.specName = named ? name : nil
        self.name = named ? (name.hasPrefix("_") ? "capdl:" + name : name) : "objects[\(id)]"
        self.variant = variant
        self.type = type
        self.userObjSize = userObjSize
        self.sizeBits = sizeBits
        self.paddr = paddr
    }
}

/// A capDL spec in the serde JSON form of rust-sel4's `sel4-capdl-initializer-types`
/// `Spec` (what `microkit --capdl-json` and `parse-capDL --json` write), plus the bootinfo
/// untyped list it is to be built from.
///
/// Objects are externally tagged enums (`{"Frame": {"size_bits": 12, "paddr": null, …}}`,
/// unit variants as `"Endpoint"` or `{"Endpoint": null}`); object ids are indices into
/// `objects`; ranges are `{"start", "end"}`; cap tables are `[{"slot", "cap"}]` or
/// `[[slot, cap]]`. Fields serde would ignore are ignored; every object id is checked.
public struct CapDLSpec: Sendable {
    public var window: KernelWindow
    public var mcs: Bool
    /// MCS was turned on because the spec has SchedContext or Reply objects.
    public var mcsFromSpec: Bool
    public var untypeds: [UntypedDescriptor]
    public var objects: [CapDLObject]
    /// `root_objects`: the objects made from the bootinfo untypeds.
    public var rootObjects: Range<Int>
    /// `untyped_covers`: children retyped, in id order, from a spec Untyped.
    public var covers: [(parent: Int, children: Range<Int>)]

    /// Every spec variant, in the serde enum's order.
    public static let variants = ["Untyped", "Endpoint", "Notification", "CNode", "Tcb", "Irq", "VCpu", "Frame",
                                  "PageTable", "AsidPool", "IOSpace", "IOPageTable", "ArmIrq", "IrqMsi", "IrqIOApic",
                                  "RiscvIrq", "IOPorts", "SchedContext", "Reply", "ArmSmc", "DomainSet"]
    /// The unit variants (no payload).
    static let unitVariants: Set<String> = ["Endpoint", "Notification", "VCpu", "Reply", "ArmSmc", "DomainSet"]
    /// Every cap variant.
    static let capVariants: Set<String> = ["Untyped", "Endpoint", "Notification", "CNode", "Tcb", "IrqHandler", "VCpu",
                                           "Frame", "PageTable", "AsidPool", "IOSpace", "IOPageTable", "ArmIrqHandler",
                                           "IrqMsiHandler", "IrqIOApicHandler", "RiscvIrqHandler", "IOPorts",
                                           "SchedContext", "Reply", "ArmSmc", "DomainSet"]
    /// `seL4_ASIDPoolBits` (every architecture): the initializer retypes an ASID pool as an
    /// untyped of this size.
    static let asidPoolBits: UInt64 = 12

    public init(window: KernelWindow, mcs: Bool, mcsFromSpec: Bool = false, untypeds: [UntypedDescriptor],
                objects: [CapDLObject], rootObjects: Range<Int>, covers: [(parent: Int, children: Range<Int>)]) {
        self.window = window
        self.mcs = mcs
        self.mcsFromSpec = mcsFromSpec
        self.untypeds = untypeds
        self.objects = objects
        self.rootObjects = rootObjects
        self.covers = covers
    }

    /// Parses the spec and the untyped list (`bootinfo --json`), and checks both
    /// (`validate()`). `arch` (from `--arch`) replaces the untyped list's `"arch"`; `mcs`
    /// (from `--mcs`) turns MCS on, as does a SchedContext or Reply object in the spec.
    public init(spec json: JSONNode, untypeds list: JSONNode, arch: KernelWindow?, mcs: Bool) throws(InputError) {
        let untypedList = try UntypedList(json: list, arch: arch)
        let window = untypedList.window
        let top = try json.map()
        let objectNodes = try top.req("objects").array()

        // Which configuration: MCS when asked or when the spec has MCS-only objects.
        var wantsMCS = false
        for node in objectNodes {
            if let fields = node.value as? [String: Any], let object = fields["object"],
               let variant = try? CapDLSpec.variantName(JSONNode(path: "", value: object)),
               variant == "SchedContext" || variant == "Reply" {
                wantsMCS = true
            }
        }
        let isMCS = mcs || wantsMCS
        var objects: [CapDLObject] = []
        var names: [String: Int] = [:]
        for (i, node) in objectNodes.enumerated() {
            let object = try CapDLSpec.object(node, id: i, count: objectNodes.count, window: window, mcs: isMCS)
            if let first = names[object.name] {
                throw InputError("\(object.label): the name is already used by objects[\(first)]")
            }
            names[object.name] = i
            objects.append(object)
        }
        let count = objectNodes.count
        let roots: Range<Int>
        if let node = top.opt("root_objects") {
            roots = try CapDLSpec.range(node, count: count)
        } else {
            roots = 0..<count
        }
        var covers: [(parent: Int, children: Range<Int>)] = []
        if let node = top.opt("untyped_covers") {
            for item in try node.array() {
                let fields = try item.map()
                let parent = try CapDLSpec.objectID(fields.req("parent"), count: count)
                let children = try CapDLSpec.range(fields.req("children"), count: count)
                covers.append((parent, children))
            }
        }
        if let node = top.opt("irqs") {
            for item in try node.array() {
                let handler: JSONNode
                if item.value is [Any] {
                    let pair = try item.array()
                    guard pair.count == 2 else { throw item.error("expected {\"irq\", \"handler\"} or [irq, handler]") }
                    handler = pair[1]
                } else {
                    handler = try item.map().req("handler")
                }
                _ = try CapDLSpec.objectID(handler, count: count)
            }
        }
        if let node = top.opt("asid_slots") {
            for item in try node.array() { _ = try CapDLSpec.objectID(item, count: count) }
        }
        self.init(window: window, mcs: isMCS, mcsFromSpec: wantsMCS && !mcs, untypeds: untypedList.untypeds,
                  objects: objects, rootObjects: roots, covers: covers)
        try validate()
    }

    // MARK: - Parsing

    /// The variant of an externally tagged enum value: a bare string, or an object with one key.
    static func variantName(_ node: JSONNode) throws(InputError) -> String {
        if let s = node.value as? String { return s }
        let fields = try node.map()
        let keys = fields.entries.map(\.key)
        guard keys.count == 1 else {
            throw node.error("expected an externally tagged variant (a string or an object with one key), found \(keys.count) keys")
        }
        return keys[0]
    }

    /// An object id: a number below `count`.
    static func objectID(_ node: JSONNode, count: Int) throws(InputError) -> Int {
        let id = try node.unsigned()
        guard id < UInt64(count) else {
            throw node.error("object id \(id) is dangling (objects has \(count == 0 ? "none" : "ids 0...\(count - 1)"))")
        }
        return Int(id)
    }

    /// `{"start": a, "end": b}` with a ≤ b ≤ count.
    static func range(_ node: JSONNode, count: Int) throws(InputError) -> Range<Int> {
        let fields = try node.map()
        let start = try fields.req("start").unsigned()
        let endNode = try fields.req("end")
        let end = try endNode.unsigned()
        guard start <= end else { throw node.error("start \(start) is after end \(end)") }
        guard end <= UInt64(count) else {
            throw endNode.error("object id range end \(end) is dangling (objects has \(count))")
        }
        return Int(start)..<Int(end)
    }

    static func object(_ node: JSONNode, id: Int, count: Int, window: KernelWindow, mcs: Bool) throws(InputError) -> CapDLObject {
        let fields = try node.map()
        var name = "objects[\(id)]"
        var named = false
        if let nameNode = fields.opt("name") {
            name = try nameNode.string()
            named = true
        }
        let objectNode = try fields.req("object")
        var object = CapDLObject(id: id, name: name, named: named, variant: "", type: nil, userObjSize: 0, sizeBits: 0, paddr: nil)
        func fail(_ problem: String) -> InputError { InputError("\(object.label): \(problem)") }

        let variant: String
        do { variant = try variantName(objectNode) } catch { throw fail(error.message) }
        object.variant = variant
        guard variants.contains(variant) else {
            throw fail("unknown object variant '\(variant)' (expected one of \(variants.joined(separator: ", ")))")
        }
        // The payload: null for unit variants, an object otherwise.
        var payload: JSONObject?
        if let map = try? objectNode.map(), let inner = map.opt(variant) {
            guard !unitVariants.contains(variant) else {
                throw fail("\(variant) is a unit variant: expected \"\(variant)\" or {\"\(variant)\": null}, found \(inner.shown)")
            }
            do { payload = try inner.map() } catch { throw fail(error.message) }
        } else if !unitVariants.contains(variant) {
            throw fail("\(variant) needs its fields ({\"\(variant)\": {…}})")
        }

        // Object ids in cap tables.
        if let payload, let slots = payload.opt("slots") {
            try checkSlots(slots, count: count, object: object)
        }

        func field(_ key: String) throws(InputError) -> JSONNode {
            do { return try payload!.req(key) } catch { throw fail(error.message) }
        }
        func sizeBits(_ limit: UInt64) throws(InputError) -> UInt64 {
            let node = try field("size_bits")
            do { return try node.unsigned(in: 0...limit, "(a u8)") } catch { throw fail(error.message) }
        }
        func paddr() throws(InputError) -> UInt64? {
            guard let node = payload!.opt("paddr") else { return nil }
            do { return try node.address(limit: window.wordMask, "does not fit in a \(window.wordBits)-bit word") } catch {
                throw fail(error.message)
            }
        }
        func type(_ typeName: String, sizeBits: UInt64? = nil, why: String = "") throws(InputError) -> ObjectType {
            switch window.resolveObjectType(typeName, sizeBits: sizeBits, mcs: mcs) {
            case .success(let t): return t
            case .failure(let e):
                if case .notAFrameSize = e { throw fail("\(variant) size_bits: \(e.description)") }
                throw fail("\(variant): \(window.name)\(mcs ? " (MCS)" : "") has no \(typeName) object\(why) (\(e.description))")
            }
        }

        switch variant {
        case "Untyped":
            object.userObjSize = try sizeBits(255)
            object.type = try type("untyped")
            object.paddr = try paddr()
        case "Frame":
            let bits = try sizeBits(255)
            object.type = try type("frame", sizeBits: bits)
            object.userObjSize = bits
            object.paddr = try paddr()
        case "CNode":
            object.userObjSize = try sizeBits(255)
            object.type = try type("cnode")
        case "SchedContext":
            object.userObjSize = try sizeBits(255)
            object.type = try type("schedcontext")
        case "Endpoint": object.type = try type("endpoint")
        case "Notification": object.type = try type("notification")
        case "Tcb": object.type = try type("tcb")
        case "Reply": object.type = try type("reply")
        case "VCpu": object.type = try type("vcpu", why: " (a hypervisor configuration has one)")
        case "AsidPool":
            object.type = try type("untyped")
            object.userObjSize = asidPoolBits
        case "IOPageTable": object.type = try type("iopagetable")
        case "PageTable":
            object.type = try pageTable(payload!, window: window, mcs: mcs, fail: fail)
        default:
            object.type = nil   // not made from untyped memory
        }
        if let t = object.type {
            if t.isFixedSize { object.userObjSize = window.objectSizeBits(t, userObjSize: 0) }
            object.sizeBits = window.objectSizeBits(t, userObjSize: object.userObjSize)
        }
        return object
    }

    /// The type of a `PageTable` on this architecture (rust-sel4's `blueprint()`).
    static func pageTable(_ payload: JSONObject, window: KernelWindow, mcs: Bool,
                          fail: (String) -> InputError) throws(InputError) -> ObjectType {
        func bool(_ key: String) throws(InputError) -> Bool {
            guard let node = payload.opt(key) else { return false }
            do { return try node.bool() } catch { throw fail(error.message) }
        }
        let isRoot = try bool("is_root")
        if try bool("x86_ept") { throw fail("PageTable: x86_ept page tables need VT-x, which \(window.name) does not model") }
        var level: UInt64?
        if let node = payload.opt("level") {
            do { level = try node.unsigned(in: 0...255, "(a u8)") } catch { throw fail(error.message) }
        }
        let name: String
        switch window.family {
        case .x86_64:
            guard let level else { throw fail("PageTable: level is null, but x86_64 page tables need a level (0 = PML4 … 3 = PT)") }
            let byLevel = ["pml4", "pdpt", "pagedirectory", "pagetable"]
            guard level < 4 else { throw fail("PageTable: level \(level) is out of range 0...3 on x86_64") }
            guard isRoot == (level == 0) else { throw fail("PageTable: is_root \(isRoot) with level \(level) (only level 0 is the root)") }
            name = byLevel[Int(level)]
        case .ia32:
            name = (isRoot || level == 0) ? "pagedirectory" : "pagetable"
        case .aarch64:
            name = isRoot ? "vspace" : "pagetable"
        case .aarch32:
            name = isRoot ? "pagedirectory" : "pagetable"
        case .riscv64, .riscv32:
            name = "pagetable"
        }
        guard case .success(let t) = window.resolveObjectType(name, sizeBits: nil, mcs: mcs) else {
            throw fail("PageTable: \(window.name) has no \(name) object")
        }
        return t
    }

    /// A cap table: `[{"slot": n, "cap": {"Variant": {"object": id, …}}}]` or `[[n, cap]]`.
    static func checkSlots(_ node: JSONNode, count: Int, object: CapDLObject) throws(InputError) {
        func fail(_ e: InputError) -> InputError { InputError("\(object.label): \(e.message)") }
        do throws(InputError) {
            for entry in try node.array() {
                let slot: JSONNode, cap: JSONNode
                if entry.value is [Any] {
                    let pair = try entry.array()
                    guard pair.count == 2 else { throw entry.error("expected {\"slot\", \"cap\"} or [slot, cap]") }
                    (slot, cap) = (pair[0], pair[1])
                } else {
                    let fields = try entry.map()
                    (slot, cap) = (try fields.req("slot"), try fields.req("cap"))
                }
                _ = try slot.unsigned()
                let variant = try variantName(cap)
                guard capVariants.contains(variant) else {
                    throw cap.error("unknown cap variant '\(variant)'")
                }
                guard let body = try cap.map().opt(variant) else { throw cap.error("\(variant) cap without fields") }
                _ = try objectID(try body.map().req("object"), count: count)
            }
        } catch { throw fail(error) }
    }

    // MARK: - Validation

    /// The objects the initializer makes from bootinfo untypeds: root objects made from
    /// untyped memory, in id order.
    public var rootAllocated: [CapDLObject] { objects[rootObjects].filter { $0.type != nil } }

    /// The untyped (index) whose memory contains `paddr`.
    public func untypedIndex(containing paddr: UInt64) -> Int? {
        untypeds.firstIndex { $0.paddr <= paddr && paddr < $0.end }
    }

    /// The checks, first failure wins, each naming the object by its capDL name: sizes in
    /// range, covers well formed, every root object with a paddr inside one untyped, aligned
    /// physically (frames) and in kernel space, not past the untyped's end, not overlapping
    /// another, and every other object fitting in some normal untyped.
    public func validate() throws(InputError) {
        for o in objects where o.type != nil {
            let t = o.type!
            guard let range = t.userSizeRange(on: window), !range.contains(o.userObjSize) else { continue }
            let what = t.sizing == .cnode ? "size_bits (the radix)" : "size_bits"
            throw InputError("\(o.label) (\(o.variant)): \(what) \(o.userObjSize) is out of range \(range.lowerBound)...\(range.upperBound) on \(window.name)")
        }
        var childOf: [Int: Int] = [:]
        for (k, cover) in covers.enumerated() {
            let parent = objects[cover.parent]
            guard parent.variant == "Untyped" else {
                throw InputError("untyped_covers[\(k)]: parent \(parent.label) is \(withArticle(parent.variant.lowercased())), not an Untyped")
            }
            for c in cover.children {
                if let other = childOf[c] {
                    throw InputError("\(objects[c].label) is a child in untyped_covers[\(other)] and untyped_covers[\(k)]")
                }
                childOf[c] = k
                if rootObjects.contains(c) {
                    throw InputError("\(objects[c].label) is both a root object and a child in untyped_covers[\(k)]")
                }
                if c == cover.parent { throw InputError("\(objects[c].label) is its own child in untyped_covers[\(k)]") }
            }
        }
        let roots = rootAllocated
        for o in roots where o.paddr != nil {
            try validateAnchor(o)
        }
        let anchors = roots.filter { $0.paddr != nil }.sorted { ($0.paddr!, $0.id) < ($1.paddr!, $1.id) }
        var furthest: CapDLObject?
        for b in anchors {
            if let a = furthest, b.paddr! < a.paddr! &+ (1 << a.sizeBits) {
                throw InputError("\(b.label) (\(b.variant)) [\(hex(b.paddr!)), \(hex(b.paddr! &+ (1 << b.sizeBits)))) overlaps "
                                 + "\(a.label) [\(hex(a.paddr!)), \(hex(a.paddr! &+ (1 << a.sizeBits))))")
            }
            if furthest == nil || b.paddr! &+ (1 << b.sizeBits) > furthest!.paddr! &+ (1 << furthest!.sizeBits) { furthest = b }
        }
        let normal = untypeds.filter { !$0.isDevice }.map(\.sizeBits).max()
        for o in roots where o.paddr == nil {
            guard let normal, normal >= o.sizeBits else {
                throw InputError("\(o.label) (\(o.variant)): no normal-memory untyped can hold a 2^\(o.sizeBits)-byte object "
                                 + (normal.map { "(the largest is 2^\($0) bytes)" } ?? "(there is none)"))
            }
        }
    }

    func validateAnchor(_ o: CapDLObject) throws(InputError) {
        let paddr = o.paddr!
        let at = hex(paddr)
        let what = "\(o.label) (\(o.variant), 2^\(o.sizeBits) bytes)"
        guard let u = untypedIndex(containing: paddr) else {
            throw InputError("\(what): paddr \(at) is not inside any untyped")
        }
        let ut = untypeds[u]
        let region = "untypeds[\(u)] [\(hex(ut.paddr)), \(hex(ut.end)))"
        let mask: UInt64 = (1 << o.sizeBits) &- 1
        if o.variant == "Frame", paddr & mask != 0 {
            throw InputError("\(what): paddr \(at) is not aligned to 2^\(o.sizeBits) (a frame must be physically aligned to its size)")
        }
        let offset = paddr - ut.paddr
        if o.sizeBits > ut.sizeBits || offset & mask != 0 {
            throw InputError("\(what): paddr \(at) is \(hex(offset)) bytes into \(region), not a multiple of 2^\(o.sizeBits): "
                             + "the kernel places it only where its kernel-virtual address (pptr \(hex(window.pptr(ofPaddr: paddr)))) "
                             + "is aligned to its size")
        }
        let end = paddr &+ (1 << o.sizeBits)
        if end > ut.end || end < paddr {
            throw InputError("\(what): [\(at), \(hex(end))) runs past the end of \(region)")
        }
        if ut.isDevice, !(o.type?.deviceAllowed ?? false) {
            throw InputError("\(what): paddr \(at) is device memory (\(region)); only frames and untypeds can be made there")
        }
    }
}

extension JSONObject {
    /// `optional` without the casts that make a large document slow: a failed cast of a
    /// container (`is NSNull` on a dictionary) bridges the whole container to Foundation.
    func opt(_ key: String) -> JSONNode? {
        guard let value = fields[key] else { return nil }
        if !(value is [String: Any] || value is [Any] || value is String), value is NSNull { return nil }
        return JSONNode(path: child(key), value: value)
    }

    /// `required`, the same way.
    func req(_ key: String) throws(InputError) -> JSONNode {
        guard let node = opt(key) else { throw InputError("\(path.isEmpty ? "top level" : path): missing field '\(key)'") }
        return node
    }
}
