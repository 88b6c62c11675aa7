#!/usr/bin/env bash
# Runs the self-checks in specs/tests against the specifications.
#
# Each test file NAME-W.smt2 (W = 32 or 64) starts with a line
#     ; expect: unsat        (or sat)
# and ends with a single (check-sat).  The query actually given to the
# solvers is
#     (set-logic QF_BV)  +  specs/kernel-W.smt2  +  specs/invariants-W.smt2  +  test
# Both z3 and cvc5 must answer as expected for the test to pass: every file is
# checked by both solvers.  The two slowest claims are split into lemmas, one file
# each, that together are the claim (see the files' headers): offset-form-W is
# offset-form-{error,first,index}-W plus a check that the three imply
# inv-W.offset-form, and prop-offset-alignment-W is its six conjuncts, each under
# the same assumptions (prop-offset-alignment-*-W).
#
# Usage: specs/tests/run.sh [test files...]     (default: every test)
# Solvers can be overridden with Z3=... and CVC5=...; TIMEOUT is in seconds; JOBS solver runs
# at once (default: the number of cores).
#
# Each (test, solver) pair is one job; the jobs run JOBS at a time, longest first (the order
# in specs/tests/schedule, measured CPU seconds; unlisted pairs come after, in name order),
# so the stage takes about the total CPU time divided by the cores.

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

# One test's query, or a FAIL line in $work/NAME.out when the file is malformed.
prepare() {
    local test=$1 name width expect
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
    echo "$expect" > "$work/$name.expect"
    {
        echo "(set-logic QF_BV)"
        cat "$specs/kernel-$width.smt2"
        echo
        cat "$specs/invariants-$width.smt2"
        echo
        cat "$test"
    } > "$work/$name.smt2"
}

# One solver on one query: its first line of output in $work/NAME.SOLVER, seconds in .time.
# z3 runs the query with a bit-blasting tactic and cvc5 with eager bit-blasting: both are
# decision procedures for QF_BV, only faster here than the solvers' defaults (the offset-form
# and boot-piece checks took minutes with them).
solve_one() {
    local name=$1 solver=$2 query="$work/$1.smt2" t0=$SECONDS
    case "$solver" in
        z3) timeout "$limit" "$z3" "$z3_tactic" "$query" > "$work/$name.z3.log" 2>&1 ;;
        cvc5) timeout "$limit" "$cvc5" --lang smt2 --bitblast=eager "$query" > "$work/$name.cvc5.log" 2>&1 ;;
    esac
    head -n 1 "$work/$name.$solver.log" | tr -d '[:space:]' > "$work/$name.$solver"
    echo "$((SECONDS - t0))" > "$work/$name.$solver.time"
}
export -f solve_one
export work z3 cvc5 limit z3_tactic

names=()
for test in "${tests[@]}"; do
    prepare "$test"
    names+=("$(basename "$test" .smt2)")
done

# The jobs, longest first: the schedule's order, then the rest.
{
    [ -f "$here/schedule" ] && grep -v '^#' "$here/schedule" | awk 'NF >= 2 { print $1, $2 }'
    for name in "${names[@]}"; do echo "$name z3"; echo "$name cvc5"; done
} | awk '!seen[$0]++' | while read -r name solver; do
    [ -f "$work/$name.expect" ] && printf '%s\0%s\0' "$name" "$solver"
done | xargs -0 -n 2 -P "$jobs" bash -c 'solve_one "$1" "$2"' _

passed=0
failed=0
for name in "${names[@]}"; do
    if [ -f "$work/$name.out" ]; then
        line=$(cat "$work/$name.out")
    else
        expect=$(cat "$work/$name.expect")
        z3_out=$(cat "$work/$name.z3" 2>/dev/null); [ -n "$z3_out" ] || z3_out="(no answer)"
        cvc5_out=$(cat "$work/$name.cvc5" 2>/dev/null); [ -n "$cvc5_out" ] || cvc5_out="(no answer)"
        if [ "$z3_out" = "$expect" ] && [ "$cvc5_out" = "$expect" ]; then
            line="PASS  $name  (expect $expect; z3 $(cat "$work/$name.z3.time") s, cvc5 $(cat "$work/$name.cvc5.time") s)"
        else
            line="FAIL  $name  (expect $expect; z3: $z3_out; cvc5: $cvc5_out)"
        fi
    fi
    echo "$line"
    case "$line" in PASS*) passed=$((passed + 1)) ;; *) failed=$((failed + 1)) ;; esac
done

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
