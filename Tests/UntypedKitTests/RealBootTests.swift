import Foundation
import Testing
@testable import UntypedKit

/// One boot of the real kernel under QEMU, recorded in Fixtures/real-boot (README.md there):
/// the raw serial log and, for the main boots, the untyped list parsed from it.
struct RecordedBoot: CustomStringConvertible {
    let platform: QEMUPlatform
    /// The fixture's file name without extension.
    let name: String
    /// `-m` on the QEMU command line (and, on Arm and RISC-V, when the kernel was configured).
    let memoryMiB: UInt64
    /// `ki_boot_end` of the recorded kernel build (`nm kernel.elf`), physical: the one input
    /// the serial log does not show.
    let kernelBootEnd: UInt64

    var description: String { name }

    static let directory = packageRoot.appendingPathComponent("Tests/UntypedKitTests/Fixtures/real-boot")

    static let main: [RecordedBoot] = [
        RecordedBoot(platform: .x86_64, name: "qemu-x86_64", memoryMiB: 512, kernelBootEnd: 0x80_0000),
        RecordedBoot(platform: .ia32, name: "qemu-ia32", memoryMiB: 512, kernelBootEnd: 0x10_e000),
        RecordedBoot(platform: .armVirtA57, name: "qemu-arm-virt-a57", memoryMiB: 1024, kernelBootEnd: 0x4001_0000),
        RecordedBoot(platform: .riscvVirt, name: "qemu-riscv-virt", memoryMiB: 3072, kernelBootEnd: 0x8020_3000),
    ]
    /// The same x86_64 kernel with an earlier, smaller root task (one page less of bss).
    static let smallerRootTask = RecordedBoot(platform: .x86_64, name: "qemu-x86_64-smaller-root-task",
                                              memoryMiB: 512, kernelBootEnd: 0x80_0000)
    /// Other `-m`: the pc kernels and root tasks below and above 3.5 GiB (where QEMU moves
    /// all but 3 GiB above 4 GiB), ia32 with RAM beyond its window; Arm and RISC-V kernels
    /// configured for another `-m`, with the same root tasks.
    static let otherMemorySizes: [RecordedBoot] = [2048, 3000, 3584, 4096, 8192].map {
        RecordedBoot(platform: .x86_64, name: "qemu-x86_64-m\($0)", memoryMiB: $0, kernelBootEnd: 0x80_0000)
    } + [1024, 4096].map {
        RecordedBoot(platform: .ia32, name: "qemu-ia32-m\($0)", memoryMiB: $0, kernelBootEnd: 0x10_e000)
    } + [
        // Kernels configured with another QEMU_MEMORY (the DTB is dumped with that -m).
        RecordedBoot(platform: .armVirtA57, name: "qemu-arm-virt-a57-m2048", memoryMiB: 2048, kernelBootEnd: 0x4001_0000),
        RecordedBoot(platform: .riscvVirt, name: "qemu-riscv-virt-m1024", memoryMiB: 1024, kernelBootEnd: 0x8020_3000),
    ]
    /// Every recorded boot.
    static let all = main + [smallerRootTask] + otherMemorySizes

    /// The serial log's lines, without carriage returns.
    func lines() throws -> [String] {
        let text = try String(contentsOf: RecordedBoot.directory.appendingPathComponent("\(name).log"), encoding: .utf8)
        return text.replacingOccurrences(of: "\r", with: "").components(separatedBy: "\n")
    }

    /// The untyped list file (kernel output parsed by the recording helper).
    func recordedList() throws -> UntypedList {
        let url = RecordedBoot.directory.appendingPathComponent("\(name).untypeds.json")
        return try UntypedList(json: JSONNode.parse(Data(contentsOf: url), source: url.lastPathComponent), arch: nil)
    }

    /// The root task's `@@ut INDEX PADDR SIZE_BITS IS_DEVICE` lines: the bootinfo as it printed it.
    func untypedsFromLog() throws -> [UntypedDescriptor] {
        try lines().filter { $0.hasPrefix("@@ut ") }.map { line in
            let f = line.split(separator: " ").map(String.init)
            let paddr = try #require(parseUnsigned(f[2])), bits = try #require(UInt64(f[3]))
            return UntypedDescriptor(paddr: paddr, sizeBits: bits, isDevice: f[4] == "1")
        }
    }

    /// The regions `init_freemem` printed after `header` (`[start..end)`, hex without 0x).
    func printedRegions(after header: String) throws -> [PhysicalRegion] {
        let all = try lines()
        let start = try #require(all.firstIndex { $0.hasPrefix(header) }, "no '\(header)' in \(name).log")
        return try all[(start + 1)...].prefix { $0.hasPrefix("  [") }.map { line in
            let parts = line.dropFirst(3).dropLast().components(separatedBy: "..")
            return PhysicalRegion(start: try #require(UInt64(parts[0], radix: 16)),
                                  end: try #require(UInt64(parts[1], radix: 16)))
        }
    }

    /// The value after `key=` in the first line starting with `prefix` (and, with `anchor`,
    /// coming after the first line starting with `anchor`), up to a space or `]`.
    func logValue(_ key: String, inLineStarting prefix: String, afterLine anchor: String? = nil) throws -> String {
        var all = try lines()[...]
        if let anchor {
            let i = try #require(all.firstIndex { $0.hasPrefix(anchor) }, "no '\(anchor)' in \(name).log")
            all = all[(i + 1)...]
        }
        let line = try #require(all.first { $0.hasPrefix(prefix) }, "no '\(prefix)' in \(name).log")
        let range = try #require(line.range(of: key + "="))
        return String(line[range.upperBound...].prefix { $0 != " " && $0 != "]" })
    }

    static func hexValue(_ text: String) throws -> UInt64 {
        try #require(text.hasPrefix("0x") ? parseUnsigned(text) : UInt64(text, radix: 16), "'\(text)' is not hex")
    }

    /// `[A..B]` (inclusive, as the elfloader prints) as a half-open region.
    static func inclusiveRange(_ text: String) throws -> PhysicalRegion {
        let parts = text.trimmingCharacters(in: CharacterSet(charactersIn: "[]")).components(separatedBy: "..")
        return PhysicalRegion(start: try hexValue(parts[0]), end: try hexValue(parts[1]) + 1)
    }

    /// The boot's parameters as far as the serial log shows them: the kernel image end and
    /// the root task's virtual extent (printed by the kernel on x86, by the elfloader on Arm
    /// and RISC-V) and the DTB size (the kernel's second reserved region).
    func parametersFromLog() throws -> PlatformBootParameters {
        var p = PlatformBootParameters(memoryMiB: memoryMiB, kernelEnd: 0, kernelBootEnd: kernelBootEnd, dtbBytes: 0,
                                       rootImageVaddr: 0, rootImageBytes: 0)
        switch platform {
        case .x86_64, .ia32:
            p.kernelEnd = try RecordedBoot.hexValue(logValue("end", inLineStarting: "Kernel loaded to:"))
            p.rootImageVaddr = try RecordedBoot.hexValue(logValue("v_start", inLineStarting: "size="))
            p.rootImageBytes = try RecordedBoot.hexValue(logValue("v_end", inLineStarting: "size=")) - p.rootImageVaddr
        case .armVirtA57, .riscvVirt:
            let kernel = try RecordedBoot.inclusiveRange(
                "[" + logValue("paddr", inLineStarting: "  paddr=", afterLine: "ELF-loading image 'kernel'") + "]")
            p.kernelEnd = kernel.end
            let root = try RecordedBoot.inclusiveRange(
                "[" + logValue("vaddr", inLineStarting: "  vaddr=", afterLine: "ELF-loading image 'rootserver'") + "]")
            p.rootImageVaddr = root.start
            p.rootImageBytes = root.end - root.start
            let reserved = try printedRegions(after: "Reserved virt address space regions")
            p.dtbBytes = reserved[1].end - reserved[1].start
        }
        return p
    }
}

@Suite("Real boots: bootinfo --platform against the kernel's own lists")
struct RealBootTests {
    /// The fixture's two forms of the kernel's list agree: the log's lines and the JSON file.
    @Test(arguments: RecordedBoot.main)
    func fixtureListIsTheLogs(boot: RecordedBoot) throws {
        let list = try boot.recordedList()
        #expect(list.window.name == boot.platform.window.name)
        #expect(list.untypeds == (try boot.untypedsFromLog()))
        #expect(list.untypeds.count > 50)
    }

    /// `--platform P` alone (the defaults) is the recorded boot: device and normal untypeds,
    /// in the kernel's order.
    @Test(arguments: RecordedBoot.main)
    func defaultsReproduceTheRecordedList(boot: RecordedBoot) throws {
        let recorded = try boot.recordedList().untypeds
        let model = try boot.platform.bootInput(boot.platform.defaults).run().bootInfo
        #expect(model.dropped == 0)
        #expect(model.untypeds.filter(\.isDevice) == recorded.filter(\.isDevice), "device untypeds")
        #expect(model.untypeds.filter { !$0.isDevice } == recorded.filter { !$0.isDevice }, "RAM untypeds")
        #expect(model.untypeds == recorded, "order")
    }

    /// The defaults are the recorded boot's inputs as its log shows them, and the model's RAM
    /// and reserved regions are the ones the kernel printed (`init_freemem`).
    @Test(arguments: RecordedBoot.all)
    func inputsAreTheLogs(boot: RecordedBoot) throws {
        let p = try boot.parametersFromLog()
        if boot.name == boot.platform.rawValue { #expect(p == boot.platform.defaults) }
        let input = try boot.platform.bootInput(p)
        let window = input.window
        let ram = input.available.map {
            PhysicalRegion(start: max($0.start, window.paddrBase), end: min($0.end, window.paddrTop))
        }
        #expect(ram == (try boot.printedRegions(after: "Available phys memory regions")))
        let reserved = input.reserved.map {
            PhysicalRegion(start: window.pptr(ofPaddr: $0.region.start), end: window.pptr(ofPaddr: $0.region.end))
        }
        #expect(reserved == (try boot.printedRegions(after: "Reserved virt address space regions")))
    }

    /// Given the inputs the log shows, the model gives the log's list; this includes a boot
    /// whose root task differs from the defaults' (so its RAM untypeds differ too).
    @Test(arguments: RecordedBoot.all)
    func logInputsGiveTheLogsList(boot: RecordedBoot) throws {
        let result = try boot.platform.bootInput(boot.parametersFromLog()).run()
        #expect(result.bootInfo.untypeds == (try boot.untypedsFromLog()))
        // The root task printed bi->untyped.start: the caps the kernel made before the untypeds.
        let firstCap = try boot.logValue("first_cap", inLineStarting: "@@bootinfo ")
        #expect(result.firstUntypedSlot == UInt64(firstCap))
    }

    /// The smaller root task changes only the RAM untypeds (the issue's measurement: the
    /// device untypeds do not depend on the root task).
    @Test func rootTaskSizeMovesOnlyRAM() throws {
        let small = try RecordedBoot.smallerRootTask.untypedsFromLog()
        let main = try RecordedBoot.main[0].untypedsFromLog()
        #expect(small.filter(\.isDevice) == main.filter(\.isDevice))
        #expect(small.filter { !$0.isDevice } != main.filter { !$0.isDevice })
        #expect(small.filter(\.isDevice).count == 65)
    }

    /// The CLI's JSON for `--platform P` is the recorded file, and `plan` can read it.
    @Test(.enabled(if: CLI.binary != nil, "the untyped executable is not built"), arguments: RecordedBoot.main)
    func cliJSONIsTheRecordedList(boot: RecordedBoot) throws {
        let run = try CLI.run(["bootinfo", "--platform", boot.platform.rawValue, "--json"])
        #expect(run.status == 0 && run.stderr.isEmpty)
        let list = try UntypedList(json: JSONNode.parse(Data(run.stdout.utf8), source: "stdout"), arch: nil)
        #expect(list.window.name == boot.platform.window.name)
        #expect(list.untypeds == (try boot.recordedList().untypeds))
    }

    /// The issue's Arm case on the platform's list: `plan` reads the JSON with an object
    /// added, and the 2 MiB frame wanted at 0x60000000000 lands there (offset strategy).
    @Test(.enabled(if: CLI.binary != nil, "the untyped executable is not built"))
    func platformListFeedsPlan() throws {
        let run = try CLI.run(["bootinfo", "--platform", "qemu-arm-virt-a57", "--json"])
        #expect(run.status == 0)
        let list = try UntypedList(json: JSONNode.parse(Data(run.stdout.utf8), source: "stdout"), arch: nil)
        #expect(list.untypeds.contains(ut(0x80_0000_0000, 43, device: true)))
        var spec = run.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        spec.removeLast()   // the closing brace
        spec += #", "objects": [{"name": "dev", "type": "frame", "sizeBits": 21, "paddr": "0x60000000000"}]}"#
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("untyped-arm-plan.json")
        try Data(spec.utf8).write(to: file)
        let plan = try CLI.run(["plan", file.path])
        #expect(plan.status == 0, "\(plan.stderr)")
        #expect(plan.stdout.contains("0x60000000000"))
    }
}

@Suite("Kernel boot model")
struct KernelBootModelTests {
    /// `calculate_extra_bi_size_bits`: a page at least, then the next power of two.
    @Test func extraBootInfoBits() {
        #expect(QEMUPlatform.extraBootInfoBits(0) == 0)
        #expect(QEMUPlatform.extraBootInfoBits(1) == 12)
        #expect(QEMUPlatform.extraBootInfoBits(4096) == 12)
        #expect(QEMUPlatform.extraBootInfoBits(4097) == 13)
        #expect(QEMUPlatform.extraBootInfoBits(16 + 7633) == 13)
        #expect(QEMUPlatform.extraBootInfoBits(8193) == 14)
    }

    /// `get_n_paging`: structures touched, not bytes covered.
    @Test func pagingStructures() {
        let range = PhysicalRegion(start: 0x1f_f000, end: 0x20_1000)
        #expect(RootServerFootprint.pagingStructures(covering: range, bits: 21) == 2)
        #expect(RootServerFootprint.pagingStructures(covering: range, bits: 30) == 1)
        #expect(RootServerFootprint.pagingStructures(covering: PhysicalRegion(start: 0, end: 0x20_0000), bits: 21) == 1)
    }

    /// A root task straddling a 2 MiB boundary needs one more page table: the root server
    /// grows by a page and the free region above it shrinks by a page.
    @Test func rootTaskAcrossA2MiBBoundaryNeedsAnotherTable() throws {
        var p = QEMUPlatform.x86_64.defaults
        let base = try QEMUPlatform.x86_64.bootInput(p).run()
        p.rootImageVaddr = 0x3f_e000
        let moved = try QEMUPlatform.x86_64.bootInput(p).run()
        #expect(moved.rootServer.end - moved.rootServer.start == base.rootServer.end - base.rootServer.start + 0x1000)
        #expect(moved.bootInfo.untypeds.filter(\.isDevice) == base.bootInfo.untypeds.filter(\.isDevice))
    }

    /// MCS adds a 2^7 scheduling context to the root server: the free memory above it
    /// starts 0x80 later.
    @Test func mcsAddsASchedulingContext() throws {
        var p = QEMUPlatform.riscvVirt.defaults
        let base = try QEMUPlatform.riscvVirt.bootInput(p).run()
        p.mcs = true
        let mcs = try QEMUPlatform.riscvVirt.bootInput(p).run()
        #expect(mcs.rootServer.start == base.rootServer.start)
        #expect(mcs.rootServer.end == base.rootServer.end + 0x80)
    }

    /// On ia32 RAM above PADDR_TOP (0x1fc00000) is not the kernel's: with 512 MiB its last
    /// 3.9 MiB are in a device untyped, and so is low memory below 1 MiB on both pc kernels.
    @Test func pcDeviceMemory() throws {
        let ia32 = try QEMUPlatform.ia32.bootInput(QEMUPlatform.ia32.defaults).run().bootInfo.untypeds
        #expect(ia32.contains(ut(0x1fc0_0000, 22, device: true)))
        #expect(ia32.first == ut(0, 20, device: true))
        #expect(!ia32.contains { !$0.isDevice && $0.end > 0x1fc0_0000 })
        // The MSI window only exists where device untypeds reach past it (x86_64).
        let x86 = try QEMUPlatform.x86_64.bootInput(QEMUPlatform.x86_64.defaults).run().bootInfo.untypeds
        #expect(x86.contains(ut(0xffff_ffe0, 4, device: true)))
        #expect(!x86.contains { $0.isDevice && $0.paddr <= 0xffff_fff8 && $0.end > 0xffff_fff8 })
    }

    /// More RAM on x86_64: 3 GiB below 4 GiB, the rest from 4 GiB, as QEMU's pc machine does.
    @Test func pcHighMemory() throws {
        #expect(QEMUPlatform.x86_64.availableRAM(memoryMiB: 4096)
                == [PhysicalRegion(start: 0x10_0000, end: 0xbffe_0000), PhysicalRegion(start: 1 << 32, end: 0x1_4000_0000)])
        var p = QEMUPlatform.x86_64.defaults
        p.memoryMiB = 4096
        let boot = try QEMUPlatform.x86_64.bootInput(p).run()
        #expect(boot.rootServer.end <= 0x1_4000_0000 && boot.rootServer.start >= 1 << 32)
        #expect(boot.bootInfo.untypeds.contains(ut(0x1_0000_0000, 29, device: false)))
    }
}
