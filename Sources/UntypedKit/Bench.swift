import Foundation
import UntypedCore

/// The fewest dummy retypes that bring watermark `watermark` (an offset) to a place from which
/// the kernel's align-up puts a 2^`objectSizeBits` object at offset `target` in a
/// 2^`untypedSizeBits` untyped, with at most `perRetype` dummies per retype. The benchmarks
/// take it as a function so that this module does not depend on the verifier (the CLI passes
/// `DummyLowerBound`, checked against an exhaustive shortest-path optimum in the tests).
public typealias BenchLowerBound = (_ target: UInt64, _ objectSizeBits: UInt64, _ untypedSizeBits: UInt64,
                                    _ perRetype: Int, _ watermark: UInt64) -> Int

/// One way of reaching an anchor, measured or computed.
public enum BenchVariant: String, CaseIterable, Sendable {
    case offset1 = "offset/1"
    case offset256 = "offset/256"
    case rustSel4 = "rust-sel4"
    case absolute = "absolute"
    case split = "split"
    case probe = "probe"
    case bound1 = "bound/1"
    case bound256 = "bound/256"

    /// Dummies one retype may create, and the bound compared against.
    public var perRetype: Int { self == .offset256 || self == .bound256 ? 256 : 1 }

    /// Run on the kernel model (otherwise computed).
    public var isMeasured: Bool { ![.probe, .bound1, .bound256].contains(self) }

    public var summary: String {
        switch self {
        case .offset1: return "this project's allocator (offset alignment), 1 dummy per retype"
        case .offset256: return "this project's allocator, up to 256 dummies per retype"
        case .rustSel4: return "current rust-sel4 initializer rule, 1 dummy per retype"
        case .absolute: return "absolute-paddr alignment (rust-sel4 before mid-2026: the reported bug)"
        case .split: return "seL4_libs allocman utspace_split halving (SplitPlanner)"
        case .probe: return "C capdl-loader-app probing (computed: one retype+delete per object-sized step)"
        case .bound1: return "DummyLowerBound, 1 dummy per retype"
        case .bound256: return "DummyLowerBound, 256 dummies per retype"
        }
    }

    var strategy: Strategy? {
        switch self {
        case .offset1, .offset256: return .offset
        case .rustSel4: return .rustSel4
        case .absolute: return .absolute
        default: return nil
        }
    }
}

/// The cost of one variant over a set of anchors (sums; `peakSlots` is a maximum).
public struct BenchTally: Sendable {
    public var variant: BenchVariant
    public var anchors = 0
    public var dummyRetypes = 0
    /// Dummy and object retypes spent on the anchors.
    public var retypes = 0
    public var deletes = 0
    /// Most dummy caps held at once (nil: not meaningful for the variant).
    public var peakSlots: Int?
    public var bytesWasted: UInt64 = 0
    /// Anchors the kernel model put at the asked address (nil: computed, not run).
    public var landedRight: Int?
    /// Anchors the variant refused (or could not reach after a refusal).
    public var refused = 0
    /// The lower bound with the same dummies-per-retype budget, summed over the anchors.
    public var bound = 0
    /// Median wall-clock seconds of the whole workload for this variant (measured variants).
    public var seconds: Double?

    public init(variant: BenchVariant) { self.variant = variant }

    /// dummy retypes / bound, or nil when the bound is 0.
    public var ratio: Double? { bound == 0 ? nil : Double(dummyRetypes) / Double(bound) }

    /// The ratio in words: "1.00", "0/0 (bound 0)", "5 vs bound 0".
    public var ratioText: String {
        if let ratio { return String(format: ratio >= 1000 ? "%.3g" : "%.2f", ratio) }
        return dummyRetypes == 0 ? "bound 0, =" : "bound 0"
    }
}

/// One anchored object of a benchmark case.
public struct BenchAnchor: Sendable {
    public var type: ObjectType
    public var userObjSize: UInt64
    /// Offset of the target from the untyped's base.
    public var offset: UInt64
}

/// One untyped: un-anchored objects placed first (they leave the watermark unaligned), then
/// anchors in ascending order.
public struct BenchCase: Sendable {
    public var window: KernelWindow
    public var untyped: UntypedDescriptor
    public var prefill: [BenchAnchor]
    public var anchors: [BenchAnchor]
}

/// A workload's figures, per group (a configuration, or "all").
public struct BenchWorkload: Sendable {
    public var key: String
    public var title: String
    public var groups: [(label: String, cases: Int, tallies: [BenchTally])]
}

/// A whole system planned per strategy.
public struct BenchSystemRow: Sendable {
    public var configuration: String
    public var variant: String
    public var objects = 0
    public var anchors = 0
    public var retypes = 0
    public var dummyRetypes = 0
    public var deletes = 0
    public var peakSlots = 0
    public var bytesWasted: UInt64 = 0
    /// Anchors the replay put at the asked address.
    public var anchorsRight = 0
    /// Objects the replay put elsewhere than planned.
    public var mismatches = 0
    public var error: String?
    public var seconds = 0.0
}

/// Planner throughput at one size.
public struct BenchThroughputRow: Sendable {
    public var objects: Int
    public var anchors: Int
    public var untypeds: Int
    public var seconds: Double
    public var maxRSSKiB: Int
    public var objectsPerSecond: Double { Double(objects) / seconds }
    public var secondsPerObject: Double { seconds / Double(objects) }
}

public enum Bench {
    // MARK: - Running the variants on one case

    struct DriverOutcome {
        var dummyRetypes = 0, retypes = 0, deletes = 0, peakSlots = 0, landed = 0, refused = 0
        var wasted: UInt64 = 0
        /// The watermark (offset) before each anchor.
        var watermarks: [UInt64] = []
    }

    static func place<W: MachineWord>(_ d: inout PlacementDriver<W>, _ a: BenchAnchor, name: String,
                                      target: UInt64?) -> Result<Placement, PlanFailure> {
        do { return .success(try d.place(a.type, userObjSize: a.userObjSize, names: [name], target: target)) } catch {
            return .failure(error)
        }
    }

    static func drive<W: MachineWord>(_ c: BenchCase, strategy: Strategy, perRetype: Int, _: W.Type) -> DriverOutcome {
        var d = PlacementDriver<W>(window: c.window, mcs: false, untyped: c.untyped, cap: .boot(0), strategy: strategy,
                                   maxDummiesPerRetype: perRetype)
        var out = DriverOutcome()
        for (i, p) in c.prefill.enumerated() {
            if case .failure = place(&d, p, name: "p\(i)", target: nil) {
                out.refused = c.anchors.count
                return out
            }
        }
        for (i, a) in c.anchors.enumerated() {
            out.watermarks.append(d.watermark)
            let before = d.stats
            let target = c.untyped.paddr &+ a.offset
            switch place(&d, a, name: "a\(i)", target: target) {
            case .success(let placement):
                if placement.actualPaddr == target { out.landed += 1 }
                let dummies = d.stats.dummyRetypes - before.dummyRetypes
                out.dummyRetypes += dummies
                out.retypes += dummies + d.stats.objectRetypes - before.objectRetypes
                out.deletes += d.stats.deletes - before.deletes
                out.wasted &+= d.stats.bytesWasted &- before.bytesWasted
            case .failure:
                out.refused += c.anchors.count - i
                out.peakSlots = d.stats.peakLiveDummies
                return out
            }
        }
        out.peakSlots = d.stats.peakLiveDummies
        return out
    }

    static func drive(_ c: BenchCase, strategy: Strategy, perRetype: Int) -> DriverOutcome {
        c.window.wordBits == 64 ? drive(c, strategy: strategy, perRetype: perRetype, UInt64.self)
            : drive(c, strategy: strategy, perRetype: perRetype, UInt32.self)
    }

    static func plan(_ spec: PlanSpec, _ options: PlannerOptions) -> Result<Plan, PlanFailure> {
        do { return .success(try Planner.plan(spec, options: options)) } catch { return .failure(error) }
    }

    /// The case as a one-untyped spec (for the split planner).
    static func spec(_ c: BenchCase) -> PlanSpec {
        var objects: [PlanObject] = []
        for (i, p) in c.prefill.enumerated() {
            objects.append(PlanObject(name: "p\(i)", type: p.type, userObjSize: p.userObjSize,
                                      device: c.untyped.isDevice ? true : nil, untyped: 0))
        }
        for (i, a) in c.anchors.enumerated() {
            objects.append(PlanObject(name: "a\(i)", type: a.type, userObjSize: a.userObjSize,
                                      paddr: c.untyped.paddr &+ a.offset))
        }
        return PlanSpec(window: c.window, untypeds: [c.untyped], objects: objects)
    }

    static func sizeBits(_ c: BenchCase, _ a: BenchAnchor) -> UInt64 { c.window.objectSizeBits(a.type, userObjSize: a.userObjSize) }

    /// Every variant over `cases`, timings as medians over `repeats`.
    public static func measure(_ cases: [BenchCase], repeats: Int, bound: BenchLowerBound?) -> [BenchTally] {
        var tallies = BenchVariant.allCases.map { BenchTally(variant: $0) }
        func index(_ v: BenchVariant) -> Int { BenchVariant.allCases.firstIndex(of: v)! }
        // Watermarks before each anchor, from the offset run: every correct strategy reaches
        // an anchor with the same watermark (the previous anchor's end, or the prefill's).
        var watermarks: [[UInt64]] = []
        for variant in BenchVariant.allCases where variant.isMeasured {
            var times: [Double] = []
            for r in 0..<max(1, repeats) {
                let clock = ContinuousClock()
                var t = BenchTally(variant: variant)
                t.peakSlots = 0
                t.landedRight = 0
                let elapsed = clock.measure {
                    for c in cases {
                        t.anchors += c.anchors.count
                        if variant == .split {
                            switch plan(spec(c), PlannerOptions(strategy: .split)) {
                            case .success(let p):
                                let anchored = p.objects.filter(\.anchored)
                                let dummies = anchored.reduce(0) { $0 + $1.dummyRetypes }
                                t.dummyRetypes += dummies
                                t.retypes += dummies + anchored.count
                                t.peakSlots = max(t.peakSlots!, p.stats.peakSlots)
                                t.bytesWasted &+= p.stats.bytesWasted
                                t.landedRight! += p.verified ? anchored.count : 0
                            case .failure:
                                t.refused += c.anchors.count
                            }
                            continue
                        }
                        let o = drive(c, strategy: variant.strategy!, perRetype: variant.perRetype)
                        if variant == .offset1, r == 0 { watermarks.append(o.watermarks) }
                        t.dummyRetypes += o.dummyRetypes
                        t.retypes += o.retypes
                        t.deletes += o.deletes
                        t.peakSlots = max(t.peakSlots!, o.peakSlots)
                        t.bytesWasted &+= o.wasted
                        t.landedRight! += o.landed
                        t.refused += o.refused
                    }
                }
                times.append(Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18)
                t.seconds = median(times)
                tallies[index(variant)] = t
            }
        }
        // Computed rows and bounds, from the offset run's watermarks.
        var probe = BenchTally(variant: .probe)
        probe.peakSlots = 3
        var bound1 = BenchTally(variant: .bound1), bound256 = BenchTally(variant: .bound256)
        for (c, marks) in zip(cases, watermarks) {
            for (a, w) in zip(c.anchors, marks) {
                let s = sizeBits(c, a)
                let aligned = ((w + (1 << s) - 1) >> s) << s
                let rounds = Int(truncatingIfNeeded: (a.offset &- aligned) >> s)
                probe.anchors += 1
                probe.dummyRetypes += rounds
                probe.retypes += rounds + 1
                probe.deletes += rounds
                probe.bytesWasted &+= a.offset &- w
                if let bound {
                    bound1.anchors += 1
                    bound256.anchors += 1
                    bound1.dummyRetypes += bound(a.offset, s, c.untyped.sizeBits, 1, w)
                    bound256.dummyRetypes += bound(a.offset, s, c.untyped.sizeBits, 256, w)
                }
            }
        }
        bound1.retypes = bound1.dummyRetypes + bound1.anchors
        bound256.retypes = bound256.dummyRetypes + bound256.anchors
        tallies[index(.probe)] = probe
        tallies[index(.bound1)] = bound1
        tallies[index(.bound256)] = bound256
        for i in tallies.indices {
            tallies[i].bound = tallies[i].variant.perRetype == 256 ? bound256.dummyRetypes : bound1.dummyRetypes
        }
        if bound == nil { tallies.removeAll { $0.variant == .bound1 || $0.variant == .bound256 } }
        return tallies
    }

    static func median(_ xs: [Double]) -> Double {
        let s = xs.sorted()
        return s.isEmpty ? 0 : s.count % 2 == 1 ? s[s.count / 2] : (s[s.count / 2 - 1] + s[s.count / 2]) / 2
    }

    /// Runs `body` `repeats` times (at least once): the median wall time in seconds and the
    /// last run's result.
    static func timed<T>(repeats: Int, _ body: () -> T) -> (seconds: Double, result: T) {
        var times: [Double] = []
        var result: T?
        for _ in 0..<max(1, repeats) {
            let start = ContinuousClock.now
            result = body()
            let d = ContinuousClock.now - start
            times.append(Double(d.components.seconds) + Double(d.components.attoseconds) * 1e-18)
        }
        return (median(times), result!)
    }

    /// Fills `row` from one planned system: its counts, whether its anchors (`anchors`, name and
    /// paddr) landed where asked on the kernel model, and any failure.
    static func fill(_ row: inout BenchSystemRow, objects: Int, anchors: [(name: String, paddr: UInt64)],
                     outcome: Result<(stats: PlanStats, mismatches: Int, replay: ReplayResult, failure: String?), PlanFailure>) {
        row.objects = objects
        row.anchors = anchors.count
        switch outcome {
        case .failure(let f): row.error = "\(f.kind.rawValue): \(f.message)"
        case .success(let p):
            row.retypes = p.stats.retypes
            row.dummyRetypes = p.stats.dummyRetypes
            row.deletes = p.stats.deletes
            row.peakSlots = p.stats.peakSlots
            row.bytesWasted = p.stats.bytesWasted
            row.mismatches = p.mismatches
            var actual: [String: UInt64] = [:]
            for o in p.replay.objects { actual[o.name] = o.paddr }
            row.anchorsRight = anchors.filter { actual[$0.name] == $0.paddr }.count
            if let failure = p.failure { row.error = failure }
            if let e = p.replay.error { row.error = "replay fails at invocation \(e.invocation): \(e.kind)" }
        }
    }

    // MARK: - Workloads

    static func frame(_ window: KernelWindow, bits: UInt64) -> ObjectType {
        guard case .success(let t) = window.resolveObjectType("frame", sizeBits: bits, mcs: false) else {
            fatalError("\(window.name) has no 2^\(bits) frame")
        }
        return t
    }

    static func type(_ window: KernelWindow, _ name: String) -> ObjectType {
        window.objectTypes(mcs: false).first { $0.name == name }!
    }

    static func anchor(_ window: KernelWindow, _ type: ObjectType, offset: UInt64) -> BenchAnchor {
        BenchAnchor(type: type, userObjSize: window.objectSizeBits(type, userObjSize: 0), offset: offset)
    }

    /// (a) The reported case: x86_64, device untyped 0x8000000000/46, 2 MiB frame at 0xe0000000000.
    public static func reportedCase() -> BenchCase {
        let x86 = KernelWindow.named("x86_64")!
        return BenchCase(window: x86, untyped: UntypedDescriptor(paddr: 0x80_0000_0000, sizeBits: 46, isDevice: true),
                         prefill: [], anchors: [anchor(x86, frame(x86, bits: 21), offset: 0xd80_0000_0000)])
    }

    /// (b) `count` random frames, each alone in a fresh random untyped of `window`.
    public static func randomFresh(_ window: KernelWindow, count: Int, seed: UInt64) -> [BenchCase] {
        var rng = CampaignRandom.system(seed: seed, family: "bench-fresh-" + window.name, index: 0)
        let frames = window.frameTypes(mcs: false)
        var cases: [BenchCase] = []
        var attempts = 0
        while cases.count < count, attempts < count * 50 {
            attempts += 1
            guard let u = Campaign.alignedUntypeds(window, &rng).max(by: { $0.sizeBits < $1.sizeBits }) else { continue }
            let fitting = frames.filter { window.objectSizeBits($0, userObjSize: 0) <= u.sizeBits }
            guard let type = fitting.randomElement(using: &rng) else { continue }
            let s = window.objectSizeBits(type, userObjSize: 0)
            let slots: UInt64 = (1 << (u.sizeBits - s)) - 1
            var slot: UInt64
            switch rng.next() % 4 {
            case 0: slot = slots                                      // the very end
            case 1: slot = rng.next() & slots & ~0xff                 // deep, coarse
            default: slot = rng.next() & slots
            }
            let offset = slot << s
            guard (u.paddr &+ offset) & ((1 << s) - 1) == 0 else { continue }
            cases.append(BenchCase(window: window, untyped: u, prefill: [], anchors: [anchor(window, type, offset: offset)]))
        }
        return cases
    }

    /// (c) An untyped partly used by un-anchored objects (unaligned watermark), then one frame.
    public static func partlyUsed(_ window: KernelWindow, count: Int, seed: UInt64) -> [BenchCase] {
        var rng = CampaignRandom.system(seed: seed, family: "bench-partly-" + window.name, index: 0)
        // A normal untyped the kernel could hand out: pptr aligned to its size, in the window.
        let bits: UInt64 = window.wordBits == 64 ? 30 : 28
        let pptr = (window.pptrBase &+ (1 << bits) &- 1) & ~((1 << bits) - 1) & window.wordMask
        let untyped = UntypedDescriptor(paddr: window.paddr(ofPptr: pptr), sizeBits: bits, isDevice: false)
        let small = ["tcb", "endpoint", "notification"].map { type(window, $0) }
        let cnode = type(window, "cnode")
        let frames = window.frameTypes(mcs: false).filter { window.objectSizeBits($0, userObjSize: 0) <= 21 }
        var cases: [BenchCase] = []
        for _ in 0..<count {
            var prefill: [BenchAnchor] = []
            for _ in 0..<(1 + Int(rng.next() % 8)) {
                if rng.next() % 4 == 0 {
                    prefill.append(BenchAnchor(type: cnode, userObjSize: 1 + rng.next() % 6, offset: 0))
                } else {
                    prefill.append(anchor(window, small.randomElement(using: &rng)!, offset: 0))
                }
            }
            let type = frames.randomElement(using: &rng)!
            let s = window.objectSizeBits(type, userObjSize: 0)
            // Above the prefill (at most 8 × 2^11 bytes), anywhere in the untyped.
            let first: UInt64 = max(1 << 16, 1 << s) >> s
            let slot = first + rng.next() % ((1 << (bits - s)) - first)
            cases.append(BenchCase(window: window, untyped: untyped, prefill: prefill,
                                   anchors: [anchor(window, type, offset: slot << s)]))
        }
        return cases
    }

    /// (d) `count` ascending frames (4 KiB, 2 MiB, 1 GiB) in the reported case's untyped.
    public static func manyAnchors(count: Int, seed: UInt64) -> BenchCase {
        let x86 = KernelWindow.named("x86_64")!
        var rng = CampaignRandom.system(seed: seed, family: "bench-many", index: 0)
        let frames = x86.frameTypes(mcs: false)
        let slice = UInt64(46 - (64 - UInt64(count - 1).leadingZeroBitCount))   // count slices of 2^slice
        var anchors: [BenchAnchor] = []
        for i in 0..<UInt64(count) {
            let type = frames.randomElement(using: &rng)!
            let s = x86.objectSizeBits(type, userObjSize: 0)
            let within = ((rng.next() & ((1 << slice) - 1)) >> s) << s
            anchors.append(anchor(x86, type, offset: (i << slice) + within))
        }
        return BenchCase(window: x86, untyped: UntypedDescriptor(paddr: 0x80_0000_0000, sizeBits: 46, isDevice: true),
                         prefill: [], anchors: anchors)
    }

    /// Runs workloads (a)-(d).
    public static func anchorWorkloads(quick: Bool, repeats: Int, seed: UInt64, bound: BenchLowerBound?) -> [BenchWorkload] {
        var result: [BenchWorkload] = []
        let a = reportedCase()
        result.append(BenchWorkload(key: "reported", title: "(a) reported case: x86_64, device untyped 0x8000000000/46, "
                                    + "2 MiB frame at 0xe0000000000 (per anchor)",
                                    groups: [("x86_64", 1, measure([a], repeats: repeats, bound: bound))]))
        var groups: [(label: String, cases: Int, tallies: [BenchTally])] = []
        for window in KernelWindow.catalogue {
            let cases = randomFresh(window, count: quick ? 10 : 300, seed: seed)
            groups.append((window.name, cases.count, measure(cases, repeats: repeats, bound: bound)))
        }
        result.append(BenchWorkload(key: "fresh", title: "(b) one random frame in a fresh random untyped, "
                                    + "every catalogue configuration (totals; seed \(seed))", groups: groups))
        groups = []
        for name in ["x86_64", "aarch64-pa44", "riscv64", "aarch32-imx6"] {
            let window = KernelWindow.named(name)!
            let cases = partlyUsed(window, count: quick ? 10 : 200, seed: seed)
            groups.append((name, cases.count, measure(cases, repeats: repeats, bound: bound)))
        }
        result.append(BenchWorkload(key: "partly-used", title: "(c) one frame after 1-8 un-anchored objects "
                                    + "(unaligned watermark) in a normal untyped of 2^30 (32-bit: 2^28) (totals)", groups: groups))
        let many = quick ? 8 : 64
        result.append(BenchWorkload(key: "many-anchors", title: "(d) \(many) ascending frames (4 KiB/2 MiB/1 GiB) "
                                    + "in the reported case's untyped (totals)",
                                    groups: [("x86_64", 1, measure([manyAnchors(count: many, seed: seed)],
                                                                   repeats: repeats, bound: bound))]))
        return result
    }

    // MARK: - (e) Realistic systems

    /// A system of a few hundred objects and dozens of device frames.
    public static func realisticSystem(_ name: String) -> PlanSpec {
        let window = KernelWindow.named(name)!
        let ram: [PhysicalRegion]
        var devices: [(UInt64, UInt64)] = []   // (paddr, frame bits)
        if name == "x86_64" {
            ram = [PhysicalRegion(start: 0x10_0000, end: 0x8000_0000), PhysicalRegion(start: 0x1_0000_0000, end: 0x2_8000_0000)]
            for i in 0..<UInt64(16) { devices.append((0xfec0_0000 + i * 0x1000, 12)) }        // IOAPIC, HPET, …
            for i in 0..<UInt64(8) { devices.append((0xc000_0000 + i * 0x20_0000, 21)) }      // PCI BARs
            for i in 0..<UInt64(8) { devices.append((0xe0_0000_0000 + i * 0x20_0000, 21)) }  // the reported region
            for i in 0..<UInt64(4) { devices.append((0x4000_0000_0000 + i * 0x1000, 12)) }   // high MMIO
        } else {
            ram = [PhysicalRegion(start: 0x4000_0000, end: 0x1_0000_0000)]
            for i in 0..<UInt64(16) { devices.append((0x0900_0000 + i * 0x1000, 12)) }        // UART, RTC, GPIO, …
            for i in 0..<UInt64(8) { devices.append((0x1000_0000 + i * 0x20_0000, 21)) }      // PCIe window
            for i in 0..<UInt64(8) { devices.append((0x80_0000_0000 + i * 0x20_0000, 21)) }  // high PCIe
            for i in 0..<UInt64(4) { devices.append((0x400_0000_0000 + i * 0x1000, 12)) }    // PA44 MMIO
        }
        let boot = try! BootInfo.derive(from: MemoryMap(window: window, ram: ram))
        var objects: [PlanObject] = []
        for (i, d) in devices.enumerated() {
            let f = frame(window, bits: d.1)
            objects.append(PlanObject(name: "dev\(i)", type: f, window: window, paddr: d.0))
        }
        // DMA buffers at fixed addresses in RAM.
        for i in 0..<UInt64(4) {
            objects.append(PlanObject(name: "dma\(i)", type: frame(window, bits: 21), window: window,
                                      paddr: (name == "x86_64" ? 0x1000_0000 : 0x5000_0000) + i * 0x40_0000))
        }
        var rng = CampaignRandom(seed: 0x5e14)
        let counts: [(String, Int)] = [("tcb", 48), ("endpoint", 48), ("notification", 48), ("pagetable", 24)]
        for (t, n) in counts {
            for i in 0..<n { objects.append(PlanObject(name: "\(t)\(i)", type: type(window, t), window: window)) }
        }
        for i in 0..<32 {
            objects.append(PlanObject(name: "cnode\(i)", type: type(window, "cnode"), userObjSize: 4 + rng.next() % 8))
        }
        for i in 0..<128 { objects.append(PlanObject(name: "page\(i)", type: frame(window, bits: 12), window: window)) }
        for i in 0..<8 { objects.append(PlanObject(name: "large\(i)", type: frame(window, bits: 21), window: window)) }
        for i in 0..<4 {
            objects.append(PlanObject(name: "ut\(i)", type: type(window, "untyped"), userObjSize: 20 + rng.next() % 4))
        }
        return PlanSpec(window: window, untypeds: boot.untypeds, objects: objects)
    }

    static let systemVariants: [(String, PlannerOptions)] = [
        ("offset/1", PlannerOptions(strategy: .offset, maxDummiesPerRetype: 1)),
        ("offset/256", PlannerOptions(strategy: .offset, maxDummiesPerRetype: 256)),
        ("rust-sel4", PlannerOptions(strategy: .rustSel4)),
        ("absolute", PlannerOptions(strategy: .absolute)),
        ("split", PlannerOptions(strategy: .split)),
    ]

    /// (e) The realistic systems, planned per strategy.
    public static func systems(repeats: Int) -> [BenchSystemRow] {
        var rows: [BenchSystemRow] = []
        for name in ["aarch64-pa44", "x86_64"] {
            let spec = realisticSystem(name)
            for (label, options) in systemVariants {
                var row = BenchSystemRow(configuration: name, variant: label)
                let run = timed(repeats: repeats) { plan(spec, options) }
                row.seconds = run.seconds
                fill(&row, objects: spec.objects.count,
                     anchors: spec.objects.compactMap { o in o.paddr.map { (o.name, $0) } },
                     outcome: run.result.map { ($0.stats, $0.mismatches, $0.replay, nil) })
                rows.append(row)
            }
        }
        return rows
    }

    // MARK: - Throughput

    /// `count` objects (1 % anchored 4 KiB frames) over 230 normal 256 MiB untypeds on x86_64.
    public static func throughputSpec(objects count: Int, seed: UInt64) -> PlanSpec {
        let x86 = KernelWindow.named("x86_64")!
        let untypeds = (0..<UInt64(230)).map { UntypedDescriptor(paddr: 0x1_0000_0000 + ($0 << 28), sizeBits: 28, isDevice: false) }
        var rng = CampaignRandom.system(seed: seed, family: "bench-throughput", index: count)
        let anchors = count / 100
        var objects: [PlanObject] = []
        objects.reserveCapacity(count)
        let page = frame(x86, bits: 12)
        var perUntyped = [UInt64](repeating: 0, count: 230)
        for j in 0..<anchors {
            let u = j % 230
            // Anchor k of an untyped in its k-th 4 MiB slice, from 128 MiB up.
            let offset = (1 << 27) + (perUntyped[u] << 22) + ((rng.next() % 1024) << 12)
            perUntyped[u] += 1
            objects.append(PlanObject(name: "a\(j)", type: page, window: x86, paddr: untypeds[u].paddr + offset))
        }
        let kinds = ["tcb", "endpoint", "notification", "pagetable"].map { type(x86, $0) }
        let cnode = type(x86, "cnode")
        while objects.count < count {
            let i = objects.count
            switch rng.next() % 8 {
            case 0, 1: objects.append(PlanObject(name: "o\(i)", type: page, window: x86))
            case 2: objects.append(PlanObject(name: "o\(i)", type: cnode, userObjSize: 2 + rng.next() % 6))
            default: objects.append(PlanObject(name: "o\(i)", type: kinds.randomElement(using: &rng)!, window: x86))
            }
        }
        return PlanSpec(window: x86, untypeds: untypeds, objects: objects)
    }

    /// Peak resident set of this process so far (KiB, Linux `ru_maxrss`).
    public static func maxRSSKiB() -> Int {
        var usage = rusage()
        #if canImport(Glibc)
        getrusage(__rusage_who_t(RUSAGE_SELF.rawValue), &usage)
        #else
        getrusage(RUSAGE_SELF, &usage)
        #endif
        return Int(usage.ru_maxrss)
    }

    /// Plans each size (median of `repeats`), smallest first; ru_maxrss after each size.
    public static func throughput(sizes: [Int], repeats: Int, seed: UInt64) -> [BenchThroughputRow] {
        var rows: [BenchThroughputRow] = []
        for n in sizes {
            let spec = throughputSpec(objects: n, seed: seed)
            let run = timed(repeats: repeats) { plan(spec, PlannerOptions()) }
            if case .failure(let f) = run.result {
                fatalError("throughput spec of \(n) objects does not plan: \(f.message)")
            }
            rows.append(BenchThroughputRow(objects: n, anchors: n / 100, untypeds: spec.untypeds.count,
                                           seconds: run.seconds, maxRSSKiB: maxRSSKiB()))
        }
        return rows
    }
}
