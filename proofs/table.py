#!/usr/bin/env python3
"""Prints proofs/manifest.json as a Markdown table: configuration x obligation, result and seconds."""
import json, os, sys
order = ["model-spec", "boot-shape", "watermark", "placement", "alignment", "no-overlap", "no-reset", "progress", "optimality"]
path = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(os.path.abspath(__file__)), "manifest.json")
entries = json.load(open(path))["proofs"]
configs = []
for e in entries:
    if e["config"] not in configs: configs.append(e["config"])
configs.sort(key=lambda c: (c.startswith("any"), c))
cell = {(e["config"], e["obligation"]): f"{e['result']} {e['seconds']:.1f}s" for e in entries if e["strategy"] in ("offset", "kernel")}
print("| config | " + " | ".join(order) + " |")
print("|---" * (len(order) + 1) + "|")
for c in configs:
    family = "any-64" if ("64" in c) else "any-32"
    def shown(o):
        if (c, o) in cell: return cell[(c, o)]
        covering = cell.get((family, o))
        return f"via {family}: {covering.split()[0]}" if covering else "not run"
    print(f"| {c} | " + " | ".join(shown(o) for o in order) + " |")
total = sum(e["seconds"] for e in entries)
print(f"\n{len(entries)} queries, {sum(e['result'] == 'proved' for e in entries)} proved; solver time {total:.0f} s in total ({entries[0]['solver'] if entries else ''}).")
