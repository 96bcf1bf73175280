#!/usr/bin/env python3
"""Before and after: the Bishan figures of ``bench_evaluate.py`` for several checkouts, in turns.

    python benchmarks/bench_compare.py BEFORE_SRC AFTER_SRC [MORE_SRC …] [--rounds 3]

Each argument is a checkout's ``src`` folder (a ``git worktree`` of the commit to compare). For
each round, each checkout runs in a fresh process (``PYTHONPATH`` set to it) that times, on this
checkout's ``rulesets/bishan_2022.toml`` and its generated rows:

1. µs per ``Ruleset.evaluate(values)``: median of 20 batches of 2,000 calls;
2. units/s of ``Ruleset.evaluate_many`` on 100,000 generated rows, and on 100,000 rows in which no
   number repeats: the best of 3 calls each.

Checkouts run in turns (A, B, C, A, B, C …) so that the drift of a shared machine falls on all of
them alike; the table gives each figure's runs and their median. Like every benchmark here it
prints figures and asserts nothing; a checkout whose Bishan total is not 93.74 优 is an error.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# The measuring code, run in a child process whose `kpirules` is the checkout's.
CHILD = r"""
import gc, json, statistics, sys, time
from itertools import repeat
sys.path.insert(0, sys.argv[1])
import bench_evaluate as b
import kpirules
rs = kpirules.load(sys.argv[2])
values = b.bishan_values()
result = rs.evaluate(values)
assert (str(result.total), result.grade) == ("93.74", "优"), (result.total, result.grade)
evaluate = rs.evaluate
def batch():
    start = time.perf_counter()
    for _ in repeat(None, 2000):
        evaluate(values)
    return (time.perf_counter() - start) / 2000
batch()
per_call = statistics.median(batch() for _ in range(20))
def many(rows):
    best = None
    for _ in range(3):
        gc.collect()
        start = time.perf_counter()
        out = rs.evaluate_many(rows)
        elapsed = time.perf_counter() - start
        assert all(isinstance(r, kpirules.Result) for r in out)
        best = elapsed if best is None else min(best, elapsed)
    return len(rows) / best
print(json.dumps({
    "evaluate_us": per_call * 1e6,
    "many": many(b.bishan_rows(100_000, seed=2022)),
    "distinct": many(b.bishan_distinct_rows(100_000, seed=2023)),
}))
"""

FIGURES = (
    ("evaluate_us", "`evaluate`, Bishan, µs per call (median of 20 × 2,000)", "{:.2f}"),
    ("many", "`evaluate_many`, 100,000 rows, units/s (best of 3)", "{:,.0f}"),
    ("distinct", "`evaluate_many`, 100,000 rows, no repeats, units/s (best of 3)", "{:,.0f}"),
)


def run(src: str) -> dict[str, float]:
    env = {**os.environ, "PYTHONPATH": src}
    out = subprocess.run(
        [sys.executable, "-c", CHILD, str(ROOT / "benchmarks"), str(ROOT / "rulesets" / "bishan_2022.toml")],
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    return dict(json.loads(out.stdout))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("sources", nargs="+", help="the src folders of the checkouts, the first is the baseline")
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    runs: dict[str, list[dict[str, float]]] = {src: [] for src in args.sources}
    for k in range(args.rounds):
        for src in args.sources:
            runs[src].append(run(src))
            print(f"round {k + 1}: {src}: {runs[src][-1]}", file=sys.stderr)
    names = [Path(src).parent.name for src in args.sources]
    print("| figure | " + " | ".join(names) + " |")
    print("| --- |" + " ---: |" * len(names))
    for key, label, fmt in FIGURES:
        cells = []
        for src in args.sources:
            values = [r[key] for r in runs[src]]
            cells.append(fmt.format(statistics.median(values)) + " (" + ", ".join(fmt.format(v) for v in values) + ")")
        print(f"| {label} | " + " | ".join(cells) + " |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
