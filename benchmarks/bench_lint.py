"""How fast `kpirules lint` is.

    python benchmarks/bench_lint.py            # the figures
    python benchmarks/bench_lint.py --quick    # a smoke run with fewer repetitions

Prints, as medians:

* linting a generated 1,000-indicator ruleset (``generate_ruleset`` of bench_evaluate.py: 20 forms,
  350 measures, 125 formulas), against the target of 1 s; beside it, loading the same text alone,
  so that what the analysis adds is visible;
* linting rulesets/bishan_2022.toml;
* the cold start of ``kpirules lint rulesets/bishan_2022.toml`` (a new process each time).

Nothing here asserts a time; the tests only check that this script runs (tests/test_lint.py does
not time anything either).
"""

from __future__ import annotations

import argparse
import collections
import importlib.util
import statistics
import subprocess
import sys
import time
from pathlib import Path
from types import ModuleType

ROOT = Path(__file__).resolve().parent.parent
TARGET_1000 = 1.0  # seconds


def _bench_evaluate() -> ModuleType:
    spec = importlib.util.spec_from_file_location("bench_evaluate", Path(__file__).with_name("bench_evaluate.py"))
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def _median(fn: object, runs: int) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()  # type: ignore[operator]
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer repetitions")
    parser.add_argument("--indicators", type=int, default=1000)
    args = parser.parse_args()
    runs = 2 if args.quick else 7

    import kpirules
    from kpirules.linter import lint_text

    synthetic = _bench_evaluate().generate_ruleset(args.indicators)
    text = synthetic.text
    lint_text(text, "<generated>")  # warm: lark's parser, imports
    found = lint_text(text, "<generated>")
    load = _median(lambda: kpirules.loads(text), runs)
    lint = _median(lambda: lint_text(text, "<generated>"), runs)
    counts = collections.Counter(d.code for d in found)
    verdict = "meets" if lint <= TARGET_1000 else "misses"
    print(f"lint {args.indicators:,}-indicator ruleset   {lint:6.3f} s  (target ≤ {TARGET_1000:.1f} s: {verdict})")
    print(f"  of which load + compile         {load:6.3f} s  (kpirules.loads alone)")
    print(f"  analysis and checks             {lint - load:6.3f} s")
    listed = ", ".join(f"{code} {n}" for code, n in sorted(counts.items()))
    print(f"  findings                        {sum(counts.values())}: {listed}")

    bishan = (ROOT / "rulesets" / "bishan_2022.toml").read_text("utf-8")
    small = _median(lambda: lint_text(bishan, "bishan_2022.toml"), runs * 5)
    print(f"lint rulesets/bishan_2022.toml    {small * 1000:6.1f} ms")

    command = [sys.executable, "-m", "kpirules", "lint", str(ROOT / "rulesets" / "bishan_2022.toml")]
    cold = _median(lambda: subprocess.run(command, check=True, capture_output=True), 3 if args.quick else 10)
    print(f"kpirules lint bishan, cold start  {cold:6.3f} s")


if __name__ == "__main__":
    main()
