#!/usr/bin/env bash
# Runs the self-checks in specs/tests against the specifications.
#
# Each test file NAME-W.smt2 (W = 32 or 64) starts with a line
#     ; expect: unsat        (or sat)
# and ends with a single (check-sat).  The query actually given to the
# solvers is
#     (set-logic QF_BV)  +  specs/kernel-W.smt2  +  specs/invariants-W.smt2  +  test
# Both z3 and cvc5 must answer as expected for the test to pass.
#
# Usage: specs/tests/run.sh [test files...]     (default: every test)
# Solvers can be overridden with Z3=... and CVC5=...; TIMEOUT is in seconds.

set -u

here=$(cd "$(dirname "$0")" && pwd)
specs=$(dirname "$here")
z3=${Z3:-z3}
cvc5=${CVC5:-cvc5}
limit=${TIMEOUT:-300}

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

if [ $# -gt 0 ]; then
    tests=("$@")
else
    tests=("$here"/*.smt2)
fi

passed=0
failed=0

for test in "${tests[@]}"; do
    name=$(basename "$test" .smt2)
    case "$name" in
        *-64) width=64 ;;
        *-32) width=32 ;;
        *)
            echo "FAIL  $name: file name must end in -32 or -64"
            failed=$((failed + 1))
            continue ;;
    esac

    expect=$(head -n 1 "$test" | sed -n 's/^;[[:space:]]*expect:[[:space:]]*\([a-z]*\).*$/\1/p')
    if [ "$expect" != sat ] && [ "$expect" != unsat ]; then
        echo "FAIL  $name: first line must be '; expect: sat' or '; expect: unsat'"
        failed=$((failed + 1))
        continue
    fi

    query="$work/$name.smt2"
    {
        echo "(set-logic QF_BV)"
        cat "$specs/kernel-$width.smt2"
        echo
        cat "$specs/invariants-$width.smt2"
        echo
        cat "$test"
    } > "$query"

    z3_out=$(timeout "$limit" "$z3" "$query" 2>&1 | head -n 1 | tr -d '[:space:]')
    cvc5_out=$(timeout "$limit" "$cvc5" --lang smt2 "$query" 2>&1 | head -n 1 | tr -d '[:space:]')
    [ -n "$z3_out" ] || z3_out="(no answer)"
    [ -n "$cvc5_out" ] || cvc5_out="(no answer)"

    if [ "$z3_out" = "$expect" ] && [ "$cvc5_out" = "$expect" ]; then
        echo "PASS  $name  (expect $expect)"
        passed=$((passed + 1))
    else
        echo "FAIL  $name  (expect $expect; z3: $z3_out; cvc5: $cvc5_out)"
        failed=$((failed + 1))
    fi
done

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
