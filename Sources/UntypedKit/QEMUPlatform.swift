/// A QEMU machine whose boot `untyped bootinfo --platform` reproduces: which RAM the kernel
/// is told about, which device frames it keeps, how its loader lays out the kernel image,
/// device tree and root task, and the sizes of the root server's objects.
/// docs/kernel-reservations.md says where each number comes from in seL4's source.
public enum QEMUPlatform: String, CaseIterable, Sendable {
    case x86_64 = "qemu-x86_64"
    case ia32 = "qemu-ia32"
    case armVirtA57 = "qemu-arm-virt-a57"
    case riscvVirt = "qemu-riscv-virt"

    /// The names, comma-separated (errors and help).
    public static var names: String { allCases.map(\.rawValue).joined(separator: ", ") }

    /// The catalogue window the platform's kernel uses.
    public var window: KernelWindow {
        switch self {
        case .x86_64: return KernelWindow.named("x86_64")!
        case .ia32: return KernelWindow.named("ia32")!
        case .armVirtA57: return KernelWindow.named("aarch64-pa44")!
        case .riscvVirt: return KernelWindow.named("riscv64")!
        }
    }

    /// One line: the QEMU machine.
    public var machine: String {
        switch self {
        case .x86_64: return "qemu-system-x86_64 -machine pc (SeaBIOS, multiboot), x86_64 kernel"
        case .ia32: return "qemu-system-x86_64 -machine pc (SeaBIOS, multiboot), ia32 kernel"
        case .armVirtA57: return "qemu-system-aarch64 -machine virt,gic-version=2 -cpu cortex-a57, elfloader"
        case .riscvVirt: return "qemu-system-riscv64 -machine virt -bios default (OpenSBI), elfloader"
        }
    }

    /// Multiboot (the kernel loads the root task behind itself) or the elfloader (kernel,
    /// device tree and root task one after the other from the start of RAM).
    var usesElfloader: Bool { self == .armVirtA57 || self == .riscvVirt }

    /// `KERNEL_ELF_PADDR_BASE`: where the kernel image starts.
    public var kernelBase: UInt64 {
        switch self {
        case .x86_64, .ia32: return 0x10_0000
        case .armVirtA57: return 0x4000_0000
        case .riscvVirt: return 0x8020_0000
        }
    }

    /// The first address above the root task's virtual range (`USER_TOP`).
    var userTop: UInt64 {
        switch self {
        case .x86_64: return 0x7fff_ffff_ffff
        case .ia32: return 0xe000_0000
        case .armVirtA57: return 0x7fff_ffff_ffff
        case .riscvVirt: return 0x3f_ffff_f000
        }
    }

    /// Guest RAM sizes accepted by `--memory-mib` (QEMU's own limits for the machine, and
    /// enough for the kernel and a root task).
    public var memoryRangeMiB: ClosedRange<UInt64> {
        switch self {
        case .x86_64: return 64...1_048_576
        case .ia32: return 64...65_536
        case .armVirtA57: return 64...261_120
        case .riscvVirt: return 64...260_096
        }
    }

    /// The RAM the kernel is told about for `memoryMiB` of guest RAM.
    ///
    /// - pc: SeaBIOS's e820 map, passed through multiboot. Below 4 GiB, RAM up to the top
    ///   of low memory minus the 128 KiB SeaBIOS keeps; low memory is all RAM below
    ///   0xe0000000, or 3 GiB with the rest above 4 GiB when RAM reaches 0xe0000000. The
    ///   kernel ignores RAM below 1 MiB and, on ia32, RAM above 4 GiB.
    /// - virt (Arm): one memory node from 1 GiB; the elfloader's kernel uses the device tree
    ///   QEMU dumped when the kernel was configured, so it must be the same size.
    /// - virt (RISC-V): one memory node from 2 GiB, minus the 2 MiB seL4's overlay reserves
    ///   for OpenSBI (`reserved-memory`, no-map).
    public func availableRAM(memoryMiB: UInt64) -> [PhysicalRegion] {
        let bytes = memoryMiB << 20
        switch self {
        case .x86_64, .ia32:
            let low: UInt64 = bytes >= 0xe000_0000 ? 0xc000_0000 : bytes
            var ram = [PhysicalRegion(start: 0x10_0000, end: low - 0x2_0000)]
            if bytes > low, self == .x86_64 {
                ram.append(PhysicalRegion(start: 1 << 32, end: (1 << 32) + bytes - low))
            }
            return ram
        case .armVirtA57:
            return [PhysicalRegion(start: 0x4000_0000, end: 0x4000_0000 + bytes)]
        case .riscvVirt:
            return [PhysicalRegion(start: 0x8020_0000, end: 0x8000_0000 + bytes)]
        }
    }

    /// The device frames the kernel maps for itself and reserves before `init_freemem`.
    public var kernelDevices: [Reservation] {
        switch self {
        case .x86_64, .ia32:
            var devices = [
                Reservation(PhysicalRegion(start: 0xfec0_0000, end: 0xfec0_1000),
                            "IOAPIC (ACPI MADT): map_kernel_window_devices, src/arch/x86/kernel/vspace.c"),
                Reservation(PhysicalRegion(start: 0xfee0_0000, end: 0xfee0_1000),
                            "local APIC (IA32_APIC_BASE): map_kernel_window_devices, src/arch/x86/kernel/vspace.c"),
            ]
            if window.deviceTop > 0xffff_fff8 {
                devices.append(Reservation(PhysicalRegion(start: 0xffff_fff8, end: 1 << 32),
                                           "MSI window: platAddDevices, src/plat/pc99/machine/hardware.c"))
            }
            return devices
        case .armVirtA57:
            return [
                Reservation(PhysicalRegion(start: 0x800_0000, end: 0x800_1000),
                            "GICv2 distributor (intc@8000000 reg 0, hardware.yml kernel_size 0x1000): "
                            + "map_kernel_devices, src/arch/arm/machine/hardware.c"),
                Reservation(PhysicalRegion(start: 0x801_0000, end: 0x801_1000),
                            "GICv2 CPU interface (intc@8000000 reg 1): map_kernel_devices, src/arch/arm/machine/hardware.c"),
            ]
        case .riscvVirt:
            return [
                Reservation(PhysicalRegion(start: 0x200_0000, end: 0x220_0000),
                            "CLINT (one 2 MiB kernel device frame): map_kernel_devices, src/arch/riscv/machine/hardware.c"),
                Reservation(PhysicalRegion(start: 0xc00_0000, end: 0xc60_0000),
                            "PLIC (reg size 0x600000 in three 2 MiB frames): map_kernel_devices, "
                            + "src/arch/riscv/machine/hardware.c"),
            ]
        }
    }

    /// `MAX_NUM_FREEMEM_REG`: 16 on x86 and RISC-V; on Arm the number of memory regions in
    /// the device tree plus 2.
    var freeMemorySlots: Int { self == .armVirtA57 ? 3 : 16 }

    /// Root server object sizes: (slot bits, VSpace root bits, TCB bits, paging levels).
    var objectBits: (slot: UInt64, vspace: UInt64, tcb: UInt64, paging: [UInt64]) {
        switch self {
        case .x86_64: return (5, 12, 11, [21, 30, 39])
        case .ia32: return (4, 12, 11, [22])
        case .armVirtA57: return (5, 12, 11, [21, 30, 39])
        case .riscvVirt: return (5, 12, 11, [21, 30])
        }
    }
}

/// The build- and image-dependent numbers of one boot: everything `--platform` needs
/// besides the machine. Addresses are physical unless named virtual.
public struct PlatformBootParameters: Equatable, Sendable {
    /// Guest RAM (`-m`), MiB.
    public var memoryMiB: UInt64
    /// `ki_end`: the end of the kernel image (page aligned).
    public var kernelEnd: UInt64
    /// `ki_boot_end`: the end of the boot-only code and data at the start of the image.
    public var kernelBootEnd: UInt64
    /// The device tree the elfloader hands over, bytes (0: none). Arm and RISC-V only.
    public var dtbBytes: UInt64
    /// The root task's lowest virtual address (page aligned).
    public var rootImageVaddr: UInt64
    /// The root task's loaded extent: from its lowest virtual address to its highest,
    /// rounded up to 4 KiB.
    public var rootImageBytes: UInt64
    /// `CONFIG_ROOT_CNODE_SIZE_BITS`.
    public var rootCNodeBits: UInt64
    /// MCS kernel: the root server also gets a scheduling context.
    public var mcs: Bool

    public init(memoryMiB: UInt64, kernelEnd: UInt64, kernelBootEnd: UInt64, dtbBytes: UInt64,
                rootImageVaddr: UInt64, rootImageBytes: UInt64, rootCNodeBits: UInt64 = 12, mcs: Bool = false) {
        self.memoryMiB = memoryMiB
        self.kernelEnd = kernelEnd
        self.kernelBootEnd = kernelBootEnd
        self.dtbBytes = dtbBytes
        self.rootImageVaddr = rootImageVaddr
        self.rootImageBytes = rootImageBytes
        self.rootCNodeBits = rootCNodeBits
        self.mcs = mcs
    }
}

extension QEMUPlatform {
    /// The recorded boots' parameters (Tests/UntypedKitTests/Fixtures/real-boot/README.md).
    public var defaults: PlatformBootParameters {
        switch self {
        case .x86_64:
            return PlatformBootParameters(memoryMiB: 512, kernelEnd: 0xa1_3000, kernelBootEnd: 0x80_0000,
                                          dtbBytes: 0, rootImageVaddr: 0x20_0000, rootImageBytes: 0x2_6000)
        case .ia32:
            return PlatformBootParameters(memoryMiB: 512, kernelEnd: 0x13_e000, kernelBootEnd: 0x10_e000,
                                          dtbBytes: 0, rootImageVaddr: 0x40_0000, rootImageBytes: 0x2_1000)
        case .armVirtA57:
            return PlatformBootParameters(memoryMiB: 1024, kernelEnd: 0x4023_d000, kernelBootEnd: 0x4001_0000,
                                          dtbBytes: 7633, rootImageVaddr: 0x20_0000, rootImageBytes: 0x4_3000)
        case .riscvVirt:
            return PlatformBootParameters(memoryMiB: 3072, kernelEnd: 0x8022_1000, kernelBootEnd: 0x8020_3000,
                                          dtbBytes: 4421, rootImageVaddr: 0x1_0000, rootImageBytes: 0x2_4000)
        }
    }

    /// Checks `parameters` for this machine; the error names the option.
    public func validate(_ p: PlatformBootParameters) throws(InputError) {
        let page: UInt64 = 0x1000
        guard memoryRangeMiB.contains(p.memoryMiB) else {
            throw InputError("--memory-mib: \(p.memoryMiB) is outside \(memoryRangeMiB.lowerBound)..."
                             + "\(memoryRangeMiB.upperBound) for \(rawValue)")
        }
        // The kernel, the DTB and the root task go into the first RAM region, inside the window.
        let ramEnd = min(availableRAM(memoryMiB: p.memoryMiB)[0].end, window.paddrTop)
        guard p.kernelEnd % page == 0, p.kernelEnd > kernelBase, p.kernelEnd < ramEnd else {
            throw InputError("--kernel-end: \(hex(p.kernelEnd)) is not a page-aligned address in "
                             + "(\(hex(kernelBase)), \(hex(ramEnd))) (the kernel image starts at \(hex(kernelBase)))")
        }
        guard p.kernelBootEnd > kernelBase, p.kernelBootEnd <= p.kernelEnd else {
            throw InputError("--kernel-boot-end: \(hex(p.kernelBootEnd)) is not in (\(hex(kernelBase)), "
                             + "\(hex(p.kernelEnd))] (the kernel image)")
        }
        if !usesElfloader, p.dtbBytes != 0 {
            throw InputError("--dtb-bytes: \(rawValue) boots with multiboot and gets no device tree; leave it at 0")
        }
        guard p.dtbBytes <= 1 << 24 else {
            throw InputError("--dtb-bytes: \(p.dtbBytes) is above 16 MiB")
        }
        guard p.rootImageVaddr % page == 0, p.rootImageVaddr < userTop else {
            throw InputError("--root-image-vaddr: \(hex(p.rootImageVaddr)) is not a page-aligned address "
                             + "below \(hex(userTop))")
        }
        guard p.rootImageBytes > 0, p.rootImageBytes <= 1 << 32 else {
            throw InputError("--root-image-bytes: \(p.rootImageBytes) is not in 1...2^32")
        }
        let (minBits, maxBits): (UInt64, UInt64) = window.wordBits == 64 ? (7, 26) : (8, 27)
        guard (minBits...maxBits).contains(p.rootCNodeBits) else {
            throw InputError("--root-cnode-bits: \(p.rootCNodeBits) is outside \(minBits)...\(maxBits)")
        }
        let layout = self.layout(p)
        guard layout.itVirtual.end < userTop else {
            throw InputError("--root-image-vaddr, --root-image-bytes: the root task's address space "
                             + "[\(hex(p.rootImageVaddr)), \(hex(layout.itVirtual.end))) reaches USER_TOP \(hex(userTop))")
        }
        guard layout.rootImage.end <= ramEnd else {
            throw InputError("--root-image-bytes: the root task would end at \(hex(layout.rootImage.end)), "
                             + "beyond the RAM (or the kernel window) at \(hex(ramEnd))")
        }
    }

    /// Where the loader puts the pieces, and the root task's address-space range.
    struct Layout {
        var kernelImage: PhysicalRegion
        var dtb: PhysicalRegion
        var rootImage: PhysicalRegion
        var extraBootInfoBits: UInt64
        var itVirtual: PhysicalRegion
    }

    func layout(_ p: PlatformBootParameters) -> Layout {
        let page: UInt64 = 0x1000
        let imageBytes = (p.rootImageBytes + page - 1) & ~(page - 1)
        let kernelImage = PhysicalRegion(start: kernelBase, end: p.kernelEnd)
        var dtb = PhysicalRegion(start: p.kernelEnd, end: p.kernelEnd)
        var extraBytes: UInt64
        switch self {
        case .x86_64, .ia32:
            // init_sys_state: the ACPI RSDP (36 bytes), the multiboot memory map (a length
            // and 50 entries of 24 bytes) and the TSC frequency (4 bytes), each behind a
            // two-word header: under one page.
            let header = UInt64(2 * window.wordBits / 8)
            extraBytes = (header + 36) + (header + 4 + 50 * 24) + (header + 4)
        case .armVirtA57, .riscvVirt:
            // The exact size: the DTB's last page is shared with free memory.
            dtb.end = p.kernelEnd + p.dtbBytes
            extraBytes = p.dtbBytes == 0 ? 0 : 16 + p.dtbBytes
        }
        let imageStart = (dtb.end + page - 1) & ~(page - 1)
        let rootImage = PhysicalRegion(start: imageStart, end: imageStart + imageBytes)
        let extraBits = QEMUPlatform.extraBootInfoBits(extraBytes)
        // User image, IPC buffer, bootinfo frame, extra bootinfo.
        let virtualEnd = p.rootImageVaddr + imageBytes + 2 * page + (extraBits > 0 ? 1 << extraBits : 0)
        return Layout(kernelImage: kernelImage, dtb: dtb, rootImage: rootImage, extraBootInfoBits: extraBits,
                      itVirtual: PhysicalRegion(start: p.rootImageVaddr, end: virtualEnd))
    }

    /// `calculate_extra_bi_size_bits`: 0 for nothing, else log2 of the size rounded up to a
    /// page and then to a power of two.
    static func extraBootInfoBits(_ bytes: UInt64) -> UInt64 {
        guard bytes > 0 else { return 0 }
        let rounded = (bytes + 0xfff) & ~0xfff
        var bits = UInt64(63 - rounded.leadingZeroBitCount)
        if bytes > 1 << bits { bits += 1 }
        return bits
    }

    /// The kernel's boot inputs for one boot of this machine.
    public func bootInput(_ p: PlatformBootParameters) throws(InputError) -> KernelBootInput {
        try validate(p)
        let layout = self.layout(p)
        var reserved: [Reservation]
        if usesElfloader {
            reserved = [Reservation(layout.kernelImage, "kernel image [KERNEL_ELF_PADDR_BASE, ki_end): arch_init_freemem")]
            if !layout.dtb.isEmpty {
                reserved.append(Reservation(layout.dtb, "device tree, exact size: arch_init_freemem, "
                                            + (self == .riscvVirt ? "src/arch/riscv" : "src/arch/arm") + "/kernel/boot.c"))
            }
            reserved.append(Reservation(layout.rootImage, "root task image: arch_init_freemem"))
        } else {
            reserved = [Reservation(PhysicalRegion(start: kernelBase, end: layout.rootImage.end),
                                    "kernel image and the root task behind it: arch_init_freemem, "
                                    + "src/arch/x86/kernel/boot.c")]
        }
        let bits = objectBits
        // seL4_NumInitialCaps, then a cap per extra bootinfo frame, root task frame and
        // paging structure (create_frames_of_region, create_it_address_space).
        let extraFrames = usesElfloader ? (layout.dtb.isEmpty ? 0 : (16 + p.dtbBytes + 0xfff) >> 12)
                                        : 1 << (layout.extraBootInfoBits - 12)
        let pagingStructures = bits.paging.reduce(UInt64(0)) {
            $0 + RootServerFootprint.pagingStructures(covering: layout.itVirtual, bits: $1)
        }
        let capsBeforeUntypeds = 16 + extraFrames + (layout.rootImage.end - layout.rootImage.start) >> 12
            + pagingStructures
        let footprint = RootServerFootprint(cnodeSlotsBits: p.rootCNodeBits, slotBits: bits.slot,
                                            vspaceBits: bits.vspace, tcbBits: bits.tcb,
                                            extraBootInfoBits: layout.extraBootInfoBits, pagingLevelBits: bits.paging,
                                            itVirtual: layout.itVirtual, mcs: p.mcs)
        return KernelBootInput(window: window, deviceTop: window.deviceTop,
                               available: availableRAM(memoryMiB: p.memoryMiB), earlyReservations: kernelDevices,
                               reserved: reserved,
                               bootReuse: PhysicalRegion(start: kernelBase, end: p.kernelBootEnd),
                               rootServer: footprint, freeMemorySlots: freeMemorySlots,
                               rootCNode: (1 << p.rootCNodeBits, capsBeforeUntypeds))
    }
}
