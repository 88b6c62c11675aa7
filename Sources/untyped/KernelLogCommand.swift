import ArgumentParser
import Foundation
import UntypedKit

/// `untyped kernel-log`: a real kernel's serial log from the example root task, checked
/// against the kernel model and the allocator's plan.
struct KernelLogCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "kernel-log",
        abstract: "Check the serial log of the example root task (roottask/) on a real seL4 kernel.",
        discussion: """
            LOG: QEMU's serial output of roottask/ (scripts/real-kernel writes it). The root task \
            prints the bootinfo untyped list, every Untyped_Retype and CNode_Delete it made with \
            the kernel's answer, and each object's planned address with the address the kernel \
            reports for frames (Page_GetAddress). This command replays the successful calls on the \
            kernel model (the same trace --trace writes, with the kernel's addresses as \
            "expected", so 'untyped replay' can check it again), replays each refused call after \
            the calls before it and compares the error, and counts the objects the kernel put \
            where the plan said. Exit 0 when the model agrees with the kernel on every address and \
            error and every object is exact; 1 when an object is misplaced (the absolute strategy \
            shows the reported bug this way) or the model and the kernel disagree; 2 on bad input.
            """)

    @Argument(help: ArgumentHelp("The serial log.", valueName: "LOG"))
    var log: String

    @Option(help: ArgumentHelp("Write the replayable trace of the successful calls here.", valueName: "FILE"))
    var trace: String?

    @OptionGroup var output: OutputOptions

    func run() throws {
        guard let data = FileManager.default.contents(atPath: log) else {
            throw InputError("cannot read \(log): \(FileManager.default.fileExists(atPath: log) ? "not readable" : "no such file")")
        }
        let parsed = try KernelLog(text: String(decoding: data, as: UTF8.self), source: log)
        let check = try parsed.check()
        if let trace {
            guard FileManager.default.createFile(atPath: trace, contents: Data((check.trace.json.rendered() + "\n").utf8)) else {
                throw InputError("cannot write \(trace)")
            }
        }
        if output.json {
            print(json(parsed, check).rendered())
        } else {
            print(report(parsed, check))
        }
        if !(check.modelAgrees && check.allExact && parsed.done != nil) { throw ExitStatus.failed.exitCode }
    }

    func json(_ log: KernelLog, _ c: KernelLogCheck) -> JSONValue {
        let devices = log.untypeds.filter(\.isDevice).count
        var reported: JSONValue = .null
        if let r = log.reportedCase {
            let o = log.objects[r]
            reported = .object([("planned", .address(o.planned)), ("kernel", o.kernel.map(JSONValue.address) ?? .null)])
        }
        return .object([
            ("arch", .string(log.window.name)), ("strategy", .string(log.strategy)),
            ("untypeds", .int(log.untypeds.count)), ("deviceUntypeds", .int(devices)),
            ("retypes", .int(c.retypes)), ("deletes", .int(c.deletes)),
            ("objects", .int(log.objects.count)), ("exact", .int(c.exact)), ("misplaced", .int(c.misplaced)),
            ("unchecked", .int(c.unchecked)), ("modelMatchesPlan", .int(c.modelMatchesPlan)),
            ("kernelAddresses", .int(c.kernelAddresses)), ("modelAgreeing", .int(c.modelAgreeing)),
            ("kernelErrors", .int(c.kernelErrors)), ("errorsAgreeing", .int(c.errorsAgreeing)),
            ("modelRefused", c.modelRefused?.json ?? .null),
            ("disagreements", .array((c.typeDisagreements + c.addressDisagreements + c.errorDisagreements).map(JSONValue.string))),
            ("reportedCase", reported), ("complete", .bool(log.done != nil)),
            ("modelAgrees", .bool(c.modelAgrees)), ("allExact", .bool(c.allExact)),
        ])
    }

    func report(_ log: KernelLog, _ c: KernelLogCheck) -> String {
        var lines: [String] = []
        let devices = log.untypeds.filter(\.isDevice).count
        lines.append("\(log.window.name), strategy \(log.strategy): bootinfo \(log.untypeds.count) untypeds "
                     + "(\(devices) device, \(log.untypeds.count - devices) RAM)")
        if let r = log.reportedCase {
            let o = log.objects[r]
            let kernel = o.kernel.map(hex) ?? "?"
            lines.append("reported case: \(o.type) planned at \(hex(o.planned)), the kernel put it at \(kernel): "
                         + (o.kernel == o.planned ? "exact" : "MISPLACED"))
        }
        lines.append("kernel calls: \(c.retypes) retypes and \(c.deletes) deletes succeeded, \(c.kernelErrors) refused")
        lines.append("objects: \(log.objects.count) placed, \(c.exact) exact and \(c.misplaced) misplaced by the kernel's "
                     + "Page_GetAddress, \(c.unchecked) other objects (\(c.modelMatchesPlan) where the model puts them)")
        lines.append("model vs kernel: \(c.modelAgreeing) of \(c.kernelAddresses) addresses, \(c.errorsAgreeing) of "
                     + "\(c.kernelErrors) errors agree")
        if let refused = c.modelRefused {
            lines.append("model refused invocation \(refused.invocation) the kernel accepted: \(refused.kind): \(refused.detail)")
        }
        for d in c.typeDisagreements + c.addressDisagreements + c.errorDisagreements { lines.append("disagreement: \(d)") }
        for o in c.misplacedObjects {
            lines.append("misplaced: \(o.name) (\(o.type), anchor \(o.anchor)) planned \(hex(o.planned)), kernel \(hex(o.kernel ?? 0))")
        }
        if log.done == nil { lines.append("the log ends before the root task finished (no '@@done' line)") }
        return lines.joined(separator: "\n")
    }
}
