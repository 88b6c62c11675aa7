/// How the kernel sizes an object type (`getObjectSize` and the checks that depend on it).
public enum ObjectClass {
    /// Untyped: object size = size argument.
    @inline(__always) public static func untyped<W: Word>() -> W { 0 }
    /// CNode: object size = slot bits + radix.
    @inline(__always) public static func cnode<W: Word>() -> W { 1 }
    /// SchedContext (MCS): object size = size argument.
    @inline(__always) public static func schedContext<W: Word>() -> W { 2 }
    /// Every other type: a fixed size per architecture and configuration.
    @inline(__always) public static func fixed<W: Word>() -> W { 3 }
}

/// The arguments of one `seL4_Untyped_Retype`, with the object type already resolved by the
/// caller into the few facts the kernel's checks use.
public struct RetypeRequest<W: Word> {
    /// The type number is in range for this kernel (`newType < seL4_ObjectTypeCount`).
    public var typeValid: W.Cond
    /// `ObjectClass` of the type.
    public var objectClass: W
    /// Object size of a fixed-size type (ignored otherwise).
    public var fixedSizeBits: W
    /// The type is a frame type or Untyped (may come from device memory).
    public var deviceAllowed: W.Cond
    /// `userObjSize` as passed by the caller.
    public var userObjSize: W
    /// `nodeWindow`: number of objects.
    public var count: W

    @inline(__always)
    public init(typeValid: W.Cond, objectClass: W, fixedSizeBits: W, deviceAllowed: W.Cond, userObjSize: W, count: W) {
        self.typeValid = typeValid
        self.objectClass = objectClass
        self.fixedSizeBits = fixedSizeBits
        self.deviceAllowed = deviceAllowed
        self.userObjSize = userObjSize
        self.count = count
    }

    /// A retype of `count` untypeds of `sizeBits`.
    @inline(__always) public static func untypeds(sizeBits: W, count: W) -> Self {
        Self(typeValid: .yes, objectClass: ObjectClass.untyped(), fixedSizeBits: 0,
             deviceAllowed: .yes, userObjSize: sizeBits, count: count)
    }
}

/// What the kernel does with one Untyped_Retype.
public struct RetypeOutcome<W: Word> {
    /// `RetypeError` code; 0 when the retype succeeds.
    public var error: W
    /// Object size in bits (`getObjectSize`).
    public var objectSizeBits: W
    /// The untyped had no children, so it was reset (watermark 0) first.
    public var reset: W.Cond
    /// Kernel-virtual address of the first new object (`alignedFreeRef`).
    public var firstObject: W
    /// The untyped cap after the call (unchanged on error).
    public var untyped: KernelUntyped<W>

    @inline(__always) public var succeeded: W.Cond { error.eq(0) }
    /// Kernel-virtual address of object `index`.
    @inline(__always) public func object(_ index: W) -> W { firstObject &+ index.shiftedLeft(by: objectSizeBits) }
}

/// The kernel's Untyped_Retype on one untyped: `decodeUntypedInvocation` (checks, in the
/// kernel's order, first failure wins) followed by `invokeUntyped_Retype` (reset, align the
/// free pointer on the kernel-virtual address, advance the watermark). Destination CNode
/// lookups are the caller's business and are not modelled.
@inline(__always)
public func kernelRetype<W: Word>(_ cap: KernelUntyped<W>, _ request: RetypeRequest<W>, _ config: KernelConfig<W>) -> RetypeOutcome<W> {
    let r = request
    let isUntyped = r.objectClass.eq(ObjectClass.untyped())
    let isCNode = r.objectClass.eq(ObjectClass.cnode())
    let isSchedContext = r.objectClass.eq(ObjectClass.schedContext())
    let objectSize = W.select(isUntyped.or(isSchedContext), r.userObjSize,
                              W.select(isCNode, config.cnodeSlotBits &+ r.userObjSize, r.fixedSizeBits))

    // 1. type; 2. size range; 3. minimum sizes; 4. number of objects.
    let badType = r.typeValid.negated
    let badRange = r.userObjSize.uge(W.width).or(objectSize.ugt(config.maxUntypedBits))
    let tooSmall = isCNode.and(r.userObjSize.eq(0))
        .or(isUntyped.and(r.userObjSize.ult(KernelConstants.minUntypedBits())))
        .or(isSchedContext.and(r.userObjSize.ult(KernelConstants.minSchedContextBits())))
    let badCount = r.count.ult(1).or(r.count.ugt(KernelConstants.retypeFanOutLimit()))

    // 5. reset when the untyped has no children; 6. free memory, padding not counted.
    let reset = cap.hasChildren.negated
    let freeIndex = W.select(reset, 0, cap.freeIndex)
    let usedBytes = freeIndex.shiftedLeft(by: KernelConstants.minUntypedBits())
    let freeRef = cap.pptr &+ usedBytes
    let freeBytes = W.bit(cap.sizeBits) &- usedBytes
    let noMemory = freeBytes.shiftedRight(by: objectSize).ult(r.count)
    // 7. device untypeds only become frames or untypeds (checked after the memory check).
    let badDevice = cap.isDevice.and(r.deviceAllowed.negated)

    let error: W = W.select(badType, RetypeError.invalidType.word(),
                   W.select(badRange, RetypeError.sizeOutOfRange.word(),
                   W.select(tooSmall, RetypeError.sizeTooSmall.word(),
                   W.select(badCount, RetypeError.countOutOfRange.word(),
                   W.select(noMemory, RetypeError.notEnoughMemory.word(),
                   W.select(badDevice, RetypeError.deviceType.word(), RetypeError.none.word()))))))

    // 8. align on the kernel-virtual address; 9. new watermark (mod 2^W, exact even if the end wraps to 0).
    let alignedFreeRef = freeRef.alignedUp(objectSize)
    let end = alignedFreeRef &+ r.count.shiftedLeft(by: objectSize)
    let newFreeIndex = (end &- cap.pptr).shiftedRight(by: KernelConstants.minUntypedBits())

    let ok = error.eq(0)
    var after = cap
    after.freeIndex = W.select(ok, newFreeIndex, cap.freeIndex)
    after.hasChildren = ok.or(cap.hasChildren)
    return RetypeOutcome(error: error, objectSizeBits: objectSize, reset: reset,
                         firstObject: alignedFreeRef, untyped: after)
}

/// A child untyped created by a retype: it starts empty, without children, and inherits
/// the device flag. Its pointer is what the kernel reads back from the new cap.
@inline(__always)
public func childUntyped<W: Word>(of outcome: RetypeOutcome<W>, index: W, parentIsDevice: W.Cond, config: KernelConfig<W>) -> KernelUntyped<W> {
    KernelUntyped(pptr: config.capPtrStorage.load(outcome.object(index)), sizeBits: outcome.objectSizeBits,
                  freeIndex: 0, isDevice: parentIsDevice, hasChildren: .no)
}
