import UntypedCore

/// What the kernel's generic boot code (`src/kernel/boot.c`) works from when it hands out
/// untypeds: the RAM it was told about, the regions the architecture code reserved before
/// (kernel device frames and the like), the regions it passes to `init_freemem` (kernel
/// image, device tree, user image), the boot-only part of its image, and the size of the
/// root server's objects. All addresses are physical.
public struct KernelBootInput {
    public var window: KernelWindow
    /// `CONFIG_PADDR_USER_DEVICE_TOP`.
    public var deviceTop: UInt64
    /// The available RAM as `init_freemem` receives it (ascending, disjoint).
    public var available: [PhysicalRegion]
    /// Regions reserved with `reserve_region` before `init_freemem` runs, with where they
    /// come from: kernel device frames, the x86 MSI window.
    public var earlyReservations: [Reservation]
    /// The `reserved[]` array the architecture passes to `init_freemem` (ascending, may
    /// touch, must not overlap; empty entries are skipped).
    public var reserved: [Reservation]
    /// `get_p_reg_kernel_img_boot()`: handed out as normal untypeds after the device ones.
    public var bootReuse: PhysicalRegion
    /// The root server's objects, carved out of the highest free region they fit in.
    public var rootServer: RootServerFootprint
    /// `MAX_NUM_FREEMEM_REG`.
    public var freeMemorySlots: Int
    /// The root CNode's slots, and how many are used before the first untyped cap (the
    /// initial caps, the extra bootinfo and root task frames, the paging structures): the
    /// kernel fails to boot when the untyped caps do not fit (`provide_cap`).
    public var rootCNode: (slots: UInt64, usedBeforeUntypeds: UInt64)?

    public init(window: KernelWindow, deviceTop: UInt64, available: [PhysicalRegion],
                earlyReservations: [Reservation], reserved: [Reservation], bootReuse: PhysicalRegion,
                rootServer: RootServerFootprint, freeMemorySlots: Int,
                rootCNode: (slots: UInt64, usedBeforeUntypeds: UInt64)? = nil) {
        self.window = window
        self.deviceTop = deviceTop
        self.available = available
        self.earlyReservations = earlyReservations
        self.reserved = reserved
        self.bootReuse = bootReuse
        self.rootServer = rootServer
        self.freeMemorySlots = freeMemorySlots
        self.rootCNode = rootCNode
    }
}

/// A physical region the kernel keeps from its root task, and why.
public struct Reservation: Equatable, Sendable {
    public var region: PhysicalRegion
    /// What it is and where the kernel source reserves it.
    public var reason: String

    public init(_ region: PhysicalRegion, _ reason: String) {
        self.region = region
        self.reason = reason
    }
}

/// The root server's objects as `calculate_rootserver_size` adds them up: one block of
/// `size` bytes, its kernel-virtual start aligned to `2^alignBits`
/// (`rootserver_max_size_bits`).
public struct RootServerFootprint: Equatable, Sendable {
    public var size: UInt64
    public var alignBits: UInt64
    /// The parts, in the order the kernel lists them, with their sizes (for the text output).
    public var parts: [Part]

    public struct Part: Equatable, Sendable {
        public var name: String
        public var bytes: UInt64
    }

    /// The objects of a root server whose initial address space covers `itVirtual` (user
    /// image, IPC buffer, bootinfo and extra bootinfo frames).
    ///
    /// - `pagingLevelBits`: for each level of paging structure below the VSpace root, the
    ///   log2 of the range one structure maps (`arch_get_n_paging`); each costs a 4 KiB
    ///   `seL4_PageTableBits` object.
    public init(cnodeSlotsBits: UInt64, slotBits: UInt64, vspaceBits: UInt64, tcbBits: UInt64,
                extraBootInfoBits: UInt64, pagingLevelBits: [UInt64], itVirtual: PhysicalRegion,
                mcs: Bool) {
        let page: UInt64 = 1 << 12
        var parts = [Part(name: "root CNode", bytes: 1 << (cnodeSlotsBits + slotBits)),
                     Part(name: "TCB", bytes: 1 << tcbBits),
                     Part(name: "IPC buffer", bytes: page),
                     Part(name: "bootinfo frame", bytes: page),
                     Part(name: "ASID pool", bytes: page)]
        if extraBootInfoBits > 0 { parts.append(Part(name: "extra bootinfo", bytes: 1 << extraBootInfoBits)) }
        parts.append(Part(name: "VSpace root", bytes: 1 << vspaceBits))
        if mcs { parts.append(Part(name: "scheduling context", bytes: 1 << 7)) }
        let tables = pagingLevelBits.reduce(UInt64(0)) { $0 + RootServerFootprint.pagingStructures(covering: itVirtual, bits: $1) }
        parts.append(Part(name: "\(tables) paging structures", bytes: tables * page))
        self.parts = parts
        self.size = parts.reduce(0) { $0 + $1.bytes }
        self.alignBits = max(cnodeSlotsBits + slotBits, vspaceBits, extraBootInfoBits)
    }

    /// `get_n_paging`: how many `2^bits`-aligned blocks `region` touches.
    static func pagingStructures(covering region: PhysicalRegion, bits: UInt64) -> UInt64 {
        let mask: UInt64 = (1 << bits) - 1
        let start = region.start & ~mask
        let end = (region.end &+ mask) & ~mask
        return (end &- start) >> bits
    }
}

/// The kernel's hand-over: the bootinfo untyped list plus what led to it.
public struct KernelBootResult {
    public var bootInfo: BootInfo
    /// Where the root server's objects went (physical).
    public var rootServer: PhysicalRegion
    /// The free-memory slots after the root server was carved out, in the kernel's order.
    public var freeMemory: [PhysicalRegion]
    /// Every reserved region, merged as `reserve_region` keeps them: device untypeds cover
    /// the gaps between them.
    public var reservedRegions: [PhysicalRegion]
    /// The root CNode slot of the first untyped cap (`bi->untyped.start`), when known.
    public var firstUntypedSlot: UInt64?
}

extension KernelBootInput {
    /// Runs the kernel's boot-time memory setup: `init_freemem` (available RAM inside the
    /// kernel window minus the reserved regions, each free region reserved too, then the
    /// root server's objects from the top of the highest free region they fit in) and
    /// `create_untypeds` (device untypeds for the gaps between reserved regions and above
    /// them up to the device top, then the reused boot memory, then each free region).
    public func run() throws(InputError) -> KernelBootResult {
        let freeRegions = try freeMemory()
        var slots = freeRegions
        let rootServerRegion = try placeRootServer(in: &slots)

        let reservations = earlyReservations.map(\.region) + reserved.map(\.region) + freeRegions
        let merged = KernelBootInput.merge(reservations)

        let boot = BootInfo.handOver(window: window, occupied: merged, deviceTop: deviceTop,
                                     normal: [bootReuse] + slots)
        if let cnode = rootCNode, cnode.usedBeforeUntypeds + UInt64(boot.untypeds.count) > cnode.slots {
            throw InputError("--root-cnode-bits: the root CNode's \(cnode.slots) slots cannot hold "
                             + "\(cnode.usedBeforeUntypeds) caps and \(boot.untypeds.count) untypeds: the kernel would not boot")
        }
        return KernelBootResult(bootInfo: boot, rootServer: rootServerRegion, freeMemory: slots.filter { !$0.isEmpty },
                                reservedRegions: merged, firstUntypedSlot: rootCNode?.usedBeforeUntypeds)
    }

    /// `init_freemem` up to the root server: the available regions clipped to the kernel
    /// window, with every non-empty reserved region cut out, in ascending order.
    func freeMemory() throws(InputError) -> [PhysicalRegion] {
        var available: [PhysicalRegion] = []
        for r in self.available where r.start < window.paddrTop && r.end > window.paddrBase {
            available.append(PhysicalRegion(start: max(r.start, window.paddrBase), end: min(r.end, window.paddrTop)))
        }
        guard !available.isEmpty else {
            throw InputError("ram: no available memory inside the kernel window of \(window.name)")
        }
        let reserved = self.reserved.map(\.region).filter { !$0.isEmpty }
        for (a, b) in zip(reserved, reserved.dropFirst()) where b.start < a.end {
            throw InputError("reserved regions \(a) and \(b) overlap or are out of order")
        }
        var free: [PhysicalRegion] = []
        func insert(_ region: PhysicalRegion) throws(InputError) {
            guard !region.isEmpty else { return }
            guard free.count < freeMemorySlots else {
                throw InputError("more than \(freeMemorySlots) free memory regions (MAX_NUM_FREEMEM_REG): "
                                 + "the kernel would not boot")
            }
            free.append(region)
        }
        // Each available region loses the reserved regions overlapping it, in order.
        var r = 0
        for var piece in available {
            while r < reserved.count, !piece.isEmpty {
                let cut = reserved[r]
                if cut.end <= piece.start { r += 1; continue }
                if cut.start >= piece.end { break }
                if cut.start > piece.start { try insert(PhysicalRegion(start: piece.start, end: cut.start)) }
                piece.start = min(cut.end, piece.end)
                if cut.end <= piece.end { r += 1 }
            }
            try insert(piece)
        }
        // The kernel wants its last slot empty before it places the root server.
        guard free.count < freeMemorySlots else {
            throw InputError("\(free.count) free memory regions fill all \(freeMemorySlots) slots "
                             + "(MAX_NUM_FREEMEM_REG): the kernel would not boot")
        }
        return free
    }

    /// The root server's block: from the highest free region downwards, the first whose top
    /// `size` bytes, rounded down to the alignment (on kernel-virtual addresses), still lie
    /// inside it. That region is split into the part below and the part above the block;
    /// regions above it keep their order. The slots stay ascending.
    func placeRootServer(in slots: inout [PhysicalRegion]) throws(InputError) -> PhysicalRegion {
        let mask: UInt64 = (1 << rootServer.alignBits) - 1
        for i in slots.indices.reversed() {
            let region = slots[i]
            let end = window.pptr(ofPaddr: region.end)
            let unaligned = end &- rootServer.size
            let start = unaligned & ~mask
            if unaligned <= end, start >= window.pptr(ofPaddr: region.start) {
                let block = PhysicalRegion(start: window.paddr(ofPptr: start),
                                           end: window.paddr(ofPptr: start + rootServer.size))
                slots[i] = PhysicalRegion(start: region.start, end: block.start)
                slots.insert(PhysicalRegion(start: block.end, end: region.end), at: i + 1)
                return block
            }
        }
        throw InputError("no free memory region holds the root server's objects (\(hex(rootServer.size)) bytes "
                         + "aligned to 2^\(rootServer.alignBits)): the kernel would not boot")
    }

    /// Sorted, empty regions dropped, touching regions joined (as `reserve_region` and
    /// `merge_regions` keep them). Overlaps cannot occur in the kernel's inputs.
    static func merge(_ regions: [PhysicalRegion]) -> [PhysicalRegion] {
        var merged: [PhysicalRegion] = []
        for region in regions.filter({ !$0.isEmpty }).sorted(by: { $0.start < $1.start }) {
            if let last = merged.last, last.end >= region.start {
                merged[merged.count - 1].end = max(last.end, region.end)
            } else {
                merged.append(region)
            }
        }
        return merged
    }
}
