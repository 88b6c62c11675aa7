import ArgumentParser
import Foundation
import UntypedCore
import UntypedKit

/// `plan --capdl SPEC.json --untypeds UNTYPEDS.json`: the options.
struct CapDLPlanOptions: ParsableArguments {
    @Option(help: ArgumentHelp("A capDL spec (serde JSON of rust-sel4's Spec, e.g. microkit --capdl-json) to plan instead of SPEC.json.",
                               valueName: "SPEC.json"))
    var capdl: String?

    @Option(help: ArgumentHelp("With --capdl: the untyped list ('untyped bootinfo --json').", valueName: "UNTYPEDS.json"))
    var untypeds: String?

    @Option(name: .customLong("emit-log"),
            help: ArgumentHelp("With --strategy rust-sel4-initializer: write the initializer's TRACE log to FILE.", valueName: "FILE"))
    var emitLog: String?

    /// Usage checks; true when this is a capDL plan.
    func validate(spec: String?, strategy: String) throws -> Bool {
        let initializer = InitializerRule(rawValue: strategy) != nil
        guard let _ = capdl else {
            if untypeds != nil { throw ValidationError("--untypeds goes with --capdl SPEC.json") }
            if initializer { throw ValidationError("--strategy \(strategy) plans capDL specs: give --capdl SPEC.json --untypeds UNTYPEDS.json") }
            if emitLog != nil { throw ValidationError("--emit-log goes with --capdl and --strategy rust-sel4-initializer") }
            if spec == nil { throw ValidationError("missing SPEC.json (or --capdl SPEC.json --untypeds UNTYPEDS.json)") }
            return false
        }
        if spec != nil { throw ValidationError("give SPEC.json or --capdl SPEC.json, not both") }
        guard untypeds != nil else { throw ValidationError("--capdl needs --untypeds UNTYPEDS.json (what 'untyped bootinfo --json' writes)") }
        guard initializer || PlanCommand.strategies.contains(where: { $0.0 == strategy }) else {
            let known = PlanCommand.strategies.map(\.0) + InitializerRule.allCases.map(\.rawValue)
            throw ValidationError("--strategy: unknown strategy '\(strategy)' (\(known.joined(separator: ", ")))")
        }
        if emitLog != nil, !initializer { throw ValidationError("--emit-log needs --strategy rust-sel4-initializer") }
        return true
    }
}

extension PlanCommand {
    func runCapDL() throws {
        let arch = try archOptions.window()
        let spec = try CapDLSpec(spec: try JSONNode.load(file: capdl.capdl!), untypeds: try JSONNode.load(file: capdl.untypeds!),
                                 arch: arch, mcs: archOptions.mcs)
        let chosen: CapDLStrategy
        if let rule = InitializerRule(rawValue: strategy) {
            chosen = .initializer(rule)
        } else {
            chosen = .planner(Self.strategies.first { $0.0 == strategy }!.1, slots: slots)
        }
        let plan: CapDLPlan
        switch Self.capdlPlan(spec, chosen) {
        case .success(let p): plan = p
        case .failure(let failure) where failure.isInputProblem:
            throw InputError(failure.message)
        case .failure(let failure):
            Diagnostics.error("no plan: \(failure.message) (\(failure.kind.rawValue); this is a bug in the planner)")
            throw ExitStatus.failed.exitCode
        }
        if spec.mcsFromSpec {
            Diagnostics.warning("the spec has SchedContext or Reply objects: planned for an MCS kernel (type numbers and notification size as with --mcs)")
        }
        if let warning = plan.orderWarning { Diagnostics.warning(warning) }
        if let path = capdl.emitLog {
            let text = plan.log.joined(separator: "\n") + "\n"
            guard FileManager.default.createFile(atPath: path, contents: Data(text.utf8)) else {
                throw InputError("--emit-log: cannot write \(path)")
            }
        }
        print(output.json ? plan.trace.json.rendered() : capdlReport(plan, spec: spec))
        if let failure = plan.failure {
            Diagnostics.error(failure)
            throw ExitStatus.failed.exitCode
        }
        if case .planner(.offset, _) = chosen { return }
        let total = plan.objects.count
        if plan.verified {
            if case .planner = chosen {
                Diagnostics.warning("--strategy \(strategy) is for comparison only; the kernel model put all \(total) objects where planned")
            }
            return
        }
        var what = "the kernel model puts \(plan.mismatches.count) objects and dummies elsewhere than \(strategy) believes"
        if let first = plan.mismatches.first {
            what += " (first '\(first.name)': believed \(hex(first.expected)), kernel \(hex(first.actual)))"
        }
        if let error = plan.replay.error { what += "; invocation \(error.invocation) fails: \(error.kind): \(error.detail)" }
        Diagnostics.warning(what)
        throw ExitStatus.failed.exitCode
    }

    /// `CapDLPlanner.plan` as a `Result`.
    static func capdlPlan(_ spec: CapDLSpec, _ strategy: CapDLStrategy) -> Result<CapDLPlan, PlanFailure> {
        do { return .success(try CapDLPlanner.plan(spec, strategy: strategy)) } catch { return .failure(error) }
    }

    func capdlReport(_ plan: CapDLPlan, spec: CapDLSpec) -> String {
        var lines: [String] = []
        var actual: [String: UInt64] = [:]
        for o in plan.replay.objects { actual[o.name] = o.paddr }
        let anchored = plan.objects.filter(\.anchored)
        if !anchored.isEmpty {
            var table = TextTable(header: ["PADDR_OBJECT", "VARIANT", "SIZE_BITS", "PADDR", "UNTYPED", "DUMMIES", "DUMMY_RETYPES", "KERNEL"],
                                  rightAligned: [2, 4, 5, 6])
            for o in anchored {
                let kernel = actual[o.name].map { $0 == o.paddr ? "=" : hex($0) } ?? "-"
                table.append([o.name, spec.objects[o.index].variant, String(o.sizeBits), hex(o.paddr),
                              o.untyped >= 0 ? String(o.untyped) : "-", String(o.dummies), String(o.dummyRetypes), kernel])
            }
            lines.append(table.rendered())
        }
        var untypedTable = TextTable(header: ["UNTYPED", "PADDR", "SIZE_BITS", "DEVICE", "OBJECTS", "DUMMY_RETYPES", "BYTES_WASTED"],
                                     rightAligned: [0, 2, 4, 5, 6])
        for u in plan.usage where u.objects > 0 || u.dummyRetypes > 0 {
            untypedTable.append([String(u.index), hex(u.untyped.paddr), String(u.untyped.sizeBits), u.untyped.isDevice ? "yes" : "no",
                                 String(u.objects), String(u.dummyRetypes), hex(u.bytesWasted)])
        }
        lines.append(untypedTable.rendered())
        let mismatches = plan.mismatches
        for m in mismatches.prefix(10) {
            lines.append("mismatch: \(m.name) believed at paddr \(hex(m.expected)), the kernel model puts it at \(hex(m.actual))")
        }
        if mismatches.count > 10 { lines.append("mismatch: … and \(mismatches.count - 10) more") }
        if let error = plan.replay.error {
            lines.append("kernel error: invocation \(error.invocation): \(error.kind): \(error.detail)")
        }
        let s = plan.stats
        func n(_ count: Int, _ word: String, _ plural: String? = nil) -> String {
            "\(count) \(count == 1 ? word : plural ?? word + "s")"
        }
        let children = spec.covers.reduce(0) { $0 + $1.children.filter { spec.objects[$0].type != nil }.count }
        let replay: String
        if plan.failure != nil {
            replay = "the initializer runs out of untypeds"
        } else if plan.verified {
            replay = "replay: all \(plan.trace.expected.count) where \(plan.strategyName.hasPrefix("rust-sel4-initializer") ? "believed" : "planned")"
        } else {
            replay = "replay: \(mismatches.count + plan.missing.count) of \(plan.trace.expected.count) NOT where believed"
        }
        lines.append("\(spec.window.name)\(spec.mcs ? " (MCS)" : "") [\(plan.strategyName)]: \(n(plan.objects.count, "object")) "
                     + "(\(anchored.count) with a paddr, \(children) cover children; \(plan.notRetyped) of \(spec.objects.count) spec objects "
                     + "not made from untyped memory) in \(n(s.untypedsUsed, "untyped")); "
                     + "\(n(s.retypes, "retype")) (\(s.objectRetypes) for objects, \(s.dummyRetypes) for \(n(s.dummies, "dummy", "dummies"))), "
                     + "\(n(s.deletes, "delete")), \(n(s.peakSlots, "slot")) held at peak, "
                     + "\(hex(s.wastedNormal)) bytes wasted in normal memory, \(hex(s.wastedDevice)) in device memory; \(replay)")
        return lines.joined(separator: "\n")
    }
}
