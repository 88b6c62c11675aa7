/// The per-configuration kernel numbers the core needs (the rest of a kernel window lives
/// in the hosted catalogue). All words, so a proof may leave any of them symbolic.
public struct KernelConfig<W: Word> {
    /// `seL4_MaxUntypedBits`.
    public var maxUntypedBits: W
    /// `seL4_SlotBits`: log2 of a CNode slot (5 on 64-bit, 4 on 32-bit).
    public var cnodeSlotBits: W
    /// How the kernel stores `capPtr` in an untyped cap.
    public var capPtrStorage: CapPtrStorage<W>

    @inline(__always)
    public init(maxUntypedBits: W, cnodeSlotBits: W, capPtrStorage: CapPtrStorage<W>) {
        self.maxUntypedBits = maxUntypedBits
        self.cnodeSlotBits = cnodeSlotBits
        self.capPtrStorage = capPtrStorage
    }
}

/// How `capPtr` is stored in an untyped capability's bitfield and read back
/// (`include/object/structures_*.bf`).
public struct CapPtrStorage<W: Word> {
    /// 0: low `bits` bits kept, sign-extended from bit `bits - 1` (x86_64, aarch64 without
    /// hypervisor: 48; riscv64 Sv39: 39). 1: low `bits` bits kept, zero-extended (aarch64 with
    /// hypervisor: 48). 2: 32-bit: the low 4 bits are dropped (`bits` unused).
    public var kind: W
    public var bits: W

    @inline(__always) public init(kind: W, bits: W) {
        self.kind = kind
        self.bits = bits
    }

    @inline(__always) public static func signExtended(_ bits: W) -> Self { Self(kind: 0, bits: bits) }
    @inline(__always) public static func zeroExtended(_ bits: W) -> Self { Self(kind: 1, bits: bits) }
    @inline(__always) public static var dropLow4: Self { Self(kind: 2, bits: 0) }

    /// The pointer the kernel reads back after storing `pointer` into a cap.
    @inline(__always) public func load(_ pointer: W) -> W {
        let low = pointer & W.mask(bits)
        let signBitSet = low.shiftedRight(by: bits &- 1).eq(0).negated
        let signExtended = W.select(signBitSet, low | ~W.mask(bits), low)
        let dropped = pointer & ~(15 as W)
        return W.select(kind.eq(0), signExtended, W.select(kind.eq(1), low, dropped))
    }

    /// Whether `pointer` survives storage unchanged.
    @inline(__always) public func roundTrips(_ pointer: W) -> W.Cond { load(pointer).eq(pointer) }
}
