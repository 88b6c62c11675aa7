/// The hand-written spec functions of specs/kernel-W.smt2 (`kW.*`) and
/// specs/invariants-W.smt2 (`invW.*`) the obligations use, with Swift signatures.
/// `signatures` lists each one's parameter and result sorts; a test checks the list
/// against the specs' `define-fun`s, and every call checks its arguments against it.
struct SpecFunctions: Sendable {
    let wordBits: Int

    /// The two spec files: kernel semantics (`kW.`) and invariants (`invW.`).
    enum File: String, Sendable, CaseIterable {
        case kernel = "k"
        case invariants = "inv"
    }

    /// One spec function as the obligations call it.
    struct Signature: Sendable {
        let file: File
        let name: String
        let parameters: [TermSort]
        let result: TermSort

        func fullName(wordBits: Int) -> String { "\(file.rawValue)\(wordBits).\(name)" }
    }

    private static let bv = TermSort.bitVector, bool = TermSort.bool
    /// The retype's 14 arguments (kW.retype-*): cap-pptr, block-size, free-index, is-device,
    /// has-children, type-valid, obj-class, fixed-size, device-ok, user-size, count,
    /// max-untyped-bits, slot-bits, min-sc-bits.
    private static let retypeParameters: [TermSort] = [bv, bv, bv, bool, bool, bool, bv, bv, bool, bv, bv, bv, bv, bv]

    /// Every spec function the obligations call.
    static let signatures: [Signature] = [
        Signature(file: .kernel, name: "bit", parameters: [bv], result: bv),
        Signature(file: .kernel, name: "mask", parameters: [bv], result: bv),
        Signature(file: .kernel, name: "align-up", parameters: [bv, bv], result: bv),
        Signature(file: .kernel, name: "object-size", parameters: [bv, bv, bv, bv], result: bv),
        Signature(file: .kernel, name: "retype-error", parameters: retypeParameters, result: bv),
        Signature(file: .kernel, name: "retype-reset", parameters: retypeParameters, result: bool),
        Signature(file: .kernel, name: "retype-aligned-free-ref", parameters: retypeParameters, result: bv),
        Signature(file: .kernel, name: "retype-new-free-index", parameters: retypeParameters, result: bv),
        Signature(file: .kernel, name: "boot-cut-size", parameters: [bv, bv, bv], result: bv),
        Signature(file: .kernel, name: "boot-cut-emits", parameters: [bv, bv, bv], result: bool),
        Signature(file: .kernel, name: "boot-cut-next", parameters: [bv, bv, bv], result: bv),
        Signature(file: .kernel, name: "capptr-load", parameters: [bv, bv, bv], result: bv),
        Signature(file: .invariants, name: "aligned", parameters: [bv, bv], result: bool),
        Signature(file: .invariants, name: "untyped-ok", parameters: [bv, bv, bv], result: bool),
        Signature(file: .invariants, name: "mirrors", parameters: [bv, bv, bool], result: bool),
        Signature(file: .invariants, name: "placed", parameters: [bv, bv, bv, bv], result: bool),
        Signature(file: .invariants, name: "in-bounds", parameters: [bv, bv, bv], result: bool),
        Signature(file: .invariants, name: "no-overlap", parameters: [bv, bv], result: bool),
        Signature(file: .invariants, name: "dummy-before-target", parameters: [bv, bv], result: bool),
        Signature(file: .invariants, name: "offset-watermark", parameters: [bv, bool], result: bv),
        Signature(file: .invariants, name: "offset-retype-error", parameters: Array(retypeParameters.dropFirst()), result: bv),
        Signature(file: .invariants, name: "offset-retype-start", parameters: [bv, bool, bv], result: bv),
        Signature(file: .invariants, name: "offset-retype-end", parameters: [bv, bool, bv, bv], result: bv),
    ]

    /// Applies spec function `name` of `file`, checking the call against its signature.
    private func call<T: Term>(_ file: File, _ name: String, _ arguments: [any Term]) -> T {
        let signature = Self.signatures.first { $0.file == file && $0.name == name }
        assert(signature != nil, "no signature for spec function \(file.rawValue).\(name)")
        assert(signature?.parameters == arguments.map { type(of: $0).sort } && signature?.result == T.sort,
               "spec function \(file.rawValue).\(name) called against its signature")
        return .apply(signature?.fullName(wordBits: wordBits) ?? name, arguments)
    }

    // MARK: kW.* (specs/kernel-W.smt2)

    /// `BIT(n)`.
    func bit(_ n: BVTerm) -> BVTerm { call(.kernel, "bit", [n]) }
    /// `MASK(n)`: the low n bits set.
    func mask(_ n: BVTerm) -> BVTerm { call(.kernel, "mask", [n]) }
    /// `ROUND_UP(x, bits)`.
    func alignUp(_ x: BVTerm, bits: BVTerm) -> BVTerm { call(.kernel, "align-up", [x, bits]) }
    /// `getObjectSize`.
    func objectSize(objectClass: BVTerm, fixedSize: BVTerm, userSize: BVTerm, slotBits: BVTerm) -> BVTerm {
        call(.kernel, "object-size", [objectClass, fixedSize, userSize, slotBits])
    }

    /// The arguments of an Untyped_Retype after the cap's pointer, as the kW.retype-* functions
    /// (after `capPtr`) and the invW.offset-retype-* functions take them.
    struct Retype {
        var blockSize: BVTerm
        var freeIndex: BVTerm
        var isDevice: BoolTerm
        var hasChildren: BoolTerm
        var typeValid: BoolTerm
        var objectClass: BVTerm
        var fixedSize: BVTerm
        var deviceAllowed: BoolTerm
        var userSize: BVTerm
        var count: BVTerm
        var maxUntypedBits: BVTerm
        var slotBits: BVTerm
        var minSchedContextBits: BVTerm

        var arguments: [any Term] {
            [blockSize, freeIndex, isDevice, hasChildren, typeValid, objectClass, fixedSize, deviceAllowed,
             userSize, count, maxUntypedBits, slotBits, minSchedContextBits]
        }
    }

    func retypeError(capPtr: BVTerm, _ r: Retype) -> BVTerm { call(.kernel, "retype-error", [capPtr] + r.arguments) }
    func retypeReset(capPtr: BVTerm, _ r: Retype) -> BoolTerm { call(.kernel, "retype-reset", [capPtr] + r.arguments) }
    func retypeAlignedFreeRef(capPtr: BVTerm, _ r: Retype) -> BVTerm { call(.kernel, "retype-aligned-free-ref", [capPtr] + r.arguments) }
    func retypeNewFreeIndex(capPtr: BVTerm, _ r: Retype) -> BVTerm { call(.kernel, "retype-new-free-index", [capPtr] + r.arguments) }

    func bootCutSize(start: BVTerm, end: BVTerm, maxBits: BVTerm) -> BVTerm { call(.kernel, "boot-cut-size", [start, end, maxBits]) }
    func bootCutEmits(start: BVTerm, end: BVTerm, maxBits: BVTerm) -> BoolTerm { call(.kernel, "boot-cut-emits", [start, end, maxBits]) }
    func bootCutNext(start: BVTerm, end: BVTerm, maxBits: BVTerm) -> BVTerm { call(.kernel, "boot-cut-next", [start, end, maxBits]) }
    /// The pointer read back from an untyped cap (storage `kind`, `bits`).
    func capPtrLoad(_ pointer: BVTerm, kind: BVTerm, bits: BVTerm) -> BVTerm { call(.kernel, "capptr-load", [pointer, kind, bits]) }

    // MARK: invW.* (specs/invariants-W.smt2)

    func aligned(_ x: BVTerm, bits: BVTerm) -> BoolTerm { call(.invariants, "aligned", [x, bits]) }
    func untypedOk(pptr: BVTerm, size: BVTerm, maxBits: BVTerm) -> BoolTerm { call(.invariants, "untyped-ok", [pptr, size, maxBits]) }
    func mirrors(watermark: BVTerm, freeIndex: BVTerm, hasChildren: BoolTerm) -> BoolTerm {
        call(.invariants, "mirrors", [watermark, freeIndex, hasChildren])
    }
    func placed(object: BVTerm, capPtr: BVTerm, basePaddr: BVTerm, target: BVTerm) -> BoolTerm {
        call(.invariants, "placed", [object, capPtr, basePaddr, target])
    }
    func inBounds(offset: BVTerm, size: BVTerm, untypedSize: BVTerm) -> BoolTerm { call(.invariants, "in-bounds", [offset, size, untypedSize]) }
    func noOverlap(previousEnd: BVTerm, offset: BVTerm) -> BoolTerm { call(.invariants, "no-overlap", [previousEnd, offset]) }
    func dummyBeforeTarget(dummyEnd: BVTerm, targetOffset: BVTerm) -> BoolTerm {
        call(.invariants, "dummy-before-target", [dummyEnd, targetOffset])
    }
    /// The watermark a retype starts from, in bytes from the untyped's base (0 after a reset).
    func offsetWatermark(freeIndex: BVTerm, hasChildren: BoolTerm) -> BVTerm {
        call(.invariants, "offset-watermark", [freeIndex, hasChildren])
    }
    /// The kernel's retype error seen from the untyped's base (no cap pointer).
    func offsetRetypeError(_ r: Retype) -> BVTerm { call(.invariants, "offset-retype-error", r.arguments) }
    func offsetRetypeStart(freeIndex: BVTerm, hasChildren: BoolTerm, objectSize: BVTerm) -> BVTerm {
        call(.invariants, "offset-retype-start", [freeIndex, hasChildren, objectSize])
    }
    func offsetRetypeEnd(freeIndex: BVTerm, hasChildren: BoolTerm, objectSize: BVTerm, count: BVTerm) -> BVTerm {
        call(.invariants, "offset-retype-end", [freeIndex, hasChildren, objectSize, count])
    }
}
