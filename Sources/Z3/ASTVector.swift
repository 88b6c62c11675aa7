internal import CZ3

/// A Z3 AST vector (`Z3_ast_vector`), held only long enough to copy out its elements.
final class ASTVector {
    let context: Context
    let raw: Z3_ast_vector

    /// Takes a vector just returned by Z3 (`Z3_ast_vector_inc_ref`).
    init(_ context: Context, _ raw: Z3_ast_vector) {
        self.context = context
        self.raw = raw
        Z3_ast_vector_inc_ref(context.raw, raw)
    }

    deinit { Z3_ast_vector_dec_ref(context.raw, raw) }

    /// The elements (`Z3_ast_vector_size`, `Z3_ast_vector_get`).
    var elements: [Expr] {
        (0..<Z3_ast_vector_size(context.raw, raw)).map {
            Expr(context, Z3_ast_vector_get(context.raw, raw, $0)!)
        }
    }
}
