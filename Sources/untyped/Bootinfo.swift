import ArgumentParser
import UntypedKit

/// `untyped bootinfo`: the untypeds a kernel hands its root task.
struct BootinfoCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bootinfo",
        abstract: "The bootinfo untyped list a kernel hands its root task: from a memory map, or for a QEMU machine.",
        discussion: """
            Give --memory or --platform.

            --memory MAP.json: {"arch": "x86_64", "ram": [{"start": "0x100000", "end": "0x80000000"}], \
            "reserved": [{"start": …, "end": …}], "deviceTop": "0x…", "bootMemoryReuse": {"start": …, "end": …}}. \
            Ends are exclusive; reserved, deviceTop and bootMemoryReuse are optional. RAM outside \
            the kernel window [PADDR_BASE, PADDR_TOP) becomes device untypeds. (--mcs does not \
            change this path.)

            --platform P reproduces the real kernel's boot on a QEMU machine: the RAM the machine \
            reports, the device frames the kernel keeps (IOAPIC, local APIC and MSI window on pc; \
            GIC on Arm virt; CLINT and PLIC on RISC-V virt), the kernel image and its reused boot \
            code, the device tree (reserved on Arm and RISC-V), the root task image, and the root \
            server's objects carved from the top of the highest free region (their size depends \
            on the root task's virtual range, the extra bootinfo and --mcs). Machines and \
            defaults (the boots recorded in Tests/UntypedKitTests/Fixtures/real-boot):
              qemu-x86_64:  --memory-mib 512 --kernel-end 0xa13000
                --kernel-boot-end 0x800000
                --root-image-vaddr 0x200000 --root-image-bytes 0x26000
              qemu-ia32:  --memory-mib 512 --kernel-end 0x13e000
                --kernel-boot-end 0x10e000
                --root-image-vaddr 0x400000 --root-image-bytes 0x21000
              qemu-arm-virt-a57:  --memory-mib 1024 --kernel-end 0x4023d000
                --kernel-boot-end 0x40010000 --dtb-bytes 7633
                --root-image-vaddr 0x200000 --root-image-bytes 0x43000
              qemu-riscv-virt:  --memory-mib 3072 --kernel-end 0x80221000
                --kernel-boot-end 0x80203000 --dtb-bytes 4421
                --root-image-vaddr 0x10000 --root-image-bytes 0x24000
            (seL4 1326364b, default configuration but 230 bootinfo untypeds, non-MCS, CNode 2^12 slots.) \
            The root task is ELF-loaded from its lowest to its highest virtual address (including \
            bss); the kernel image ends are 'nm kernel.elf' symbols ki_end and ki_boot_end, as \
            physical addresses.
            On Arm and RISC-V the kernel's RAM comes from the device tree QEMU dumped when it was \
            configured: --memory-mib must be the -m of that configure step.

            --json writes the untyped-list format that replay and plan read. The kernel keeps at \
            most 230 untypeds; a warning names how many it would drop. Numbers: decimal or 0x… hex.
            """)

    @Option(name: .long, help: ArgumentHelp("The memory map.", valueName: "MAP.json"))
    var memory: String?

    @Option(help: ArgumentHelp("A QEMU machine: \(QEMUPlatform.names).", valueName: "P"))
    var platform: String?

    @Option(name: .customLong("memory-mib"), help: ArgumentHelp("Guest RAM (-m), MiB.", valueName: "N"))
    var memoryMiB: String?

    @Option(name: .customLong("kernel-end"),
            help: ArgumentHelp("Physical end of the kernel image (ki_end), page aligned.", valueName: "ADDR"))
    var kernelEnd: String?

    @Option(name: .customLong("kernel-boot-end"),
            help: ArgumentHelp("Physical end of the kernel's boot code and data (ki_boot_end).", valueName: "ADDR"))
    var kernelBootEnd: String?

    @Option(name: .customLong("dtb-bytes"),
            help: ArgumentHelp("Size of the device tree the elfloader passes (Arm, RISC-V; 0: none).", valueName: "N"))
    var dtbBytes: String?

    @Option(name: .customLong("root-image-vaddr"),
            help: ArgumentHelp("The root task's lowest virtual address, page aligned.", valueName: "ADDR"))
    var rootImageVaddr: String?

    @Option(name: .customLong("root-image-bytes"),
            help: ArgumentHelp("The root task's loaded extent (lowest to highest virtual address), rounded up to 4 KiB.",
                               valueName: "N"))
    var rootImageBytes: String?

    @Option(name: .customLong("root-cnode-bits"),
            help: ArgumentHelp("CONFIG_ROOT_CNODE_SIZE_BITS (default 12).", valueName: "N"))
    var rootCNodeBits: String?

    @OptionGroup var archOptions: ArchOptions
    @OptionGroup var output: OutputOptions

    var platformOptions: [(String, String?)] {
        [("--memory-mib", memoryMiB), ("--kernel-end", kernelEnd), ("--kernel-boot-end", kernelBootEnd),
         ("--dtb-bytes", dtbBytes), ("--root-image-vaddr", rootImageVaddr), ("--root-image-bytes", rootImageBytes),
         ("--root-cnode-bits", rootCNodeBits)]
    }

    mutating func validate() throws {
        switch (memory, platform) {
        case (nil, nil): throw ValidationError("give --memory MAP.json or --platform P")
        case (.some, .some): throw ValidationError("--memory and --platform exclude each other")
        case (.some, nil):
            if let (name, _) = platformOptions.first(where: { $0.1 != nil }) {
                throw ValidationError("\(name) needs --platform")
            }
        case (nil, .some):
            if archOptions.arch != nil { throw ValidationError("--arch: --platform fixes the configuration") }
            do { _ = try platformParameters() } catch { throw ValidationError(error.message) }
        }
    }

    /// The machine and its parameters: the defaults with the options given applied.
    func platformParameters() throws(InputError) -> (QEMUPlatform, PlatformBootParameters) {
        guard let name = platform, let machine = QEMUPlatform(rawValue: name) else {
            throw InputError("--platform: unknown machine '\(platform ?? "")' (known: \(QEMUPlatform.names))")
        }
        var p = machine.defaults
        func number(_ option: String, _ text: String?, into value: inout UInt64) throws(InputError) {
            guard let text else { return }
            guard let parsed = parseUnsigned(text) else {
                throw InputError("\(option): '\(text)' is not a number (decimal or 0x… hex)")
            }
            value = parsed
        }
        try number("--memory-mib", memoryMiB, into: &p.memoryMiB)
        try number("--kernel-end", kernelEnd, into: &p.kernelEnd)
        try number("--kernel-boot-end", kernelBootEnd, into: &p.kernelBootEnd)
        try number("--dtb-bytes", dtbBytes, into: &p.dtbBytes)
        try number("--root-image-vaddr", rootImageVaddr, into: &p.rootImageVaddr)
        try number("--root-image-bytes", rootImageBytes, into: &p.rootImageBytes)
        try number("--root-cnode-bits", rootCNodeBits, into: &p.rootCNodeBits)
        p.mcs = archOptions.mcs
        try machine.validate(p)
        return (machine, p)
    }

    func run() throws {
        let boot: BootInfo
        var explanation: [String] = []
        if let memory {
            let map = try MemoryMap(json: try JSONNode.load(file: memory), arch: try archOptions.window())
            boot = try BootInfo.derive(from: map)
        } else {
            let (machine, parameters) = try platformParameters()
            let input = try machine.bootInput(parameters)
            let result = try input.run()
            boot = result.bootInfo
            explanation = describe(machine, parameters, input, result)
        }
        if boot.dropped > 0 {
            Diagnostics.warning("the kernel drops \(boot.dropped) more untypeds "
                                + "(CONFIG_MAX_NUM_BOOTINFO_UNTYPED_CAPS = \(KernelWindow.maxBootInfoUntypeds))")
        }
        if output.json {
            print(boot.list.json.rendered())
            return
        }
        let window = boot.window
        for line in explanation { print(line) }
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

    /// The inputs and the kernel's reservations, for the text output.
    func describe(_ machine: QEMUPlatform, _ p: PlatformBootParameters, _ input: KernelBootInput,
                  _ result: KernelBootResult) -> [String] {
        var lines = ["\(machine.rawValue): \(machine.machine); -m \(p.memoryMiB)M; \(input.window.name) kernel"
                     + (p.mcs ? " (MCS)" : "")]
        for r in input.available { lines.append("  RAM            \(r)") }
        for r in input.earlyReservations + input.reserved { lines.append("  reserved       \(r.region)  \(r.reason)") }
        lines.append("  boot reuse     \(input.bootReuse)  [KERNEL_ELF_PADDR_BASE, ki_boot_end): create_untypeds")
        let parts = input.rootServer.parts.map { "\($0.name) \(hex($0.bytes))" }.joined(separator: ", ")
        lines.append("  root server    \(result.rootServer)  (\(parts); aligned to 2^\(input.rootServer.alignBits))")
        for r in result.freeMemory { lines.append("  free           \(r)") }
        return lines
    }
}
