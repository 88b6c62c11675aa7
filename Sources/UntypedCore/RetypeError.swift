/// Why the kernel refused an Untyped_Retype, numbered in the order the kernel checks
/// (`decodeUntypedInvocation`): the first failing check wins. In the core it travels as a
/// word (it may be symbolic); `.none` (0) means success. The numbering is the contract
/// with `specs/kernel-W.smt2` (`kW.retype-error`).
public enum RetypeError: UInt8 {
    /// No error.
    case none = 0
    /// InvalidArgument(0): object type out of range.
    case invalidType = 1
    /// RangeError(0, seL4_MaxUntypedBits): size argument >= W, or object above the maximum.
    case sizeOutOfRange = 2
    /// InvalidArgument(1): CNode of radix 0, Untyped under 16 bytes, SchedContext under 2^7.
    case sizeTooSmall = 3
    /// RangeError(1, 256): number of objects outside 1...256.
    case countOutOfRange = 4
    /// NotEnoughMemory: fewer than `count` objects fit above the watermark (padding ignored).
    case notEnoughMemory = 5
    /// InvalidArgument(1): a device untyped asked for a type that is neither a frame nor Untyped.
    case deviceType = 6

    /// The code as a word (literal per case: no integer conversion in generic code).
    @inline(__always) public func word<W: Word>() -> W {
        switch self {
        case .none: return 0
        case .invalidType: return 1
        case .sizeOutOfRange: return 2
        case .sizeTooSmall: return 3
        case .countOutOfRange: return 4
        case .notEnoughMemory: return 5
        case .deviceType: return 6
        }
    }
}

#if !hasFeature(Embedded)
extension RetypeError: CaseIterable {}
#endif
