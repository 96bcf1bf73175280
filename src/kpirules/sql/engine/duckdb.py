"""Scoring a file of units on DuckDB embedded: Parquet or CSV in, Parquet or CSV out.

One pass runs the compiled query from the input file straight into the output file. Units the
query did not score (its ``error`` column is set) are then scored by the Python evaluator, which
gives the exact error messages, and scores the units whose values SQL does not convert itself
(``input: …``, e.g. ``"1,234.5"``); the output file is rewritten with their rows only when there
are any. The output is written to a temporary file beside the target and renamed, so readers
see the old file or the new one.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlglot import exp

from ...errors import KpiRulesError
from ...result import Result
from ...ruleset import Ruleset
from ..compile import InputColumn, QueryCompiler, alias, col, ident, make_select, output_types
from ..errors import SqlEngineError, SqlUnsupported, require

UNIT = "unit"
ROW = "_kpi_row"


@dataclass
class BatchReport:
    """What a run did: units read, units scored, and the units that failed with their problems."""

    units: int = 0
    scored: int = 0
    by_python: int = 0
    failed: list[tuple[str, KpiRulesError]] = field(default_factory=list)
    sql: str = ""


def connect(threads: int | None = None, progress: bool = False) -> Any:
    require("duckdb")
    import duckdb

    con = duckdb.connect()
    if threads:
        con.execute(f"SET threads = {int(threads)}")
    if progress:
        con.execute("SET enable_progress_bar = true")
        con.execute("SET enable_progress_bar_print = true")
    return con


def open_units(con: Any, path: Path) -> tuple[str, dict[str, str]]:
    """Register ``path`` as the view ``kpi_units`` (with a 1-based row number); its column types."""
    suffix = path.suffix.lower()
    if not path.exists():
        raise SqlEngineError(f"no such file: {path}")
    try:
        if suffix == ".parquet":
            rel = con.read_parquet(str(path), file_row_number=True)
            con.register("kpi_raw", rel)
            row: exp.Expression = exp.Add(this=col("file_row_number"), expression=exp.Literal.number(1))
        elif suffix == ".csv":
            rel = con.read_csv(str(path), header=True, all_varchar=True)
            con.register("kpi_raw", rel)
            row = exp.Window(this=exp.RowNumber())
        else:
            raise SqlEngineError(f"cannot read units from {path.name} with DuckDB: use a .parquet or .csv file")
    except KpiRulesError:
        raise
    except Exception as err:  # duckdb raises its own exception types
        raise SqlEngineError(f"cannot read {path}: {err}") from None
    view = make_select([exp.Star(), alias(row, ROW)], "kpi_raw")
    con.execute(exp.Create(this=exp.Table(this=ident("kpi_units")), kind="VIEW", expression=view).sql("duckdb"))
    described = con.execute("DESCRIBE kpi_units").fetchall()
    return "kpi_units", {name: str(kind) for name, kind, *_ in described}


def column_bounds(con: Any, view: str, columns: list[str]) -> dict[str, Decimal]:
    """The largest magnitude in each of the given numeric columns of ``view`` (one scan; a
    Parquet file answers from its statistics where it has them)."""
    if not columns:
        return {}
    q = make_select([alias(exp.Max(this=exp.Abs(this=col(c))), f"b{k}") for k, c in enumerate(columns)], view)
    (row,) = con.execute(q.sql("duckdb")).fetchall()
    return {
        c: Decimal(repr(v)) if isinstance(v, float) else Decimal(v)
        for c, v in zip(columns, row, strict=True)
        if v is not None
    }


def build_query(rs: Ruleset, types: dict[str, str], con: Any | None = None) -> str:
    """The query over ``kpi_units``; with ``con``, the numeric columns' largest magnitudes are read
    first, so that the query can use 64-bit integers where they provably suffice."""
    columns: dict[str, InputColumn] = {}
    by_stripped = {name.strip(): name for name in types}
    wanted: dict[str, str] = {}
    for measure in rs.measures.values():
        if measure.derived:
            continue
        found = by_stripped.get(measure.name)
        if found is not None:
            wanted[measure.name] = found
    numeric = [c for c in wanted.values() if _numeric(types[c])]
    bounds = column_bounds(con, "kpi_units", numeric) if con is not None else {}
    for name, found in wanted.items():
        columns[name] = InputColumn(found, types[found], bounds.get(found))
    unit = by_stripped.get(UNIT)
    compiler = QueryCompiler(rs, source="kpi_units", columns=columns, unit_column=unit, row_column=ROW)
    return compiler.build().sql(dialect="duckdb")


def score_file(
    rs: Ruleset,
    values: str | Path,
    output: str | Path,
    *,
    threads: int | None = None,
    progress: bool = False,
    on_python: Callable[[int], None] | None = None,
    fallback: Callable[[SqlUnsupported], None] | None = None,
) -> BatchReport:
    """Score every unit of ``values`` (.parquet or .csv) into ``output`` (.parquet or .csv).

    A ruleset the SQL path refuses raises :class:`SqlUnsupported`; with ``fallback``, that is
    called with the error instead and every unit is scored by the Python evaluator, into a file
    with the same columns."""
    source, target = Path(values), Path(output)
    fmt = target.suffix.lower()
    if fmt not in (".parquet", ".csv"):
        raise SqlEngineError(f"cannot write {target.name} with DuckDB: use a .parquet or .csv file")
    con = connect(threads, progress)
    _, types = open_units(con, source)
    try:
        report = BatchReport(sql=build_query(rs, types, con))
    except SqlUnsupported as err:
        if fallback is None:
            con.close()
            raise
        fallback(err)
        report = BatchReport()
    directory = target.parent if str(target.parent) else Path(".")
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=directory)
    os.close(fd)
    try:
        if not report.sql:
            _score_by_python(con, rs, types, tmp, fmt, report)
            report.scored = report.units - len(report.failed)
            os.chmod(tmp, _mode_for(target))
            os.replace(tmp, target)
            return report
        _write(con, report.sql, tmp, fmt)
        reader = "read_parquet" if fmt == ".parquet" else "read_csv"
        output_rows = _file(reader)
        failing_q = make_select([col("row"), col("error")], output_rows)
        failing_q.set("where", exp.Where(this=exp.Not(this=exp.Is(this=col("error"), expression=exp.Null()))))
        failing = con.execute(failing_q.order_by(col("row"), copy=False).sql("duckdb"), [tmp]).fetchall()
        count_q = make_select([exp.Count(this=exp.Star())], _file(reader))
        report.units = con.execute(count_q.sql("duckdb"), [tmp]).fetchone()[0]
        if failing:
            if on_python is not None:
                on_python(len(failing))
            _rescore(con, rs, types, tmp, fmt, [r[0] for r in failing], report)
        report.scored = report.units - len(report.failed)
        mode = _mode_for(target)
        os.chmod(tmp, mode)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    finally:
        con.close()
    return report


def _write(con: Any, sql: str, path: str, fmt: str) -> None:
    try:
        rel = con.sql(sql)
        if fmt == ".parquet":
            rel.write_parquet(path)
        else:
            rel.write_csv(path)
    except Exception as err:
        raise SqlEngineError(f"DuckDB could not score the units: {err}") from None


def _python_fixes(con: Any, rs: Ruleset, types: dict[str, str], rows: list[int] | None, report: BatchReport) -> None:
    """Score the given rows of ``kpi_units`` (all rows when ``rows`` is None) with the Python
    evaluator into the table ``kpi_fixes`` (row, scores, total, grade, error)."""
    names = [n for n in types if n != ROW]
    measure_names = {m.name for m in rs.measures.values() if not m.derived}
    wanted = make_select([col(ROW), *(col(n) for n in names)], "kpi_units")
    params: list[Any] = []
    if rows is not None:
        listed = exp.Cast(this=exp.Placeholder(), to=exp.DataType.build("BIGINT[]", dialect="duckdb"))
        in_rows = exp.EQ(
            this=exp.Anonymous(this="list_contains", expressions=[listed.copy(), col(ROW)]), expression=exp.true()
        )
        wanted.set("where", exp.Where(this=in_rows))
        params = [rows]
    columns = ["row", *(ind.id for ind in rs.indicators), "total", "grade", "error"]
    con.execute(
        exp.Create(
            this=exp.Schema(
                this=exp.Table(this=ident("kpi_fixes")),
                expressions=[
                    exp.ColumnDef(this=ident(c), kind=exp.DataType.build(t))
                    for c, t in zip(
                        columns,
                        ["BIGINT", *(["DECIMAL(38, 10)"] * (len(rs.indicators) + 1)), "VARCHAR", "VARCHAR"],
                        strict=True,
                    )
                ],
            ),
            kind="TABLE",
        ).sql("duckdb")
    )
    insert = exp.Insert(
        this=exp.Table(this=ident("kpi_fixes")),
        expression=exp.Values(expressions=[exp.Tuple(expressions=[exp.Placeholder() for _ in columns])]),
    ).sql("duckdb")
    writer = con.cursor()  # kpi_fixes is a table, seen by every cursor; kpi_units only by this one
    con.execute(wanted.sql("duckdb"), params)
    while True:
        fetched = con.fetchmany(10_000)
        if not fetched:
            break
        fixes: list[tuple[Any, ...]] = []
        for record in fetched:
            row_no, raw = record[0], dict(zip(names, record[1:], strict=True))
            unit = raw.get(UNIT)
            unit_name = str(unit) if unit not in (None, "") else f"row {row_no}"
            values = {k.strip(): v for k, v in raw.items() if k.strip() in measure_names}
            try:
                result: Result | None = rs.evaluate(values, unit=unit_name)
            except KpiRulesError as err:
                err.unit = unit_name  # type: ignore[attr-defined]
                report.failed.append((unit_name, err))
                message = "; ".join(p.message for p in err.problems)
                fixes.append((row_no, *([None] * (len(rs.indicators) + 2)), message))
                continue
            assert result is not None
            report.by_python += 1
            fixes.append((row_no, *result.scores, result.total, result.grade, None))
        writer.executemany(insert, [tuple(str(v) if isinstance(v, Decimal) else v for v in fix) for fix in fixes])
    writer.close()


def _score_by_python(con: Any, rs: Ruleset, types: dict[str, str], tmp: str, fmt: str, report: BatchReport) -> None:
    """Every unit scored by the Python evaluator, written with the columns the query would give."""
    _python_fixes(con, rs, types, None, report)
    out: list[exp.Expression] = []
    if UNIT in types:
        out.append(alias(col(UNIT, "u"), "unit"))
    out.append(alias(col(ROW, "u"), "row"))
    decimal_types = output_types(rs)
    for name, kind in zip([*(ind.id for ind in rs.indicators), "total"], decimal_types, strict=True):
        out.append(alias(exp.Cast(this=col(name, "f"), to=exp.DataType.build(kind, dialect="duckdb")), name))
    out += [alias(col("grade", "f"), "grade"), alias(col("error", "f"), "error")]
    joined = exp.Select(
        expressions=out,
        from_=exp.From(this=exp.Table(this=ident("kpi_units"), alias=exp.TableAlias(this=ident("u")))),
        joins=[
            exp.Join(
                this=exp.Table(this=ident("kpi_fixes"), alias=exp.TableAlias(this=ident("f"))),
                on=exp.EQ(this=col(ROW, "u"), expression=col("row", "f")),
            )
        ],
    ).order_by(col(ROW, "u"), copy=False)
    _write(con, joined.sql("duckdb"), tmp, fmt)
    report.units = report.by_python + len(report.failed)


def _rescore(
    con: Any, rs: Ruleset, types: dict[str, str], tmp: str, fmt: str, rows: list[int], report: BatchReport
) -> None:
    """Score the given rows with the Python evaluator and rewrite them in the output file."""
    _python_fixes(con, rs, types, rows, report)
    columns = ["row", *(ind.id for ind in rs.indicators), "total", "grade", "error"]
    reader = "read_parquet" if fmt == ".parquet" else "read_csv"
    described = con.execute(exp.Describe(this=make_select([exp.Star()], _file(reader))).sql("duckdb"), [tmp]).fetchall()
    out_cols = [d[0] for d in described]
    fixed = exp.Not(this=exp.Is(this=col("row", "f"), expression=exp.Null()))
    # per column: the fix where there is one, cast to the output's type
    out_types = {d[0]: d[1] for d in described}
    select_parts = []
    for name in out_cols:
        if name in columns and name != "row":
            cast = exp.Cast(this=col(name, "f"), to=exp.DataType.build(out_types[name], dialect="duckdb"))
            select_parts.append(
                alias(exp.Case(ifs=[exp.If(this=fixed.copy(), true=cast)], default=col(name, "o")), name)
            )
        else:
            select_parts.append(alias(col(name, "o"), name))
    rewritten = tmp + ".fixed"
    source = exp.Anonymous(this=reader, expressions=[exp.Literal.string(tmp)])
    joined = exp.Select(
        expressions=select_parts,
        from_=exp.From(this=exp.Table(this=source, alias=exp.TableAlias(this=ident("o")))),
        joins=[
            exp.Join(
                this=exp.Table(this=ident("kpi_fixes"), alias=exp.TableAlias(this=ident("f"))),
                side="LEFT",
                on=exp.EQ(this=col("row", "o"), expression=col("row", "f")),
            )
        ],
    ).order_by(col("row", "o"), copy=False)
    _write(con, joined.sql("duckdb"), rewritten, fmt)
    os.replace(rewritten, tmp)


def _numeric(kind: str) -> bool:
    text = kind.strip().upper()
    return text.startswith(("DECIMAL", "NUMERIC")) or text in (
        "TINYINT",
        "SMALLINT",
        "INTEGER",
        "BIGINT",
        "HUGEINT",
        "UTINYINT",
        "USMALLINT",
        "UINTEGER",
        "UBIGINT",
        "DOUBLE",
        "FLOAT",
    )


def _file(reader: str) -> exp.Expression:
    """``read_parquet(?)`` / ``read_csv(?)``: the file name is a bound parameter."""
    return exp.Table(this=exp.Anonymous(this=reader, expressions=[exp.Placeholder()]))


def _mode_for(target: Path) -> int:
    try:
        return target.stat().st_mode & 0o7777
    except FileNotFoundError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask
