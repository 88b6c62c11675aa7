import Testing
import UntypedCore
@testable import UntypedKit

/// Invariants of the core's kernel model on random untypeds and retypes (seeded, both
/// word widths): a successful retype places every object aligned to its size, inside the
/// untyped and above the old watermark; the watermark never moves backwards except on a
/// reset; a failed retype changes nothing.
@Suite("Kernel model properties")
struct PropertyTests {
    static let cases = 4000

    @Test(arguments: ["x86_64", "riscv64", "aarch64-hyp-pa40"])
    func retypeInvariants64(arch: String) { check(window(arch), UInt64.self, seed: 0x5eed_0064) }

    @Test(arguments: ["aarch32-imx6", "ia32", "riscv32-qemu-virt"])
    func retypeInvariants32(arch: String) { check(window(arch), UInt32.self, seed: 0x5eed_0032) }

    func check<W: MachineWord>(_ window: KernelWindow, _: W.Type, seed: UInt64) {
        var rng = SplitMix64(seed: seed)
        let config: KernelConfig<W> = window.kernelConfig()
        let mcs = Bool.random(using: &rng)
        let types = window.objectTypes(mcs: mcs)
        var successes = 0
        for _ in 0..<Self.cases {
            let sizeBits = UInt64.random(in: 4...window.maxUntypedBits, using: &rng)
            let pptr = W(truncatingIfNeeded: rng.next()) & ~W.mask(W(sizeBits))
            let full = UInt64(1) << (sizeBits - 4)
            let freeIndex = W(UInt64.random(in: 0...full, using: &rng))
            let cap = KernelUntyped(pptr: pptr, sizeBits: W(sizeBits), freeIndex: freeIndex,
                                    isDevice: Bool.random(using: &rng), hasChildren: Bool.random(using: &rng))
            let type = types.randomElement(using: &rng)!
            let userObjSize = UInt64.random(in: 0...(Bool.random(using: &rng) ? sizeBits : UInt64(W.bitWidth) + 1), using: &rng)
            let count = [0, 1, 1, 2, 3, 7, 256, 257].randomElement(using: &rng)!
            let outcome = kernelRetype(cap, type.retypeRequest(userObjSize: W(userObjSize), count: W(count)), config)

            guard outcome.error == 0 else {
                #expect(outcome.untyped.freeIndex == cap.freeIndex && outcome.untyped.hasChildren == cap.hasChildren)
                continue
            }
            successes += 1
            let objectBits = UInt64(outcome.objectSizeBits)
            #expect(objectBits == type.objectSizeBits(userObjSize: userObjSize, cnodeSlotBits: window.cnodeSlotBits))
            let watermarkBefore = outcome.reset ? 0 : UInt64(cap.freeIndex) << 4
            #expect(outcome.reset == !cap.hasChildren)
            for i in 0..<count {
                let object = outcome.object(W(i))
                #expect(UInt64(object) % (1 << objectBits) == 0)
                let offset = UInt64(object &- pptr)
                #expect(offset >= watermarkBefore)
                #expect(offset + (1 << objectBits) <= 1 << sizeBits)
            }
            let watermarkAfter = UInt64(outcome.untyped.freeIndex) << 4
            #expect(watermarkAfter >= watermarkBefore && watermarkAfter <= 1 << sizeBits)
            if !outcome.reset { #expect(outcome.untyped.freeIndex >= cap.freeIndex) }
            #expect(outcome.untyped.hasChildren)
        }
        #expect(successes > Self.cases / 10)
    }

    /// Random dummy sequences on the reported-case untyped: the kernel's placement always
    /// equals aligning the offset from the base, never necessarily the absolute paddr.
    @Test func offsetAlignmentPredictsTheKernel() throws {
        var rng = SplitMix64(seed: 0x0ff5_e7)
        for _ in 0..<200 {
            var invocations: [String] = []
            var predicted: [UInt64] = []
            var watermark: UInt64 = 0
            for k in 0..<8 {
                let bits = UInt64.random(in: 4...44, using: &rng)
                let size: UInt64 = 1 << bits
                let offset = (watermark + size - 1) / size * size
                guard offset + size <= 1 << 46 else { break }
                invocations.append(#"{"op": "retype", "untyped": 0, "type": "untyped", "sizeBits": \#(bits), "names": ["d\#(k)"]}"#)
                predicted.append(0x80_0000_0000 + offset)
                watermark = offset + size
            }
            let result = try replay(x86Trace("[" + invocations.joined(separator: ",") + "]"))
            #expect(result.succeeded)
            #expect(result.objects.map(\.paddr) == predicted)
        }
    }
}
