#!/usr/bin/env python3
"""Sort the dependency lines inside each package block of `dnf repoclosure` output.

dnf prints the packages in sorted order, but one package's unresolved dependencies come from a
Python set of hawkey Reldep objects hashed by identity, so their order changes between runs.
Lines indented by four spaces are the dependencies; every other line is kept in place.

    normalize-repoclosure.py < CASE.stdout > CASE.sorted
"""
import sys

out: list[str] = []
deps: list[str] = []
for line in sys.stdin.read().splitlines():
    if line.startswith("    "):
        deps.append(line)
        continue
    out.extend(sorted(deps))
    deps.clear()
    out.append(line)
out.extend(sorted(deps))
sys.stdout.write("".join(f"{line}\n" for line in out))
