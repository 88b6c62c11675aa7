import Testing
@testable import UntypedCore

/// Drives the allocator against the kernel model for one untyped: every step the allocator
/// asks for is performed on the model, and the model's answer is what counts.
struct Drive<W: MachineWord> {
    var kernel: KernelUntyped<W>
    var state: UntypedState<W>
    var config: KernelConfig<W>
    var dummyRetypes = 0
    var deletes = 0
    var mispredictedDummies = 0
    var resets = 0
    /// Children alive in each hold group (the model's view).
    var holds: [W] = [0, 0]
    var liveChildren: W = 0

    init(paddr: W, pptr: W, sizeBits: W, isDevice: Bool, config: KernelConfig<W>) {
        kernel = KernelUntyped(pptr: pptr, sizeBits: sizeBits, freeIndex: KernelUntyped.fullFreeIndex(sizeBits: sizeBits),
                               isDevice: isDevice, hasChildren: false)
        state = .boot(paddr: paddr, sizeBits: sizeBits, isDevice: isDevice)
        self.config = config
    }

    /// Places one object; returns (believed paddr, kernel paddr) or the placement error.
    mutating func place(_ request: PlacementRequest<W>, strategy: Strategy = .offset) -> (believed: W, actual: W)? {
        for _ in 0..<1000 {
            let step = nextStep(state, request, strategy: strategy)
            if step.is(.fail) { return nil }
            if step.is(.deleteHold) {
                let g = step.hold == 0 ? 0 : 1
                liveChildren = liveChildren &- holds[g]
                holds[g] = 0
                deletes += 1
                kernel.hasChildren = liveChildren != 0
                state = apply(step, to: state)
                continue
            }
            let out = kernelRetype(kernel, .untypeds(sizeBits: step.sizeBits, count: step.count), config)
            #expect(out.error == 0)
            if out.reset && kernel.freeIndex != 0 && kernel.hasChildren == false && dummyRetypes + deletes > 0 { resets += 1 }
            kernel = out.untyped
            liveChildren = liveChildren &+ step.count
            let actual = (out.firstObject &- kernel.pptr) &+ state.paddr
            if step.is(.retypeObject) {
                state = apply(step, to: state)
                return (step.paddr, actual)
            }
            dummyRetypes += 1
            holds[step.hold == 0 ? 0 : 1] = step.count
            if actual != step.paddr { mispredictedDummies += 1 }
            state = apply(step, to: state)
        }
        return nil
    }
}

var x86Config: KernelConfig<UInt64> { KernelConfig<UInt64>(maxUntypedBits: 47, cnodeSlotBits: 5, capPtrStorage: .signExtended(48)) }
let x86Offset: UInt64 = 0xffff_ff80_0000_0000

@Test func reportedCaseKernelLog() {
    // Device untyped paddr 0x8000000000, sizeBits 46: pptr 0.
    var cap = KernelUntyped<UInt64>(pptr: 0x80_0000_0000 &+ x86Offset, sizeBits: 46,
                                    freeIndex: KernelUntyped.fullFreeIndex(sizeBits: 46), isDevice: true, hasChildren: false)
    #expect(cap.pptr == 0)
    let first = kernelRetype(cap, .untypeds(sizeBits: 39, count: 1), x86Config)
    #expect(first.error == 0 && first.reset && first.firstObject == 0)
    cap = first.untyped
    #expect(cap.freeIndex << 4 == 0x80_0000_0000)
    let second = kernelRetype(cap, .untypeds(sizeBits: 40, count: 1), x86Config)
    #expect(second.error == 0 && !second.reset)
    #expect(second.firstObject == 0x100_0000_0000)
    #expect(second.firstObject &- x86Offset == 0x180_0000_0000)
}

func frameRequest(_ target: UInt64, bits: UInt64 = 21, perRetype: UInt64 = 1) -> PlacementRequest<UInt64> {
    PlacementRequest(sizeBits: bits, count: 1, deviceAllowed: true, needsPhysicalAlignment: true,
                     hasTarget: true, target: target, maxDummiesPerRetype: perRetype)
}

@Test func reportedCaseOffsetStrategyLandsRight() {
    var d = Drive<UInt64>(paddr: 0x80_0000_0000, pptr: 0, sizeBits: 46, isDevice: true, config: x86Config)
    let placed = d.place(frameRequest(0xe00_0000_0000))
    #expect(placed?.believed == 0xe00_0000_0000)
    #expect(placed?.actual == 0xe00_0000_0000)
    #expect(d.dummyRetypes == 4)
    #expect(d.mispredictedDummies == 0)
}

@Test func reportedCaseAbsoluteStrategyLandsWrong() {
    var d = Drive<UInt64>(paddr: 0x80_0000_0000, pptr: 0, sizeBits: 46, isDevice: true, config: x86Config)
    let placed = d.place(frameRequest(0xe00_0000_0000), strategy: .absolute)
    #expect(placed?.believed == 0xe00_0000_0000)
    #expect(placed?.actual == 0xe80_0000_0000)
    #expect(d.mispredictedDummies > 0)
}

@Test func reportedCaseOneRetypeWith27Dummies() {
    var d = Drive<UInt64>(paddr: 0x80_0000_0000, pptr: 0, sizeBits: 46, isDevice: true, config: x86Config)
    let placed = d.place(frameRequest(0xe00_0000_0000, perRetype: 256))
    #expect(placed?.actual == 0xe00_0000_0000)
    #expect(d.dummyRetypes == 1)
}
