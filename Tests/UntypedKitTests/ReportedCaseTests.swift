import Foundation
import Testing
@testable import UntypedKit

/// The failure from the report, step by step: x86_64, device untyped paddr 0x8000000000 of
/// 2^46 bytes, whose pptr is 0.
@Suite("Reported case")
struct ReportedCaseTests {
    let text = x86Trace("""
        [{"op": "retype", "untyped": 0, "type": "untyped", "sizeBits": 39, "count": 1, "names": ["d0"]},
         {"op": "retype", "untyped": 0, "type": "untyped", "sizeBits": 40, "count": 1, "names": ["d1"]}]
        """)

    @Test func theUntypedStartsAtPptrZero() {
        #expect(window("x86_64").pptr(ofPaddr: 0x80_0000_0000) == 0)
    }

    @Test func firstDummyResetsAndLandsAtPptrZero() throws {
        let result = try replay(text)
        #expect(result.error == nil)
        #expect(result.objects[0] == ReplayObject(name: "d0", type: "untyped", sizeBits: 39, paddr: 0x80_0000_0000,
                                                  pptr: 0, parent: .boot(0)))
        #expect(result.retypes[0] == RetypeStep(invocation: 0, reset: true, watermarkBefore: 0,
                                                watermarkAfter: 0x80_0000_0000))
    }

    /// The kernel aligns freeRef = pptr 0x8000000000 (2^39-aligned only) up to 2^40: the
    /// dummy lands at pptr 0x10000000000 = paddr 0x18000000000, 512 GiB above paddr
    /// 0x10000000000 where an allocator aligning the absolute paddr expects it.
    @Test func secondDummyLandsWhereTheKernelAlignsThePptr() throws {
        let result = try replay(text)
        #expect(result.objects[1] == ReplayObject(name: "d1", type: "untyped", sizeBits: 40, paddr: 0x180_0000_0000,
                                                  pptr: 0x100_0000_0000, parent: .boot(0)))
        #expect(result.retypes[1] == RetypeStep(invocation: 1, reset: false, watermarkBefore: 0x80_0000_0000,
                                                watermarkAfter: 0x200_0000_0000))
        // Aligning the offset from the untyped's base predicts the kernel; aligning the paddr does not.
        let base: UInt64 = 0x80_0000_0000, watermark: UInt64 = 1 << 39, size: UInt64 = 1 << 40
        #expect(base + (watermark + size - 1) / size * size == result.objects[1].paddr)
        #expect((base + watermark + size - 1) / size * size != result.objects[1].paddr)
    }

    @Test func theExampleTraceReportsTheMismatch() throws {
        let file = packageRoot.appendingPathComponent("examples/reported-case-trace.json").path
        let result = try Trace(json: JSONNode.load(file: file), arch: nil, mcs: false).replay()
        #expect(result.error == nil)
        #expect(result.mismatches == [PaddrMismatch(name: "dummy40", expected: 0x100_0000_0000, actual: 0x180_0000_0000)])
        #expect(!result.succeeded)
    }

    @Test func theExampleUntypedListIsWhatTheKernelHandsOut() throws {
        let file = packageRoot.appendingPathComponent("examples/reported-case-untypeds.json").path
        let list = try UntypedList(json: JSONNode.load(file: file), arch: nil)
        let boot = try BootInfo.derive(from: MemoryMap(window: list.window,
                                                       ram: [PhysicalRegion(start: 0x10_0000, end: 0x8000_0000)]))
        for u in list.untypeds { #expect(boot.untypeds.contains(u)) }
    }
}
