/// A capability in a trace: a bootinfo untyped by index, or a cap the trace created, by name.
public enum CapRef: Hashable, Sendable, CustomStringConvertible {
    case boot(Int)
    case named(String)

    public var description: String {
        switch self {
        case .boot(let index): return "untyped \(index)"
        case .named(let name): return "'\(name)'"
        }
    }

    public var json: JSONValue {
        switch self {
        case .boot(let index): return .int(index)
        case .named(let name): return .string(name)
        }
    }
}

/// One `seL4_Untyped_Retype`.
public struct RetypeInvocation: Equatable, Sendable {
    /// The untyped invoked.
    public var untyped: CapRef
    public var target: RetypeTarget
    /// The size argument (`userObjSize`): bits for untypeds and SchedContexts, the radix for
    /// CNodes, only range-checked for fixed-size types.
    public var userObjSize: UInt64
    /// `nodeWindow`: number of objects.
    public var count: UInt64
    /// Names of the new caps, one per object.
    public var names: [String]

    public init(untyped: CapRef, target: RetypeTarget, userObjSize: UInt64, names: [String]) {
        self.untyped = untyped
        self.target = target
        self.userObjSize = userObjSize
        self.count = UInt64(names.count)
        self.names = names
    }
}

/// One step of a trace.
public enum Invocation: Equatable, Sendable {
    case retype(RetypeInvocation)
    /// `seL4_CNode_Delete` of a cap.
    case delete(CapRef)
    /// `seL4_CNode_Copy` of `source` into a new cap called `name`.
    case copy(source: CapRef, name: String)

    public var operation: String {
        switch self {
        case .retype: return "retype"
        case .delete: return "delete"
        case .copy: return "copy"
        }
    }
}

/// The trace format: an untyped list plus the invocations to replay on it.
///
///     {"arch": "x86_64", "mcs": false,
///      "untypeds": [{"paddr": "0x8000000000", "sizeBits": 46, "isDevice": true}],
///      "invocations": [
///        {"op": "retype", "untyped": 0, "type": "untyped", "sizeBits": 39, "count": 1, "names": ["d0"]},
///        {"op": "copy", "name": "d0", "as": "d0copy"},
///        {"op": "delete", "name": "d0copy"}],
///      "expected": {"d0": "0x8000000000"}}
///
/// `untyped`/`name` is an index into `untypeds` or the name of a cap created earlier; `type`
/// is a type name (see `KernelWindow.resolveObjectType`) or a raw type number; `count`
/// defaults to the number of names; names are unique across the trace. `expected` gives the
/// paddr an allocator predicted for named objects.
public struct Trace {
    public var window: KernelWindow
    public var mcs: Bool
    public var untypeds: [UntypedDescriptor]
    public var invocations: [Invocation]
    /// Predicted paddr per object name.
    public var expected: [String: UInt64]

    public init(window: KernelWindow, mcs: Bool, untypeds: [UntypedDescriptor], invocations: [Invocation],
                expected: [String: UInt64] = [:]) {
        self.window = window
        self.mcs = mcs
        self.untypeds = untypeds
        self.invocations = invocations
        self.expected = expected
    }

    /// Parses and validates the format. `arch` (from `--arch`) replaces the file's `"arch"`;
    /// `mcs` (from `--mcs`) turns MCS on whatever the file says.
    public init(json: JSONNode, arch: KernelWindow?, mcs: Bool) throws(InputError) {
        let object = try json.object(allowing: ["arch", "mcs", "untypeds", "invocations", "expected"])
        let window = try UntypedList.window(of: object, override: arch)
        let fileMCS = try object.optional("mcs")?.bool() ?? false
        let isMCS = mcs || fileMCS
        let untypeds = try UntypedList.untypeds(in: object, window: window)
        var invocations: [Invocation] = []
        for node in try object.required("invocations").array() {
            invocations.append(try Trace.invocation(node, window: window, mcs: isMCS))
        }
        var expected: [String: UInt64] = [:]
        if let node = object.optional("expected") {
            for (name, value) in try node.map().entries {
                expected[name] = try value.address(limit: window.wordMask, "does not fit in a \(window.wordBits)-bit word")
            }
        }
        self.init(window: window, mcs: isMCS, untypeds: untypeds, invocations: invocations, expected: expected)
        try validate()
    }

    static func invocation(_ node: JSONNode, window: KernelWindow, mcs: Bool) throws(InputError) -> Invocation {
        let op = try node.map().required("op")
        switch try op.string() {
        case "retype":
            return .retype(try retype(node, window: window, mcs: mcs))
        case "delete":
            let fields = try node.object(allowing: ["op", "name"])
            return .delete(try capRef(fields.required("name")))
        case "copy":
            let fields = try node.object(allowing: ["op", "name", "as"])
            return .copy(source: try capRef(fields.required("name")), name: try fields.required("as").string())
        case let other:
            throw op.error("unknown operation '\(other)' (expected retype, delete, copy)")
        }
    }

    static func retype(_ node: JSONNode, window: KernelWindow, mcs: Bool) throws(InputError) -> RetypeInvocation {
        let fields = try node.object(allowing: ["op", "untyped", "type", "sizeBits", "count", "names"])
        let word = "for a \(window.wordBits)-bit word"
        let sizeNode = fields.optional("sizeBits")
        let userObjSize = try sizeNode?.unsigned(in: 0...window.wordMask, word)
        let typeNode = try fields.required("type")
        let target: RetypeTarget
        switch try typeNode.indexOrName() {
        case .index(let number):
            target = window.retypeTarget(number: number, mcs: mcs)
        case .name(let name):
            switch window.resolveObjectType(name, sizeBits: userObjSize, mcs: mcs) {
            case .success(let type): target = .type(type)
            case .failure(let error): throw typeNode.error(error.description)
            }
        }
        if case .type(let type) = target, sizeNode == nil, !type.isFixedSize {
            throw node.error("a retype to \(type.name) needs sizeBits")
        }
        var names: [String] = []
        for item in try fields.required("names").array() { names.append(try item.string()) }
        var retype = RetypeInvocation(untyped: try capRef(fields.required("untyped")), target: target,
                                      userObjSize: userObjSize ?? 0, names: names)
        if let countNode = fields.optional("count") {
            retype.count = try countNode.unsigned(in: 0...window.wordMask, word)
        }
        return retype
    }

    static func capRef(_ node: JSONNode) throws(InputError) -> CapRef {
        switch try node.indexOrName() {
        case .index(let i):
            guard let index = Int(exactly: i) else { throw node.error("\(i) is not a live bootinfo untyped (index too large)") }
            return .boot(index)
        case .name(let name): return .named(name)
        }
    }

    /// The checks that make a trace replayable (bad ones are input errors, exit 2, not
    /// kernel errors): every reference names a live cap created earlier, retypes invoke
    /// untypeds, there is one name per object and no name is used twice, expectations name
    /// objects the trace creates.
    public func validate() throws(InputError) {
        var live: [CapRef: Bool] = [:]          // cap → is an untyped
        var origin: [String: Int] = [:]         // name → invocation that created it
        var objects: Set<String> = []
        for index in untypeds.indices { live[.boot(index)] = true }

        func check(_ ref: CapRef, _ path: String, at i: Int) throws(InputError) -> Bool {
            if let isUntyped = live[ref] { return isUntyped }
            switch ref {
            case .boot(let index):
                throw InputError("\(path): \(index) is not a live bootinfo untyped (untypeds has \(untypeds.count))")
            case .named(let name):
                let when = origin[name].map { _ in "deleted before invocation \(i)" } ?? "not created before invocation \(i)"
                throw InputError("\(path): no cap named '\(name)' (\(when))")
            }
        }
        func define(_ name: String, _ path: String, at i: Int, isUntyped: Bool) throws(InputError) {
            guard !name.isEmpty else { throw InputError("\(path): empty name") }
            if let first = origin[name] {
                throw InputError("\(path): name '\(name)' is already used by invocations[\(first)]")
            }
            origin[name] = i
            live[.named(name)] = isUntyped
        }

        for (i, invocation) in invocations.enumerated() {
            let path = "invocations[\(i)]"
            switch invocation {
            case .retype(let r):
                guard try check(r.untyped, "\(path).untyped", at: i) else {
                    throw InputError("\(path).untyped: \(r.untyped) is not an untyped")
                }
                guard UInt64(r.names.count) == r.count else {
                    throw InputError("\(path).names: \(r.names.count) name\(r.names.count == 1 ? "" : "s") for count \(r.count)")
                }
                var isUntyped = false
                if case .type(let type) = r.target { isUntyped = type.sizing == .untyped }
                for (k, name) in r.names.enumerated() {
                    try define(name, "\(path).names[\(k)]", at: i, isUntyped: isUntyped)
                    objects.insert(name)
                }
            case .delete(let ref):
                _ = try check(ref, "\(path).name", at: i)
                live[ref] = nil
            case .copy(let source, let name):
                let isUntyped = try check(source, "\(path).name", at: i)
                try define(name, "\(path).as", at: i, isUntyped: isUntyped)
            }
        }
        for name in expected.keys.sorted() where !objects.contains(name) {
            throw InputError("expected.\(name): no retype in the trace creates '\(name)'")
        }
    }

    /// The document (what a planner writes).
    public var json: JSONValue {
        var fields: [(String, JSONValue)] = [("arch", .string(window.name))]
        if mcs { fields.append(("mcs", .bool(true))) }
        fields.append(("untypeds", .array(untypeds.map(\.json))))
        fields.append(("invocations", .array(invocations.map(\.json))))
        if !expected.isEmpty {
            fields.append(("expected", .object(expected.keys.sorted().map { ($0, .address(expected[$0]!)) })))
        }
        return .object(fields)
    }
}

extension Invocation {
    public var json: JSONValue {
        switch self {
        case .retype(let r):
            let type: JSONValue
            var fields: [(String, JSONValue)] = [("op", .string("retype")), ("untyped", r.untyped.json)]
            switch r.target {
            case .type(let t): type = .string(t.name)
            case .invalidNumber(let n): type = .number(n)
            }
            fields.append(("type", type))
            fields.append(("sizeBits", .number(r.userObjSize)))
            fields.append(("count", .number(r.count)))
            fields.append(("names", .array(r.names.map(JSONValue.string))))
            return .object(fields)
        case .delete(let ref):
            return .object([("op", .string("delete")), ("name", ref.json)])
        case .copy(let source, let name):
            return .object([("op", .string("copy")), ("name", source.json), ("as", .string(name))])
        }
    }
}

extension ObjectType {
    /// The size argument does not change the object size.
    var isFixedSize: Bool {
        if case .fixed = sizing { return true }
        return false
    }
}
