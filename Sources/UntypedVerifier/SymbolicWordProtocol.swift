import UntypedCore
import Z3

/// What the obligation builder needs of a symbolic word, whatever its width.
public protocol SymbolicMachineWord: Word where Cond == SymbolicBool {
    var expr: Expr { get }
    static func variable(_ name: String, in context: Context) -> Self
    init(_ value: UInt64, in context: Context)
}

extension SymbolicWord: SymbolicMachineWord {}
