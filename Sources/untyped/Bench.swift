import ArgumentParser
import Foundation
import UntypedKit
import UntypedVerifier

/// `untyped bench`: costs per anchor against the peers and the lower bound, planner
/// throughput, proof cost and the embedded footprint.
struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Measure placement costs against the peer allocators and the lower bound, planner throughput, proof cost and footprint.",
        discussion: """
            1. Cost per anchor, measured on the kernel model side by side: offset (this allocator; 1 and \
            256 dummies per retype), rust-sel4, absolute (the reported bug; LANDED says whether the model \
            put the anchor where asked), split (utspace_split), probe (C capdl-loader-app, computed: \
            one retype and delete per object-sized step of the gap) and the lower bound \
            (DummyLowerBound, proved by 'untyped verify'). RATIO = dummy retypes / bound with the same \
            dummies-per-retype budget. Workloads: (a) the reported case, (b) random frames in fresh \
            untypeds of every configuration, (c) after un-anchored objects, (d) many anchors in one \
            untyped, (e) realistic whole systems.
            2. Planner throughput and peak memory (ru_maxrss) for 10^3, 10^4, 10^5 objects over 230 untypeds.
            3. Proof cost from proofs/manifest.json ('untyped verify --arch all --emit-smt proofs').
            4. Embedded footprint from embedded/out/sizes.txt ('bash embedded/build.sh').
            Times are medians over --repeat runs; counts are deterministic. Time with \
            'swift build -c release'.
            """)

    @OptionGroup var output: OutputOptions

    @Flag(help: "Small counts (for tests and CI).")
    var quick = false

    @Option(name: .customLong("repeat"), help: ArgumentHelp("Runs per timing (the median is reported).", valueName: "N"))
    var repeats: Int?

    @Option(help: ArgumentHelp("Seed of the random workloads.", valueName: "N"))
    var seed: UInt64 = 1

    @Option(help: ArgumentHelp("Directory holding proofs/ and embedded/ (default: the current directory).", valueName: "DIR"))
    var root = "."

    mutating func validate() throws {
        if let repeats, !(1...1000).contains(repeats) { throw ValidationError("--repeat: \(repeats) is outside 1...1000") }
    }

    static var isDebugBuild: Bool {
        #if DEBUG
        return true
        #else
        return false
        #endif
    }

    func run() throws {
        if Self.isDebugBuild {
            Diagnostics.warning("debug build: timings are not representative (swift build -c release)")
        }
        let repeats = self.repeats ?? (quick ? 1 : 3)
        let bound: BenchLowerBound = { t, s, n, m, w in
            Int(DummyLowerBound<UInt64>(target: t, objectSizeBits: s, untypedSizeBits: n, perRetype: UInt64(m)).count(from: w))
        }
        let workloads = Bench.anchorWorkloads(quick: quick, repeats: repeats, seed: seed, bound: bound)
        let systems = Bench.systems(repeats: repeats) + Bench.capdlSystems(repeats: repeats)
        let sizes = quick ? [100, 1000] : [1000, 10_000, 100_000]
        let throughput = Bench.throughput(sizes: sizes, repeats: repeats, seed: seed)
        let manifest = root + "/proofs/manifest.json"
        let proofs = Bench.proofs(manifest: manifest)
        let sizesFile = root + "/embedded/out/sizes.txt"
        let footprint = Bench.footprint(sizes: sizesFile)

        if output.json {
            let doc: [String: Any] = [
                "machine": machine(repeats: repeats),
                "anchors": workloads.map(json),
                "systems": systems.map(json),
                "throughput": throughputJSON(throughput),
                "proofs": proofs.map { p in
                    ["manifest": manifest, "totalSeconds": round2(p.reduce(0) { $0 + $1.seconds }),
                     "entries": p.map { ["config": $0.config, "strategy": $0.strategy, "obligation": $0.obligation,
                                         "result": $0.result, "seconds": $0.seconds, "solver": $0.solver] }] as [String: Any]
                } ?? ["missing": manifest, "produce": "untyped verify --arch all --emit-smt proofs"],
                "footprint": footprint.map { f in
                    ["file": sizesFile, "sections": ["text", "rodata", "data", "bss"],
                     "targets": f.map { ["target": $0.target, "all": $0.all, "kept": $0.kept, "undefined": $0.undefined] }]
                        as [String: Any]
                } ?? ["missing": sizesFile, "produce": "bash embedded/build.sh"],
            ]
            let data = try JSONSerialization.data(withJSONObject: doc, options: [.prettyPrinted, .sortedKeys])
            print(String(decoding: data, as: UTF8.self))
            return
        }
        var out: [String] = []
        let m = machine(repeats: repeats)
        out.append("machine: \(m["arch"]!), \(m["cpus"]!) CPUs, \(m["swift"]!), \(m["build"]!) build; "
                   + "times: median of \(repeats) run\(repeats == 1 ? "" : "s")")
        out.append("")
        out.append("== 1. Cost per anchor (counts on the kernel model; RATIO = dummy retypes / lower bound, same dummies per retype)")
        for w in workloads {
            out.append("")
            out.append(w.title)
            for g in w.groups {
                if w.groups.count > 1 || g.cases > 1 { out.append("-- \(g.label): \(g.cases) case\(g.cases == 1 ? "" : "s")") }
                out.append(table(g.tallies, perAnchorTime: g.tallies.first?.anchors ?? 1).rendered())
            }
        }
        out.append("")
        out.append("variants: " + BenchVariant.allCases.map { "\($0.rawValue) = \($0.summary)" }.joined(separator: "; "))
        out.append("")
        out.append("(e) realistic systems, whole-system planner (replayed on the kernel model); capdl-*: Microkit-shaped "
                   + "capDL specs (plan --capdl), this project's planner beside rust-sel4's initializer and its earlier rules")
        var st = TextTable(header: ["CONFIG", "STRATEGY", "OBJECTS", "ANCHORS", "RETYPES", "DUMMY_RETYPES", "DELETES",
                                    "PEAK_SLOTS", "BYTES_WASTED", "ANCHORS_RIGHT", "MISMATCHES", "MS"],
                           rightAligned: [2, 3, 4, 5, 6, 7, 8, 9, 10, 11])
        for r in systems {
            if let e = r.error, r.retypes == 0 {
                st.append([r.configuration, r.variant, String(r.objects), String(r.anchors), "-", "-", "-", "-", "-", "-", "-",
                           ms(r.seconds)])
                out.append("  \(r.configuration) \(r.variant): \(e)")
                continue
            }
            st.append([r.configuration, r.variant, String(r.objects), String(r.anchors), String(r.retypes), String(r.dummyRetypes),
                       String(r.deletes), String(r.peakSlots), hex(r.bytesWasted), "\(r.anchorsRight)/\(r.anchors)",
                       String(r.mismatches), ms(r.seconds)])
        }
        out.append(st.rendered())
        out.append("")
        out.append("== 2. Planner throughput (x86_64, 230 normal untypeds of 2^28, 1% of objects anchored 4 KiB frames; "
                   + "plan = validate + place + replay on the model)")
        var tt = TextTable(header: ["OBJECTS", "ANCHORS", "SECONDS", "OBJECTS/S", "US/OBJECT", "MAXRSS_MIB"], rightAligned: [0, 1, 2, 3, 4, 5])
        for r in throughput {
            tt.append([String(r.objects), String(r.anchors), String(format: "%.3f", r.seconds), String(format: "%.0f", r.objectsPerSecond),
                       String(format: "%.2f", r.secondsPerObject * 1e6), String(format: "%.1f", Double(r.maxRSSKiB) / 1024)])
        }
        out.append(tt.rendered())
        if let first = throughput.first, let last = throughput.last, last.objects > first.objects {
            out.append(String(format: "growth: time per object at %d / at %d = %.2f (1.00 = linear)", last.objects, first.objects,
                              last.secondsPerObject / first.secondsPerObject))
        }
        out.append("maxrss is the process's peak so far (sizes run smallest first, after section 1).")
        out.append("")
        out.append("== 3. Proof cost")
        if let proofs {
            var pt = TextTable(header: ["CONFIG", "STRATEGY", "OBLIGATION", "RESULT", "SECONDS"], rightAligned: [4])
            for p in proofs { pt.append([p.config, p.strategy, p.obligation, p.result, String(format: "%.2f", p.seconds)]) }
            out.append(pt.rendered())
            var byConfig: [String: Double] = [:]
            for p in proofs { byConfig[p.config, default: 0] += p.seconds }
            out.append("per configuration: " + byConfig.sorted { $0.key < $1.key }.map { String(format: "%@ %.1f s", $0.key, $0.value) }
                .joined(separator: ", "))
            out.append(String(format: "total: %.1f s over %d queries (%@)", proofs.reduce(0) { $0 + $1.seconds }, proofs.count,
                              proofs.first?.solver ?? "?"))
        } else {
            out.append("no \(manifest): produce it with 'untyped verify --arch all --emit-smt proofs'")
        }
        out.append("")
        out.append("== 4. Embedded footprint (UntypedCore.o, Embedded Swift -Osize; bytes)")
        if let footprint {
            var ft = TextTable(header: ["TARGET", "TEXT", "RODATA", "DATA", "BSS", "KEPT_TEXT", "KEPT_RODATA", "KEPT_DATA", "KEPT_BSS",
                                        "UNDEFINED"], rightAligned: [1, 2, 3, 4, 5, 6, 7, 8])
            for f in footprint { ft.append([f.target] + (f.all + f.kept).map(String.init) + [f.undefined]) }
            out.append(ft.rendered())
            out.append("from \(sizesFile) (written by 'bash embedded/build.sh'; KEPT = what --gc-sections keeps from the three entry points)")
        } else {
            out.append("no \(sizesFile): produce it with 'bash embedded/build.sh' (needs qemu-user)")
        }
        print(out.joined(separator: "\n"))
    }

    func table(_ tallies: [BenchTally], perAnchorTime anchors: Int) -> TextTable {
        var t = TextTable(header: ["VARIANT", "ANCHORS", "DUMMY_RETYPES", "RETYPES", "DELETES", "PEAK_SLOTS", "BYTES_WASTED",
                                   "LANDED", "REFUSED", "BOUND", "RATIO", "US/ANCHOR"],
                          rightAligned: [1, 2, 3, 4, 5, 6, 8, 9, 10, 11])
        for x in tallies {
            let time = x.seconds.map { String(format: "%.1f", $0 * 1e6 / Double(max(anchors, 1))) } ?? "-"
            let landed = x.landedRight.map { right -> String in
                let wrong = x.anchors - right - x.refused
                return wrong > 0 ? "WRONG \(wrong)/\(x.anchors)" : right == x.anchors ? "RIGHT \(right)/\(x.anchors)" : "right \(right)/\(x.anchors)"
            } ?? "-"
            t.append([x.variant.rawValue, String(x.anchors), String(x.dummyRetypes), String(x.retypes), String(x.deletes),
                      x.peakSlots.map(String.init) ?? "-", hex(x.bytesWasted), landed, String(x.refused), String(x.bound),
                      x.ratioText, time])
        }
        return t
    }

    func ms(_ seconds: Double) -> String { String(format: "%.1f", seconds * 1000) }
    func round2(_ x: Double) -> Double { (x * 100).rounded() / 100 }

    func machine(repeats: Int) -> [String: Any] {
        var u = utsname()
        uname(&u)
        let arch = withUnsafeBytes(of: &u.machine) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
        #if compiler(>=6.3)
        let swift = "Swift 6.3+"
        #else
        let swift = "Swift < 6.3"
        #endif
        return ["arch": arch, "cpus": ProcessInfo.processInfo.activeProcessorCount, "swift": swift,
                "build": Self.isDebugBuild ? "debug" : "release", "repeats": repeats, "seed": seed]
    }

    func json(_ w: BenchWorkload) -> [String: Any] {
        ["key": w.key, "title": w.title, "groups": w.groups.map { g in
            ["label": g.label, "cases": g.cases, "variants": g.tallies.map { x -> [String: Any] in
                var e: [String: Any] = ["variant": x.variant.rawValue, "anchors": x.anchors, "dummyRetypes": x.dummyRetypes,
                                        "retypes": x.retypes, "deletes": x.deletes, "bytesWasted": hex(x.bytesWasted),
                                        "refused": x.refused, "bound": x.bound, "measured": x.variant.isMeasured]
                e["peakSlots"] = x.peakSlots
                e["landedRight"] = x.landedRight
                e["ratio"] = x.ratio
                e["medianSeconds"] = x.seconds
                return e
            }] as [String: Any]
        }]
    }

    func json(_ r: BenchSystemRow) -> [String: Any] {
        var e: [String: Any] = ["config": r.configuration, "strategy": r.variant, "objects": r.objects, "anchors": r.anchors,
                                "retypes": r.retypes, "dummyRetypes": r.dummyRetypes, "deletes": r.deletes,
                                "peakSlots": r.peakSlots, "bytesWasted": hex(r.bytesWasted), "anchorsRight": r.anchorsRight,
                                "mismatches": r.mismatches, "medianSeconds": r.seconds]
        e["error"] = r.error
        return e
    }

    func throughputJSON(_ rows: [BenchThroughputRow]) -> [String: Any] {
        var e: [String: Any] = ["runs": rows.map { ["objects": $0.objects, "anchors": $0.anchors, "untypeds": $0.untypeds,
                                                    "medianSeconds": $0.seconds, "objectsPerSecond": $0.objectsPerSecond,
                                                    "maxRSSKiB": $0.maxRSSKiB] }]
        if let first = rows.first, let last = rows.last, last.objects > first.objects {
            e["growth"] = last.secondsPerObject / first.secondsPerObject
        }
        return e
    }
}
