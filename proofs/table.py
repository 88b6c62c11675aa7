#!/usr/bin/env python3
"""Prints proofs/manifest.json as Markdown tables.

usage: proofs/table.py [--strategy S] [MANIFEST]

With a strategy: configuration x obligation, result and Z3 seconds (sum over the query's
checks); "via any-W" marks an entry proved by the symbolic window's query. Without: for each
strategy, the obligations it fails and where.
"""
import argparse, json, os
order = ["model-spec", "boot-shape", "watermark", "placement", "alignment", "no-overlap", "no-reset", "refusal", "dummy-search", "progress", "optimality"]
ap = argparse.ArgumentParser()
ap.add_argument("manifest", nargs="?", default=os.path.join(os.path.dirname(os.path.abspath(__file__)), "manifest.json"))
ap.add_argument("--strategy")
a = ap.parse_args()
entries = json.load(open(a.manifest))["proofs"]
configs = []
for e in entries:
    if e["config"] not in configs: configs.append(e["config"])
configs.sort(key=lambda c: (c.startswith("any"), c))
if a.strategy:
    def text(e):
        return f"{e['result']} via {e['via']}" if "via" in e else f"{e['result']} {e['seconds']:.1f}s"
    cell = {(e["config"], e["obligation"]): text(e) for e in entries if e["strategy"] in (a.strategy, "kernel")}
    print("| config | " + " | ".join(order) + " |")
    print("|---" * (len(order) + 1) + "|")
    for c in configs:
        print(f"| {c} | " + " | ".join(cell.get((c, o), "—" if o == "dummy-search" else "not run") for o in order) + " |")
    mine = [e for e in entries if e["strategy"] in (a.strategy, "kernel") and "via" not in e]
    files = {e["file"] for e in mine}
    print(f"\n{len(mine)} queries ({len(files)} files), {sum(e['result'] == 'proved' for e in mine)} proved; "
          f"Z3 time {sum(e['seconds'] for e in mine):.0f} s in total, longest {max(e['seconds'] for e in mine):.1f} s "
          f"({entries[0]['solver'] if entries else ''}).")
else:
    strategies = sorted({e["strategy"] for e in entries} - {"kernel"})
    print("| strategy | " + " | ".join(order[2:]) + " |")
    print("|---" * (len(order) - 1) + "|")
    for s in strategies:
        def where(o):
            bad = [e["config"] for e in entries if e["strategy"] == s and e["obligation"] == o and e["result"] != "proved"]
            run = [e for e in entries if e["strategy"] == s and e["obligation"] == o]
            if not run: return "— (no rounds)" if o == "dummy-search" else "not run"
            return "proved everywhere" if not bad else "**" + ("refuted" if all(e["result"] == "refuted" for e in run if e["config"] in bad) else "not proved") + "**: " + ", ".join(bad)
        print(f"| {s} | " + " | ".join(where(o) for o in order[2:]) + " |")
