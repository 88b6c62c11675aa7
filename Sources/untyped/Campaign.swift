import ArgumentParser
import Foundation
import UntypedKit

/// `untyped campaign`: random systems planned and replayed, per configuration.
struct CampaignCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "campaign",
        abstract: "Plan random systems per configuration and replay every plan on the kernel model.",
        discussion: """
            Per configuration, COUNT random systems: untypeds derived from a random memory map \
            (bootinfo) or random kernel-shaped untypeds, random anchors inside them (frames and \
            untypeds in device memory, any type in normal memory, often deep inside or at the very \
            end), runs of random un-anchored objects, random --slots. Each is planned with the \
            offset strategy and replayed; the plan must put every object where planned and every \
            anchor where asked, objects must not overlap, and no placement may hold more than \
            2×slots dummies. Planning errors are counted by kind (outOfMemory is expected: random \
            objects do not always fit). --system I prints system I as a plan spec instead, to \
            reproduce it with 'untyped plan'. Exit 1 on any defect.
            """,
        shouldDisplay: false)

    @Option(help: "Systems per configuration.")
    var count = 100_000

    @Option(help: "Seed (systems are reproducible from seed, configuration and index).")
    var seed: UInt64 = 1

    @Option(help: ArgumentHelp("A catalogue configuration, or all.", valueName: "arch"))
    var arch = "all"

    @Option(help: ArgumentHelp("Print system I of --arch as a plan spec and stop.", valueName: "I"))
    var system: Int?

    @Option(help: "Worker threads (default: one per processor).")
    var threads: Int?

    @OptionGroup var output: OutputOptions

    mutating func validate() throws {
        guard count >= 0 else { throw ValidationError("--count: \(count) is negative") }
        guard arch == "all" || KernelWindow.named(arch) != nil else {
            throw ValidationError("--arch: unknown configuration '\(arch)' (known: \(KernelWindow.catalogueNames), or all)")
        }
        if system != nil, arch == "all" { throw ValidationError("--system needs one --arch") }
        if let threads, threads < 1 { throw ValidationError("--threads: \(threads) is not positive") }
    }

    func run() throws {
        let windows = arch == "all" ? Campaign.families : [KernelWindow.named(arch)!]
        if let system {
            let generated = Campaign.generate(window: windows[0], seed: seed, index: system)
            print(generated.spec.json.rendered())
            Diagnostics.warning("system \(system) (\(generated.shape) untypeds): plan it with --slots \(generated.slots)")
            return
        }
        var results: [CampaignResult] = []
        for window in windows {
            let result = Campaign.run(window: window, count: count, seed: seed, threads: threads)
            results.append(result)
            if !output.json { FileHandle.standardError.write(Data((line(result) + "\n").utf8)) }
        }
        var total = CampaignResult(configuration: "total")
        for r in results { total.merge(r) }
        total.seconds = results.map(\.seconds).reduce(0, +)
        if output.json {
            print(JSONValue.array((results + [total]).map(json)).rendered())
        } else {
            print(table(results + [total]))
            for r in results {
                for key in r.examples.keys.sorted() {
                    let example = r.examples[key]!
                    print("\(r.configuration): \(key), first in system \(example.system): \(example.message)")
                }
            }
        }
        if total.defects > 0 { throw ExitStatus.failed.exitCode }
    }

    func line(_ r: CampaignResult) -> String {
        "\(r.configuration): \(r.systems) systems, \(r.planned) planned, \(r.defects) defects, "
            + String(format: "%.1f s", r.seconds)
    }

    func table(_ results: [CampaignResult]) -> String {
        var table = TextTable(header: ["CONFIG", "SYSTEMS", "PLANNED", "OBJECTS", "ANCHORS", "GAP", "RETYPES", "DUMMIES",
                                       "MAX_SLOTS", "MISMATCH", "ANCHOR_MISS", "OVERLAP", "OUT_OF_MEMORY", "OTHER_ERR",
                                       "SECONDS", "SYSTEMS/S"],
                              rightAligned: Set(1...15))
        for r in results {
            let other = r.failures.filter { $0.key != .outOfMemory }.values.reduce(0, +)
            table.append([r.configuration, String(r.systems), String(r.planned), String(r.objects), String(r.anchors),
                          String(r.gapFilled), String(r.retypes), String(r.dummies), String(r.maxPeakSlots),
                          String(r.mismatches), String(r.anchorsMissed), String(r.overlaps),
                          String(r.failures[.outOfMemory] ?? 0), String(other),
                          String(format: "%.1f", r.seconds),
                          r.seconds > 0 ? String(format: "%.0f", Double(r.systems) / r.seconds) : "-"])
        }
        return table.rendered()
    }

    func json(_ r: CampaignResult) -> JSONValue {
        .object([("configuration", .string(r.configuration)), ("systems", .int(r.systems)), ("planned", .int(r.planned)),
                 ("objects", .int(r.objects)), ("anchors", .int(r.anchors)), ("gapFilled", .int(r.gapFilled)),
                 ("retypes", .int(r.retypes)), ("dummies", .int(r.dummies)), ("deletes", .int(r.deletes)),
                 ("maxPeakSlots", .int(r.maxPeakSlots)), ("slotBudgetExceeded", .int(r.slotBudgetExceeded)),
                 ("mismatches", .int(r.mismatches)), ("anchorsMissed", .int(r.anchorsMissed)),
                 ("overlaps", .int(r.overlaps)),
                 ("failures", .object(PlanFailure.Kind.allCases.map { ($0.rawValue, .int(r.failures[$0] ?? 0)) })),
                 ("defects", .int(r.defects)), ("seconds", .string(String(format: "%.2f", r.seconds)))])
    }
}
