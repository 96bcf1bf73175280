"""The Spark SQL query run on a local SparkSession: exactly the Python evaluator's scores, totals and
grades, with ANSI mode on (Spark 4's default) and off, on Bishan, on generated rulesets of every
form and on the edge ruleset; and no silent overflow with values at the edge of what the query
computes exactly. :func:`kpirules.sql.score_dataframe` and docs/examples/spark_score.py give
exactly ``Ruleset.evaluate_many``'s outcomes. CI (.ci/run) installs pyspark and, where ``java`` is
missing, a headless JRE from the system's packages; the module is skipped only where pyspark
(``pip install "kpirules[spark]"``) or Java cannot be had, and says which.
"""

from __future__ import annotations

import importlib.util
import os
import random
import shutil
from collections.abc import Iterator, Mapping, Sequence
from decimal import Decimal
from typing import Any

import pytest

pyspark = pytest.importorskip("pyspark", reason='pyspark is not installed: pip install "kpirules[spark]"')
pytest.importorskip("sqlglot")
if shutil.which("java") is None and not os.environ.get("JAVA_HOME"):
    pytest.skip(
        "Spark needs Java: no `java` on PATH and no JAVA_HOME (install a JRE 17 or later, e.g. "
        "apt-get install default-jre-headless, as .ci/run does where it can)",
        allow_module_level=True,
    )

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
        "DATE": T.DateType(),
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


DATES = """
[ruleset]
id = "dates"
total = 20
[measures.done]
type = "date"
range = [2021-01-01, 2022-12-31]
[measures.due]
type = "date"
[[indicators]]
id = "on_time"
weight = 10
rule = "pass if done <= 2021-12-31"
[[indicators]]
id = "late"
weight = 10
rule = "tiers (done - due) { <= 0: full, <= 30: 60%, else: zero }"
"""


@pytest.mark.parametrize("ansi", [True, False])
def test_dates(spark: Any, ansi: bool) -> None:
    """A DATE column and an ISO text column (Spark's DATEDIFF from 1970-01-01), exactly as Python
    scores them; a text Spark does not read (2022年1月30日, a day not in the calendar) goes to Python."""
    import datetime

    rs = kpirules.loads(DATES, name="<dates>")
    day = datetime.date
    rows = [
        {"done": day(2021, 12, 31), "due": "2021-12-31"},
        {"done": day(2022, 1, 30), "due": "2021-12-31"},
        {"done": day(2022, 1, 31), "due": "2021-12-31"},
        {"done": day(2022, 3, 1), "due": "2022-02-28"},
        {"done": day(2021, 6, 1), "due": None},
        {"done": day(2021, 6, 1), "due": "2021年6月1日"},
        {"done": day(2021, 6, 1), "due": "2021-02-30"},
    ]
    counts = run_spark(spark, rs, rows, {"done": "DATE", "due": "VARCHAR"}, ansi=ansi, deferred_ok=True)
    assert counts == {"scored": 4, "failed": 1, "deferred": 2}, counts


@pytest.mark.parametrize("ansi", [True, False])
def test_bishan(spark: Any, bishan: kpirules.Ruleset, ansi: bool) -> None:
    rows = [*bench.bishan_rows(300, seed=11), bench.bishan_values()]
    rows += [dict(r, hotline_received=0, hotline_closed=0) for r in rows[:5]]  # division by zero
    rows += [dict(r, budget_spent=None) for r in rows[5:10]]  # missing
    counts = run_spark(spark, bishan, rows, parity.BISHAN_TYPES, ansi=ansi)
    assert counts == {"scored": 301, "failed": 10, "deferred": 0}


@pytest.mark.parametrize("ansi", [True, False])
def test_generated_every_form(spark: Any, ansi: bool) -> None:
    synthetic = bench.generate_ruleset(len(bench.FORMS) * 2, seed=3)
    rs = kpirules.loads(synthetic.text, name="<generated>")
    rng = random.Random(3)
    rows = [synthetic.random_values(rng) for _ in range(150)]
    counts = run_spark(spark, rs, rows, parity._generated_types(synthetic), ansi=ansi)
    assert counts["scored"] == 150


@pytest.mark.parametrize(("rounding", "ansi"), [("half-even", False), ("half-up", True)])
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


# ---- kpirules.sql.score_dataframe: one call, the types read from the DataFrame's schema ----------
def _frame(spark: Any, rows: Sequence[Mapping[str, Any]], types: Mapping[str, str], *, extra: bool = False) -> Any:
    """A DataFrame of units: ``unit``, then one column per measure named as the measure, typed as
    ``types`` says (and, with ``extra``, a column no measure reads)."""
    from pyspark.sql import types as T

    names = list(types)
    fields = [T.StructField("unit", T.StringType()), *(T.StructField(n, _spark_type(types[n])) for n in names)]
    data = [(f"u{k}", *(_coerce(row.get(n), types[n]) for n in names)) for k, row in enumerate(rows)]
    if extra:
        fields.append(T.StructField("region", T.StringType()))
        data = [(*d, "east") for d in data]
    return spark.createDataFrame(data, T.StructType(fields))


def check_scores(
    rs: kpirules.Ruleset,
    rows: Sequence[Mapping[str, Any]],
    types: Mapping[str, str],
    scored: Sequence[Any],
    *,
    deferred_ok: bool = False,
) -> dict[str, int]:
    """Each scored row (``unit``, the indicators, ``total``, ``grade``, ``error``) is exactly what
    :meth:`Ruleset.evaluate_many` gives for the unit's values (or, with ``deferred_ok``, ``input: …``)."""
    by_unit = {r["unit"]: r for r in scored}
    assert len(by_unit) == len(rows)
    values = [{n: _coerce(row.get(n), types[n]) for n in types} for row in rows]
    counts = {"scored": 0, "failed": 0, "deferred": 0}
    for k, outcome in enumerate(rs.evaluate_many(values)):
        got = by_unit[f"u{k}"]
        scores = [got[ind.id] for ind in rs.indicators]
        error = got["error"]
        if error is not None and error.startswith("input:"):
            assert deferred_ok, f"{values[k]}: SQL deferred ({error})"
            assert all(s is None for s in scores) and got["total"] is None
            counts["deferred"] += 1
        elif isinstance(outcome, kpirules.ValuesError):
            assert error is not None, f"Python fails on {values[k]} but Spark scored it: {got}"
            assert all(s is None for s in scores) and got["total"] is None and got["grade"] is None
            counts["failed"] += 1
        else:
            assert error is None, f"Spark failed ({error}) where Python scored {values[k]}: {outcome.scores}"
            assert scores == list(outcome.scores), f"{values[k]}: Spark {scores} != Python {list(outcome.scores)}"
            assert got["total"] == outcome.total and got["grade"] == outcome.grade, values[k]
            counts["scored"] += 1
    return counts


@pytest.mark.parametrize("ansi", [True, False])
def test_score_dataframe_bishan(spark: Any, bishan: kpirules.Ruleset, ansi: bool) -> None:
    """Bishan's units in a DataFrame (decimal, integer and boolean columns, and one no measure
    reads): scores, totals, grades and failures exactly evaluate_many's, ANSI mode on and off."""
    from kpirules.sql import score_dataframe

    spark.conf.set("spark.sql.ansi.enabled", "true" if ansi else "false")
    rows = [*bench.bishan_rows(200, seed=12), bench.bishan_values()]
    rows += [dict(r, hotline_received=0, hotline_closed=0) for r in rows[:4]]  # division by zero
    rows += [dict(r, budget_spent=None) for r in rows[4:8]]  # missing
    frame = _frame(spark, rows, parity.BISHAN_TYPES, extra=True)
    result = score_dataframe(bishan, frame)
    assert result.columns == ["unit", *(ind.id for ind in bishan.indicators), "total", "grade", "error"]
    kinds = dict(result.dtypes)
    assert kinds["total"].startswith("decimal(") and kinds["grade"] == "string" and kinds["error"] == "string"
    counts = check_scores(bishan, rows, parity.BISHAN_TYPES, result.collect())
    assert counts == {"scored": 201, "failed": 8, "deferred": 0}
    assert not [t for t in spark.catalog.listTables() if t.name.startswith("kpirules_")]  # no view left behind


def test_score_dataframe_reads_each_columns_type(spark: Any) -> None:
    """The generated ruleset of every form, its measures given as text (``"95%"``), doubles,
    decimals, integers, booleans and levels as the schema says: exactly evaluate_many's."""
    from kpirules.sql import score_dataframe

    spark.conf.set("spark.sql.ansi.enabled", "false")
    synthetic = bench.generate_ruleset(len(bench.FORMS) * 2, seed=5)
    rs = kpirules.loads(synthetic.text, name="<generated>")
    rng = random.Random(5)
    rows = [synthetic.random_values(rng) for _ in range(80)]
    types = parity._generated_types(synthetic)
    counts = check_scores(rs, rows, types, score_dataframe(rs, _frame(spark, rows, types)).collect())
    assert counts["scored"] == 80, counts


def test_score_dataframe_of_text_columns(spark: Any) -> None:
    """Every measure a string column, as a CSV file read by Spark gives it: plain and percent
    numbers are converted in SQL; what is not (``"1,234"``) is ``input: measure``."""
    from kpirules.sql import score_dataframe

    rs = kpirules.load(parity.ROOT / "docs" / "examples" / "mini.toml")
    inputs = [m for m in rs.measures.values() if not m.derived]
    types = {m.name: "VARCHAR" for m in inputs}
    rng = random.Random(8)
    picks = ["0", "1", "3", "95%", "0.9", "50%", "12", "1,234", "", None]
    rows = [{m.name: rng.choice(picks) for m in inputs} for _ in range(60)]
    frame = _frame(spark, rows, types)
    counts = check_scores(rs, rows, types, score_dataframe(rs, frame).collect(), deferred_ok=True)
    assert counts["scored"] >= 1 and counts["deferred"] >= 1, counts


def test_spark_submit_example(spark: Any, bishan: kpirules.Ruleset, tmp_path: Any) -> None:
    """docs/examples/spark_score.py, as spark-submit runs it, on the local session: Parquet in,
    score_dataframe, Parquet out; the scores are evaluate_many's."""
    spec = importlib.util.spec_from_file_location("spark_score", parity.ROOT / "docs" / "examples" / "spark_score.py")
    assert spec is not None and spec.loader is not None
    example = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(example)
    rows = [*bench.bishan_rows(40, seed=13), dict(bench.bishan_values(), hotline_received=0, hotline_closed=0)]
    units, scores = tmp_path / "units.parquet", tmp_path / "scores.parquet"
    _frame(spark, rows, parity.BISHAN_TYPES).write.parquet(str(units))
    status = example.main([str(parity.ROOT / "rulesets" / "bishan_2022.toml"), str(units), str(scores)], spark=spark)
    assert status == 1  # one unit divides by zero
    written = spark.read.parquet(str(scores)).collect()
    assert check_scores(bishan, rows, parity.BISHAN_TYPES, written) == {"scored": 40, "failed": 1, "deferred": 0}


@pytest.mark.parametrize("ansi", [True, False])
def test_floor_none(spark: Any, ansi: bool) -> None:
    """floor = "none" (tests/test_floor.py): scores and totals below 0, negative ties rounded on the
    magnitude, no -0; counts as large as a BIGINT scored exactly or marked ``input``, never wrong."""
    import test_floor

    rs = test_floor.city()
    types = {"found": "BIGINT", "rate": "DECIMAL(9,4)", "x": "DECIMAL(18,4)"}
    rows = [
        {"found": u["found"], "rate": Decimal(u["rate"][:-1]) / 100, "x": Decimal(str(u["x"]))}
        for u in test_floor.UNITS
    ]
    rows += [{"found": f, "rate": Decimal("0.5"), "x": Decimal("12.345")} for f in (2**62, 10**15 + 1, 13)]
    counts = run_spark(spark, rs, rows, types, ansi=ansi, deferred_ok=True)
    assert counts["scored"] >= 6, counts


@pytest.mark.parametrize("ansi", [True, False])
def test_doubles_beyond_the_query_go_to_python_with_ansi_on_as_off(spark: Any, ansi: bool) -> None:
    """A DOUBLE input the query's decimals cannot hold (10^18 and more, NaN, an infinity) is marked
    ``input: …`` for the Python evaluator, with ANSI mode on (Spark 4's default) as with it off.
    The casts that read a double are TRY_CAST on Spark: a plain CAST raised under ANSI mode, and
    one such value stopped the whole query."""
    rs = kpirules.loads(
        """
[ruleset]
id = "doubles"
[measures.x]
type = "number"
[[indicators]]
id = "a"
weight = 10
measure = "x"
rule = "tiers { >= 5: full, else: zero }"
"""
    )
    huge = [1e30, -1e30, 6e18, float("nan"), float("inf")]
    rows = [{"x": v} for v in (1.5, *huge, 123456.789, 7.0)]
    counts = run_spark(spark, rs, rows, {"x": "DOUBLE"}, ansi=ansi, deferred_ok=True)
    assert counts == {"scored": 3, "failed": 0, "deferred": len(huge)}
