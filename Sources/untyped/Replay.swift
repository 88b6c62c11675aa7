import ArgumentParser
import UntypedKit

/// `untyped replay`: a trace on the kernel model.
struct ReplayCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "replay",
        abstract: "Replay retype, delete and copy invocations on the kernel's untyped model.",
        discussion: """
            TRACE.json: an untyped list plus "invocations": \
            [{"op": "retype", "untyped": 0, "type": "untyped", "sizeBits": 39, "count": 1, "names": ["d0"]}, \
            {"op": "delete", "name": "d0"}, {"op": "copy", "name": "u1", "as": "u1copy"}], \
            optionally "mcs": true and "expected": {"d0": "0x8000000000"}. "untyped" and "name" \
            are an index into "untypeds" or a name created earlier; "type" is a type name \
            ('untyped archs --arch A'), "frame" (sizeBits picks the frame) or a raw type number. \
            Replay stops at the first kernel error. Exit 0 when everything succeeded and matched, \
            1 on a kernel error or a paddr mismatch, 2 on bad input.
            """)

    @Argument(help: ArgumentHelp("The trace.", valueName: "TRACE.json"))
    var trace: String

    @OptionGroup var archOptions: ArchOptions
    @OptionGroup var output: OutputOptions

    func run() throws {
        let trace = try Trace(json: try JSONNode.load(file: trace), arch: try archOptions.window(), mcs: archOptions.mcs)
        let result = try trace.replay()
        if output.json {
            print(result.json.rendered())
        } else {
            print(report(result, trace: trace))
        }
        if !result.succeeded { throw ExitStatus.failed.exitCode }
    }

    func report(_ result: ReplayResult, trace: Trace) -> String {
        var table = TextTable(header: ["NAME", "TYPE", "SIZE_BITS", "PADDR", "PPTR", "PARENT"], rightAligned: [2])
        for o in result.objects {
            let parent = switch o.parent {
            case .boot(let index): String(index)
            case .named(let name): name
            }
            table.append([o.name, o.type, String(o.sizeBits), hex(o.paddr), hex(o.pptr), parent])
        }
        var lines = result.objects.isEmpty ? [] : [table.rendered()]
        let resets = result.retypes.filter(\.reset).count
        let created = "\(result.objects.count) object\(result.objects.count == 1 ? "" : "s"), "
            + "\(resets) reset\(resets == 1 ? "" : "s")"
        let name = trace.window.name, total = trace.invocations.count
        if let error = result.error {
            let operation = trace.invocations[error.invocation].operation
            lines.append("\(name): invocation \(error.invocation) of \(total) (\(operation)) failed: "
                         + "\(error.kind): \(error.detail); \(created) before it")
        } else {
            let matched = result.mismatches.map { "; \(trace.expected.count - $0.count) of \(trace.expected.count) expected paddrs matched" }
            lines.append("\(name): \(total) invocation\(total == 1 ? "" : "s") succeeded; \(created)\(matched ?? "")")
        }
        for m in result.mismatches ?? [] {
            lines.append("mismatch: \(m.name) expected at paddr \(hex(m.expected)), the kernel put it at \(hex(m.actual))")
        }
        return lines.joined(separator: "\n")
    }
}
