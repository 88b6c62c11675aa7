import Foundation
import UntypedCore

/// SplitMix64: small, seeded, reproducible.
public struct CampaignRandom: RandomNumberGenerator, Sendable {
    public var state: UInt64
    public init(seed: UInt64) { state = seed }

    public mutating func next() -> UInt64 {
        state &+= 0x9e37_79b9_7f4a_7c15
        var z = state
        z = (z ^ (z >> 30)) &* 0xbf58_476d_1ce4_e5b9
        z = (z ^ (z >> 27)) &* 0x94d0_49bb_1331_11eb
        return z ^ (z >> 31)
    }

    /// The generator of system `index` of a family: every system can be regenerated alone.
    public static func system(seed: UInt64, family: String, index: Int) -> CampaignRandom {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in family.utf8 { h = (h ^ UInt64(byte)) &* 0x100_0000_01b3 }
        var mixer = CampaignRandom(seed: seed ^ h)
        mixer.state ^= UInt64(index) &* 0xd134_2543_de82_ef95
        _ = mixer.next()
        return mixer
    }
}

/// One randomly generated system.
public struct CampaignSystem: Sendable {
    public var spec: PlanSpec
    /// `--slots` for this system.
    public var slots: Int
    /// How the untypeds were made: `bootinfo` (derived from a random memory map) or `aligned`.
    public var shape: String
}

/// What a campaign found for one configuration.
public struct CampaignResult: Sendable {
    public var configuration: String
    public var systems = 0
    /// Systems planned (and verified by replay).
    public var planned = 0
    public var objects = 0
    public var anchors = 0
    public var gapFilled = 0
    public var retypes = 0
    public var dummies = 0
    public var deletes = 0
    /// Largest number of dummy caps held at once, and systems that held more than 2×slots.
    public var maxPeakSlots = 0
    public var slotBudgetExceeded = 0
    /// Planned objects the replay put elsewhere than planned: must be 0.
    public var mismatches = 0
    /// Anchors the replay put elsewhere than the spec asked: must be 0.
    public var anchorsMissed = 0
    /// Replayed objects overlapping each other: must be 0.
    public var overlaps = 0
    /// Planning failures by kind (`outOfMemory` is expected for random systems; the
    /// consistency kinds must be 0).
    public var failures: [PlanFailure.Kind: Int] = [:]
    /// The first system (index) and message of each failure kind or defect.
    public var examples: [String: (system: Int, message: String)] = [:]
    public var seconds = 0.0

    public init(configuration: String) { self.configuration = configuration }

    /// Defects: mismatches, anchors missed, overlaps, slot budget exceeded, and planner
    /// failures that are not the input's fault.
    public var defects: Int {
        mismatches + anchorsMissed + overlaps + slotBudgetExceeded
            + failures.filter { ![.invalidSpec, .outOfMemory].contains($0.key) }.values.reduce(0, +)
    }

    public mutating func merge(_ other: CampaignResult) {
        systems += other.systems
        planned += other.planned
        objects += other.objects
        anchors += other.anchors
        gapFilled += other.gapFilled
        retypes += other.retypes
        dummies += other.dummies
        deletes += other.deletes
        maxPeakSlots = max(maxPeakSlots, other.maxPeakSlots)
        slotBudgetExceeded += other.slotBudgetExceeded
        mismatches += other.mismatches
        anchorsMissed += other.anchorsMissed
        overlaps += other.overlaps
        for (kind, n) in other.failures { failures[kind, default: 0] += n }
        for (key, example) in other.examples where examples[key].map({ $0.system > example.system }) ?? true {
            examples[key] = example
        }
    }

    mutating func note(_ key: String, system: Int, _ message: String) {
        if examples[key].map({ $0.system > system }) ?? true { examples[key] = (system, message) }
    }
}

/// Random systems planned with `.offset` and replayed on the kernel model: every plan must
/// replay with every object where planned, every anchor where asked.
public enum Campaign {
    /// Configurations of `--arch all`: the whole catalogue.
    public static var families: [KernelWindow] { KernelWindow.catalogue }

    /// Plans `count` systems of `window` (on `threads` threads) and tallies the outcome.
    public static func run(window: KernelWindow, count: Int, seed: UInt64, threads: Int? = nil) -> CampaignResult {
        let start = Date()
        let workers = max(1, min(threads ?? ProcessInfo.processInfo.activeProcessorCount, count))
        let collector = Collector(configuration: window.name)
        DispatchQueue.concurrentPerform(iterations: workers) { worker in
            var partial = CampaignResult(configuration: window.name)
            var index = worker
            while index < count {
                check(system: index, window: window, seed: seed, into: &partial)
                index += workers
            }
            collector.add(partial)
        }
        var result = collector.result
        result.seconds = Date().timeIntervalSince(start)
        return result
    }

    /// Generates, plans and checks system `index`.
    static func check(system index: Int, window: KernelWindow, seed: UInt64, into result: inout CampaignResult) {
        let system = generate(window: window, seed: seed, index: index)
        result.systems += 1
        let plan: Plan
        do {
            plan = try Planner.plan(system.spec, options: PlannerOptions(maxDummiesPerRetype: system.slots))
        } catch {
            result.failures[error.kind, default: 0] += 1
            result.note(error.kind.rawValue, system: index, error.message)
            return
        }
        result.planned += 1
        let s = plan.stats
        result.objects += s.objects
        result.anchors += s.anchors
        result.gapFilled += s.gapFilled
        result.retypes += s.retypes
        result.dummies += s.dummies
        result.deletes += s.deletes
        result.maxPeakSlots = max(result.maxPeakSlots, s.peakSlots)
        if s.peakSlots > 2 * system.slots {
            result.slotBudgetExceeded += 1
            result.note("slotBudget", system: index, "\(s.peakSlots) dummy slots held with --slots \(system.slots)")
        }
        if plan.mismatches > 0 || !plan.replay.succeeded {
            result.mismatches += max(plan.mismatches, 1)
            result.note("mismatch", system: index, "\(plan.mismatches) objects not where planned")
        }
        // Independently of the plan's own expectations: anchors where the spec asked, and
        // no two real objects sharing memory.
        var actual: [String: ReplayObject] = [:]
        for o in plan.replay.objects { actual[o.name] = o }
        for o in system.spec.objects {
            guard let paddr = o.paddr else { continue }
            if actual[o.name]?.paddr != paddr {
                result.anchorsMissed += 1
                result.note("anchorMissed", system: index, "'\(o.name)' asked at \(hex(paddr)), replay: "
                            + (actual[o.name].map { hex($0.paddr) } ?? "not created"))
            }
        }
        let real = system.spec.objects.compactMap { actual[$0.name] }.sorted { $0.paddr < $1.paddr }
        for (a, b) in zip(real, real.dropFirst()) where b.paddr < a.paddr &+ (1 << a.sizeBits) {
            result.overlaps += 1
            result.note("overlap", system: index, "'\(a.name)' and '\(b.name)' overlap at \(hex(b.paddr))")
        }
    }

    // MARK: - Generation

    /// System `index` of `window`'s family for `seed`.
    public static func generate(window: KernelWindow, seed: UInt64, index: Int) -> CampaignSystem {
        var rng = CampaignRandom.system(seed: seed, family: window.name, index: index)
        let mcs = rng.next() % 5 == 0
        var untypeds: [UntypedDescriptor]
        var shape = "bootinfo"
        if rng.next() % 2 == 0, let boot = bootinfoUntypeds(window, &rng) {
            untypeds = boot
        } else {
            untypeds = alignedUntypeds(window, &rng)
            shape = "aligned"
        }
        let types = window.objectTypes(mcs: mcs)
        var objects: [PlanObject] = []
        var anchors: [PhysicalRegion] = []

        // Anchors.
        let anchorCount = Int(rng.next() % 7)
        for _ in 0..<anchorCount * 3 where anchors.count < anchorCount {
            let u = Int(rng.next() % UInt64(untypeds.count))
            let untyped = untypeds[u]
            let candidates = types.filter { !untyped.isDevice || $0.deviceAllowed }
            guard let type = candidates.randomElement(using: &rng) else { continue }
            let userObjSize = randomSize(type, window: window, limit: untyped.sizeBits, &rng)
            let size = window.objectSizeBits(type, userObjSize: userObjSize)
            guard size <= untyped.sizeBits else { continue }
            let span = untyped.sizeBits - size
            var slot: UInt64
            switch rng.next() % 5 {
            case 0: slot = 0
            case 1: slot = (1 << span) - 1                               // the very end
            case 2: slot = rng.next() & ((1 << span) - 1) & ~0xff         // deep, coarse
            default: slot = rng.next() & ((1 << span) - 1)
            }
            let paddr = untyped.paddr &+ (slot << size)
            if type.isFrame, paddr & ((1 << size) - 1) != 0 { continue }
            let region = PhysicalRegion(start: paddr, end: paddr &+ (1 << size))
            if anchors.contains(where: { $0.start < region.end && region.start < $0.end }) { continue }
            anchors.append(region)
            let device: Bool? = rng.next() % 3 == 0 ? untyped.isDevice : nil
            objects.append(PlanObject(name: "a\(objects.count)", type: type, userObjSize: userObjSize, paddr: paddr,
                                      device: device))
        }

        // Un-anchored objects, mostly small ones in normal memory.
        let normal = untypeds.indices.filter { !untypeds[$0].isDevice }
        let device = untypeds.indices.filter { untypeds[$0].isDevice }
        let largestNormal = normal.map { untypeds[$0].sizeBits }.max() ?? 0
        let largestDevice = device.map { untypeds[$0].sizeBits }.max() ?? 0
        // Keep un-anchored objects to about half the memory, so that most systems fit.
        var budget = [false: normal.reduce(0 as UInt64) { $0 &+ (1 << untypeds[$1].sizeBits) } / 2,
                      true: device.reduce(0 as UInt64) { $0 &+ (1 << untypeds[$1].sizeBits) } / 2]
        let common = types.filter { ["tcb", "endpoint", "notification", "cnode", "pagetable", "untyped", "reply",
                                     "schedcontext"].contains($0.name) || $0.isFrame }
        let unanchored = Int(rng.next() % 25)
        for _ in 0..<unanchored {
            let wantsDevice = !device.isEmpty && rng.next() % 10 == 0
            let pool = wantsDevice ? common.filter(\.deviceAllowed) : common
            guard let type = pool.randomElement(using: &rng) else { continue }
            let largest = wantsDevice ? largestDevice : largestNormal
            let userObjSize = randomSize(type, window: window, limit: max(min(largest, 26), 4), &rng)
            let size = window.objectSizeBits(type, userObjSize: userObjSize)
            if size > largest { continue }
            var forced: Int?
            if rng.next() % 20 == 0 {
                let fitting = (wantsDevice ? device : normal).filter { untypeds[$0].sizeBits >= size }
                forced = fitting.randomElement(using: &rng)
            }
            let name = "o\(objects.count)"
            // Runs of equal objects, as systems have them (TCBs, endpoints, pages).
            var run = rng.next() % 4 == 0 ? Int(rng.next() % 12) + 1 : 1
            run = min(run, Int(min(budget[wantsDevice]! >> size, 64)))
            if run == 0 { continue }
            budget[wantsDevice]! -= UInt64(run) << size
            for k in 0..<run {
                objects.append(PlanObject(name: run == 1 ? name : "\(name)_\(k)", type: type, userObjSize: userObjSize,
                                          device: wantsDevice ? true : (rng.next() % 4 == 0 ? false : nil), untyped: forced))
            }
        }
        let slots = [1, 1, 1, 1, 2, 3, 4, 16, 256][Int(rng.next() % 9)]
        return CampaignSystem(spec: PlanSpec(window: window, mcs: mcs, untypeds: untypeds, objects: objects),
                              slots: slots, shape: shape)
    }

    /// A random size argument for `type`, its object no larger than 2^`limit`.
    static func randomSize(_ type: ObjectType, window: KernelWindow, limit: UInt64, _ rng: inout CampaignRandom) -> UInt64 {
        switch type.sizing {
        case .fixed(let bits): return bits
        case .untyped:
            let top = max(4, min(limit, window.maxUntypedBits))
            return 4 + rng.next() % (top - 3)
        case .cnode:
            let top = max(1, min(12, limit > window.cnodeSlotBits ? limit - window.cnodeSlotBits : 1))
            return 1 + rng.next() % top
        case .schedContext:
            let top = max(7, min(limit, 12))
            return 7 + rng.next() % (top - 6)
        }
    }

    /// Bootinfo untypeds of a random memory map: 1-3 RAM regions in the kernel window, a
    /// reserved kernel image, sometimes RAM outside the window (it becomes device memory).
    static func bootinfoUntypeds(_ window: KernelWindow, _ rng: inout CampaignRandom) -> [UntypedDescriptor]? {
        let page: UInt64 = 0x1000
        let base = window.paddrBase, top = window.paddrTop
        guard top > base + 0x100_0000 else { return nil }
        let span = min(top - base, window.wordBits == 64 ? 1 << 36 : top - base)
        var ram: [PhysicalRegion] = []
        for _ in 0..<(1 + Int(rng.next() % 3)) {
            let start = base + (rng.next() % span) / page * page
            let maxBits: UInt64 = window.wordBits == 64 ? 34 : 28
            let length = max(page, ((1 << (20 + rng.next() % (maxBits - 19))) + rng.next() % (1 << 20)) / page * page)
            let end = min(start + length, top)
            let region = PhysicalRegion(start: start, end: end)
            if region.isEmpty || ram.contains(where: { $0.start <= region.end && region.start <= $0.end }) { continue }
            ram.append(region)
        }
        guard let first = ram.min(by: { $0.start < $1.start }) else { return nil }
        var reserved: [PhysicalRegion] = []
        let image = min(first.end - first.start, (1 + rng.next() % 16) << 20) / page * page
        if image > 0, rng.next() % 4 != 0 { reserved.append(PhysicalRegion(start: first.start, end: first.start + image)) }
        if window.wordBits == 64, rng.next() % 4 == 0 {
            // RAM above the kernel window: the kernel hands it out as device memory.
            let start = max(top, 1 << 40) + (rng.next() % (1 << 36)) / page * page
            if start + (1 << 30) < window.deviceTop { ram.append(PhysicalRegion(start: start, end: start + (1 << 30))) }
        }
        let map = MemoryMap(window: window, ram: ram, reserved: reserved)
        guard let boot = try? BootInfo.derive(from: map), boot.untypeds.contains(where: { !$0.isDevice }) else { return nil }
        return boot.untypeds
    }

    /// 1-8 random untypeds the kernel could hand out (pptr aligned, capPtr round-trips),
    /// physically inside [0, device top), not overlapping; at least one normal.
    static func alignedUntypeds(_ window: KernelWindow, _ rng: inout CampaignRandom) -> [UntypedDescriptor] {
        let physicalTop = window.wordBits == 64 ? window.deviceTop : min(window.deviceTop, 1 << 32)
        let count = 1 + Int(rng.next() % 8)
        var result: [UntypedDescriptor] = []
        for attempt in 0..<(count * 8) where result.count < count {
            let maxBits = min(window.maxUntypedBits, window.wordBits == 64 ? 46 : 29)
            let size: UInt64 = rng.next() % 3 == 0 ? 4 + rng.next() % (maxBits - 3) : 12 + rng.next() % (min(maxBits, 30) - 11)
            guard (1 << size) <= physicalTop else { continue }
            let anywhere = rng.next() % (physicalTop - (1 << size) + 1)
            let pptr = window.pptr(ofPaddr: anywhere) & ~((1 << size) - 1)
            let paddr = window.paddr(ofPptr: pptr)
            guard paddr &+ (1 << size) <= physicalTop, paddr &+ (1 << size) > paddr,
                  window.capPtr.load(pptr, wordBits: window.wordBits) == pptr else { continue }
            let u = UntypedDescriptor(paddr: paddr, sizeBits: size,
                                      isDevice: attempt > 0 && rng.next() % 3 == 0 && !result.isEmpty)
            if result.contains(where: { $0.paddr < u.end && u.paddr < $0.end }) { continue }
            result.append(u)
        }
        if !result.contains(where: { !$0.isDevice }) {
            // Make sure there is normal memory: the first untyped becomes normal.
            if result.isEmpty {
                let pptr = window.pptr(ofPaddr: window.paddrBase) & ~UInt64(0xfffff)
                result.append(UntypedDescriptor(paddr: window.paddr(ofPptr: pptr), sizeBits: 20, isDevice: false))
            } else {
                result[0].isDevice = false
            }
        }
        return result
    }
}

/// Partial results from the worker threads.
final class Collector: @unchecked Sendable {
    private let lock = NSLock()
    private var total: CampaignResult

    init(configuration: String) { total = CampaignResult(configuration: configuration) }

    func add(_ partial: CampaignResult) {
        lock.lock()
        total.merge(partial)
        lock.unlock()
    }

    var result: CampaignResult {
        lock.lock()
        defer { lock.unlock() }
        return total
    }
}
