/// The allocator's view of one untyped: everything it needs to predict the kernel.
public struct UntypedState<W: Word> {
    /// Physical base address (`seL4_UntypedDesc.paddr`).
    public var paddr: W
    /// log2 size in bytes.
    public var sizeBits: W
    /// Device untyped.
    public var isDevice: W.Cond
    /// Bytes from the base the kernel has handed out (the kernel's `freeIndex << 4`), as the
    /// allocator believes it; meaningful while the untyped has children.
    public var watermark: W
    /// Real objects the allocator created in this untyped that are still alive.
    public var liveObjects: W
    /// Dummy untypeds held in hold group 0 and hold group 1.
    public var hold0: W
    public var hold1: W
    /// The hold group the next dummy retype uses (0 or 1).
    public var nextHold: W

    @inline(__always)
    public init(paddr: W, sizeBits: W, isDevice: W.Cond, watermark: W, liveObjects: W, hold0: W, hold1: W, nextHold: W) {
        self.paddr = paddr
        self.sizeBits = sizeBits
        self.isDevice = isDevice
        self.watermark = watermark
        self.liveObjects = liveObjects
        self.hold0 = hold0
        self.hold1 = hold1
        self.nextHold = nextHold
    }

    /// A bootinfo untyped as the kernel hands it over: full, without children (so its first
    /// retype resets it to an empty watermark).
    @inline(__always)
    public static func boot(paddr: W, sizeBits: W, isDevice: W.Cond) -> Self {
        Self(paddr: paddr, sizeBits: sizeBits, isDevice: isDevice, watermark: W.bit(sizeBits),
             liveObjects: 0, hold0: 0, hold1: 0, nextHold: 0)
    }

    /// Whether the kernel sees children under this untyped (then it will not reset it).
    @inline(__always) public var hasChildren: W.Cond {
        liveObjects.ne(0).or(hold0.ne(0)).or(hold1.ne(0))
    }
    /// The watermark the kernel will use at the next retype (0 after a reset).
    @inline(__always) public var effectiveWatermark: W { W.select(hasChildren, watermark, 0) }
    /// Dummies held in group `group`.
    @inline(__always) public func held(_ group: W) -> W { W.select(group.eq(0), hold0, hold1) }

    /// The hold invariant the allocator keeps between steps (stated here once: the verifier
    /// assumes it before a step, proves it after, and checks it on replayed counterexamples):
    /// at most 256 dummies per hold group, the next group is 0 or 1, and while the next group
    /// holds dummies (which are deleted before it is reused) the other group or a live object
    /// keeps the untyped from resetting.
    @inline(__always) public var keepsHoldInvariant: W.Cond {
        let fanOut: W = KernelConstants.retypeFanOutLimit()
        let other = W.select(nextHold.eq(0), hold1, hold0)
        return hold0.ule(fanOut).and(hold1.ule(fanOut)).and(nextHold.eq(0).or(nextHold.eq(1)))
            .and(held(nextHold).eq(0).or(other.ne(0)).or(liveObjects.ne(0)))
    }
}

/// One object (or `count` equal objects) to place in an untyped.
public struct PlacementRequest<W: Word> {
    /// Object size in bits, as the kernel computes it (`getObjectSize`).
    public var sizeBits: W
    /// Number of equal objects in one retype (1...256); an anchor places the first at the target.
    public var count: W
    /// The type may be created from device memory (frames and untypeds).
    public var deviceAllowed: W.Cond
    /// The object must be physically aligned to its size (frames).
    public var needsPhysicalAlignment: W.Cond
    /// The object has a required physical address.
    public var hasTarget: W.Cond
    /// The required physical address (when `hasTarget`).
    public var target: W
    /// How many dummies one retype may create (1...256): the CSpace slots of one hold group.
    public var maxDummiesPerRetype: W

    @inline(__always)
    public init(sizeBits: W, count: W, deviceAllowed: W.Cond, needsPhysicalAlignment: W.Cond,
                hasTarget: W.Cond, target: W, maxDummiesPerRetype: W) {
        self.sizeBits = sizeBits
        self.count = count
        self.deviceAllowed = deviceAllowed
        self.needsPhysicalAlignment = needsPhysicalAlignment
        self.hasTarget = hasTarget
        self.target = target
        self.maxDummiesPerRetype = maxDummiesPerRetype
    }
}
