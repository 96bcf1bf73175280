"""Parity of the SQL path with the Python evaluator: the same units, through DuckDB, give exactly
the same scores, totals and grades, and fail exactly when Python fails.

A unit whose error column says ``input: …`` holds a value the SQL path does not convert itself
(the engine scores such units with Python); the tests count them and require none where every
value is in a canonical form, so the property is not satisfied by deferring everything.
"""

from __future__ import annotations

import importlib.util
import random
import sys
from collections.abc import Mapping, Sequence
from decimal import Decimal
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

duckdb = pytest.importorskip("duckdb")
pytest.importorskip("sqlglot")

from forms_examples import EXAMPLES, Example  # noqa: E402
from hypothesis import HealthCheck, Phase, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

import kpirules  # noqa: E402
from kpirules.dates import parse_date  # noqa: E402
from kpirules.sql import InputColumn, compile_ruleset, to_sql  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent


def _import_benchmark() -> ModuleType:
    spec = importlib.util.spec_from_file_location("bench_evaluate", ROOT / "benchmarks" / "bench_evaluate.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


bench = _import_benchmark()


_QUERIES: dict[tuple[int, tuple[tuple[str, str], ...]], tuple[kpirules.Ruleset, str]] = {}


def run_parity(
    rs: kpirules.Ruleset,
    rows: Sequence[Mapping[str, Any]],
    types: Mapping[str, str],
    *,
    canonical: bool = True,
    outputs: dict[int, tuple[Any, ...]] | None = None,
) -> dict[str, int]:
    """Score ``rows`` both ways and compare; returns counts of scored, failed and deferred units.
    ``outputs``, where given, receives the query's row of each unit, by its place in ``rows``."""
    con = duckdb.connect()
    names = list(types)
    columns = ", ".join(["unit VARCHAR"] + [f"c{i} {types[n]}" for i, n in enumerate(names)])
    con.execute(f"CREATE TABLE units ({columns})")
    con.executemany(
        f"INSERT INTO units VALUES ({', '.join('?' * (len(names) + 1))})",
        [[f"u{k}"] + [row.get(n) for n in names] for k, row in enumerate(rows)],
    )
    fetched = con.execute("SELECT * FROM units ORDER BY unit").fetchall()
    key = (id(rs), tuple(types.items()))
    if key not in _QUERIES:
        columns = {n: InputColumn(f"c{i}", types[n]) for i, n in enumerate(names)}
        _QUERIES[key] = (rs, to_sql(compile_ruleset(rs, columns=columns), "duckdb", pretty=False))
    out = {r[0]: r for r in con.execute(_QUERIES[key][1]).fetchall()}
    counts = {"scored": 0, "failed": 0, "deferred": 0}
    n = len(rs.indicators)
    for row in fetched:
        values = {name: v for name, v in zip(names, row[1:], strict=True)}
        got = out[row[0]]
        if outputs is not None:
            outputs[int(row[0][1:])] = got
        scores, total, grade, error = list(got[1 : 1 + n]), got[1 + n], got[2 + n], got[3 + n]
        try:
            result: kpirules.Result | None = rs.evaluate(values)
        except kpirules.ValuesError:
            result = None
        if error is not None and error.startswith("input:"):
            counts["deferred"] += 1
            continue
        if result is None:
            assert error is not None, f"Python fails on {values} but SQL scored it: {got}"
            counts["failed"] += 1
            continue
        assert error is None, f"SQL failed ({error}) where Python scored {values}: {result.scores}"
        expected = list(result.scores)
        assert scores == expected, f"{values}: SQL {scores} != Python {expected}"
        assert all(s.as_tuple().exponent == -rs.header.precision for s in scores)
        assert total == sum(expected, Decimal(0)), f"{values}: total {total}"
        assert total == result.total and grade == result.grade, f"{values}: {total} {grade} != {result.total}"
        counts["scored"] += 1
    if canonical:
        assert counts["deferred"] == 0, counts
    return counts


def test_score_on_a_boundary_through_a_repeating_quotient() -> None:
    """3 × 5/24 is exactly 0.625, 0.63 half-up, in SQL (exact fractions) and in Python (snapped)."""
    rs = kpirules.loads(
        """
[ruleset]
id = "defect"
total = 3
[measures.closed]
type = "count"
[measures.received]
type = "count"
[[indicators]]
id = "ratio"
weight = 3
rule = "proportional closed / received"
""",
        name="<defect>",
    )
    con = duckdb.connect()
    con.execute("CREATE TABLE units (unit VARCHAR, closed BIGINT, received BIGINT)")
    con.execute("INSERT INTO units VALUES ('a', 5, 24)")
    sql_score = con.execute(to_sql(compile_ruleset(rs, columns={"closed": "BIGINT", "received": "BIGINT"}))).fetchall()
    assert sql_score[0][1] == Decimal("0.63")
    python_score = rs.evaluate({"closed": 5, "received": 24})["ratio"].score
    assert python_score == Decimal("0.63")


# ---- Bishan ---------------------------------------------------------------------------------------
BISHAN_TYPES = {
    "budget_adjusted": "DECIMAL(18,2)",
    "budget_spent": "DOUBLE",
    "disclosed_on_time": "BOOLEAN",
    "case_volume_target_met": "BOOLEAN",
    "on_time_disposal_target_met": "BOOLEAN",
    "hotline_received": "BIGINT",
    "hotline_closed": "BIGINT",
    "complaints_received": "INTEGER",
    "complaints_answered": "BIGINT",
    "system_failure_target_met": "BOOLEAN",
    "city_assessment_passed": "BOOLEAN",
    "staff_rating": "VARCHAR",
    "satisfaction_rate": "DOUBLE",
}


def test_bishan_report_figures(bishan: kpirules.Ruleset) -> None:
    counts = run_parity(bishan, [bench.bishan_values()], BISHAN_TYPES)
    assert counts == {"scored": 1, "failed": 0, "deferred": 0}


def test_bishan_generated_units(bishan: kpirules.Ruleset) -> None:
    rows = bench.bishan_rows(3000, seed=5)
    rows += [dict(r, hotline_received=0, hotline_closed=0) for r in rows[:20]]  # division by zero: fails
    rows += [dict(r, budget_spent=None) for r in rows[20:40]]  # missing, if_missing = error: fails
    counts = run_parity(bishan, rows, BISHAN_TYPES)
    assert counts["failed"] == 40 and counts["scored"] == 3000


# ---- every form: the benchmark's generated rulesets -------------------------------------------------
def _generated_types(synthetic: Any) -> dict[str, str]:
    types: dict[str, str] = {}
    for block in range(synthetic.blocks):
        names = bench.block_names(block)
        for key, kind, formula in bench.BLOCK_MEASURES:
            if formula is not None:
                continue
            types[names[key]] = {
                "rate": "DOUBLE" if block % 2 else "DECIMAL(12,6)",
                "count": "BIGINT",
                "amount": "DECIMAL(18,2)",
                "bool": "BOOLEAN",
                "level": "VARCHAR",
            }[kind]
    return types


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_generated_every_form(seed: int) -> None:
    synthetic = bench.generate_ruleset(len(bench.FORMS) * 4, seed=seed)
    rs = kpirules.loads(synthetic.text, name="<generated>")
    rng = random.Random(seed)
    rows = [synthetic.random_values(rng) for _ in range(400)]
    counts = run_parity(rs, rows, _generated_types(synthetic))
    assert counts["scored"] == 400


# ---- every form: its examples (tests/forms_examples.py) ----------------------------------------------
def _exact(value: Any) -> Decimal:
    """A number as a user writes it (``"95%"``, ``"1.004"``, ``-3``) as the Decimal a DECIMAL column holds."""
    if isinstance(value, str) and value.endswith("%"):
        return Decimal(value[:-1]).scaleb(-2)
    return Decimal(value)


def _judgement(value: Any) -> tuple[str | None, Decimal | None]:
    """A judged measure's value as a user gives it ("达成 8.5", ``{level, points}``) as its two columns."""
    if value is None:
        return None, None
    if isinstance(value, dict):
        points = value.get("points")
        return value["level"], None if points is None else Decimal(str(points))
    level, _, points = str(value).partition(" ")
    return level, Decimal(points.removesuffix("分")) if points else None


def _examples_table(examples: list[Example]) -> tuple[list[dict[str, Any]], dict[str, str]]:
    """The examples' values as rows of typed columns, one column per input measure: a bool BOOLEAN, a
    level VARCHAR, a count BIGINT, a rate or number DECIMAL with the scale its values need (DOUBLE
    where a value is a float), so that every value is in a canonical form."""
    rows: list[dict[str, Any]] = [{} for _ in examples]
    types: dict[str, str] = {}
    for name, spec in examples[0].measures.items():
        if "formula" in spec:
            continue
        given = [e.values.get(name) for e in examples]
        kind = spec["type"]
        if kind == "judged":  # the level in `x`, the points in `x__points` (docs/sql.md)
            judged = [_judgement(v) for v in given]
            types[name], types[name + "__points"] = "VARCHAR", "DECIMAL(18,4)"
            for row, (level, points) in zip(rows, judged, strict=True):
                row[name], row[name + "__points"] = level, points
            continue
        if kind == "date":  # a DATE column (a value written 2021年12月31日 is the day it names)
            types[name], column = "DATE", [None if v is None else parse_date(v) for v in given]
        elif kind in ("bool", "level", "count"):
            types[name] = {"bool": "BOOLEAN", "level": "VARCHAR", "count": "BIGINT"}[kind]
            column = given
        elif any(isinstance(v, float) for v in given):
            types[name], column = "DOUBLE", [None if v is None else float(v) for v in given]
        else:
            column = [None if v is None else _exact(v) for v in given]
            scale = max([0, *(-int(v.as_tuple().exponent) for v in column if v is not None)])
            types[name] = f"DECIMAL(18,{scale})"
        for row, value in zip(rows, column, strict=True):
            row[name] = value
    return rows, types


@pytest.mark.parametrize("key", sorted(EXAMPLES))
def test_the_examples_of_each_form(key: str) -> None:
    """Every example of the form, on DuckDB: the score ``evaluate`` gives and the example's own figure,
    or a failure where the example fails; the examples that share a ruleset (and give floats for the
    same measures) in one query."""
    groups: dict[tuple[str, frozenset[str]], list[Example]] = {}
    for example in EXAMPLES[key]:
        floats = frozenset(k for k, v in example.values.items() if isinstance(v, float))
        groups.setdefault((example.text, floats), []).append(example)
    for examples in groups.values():
        rows, types = _examples_table(examples)
        outputs: dict[int, tuple[Any, ...]] = {}
        counts = run_parity(examples[0].ruleset(), rows, types, outputs=outputs)
        failing = sum(e.score is None for e in examples)
        assert counts == {"scored": len(examples) - failing, "failed": failing, "deferred": 0}, counts
        for n, example in enumerate(examples):
            score, error = outputs[n][1], outputs[n][-1]
            if example.score is None:
                assert score is None and error is not None and "`i`" in error, (example.label, outputs[n])
            else:
                assert str(score) == example.score, (example.label, outputs[n])


# ---- boundaries, half-up edges, missing values, failures: hypothesis ---------------------------------
EDGE_RULESET = """
[ruleset]
id = "edges"
total = 49
precision = 2
rounding = "{rounding}"

[measures.rate]
type = "rate"
range = [-1, 2]  # negative rates are scored only where a range allows them
[measures.rate2]
type = "rate"
range = [0, 1]
[measures.received]
type = "count"
[measures.closed]
type = "count"
[measures.spent]
type = "amount"
[measures.budget]
type = "amount"
[measures.flag]
type = "bool"
[measures.rating]
type = "level"
levels = ["优", "良", "中", "差"]
[measures.awarded]
type = "number"
[measures.closure]
type = "rate"
formula = "closed / received"
[measures.execution]
type = "rate"
formula = "spent / budget"
[measures.rounded]
type = "rate"
formula = "round(execution, 2)"
[measures.good]
type = "bool"
formula = "rating >= 良 and flag"
[measures.label]
type = "level"
levels = ["优", "良", "中", "差"]
formula = "if rate >= 90% then 优 else rating"

[[indicators]]
id = "prop"
weight = 3
measure = "rate"
rule = "proportional"
[[indicators]]
id = "prop_to"
weight = 7
measure = "execution"
rule = "proportional to 95%"
if_missing = "zero"
[[indicators]]
id = "inverse"
weight = 3
measure = "rate2"
rule = "proportional inverse to 2%"
if_missing = "full"
[[indicators]]
id = "ratio"
weight = 3
rule = "proportional closed / received"
if_missing = "zero"
[[indicators]]
id = "tiers"
weight = 3
measure = "closure"
rule = "tiers { >= 95%: full, [80%, 95%): 70%, (0, 80%): 1.5 pts, == 0: 1 pt }"
if_missing = "full"
[[indicators]]
id = "tiers_level"
weight = 2
measure = "label"
rule = 'tiers { >= "良": full, == 中: 50%, else: zero }'
if_missing = "zero"
[[indicators]]
id = "deduct"
weight = 4
measure = "rounded"
rule = "deduct 0.35 pts per 1% below 95%"
if_missing = "zero"
[[indicators]]
id = "whole"
weight = 3
measure = "rate"
rule = "deduct 1 pt per whole 3% below 100%"
[[indicators]]
id = "started"
weight = 3
measure = "rate"
rule = "deduct 0.7 pts per started 3% above 5%"
[[indicators]]
id = "each"
weight = 2
measure = "received"
rule = "deduct 0.15 pts each"
if_missing = "zero"
[[indicators]]
id = "check"
weight = 3
rule = 'checklist { flag: 1 pt, rate >= 60%: 1.25 pts, rating >= "良": 0.75 pts, good: 0.5 pts }'
if_missing = "zero"
[[indicators]]
id = "grade"
weight = 5
measure = "rating"
rule = "grade { 优: [90%, 100%], 良: [80%, 90%), 中: [60%, 80%), 差: [0, 60%) } by awarded"
if_missing = "zero"
[[indicators]]
id = "pass_else"
weight = 2
measure = "rate"
rule = "pass if value >= 95% else 35%"
[[indicators]]
id = "branch"
weight = 3
measure = "closure"
rule = "if value >= 95% then full else proportional to 95%"
if_missing = "zero"
[[indicators]]
id = "arith"
weight = 3
rule = '''max(zero, min(full,
    full - 0.2 pts * received / 3 + 1 pt * abs(rate - 50%) - 0.5 pts * (spent - budget) / budget))'''
if_missing = "zero"
[[indicators]]
id = "lazy"
weight = 2
rule = "pass if flag or closed / received > 1 else (if rate > 0.5 then 1 pt else 0.5 pts)"
if_missing = "zero"
"""

RATES = st.one_of(
    st.sampled_from(
        [
            "0",
            "0.01",
            "0.02",
            "0.05",
            "0.08",
            "0.5",
            "0.6",
            "0.8",
            "0.9",
            "0.92",
            "0.95",
            "0.949",
            "0.9499",
            "0.951",
            "0.97",
            "1",
            "1.05",
            "0.125",
            "0.005",
            "0.015",
            "0.035",
            "-0.01",
            "0.3333",
        ]
    ).map(Decimal),
    st.decimals(min_value=Decimal("-0.1"), max_value=Decimal("1.2"), places=4),
    st.none(),
)
COUNTS = st.one_of(st.integers(0, 40), st.none())
AMOUNTS = st.one_of(
    st.decimals(min_value=Decimal("0"), max_value=Decimal("100000"), places=2),
    st.sampled_from(["0", "100", "95", "94.99", "3", "7"]).map(Decimal),
    st.none(),
)
UNIT = st.fixed_dictionaries(
    {
        "rate": RATES,
        "rate2": st.one_of(RATES.filter(lambda v: v is None or 0 <= v <= 1), st.just(Decimal("0"))),
        "received": COUNTS,
        "closed": COUNTS,
        "spent": AMOUNTS,
        "budget": AMOUNTS,
        "flag": st.one_of(st.booleans(), st.none()),
        "rating": st.one_of(st.sampled_from(["优", "良", "中", "差"]), st.none()),
        "awarded": st.one_of(
            st.decimals(min_value=Decimal("0"), max_value=Decimal("5"), places=3),
            st.sampled_from(["4.5", "4.495", "4.005", "3.995", "2.995", "4.4949"]).map(Decimal),
            st.none(),
        ),
    }
)
EDGE_TYPES = {
    "rate": "DECIMAL(10,4)",
    "rate2": "DOUBLE",
    "received": "BIGINT",
    "closed": "INTEGER",
    "spent": "DECIMAL(18,2)",
    "budget": "DOUBLE",
    "flag": "BOOLEAN",
    "rating": "VARCHAR",
    "awarded": "DECIMAL(10,3)",
}


# Shrinking a failing batch through DuckDB takes minutes; the failing batch is printed unshrunk.
NO_SHRINK = [Phase.explicit, Phase.reuse, Phase.generate]
_EDGES = {r: kpirules.loads(EDGE_RULESET.replace("{rounding}", r), name="<edges>") for r in ("half-up", "half-even")}


@pytest.mark.parametrize("rounding", ["half-up", "half-even"])
@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow], phases=NO_SHRINK)
@given(units=st.lists(UNIT, min_size=40, max_size=80))
def test_edges(rounding: str, units: list[dict[str, Any]]) -> None:
    rs = _EDGES[rounding]
    rows = [{k: (float(v) if EDGE_TYPES[k] == "DOUBLE" and v is not None else v) for k, v in u.items()} for u in units]
    run_parity(rs, rows, EDGE_TYPES)


def test_edges_fixed_cases() -> None:
    """Non-terminating quotients, x.xx5 under both roundings, every failure kind."""
    base = {
        "rate": Decimal("0.9"),
        "rate2": 0.01,
        "received": 3,
        "closed": 2,
        "spent": Decimal("1"),
        "budget": 3.0,
        "flag": True,
        "rating": "良",
        "awarded": Decimal("4.125"),
    }
    variants = [
        {},
        {"received": 0},  # closure divides by zero: fails
        {"budget": 0.0},  # execution divides by zero: fails
        {"received": None},  # missing: if_missing decides
        {"awarded": Decimal("4.5")},  # outside the band of 良: fails
        {"rating": None},
        {"rate": Decimal("0.125")},
        {"rate": None},  # whole/started have if_missing = error: fails
        {"closed": 7, "received": 6},
        {"spent": Decimal("2.85"), "budget": 3.0},
        {"awarded": Decimal("4.495")},
        {"awarded": Decimal("3.995")},
    ]
    for rounding in ("half-up", "half-even"):
        rs = _EDGES[rounding]
        counts = run_parity(rs, [dict(base, **v) for v in variants], EDGE_TYPES)
        assert counts["failed"] >= 4 and counts["scored"] >= 6 and sum(counts.values()) == len(variants), counts


def test_string_inputs_as_python_reads_csv() -> None:
    """Strings as a CSV gives them: plain and percent numbers convert in SQL, others defer to Python."""
    rs = _EDGES["half-up"]
    types = dict.fromkeys(EDGE_TYPES, "VARCHAR")
    rows = [
        {
            "rate": "95%",
            "rate2": "1.5%",
            "received": "3",
            "closed": "2",
            "spent": "1234.5",
            "budget": "1300",
            "flag": "是",
            "rating": "良",
            "awarded": "4.125",
        },
        {
            "rate": "0.9499",
            "rate2": "15‰",
            "received": "10",
            "closed": "",
            "spent": "0",
            "budget": "0.5",
            "flag": "false",
            "rating": "优",
            "awarded": "4.9",
        },
        {
            "rate": "９５%",
            "rate2": " 0.5",
            "received": "3.0",
            "closed": "2",
            "spent": "1,234.5",
            "budget": "x",
            "flag": "TRUE",
            "rating": " 良",
            "awarded": "4.1",
        },
    ]
    counts = run_parity(rs, rows, types, canonical=False)
    assert counts["scored"] == 2 and counts["deferred"] == 1, counts


def test_sql_text_has_no_decimal_division() -> None:
    """DuckDB turns DECIMAL / DECIMAL into DOUBLE: the compiled query must never divide decimals."""
    rs = kpirules.loads(EDGE_RULESET.replace("{rounding}", "half-up"), name="<edges>")
    text = to_sql(compile_ruleset(rs, columns=EDGE_TYPES), "duckdb", pretty=False)
    assert " / " not in text and "DOUBLE" in text  # doubles are only read, never computed with
    assert "//" in text
