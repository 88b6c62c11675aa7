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
# Solvers can be overridden with Z3=... and CVC5=...; TIMEOUT is in seconds; JOBS tests run
# at once (default: the number of cores).

set -u

here=$(cd "$(dirname "$0")" && pwd)
specs=$(dirname "$here")
z3=${Z3:-z3}
cvc5=${CVC5:-cvc5}
limit=${TIMEOUT:-300}
jobs=${JOBS:-$(nproc)}
z3_tactic="tactic.default_tactic=(then simplify propagate-values solve-eqs bit-blast sat)"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

if [ $# -gt 0 ]; then
    tests=("$@")
else
    tests=("$here"/*.smt2)
fi

# One test: builds the query, asks both solvers, writes one PASS/FAIL line to $work/NAME.out.
# z3 runs the query with a bit-blasting tactic and cvc5 with eager bit-blasting: both are
# decision procedures for QF_BV, only faster here than the solvers' defaults (the offset-form
# and boot-piece checks took minutes with them).
check_one() {
    local test=$1 name width expect query z3_out cvc5_out
    name=$(basename "$test" .smt2)
    case "$name" in
        *-64) width=64 ;;
        *-32) width=32 ;;
        *)
            echo "FAIL  $name: file name must end in -32 or -64" > "$work/$name.out"
            return ;;
    esac

    expect=$(head -n 1 "$test" | sed -n 's/^;[[:space:]]*expect:[[:space:]]*\([a-z]*\).*$/\1/p')
    if [ "$expect" != sat ] && [ "$expect" != unsat ]; then
        echo "FAIL  $name: first line must be '; expect: sat' or '; expect: unsat'" > "$work/$name.out"
        return
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

    local t0=$SECONDS
    # Both solvers at once: the slowest test sets the stage's length.
    timeout "$limit" "$z3" "$z3_tactic" "$query" > "$work/$name.z3" 2>&1 &
    timeout "$limit" "$cvc5" --lang smt2 --bitblast=eager "$query" > "$work/$name.cvc5" 2>&1
    wait
    z3_out=$(head -n 1 "$work/$name.z3" | tr -d '[:space:]')
    cvc5_out=$(head -n 1 "$work/$name.cvc5" | tr -d '[:space:]')
    [ -n "$z3_out" ] || z3_out="(no answer)"
    [ -n "$cvc5_out" ] || cvc5_out="(no answer)"

    if [ "$z3_out" = "$expect" ] && [ "$cvc5_out" = "$expect" ]; then
        echo "PASS  $name  (expect $expect; $((SECONDS - t0)) s)" > "$work/$name.out"
    else
        echo "FAIL  $name  (expect $expect; z3: $z3_out; cvc5: $cvc5_out)" > "$work/$name.out"
    fi
}
export -f check_one
export work specs z3 cvc5 limit z3_tactic

printf '%s\0' "${tests[@]}" | xargs -0 -n 1 -P "$jobs" bash -c 'check_one "$1"' _

passed=0
failed=0
for test in "${tests[@]}"; do
    out="$work/$(basename "$test" .smt2).out"
    if [ -f "$out" ]; then line=$(cat "$out"); else line="FAIL  $(basename "$test" .smt2): no result"; fi
    echo "$line"
    case "$line" in PASS*) passed=$((passed + 1)) ;; *) failed=$((failed + 1)) ;; esac
done

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
