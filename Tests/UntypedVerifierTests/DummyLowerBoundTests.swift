import Testing
import UntypedCore
@testable import UntypedVerifier

/// The fewest dummy retypes from every watermark to `target`, by exhaustive search (offsets in
/// bytes, multiples of 16): one retype of n <= m dummies of 2^k moves w to alignUp(w, 2^k) + n·2^k,
/// k in [4, size), never past the target; w is done when alignUp(w, 2^objectBits) is the target.
/// Every move raises w, so the shortest path from w is found from the watermarks above it,
/// highest first. Entry w / 16 is nil where the target cannot be reached.
func bruteForceFewestDummies(target: UInt64, objectBits: UInt64, untypedBits: UInt64, perRetype: UInt64) -> [UInt64?] {
    func alignUp(_ x: UInt64, _ k: UInt64) -> UInt64 { ((x + (1 << k) - 1) >> k) << k }
    var fewest = [UInt64?](repeating: nil, count: Int(target / 16) + 1)
    for w in stride(from: target, through: 0, by: -16) {
        if alignUp(w, objectBits) == target { fewest[Int(w / 16)] = 0; continue }
        var best: UInt64? = nil
        for k in 4..<untypedBits {
            let start = alignUp(w, k)
            for n in 1...perRetype {
                let end = start + (n << k)
                if end > target { break }
                if let rest = fewest[Int(end / 16)], best.map({ rest + 1 < $0 }) ?? true { best = rest + 1 }
            }
        }
        fewest[Int(w / 16)] = best
    }
    return fewest
}

@Test(arguments: [(UInt64(10), UInt64(1)), (10, 3), (11, 1), (11, 256)])
func lowerBoundIsTheOptimum(untypedBits: UInt64, perRetype: UInt64) {
    var checked = 0
    for objectBits in UInt64(4)..<untypedBits {
        for target in stride(from: UInt64(0), to: UInt64(1) << untypedBits, by: Int(1 << objectBits)) {
            let bound = DummyLowerBound<UInt64>(target: target, objectSizeBits: objectBits, untypedSizeBits: untypedBits, perRetype: perRetype)
            let fewest = bruteForceFewestDummies(target: target, objectBits: objectBits, untypedBits: untypedBits, perRetype: perRetype)
            for watermark in stride(from: UInt64(0), through: target, by: 16) {
                let best = fewest[Int(watermark / 16)]
                #expect(bound.count(from: watermark) == best, "w=\(watermark) t=\(target) s=\(objectBits)")
                checked += 1
            }
        }
    }
    #expect(checked > 1000)
}

@Test func lowerBoundForTheReportedCase() {
    // x86_64 device untyped 0x8000000000/46; 2 MiB frame at offset 0xd8000000000 = 27·2^39.
    let one = DummyLowerBound<UInt64>(target: 0xd8_0000_0000, objectSizeBits: 21, untypedSizeBits: 46, perRetype: 1)
    let many = DummyLowerBound<UInt64>(target: 0xd8_0000_0000, objectSizeBits: 21, untypedSizeBits: 46, perRetype: 256)
    #expect(one.count(from: 0) == 4)
    #expect(many.count(from: 0) == 1)
}
