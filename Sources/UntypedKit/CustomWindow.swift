/// A kernel window given on the command line instead of by catalogue name:
///
///     custom:KEY=VALUE[,KEY=VALUE…]
///
/// e.g. `custom:bits=64,offset=0xffffff8000000000,device-top=0x800000000000,max-untyped-bits=47,capptr=sign48`.
/// Numbers are hex (`0x…`) or decimal. `like=NAME` starts from a catalogue configuration;
/// otherwise `bits` is required and the rest defaults from the word width. The resulting
/// window's name is the spec itself, so output files carrying it can be read back.
public enum CustomWindow {
    static let prefix = "custom:"

    /// The grammar, for `--help`.
    public static let grammar = """
        custom:KEY=VALUE,… (numbers hex or decimal; defaults 64-bit / 32-bit):
          like=NAME           start from catalogue configuration NAME
          bits=64|32          word width (required without like)
          offset=N            PPTR_BASE_OFFSET (0)
          paddr-base=N        PADDR_BASE (0)
          pptr-top=N          PPTR_TOP (0xffffffff80000000 / 0xfff00000)
          paddr-top=N         PADDR_TOP, instead of pptr-top
          device-top=N        end of device untypeds, exclusive (2^47 / 2^32)
          max-untyped-bits=N  seL4_MaxUntypedBits (47 / 29)
          capptr=C            signN, zeroN or drop4 (sign48 / drop4)
          freeindex-bits=N    capFreeIndex width (48 / 26)
          slot-bits=N         seL4_SlotBits (5 / 4)
          types=NAME          object types and TCB size of catalogue NAME
                              (x86_64 / aarch32-qemu-virt)
          tcb-bits=N          seL4_TCBBits
        """

    static let keys = ["like", "bits", "offset", "paddr-base", "pptr-top", "paddr-top", "device-top",
                       "max-untyped-bits", "capptr", "freeindex-bits", "slot-bits", "types", "tcb-bits"]

    /// Parses a `custom:` spec; errors start with `source` (e.g. `--arch`).
    static func parse(_ spec: String, source: String) throws(InputError) -> KernelWindow {
        var fields: [String: String] = [:]
        for item in spec.dropFirst(prefix.count).split(separator: ",", omittingEmptySubsequences: true) {
            let parts = item.split(separator: "=", maxSplits: 1).map { String($0).trimmed }
            guard parts.count == 2, !parts[1].isEmpty else {
                throw InputError("\(source): '\(item)' in custom window is not KEY=VALUE")
            }
            guard keys.contains(parts[0]) else {
                throw InputError("\(source): unknown key '\(parts[0])' in custom window (keys: \(keys.joined(separator: ", ")))")
            }
            guard fields.updateValue(parts[1], forKey: parts[0]) == nil else {
                throw InputError("\(source): key '\(parts[0])' given twice in custom window")
            }
        }
        let reader = Reader(fields: fields, source: source)

        var base: KernelWindow
        if let like = fields["like"] {
            guard let window = KernelWindow.named(like) else {
                throw InputError("\(source): like=\(like): unknown configuration (known: \(KernelWindow.catalogueNames))")
            }
            base = window
            if let bits = try reader.number("bits", below: 65), bits != UInt64(base.wordBits) {
                throw InputError("\(source): bits=\(bits) contradicts like=\(like) (\(base.wordBits)-bit)")
            }
        } else {
            guard let bits = try reader.number("bits", below: 65) else {
                throw InputError("\(source): custom window needs bits=64 or bits=32 (or like=NAME)")
            }
            guard bits == 64 || bits == 32 else { throw InputError("\(source): bits=\(bits): must be 64 or 32") }
            base = defaults(wordBits: Int(bits))
        }

        let w = base.wordBits
        let wordLimit: UInt64 = w == 64 ? .max : 1 << 32   // exclusive, except for 64 bits
        let types: KernelWindow
        if let name = fields["types"] {
            guard let window = KernelWindow.named(name), window.wordBits == w else {
                let fitting = KernelWindow.catalogue.filter { $0.wordBits == w }.map(\.name).joined(separator: ", ")
                throw InputError("\(source): types=\(name): not a \(w)-bit catalogue configuration (\(fitting))")
            }
            types = window
        } else {
            types = base
        }
        let offset = try reader.word("offset", wordBits: w) ?? base.pptrBaseOffset
        let paddrBase = try reader.word("paddr-base", wordBits: w) ?? base.paddrBase
        var pptrTop = try reader.word("pptr-top", wordBits: w) ?? base.pptrTop
        if let paddrTop = try reader.word("paddr-top", wordBits: w) {
            guard fields["pptr-top"] == nil else { throw InputError("\(source): give pptr-top or paddr-top, not both") }
            pptrTop = (paddrTop &+ offset) & base.wordMask
        }
        let deviceTop = try reader.number("device-top", from: 1, below: wordLimit, inclusive: w == 32) ?? base.deviceTop
        let maxUntypedBits = try reader.number("max-untyped-bits", from: 4, below: UInt64(w)) ?? base.maxUntypedBits
        let capPtr = try reader.capPtr(wordBits: w) ?? base.capPtr
        let freeIndexBits = try reader.number("freeindex-bits", from: 1, below: UInt64(w) + 1).map(Int.init) ?? base.freeIndexBits
        let slotBits = try reader.number("slot-bits", from: 1, below: UInt64(w)) ?? base.cnodeSlotBits
        let tcbBits = try reader.number("tcb-bits", from: 4, below: UInt64(w)) ?? types.tcbBits

        let window = KernelWindow(name: spec, summary: "custom window", wordBits: w, pptrBaseOffset: offset,
                                  paddrBase: paddrBase, pptrTop: pptrTop, deviceTop: deviceTop,
                                  maxUntypedBits: maxUntypedBits, capPtr: capPtr, freeIndexBits: freeIndexBits,
                                  cnodeSlotBits: slotBits, tcbBits: tcbBits, family: types.family,
                                  freeMemorySlots: base.freeMemorySlots)
        guard window.paddrBase < window.paddrTop else {
            throw InputError("\(source): empty kernel window: PADDR_BASE \(hex(window.paddrBase)) is not below PADDR_TOP \(hex(window.paddrTop))")
        }
        return window
    }

    /// The starting point of a spec without `like`.
    static func defaults(wordBits: Int) -> KernelWindow {
        let x86 = KernelWindow.named("x86_64")!, arm = KernelWindow.named("aarch32-qemu-virt")!
        let like = wordBits == 64 ? x86 : arm
        return KernelWindow(name: "custom", summary: "custom window", wordBits: wordBits, pptrBaseOffset: 0,
                            paddrBase: 0, pptrTop: like.pptrTop, deviceTop: like.deviceTop,
                            maxUntypedBits: like.maxUntypedBits, capPtr: like.capPtr,
                            freeIndexBits: like.freeIndexBits, cnodeSlotBits: like.cnodeSlotBits,
                            tcbBits: like.tcbBits, family: like.family, freeMemorySlots: like.freeMemorySlots)
    }

    /// Typed access to the key/value pairs, with errors naming the key.
    struct Reader {
        let fields: [String: String]
        let source: String

        /// A number in `from..<below` (or `from...below` when `inclusive`).
        func number(_ key: String, from: UInt64 = 0, below: UInt64, inclusive: Bool = false) throws(InputError) -> UInt64? {
            guard let text = fields[key] else { return nil }
            guard let value = parseUnsigned(text) else {
                throw InputError("\(source): \(key)=\(text): not a number (hex 0x… or decimal)")
            }
            guard value >= from, inclusive ? value <= below : value < below else {
                let top = inclusive ? below : below - 1
                throw InputError("\(source): \(key)=\(text): out of range \(from)...\(top)")
            }
            return value
        }

        /// A W-bit word.
        func word(_ key: String, wordBits: Int) throws(InputError) -> UInt64? {
            guard let text = fields[key] else { return nil }
            guard let value = parseUnsigned(text) else {
                throw InputError("\(source): \(key)=\(text): not a number (hex 0x… or decimal)")
            }
            guard wordBits == 64 || value >> 32 == 0 else {
                throw InputError("\(source): \(key)=\(text): does not fit in a \(wordBits)-bit word")
            }
            return value
        }

        func capPtr(wordBits: Int) throws(InputError) -> CapPtrLayout? {
            guard let text = fields["capptr"] else { return nil }
            if text == "drop4" { return .dropLow4 }
            for (prefix, make) in [("sign", CapPtrLayout.signExtended), ("zero", CapPtrLayout.zeroExtended)]
            where text.hasPrefix(prefix) {
                if let bits = Int(text.dropFirst(prefix.count)), bits >= 2, bits <= wordBits { return make(bits) }
            }
            throw InputError("\(source): capptr=\(text): expected signN, zeroN (2 <= N <= \(wordBits)) or drop4")
        }
    }
}
