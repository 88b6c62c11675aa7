internal import CZ3

/// An error reported by Z3 (`Z3_get_error_code` / `Z3_get_error_msg`).
///
/// Operations that can fail on well-formed input -- parsing, loading a benchmark,
/// asking for a model -- throw it. Building a term with mismatched sorts is a
/// programming error and traps with the same message instead.
public struct Z3Error: Error, Hashable, CustomStringConvertible {
    /// A Z3 error code (`Z3_error_code`), in the style of swift-system's `Errno`.
    public struct Code: RawRepresentable, Hashable, Sendable {
        public var rawValue: UInt32
        public init(rawValue: UInt32) { self.rawValue = rawValue }
        init(_ code: Z3_error_code) { self.init(rawValue: UInt32(code.rawValue)) }

        /// `Z3_OK`
        public static var ok: Code { Code(Z3_OK) }
        /// `Z3_SORT_ERROR`: a term of the wrong sort was given.
        public static var sortError: Code { Code(Z3_SORT_ERROR) }
        /// `Z3_IOB`: index out of bounds.
        public static var indexOutOfBounds: Code { Code(Z3_IOB) }
        /// `Z3_INVALID_ARG`
        public static var invalidArgument: Code { Code(Z3_INVALID_ARG) }
        /// `Z3_PARSER_ERROR`
        public static var parserError: Code { Code(Z3_PARSER_ERROR) }
        /// `Z3_NO_PARSER`
        public static var noParser: Code { Code(Z3_NO_PARSER) }
        /// `Z3_INVALID_PATTERN`
        public static var invalidPattern: Code { Code(Z3_INVALID_PATTERN) }
        /// `Z3_MEMOUT_FAIL`
        public static var memoryOut: Code { Code(Z3_MEMOUT_FAIL) }
        /// `Z3_FILE_ACCESS_ERROR`
        public static var fileAccessError: Code { Code(Z3_FILE_ACCESS_ERROR) }
        /// `Z3_INTERNAL_FATAL`
        public static var internalFatal: Code { Code(Z3_INTERNAL_FATAL) }
        /// `Z3_INVALID_USAGE`: the call is invalid in the current state (e.g. no model).
        public static var invalidUsage: Code { Code(Z3_INVALID_USAGE) }
        /// `Z3_DEC_REF_ERROR`
        public static var decRefError: Code { Code(Z3_DEC_REF_ERROR) }
        /// `Z3_EXCEPTION`: an internal exception; see `message`.
        public static var exception: Code { Code(Z3_EXCEPTION) }
    }

    /// What went wrong.
    public var code: Code
    /// Z3's message for it (`Z3_get_error_msg`).
    public var message: String

    public init(code: Code, message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { "Z3 error \(code.rawValue): \(message)" }
}
