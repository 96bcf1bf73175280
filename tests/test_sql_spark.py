"""The Spark SQL query run on a local SparkSession: exactly the Python evaluator's scores, totals and
grades, with ANSI mode on (Spark 4's default) and off, on Bishan, on generated rulesets of every
form and on the edge ruleset; and no silent overflow with values at the edge of what the query
computes exactly. Skipped without pyspark (``pip install "kpirules[spark]"``) or Java.
"""

from __future__ import annotations

import os
import random
import shutil
from collections.abc import Iterator, Mapping, Sequence
from decimal import Decimal
from typing import Any

import pytest

pyspark = pytest.importorskip("pyspark")
pytest.importorskip("sqlglot")
if shutil.which("java") is None and not os.environ.get("JAVA_HOME"):
    pytest.skip("Spark needs Java", allow_module_level=True)

import test_sql_parity as parity  # noqa: E402

import kpirules  # noqa: E402
from kpirules.sql import InputColumn, compile_ruleset, to_sql  # noqa: E402

bench = parity.bench


@pytest.fixture(scope="module")
def spark() -> Iterator[Any]:
    from pyspark.sql import SparkSession

    os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")  # the session talks to itself on loopback only
    session = (
        SparkSession.builder.master("local[1]")
        .appName("kpirules-parity")
        .config("spark.ui.enabled", "false")
        .config("spark.driver.host", "127.0.0.1")
        .config("spark.driver.bindAddress", "127.0.0.1")
        .config("spark.sql.shuffle.partitions", "1")
        .config("spark.default.parallelism", "1")
        .config("spark.driver.memory", "2g")
        .getOrCreate()
    )
    session.sparkContext.setLogLevel("ERROR")
    yield session
    session.stop()


def _spark_type(kind: str) -> Any:
    from pyspark.sql import types as T

    text = kind.upper().replace(" ", "")
    if text.startswith("DECIMAL"):
        p, s = (int(x) for x in text[len("DECIMAL(") : -1].split(","))
        return T.DecimalType(p, s)
    return {
        "BIGINT": T.LongType(),
        "INTEGER": T.IntegerType(),
        "DOUBLE": T.DoubleType(),
        "BOOLEAN": T.BooleanType(),
        "VARCHAR": T.StringType(),
    }[text]


def _coerce(value: Any, kind: str) -> Any:
    """A Python value as a column of ``kind`` holds it (what Python is then given too)."""
    if value is None:
        return None
    if kind.upper().startswith("DECIMAL"):
        return Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
    if kind in ("BIGINT", "INTEGER"):
        return int(value)
    if kind == "DOUBLE":
        return float(value)
    return value


def run_spark(
    spark: Any,
    rs: kpirules.Ruleset,
    rows: Sequence[Mapping[str, Any]],
    types: Mapping[str, str],
    *,
    ansi: bool,
    deferred_ok: bool = False,
) -> dict[str, int]:
    """Score ``rows`` on Spark and with Python; every unit must agree exactly (or, with
    ``deferred_ok``, be marked ``input: …`` by SQL)."""
    from pyspark.sql import types as T

    spark.conf.set("spark.sql.ansi.enabled", "true" if ansi else "false")
    names = list(types)
    schema = T.StructType(
        [
            T.StructField("unit", T.StringType()),
            *(T.StructField(f"c{i}", _spark_type(types[n])) for i, n in enumerate(names)),
        ]
    )
    rows = [{n: _coerce(row.get(n), types[n]) for n in names} for row in rows]
    data = [(f"u{k}", *(row[n] for n in names)) for k, row in enumerate(rows)]
    spark.createDataFrame(data, schema).createOrReplaceTempView("units")
    columns = {n: InputColumn(f"c{i}", types[n]) for i, n in enumerate(names)}
    query = to_sql(compile_ruleset(rs, dialect="spark", columns=columns), "spark", pretty=False)
    out = {r[0]: tuple(r) for r in spark.sql(query).collect()}
    counts = {"scored": 0, "failed": 0, "deferred": 0}
    n = len(rs.indicators)
    for k, row in enumerate(rows):
        got = out[f"u{k}"]
        scores, total, grade, error = list(got[1 : 1 + n]), got[1 + n], got[2 + n], got[3 + n]
        values = {name: row.get(name) for name in names}
        try:
            result: kpirules.Result | None = rs.evaluate(values)
        except kpirules.ValuesError:
            result = None
        if error is not None and error.startswith("input:"):
            assert deferred_ok, f"{values}: SQL deferred ({error})"
            assert all(s is None for s in scores) and total is None
            counts["deferred"] += 1
            continue
        if result is None:
            assert error is not None, f"Python fails on {values} but Spark scored it: {got}"
            counts["failed"] += 1
            continue
        assert error is None, f"Spark failed ({error}) where Python scored {values}: {result.scores}"
        assert scores == list(result.scores), f"{values}: Spark {scores} != Python {list(result.scores)}"
        assert total == result.total and grade == result.grade, f"{values}: {total} {grade}"
        counts["scored"] += 1
    return counts


@pytest.mark.parametrize("ansi", [True, False])
def test_bishan(spark: Any, bishan: kpirules.Ruleset, ansi: bool) -> None:
    rows = [*bench.bishan_rows(300, seed=11), bench.bishan_values()]
    rows += [dict(r, hotline_received=0, hotline_closed=0) for r in rows[:5]]  # division by zero
    rows += [dict(r, budget_spent=None) for r in rows[5:10]]  # missing
    counts = run_spark(spark, bishan, rows, parity.BISHAN_TYPES, ansi=ansi)
    assert counts == {"scored": 301, "failed": 10, "deferred": 0}


@pytest.mark.parametrize("ansi", [False])
def test_generated_every_form(spark: Any, ansi: bool) -> None:
    synthetic = bench.generate_ruleset(len(bench.FORMS) * 2, seed=3)
    rs = kpirules.loads(synthetic.text, name="<generated>")
    rng = random.Random(3)
    rows = [synthetic.random_values(rng) for _ in range(150)]
    counts = run_spark(spark, rs, rows, parity._generated_types(synthetic), ansi=ansi)
    assert counts["scored"] == 150


@pytest.mark.parametrize(("rounding", "ansi"), [("half-even", False)])
def test_edges(spark: Any, rounding: str, ansi: bool) -> None:
    """The edge ruleset (every form, both roundings' boundaries, every failure) on random units.
    Its DOUBLE columns carry 10 decimals, so products of several measures reach 38 digits: units
    whose values exceed the input bound Spark's query computes exactly under are marked ``input``
    (and would be scored by Python), never scored wrong."""
    rng = random.Random(7)
    units: list[dict[str, Any]] = []
    rates = ["0", "0.01", "0.05", "0.5", "0.6", "0.8", "0.9", "0.949", "0.95", "0.951", "1", "1.05", "0.125", "0.035"]
    for _ in range(60):
        units.append(
            {
                "rate": rng.choice([*map(Decimal, rates), None, Decimal(rng.randint(-1000, 12000)) / 10000]),
                "rate2": rng.choice([0.0, 0.01, 0.02, 0.5, 1.0, None, rng.randint(0, 10000) / 10000]),
                "received": rng.choice([0, 1, 3, 6, 24, None, rng.randint(0, 40)]),
                "closed": rng.choice([0, 2, 5, 7, None, rng.randint(0, 40)]),
                "spent": rng.choice([Decimal("0"), Decimal("94.99"), Decimal(rng.randint(0, 10**7)) / 100, None]),
                "budget": rng.choice([0.0, 3.0, 100.0, rng.randint(0, 10**7) / 100, None]),
                "flag": rng.choice([True, False, None]),
                "rating": rng.choice(["优", "良", "中", "差", None]),
                "awarded": rng.choice(
                    [Decimal("4.5"), Decimal("4.495"), Decimal("3.995"), Decimal(rng.randint(0, 5000)) / 1000, None]
                ),
            }
        )
    counts = run_spark(spark, parity._EDGES[rounding], units, parity.EDGE_TYPES, ansi=ansi, deferred_ok=True)
    assert counts["scored"] >= 5 and counts["failed"] >= 15, counts


@pytest.mark.parametrize("ansi", [False])
def test_large_values_are_exact_or_refused(spark: Any, ansi: bool) -> None:
    """Values as large as the widest columns hold: each unit is scored exactly or marked
    ``input: …`` (too large for exact arithmetic in DECIMAL(38, 0)); never a wrong or NULL score,
    with ANSI mode off (where Spark overflows to NULL) as well as on (where it raises)."""
    rs = parity._EDGES["half-up"]
    types = dict(parity.EDGE_TYPES, spent="DECIMAL(38,2)", budget="DECIMAL(38,10)", received="BIGINT", closed="BIGINT")
    big = [Decimal("9" * 28) / 100, Decimal(10) ** 20, Decimal("123456789012.34"), Decimal("1"), Decimal("0.01")]
    rows = []
    for k in range(len(big) ** 2):
        spent, budget = big[k % len(big)], big[k // len(big)]
        rows.append(
            {
                "rate": Decimal("0.9"),
                "rate2": 0.01,
                "received": [3, 2**62, 10**15][k % 3],
                "closed": [2, 2**61, 10**14][k % 3],
                "spent": spent,
                "budget": budget,
                "flag": True,
                "rating": "良",
                "awarded": Decimal("4.125"),
            }
        )
    counts = run_spark(spark, rs, rows, types, ansi=ansi, deferred_ok=True)
    assert counts["scored"] >= 1, counts


def test_spark_query_shape() -> None:
    """Integer division is Spark's `div` or an exact decimal quotient of a multiple; no HUGEINT."""
    rs = kpirules.load(parity.ROOT / "rulesets" / "bishan_2022.toml")
    text = to_sql(compile_ruleset(rs, dialect="spark", columns=parity.BISHAN_TYPES), "spark", pretty=False)
    assert ("DIV " in text or "PMOD(" in text) and "HUGEINT" not in text and "INT128" not in text
