import UntypedCore

/// The fewest dummy retypes that can bring an untyped's watermark to a place from which the
/// kernel's own align-up puts an object of 2^s bytes at target offset t — for every
/// strategy, not just ours. The benchmarks compare strategies with it; the tests check it
/// equal to an exhaustive shortest-path optimum. (The `optimality` obligation proves the default
/// strategy optimal by greedy stays ahead instead, without this bound.)
///
/// Why it has this shape: a watermark from which j retypes suffice forms an interval
/// [lo_j, t]. One retype of n <= m dummies of 2^k lands on x = alignUp(w, 2^k) + n·2^k, so
/// from x it reaches back to every w > x - (m+1)·2^k, best with the largest k dividing x. The
/// widest reach from [lo_j, t] comes from its element x* with the most trailing zeros (any
/// other element is within 2^ctz(x*) of it, which the larger block more than repays), so
///   lo_{j+1} = max(0, x* + 16 - (m+1)·2^min(ctz(x*), n-1)).
public struct DummyLowerBound<W: Word> {
    /// lo_0, lo_1, …: watermarks at or above lo_j need at most j dummy retypes.
    public private(set) var levels: [W] = []

    /// - Parameters: target offset `t` (aligned to 2^s), object size `s` (>= 4), untyped size
    ///   `n`, at most `m` dummies per retype (1...256).
    public init(target t: W, objectSizeBits s: W, untypedSizeBits n: W, perRetype m: W) {
        let sixteen: W = 16
        // The final window: every watermark w with alignUp(w, 2^s) == t, i.e. w > t - 2^s.
        var lo = Self.clampedSub(t &+ sixteen, W.bit(s))
        levels.append(lo)
        // The optimum never exceeds n - 2 (units of 16 bytes: n - 4, plus slack); W - 2 covers every n < W.
        for _ in 0..<(W.bitWidth - 2) {
            let differing = (lo ^ t).floorLog2
            let loHasMoreZeros = (lo & W.mask(differing &+ 1)).eq(0)
            let x = W.select(lo.eq(t), t, W.select(loHasMoreZeros, lo, t & ~W.mask(differing)))
            let k = W.min(x.trailingZeros, n &- 1)
            let reach = (m &+ 1).shiftedLeft(by: k)
            let overflow = reach.shiftedRight(by: k).ne(m &+ 1)
            lo = W.select(overflow, 0, Self.clampedSub(x &+ sixteen, reach))
            levels.append(lo)
        }
    }

    /// The fewest dummy retypes from watermark `w` (w <= t).
    public func count(from w: W) -> W {
        var total: W = 0
        for lo in levels { total = total &+ W.select(w.ult(lo), 1, 0) }
        return total
    }

    /// max(a - b, 0) without wrapping.
    @inline(__always) static func clampedSub(_ a: W, _ b: W) -> W { W.select(a.uge(b), a &- b, 0) }
}
