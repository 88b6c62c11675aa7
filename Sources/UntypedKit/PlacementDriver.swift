import UntypedCore

/// Runs the core allocator (`nextStep`/`apply`) for one untyped against the core's kernel
/// model (`kernelRetype`), and records the invocations a root task would issue.
///
/// * `.retypeDummies` becomes one retype of `count` untypeds of `sizeBits`, named
///   `<prefix>hold<g>_<n>` (`_u3_hold0_7`: untyped 3, hold group 0, the 8th dummy);
/// * `.deleteHold` becomes one delete per dummy held in that group;
/// * `.retypeObject` becomes the real object's retype, with the caller's names;
/// * `.fail` becomes a `PlanFailure` naming the object and the `PlacementError` in words.
///
/// Alongside, the driver keeps the kernel's `KernelUntyped` (children counted, so the model
/// decides resets itself) and checks that every call succeeds and every object lands where
/// the step said. With `.offset` (strict) any disagreement is an internal-consistency failure
/// that must never happen; the comparison strategies (`strict: false`) count mispredictions
/// instead and carry on with what the allocator believes, so the trace shows the damage.
public struct PlacementDriver<W: MachineWord> {
    public let window: KernelWindow
    public let mcs: Bool
    /// The untyped as bootinfo describes it.
    public let untyped: UntypedDescriptor
    /// How invocations name the untyped.
    public let cap: CapRef
    public let strategy: Strategy
    /// A placement rule other than the core's strategies (the verifier's deliberately broken
    /// variants, to trace their counterexamples); when set, the allocator's steps follow it.
    public let rule: (any PlacementRule)?
    /// Dummies one retype may create (1...256).
    public let maxDummiesPerRetype: Int
    /// Disagreement with the kernel model is an error (default: only for `.offset`).
    public let strict: Bool
    /// Prefix of dummy names (`_u3_`).
    public let namePrefix: String
    /// Bound on steps per placement. Furthest-reach padding needs at most about one dummy
    /// retype per bit going up in alignment and one per bit coming down to the target (2·W),
    /// each perhaps preceded by a delete: 4·W + 8 steps leave a margin.
    public let stepBound: Int

    /// The allocator's view.
    public private(set) var state: UntypedState<W>
    /// The kernel model's view.
    public private(set) var kernel: KernelUntyped<W>
    /// Children of the untyped alive in the model (objects and dummies).
    public private(set) var children = 0
    /// Dummy caps alive per hold group (names).
    public private(set) var holds: [[String]] = [[], []]
    /// Counters over the driver's life.
    public private(set) var stats = DriverStats()
    /// Whether the kernel model refused a call (non-strict only); tracking stopped there.
    public private(set) var kernelRefusal: String?

    let config: KernelConfig<W>
    let untypedType: ObjectType
    var dummyCounter = 0

    public init(window: KernelWindow, mcs: Bool, untyped: UntypedDescriptor, cap: CapRef,
                strategy: Strategy = .offset, maxDummiesPerRetype: Int = 1, strict: Bool? = nil,
                namePrefix: String? = nil) {
        self.init(window: window, mcs: mcs, untyped: untyped, cap: cap, strategy: strategy,
                  maxDummiesPerRetype: maxDummiesPerRetype, strict: strict, namePrefix: namePrefix,
                  untypedType: window.objectTypes(mcs: mcs)[0])
    }

    /// A driver whose allocator follows `rule` (never strict: disagreements are counted).
    public init(window: KernelWindow, mcs: Bool, untyped: UntypedDescriptor, cap: CapRef, rule: some PlacementRule,
                maxDummiesPerRetype: Int, namePrefix: String? = nil) {
        self.init(window: window, mcs: mcs, untyped: untyped, cap: cap, strategy: .offset,
                  maxDummiesPerRetype: maxDummiesPerRetype, strict: false, namePrefix: namePrefix,
                  untypedType: window.objectTypes(mcs: mcs)[0], rule: rule)
    }

    /// `untypedType`: the configuration's Untyped type (planners look it up once).
    init(window: KernelWindow, mcs: Bool, untyped: UntypedDescriptor, cap: CapRef, strategy: Strategy,
         maxDummiesPerRetype: Int, strict: Bool?, namePrefix: String?, untypedType: ObjectType,
         rule: (any PlacementRule)? = nil) {
        precondition(W.bitWidth == window.wordBits, "PlacementDriver<\(W.self)> for a \(window.wordBits)-bit window")
        self.window = window
        self.mcs = mcs
        self.untyped = untyped
        self.cap = cap
        self.strategy = strategy
        self.rule = rule
        self.maxDummiesPerRetype = maxDummiesPerRetype
        self.strict = strict ?? (strategy == .offset)
        switch cap {
        case .boot(let index): self.namePrefix = namePrefix ?? "_u\(index)_"
        case .named(let name): self.namePrefix = namePrefix ?? "_\(name)_"
        }
        stepBound = 4 * W.bitWidth + 8
        config = window.kernelConfig(W.self)
        self.untypedType = untypedType
        let size = W(untyped.sizeBits)
        state = .boot(paddr: W(truncatingIfNeeded: untyped.paddr), sizeBits: size, isDevice: untyped.isDevice)
        kernel = KernelUntyped(pptr: W(truncatingIfNeeded: window.pptr(ofPaddr: untyped.paddr)), sizeBits: size,
                               freeIndex: KernelUntyped.fullFreeIndex(sizeBits: size), isDevice: untyped.isDevice,
                               hasChildren: false)
    }

    // MARK: - Queries (no effect)

    /// Bytes of the untyped.
    public var untypedBytes: UInt64 { 1 << untyped.sizeBits }
    /// The watermark the next retype starts from, as an offset (0 after a reset).
    public var watermark: UInt64 { UInt64(state.effectiveWatermark) }
    /// Dummy caps alive.
    public var liveDummies: Int { holds[0].count + holds[1].count }

    /// The core's request for `count` objects of `type`, at `target` or wherever the
    /// kernel puts them next.
    public func request(_ type: ObjectType, userObjSize: UInt64, count: Int, target: UInt64?) -> PlacementRequest<W> {
        let bits = window.objectSizeBits(type, userObjSize: userObjSize)
        return PlacementRequest(sizeBits: W(truncatingIfNeeded: bits), count: W(truncatingIfNeeded: count),
                                deviceAllowed: type.deviceAllowed, needsPhysicalAlignment: type.isFrame,
                                hasTarget: target != nil, target: W(truncatingIfNeeded: target ?? 0),
                                maxDummiesPerRetype: W(truncatingIfNeeded: maxDummiesPerRetype))
    }

    /// The first step the allocator would take for the request (nothing is changed).
    public func probe(_ type: ObjectType, userObjSize: UInt64, count: Int, target: UInt64?) -> Step<W> {
        step(request(type, userObjSize: userObjSize, count: count, target: target))
    }

    /// Where the next un-anchored `type` would land (offset from the base, as the allocator
    /// computes it) and how many of them (at most `limit`) one retype can place there without
    /// passing `end` (an offset; default the end of the untyped). A count of 0 means the
    /// allocator would refuse. For `.offset` this is the core's arithmetic for an un-anchored
    /// request (the kernel's align-up of the watermark, the same refusals) done directly,
    /// because planners ask it for every candidate; `place` then runs the core itself, and
    /// the planner checks the two agree. Other strategies ask the core (`probe`).
    public func room(_ type: ObjectType, userObjSize: UInt64, limit: Int, end: UInt64? = nil) -> (offset: UInt64, count: Int) {
        let bits = window.objectSizeBits(type, userObjSize: userObjSize)
        guard bits <= untyped.sizeBits, limit > 0, !untyped.isDevice || type.deviceAllowed else { return (0, 0) }
        let top = min(end ?? untypedBytes, untypedBytes)
        let offset: UInt64
        if strategy == .offset && rule == nil {
            let w = watermark, mask: UInt64 = (1 << bits) - 1
            offset = (w + mask) & ~mask
            if type.isFrame, (untyped.paddr &+ offset) & mask & window.wordMask != 0 { return (offset, 0) }
        } else {
            let first = probe(type, userObjSize: userObjSize, count: 1, target: nil)
            guard first.is(.retypeObject) else { return (0, 0) }
            offset = UInt64(first.paddr &- state.paddr)
        }
        guard offset < top else { return (offset, 0) }
        let count = Int(min((top - offset) >> bits, UInt64(limit)))
        guard count > 1, strategy != .offset || rule != nil else { return (offset, count) }
        let all = probe(type, userObjSize: userObjSize, count: count, target: nil)
        return (offset, all.is(.retypeObject) ? count : 1)
    }

    /// The allocator's next step for `request` from the current state.
    func step(_ request: PlacementRequest<W>) -> Step<W> {
        if let rule { return nextStep(state, request, strategy: rule) }
        return nextStep(state, request, strategy: strategy)
    }

    // MARK: - Placing

    /// Places `names.count` objects of `type` (one retype; 1...256), the first at `target`
    /// when given, otherwise where the kernel puts the next one. Returns where the allocator
    /// says they are and what padding they cost.
    public mutating func place(_ type: ObjectType, userObjSize: UInt64, names: [String],
                               target: UInt64?) throws(PlanFailure) -> Placement {
        let request = request(type, userObjSize: userObjSize, count: names.count, target: target)
        let objectName = names.first ?? "?"
        var placement = Placement(paddr: 0, actualPaddr: nil, offset: 0)
        placement.peakLiveDummies = liveDummies
        for _ in 0..<stepBound {
            let step = step(request)
            let kind = StepKind(rawValue: UInt8(truncatingIfNeeded: step.kind)) ?? .fail
            switch kind {
            case .fail:
                let error = PlacementError(rawValue: UInt8(truncatingIfNeeded: step.error)) ?? .none
                throw PlanFailure.refused(object: objectName, error: error, untyped: cap, type: type,
                                          sizeBits: UInt64(request.sizeBits), target: target, driver: self)
            case .deleteHold:
                let group = step.hold == 0 ? 0 : 1
                let held = holds[group]
                guard held.count == Int(step.count) else {
                    throw PlanFailure(.internalInconsistency, "\(cap): the allocator deletes \(step.count) dummies "
                                      + "of hold group \(group), but \(held.count) are held")
                }
                for name in held { placement.invocations.append(.delete(.named(name))) }
                placement.deletes += held.count
                stats.deletes += held.count
                children -= held.count
                holds[group] = []
                state = apply(step, to: state)
            case .retypeDummies:
                let group = step.hold == 0 ? 0 : 1
                let count = Int(step.count)
                let names = (0..<count).map { "\(namePrefix)hold\(group)_\(dummyCounter + $0)" }
                dummyCounter += count
                let size = UInt64(step.sizeBits)
                try perform(step, RetypeRequest.untypeds(sizeBits: step.sizeBits, count: step.count),
                            retype: RetypeInvocation(untyped: cap, target: .type(untypedType), userObjSize: size, names: names),
                            into: &placement, what: "dummy \(names[0])")
                holds[group] = names
                placement.dummyRetypes += 1
                placement.dummies += count
                placement.dummyBytes += UInt64(count) << size
                stats.dummyRetypes += 1
                stats.dummies += count
                stats.dummyBytes += UInt64(count) << size
                placement.peakLiveDummies = max(placement.peakLiveDummies, liveDummies)
                stats.peakLiveDummies = max(stats.peakLiveDummies, liveDummies)
                state = apply(step, to: state)
            case .retypeObject:
                placement.paddr = UInt64(step.paddr)
                placement.offset = UInt64(step.paddr &- state.paddr)
                try perform(step, type.retypeRequest(userObjSize: W(truncatingIfNeeded: userObjSize), count: step.count),
                            retype: RetypeInvocation(untyped: cap, target: .type(type), userObjSize: userObjSize, names: names),
                            into: &placement, what: "'\(objectName)'")
                stats.objectRetypes += 1
                stats.objects += names.count
                state = apply(step, to: state)
                return placement
            }
        }
        throw PlanFailure(.iterationBound, "'\(objectName)': the allocator took more than \(stepBound) steps in \(cap)")
    }

    /// Deletes every dummy still held (once the untyped's objects keep it from resetting,
    /// the dummies are no longer needed). Returns the delete invocations.
    public mutating func releaseHolds() -> [Invocation] {
        var invocations: [Invocation] = []
        for group in [state.nextHold == 0 ? 1 : 0, state.nextHold == 0 ? 0 : 1] where !holds[group].isEmpty {
            invocations += holds[group].map { .delete(.named($0)) }
            let step = Step<W>(kind: StepKind.deleteHold.word(), sizeBits: 0, count: W(holds[group].count),
                               hold: W(group), paddr: state.paddr, error: 0)
            state = apply(step, to: state)
            stats.deletes += holds[group].count
            children -= holds[group].count
            holds[group] = []
        }
        return invocations
    }

    /// One retype on the model: checks it succeeds, that the reset happens exactly when the
    /// allocator expects one, and that the first object lands at `step.paddr`.
    mutating func perform(_ step: Step<W>, _ request: RetypeRequest<W>, retype: RetypeInvocation,
                          into placement: inout Placement, what: String) throws(PlanFailure) {
        let believedStart = UInt64(step.paddr &- state.paddr)
        let padding = believedStart &- UInt64(state.effectiveWatermark)
        placement.invocations.append(.retype(retype))
        placement.padding &+= padding
        stats.paddingBytes &+= padding
        var cap = kernel
        cap.hasChildren = children > 0
        children += Int(step.count)
        guard kernelRefusal == nil else { return }

        let outcome = kernelRetype(cap, request, config)
        if outcome.error != 0 {
            let error = RetypeError(rawValue: UInt8(truncatingIfNeeded: outcome.error)) ?? .none
            let message = "\(self.cap): the kernel model refuses the retype of \(what) "
                + "(\(retype.count) × 2^\(step.sizeBits) at paddr \(hex(UInt64(step.paddr)))): \(retypeErrorWords(error))"
            if strict { throw PlanFailure(.internalInconsistency, message) }
            kernelRefusal = message
            stats.kernelRefusals += 1
            return
        }
        let actual = window.paddr(ofPptr: UInt64(outcome.firstObject))
        if step.is(.retypeObject) { placement.actualPaddr = actual }
        let believedReset = !state.hasChildren
        if actual != UInt64(step.paddr) || outcome.reset != believedReset {
            let message = "\(self.cap): \(what) was planned at paddr \(hex(UInt64(step.paddr)))"
                + (believedReset ? " after a reset" : "") + ", the kernel model puts it at \(hex(actual))"
                + (outcome.reset ? " after a reset" : "")
            if strict { throw PlanFailure(.internalInconsistency, message) }
            stats.mispredictions += 1
        }
        kernel = outcome.untyped
    }
}

/// What one `PlacementDriver.place` did.
public struct Placement: Sendable {
    /// Where the allocator says the first object is.
    public var paddr: UInt64
    /// Where the kernel model put it (nil if the model refused a call on the way).
    public var actualPaddr: UInt64?
    /// Offset of the first object from the untyped's base.
    public var offset: UInt64
    public var dummyRetypes = 0
    public var dummies = 0
    public var deletes = 0
    /// Bytes skipped by alignment (the kernel's align-up) before the dummies and the object.
    public var padding: UInt64 = 0
    /// Bytes given to dummies.
    public var dummyBytes: UInt64 = 0
    /// Dummy caps alive at once during the placement (this untyped).
    public var peakLiveDummies = 0
    /// The invocations, in order.
    public var invocations: [Invocation] = []

    public init(paddr: UInt64, actualPaddr: UInt64?, offset: UInt64) {
        self.paddr = paddr
        self.actualPaddr = actualPaddr
        self.offset = offset
    }
}

/// A driver's counters.
public struct DriverStats: Sendable, Equatable {
    public var objectRetypes = 0
    public var objects = 0
    public var dummyRetypes = 0
    public var dummies = 0
    public var deletes = 0
    public var peakLiveDummies = 0
    public var paddingBytes: UInt64 = 0
    public var dummyBytes: UInt64 = 0
    /// Non-strict drivers: objects or dummies the kernel model put somewhere else.
    public var mispredictions = 0
    /// Non-strict drivers: calls the kernel model refused.
    public var kernelRefusals = 0

    public init() {}

    /// Padding plus dummies.
    public var bytesWasted: UInt64 { paddingBytes &+ dummyBytes }
}

extension PlacementError {
    /// The reason in words.
    public var explanation: String {
        switch self {
        case .none: return "no error"
        case .badCount: return "the object count or the dummies per retype (--slots) is outside 1...256"
        case .objectTooLarge: return "the object is larger than the untyped"
        case .deviceType: return "the type cannot be created from device memory (only frames and untypeds can)"
        case .targetOutside: return "the address is outside the untyped"
        case .targetUnaligned: return "the address is not aligned to the object's size (frames are physically aligned)"
        case .kernelMisaligned:
            return "the kernel cannot put it there: the address is not aligned to the object's size in kernel-virtual space"
        case .targetBelowWatermark: return "the memory there was already handed out"
        case .notEnoughMemory: return "not enough memory between the address (or the watermark) and the end of the untyped"
        case .cannotPad: return "internal error: the allocator's dummy retype failed its own postcondition (please report)"
        }
    }
}

/// A kernel error in seL4's words.
func retypeErrorWords(_ error: RetypeError) -> String {
    switch error {
    case .none: return "no error"
    case .invalidType: return "InvalidArgument(0): type"
    case .sizeOutOfRange: return "RangeError: size bits"
    case .sizeTooSmall: return "InvalidArgument(1): size too small"
    case .countOutOfRange: return "RangeError: number of objects"
    case .notEnoughMemory: return "NotEnoughMemory"
    case .deviceType: return "InvalidArgument(1): device untyped"
    }
}
