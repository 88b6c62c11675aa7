/// What the root task does next for one placement request.
public enum StepKind: UInt8 {
    /// Untyped_Retype the requested object(s) now: they land at `paddr`.
    case retypeObject = 0
    /// Untyped_Retype `count` dummy untypeds of `sizeBits` into hold group `hold`.
    case retypeDummies = 1
    /// CNode_Delete the `count` dummies held in hold group `hold`.
    case deleteHold = 2
    /// The request cannot be met; `error` says why (a `PlacementError`).
    case fail = 3

    @inline(__always) public func word<W: Word>() -> W {
        switch self {
        case .retypeObject: return 0
        case .retypeDummies: return 1
        case .deleteHold: return 2
        case .fail: return 3
        }
    }
}

/// Why the allocator refuses a request (it never places an object anywhere else).
public enum PlacementError: UInt8 {
    case none = 0
    /// `maxDummiesPerRetype` or `count` is outside 1...256.
    case badCount = 1
    /// The object is larger than the untyped (or under 16 bytes, which no seL4 object is).
    case objectTooLarge = 2
    /// The type cannot be created from device memory.
    case deviceType = 3
    /// The target address is outside the untyped.
    case targetOutside = 4
    /// The target is not aligned to the object's size in physical memory (frames).
    case targetUnaligned = 5
    /// The kernel cannot put the object at the target: the target is not aligned to the
    /// object's size in kernel-virtual space (only possible for objects larger than
    /// ctz(PPTR_BASE_OFFSET), and for targets not aligned at all).
    case kernelMisaligned = 6
    /// The target lies below the watermark: memory there was already handed out.
    case targetBelowWatermark = 7
    /// The object(s) do not fit between the target (or watermark) and the end of the untyped.
    case notEnoughMemory = 8
    /// The step function's own postcondition failed: its dummy retype would not lie between
    /// the watermark and the target. Proved unreachable for the default strategy (`progress`).
    case cannotPad = 9

    @inline(__always) public func word<W: Word>() -> W {
        switch self {
        case .none: return 0
        case .badCount: return 1
        case .objectTooLarge: return 2
        case .deviceType: return 3
        case .targetOutside: return 4
        case .targetUnaligned: return 5
        case .kernelMisaligned: return 6
        case .targetBelowWatermark: return 7
        case .notEnoughMemory: return 8
        case .cannotPad: return 9
        }
    }
}

/// The next action for one placement request.
public struct Step<W: Word> {
    /// `StepKind` code.
    public var kind: W
    /// Size in bits of the objects the retype creates (the object, or the dummies).
    public var sizeBits: W
    /// Number of objects created (retypes) or dummies deleted (deleteHold).
    public var count: W
    /// Hold group of a dummy retype or delete.
    public var hold: W
    /// Where the allocator expects the first new object, physically (retypes).
    public var paddr: W
    /// `PlacementError` code when `kind` is `.fail`.
    public var error: W

    @inline(__always)
    public init(kind: W, sizeBits: W, count: W, hold: W, paddr: W, error: W) {
        self.kind = kind
        self.sizeBits = sizeBits
        self.count = count
        self.hold = hold
        self.paddr = paddr
        self.error = error
    }

    @inline(__always) public func `is`(_ k: StepKind) -> W.Cond { kind.eq(k.word()) }
}

#if !hasFeature(Embedded)
extension StepKind: CaseIterable {}
#endif

#if !hasFeature(Embedded)
extension PlacementError: CaseIterable {}
#endif
