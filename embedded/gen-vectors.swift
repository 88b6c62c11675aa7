// Generates embedded/vectors.h: the test vectors the C harness runs through the C ABI on
// every ISA. Run by embedded/build.sh, which fails when the committed vectors.h is stale:
//
//     swiftc -O embedded/gen-vectors.swift -o /tmp/gen && /tmp/gen > embedded/vectors.h
//
// Two sets: 64-bit vectors (run with 64-bit words) and 32-bit vectors (run with 32-bit
// words on the 32-bit ISAs, and additionally as 64-bit words on the 64-bit ISAs). Each set
// is a list of hand-written cases, some with expected results worked out by hand, followed
// by a seeded random sample. No Foundation: plain Swift only.

/// One placement request, with an optional expectation for its final step.
struct Request {
    var sizeBits: UInt64
    var count: UInt64 = 1
    var deviceAllowed = true
    var physAlign = false
    var target: UInt64? = nil
    var maxDummies: UInt64 = 1
    /// Expected final step: `.object(paddr)` or `.fail(error)`; nil: no expectation.
    var expect: Expect? = nil
    /// Expected number of dummy retypes before the final step; nil: no expectation.
    var expectDummyRetypes: Int? = nil
}

enum Expect {
    case object(UInt64)
    case fail(UInt64)
}

/// One untyped (a `seL4_UntypedDesc`) and the requests placed in it, in order.
struct Vector {
    var name: String
    var paddr: UInt64
    var sizeBits: UInt8
    var isDevice: Bool
    var requests: [Request]
}

// PlacementError codes (Sources/UntypedCore/Step.swift, include/untyped_alloc.h).
let badCount: UInt64 = 1, objectTooLarge: UInt64 = 2, deviceType: UInt64 = 3, targetOutside: UInt64 = 4
let targetUnaligned: UInt64 = 5, kernelMisaligned: UInt64 = 6, belowWatermark: UInt64 = 7, notEnoughMemory: UInt64 = 8

/// A frame: physically aligned, may come from device memory.
func frame(_ bits: UInt64, at target: UInt64? = nil, per: UInt64 = 1, count: UInt64 = 1,
           _ expect: Expect? = nil, dummies: Int? = nil) -> Request {
    Request(sizeBits: bits, count: count, physAlign: true, target: target, maxDummies: per,
            expect: expect, expectDummyRetypes: dummies)
}

/// A normal-memory object (TCB, CNode, ...): kernel alignment only, not from device memory.
func object(_ bits: UInt64, at target: UInt64? = nil, per: UInt64 = 1, count: UInt64 = 1,
            _ expect: Expect? = nil, dummies: Int? = nil) -> Request {
    Request(sizeBits: bits, count: count, deviceAllowed: false, target: target, maxDummies: per,
            expect: expect, expectDummyRetypes: dummies)
}

/// An untyped to be placed (no physical alignment needed, may come from device memory).
func untyped(_ bits: UInt64, at target: UInt64? = nil, per: UInt64 = 1,
             _ expect: Expect? = nil, dummies: Int? = nil) -> Request {
    Request(sizeBits: bits, target: target, maxDummies: per, expect: expect, expectDummyRetypes: dummies)
}

// MARK: - Hand-written cases

let hand64: [Vector] = [
    // The reported case (x86_64): device untyped with pptr 0, 2 MiB frame at 0xe0000000000,
    // offset 27 * 2^39: four dummies (offset bits 39, 40, 42, 43), or one retype of 27.
    Vector(name: "reported case, 1 dummy per retype", paddr: 0x80_0000_0000, sizeBits: 46, isDevice: true,
           requests: [frame(21, at: 0xe00_0000_0000, .object(0xe00_0000_0000), dummies: 4)]),
    Vector(name: "reported case, 256 dummies per retype", paddr: 0x80_0000_0000, sizeBits: 46, isDevice: true,
           requests: [frame(21, at: 0xe00_0000_0000, per: 256, .object(0xe00_0000_0000), dummies: 1)]),
    Vector(name: "reported case, 26 dummies per retype", paddr: 0x80_0000_0000, sizeBits: 46, isDevice: true,
           requests: [frame(21, at: 0xe00_0000_0000, per: 26, .object(0xe00_0000_0000), dummies: 2)]),
    // A 2^40 untyped at a 2^40-aligned paddr is only 2^39-aligned in kernel space here.
    Vector(name: "kernel-misaligned anchor", paddr: 0x80_0000_0000, sizeBits: 46, isDevice: true,
           requests: [untyped(40, at: 0x100_0000_0000, .fail(kernelMisaligned)),
                      untyped(40, at: 0x180_0000_0000, .object(0x180_0000_0000), dummies: 1)]),
    Vector(name: "unanchored, physically misaligned", paddr: 0x80_0000_0000, sizeBits: 46, isDevice: true,
           requests: [Request(sizeBits: 40, physAlign: true, expect: .fail(kernelMisaligned)),
                      untyped(40, .object(0x80_0000_0000), dummies: 0)]),
    Vector(name: "target = base", paddr: 0x10_0000, sizeBits: 20, isDevice: false,
           requests: [object(12, at: 0x10_0000, .object(0x10_0000), dummies: 0)]),
    Vector(name: "target at the last slot, 1 per retype", paddr: 0x10_0000, sizeBits: 20, isDevice: false,
           requests: [frame(12, at: 0x1f_f000, .object(0x1f_f000), dummies: 8),
                      object(12, .fail(notEnoughMemory))]),
    Vector(name: "target at the last slot, 256 per retype", paddr: 0x10_0000, sizeBits: 20, isDevice: false,
           requests: [frame(12, at: 0x1f_f000, per: 256, .object(0x1f_f000), dummies: 1)]),
    Vector(name: "unaligned targets", paddr: 0x10_0000, sizeBits: 20, isDevice: false,
           requests: [frame(12, at: 0x10_0800, .fail(targetUnaligned)),
                      object(11, at: 0x10_0400, .fail(kernelMisaligned)),
                      object(11, at: 0x10_0800, .object(0x10_0800), dummies: 1)]),
    Vector(name: "target below watermark", paddr: 0x10_0000, sizeBits: 20, isDevice: false,
           requests: [frame(12, at: 0x18_0000, .object(0x18_0000), dummies: 1),
                      frame(12, at: 0x14_0000, .fail(belowWatermark)),
                      frame(12, at: 0x18_0000, .fail(belowWatermark)),
                      frame(12, at: 0x18_1000, .object(0x18_1000), dummies: 0)]),
    Vector(name: "target outside", paddr: 0x10_0000, sizeBits: 20, isDevice: false,
           requests: [frame(12, at: 0x20_0000, .fail(targetOutside)),
                      frame(12, at: 0x0f_f000, .fail(targetOutside)),
                      frame(12, at: 0, .fail(targetOutside)),
                      frame(12, at: 0xffff_ffff_ffff_f000, .fail(targetOutside))]),
    Vector(name: "object too large", paddr: 0x10_0000, sizeBits: 20, isDevice: false,
           requests: [frame(21, at: 0x10_0000, .fail(objectTooLarge)),
                      object(64, .fail(objectTooLarge)),
                      object(20, .object(0x10_0000), dummies: 0)]),
    Vector(name: "device untyped, non-frame", paddr: 0xfe00_0000, sizeBits: 24, isDevice: true,
           requests: [object(12, at: 0xfe00_0000, .fail(deviceType)),
                      object(12, .fail(deviceType)),
                      frame(12, at: 0xfe00_0000, .object(0xfe00_0000), dummies: 0)]),
    Vector(name: "watermark after earlier objects", paddr: 0x10_0000, sizeBits: 20, isDevice: false,
           requests: [object(12, .object(0x10_0000), dummies: 0),
                      object(16, .object(0x11_0000), dummies: 0),
                      frame(12, at: 0x1c_0000, .object(0x1c_0000), dummies: 2),
                      object(10, .object(0x1c_1000), dummies: 0)]),
    Vector(name: "count 0, 256, 257; budget 0, 257", paddr: 0x10_0000, sizeBits: 20, isDevice: false,
           requests: [object(12, at: 0x10_0000, count: 0, .fail(badCount)),
                      object(12, at: 0x10_0000, count: 257, .fail(badCount)),
                      object(12, at: 0x10_0000, per: 0, .fail(badCount)),
                      object(12, at: 0x10_0000, per: 257, .fail(badCount)),
                      object(12, at: 0x10_0000, count: 256, .object(0x10_0000), dummies: 0),
                      object(12, count: 1, .fail(notEnoughMemory))]),
    Vector(name: "several anchored frames", paddr: 0x4000_0000, sizeBits: 30, isDevice: true,
           requests: [frame(12, at: 0x4010_0000, count: 4, .object(0x4010_0000), dummies: 1),
                      frame(21, at: 0x4020_0000, count: 2, .object(0x4020_0000), dummies: 0),
                      frame(21, at: 0x7fe0_0000, count: 2, .fail(notEnoughMemory)),
                      frame(21, at: 0x7fe0_0000, per: 3, count: 1, .object(0x7fe0_0000))]),
    Vector(name: "smallest untyped", paddr: 0x1000, sizeBits: 4, isDevice: false,
           requests: [object(4, at: 0x1000, .object(0x1000), dummies: 0),
                      object(4, .fail(notEnoughMemory))]),
    Vector(name: "untyped ending at 2^64", paddr: 0xffff_ff80_0000_0000, sizeBits: 39, isDevice: true,
           requests: [frame(30, at: 0xffff_ffff_c000_0000, per: 256, .object(0xffff_ffff_c000_0000), dummies: 2),
                      frame(12, .fail(notEnoughMemory))]),
]

let hand32: [Vector] = [
    // Arm/RISC-V 32-bit: the last device untyped may end exactly at 2^32.
    Vector(name: "untyped ending at 2^32, last slot", paddr: 0xf000_0000, sizeBits: 28, isDevice: true,
           requests: [frame(12, at: 0xffff_f000, .object(0xffff_f000), dummies: 16),
                      frame(12, .fail(notEnoughMemory))]),
    Vector(name: "untyped ending at 2^32, 256 per retype", paddr: 0xf000_0000, sizeBits: 28, isDevice: true,
           requests: [frame(20, at: 0xfff0_0000, per: 256, .object(0xfff0_0000), dummies: 1),
                      frame(12, at: 0xfff0_0000, .fail(belowWatermark))]),
    Vector(name: "untyped ending at 2^32, unanchored", paddr: 0xf000_0000, sizeBits: 28, isDevice: true,
           requests: [frame(27, at: 0xf800_0000, .object(0xf800_0000), dummies: 1),
                      frame(12, at: 0xffff_ffff, .fail(targetUnaligned)),
                      Request(sizeBits: 4, physAlign: true, expect: .fail(notEnoughMemory))]),
    // imx6-like window (PPTR_BASE_OFFSET 0xd0000000): 2^29 untyped at a 2^28-aligned paddr.
    Vector(name: "aarch32 untyped not physically aligned", paddr: 0x1000_0000, sizeBits: 29, isDevice: false,
           requests: [frame(24, at: 0x1f00_0000, .object(0x1f00_0000), dummies: 4),
                      untyped(28, at: 0x2000_0000, .object(0x2000_0000), dummies: 0)]),
    Vector(name: "target = base", paddr: 0x8020_0000, sizeBits: 21, isDevice: false,
           requests: [object(9, at: 0x8020_0000, .object(0x8020_0000), dummies: 0)]),
    Vector(name: "target below base, outside, unaligned", paddr: 0x8020_0000, sizeBits: 21, isDevice: false,
           requests: [frame(12, at: 0x801f_f000, .fail(targetOutside)),
                      frame(12, at: 0x8040_0000, .fail(targetOutside)),
                      frame(12, at: 0x8020_0010, .fail(targetUnaligned)),
                      frame(22, at: 0x8000_0000, .fail(objectTooLarge))]),
    Vector(name: "count and budget limits", paddr: 0x8020_0000, sizeBits: 21, isDevice: false,
           requests: [object(12, at: 0x8030_0000, count: 0, .fail(badCount)),
                      object(12, at: 0x8030_0000, count: 257, .fail(badCount)),
                      object(12, at: 0x8030_0000, per: 257, .fail(badCount)),
                      object(12, at: 0x8030_0000, count: 256, .object(0x8030_0000), dummies: 1),
                      object(4, .fail(notEnoughMemory))]),
    Vector(name: "device untyped, non-frame", paddr: 0xe000_0000, sizeBits: 20, isDevice: true,
           requests: [object(10, .fail(deviceType)),
                      frame(16, at: 0xe008_0000, .object(0xe008_0000), dummies: 1)]),
    Vector(name: "watermark after earlier objects", paddr: 0x8020_0000, sizeBits: 21, isDevice: false,
           requests: [object(9, .object(0x8020_0000), dummies: 0),
                      object(14, .object(0x8020_4000), dummies: 0),
                      frame(12, at: 0x8020_c000, .object(0x8020_c000), dummies: 1),
                      frame(12, at: 0x8020_8000, .fail(belowWatermark))]),
]

// MARK: - Random sample

/// splitmix64: small, seedable, identical on every platform.
struct SplitMix64 {
    var state: UInt64
    mutating func next() -> UInt64 {
        state = state &+ 0x9e37_79b9_7f4a_7c15
        var z = state
        z = (z ^ (z >> 30)) &* 0xbf58_476d_1ce4_e5b9
        z = (z ^ (z >> 27)) &* 0x94d0_49bb_1331_11eb
        return z ^ (z >> 31)
    }
    /// Uniform in `range` (modulo bias is irrelevant here).
    mutating func int(_ range: ClosedRange<UInt64>) -> UInt64 {
        range.lowerBound + next() % (range.upperBound - range.lowerBound + 1)
    }
    mutating func chance(_ percent: UInt64) -> Bool { next() % 100 < percent }
    mutating func pick(_ values: [UInt64]) -> UInt64 { values[Int(next() % UInt64(values.count))] }
}

func bit(_ n: UInt64) -> UInt64 { n >= 64 ? 0 : 1 << n }

/// Random vectors for `width`-bit words: untypeds the kernel could hand out (size-aligned,
/// or only partly aligned like x86_64's pptr-0 untyped; possibly ending at 2^width), and
/// request sequences that mostly walk up the untyped with a few bad requests mixed in.
func randomVectors(width: UInt64, count n: Int, seed: UInt64) -> [Vector] {
    var rng = SplitMix64(state: seed)
    let maxBits: UInt64 = width == 64 ? 47 : 29
    let addressTop: UInt64 = width == 64 ? bit(48) : bit(32)
    var out: [Vector] = []
    for i in 0..<n {
        let sizeBits = rng.chance(50) ? rng.int(12...min(maxBits, 32)) : rng.int(4...maxBits)
        let size = bit(sizeBits)
        // Alignment of the paddr: its own size, or less (kernel windows with a small ctz).
        let align = rng.chance(70) ? sizeBits : rng.int(min(sizeBits, 12)...sizeBits)
        var paddr = rng.int(0...(addressTop - size)) & ~(bit(align) - 1)
        if rng.chance(10) { paddr = addressTop &- size }           // ends at the top
        if width == 64 && rng.chance(3) { paddr = 0 &- size }       // ends at 2^64
        let isDevice = rng.chance(50)
        let budget = rng.chance(60) ? rng.pick([1, 1, 2, 3, 27, 256]) : rng.int(1...256)

        var requests: [Request] = []
        var cursor: UInt64 = 0        // offset the next anchor goes at or above
        for _ in 0..<rng.int(1...5) {
            var r = Request(sizeBits: rng.chance(60) ? rng.int(4...min(sizeBits, 24)) : rng.int(4...sizeBits))
            if rng.chance(4) { r.sizeBits = rng.int(sizeBits...(width + 2)) }
            r.count = rng.chance(85) ? 1 : (rng.chance(80) ? rng.int(2...8) : rng.pick([0, 256, 257, 1 << 20]))
            r.deviceAllowed = rng.chance(85)
            r.physAlign = rng.chance(50)
            r.maxDummies = rng.chance(90) ? budget : rng.pick([0, 1, 256, 257])
            if rng.chance(80) {
                let roll = rng.next() % 100
                let align = bit(r.sizeBits) &- 1
                let bytes = r.sizeBits < 64 ? r.count << r.sizeBits : 0
                let low = (cursor &+ align) & ~align
                var offset: UInt64
                if roll < 80 {
                    // At or above the previous object, aligned to the object's size from the
                    // base, where it fits (small gaps more likely than large ones).
                    offset = low
                    if r.sizeBits <= sizeBits, bytes <= size, low <= size - bytes {
                        let slots = (size - bytes - low) >> r.sizeBits
                        let pick = rng.next() % ((slots >> rng.int(0...sizeBits)) + 1)
                        offset = low + (pick << r.sizeBits)
                    }
                } else if roll < 90 {
                    // Physically aligned somewhere in the untyped (may be kernel-misaligned).
                    offset = ((paddr &+ rng.next() % size) & ~align) &- paddr
                } else {
                    offset = rng.next()    // anywhere: outside, unaligned, ...
                }
                if width == 32 { offset &= 0xffff_ffff }
                r.target = (paddr &+ offset) & (width == 32 ? 0xffff_ffff : ~0)
                if offset < size, bytes <= size - offset, offset >= cursor { cursor = offset + bytes }
            }
            requests.append(r)
        }
        out.append(Vector(name: "random \(width)-bit #\(i)", paddr: paddr, sizeBits: UInt8(sizeBits),
                          isDevice: isDevice, requests: requests))
    }
    return out
}

// MARK: - Output

func hex(_ v: UInt64) -> String { "0x" + String(v, radix: 16) + "ull" }
func dec(_ v: UInt64) -> String { v > 0x7fff_ffff ? "\(v)ull" : "\(v)" }

func emit(_ vectors: [Vector], suffix: String) {
    print("static const struct vec_request requests\(suffix)[] = {")
    for (vi, v) in vectors.enumerated() {
        for r in v.requests {
            var kind = "-1", value = "0"
            switch r.expect {
            case .object(let paddr)?: kind = "0"; value = hex(paddr)
            case .fail(let error)?: kind = "3"; value = dec(error)
            case nil: break
            }
            let fields = [dec(r.sizeBits), dec(r.count), hex(r.target ?? 0), dec(r.maxDummies),
                          r.deviceAllowed ? "1" : "0", r.physAlign ? "1" : "0", r.target == nil ? "0" : "1",
                          kind, value, r.expectDummyRetypes.map(String.init) ?? "-1"]
            print("    { " + fields.joined(separator: ", ") + " }, /* vector \(vi) */")
        }
    }
    print("};")
    print("static const struct vec_untyped vectors\(suffix)[] = {")
    var first = 0
    for v in vectors {
        print("    { \"\(v.name)\", \(hex(v.paddr)), \(v.sizeBits), \(v.isDevice ? 1 : 0), \(first), \(v.requests.count) },")
        first += v.requests.count
    }
    print("};")
    print("#define N_VECTORS\(suffix) \(vectors.count)")
    print("")
}

print("""
/* embedded/vectors.h -- generated by embedded/gen-vectors.swift; do not edit.
 * Test vectors for the C ABI harness (embedded/harness.c). Values are 64-bit here; the
 * harness converts them to untyped_word_t. */
#ifndef VECTORS_H
#define VECTORS_H

#include <stdint.h>

struct vec_request {
    uint64_t size_bits, count, target, max_dummies;
    uint8_t device_allowed, needs_phys_align, has_target;
    int8_t expect_kind;          /* -1: none; 0: object at expect_value; 3: fail with error expect_value */
    uint64_t expect_value;
    int32_t expect_dummy_retypes; /* -1: none */
};

struct vec_untyped {
    const char *name;
    uint64_t paddr;
    uint8_t size_bits, is_device;
    uint16_t first_request, n_requests;
};

""")
emit(hand64 + randomVectors(width: 64, count: 200, seed: 0x5e14_0001), suffix: "64")
emit(hand32 + randomVectors(width: 32, count: 200, seed: 0x5e14_0002), suffix: "32")
print("#endif")
