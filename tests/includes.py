#!/usr/bin/env python3
"""The include graph: no cycle between files or between stages, and the
scan stage knows none of its consumers (issue 17). A stage is a directory
of src/; a public header include/mxtally/X.h belongs to the stage that
implements it (found from the .c files that define its functions is too
clever: the table below says it, and a new header must be added to it).
Prints every problem and exits 1 if there is one."""
import os, re, sys

OWNER = {  # public header -> stage
    "agg": "agg", "alert": "alert", "cause": "classify",
    "classify": "classify", "event": "base", "explain": "explain",
    "input": "input", "log": "base", "parse": "parse", "report": "report",
    "scan": "scan", "slice": "base", "state": "state", "afile": "base",
    "period": "period", "mail": "mail", "hash": "base",
    "trend": "report", "cli": "base", "cmd": "cmd",
    "keytab": "base", "spill": "base", "ascii": "base",
    "anon": "anon", "history": "history", "merge": "merge",
    "order": "agg",
}
# what the scan stage may not know (architecture.md: sinks are registered
# by the command; scan calls none of them by name)
FORBIDDEN = {"scan": {"alert", "state", "report"}}

inc = re.compile(r'^\s*#\s*include\s+"([^"]+)"', re.M)
files = {}
for top in ("include", "src"):
    for d, _, names in os.walk(top):
        for n in names:
            if n.endswith((".c", ".h")):
                p = os.path.join(d, n)
                files[p] = inc.findall(open(p, errors="replace").read())

def resolve(src, name):
    for cand in (os.path.join(os.path.dirname(src), name),
                 os.path.join("include", name)):
        if os.path.normpath(cand) in files:
            return os.path.normpath(cand)
    return None

def stage(path):
    if path.startswith("include/mxtally/"):
        h = os.path.basename(path)[:-2]
        if h not in OWNER:
            problems.append(f"{path}: no stage in tests/includes.py OWNER")
            return "?"
        return OWNER[h]
    parts = path.split("/")
    return parts[1] if len(parts) > 2 else os.path.basename(path)[:-2]

problems = []
fedges, sedges = {}, {}
for f, incs in sorted(files.items()):
    for name in incs:
        t = resolve(f, name)
        if t is None:
            continue
        fedges.setdefault(f, set()).add(t)
        a, b = stage(f), stage(t)
        if a != b and b != "base":
            sedges.setdefault(a, set()).add((b, f, name))

def cycles(nodes, succ):
    out, color, stack = [], {}, []
    def dfs(u):
        color[u] = 1
        stack.append(u)
        for v in sorted(succ(u)):
            if color.get(v) == 1:
                out.append(stack[stack.index(v):] + [v])
            elif v not in color:
                dfs(v)
        stack.pop()
        color[u] = 2
    for n in sorted(nodes):
        if n not in color:
            dfs(n)
    return out

checks = {"file cycles": [], "stage cycles": [], "scan knows no sink": []}
for c in cycles(fedges, lambda u: fedges.get(u, ())):
    checks["file cycles"].append("file include cycle: " + " -> ".join(c))
for c in cycles(sedges, lambda u: {b for b, _, _ in sedges.get(u, ())}):
    checks["stage cycles"].append("stage cycle: " + " -> ".join(c))
for a, bad in FORBIDDEN.items():
    for b, f, name in sorted(sedges.get(a, ())):
        if b in bad:
            checks["scan knows no sink"].append(
                f"{f} includes {name}: {a} must not know {b}")
checks["file cycles"] += problems	# headers without a stage
for p in sum(checks.values(), []):
    print("FAIL " + p)
nbad = sum(1 for v in checks.values() if v)
print(f"includes: {len(checks) - nbad} passed, {nbad} failed, 0 skipped")
sys.exit(1 if nbad else 0)
