import Testing
@testable import UntypedKit

@Suite("Replay")
struct ReplayTests {
    /// An untyped at paddr 0x100000 (2^20 bytes unless given, normal or device) and one retype on it.
    func retype(_ fields: String, device: Bool = false, mcs: Bool = false, sizeBits: Int = 20) throws -> ReplayResult {
        let untyped = #"{"paddr": "0x100000", "sizeBits": \#(sizeBits), "isDevice": \#(device)}"#
        return try replay(x86Trace(untyped: untyped, #"[{"op": "retype", "untyped": 0, \#(fields)}]"#, mcs: mcs))
    }

    func kind(_ fields: String, device: Bool = false, mcs: Bool = false) throws -> String? {
        try retype(fields, device: device, mcs: mcs).error?.kind
    }

    /// The checks in the kernel's order: each case also violates every later check.
    @Test func errorsComeInKernelOrder() throws {
        let noNames = #""count": 0, "names": []"#
        // 1. type: InvalidArgument(0), even with a bad size and count.
        let badType = try retype(#""type": 13, "sizeBits": 64, \#(noNames)"#)
        #expect(badType.error?.kind == "InvalidArgument")
        #expect(badType.error?.detail.hasPrefix("argument 0 (type): type 13") == true)
        // 2. size >= W: RangeError, for every type, before the count check.
        #expect(try kind(#""type": "tcb", "sizeBits": 64, \#(noNames)"#) == "RangeError")
        #expect(try retype(#""type": "tcb", "sizeBits": 64, \#(noNames)"#).error?.detail
                    .contains("not below the word size 64") == true)
        // 2. object above seL4_MaxUntypedBits: a CNode of radix 43 is 2^48 bytes.
        #expect(try retype(#""type": "cnode", "sizeBits": 43, "names": ["c"]"#).error?.detail
                    .contains("2^48") == true)
        // 3. minimum sizes: InvalidArgument(1), before the count check.
        #expect(try kind(#""type": "untyped", "sizeBits": 3, \#(noNames)"#) == "InvalidArgument")
        #expect(try kind(#""type": "cnode", "sizeBits": 0, \#(noNames)"#) == "InvalidArgument")
        #expect(try kind(#""type": "schedcontext", "sizeBits": 6, \#(noNames)"#, mcs: true) == "InvalidArgument")
        // 4. count outside 1...256: RangeError, before the memory check.
        #expect(try kind(#""type": "tcb", \#(noNames)"#) == "RangeError")
        let many = (0..<257).map { "\"t\($0)\"" }.joined(separator: ", ")
        #expect(try retype(#""type": "endpoint", "names": [\#(many)]"#).error?.detail.contains("257") == true)
        // 6. memory before 7. device: a TCB that does not fit in a device untyped.
        #expect(try retype(#""type": "tcb", "names": ["t"]"#, device: true, sizeBits: 10).error?.kind
                    == "NotEnoughMemory")
        // 7. device untypeds become only frames and untypeds.
        let device = try retype(#""type": "tcb", "names": ["t"]"#, device: true)
        #expect(device.error == KernelError(invocation: 0, kind: "InvalidArgument", detail:
            "argument 1: untyped 0 is a device untyped; it can become only frames and untypeds, not tcb"))
        #expect(try kind(#""type": "frame", "sizeBits": 12, "names": ["f"]"#, device: true) == nil)
        #expect(try kind(#""type": "untyped", "sizeBits": 12, "names": ["u"]"#, device: true) == nil)
    }

    func names(_ n: Int) -> String { "[" + (0..<n).map { "\"o\($0)\"" }.joined(separator: ", ") + "]" }

    /// The memory check counts whole objects above the watermark; alignment padding needs
    /// no room of its own because the untyped's pptr is aligned to its size.
    @Test func notEnoughMemoryCountsWholeObjects() throws {
        #expect(try kind(#""type": "4k", "names": \#(names(256))"#) == nil)
        func afterEndpoint(_ fields: String) throws -> ReplayResult {
            try replay(x86Trace(untyped: #"{"paddr": "0x100000", "sizeBits": 20}"#, """
                [{"op": "retype", "untyped": 0, "type": "endpoint", "names": ["e"]},
                 {"op": "retype", "untyped": 0, \(fields)}]
                """))
        }
        let fits = try afterEndpoint(#""type": "4k", "names": \#(names(255))"#)
        #expect(fits.succeeded)
        #expect(fits.objects.last?.paddr == 0x1f_f000)
        let tooMany = try afterEndpoint(#""type": "4k", "names": \#(names(256))"#)
        #expect(tooMany.error == KernelError(invocation: 1, kind: "NotEnoughMemory", detail:
            "256 × 4k (2^12 bytes each) do not fit in the 0xffff0 bytes above watermark 0x10 of untyped 0 (2^20 bytes)"))
        #expect(try afterEndpoint(#""type": "largepage", "names": ["l"]"#).error?.kind == "NotEnoughMemory")
    }

    /// Deleting the last child makes the next retype reset the untyped; with a child left,
    /// the watermark stays.
    @Test func resetAfterDeletingTheLastChild() throws {
        let result = try replay(x86Trace(untyped: #"{"paddr": "0x100000", "sizeBits": 20}"#, """
            [{"op": "retype", "untyped": 0, "type": "untyped", "sizeBits": 12, "names": ["a", "b"], "count": 2},
             {"op": "delete", "name": "a"},
             {"op": "retype", "untyped": 0, "type": "tcb", "names": ["t"]},
             {"op": "delete", "name": "b"},
             {"op": "delete", "name": "t"},
             {"op": "retype", "untyped": 0, "type": "tcb", "names": ["t2"]}]
            """))
        #expect(result.succeeded)
        #expect(result.objects.map(\.paddr) == [0x10_0000, 0x10_1000, 0x10_2000, 0x10_0000])
        #expect(result.retypes.map(\.reset) == [true, false, true])
    }

    /// Deleting an untyped that has children hands them to its parent, which therefore
    /// keeps its watermark.
    @Test func deletedUntypedsChildrenMoveToItsParent() throws {
        let result = try replay(x86Trace(untyped: #"{"paddr": "0x100000", "sizeBits": 20}"#, """
            [{"op": "retype", "untyped": 0, "type": "untyped", "sizeBits": 16, "names": ["a"]},
             {"op": "retype", "untyped": "a", "type": "endpoint", "names": ["e"]},
             {"op": "delete", "name": "a"},
             {"op": "retype", "untyped": 0, "type": "untyped", "sizeBits": 16, "names": ["b"]}]
            """))
        #expect(result.objects.map(\.paddr) == [0x10_0000, 0x10_0000, 0x11_0000])
        #expect(result.objects[1].parent == .named("a"))
        #expect(result.retypes.map(\.reset) == [true, true, false])
    }

    /// CNode_Copy of an untyped: RevokeFirst while it has children; otherwise the copy is
    /// its child and the source is set full until the copy goes.
    @Test func copyOfAnUntyped() throws {
        let revoke = try replay(x86Trace(untyped: #"{"paddr": "0x100000", "sizeBits": 20}"#, """
            [{"op": "retype", "untyped": 0, "type": "endpoint", "names": ["e"]},
             {"op": "copy", "name": 0, "as": "copy"}]
            """))
        #expect(revoke.error?.kind == "RevokeFirst")
        #expect(revoke.error?.invocation == 1)

        let full = try replay(x86Trace(untyped: #"{"paddr": "0x100000", "sizeBits": 20}"#, """
            [{"op": "retype", "untyped": 0, "type": "untyped", "sizeBits": 16, "names": ["u"]},
             {"op": "copy", "name": "u", "as": "ucopy"},
             {"op": "retype", "untyped": "ucopy", "type": "endpoint", "names": ["e1"]},
             {"op": "delete", "name": "e1"},
             {"op": "retype", "untyped": "u", "type": "endpoint", "names": ["e2"]}]
            """))
        #expect(full.error?.kind == "NotEnoughMemory")
        #expect(full.error?.invocation == 4)
        #expect(full.objects.map(\.paddr) == [0x10_0000, 0x10_0000])

        let afterDelete = try replay(x86Trace(untyped: #"{"paddr": "0x100000", "sizeBits": 20}"#, """
            [{"op": "retype", "untyped": 0, "type": "untyped", "sizeBits": 16, "names": ["u"]},
             {"op": "copy", "name": "u", "as": "ucopy"},
             {"op": "delete", "name": "ucopy"},
             {"op": "retype", "untyped": "u", "type": "endpoint", "names": ["e"]}]
            """))
        #expect(afterDelete.succeeded)
        #expect(afterDelete.objects.last?.paddr == 0x10_0000)
    }

    /// A copied object cap is a sibling: it keeps the untyped from resetting.
    @Test func copyOfAnObjectKeepsTheUntypedAlive() throws {
        let result = try replay(x86Trace(untyped: #"{"paddr": "0x100000", "sizeBits": 20}"#, """
            [{"op": "retype", "untyped": 0, "type": "4k", "names": ["f"]},
             {"op": "copy", "name": "f", "as": "f2"},
             {"op": "delete", "name": "f"},
             {"op": "retype", "untyped": 0, "type": "4k", "names": ["g"]}]
            """))
        #expect(result.objects.map(\.paddr) == [0x10_0000, 0x10_1000])
    }

    /// MCS: type numbers of the architecture types move up by 2, notifications double.
    @Test func mcsNumbering() throws {
        let x86 = window("x86_64")
        #expect(x86.retypeTarget(number: 8, mcs: false).displayName == "4k")
        #expect(x86.retypeTarget(number: 10, mcs: true).displayName == "4k")
        #expect(x86.retypeTarget(number: 13, mcs: false) == .invalidNumber(13))
        #expect(x86.retypeTarget(number: 14, mcs: true).displayName == "iopagetable")
        let ntfn = try retype(#""type": "notification", "names": ["n"]"#, mcs: true)
        #expect(ntfn.objects[0].sizeBits == 6)
        #expect(try kind(#""type": 14, "names": ["x"]"#, mcs: false) == "InvalidArgument")
    }

    /// 32-bit: pptr and paddr wrap mod 2^32, children read back through capPtr storage.
    @Test func aarch32Replay() throws {
        let result = try replay("""
            {"arch": "aarch32-imx6", "untypeds": [{"paddr": "0x30000000", "sizeBits": 29, "isDevice": true}],
             "invocations": [
               {"op": "retype", "untyped": 0, "type": "untyped", "sizeBits": 27, "names": ["d27"]},
               {"op": "retype", "untyped": 0, "type": "untyped", "sizeBits": 28, "names": ["d28"]},
               {"op": "retype", "untyped": "d28", "type": "section", "names": ["s"]}]}
            """)
        #expect(result.succeeded)
        #expect(result.objects.map(\.pptr) == [0, 0x1000_0000, 0x1000_0000])
        #expect(result.objects.map(\.paddr) == [0x3000_0000, 0x4000_0000, 0x4000_0000])
    }

    @Test func jsonOutput() throws {
        let result = try replay(x86Trace(#"[{"op": "retype", "untyped": 0, "type": "untyped", "sizeBits": 39, "names": ["d0"]}, {"op": "retype", "untyped": 0, "type": "tcb", "names": ["t"]}]"#))
        #expect(result.json.rendered() == """
            {
              "objects": [
                {"name": "d0", "type": "untyped", "sizeBits": 39, "paddr": "0x8000000000", "pptr": "0x0", "parent": 0}
              ],
              "error": {"invocation": 1, "kind": "InvalidArgument", "detail": "argument 1: untyped 0 is a device untyped; it can become only frames and untypeds, not tcb"}
            }
            """)
    }

    /// A trace the library writes reads back to the same trace.
    @Test func traceRoundTrip() throws {
        let original = try trace(x86Trace("""
            [{"op": "retype", "untyped": 0, "type": "frame", "sizeBits": 21, "names": ["l"]},
             {"op": "copy", "name": "l", "as": "l2"}, {"op": "delete", "name": "l2"},
             {"op": "retype", "untyped": 0, "type": 99, "sizeBits": 0, "count": 1, "names": ["bad"]}]
            """))
        let again = try Trace(json: json(original.json.rendered()), arch: nil, mcs: false)
        #expect(again.invocations == original.invocations)
        #expect(again.untypeds == original.untypeds)
    }
}
