import Foundation

/// The serial output of the example root task (roottask/) on a real seL4 kernel, and the
/// check of everything in it against the kernel model.
///
/// The root task prints `@@` lines (roottask/main.c documents them): the bootinfo untyped
/// list, every Untyped_Retype and CNode_Delete it made with the kernel's error code, and for
/// every object the core placed the address the core planned and, for frames, the address
/// the kernel reports (Page_GetAddress). Everything else (the kernel's boot messages) is
/// ignored.
public struct KernelLog: Sendable {
    /// One seL4 call the root task made.
    public struct Call: Equatable, Sendable {
        public enum Operation: Equatable, Sendable {
            /// `untyped` is a bootinfo index; the new caps are `c<first>`, `c<first+1>`, ….
            case retype(untyped: Int, typeName: String, typeNumber: UInt64, userObjSize: UInt64, count: UInt64, first: UInt64)
            case delete(name: String)
        }
        public var operation: Operation
        /// seL4_Error returned (0: success).
        public var error: UInt64
        /// Line number in the log (1-based).
        public var line: Int
    }

    /// An object the core placed.
    public struct Object: Equatable, Sendable {
        public var name: String
        public var anchor: Int
        public var type: String
        /// Where the core said it is.
        public var planned: UInt64
        /// Where the kernel says it is (frames), nil when the kernel cannot tell (other types).
        public var kernel: UInt64?
    }

    public var window: KernelWindow
    public var strategy: String
    public var untypeds: [UntypedDescriptor]
    public var calls: [Call]
    public var objects: [Object]
    /// The root task's object types: name, seL4_ObjectType number, size in bits (0: set by
    /// the size argument), as its libsel4 defines them.
    public var types: [(name: String, number: UInt64, bits: UInt64)]
    /// Index into `objects` of the reported case's object (anchor 0), if placed.
    public var reportedCase: Int?
    /// The root task's closing `@@done` fields, nil when the log ends early.
    public var done: [String: UInt64]?

    /// Parses the log text. Lines without `@@` are skipped; a malformed `@@` line is an input
    /// error naming the line.
    public init(text: String, source: String = "log") throws(InputError) {
        var window: KernelWindow?
        var strategy = ""
        var untypeds: [UntypedDescriptor] = []
        var calls: [Call] = []
        var objects: [Object] = []
        var done: [String: UInt64]?
        var types: [(name: String, number: UInt64, bits: UInt64)] = []
        for (offset, raw) in text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline).enumerated() {
            let number = offset + 1
            guard let start = raw.range(of: "@@") else { continue }
            let line = raw[start.upperBound...].trimmingCharacters(in: .whitespacesAndNewlines)
            let words = line.split(separator: " ").map(String.init)
            guard let head = words.first else { continue }
            func fail(_ why: String) -> InputError { InputError("\(source):\(number): \(why): '@@\(line)'") }
            var fields: [String: String] = [:]
            for word in words.dropFirst() {
                if let eq = word.firstIndex(of: "=") { fields[String(word[..<eq])] = String(word[word.index(after: eq)...]) }
            }
            func field(_ key: String) throws(InputError) -> String {
                guard let value = fields[key] else { throw fail("no \(key)=") }
                return value
            }
            func value(_ text: String, _ what: String) throws(InputError) -> UInt64 {
                let parsed = text.hasPrefix("0x") ? UInt64(text.dropFirst(2), radix: 16) : UInt64(text)
                guard let parsed else { throw fail("\(what) '\(text)' is not a number") }
                return parsed
            }
            func numberField(_ key: String) throws(InputError) -> UInt64 { try value(try field(key), key) }
            switch head {
            case "begin":
                let arch = try field("arch")
                guard let found = KernelWindow.named(arch) else { throw fail("unknown arch '\(arch)'") }
                window = found
                strategy = try field("strategy")
            case "ut":
                guard words.count == 5 else { throw fail("expected '@@ut INDEX PADDR SIZEBITS ISDEVICE'") }
                guard try value(words[1], "index") == UInt64(untypeds.count) else { throw fail("untyped out of order") }
                untypeds.append(UntypedDescriptor(paddr: try value(words[2], "paddr"), sizeBits: try value(words[3], "size bits"),
                                                  isDevice: try value(words[4], "isDevice") != 0))
            case "type":
                guard words.count == 4 else { throw fail("expected '@@type NAME NUMBER BITS'") }
                types.append((words[1], try value(words[2], "type number"), try value(words[3], "size bits")))
            case "retype":
                let untyped = try numberField("ut")
                guard untyped < UInt64(untypeds.count) else { throw fail("untyped \(untyped) is not in the bootinfo list") }
                calls.append(Call(operation: .retype(untyped: Int(untyped), typeName: try field("type"),
                                                     typeNumber: try numberField("num"), userObjSize: try numberField("size"),
                                                     count: try numberField("count"), first: try numberField("first")),
                                  error: try numberField("err"), line: number))
            case "delete":
                calls.append(Call(operation: .delete(name: try field("name")), error: try numberField("err"), line: number))
            case "obj":
                guard words.count >= 2 else { throw fail("no object name") }
                let actual = try field("actual")
                objects.append(Object(name: words[1], anchor: Int(clamping: try numberField("anchor")), type: try field("type"),
                                      planned: try numberField("expected"),
                                      kernel: actual == "none" ? nil : try value(actual, "actual")))
            case "done":
                var counts: [String: UInt64] = [:]
                for (key, text) in fields { counts[key] = try value(text, key) }
                done = counts
            default:
                continue
            }
        }
        guard let window else { throw InputError("\(source): no '@@begin' line: not a log of the example root task") }
        guard !untypeds.isEmpty else { throw InputError("\(source): no '@@ut' lines (bootinfo untyped list)") }
        self.window = window
        self.strategy = strategy
        self.untypeds = untypeds
        self.calls = calls
        self.objects = objects
        self.types = types
        self.reportedCase = objects.firstIndex { $0.anchor == 0 }
        self.done = done
    }
}

/// seL4_Error names, by number.
public func seL4ErrorName(_ code: UInt64) -> String {
    let names = ["NoError", "InvalidArgument", "InvalidCapability", "IllegalOperation", "RangeError",
                 "AlignmentError", "FailedLookup", "TruncatedMessage", "DeleteFirst", "RevokeFirst", "NotEnoughMemory"]
    return code < UInt64(names.count) ? names[Int(code)] : "error \(code)"
}

/// What the check of a log found.
public struct KernelLogCheck {
    /// Successful retypes and deletes, replayed as one trace.
    public var trace: Trace
    public var retypes = 0, deletes = 0
    /// The model refused a call the kernel accepted (replay stopped there).
    public var modelRefused: KernelError?
    /// Calls the kernel refused, and how many the model refuses with the same error.
    public var kernelErrors = 0, errorsAgreeing = 0
    public var errorDisagreements: [String] = []
    /// Object types numbered or sized differently by the kernel's libsel4 and the model.
    public var typeDisagreements: [String] = []
    /// Objects whose address the kernel reported (frames), and how many the model puts there.
    public var kernelAddresses = 0, modelAgreeing = 0
    public var addressDisagreements: [String] = []
    /// Objects the core placed: where the kernel put them relative to the plan.
    public var exact = 0, misplaced = 0, unchecked = 0
    public var misplacedObjects: [KernelLog.Object] = []
    /// Objects the core planned where the model (not the kernel) put them: the unchecked ones.
    public var modelMatchesPlan = 0

    /// Model and kernel agree on every address and every error.
    public var modelAgrees: Bool {
        modelRefused == nil && errorDisagreements.isEmpty && addressDisagreements.isEmpty && typeDisagreements.isEmpty
    }
    /// Every object is where the plan said (as far as the kernel tells, and the model for the rest).
    public var allExact: Bool { misplaced == 0 && modelMatchesPlan == unchecked }
}

extension KernelLog {
    /// The name of the n-th cap a retype created.
    static func capName(_ serial: UInt64) -> String { "c\(serial)" }

    func retypeInvocation(_ untyped: Int, _ typeNumber: UInt64, _ size: UInt64, _ count: UInt64,
                          names: [String]) -> RetypeInvocation {
        var r = RetypeInvocation(untyped: .boot(untyped), target: window.retypeTarget(number: typeNumber, mcs: false),
                                 userObjSize: size, names: names)
        r.count = count
        return r
    }

    /// Replays every call on the kernel model: the successful ones as one trace whose
    /// expectations are the kernel's own addresses, each failing one after the successful
    /// calls before it. Type numbering is checked against the model's names.
    public func check() throws(InputError) -> KernelLogCheck {
        var invocations: [Invocation] = []
        var result = KernelLogCheck(trace: Trace(window: window, mcs: false, untypeds: untypeds, invocations: []))
        // The kernel's object sizes (from its libsel4) against the model's window.
        for t in types {
            guard case .type(let model) = window.retypeTarget(number: t.number, mcs: false),
                  model.name == t.name || model.aliases.contains(t.name) else {
                result.typeDisagreements.append("type \(t.number) is '\(t.name)' in the kernel, "
                                                + "not in the model of \(window.name)")
                continue
            }
            if case .fixed(let bits) = model.sizing, bits != t.bits {
                result.typeDisagreements.append("\(t.name): 2^\(t.bits) bytes in the kernel, 2^\(bits) in the model of \(window.name)")
            }
        }
        var failing: [(position: Int, call: Call)] = []
        for call in calls {
            switch call.operation {
            case .retype(let untyped, let typeName, let number, let size, let count, let first):
                if case .type(let t) = window.retypeTarget(number: number, mcs: false), t.name != typeName,
                   !t.aliases.contains(typeName) {
                    throw InputError("line \(call.line): type number \(number) is '\(t.name)' in the model of "
                                     + "\(window.name), the root task calls it '\(typeName)'")
                }
                if call.error != 0 {
                    failing.append((invocations.count, call))
                    continue
                }
                let names = (0..<count).map { KernelLog.capName(first + $0) }
                invocations.append(.retype(retypeInvocation(untyped, number, size, count, names: names)))
                result.retypes += 1
            case .delete(let name):
                if call.error != 0 {
                    result.errorDisagreements.append("line \(call.line): the kernel refused to delete \(name) "
                                                     + "(\(seL4ErrorName(call.error)))")
                    continue
                }
                invocations.append(.delete(.named(name)))
                result.deletes += 1
            }
        }
        var expected: [String: UInt64] = [:]
        for object in objects { if let k = object.kernel { expected[object.name] = k } }
        let trace = Trace(window: window, mcs: false, untypeds: untypeds, invocations: invocations, expected: expected)
        result.trace = trace
        var probes: [(position: Int, retype: RetypeInvocation)] = []
        for (position, call) in failing {
            guard case .retype(let untyped, _, let number, let size, let count, _) = call.operation else { continue }
            let names = (0..<count).map { "refused\(call.line)_\($0)" }
            probes.append((position, retypeInvocation(untyped, number, size, count, names: names)))
        }
        let (replay, modelErrors) = try trace.replay(probing: probes)
        result.modelRefused = replay.error
        var modelAt: [String: UInt64] = [:]
        for o in replay.objects { modelAt[o.name] = o.paddr }

        // Errors: the model must refuse the same call, with the same error, in the same state.
        for ((position, call), modelError) in zip(failing, modelErrors) {
            result.kernelErrors += 1
            let kernelKind = seL4ErrorName(call.error)
            if let error = modelError, error.invocation == position, error.kind == kernelKind {
                result.errorsAgreeing += 1
            } else {
                let model = modelError.map { "\($0.kind)" } ?? "success"
                result.errorDisagreements.append("line \(call.line): kernel \(kernelKind), model \(model)")
            }
        }

        for object in objects {
            if let kernel = object.kernel {
                result.kernelAddresses += 1
                if modelAt[object.name] == kernel { result.modelAgreeing += 1 } else {
                    let model = modelAt[object.name].map(hex) ?? "none"
                    result.addressDisagreements.append("\(object.name): kernel \(hex(kernel)), model \(model)")
                }
                if kernel == object.planned { result.exact += 1 } else {
                    result.misplaced += 1
                    result.misplacedObjects.append(object)
                }
            } else {
                result.unchecked += 1
                if modelAt[object.name] == object.planned { result.modelMatchesPlan += 1 }
            }
        }
        return result
    }
}
