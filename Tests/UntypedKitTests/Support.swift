import Foundation
import Testing
import UntypedCore
@testable import UntypedKit

/// SplitMix64: a small seeded generator, so property tests are reproducible.
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9e37_79b9_7f4a_7c15
        var z = state
        z = (z ^ (z >> 30)) &* 0xbf58_476d_1ce4_e5b9
        z = (z ^ (z >> 27)) &* 0x94d0_49bb_1331_11eb
        return z ^ (z >> 31)
    }
}

func window(_ name: String) -> KernelWindow {
    guard let window = KernelWindow.named(name) else { fatalError("no catalogue entry \(name)") }
    return window
}

func json(_ text: String) throws -> JSONNode { try JSONNode.parse(Data(text.utf8), source: "test.json") }

/// A trace from JSON text.
func trace(_ text: String, mcs: Bool = false) throws -> Trace { try Trace(json: json(text), arch: nil, mcs: mcs) }

/// Replays a trace given as JSON text.
func replay(_ text: String, mcs: Bool = false) throws -> ReplayResult { try trace(text, mcs: mcs).replay() }

/// A one-untyped trace on x86_64 with the given invocations (JSON array text).
func x86Trace(untyped: String = #"{"paddr": "0x8000000000", "sizeBits": 46, "isDevice": true}"#,
              _ invocations: String, mcs: Bool = false) -> String {
    #"{"arch": "x86_64", "mcs": \#(mcs), "untypeds": [\#(untyped)], "invocations": \#(invocations)}"#
}

/// The `InputError` message an input produces, or nil.
func inputError(_ body: () throws -> Void) -> String? {
    do { try body() } catch let error as InputError { return error.message } catch { return "unexpected \(error)" }
    return nil
}

/// Boot untypeds of a map given by regions.
func boot(_ arch: String, ram: [(UInt64, UInt64)], reserved: [(UInt64, UInt64)] = [],
          deviceTop: UInt64? = nil) throws -> BootInfo {
    let map = MemoryMap(window: window(arch), ram: ram.map { PhysicalRegion(start: $0.0, end: $0.1) },
                        reserved: reserved.map { PhysicalRegion(start: $0.0, end: $0.1) }, deviceTop: deviceTop)
    return try BootInfo.derive(from: map)
}

func ut(_ paddr: UInt64, _ sizeBits: UInt64, device: Bool) -> UntypedDescriptor {
    UntypedDescriptor(paddr: paddr, sizeBits: sizeBits, isDevice: device)
}

/// The repository root (for examples/ and the built CLI).
let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent()
