"""`kpirules sql`, `kpirules score --engine duckdb`, identifier quoting and the optional extra."""

from __future__ import annotations

import csv
import io
import os
import subprocess
import sys
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

duckdb = pytest.importorskip("duckdb")
pytest.importorskip("sqlglot")

from click.testing import CliRunner  # noqa: E402

import kpirules  # noqa: E402
from kpirules.cli import main  # noqa: E402
from kpirules.messages import use_language  # noqa: E402
from kpirules.sql import compile_ruleset, to_sql  # noqa: E402
from kpirules.sql.errors import SqlMissingDependency, require  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
BISHAN = str(ROOT / "rulesets" / "bishan_2022.toml")


@pytest.fixture(autouse=True)
def _own_sql_cache(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Each test gets an empty SQL cache of its own (never the user's)."""
    directory = tmp_path_factory.mktemp("sql-cache")
    monkeypatch.setenv("KPIRULES_CACHE_DIR", str(directory))
    monkeypatch.delenv("KPIRULES_NO_CACHE", raising=False)
    return directory


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


def test_csv_output_with_python_rows_is_written_as_the_query_writes(tmp_path: Path) -> None:
    """A CSV output in which some rows are rescored by Python: the rows the query wrote are
    copied unchanged (unit ``007`` keeps its zeros, scores keep two decimals) and the rows Python
    scored read as the Python path writes them."""
    bishan = {k: str(v).lower() if isinstance(v, bool) else str(v) for k, v in kpirules.load(BISHAN).values.items()}
    bishan["satisfaction_rate"] = "47.4%"
    units = tmp_path / "units.csv"
    with units.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["unit", *bishan])
        writer.writerow(["007", *bishan.values()])
        thousands = {**bishan, "budget_adjusted": "1,899,305.84"}  # only the Python evaluator reads it
        writer.writerow(["008", *thousands.values()])
        writer.writerow(["009", *{**bishan, "budget_spent": ""}.values()])  # no value: fails
    out = tmp_path / "scores.csv"
    sql = CliRunner().invoke(main, ["score", BISHAN, "--values", str(units), "--engine", "duckdb", "-o", str(out)])
    assert sql.exit_code == 1 and "[009]" in sql.stderr, sql.output
    python = CliRunner().invoke(
        main, ["score", BISHAN, "--values", str(units), "--engine", "python", "--format", "csv"]
    )
    assert python.exit_code == 1
    ours = [
        {k: v for k, v in r.items() if k not in ("row", "error")} for r in csv.DictReader(out.open(encoding="utf-8"))
    ]
    theirs = [{k: v for k, v in r.items() if k != "error"} for r in csv.DictReader(io.StringIO(python.stdout))]
    assert [r["unit"] for r in ours] == ["007", "008", "009"]
    assert ours == theirs
    assert ours[0]["total"] == ours[1]["total"] == "93.74" and ours[0]["budget_execution"] == "10.00"


@pytest.mark.parametrize(("encoding", "separator"), [("gb18030", ","), ("utf-16", "\t"), ("utf-8-sig", ",")])
def test_duckdb_reads_csv_as_spreadsheets_save_it(tmp_path: Path, encoding: str, separator: str) -> None:
    """A CSV of units saved on Chinese Windows (GB18030), as Excel's "Unicode text" (UTF-16,
    tab-separated) or with a byte-order mark scores on DuckDB as on the Python path. DuckDB reads
    only UTF-8: the others are copied in UTF-8 into a scratch folder beside the output, which is
    removed after."""
    bishan = {k: str(v).lower() if isinstance(v, bool) else str(v) for k, v in kpirules.load(BISHAN).values.items()}
    bishan["satisfaction_rate"] = "47.4%"
    rows = [["unit", *bishan], ["一中队", *bishan.values()], ["二中队", *{**bishan, "budget_spent": ""}.values()]]
    units = tmp_path / "units.csv"
    units.write_bytes("".join(separator.join(r) + "\n" for r in rows).encode(encoding))
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    out = out_dir / "scores.csv"
    sql = CliRunner().invoke(main, ["score", BISHAN, "--values", str(units), "--engine", "duckdb", "-o", str(out)])
    assert sql.exit_code == 1 and "[二中队]" in sql.stderr, sql.output
    python = CliRunner().invoke(
        main, ["score", BISHAN, "--values", str(units), "--engine", "python", "--format", "csv"]
    )
    ours = [
        {k: v for k, v in r.items() if k not in ("row", "error")} for r in csv.DictReader(out.open(encoding="utf-8"))
    ]
    theirs = [{k: v for k, v in r.items() if k != "error"} for r in csv.DictReader(io.StringIO(python.stdout))]
    assert ours == theirs and ours[0]["unit"] == "一中队" and ours[0]["total"] == "93.74"
    assert sorted(p.name for p in out_dir.iterdir()) == ["scores.csv"]  # no scratch folder left


def test_csv_rows_are_numbered_in_the_file_order(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The `row` of a CSV input is its row in the file (the CSV is read into a table and numbered
    by row id), also for units scored by Python and written back. DuckDB reads the file in 16 KiB
    pieces on two threads here, so that the order does not come from reading it in one."""
    from kpirules.sql.engine import duckdb as engine

    real = engine.csv_options
    monkeypatch.setattr(engine, "csv_options", lambda *a: {**real(*a), "buffer_size": 16384})
    real_connect = engine.connect
    monkeypatch.setattr(engine, "connect", lambda threads=None, progress=False: real_connect(2, progress))
    bishan = {k: str(v).lower() if isinstance(v, bool) else str(v) for k, v in kpirules.load(BISHAN).values.items()}
    bishan["satisfaction_rate"] = "47.4%"
    units = tmp_path / "units.csv"
    names = [f"{(k * 7919) % 5000:04d}" for k in range(5000)]  # not in sorted order
    with units.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["unit", *bishan])
        for k, name in enumerate(names):
            spent = "" if k % 997 == 0 else bishan["budget_spent"]  # a few fail
            writer.writerow([name, *{**bishan, "budget_spent": spent}.values()])
    out = tmp_path / "scores.parquet"
    result = CliRunner().invoke(main, ["score", BISHAN, "--values", str(units), "--engine", "duckdb", "-o", str(out)])
    assert result.exit_code == 1, result.output
    rows = duckdb.connect().execute("SELECT row, unit, total FROM read_parquet(?) ORDER BY row", [str(out)]).fetchall()
    assert [(r[0], r[1]) for r in rows] == [(k + 1, name) for k, name in enumerate(names)]
    assert [r[1] for r in rows if r[2] is None] == [names[k] for k in range(0, 5000, 997)]


def test_duckdb_refuses_csv_in_no_known_encoding(tmp_path: Path) -> None:
    units = tmp_path / "units.csv"
    units.write_bytes(b"unit,budget_adjusted\n\xff\xfe\xfd,1\n\x80\n")
    out = tmp_path / "scores.parquet"
    result = CliRunner().invoke(main, ["score", BISHAN, "--values", str(units), "--engine", "duckdb", "-o", str(out)])
    assert result.exit_code == 2 and "is neither UTF-8 nor GB18030 text" in result.stderr
    assert "hint: save the file as UTF-8" in result.stderr and "Traceback" not in result.output
    assert sorted(p.name for p in tmp_path.iterdir()) == ["units.csv"]


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
    import kpirules.sql.query as query_module

    units, out, sql_out = tmp_path / "units.parquet", tmp_path / "scores.parquet", tmp_path / "sql.parquet"
    _units_parquet(units, rows=40)
    runner = CliRunner()
    assert runner.invoke(main, ["score", BISHAN, "--values", str(units), "--output", str(sql_out)]).exit_code == 1
    monkeypatch.setattr(query_module, "MAX_NODES", 5)
    monkeypatch.setenv("KPIRULES_NO_CACHE", "1")  # else the query cached by the first run is used as is
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


# ---- the SQL cache ------------------------------------------------------------------------------
def _count_builds(monkeypatch: pytest.MonkeyPatch) -> dict[str, int]:
    """Count the statements built by sqlglot (on a cache miss), by kind."""
    from kpirules.sql.engine import statements

    counts: dict[str, int] = {}
    for name in ("view", "bounds", "query", "failing", "count", "fixes", "rewrite", "describe_file"):
        real = getattr(statements, name)

        def counted(*args: object, _real: object = real, _name: str = name) -> object:
            counts[_name] = counts.get(_name, 0) + 1
            return _real(*args)  # type: ignore[operator]

        monkeypatch.setattr(statements, name, counted)
    return counts


def _rows(path: Path) -> list[tuple[object, ...]]:
    return duckdb.connect().execute("SELECT * FROM read_parquet(?) ORDER BY row", [str(path)]).fetchall()


def test_cache_hit_gives_identical_sql_and_results(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, _own_sql_cache: Path
) -> None:
    from kpirules.sql.cache import SqlCache
    from kpirules.sql.engine.duckdb import score_file

    units = tmp_path / "units.parquet"
    _units_parquet(units, rows=60)  # u7 and u9 fail: the rescoring statements are cached too
    rs = kpirules.load(BISHAN)
    counts = _count_builds(monkeypatch)
    first = score_file(rs, units, tmp_path / "a.parquet", cache=SqlCache.default())
    assert counts["query"] == 1 and counts["fixes"] == 1 and counts["rewrite"] == 1
    assert list(_own_sql_cache.glob("*.json"))
    counts.clear()
    second = score_file(kpirules.load(BISHAN), units, tmp_path / "b.parquet", cache=SqlCache.default())
    assert counts == {}  # nothing built: every statement came from the cache
    assert second.sql == first.sql  # byte for byte
    assert [u for u, _ in second.failed] == [u for u, _ in first.failed] == ["u7", "u9"]
    assert _rows(tmp_path / "b.parquet") == _rows(tmp_path / "a.parquet")
    uncached = score_file(rs, units, tmp_path / "c.parquet", cache=SqlCache(None))
    assert uncached.sql == first.sql and _rows(tmp_path / "c.parquet") == _rows(tmp_path / "a.parquet")


#: kpirules.result (the results, their values and traces) only where units are scored in Python
_WATCHED = ("sqlglot", "lark", "kpirules.loader", "kpirules.ruleset", "kpirules.result")


def _score_runs(tmp_path: Path, units: Path, watched: tuple[str, ...]) -> list[tuple[int, list[str], int]]:
    """The whole command twice, each in a fresh process with the same new SQL cache: each run's
    exit code, which of ``watched`` it imported, and how many DuckDB connections it opened. The
    outputs are a.parquet and b.parquet."""
    code = (
        "import sys\n"
        "import duckdb\n"
        "opened = []\n"
        "real_connect = duckdb.connect\n"
        "duckdb.connect = lambda *a, **k: opened.append(1) or real_connect(*a, **k)\n"
        "from kpirules.cli import main\n"
        "from kpirules.sql.cache import fingerprint\n"
        "try:\n"
        "    main(sys.argv[1:])\n"
        "except SystemExit as exit:\n"
        f"    loaded = [m for m in {watched!r} if m in sys.modules]\n"
        "    print(exit.code, fingerprint(), *loaded, f'connections={len(opened)}')\n"
    )
    for attempt in range(3):  # again if kpirules' files changed in between (then nothing cached applies)
        outputs = []
        env = {**os.environ, "KPIRULES_CACHE_DIR": str(tmp_path / f"cache{attempt}")}
        for name in ("a.parquet", "b.parquet"):
            args = ["score", BISHAN, "--values", str(units), "--engine", "duckdb", "--output", str(tmp_path / name)]
            done = subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True, env=env)
            assert not done.stderr.count("Traceback"), done.stderr
            outputs.append(done.stdout.split())
        if outputs[0][1] == outputs[1][1]:
            break
    return [(int(o[0]), o[2:-1], int(o[-1].removeprefix("connections="))) for o in outputs]


def _score_twice(tmp_path: Path, units: Path) -> list[tuple[int, list[str]]]:
    """:func:`_score_runs` watching :data:`_WATCHED`: each run's exit code and what it imported."""
    return [(code, loaded) for code, loaded, _ in _score_runs(tmp_path, units, _WATCHED)]


def test_cached_run_does_not_import_sqlglot(tmp_path: Path) -> None:
    """The whole command, twice in fresh processes: the second takes every statement from the
    cache, so sqlglot is never imported, and writes the same scores. u7 and u9 fail (exit 1) and
    are scored by Python, so that run loads the ruleset."""
    units = tmp_path / "units.parquet"
    _units_parquet(units, rows=30)
    first, second = _score_twice(tmp_path, units)
    assert first == (1, list(_WATCHED))
    assert second == (1, ["lark", "kpirules.loader", "kpirules.ruleset", "kpirules.result"])
    assert _rows(tmp_path / "b.parquet") == _rows(tmp_path / "a.parquet")


def test_cached_run_does_not_parse_the_ruleset(tmp_path: Path) -> None:
    """With every statement cached and every unit scored by SQL, the whole command imports
    neither sqlglot nor the parser: lark, kpirules' loader and the results stay unimported."""
    units = tmp_path / "units.parquet"
    _units_parquet(units, rows=7)  # u0 … u6: all score in SQL
    first, second = _score_twice(tmp_path, units)
    assert first == (0, list(_WATCHED)) and second == (0, [])
    assert _rows(tmp_path / "b.parquet") == _rows(tmp_path / "a.parquet")


def test_cached_run_checks_the_header_on_its_one_connection(tmp_path: Path) -> None:
    """The engine checks the file's header itself (it maps columns by measure id alone), on its
    one DuckDB connection: a Parquet file whose columns are all inputs' ids and ``unit`` is told
    so from the input names, without the header rules (kpirules.tables, kpirules.valuefiles).
    A cached run thus imports neither those, nor the measures (kpirules.model), nor a TOML reader,
    nor attrs: the messages, errors and rule sources it does import are named tuples."""
    units = tmp_path / "units.parquet"
    _units_parquet(units, rows=7)
    watched = ("kpirules.tables", "kpirules.valuefiles", "kpirules.model", "tomllib", "attrs")
    first, second = _score_runs(tmp_path, units, watched)
    assert first == (0, ["kpirules.model", "tomllib", "attrs"], 1)  # the ruleset is loaded to compile the query
    assert second == (0, [], 1)


@pytest.mark.parametrize("cached", [False, True])
def test_score_file_refuses_a_header_it_cannot_map(tmp_path: Path, cached: bool) -> None:
    """``score_file`` refuses, before reading the units, a file headed by labels or ``单位`` (a
    Parquet file) or with a title above its header (a CSV file), which it would otherwise read as
    units with no values: :class:`SqlHeaderNeedsPython`, saying which columns, for a cached run
    as well. A header of ids scores."""
    from kpirules.sql.cache import SqlCache
    from kpirules.sql.engine.duckdb import score_file
    from kpirules.sql.errors import SqlHeaderNeedsPython

    cache = SqlCache(tmp_path / "cache") if cached else SqlCache(None)
    label = kpirules.load(MINI).measures["execution_rate"].display
    labelled = tmp_path / "labelled.parquet"
    duckdb.connect().execute(
        f"COPY (SELECT '一中队' AS 单位, 0.93 AS \"{label}\", 0.88 AS satisfaction_rate) TO ? (FORMAT parquet)",
        [str(labelled)],
    )
    titled = tmp_path / "titled.csv"
    titled.write_text("填报表\nunit,execution_rate,satisfaction_rate\n一中队,0.93,0.88\n", "utf-8")
    for _ in range(2 if cached else 1):
        with use_language("en"), pytest.raises(SqlHeaderNeedsPython) as raised:
            score_file(MINI, labelled, tmp_path / "out.parquet", cache=cache)
        assert raised.value.why == f"heads columns otherwise: 单位, {label}"
        assert str(raised.value).startswith(f"DuckDB maps columns by measure id only, and {labelled} heads")
        with use_language("en"), pytest.raises(SqlHeaderNeedsPython) as raised:
            score_file(MINI, titled, tmp_path / "out.csv", cache=cache)
        assert raised.value.why == "has rows above its header"
    assert not (tmp_path / "out.parquet").exists() and not (tmp_path / "out.csv").exists()
    plain = tmp_path / "plain.csv"
    plain.write_text("unit,execution_rate,satisfaction_rate\n一中队,0.93,0.88\n", "utf-8")
    assert score_file(MINI, plain, tmp_path / "out.csv", cache=cache).scored == 1
    remarks = tmp_path / "remarks.parquet"  # a column that names no measure is no alias: ignored
    duckdb.connect().execute(
        "COPY (SELECT '一中队' AS unit, 0.93 AS execution_rate, 0.88 AS satisfaction_rate, '无' AS 备注) "
        "TO ? (FORMAT parquet)",
        [str(remarks)],
    )
    for _ in range(2 if cached else 1):
        assert score_file(MINI, remarks, tmp_path / "out.parquet", cache=cache).scored == 1


def test_ruleset_file_loads_only_when_needed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """``score_file`` given the ruleset's path: on a warm cache it scores without loading the
    ruleset, and loads it (once) only to score failing units in Python, with the same results as
    a loaded ruleset gives."""
    import kpirules.loader
    from kpirules.sql.cache import SqlCache
    from kpirules.sql.engine.duckdb import score_file

    good, mixed = tmp_path / "good.parquet", tmp_path / "mixed.parquet"
    _units_parquet(good, rows=7)
    _units_parquet(mixed, rows=12)  # u7 divides by zero, u9 lacks a value
    for units in (good, mixed):  # warm the cache with a loaded ruleset
        score_file(kpirules.load(BISHAN), units, tmp_path / f"warm-{units.name}", cache=SqlCache.default())
    real, loads = kpirules.loader.loads, []

    def counted(text: str, *, name: str | None = None) -> kpirules.Ruleset:
        loads.append(name)
        return real(text, name=name)

    monkeypatch.setattr(kpirules.loader, "loads", counted)
    report = score_file(BISHAN, good, tmp_path / "a.parquet", cache=SqlCache.default())
    assert loads == [] and report.scored == report.units == 7
    assert _rows(tmp_path / "a.parquet") == _rows(tmp_path / "warm-good.parquet")
    expected = score_file(kpirules.load(BISHAN), mixed, tmp_path / "expected.parquet", cache=SqlCache(None))
    loads.clear()
    report = score_file(BISHAN, mixed, tmp_path / "b.parquet", cache=SqlCache.default())
    assert loads == [BISHAN]  # loaded once, to score u7 and u9
    assert [(u, str(e)) for u, e in report.failed] == [(u, str(e)) for u, e in expected.failed]
    assert [u for u, _ in report.failed] == ["u7", "u9"]
    assert _rows(tmp_path / "b.parquet") == _rows(tmp_path / "expected.parquet")
    # with no cache the path is loaded as `kpirules.load` would
    loads.clear()
    report = score_file(BISHAN, good, tmp_path / "c.parquet", cache=SqlCache(None))
    assert loads == [BISHAN] and _rows(tmp_path / "c.parquet") == _rows(tmp_path / "a.parquet")


def test_bad_ruleset_file_fails_before_the_units(tmp_path: Path) -> None:
    """A ruleset file that does not load is reported first (exit 2), as `kpirules score` reports
    it for the Python path, even when the file of units is missing too."""
    bad = tmp_path / "bad.toml"
    bad.write_text(Path(BISHAN).read_text(encoding="utf-8").replace("[ruleset]", "[ruleset", 1), encoding="utf-8")
    args = ["score", str(bad), "--values", str(tmp_path / "missing.parquet"), "--engine", "duckdb"]
    result = CliRunner().invoke(main, [*args, "--output", str(tmp_path / "out.parquet")])
    assert result.exit_code == 2
    with pytest.raises(kpirules.RulesetError) as raised:
        kpirules.load(bad)
    assert str(raised.value) in result.output and "missing.parquet" not in result.output
    assert not (tmp_path / "out.parquet").exists()
    units = tmp_path / "units.csv"
    units.write_text("unit\nA1\n", "utf-8")
    args = ["score", str(tmp_path / "none.toml"), "--values", str(units), "--engine", "duckdb"]
    result = CliRunner().invoke(main, [*args, "-o", str(tmp_path / "x.parquet")])
    assert result.exit_code == 2 and "no such file" in result.output and "none.toml" in result.output


def test_changed_ruleset_misses_the_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from kpirules.sql.cache import SqlCache
    from kpirules.sql.engine.duckdb import score_file

    units = tmp_path / "units.parquet"
    _units_parquet(units, rows=20)
    text = Path(BISHAN).read_text(encoding="utf-8")
    ruleset = tmp_path / "rules.toml"
    ruleset.write_text(text, encoding="utf-8")
    counts = _count_builds(monkeypatch)
    before = score_file(kpirules.load(ruleset), units, tmp_path / "a.parquet", cache=SqlCache.default())
    assert counts["query"] == 1
    # a grade bound changes: the query must be compiled afresh, and grades the units differently
    changed = text.replace("90", "95", 1)
    assert changed != text
    ruleset.write_text(changed, encoding="utf-8")
    rs = kpirules.load(ruleset)
    after = score_file(rs, units, tmp_path / "b.parquet", cache=SqlCache.default())
    assert counts["query"] == 2 and after.sql != before.sql
    con = duckdb.connect()
    inputs = con.execute("SELECT * EXCLUDE (unit) FROM read_parquet(?)", [str(units)]).fetchall()
    names = [
        d[0] for d in con.execute("DESCRIBE SELECT * EXCLUDE (unit) FROM read_parquet(?)", [str(units)]).fetchall()
    ]
    graded = _rows(tmp_path / "b.parquet")
    for row, got in zip(inputs, graded, strict=True):
        try:
            expected = rs.evaluate(dict(zip(names, row, strict=True)))
        except kpirules.ValuesError:
            continue
        assert (got[-3], got[-2]) == (expected.total, expected.grade)
    # a comment only: still a different text, so a miss (the key is the text, not its meaning)
    ruleset.write_text(changed + "\n# a comment\n", encoding="utf-8")
    score_file(kpirules.load(ruleset), units, tmp_path / "c.parquet", cache=SqlCache.default())
    assert counts["query"] == 3


@pytest.mark.parametrize("problem", ["not a directory", "damaged entries", "disabled", "--no-cache"])
def test_unusable_cache_still_scores(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, _own_sql_cache: Path, problem: str
) -> None:
    units, out = tmp_path / "units.parquet", tmp_path / "scores.parquet"
    _units_parquet(units, rows=20)
    args = ["score", BISHAN, "--values", str(units), "--engine", "duckdb", "--output", str(out)]
    reference = CliRunner().invoke(main, [*args[:-1], str(tmp_path / "reference.parquet")])
    assert reference.exit_code == 1, reference.output
    if problem == "not a directory":
        blocker = tmp_path / "a-file"
        blocker.write_text("", encoding="utf-8")
        monkeypatch.setenv("KPIRULES_CACHE_DIR", str(blocker / "cache"))
    elif problem == "damaged entries":
        entries = list(_own_sql_cache.glob("*.json"))
        assert entries
        for k, entry in enumerate(entries):
            entry.write_text(["", "{", '{"key": "other", "value": {}}', "[1]"][k % 4], encoding="utf-8")
    elif problem == "disabled":
        monkeypatch.setenv("KPIRULES_NO_CACHE", "1")
        for entry in _own_sql_cache.glob("*.json"):
            entry.unlink()
    else:  # the warm entries stay: --no-cache must neither read nor write them
        args.append("--no-cache")
    before = {e.name: e.stat().st_mtime_ns for e in _own_sql_cache.glob("*.json")}
    counts = _count_builds(monkeypatch)
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 1, result.output
    assert "2 of 20 units could not be scored" in result.stderr
    assert counts["query"] == 1  # compiled: nothing usable was cached
    assert _rows(out) == _rows(tmp_path / "reference.parquet")
    if problem in ("disabled", "--no-cache"):  # nothing written either
        assert {e.name: e.stat().st_mtime_ns for e in _own_sql_cache.glob("*.json")} == before
        assert bool(before) == (problem == "--no-cache")


def test_cache_location(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from kpirules.sql import cache

    monkeypatch.delenv("KPIRULES_CACHE_DIR")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    if sys.platform not in ("win32", "darwin"):
        assert cache.cache_dir() == tmp_path / "kpirules" / "sql"
        monkeypatch.setenv("XDG_CACHE_HOME", "relative/path")  # not absolute: ignored, as the spec says
        assert cache.cache_dir() == Path.home() / ".cache" / "kpirules" / "sql"
    monkeypatch.setenv("KPIRULES_CACHE_DIR", str(tmp_path / "mine"))
    assert cache.cache_dir() == tmp_path / "mine"
    for value, on in (("1", False), ("yes", False), ("0", True), ("", True)):
        monkeypatch.setenv("KPIRULES_NO_CACHE", value)
        assert (cache.cache_dir() is not None) is on


def test_bounds_are_coarsened_to_powers_of_two() -> None:
    from kpirules.sql.engine.duckdb import _coarse

    assert _coarse(Decimal("4999999.99")) == Decimal(8388608)
    assert _coarse(Decimal(8388608)) == Decimal(8388608)
    assert _coarse(Decimal("8388608.01")) == Decimal(16777216)
    assert _coarse(Decimal("0.9999")) == _coarse(Decimal(1)) == Decimal(1)
    assert _coarse(Decimal(0)) == Decimal(0)
    assert _coarse(Decimal("NaN")) is None and _coarse(Decimal("Infinity")) is None


def test_parquet_statistics_give_the_scanned_bounds(tmp_path: Path) -> None:
    from kpirules.sql.engine import duckdb as engine
    from kpirules.sql.engine import statements

    units = tmp_path / "units.parquet"
    _units_parquet(units, rows=300)
    con = engine.connect()
    _, types = engine.open_units(con, units)
    exact = [c for c, kind in types.items() if engine.exact_numeric(kind) and c not in (engine.ROW, "file_row_number")]
    assert "budget_spent" in exact and "satisfaction_rate" not in exact  # a DOUBLE: its values are read
    from_statistics = engine.parquet_bounds(con, units, exact, statements.parquet_statistics())
    assert from_statistics == engine.column_bounds(con, engine.VIEW, exact)
    assert from_statistics is not None and from_statistics["budget_spent"] is not None


def test_understated_statistics_cannot_give_a_wrong_score(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Statistics that understate the values make the query's narrow integers overflow, and the
    file's values are then read instead: the same scores as with true bounds."""
    from kpirules.sql.cache import SqlCache
    from kpirules.sql.engine import duckdb as engine

    small, units = tmp_path / "small.parquet", tmp_path / "units.parquet"
    _units_parquet(small, rows=50)
    con = duckdb.connect()  # budgets of up to 10^16, beyond the bounds the statistics will claim
    widened = "budget_adjusted * 10000000000 AS DECIMAL(18, 2)) AS budget_adjusted, CAST(budget_spent"
    con.execute(
        f"COPY (SELECT * REPLACE (CAST({widened} * 10000000000 AS DECIMAL(18, 2)) AS budget_spent) "
        "FROM read_parquet(?)) TO '" + str(units).replace("'", "''") + "' (FORMAT parquet)",
        [str(small)],
    )
    rs = kpirules.load(BISHAN)
    right = engine.score_file(rs, units, tmp_path / "right.parquet", cache=SqlCache(None))
    calls: list[list[str]] = []

    def lying(con: object, path: Path, columns: list[str], statistics: str) -> dict[str, Decimal | None]:
        calls.append(columns)
        return dict.fromkeys(columns, Decimal(1))

    attempts: list[tuple[str, str]] = []
    real_write = engine.write

    def write(con: object, sql: str, *args: object) -> None:
        try:
            real_write(con, sql, *args)  # type: ignore[arg-type]
        except kpirules.KpiRulesError as err:
            attempts.append((sql, str(err)))
            raise
        attempts.append((sql, "ok"))

    monkeypatch.setattr(engine, "parquet_bounds", lying)
    monkeypatch.setattr(engine, "write", write)
    retried = engine.score_file(rs, units, tmp_path / "scores.parquet", cache=SqlCache(None))
    assert calls and len(attempts) >= 2
    assert attempts[0][0] != right.sql
    assert "overflow" in attempts[0][1].lower() or "out of range" in attempts[0][1].lower()
    assert attempts[1] == (right.sql, "ok") and retried.sql == right.sql  # then the values were read
    assert _rows(tmp_path / "scores.parquet") == _rows(tmp_path / "right.parquet")


def test_large_decimals_do_not_overflow(tmp_path: Path) -> None:
    """DuckDB keeps DECIMAL(18, s) × integer a DECIMAL(18, s) and raises an overflow error when the
    product does not fit: amounts near the type's limit are widened first, with or without bounds."""
    from kpirules.sql.cache import SqlCache
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
    report = score_file(rs, units, tmp_path / "scores.parquet", cache=SqlCache(None))
    assert not report.failed and report.by_python == 0
    assert [(r[-3], r[-2]) for r in _rows(tmp_path / "scores.parquet")] == [(e.total, e.grade) for e in expected]


def test_nan_in_a_double_column_is_reported_not_a_crash(tmp_path: Path) -> None:
    """DuckDB's max(abs(x)) of a DOUBLE column holding NaN is NaN: no bound, and the unit is
    reported by the Python evaluator (it used to end in a ValueError traceback)."""
    units, out = tmp_path / "units.parquet", tmp_path / "scores.parquet"
    _units_parquet(units, rows=5)
    con = duckdb.connect()
    con.execute(
        "COPY (SELECT * REPLACE (CASE WHEN unit = 'u2' THEN 'nan'::DOUBLE ELSE satisfaction_rate END "
        "AS satisfaction_rate) FROM read_parquet(?)) TO '"
        + str(out.with_name("nan.parquet")).replace("'", "''")
        + "' (FORMAT parquet)",
        [str(units)],
    )
    args = ["score", BISHAN, "--values", str(out.with_name("nan.parquet")), "--engine", "duckdb", "--output", str(out)]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 1, result.output
    assert "[u2] measure `satisfaction_rate`: nan is not a finite number" in result.stderr
    assert "scored 4 of 5 units" in result.stderr


# ---- CSV files of units as people write them, on both engines ------------------------------------
MINI = str(ROOT / "docs" / "examples" / "mini.toml")
MINI_HEADER = "unit,execution_rate,satisfaction_rate"


def _both_engines(tmp_path: Path, units: Path) -> tuple[list[dict[str, str | None]], list[dict[str, str | None]]]:
    """The rows the DuckDB engine writes for ``units`` and the rows the Python path writes (its
    `--format csv`), without the columns only one of them has (`row`) or words differently
    (`error`). A unit with no name is written with none by DuckDB (its `row` says which) and as
    `row N` by the Python path: both become None."""
    out = tmp_path / "scores.csv"
    sql = CliRunner().invoke(main, ["score", MINI, "--values", str(units), "--engine", "duckdb", "-o", str(out)])
    assert sql.exit_code in (0, 1) and "Traceback" not in sql.output, sql.output
    python = CliRunner().invoke(main, ["score", MINI, "--values", str(units), "--engine", "python", "--format", "csv"])
    assert python.exit_code == sql.exit_code, (python.output, sql.output)
    ours: list[dict[str, str | None]] = [
        {k: v for k, v in r.items() if k not in ("row", "error")} for r in csv.DictReader(out.open(encoding="utf-8"))
    ]
    theirs: list[dict[str, str | None]] = [
        {k: v for k, v in r.items() if k != "error"} for r in csv.DictReader(io.StringIO(python.stdout))
    ]
    for r in ours:
        r["unit"] = r["unit"] or None
    for r in theirs:
        r["unit"] = None if (r["unit"] or "").startswith("row ") else r["unit"]
    return ours, theirs


@pytest.mark.parametrize(
    "text",
    [
        f"{MINI_HEADER}\n1,0.93,0.88\n#2,0.9,0.5\n# note,0.8,0.4\n",  # DuckDB would guess '#' starts a comment
        f"{MINI_HEADER}\nA1,0.93,0.88,extra\nA2,0.8,0.4\n",  # a row of too many cells
        f"{MINI_HEADER}\nA1,0.93\nA2,0.8,0.4\n",  # a row of too few
        f"{MINI_HEADER}\nA1,0.93,0.88\n\n,,\n  ,\t,\nA2,0.8,0.4\n",  # blank rows are no units
        f"\n,,\n{MINI_HEADER}\nA1,0.93,0.88\n",  # blank lines before the header
        f'{MINI_HEADER}\n"two\nlines",0.9,0.5\nA2,0.8,0.4\n',  # a quoted line break
        f"{MINI_HEADER}\n 007 ,0.9,0.5\n   ,0.8,0.4\n",  # names are stripped; a blank one is no name
        f"{MINI_HEADER}\r\nA1,0.93,0.88\r\nA2,0.8,0.4\r\n",
        "unit\texecution_rate\tsatisfaction_rate\nA1\t0.93\t0.88\nA2\t0.8\t0.4\n",
        f'"",""\n{MINI_HEADER}\nA1,0.93,0.88\n',  # a row of quoted empty cells before the header
        f"rowid,{MINI_HEADER}\n7,A1,0.93,0.88\n3,A2,0.8,0.4\n",  # a column named rowid
        f"{MINI_HEADER}\r\nA1,0.9,0.8\rb,95%,0.5\r\n",  # a lone CR among CR LFs ends a line
        f"{MINI_HEADER}\n\x1fa\u2028,0.9,0.8\n",  # any blank str.strip removes
    ],
)
def test_duckdb_reads_a_csv_of_units_as_the_python_path_does(tmp_path: Path, text: str) -> None:
    units = tmp_path / "units.csv"
    units.write_text(text, encoding="utf-8", newline="")
    ours, theirs = _both_engines(tmp_path, units)
    assert ours == theirs and ours


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (f"{MINI_HEADER}\r\nA1,0.93,0.88\r\n".encode("utf-16-le"), "holds NUL characters"),  # UTF-16, no mark
        (b"\n , \n\n", "is empty: it needs a header row naming the measures"),
        (b"execution_rate,execution_rate,satisfaction_rate\n0.9,0.5,0.8\n", "appears twice in the header"),
    ],
)
def test_duckdb_refuses_a_csv_the_python_path_refuses(tmp_path: Path, data: bytes, message: str) -> None:
    units = tmp_path / "units.csv"
    units.write_bytes(data)
    out = tmp_path / "scores.parquet"
    result = CliRunner().invoke(main, ["score", MINI, "--values", str(units), "--engine", "duckdb", "-o", str(out)])
    assert result.exit_code == 2 and message in result.stderr and "Traceback" not in result.output
    python = CliRunner().invoke(main, ["score", MINI, "--values", str(units), "--format", "csv"])
    assert python.exit_code == 2
    assert sorted(p.name for p in tmp_path.iterdir()) == ["units.csv"]  # no copy left behind


def test_duckdb_output_that_cannot_be_written(tmp_path: Path) -> None:
    units = tmp_path / "units.csv"
    units.write_text(f"{MINI_HEADER}\nA1,0.93,0.88\n", "utf-8")
    parquet = tmp_path / "units.parquet"
    duckdb.connect().read_csv(str(units)).write_parquet(str(parquet))
    for source in (units, parquet):
        for output, reason in ((tmp_path / "no" / "s.csv", "No such file or directory"), (units / "s.parquet", "")):
            args = ["score", MINI, "--values", str(source), "--engine", "duckdb", "-o", str(output)]
            result = CliRunner().invoke(main, args)
            assert result.exit_code == 2 and f"cannot write {output}: {reason}" in result.stderr, result.output
            assert "Traceback" not in result.output


def test_ruleset_file_name_that_is_not_utf8(tmp_path: Path) -> None:
    """A file name in GBK bytes (from an archive made on Windows) is a key of the SQL cache too."""
    name = tmp_path / os.fsdecode(b"r\xb1\xed.toml")
    name.write_text(Path(MINI).read_text("utf-8"), "utf-8")
    units = tmp_path / "units.csv"
    units.write_text(f"{MINI_HEADER}\nA1,0.93,0.88\n", "utf-8")
    for _ in range(2):  # compiled, then from the cache
        out = tmp_path / "s.csv"
        result = CliRunner().invoke(
            main, ["score", str(name), "--values", str(units), "--engine", "duckdb", "-o", str(out)]
        )
        assert result.exit_code == 0, result.output
        assert next(csv.DictReader(out.open(encoding="utf-8")))["total"] == "98.11"


def test_output_suffix_decides_the_engine_and_format(tmp_path: Path) -> None:
    """`-o scores.parquet` is written by DuckDB even from a small CSV; `-o scores.csv` on the Python
    path is CSV, not a text table; the Python engine refuses a .parquet output."""
    units = tmp_path / "units.csv"
    units.write_text(f"{MINI_HEADER}\nA1,0.93,0.88\n", "utf-8")
    parquet, text = tmp_path / "s.parquet", tmp_path / "s.csv"
    result = CliRunner().invoke(main, ["score", MINI, "--values", str(units), "-o", str(parquet)])
    assert result.exit_code == 0 and "(DuckDB)" in result.stderr
    assert duckdb.connect().execute("SELECT total FROM read_parquet(?)", [str(parquet)]).fetchall() == [
        (Decimal("98.11"),)
    ]
    result = CliRunner().invoke(main, ["score", MINI, "--values", str(units), "-o", str(text)])
    assert result.exit_code == 0 and text.read_text("utf-8-sig").startswith(
        "unit,execution,satisfaction,total,grade,error"
    )
    refusals = [
        (["--engine", "python"], "the Python engine writes no Parquet; write a .csv file instead"),
        (["--explain"], "explanations and formats other than csv are not written to Parquet"),
        (["--format", "json"], "explanations and formats other than csv are not written to Parquet"),
    ]
    for extra, reason in refusals:
        result = CliRunner().invoke(main, ["score", MINI, "--values", str(units), *extra, "-o", str(parquet)])
        assert result.exit_code == 2 and f"cannot write {parquet}: {reason}" in result.stderr, result.output
    for extra in (["--format", "json"], ["--explain"]):  # the SQL path writes neither
        args = ["score", MINI, "--values", str(units), "--engine", "duckdb", *extra, "-o", str(text)]
        result = CliRunner().invoke(main, args)
        assert result.exit_code == 2 and "no --explain and no --format but csv" in result.stderr


def test_units_or_output_file_name_that_is_not_utf8(tmp_path: Path) -> None:
    """DuckDB opens files by UTF-8 names: other bytes are refused with advice, not a traceback."""
    units = tmp_path / "units.csv"
    units.write_text(f"{MINI_HEADER}\nA1,0.93,0.88\n", "utf-8")
    odd = tmp_path / os.fsdecode(b"u\xb1\xed.csv")
    odd.write_bytes(units.read_bytes())
    for values, output in ((odd, tmp_path / "s.csv"), (units, tmp_path / os.fsdecode(b"s\xb1\xed.csv"))):
        result = CliRunner().invoke(
            main, ["score", MINI, "--values", str(values), "--engine", "duckdb", "-o", str(output)]
        )
        assert result.exit_code == 2 and "its name is not UTF-8" in result.stderr and "Traceback" not in result.output
    result = CliRunner().invoke(main, ["score", MINI, "--values", str(odd), "--format", "csv"])
    assert result.exit_code == 0 and "98.11" in result.stdout  # the Python path reads it


def test_parquet_columns_sql_cannot_score(tmp_path: Path) -> None:
    """Lists are no numbers (the unit fails, as in Python); values too large for the query's
    128-bit arithmetic are scored by Python under auto, and refused with advice by --engine duckdb."""
    con = duckdb.connect()
    files = {
        "list": "SELECT 'A1' AS unit, [0.5] AS execution_rate, 0.5 AS satisfaction_rate",
        "text list": "SELECT 'A1' AS unit, ['0.5'] AS execution_rate, 0.5 AS satisfaction_rate",
        "scale 20": "SELECT 'A1' AS unit, 0.9::DECIMAL(38, 20) AS execution_rate, 0.88 AS satisfaction_rate",
    }
    for name, select in files.items():
        units = tmp_path / f"{name}.parquet"
        con.sql(select).write_parquet(str(units))
        out = tmp_path / f"{name}.csv"
        auto = CliRunner().invoke(main, ["score", MINI, "--values", str(units), "-o", str(out)])
        python = CliRunner().invoke(
            main, ["score", MINI, "--values", str(units), "--engine", "python", "--format", "csv"]
        )
        assert "Traceback" not in auto.output and auto.exit_code == python.exit_code, (auto.output, python.output)
        ours = [
            {k: v for k, v in r.items() if k not in ("row", "error")}
            for r in csv.DictReader(out.open(encoding="utf-8"))
        ]
        theirs = [{k: v for k, v in r.items() if k != "error"} for r in csv.DictReader(io.StringIO(python.stdout))]
        assert ours == theirs
    assert ours[0]["total"] == "96.61" and "(Python evaluator)" in auto.stderr
    explicit = CliRunner().invoke(
        main, ["score", MINI, "--values", str(tmp_path / "scale 20.parquet"), "--engine", "duckdb", "-o", str(out)]
    )
    assert explicit.exit_code == 2 and "too large for the SQL path's 128-bit arithmetic" in explicit.stderr
    assert "use --engine python" in explicit.stderr


@pytest.mark.parametrize(
    "text",
    [
        'execution_rate,satisfaction_rate\n"0.9"5,0.8\n',  # text after a closing quote
        'execution_rate,satisfaction_rate\n "0.5",0.8\n',  # a space before an opening quote
        'unit,execution_rate,satisfaction_rate\n12" team,0.5,0.8\n',  # a quote inside a cell
        "\nexecution_rate,satisfaction_rate\n0.9,0.8,x\n",  # DuckDB's dialect guessing gives up
    ],
)
def test_csv_duckdb_would_read_otherwise_goes_to_python(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, text: str
) -> None:
    """Quotes that neither open nor close a cell are text to the Python path and not to DuckDB;
    some files DuckDB cannot read at all. `--engine auto` scores such a file with Python (a
    note says why); `--engine duckdb` refuses it with advice."""
    from kpirules.cli import score

    monkeypatch.setattr(score, "_AUTO_CSV_BYTES", 0)  # auto picks DuckDB for any CSV
    units = tmp_path / "units.csv"
    units.write_text(text, "utf-8")
    out = tmp_path / "scores.csv"
    auto = CliRunner().invoke(main, ["score", MINI, "--values", str(units), "-o", str(out)])
    python = CliRunner().invoke(main, ["score", MINI, "--values", str(units), "--engine", "python", "--format", "csv"])
    assert auto.exit_code == python.exit_code and "scoring it with the Python evaluator" in auto.stderr
    assert out.read_text("utf-8-sig") == python.stdout  # the file has a byte-order mark, stdout none
    explicit = CliRunner().invoke(main, ["score", MINI, "--values", str(units), "--engine", "duckdb", "-o", str(out)])
    assert explicit.exit_code == 2 and "hint: use --engine python" in explicit.stderr
    assert "Traceback" not in auto.output + explicit.output


def test_sql_command_schema_from_a_gb18030_csv(tmp_path: Path) -> None:
    """`--schema-from` a CSV file: its columns, all text, read as the Python path reads the file;
    the UTF-8 copy DuckDB needs is removed."""
    units = tmp_path / "units.csv"
    units.write_bytes(f"{MINI_HEADER}\n一中队,0.93,88%\n".encode("gb18030"))
    result = CliRunner().invoke(main, ["sql", MINI, "--schema-from", str(units), "--table", "t"])
    assert result.exit_code == 0, result.output
    con = duckdb.connect()
    con.execute("CREATE TABLE t (unit VARCHAR, execution_rate VARCHAR, satisfaction_rate VARCHAR)")
    con.execute("INSERT INTO t VALUES ('一中队', '0.93', '88%')")
    expected = kpirules.load(MINI).evaluate({"execution_rate": "0.93", "satisfaction_rate": "88%"})
    assert con.execute(result.output).fetchall()[0][-3:] == (expected.total, expected.grade, None)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["units.csv"]


# ---- failing units: written back in bulk (issue 10) ----------------------------------------------


class _Counting:
    """A DuckDB connection or cursor that counts the statements it runs: one per ``execute`` and
    ``sql``, one per row of parameters given to ``executemany``. Everything else is passed on."""

    def __init__(self, inner: Any, counts: dict[str, int]) -> None:
        self._inner, self._counts = inner, counts

    def execute(self, query: str, parameters: Any = None) -> Any:
        self._counts["statements"] += 1
        return self._inner.execute(query, parameters) if parameters is not None else self._inner.execute(query)

    def executemany(self, query: str, parameters: Any) -> Any:
        self._counts["statements"] += len(parameters)
        return self._inner.executemany(query, parameters)

    def sql(self, query: str, **options: Any) -> Any:
        self._counts["statements"] += 1
        return self._inner.sql(query, **options)

    def cursor(self) -> _Counting:
        return _Counting(self._inner.cursor(), self._counts)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)


def _failing_parquet(path: Path, failing: int, rows: int = 300) -> None:
    """:func:`_units_parquet` with the first ``failing`` units lacking ``budget_spent`` (as u9 does)."""
    plain = path.with_name("plain.parquet")
    _units_parquet(plain, rows)
    con = duckdb.connect()
    con.register("plain", con.read_parquet(str(plain)))
    con.execute("CREATE TABLE u AS SELECT *, row_number() OVER () AS k FROM plain")
    con.execute("UPDATE u SET budget_spent = NULL WHERE k <= ?", [failing])
    con.sql("SELECT * EXCLUDE (k) FROM u ORDER BY k").write_parquet(str(path))


def test_failing_units_are_written_back_in_bulk(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The units the query could not score are scored in Python and put into the output by a fixed
    number of statements, however many there are: 240 failing units cost no more statements than 5
    (they were inserted one row at a time, which made 50,000 failing units take longer than the
    whole Python path). Each failed unit keeps its error, in row order, and the others their scores."""
    from kpirules.sql.engine import duckdb as engine
    from kpirules.sql.engine.duckdb import score_file

    counts = {"statements": 0}
    connect = engine.connect
    monkeypatch.setattr(engine, "connect", lambda *a, **k: _Counting(connect(*a, **k), counts))
    spent: dict[int, int] = {}
    rs = kpirules.load(BISHAN)
    for failing in (5, 240):
        units, out = tmp_path / f"units{failing}.parquet", tmp_path / f"scores{failing}.parquet"
        _failing_parquet(units, failing)
        counts["statements"] = 0
        report = score_file(BISHAN, units, out)
        spent[failing] = counts["statements"]
        # u7 divides by zero (and u9 lacks a value) unless already among the first units
        assert [unit for unit, _ in report.failed][:failing] == [f"u{i}" for i in range(failing)]
        assert len(report.failed) == failing + (failing < 8) + (failing < 10)
        con = duckdb.connect()
        written = con.execute("SELECT unit, row, total, error FROM read_parquet(?)", [str(out)]).fetchall()
        assert [r[1] for r in written] == list(range(1, 301))
        messages = {unit: "; ".join(p.message for p in err.problems) for unit, err in report.failed}
        assert {r[0]: r[3] for r in written if r[3] is not None} == messages
        assert all(r[2] is None for r in written if r[3] is not None)
        inputs = con.execute("SELECT * FROM read_parquet(?) LIMIT 20 OFFSET 250", [str(units)])
        names = [d[0] for d in inputs.description]
        for record in inputs.fetchall():
            expected = rs.evaluate(dict(zip(names[1:], record[1:], strict=True)))
            assert [r[2] for r in written if r[0] == record[0]] == [expected.total]
    assert spent[240] == spent[5], spent


def test_failed_units_scored_in_python_as_evaluate_scores_them(tmp_path: Path) -> None:
    """Units the query defers to Python (a value it does not read, ``"1,234.5"``) and units that
    fail there too, mixed in one file: scores, errors and their order as ``evaluate`` gives them."""
    bishan = {k: str(v).lower() if isinstance(v, bool) else str(v) for k, v in kpirules.load(BISHAN).values.items()}
    variants: list[dict[str, str]] = [
        {},
        {"budget_adjusted": "1,899,305.84"},  # read by Python only: scored there
        {"budget_spent": ""},  # missing: fails
        {"hotline_received": "0", "hotline_closed": "0"},  # division by zero: fails
        {"staff_rating": "很好"},  # not a level: fails
        {"satisfaction_rate": "1.5"},  # outside its range: fails
        {"budget_spent": "1,000,000", "complaints_answered": "20"},  # Python only: scored
    ]
    units = tmp_path / "units.csv"
    with units.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["unit", *bishan])
        for k in range(70):
            writer.writerow([f"n{k}", *{**bishan, **variants[k % len(variants)]}.values()])
    out = tmp_path / "scores.csv"
    sql = CliRunner().invoke(main, ["score", BISHAN, "--values", str(units), "--engine", "duckdb", "-o", str(out)])
    assert sql.exit_code == 1, sql.output
    rs = kpirules.load(BISHAN)
    expected_errors = []
    written = list(csv.DictReader(out.open(encoding="utf-8")))
    assert [r["unit"] for r in written] == [f"n{k}" for k in range(70)]
    for k, row in enumerate(written):
        try:
            result = rs.evaluate({**bishan, **variants[k % len(variants)]})
        except kpirules.ValuesError as err:
            expected_errors.append((f"n{k}", err))
            assert row["error"] == "; ".join(p.message for p in err.problems) and row["total"] == ""
            continue
        assert row["error"] == "" and row["total"] == f"{result.total}"
        assert [row[ind.id] for ind in rs.indicators] == [f"{s}" for s in result.scores]
    printed = [line for line in sql.stderr.splitlines() if line.startswith("[n")]
    assert printed == [
        f"[{unit}] {p.render_one().splitlines()[0]}" for unit, err in expected_errors for p in err.problems
    ]


_REFUSED_RATES = [
    ("A", "0.5"),
    ("B", "-0.2"),  # a negative rate with no declared range
    ("C", "-5%"),
    ("D", "86.5"),  # a bare number of 10 or more: 8,650 %
    ("E", "10"),
    ("F", "9.99"),  # below 10: scored
    ("G", "1500%"),  # written as a percentage: taken as it is
    ("H", "0"),
]


@pytest.mark.parametrize("kind", ["csv", "VARCHAR", "DECIMAL(10, 4)", "DOUBLE", "BIGINT"])
def test_rates_python_refuses_are_refused_by_duckdb(tmp_path: Path, kind: str) -> None:
    """A negative rate or amount with no declared range, and a rate given as a bare number of 10 or
    more, are refused by the Python path (kpirules.values); the DuckDB path leaves such units to
    Python instead of scoring them, so both write the same rows, errors included."""
    rows = [(unit, rate) for unit, rate in _REFUSED_RATES if kind in ("csv", "VARCHAR") or "%" not in rate]
    if kind == "BIGINT":
        rows = [(unit, rate) for unit, rate in rows if "." not in rate] + [("I", "12"), ("J", "-1")]
    if kind == "csv":
        units = tmp_path / "units.csv"
        units.write_text(MINI_HEADER + "\n" + "".join(f"{u},{r},0.9\n" for u, r in rows), encoding="utf-8")
    else:
        units = tmp_path / "units.parquet"
        con = duckdb.connect()
        con.execute(f"CREATE TABLE t (unit VARCHAR, execution_rate {kind}, satisfaction_rate DOUBLE)")
        con.executemany("INSERT INTO t VALUES (?, CAST(? AS VARCHAR), 0.9)", [list(r) for r in rows])
        con.sql("SELECT * FROM t").write_parquet(str(units))
    ours, theirs = _both_engines(tmp_path, units)
    assert ours == theirs and len(ours) == len(rows)
    written = {r["unit"]: r for r in csv.DictReader((tmp_path / "scores.csv").open(encoding="utf-8"))}
    refused = {u for u, r in rows if r.startswith("-") or (r.rstrip("%") == r and Decimal(r) >= 10)}
    assert {u for u, r in written.items() if r["error"]} == refused
    for unit in refused:
        assert ("is negative" if unit in "BCJ" else "as a rate is") in (written[unit]["error"] or "")


def test_negative_amounts_python_refuses_are_refused_by_duckdb(tmp_path: Path) -> None:
    units, out = tmp_path / "units.parquet", tmp_path / "scores.parquet"
    _units_parquet(units, 40)
    con = duckdb.connect()
    con.register("plain", con.read_parquet(str(units)))
    negative = "CASE WHEN unit IN ('u3', 'u5') THEN -budget_adjusted ELSE budget_adjusted END AS budget_adjusted"
    con.sql(f"SELECT * REPLACE ({negative}) FROM plain").write_parquet(str(tmp_path / "negative.parquet"))
    result = CliRunner().invoke(
        main, ["score", BISHAN, "--values", str(tmp_path / "negative.parquet"), "--engine", "duckdb", "-o", str(out)]
    )
    assert result.exit_code == 1
    rs = kpirules.load(BISHAN)
    inputs = con.execute("SELECT * FROM read_parquet(?)", [str(tmp_path / "negative.parquet")])
    names = [d[0] for d in inputs.description]
    errors = dict(con.execute("SELECT unit, error FROM read_parquet(?)", [str(out)]).fetchall())
    for record in inputs.fetchall():
        try:
            rs.evaluate(dict(zip(names[1:], record[1:], strict=True)))
            assert errors[record[0]] is None
        except kpirules.ValuesError as err:
            assert errors[record[0]] == "; ".join(p.message for p in err.problems)
    assert "is negative" in (errors["u3"] or "") and "is negative" in (errors["u5"] or "")
    assert "[u3] measure `budget_adjusted`:" in result.stderr


def _engines_with_errors(
    tmp_path: Path, units: Path, *extra: str
) -> tuple[list[dict[str, str | None]], list[dict[str, str | None]], str]:
    """Like :func:`_both_engines`, with the `error` column kept; and the DuckDB run's stderr."""
    out = tmp_path / "scores.csv"
    args = ["score", MINI, "--values", str(units), "-o", str(out), *(extra or ("--engine", "duckdb"))]
    sql = CliRunner().invoke(main, args)
    assert sql.exit_code in (0, 1) and "Traceback" not in sql.output, sql.output
    python = CliRunner().invoke(main, ["score", MINI, "--values", str(units), "--engine", "python", "--format", "csv"])
    assert python.exit_code == sql.exit_code, (python.output, sql.output)
    ours = [{k: v for k, v in r.items() if k != "row"} for r in csv.DictReader(out.open(encoding="utf-8"))]
    theirs = list(csv.DictReader(io.StringIO(python.stdout)))
    return ours, theirs, sql.stderr


_SLIPS: dict[str, list[str]] = {
    "every bare rate above 150 %": ["2.5", "3", "", "1.6"],
    "and some written with %": ["2.5", "95%", "3", "0.5%"],
    "one bare number only": ["2.5", "95%", "80%", ""],
    "a plain rate below": ["2.5", "3", "0.9", "4"],
    "a negative one": ["2.5", "3", "-0.5", "4"],
    "with 10 or more": ["2.5", "86.5", "3", "12"],
}


@pytest.mark.parametrize("kind", ["csv", "VARCHAR", "DECIMAL(10, 4)", "DOUBLE"])
@pytest.mark.parametrize("case", list(_SLIPS))
def test_rate_columns_typed_without_percent_are_refused_by_duckdb(tmp_path: Path, kind: str, case: str) -> None:
    """A rate column with no declared range whose every bare number is above 150 % (two or more):
    `kpirules score` refuses each such value below 10 as a percentage typed without % (the Python
    path, kpirules.valuefiles.percent_slips). The DuckDB path refuses the same units with the
    same words, whether the column is text (CSV) or numbers (Parquet)."""
    rates = _SLIPS[case]
    if kind not in ("csv", "VARCHAR"):
        rates = [r for r in rates if "%" not in r]
    satisfaction = ["0.9", "1.5", "0.8", "0.7"]  # 1.5 is outside its range: fails as well
    if kind == "csv":
        units = tmp_path / "units.csv"
        lines = [f"u{k},{r},{satisfaction[k % 4]}\n" for k, r in enumerate(rates)]
        units.write_text(MINI_HEADER + "\n" + "".join(lines), encoding="utf-8")
    else:
        units = tmp_path / "units.parquet"
        con = duckdb.connect()
        con.execute(f"CREATE TABLE t (unit VARCHAR, execution_rate {kind}, satisfaction_rate DOUBLE)")
        rows = [[f"u{k}", r or None, satisfaction[k % 4]] for k, r in enumerate(rates)]
        con.executemany("INSERT INTO t VALUES (?, CAST(? AS VARCHAR), CAST(? AS DOUBLE))", rows)
        con.sql("SELECT * FROM t").write_parquet(str(units))
    ours, theirs, stderr = _engines_with_errors(tmp_path, units)
    assert ours == theirs and len(ours) == len(rates)
    slipped = "every rate of this column is above 150 %" in stderr
    assert slipped == (case in ("every bare rate above 150 %", "and some written with %", "with 10 or more"))
    if slipped and "%" not in rates[1]:  # the slip first, then the unit's own problems (150 % satisfaction)
        assert (ours[1]["error"] or "").startswith("measure `execution_rate`: ")
        assert "satisfaction_rate" in (ours[1]["error"] or "")


def test_rate_columns_typed_without_percent_when_every_unit_is_scored_in_python(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The same when the SQL path refuses the ruleset and every unit is scored in Python."""
    import kpirules.sql.query as query_module
    from kpirules.sql.cache import SqlCache
    from kpirules.sql.engine.duckdb import score_file

    monkeypatch.setattr(query_module, "MAX_NODES", 5)
    units, out = tmp_path / "units.csv", tmp_path / "scores.csv"
    units.write_text(f"{MINI_HEADER}\nA,2.5,0.9\nB,3,0.8\nC,95%,0.5\n", encoding="utf-8")
    refused: list[Exception] = []
    report = score_file(MINI, units, out, fallback=refused.append, cache=SqlCache(None))
    assert refused and [unit for unit, _ in report.failed] == ["A", "B"]
    python = CliRunner().invoke(main, ["score", MINI, "--values", str(units), "--engine", "python", "--format", "csv"])
    ours = [{k: v for k, v in r.items() if k != "row"} for r in csv.DictReader(out.open(encoding="utf-8"))]
    assert ours == list(csv.DictReader(io.StringIO(python.stdout)))
    assert "every rate of this column is above 150 %" in (ours[0]["error"] or "")


def test_the_version_is_written_once() -> None:
    """kpirules/_version.py holds the version: the package, the SQL cache's key and the wheel's
    metadata (pyproject.toml reads it from there) take it from that module."""
    import tomllib

    import kpirules._version
    from kpirules.sql import cache

    assert kpirules.__version__ == kpirules._version.__version__ == cache.__version__
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert "version" not in project["project"] and project["project"]["dynamic"] == ["version"]
    assert project["tool"]["hatch"]["version"]["path"] == "src/kpirules/_version.py"


def test_the_blanks_stripped_in_sql_are_those_str_strip_removes() -> None:
    """The CSV view strips a unit's name of :data:`BLANKS`, written out as a literal: exactly the
    characters up to U+3000 that Python's ``str.strip`` removes (every other is above it)."""
    from kpirules.sql.engine.statements import BLANKS

    assert BLANKS == "".join(ch for ch in map(chr, range(0x3001)) if ch.isspace())
    assert not any(chr(c).isspace() for c in range(0x3001, 0x110000))


def test_the_connection_opened_while_the_ruleset_loads(monkeypatch: pytest.MonkeyPatch) -> None:
    """``score_file`` opens its DuckDB connection on a worker thread while the ruleset loads: the
    ruleset's error still comes first, and the connection opened beside it is closed; an error in
    connecting is raised once the load is done."""
    from kpirules.sql.engine import duckdb as engine

    closed: list[str] = []

    class Fake:
        def close(self) -> None:
            closed.append("closed")

    def bad_ruleset() -> None:
        raise kpirules.RulesetError("no such ruleset")

    monkeypatch.setattr(engine, "connect", lambda threads=None, progress=False: Fake())
    with pytest.raises(kpirules.RulesetError, match="no such ruleset"):
        engine._connect_while(bad_ruleset, None, False)
    assert closed == ["closed"]
    loaded: list[str] = []
    assert isinstance(engine._connect_while(lambda: loaded.append("loaded"), None, False), Fake)
    assert loaded == ["loaded"] and closed == ["closed"]

    def refused(threads: int | None = None, progress: bool = False) -> object:
        raise engine.SqlEngineError("cannot connect")

    monkeypatch.setattr(engine, "connect", refused)
    with pytest.raises(engine.SqlEngineError, match="cannot connect"):
        engine._connect_while(lambda: loaded.append("again"), None, False)
    assert loaded == ["loaded", "again"]
