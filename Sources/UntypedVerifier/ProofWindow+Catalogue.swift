import UntypedKit

extension ProofWindow {
    /// The proof-relevant numbers of a catalogue (or custom) kernel window.
    public init(_ w: KernelWindow) {
        let (kind, bits): (UInt64, UInt64) = switch w.capPtr {
        case .signExtended(let b): (0, UInt64(b))
        case .zeroExtended(let b): (1, UInt64(b))
        case .dropLow4: (2, 0)
        }
        self.init(name: w.name, wordBits: w.wordBits, pptrBaseOffset: w.pptrBaseOffset, maxUntypedBits: w.maxUntypedBits,
                  cnodeSlotBits: w.cnodeSlotBits, capPtrKind: kind, capPtrBits: bits, deviceTop: w.deviceTop,
                  paddrBase: w.paddrBase, paddrTop: w.paddrTop)
        kernelWindow = w
    }

    /// The window a name stands for: `any-64`, `any-32`, a catalogue configuration or a
    /// `custom:` window. Errors start with `source`.
    public static func resolve(_ name: String, source: String) throws(InputError) -> ProofWindow {
        switch name {
        case "any-64": return .any(wordBits: 64)
        case "any-32": return .any(wordBits: 32)
        default: return ProofWindow(try KernelWindow.resolve(name, source: source))
        }
    }
}
