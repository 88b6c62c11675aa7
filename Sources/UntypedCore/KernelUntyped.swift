/// One untyped capability as the kernel stores it (section 1 of the reference).
public struct KernelUntyped<W: Word> {
    /// `capPtr`: base as a kernel-virtual pointer (pptr), as read back from the cap.
    public var pptr: W
    /// `capBlockSize`: log2 of the size in bytes.
    public var sizeBits: W
    /// `capFreeIndex`: watermark in 16-byte units.
    public var freeIndex: W
    /// `capIsDevice`.
    public var isDevice: W.Cond
    /// Whether the untyped has children in the capability derivation tree.
    public var hasChildren: W.Cond

    @inline(__always)
    public init(pptr: W, sizeBits: W, freeIndex: W, isDevice: W.Cond, hasChildren: W.Cond) {
        self.pptr = pptr
        self.sizeBits = sizeBits
        self.freeIndex = freeIndex
        self.isDevice = isDevice
        self.hasChildren = hasChildren
    }

    /// `MAX_FREE_INDEX(sizeBits)`: the free index of a full untyped (how boot untypeds start).
    @inline(__always) public static func fullFreeIndex(sizeBits: W) -> W {
        W.bit(sizeBits &- KernelConstants.minUntypedBits())
    }
}

/// Architecture-independent kernel constants, as words (integer literals, so no conversion).
public enum KernelConstants {
    /// `seL4_MinUntypedBits` (every architecture): the watermark counts 16-byte units.
    @inline(__always) public static func minUntypedBits<W: Word>() -> W { 4 }
    /// `CONFIG_RETYPE_FAN_OUT_LIMIT`: the most objects one Untyped_Retype creates.
    @inline(__always) public static func retypeFanOutLimit<W: Word>() -> W { 256 }
    /// `seL4_MinSchedContextBits` (MCS).
    @inline(__always) public static func minSchedContextBits<W: Word>() -> W { 7 }
}
