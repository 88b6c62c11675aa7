import UntypedCore

extension Bench {
    /// A Microkit-shaped capDL spec: `pds` protection domains (TCB, CNode, SchedContext, Reply,
    /// endpoint, notification, a 4-level VSpace, ELF, stack and IPC-buffer frames) and memory
    /// regions with fixed physical addresses, named as Microkit names them
    /// (`mr_{region}_{i:09}`, paddr = base + i·page), in device memory up high and in RAM,
    /// sorted as Microkit sorts (paddr objects first, then size descending, then name).
    public static func microkitShapedSpec(_ arch: String, pds: Int = 16) -> CapDLSpec {
        let window = KernelWindow.named(arch)!
        let mcs = true
        func type(_ name: String, _ bits: UInt64? = nil) -> ObjectType {
            guard case .success(let t) = window.resolveObjectType(name, sizeBits: bits, mcs: mcs) else { fatalError("no \(name) on \(arch)") }
            return t
        }
        var objects: [CapDLObject] = []
        func add(_ name: String, _ variant: String, _ t: ObjectType, _ userObjSize: UInt64? = nil, paddr: UInt64? = nil) {
            let size = userObjSize ?? window.objectSizeBits(t, userObjSize: 0)
            objects.append(CapDLObject(id: 0, name: name, named: true, variant: variant, type: t, userObjSize: size,
                                       sizeBits: window.objectSizeBits(t, userObjSize: size), paddr: paddr))
        }
        let ram: [PhysicalRegion]
        var regions: [(String, UInt64, UInt64, Int)] = []   // name, base, page bits, pages
        if window.family.wordBits == 64, case .x86_64 = window.family {
            ram = [PhysicalRegion(start: 0x10_0000, end: 0x8000_0000), PhysicalRegion(start: 0x1_0000_0000, end: 0x2_8000_0000)]
            regions = [("ioapic", 0xfec0_0000, 12, 1), ("hpet", 0xfed0_0000, 12, 1), ("bar0", 0xc000_0000, 21, 8),
                       ("bar", 0xe00_0000_0000, 21, 16), ("mmio", 0x4000_0000_0000, 12, 4), ("dma", 0x1000_0000, 21, 8)]
        } else {
            ram = [PhysicalRegion(start: 0x4000_0000, end: 0x1_0000_0000)]
            regions = [("uart", 0x0900_0000, 12, 1), ("gic", 0x0800_0000, 12, 16), ("pcie", 0x1000_0000, 21, 8),
                       ("pcie_high", 0x80_0000_0000, 21, 16), ("mmio", 0x400_0000_0000, 12, 4), ("dma", 0x5000_0000, 21, 8)]
        }
        for (name, base, bits, pages) in regions {
            for i in 0..<pages {
                let index = String(i)
                add("mr_\(name)_" + String(repeating: "0", count: 9 - index.count) + index, "Frame", type("frame", bits),
                    paddr: base + UInt64(i) << bits)
            }
        }
        let levels = window.family.wordBits == 64 ? (arch == "x86_64" ? ["pml4", "pdpt", "pagedirectory", "pagetable"]
                                                                      : ["vspace", "pagetable", "pagetable", "pagetable"]) : []
        for pd in 0..<pds {
            add("tcb_pd\(pd)", "Tcb", type("tcb"))
            add("cnode_pd\(pd)", "CNode", type("cnode"), 9)
            add("sched_context_pd\(pd)", "SchedContext", type("schedcontext"), 8)
            add("reply_pd\(pd)", "Reply", type("reply"))
            add("ep_pd\(pd)", "Endpoint", type("endpoint"))
            add("ntfn_pd\(pd)", "Notification", type("notification"))
            for (l, level) in levels.enumerated() { add("pt\(l)_pd\(pd)", "PageTable", type(level)) }
            for i in 0..<24 { add("elf_pd\(pd)_\(i)", "Frame", type("frame", 12)) }
            for i in 0..<4 { add("pd\(pd)_stack_\(i)", "Frame", type("frame", 12)) }
            add("ipc_buffer_pd\(pd)", "Frame", type("frame", 12))
        }
        for i in 0..<4 { add("shared_\(i)", "Frame", type("frame", 21)) }
        add("asid_pool_0", "AsidPool", type("untyped"), 12)
        objects.sort { a, b in
            if (a.paddr == nil) != (b.paddr == nil) { return a.paddr != nil }
            if let p = a.paddr, let q = b.paddr, p != q { return p < q }
            if a.sizeBits != b.sizeBits { return a.sizeBits > b.sizeBits }
            return a.name < b.name
        }
        for i in objects.indices { objects[i].id = i }
        let boot = try! BootInfo.derive(from: MemoryMap(window: window, ram: ram))
        return CapDLSpec(window: window, mcs: mcs, untypeds: boot.untypeds, objects: objects, rootObjects: 0..<objects.count,
                         covers: [])
    }

    static let capdlVariants: [(String, CapDLStrategy)] = [
        ("offset/1", .planner(.offset, slots: 1)),
        ("offset/256", .planner(.offset, slots: 256)),
        ("rust-sel4-initializer", .initializer(.current)),
        ("rust-sel4-initializer-pr350", .initializer(.pr350)),
        ("rust-sel4-initializer-absolute", .initializer(.absolute)),
    ]

    /// (f) Microkit-shaped capDL specs, planned by this project's planner and by rust-sel4's
    /// initializer (its rules over time), replayed on the kernel model.
    public static func capdlSystems(repeats: Int) -> [BenchSystemRow] {
        var rows: [BenchSystemRow] = []
        for name in ["aarch64-pa44", "x86_64"] {
            let spec = microkitShapedSpec(name)
            for (label, strategy) in capdlVariants {
                var row = BenchSystemRow(configuration: "capdl-\(name)", variant: label)
                let run = timed(repeats: repeats) { () -> Result<CapDLPlan, PlanFailure> in
                    do throws(PlanFailure) { return .success(try CapDLPlanner.plan(spec, strategy: strategy)) } catch { return .failure(error) }
                }
                row.seconds = run.seconds
                let roots = spec.rootAllocated
                fill(&row, objects: roots.count,
                     anchors: roots.compactMap { o in o.paddr.map { (o.name, $0) } },
                     outcome: run.result.map { ($0.stats, $0.mismatches.count + $0.missing.count, $0.replay, $0.failure) })
                rows.append(row)
            }
        }
        return rows
    }
}
