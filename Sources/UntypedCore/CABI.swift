// The C ABI of the allocator, for root tasks written in C (include/untyped_alloc.h).
//
// Three functions over plain words: initialise the state of one bootinfo untyped, ask for
// the next step of a placement request, confirm that the step was performed. Words are the
// platform word (`size_t` in the generated header, `untyped_word_t` = `uintptr_t` in the
// hand-written one: the same type on every seL4 target, checked by embedded/build.sh).
//
// C cannot see Swift structs, so the allocator state and a step travel as small arrays of
// words with a fixed layout (the field indices below, `UNTYPED_ALLOC_STATE_*` and
// `UNTYPED_ALLOC_STEP_*` in the header). The request is passed as scalars.
//
// Only the default strategy (`.offset`) is reachable from C. Everything here is inlined
// into the three exported functions: no allocation, no runtime calls, no globals.

/// The word the core computes with in the C ABI: the platform word. The compilation
/// condition `UNTYPED_CABI_WORD32` forces 32-bit words on a 64-bit host; embedded/build.sh
/// uses it only to produce the 32-bit reference output on the build machine.
#if _pointerBitWidth(_64) && !UNTYPED_CABI_WORD32
typealias CABIWord = UInt64
#else
typealias CABIWord = UInt32
#endif

// Layout of the state array (`UNTYPED_ALLOC_STATE_WORDS` = 8 words).
//   0 paddr, 1 sizeBits, 2 isDevice (0/1), 3 watermark, 4 liveObjects, 5 hold0, 6 hold1, 7 nextHold
// Layout of the step array (`UNTYPED_ALLOC_STEP_WORDS` = 6 words).
//   0 kind, 1 sizeBits, 2 count, 3 hold, 4 paddr, 5 error

@inline(__always)
private func word(_ value: UInt) -> CABIWord { CABIWord(truncatingIfNeeded: value) }

@inline(__always)
private func cWord(_ value: CABIWord) -> UInt { UInt(truncatingIfNeeded: value) }

@inline(__always)
private func loadState(_ s: UnsafePointer<UInt>) -> UntypedState<CABIWord> {
    UntypedState(paddr: word(s[0]), sizeBits: word(s[1]), isDevice: s[2] != 0,
                 watermark: word(s[3]), liveObjects: word(s[4]),
                 hold0: word(s[5]), hold1: word(s[6]), nextHold: word(s[7]))
}

@inline(__always)
private func storeState(_ state: UntypedState<CABIWord>, _ s: UnsafeMutablePointer<UInt>) {
    s[0] = cWord(state.paddr)
    s[1] = cWord(state.sizeBits)
    s[2] = state.isDevice ? 1 : 0
    s[3] = cWord(state.watermark)
    s[4] = cWord(state.liveObjects)
    s[5] = cWord(state.hold0)
    s[6] = cWord(state.hold1)
    s[7] = cWord(state.nextHold)
}

@inline(__always)
private func loadStep(_ p: UnsafePointer<UInt>) -> Step<CABIWord> {
    Step(kind: word(p[0]), sizeBits: word(p[1]), count: word(p[2]),
         hold: word(p[3]), paddr: word(p[4]), error: word(p[5]))
}

@inline(__always)
private func storeStep(_ step: Step<CABIWord>, _ p: UnsafeMutablePointer<UInt>) {
    p[0] = cWord(step.kind)
    p[1] = cWord(step.sizeBits)
    p[2] = cWord(step.count)
    p[3] = cWord(step.hold)
    p[4] = cWord(step.paddr)
    p[5] = cWord(step.error)
}

/// `untyped_alloc_init`: the state of a bootinfo untyped (`seL4_UntypedDesc`), which the
/// kernel hands over full and without children. Returns false (and writes nothing) when
/// `size_bits` is not a valid untyped size for this word (4 ≤ size_bits < word bits).
@c(untyped_alloc_init)
public func untypedAllocInit(_ state: UnsafeMutablePointer<UInt>, _ paddr: UInt,
                             _ size_bits: UInt8, _ is_device: UInt8) -> Bool {
    let bits = CABIWord(truncatingIfNeeded: size_bits)
    guard bits >= KernelConstants.minUntypedBits() && bits < CABIWord.width else { return false }
    storeState(.boot(paddr: word(paddr), sizeBits: bits, isDevice: is_device != 0), state)
    return true
}

/// `untyped_alloc_next_step`: what to do next for a request, written to `step`; returns
/// the step kind. Does not change the state.
@c(untyped_alloc_next_step)
public func untypedAllocNextStep(_ state: UnsafePointer<UInt>,
                                 _ size_bits: UInt, _ count: UInt,
                                 _ device_allowed: Bool, _ needs_phys_align: Bool,
                                 _ has_target: Bool, _ target: UInt,
                                 _ max_dummies_per_retype: UInt,
                                 _ step: UnsafeMutablePointer<UInt>) -> UInt {
    let request = PlacementRequest<CABIWord>(
        sizeBits: word(size_bits), count: word(count), deviceAllowed: device_allowed,
        needsPhysicalAlignment: needs_phys_align, hasTarget: has_target, target: word(target),
        maxDummiesPerRetype: word(max_dummies_per_retype))
    let next = nextStep(loadState(state), request, strategy: Strategy.offset)
    storeStep(next, step)
    return cWord(next.kind)
}

/// `untyped_alloc_confirm`: the root task performed `step` successfully; update the state.
@c(untyped_alloc_confirm)
public func untypedAllocConfirm(_ state: UnsafeMutablePointer<UInt>, _ step: UnsafePointer<UInt>) {
    storeState(apply(loadStep(step), to: loadState(UnsafePointer(state))), state)
}
