import ArgumentParser
import UntypedKit

/// `untyped bootinfo`: the untypeds a kernel hands its root task.
struct BootinfoCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bootinfo",
        abstract: "Derive the bootinfo untyped list from a memory map, as the kernel's create_untypeds does.",
        discussion: """
            MAP.json: {"arch": "x86_64", "ram": [{"start": "0x100000", "end": "0x80000000"}], \
            "reserved": [{"start": …, "end": …}], "deviceTop": "0x…", "bootMemoryReuse": {"start": …, "end": …}}. \
            Ends are exclusive; reserved, deviceTop and bootMemoryReuse are optional. RAM outside \
            the kernel window [PADDR_BASE, PADDR_TOP) becomes device untypeds. --json writes \
            the untyped-list format that replay and plan read. The kernel keeps at most 230 untypeds; \
            a warning names how many it would drop. (--mcs does not change boot untypeds.)
            """)

    @Option(name: .long, help: ArgumentHelp("The memory map.", valueName: "MAP.json"))
    var memory: String

    @OptionGroup var archOptions: ArchOptions
    @OptionGroup var output: OutputOptions

    func run() throws {
        let map = try MemoryMap(json: try JSONNode.load(file: memory), arch: try archOptions.window())
        let boot = try BootInfo.derive(from: map)
        if boot.dropped > 0 {
            Diagnostics.warning("the kernel drops \(boot.dropped) more untypeds "
                                + "(CONFIG_MAX_NUM_BOOTINFO_UNTYPED_CAPS = \(KernelWindow.maxBootInfoUntypeds))")
        }
        if output.json {
            print(boot.list.json.rendered())
            return
        }
        let window = boot.window
        var table = TextTable(header: ["#", "PADDR", "END", "SIZE_BITS", "DEVICE", "PPTR"], rightAligned: [0, 3])
        for (i, u) in boot.untypeds.enumerated() {
            table.append([String(i), hex(u.paddr), hex(u.end), String(u.sizeBits), u.isDevice ? "device" : "",
                          hex(window.pptr(ofPaddr: u.paddr))])
        }
        let devices = boot.untypeds.filter(\.isDevice).count
        print(table.rendered())
        print("\(window.name): \(boot.untypeds.count) untypeds (\(devices) device, "
              + "\(boot.untypeds.count - devices) normal)")
    }
}
