/// How an allocator computes where the kernel will put the next object.
///
/// Only `.offset` is correct on every kernel window and it is the only one the C ABI
/// uses. The others exist so that the verifier, `untyped counterexample` and the
/// benchmarks can show what goes wrong with them (or what they cost).
public enum Strategy: UInt8, Sendable {
    /// Align on the offset from the untyped's base (equal to the kernel's alignment for every
    /// size up to the untyped's, because the untyped's pptr is aligned to its size); pad with
    /// the fewest dummy retypes, taking the furthest-reaching block each time.
    case offset = 0
    /// Align on the absolute physical address: the rust-sel4 capDL initialiser before mid-2026
    /// (the reported bug: wrong memory when PPTR_BASE_OFFSET is not aligned to the object).
    case absolute = 1
    /// The current rust-sel4 rule: one dummy of size min(ctz(offset), floor(log2(distance))),
    /// never using the kernel's own align-up.
    case rustSel4 = 2
    /// utspace_split-style halving (seL4_libs allocman): see `SplitPlanner` in the hosted kit.
    /// In the single-untyped step function it pads like `.rustSel4`, one halving per dummy.
    case split = 3
    /// Deliberately broken: aligns to one bit less than it should.
    case mutantAlignOffByOne = 100
    /// Deliberately broken: floor(log2(distance)) where trailing zeros of the offset are meant.
    case mutantFloorLog2 = 101
    /// Deliberately broken: a single hold slot, so deleting the previous dummy can leave the
    /// untyped without children and the kernel resets it.
    case mutantSingleHold = 102
    /// Deliberately broken: places an un-anchored frame wherever the kernel's align-up puts
    /// it, without checking that the place is physically aligned.
    case mutantNoPhysicalCheck = 103
    /// Deliberately broken: the furthest-reach search never tries 16-byte blocks, so it can
    /// find nothing when the watermark and the target are 16 bytes apart and misaligned.
    case mutantSkipSmallestBlock = 104
}

#if !hasFeature(Embedded)
extension Strategy: CaseIterable {}
#endif
