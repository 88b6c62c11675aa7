internal import CZ3

/// A Z3 sort (`Z3_sort`), reference counted through `Z3_sort_to_ast`.
public final class Sort: Hashable, CustomStringConvertible {
    /// The context the sort belongs to.
    public let context: Context
    let raw: Z3_sort

    init(_ context: Context, _ raw: Z3_sort) {
        self.context = context
        self.raw = raw
        Z3_inc_ref(context.raw, Z3_sort_to_ast(context.raw, raw))
    }

    deinit { Z3_dec_ref(context.raw, Z3_sort_to_ast(context.raw, raw)) }

    /// Whether this is the Boolean sort (`Z3_get_sort_kind`).
    public var isBool: Bool { Z3_get_sort_kind(context.raw, raw) == Z3_BOOL_SORT }

    /// The width of a bit-vector sort, `nil` for other sorts (`Z3_get_bv_sort_size`).
    public var bitWidth: Int? {
        guard Z3_get_sort_kind(context.raw, raw) == Z3_BV_SORT else { return nil }
        return Int(Z3_get_bv_sort_size(context.raw, raw))
    }

    /// SMT-LIB text of the sort, e.g. `(_ BitVec 64)` (`Z3_sort_to_string`).
    public var description: String { String(cString: Z3_sort_to_string(context.raw, raw)) }

    /// Same sort (`Z3_is_eq_sort`).
    public static func == (lhs: Sort, rhs: Sort) -> Bool {
        lhs.context === rhs.context && Z3_is_eq_sort(lhs.context.raw, lhs.raw, rhs.raw)
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(Z3_get_ast_hash(context.raw, Z3_sort_to_ast(context.raw, raw)))
    }
}
