#!/usr/bin/env python3
"""Speed benchmark for ``kpirules plan`` (docs/plan.md).

    python benchmarks/bench_plan.py            # the full run (about a minute)
    python benchmarks/bench_plan.py --quick    # a smoke run with fewer units

It prints the machine, then three figures, each next to its target with PASS or MISS:

1. single-measure plans (``Ruleset.plan(values, max_measures=1)``, to the next grade) for units
   of a generated 100-indicator ruleset (benchmarks/bench_evaluate.py's ``generate_ruleset``,
   every form of the language, 28 measures, 10 derived): the median and the slowest plan;
2. plans for 1,000 Bishan units (``bench_evaluate.bishan_rows``): each unit's gap to its next
   grade and the cheapest single change that closes it, sorted (``kpirules.plan.marginal.many``,
   what ``kpirules plan RULESET --values FILE`` runs);
3. for scale, the same for 100 units of the 100-indicator ruleset (no target: a figure only).

A benchmark prints figures and never asserts. It does check that what it times is right: every
option it times is scored again with ``Ruleset.evaluate`` and must reach its target, with the value
one grid step short below it; it exits with status 1 if a check fails, because then the figures
mean nothing. Only the standard library and kpirules are used.
"""

from __future__ import annotations

import argparse
import dataclasses
import random
import statistics
import sys
from collections.abc import Mapping
from decimal import Decimal
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_evaluate import QUICK as EVALUATE_QUICK
from bench_evaluate import (
    ROOT,
    Report,
    Target,
    bishan_rows,
    check,
    describe_machine,
    generate_ruleset,
    sec,
    timed,
)

import kpirules
from kpirules.plan import Option, Plan
from kpirules.plan.marginal import many
from kpirules.plan.space import grid_step

SINGLE_TARGET = Target(1, "s", at_most=True)
MANY_TARGET = Target(30, "s", at_most=True)


def verify(rs: kpirules.Ruleset, values: Mapping[str, Any], target: Decimal, option: Option) -> None:
    """The option, scored, reaches ``target``; one step short of its (last) change does not."""
    env = rs.prepare(values)
    changed = {name: value for name, value in env.items() if not rs.measures[name].derived}
    for change in option.changes:
        changed[change.measure] = _raw(rs, change.measure, change.after)
    total = rs.evaluate(changed).total
    check(total >= target and total == option.total_after, f"an option scores {total}, not ≥ {target}")
    last = option.changes[-1]
    before, after = last.before, last.after
    if isinstance(before, Decimal) and isinstance(after, Decimal):
        step = grid_step(rs.measures[last.measure], before)
        short = after - step if after > before else after + step
        if short != before:
            changed[last.measure] = _raw(rs, last.measure, short)
            try:
                below = rs.evaluate(changed).total
            except kpirules.KpiRulesError:
                return
            check(below < target, f"{last.measure} one step short ({short}) still reaches {below} ≥ {target}")


def _raw(rs: kpirules.Ruleset, name: str, value: Any) -> Any:
    if rs.measures[name].type == "rate" and isinstance(value, Decimal) and abs(value) >= 10:
        return f"{value * 100}%"
    return value


def bench_single(report: Report, units: int) -> None:
    report.heading(f"1. single-measure plans, generated 100-indicator ruleset, {units} units")
    synthetic = generate_ruleset(100, seed=7)
    rs = kpirules.loads(synthetic.text, name="<generated>")
    report.note(
        f"{len(rs.indicators)} indicators, {synthetic.measures} measures ({synthetic.derived} derived), "
        f"{len(synthetic.forms)} forms"
    )
    rng = random.Random(2026)
    seconds: list[float] = []
    options = reached = 0
    for _ in range(units):
        values = synthetic.random_values(rng)

        def one(values: dict[str, object] = values) -> Plan:
            return rs.plan(values, max_measures=1)

        elapsed, plan = timed(one)
        seconds.append(elapsed)
        reached += plan.reached
        for option in plan.options:
            verify(rs, values, plan.target, option)
            options += 1
    report.note(f"checked: {options} options verified by evaluate ({reached} units already at their target)")
    median, worst = statistics.median(seconds), max(seconds)
    report.verdict("1. single-measure plan, 100 indicators", "median per unit", sec(median), SINGLE_TARGET, median)
    report.verdict("1b. the slowest of them", "slowest unit", sec(worst), SINGLE_TARGET, worst)


def bench_many(report: Report, units: int) -> None:
    report.heading(f"2. plans for {units:,} Bishan units (gap to the next grade, cheapest single change)")
    rs = kpirules.load(ROOT / "rulesets" / "bishan_2022.toml")
    rows = bishan_rows(units, seed=2022)
    elapsed, found = timed(lambda: many(rs, [(str(i), row) for i, row in enumerate(rows)]))
    check(len(found) == units, f"{len(found)} plans for {units} units")
    by_name = {str(i): row for i, row in enumerate(rows)}
    verified = 0
    for unit in found:
        check(unit.error is None, f"unit {unit.unit} failed: {unit.error}")
        if unit.option is not None and unit.target is not None:
            verify(rs, by_name[unit.unit], unit.target, unit.option)
            verified += 1
    top = sum(u.target is None for u in found)
    report.note(f"checked: {verified} cheapest changes verified by evaluate; {top} units at the top grade")
    label = f"{units:,} units"
    report.verdict(f"2. plans for {units:,} units (Bishan)", label, sec(elapsed), MANY_TARGET, elapsed)
    report.figure("per unit", f"{elapsed / units * 1e3:,.2f} ms")


def bench_many_big(report: Report, units: int) -> None:
    report.heading(f"3. plans for {units} units of the 100-indicator ruleset (a figure only)")
    synthetic = generate_ruleset(100, seed=7)
    rs = kpirules.loads(synthetic.text, name="<generated>")
    rng = random.Random(7)
    rows = [synthetic.random_values(rng) for _ in range(units)]
    elapsed, found = timed(lambda: many(rs, [(str(i), row) for i, row in enumerate(rows)]))
    check(all(u.error is None for u in found), "a generated unit failed to score")
    report.figure(f"{units} units", sec(elapsed))
    report.figure("per unit", f"{elapsed / units * 1e3:,.1f} ms")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="fewer units: a smoke run")
    args = parser.parse_args(argv)
    describe_machine(dataclasses.replace(EVALUATE_QUICK, name="quick" if args.quick else "full"))
    report = Report()
    report.run("1", lambda: bench_single(report, 5 if args.quick else 30))
    report.run("2", lambda: bench_many(report, 100 if args.quick else 1000))
    report.run("3", lambda: bench_many_big(report, 5 if args.quick else 100))
    return report.summary()


if __name__ == "__main__":
    sys.exit(main())
