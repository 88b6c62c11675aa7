import Foundation
import Testing
@testable import UntypedKit

@Suite("Boot untyped derivation")
struct BootInfoTests {
    /// x86_64 with RAM below 4 GiB: the top device region [4 GiB, 2^47) is cut on pptrs; at
    /// paddr 2^39 the pptr wraps to 0 and the kernel emits 0x8000000000/46, 0x408000000000/45, …
    @Test func x86TopDeviceRegion() throws {
        let boot = try boot("x86_64", ram: [(0, 0x1_0000_0000)])
        let expected = (32...38).map { ut(1 << UInt64($0), UInt64($0), device: true) }
            + [ut(0x80_0000_0000, 46, device: true), ut(0x4080_0000_0000, 45, device: true),
               ut(0x6080_0000_0000, 44, device: true), ut(0x7080_0000_0000, 43, device: true),
               ut(0x7880_0000_0000, 42, device: true), ut(0x7c80_0000_0000, 41, device: true),
               ut(0x7e80_0000_0000, 40, device: true), ut(0x7f80_0000_0000, 39, device: true),
               ut(0, 32, device: false)]
        #expect(boot.untypeds == expected)
        #expect(boot.dropped == 0)
    }

    /// Two adjacent RAM regions are cut separately (reference section 3).
    @Test func adjacentRAMIsNotMerged() throws {
        let boot = try boot("x86_64", ram: [(0x10_0000, 0x18_0000), (0x18_0000, 0x100_0000)])
        #expect(boot.untypeds.filter { !$0.isDevice } == [
            ut(0x10_0000, 19, device: false), ut(0x18_0000, 19, device: false), ut(0x20_0000, 21, device: false),
            ut(0x40_0000, 22, device: false), ut(0x80_0000, 23, device: false)])
        #expect(boot.untypeds.first == ut(0, 20, device: true))
    }

    /// riscv64: ctz(PPTR_BASE_OFFSET) = 38 = seL4_MaxUntypedBits, so every untyped is
    /// physically aligned, including those past the pptr wrap at paddr 2^38.
    @Test func riscv64UntypedsArePhysicallyAligned() throws {
        let boot = try boot("riscv64", ram: [(0x8000_0000, 0x8020_0000)])
        #expect(boot.untypeds.contains(ut(0x40_0000_0000, 38, device: true)))
        for u in boot.untypeds { #expect(u.paddr % (1 << u.sizeBits) == 0, "\(u)") }
        #expect(boot.untypeds.filter(\.isDevice).map(\.end).max() == 1 << 39)
    }

    /// riscv32 with pptr == paddr: the top device region ends at 2^32, which is 0 as a word.
    @Test func riscv32TopRegionEndsAt2To32() throws {
        let boot = try boot("riscv32-qemu-virt", ram: [(0x8000_0000, 0x8800_0000)])
        #expect(boot.untypeds == [
            ut(0, 29, device: true), ut(0x2000_0000, 29, device: true), ut(0x4000_0000, 29, device: true),
            ut(0x6000_0000, 29, device: true),
            ut(0x8800_0000, 27, device: true), ut(0x9000_0000, 28, device: true), ut(0xa000_0000, 29, device: true),
            ut(0xc000_0000, 29, device: true), ut(0xe000_0000, 29, device: true),
            ut(0x8000_0000, 27, device: false)])
        #expect(boot.untypeds[8].end == 1 << 32)
    }

    /// i.MX6 (offset 0xd0000000): the top region starts at pptr 0, so the kernel emits
    /// 0x30000000/29, which is not physically aligned; the last untyped ends at 2^32.
    @Test func aarch32TopRegionWrapsAtPptrZero() throws {
        let boot = try boot("aarch32-imx6", ram: [(0x1000_0000, 0x3000_0000)])
        let top = boot.untypeds.filter { $0.isDevice && $0.paddr >= 0x3000_0000 }
        #expect(top == [ut(0x3000_0000, 29, device: true), ut(0x5000_0000, 29, device: true),
                        ut(0x7000_0000, 29, device: true), ut(0x9000_0000, 29, device: true),
                        ut(0xb000_0000, 29, device: true), ut(0xd000_0000, 29, device: true),
                        ut(0xf000_0000, 28, device: true)])
        #expect(top.last?.end == 1 << 32)
        #expect(window("aarch32-imx6").pptr(ofPaddr: 0x3000_0000) == 0)
    }

    /// RAM above PADDR_TOP is not free RAM: it becomes part of a device region.
    @Test func ramOutsideTheKernelWindowBecomesDevice() throws {
        let boot = try boot("x86_64", ram: [(0x7f_0000_0000, 0x81_0000_0000)])
        #expect(boot.untypeds.filter { !$0.isDevice } == [ut(0x7f_0000_0000, 31, device: false)])
        #expect(boot.untypeds.contains(ut(0x7f_8000_0000, 31, device: true)))
        // RAM below PADDR_BASE (never given to the kernel by the build tools) likewise.
        let arm = try UntypedKitTests.boot("aarch32-imx6", ram: [(0, 0x2000_0000)])
        #expect(arm.untypeds.filter { !$0.isDevice } == [ut(0x1000_0000, 28, device: false)])
        #expect(arm.untypeds.first == ut(0, 28, device: true))
    }

    /// Reserved regions split free RAM and leave no device gap; adjacent ones merge.
    @Test func reservedRegions() throws {
        let boot = try boot("x86_64", ram: [(0x10_0000, 0x100_0000)],
                            reserved: [(0x20_0000, 0x30_0000), (0x30_0000, 0x40_0000), (0x200_0000, 0x210_0000)])
        #expect(boot.untypeds.filter { !$0.isDevice } == [
            ut(0x10_0000, 20, device: false), ut(0x40_0000, 22, device: false), ut(0x80_0000, 23, device: false)])
        #expect(boot.untypeds.prefix(3) == [ut(0, 20, device: true), ut(0x100_0000, 24, device: true),
                                            ut(0x210_0000, 20, device: true)])
    }

    @Test func bootMemoryReuseComesAfterTheDeviceUntypeds() throws {
        let map = MemoryMap(window: window("x86_64"), ram: [PhysicalRegion(start: 0x10_0000, end: 0x100_0000)],
                            reserved: [PhysicalRegion(start: 0x10_0000, end: 0x20_0000)],
                            bootMemoryReuse: PhysicalRegion(start: 0x18_0000, end: 0x20_0000))
        let boot = try BootInfo.derive(from: map)
        let normal = boot.untypeds.filter { !$0.isDevice }
        #expect(normal.first == ut(0x18_0000, 19, device: false))
        #expect(boot.untypeds.firstIndex(of: normal[0])! > boot.untypeds.lastIndex { $0.isDevice }!)
    }

    /// Pieces under 16 bytes are skipped.
    @Test func tinyPiecesAreSkipped() throws {
        let boot = try boot("x86_64", ram: [(0x10_0000, 0x10_1000)], reserved: [(0x10_0008, 0x10_0010)])
        #expect(!boot.untypeds.contains { $0.paddr == 0x10_0000 })
        #expect(boot.untypeds.filter { !$0.isDevice }.first == ut(0x10_0010, 4, device: false))
    }

    /// More than 230 untypeds: the kernel keeps the first 230 and drops the rest.
    @Test func only230UntypedsAreKept() throws {
        let holes = (0..<300).map { (UInt64(0x1_0000_0000) + $0 * 0x2000, UInt64(0x1_0000_0000) + $0 * 0x2000 + 0x1000) }
        let boot = try boot("x86_64", ram: [(0x10_0000, 0x8000_0000)], reserved: holes)
        #expect(boot.untypeds.count == 230)
        #expect(boot.untypeds[0] == ut(0, 20, device: true))
        #expect(boot.untypeds[1] == ut(0x8000_0000, 31, device: true))
        #expect(boot.untypeds[2...].allSatisfy { $0.sizeBits == 12 && $0.isDevice })
        // Dropped: the remaining 71 gaps, the top device region and the free RAM.
        let tail = try UntypedKitTests.boot("x86_64", ram: [(0x10_0000, 0x8000_0000)], reserved: [holes.last!])
        let afterHoles = tail.untypeds.filter { !$0.isDevice || $0.paddr >= holes.last!.1 }.count
        #expect(boot.dropped == 71 + afterHoles)
    }

    /// Every boot untyped of every catalogue configuration has a size-aligned pptr that
    /// survives capPtr storage, and together with the reserved regions the untypeds tile
    /// physical memory up to the device top.
    @Test(arguments: KernelWindow.catalogue.map(\.name))
    func bootUntypedsAreWellFormed(name: String) throws {
        let w = window(name)
        let ramEnd = min(w.paddrTop, w.paddrBase + 0x1000_0000)
        let reserved = (w.paddrBase + 0x10_0000, w.paddrBase + 0x30_0000)
        let boot = try UntypedKitTests.boot(name, ram: [(w.paddrBase, ramEnd)], reserved: [reserved])
        #expect(boot.dropped == 0)
        for u in boot.untypeds {
            let pptr = w.pptr(ofPaddr: u.paddr)
            #expect(pptr % (1 << u.sizeBits) == 0, "\(name): \(u)")
            #expect(w.capPtr.load(pptr, wordBits: w.wordBits) == pptr, "\(name): \(u)")
            #expect((4...w.maxUntypedBits).contains(u.sizeBits))
        }
        var pieces = boot.untypeds.map { PhysicalRegion(start: $0.paddr, end: $0.end) }
        pieces.append(PhysicalRegion(start: reserved.0, end: reserved.1))
        pieces.sort { $0.start < $1.start }
        #expect(pieces.first?.start == 0)
        for (a, b) in zip(pieces, pieces.dropFirst()) { #expect(a.end == b.start, "\(name): \(a) \(b)") }
        #expect(pieces.last?.end == w.deviceTop)
    }

    @Test func theExampleMapsDerive() throws {
        for file in ["x86_64-memory.json", "riscv64-memory.json"] {
            let path = packageRoot.appendingPathComponent("examples/\(file)").path
            let boot = try BootInfo.derive(from: MemoryMap(json: JSONNode.load(file: path), arch: nil))
            #expect(!boot.untypeds.isEmpty)
        }
    }
}
