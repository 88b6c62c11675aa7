// Concrete conformances: the words a root task computes with.
// Shifts are written out so that an amount >= W gives 0 (SMT-LIB), never a trap
// and never the masked amount that `&<<` would use.

extension Bool: Condition {
    @inline(__always) public static func constant(_ value: Bool) -> Bool { value }
    @inline(__always) public func and(_ other: Bool) -> Bool { self && other }
    @inline(__always) public func or(_ other: Bool) -> Bool { self || other }
    @inline(__always) public var negated: Bool { !self }
    @inline(__always) public static func select(_ c: Bool, _ a: Bool, _ b: Bool) -> Bool { c ? a : b }
}

extension UInt64: Word {
    public typealias Cond = Bool
    @inline(__always) public static var width: UInt64 { 64 }
    @inline(__always) public func shiftedLeft(by amount: UInt64) -> UInt64 { amount < 64 ? self &<< amount : 0 }
    @inline(__always) public func shiftedRight(by amount: UInt64) -> UInt64 { amount < 64 ? self &>> amount : 0 }
    @inline(__always) public func eq(_ other: UInt64) -> Bool { self == other }
    @inline(__always) public func ult(_ other: UInt64) -> Bool { self < other }
    @inline(__always) public func ule(_ other: UInt64) -> Bool { self <= other }
    @inline(__always) public var trailingZeros: UInt64 { UInt64(_truncatingBits: UInt(bitPattern: trailingZeroBitCount)) }
    @inline(__always) public var leadingZeros: UInt64 { UInt64(_truncatingBits: UInt(bitPattern: leadingZeroBitCount)) }
    @inline(__always) public static func select(_ c: Bool, _ a: UInt64, _ b: UInt64) -> UInt64 { c ? a : b }
}

extension UInt32: Word {
    public typealias Cond = Bool
    @inline(__always) public static var width: UInt32 { 32 }
    @inline(__always) public func shiftedLeft(by amount: UInt32) -> UInt32 { amount < 32 ? self &<< amount : 0 }
    @inline(__always) public func shiftedRight(by amount: UInt32) -> UInt32 { amount < 32 ? self &>> amount : 0 }
    @inline(__always) public func eq(_ other: UInt32) -> Bool { self == other }
    @inline(__always) public func ult(_ other: UInt32) -> Bool { self < other }
    @inline(__always) public func ule(_ other: UInt32) -> Bool { self <= other }
    @inline(__always) public var trailingZeros: UInt32 { UInt32(truncatingIfNeeded: trailingZeroBitCount) }
    @inline(__always) public var leadingZeros: UInt32 { UInt32(truncatingIfNeeded: leadingZeroBitCount) }
    @inline(__always) public static func select(_ c: Bool, _ a: UInt32, _ b: UInt32) -> UInt32 { c ? a : b }
}

/// A concrete machine word: what root tasks and hosted tools instantiate the core with.
public protocol MachineWord: Word, FixedWidthInteger, UnsignedInteger, Sendable where Cond == Bool {}
extension UInt64: MachineWord {}
extension UInt32: MachineWord {}
