import UntypedCore

/// An object a replayed retype created.
public struct ReplayObject: Equatable, Sendable {
    public var name: String
    /// Type name (`untyped`, `tcb`, …).
    public var type: String
    /// Object size in bits, as the kernel computed it.
    public var sizeBits: UInt64
    /// `pptr - PPTR_BASE_OFFSET` (mod 2^W).
    public var paddr: UInt64
    /// Kernel-virtual address.
    public var pptr: UInt64
    /// The untyped it was retyped from.
    public var parent: CapRef

    public var json: JSONValue {
        .object([("name", .string(name)), ("type", .string(type)), ("sizeBits", .number(sizeBits)),
                 ("paddr", .address(paddr)), ("pptr", .address(pptr)), ("parent", parent.json)])
    }
}

/// The seL4 error an invocation returned.
public struct KernelError: Equatable, Sendable {
    /// Index of the failing invocation in the trace.
    public var invocation: Int
    /// seL4's name: `InvalidArgument`, `RangeError`, `NotEnoughMemory`, `RevokeFirst`.
    public var kind: String
    /// Which argument and why, in words.
    public var detail: String

    public var json: JSONValue {
        .object([("invocation", .int(invocation)), ("kind", .string(kind)), ("detail", .string(detail))])
    }
}

/// An object the kernel put somewhere other than the trace's `expected` paddr.
public struct PaddrMismatch: Equatable, Sendable {
    public var name: String
    public var expected: UInt64
    public var actual: UInt64

    public var json: JSONValue {
        .object([("name", .string(name)), ("expected", .address(expected)), ("actual", .address(actual))])
    }
}

/// What one retype did to its untyped.
public struct RetypeStep: Equatable, Sendable {
    public var invocation: Int
    /// The untyped had no children, so the kernel reset it first.
    public var reset: Bool
    /// Bytes handed out (`freeIndex << 4`) before and after (before = after a reset).
    public var watermarkBefore: UInt64
    public var watermarkAfter: UInt64
}

/// The outcome of replaying a trace on the kernel model.
public struct ReplayResult: Equatable, Sendable {
    /// Objects created, in order.
    public var objects: [ReplayObject]
    /// Successful retypes.
    public var retypes: [RetypeStep]
    /// The kernel error replay stopped at.
    public var error: KernelError?
    /// nil when the trace has no expectations.
    public var mismatches: [PaddrMismatch]?

    /// Every invocation succeeded and every expectation held.
    public var succeeded: Bool { error == nil && (mismatches ?? []).isEmpty }

    /// `{"objects": […], "error": null|{…}, "mismatches": […]}` (mismatches only with expectations).
    public var json: JSONValue {
        var fields: [(String, JSONValue)] = [("objects", .array(objects.map(\.json))),
                                              ("error", error?.json ?? .null)]
        if let mismatches { fields.append(("mismatches", .array(mismatches.map(\.json)))) }
        return .object(fields)
    }
}

extension Trace {
    /// Replays the trace on the core's kernel model (`kernelRetype` with this window's
    /// `KernelConfig`). Bootinfo untypeds start full and without children, so their first
    /// retype resets them. Stops at the first kernel error.
    public func replay() throws(InputError) -> ReplayResult {
        try validate()
        var result: ReplayResult
        if window.wordBits == 64 {
            var machine = ReplayMachine<UInt64>(trace: self)
            result = machine.run()
        } else {
            var machine = ReplayMachine<UInt32>(trace: self)
            result = machine.run()
        }
        result = withExpectations(result)
        return result
    }

    /// Replays the trace and, before the invocation at each probe's `position` (or at the end
    /// for `invocations.count`), tries the probe's retype on the model's state at that point
    /// without keeping its effect. Returns the replay and, per probe, the error the model
    /// gives (nil: the model accepts it). For calls a kernel refused: a refused call changes
    /// nothing, so the model must refuse it in the same state.
    public func replay(probing probes: [(position: Int, retype: RetypeInvocation)]) throws(InputError)
        -> (ReplayResult, [KernelError?]) {
        try validate()
        var errors: [KernelError?]
        var result: ReplayResult
        if window.wordBits == 64 {
            var machine = ReplayMachine<UInt64>(trace: self)
            (result, errors) = machine.run(probes: probes)
        } else {
            var machine = ReplayMachine<UInt32>(trace: self)
            (result, errors) = machine.run(probes: probes)
        }
        return (withExpectations(result), errors)
    }

    func withExpectations(_ replayed: ReplayResult) -> ReplayResult {
        var result = replayed
        if !expected.isEmpty {
            result.mismatches = result.objects.compactMap { object in
                guard let paddr = expected[object.name], paddr != object.paddr else { return nil }
                return PaddrMismatch(name: object.name, expected: paddr, actual: object.paddr)
            }
        }
        return result
    }
}

/// The capability derivation tree of a replay, with the kernel's view of every untyped.
struct ReplayMachine<W: MachineWord> {
    struct Cap {
        var ref: CapRef
        var parent: Int?
        var children: Set<Int> = []
        /// The cap's untyped state (nil for other objects).
        var untyped: KernelUntyped<W>?
    }

    let trace: Trace
    let config: KernelConfig<W>
    var caps: [Cap] = []
    var live: [CapRef: Int] = [:]
    var result = ReplayResult(objects: [], retypes: [], error: nil, mismatches: nil)

    init(trace: Trace) {
        self.trace = trace
        config = trace.window.kernelConfig(W.self)
        for (index, u) in trace.untypeds.enumerated() {
            let size = W(u.sizeBits)
            let cap = KernelUntyped<W>(pptr: W(truncatingIfNeeded: trace.window.pptr(ofPaddr: u.paddr)), sizeBits: size,
                                       freeIndex: KernelUntyped.fullFreeIndex(sizeBits: size), isDevice: u.isDevice,
                                       hasChildren: false)
            add(Cap(ref: .boot(index), parent: nil, untyped: cap))
        }
    }

    mutating func run() -> ReplayResult { run(probes: []).0 }

    mutating func run(probes: [(position: Int, retype: RetypeInvocation)]) -> (ReplayResult, [KernelError?]) {
        var outcomes = [KernelError?](repeating: nil, count: probes.count)
        let order = probes.indices.sorted { probes[$0].position < probes[$1].position }
        var next = 0
        func probe(upTo position: Int, _ machine: Self) {
            while next < order.count && probes[order[next]].position <= position {
                var scratch = machine
                let p = probes[order[next]]
                outcomes[order[next]] = scratch.retype(p.retype, invocation: p.position)
                next += 1
            }
        }
        for (i, invocation) in trace.invocations.enumerated() {
            probe(upTo: i, self)
            switch invocation {
            case .retype(let r): result.error = retype(r, invocation: i)
            case .delete(let ref): delete(live[ref]!)
            case .copy(let source, let name): result.error = copy(live[source]!, as: name, invocation: i)
            }
            if result.error != nil { break }
        }
        if result.error == nil { probe(upTo: trace.invocations.count, self) }
        return (result, outcomes)
    }

    @discardableResult
    mutating func add(_ cap: Cap) -> Int {
        caps.append(cap)
        let id = caps.count - 1
        live[cap.ref] = id
        if let parent = cap.parent { caps[parent].children.insert(id) }
        return id
    }

    mutating func retype(_ r: RetypeInvocation, invocation: Int) -> KernelError? {
        let id = live[r.untyped]!
        var cap = caps[id].untyped!
        cap.hasChildren = !caps[id].children.isEmpty
        let request: RetypeRequest<W> = r.target.retypeRequest(userObjSize: W(truncatingIfNeeded: r.userObjSize),
                                                               count: W(truncatingIfNeeded: r.count))
        let outcome = kernelRetype(cap, request, config)
        if outcome.error != 0 {
            return describe(outcome, of: cap, r, invocation: invocation)
        }
        caps[id].untyped = outcome.untyped
        result.retypes.append(RetypeStep(invocation: invocation, reset: outcome.reset,
                                         watermarkBefore: outcome.reset ? 0 : bytes(cap.freeIndex),
                                         watermarkAfter: bytes(outcome.untyped.freeIndex)))
        guard case .type(let type) = r.target else { return nil }
        let window = trace.window
        for (i, name) in r.names.enumerated() {
            let pptr = outcome.object(W(i))
            var child = Cap(ref: .named(name), parent: id)
            if type.sizing == .untyped {
                child.untyped = childUntyped(of: outcome, index: W(i), parentIsDevice: cap.isDevice, config: config)
            }
            add(child)
            result.objects.append(ReplayObject(name: name, type: type.name, sizeBits: UInt64(outcome.objectSizeBits),
                                               paddr: window.paddr(ofPptr: UInt64(pptr)), pptr: UInt64(pptr),
                                               parent: r.untyped))
        }
        return nil
    }

    /// `seL4_CNode_Delete`: the cap goes; its children become children of its parent, as
    /// in the kernel's derivation tree.
    mutating func delete(_ id: Int) {
        let parent = caps[id].parent
        for child in caps[id].children {
            caps[child].parent = parent
            if let parent { caps[parent].children.insert(child) }
        }
        if let parent { caps[parent].children.remove(id) }
        caps[id].children = []
        live[caps[id].ref] = nil
    }

    /// `seL4_CNode_Copy`. An untyped copy needs a source without children (`ensureNoChildren`
    /// in `deriveCap`), becomes the source's child, and the source is set full
    /// (`setUntypedCapAsFull`). Copies of other caps are siblings of their source.
    mutating func copy(_ source: Int, as name: String, invocation: Int) -> KernelError? {
        guard var untyped = caps[source].untyped else {
            add(Cap(ref: .named(name), parent: caps[source].parent))
            return nil
        }
        guard caps[source].children.isEmpty else {
            return KernelError(invocation: invocation, kind: "RevokeFirst",
                               detail: "\(caps[source].ref) has children in the capability derivation tree; "
                                   + "an untyped is copied only without children")
        }
        untyped.hasChildren = false
        add(Cap(ref: .named(name), parent: source, untyped: untyped))
        caps[source].untyped!.freeIndex = KernelUntyped.fullFreeIndex(sizeBits: untyped.sizeBits)
        return nil
    }

    func bytes(_ freeIndex: W) -> UInt64 { UInt64(freeIndex) << 4 }

    /// The seL4 error for a failed retype, with the argument and the numbers behind it.
    func describe(_ outcome: RetypeOutcome<W>, of cap: KernelUntyped<W>, _ r: RetypeInvocation,
                  invocation: Int) -> KernelError {
        let window = trace.window
        let typeName = r.target.displayName
        let max = window.maxUntypedBits
        let (kind, detail): (String, String)
        let code = RetypeError(rawValue: UInt8(truncatingIfNeeded: outcome.error)) ?? .none
        switch code {
        case .invalidType:
            let count = window.objectTypeCount(mcs: trace.mcs)
            (kind, detail) = ("InvalidArgument", "argument 0 (type): \(typeName) is not an object type of "
                              + "\(window.name)\(trace.mcs ? " with MCS" : "") (0...\(count - 1))")
        case .sizeOutOfRange:
            let reason = r.userObjSize >= UInt64(window.wordBits)
                ? "size \(r.userObjSize) is not below the word size \(window.wordBits)"
                : "a \(typeName) of 2^\(UInt64(outcome.objectSizeBits)) bytes is larger than seL4_MaxUntypedBits (\(max))"
            (kind, detail) = ("RangeError", "argument 1 (size bits): \(reason); range 0...\(max)")
        case .sizeTooSmall:
            var minimum = "an untyped needs at least 4 (seL4_MinUntypedBits)"
            if case .type(let t) = r.target, t.sizing == .cnode { minimum = "a CNode needs a radix of at least 1" }
            if case .type(let t) = r.target, t.sizing == .schedContext {
                minimum = "a SchedContext needs at least 7 (seL4_MinSchedContextBits)"
            }
            (kind, detail) = ("InvalidArgument", "argument 1 (size bits): \(r.userObjSize) is too small: \(minimum)")
        case .countOutOfRange:
            (kind, detail) = ("RangeError", "number of objects \(r.count) is outside 1...256 (CONFIG_RETYPE_FAN_OUT_LIMIT)")
        case .notEnoughMemory:
            let used = outcome.reset ? 0 : bytes(cap.freeIndex)
            let free = (UInt64(1) << UInt64(cap.sizeBits)) - used
            (kind, detail) = ("NotEnoughMemory", "\(r.count) × \(typeName) (2^\(UInt64(outcome.objectSizeBits)) bytes each) "
                              + "do not fit in the \(hex(free)) bytes above watermark \(hex(used)) of \(r.untyped) "
                              + "(2^\(UInt64(cap.sizeBits)) bytes)")
        case .deviceType:
            (kind, detail) = ("InvalidArgument", "argument 1: \(r.untyped) is a device untyped; it can become "
                              + "only frames and untypeds, not \(typeName)")
        case .none:
            preconditionFailure("describe() called for a successful retype")
        }
        return KernelError(invocation: invocation, kind: kind, detail: detail)
    }
}
