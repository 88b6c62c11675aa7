import ArgumentParser
import UntypedCore
import UntypedKit

/// `untyped plan`: place a whole system's objects, anchors at their addresses.
struct PlanCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plan",
        abstract: "Plan the retypes that place a system's objects, anchored ones at their physical addresses.",
        discussion: """
            SPEC.json: an untyped list (as 'bootinfo --json' writes it) plus "objects": \
            [{"name": "uart", "type": "frame", "sizeBits": 21, "paddr": "0xe0000000000"}, \
            {"name": "tcb0", "type": "tcb"}, {"name": "buf", "type": "frame", "sizeBits": 12, "device": false}, \
            {"name": "ut", "type": "untyped", "sizeBits": 20, "untyped": 3}]. "type" is a type name \
            ('untyped archs --arch A') or "frame" (sizeBits picks the frame); "sizeBits" is the retype's \
            size argument as in traces (required for untyped, cnode (the radix) and schedcontext); \
            "paddr" anchors the object; "device" asks for device (true) or normal (false) memory \
            (default: an anchor takes what is at its address, other objects normal memory); \
            "untyped" forces the parent. Names starting with '_' are reserved for the planner's dummies.

            Every rule is checked first (one error line, exit 2): types and sizes, anchors inside \
            an untyped, aligned (frames physically, every object in kernel space), not overlapping, \
            in the right kind of memory, objects that fit. Then, per untyped, anchors are placed in \
            address order, the gap before each filled with un-anchored objects and padded with \
            dummy untypeds; the rest goes largest first where it fits best. The plan is replayed \
            on the kernel model before it is printed: a plan that does not match is never printed \
            (exit 1).

            --json writes the plan as a trace with "expected" paddrs for every object: \
            'untyped plan S.json --json > t.json && untyped replay t.json' checks it. \
            --slots N: dummies one retype may create (1-256); a placement holds at most 2×N dummy \
            caps at once (two alternating hold groups), fewer retypes for larger N.

            capDL: --capdl SPEC.json --untypeds UNTYPEDS.json plans a capDL spec in the serde JSON \
            form of rust-sel4's sel4-capdl-initializer-types Spec (microkit --capdl-json, \
            parse-capDL --json) on an untyped list ('bootinfo --json'). Root objects made from \
            untyped memory are planned (sizes per type and configuration; a SchedContext or Reply \
            turns --mcs on); Frames and Untypeds with a paddr land exactly there; untyped_covers \
            children are retyped from their parent. A bad spec (unknown variant, dangling object \
            id, a paddr object outside every untyped, unaligned or overlapping) exits 2 naming \
            the object. The output lists the paddr objects, then per untyped: objects, dummy \
            retypes, bytes wasted. --strategy rust-sel4-initializer runs rust-sel4's capDL \
            initializer invocation for invocation (rust-sel4-initializer-pr350 and \
            rust-sel4-initializer-absolute: its earlier alignment rules); its trace's "expected" \
            paddrs are what the initializer believes, and the plan exits 1 when the kernel model \
            disagrees or the initializer runs out of untypeds. --emit-log FILE writes the TRACE log \
            it would print ('untyped diagnose' reads it).
            """)

    @Argument(help: ArgumentHelp("The system: untypeds and objects (or --capdl and --untypeds).", valueName: "SPEC.json"))
    var spec: String?

    @OptionGroup var capdl: CapDLPlanOptions

    @OptionGroup var archOptions: ArchOptions
    @OptionGroup var output: OutputOptions

    @Option(help: ArgumentHelp("Dummies one retype may create, 1-256 (CSpace slots held: at most 2×N).", valueName: "N"))
    var slots = 1

    @Option(help: ArgumentHelp("offset (default); with --capdl also rust-sel4-initializer (the initializer's own algorithm); "
                               + "for comparison: absolute, rust-sel4, split.", valueName: "strategy"))
    var strategy = "offset"

    static let strategies: [(String, PlannerStrategy)] = PlannerStrategy.all.map { ($0.name, $0) }

    mutating func validate() throws {
        guard (1...256).contains(slots) else { throw ValidationError("--slots: \(slots) is outside 1...256") }
        if try capdl.validate(spec: spec, strategy: strategy) { return }
        guard Self.strategies.contains(where: { $0.0 == strategy }) else {
            throw ValidationError("--strategy: unknown strategy '\(strategy)' (offset, absolute, rust-sel4, split)")
        }
    }

    func run() throws {
        if capdl.capdl != nil { return try runCapDL() }
        let spec = try PlanSpec(json: try JSONNode.load(file: spec!), arch: try archOptions.window(), mcs: archOptions.mcs)
        let chosen = Self.strategies.first { $0.0 == strategy }!.1
        let plan: Plan
        switch Self.plan(spec, options: PlannerOptions(strategy: chosen, maxDummiesPerRetype: slots)) {
        case .success(let p):
            plan = p
        case .failure(let failure) where failure.isInputProblem:
            throw InputError(failure.message)
        case .failure(let failure):
            Diagnostics.error("no plan: \(failure.message) (\(failure.kind.rawValue); this is a bug in the planner)")
            throw ExitStatus.failed.exitCode
        }
        print(output.json ? plan.trace.json.rendered() : report(plan))
        guard chosen != .offset else { return }
        let total = plan.objects.count
        if plan.verified {
            Diagnostics.warning("--strategy \(strategy) is for comparison only; the kernel model put all \(total) objects where planned")
            return
        }
        var what = "\(plan.mismatches) of \(total) objects are not where planned on the kernel model"
        if let error = plan.replay.error {
            what += "; invocation \(error.invocation) fails: \(error.kind): \(error.detail)"
        }
        Diagnostics.warning("--strategy \(strategy) is for comparison only: \(what)")
        throw ExitStatus.failed.exitCode
    }

    /// `Planner.plan` as a `Result` (a typed `catch` here crashes the 6.3.1 compiler's SILGen).
    static func plan(_ spec: PlanSpec, options: PlannerOptions) -> Result<Plan, PlanFailure> {
        do { return .success(try Planner.plan(spec, options: options)) } catch { return .failure(error) }
    }

    func report(_ plan: Plan) -> String {
        var table = TextTable(header: ["OBJECT", "TYPE", "SIZE_BITS", "PADDR", "UNTYPED", "PLACED", "DUMMIES", "DUMMY_RETYPES"],
                              rightAligned: [2, 4, 6, 7])
        for o in plan.objects {
            let placed = o.anchored ? "anchor" : o.gapFilled ? "gap" : "fit"
            table.append([o.name, o.type, String(o.sizeBits), hex(o.paddr), String(o.untyped), placed,
                          String(o.dummies), String(o.dummyRetypes)])
        }
        var lines = plan.objects.isEmpty ? [] : [table.rendered()]
        for m in plan.replay.mismatches ?? [] {
            lines.append("mismatch: \(m.name) planned at paddr \(hex(m.expected)), the kernel model puts it at \(hex(m.actual))")
        }
        if let error = plan.replay.error {
            lines.append("kernel error: invocation \(error.invocation): \(error.kind): \(error.detail)")
        }
        lines.append(summary(plan))
        return lines.joined(separator: "\n")
    }

    func summary(_ plan: Plan) -> String {
        let s = plan.stats
        func n(_ count: Int, _ word: String) -> String { "\(count) \(word)\(count == 1 ? "" : "s")" }
        let strategyNote = plan.strategy == .offset ? "" : " [strategy \(strategy)]"
        let replay = plan.verified ? "replay: all \(plan.objects.count) where planned"
            : "replay: \(plan.mismatches) of \(plan.objects.count) NOT where planned"
        return "\(plan.trace.window.name)\(strategyNote): \(n(s.objects, "object")) (\(n(s.anchors, "anchor")), "
            + "\(s.gapFilled) in gaps) in \(n(s.untypedsUsed, "untyped")); "
            + "\(n(s.retypes, "retype")) (\(s.objectRetypes) for objects, \(s.dummyRetypes) for \(n(s.dummies, "dummy").replacingOccurrences(of: "dummys", with: "dummies"))), "
            + "\(n(s.deletes, "delete")), \(n(s.peakSlots, "slot")) held at peak, "
            + "\(hex(s.wastedNormal)) bytes wasted in normal memory, \(hex(s.wastedDevice)) in device memory; \(replay)"
    }
}
