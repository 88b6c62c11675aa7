import UntypedCore

/// Why a plan could not be made. `isInputProblem` failures are the spec's fault (exit 2);
/// the others mean the planner or the model disagree with themselves (exit 1) and must never
/// happen with `.offset`.
public struct PlanFailure: Error, Equatable, CustomStringConvertible, Sendable {
    public enum Kind: String, CaseIterable, Sendable {
        /// The spec breaks a rule (`PlanSpec.validate`).
        case invalidSpec
        /// Un-anchored objects do not all fit into the untypeds they may use.
        case outOfMemory
        /// The core allocator refused a request (`PlacementError`).
        case placementRefused
        /// The kernel model refused a call, or put something elsewhere than the allocator said.
        case internalInconsistency
        /// The replay of the finished trace does not match the plan.
        case replayMismatch
        /// The allocator did not finish one placement within its step bound.
        case iterationBound
    }

    public var kind: Kind
    public var message: String
    /// The object concerned, when there is one.
    public var object: String?
    /// The core's reason (`PlacementError` raw value), for `.placementRefused`.
    public var placementErrorCode: UInt8?

    public init(_ kind: Kind, _ message: String, object: String? = nil, placementError: PlacementError? = nil) {
        self.kind = kind
        self.message = message
        self.object = object
        self.placementErrorCode = placementError?.rawValue
    }

    /// The core's reason, for `.placementRefused`.
    public var placementError: PlacementError? { placementErrorCode.flatMap(PlacementError.init(rawValue:)) }

    public var description: String { message }

    /// The spec cannot be planned (exit 2), rather than the planner being wrong (exit 1).
    public var isInputProblem: Bool { [.invalidSpec, .outOfMemory, .placementRefused].contains(kind) }

    /// A refusal of the core allocator, in words.
    static func refused<W: MachineWord>(object: String, error: PlacementError, untyped: CapRef, type: ObjectType,
                                        sizeBits: UInt64, target: UInt64?, driver: PlacementDriver<W>) -> PlanFailure {
        let place = target.map { "at paddr \(hex($0))" } ?? "anywhere"
        let message = "'\(object)': the allocator cannot place a 2^\(sizeBits)-byte \(type.name) \(place) in \(untyped) "
            + "([\(hex(driver.untyped.paddr)), \(hex(driver.untyped.end))), watermark \(hex(driver.watermark))): "
            + "\(error.explanation)"
        // A failed postcondition of the allocator is its own fault, not the spec's.
        let kind: Kind = error == .cannotPad ? .internalInconsistency : .placementRefused
        return PlanFailure(kind, message, object: object, placementError: error)
    }
}

/// How the planner places objects: a step rule of the core on each untyped, or seL4_libs'
/// utspace_split over all of them.
public enum PlannerStrategy: Sendable, Equatable {
    /// The core's rules (see `Strategy`).
    case offset, absolute, rustSel4
    /// seL4_libs allocman's utspace_split: a buddy allocator halving untypeds (`SplitPlanner`).
    case split

    /// Every planner strategy, in the order the CLI lists them.
    public static let all: [PlannerStrategy] = [.offset, .absolute, .rustSel4, .split]

    /// The strategy's name on the command line and in reports.
    public var name: String {
        switch self {
        case .offset: return "offset"
        case .absolute: return "absolute"
        case .rustSel4: return "rust-sel4"
        case .split: return "split"
        }
    }

    /// The core's step rule this strategy runs on each untyped (nil for `.split`).
    public var stepRule: Strategy? {
        switch self {
        case .offset: return .offset
        case .absolute: return .absolute
        case .rustSel4: return .rustSel4
        case .split: return nil
        }
    }
}

/// How the planner works.
public struct PlannerOptions: Sendable {
    /// `.offset` for real plans; the others for comparison.
    public var strategy: PlannerStrategy
    /// Dummies one retype may create (1...256; `--slots`): a placement holds at most twice
    /// as many dummy caps at once.
    public var maxDummiesPerRetype: Int
    /// Delete the dummies of an untyped once its last anchor exists (its objects then keep
    /// it from resetting); otherwise they stay held at the end of the plan.
    public var releaseDummies: Bool

    public init(strategy: PlannerStrategy = .offset, maxDummiesPerRetype: Int = 1, releaseDummies: Bool = true) {
        self.strategy = strategy
        self.maxDummiesPerRetype = maxDummiesPerRetype
        self.releaseDummies = releaseDummies
    }
}

/// One object of a plan.
public struct PlannedObject: Sendable, Equatable {
    /// Index in the spec's `objects`.
    public var index: Int
    public var name: String
    public var type: String
    /// Object size in bits.
    public var sizeBits: UInt64
    /// Where the plan puts it.
    public var paddr: UInt64
    /// The untyped (index into `untypeds`) it comes from.
    public var untyped: Int
    public var anchored: Bool
    /// Placed in the gap before an anchor.
    public var gapFilled: Bool
    /// Dummies and dummy retypes spent to reach it (the first object of a multi-object retype
    /// carries the cost).
    public var dummies: Int
    public var dummyRetypes: Int
    /// Other objects created by the same retype.
    public var batch: Int
}

/// Totals of a plan.
public struct PlanStats: Sendable, Equatable {
    public var objects = 0
    public var anchors = 0
    /// Un-anchored objects placed in a gap before an anchor.
    public var gapFilled = 0
    public var objectRetypes = 0
    public var dummyRetypes = 0
    public var dummies = 0
    public var deletes = 0
    /// Most dummy caps alive at once (CSpace slots the plan needs besides the objects').
    public var peakSlots = 0
    /// Padding and dummies in normal and in device memory.
    public var wastedNormal: UInt64 = 0
    public var wastedDevice: UInt64 = 0
    public var untypedsUsed = 0
    /// Comparison strategies: objects or dummies the kernel model put elsewhere, calls it refused.
    public var mispredictions = 0
    public var kernelRefusals = 0

    public init() {}

    /// Every Untyped_Retype of the plan.
    public var retypes: Int { objectRetypes + dummyRetypes }
    public var bytesWasted: UInt64 { wastedNormal &+ wastedDevice }
}

/// A finished plan: the trace, where every object is, and the trace's replay on the model.
public struct Plan {
    public var strategy: PlannerStrategy
    public var options: PlannerOptions
    /// Untypeds, invocations, and `expected`: the paddr of every object.
    public var trace: Trace
    /// The objects, in spec order.
    public var objects: [PlannedObject]
    public var stats: PlanStats
    /// The trace replayed on the kernel model.
    public var replay: ReplayResult

    /// Objects the replay put elsewhere than planned (or did not create).
    public var mismatches: Int {
        (replay.mismatches?.count ?? 0) + (trace.expected.count - replay.objects.filter { trace.expected[$0.name] != nil }.count)
    }
    /// Every invocation succeeded on the model and every object is where planned.
    public var verified: Bool { replay.succeeded && mismatches == 0 }
}

/// Plans whole systems: every object of a `PlanSpec` placed into the untypeds, anchors at
/// their addresses, with the core allocator (`nextStep`) checked step by step against the
/// kernel model, and the finished trace replayed on the model before it is returned.
///
/// Per untyped, anchors go in address order; before each, the gap is filled with
/// un-anchored objects that fit entirely before it (each time the one the kernel places
/// with the least alignment padding, the largest on a tie: the kernel's align-up is free),
/// then the core pads the rest with dummies. Afterwards the remaining un-anchored objects go,
/// largest first, where they fit best (least padding, then least room left). Equal objects
/// (same type and size, same constraints) share retypes of up to 256.
public enum Planner {
    /// Plans `spec`. With `.offset` (and `.split`) a plan whose replay does not match is an
    /// error (`.replayMismatch`), never a result; the comparison strategies return their plan
    /// with its replay, mismatches and all.
    public static func plan(_ spec: PlanSpec, options: PlannerOptions = PlannerOptions()) throws(PlanFailure) -> Plan {
        do { try spec.validate() } catch { throw PlanFailure(.invalidSpec, error.message) }
        guard (1...256).contains(options.maxDummiesPerRetype) else {
            throw PlanFailure(.invalidSpec, "--slots: \(options.maxDummiesPerRetype) is outside 1...256")
        }
        var plan: Plan
        if options.strategy == .split {
            plan = try SplitPlanner.plan(spec)
        } else if spec.window.wordBits == 64 {
            var run = PlannerRun<UInt64>(spec: spec, options: options)
            plan = try run.plan()
        } else {
            var run = PlannerRun<UInt32>(spec: spec, options: options)
            plan = try run.plan()
        }
        plan.options = options
        if options.strategy == .offset || options.strategy == .split {
            try checkReplay(plan)
        }
        return plan
    }

    /// Fails with `.replayMismatch` unless the replay created every object where planned.
    static func checkReplay(_ plan: Plan) throws(PlanFailure) {
        if let error = plan.replay.error {
            let invocation = plan.trace.invocations[error.invocation]
            throw PlanFailure(.replayMismatch, "the planned trace fails on the kernel model at invocation "
                              + "\(error.invocation) (\(invocation.operation)): \(error.kind): \(error.detail)")
        }
        if let m = plan.replay.mismatches?.first {
            throw PlanFailure(.replayMismatch, "the kernel model puts '\(m.name)' at paddr \(hex(m.actual)), "
                              + "not at \(hex(m.expected)) as planned (\(plan.mismatches) mismatches)", object: m.name)
        }
        guard plan.mismatches == 0 else {
            throw PlanFailure(.replayMismatch, "the replay did not create every planned object")
        }
    }

    /// Assembles a plan from its parts and replays the trace.
    static func finish(spec: PlanSpec, strategy: PlannerStrategy, options: PlannerOptions, invocations: [Invocation],
                       objects: [PlannedObject], stats: PlanStats) throws(PlanFailure) -> Plan {
        var expected: [String: UInt64] = [:]
        for o in objects { expected[o.name] = o.paddr }
        let trace = Trace(window: spec.window, mcs: spec.mcs, untypeds: spec.untypeds, invocations: invocations,
                          expected: expected)
        let replay: ReplayResult
        do { replay = try trace.replay() } catch {
            throw PlanFailure(.internalInconsistency, "the planned trace is not a valid trace: \(error.message)")
        }
        return Plan(strategy: strategy, options: options, trace: trace, objects: objects, stats: stats, replay: replay)
    }
}

/// Equal un-anchored objects that may share retypes.
struct Batch {
    var type: ObjectType
    var userObjSize: UInt64
    var sizeBits: UInt64
    /// Spec indices still to place, in spec order.
    var members: [Int]
    /// A spec object standing for the batch's constraints (memory kind, forced untyped).
    var sample: PlanObject
}

/// One planning run for a word width.
struct PlannerRun<W: MachineWord> {
    let spec: PlanSpec
    let options: PlannerOptions
    /// One driver per untyped, made when first needed.
    var drivers: [PlacementDriver<W>?]
    let untypedType: ObjectType
    /// Dummy caps alive over all untypeds.
    var liveDummies = 0
    var invocations: [Invocation] = []
    var placed: [PlannedObject?]
    var stats = PlanStats()
    var batches: [Batch] = []

    init(spec: PlanSpec, options: PlannerOptions) {
        self.spec = spec
        self.options = options
        placed = Array(repeating: nil, count: spec.objects.count)
        drivers = Array(repeating: nil, count: spec.untypeds.count)
        untypedType = spec.window.objectTypes(mcs: spec.mcs)[0]
    }

    mutating func plan() throws(PlanFailure) -> Plan {
        makeBatches()
        // Anchors, untyped by untyped, in address order, each after filling its gap.
        var anchorsByUntyped: [Int: [Int]] = [:]
        for (i, o) in spec.objects.enumerated() {
            if let paddr = o.paddr { anchorsByUntyped[spec.untypedIndex(containing: paddr)!, default: []].append(i) }
        }
        for u in anchorsByUntyped.keys.sorted() {
            let anchors = anchorsByUntyped[u]!.sorted { spec.objects[$0].paddr! < spec.objects[$1].paddr! }
            for a in anchors {
                let object = spec.objects[a]
                let targetOffset = object.paddr! - spec.untypeds[u].paddr
                try fillGap(untyped: u, before: targetOffset)
                try place([a], untyped: u, target: object.paddr!, gap: false)
            }
            if options.releaseDummies { release(u) }
        }
        // The rest: forced batches first, then largest first.
        let order = batches.indices.sorted { a, b in
            let (x, y) = (batches[a], batches[b])
            if (x.sample.untyped != nil) != (y.sample.untyped != nil) { return x.sample.untyped != nil }
            if x.sizeBits != y.sizeBits { return x.sizeBits > y.sizeBits }
            return x.members.first ?? 0 < y.members.first ?? 0
        }
        for b in order {
            while !batches[b].members.isEmpty { try placeBest(batch: b) }
        }
        if options.releaseDummies { for u in drivers.indices { release(u) } }

        for case let driver? in drivers {
            let s = driver.stats
            stats.objectRetypes += s.objectRetypes
            stats.dummyRetypes += s.dummyRetypes
            stats.dummies += s.dummies
            stats.deletes += s.deletes
            if driver.untyped.isDevice { stats.wastedDevice &+= s.bytesWasted } else { stats.wastedNormal &+= s.bytesWasted }
            stats.mispredictions += s.mispredictions
            stats.kernelRefusals += s.kernelRefusals
        }
        stats.untypedsUsed = drivers.filter { ($0?.stats.objects ?? 0) > 0 }.count
        stats.objects = spec.objects.count
        stats.anchors = spec.objects.filter { $0.paddr != nil }.count
        stats.gapFilled = placed.compactMap { $0 }.filter(\.gapFilled).count
        return try Planner.finish(spec: spec, strategy: options.strategy, options: options, invocations: invocations,
                                  objects: placed.map { $0! }, stats: stats)
    }

    /// Groups un-anchored objects by type, size and constraints, in spec order.
    mutating func makeBatches() {
        var index: [String: Int] = [:]
        for (i, o) in spec.objects.enumerated() where o.paddr == nil {
            let key = "\(o.type.number)/\(o.userObjSize)/\(o.device ?? false)/\(o.untyped.map(String.init) ?? "-")"
            if let b = index[key] {
                batches[b].members.append(i)
            } else {
                index[key] = batches.count
                batches.append(Batch(type: o.type, userObjSize: o.userObjSize, sizeBits: spec.sizeBits(o), members: [i], sample: o))
            }
        }
    }

    /// The driver of untyped `u`, made when first needed.
    mutating func driver(_ u: Int) -> PlacementDriver<W> {
        if let d = drivers[u] { return d }
        let d = PlacementDriver<W>(window: spec.window, mcs: spec.mcs, untyped: spec.untypeds[u], cap: .boot(u),
                                   strategy: options.strategy.stepRule ?? .offset, maxDummiesPerRetype: options.maxDummiesPerRetype,
                                   strict: nil, namePrefix: nil, untypedType: untypedType)
        drivers[u] = d
        return d
    }

    /// Places spec objects `members` (one retype) in untyped `u`; `expectedOffset`: where
    /// the planner computed that un-anchored objects land (the allocator must agree).
    mutating func place(_ members: [Int], untyped u: Int, target: UInt64?, gap: Bool,
                        expectedOffset: UInt64? = nil) throws(PlanFailure) {
        _ = driver(u)
        let first = spec.objects[members[0]]
        let before = drivers[u]!.liveDummies
        let placement = try drivers[u]!.place(first.type, userObjSize: first.userObjSize,
                                              names: members.map { spec.objects[$0].name }, target: target)
        if let expectedOffset, placement.offset != expectedOffset || placement.dummyRetypes != 0 {
            throw PlanFailure(.internalInconsistency, "'\(first.name)': the planner expected it at offset \(hex(expectedOffset)) "
                              + "of untypeds[\(u)] without padding, the allocator placed it at \(hex(placement.offset)) "
                              + "after \(placement.dummyRetypes) dummy retypes")
        }
        invocations += placement.invocations
        stats.peakSlots = max(stats.peakSlots, liveDummies - before + placement.peakLiveDummies)
        liveDummies += drivers[u]!.liveDummies - before
        let size = spec.sizeBits(first)
        for (k, m) in members.enumerated() {
            let o = spec.objects[m]
            placed[m] = PlannedObject(index: m, name: o.name, type: o.type.name, sizeBits: size,
                                      paddr: (placement.paddr &+ (UInt64(k) << size)) & spec.window.wordMask,
                                      untyped: u, anchored: o.paddr != nil, gapFilled: gap,
                                      dummies: k == 0 ? placement.dummies : 0,
                                      dummyRetypes: k == 0 ? placement.dummyRetypes : 0, batch: members.count)
        }
    }

    mutating func release(_ u: Int) {
        guard drivers[u] != nil else { return }
        let before = drivers[u]!.liveDummies
        invocations += drivers[u]!.releaseHolds()
        liveDummies -= before
    }

    /// Fills `untyped u` up to `end` (an offset) with un-anchored objects that fit entirely
    /// before it: each time the batch the kernel places with the least padding, the larger
    /// on a tie, as many of it as fit (up to 256) in one retype.
    mutating func fillGap(untyped u: Int, before end: UInt64) throws(PlanFailure) {
        while true {
            let d = driver(u)
            var best: (batch: Int, count: Int, padding: UInt64, sizeBits: UInt64, offset: UInt64)?
            for (b, batch) in batches.enumerated() where !batch.members.isEmpty && spec.mayUse(batch.sample, untyped: u) {
                let room = d.room(batch.type, userObjSize: batch.userObjSize, limit: min(batch.members.count, 256), end: end)
                guard room.count > 0 else { continue }
                let padding = room.offset &- d.watermark
                if let current = best, (current.padding, ~current.sizeBits) <= (padding, ~batch.sizeBits) { continue }
                best = (b, room.count, padding, batch.sizeBits, room.offset)
            }
            guard let chosen = best else { return }
            let members = Array(batches[chosen.batch].members.prefix(chosen.count))
            batches[chosen.batch].members.removeFirst(chosen.count)
            try place(members, untyped: u, target: nil, gap: true, expectedOffset: chosen.offset)
        }
    }

    /// Places as many of batch `b` as one retype takes into the untyped that fits them best:
    /// one that takes them all (up to 256) with the least padding, then the least room left;
    /// otherwise the one that takes the most.
    mutating func placeBest(batch b: Int) throws(PlanFailure) {
        let batch = batches[b]
        let wanted = min(batch.members.count, 256)
        var best: (u: Int, count: Int, padding: UInt64, left: UInt64, offset: UInt64)?
        for u in spec.untypeds.indices where spec.mayUse(batch.sample, untyped: u) && spec.untypeds[u].sizeBits >= batch.sizeBits {
            let d = driver(u)
            let room = d.room(batch.type, userObjSize: batch.userObjSize, limit: wanted)
            guard room.count > 0 else { continue }
            let padding = room.offset &- d.watermark
            let left = d.untypedBytes - room.offset - (UInt64(room.count) << batch.sizeBits)
            if let current = best {
                let currentAll = current.count == wanted, all = room.count == wanted
                if currentAll && !all { continue }
                if currentAll == all {
                    if all, (current.padding, current.left) <= (padding, left) { continue }
                    if !all, (-current.count, current.padding) <= (-room.count, padding) { continue }
                }
            }
            best = (u, room.count, padding, left, room.offset)
        }
        guard let chosen = best else {
            let o = spec.objects[batch.members[0]]
            let kind = o.untyped.map { "untypeds[\($0)]" } ?? (o.device == true ? "the device untypeds" : "the normal untypeds")
            throw PlanFailure(.outOfMemory, "objects[\(batch.members[0])] '\(o.name)': no room left in \(kind) "
                              + "for a 2^\(batch.sizeBits)-byte \(o.type.name)"
                              + (batch.members.count > 1 ? " (\(batch.members.count) such objects still to place)" : ""),
                              object: o.name)
        }
        let members = Array(batch.members.prefix(chosen.count))
        batches[b].members.removeFirst(chosen.count)
        try place(members, untyped: chosen.u, target: nil, gap: false, expectedOffset: chosen.offset)
    }
}
