import ArgumentParser
import Foundation
import UntypedCore
import UntypedKit

/// `untyped diagnose LOG`: where a capDL initializer boot went wrong.
struct DiagnoseCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "diagnose",
        abstract: "Find where the kernel placed an object elsewhere than the capDL initializer believed, from its TRACE log.",
        discussion: """
            LOG: rust-sel4's sel4-capdl-initializer log at TRACE level, as the serial console \
            printed it (other lines, kernel debug prints and text around it are skipped). The \
            untypeds come from its 'Allocating from untyped: A..B (size_bits = N, device = D)' \
            lines, each tied to the cptr its first seL4_Untyped_Retype uses (_service); what the \
            initializer believes comes from 'Creating dummy / device object / kernel object: \
            paddr=…' before each retype. Every seL4_Untyped_Retype and every seL4_CNode_Delete of a \
            slot the log filled is replayed on the kernel model (type numbers as --arch and --mcs \
            number them; without --mcs, MCS numbering is used when the sizes in the log fit it and not \
            the other), and the first retype whose object the kernel puts elsewhere is named: \
            its line (1-based), the invocation, the believed and the actual paddr, and why, with \
            the kernel-virtual addresses. Then every misplaced object.

            Exit 0: no divergence; 1: a divergence (or the kernel refuses a call); 2: bad input \
            (no such file, no initializer line in it, a retype from an untyped the log never \
            describes, an untyped the configuration cannot have).
            """)

    @Argument(help: ArgumentHelp("The initializer's log.", valueName: "LOG"))
    var log: String

    @OptionGroup var archOptions: ArchOptions
    @OptionGroup var output: OutputOptions

    mutating func validate() throws {
        guard archOptions.arch != nil else { throw ValidationError("--arch is required (the log does not say which kernel it ran on)") }
    }

    func run() throws {
        guard let data = FileManager.default.contents(atPath: log) else {
            throw InputError("cannot read \(log): \(FileManager.default.fileExists(atPath: log) ? "not readable" : "no such file")")
        }
        let text = String(decoding: data, as: UTF8.self)
        let window = try archOptions.window()!
        let parsed = archOptions.mcs ? try InitializerLog(text: text, window: window, mcs: true)
            : try InitializerLog.detectingMCS(text: text, window: window)
        if parsed.mcs && !archOptions.mcs {
            Diagnostics.warning("the object sizes in the log fit an MCS kernel's type numbers: read as with --mcs")
        }
        if parsed.sizeDisagreements > 0 {
            Diagnostics.warning("\(parsed.sizeDisagreements) retypes create objects of another size than the log's 'Creating … size_bits=' "
                                + "line says: is --arch (or --mcs) right?")
        }
        let diagnosis = try LogDiagnosis(log: parsed)
        print(output.json ? json(diagnosis).rendered() : report(diagnosis))
        if diagnosis.divergence != nil { throw ExitStatus.failed.exitCode }
    }

    func report(_ d: LogDiagnosis) -> String {
        let log = d.log
        var lines: [String] = []
        let retypes = log.retypes.count
        let deletes = log.trace.invocations.filter { if case .delete = $0 { return true } else { return false } }.count
        let total = log.trace.untypeds.count
        let used = log.trace.untypeds.indices.filter { log.untypedServices[$0] != nil }.map { i in
            let u = log.trace.untypeds[i]
            return "\(hex(u.paddr))..\(hex(u.end))\(u.isDevice ? " device" : "") cptr \(log.untypedServices[i]!)"
        }
        lines.append("\(log.window.name)\(log.mcs ? " (MCS)" : ""): \(retypes) retypes and \(deletes) deletes replayed on "
                     + "\(total) untyped\(total == 1 ? "" : "s"), \(used.count) retyped (\(used.joined(separator: ", "))); "
                     + "\(log.recognisedLines) initializer lines read")
        guard let v = d.divergence else {
            let checked = log.retypes.filter { $0.believed != nil }.count
            lines.append("no divergence: the kernel model put all \(checked) objects with a believed paddr where the initializer believed")
            return lines.joined(separator: "\n")
        }
        lines.append("first divergence: line \(v.retype.line): \(v.retype.text)")
        lines.append("  object: \(v.object) from \(untypedName(v.retype.untyped, log))")
        if let actual = v.actual, let believed = v.believed {
            lines.append("  believed paddr \(hex(believed)), the kernel put it at paddr \(hex(actual))")
        } else if let e = v.kernelError {
            lines.append("  the kernel refuses it: \(e.kind): \(e.detail)")
        }
        lines.append("  why: \(v.why)")
        if !d.misplaced.isEmpty {
            lines.append("misplaced: \(d.misplaced.count) object\(d.misplaced.count == 1 ? "" : "s") the kernel put elsewhere than believed")
            var table = TextTable(header: ["LINE", "OBJECT", "BELIEVED", "KERNEL"], rightAligned: [0])
            for m in d.misplaced { table.append([String(m.line), m.object, hex(m.believed), hex(m.actual)]) }
            lines.append(table.rendered())
        }
        return lines.joined(separator: "\n")
    }

    func untypedName(_ ref: CapRef, _ log: InitializerLog) -> String {
        switch ref {
        case .boot(let u):
            let ut = log.trace.untypeds[u]
            return "untyped \(hex(ut.paddr))..\(hex(ut.end))" + (log.untypedServices[u].map { " (cptr \($0))" } ?? "")
        case .named(let n): return "'\(n)'"
        }
    }

    func json(_ d: LogDiagnosis) -> JSONValue {
        var fields: [(String, JSONValue)] = [("arch", .string(d.log.window.name))]
        if d.log.mcs { fields.append(("mcs", .bool(true))) }
        fields.append(("untypeds", .array(d.log.trace.untypeds.enumerated().map { i, u in
            var f: [(String, JSONValue)] = [("paddr", .address(u.paddr)), ("sizeBits", .number(u.sizeBits)), ("isDevice", .bool(u.isDevice))]
            if let c = d.log.untypedServices[i] { f.append(("cptr", .number(c))) }
            return .object(f)
        })))
        fields.append(("retypes", .int(d.log.retypes.count)))
        if let v = d.divergence {
            var f: [(String, JSONValue)] = [("line", .int(v.retype.line)), ("invocation", .string(v.retype.text)),
                                            ("object", .string(v.object)), ("kind", .string(v.retype.kind))]
            if let n = v.retype.dummyNumber { f.append(("dummy", .int(n))) }
            f.append(("believed", v.believed.map(JSONValue.address) ?? .null))
            f.append(("actual", v.actual.map(JSONValue.address) ?? .null))
            if let p = v.believedPptr { f.append(("believedPptr", .address(p))) }
            if let p = v.freePptr { f.append(("freePptr", .address(p))) }
            if let p = v.actualPptr { f.append(("actualPptr", .address(p))) }
            if let e = v.kernelError { f.append(("kernelError", e.json)) }
            f.append(("why", .string(v.why)))
            fields.append(("divergence", .object(f)))
        } else {
            fields.append(("divergence", .null))
        }
        fields.append(("misplaced", .array(d.misplaced.map {
            .object([("line", .int($0.line)), ("object", .string($0.object)), ("believed", .address($0.believed)),
                     ("actual", .address($0.actual))])
        })))
        return .object(fields)
    }
}
