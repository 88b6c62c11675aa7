import UntypedCore
import UntypedKit

/// The numbers of one kernel window that the proofs depend on. A `nil` offset or device top
/// makes that number symbolic: the proof then covers every value of it.
public struct ProofWindow: Sendable {
    public var name: String
    public var wordBits: Int
    /// PPTR_BASE_OFFSET; nil for any offset.
    public var pptrBaseOffset: UInt64?
    public var maxUntypedBits: UInt64
    public var cnodeSlotBits: UInt64
    /// capPtr storage: kind (0 sign-extended, 1 zero-extended, 2 low 4 bits dropped) and bits.
    public var capPtrKind: UInt64
    public var capPtrBits: UInt64
    /// Exclusive device top (2^32 allowed on 32-bit); nil for any device top.
    public var deviceTop: UInt64?
    /// The kernel window's physical range [PADDR_BASE, PADDR_TOP), where normal (RAM)
    /// untypeds lie (PADDR_TOP may be 2^32 on 32-bit); nil on the symbolic windows.
    public var paddrBase: UInt64?
    public var paddrTop: UInt64?
    /// The catalogue (or custom) window this one was made from; nil on the symbolic windows.
    public var kernelWindow: KernelWindow? = nil

    public init(name: String, wordBits: Int, pptrBaseOffset: UInt64?, maxUntypedBits: UInt64,
                cnodeSlotBits: UInt64, capPtrKind: UInt64, capPtrBits: UInt64, deviceTop: UInt64?,
                paddrBase: UInt64? = nil, paddrTop: UInt64? = nil) {
        self.name = name
        self.wordBits = wordBits
        self.pptrBaseOffset = pptrBaseOffset
        self.maxUntypedBits = maxUntypedBits
        self.cnodeSlotBits = cnodeSlotBits
        self.capPtrKind = capPtrKind
        self.capPtrBits = capPtrBits
        self.deviceTop = deviceTop
        self.paddrBase = paddrBase
        self.paddrTop = paddrTop
    }

    /// Whether a proof of an allocator obligation on this window is one on `other` too: this
    /// window leaves the offset and the device top symbolic, has the same word width and CNode
    /// slot size, and allows untypeds at least as large. (The allocator obligations use
    /// seL4_MaxUntypedBits only as a bound on the untyped's size.)
    public func covers(_ other: ProofWindow) -> Bool {
        pptrBaseOffset == nil && deviceTop == nil && wordBits == other.wordBits
            && cnodeSlotBits == other.cnodeSlotBits && other.maxUntypedBits <= maxUntypedBits
    }

    /// The kernel window a counterexample on this window lives in: this window's own, or on a
    /// symbolic window a custom one with the counterexample's PPTR_BASE_OFFSET.
    public func kernelWindow(offset: UInt64?) -> KernelWindow? {
        if let kernelWindow { return kernelWindow }
        guard let offset = pptrBaseOffset ?? offset else { return nil }
        return try? KernelWindow.resolve("custom:bits=\(wordBits),offset=\(hex(offset))", source: "counterexample")
    }

    /// The numbers `model-spec` depends on: word width, seL4_MaxUntypedBits, the CNode slot
    /// size and capPtr storage. (PPTR_BASE_OFFSET, the device top and the RAM range do not
    /// enter it; a symbolic window's query adds the offset-form goals to the same ones.)
    public var kernelModelParameters: [UInt64] {
        [UInt64(wordBits), maxUntypedBits, cnodeSlotBits, capPtrKind, capPtrBits]
    }

    /// Whether this window's `model-spec` proof is also one for `other`: a symbolic window's
    /// query proves the model for every set of kernel-model numbers of its word width (capPtr
    /// storage of at most that many bits), and has the offset-form goals besides; a catalogue
    /// window's covers the windows with the same numbers.
    public func coversKernelModel(of other: ProofWindow) -> Bool {
        if pptrBaseOffset == nil { return wordBits == other.wordBits && other.capPtrBits <= UInt64(wordBits) }
        return kernelModelParameters == other.kernelModelParameters
    }

    /// A window over every offset and device top for a word width: proofs on it cover
    /// platforms nobody listed (capPtr storage: the 32-bit rule, or 48-bit sign extension).
    public static func any(wordBits: Int) -> ProofWindow {
        wordBits == 64
            ? ProofWindow(name: "any-64", wordBits: 64, pptrBaseOffset: nil, maxUntypedBits: 47, cnodeSlotBits: 5,
                          capPtrKind: 0, capPtrBits: 48, deviceTop: nil)
            : ProofWindow(name: "any-32", wordBits: 32, pptrBaseOffset: nil, maxUntypedBits: 29, cnodeSlotBits: 4,
                          capPtrKind: 2, capPtrBits: 0, deviceTop: nil)
    }
}
