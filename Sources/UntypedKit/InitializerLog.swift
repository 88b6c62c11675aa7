import UntypedCore

/// A capDL initializer TRACE log (rust-sel4 `sel4-capdl-initializer`, `sel4-logging` lines
/// `"{level:<5} [{target}] {msg}"`), read back into a trace that the kernel model replays.
///
/// Recognised messages (anywhere in a line; everything else is skipped):
/// `Allocating from untyped: A..B (size_bits = N, device = D)`,
/// `Creating dummy: paddr=P, size_bits=N`, `Creating device object: paddr=P, size_bits=N name="…"`,
/// `Creating kernel object: paddr=P, size_bits=N name="…"` (what the initializer believes the
/// next retype creates), `Creating kernel object: name="…" from "…"` (a cover child),
/// `seL4_Untyped_Retype(_service=C, type=T, size_bits=S, root=R, node_index=I, node_depth=D,
/// node_offset=O, num_objects=N)` and `seL4_CNode_Delete(_service=R, index=I, depth=D)`.
public struct InitializerLog {
    /// One retype read from the log.
    public struct Retype: Sendable {
        /// 1-based line of the `seL4_Untyped_Retype` line.
        public var line: Int
        /// The invocation as logged (`seL4_Untyped_Retype(…)`).
        public var text: String
        /// Index into `trace.invocations`.
        public var invocation: Int
        /// Cap names, one per object.
        public var names: [String]
        /// What the initializer said it creates: `dummy`, `device object`, `kernel object`.
        public var kind: String
        /// Ordinal among dummies (1-based), for dummies.
        public var dummyNumber: Int?
        /// The believed paddr of the first object, when the log says one.
        public var believed: UInt64?
        /// The untyped invoked: a bootinfo untyped (index) or a cap the log created.
        public var untyped: CapRef
        public var service: UInt64
    }

    public var window: KernelWindow
    public var mcs: Bool
    /// The trace: untypeds from the "Allocating" lines, every retype and delete of a known cap.
    public var trace: Trace
    public var retypes: [Retype]
    /// cptr of each bootinfo untyped (index into `trace.untypeds`), as the retypes show.
    public var untypedServices: [Int: UInt64]
    /// Lines recognised and skipped.
    public var recognisedLines = 0
    public var skippedLines = 0
    /// Deletes of slots the log never filled (skipped).
    public var unknownDeletes = 0
    /// Retypes whose object size on this configuration differs from the `size_bits` of the
    /// "Creating …" line before them (or whose type number it does not have).
    public var sizeDisagreements = 0

    /// Parses `text` for both the MCS and the non-MCS numbering of `window` and keeps the one
    /// whose object sizes agree with the log's "Creating … size_bits=" lines (non-MCS on a tie).
    public static func detectingMCS(text: String, window: KernelWindow) throws(InputError) -> InitializerLog {
        let plain = try InitializerLog(text: text, window: window, mcs: false)
        guard plain.sizeDisagreements > 0 else { return plain }
        let mcs = try InitializerLog(text: text, window: window, mcs: true)
        return mcs.sizeDisagreements < plain.sizeDisagreements ? mcs : plain
    }

    /// Parses `text`. Fails (bad input) when a retype names an untyped the log never
    /// describes, or when the log has no initializer line at all.
    public init(text: String, window: KernelWindow, mcs: Bool) throws(InputError) {
        self.window = window
        self.mcs = mcs
        var untypeds: [UntypedDescriptor] = []
        var untypedIndex: [UInt64: Int] = [:]          // paddr → index
        var serviceUntyped: [UInt64: Int] = [:]        // cptr → bootinfo untyped
        var services: [Int: UInt64] = [:]
        var current: Int?                              // the "Allocating from untyped" in force
        var slots: [UInt64: (name: String, isUntyped: Bool)] = [:]  // live caps the log created
        var used: [String: Int] = [:]
        var invocations: [Invocation] = []
        var expected: [String: UInt64] = [:]
        var retypes: [Retype] = []
        var pending: (kind: String, paddr: UInt64?, name: String?, sizeBits: UInt64?)?
        var disagreements = 0
        var dummies = 0
        var recognised = 0, skipped = 0, unknownDeletes = 0

        func unique(_ base: String, line: Int) -> String {
            var name = base.isEmpty ? "<unnamed>" : base
            if name.hasPrefix("_") { name = " " + name }
            if used[name] != nil { name += "@line\(line)" }
            used[name] = line
            return name
        }

        var lineNumber = 0
        for rawLine in text.split(separator: "\n", omittingEmptySubsequences: false) {
            lineNumber += 1
            let line = rawLine.hasSuffix("\r") ? String(rawLine.dropLast()) : String(rawLine)
            if let body = InitializerLog.after(line, "Allocating from untyped: ") {
                guard let (start, end, bits, device) = InitializerLog.allocating(body) else { skipped += 1; continue }
                guard bits >= 4, bits < 64, end &- start == 1 << bits else {
                    throw InputError("line \(lineNumber): untyped \(hex(start))..\(hex(end)) is not 2^\(bits) bytes")
                }
                recognised += 1
                if let known = untypedIndex[start] {
                    current = known
                } else {
                    let pptr = window.pptr(ofPaddr: start)
                    guard bits <= window.maxUntypedBits, pptr & ((1 << bits) - 1) == 0 else {
                        throw InputError("line \(lineNumber): untyped \(hex(start))..\(hex(end)) (pptr \(hex(pptr))) is not one the "
                                         + "\(window.name) kernel hands out (pptr not aligned to 2^\(bits), or larger than 2^\(window.maxUntypedBits)): is --arch right?")
                    }
                    untypedIndex[start] = untypeds.count
                    current = untypeds.count
                    untypeds.append(UntypedDescriptor(paddr: start, sizeBits: bits, isDevice: device))
                }
                pending = nil
            } else if let body = InitializerLog.after(line, "Creating dummy: ") {
                let f = InitializerLog.fields(body)
                guard let p = f["paddr"].flatMap(parseUnsigned) else { skipped += 1; continue }
                recognised += 1
                pending = ("dummy", p, nil, f["size_bits"].flatMap(parseUnsigned))
            } else if let body = InitializerLog.after(line, "Creating device object: ") ?? InitializerLog.after(line, "Creating kernel object: ") {
                let kind = line.contains("Creating device object: ") ? "device object" : "kernel object"
                let f = InitializerLog.fields(body)
                let name = InitializerLog.quoted(after: "name=", in: body)
                if let p = f["paddr"].flatMap(parseUnsigned) {
                    pending = (kind, p, name, f["size_bits"].flatMap(parseUnsigned))
                } else if name != nil, body.contains(" from ") {
                    pending = ("cover child", nil, name, nil)
                } else { skipped += 1; continue }
                recognised += 1
            } else if let body = InitializerLog.after(line, "seL4_Untyped_Retype(") {
                let f = InitializerLog.fields(body)
                guard let service = f["_service"].flatMap(parseUnsigned), let typeNumber = f["type"].flatMap(parseUnsigned),
                      let size = f["size_bits"].flatMap(parseUnsigned), let offset = f["node_offset"].flatMap(parseUnsigned),
                      let count = f["num_objects"].flatMap(parseUnsigned) else { skipped += 1; continue }
                recognised += 1
                guard (1...256).contains(count) else {
                    throw InputError("line \(lineNumber): num_objects=\(count) is outside 1...256")
                }
                let source: CapRef
                if let cap = slots[service] {
                    guard cap.isUntyped else {
                        throw InputError("line \(lineNumber): _service=\(service) is '\(cap.name)', which is not an untyped")
                    }
                    source = .named(cap.name)
                } else if let u = serviceUntyped[service] {
                    source = .boot(u)
                } else if let u = current, services[u] == nil {
                    serviceUntyped[service] = u
                    services[u] = service
                    source = .boot(u)
                } else {
                    throw InputError("line \(lineNumber): _service=\(service) is no untyped the log describes "
                                     + "(no 'Allocating from untyped' line for it, and no earlier retype created it)")
                }
                let target = window.retypeTarget(number: typeNumber, mcs: mcs)
                var isUntyped = false
                if case .type(let t) = target {
                    isUntyped = t.sizing == .untyped
                    if let believed = pending?.sizeBits, window.objectSizeBits(t, userObjSize: size) != believed { disagreements += 1 }
                } else {
                    disagreements += 1
                }
                let kind = pending?.kind ?? "object"
                var dummyNumber: Int?
                var names: [String] = []
                for k in 0..<count {
                    let base: String
                    if kind == "dummy" {
                        dummies += 1
                        dummyNumber = dummyNumber ?? dummies
                        base = "_dummy\(dummies)"
                        used[base] = lineNumber
                        names.append(base)
                        continue
                    } else if let n = pending?.name {
                        base = count == 1 ? n : "\(n)#\(k)"
                    } else {
                        base = "slot\(offset + k)"
                    }
                    names.append(unique(base, line: lineNumber))
                }
                for (k, name) in names.enumerated() { slots[offset + UInt64(k)] = (name, isUntyped) }
                if let p = pending?.paddr {
                    expected[names[0]] = p
                }
                let text = "seL4_Untyped_Retype(" + (body.firstIndex(of: ")").map { String(body[..<$0]) } ?? body) + ")"
                retypes.append(Retype(line: lineNumber, text: text, invocation: invocations.count, names: names, kind: kind,
                                      dummyNumber: dummyNumber, believed: pending?.paddr, untyped: source, service: service))
                invocations.append(.retype(RetypeInvocation(untyped: source, target: target, userObjSize: size, names: names)))
                pending = nil
            } else if let body = InitializerLog.after(line, "seL4_CNode_Delete(") {
                let f = InitializerLog.fields(body)
                guard let index = f["index"].flatMap(parseUnsigned) else { skipped += 1; continue }
                recognised += 1
                if let cap = slots[index] {
                    invocations.append(.delete(.named(cap.name)))
                    slots[index] = nil
                } else {
                    unknownDeletes += 1
                }
            }
        }
        guard recognised > 0 else {
            throw InputError("the log has no capDL initializer lines ('Allocating from untyped', 'Creating …', seL4_Untyped_Retype)")
        }
        self.trace = Trace(window: window, mcs: mcs, untypeds: untypeds, invocations: invocations, expected: expected)
        self.retypes = retypes
        self.untypedServices = services
        self.recognisedLines = recognised
        self.skippedLines = skipped
        self.unknownDeletes = unknownDeletes
        self.sizeDisagreements = disagreements
    }

    // MARK: - Line parsing

    /// The text after `marker` in `line`, if it occurs.
    static func after(_ line: String, _ marker: String) -> String? {
        guard let r = line.range(of: marker) else { return nil }
        return String(line[r.upperBound...])
    }

    /// `A..B (size_bits = N, device = D)`.
    static func allocating(_ body: String) -> (UInt64, UInt64, UInt64, Bool)? {
        guard let dots = body.range(of: ".."), let open = body.firstIndex(of: "(") else { return nil }
        let start = String(body[..<dots.lowerBound]).trimmed
        let end = String(body[dots.upperBound..<open]).trimmed
        let f = fields(String(body[body.index(after: open)...]).replacingOccurrences(of: " = ", with: "="))
        guard let s = parseUnsigned(start), let e = parseUnsigned(end), let bits = f["size_bits"].flatMap(parseUnsigned),
              let device = f["device"], device == "true" || device == "false" else { return nil }
        return (s, e, bits, device == "true")
    }

    /// `k=v` pairs separated by commas or spaces, up to a closing parenthesis.
    static func fields(_ body: String) -> [String: String] {
        var result: [String: String] = [:]
        let upTo = body.firstIndex(of: ")").map { String(body[..<$0]) } ?? body
        for part in upTo.split(whereSeparator: { $0 == "," || $0 == " " }) {
            guard let eq = part.firstIndex(of: "=") else { continue }
            let key = String(part[..<eq]).trimmed
            if result[key] == nil { result[key] = String(part[part.index(after: eq)...]).trimmed }
        }
        return result
    }

    /// The Rust-`{:?}`-quoted string after `key` (`name="a \"b\""` → `a "b"`).
    static func quoted(after key: String, in body: String) -> String? {
        guard let r = body.range(of: key + "\"") else { return nil }
        var out = ""
        var escaped = false
        for c in body[r.upperBound...] {
            if escaped {
                switch c {
                case "n": out.append("\n")
                case "t": out.append("\t")
                default: out.append(c)
                }
                escaped = false
            } else if c == "\\" {
                escaped = true
            } else if c == "\"" {
                return out
            } else {
                out.append(c)
            }
        }
        return nil
    }
}

/// The first place the kernel and the initializer part ways.
public struct LogDivergence: Sendable {
    public var retype: InitializerLog.Retype
    /// The object the initializer believed at `believed`.
    public var object: String
    public var believed: UInt64?
    /// Where the kernel model put it (nil: the kernel refused the call).
    public var actual: UInt64?
    /// The kernel's error, when it refused.
    public var kernelError: KernelError?
    /// One sentence.
    public var why: String
    public var believedPptr: UInt64?
    public var actualPptr: UInt64?
    /// The kernel's free pointer before the retype (pptr), when known.
    public var freePptr: UInt64?
}

/// An object the kernel model put elsewhere than the initializer believed.
public struct LogMisplacement: Sendable {
    public var line: Int
    public var object: String
    public var believed: UInt64
    public var actual: UInt64
}

/// What `untyped diagnose` finds.
public struct LogDiagnosis {
    public var log: InitializerLog
    public var replay: ReplayResult
    public var divergence: LogDivergence?
    public var misplaced: [LogMisplacement]

    /// Replays the log on the kernel model and finds the first divergence.
    public init(log: InitializerLog) throws(InputError) {
        self.log = log
        replay = try log.trace.replay()
        var byName: [String: ReplayObject] = [:]
        for o in replay.objects { byName[o.name] = o }
        var steps: [Int: RetypeStep] = [:]
        for s in replay.retypes { steps[s.invocation] = s }
        let window = log.window
        misplaced = []
        divergence = nil
        var retypedBefore: Set<CapRef> = []
        for r in log.retypes {
            if let error = replay.error, error.invocation == r.invocation {
                if divergence == nil {
                    divergence = LogDivergence(retype: r, object: LogDiagnosis.describe(r), believed: r.believed, actual: nil,
                                               kernelError: error,
                                               why: "the kernel refuses the call (\(error.kind): \(error.detail)), so the boot stops here")
                }
                break
            }
            guard let first = byName[r.names[0]] else { break }
            if let believed = r.believed, believed != first.paddr {
                misplaced.append(LogMisplacement(line: r.line, object: LogDiagnosis.describe(r), believed: believed, actual: first.paddr))
                if divergence == nil {
                    var d = LogDivergence(retype: r, object: LogDiagnosis.describe(r), believed: believed, actual: first.paddr,
                                          kernelError: nil, why: "", believedPptr: window.pptr(ofPaddr: believed),
                                          actualPptr: first.pptr)
                    let base = LogDiagnosis.untypedPptr(r.untyped, log: log, objects: byName)
                    if let step = steps[r.invocation], let base {
                        d.freePptr = (base &+ step.watermarkBefore) & window.wordMask
                        d.why = LogDiagnosis.why(step: step, freePptr: d.freePptr!, believed: believed, first: first,
                                                 retypedBefore: retypedBefore.contains(r.untyped), window: window)
                    } else {
                        d.why = "the kernel put the object at pptr \(hex(first.pptr)) (paddr \(hex(first.paddr)))"
                    }
                    divergence = d
                }
            }
            retypedBefore.insert(r.untyped)
        }
    }

    /// `the 2nd dummy`, `'uart' (device object)`.
    static func describe(_ r: InitializerLog.Retype) -> String {
        if let n = r.dummyNumber { return "dummy \(n) (the \(ordinal(n)) dummy)" }
        return "'\(r.names[0])' (\(r.kind))"
    }

    static func ordinal(_ n: Int) -> String {
        let words = ["first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth", "tenth"]
        if n >= 1 && n <= words.count { return words[n - 1] }
        let suffix = (n % 100 >= 11 && n % 100 <= 13) ? "th" : [1: "st", 2: "nd", 3: "rd"][n % 10] ?? "th"
        return "\(n)\(suffix)"
    }

    static func untypedPptr(_ ref: CapRef, log: InitializerLog, objects: [String: ReplayObject]) -> UInt64? {
        switch ref {
        case .boot(let u): return log.window.pptr(ofPaddr: log.trace.untypeds[u].paddr)
        case .named(let n): return objects[n]?.pptr
        }
    }

    /// The reason in one sentence: a reset, the kernel-virtual alignment, or a watermark
    /// that was already elsewhere.
    static func why(step: RetypeStep, freePptr: UInt64, believed: UInt64, first: ReplayObject, retypedBefore: Bool,
                    window: KernelWindow) -> String {
        let size = first.sizeBits
        let believedPptr = window.pptr(ofPaddr: believed)
        let freePaddr = window.paddr(ofPptr: freePptr)
        func alignment(_ x: UInt64) -> String { x == 0 ? "2^\(window.wordBits)" : "2^\(x.trailingZeroBitCount)" }
        if step.reset && retypedBefore {
            return "the untyped had no children left when this retype ran (the initializer deleted the last one), so the kernel "
                + "reset its watermark and put the object at its base, pptr \(hex(first.pptr)) (paddr \(hex(first.paddr)))"
        }
        if freePptr == believedPptr {
            let head = "the kernel aligns each new object on its kernel-virtual address: its free pointer pptr \(hex(freePptr)) "
                + "(paddr \(hex(believed)), where the initializer believed the object goes) is only \(alignment(freePptr))-aligned, "
                + "so the kernel rounded it up to 2^\(size) at pptr \(hex(first.pptr)), paddr \(hex(first.paddr))"
            if believed & ((1 << size) &- 1) == 0 {
                return head + "; paddr \(hex(believed)) itself is 2^\(size)-aligned, but PPTR_BASE_OFFSET "
                    + "\(hex(window.pptrBaseOffset)) is not a multiple of 2^\(size), so physical alignment is not the kernel's"
            }
            return head + "; the initializer chose a 2^\(size) block where neither the paddr nor its offset into the untyped "
                + "is 2^\(size)-aligned (paddr \(alignment(believed))-aligned)"
        }
        return "the kernel's free pointer was pptr \(hex(freePptr)) (paddr \(hex(freePaddr))), not the believed paddr "
            + "\(hex(believed)) (pptr \(hex(believedPptr))); aligned up to 2^\(size) in kernel-virtual space it gives pptr "
            + "\(hex(first.pptr)), paddr \(hex(first.paddr))"
    }
}
