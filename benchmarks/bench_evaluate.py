#!/usr/bin/env python3
"""Speed benchmark for kpirules.

    python benchmarks/bench_evaluate.py            # the full run (about a minute)
    python benchmarks/bench_evaluate.py --quick    # a smoke run with fewer iterations

It prints the machine, then five figures, each next to its target with PASS or MISS:

1. load + compile of ``rulesets/bishan_2022.toml``: the first call in the process (which builds
   the Lark parser) and the median of warm calls;
2. µs per ``Ruleset.evaluate(values)`` on the Bishan ruleset, values given as plain Python
   numbers, booleans and strings, the returned ``Result`` included;
3. rows/s of ``Ruleset.evaluate_many`` over 100,000 generated rows, and (3b) over 100,000 rows in
   which no number repeats from one row to another, the worst case for its memos;
4. load + compile of a generated 1,000-indicator ruleset that uses every form of the language;
5. cold start of ``kpirules score rulesets/bishan_2022.toml`` (a subprocess, wall clock).

A benchmark prints figures and never asserts. It does check that what it times is right (the
Bishan total is 93.74 优, every generated row scores, the generated ruleset scores within its
total) and exits with status 1 if a check fails, because then the figures mean nothing.

:func:`generate_ruleset` is also used by ``tests/test_bench_smoke.py``, which keeps the generated
rulesets valid as the language evolves. Only the standard library and kpirules are used.
"""

from __future__ import annotations

import argparse
import gc
import importlib.metadata
import os
import platform
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from itertools import repeat
from pathlib import Path
from typing import TypeVar

import kpirules

ROOT = Path(__file__).resolve().parent.parent
BISHAN = Path("rulesets") / "bishan_2022.toml"  # relative to ROOT, as the CLI is run from there
LEVELS = ("优", "良", "中", "差")
GRADE_BOUNDS = ("0.9", "0.8", "0.6", "0")  # of the total: 优 90 %, 良 80 %, 中 60 %, 差 0

T = TypeVar("T")


# ---- settings and targets ---------------------------------------------------------------------
@dataclass(frozen=True)
class Settings:
    """How many times each figure is measured."""

    name: str
    load_repeats: int  # warm loads of the Bishan ruleset
    evaluate_batches: int  # batches of evaluate() calls ...
    evaluate_calls: int  # ... of this many calls each
    many_rows: int  # rows given to one evaluate_many() call
    many_repeats: int  # evaluate_many() calls timed
    big_indicators: int  # indicators of the generated ruleset
    big_loads: int  # loads of the generated ruleset
    cli_runs: int  # timed runs of the CLI


FULL = Settings(
    name="full",
    load_repeats=50,
    evaluate_batches=20,
    evaluate_calls=2000,
    many_rows=100_000,
    many_repeats=3,
    big_indicators=1000,
    big_loads=5,
    cli_runs=10,
)
QUICK = Settings(
    name="quick",
    load_repeats=10,
    evaluate_batches=5,
    evaluate_calls=500,
    many_rows=10_000,
    many_repeats=1,
    big_indicators=1000,
    big_loads=2,
    cli_runs=3,
)


@dataclass(frozen=True)
class Target:
    """A figure's target: ``at most`` (times) or ``at least`` (rates) ``limit``, in ``unit``."""

    limit: float
    unit: str
    at_most: bool

    def met(self, figure: float) -> bool:
        return figure <= self.limit if self.at_most else figure >= self.limit

    def __str__(self) -> str:
        return f"{'≤' if self.at_most else '≥'} {self.limit:,g} {self.unit}"


EVALUATE_TARGET = Target(25, "µs", at_most=True)
EVALUATE_MANY_TARGET = Target(50_000, "units/s", at_most=False)
BIG_LOAD_TARGET = Target(1, "s", at_most=True)
CLI_TARGET = Target(0.4, "s", at_most=True)


# ---- reporting --------------------------------------------------------------------------------
class CheckFailed(Exception):
    """What the benchmark timed gave a wrong answer, so its figures mean nothing."""


def check(condition: bool, message: str) -> None:
    if not condition:
        raise CheckFailed(message)


@dataclass(frozen=True)
class Verdict:
    """A figure held against its target; ``what`` names it in the summary."""

    what: str
    figure: str
    target: Target
    met: bool


class Report:
    """Aligned lines on stdout; verdicts and failed checks are kept for the summary."""

    WIDTH = 48

    def __init__(self) -> None:
        self.verdicts: list[Verdict] = []
        self.failures: list[str] = []

    def heading(self, text: str) -> None:
        print(f"\n{text}", flush=True)

    def note(self, text: str) -> None:
        print(f"   {text}", flush=True)

    def figure(self, label: str, value: str) -> None:
        print(f"   {label:<{self.WIDTH}}{value:>16}", flush=True)

    def verdict(self, what: str, label: str, value: str, target: Target, figure: float) -> None:
        verdict = Verdict(what, value, target, target.met(figure))
        self.verdicts.append(verdict)
        print(self._line(label, verdict), flush=True)

    def _line(self, label: str, verdict: Verdict) -> str:
        mark = "PASS" if verdict.met else "MISS"
        return f"   {label:<{self.WIDTH}}{verdict.figure:>16}   target {verdict.target!s:<18}{mark}"

    def run(self, section: str, bench: Callable[[], T]) -> T | None:
        """Run one section; a failed check is recorded and the section gives no figures."""
        try:
            return bench()
        except (CheckFailed, kpirules.KpiRulesError) as error:
            print(f"   CHECK FAILED: {error}", flush=True)
            self.failures.append(f"{section}: {error}")
            return None

    def summary(self) -> int:
        """Print the verdicts and failed checks; the exit status is 1 if a check failed."""
        print("\nsummary")
        for verdict in self.verdicts:
            print(self._line(verdict.what, verdict))
        met = sum(verdict.met for verdict in self.verdicts)
        print(f"   {met} of {len(self.verdicts)} targets met")
        if not self.failures:
            print("   all correctness checks passed")
            return 0
        print(f"   {len(self.failures)} correctness check(s) FAILED:")
        for failure in self.failures:
            print(f"      {failure}")
        return 1


def us(seconds: float) -> str:
    return f"{seconds * 1e6:,.1f} µs"


def ms(seconds: float) -> str:
    return f"{seconds * 1e3:,.1f} ms"


def sec(seconds: float) -> str:
    return f"{seconds:,.3f} s"


def timed(fn: Callable[[], T]) -> tuple[float, T]:
    """Wall-clock seconds of one call, and what it returned."""
    start = time.perf_counter()
    value = fn()
    return time.perf_counter() - start, value


# ---- the machine ------------------------------------------------------------------------------
def cpu_model() -> str:
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as cpuinfo:
            for line in cpuinfo:
                key, _, value = line.partition(":")
                if key.strip() in ("model name", "Model", "Hardware"):
                    return value.strip()
    except OSError:
        pass
    return platform.processor() or platform.machine() or "unknown CPU"


def source_revision() -> str:
    """The git commit of the checkout, and whether src/ differs from it."""
    try:
        head = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True, check=True
        ).stdout.strip()
        changed = subprocess.run(
            ["git", "status", "--porcelain", "--", "src"], cwd=ROOT, capture_output=True, text=True, check=True
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "not a git checkout"
    return f"git {head}" + (", with uncommitted changes in src/" if changed else ", src/ clean")


def describe_machine(settings: Settings) -> None:
    logical = os.cpu_count() or 0
    usable = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else logical
    print(f"kpirules speed benchmark ({settings.name} run)")
    print(f"   CPU       {cpu_model()}, {logical} logical cores ({usable} usable by this process)")
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else 0.0
    print(f"   system    {platform.system()} {platform.release()} {platform.machine()}, load average {load:.2f}")
    print(f"   Python    {platform.python_implementation()} {platform.python_version()} ({sys.executable})")
    print(f"   kpirules  {kpirules.__version__} ({source_revision()})")
    print(f"   lark      {importlib.metadata.version('lark')}")
    print("   timing    time.perf_counter (wall clock), garbage collector on; figures are medians")
    if load > usable / 2:
        print(f"   WARNING   load average {load:.1f} on {usable} cores: other work is running, figures will be noisy")


# ---- the Bishan ruleset and its values -------------------------------------------------------
def bishan_values() -> dict[str, object]:
    """The report's own figures, as a caller would pass them: floats, ints, bools and a label."""
    return {
        "budget_adjusted": 1899305.84,
        "budget_spent": 1899305.84,
        "disclosed_on_time": True,
        "case_volume_target_met": True,
        "on_time_disposal_target_met": True,
        "hotline_received": 576,
        "hotline_closed": 576,
        "complaints_received": 25,
        "complaints_answered": 25,
        "system_failure_target_met": True,
        "city_assessment_passed": True,
        "staff_rating": "良",
        "satisfaction_rate": 0.474,
    }


def bishan_rows(count: int, *, seed: int) -> list[dict[str, object]]:
    """``count`` varied but valid units for the Bishan ruleset."""
    rng = random.Random(seed)

    def row() -> dict[str, object]:
        budget = round(rng.uniform(200_000, 5_000_000), 2)
        received = rng.randint(1, 2_000)
        complaints = rng.randint(1, 100)
        return {
            "budget_adjusted": budget,
            "budget_spent": round(budget * rng.uniform(0.6, 1.05), 2),
            "disclosed_on_time": rng.random() < 0.9,
            "case_volume_target_met": rng.random() < 0.9,
            "on_time_disposal_target_met": rng.random() < 0.9,
            "hotline_received": received,
            "hotline_closed": rng.randint(0, received),
            "complaints_received": complaints,
            "complaints_answered": rng.randint(0, complaints),
            "system_failure_target_met": rng.random() < 0.9,
            "city_assessment_passed": rng.random() < 0.9,
            "staff_rating": rng.choice(LEVELS),
            "satisfaction_rate": round(rng.random(), 4),
        }

    return [row() for _ in range(count)]


#: The measures of a Bishan unit that hold numbers (the others are yes/no values and a rating).
BISHAN_NUMBERS = (
    "budget_adjusted",
    "budget_spent",
    "hotline_received",
    "hotline_closed",
    "complaints_received",
    "complaints_answered",
    "satisfaction_rate",
)


def bishan_distinct_rows(count: int, *, seed: int) -> list[dict[str, object]]:
    """``count`` valid units in which no number repeats from one unit to another: every amount,
    count and rate is new, so ``evaluate_many`` finds no value it has already converted and no
    combination of values a formula or rule has already seen. The five yes/no values and the
    rating can only take 2 and 4 values. Real batches repeat far more; this is the worst case."""
    rng = random.Random(seed)
    seen: dict[str, set[object]] = {name: set() for name in BISHAN_NUMBERS}

    def new(name: str, draw: Callable[[], T]) -> T:
        value = draw()
        while value in seen[name]:
            value = draw()
        seen[name].add(value)
        return value

    def row() -> dict[str, object]:
        budget = new("budget_adjusted", lambda: round(rng.uniform(200_000, 5_000_000), 2))
        received = new("hotline_received", lambda: rng.randint(100_000, 1_000_000))
        complaints = new("complaints_received", lambda: rng.randint(100_000, 1_000_000))
        return {
            "budget_adjusted": budget,
            "budget_spent": new("budget_spent", lambda: round(budget * rng.uniform(0.6, 1.05), 2)),
            "disclosed_on_time": rng.random() < 0.9,
            "case_volume_target_met": rng.random() < 0.9,
            "on_time_disposal_target_met": rng.random() < 0.9,
            "hotline_received": received,
            "hotline_closed": new("hotline_closed", lambda: rng.randint(0, received)),
            "complaints_received": complaints,
            "complaints_answered": new("complaints_answered", lambda: rng.randint(0, complaints)),
            "system_failure_target_met": rng.random() < 0.9,
            "city_assessment_passed": rng.random() < 0.9,
            "staff_rating": rng.choice(LEVELS),
            "satisfaction_rate": new("satisfaction_rate", lambda: round(rng.random(), 8)),
        }

    return [row() for _ in range(count)]


# ---- the floor: the same ten rules written by hand -----------------------------------------------
_HALF_UP = Decimal("0.01")
_STAFF = {"优": Decimal(1), "良": Decimal("0.8"), "中": Decimal("0.6"), "差": Decimal(0)}


def _dec(value: object) -> Decimal:
    return Decimal(repr(value)) if isinstance(value, float) else Decimal(value)  # type: ignore[arg-type]


def hand_written_bishan(v: Mapping[str, object]) -> tuple[list[Decimal], Decimal, str]:
    """The Bishan rules as a programmer would write them by hand, with exact decimal rounding.

    This is the reference the issue measures kpirules against (about 12 µs per unit when it was
    measured); timing it in the same run tells how fast this machine is today.
    """
    from decimal import ROUND_HALF_UP

    def r(x: Decimal) -> Decimal:
        return x.quantize(_HALF_UP, rounding=ROUND_HALF_UP)

    one = Decimal(1)
    scores = [
        r(min(one, _dec(v["budget_spent"]) / _dec(v["budget_adjusted"]) / Decimal("0.95")) * 10),
        r(Decimal(10) if v["disclosed_on_time"] else Decimal(0)),
        r(Decimal(15) if v["case_volume_target_met"] else Decimal(0)),
        r(Decimal(10) if v["on_time_disposal_target_met"] else Decimal(0)),
        r(min(one, _dec(v["hotline_closed"]) / _dec(v["hotline_received"])) * 15),
        r(min(one, _dec(v["complaints_answered"]) / _dec(v["complaints_received"])) * 5),
        r(Decimal(15) if v["system_failure_target_met"] else Decimal(0)),
        r(Decimal(5) if v["city_assessment_passed"] else Decimal(0)),
        r(_STAFF[str(v["staff_rating"])] * 5),
        r(min(one, _dec(v["satisfaction_rate"])) * 10),
    ]
    total = sum(scores, Decimal(0))
    grade = "优" if total >= 90 else "良" if total >= 80 else "中" if total >= 60 else "差"
    return scores, total, grade


# ---- a generated ruleset that uses every form -------------------------------------------------
@dataclass(frozen=True)
class Form:
    """One indicator template: its subject (a measure of the block, or none) and its rule.

    ``rule`` is a :meth:`str.format` template over the block's measure names (``{rate}`` …) and
    the parameters drawn for each indicator (``{target}``, ``{cap}``, ``{amount}``, ``{share}``).
    """

    name: str
    measure: str | None
    rule: str


# Bands on separate lines, with a comment: the layout rules of the language get exercised too.
INTERVAL_TIERS = """\
tiers {failures} {{
    == 0: full
    (0, 1%]: 80%      # 1% 以内
    (1%, 3%]: 50%
    > 3%: zero
}}"""

FORMS: tuple[Form, ...] = (
    Form("proportional", "rate", "proportional"),
    Form("proportional to", "execution", "proportional to {target}"),
    Form("proportional inverse", "failures", "proportional inverse to {cap}"),
    Form("proportional expression", None, "proportional {closed} / {received}"),
    Form(
        "tiers, comparison bands",
        "closure",
        "tiers {{ >= {target}: full, >= 80%: {share}, >= 60%: 30%, else: zero }}",
    ),
    Form("tiers, interval bands", None, INTERVAL_TIERS),
    Form("tiers, level bands", "rating", 'tiers {{ >= "良": full, == 中: {share}, else: zero }}'),
    Form("deduct per", "execution", "deduct {amount} per 1% below {target}"),
    Form("deduct per whole", "blend", "deduct {amount} per whole 5% below 100%"),
    Form("deduct per started", "closure", "deduct {amount} per started 1% below 100%"),
    Form("deduct per above", "failures", "deduct {amount} per 1% above {cap}"),
    Form("deduct each", "incidents", "deduct {amount} each"),
    Form("checklist", None, 'checklist {{ {flag}: 40%, {rate} >= 60%: 30%, {rating} >= "良": 30% }}'),
    Form("grade", "rating", "grade {{ 优: full, 良: 80%, 中: 60%, 差: zero }}"),
    Form("pass if", "flag", "pass if {flag} and {worst} >= 50%"),
    Form("pass if … else", "rounded", "pass if value >= {target} else {share}"),
    Form("if … then … else", "closure", "if value >= {target} then full else proportional to {target}"),
    Form("min(…)", "rate", "min(full, 0.2 pts + proportional)"),
    Form("score arithmetic, max(…)", None, "max(zero, full - {amount} * {incidents} - 1 pt * (1 - {closure}))"),
)

#: Measures every block declares, in file order: (key, type, formula template or None).
#: ``rounded`` comes before the ``execution`` it reads, so the loader has to order formulas.
BLOCK_MEASURES: tuple[tuple[str, str, str | None], ...] = (
    ("rate", "rate", None),
    ("failures", "rate", None),
    ("received", "count", None),
    ("closed", "count", None),
    ("closure", "rate", "{closed} / {received}"),
    ("budget", "amount", None),
    ("spent", "amount", None),
    ("rounded", "rate", "round({execution}, 2)"),
    ("execution", "rate", "{spent} / {budget}"),
    ("blend", "rate", "({rate} + {closure}) / 2"),
    ("worst", "rate", "min({rate}, {execution})"),
    ("incidents", "count", None),
    ("flag", "bool", None),
    ("rating", "level", None),
)


def block_names(block: int) -> dict[str, str]:
    """The measure names of one block; the level measure has a Chinese name."""
    names = {key: f"{key}_{block}" for key, _, _ in BLOCK_MEASURES}
    names["rating"] = f"评价_{block}"
    return names


def toml_string(text: str) -> str:
    """A TOML string holding ``text``: a multi-line literal string if it spans lines, else a
    literal string if it holds double quotes, else a basic string (no escapes needed in any)."""
    assert "'" not in text and "\\" not in text
    if "\n" in text:
        return f"'''\n{text}'''"
    return f"'{text}'" if '"' in text else f'"{text}"'


def toml_key(name: str) -> str:
    """A TOML key: bare keys are ASCII only, so ``评价_0`` is quoted."""
    return name if name.isascii() else f'"{name}"'


@dataclass(frozen=True)
class SyntheticRuleset:
    """A generated ruleset file and what is needed to make values for it."""

    text: str
    indicators: int
    blocks: int
    measures: int
    derived: int
    forms: dict[str, int]  # form name → indicators using it

    def random_values(self, rng: random.Random) -> dict[str, object]:
        """One unit's values: plain Python floats, ints, bools and labels, all valid."""
        values: dict[str, object] = {}
        for block in range(self.blocks):
            n = block_names(block)
            received = rng.randint(1, 5_000)
            budget = round(rng.uniform(100_000, 10_000_000), 2)
            values[n["rate"]] = round(rng.random(), 4)
            values[n["failures"]] = round(rng.uniform(0, 0.05), 4)
            values[n["received"]] = received
            values[n["closed"]] = received - rng.randint(0, received // 4)
            values[n["budget"]] = budget
            values[n["spent"]] = round(budget * rng.uniform(0.6, 1.05), 2)
            values[n["incidents"]] = rng.randint(0, 6)
            values[n["flag"]] = rng.random() < 0.8
            values[n["rating"]] = rng.choice(LEVELS)
        return values


def generate_ruleset(indicators: int = 1000, *, seed: int = 0) -> SyntheticRuleset:
    """A valid ruleset of ``indicators`` indicators whose weights add up to ``total = indicators``.

    Indicators come in runs of ``len(FORMS)``, one per form; each run reads one block of 14
    measures (9 inputs, 5 derived by formulas), with one block per 40 indicators. 1,000
    indicators make 25 blocks: 350 measures, 125 of them derived. Targets, deductions and band
    shares are drawn from ``seed``; weights are 0.5 … 1.5 in pairs that add up to 2.
    """
    if indicators < 1:
        raise ValueError("a ruleset needs at least one indicator")
    rng = random.Random(seed)
    blocks = max(1, indicators // 40)
    total = Decimal(indicators)

    weights: list[Decimal] = []
    for _ in range(indicators // 2):
        delta = Decimal(rng.choice(("0", "0.25", "0.5")))
        weights += [1 + delta, 1 - delta]
    if indicators % 2:
        weights.append(Decimal(1))
    rng.shuffle(weights)

    out = [
        f"# Generated by benchmarks/bench_evaluate.py: generate_ruleset({indicators}, seed={seed})",
        "",
        "[ruleset]",
        f'id = "synthetic-{indicators}"',
        f'title = "生成的评分标准（{indicators} 项指标）"',
        f"total = {total}",
        "precision = 2",
        "",
        "[grades]",
        *(f'"{label}" = {total * Decimal(bound)}' for label, bound in zip(LEVELS, GRADE_BOUNDS, strict=True)),
    ]
    for block in range(blocks):
        names = block_names(block)
        for key, kind, formula in BLOCK_MEASURES:
            out += ["", f"[measures.{toml_key(names[key])}]", f'type = "{kind}"']
            if kind == "level":
                out.append("levels = [" + ", ".join(f'"{label}"' for label in LEVELS) + "]")
            if kind == "amount":
                out.append('unit = "元"')
            if key == "rate" and block % 2:
                out.append("range = [0, 1]")  # a declared range takes the full conversion path
            if formula is not None:
                out.append(f"formula = {toml_string(formula.format(**names))}")

    forms: Counter[str] = Counter()
    for i in range(indicators):
        form = FORMS[i % len(FORMS)]
        names = block_names((i // len(FORMS)) % blocks)
        params = {
            "target": rng.choice(("90%", "95%", "98%")),
            "cap": rng.choice(("1%", "2%", "3%")),
            "amount": rng.choice(("0.1 pts", "0.2 pts", "0.5 pts")),
            "share": rng.choice(("50%", "60%", "80%")),
        }
        forms[form.name] += 1
        out += [
            "",
            "[[indicators]]",
            f'id = "ind_{i + 1:04d}"',
            f'name = "指标 {i + 1}"',
            f"weight = {weights[i]}",
        ]
        if form.measure is not None:
            out.append(f'measure = "{names[form.measure]}"')
        out.append(f"rule = {toml_string(form.rule.format(**names, **params))}")

    derived = sum(formula is not None for _, _, formula in BLOCK_MEASURES)
    return SyntheticRuleset(
        text="\n".join(out) + "\n",
        indicators=indicators,
        blocks=blocks,
        measures=blocks * len(BLOCK_MEASURES),
        derived=blocks * derived,
        forms=dict(forms),
    )


# ---- the five figures -------------------------------------------------------------------------
def bench_bishan_load(report: Report, settings: Settings) -> kpirules.Ruleset:
    report.heading(f"1. load + compile {BISHAN.as_posix()} (kpirules.load, in process)")
    path = ROOT / BISHAN
    first, ruleset = timed(lambda: kpirules.load(path))
    check(len(ruleset.indicators) == 10, f"expected 10 indicators, got {len(ruleset.indicators)}")
    warm = [timed(lambda: kpirules.load(path))[0] for _ in range(settings.load_repeats)]
    report.figure("first call (includes building the Lark parser)", ms(first))
    report.figure(f"warm call, median of {len(warm)}", ms(statistics.median(warm)))
    report.note(f"warm calls ranged {ms(min(warm))} … {ms(max(warm))}")
    return ruleset


def bench_evaluate(report: Report, settings: Settings, ruleset: kpirules.Ruleset) -> None:
    report.heading("2. ruleset.evaluate(values) on Bishan (plain Python values, Result included)")
    values = bishan_values()
    result = ruleset.evaluate(values)
    check(
        result.total == Decimal("93.74") and result.grade == "优",
        f"Bishan scored {result.total} {result.grade}, expected 93.74 优",
    )
    report.note(f"checked: total {result.total}, grade {result.grade}")

    evaluate, calls = ruleset.evaluate, settings.evaluate_calls

    def batch() -> float:
        start = time.perf_counter()
        for _ in repeat(None, calls):
            evaluate(values)
        return (time.perf_counter() - start) / calls

    batch()  # warm-up
    per_call = [batch() for _ in range(settings.evaluate_batches)]
    median = statistics.median(per_call)
    label = f"per call, median of {len(per_call)} batches × {calls:,}"
    report.verdict("2. evaluate, Bishan, per call", label, us(median), EVALUATE_TARGET, median * 1e6)
    report.note(f"batches ranged {us(min(per_call))} … {us(max(per_call))} per call")
    _, hand_total, hand_grade = hand_written_bishan(values)
    check((hand_total, hand_grade) == (result.total, result.grade), "the hand-written baseline disagrees with kpirules")

    def hand_batch() -> float:
        start = time.perf_counter()
        for _ in repeat(None, calls):
            hand_written_bishan(values)
        return (time.perf_counter() - start) / calls

    hand = statistics.median([hand_batch() for _ in range(settings.evaluate_batches)])
    report.figure("hand-written Python, same rules (the floor), median", us(hand))
    report.note(f"kpirules takes {median / hand:.2f}× the hand-written function on this machine today")


def bench_evaluate_many(report: Report, settings: Settings, ruleset: kpirules.Ruleset) -> None:
    rows = settings.many_rows
    report.heading(f"3. ruleset.evaluate_many(rows) on Bishan, {rows:,} generated rows")
    many_rows(report, settings, ruleset, bishan_rows(rows, seed=2022), f"3. evaluate_many, {rows:,} rows")
    report.heading(f"3b. the same on {rows:,} generated rows in which no number repeats (the worst case)")
    data = bishan_distinct_rows(rows, seed=2023)
    for name in BISHAN_NUMBERS:
        distinct = len({row[name] for row in data})
        check(distinct == rows, f"{name} takes {distinct:,} values in {rows:,} rows, expected all different")
    report.note(f"checked: each of the {len(BISHAN_NUMBERS)} numbers takes {rows:,} different values")
    many_rows(report, settings, ruleset, data, f"3b. evaluate_many, {rows:,} rows, no repeats")


def many_rows(
    report: Report, settings: Settings, ruleset: kpirules.Ruleset, data: list[dict[str, object]], what: str
) -> None:
    """Time evaluate_many on ``data`` and the hand-written function on the same rows, in turns."""
    rows = len(data)
    seconds: list[float] = []
    hand_seconds: list[float] = []
    grades: Counter[str | None] = Counter()
    for _ in range(settings.many_repeats):
        gc.collect()
        elapsed, results = timed(lambda: ruleset.evaluate_many(data))
        errors = [r for r in results if not isinstance(r, kpirules.Result)]
        check(len(results) == rows, f"{len(results)} results for {rows} rows")
        check(not errors, f"{len(errors)} of {rows} rows did not score, the first: {errors[:1]}")
        seconds.append(elapsed)
        grades = Counter(r.grade for r in results if isinstance(r, kpirules.Result))
        del results
        gc.collect()
        hand_seconds.append(timed(lambda: [hand_written_bishan(row) for row in data])[0])
    shown = ", ".join(f"{grade} {grades[grade]:,}" for grade in LEVELS)
    report.note(f"checked: every row returned a Result; grades {shown}")
    median = statistics.median(seconds)
    rate = rows / median
    label = f"throughput, median of {len(seconds)} call(s)"
    report.verdict(what, label, f"{rate:,.0f} units/s", EVALUATE_MANY_TARGET, rate)
    report.note(f"that is {us(median / rows)} per row; one call took {sec(min(seconds))} … {sec(max(seconds))}")
    results = ruleset.evaluate_many(data)
    for row, result in zip(data, results, strict=True):
        assert isinstance(result, kpirules.Result)
        scores, total, _ = hand_written_bishan(row)
        check(list(result.scores) == scores and result.total == total, f"the baseline disagrees on {row}")
    del results
    hand = statistics.median(hand_seconds)
    report.figure("hand-written Python, same rules (the floor)", f"{rows / hand:,.0f} units/s")
    report.note(f"checked: it agrees with kpirules on every row; kpirules does {hand / median:.2f}× its rate")


def bench_big_load(report: Report, settings: Settings) -> None:
    n = settings.big_indicators
    report.heading(f"4. load + compile a generated {n:,}-indicator ruleset (kpirules.loads)")
    synthetic = generate_ruleset(n, seed=7)
    report.note(
        f"{len(synthetic.text) / 1024:,.0f} KiB of TOML: {n:,} indicators in {len(synthetic.forms)} forms, "
        f"{synthetic.measures} measures ({synthetic.derived} derived by formulas)"
    )
    times: list[float] = []
    ruleset: kpirules.Ruleset | None = None
    for _ in range(settings.big_loads):
        gc.collect()
        elapsed, ruleset = timed(lambda: kpirules.loads(synthetic.text, name="<generated>"))
        times.append(elapsed)
    assert ruleset is not None
    weights = sum((ind.weight for ind in ruleset.indicators), Decimal(0))
    check(len(ruleset.indicators) == n, f"{len(ruleset.indicators)} indicators loaded, expected {n}")
    check(weights == ruleset.total == n, f"weights add up to {weights}, total is {ruleset.total}, expected {n}")
    result = ruleset.evaluate(synthetic.random_values(random.Random(7)))
    check(0 <= result.total <= ruleset.total, f"total {result.total} outside [0, {ruleset.total}]")
    report.note(f"checked: weights add up to total = {ruleset.total}; one unit scored {result.total} {result.grade}")
    median = statistics.median(times)
    label = f"load, median of {len(times)}"
    report.verdict(f"4. load {n:,} indicators", label, sec(median), BIG_LOAD_TARGET, median)


def kpirules_command() -> str:
    """The ``kpirules`` script of this interpreter's environment, else the one on PATH."""
    beside = Path(sys.executable).with_name("kpirules")
    if beside.exists():
        return str(beside)
    found = shutil.which("kpirules")
    if found is None:
        raise CheckFailed("no `kpirules` command next to this Python or on PATH; install the package")
    return found


def run_seconds(command: Sequence[str], env: Mapping[str, str]) -> float:
    """Wall-clock seconds of one run of ``command`` in the repository, output discarded."""
    start = time.perf_counter()
    done = subprocess.run(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, check=False)
    elapsed = time.perf_counter() - start
    check(done.returncode == 0, f"`{' '.join(command)}` exited {done.returncode}: {done.stderr.decode()[-300:]}")
    return elapsed


def bench_cli(report: Report, settings: Settings) -> None:
    command = [kpirules_command(), "score", BISHAN.as_posix()]
    report.heading(f"5. cold start of `kpirules score {BISHAN.as_posix()}` (subprocess, output to /dev/null)")
    runs = settings.cli_runs
    with tempfile.TemporaryDirectory(prefix="kpirules-bench-pycache-") as pycache:
        env = dict(os.environ)
        uncached: list[float] = []
        if env.get("PYTHONDONTWRITEBYTECODE"):
            # As set here, every run would compile kpirules from source, which an installed package
            # never does: time that too, but judge the runs that keep their bytecode.
            run_seconds(command, env)
            uncached = [run_seconds(command, env) for _ in range(runs)]
            del env["PYTHONDONTWRITEBYTECODE"]
            env["PYTHONPYCACHEPREFIX"] = pycache
            report.note("PYTHONDONTWRITEBYTECODE is set in this environment, so each run would compile kpirules")
            report.note("from source; the judged runs keep bytecode in a temporary PYTHONPYCACHEPREFIX instead")
        run_seconds(command, env)
        report.note("ran it once first, untimed, to warm Lark's parser cache on disk and the OS file caches")
        times = [run_seconds(command, env) for _ in range(runs)]
        bare = [run_seconds([sys.executable, "-c", "pass"], env) for _ in range(runs)]
    report.figure(f"Python alone (python -c pass), median of {runs}", sec(statistics.median(bare)))
    if uncached:
        report.figure(f"kpirules score, no bytecode cache, median of {runs}", sec(statistics.median(uncached)))
    median = statistics.median(times)
    report.verdict("5. CLI cold start", f"kpirules score, median of {runs}", sec(median), CLI_TARGET, median)
    report.note(f"runs ranged {sec(min(times))} … {sec(max(times))}")


# ---- main -------------------------------------------------------------------------------------
def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Speed benchmark for kpirules.")
    parser.add_argument("--quick", action="store_true", help="a fast smoke run with fewer iterations")
    settings = QUICK if parser.parse_args(argv).quick else FULL
    describe_machine(settings)
    report = Report()
    bishan = report.run("1. load Bishan", lambda: bench_bishan_load(report, settings))
    if bishan is not None:
        report.run("2. evaluate", lambda: bench_evaluate(report, settings, bishan))
        report.run("3. evaluate_many", lambda: bench_evaluate_many(report, settings, bishan))
    report.run("4. load 1,000 indicators", lambda: bench_big_load(report, settings))
    report.run("5. CLI cold start", lambda: bench_cli(report, settings))
    return report.summary()


if __name__ == "__main__":
    sys.exit(main())
