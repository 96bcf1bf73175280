#!/usr/bin/env python3
"""The ten Bishan rules in peer rule engines, beside kpirules, on the same generated units.

    pip install -r benchmarks/requirements.txt     # the peers: only in the benchmark environment
    python benchmarks/bench_peers.py               # 20,000 units, 3 timed runs each
    python benchmarks/bench_peers.py --units 5000 --runs 1

Each engine evaluates one expression per unit that gives the ten raw scores (the rules as the
engine's own language writes them); the host rounds each half-up to the cent, as kpirules does.
Before an engine is timed, its scores are checked against kpirules' on every unit of the run: the
table says on how many units it agrees to the cent, and why where it does not (an engine whose
numbers are binary floats or 28-digit decimals cannot express every rule exactly). An engine that
is not installed is listed as such, not dropped. Each engine runs in a fresh child process, so
peak RSS is its own; figures are medians.
"""

from __future__ import annotations

import argparse
import importlib.metadata
import json
import platform
import resource
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))

WEIGHTS = (10, 10, 15, 10, 15, 5, 15, 5, 5, 10)
STAFF = {"优": 1, "良": 0.8, "中": 0.6, "差": 0}

# The ten rules in each language: one expression giving the ten raw scores.
PYTHONIC = (
    "[10 * min(1, budget_spent / budget_adjusted / 0.95),"
    " 10 if disclosed_on_time else 0, 15 if case_volume_target_met else 0,"
    " 10 if on_time_disposal_target_met else 0, 15 * min(1, hotline_closed / hotline_received),"
    " 5 * min(1, complaints_answered / complaints_received), 15 if system_failure_target_met else 0,"
    " 5 if city_assessment_passed else 0, 5 * staff, 10 * min(1, satisfaction_rate)]"
)
RULE_ENGINE = (
    "[10 * (budget_spent / budget_adjusted / 0.95 >= 1 ? 1 : budget_spent / budget_adjusted / 0.95),"
    " disclosed_on_time ? 10 : 0, case_volume_target_met ? 15 : 0, on_time_disposal_target_met ? 10 : 0,"
    " 15 * (hotline_closed >= hotline_received ? 1 : hotline_closed / hotline_received),"
    " 5 * (complaints_answered >= complaints_received ? 1 : complaints_answered / complaints_received),"
    " system_failure_target_met ? 15 : 0, city_assessment_passed ? 5 : 0, 5 * staff,"
    " 10 * (satisfaction_rate >= 1 ? 1 : satisfaction_rate)]"
)
CEL = (
    "[10.0 * (budget_spent / budget_adjusted / 0.95 >= 1.0 ? 1.0 : budget_spent / budget_adjusted / 0.95),"
    " disclosed_on_time ? 10.0 : 0.0, case_volume_target_met ? 15.0 : 0.0, on_time_disposal_target_met ? 10.0 : 0.0,"
    " 15.0 * (hotline_closed >= hotline_received ? 1.0 : hotline_closed / hotline_received),"
    " 5.0 * (complaints_answered >= complaints_received ? 1.0 : complaints_answered / complaints_received),"
    " system_failure_target_met ? 15.0 : 0.0, city_assessment_passed ? 5.0 : 0.0, 5.0 * staff,"
    " 10.0 * (satisfaction_rate >= 1.0 ? 1.0 : satisfaction_rate)]"
)
ZEN = (
    "[10 * min([1, budget_spent / budget_adjusted / 0.95]),"
    " disclosed_on_time ? 10 : 0, case_volume_target_met ? 15 : 0, on_time_disposal_target_met ? 10 : 0,"
    " 15 * min([1, hotline_closed / hotline_received]), 5 * min([1, complaints_answered / complaints_received]),"
    " system_failure_target_met ? 15 : 0, city_assessment_passed ? 5 : 0, 5 * staff,"
    " 10 * min([1, satisfaction_rate])]"
)

ENGINES: dict[str, tuple[str, str]] = {  # name: (PyPI package, number type as the engine computes)
    "simpleeval": ("simpleeval", "exact: Python Fractions as inputs"),
    "rule-engine": ("rule-engine", "decimal.Decimal, 28 digits"),
    "cel-python": ("cel-python", "binary float (CEL double)"),
    "common-expression-language": ("common-expression-language", "binary float (CEL double)"),
    "zen-engine (per unit)": ("zen-engine", "rust_decimal, 28 digits"),
    "zen-engine (evaluate_batch)": ("zen-engine", "rust_decimal, 28 digits"),
}


def half_up(x: Any) -> Decimal:
    if isinstance(x, Fraction):
        q, r = divmod(x * 100, 1)
        return Decimal(int(q) + (1 if r >= Fraction(1, 2) else 0)) / 100
    d = Decimal(repr(x)) if isinstance(x, float) else Decimal(str(x))
    return d.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def rows_for(count: int) -> list[dict[str, Any]]:
    import bench_evaluate

    return bench_evaluate.bishan_rows(count, seed=2026)


def with_staff(row: dict[str, Any], convert: Callable[[Any], Any]) -> dict[str, Any]:
    out = {k: (convert(v) if isinstance(v, (int, float)) and not isinstance(v, bool) else v) for k, v in row.items()}
    out["staff"] = convert(STAFF[str(row["staff_rating"])])
    del out["staff_rating"]
    return out


def engine_runner(name: str, rows: list[dict[str, Any]]) -> Callable[[], list[list[Decimal]]]:
    """A function scoring every row with the engine (inputs prepared outside the timing)."""
    if name == "simpleeval":
        from simpleeval import EvalWithCompoundTypes

        ev = EvalWithCompoundTypes(functions={"min": min})
        parsed = ev.parse(PYTHONIC)
        ctx = [with_staff(r, lambda v: Fraction(repr(v)) if isinstance(v, float) else Fraction(v)) for r in rows]

        def run() -> list[list[Decimal]]:
            out = []
            for c in ctx:
                ev.names = c
                out.append([half_up(x) for x in ev.eval(PYTHONIC, previously_parsed=parsed)])
            return out

        return run
    if name == "rule-engine":
        import rule_engine

        rule = rule_engine.Rule(RULE_ENGINE)
        ctx = [with_staff(r, lambda v: v) for r in rows]
        return lambda: [[half_up(x) for x in rule.evaluate(c)] for c in ctx]
    if name == "cel-python":
        import celpy

        env = celpy.Environment()
        prog = env.program(env.compile(CEL))
        ctx = [celpy.json_to_cel(with_staff(r, float)) for r in rows]
        return lambda: [[half_up(float(x)) for x in prog.evaluate(c)] for c in ctx]
    if name == "common-expression-language":
        import cel

        prog = cel.compile(CEL)
        ctx = [with_staff(r, float) for r in rows]
        return lambda: [[half_up(x) for x in prog.execute(c)] for c in ctx]
    if name.startswith("zen-engine"):
        import zen

        content = {
            "nodes": [
                {"id": "in", "type": "inputNode", "name": "in", "position": {"x": 0, "y": 0}},
                {
                    "id": "ex",
                    "type": "expressionNode",
                    "name": "scores",
                    "position": {"x": 1, "y": 0},
                    "content": {"expressions": [{"id": "e1", "key": "scores", "value": ZEN}]},
                },
                {"id": "out", "type": "outputNode", "name": "out", "position": {"x": 2, "y": 0}},
            ],
            "edges": [
                {"id": "a", "sourceId": "in", "targetId": "ex", "type": "edge"},
                {"id": "b", "sourceId": "ex", "targetId": "out", "type": "edge"},
            ],
        }
        engine = zen.ZenEngine({"loader": {"type": "static", "content": {"bishan": content}}})
        ctx = [with_staff(r, lambda v: v) for r in rows]
        if name.endswith("(evaluate_batch)"):
            requests = [{"key": "bishan", "context": c} for c in ctx]

            def batch() -> list[list[Decimal]]:
                return [[half_up(x) for x in r["data"]["result"]["scores"]] for r in engine.evaluate_batch(requests)]

            return batch
        decision = engine.get_decision("bishan")
        return lambda: [[half_up(x) for x in decision.evaluate(c)["result"]["scores"]] for c in ctx]
    if name == "kpirules evaluate_many":
        import kpirules

        rs = kpirules.load(ROOT / "rulesets" / "bishan_2022.toml")
        return lambda: [list(r.scores) for r in rs.evaluate_many(rows)]  # type: ignore[union-attr]
    raise SystemExit(f"unknown engine {name}")


def child(name: str, count: int) -> None:
    import kpirules

    rows = rows_for(count)
    rs = kpirules.load(ROOT / "rulesets" / "bishan_2022.toml")
    expected = [list(r.scores) for r in rs.evaluate_many(rows)]  # type: ignore[union-attr]
    try:
        run = engine_runner(name, rows)
        got = run()  # checked before it is timed
    except ImportError as err:
        print(json.dumps({"missing": str(err)}))
        return
    agree = sum(g == e for g, e in zip(got, expected, strict=True))
    first = next(((r, g, e) for r, g, e in zip(rows, got, expected, strict=True) if g != e), None)
    start = time.perf_counter()
    run()
    seconds = time.perf_counter() - start
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    print(json.dumps({"seconds": seconds, "rss": rss, "agree": agree, "first_diff": repr(first)[:300]}))


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--units", type=int, default=20_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--child", nargs=2, metavar=("ENGINE", "UNITS"))
    args = parser.parse_args(argv)
    if args.child:
        child(args.child[0], int(args.child[1]))
        return 0
    print("the ten Bishan rules in peer engines (per-unit engines, rows already in memory)")
    print(f"   CPU       {platform.processor() or platform.machine()}; Python {platform.python_version()}")
    print(f"   units     {args.units:,}; runs {args.runs} (medians), each in a fresh process")
    print(f"\n   {'engine':<30}{'version':>10}{'units/s':>12}{'peak RSS':>11}{'agree':>14}   numbers")
    for name in ["kpirules evaluate_many", *ENGINES]:
        package, numbers = ENGINES.get(name, ("kpirules", "Decimal, exact rounding"))
        try:
            version = importlib.metadata.version(package)
        except importlib.metadata.PackageNotFoundError:
            print(f"   {name:<30}{'-':>10}   not installed (pip install -r benchmarks/requirements.txt)")
            continue
        results = []
        for _ in range(args.runs):
            done = subprocess.run(
                [sys.executable, __file__, "--child", name, str(args.units)],
                capture_output=True,
                text=True,
                check=False,
            )
            if done.returncode != 0:
                print(f"   {name:<30}{version:>10}   FAILED: {done.stderr.strip().splitlines()[-1:]}")
                break
            results.append(json.loads(done.stdout.strip().splitlines()[-1]))
        if not results or "missing" in results[0]:
            continue
        seconds = statistics.median(r["seconds"] for r in results)
        rss = max(r["rss"] for r in results) / 2**20
        agree = results[0]["agree"]
        print(
            f"   {name:<30}{version:>10}{args.units / seconds:>12,.0f}{rss:>8,.0f} MiB"
            f"{agree:>8,}/{args.units:<6,}  {numbers}"
        )
        if agree != args.units:
            print(f"      first difference (row, engine, kpirules): {results[0]['first_diff']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
