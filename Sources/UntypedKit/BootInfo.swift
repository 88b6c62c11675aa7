import UntypedCore

/// The untypeds a kernel hands its root task, derived from a memory map the way
/// `init_freemem` and `create_untypeds` (`src/kernel/boot.c`) do it.
public struct BootInfo {
    public var window: KernelWindow
    /// The bootinfo untyped list, in the kernel's order (at most 230 entries).
    public var untypeds: [UntypedDescriptor]
    /// Untypeds the kernel cut but dropped: beyond `CONFIG_MAX_NUM_BOOTINFO_UNTYPED_CAPS`.
    public var dropped: Int

    /// The result as an untyped list (the input of `replay` and the planner).
    public var list: UntypedList { UntypedList(window: window, untypeds: untypeds) }

    /// Derives the bootinfo untypeds of `map`:
    ///
    /// 1. Free RAM: each RAM region clipped to the kernel window `[PADDR_BASE, PADDR_TOP)`,
    ///    minus the reserved regions. RAM outside the window is not free RAM: it ends up in
    ///    the device gaps below.
    /// 2. Free RAM is reserved too; reserved regions touching each other are merged.
    /// 3. Device untypeds for every gap between reserved regions (ascending from 0), then
    ///    for the top region up to the device top.
    /// 4. Normal untypeds for the boot memory the kernel reuses, then for every free RAM
    ///    region separately (adjacent regions are not merged first).
    ///
    /// Each region is cut on kernel-virtual addresses by the core's `bootCut`; the first
    /// 230 untypeds are kept.
    public static func derive(from map: MemoryMap) throws(InputError) -> BootInfo {
        try map.validate()
        let window = map.window
        let freeRAM = try freeMemory(of: map)

        let occupied = KernelBootInput.merge(map.reserved + freeRAM)
        let normal = (map.bootMemoryReuse.map { [$0] } ?? []) + freeRAM
        return handOver(window: window, occupied: occupied, deviceTop: map.deviceTop, normal: normal)
    }

    /// `create_untypeds`: device untypeds for every gap between the `occupied` regions
    /// (ascending, merged) from 0, then for the top region up to `deviceTop`; then normal
    /// untypeds for each of `normal` in order. Each region is cut on kernel-virtual addresses
    /// by the core's `bootCut`; the first 230 untypeds are kept.
    static func handOver(window: KernelWindow, occupied: [PhysicalRegion], deviceTop: UInt64,
                         normal: [PhysicalRegion]) -> BootInfo {
        var cuts: [(PhysicalRegion, isDevice: Bool)] = []
        var start: UInt64 = 0
        for region in occupied {
            if start < region.start { cuts.append((PhysicalRegion(start: start, end: region.start), true)) }
            start = region.end
        }
        if start <= deviceTop &- 1 { cuts.append((PhysicalRegion(start: start, end: deviceTop), true)) }
        cuts += normal.map { ($0, false) }

        var untypeds: [UntypedDescriptor] = []
        for (region, isDevice) in cuts where !region.isEmpty {
            if window.wordBits == 64 {
                cut(region, isDevice: isDevice, window: window, as: UInt64.self, into: &untypeds)
            } else {
                cut(region, isDevice: isDevice, window: window, as: UInt32.self, into: &untypeds)
            }
        }
        let kept = min(untypeds.count, KernelWindow.maxBootInfoUntypeds)
        return BootInfo(window: window, untypeds: Array(untypeds.prefix(kept)), dropped: untypeds.count - kept)
    }

    /// RAM inside the kernel window minus the reserved regions, ascending.
    static func freeMemory(of map: MemoryMap) throws(InputError) -> [PhysicalRegion] {
        let window = map.window
        let reserved = map.reserved.filter { !$0.isEmpty }.sorted { $0.start < $1.start }
        var free: [PhysicalRegion] = []
        var anyInWindow = false
        for ram in map.ram.sorted(by: { $0.start < $1.start }) {
            var piece = PhysicalRegion(start: max(ram.start, window.paddrBase), end: min(ram.end, window.paddrTop))
            if piece.isEmpty { continue }
            anyInWindow = true
            for r in reserved where r.end > piece.start && r.start < piece.end {
                if r.start > piece.start { free.append(PhysicalRegion(start: piece.start, end: r.start)) }
                piece.start = min(r.end, piece.end)
            }
            if !piece.isEmpty { free.append(piece) }
        }
        guard anyInWindow else {
            throw InputError("ram: no RAM inside the kernel window [\(hex(window.paddrBase)), "
                             + "\(hex(window.paddrTop))) of \(window.name): the kernel would not boot")
        }
        guard !free.isEmpty else {
            throw InputError("reserved: every byte of RAM inside the kernel window [\(hex(window.paddrBase)), "
                             + "\(hex(window.paddrTop))) of \(window.name) is reserved: the kernel would not boot")
        }
        if let slots = window.freeMemorySlots, free.count > slots {
            throw InputError("ram: \(free.count) free memory regions, but \(window.name) has "
                             + "\(slots) slots (MAX_NUM_FREEMEM_REG): the kernel would not boot")
        }
        return free
    }

    /// `create_untypeds_for_region`: converts `region` to kernel-virtual addresses (wrapping;
    /// an end of 2^32 becomes `PPTR_BASE_OFFSET`) and cuts it with the core's `bootCut`.
    static func cut<W: MachineWord>(_ region: PhysicalRegion, isDevice: Bool, window: KernelWindow,
                                    as _: W.Type, into untypeds: inout [UntypedDescriptor]) {
        var start = W(truncatingIfNeeded: window.pptr(ofPaddr: region.start))
        let end = W(truncatingIfNeeded: window.pptr(ofPaddr: region.end & window.wordMask))
        let maxUntypedBits = W(window.maxUntypedBits)
        while start != end {
            let piece = bootCut(start: start, end: end, maxUntypedBits: maxUntypedBits)
            if piece.emits {
                untypeds.append(UntypedDescriptor(paddr: window.paddr(ofPptr: UInt64(start)),
                                                  sizeBits: UInt64(piece.sizeBits), isDevice: isDevice))
            }
            start = piece.next
        }
    }
}
