/// The kernel windows of the configurations the tools know by name (reference section 4).
///
/// TCB sizes are the common default of each configuration (x86 and AArch64 11, AArch32 10
/// with an FPU, RISC-V without an FPU 10/9); a `custom:` spec can override them.
extension KernelWindow {
    /// Every catalogue configuration, in listing order.
    public static let catalogue: [KernelWindow] = [
        x86(name: "x86_64", summary: "PC99, 4-level paging, PPTR_BASE 0xffffff8000000000"),
        KernelWindow(name: "ia32", summary: "PC99 32-bit, PPTR_BASE 0xe0000000 (no log buffer, no SMP)",
                     wordBits: 32, pptrBaseOffset: 0xe000_0000, paddrBase: 0, pptrTop: 0xffc0_0000,
                     deviceTop: 0xffff_0000, maxUntypedBits: 29, capPtr: .dropLow4, freeIndexBits: 26,
                     cnodeSlotBits: 4, tcbBits: 11, family: .ia32, freeMemorySlots: 16),
        aarch64(name: "aarch64-pa40", summary: "EL1, 40-bit PA (Cortex-A35/A53/A55/A76)",
                hyp: false, paBits: 40),
        aarch64(name: "aarch64-pa44", summary: "EL1, 44-bit PA (Cortex-A57/A72)", hyp: false, paBits: 44),
        aarch64(name: "aarch64-hyp-pa40", summary: "EL2 hypervisor, 40-bit PA (Cortex-A35/A53/A55/A76)",
                hyp: true, paBits: 40),
        aarch64(name: "aarch64-hyp-pa44", summary: "EL2 hypervisor, 44-bit PA (Cortex-A57/A72)",
                hyp: true, paBits: 44),
        KernelWindow(name: "riscv64", summary: "Sv39, PPTR_BASE 0xffffffc000000000",
                     wordBits: 64, pptrBaseOffset: 0xffff_ffc0_0000_0000, paddrBase: 0,
                     pptrTop: 0xffff_ffff_8000_0000, deviceTop: 1 << 39, maxUntypedBits: 38,
                     capPtr: .signExtended(39), freeIndexBits: 39, cnodeSlotBits: 5,
                     // seL4_TCBBits is 11 with the FPU (CONFIG_HAVE_FPU: the F/D extensions, on by
                     // default) and 10 without; the real kernel on QEMU showed 11. A kernel built
                     // without the FPU: custom:like=riscv64,tcb-bits=10.
                     tcbBits: 11,
                     family: .riscv64, freeMemorySlots: 16),
        KernelWindow(name: "riscv32-qemu-virt", summary: "Sv32, physBase 0x80200000: pptr == paddr",
                     wordBits: 32, pptrBaseOffset: 0, paddrBase: 0x8000_0000, pptrTop: 0xff80_0000,
                     deviceTop: 1 << 32, maxUntypedBits: 29, capPtr: .dropLow4, freeIndexBits: 26,
                     cnodeSlotBits: 4,
                     // 10 with the FPU (the default), 9 without (custom: tcb-bits=9)
                     tcbBits: 10, family: .riscv32, freeMemorySlots: 16),
        aarch32(name: "aarch32-imx6", platform: "i.MX6 Sabre", physBase: 0x1000_0000, userTop: 0xe000_0000),
        aarch32(name: "aarch32-zynq7000", platform: "Zynq-7000", physBase: 0, userTop: 0xe000_0000),
        aarch32(name: "aarch32-qemu-virt", platform: "QEMU virt", physBase: 0x4000_0000, userTop: 0xa000_0000),
        aarch32(name: "aarch32-omap3", platform: "OMAP3 BeagleBoard", physBase: 0x8000_0000, userTop: 0xf000_0000),
        aarch32(name: "aarch32-hyp-tk1", platform: "Jetson TK1, hypervisor", physBase: 0x8000_0000,
                userTop: 0xe000_0000, hyp: true),
    ]

    /// The catalogue names, comma-separated (for error messages and help).
    public static var catalogueNames: String { catalogue.map(\.name).joined(separator: ", ") }

    /// A catalogue configuration by exact name.
    public static func named(_ name: String) -> KernelWindow? {
        catalogue.first { $0.name == name }
    }

    /// A catalogue name or a `custom:` spec (see `CustomWindow`). `source` names where the
    /// text came from (`--arch`, `arch`) and starts every error message.
    public static func resolve(_ spec: String, source: String) throws(InputError) -> KernelWindow {
        if let window = named(spec) { return window }
        if spec.hasPrefix(CustomWindow.prefix) { return try CustomWindow.parse(spec, source: source) }
        throw InputError("\(source): unknown configuration '\(spec)' (known: \(catalogueNames), or custom:…)")
    }

    // MARK: - Families

    static func x86(name: String, summary: String) -> KernelWindow {
        KernelWindow(name: name, summary: summary, wordBits: 64, pptrBaseOffset: 0xffff_ff80_0000_0000,
                     paddrBase: 0, pptrTop: 0xffff_ffff_8000_0000, deviceTop: 1 << 47, maxUntypedBits: 47,
                     capPtr: .signExtended(48), freeIndexBits: 48, cnodeSlotBits: 5, tcbBits: 11,
                     family: .x86_64, freeMemorySlots: 16)
    }

    /// AArch64: EL1 kernels live in the top half, EL2 kernels in the low half (and store
    /// capPtr zero-extended). A hypervisor kernel with a 40-bit PA has a 2^13 VSpace root.
    static func aarch64(name: String, summary: String, hyp: Bool, paBits: UInt64) -> KernelWindow {
        KernelWindow(name: name, summary: summary, wordBits: 64,
                     pptrBaseOffset: hyp ? 0x80_0000_0000 : 0xffff_ff80_0000_0000, paddrBase: 0,
                     pptrTop: hyp ? 0xff_c000_0000 : 0xffff_ffff_c000_0000, deviceTop: 1 << paBits,
                     maxUntypedBits: 47, capPtr: hyp ? .zeroExtended(48) : .signExtended(48),
                     freeIndexBits: 48, cnodeSlotBits: 5, tcbBits: 11,
                     family: .aarch64(hypervisor: hyp, vspaceBits: hyp && paBits == 40 ? 13 : 12),
                     freeMemorySlots: 16)
    }

    /// AArch32: `PPTR_BASE = seL4_UserTop`, `PADDR_BASE = physBase` (rounded up to 2^24,
    /// 2^25 with hypervisor; the presets are already aligned), `PPTR_TOP = 0xfff00000`.
    static func aarch32(name: String, platform: String, physBase: UInt64, userTop: UInt64,
                        hyp: Bool = false) -> KernelWindow {
        KernelWindow(name: name,
                     summary: "\(platform): physBase \(hex(physBase)), seL4_UserTop \(hex(userTop))",
                     wordBits: 32, pptrBaseOffset: (userTop &- physBase) & 0xffff_ffff, paddrBase: physBase,
                     pptrTop: 0xfff0_0000, deviceTop: 1 << 32, maxUntypedBits: 29, capPtr: .dropLow4,
                     freeIndexBits: 26, cnodeSlotBits: 4, tcbBits: 10, family: .aarch32(hypervisor: hyp),
                     freeMemorySlots: nil)
    }
}
