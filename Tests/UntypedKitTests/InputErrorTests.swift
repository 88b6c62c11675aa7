import Foundation
import Testing
@testable import UntypedKit

/// Bad inputs produce one line naming the JSON path (or option) and the value found.
@Suite("Input errors")
struct InputErrorTests {
    func listError(_ text: String) -> String? { inputError { _ = try UntypedList(json: json(text), arch: nil) } }
    func mapError(_ text: String) -> String? {
        inputError { _ = try BootInfo.derive(from: MemoryMap(json: json(text), arch: nil)) }
    }
    func traceError(_ invocations: String) -> String? { inputError { _ = try trace(x86Trace(invocations)) } }

    @Test func malformedJSON() {
        #expect(listError(#"{"arch": "x86_64", "untypeds": ["#)?.hasPrefix("invalid JSON in test.json: ") == true)
        #expect(inputError { _ = try JSONNode.load(file: "/nonexistent/t.json") } == "cannot read /nonexistent/t.json: no such file")
        #expect(listError("[1]") == "top level: expected an object, found an array")
    }

    @Test func unknownArch() {
        #expect(listError(#"{"arch": "foo", "untypeds": []}"#)
                == "arch: unknown configuration 'foo' (known: \(KernelWindow.catalogueNames), or custom:…)")
        #expect(listError(#"{"untypeds": []}"#) == "top level: missing field 'arch' (or give --arch)")
    }

    @Test func untypedFields() {
        func list(_ untypeds: String, arch: String = "x86_64") -> String? {
            listError(#"{"arch": "\#(arch)", "untypeds": [\#(untypeds)]}"#)
        }
        let ok = #"{"paddr": "0x8000000000", "sizeBits": 46, "isDevice": true}"#
        #expect(list("\(ok), \(ok), {\"paddr\": 0, \"sizeBits\": 50}")
                == "untypeds[2].sizeBits: 50 is out of range 4...47 for x86_64")
        #expect(list(#"{"paddr": "0x8000000000", "sizeBits": "46"}"#) == #"untypeds[0].sizeBits: "46" is not a number"#)
        #expect(list(#"{"paddr": "0x8000000000", "sizeBits": 4.5}"#) == "untypeds[0].sizeBits: 4.5 is not a non-negative integer")
        #expect(list(#"{"paddr": "8000000000", "sizeBits": 4}"#)
                == #"untypeds[0].paddr: "8000000000" is not an address (hex "0x…" or a JSON integer)"#)
        #expect(list(#"{"paddr": -1, "sizeBits": 4}"#) == "untypeds[0].paddr: -1 is not a non-negative integer")
        #expect(list(#"{"paddr": "0x1", "sizeBits": 4, "device": true}"#)
                == "untypeds[0]: unknown field 'device' (expected paddr, sizeBits, isDevice)")
        #expect(list(#"{"paddr": "0x100000000", "sizeBits": 4}"#, arch: "ia32")
                == "untypeds[0].paddr: 0x100000000 does not fit in a 32-bit word")
        #expect(list(#"{"paddr": "0x0", "sizeBits": 40}"#)
                == "untypeds[0]: pptr 0xffffff8000000000 (paddr 0x0) is not aligned to 2^40: the kernel hands out only size-aligned untypeds")
        #expect(list(#"{"paddr": "0x808000000000", "sizeBits": 20}"#)
                == "untypeds[0]: pptr 0x800000000000 (paddr 0x808000000000) does not survive capPtr storage (sign48) on x86_64")
        #expect(list(#"{"paddr": "0x8000000000", "sizeBits": 46, "isDevice": 1}"#)
                == "untypeds[0].isDevice: expected true or false, found 1")
    }

    @Test func memoryMaps() {
        func map(_ fields: String) -> String? { mapError(#"{"arch": "x86_64", \#(fields)}"#) }
        #expect(map(#""ram": [{"start": "0x100000", "end": "0x200000"}, {"start": "0x180000", "end": "0x300000"}]"#)
                == "ram[1]: [0x180000, 0x300000) overlaps ram[0] [0x100000, 0x200000)")
        #expect(map(#""ram": [{"start": "0x200000", "end": "0x200000"}]"#)
                == "ram[0]: start 0x200000 is not below end 0x200000")
        #expect(map(#""ram": [{"start": "0x100000", "end": "0x200000"}], "reserved": [{"start": "0x0", "end": "0x2000"}, {"start": "0x1000", "end": "0x3000"}]"#)
                == "reserved[1]: [0x1000, 0x3000) overlaps reserved[0] [0x0, 0x2000)")
        #expect(map(#""ram": [{"start": "0x8000000000", "end": "0x9000000000"}]"#)
                == "ram: no RAM inside the kernel window [0x0, 0x7f80000000) of x86_64: the kernel would not boot")
        #expect(map(#""ram": [{"start": "0x100000"}]"#) == "ram[0]: missing field 'end'")
        #expect(map(#""ram": [], "size": 1"#)?.hasPrefix("top level: unknown field 'size'") == true)
        let pieces = (0..<17).map { #"{"start": "\#(hex(UInt64($0) * 0x2000 + 0x100000))", "end": "\#(hex(UInt64($0) * 0x2000 + 0x101000))"}"# }
        #expect(map(#""ram": [\#(pieces.joined(separator: ","))]"#)
                == "ram: 17 free memory regions, but x86_64 has 16 slots (MAX_NUM_FREEMEM_REG): the kernel would not boot")
        #expect(mapError(#"{"arch": "aarch32-imx6", "ram": [{"start": "0x10000000", "end": "0x20000000"}], "deviceTop": "0x100000001"}"#)
                == "deviceTop: 0x100000001 is above 2^32")
    }

    /// Gaps found by differential testing against other readers of the same formats.
    @Test func differentialGaps() {
        // A duplicate key: Foundation keeps one silently; the input is ambiguous.
        #expect(listError(#"{"arch": "x86_64", "untypeds": [{"paddr": "0x8000000000", "sizeBits": 46, "sizeBits": 40}]}"#)
                == "untypeds[0]: duplicate field 'sizeBits' in test.json")
        #expect(listError(#"{"arch": "x86_64", "arch": "ia32", "untypeds": []}"#) == "top level: duplicate field 'arch' in test.json")
        #expect(listError(#"{"arch": "x86_64", "untypeds": [{"paddr": "0x8000000000", "sizeBits": 46, "note": "a,\"}", "no\u0074e": 1}]}"#)
                == "untypeds[0]: duplicate field 'note' in test.json")
        // Equal keys in different objects are fine.
        #expect(listError(#"{"arch": "x86_64", "untypeds": [{"paddr": "0x8000000000", "sizeBits": 4}, {"paddr": "0x8000000010", "sizeBits": 4}]}"#) == nil)
        // A device top of 0.
        #expect(mapError(#"{"arch": "x86_64", "ram": [{"start": "0x100000", "end": "0x200000"}], "deviceTop": 0}"#)?
                    .hasPrefix("deviceTop: 0 is not a device top") == true)
        #expect(inputError { _ = try KernelWindow.resolve("custom:like=x86_64,device-top=0", source: "--arch") }
                == "--arch: device-top=0: out of range 1...18446744073709551614")
        // Every byte of RAM in the kernel window reserved: the kernel has no free memory.
        #expect(mapError(#"{"arch": "x86_64", "ram": [{"start": "0x100000", "end": "0x200000"}], "reserved": [{"start": "0x0", "end": "0x300000"}]}"#)
                == "reserved: every byte of RAM inside the kernel window [0x0, 0x7f80000000) of x86_64 is reserved: the kernel would not boot")
        // Values of 2^64 and more are too large, not "not an integer".
        #expect(listError(#"{"arch": "x86_64", "untypeds": [{"paddr": 18446744073709551616, "sizeBits": 4}]}"#)
                == "untypeds[0].paddr: 18446744073709551616 is too large (at most 2^64 - 1)")
        #expect(listError(#"{"arch": "x86_64", "untypeds": [{"paddr": "0x10000000000000000", "sizeBits": 4}]}"#)
                == #"untypeds[0].paddr: "0x10000000000000000" is too large (at most 2^64 - 1)"#)
        #expect(listError(#"{"arch": "x86_64", "untypeds": [{"paddr": "0x8000000000", "sizeBits": 99999999999999999999}]}"#)
                == "untypeds[0].sizeBits: 99999999999999999999 is too large (at most 2^64 - 1)")
        // An index out of range is reported as given, not clamped.
        #expect(traceError(#"[{"op": "retype", "untyped": 18446744073709551615, "type": "tcb", "names": ["a"]}]"#)
                == "invocations[0].untyped: 18446744073709551615 is not a live bootinfo untyped (index too large)")
        #expect(traceError(#"[{"op": "retype", "untyped": 18446744073709551616, "type": "tcb", "names": ["a"]}]"#)
                == "invocations[0].untyped: 18446744073709551616 is too large for an index")
    }

    @Test func traces() {
        #expect(traceError(#"[{"op": "retype", "untyped": 0, "type": "untyped", "sizeBits": 39, "count": 2, "names": ["a"]}]"#)
                == "invocations[0].names: 1 name for count 2")
        #expect(traceError(#"[{"op": "retype", "untyped": "zz", "type": "tcb", "names": ["a"]}]"#)
                == "invocations[0].untyped: no cap named 'zz' (not created before invocation 0)")
        #expect(traceError(#"[{"op": "retype", "untyped": 3, "type": "tcb", "names": ["a"]}]"#)
                == "invocations[0].untyped: 3 is not a live bootinfo untyped (untypeds has 1)")
        #expect(traceError("""
            [{"op": "retype", "untyped": 0, "type": "untyped", "sizeBits": 39, "names": ["a"]},
             {"op": "delete", "name": "a"}, {"op": "delete", "name": "a"}]
            """) == "invocations[2].name: no cap named 'a' (deleted before invocation 2)")
        #expect(traceError("""
            [{"op": "retype", "untyped": 0, "type": "untyped", "sizeBits": 39, "names": ["a"]},
             {"op": "retype", "untyped": 0, "type": "untyped", "sizeBits": 39, "names": ["b", "a"]}]
            """) == "invocations[1].names[1]: name 'a' is already used by invocations[0]")
        #expect(traceError("""
            [{"op": "retype", "untyped": 0, "type": "4k", "names": ["f"]},
             {"op": "retype", "untyped": "f", "type": "4k", "names": ["g"]}]
            """) == "invocations[1].untyped: 'f' is not an untyped")
        #expect(traceError(#"[{"op": "frob"}]"#) == "invocations[0].op: unknown operation 'frob' (expected retype, delete, copy)")
        #expect(traceError(#"[{"op": "delete", "name": "a", "as": "b"}]"#)
                == "invocations[0]: unknown field 'as' (expected op, name)")
        #expect(traceError(#"[{"op": "retype", "untyped": 0, "type": "untyped", "names": ["a"]}]"#)
                == "invocations[0]: a retype to untyped needs sizeBits")
        #expect(traceError(#"[{"op": "retype", "untyped": 0, "type": "pml5", "names": ["a"]}]"#)?
                    .hasPrefix("invocations[0].type: unknown object type 'pml5' for x86_64 (known: untyped, tcb") == true)
        #expect(traceError(#"[{"op": "retype", "untyped": 0, "type": "tcb", "names": [1]}]"#)
                == "invocations[0].names[0]: expected a string, found 1")
        #expect(inputError { _ = try trace(#"{"arch": "x86_64", "untypeds": [], "invocations": [], "expected": {"x": "0x0"}}"#) }
                == "expected.x: no retype in the trace creates 'x'")
    }
}

/// The built CLI: exit codes and one-line errors.
@Suite("CLI", .enabled(if: CLI.binary != nil, "the untyped executable is not built"))
struct CLITests {
    @Test func archsSucceeds() throws {
        let run = try CLI.run(["archs"])
        #expect(run.status == 0 && run.stdout.contains("aarch32-imx6") && run.stderr.isEmpty)
        let json = try CLI.run(["archs", "--arch", "riscv64", "--json"])
        #expect(json.status == 0 && json.stdout.contains(#""pptrBaseOffset": "0xffffffc000000000""#))
        #expect(try CLI.run(["--help"]).status == 0)
    }

    @Test(arguments: [
        (["archs", "--arch", "foo"], "error: --arch: unknown configuration 'foo' (known: "),
        (["archs", "--frobnicate"], "error: Unknown option '--frobnicate'"),
        (["replay"], "error: Missing expected argument '<TRACE.json>'"),
        (["replay", "/nonexistent.json"], "error: cannot read /nonexistent.json: no such file"),
        (["bootinfo", "--memory", "MALFORMED"], "error: invalid JSON in "),
        (["bootinfo"], "error: give --memory MAP.json or --platform P"),
        (["bootinfo", "--platform", "qemu-sparc"],
         "error: --platform: unknown machine 'qemu-sparc' (known: qemu-x86_64, qemu-ia32, qemu-arm-virt-a57, qemu-riscv-virt)"),
        (["bootinfo", "--platform", "qemu-x86_64", "--memory", "examples/x86_64-memory.json"],
         "error: --memory and --platform exclude each other"),
        (["bootinfo", "--memory", "examples/x86_64-memory.json", "--root-image-bytes", "4096"],
         "error: --root-image-bytes needs --platform"),
        (["bootinfo", "--platform", "qemu-ia32", "--arch", "ia32"], "error: --arch: --platform fixes the configuration"),
        (["bootinfo", "--platform", "qemu-x86_64", "--memory-mib", "12"],
         "error: --memory-mib: 12 is outside 64...1048576 for qemu-x86_64"),
        (["bootinfo", "--platform", "qemu-x86_64", "--memory-mib", "99999999999999999999"],
         "error: --memory-mib: '99999999999999999999' is not a number (decimal or 0x… hex)"),
        (["bootinfo", "--platform", "qemu-riscv-virt", "--memory-mib", "-1"], "error: "),
        (["bootinfo", "--platform", "qemu-arm-virt-a57", "--kernel-end", "0x4023d010"],
         "error: --kernel-end: 0x4023d010 is not a page-aligned address in (0x40000000, 0x80000000)"),
        (["bootinfo", "--platform", "qemu-arm-virt-a57", "--kernel-boot-end", "0x50000000"],
         "error: --kernel-boot-end: 0x50000000 is not in (0x40000000, 0x4023d000]"),
        (["bootinfo", "--platform", "qemu-ia32", "--dtb-bytes", "4096"],
         "error: --dtb-bytes: qemu-ia32 boots with multiboot and gets no device tree; leave it at 0"),
        (["bootinfo", "--platform", "qemu-riscv-virt", "--dtb-bytes", "0x2000000"], "error: --dtb-bytes: 33554432 is above 16 MiB"),
        (["bootinfo", "--platform", "qemu-riscv-virt", "--root-image-vaddr", "0x10001"],
         "error: --root-image-vaddr: 0x10001 is not a page-aligned address below 0x3ffffff000"),
        (["bootinfo", "--platform", "qemu-x86_64", "--root-image-bytes", "0"], "error: --root-image-bytes: 0 is not in 1...2^32"),
        (["bootinfo", "--platform", "qemu-arm-virt-a57", "--root-image-bytes", "0x40000000"],
         "error: --root-image-bytes: the root task would end at 0x8023f000, beyond the RAM (or the kernel window) at 0x80000000"),
        (["bootinfo", "--platform", "qemu-ia32", "--root-image-vaddr", "0xdfff0000"],
         "error: --root-image-vaddr, --root-image-bytes: the root task's address space [0xdfff0000, "),
        (["bootinfo", "--platform", "qemu-x86_64", "--root-cnode-bits", "30"], "error: --root-cnode-bits: 30 is outside 7...26"),
        (["bootinfo", "--platform", "qemu-x86_64", "--root-cnode-bits", "7"],
         "error: --root-cnode-bits: the root CNode's 128 slots cannot hold 58 caps and 93 untypeds: the kernel would not boot"),
        (["bootinfo", "--platform", "qemu-x86_64", "--memory-mib", "64", "--root-image-bytes", "0x35c0000"],
         "error: no free memory region holds the root server's objects"),
        (["bootinfo", "--memory", "examples/x86_64-memory.json", "--arch", "custom:bits=16"],
         "error: --arch: bits=16: must be 64 or 32"),
    ])
    func badInputExitsWith2(arguments: [String], message: String) throws {
        var arguments = arguments
        if let i = arguments.firstIndex(of: "MALFORMED") {
            let file = FileManager.default.temporaryDirectory.appendingPathComponent("untyped-malformed.json")
            try Data(#"{"arch": "x86_64", "ram": [}"#.utf8).write(to: file)
            arguments[i] = file.path
        }
        let run = try CLI.run(arguments)
        #expect(run.status == 2)
        #expect(run.stderr.hasPrefix(message), "\(run.stderr)")
        #expect(run.stderr.split(separator: "\n").count == 1)
        #expect(run.stdout.isEmpty)
    }

    @Test func replayOfTheReportedCaseExitsWith1() throws {
        let run = try CLI.run(["replay", "examples/reported-case-trace.json"])
        #expect(run.status == 1)
        #expect(run.stdout.contains("mismatch: dummy40 expected at paddr 0x10000000000, the kernel put it at 0x18000000000"))
        let json = try CLI.run(["replay", "--json", "examples/reported-case-trace.json"])
        #expect(json.status == 1 && json.stdout.contains(#""actual": "0x18000000000""#))
    }

    @Test func bootinfoWarnsAboutDroppedUntypeds() throws {
        let holes = (0..<300).map { #"{"start": "\#(hex(0x1_0000_0000 + UInt64($0) * 0x2000))", "end": "\#(hex(0x1_0000_1000 + UInt64($0) * 0x2000))"}"# }
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("untyped-holes.json")
        try Data(#"{"arch": "x86_64", "ram": [{"start": "0x100000", "end": "0x80000000"}], "reserved": [\#(holes.joined(separator: ","))]}"#.utf8)
            .write(to: file)
        let run = try CLI.run(["bootinfo", "--json", "--memory", file.path])
        #expect(run.status == 0)
        #expect(run.stderr.hasPrefix("warning: the kernel drops "))
        #expect(run.stderr.split(separator: "\n").count == 1)
        let list = try UntypedList(json: JSONNode.parse(Data(run.stdout.utf8), source: "stdout"), arch: nil)
        #expect(list.untypeds.count == 230)
    }
}

enum CLI {
    /// The `untyped` executable next to the test bundle or in the package's build directory.
    static let binary: URL? = {
        let candidates = [URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent(),
                          packageRoot.appendingPathComponent(".build/debug")]
        return candidates.map { $0.appendingPathComponent("untyped") }
            .first { FileManager.default.isExecutableFile(atPath: $0.path) }
    }()

    /// Runs the CLI in the package root.
    static func run(_ arguments: [String]) throws -> (status: Int32, stdout: String, stderr: String) {
        let process = Process()
        process.executableURL = binary
        process.arguments = arguments
        process.currentDirectoryURL = packageRoot
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let stdout = out.fileHandleForReading.readDataToEndOfFile()
        let stderr = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: stdout, as: UTF8.self), String(decoding: stderr, as: UTF8.self))
    }
}
