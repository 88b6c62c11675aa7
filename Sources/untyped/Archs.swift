import ArgumentParser
import UntypedKit

/// `untyped archs`: the kernel-window catalogue.
struct ArchsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "archs",
        abstract: "List the kernel configurations, or one configuration's window and object types.",
        discussion: """
            Without --arch: one line per catalogue configuration. With --arch (a catalogue name \
            or a custom: spec, see --arch below): its window and object types (--mcs: as an MCS \
            kernel numbers them).
            """)

    @OptionGroup var archOptions: ArchOptions
    @OptionGroup var output: OutputOptions

    func run() throws {
        let selected = try archOptions.window()
        let windows = selected.map { [$0] } ?? KernelWindow.catalogue
        if output.json {
            print(JSONValue.array(windows.map { $0.json(mcs: archOptions.mcs) }).rendered())
        } else if let window = selected {
            print(details(window))
        } else {
            print(summary(windows))
        }
    }

    func summary(_ windows: [KernelWindow]) -> String {
        var table = TextTable(header: ["NAME", "W", "PPTR_BASE_OFFSET", "CTZ", "PADDR_BASE", "PADDR_TOP",
                                       "DEVICE_TOP", "MAX_UT", "CAPPTR", "NOTES"],
                              rightAligned: [1, 3, 7])
        for w in windows {
            table.append([w.name, String(w.wordBits), hex(w.pptrBaseOffset), String(w.offsetAlignmentBits),
                          hex(w.paddrBase), hex(w.paddrTop), hex(w.deviceTop), String(w.maxUntypedBits),
                          w.capPtr.description, w.summary])
        }
        return table.rendered()
    }

    func details(_ w: KernelWindow) -> String {
        var lines = [
            "\(w.name): \(w.summary)",
            "  word bits          \(w.wordBits)",
            "  PPTR_BASE_OFFSET   \(hex(w.pptrBaseOffset)) (ctz \(w.offsetAlignmentBits))",
            "  PADDR_BASE         \(hex(w.paddrBase))    PPTR_BASE \(hex(w.pptrBase))",
            "  PADDR_TOP          \(hex(w.paddrTop))    PPTR_TOP  \(hex(w.pptrTop))",
            "  pptr 0 is paddr    \(hex(w.paddr(ofPptr: 0)))",
            "  device top         \(hex(w.deviceTop))\(w.deviceTopWord != w.deviceTop ? " (wraps to 0 as a word)" : "")",
            "  untyped bits       \(KernelWindow.minUntypedBits)...\(w.maxUntypedBits)",
            "  capPtr storage     \(w.capPtr); capFreeIndex \(w.freeIndexBits) bits",
            "  CNode slot bits    \(w.cnodeSlotBits)",
            "  free memory slots  \(w.freeMemorySlots.map(String.init) ?? "from the device tree")",
            "",
            "object types\(archOptions.mcs ? " (MCS)" : ""):",
        ]
        var table = TextTable(header: ["NUMBER", "NAME", "SIZE_BITS", "FRAME", "DEVICE", "KERNEL_NAME"],
                              rightAligned: [0])
        for t in w.objectTypes(mcs: archOptions.mcs) {
            table.append([String(t.number), t.name, t.sizeText, t.isFrame ? "yes" : "", t.deviceAllowed ? "yes" : "",
                          t.kernelName])
        }
        lines.append(table.rendered())
        return lines.joined(separator: "\n")
    }
}
