import Testing
import UntypedCore
@testable import UntypedKit

@Suite("Kernel-window catalogue")
struct CatalogueTests {
    /// Reference section 4: offsets, their alignment, and where pptr 0 lies.
    @Test(arguments: [
        ("x86_64", 0xffff_ff80_0000_0000, 39, 0x80_0000_0000),
        ("ia32", 0xe000_0000, 29, 0x2000_0000),
        ("aarch64-pa40", 0xffff_ff80_0000_0000, 39, 0x80_0000_0000),
        ("aarch64-hyp-pa44", 0x80_0000_0000, 39, 0xffff_ff80_0000_0000),
        ("riscv64", 0xffff_ffc0_0000_0000, 38, 0x40_0000_0000),
        ("riscv32-qemu-virt", 0, 32, 0),
        ("aarch32-imx6", 0xd000_0000, 28, 0x3000_0000),
        ("aarch32-zynq7000", 0xe000_0000, 29, 0x2000_0000),
        ("aarch32-qemu-virt", 0x6000_0000, 29, 0xa000_0000),
    ] as [(String, UInt64, Int, UInt64)])
    func windows(name: String, offset: UInt64, ctz: Int, pptrZero: UInt64) {
        let w = window(name)
        #expect(w.pptrBaseOffset == offset)
        #expect(w.offsetAlignmentBits == ctz)
        #expect(w.paddr(ofPptr: 0) == pptrZero)
        #expect(w.paddrTop == (w.pptrTop &- offset) & w.wordMask)
    }

    @Test func everyConfigurationIsConsistent() {
        for w in KernelWindow.catalogue {
            #expect(w.paddrBase < w.paddrTop, "\(w.name)")
            #expect(w.maxUntypedBits < UInt64(w.wordBits), "\(w.name)")
            #expect(w.family.wordBits == w.wordBits, "\(w.name)")
            #expect(w.cnodeSlotBits == (w.wordBits == 64 ? 5 : 4), "\(w.name)")
            #expect(w.deviceTop <= (w.wordBits == 64 ? UInt64.max : 1 << 32), "\(w.name)")
        }
        #expect(Set(KernelWindow.catalogue.map(\.name)).count == KernelWindow.catalogue.count)
    }

    @Test func kernelConfig() {
        let x86: KernelConfig<UInt64> = window("x86_64").kernelConfig()
        #expect(x86.maxUntypedBits == 47 && x86.cnodeSlotBits == 5)
        #expect(x86.capPtrStorage.kind == 0 && x86.capPtrStorage.bits == 48)
        let hyp: KernelConfig<UInt64> = window("aarch64-hyp-pa40").kernelConfig()
        #expect(hyp.capPtrStorage.kind == 1)
        let arm: KernelConfig<UInt32> = window("aarch32-imx6").kernelConfig()
        #expect(arm.maxUntypedBits == 29 && arm.cnodeSlotBits == 4 && arm.capPtrStorage.kind == 2)
        #expect(window("riscv64").capPtr.load(0x40_0000_0000, wordBits: 64) == 0xffff_ffc0_0000_0000)
    }

    /// Reference section 6: type numbers (non-MCS; MCS adds 2 to the architecture types).
    @Test func typeNumbers() {
        func numbers(_ name: String, mcs: Bool = false) -> [String] {
            window(name).objectTypes(mcs: mcs).map { "\($0.number):\($0.name)" }
        }
        #expect(numbers("x86_64").suffix(8) == ["5:pdpt", "6:pml4", "7:hugepage", "8:4k", "9:largepage",
                                                "10:pagetable", "11:pagedirectory", "12:iopagetable"])
        #expect(numbers("ia32").suffix(5) == ["5:4k", "6:largepage", "7:pagetable", "8:pagedirectory", "9:iopagetable"])
        #expect(numbers("aarch64-pa40").suffix(5) == ["5:hugepage", "6:vspace", "7:smallpage", "8:largepage", "9:pagetable"])
        #expect(numbers("aarch64-hyp-pa44").last == "10:vcpu")
        #expect(numbers("aarch32-imx6").suffix(6) == ["5:pagedirectory", "6:smallpage", "7:largepage", "8:section",
                                                      "9:supersection", "10:pagetable"])
        #expect(numbers("riscv64").suffix(4) == ["5:gigapage", "6:4kpage", "7:megapage", "8:pagetable"])
        #expect(numbers("riscv32-qemu-virt").suffix(3) == ["5:4kpage", "6:megapage", "7:pagetable"])
        #expect(numbers("x86_64", mcs: true).prefix(9) == ["0:untyped", "1:tcb", "2:endpoint", "3:notification",
                                                          "4:cnode", "5:schedcontext", "6:reply", "7:pdpt", "8:pml4"])
    }

    /// Reference section 6: sizes that differ between configurations.
    @Test func objectSizes() throws {
        func bits(_ arch: String, _ type: String, mcs: Bool = false) throws -> UInt64 {
            try window(arch).resolveObjectType(type, sizeBits: nil, mcs: mcs).get()
                .objectSizeBits(userObjSize: 0, cnodeSlotBits: window(arch).cnodeSlotBits)
        }
        #expect(try bits("aarch64-hyp-pa40", "vspace") == 13)
        #expect(try bits("aarch64-hyp-pa44", "vspace") == 12)
        #expect(try bits("aarch32-imx6", "section") == 20)
        #expect(try bits("aarch32-hyp-tk1", "section") == 21)
        #expect(try bits("aarch32-hyp-tk1", "supersection") == 25)
        #expect(try bits("aarch32-hyp-tk1", "pagetable") == 12)
        #expect(try bits("aarch32-imx6", "pagetable") == 10)
        #expect(try bits("ia32", "largepage") == 22)
        #expect(try bits("riscv32-qemu-virt", "megapage") == 22)
        #expect(try bits("x86_64", "notification") == 5)
        #expect(try bits("x86_64", "notification", mcs: true) == 6)
        #expect(try bits("aarch32-imx6", "reply", mcs: true) == 4)
        #expect(try bits("x86_64", "cnode") == 5)
    }

    @Test func typeNames() throws {
        let x86 = window("x86_64")
        #expect(try x86.resolveObjectType("frame", sizeBits: 21, mcs: false).get().name == "largepage")
        #expect(try x86.resolveObjectType("vspace", sizeBits: nil, mcs: false).get().name == "pml4")
        #expect(try x86.resolveObjectType("seL4_X86_4K", sizeBits: nil, mcs: false).get().name == "4k")
        #expect(try window("riscv64").resolveObjectType("vspace", sizeBits: nil, mcs: false).get().name == "pagetable")
        #expect(x86.resolveObjectType("vcpu", sizeBits: nil, mcs: false) == .failure(.unknown("vcpu", arch: "x86_64",
            known: "untyped, tcb, endpoint, notification, cnode, pdpt, pml4, hugepage, 4k, largepage, pagetable, pagedirectory, iopagetable, frame")))
        #expect(x86.resolveObjectType("reply", sizeBits: nil, mcs: false) == .failure(.needsMCS("reply")))
        #expect(x86.resolveObjectType("frame", sizeBits: nil, mcs: false) == .failure(.frameNeedsSize(sizes: "12, 21, 30")))
        // Device-allowed and frame flags, and the core's request.
        let tcb = try x86.resolveObjectType("tcb", sizeBits: nil, mcs: false).get()
        let page = try x86.resolveObjectType("hugepage", sizeBits: nil, mcs: false).get()
        #expect(!tcb.deviceAllowed && page.deviceAllowed && page.isFrame)
        let request: RetypeRequest<UInt64> = page.retypeRequest(userObjSize: 0, count: 3)
        #expect(request.fixedSizeBits == 30 && request.deviceAllowed && request.count == 3)
    }

    @Test func customWindows() throws {
        let custom = try KernelWindow.resolve(
            "custom:bits=64,offset=0xffffff8000000000,device-top=0x800000000000,max-untyped-bits=47,capptr=sign48",
            source: "--arch")
        let x86 = window("x86_64")
        #expect(custom.pptrBaseOffset == x86.pptrBaseOffset && custom.deviceTop == x86.deviceTop)
        #expect(custom.capPtr == x86.capPtr && custom.maxUntypedBits == 47 && custom.paddrTop == x86.paddrTop)
        #expect(custom.objectTypes(mcs: false) == x86.objectTypes(mcs: false))

        let riscv = try KernelWindow.resolve("custom:like=riscv32-qemu-virt,offset=0x40000000,paddr-base=0x40000000",
                                             source: "--arch")
        #expect(riscv.wordBits == 32 && riscv.pptrBase == 0x8000_0000 && riscv.offsetAlignmentBits == 30)
        let arm = try KernelWindow.resolve("custom:bits=32,types=aarch32-hyp-tk1,tcb-bits=11,capptr=drop4",
                                           source: "--arch")
        #expect(arm.tcbBits == 11 && arm.family == .aarch32(hypervisor: true) && arm.deviceTop == 1 << 32)

        func error(_ spec: String) -> String? { inputError { _ = try KernelWindow.resolve(spec, source: "--arch") } }
        #expect(error("custom:offset=0") == "--arch: custom window needs bits=64 or bits=32 (or like=NAME)")
        #expect(error("custom:bits=64,colour=red")?.hasPrefix("--arch: unknown key 'colour' in custom window") == true)
        #expect(error("custom:bits=32,capptr=sign48") == "--arch: capptr=sign48: expected signN, zeroN (2 <= N <= 32) or drop4")
        #expect(error("custom:bits=32,offset=0x100000000") == "--arch: offset=0x100000000: does not fit in a 32-bit word")
        #expect(error("custom:like=x86_64,bits=32") == "--arch: bits=32 contradicts like=x86_64 (64-bit)")
        #expect(error("custom:bits=64,types=ia32")?.hasPrefix("--arch: types=ia32: not a 64-bit catalogue configuration") == true)
        #expect(error("custom:bits=64,max-untyped-bits=64") == "--arch: max-untyped-bits=64: out of range 4...63")
        #expect(error("custom:bits=64,bits=32") == "--arch: key 'bits' given twice in custom window")
    }

    @Test func unknownConfiguration() {
        #expect(inputError { _ = try KernelWindow.resolve("foo", source: "--arch") }
                == "--arch: unknown configuration 'foo' (known: \(KernelWindow.catalogueNames), or custom:…)")
    }
}
