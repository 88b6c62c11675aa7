/// The utspace_split strategy of seL4_libs allocman, for comparison: a buddy allocator.
///
/// To reach a 2^k object at a target in a fresh 2^N untyped it retypes the untyped into its
/// two halves (two retypes of one untyped each), keeps both, descends into the half holding
/// the target, and repeats until the half is the object's size; then it retypes the object
/// from that half: 2·(N−k)+1 retypes and 2·(N−k) caps held. Un-anchored objects take the
/// smallest free block that holds them (lowest address on a tie) and split it down the same
/// way, always keeping the lower half. Every address is relative to an aligned parent, so it
/// is right on every kernel window; it is costly in retypes and slots, and never wastes
/// memory (unused halves stay free for later objects).
///
/// The halves are named `_s<u>_<path>` (untyped u; path: 0 = lower half, 1 = upper half,
/// from the top), so the plan is a real trace that replays on the model.
public enum SplitPlanner {
    enum NodeState: Equatable {
        case free
        case split(lower: Int, upper: Int)
        case used
    }

    struct Node {
        var cap: CapRef
        var untyped: Int
        var paddr: UInt64
        var sizeBits: UInt64
        var path: String
        var state: NodeState = .free
        /// The kernel starts a bootinfo untyped full; a half starts empty. Either way a
        /// node without children is reset by its next retype.
        var isDevice: Bool
    }

    struct Run {
        let spec: PlanSpec
        var nodes: [Node] = []
        var invocations: [Invocation] = []
        var placed: [PlannedObject?]
        var stats = PlanStats()
        let untypedType: ObjectType
        var usedUntypeds: Set<Int> = []

        init(spec: PlanSpec) {
            self.spec = spec
            placed = Array(repeating: nil, count: spec.objects.count)
            untypedType = spec.window.objectTypes(mcs: spec.mcs)[0]
            for (u, d) in spec.untypeds.enumerated() {
                nodes.append(Node(cap: .boot(u), untyped: u, paddr: d.paddr, sizeBits: d.sizeBits, path: "", isDevice: d.isDevice))
            }
        }

        /// Halves node `n` with two retypes; returns the halves.
        mutating func split(_ n: Int) -> (Int, Int) {
            let node = nodes[n]
            let half = node.sizeBits - 1
            var halves: [Int] = []
            for bit in ["0", "1"] {
                let path = node.path + bit
                let name = "_s\(node.untyped)_\(path)"
                invocations.append(.retype(RetypeInvocation(untyped: node.cap, target: .type(untypedType),
                                                            userObjSize: half, names: [name])))
                let paddr = node.paddr &+ (bit == "1" ? 1 << half : 0)
                nodes.append(Node(cap: .named(name), untyped: node.untyped, paddr: paddr, sizeBits: half, path: path,
                                  isDevice: node.isDevice))
                halves.append(nodes.count - 1)
            }
            nodes[n].state = .split(lower: halves[0], upper: halves[1])
            stats.dummyRetypes += 2
            stats.dummies += 2
            return (halves[0], halves[1])
        }

        /// Descends from node `n` to the free node of `sizeBits` holding `paddr`, splitting on
        /// the way; returns it and the halvings it cost.
        mutating func descend(from start: Int, to paddr: UInt64, sizeBits: UInt64, object: String) throws(PlanFailure) -> (Int, Int) {
            var n = start
            var halvings = 0
            while nodes[n].sizeBits > sizeBits {
                switch nodes[n].state {
                case .used:
                    throw PlanFailure(.internalInconsistency, "'\(object)': the split block at \(hex(nodes[n].paddr)) is already used")
                case .free:
                    _ = split(n)
                    halvings += 1
                    continue
                case .split(let lower, let upper):
                    n = paddr < nodes[upper].paddr ? lower : upper
                }
            }
            guard nodes[n].state == .free else {
                throw PlanFailure(.internalInconsistency, "'\(object)': the split block at \(hex(nodes[n].paddr)) is not free")
            }
            return (n, halvings)
        }

        mutating func place(_ i: Int, node start: Int, paddr: UInt64) throws(PlanFailure) {
            let object = spec.objects[i]
            let size = spec.sizeBits(object)
            let (n, halvings) = try descend(from: start, to: paddr, sizeBits: size, object: object.name)
            invocations.append(.retype(RetypeInvocation(untyped: nodes[n].cap, target: .type(object.type),
                                                        userObjSize: object.userObjSize, names: [object.name])))
            nodes[n].state = .used
            stats.objectRetypes += 1
            usedUntypeds.insert(nodes[n].untyped)
            placed[i] = PlannedObject(index: i, name: object.name, type: object.type.name, sizeBits: size,
                                      paddr: nodes[n].paddr, untyped: nodes[n].untyped, anchored: object.paddr != nil,
                                      gapFilled: false, dummies: 2 * halvings, dummyRetypes: 2 * halvings, batch: 1)
        }

        mutating func run() throws(PlanFailure) -> Plan {
            let anchors = spec.objects.indices.filter { spec.objects[$0].paddr != nil }
                .sorted { spec.objects[$0].paddr! < spec.objects[$1].paddr! }
            for i in anchors {
                let paddr = spec.objects[i].paddr!
                try place(i, node: spec.untypedIndex(containing: paddr)!, paddr: paddr)
            }
            let rest = spec.objects.indices.filter { spec.objects[$0].paddr == nil }.sorted { a, b in
                let (x, y) = (spec.objects[a], spec.objects[b])
                if (x.untyped != nil) != (y.untyped != nil) { return x.untyped != nil }
                let (sx, sy) = (spec.sizeBits(x), spec.sizeBits(y))
                return sx != sy ? sx > sy : a < b
            }
            for i in rest {
                let object = spec.objects[i]
                let size = spec.sizeBits(object)
                let candidates = nodes.indices.filter { n in
                    nodes[n].state == .free && nodes[n].sizeBits >= size && spec.mayUse(object, untyped: nodes[n].untyped)
                }
                guard let best = candidates.min(by: { (nodes[$0].sizeBits, nodes[$0].paddr) < (nodes[$1].sizeBits, nodes[$1].paddr) }) else {
                    let kind = object.untyped.map { "untypeds[\($0)]" } ?? (object.device == true ? "the device untypeds" : "the normal untypeds")
                    throw PlanFailure(.outOfMemory, "objects[\(i)] '\(object.name)': no free block left in \(kind) "
                                      + "for a 2^\(size)-byte \(object.type.name)", object: object.name)
                }
                try place(i, node: best, paddr: nodes[best].paddr)
            }
            stats.objects = spec.objects.count
            stats.anchors = anchors.count
            stats.peakSlots = nodes.count - spec.untypeds.count
            stats.untypedsUsed = usedUntypeds.count
            return try Planner.finish(spec: spec, strategy: .split, options: PlannerOptions(strategy: .split),
                                      invocations: invocations, objects: placed.map { $0! }, stats: stats)
        }
    }

    /// Plans `spec` by halving (the spec is assumed valid: `Planner.plan` validates it).
    public static func plan(_ spec: PlanSpec) throws(PlanFailure) -> Plan {
        var run = Run(spec: spec)
        return try run.run()
    }

    /// Retypes utspace_split spends on one 2^k object at a target in a fresh 2^N untyped.
    public static func retypes(untypedBits n: Int, objectBits k: Int) -> Int { 2 * (n - k) + 1 }
}
