import Foundation
import Testing
@testable import UntypedCore

// The C ABI (CABI.swift, include/untyped_alloc.h) called from Swift, exactly as a C root
// task calls it: word arrays for the state and the step, scalars for the request. Every
// retype the allocator asks for is also performed on the kernel model, which says where
// the kernel really puts the objects. embedded/build.sh runs the same entry points on six
// ISAs; these tests pin the reported case, the error codes and the header's numbering.

/// The `NAME = value` enumerators and `#define NAME value` constants of the C header.
private let header: [String: UInt] = {
    let path = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("include/untyped_alloc.h").path
    var constants: [String: UInt] = [:]
    for line in ((try? String(contentsOfFile: path, encoding: .utf8)) ?? "").split(separator: "\n") {
        let words = line.split(whereSeparator: { " \t=,".contains($0) })
        let start = words.first == "#define" ? 1 : 0
        guard words.count > start + 1, words[start].hasPrefix("UNTYPED_ALLOC_"),
              let value = UInt(words[start + 1]) else { continue }
        constants[String(words[start])] = value
    }
    return constants
}()

private func constant(_ name: String) -> Int {
    guard let value = header[name] else {
        Issue.record("\(name) missing from include/untyped_alloc.h")
        return 0
    }
    return Int(value)
}

/// One untyped driven through the C entry points, with the kernel model alongside.
private struct CRootTask {
    var state = [UInt](repeating: 0, count: constant("UNTYPED_ALLOC_STATE_WORDS"))
    var kernel: KernelUntyped<UInt64>
    var config: KernelConfig<UInt64>
    let paddr: UInt
    var dummyRetypes = 0
    var deletes = 0
    var liveChildren: UInt64 = 0
    var held: [UInt64] = [0, 0]
    /// Where the kernel model put the first object of the last retype.
    var landed: UInt = 0

    init(paddr: UInt, sizeBits: UInt8, isDevice: Bool, pptrOffset: UInt64, config: KernelConfig<UInt64>) {
        self.paddr = paddr
        self.config = config
        kernel = KernelUntyped(pptr: UInt64(paddr) &+ pptrOffset, sizeBits: UInt64(sizeBits),
                               freeIndex: KernelUntyped.fullFreeIndex(sizeBits: UInt64(sizeBits)),
                               isDevice: isDevice, hasChildren: false)
        let ok = state.withUnsafeMutableBufferPointer {
            untypedAllocInit($0.baseAddress!, paddr, sizeBits, isDevice ? 1 : 0)
        }
        #expect(ok)
    }

    /// Runs one request to its end; returns the final step (object or failure).
    mutating func place(sizeBits: UInt, count: UInt = 1, deviceAllowed: Bool = true, physAlign: Bool = true,
                        target: UInt?, perRetype: UInt = 1, absolute: Bool = false) -> [UInt] {
        var step = [UInt](repeating: 0, count: constant("UNTYPED_ALLOC_STEP_WORDS"))
        for _ in 0..<1000 {
            let kind = state.withUnsafeBufferPointer { s in
                step.withUnsafeMutableBufferPointer { p in
                    absolute
                        ? untypedAllocNextStepAbsolute(s.baseAddress!, sizeBits, count, deviceAllowed, physAlign,
                                                       target != nil, target ?? 0, perRetype, p.baseAddress!)
                        : untypedAllocNextStep(s.baseAddress!, sizeBits, count, deviceAllowed, physAlign,
                                               target != nil, target ?? 0, perRetype, p.baseAddress!)
                }
            }
            #expect(kind == step[constant("UNTYPED_ALLOC_STEP_KIND")])
            let n = UInt64(step[constant("UNTYPED_ALLOC_STEP_COUNT")])
            let group = Int(step[constant("UNTYPED_ALLOC_STEP_HOLD")])
            switch Int(kind) {
            case constant("UNTYPED_ALLOC_FAIL"):
                return step
            case constant("UNTYPED_ALLOC_DELETE_HOLD"):
                #expect(held[group] == n)
                liveChildren -= n
                held[group] = 0
                kernel.hasChildren = liveChildren != 0
                deletes += 1
            default:
                // A retype: the kernel must put the first object where the step says.
                let out = kernelRetype(kernel, .untypeds(sizeBits: UInt64(step[constant("UNTYPED_ALLOC_STEP_SIZE_BITS")]),
                                                         count: n), config)
                #expect(out.error == 0)
                landed = UInt(out.firstObject &- kernel.pptr) &+ paddr
                // (the absolute strategy is wrong by design: it is checked by its test)
                if !absolute { #expect(landed == step[constant("UNTYPED_ALLOC_STEP_PADDR")]) }
                kernel = out.untyped
                liveChildren += n
                if Int(kind) == constant("UNTYPED_ALLOC_RETYPE_DUMMIES") {
                    held[group] = n
                    dummyRetypes += 1
                }
            }
            state.withUnsafeMutableBufferPointer { s in
                step.withUnsafeBufferPointer { untypedAllocConfirm(s.baseAddress!, $0.baseAddress!) }
            }
            if Int(kind) == constant("UNTYPED_ALLOC_RETYPE_OBJECT") { return step }
        }
        Issue.record("no end after 1000 steps")
        return step
    }
}

private var x86_64: KernelConfig<UInt64> { .init(maxUntypedBits: 47, cnodeSlotBits: 5, capPtrStorage: .signExtended(48)) }
private let x86_64Offset: UInt64 = 0xffff_ff80_0000_0000

#if _pointerBitWidth(_64)
@Test func cReportedCaseOneDummyPerRetype() {
    var task = CRootTask(paddr: 0x80_0000_0000, sizeBits: 46, isDevice: true, pptrOffset: x86_64Offset, config: x86_64)
    let step = task.place(sizeBits: 21, target: 0xe00_0000_0000)
    #expect(step[constant("UNTYPED_ALLOC_STEP_KIND")] == UInt(constant("UNTYPED_ALLOC_RETYPE_OBJECT")))
    #expect(step[constant("UNTYPED_ALLOC_STEP_PADDR")] == 0xe00_0000_0000)
    #expect(task.dummyRetypes == 4)
    #expect(task.deletes == 2)
}

/// `untyped_alloc_next_step_absolute` reproduces the reported bug: it believes the frame is
/// at the target, the kernel puts it 2^39 bytes higher.
@Test func cAbsoluteStrategyMisplacesTheReportedCase() {
    var task = CRootTask(paddr: 0x80_0000_0000, sizeBits: 46, isDevice: true, pptrOffset: x86_64Offset, config: x86_64)
    let step = task.place(sizeBits: 21, target: 0xe00_0000_0000, absolute: true)
    #expect(step[constant("UNTYPED_ALLOC_STEP_KIND")] == UInt(constant("UNTYPED_ALLOC_RETYPE_OBJECT")))
    #expect(step[constant("UNTYPED_ALLOC_STEP_PADDR")] == 0xe00_0000_0000)
    #expect(task.landed == 0xe80_0000_0000)
}

@Test func cReportedCaseOneRetypeOf27() {
    var task = CRootTask(paddr: 0x80_0000_0000, sizeBits: 46, isDevice: true, pptrOffset: x86_64Offset, config: x86_64)
    let step = task.place(sizeBits: 21, target: 0xe00_0000_0000, perRetype: 256)
    #expect(step[constant("UNTYPED_ALLOC_STEP_PADDR")] == 0xe00_0000_0000)
    #expect(task.dummyRetypes == 1)
    #expect(task.held == [27, 0])
}
#endif

@Test func cBadRequestsFailWithTheirErrorCode() {
    var task = CRootTask(paddr: 0x10_0000, sizeBits: 20, isDevice: false, pptrOffset: x86_64Offset, config: x86_64)
    let before = task.state
    let cases: [(String, [UInt])] = [
        ("UNTYPED_ALLOC_ERR_BAD_COUNT", task.place(sizeBits: 12, count: 0, target: 0x10_0000)),
        ("UNTYPED_ALLOC_ERR_BAD_COUNT", task.place(sizeBits: 12, count: 257, target: 0x10_0000)),
        ("UNTYPED_ALLOC_ERR_BAD_COUNT", task.place(sizeBits: 12, target: 0x10_0000, perRetype: 0)),
        ("UNTYPED_ALLOC_ERR_OBJECT_TOO_LARGE", task.place(sizeBits: 21, target: 0x10_0000)),
        ("UNTYPED_ALLOC_ERR_TARGET_OUTSIDE", task.place(sizeBits: 12, target: 0x20_0000)),
        ("UNTYPED_ALLOC_ERR_TARGET_UNALIGNED", task.place(sizeBits: 12, target: 0x10_0800)),
        ("UNTYPED_ALLOC_ERR_KERNEL_MISALIGNED", task.place(sizeBits: 11, physAlign: false, target: 0x10_0400)),
    ]
    for (name, step) in cases {
        #expect(step[constant("UNTYPED_ALLOC_STEP_KIND")] == UInt(constant("UNTYPED_ALLOC_FAIL")), "\(name)")
        #expect(step[constant("UNTYPED_ALLOC_STEP_ERROR")] == UInt(constant(name)), "\(name)")
    }
    #expect(task.state == before)

    // Place a frame, then ask below it and past the end.
    #expect(task.place(sizeBits: 12, target: 0x18_0000)[constant("UNTYPED_ALLOC_STEP_PADDR")] == 0x18_0000)
    #expect(task.place(sizeBits: 12, target: 0x14_0000)[constant("UNTYPED_ALLOC_STEP_ERROR")]
            == UInt(constant("UNTYPED_ALLOC_ERR_TARGET_BELOW_WATERMARK")))
    #expect(task.place(sizeBits: 12, count: 2, target: 0x1f_f000)[constant("UNTYPED_ALLOC_STEP_ERROR")]
            == UInt(constant("UNTYPED_ALLOC_ERR_NOT_ENOUGH_MEMORY")))

    var device = CRootTask(paddr: 0xfe00_0000, sizeBits: 24, isDevice: true, pptrOffset: x86_64Offset, config: x86_64)
    #expect(device.place(sizeBits: 12, deviceAllowed: false, target: nil)[constant("UNTYPED_ALLOC_STEP_ERROR")]
            == UInt(constant("UNTYPED_ALLOC_ERR_DEVICE_TYPE")))
}

@Test func cInitChecksTheSizeAndWritesTheBootState() {
    var state = [UInt](repeating: 0xdead, count: constant("UNTYPED_ALLOC_STATE_WORDS"))
    let init_ = { (bits: UInt8) in
        state.withUnsafeMutableBufferPointer { untypedAllocInit($0.baseAddress!, 0x4000_0000, bits, 1) }
    }
    #expect(!init_(3))
    #expect(!init_(UInt8(UInt.bitWidth)))
    #expect(state.allSatisfy { $0 == 0xdead })
    #expect(init_(UInt8(UInt.bitWidth - 1)))
    #expect(init_(30))
    #expect(state[constant("UNTYPED_ALLOC_STATE_PADDR")] == 0x4000_0000)
    #expect(state[constant("UNTYPED_ALLOC_STATE_SIZE_BITS")] == 30)
    #expect(state[constant("UNTYPED_ALLOC_STATE_IS_DEVICE")] == 1)
    #expect(state[constant("UNTYPED_ALLOC_STATE_WATERMARK")] == 1 << 30)
    for name in ["LIVE_OBJECTS", "HOLD0", "HOLD1", "NEXT_HOLD"] {
        #expect(state[constant("UNTYPED_ALLOC_STATE_" + name)] == 0)
    }
}

/// The header's numbering is the core's: step kinds, error codes, and the word counts.
@Test func cHeaderMatchesTheCore() {
    let kinds: [(StepKind, String)] = [(.retypeObject, "RETYPE_OBJECT"), (.retypeDummies, "RETYPE_DUMMIES"),
                                       (.deleteHold, "DELETE_HOLD"), (.fail, "FAIL")]
    for (kind, name) in kinds { #expect(constant("UNTYPED_ALLOC_" + name) == Int(kind.rawValue), "\(name)") }
    #expect((0...255).filter { StepKind(rawValue: UInt8($0)) != nil }.count == kinds.count)

    let errors: [(PlacementError, String)] = [
        (.none, "OK"), (.badCount, "ERR_BAD_COUNT"), (.objectTooLarge, "ERR_OBJECT_TOO_LARGE"),
        (.deviceType, "ERR_DEVICE_TYPE"), (.targetOutside, "ERR_TARGET_OUTSIDE"),
        (.targetUnaligned, "ERR_TARGET_UNALIGNED"), (.kernelMisaligned, "ERR_KERNEL_MISALIGNED"),
        (.targetBelowWatermark, "ERR_TARGET_BELOW_WATERMARK"), (.notEnoughMemory, "ERR_NOT_ENOUGH_MEMORY"),
        (.cannotPad, "ERR_CANNOT_PAD"),
    ]
    for (error, name) in errors { #expect(constant("UNTYPED_ALLOC_" + name) == Int(error.rawValue), "\(name)") }
    #expect((0...255).filter { PlacementError(rawValue: UInt8($0)) != nil }.count == errors.count)

    #expect(constant("UNTYPED_ALLOC_STATE_WORDS") == 8)
    #expect(constant("UNTYPED_ALLOC_STEP_WORDS") == 6)
}
