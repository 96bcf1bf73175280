"""``evaluate_many`` scores rows in chunks, column by column (kpirules.batch); every outcome must be
exactly what ``evaluate`` gives for that row alone: the same scores (to the exponent), total,
grade, unit, values and traces, or the same errors. The batch path is driven through all of its
branches here: chunk boundaries, column forms and row-by-row closures, texts parsed once, columns
with missing or bad values, rows scored alone."""

from __future__ import annotations

import contextlib
import functools
import gc
import importlib.util
import math
import sys
from collections import OrderedDict
from collections.abc import Iterator, Mapping
from decimal import Decimal as D
from pathlib import Path
from types import MappingProxyType
from typing import Any
from unittest import mock

import pytest
from forms_examples import EXAMPLES, Example, assert_outcome
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import kpirules
from kpirules import batch, columns
from kpirules.columns import BAD, MISSING, Texts, column_converter

ROOT = Path(__file__).resolve().parent.parent


@functools.cache
def bench() -> Any:
    """benchmarks/bench_evaluate.py, for its generated rows and rulesets."""
    spec = importlib.util.spec_from_file_location("bench_evaluate", ROOT / "benchmarks" / "bench_evaluate.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault(spec.name, module)  # dataclasses look up their module while the file runs
    spec.loader.exec_module(module)
    return module


BISHAN = kpirules.load(ROOT / "rulesets" / "bishan_2022.toml")


@contextlib.contextmanager
def batching(chunk: int = 5, texts_kept: int = 3, texts_seen: int = 8) -> Iterator[None]:
    """Small chunks, few texts kept, and texts found not to repeat soon, so a few rows take every
    branch."""
    with (
        mock.patch.object(batch, "CHUNK", chunk),
        mock.patch.object(columns, "TEXTS_KEPT", texts_kept),
        mock.patch.object(columns, "TEXTS_SEEN", texts_seen),
    ):
        yield


def alone(rs: kpirules.Ruleset, row: Any, unit: str | None = None) -> kpirules.Result | kpirules.ValuesError:
    try:
        return rs.evaluate(row, unit=unit)
    except kpirules.ValuesError as err:
        return err


def assert_same(outcome: Any, single: Any) -> None:
    """``outcome`` (from evaluate_many) is exactly ``single`` (from evaluate)."""
    assert type(outcome) is type(single)
    if isinstance(single, kpirules.ValuesError):
        assert [p.message for p in outcome.problems] == [p.message for p in single.problems]
        assert str(outcome) == str(single)
        return
    assert [str(s) for s in outcome.scores] == [str(s) for s in single.scores]
    assert [str(s) for s in outcome.computed] == [str(s) for s in single.computed]
    assert (outcome.scores, outcome.computed, outcome.missing) == (single.scores, single.computed, single.missing)
    assert (str(outcome.total), outcome.grade) == (str(single.total), single.grade)
    assert {k: str(v) for k, v in outcome.values.items()} == {k: str(v) for k, v in single.values.items()}
    for mine, theirs in zip(outcome, single, strict=True):
        assert (str(mine.rate), mine.status, mine.missing, mine.raw) == (
            str(theirs.rate),
            theirs.status,
            theirs.missing,
            theirs.raw,
        )
        assert mine.trace == theirs.trace
        assert {k: str(v) for k, v in mine.inputs.items()} == {k: str(v) for k, v in theirs.inputs.items()}
    assert outcome.explain("en") == single.explain("en")


def check_rows(rs: kpirules.Ruleset, rows: list[Any], *, unit_key: str | None = None) -> list[Any]:
    outcomes = rs.evaluate_many(rows, unit_key=unit_key)
    assert len(outcomes) == len(rows)
    for number, (row, outcome) in enumerate(zip(rows, outcomes, strict=True), 1):
        unit = None
        if unit_key is not None:
            row = dict(row)
            raw_unit = row.pop(unit_key, None)
            unit = str(raw_unit) if raw_unit is not None else f"row {number}"
        assert getattr(outcome, "unit", None) == unit
        assert_same(outcome, alone(rs, row, unit))
    return outcomes


# ---- the Bishan ruleset ----------------------------------------------------------------------------
@pytest.mark.parametrize("chunk", [1, 3, 64, 2048])
def test_bishan_benchmark_rows(chunk: int) -> None:
    rows = bench().bishan_rows(300, seed=5)
    with batching(chunk=chunk):
        outcomes = check_rows(BISHAN, rows)
    assert all(isinstance(o, kpirules.Result) for o in outcomes)


def test_bishan_rows_repeated_many_times() -> None:
    rows = bench().bishan_rows(7, seed=1) * 40
    with batching(chunk=16):
        outcomes = check_rows(BISHAN, rows)
    assert [o.total for o in outcomes[:7]] * 40 == [o.total for o in outcomes]  # type: ignore[union-attr]


def test_bishan_all_distinct_rows() -> None:
    rows = bench().bishan_rows(200, seed=9)
    for i, row in enumerate(rows):
        row["satisfaction_rate"] = (i + 0.123456789) / 1000
        row["hotline_received"] = 10_000 + i
    with batching(chunk=8):
        check_rows(BISHAN, rows)


def test_the_cycle_collector_is_paused_while_rows_are_scored_and_left_as_it_was() -> None:
    rows = bench().bishan_rows(20, seed=3)
    seen: list[bool] = []

    def given() -> Iterator[dict[str, Any]]:
        for row in rows:
            seen.append(gc.isenabled())
            yield row

    assert gc.isenabled()
    outcomes = BISHAN.evaluate_many(given())
    assert seen == [False] * 20 and gc.isenabled()  # paused for the call, on again after it
    assert [o.total for o in outcomes] == [BISHAN.evaluate(row).total for row in rows]  # type: ignore[union-attr]
    gc.disable()
    try:
        BISHAN.evaluate_many(rows)
        assert not gc.isenabled()  # off before the call, off after it
    finally:
        gc.enable()


def test_bishan_own_values_and_the_report_figures() -> None:
    row = dict(BISHAN.values)
    [result] = BISHAN.evaluate_many([row])
    assert isinstance(result, kpirules.Result)
    assert (result.total, result.grade) == (D("93.74"), "优")
    assert_same(result, BISHAN.evaluate(row))


def test_bishan_bad_rows_among_good_ones() -> None:
    good = bench().bishan_rows(12, seed=3)
    rows: list[Any] = [
        *good[:3],
        {**good[3], "budget_adjusted": "many"},  # not a number
        {**good[4], "complaints_received": 0, "complaints_answered": 0},  # a formula divides by zero
        {k: v for k, v in good[5].items() if k != "staff_rating"},  # a value missing
        {**good[6], "staff_rating": None},  # no value
        {**good[7], "hotline_received": -3},  # not a count
        {**good[8], "satisfaction_rate": 1.5},  # outside the declared range
        {**good[9], "satisfaction_rate": math.nan},
        {**good[10], "budget_execution_rate": 1},  # a derived measure given
        {**good[11], "budget_adjusted_typo": 1},  # unknown
        *good[:3],
    ]
    with batching(chunk=4):
        outcomes = check_rows(BISHAN, rows)
    assert [isinstance(o, kpirules.Result) for o in outcomes] == [True] * 3 + [False] * 9 + [True] * 3


def test_bishan_values_as_text_labels_and_other_types() -> None:
    rows: list[Any] = []
    for i, row in enumerate(bench().bishan_rows(30, seed=4)):
        if i % 3 == 0:  # a CSV file: every value text
            row = {k: str(v) for k, v in row.items()}
            row["disclosed_on_time"] = "是" if i % 2 else "否"
            row["staff_rating"] = f" {row['staff_rating']} "
        elif i % 3 == 1:  # JSON read with Decimals
            row = {k: D(repr(v)) if isinstance(v, float) else v for k, v in row.items()}
            row["satisfaction_rate"] = f"{i}%"
        rows.append(row)
    with batching(chunk=7):
        check_rows(BISHAN, rows)
        check_rows(BISHAN, rows[::-1])


def test_mixed_types_in_one_column() -> None:
    class Money(float):
        pass

    rows = bench().bishan_rows(12, seed=6)
    rows[1]["budget_adjusted"] = 2_000_000  # an int among floats
    rows[2]["budget_adjusted"] = D("2000000.00")
    rows[3]["budget_adjusted"] = Money(2_000_000.5)
    rows[4]["hotline_received"] = 100.0  # a float count
    rows[5]["hotline_received"] = D(100)
    rows[6]["disclosed_on_time"] = 1
    rows[7]["satisfaction_rate"] = 0  # an int rate
    rows[8]["satisfaction_rate"] = "0.5"
    rows[9]["city_assessment_passed"] = "maybe"
    rows[10]["hotline_received"] = True  # a bool is not a number
    rows[11]["staff_rating"] = ["良"]  # not hashable
    with batching(chunk=6):
        check_rows(BISHAN, rows)


def test_rows_that_are_not_plain_dicts_are_scored_alone() -> None:
    base = bench().bishan_rows(4, seed=8)
    rows: list[Any] = [MappingProxyType(base[0]), OrderedDict(base[1]), base[2], None, base[3]]
    outcomes = BISHAN.evaluate_many(rows)
    assert_same(outcomes[0], BISHAN.evaluate(base[0]))
    assert_same(outcomes[1], BISHAN.evaluate(base[1]))
    assert_same(outcomes[2], BISHAN.evaluate(base[2]))
    assert_same(outcomes[3], BISHAN.evaluate(None))  # None: the ruleset's own values, as before
    assert_same(outcomes[4], BISHAN.evaluate(base[3]))
    only_odd = BISHAN.evaluate_many([MappingProxyType(base[0]), None])
    assert_same(only_odd[0], BISHAN.evaluate(base[0]))


def test_units_generators_and_empty_input() -> None:
    rows = bench().bishan_rows(9, seed=2)
    named: list[dict[str, Any]] = [{"unit": f"u{i}" if i % 2 else None, **row} for i, row in enumerate(rows)]
    named[4]["satisfaction_rate"] = "bad"
    with batching(chunk=4):
        outcomes = check_rows(BISHAN, named, unit_key="unit")
        assert outcomes[4].unit == "row 5"  # type: ignore[union-attr]
        from_generator = BISHAN.evaluate_many(row for row in rows)
    for row, outcome in zip(rows, from_generator, strict=True):
        assert_same(outcome, BISHAN.evaluate(row))
    assert BISHAN.evaluate_many([]) == []
    assert BISHAN.evaluate_many(iter([])) == []


def test_a_result_keeps_the_row_it_was_given() -> None:
    rows = bench().bishan_rows(3, seed=2)
    outcomes = BISHAN.evaluate_many(rows)
    for row, outcome in zip(rows, outcomes, strict=True):
        assert isinstance(outcome, kpirules.Result)
        assert outcome._given is row


# ---- every form: its examples (tests/forms_examples.py) -------------------------------------------
@pytest.mark.parametrize("key", sorted(EXAMPLES))
def test_the_examples_of_each_form_at_once(key: str) -> None:
    """All the examples of a form that share a ruleset, scored in one call among rows that fail (one
    value "?", which no measure accepts), in order and reversed, in chunks of 3: each outcome is
    what ``evaluate`` gives for the row alone and the example's own score or failure."""
    groups: dict[str, list[Example]] = {}
    for example in EXAMPLES[key]:
        groups.setdefault(example.text, []).append(example)
    for examples in groups.values():
        rows: list[Any] = []
        expected: list[Example | None] = []
        for n, example in enumerate(examples):
            rows.append(dict(example.values))
            expected.append(example)
            if n % 2 == 0:
                rows.append({**example.values, next(iter(example.values)): "?"})
                expected.append(None)
        with batching(chunk=3):
            for order in (1, -1):
                outcomes = check_rows(examples[0].ruleset(), rows[::order])
                for example, outcome in zip(expected[::order], outcomes, strict=True):
                    if example is None:
                        assert type(outcome) is kpirules.ValuesError, outcome
                    else:
                        assert_outcome(example, outcome)


# ---- exact keys: equal values with different digits ----------------------------------------------
RATES = """\
[ruleset]
id = "keys"
[grades]
"A" = 9
"B" = 0
[measures.a]
type = "number"
[measures.b]
type = "number"
[measures.ratio]
type = "number"
formula = "a / b"
[[indicators]]
id = "share"
weight = 10
rule = "proportional ratio"
[[indicators]]
id = "sum"
weight = 10
rule = "min(full, 1 pt * (a + b))"
[[indicators]]
id = "flag"
weight = 5
rule = "pass if a == b else 2 pts"
"""


@pytest.mark.parametrize(
    "pairs",
    [
        [(D("1.0"), D(2)), (D("1.00"), D(2)), (D("1"), D("2.0")), (D("1.000"), D("2.00"))],
        [(0.0, 3), (-0.0, 3), (0.0, 3.0), (-0.0, 3.0), (0, 3)],
        [("50%", 1), ("0.5", 1), ("0.50", 1), (0.5, 1), (D("0.500"), 1)],
        [(D("1E+1"), 4), (D(10), 4), (D("10.0"), 4), ("1e1", 4)],
    ],
)
def test_equal_values_written_differently_give_identical_outcomes(pairs: list[tuple[Any, Any]]) -> None:
    rs = kpirules.loads(RATES)
    rows = [{"a": a, "b": b} for a, b in pairs] * 3
    with batching(chunk=3):
        check_rows(rs, rows)
    with batching(chunk=len(rows)):
        check_rows(rs, rows)
        check_rows(rs, rows[::-1])


def test_a_column_converts_each_value_as_evaluate_does() -> None:
    convert = column_converter(BISHAN.measures["budget_adjusted"])
    clean, converted = convert([D("1.0"), D("1.00"), D("1")], Texts())
    assert clean and [str(v) for v in converted] == ["1.0", "1.00", "1"]
    clean, converted = convert([0.0, -0.0, 0.1, 1e16], Texts())
    assert clean and [str(v) for v in converted] == ["0.0", "-0.0", "0.1", "1E+16"]
    texts = Texts()
    clean, converted = convert(["1.5", "", "x", "1,234.5", "1.5"], texts)
    assert not clean and converted == [D("1.5"), MISSING, BAD, D("1234.5"), D("1.5")]
    assert set(texts.parsed) == {"1.5", "", "x", "1,234.5"}
    clean, converted = convert([1.5, None, "x"], Texts())
    assert not clean and converted == [D("1.5"), MISSING, BAD]


def test_equal_values_of_other_types() -> None:
    # True == 1 == 1.0 in Python, but a bool is not a number
    rs = kpirules.loads(RATES)
    rows: list[Any] = [{"a": True, "b": 1}, {"a": 1, "b": 1}, {"a": 1.0, "b": True}, {"a": 1.0, "b": 1.0}]
    with batching(chunk=2):
        check_rows(rs, rows)


# ---- generated rulesets and rows ---------------------------------------------------------------------
MEASURES = """\
[ruleset]
id = "gen"
precision = {precision}
rounding = "{rounding}"
[grades]
"A" = {a}
"B" = {b}
"C" = 0
[measures.rate]
type = "rate"
[measures.x]
type = "number"
[measures.n]
type = "count"
[measures.m]
type = "count"
[measures.ok]
type = "bool"
[measures.ok2]
type = "bool"
[measures.rating]
type = "level"
levels = ["优", "良", "中", "差"]
[measures.share]
type = "rate"
formula = "n / m"
[measures.blend]
type = "number"
formula = "round((rate + share) / 3, 3)"
[measures.capped]
type = "rate"
formula = "min(rate, 1)"
range = [0, 1]
[measures.signed]
type = "number"
formula = "-x + abs(x) * 2"
[measures.picked]
type = "number"
formula = "if ok and not ok2 then x * 2 else n - m"
"""

GENERATED_RULES = [
    ("proportional", "rate"),
    ("proportional to 80%", "rate"),
    ("proportional inverse to 5%", "rate"),
    ("proportional n / m", None),
    ("proportional share", None),
    ("proportional capped", None),
    ("deduct 3 pts per 1% below 95%", "rate"),
    ("deduct 1 pt per whole 10% below 100%", "share"),
    ("deduct 0.7 pts each", "n"),
    ("tiers { >= 90%: full, [50%, 90%): 60%, else: 1 pt }", "rate"),
    ("tiers blend { > 0.5: full, else: zero }", None),
    ("pass if rate > 50% else 30%", None),
    ("pass if ok", None),
    ("pass if ok or rate >= 1/3", None),
    ("checklist { ok: 2 pts, ok2: 4 pts, n > 2: 7 pts }", None),
    ("grade rating { 优: full, 良: 80%, 中: 3 pts, 差: zero }", None),
    ('pass if rating >= "良" else 1 pt', None),
    ("full - 0.2 pts * n - 1.5 pts * m", None),
    ("2 pts * x + 7 pts", None),
    ("max(proportional, 30%) + 5 pts", "rate"),
    ("if x > 0 then 1 pt * signed else 1 pt * picked", None),
    ("if ok then proportional to 80% else 3 pts", "rate"),
    ("1 pt * round(share * 7, 1)", None),
    ("proportional (n + m) / (x - 1)", None),
    ("full", None),
]


@st.composite
def generated_rulesets(draw: Any) -> str:
    precision = draw(st.sampled_from([0, 2, 3]))
    text = MEASURES.format(
        precision=precision,
        rounding=draw(st.sampled_from(["half-up", "half-even"])),
        a=draw(st.integers(20, 60)),
        b=draw(st.integers(1, 19)),
    )
    picked = draw(st.lists(st.sampled_from(GENERATED_RULES), min_size=1, max_size=7))
    lines = [text]
    weights = ["10", "5", "3", "1"] if precision == 0 else ["10", "5", "7.5", "0.25", "3"]
    for i, (rule, measure) in enumerate(picked):
        lines.append(f"[[indicators]]\nid = \"i{i}\"\nweight = {draw(st.sampled_from(weights))}\nrule = '{rule}'")
        if measure is not None:
            lines.append(f'measure = "{measure}"')
        policy = draw(st.sampled_from([None, None, "full", "zero"]))
        if policy is not None:
            lines.append(f'if_missing = "{policy}"')
    if draw(st.booleans()):  # at most the smallest weight
        lines.append(f'[overrides.i0]\nscore = {"1" if precision == 0 else "0.25"}\nreason = "agreed"')
    return "\n".join(lines) + "\n"


def pool(*items: Any) -> st.SearchStrategy[Any]:
    return st.sampled_from(items)


# few distinct values, in every accepted form, and some that are not accepted
VALUE_POOLS: Mapping[str, st.SearchStrategy[Any]] = {
    "rate": pool(0.5, 0.95, 0.0, -0.0, -0.25, 1, "47.4%", "95%", D("0.5"), D("0.50"), 1.2, 0.333, "x", None, ""),
    "x": pool(0, 1, 2, -3, 1.5, D("1.0"), D("1.00"), D("-0"), "1,234.5", 1e30, None, "?"),
    "n": pool(0, 1, 2, 3, 7, 7.0, D(7), "7", -1, None, 2.5),
    "m": pool(0, 1, 2, 3, 7, 7.0, D("7.0"), "3", None),
    "ok": pool(True, False, "是", "no", 1, 0, None, "maybe"),
    "ok2": pool(True, False),
    "rating": pool("优", "良", "中", "差", " 良 ", "best", None),
}


# the same, every value accepted (most rows then go through the columns, not alone)
GOOD_POOLS: Mapping[str, st.SearchStrategy[Any]] = {
    "rate": pool(0.5, 0.95, 0.0, 1, 0.333, 1.2, 0.1 + 0.2),
    "x": pool(0, 1, 2, -3, 1.5, 7),
    "n": pool(1, 2, 3, 7),
    "m": pool(1, 2, 3, 7),
    "ok": pool(True, False),
    "ok2": pool(True, False),
    "rating": pool("优", "良", "中", "差"),
}


@st.composite
def generated_rows(draw: Any) -> list[dict[str, Any]]:
    if draw(st.booleans()):
        return [{key: draw(values) for key, values in GOOD_POOLS.items()} for _ in range(draw(st.integers(1, 40)))]
    keys = draw(st.lists(st.sampled_from(sorted(VALUE_POOLS)), unique=True, min_size=len(VALUE_POOLS) - 1))
    distinct = [
        {key: draw(VALUE_POOLS[key]) for key in keys if draw(st.integers(0, 30))}  # now and then a key is missing
        for _ in range(draw(st.integers(1, 6)))
    ]
    rows = draw(st.lists(st.sampled_from(distinct), min_size=1, max_size=30))  # repeated rows
    extra = draw(st.sampled_from([None, None, None, "share", "unknown_measure"]))
    if extra is not None:
        rows = [*rows, {**rows[0], extra: 1}]
    return [dict(row) for row in rows]


@settings(suppress_health_check=[HealthCheck.too_slow], deadline=None, max_examples=150)
@given(
    text=generated_rulesets(),
    rows=generated_rows(),
    chunk=st.sampled_from([1, 2, 5, 64]),
    texts_kept=st.sampled_from([1, 4, 100]),
    texts_seen=st.sampled_from([1, 10, 10_000]),
)
def test_generated_rulesets_and_rows(
    text: str, rows: list[dict[str, Any]], chunk: int, texts_kept: int, texts_seen: int
) -> None:
    rs = kpirules.loads(text)
    with batching(chunk=chunk, texts_kept=texts_kept, texts_seen=texts_seen):
        check_rows(rs, rows)


def test_the_generated_benchmark_ruleset() -> None:
    module = bench()
    synthetic = module.generate_ruleset(80, seed=3)
    rs = kpirules.loads(synthetic.text)
    import random

    rng = random.Random(4)
    distinct = [synthetic.random_values(rng) for _ in range(6)]
    rows = [dict(rng.choice(distinct)) for _ in range(40)] + [synthetic.random_values(rng) for _ in range(20)]
    with batching(chunk=9):
        check_rows(rs, rows)
