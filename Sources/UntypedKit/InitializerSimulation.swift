import UntypedCore

/// How a version of rust-sel4's capDL initializer sizes the next block (`max_size_bits`)
/// from its watermark `cur` in an untyped at `start`, with `target` the next paddr object or
/// the untyped's end.
public enum InitializerRule: String, CaseIterable, Sendable {
    /// rust-sel4 5.0 (after commit 2541371f): min(trailing_zeros(cur − start), floor_log2(target − cur)).
    case current = "rust-sel4-initializer"
    /// rust-sel4 PR #350 (commit 413940c8): min(floor_log2(cur − start) (the word size at 0),
    /// floor_log2(target − cur)): an offset that is not a power of two looks more aligned than it is.
    case pr350 = "rust-sel4-initializer-pr350"
    /// Before PR #350: min(trailing_zeros(cur), trailing_zeros(target − cur)) on the absolute
    /// physical address: the reported bug where PPTR_BASE_OFFSET is not aligned to the block.
    case absolute = "rust-sel4-initializer-absolute"

    /// `max_size_bits` for a `wordBits`-bit word.
    public func maxSizeBits(cur: UInt64, start: UInt64, target: UInt64, wordBits: Int) -> UInt64 {
        func ctz(_ x: UInt64) -> UInt64 { x == 0 ? UInt64(wordBits) : UInt64(x.trailingZeroBitCount) }
        func ilog2(_ x: UInt64) -> UInt64 { UInt64(63 - x.leadingZeroBitCount) }   // x > 0
        let distance = target - cur
        switch self {
        case .current: return min(ctz(cur - start), ilog2(distance))
        case .pr350: return min(cur == start ? UInt64(wordBits) : ilog2(cur - start), ilog2(distance))
        case .absolute: return min(ctz(cur), ctz(distance))
        }
    }

    public var summary: String {
        switch self {
        case .current: return "rust-sel4 5.0: trailing_zeros(cur - ut_start), floor_log2(target - cur)"
        case .pr350: return "rust-sel4 PR #350: floor_log2(cur - ut_start), floor_log2(target - cur)"
        case .absolute: return "rust-sel4 before PR #350: trailing_zeros(cur), trailing_zeros(target - cur)"
        }
    }
}

/// The capability pointers an initializer log shows: bootinfo untyped `i` at
/// `untypedStart + i`, object `id`'s original slot at `emptyStart + id`, the two hold slots
/// after those. Real boots differ; the log's shape does not.
public struct InitializerSlots: Sendable {
    public var untypedStart: UInt64
    public var emptyStart: UInt64

    public init(untypedStart: UInt64, emptyStart: UInt64) {
        self.untypedStart = untypedStart
        self.emptyStart = emptyStart
    }

    public static func standard(untypeds: Int) -> InitializerSlots {
        InitializerSlots(untypedStart: 3000, emptyStart: 3000 + UInt64(untypeds))
    }
}

/// rust-sel4's `sel4-capdl-initializer` `create_objects`, reproduced invocation for
/// invocation: untypeds in paddr order; in each, from `cur = start` towards the next paddr
/// object (or the end), blocks of `max_size_bits` (`InitializerRule`); in normal memory the
/// largest pending object of at most that size, otherwise (only when a paddr object is
/// ahead) a dummy untyped into one of two alternating hold slots, deleting that slot's
/// previous dummy first; then the paddr object at `cur`. Objects left over are its
/// "Out of untypeds" panic; `untyped_covers` children follow, each retyped from its parent.
///
/// Every retype's `expected` paddr is what the initializer believes (`cur`), dummies
/// included, so the replay shows where the kernel disagrees.
public enum InitializerSimulation {
    public static func plan(_ spec: CapDLSpec, rule: InitializerRule,
                            slots: InitializerSlots? = nil) -> CapDLPlan {
        let window = spec.window
        let cptrs = slots ?? .standard(untypeds: spec.untypeds.count)
        let roots = spec.rootAllocated
        var log: [String] = []
        var invocations: [Invocation] = []
        var expected: [String: UInt64] = [:]
        var objects: [PlannedObject] = []
        var stats = PlanStats()
        let initTarget = "sel4_capdl_initializer::initialize"
        func trace(_ message: String, _ target: String = initTarget) { log.append("TRACE [\(target)] \(message)") }
        func invocationLine(_ text: String) { trace(text, "sel4_sys::invocations") }
        log.append("INFO  [sel4_capdl_initializer] Starting CapDL initializer")
        log.append("DEBUG [\(initTarget)] Creating objects")

        // The spec order the initializer relies on: paddr objects first by paddr, then the
        // rest by size, largest first (objects not made from untyped memory last).
        var orderWarning: String?
        let rootList = Array(spec.objects[spec.rootObjects])
        var phase = 0, lastPaddr: UInt64 = 0, lastSize = UInt64.max
        for o in rootList where orderWarning == nil {
            let p = o.paddr != nil && o.type != nil ? 0 : o.type != nil ? 1 : 2
            if p < phase || (p == 0 && o.paddr! < lastPaddr) || (p == 1 && phase == 1 && o.sizeBits > lastSize) {
                orderWarning = "\(o.label) is out of the order the initializer relies on (objects with a paddr first, "
                    + "ascending; then by size, largest first): planned as if the spec were sorted"
            }
            phase = max(phase, p)
            if p == 0 { lastPaddr = o.paddr! }
            if p == 1 { lastSize = o.sizeBits }
        }
        let anchors = roots.filter { $0.paddr != nil }.sorted { ($0.paddr!, $0.id) < ($1.paddr!, $1.id) }
        var buckets = Array(repeating: [CapDLObject](), count: 65)
        for o in roots where o.paddr == nil { buckets[Int(o.sizeBits)].append(o) }
        var taken = Array(repeating: 0, count: 65)

        var hold: [String?] = [nil, nil]
        var which = 0
        var dummyCount = 0
        var pendingDummies = 0, pendingDummyRetypes = 0
        func apiSize(_ o: CapDLObject) -> UInt64 { o.type!.isFixedSize ? 0 : o.userObjSize }
        func retypeLine(service: UInt64, type: ObjectType, size: UInt64, slot: UInt64) {
            invocationLine("seL4_Untyped_Retype(_service=\(service), type=\(type.number), size_bits=\(size), root=2, "
                           + "node_index=0, node_depth=0, node_offset=\(slot), num_objects=1)")
        }
        func create(_ o: CapDLObject, from u: Int, at paddr: UInt64) {
            retypeLine(service: cptrs.untypedStart + UInt64(u), type: o.type!, size: apiSize(o), slot: cptrs.emptyStart + UInt64(o.id))
            invocations.append(.retype(RetypeInvocation(untyped: .boot(u), target: .type(o.type!), userObjSize: o.userObjSize,
                                                        names: [o.name])))
            expected[o.name] = paddr
            objects.append(PlannedObject(index: o.id, name: o.name, type: o.type!.name, sizeBits: o.sizeBits, paddr: paddr,
                                         untyped: u, anchored: o.paddr != nil, gapFilled: false, dummies: pendingDummies,
                                         dummyRetypes: pendingDummyRetypes, batch: 1))
            pendingDummies = 0
            pendingDummyRetypes = 0
            stats.objectRetypes += 1
            stats.objects += 1
        }
        let untypedType = window.objectTypes(mcs: spec.mcs)[0]
        let holdSlot = { (k: Int) in cptrs.emptyStart + UInt64(spec.objects.count) + UInt64(k) }

        var next = 0
        let order = spec.untypeds.indices.sorted { (spec.untypeds[$0].paddr, $0) < (spec.untypeds[$1].paddr, $1) }
        for u in order {
            let ut = spec.untypeds[u]
            let start = ut.paddr, end = ut.end
            var cur = start
            trace("Allocating from untyped: \(hex(start))..\(hex(end)) (size_bits = \(ut.sizeBits), device = \(ut.isDevice))")
            while true {
                let target = next < anchors.count ? min(end, anchors[next].paddr!) : end
                let targetIsObject = target < end
                while cur < target {
                    let maxBits = rule.maxSizeBits(cur: cur, start: start, target: target, wordBits: window.wordBits)
                    var created = false
                    if !ut.isDevice {
                        var bits = Int(maxBits)
                        while bits >= 0 {
                            if taken[bits] < buckets[bits].count {
                                let o = buckets[bits][taken[bits]]
                                taken[bits] += 1
                                trace("Creating kernel object: paddr=\(hex(cur)), size_bits=\(bits) name=\(debugQuoted(o.initializerName))")
                                create(o, from: u, at: cur)
                                cur += 1 << UInt64(bits)
                                created = true
                                break
                            }
                            bits -= 1
                        }
                    }
                    if !created {
                        if targetIsObject {
                            if let previous = hold[which] {
                                invocationLine("seL4_CNode_Delete(_service=2, index=\(holdSlot(which)), depth=\(window.wordBits))")
                                invocations.append(.delete(.named(previous)))
                                stats.deletes += 1
                                hold[which] = nil
                            }
                            let name = "_hold\(which)_\(dummyCount)"
                            dummyCount += 1
                            trace("Creating dummy: paddr=\(hex(cur)), size_bits=\(maxBits)")
                            retypeLine(service: cptrs.untypedStart + UInt64(u), type: untypedType, size: maxBits, slot: holdSlot(which))
                            invocations.append(.retype(RetypeInvocation(untyped: .boot(u), target: .type(untypedType),
                                                                        userObjSize: maxBits, names: [name])))
                            expected[name] = cur
                            hold[which] = name
                            which = 1 - which
                            stats.dummyRetypes += 1
                            stats.dummies += 1
                            stats.peakSlots = max(stats.peakSlots, hold.compactMap { $0 }.count)
                            pendingDummies += 1
                            pendingDummyRetypes += 1
                            cur += 1 << maxBits
                        } else {
                            cur = target
                        }
                    }
                }
                guard targetIsObject else { break }
                let o = anchors[next]
                trace("Creating device object: paddr=\(hex(cur)), size_bits=\(o.sizeBits) name=\(debugQuoted(o.initializerName))")
                create(o, from: u, at: cur)
                stats.anchors += 1
                cur += 1 << o.sizeBits
                next += 1
            }
        }

        var failure: String?
        var shortfalls: [String] = []
        for bits in 0..<buckets.count where taken[bits] < buckets[bits].count {
            let left = buckets[bits].count - taken[bits]
            log.append("ERROR [\(initTarget)] Error: ran out of untypeds for allocating objects of size bit \(bits), "
                       + "still need to create \(left) more objects.")
            shortfalls.append("\(left) of 2^\(bits) bytes (first \(buckets[bits][taken[bits]].label))")
        }
        if !shortfalls.isEmpty {
            failure = "Out of untypeds: the initializer would panic with objects left over: " + shortfalls.joined(separator: ", ")
            log.append("ERROR [sel4_capdl_initializer] panicked: Out of untypeds.")
        } else {
            for cover in spec.covers {
                let parent = spec.objects[cover.parent]
                for c in cover.children.map({ spec.objects[$0] }) where c.type != nil {
                    trace("Creating kernel object: name=\(debugQuoted(c.initializerName)) from \(debugQuoted(parent.initializerName))")
                    retypeLine(service: cptrs.emptyStart + UInt64(parent.id), type: c.type!, size: apiSize(c),
                               slot: cptrs.emptyStart + UInt64(c.id))
                    invocations.append(.retype(RetypeInvocation(untyped: .named(parent.name), target: .type(c.type!),
                                                                userObjSize: c.userObjSize, names: [c.name])))
                    if let paddr = c.paddr { expected[c.name] = paddr }
                    objects.append(PlannedObject(index: c.id, name: c.name, type: c.type!.name, sizeBits: c.sizeBits,
                                                 paddr: c.paddr ?? 0, untyped: -1, anchored: c.paddr != nil, gapFilled: false,
                                                 dummies: 0, dummyRetypes: 0, batch: 1))
                    stats.objectRetypes += 1
                    stats.objects += 1
                }
            }
        }

        let trace = Trace(window: window, mcs: spec.mcs, untypeds: spec.untypeds, invocations: invocations, expected: expected)
        // The simulation makes valid traces (names unique, references live); should one not be,
        // say so rather than report an empty replay.
        var replayProblem: String?
        let replay: ReplayResult
        do { replay = try trace.replay() } catch {
            replayProblem = "internal: the simulated trace is not valid: \(error.message)"
            replay = ReplayResult(objects: [], retypes: [], error: nil, mismatches: [])
        }
        // Cover children without a paddr: the initializer has no belief; report where the kernel put them.
        var actual: [String: ReplayObject] = [:]
        for o in replay.objects { actual[o.name] = o }
        for i in objects.indices where objects[i].untyped == -1 {
            if let a = actual[objects[i].name] {
                if !objects[i].anchored { objects[i].paddr = a.paddr }
                if case .named(let parent) = a.parent, let p = objects.first(where: { $0.name == parent }) { objects[i].untyped = p.untyped }
            }
        }
        var plan = CapDLPlan(strategyName: rule.rawValue, trace: trace, replay: replay, objects: objects, stats: stats, usage: [])
        plan.log = log
        plan.failure = failure ?? replayProblem
        plan.orderWarning = orderWarning
        return plan
    }

    /// Rust's `{:?}` of a string: quoted, with `"` and `\` escaped.
    static func debugQuoted(_ s: String) -> String {
        var out = "\""
        for c in s {
            switch c {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\t": out += "\\t"
            default: out.append(c)
            }
        }
        return out + "\""
    }
}
