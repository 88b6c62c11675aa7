import UntypedCore

/// How a capDL spec is planned.
public enum CapDLStrategy: Sendable, Equatable {
    /// This project's planner (`Planner`, `.offset` for real plans; the others for comparison),
    /// with `slots` dummies per retype.
    case planner(PlannerStrategy, slots: Int)
    /// rust-sel4's capDL initializer, invocation for invocation (`InitializerSimulation`).
    case initializer(InitializerRule)
}

/// What one bootinfo untyped gave in a plan (from the replay: where the kernel model put things).
public struct CapDLUntypedUsage: Sendable, Equatable {
    /// Index in the untyped list.
    public var index: Int
    public var untyped: UntypedDescriptor
    /// Spec objects retyped from it (not counting dummies).
    public var objects = 0
    public var dummyRetypes = 0
    /// Bytes below its highest object end that no spec object occupies (padding and dummies).
    public var bytesWasted: UInt64 = 0
    /// Bytes the spec objects occupy.
    public var bytesUsed: UInt64 = 0
}

/// A planned capDL spec: the trace (with `expected` paddrs), its replay on the kernel model,
/// and where each object is.
public struct CapDLPlan {
    /// `offset`, `rust-sel4-initializer`, …
    public var strategyName: String
    public var trace: Trace
    public var replay: ReplayResult
    /// Root objects made from untyped memory and `untyped_covers` children, in the order
    /// they are created, with the paddr the strategy believes.
    public var objects: [PlannedObject]
    public var stats: PlanStats
    /// Per bootinfo untyped, in list order.
    public var usage: [CapDLUntypedUsage]
    /// The initializer's TRACE log (initializer strategies only).
    public var log: [String] = []
    /// The initializer's own failure (`Out of untypeds.`), if it would panic.
    public var failure: String?
    /// The spec is not in the order the initializer relies on (the first object out of place).
    public var orderWarning: String?
    /// Spec objects neither made from untyped memory by the initializer (IRQs, I/O ports, …)
    /// nor in `root_objects` or a cover.
    public var notRetyped = 0

    /// Objects the kernel model put elsewhere than the strategy believes (dummies included).
    public var mismatches: [PaddrMismatch] { replay.mismatches ?? [] }
    /// Every invocation succeeded on the model, every object (and dummy) is where believed,
    /// and the strategy did not give up.
    public var verified: Bool { replay.succeeded && failure == nil && missing.isEmpty }
    /// Expected objects the replay did not create (it stopped at a kernel error).
    public var missing: [String] {
        let made = Set(replay.objects.map(\.name))
        return trace.expected.keys.filter { !made.contains($0) }.sorted()
    }
}

public enum CapDLPlanner {
    /// Plans `spec` (already validated) with `strategy`. Planner failures keep their kinds
    /// (input problems exit 2); `.offset` never returns a plan that does not replay.
    public static func plan(_ spec: CapDLSpec, strategy: CapDLStrategy) throws(PlanFailure) -> CapDLPlan {
        var result: CapDLPlan
        switch strategy {
        case .planner(let s, let slots):
            result = try plannerPlan(spec, options: PlannerOptions(strategy: s, maxDummiesPerRetype: slots))
        case .initializer(let rule):
            result = InitializerSimulation.plan(spec, rule: rule)
        }
        result.usage = usage(trace: result.trace, replay: result.replay)
        result.stats.wastedNormal = result.usage.filter { !$0.untyped.isDevice }.reduce(0) { $0 &+ $1.bytesWasted }
        result.stats.wastedDevice = result.usage.filter { $0.untyped.isDevice }.reduce(0) { $0 &+ $1.bytesWasted }
        result.stats.untypedsUsed = result.usage.filter { $0.objects > 0 }.count
        let retyped = Set(result.objects.map(\.index))
        result.notRetyped = spec.objects.count - retyped.count
        return result
    }

    /// The project's planner on the root objects, then each cover's children planned inside
    /// their parent (anchored children at their paddr), all in one trace.
    static func plannerPlan(_ spec: CapDLSpec, options: PlannerOptions) throws(PlanFailure) -> CapDLPlan {
        let roots = spec.rootAllocated
        let planSpec = PlanSpec(window: spec.window, mcs: spec.mcs, untypeds: spec.untypeds,
                                objects: roots.map { PlanObject(name: $0.name, type: $0.type!, userObjSize: $0.userObjSize,
                                                                paddr: $0.paddr) })
        let main = try Planner.plan(planSpec, options: options)
        var invocations = main.trace.invocations
        var expected = main.trace.expected
        var objects = main.objects.map { o -> PlannedObject in
            var p = o
            p.index = roots[o.index].id
            return p
        }
        var stats = main.stats
        var placedAt: [String: PlannedObject] = [:]
        for o in objects { placedAt[o.name] = o }

        for (k, cover) in spec.covers.enumerated() {
            let parent = spec.objects[cover.parent]
            let children = cover.children.map { spec.objects[$0] }.filter { $0.type != nil }
            guard !children.isEmpty else { continue }
            guard let at = placedAt[parent.name] else {
                throw PlanFailure(.invalidSpec, "untyped_covers[\(k)]: parent \(parent.label) is not a root object, so nothing creates it")
            }
            let device = spec.untypeds[at.untyped].isDevice
            for c in children where device && c.paddr == nil && !(c.type!.deviceAllowed) {
                throw PlanFailure(.invalidSpec, "\(c.label) (\(c.variant)): its cover parent \(parent.label) is device memory; "
                                  + "only frames and untypeds can be made from it")
            }
            let inner = PlanSpec(window: spec.window, mcs: spec.mcs,
                                 untypeds: [UntypedDescriptor(paddr: at.paddr, sizeBits: parent.userObjSize, isDevice: device)],
                                 objects: children.map { PlanObject(name: $0.name, type: $0.type!, userObjSize: $0.userObjSize,
                                                                    paddr: $0.paddr, device: device && $0.paddr == nil ? true : nil) })
            let part: Plan
            do { part = try Planner.plan(inner, options: options) } catch {
                var e = error
                e.message = "untyped_covers[\(k)] (children of \(parent.label) at \(hex(at.paddr))): "
                    + e.message.replacingOccurrences(of: "untypeds[0]", with: "the parent")
                for (i, c) in children.enumerated() {
                    e.message = e.message.replacingOccurrences(of: "objects[\(i)] ", with: "\(c.label) ")
                }
                throw e
            }
            let prefix = "_c\(k)_"
            func rename(_ ref: CapRef) -> CapRef {
                switch ref {
                case .boot: return .named(parent.name)
                case .named(let n): return .named(n.hasPrefix("_u0_") ? prefix + n.dropFirst(4) : n)
                }
            }
            for invocation in part.trace.invocations {
                switch invocation {
                case .retype(var r):
                    r.untyped = rename(r.untyped)
                    r.names = r.names.map { $0.hasPrefix("_u0_") ? prefix + $0.dropFirst(4) : $0 }
                    invocations.append(.retype(r))
                case .delete(let ref): invocations.append(.delete(rename(ref)))
                case .copy(let s, let n): invocations.append(.copy(source: rename(s), name: n))
                }
            }
            for (name, paddr) in part.trace.expected { expected[name] = paddr }
            for o in part.objects {
                var p = o
                p.index = children[o.index].id
                p.untyped = at.untyped
                objects.append(p)
            }
            let s = part.stats
            stats.objectRetypes += s.objectRetypes
            stats.dummyRetypes += s.dummyRetypes
            stats.dummies += s.dummies
            stats.deletes += s.deletes
            stats.peakSlots = max(stats.peakSlots, s.peakSlots)
            stats.objects += s.objects
            stats.anchors += s.anchors
            stats.gapFilled += s.gapFilled
        }
        let trace = Trace(window: spec.window, mcs: spec.mcs, untypeds: spec.untypeds, invocations: invocations, expected: expected)
        let replay: ReplayResult
        do { replay = try trace.replay() } catch {
            throw PlanFailure(.internalInconsistency, "the planned trace is not a valid trace: \(error.message)")
        }
        let plan = CapDLPlan(strategyName: options.strategy.name, trace: trace,
                             replay: replay, objects: objects, stats: stats, usage: [])
        if options.strategy == .offset, !plan.verified {
            let m = plan.mismatches.first
            throw PlanFailure(.replayMismatch, m.map { "the kernel model puts '\($0.name)' at paddr \(hex($0.actual)), not at \(hex($0.expected)) as planned" }
                              ?? "the planned trace does not replay: \(replay.error?.detail ?? "objects missing")")
        }
        return plan
    }

    /// Per bootinfo untyped: spec objects, dummy retypes and waste, from where the replay put
    /// things. Dummies are the names starting with `_`.
    public static func usage(trace: Trace, replay: ReplayResult) -> [CapDLUntypedUsage] {
        var rows = trace.untypeds.enumerated().map { CapDLUntypedUsage(index: $0.offset, untyped: $0.element) }
        var top = Array(repeating: UInt64(0), count: rows.count)
        for o in replay.objects {
            guard case .boot(let u) = o.parent, u < rows.count else { continue }
            let bytes: UInt64 = 1 << o.sizeBits
            let end = (o.paddr &- rows[u].untyped.paddr) &+ bytes
            top[u] = max(top[u], end)
            if o.name.hasPrefix("_") { continue }
            rows[u].objects += 1
            rows[u].bytesUsed &+= bytes
        }
        for invocation in trace.invocations {
            if case .retype(let r) = invocation, case .boot(let u) = r.untyped, u < rows.count, r.names.first?.hasPrefix("_") == true {
                rows[u].dummyRetypes += 1
            }
        }
        for u in rows.indices { rows[u].bytesWasted = top[u] &- rows[u].bytesUsed }
        return rows
    }
}
