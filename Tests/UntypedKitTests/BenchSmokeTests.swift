import Testing
@testable import UntypedKit

/// Behaviour behind `untyped bench` workload (a): the reported case costs the default
/// strategy exactly the lower bound (4 dummy retypes with 1 per retype, 1 with 256), and the
/// absolute-paddr strategy lands the frame somewhere else on the kernel model.
@Suite("Bench smoke")
struct BenchSmokeTests {
    let tallies = Bench.measure([Bench.reportedCase()], repeats: 1, bound: nil)

    func tally(_ v: BenchVariant) -> BenchTally { tallies.first { $0.variant == v }! }

    @Test func offsetMeetsTheBoundInTheReportedCase() {
        #expect(tally(.offset1).dummyRetypes == 4)
        #expect(tally(.offset1).landedRight == 1)
        #expect(tally(.offset256).dummyRetypes == 1)
        #expect(tally(.offset256).landedRight == 1)
    }

    @Test func absoluteLandsWrong() {
        #expect(tally(.absolute).landedRight == 0)
        #expect(tally(.absolute).refused == 0)
    }

    @Test func splitAndProbeCostWhatTheReferenceSays() {
        #expect(tally(.split).retypes == SplitPlanner.retypes(untypedBits: 46, objectBits: 21))
        #expect(tally(.probe).dummyRetypes == 0xd80_0000_0000 >> 21)   // 7,077,888 probe rounds
    }
}
