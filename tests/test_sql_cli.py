"""`kpirules sql`, `kpirules score --engine duckdb`, identifier quoting and the optional extra."""

from __future__ import annotations

import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest

duckdb = pytest.importorskip("duckdb")
pytest.importorskip("sqlglot")

from click.testing import CliRunner  # noqa: E402

import kpirules  # noqa: E402
from kpirules.cli import main  # noqa: E402
from kpirules.sql import compile_ruleset, to_sql  # noqa: E402
from kpirules.sql.errors import SqlMissingDependency, require  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
BISHAN = str(ROOT / "rulesets" / "bishan_2022.toml")


def _units_parquet(path: Path, rows: int = 300) -> None:
    """Bishan units as a Parquet file written by DuckDB; unit u7 divides by zero, u9 lacks a value."""
    con = duckdb.connect()
    con.execute(
        """
        CREATE TABLE u AS SELECT
            'u' || i AS unit,
            CAST(200000 + i * 1234.56 AS DECIMAL(18, 2)) AS budget_adjusted,
            CASE WHEN i = 9 THEN NULL ELSE CAST((200000 + i * 1234.56) * (0.6 + (i % 45) / 100) AS DECIMAL(18, 2)) END
                AS budget_spent,
            i % 10 <> 3 AS disclosed_on_time, i % 7 <> 1 AS case_volume_target_met,
            TRUE AS on_time_disposal_target_met,
            CASE WHEN i = 7 THEN 0 ELSE 24 + i % 50 END AS hotline_received,
            CASE WHEN i = 7 THEN 0 ELSE 5 + i % 20 END AS hotline_closed,
            25 AS complaints_received, i % 26 AS complaints_answered,
            TRUE AS system_failure_target_met, i % 3 = 0 AS city_assessment_passed,
            ['优', '良', '中', '差'][1 + i % 4] AS staff_rating,
            CAST((i % 1000) / 1000.0 AS DOUBLE) AS satisfaction_rate
        FROM range(?) t(i)
        """,
        [rows],
    )
    con.execute("COPY u TO '" + str(path).replace("'", "''") + "' (FORMAT parquet)")


def test_score_parquet_to_parquet_matches_python(tmp_path: Path) -> None:
    units, out = tmp_path / "units.parquet", tmp_path / "scores.parquet"
    _units_parquet(units)
    result = CliRunner().invoke(
        main, ["score", BISHAN, "--values", str(units), "--engine", "duckdb", "--output", str(out)]
    )
    assert result.exit_code == 1, result.output
    assert "2 of 300 units could not be scored" in result.stderr
    assert "[u7]" in result.stderr and "division by zero" in result.stderr
    assert "[u9]" in result.stderr and "budget_spent" in result.stderr
    rs = kpirules.load(BISHAN)
    con = duckdb.connect()
    inputs = con.execute("SELECT * FROM read_parquet(?) ORDER BY unit", [str(units)]).fetchall()
    names = [d[0] for d in con.execute("DESCRIBE SELECT * FROM read_parquet(?)", [str(units)]).fetchall()]
    scored = {r[0]: r for r in con.execute("SELECT * FROM read_parquet(?)", [str(out)]).fetchall()}
    assert len(scored) == 300
    for row in inputs:
        values = dict(zip(names[1:], row[1:], strict=True))
        got = scored[row[0]]
        try:
            expected = rs.evaluate(values)
        except kpirules.ValuesError:
            assert got[-1] is not None and all(v is None for v in got[2:-1])
            continue
        assert list(got[2:12]) == list(expected.scores) and got[12] == expected.total and got[13] == expected.grade


def test_score_engine_duckdb_needs_files(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["score", BISHAN, "--engine", "duckdb"])
    assert result.exit_code == 2 and "--engine duckdb" in result.stderr


def test_score_without_engine_keeps_python_path() -> None:
    result = CliRunner().invoke(main, ["score", BISHAN, "--format", "json"])
    assert result.exit_code == 0 and '"total": 93.74' in result.output


def test_sql_command_prints_spark() -> None:
    result = CliRunner().invoke(main, ["sql", BISHAN, "--dialect", "spark"])
    assert result.exit_code == 0, result.output
    text = result.output
    assert text.startswith("WITH") and "`budget_execution`" in text and "DECIMAL(38, 0)" in text
    assert "HUGEINT" not in text and "INT128" not in text


def test_sql_command_schema_from_file(tmp_path: Path) -> None:
    units = tmp_path / "units.parquet"
    _units_parquet(units, rows=10)
    result = CliRunner().invoke(main, ["sql", BISHAN, "--schema-from", str(units), "--table", "t"])
    assert result.exit_code == 0, result.output
    con = duckdb.connect()
    con.execute("CREATE TABLE t AS SELECT * FROM read_parquet(?)", [str(units)])
    rows = con.execute(result.output).fetchall()
    assert len(rows) == 10 and rows[0][-4] is not None


def test_identifiers_cannot_inject_sql() -> None:
    """A table and a unit column named like an injection are quoted identifiers, nothing more."""
    rs = kpirules.load(BISHAN)
    evil = 'a"; drop table x; --'
    con = duckdb.connect()
    con.execute("CREATE TABLE x (keep INTEGER)")
    con.execute("CREATE TABLE units AS SELECT 1 AS v")  # a decoy under the default name
    con.execute(f'CREATE TABLE "{evil.replace(chr(34), chr(34) * 2)}" ("{evil.replace(chr(34), chr(34) * 2)}" VARCHAR)')
    query = to_sql(compile_ruleset(rs, table=evil, columns={}, unit_column=evil), "duckdb")
    assert 'drop table x; --"' in query  # inside a quoted identifier
    assert con.execute(query).fetchall() == []
    assert con.execute("SELECT count(*) FROM x").fetchall() == [(0,)]
    # measure names are identifiers: the loader refuses one that is not
    with pytest.raises(kpirules.KpiRulesError):
        kpirules.loads('[ruleset]\nid = "x"\n[measures."a\\"; drop table x; --"]\ntype = "rate"\n')


def test_missing_extra_is_explained() -> None:
    with pytest.raises(SqlMissingDependency) as info:
        require("kpirules_no_such_module")
    assert "kpirules[sql]" in (info.value.hint or "")


def test_plain_import_and_score_do_not_load_sql() -> None:
    code = (
        "import sys, kpirules, kpirules.cli.score; "
        "print(sorted(m for m in ('duckdb', 'sqlglot', 'kpirules.sql') if m in sys.modules))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"


def test_scores_are_exact_decimals() -> None:
    rs = kpirules.load(BISHAN)
    con = duckdb.connect()
    con.execute(
        "CREATE TABLE units AS SELECT 'a' AS unit, 1899305.84::DECIMAL(18,2) AS budget_adjusted, "
        "1899305.84::DECIMAL(18,2) AS budget_spent, true AS disclosed_on_time, true AS case_volume_target_met, "
        "true AS on_time_disposal_target_met, 576 AS hotline_received, 576 AS hotline_closed, "
        "25 AS complaints_received, 25 AS complaints_answered, true AS system_failure_target_met, "
        "true AS city_assessment_passed, '良' AS staff_rating, 0.474::DECIMAL(10,4) AS satisfaction_rate"
    )
    types = {d[0]: str(d[1]) for d in con.execute("DESCRIBE units").fetchall()}
    row = con.execute(to_sql(compile_ruleset(rs, columns=types))).fetchall()[0]
    assert row[-3:] == (Decimal("93.74"), "优", None)
    assert row[-4] == Decimal("4.74")


def test_python_engine_reads_parquet(tmp_path: Path) -> None:
    """`--engine python --values units.parquet`: the Python path reads Parquet itself (through duckdb)."""
    units = tmp_path / "units.parquet"
    _units_parquet(units, rows=12)
    result = CliRunner().invoke(
        main, ["score", BISHAN, "--values", str(units), "--engine", "python", "--format", "csv"]
    )
    assert result.exit_code == 1, result.output  # u7 divides by zero, u9 lacks a value
    assert "2 of 12 units could not be scored" in result.stderr
    assert "[u7]" in result.stderr and "division by zero" in result.stderr and "[u9]" in result.stderr
    lines = result.stdout.strip().splitlines()
    assert len(lines) == 1 + 12 and lines[1].startswith("u0,")


def test_parquet_values_without_a_reader(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import importlib.util

    from kpirules.valuefiles import read_units

    units = tmp_path / "units.parquet"
    _units_parquet(units, rows=3)
    real = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util, "find_spec", lambda name, *a: None if name in ("duckdb", "pyarrow") else real(name, *a)
    )
    with pytest.raises(kpirules.KpiRulesError, match="needs duckdb or pyarrow"):
        read_units(units)


def test_auto_falls_back_to_python_when_sql_refuses(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A ruleset the SQL path refuses: `--engine auto` scores it with Python into the same columns
    (a note on stderr); `--engine duckdb` exits 2."""
    import kpirules.sql.compile as compile_module

    units, out, sql_out = tmp_path / "units.parquet", tmp_path / "scores.parquet", tmp_path / "sql.parquet"
    _units_parquet(units, rows=40)
    runner = CliRunner()
    assert runner.invoke(main, ["score", BISHAN, "--values", str(units), "--output", str(sql_out)]).exit_code == 1
    monkeypatch.setattr(compile_module, "MAX_NODES", 5)
    refused = runner.invoke(main, ["score", BISHAN, "--values", str(units), "--engine", "duckdb", "-o", str(out)])
    assert refused.exit_code == 2 and "too large" in refused.stderr and not out.exists()
    result = runner.invoke(main, ["score", BISHAN, "--values", str(units), "--output", str(out)])
    assert result.exit_code == 1, result.output
    assert "scoring every unit with the Python evaluator" in result.stderr and "bishan_2022.toml:" in result.stderr
    assert "2 of 40 units could not be scored" in result.stderr and "[u7]" in result.stderr
    con = duckdb.connect()
    described = con.execute("DESCRIBE SELECT * FROM read_parquet(?)", [str(out)]).fetchall()
    assert described == con.execute("DESCRIBE SELECT * FROM read_parquet(?)", [str(sql_out)]).fetchall()
    same = "SELECT * EXCLUDE (error) FROM read_parquet(?) EXCEPT SELECT * EXCLUDE (error) FROM read_parquet(?)"
    assert con.execute(same, [str(out), str(sql_out)]).fetchall() == []
    assert con.execute("SELECT count(*) FROM read_parquet(?) WHERE error IS NOT NULL", [str(out)]).fetchone() == (2,)


def test_large_decimals_do_not_overflow(tmp_path: Path) -> None:
    """DuckDB keeps DECIMAL(18, s) × integer a DECIMAL(18, s) and raises an overflow error when the
    product does not fit: amounts near the type's limit are widened first, with or without bounds."""
    from kpirules.sql.engine.duckdb import score_file

    rs = kpirules.load(BISHAN)
    con = duckdb.connect()
    con.execute(
        "CREATE TABLE units AS SELECT 'u' || i AS unit, "
        "CAST(9999999999999999.99 - i AS DECIMAL(18, 2)) AS budget_adjusted, "
        "CAST(9000000000000000.00 + i * 12345678901.23 AS DECIMAL(18, 2)) AS budget_spent, "
        "true AS disclosed_on_time, true AS case_volume_target_met, true AS on_time_disposal_target_met, "
        "576 AS hotline_received, 500 AS hotline_closed, 25 AS complaints_received, 20 AS complaints_answered, "
        "true AS system_failure_target_met, true AS city_assessment_passed, '良' AS staff_rating, "
        "0.474::DECIMAL(10, 4) AS satisfaction_rate FROM range(5) t(i)"
    )
    types = {d[0]: str(d[1]) for d in con.execute("DESCRIBE units").fetchall()}
    names = [n for n in types if n != "unit"]
    inputs = con.execute("SELECT * EXCLUDE (unit) FROM units ORDER BY unit").fetchall()
    expected = [rs.evaluate(dict(zip(names, r, strict=True))) for r in inputs]
    rows = con.execute(f"SELECT * FROM ({to_sql(compile_ruleset(rs, columns=types))}) ORDER BY unit").fetchall()
    assert [(r[-3], r[-2]) for r in rows] == [(e.total, e.grade) for e in expected]
    units = tmp_path / "units.parquet"
    con.execute("COPY units TO '" + str(units).replace("'", "''") + "' (FORMAT parquet)")
    report = score_file(rs, units, tmp_path / "scores.parquet")
    assert not report.failed and report.by_python == 0
    scored = duckdb.connect().execute("SELECT * FROM read_parquet(?) ORDER BY row", [str(tmp_path / "scores.parquet")])
    assert [(r[-3], r[-2]) for r in scored.fetchall()] == [(e.total, e.grade) for e in expected]
