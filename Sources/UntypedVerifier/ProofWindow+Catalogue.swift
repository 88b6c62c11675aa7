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
}
