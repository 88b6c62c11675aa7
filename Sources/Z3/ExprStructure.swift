internal import CZ3

/// What a term is made of, for printing it without Z3's pretty printer.
public enum ExprShape {
    /// A bit-vector numeral: its value in decimal and its width (`Z3_get_numeral_string`).
    case numeral(decimal: String, width: Int)
    /// A function application (`Z3_get_app_decl`): SMT-LIB name, indices (`(_ extract 7 0)`)
    /// and arguments. A constant is an application without arguments.
    case application(name: String, indices: [Int], arguments: [Expr])
    /// Anything else (quantifiers, bound variables): the term's own text (`Z3_ast_to_string`).
    case other(String)
}

extension Expr {
    /// The term's identifier, unique among the context's live terms (`Z3_get_ast_id`).
    public var id: UInt32 { Z3_get_ast_id(context.raw, raw) }

    /// The term's structure (`Z3_get_ast_kind` and the application accessors).
    public var shape: ExprShape {
        let ctx = context.raw
        switch Z3_get_ast_kind(ctx, raw) {
        case Z3_NUMERAL_AST:
            let width = bitWidth ?? 0
            return .numeral(decimal: String(cString: Z3_get_numeral_string(ctx, raw)), width: width)
        case Z3_APP_AST:
            let app = Z3_to_app(ctx, raw)
            let decl = Z3_get_app_decl(ctx, app)
            let symbol = Z3_get_decl_name(ctx, decl)
            let name = Z3_get_symbol_kind(ctx, symbol) == Z3_STRING_SYMBOL
                ? String(cString: Z3_get_symbol_string(ctx, symbol)) : "k!\(Z3_get_symbol_int(ctx, symbol))"
            var indices: [Int] = []
            for i in 0..<Z3_get_decl_num_parameters(ctx, decl) where Z3_get_decl_parameter_kind(ctx, decl, i) == Z3_PARAMETER_INT {
                indices.append(Int(Z3_get_decl_int_parameter(ctx, decl, i)))
            }
            let arguments = (0..<Z3_get_app_num_args(ctx, app)).map { context.expr(Z3_get_app_arg(ctx, app, $0)) }
            return .application(name: name, indices: indices, arguments: arguments)
        default:
            return .other(sexpr)
        }
    }
}
