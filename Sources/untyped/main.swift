// The `untyped` command-line tool. Parsing, running and every failure end in
// `Untyped.runAndExit`, which maps them to one line on stderr and a documented exit code.
Untyped.runAndExit(Array(CommandLine.arguments.dropFirst()))
