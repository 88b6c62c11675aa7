import UntypedCore

/// How the kernel sizes the objects of a type (`getObjectSize`).
public enum ObjectSizing: Sendable, Equatable {
    /// A fixed size in bits; the size argument is only range-checked.
    case fixed(UInt64)
    /// Untyped: object size = size argument.
    case untyped
    /// CNode: object size = slot bits + size argument (the radix).
    case cnode
    /// SchedContext (MCS): object size = size argument.
    case schedContext

    /// The core's `ObjectClass` code.
    func objectClass<W: Word>() -> W {
        switch self {
        case .fixed: return ObjectClass.fixed()
        case .untyped: return ObjectClass.untyped()
        case .cnode: return ObjectClass.cnode()
        case .schedContext: return ObjectClass.schedContext()
        }
    }
}

/// One object type of one configuration, numbered and sized as that kernel does.
public struct ObjectType: Sendable, Equatable {
    /// The name traces and the planner use: `tcb`, `cnode`, `largepage`, …
    public let name: String
    /// The libsel4 enumerator: `seL4_TCBObject`, `seL4_X86_LargePageObject`, …
    public let kernelName: String
    /// `seL4_ObjectType` value in this configuration (MCS shifts the arch types by 2).
    public let number: UInt64
    public let sizing: ObjectSizing
    /// A frame (page) type.
    public let isFrame: Bool
    /// Other names accepted for it (`vspace`, `4k`, …).
    public let aliases: [String]

    /// Device untypeds may become this type (frames and untypeds only, reference section 5).
    public var deviceAllowed: Bool { isFrame || sizing == .untyped }

    /// The object size in bits the kernel computes for size argument `userObjSize`.
    public func objectSizeBits(userObjSize: UInt64, cnodeSlotBits: UInt64) -> UInt64 {
        switch sizing {
        case .fixed(let bits): return bits
        case .untyped, .schedContext: return userObjSize
        case .cnode: return cnodeSlotBits &+ userObjSize
        }
    }

    /// The size arguments the kernel accepts for this type on `window` (nil for fixed-size
    /// types, whose argument is ignored): untypeds 4...seL4_MaxUntypedBits, CNode radixes up to
    /// what keeps the CNode within seL4_MaxUntypedBits, scheduling contexts from
    /// seL4_MinSchedContextBits.
    public func userSizeRange(on window: KernelWindow) -> ClosedRange<UInt64>? {
        let max = window.maxUntypedBits
        switch sizing {
        case .fixed: return nil
        case .untyped: return KernelWindow.minUntypedBits...max
        case .cnode: return 1...(max > window.cnodeSlotBits ? max - window.cnodeSlotBits : 0)
        case .schedContext: return KernelConstants.minSchedContextBits()...max
        }
    }

    /// The core's description of `seL4_Untyped_Retype(type, userObjSize, …, count)`.
    public func retypeRequest<W: MachineWord>(userObjSize: W, count: W) -> RetypeRequest<W> {
        var fixedBits: W = 0
        if case .fixed(let bits) = sizing { fixedBits = W(bits) }
        return RetypeRequest(typeValid: true, objectClass: sizing.objectClass(), fixedSizeBits: fixedBits,
                             deviceAllowed: deviceAllowed, userObjSize: userObjSize, count: count)
    }

    /// Whether `name` (case-insensitive) names this type.
    func isNamed(_ name: String) -> Bool {
        let n = name.lowercased()
        return n == self.name || n == kernelName.lowercased() || aliases.contains(n)
    }
}

/// What an Untyped_Retype asks for: a type of this kernel, or a type number it does not
/// have (the kernel answers InvalidArgument(0)).
public enum RetypeTarget: Sendable, Equatable {
    case type(ObjectType)
    case invalidNumber(UInt64)

    public var displayName: String {
        switch self {
        case .type(let t): return t.name
        case .invalidNumber(let n): return "type \(n)"
        }
    }

    /// The core's description of the retype.
    public func retypeRequest<W: MachineWord>(userObjSize: W, count: W) -> RetypeRequest<W> {
        switch self {
        case .type(let t):
            return t.retypeRequest(userObjSize: userObjSize, count: count)
        case .invalidNumber:
            return RetypeRequest(typeValid: false, objectClass: ObjectClass.fixed(), fixedSizeBits: 0,
                                 deviceAllowed: false, userObjSize: userObjSize, count: count)
        }
    }
}

/// The architecture-specific object types (`seL4_ModeObjectType`, `seL4_ArchObjectType`),
/// in the kernel's numbering order after the five architecture-independent types.
public enum ObjectTypeFamily: Sendable, Equatable {
    /// With CONFIG_HUGE_PAGE and CONFIG_IOMMU, without VT-x.
    case x86_64
    /// With CONFIG_IOMMU, without VT-x.
    case ia32
    /// `vspaceBits` is 13 for a hypervisor kernel with a 40-bit PA (concatenated stage-2 root).
    case aarch64(hypervisor: Bool, vspaceBits: UInt64)
    case aarch32(hypervisor: Bool)
    /// Sv39.
    case riscv64
    case riscv32

    /// `seL4_NotificationBits` without MCS (MCS adds one bit).
    var notificationBits: UInt64 { wordBits == 64 ? 5 : 4 }
    /// `seL4_ReplyBits` (MCS).
    var replyBits: UInt64 { wordBits == 64 ? 5 : 4 }

    public var wordBits: Int {
        switch self {
        case .x86_64, .aarch64, .riscv64: return 64
        case .ia32, .aarch32, .riscv32: return 32
        }
    }

    /// The architecture's types, first one numbered 5 (7 with MCS).
    var archTypes: [ArchTypeSpec] {
        switch self {
        case .x86_64:
            return [.init("pdpt", "seL4_X86_PDPTObject", 12),
                    .init("pml4", "seL4_X64_PML4Object", 12, aliases: ["vspace"]),
                    .init("hugepage", "seL4_X64_HugePageObject", 30, frame: true),
                    .init("4k", "seL4_X86_4K", 12, frame: true, aliases: ["smallpage"]),
                    .init("largepage", "seL4_X86_LargePageObject", 21, frame: true),
                    .init("pagetable", "seL4_X86_PageTableObject", 12),
                    .init("pagedirectory", "seL4_X86_PageDirectoryObject", 12),
                    .init("iopagetable", "seL4_X86_IOPageTableObject", 12)]
        case .ia32:
            return [.init("4k", "seL4_X86_4K", 12, frame: true, aliases: ["smallpage"]),
                    .init("largepage", "seL4_X86_LargePageObject", 22, frame: true),
                    .init("pagetable", "seL4_X86_PageTableObject", 12),
                    .init("pagedirectory", "seL4_X86_PageDirectoryObject", 12, aliases: ["vspace"]),
                    .init("iopagetable", "seL4_X86_IOPageTableObject", 12)]
        case .aarch64(let hyp, let vspaceBits):
            var types: [ArchTypeSpec] = [
                .init("hugepage", "seL4_ARM_HugePageObject", 30, frame: true),
                .init("vspace", "seL4_ARM_VSpaceObject", vspaceBits),
                .init("smallpage", "seL4_ARM_SmallPageObject", 12, frame: true, aliases: ["4k"]),
                .init("largepage", "seL4_ARM_LargePageObject", 21, frame: true),
                .init("pagetable", "seL4_ARM_PageTableObject", 12)]
            if hyp { types.append(.init("vcpu", "seL4_ARM_VCPUObject", 12)) }
            return types
        case .aarch32(let hyp):
            var types: [ArchTypeSpec] = [
                .init("pagedirectory", "seL4_ARM_PageDirectoryObject", 14, aliases: ["vspace"]),
                .init("smallpage", "seL4_ARM_SmallPageObject", 12, frame: true, aliases: ["4k"]),
                .init("largepage", "seL4_ARM_LargePageObject", 16, frame: true),
                .init("section", "seL4_ARM_SectionObject", hyp ? 21 : 20, frame: true),
                .init("supersection", "seL4_ARM_SuperSectionObject", hyp ? 25 : 24, frame: true),
                .init("pagetable", "seL4_ARM_PageTableObject", hyp ? 12 : 10)]
            if hyp { types.append(.init("vcpu", "seL4_ARM_VCPUObject", 12)) }
            return types
        case .riscv64:
            return [.init("gigapage", "seL4_RISCV_Giga_Page", 30, frame: true, aliases: ["hugepage"]),
                    .init("4kpage", "seL4_RISCV_4K_Page", 12, frame: true, aliases: ["4k", "smallpage"]),
                    .init("megapage", "seL4_RISCV_Mega_Page", 21, frame: true, aliases: ["largepage"]),
                    .init("pagetable", "seL4_RISCV_PageTableObject", 12, aliases: ["vspace"])]
        case .riscv32:
            return [.init("4kpage", "seL4_RISCV_4K_Page", 12, frame: true, aliases: ["4k", "smallpage"]),
                    .init("megapage", "seL4_RISCV_Mega_Page", 22, frame: true, aliases: ["largepage"]),
                    .init("pagetable", "seL4_RISCV_PageTableObject", 12, aliases: ["vspace"])]
        }
    }
}

/// A fixed-size architecture type before numbering.
struct ArchTypeSpec {
    let name: String
    let kernelName: String
    let bits: UInt64
    let isFrame: Bool
    let aliases: [String]

    init(_ name: String, _ kernelName: String, _ bits: UInt64, frame: Bool = false, aliases: [String] = []) {
        self.name = name
        self.kernelName = kernelName
        self.bits = bits
        self.isFrame = frame
        self.aliases = aliases
    }
}

extension KernelWindow {
    /// Every object type of this configuration, in type-number order.
    public func objectTypes(mcs: Bool) -> [ObjectType] {
        var types = [
            ObjectType(name: "untyped", kernelName: "seL4_UntypedObject", number: 0, sizing: .untyped, isFrame: false, aliases: []),
            ObjectType(name: "tcb", kernelName: "seL4_TCBObject", number: 1, sizing: .fixed(tcbBits), isFrame: false, aliases: []),
            ObjectType(name: "endpoint", kernelName: "seL4_EndpointObject", number: 2, sizing: .fixed(4), isFrame: false, aliases: []),
            ObjectType(name: "notification", kernelName: "seL4_NotificationObject", number: 3,
                       sizing: .fixed(family.notificationBits + (mcs ? 1 : 0)), isFrame: false, aliases: []),
            ObjectType(name: "cnode", kernelName: "seL4_CapTableObject", number: 4, sizing: .cnode, isFrame: false, aliases: []),
        ]
        if mcs {
            types.append(ObjectType(name: "schedcontext", kernelName: "seL4_SchedContextObject", number: 5,
                                    sizing: .schedContext, isFrame: false, aliases: []))
            types.append(ObjectType(name: "reply", kernelName: "seL4_ReplyObject", number: 6,
                                    sizing: .fixed(family.replyBits), isFrame: false, aliases: []))
        }
        let first = UInt64(types.count)
        for (i, spec) in family.archTypes.enumerated() {
            types.append(ObjectType(name: spec.name, kernelName: spec.kernelName, number: first + UInt64(i),
                                    sizing: .fixed(spec.bits), isFrame: spec.isFrame, aliases: spec.aliases))
        }
        return types
    }

    /// `seL4_ObjectTypeCount`.
    public func objectTypeCount(mcs: Bool) -> UInt64 { UInt64(objectTypes(mcs: mcs).count) }

    /// The frame types, smallest first.
    public func frameTypes(mcs: Bool) -> [ObjectType] {
        objectTypes(mcs: mcs).filter(\.isFrame).sorted { frameBits($0) < frameBits($1) }
    }

    /// The type with kernel number `number`, or `.invalidNumber` when this kernel has none.
    public func retypeTarget(number: UInt64, mcs: Bool) -> RetypeTarget {
        let types = objectTypes(mcs: mcs)
        return number < UInt64(types.count) ? .type(types[Int(number)]) : .invalidNumber(number)
    }

    /// Resolves a type name as traces and the planner write it: a name from `objectTypes`
    /// (or an alias, or the libsel4 enumerator), or `frame`, which picks the frame type of
    /// `sizeBits`. Fails with a message naming what is known.
    public func resolveObjectType(_ name: String, sizeBits: UInt64?, mcs: Bool) -> Result<ObjectType, TypeLookupError> {
        let lowered = name.lowercased()
        if lowered == "frame" {
            let frames = frameTypes(mcs: mcs)
            let sizes = frames.map { String(frameBits($0)) }.joined(separator: ", ")
            guard let bits = sizeBits else { return .failure(.frameNeedsSize(sizes: sizes)) }
            guard let frame = frames.first(where: { frameBits($0) == bits }) else {
                return .failure(.notAFrameSize(bits, arch: self.name, sizes: sizes))
            }
            return .success(frame)
        }
        if let type = objectTypes(mcs: mcs).first(where: { $0.isNamed(lowered) }) { return .success(type) }
        if !mcs, objectTypes(mcs: true).contains(where: { $0.isNamed(lowered) && $0.number < 7 }) {
            return .failure(.needsMCS(name))
        }
        let known = (objectTypes(mcs: mcs).map(\.name) + ["frame"]).joined(separator: ", ")
        return .failure(.unknown(name, arch: self.name, known: known))
    }

    /// The object size in bits the kernel computes for `type` and size argument `userObjSize`.
    public func objectSizeBits(_ type: ObjectType, userObjSize: UInt64) -> UInt64 {
        type.objectSizeBits(userObjSize: userObjSize, cnodeSlotBits: cnodeSlotBits)
    }

    private func frameBits(_ type: ObjectType) -> UInt64 { objectSizeBits(type, userObjSize: 0) }
}

/// Why a type name does not resolve.
public enum TypeLookupError: Error, Equatable, CustomStringConvertible {
    case unknown(String, arch: String, known: String)
    case needsMCS(String)
    case frameNeedsSize(sizes: String)
    case notAFrameSize(UInt64, arch: String, sizes: String)

    public var description: String {
        switch self {
        case .unknown(let name, let arch, let known):
            return "unknown object type '\(name)' for \(arch) (known: \(known))"
        case .needsMCS(let name):
            return "'\(name)' exists only on MCS kernels (set \"mcs\": true or --mcs)"
        case .frameNeedsSize(let sizes):
            return "'frame' needs sizeBits (one of \(sizes))"
        case .notAFrameSize(let bits, let arch, let sizes):
            return "\(bits) is not a frame size on \(arch) (frames: \(sizes))"
        }
    }
}
