import UntypedCore

/// One kernel configuration as far as untyped memory is concerned: where the kernel window
/// maps physical memory, how far device untypeds reach, how an untyped cap stores its
/// pointer, and which object types exist (reference sections 1, 3, 4 and 6).
///
/// Addresses are held as `UInt64` for both word widths. On a 32-bit kernel every address
/// is below 2^32 except `deviceTop`, which is 2^32 on Arm and RISC-V: as a word it is 0,
/// and the kernel's last device region wraps to it.
public struct KernelWindow: Sendable {
    /// Catalogue name (`x86_64`, `aarch32-imx6`, …) or the `custom:` spec it was parsed from.
    public let name: String
    /// One line saying where the numbers come from.
    public let summary: String
    /// W: 32 or 64.
    public let wordBits: Int
    /// `PPTR_BASE_OFFSET = PPTR_BASE - PADDR_BASE` (mod 2^W).
    public let pptrBaseOffset: UInt64
    /// `PADDR_BASE`: the first physical address of the kernel window.
    public let paddrBase: UInt64
    /// `PPTR_TOP`: the end (exclusive) of the kernel window, kernel-virtual.
    public let pptrTop: UInt64
    /// `CONFIG_PADDR_USER_DEVICE_TOP`: device untypeds end here (exclusive).
    public let deviceTop: UInt64
    /// `seL4_MaxUntypedBits`.
    public let maxUntypedBits: UInt64
    /// How an untyped cap stores `capPtr`.
    public let capPtr: CapPtrLayout
    /// Width of the cap's `capFreeIndex` field.
    public let freeIndexBits: Int
    /// `seL4_SlotBits`: log2 of a CNode slot.
    public let cnodeSlotBits: UInt64
    /// `seL4_TCBBits` for this configuration (it varies with FPU, debug and hypervisor options).
    public let tcbBits: UInt64
    /// The architecture's own object types.
    public let family: ObjectTypeFamily
    /// `MAX_NUM_FREEMEM_REG`, where it is a fixed number (x86, RISC-V, AArch64); on AArch32
    /// it follows the device tree and is not modelled.
    public let freeMemorySlots: Int?

    /// `seL4_MinUntypedBits` (every architecture).
    public static let minUntypedBits: UInt64 = 4
    /// `CONFIG_MAX_NUM_BOOTINFO_UNTYPED_CAPS` (default): later boot untypeds are dropped.
    public static let maxBootInfoUntypeds = 230

    public init(name: String, summary: String, wordBits: Int, pptrBaseOffset: UInt64, paddrBase: UInt64,
                pptrTop: UInt64, deviceTop: UInt64, maxUntypedBits: UInt64, capPtr: CapPtrLayout,
                freeIndexBits: Int, cnodeSlotBits: UInt64, tcbBits: UInt64, family: ObjectTypeFamily,
                freeMemorySlots: Int?) {
        self.name = name
        self.summary = summary
        self.wordBits = wordBits
        self.pptrBaseOffset = pptrBaseOffset
        self.paddrBase = paddrBase
        self.pptrTop = pptrTop
        self.deviceTop = deviceTop
        self.maxUntypedBits = maxUntypedBits
        self.capPtr = capPtr
        self.freeIndexBits = freeIndexBits
        self.cnodeSlotBits = cnodeSlotBits
        self.tcbBits = tcbBits
        self.family = family
        self.freeMemorySlots = freeMemorySlots
    }

    // MARK: - Derived numbers

    /// 2^W - 1.
    public var wordMask: UInt64 { wordBits == 64 ? .max : (1 << UInt64(wordBits)) - 1 }
    /// `PPTR_BASE`.
    public var pptrBase: UInt64 { (paddrBase &+ pptrBaseOffset) & wordMask }
    /// `PADDR_TOP = PPTR_TOP - PPTR_BASE_OFFSET`: RAM at or above it is not in the window.
    public var paddrTop: UInt64 { (pptrTop &- pptrBaseOffset) & wordMask }
    /// ctz(PPTR_BASE_OFFSET), or W for a zero offset: up to this size, physical alignment and
    /// kernel-virtual alignment agree.
    public var offsetAlignmentBits: Int {
        pptrBaseOffset == 0 ? wordBits : pptrBaseOffset.trailingZeroBitCount
    }
    /// The device top as a word (2^32 on a 32-bit kernel is 0).
    public var deviceTopWord: UInt64 { deviceTop & wordMask }

    /// `paddr_to_pptr`: wraps mod 2^W, no range check.
    public func pptr(ofPaddr paddr: UInt64) -> UInt64 { (paddr &+ pptrBaseOffset) & wordMask }
    /// `pptr_to_paddr`: wraps mod 2^W, no range check.
    public func paddr(ofPptr pptr: UInt64) -> UInt64 { (pptr &- pptrBaseOffset) & wordMask }
    /// Whether `value` is a W-bit word.
    public func fitsInWord(_ value: UInt64) -> Bool { value & ~wordMask == 0 }

    /// The numbers the core's kernel model needs, as words of width `W` (which must be
    /// `wordBits` wide).
    public func kernelConfig<W: MachineWord>(_: W.Type = W.self) -> KernelConfig<W> {
        precondition(W.bitWidth == wordBits, "KernelConfig<\(W.self)> requested for a \(wordBits)-bit window")
        return KernelConfig(maxUntypedBits: W(maxUntypedBits), cnodeSlotBits: W(cnodeSlotBits),
                            capPtrStorage: capPtr.storage(W.self))
    }
}

/// How `capPtr` is stored in an untyped cap (`include/object/structures_*.bf`): the hosted,
/// `Sendable` form of the core's `CapPtrStorage`.
public enum CapPtrLayout: Sendable, Equatable, CustomStringConvertible {
    /// Low `bits` bits kept, sign-extended (x86_64 and AArch64 without hypervisor: 48; Sv39: 39).
    case signExtended(Int)
    /// Low `bits` bits kept, zero-extended (AArch64 with hypervisor: 48).
    case zeroExtended(Int)
    /// 32-bit kernels: the top 28 bits are kept, the low 4 read back as zero.
    case dropLow4

    /// The core's description of the same layout.
    public func storage<W: MachineWord>(_: W.Type = W.self) -> CapPtrStorage<W> {
        switch self {
        case .signExtended(let bits): return .signExtended(W(bits))
        case .zeroExtended(let bits): return .zeroExtended(W(bits))
        case .dropLow4: return .dropLow4
        }
    }

    /// The pointer the kernel reads back after storing `pointer` (a `wordBits`-bit word).
    public func load(_ pointer: UInt64, wordBits: Int) -> UInt64 {
        wordBits == 64 ? storage(UInt64.self).load(pointer)
                       : UInt64(storage(UInt32.self).load(UInt32(truncatingIfNeeded: pointer)))
    }

    /// The spelling used by `custom:` specs and the catalogue listing: `sign48`, `zero48`, `drop4`.
    public var description: String {
        switch self {
        case .signExtended(let bits): return "sign\(bits)"
        case .zeroExtended(let bits): return "zero\(bits)"
        case .dropLow4: return "drop4"
        }
    }
}
