/// One iteration of the kernel's boot-time cutting of a region into untypeds
/// (`create_untypeds_for_region`, on kernel-virtual addresses that wrap mod 2^W).
public struct BootCut<W: Word> {
    /// log2 size of the chunk.
    public var sizeBits: W
    /// The chunk is at least 16 bytes and becomes an untyped.
    public var emits: W.Cond
    /// Start of the rest of the region.
    public var next: W
}

/// Cuts the next chunk off the region `[start, end)` (kernel-virtual; `start != end`).
/// The chunk is the largest power of two that fits, is no larger than `maxUntypedBits` and
/// is aligned at `start` (a start of 0 counts as aligned to everything).
@inline(__always)
public func bootCut<W: Word>(start: W, end: W, maxUntypedBits: W) -> BootCut<W> {
    let fits = (end &- start).floorLog2
    let capped = W.min(fits, maxUntypedBits)
    let size = W.select(start.eq(0), capped, W.min(capped, start.trailingZeros))
    return BootCut(sizeBits: size, emits: size.uge(KernelConstants.minUntypedBits()),
                   next: start &+ W.bit(size))
}
