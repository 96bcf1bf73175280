"""Scoring a file of units on DuckDB embedded: Parquet or CSV in, Parquet or CSV out.

One pass runs the compiled query from the input file straight into the output file. Units the
query did not score (its ``error`` column is set) are then scored by the Python evaluator, which
gives the exact error messages, and scores the units whose values SQL does not convert itself
(``input: …``, e.g. ``"1,234.5"``); the output file is rewritten with their rows only when there
are any, all at once (:func:`_python_fixes`: never a statement per unit). The output is written
to a temporary file beside the target and renamed, so readers see the old file or the new one.
A CSV file is read as the Python path reads it: DuckDB reads UTF-8 itself, and a file in GB18030
or UTF-16 is first copied in UTF-8 (:func:`kpirules.sql.engine.csvtext.utf8_text`).

Every statement is built by sqlglot (:mod:`kpirules.sql.engine.statements`) and its text kept in
the SQL cache (:mod:`kpirules.sql.cache`): a run whose statements are all cached does not import
sqlglot. File names are passed to DuckDB as parameters or through its Python API, never as text.
"""

from __future__ import annotations

import contextlib
import gc
import json
import os
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import ROUND_CEILING, Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ...errors import KpiRulesError, ValuesError
from ...messages import Catalog
from ..cache import SqlCache, ruleset_key, source_key
from ..errors import SqlEngineError, SqlUnreadableCsv, SqlUnsupported, require
from .csvtext import csv_options, utf8_text, writing

M = Catalog(
    "sql.engine.duckdb",
    {
        "no_file": ("找不到文件：{path}", "no such file: {path}"),
        "input_suffix": (
            "DuckDB 无法从 {name} 读取单位数据：请使用 .parquet 或 .csv 文件",
            "cannot read units from {name} with DuckDB: use a .parquet or .csv file",
        ),
        "output_suffix": (
            "DuckDB 无法写入 {name}：请使用 .parquet 或 .csv 文件",
            "cannot write {name} with DuckDB: use a .parquet or .csv file",
        ),
        "cannot_read": ("无法读取 {path}：{error}", "cannot read {path}: {error}"),
        "not_as_python": (
            "DuckDB 无法像 Python 引擎那样读取 {path}（{error}）",
            "DuckDB cannot read {path} as the Python path does ({error})",
        ),
        "use_python": ("请使用 --engine python", "use --engine python"),
        "row_column": (
            "{path} 中有名为 {row} 的列，这个名称是引擎自用的",
            "{path} has a column named {row}, a name the engine keeps for itself",
        ),
        "rename_column": ("请给这一列改名", "rename it"),
        "not_utf8": (
            "DuckDB 无法打开 {path}：文件名不是 UTF-8 编码",
            "DuckDB cannot open {path}: its name is not UTF-8",
        ),
        "rename_input": ("请给文件改名，或使用 --engine python", "rename the file, or use --engine python"),
        "rename_output": ("请给输出文件改名", "rename it"),
        "too_large": (
            "数值太大，超出了 SQL 评分所用的 128 位整数运算的范围（{error}）",
            "the values are too large for the SQL path's 128-bit arithmetic ({error})",
        ),
        "too_large_hint": (
            "请使用 --engine python，它能计算任意大小的数",
            "use --engine python, which computes with numbers of any size",
        ),
        "could_not_read": ("DuckDB 未能读取单位数据：{error}", "DuckDB could not read the units: {error}"),
        "could_not_score": ("DuckDB 未能为各单位评分：{error}", "DuckDB could not score the units: {error}"),
    },
)

UNIT = "unit"
ROW = "_kpi_row"
VIEW = "kpi_units"

if TYPE_CHECKING:  # loading a ruleset is deferred (see Statements)
    from ...model import Measure
    from ...result import Result
    from ...ruleset import Ruleset
    from ...values import Bound


@dataclass
class BatchReport:
    """What a run did: units read, units scored, and the units that failed with their problems."""

    units: int = 0
    scored: int = 0
    by_python: int = 0
    failed: list[tuple[str, KpiRulesError]] = field(default_factory=list)
    sql: str = ""
    #: Units with values given as bounds ("≥90%", scored by Python at the bound), and the measures
    bounds: list[tuple[str, dict[str, Bound]]] = field(default_factory=list)
    measures: dict[str, Measure] = field(default_factory=dict)
    #: The rows the table does not show, whose scores are unknown: no unit has a total.
    unknown: list[str] = field(default_factory=list)


class Statements:
    """The texts of the statements a run needs: from the cache, or built by sqlglot and stored.

    ``get(kind, parts, build)`` returns the entry of ``kind`` for ``parts`` (JSON-able: the inputs
    the statements depend on); ``build`` makes it on a miss and is the only place that imports
    sqlglot. Entries that depend on the ruleset are keyed by its file name and text as well, and
    are not cached for a ruleset that has no source text.

    The ruleset is a loaded :class:`Ruleset`, or the path of its file: then only the file's text
    is read here, and the ruleset is loaded (parsed, checked, compiled) when a statement is not
    in the cache or units are scored in Python (:attr:`rs`). A run whose statements are all
    cached thus never parses the ruleset: its text, and the kpirules files that would load it,
    are part of every key, and an entry exists only once that text has loaded."""

    def __init__(self, rs: Ruleset | str | os.PathLike[str], cache: SqlCache | None = None) -> None:
        self.cache = cache if cache is not None else SqlCache(None)
        self._loaded: Ruleset | None
        self._source: tuple[str, str] | None  # a ruleset file's name and text, until it is loaded
        if isinstance(rs, (str, os.PathLike)):
            from ...errors import RulesetError
            from ...source import read_text

            name = os.fspath(rs)
            self._loaded, self._source = None, (name, read_text(name, RulesetError))
            self.ruleset: str | None = source_key(name, self._source[1])
        else:
            self._loaded, self._source = rs, None
            self.ruleset = ruleset_key(rs)

    @property
    def rs(self) -> Ruleset:
        """The ruleset, loaded from its text on first use (a :class:`KpiRulesError` if it does not load)."""
        if self._loaded is None:
            from ...loader import loads

            assert self._source is not None
            name, text = self._source
            self._loaded = loads(text, name=name)
        return self._loaded

    def inputs(self) -> list[str]:
        """The names of the ruleset's input measures (the columns a file of units gives)."""

        def build() -> dict[str, str]:
            from ...model import input_names  # a cache miss: the ruleset is loaded anyway

            names = input_names(self.rs.measures)
            return {"names": json.dumps(names, ensure_ascii=False)}

        names: list[str] = json.loads(self.get("inputs", [], build)["names"])
        return names

    def hidden(self) -> list[str]:
        """The ids of the rows the table does not show (``visible = false``): no unit has a total."""

        def build() -> dict[str, str]:
            return {"ids": json.dumps([row.id for row in self.rs.hidden], ensure_ascii=False)}

        return list(json.loads(self.get("hidden", [], build)["ids"]))

    def get(
        self, kind: str, parts: list[Any], build: Callable[[], dict[str, str]], *, per_ruleset: bool = True
    ) -> dict[str, str]:
        if per_ruleset:
            if self.ruleset is None:
                return build()
            parts = [self.ruleset, *parts]
        stored = self.cache.get(kind, parts)
        if stored is not None and all(isinstance(v, str) for v in stored.values()):
            return stored
        value = build()
        self.cache.put(kind, parts, value)
        return value


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


def _prelude(statements: Statements, fmt: str) -> dict[str, str]:
    """The statements over the output file (``fmt``) and the Parquet statistics of the input."""

    def build() -> dict[str, str]:
        from . import statements as s

        return {
            "failing": s.failing(fmt),
            "count": s.count(fmt),
            "describe": s.describe_file(fmt),
            "statistics": s.parquet_statistics(),
        }

    return statements.get("prelude", [fmt], build, per_ruleset=False)


def _input_suffix(path: Path) -> str:
    """The suffix of a file of units DuckDB can read (``.parquet`` or ``.csv``); else an error."""
    suffix = path.suffix.lower()
    if not path.exists():
        raise SqlEngineError(M("no_file", path=path))
    if suffix not in (".parquet", ".csv"):
        raise SqlEngineError(M("input_suffix", name=path.name))
    _utf8_name(path, M("rename_input"))
    return suffix


def file_columns(con: Any, path: Path, directory: Path | None = None) -> dict[str, str]:
    """The names and DuckDB types of the columns of a Parquet or CSV file, without reading its rows
    into a table (a CSV file is still read through once, see :func:`utf8_text`)."""
    try:
        if _input_suffix(path) == ".parquet":
            rel = con.read_parquet(str(path))
        else:
            with utf8_text(path, directory) as source:
                rel = con.read_csv(str(source), **csv_options(source, path))
        return {name: str(kind) for name, kind in zip(rel.columns, rel.types, strict=True)}
    except KpiRulesError:
        raise
    except Exception as err:  # duckdb raises its own exception types
        raise SqlEngineError(M("cannot_read", path=path, error=err)) from None


def open_units(
    con: Any, path: Path, statements: Statements | None = None, *, directory: Path | None = None
) -> tuple[str, dict[str, str]]:
    """Register ``path`` as the view ``kpi_units`` (with a 1-based row number); its column types.
    A CSV file is read into a table first (:func:`~kpirules.sql.engine.statements.csv_view`
    says why), as the Python path reads it (:func:`csv_options`); a copy in UTF-8 that it may
    need (:func:`utf8_text`) is made in ``directory`` and removed once the table is read."""
    suffix = _input_suffix(path)
    try:
        if suffix == ".parquet":
            con.register("kpi_raw", con.read_parquet(str(path), file_row_number=True))
        else:
            with utf8_text(path, directory) as source:
                options = csv_options(source, path)
                try:
                    con.read_csv(str(source), **options).to_table("kpi_raw")
                except Exception:  # e.g. padded rows with quoted line breaks: DuckDB reads them in one thread
                    try:
                        con.read_csv(str(source), **options, parallel=False).to_table("kpi_raw")
                    except Exception as err:  # its dialect guessing gave up (a blank line, then a long row …)
                        first = str(err).strip().splitlines()[0] if str(err).strip() else type(err).__name__
                        raise SqlUnreadableCsv(
                            M("not_as_python", path=path, error=first), hint=M("use_python")
                        ) from None
        columns = [str(row[0]) for row in con.execute("DESCRIBE kpi_raw").fetchall()]
    except KpiRulesError:
        raise
    except Exception as err:  # duckdb raises its own exception types
        raise SqlEngineError(M("cannot_read", path=path, error=err)) from None
    if ROW in columns:
        raise SqlEngineError(M("row_column", path=path, row=ROW), hint=M("rename_column"))
    by_rowid = not any(c.lower() == "rowid" for c in columns)  # a column named rowid hides the row ids

    def build() -> dict[str, str]:
        from . import statements as s

        return {"sql": s.view() if suffix == ".parquet" else s.csv_view(columns, by_rowid=by_rowid)}

    key = [suffix, columns, by_rowid] if suffix == ".csv" else [suffix]
    view = statements.get("view", key, build, per_ruleset=False)["sql"] if statements else build()["sql"]
    try:
        con.execute(view)
        described = con.execute("DESCRIBE kpi_units").fetchall()
    except Exception as err:  # duckdb raises its own exception types
        raise SqlEngineError(M("cannot_read", path=path, error=err)) from None
    return VIEW, {name: str(kind) for name, kind, *_ in described}


def _coarse(value: Decimal) -> Decimal | None:
    """A bound on magnitudes up to ``value``: the next power of two (1 up to 1), so that files of
    similar magnitudes share one query; None when ``value`` is not finite (a NaN or an infinity)."""
    if not value.is_finite():
        return None
    if value <= 0:
        return Decimal(0)
    if value <= 1:
        return Decimal(1)
    whole = int(value.to_integral_value(rounding=ROUND_CEILING))
    return Decimal(1 << (whole - 1).bit_length())


def column_bounds(
    con: Any, view: str, columns: list[str], statements: Statements | None = None
) -> dict[str, Decimal | None]:
    """A bound on the magnitude of each of the given numeric columns of ``kpi_units``: the
    column's largest magnitude rounded up to a power of two (one scan)."""
    if not columns:
        return {}
    assert view == VIEW

    def build() -> dict[str, str]:
        from . import statements as s

        return {"sql": s.bounds(columns)}

    text = statements.get("bounds", [columns], build, per_ruleset=False)["sql"] if statements else build()["sql"]
    (row,) = con.execute(text).fetchall()
    return {
        c: _coarse(Decimal(repr(v)) if isinstance(v, float) else Decimal(v))
        for c, v in zip(columns, row, strict=True)
        if v is not None
    }


def parquet_bounds(con: Any, path: Path, columns: list[str], statistics: str) -> dict[str, Decimal | None] | None:
    """The bounds of :func:`column_bounds` for decimal and integer columns of a Parquet file, read
    from the statistics of its row groups instead of its values; None when some column chunk has
    none (or they cannot be read). Statistics that understate a value cannot give a wrong score:
    the query's integer casts and arithmetic would raise an overflow error, and
    :func:`score_file` then reads the values instead."""
    wanted = set(columns)
    largest: dict[str, Decimal] = {}
    groups: dict[str, set[int]] = {c: set() for c in columns}
    all_groups: set[int] = set()
    try:
        rows = con.execute(statistics, [str(path)]).fetchall()
    except Exception:  # duckdb raises its own exception types
        return None
    for group, name, low, high, nulls, count in rows:
        all_groups.add(group)
        if name not in wanted or group in groups[name]:
            continue
        groups[name].add(group)
        if low is None or high is None:
            if nulls is not None and nulls == count:
                continue  # only NULLs in this row group
            return None
        try:
            magnitude = max(abs(Decimal(low)), abs(Decimal(high)))
        except (ArithmeticError, ValueError, TypeError):
            return None
        if not magnitude.is_finite():
            return None
        largest[name] = max(largest.get(name, magnitude), magnitude)
    if any(found != all_groups for found in groups.values()):
        return None
    return {c: _coarse(largest[c]) for c in columns if c in largest}


def _exact_numeric(kind: str) -> bool:
    text = kind.strip().upper()
    return _numeric(text) and text not in ("DOUBLE", "FLOAT")


def build_query(
    statements: Statements, types: dict[str, str], con: Any | None = None, *, parquet: Path | None = None
) -> str:
    """The query of ``statements.rs`` over ``kpi_units``; with ``con``, bounds on the numeric
    columns' magnitudes are read first, so that the query can use 64-bit integers where they
    provably suffice. With ``parquet`` (the file behind ``kpi_units``), the bounds of decimal and
    integer columns come from its statistics where it has them."""
    by_stripped = {name.strip(): name for name in types}
    wanted: dict[str, str] = {}
    for name in statements.inputs():
        found = by_stripped.get(name)
        if found is not None:
            wanted[name] = found
    numeric = [c for c in wanted.values() if _numeric(types[c])]
    bounds: dict[str, Decimal | None] = {}
    if con is not None:
        scan = numeric
        if parquet is not None:
            exact = [c for c in numeric if _exact_numeric(types[c])]
            known = parquet_bounds(con, parquet, exact, _prelude(statements, ".parquet")["statistics"])
            if known is not None:
                bounds.update(known)
                scan = [c for c in numeric if c not in exact]
        bounds.update(column_bounds(con, VIEW, scan, statements))
    spec: list[tuple[str, str, str, str | None]] = [
        (name, found, types[found], _text(bounds.get(found))) for name, found in wanted.items()
    ]
    unit = by_stripped.get(UNIT)

    def build() -> dict[str, str]:
        from ..inputs import InputColumn
        from . import statements as s

        columns = {name: InputColumn(found, kind, _decimal(bound)) for name, found, kind, bound in spec}
        return {"sql": s.query(statements.rs, columns, unit)}

    return statements.get("query", [spec, unit], build)["sql"]


def _text(value: Decimal | None) -> str | None:
    return None if value is None else str(value)


def _decimal(text: str | None) -> Decimal | None:
    return None if text is None else Decimal(text)


def score_file(
    rs: Ruleset | str | os.PathLike[str],
    values: str | Path,
    output: str | Path,
    *,
    threads: int | None = None,
    progress: bool = False,
    on_python: Callable[[int], None] | None = None,
    fallback: Callable[[SqlUnsupported], None] | None = None,
    cache: SqlCache | None = None,
) -> BatchReport:
    """Score every unit of ``values`` (.parquet or .csv) into ``output`` (.parquet or .csv) with
    the ruleset ``rs``, loaded or the path of its file (see :class:`Statements`: with the SQL in
    the cache, a ruleset file is not parsed at all; one that does not load raises its
    :class:`~kpirules.errors.RulesetError` before the units are read).

    A ruleset the SQL path refuses raises :class:`SqlUnsupported`; with ``fallback``, that is
    called with the error instead and every unit is scored by the Python evaluator, into a file
    with the same columns. ``cache``: where the statements' SQL text is kept between runs
    (default: the user's cache, see :mod:`kpirules.sql.cache`; ``SqlCache(None)`` for none)."""
    source, target = Path(values), Path(output)
    fmt = target.suffix.lower()
    if fmt not in (".parquet", ".csv"):
        raise SqlEngineError(M("output_suffix", name=target.name))
    _utf8_name(target, M("rename_output"))
    statements = Statements(rs, cache if cache is not None else SqlCache.default())
    statements.inputs()  # loads a ruleset file unless its inputs are cached: its errors come first
    directory = target.parent if str(target.parent) else Path(".")
    with contextlib.closing(connect(threads, progress)) as con:
        _, types = open_units(con, source, statements, directory=directory)
        parquet = source if source.suffix.lower() == ".parquet" else None
        try:
            report = BatchReport(sql=build_query(statements, types, con, parquet=parquet))
        except SqlUnsupported as err:
            if fallback is None:
                raise
            fallback(err)
            report = BatchReport()
        with writing(target):
            fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=directory)
        os.close(fd)
        try:
            if report.sql:
                try:
                    _score_by_sql(con, statements, types, tmp, fmt, parquet, report, on_python)
                except SqlEngineError as err:
                    if not _overflow(err):
                        raise
                    too_large = SqlUnsupported(M("too_large", error=err.message), hint=M("too_large_hint"))
                    if fallback is None:
                        raise too_large from None
                    fallback(too_large)
                    report = BatchReport()
            if not report.sql:
                _score_by_python(con, statements, types, tmp, fmt, report)
            report.scored = report.units - len(report.failed)
            report.unknown = statements.hidden()
            with writing(target):
                os.chmod(tmp, _mode_for(target))
                os.replace(tmp, target)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
    return report


def _overflow(err: SqlEngineError) -> bool:
    """Whether DuckDB stopped the query because a number outgrew its type (values larger than the
    query's exact integer arithmetic holds): never a wrong score, but no score either."""
    return "Overflow" in err.message or "Out of Range" in err.message


def _utf8_name(path: Path, hint: str) -> None:
    """DuckDB opens files by UTF-8 names: a name in other bytes (GBK from an archive made on
    Windows) is refused here, with ``hint``, rather than by DuckDB with a conversion error."""
    try:
        str(path).encode("utf-8")
    except UnicodeEncodeError:
        raise SqlEngineError(M("not_utf8", path=path), hint=hint) from None


def _score_by_sql(
    con: Any,
    statements: Statements,
    types: dict[str, str],
    tmp: str,
    fmt: str,
    parquet: Path | None,
    report: BatchReport,
    on_python: Callable[[int], None] | None,
) -> None:
    """Run the query into ``tmp``; then score the units it could not score with the Python evaluator."""
    try:
        _write(con, report.sql, tmp, fmt)
    except SqlEngineError:
        if parquet is None:
            raise
        # the file's statistics may understate its values (an overflow error): read the values
        report.sql = build_query(statements, types, con)
        _write(con, report.sql, tmp, fmt)
    prelude = _prelude(statements, fmt)
    failing = con.execute(prelude["failing"], [tmp]).fetchall()
    report.units = con.execute(prelude["count"], [tmp]).fetchone()[0]
    slips = percent_slips(con, statements, types)
    if failing or slips:
        rows = sorted({row for row, _ in failing} | set(slips))
        if on_python is not None:
            on_python(len(rows))
        # the units Python may well score: values the query did not read, or only a slip to add
        unread = {row for row, error in failing if str(error).startswith(_UNREAD)}
        unread |= set(slips) - {row for row, _ in failing}
        _rescore(con, statements, types, tmp, fmt, rows, unread, slips, report)


def percent_slips(con: Any, statements: Statements, types: dict[str, str]) -> dict[int, list[KpiRulesError]]:
    """The units of ``kpi_units`` (by row) that ``kpirules score``'s Python path refuses for a rate
    column that looks like percentages typed without % (every bare number above 150 %: see
    :func:`kpirules.valuefiles.percent_slips`), each with its problems, as that path words them.

    Only the columns of input rates with no declared range are looked at; which they are is kept
    in the SQL cache with the statements, and for a ruleset that has none nothing is read. A
    column that holds a plain number of at most 1.5 is no such column, which SQL finds at its
    first such value; the other columns' values (not NULL, and not written as percentages) are
    read and judged by the Python path's own function."""

    def build() -> dict[str, str]:
        from . import statements as s

        by_stripped = {name.strip(): name for name in types}
        spec = []
        for m in statements.rs.measures.values():
            column = by_stripped.get(m.name)
            if m.type != "rate" or m.range is not None or m.derived or column is None:
                continue
            kind = types[column].strip().upper()
            if kind == "BOOLEAN":
                continue  # a yes/no value is no bare number
            group = "exact" if _exact_numeric(kind) else "double" if _numeric(kind) else "other"
            spec.append((m.name, column, "text" if kind == "VARCHAR" else group))
        return s.percent_columns(spec)

    sql = statements.get("slips", [list(types.items())], build)
    spec: list[list[str]] = json.loads(sql["measures"])
    if not spec:
        return {}
    try:
        (sure,) = con.execute(sql["sure"]).fetchall()
        fetches: list[str] = json.loads(sql["fetch"])
        needed = [(k, measure) for k, ((measure, _), low) in enumerate(zip(spec, sure, strict=True)) if not low]
        raws: dict[int, dict[str, Any]] = {}
        for k, measure in needed:
            for row, raw in con.execute(fetches[k]).fetchall():
                raws.setdefault(row, {})[measure] = raw
    except Exception as err:  # duckdb raises its own exception types
        raise SqlEngineError(M("could_not_read", error=err)) from None
    if not raws:
        return {}
    from ...tables import Unit
    from ...valuefiles import percent_slips as slips_of

    rs = statements.rs
    rows = sorted(raws)
    found = slips_of({m: rs.measures[m] for _, m in needed}, [Unit(None, raws[row]) for row in rows])
    return {rows[index]: list(problems) for index, problems in found.items()}


def _write(con: Any, sql: str, path: str, fmt: str, params: list[Any] | None = None) -> None:
    try:
        rel = con.sql(sql, params=params)
        if fmt == ".parquet":
            rel.write_parquet(path)
        else:
            rel.write_csv(path)
    except Exception as err:
        raise SqlEngineError(M("could_not_score", error=err)) from None


def _fixes(statements: Statements, types: dict[str, str]) -> dict[str, str]:
    rs = statements.rs

    def build() -> dict[str, str]:
        from . import statements as s

        return s.fixes(rs, types)

    return statements.get("fixes", [list(types.items())], build)


def _python_fixes(
    con: Any,
    statements: Statements,
    types: dict[str, str],
    rows: list[int] | None,
    report: BatchReport,
    unread: set[int] | None = None,
    slips: dict[int, list[KpiRulesError]] | None = None,
) -> None:
    """Score the given rows of ``kpi_units`` (all rows when ``rows`` is None) with the Python
    evaluator into the table ``kpi_fixes`` (row, scores, total, grade, error). A row in
    ``slips`` is not scored whatever else it holds: its problems come first, as on the Python
    path (:func:`percent_slips`).

    The rows are read in pieces of :data:`_PIECE`, and each piece is put into ``kpi_fixes`` by
    one statement, its columns given as lists: never a statement per unit, which made a file
    with many failing units far slower than the Python path.

    Rows are scored by :meth:`~kpirules.Ruleset.evaluate_many` where Python may well score them
    (all rows when ``rows`` is None; else the rows in ``unread``, whose values the query did not
    convert, e.g. ``"1,234.5"``), and by ``evaluate`` unit by unit where the query found a
    problem that Python meets as well (a missing value, a division by zero): ``evaluate_many``
    converts a chunk's columns first and then scores such a row alone, which costs more than
    ``evaluate`` does. For the same reason, when most of a piece's ``evaluate_many`` rows failed
    after all (values outside their range, unknown labels: the query marks them as values it did
    not read, too), the next piece scores them unit by unit, and back when most were scored.
    Both give the same outcome for every row: only the time differs."""
    from ...model import input_names  # units for Python to score: the ruleset is loaded anyway
    from ...source import unnamed

    rs = statements.rs
    sql = _fixes(statements, types)
    names: list[str] = json.loads(sql["columns"])  # the unit's and the input measures', after the row's
    measure_names = set(input_names(rs.measures))
    # (position in a fetched record, measure name): a later column of the same stripped name wins
    measures = [(k + 1, n.strip()) for k, n in enumerate(names) if n.strip() in measure_names]
    unit_at = names.index(UNIT) + 1 if UNIT in names else None
    width = len(rs.indicators) + 1  # the scores and the total
    con.execute(sql["create"])
    writer = con.cursor()  # kpi_fixes is a table, seen by every cursor; kpi_units only by this one
    if rows is None:
        con.execute(sql["all"])
    else:
        con.execute(sql["some"], [rows])
    together = True  # whether the hopeful rows of the next piece go through evaluate_many
    # The errors of failing units are kept (report.failed), and the cyclic garbage collector would
    # go through all of them again and again while more are made: a third of the time with 100,000
    # failing units. Nothing made here needs it (the errors' tracebacks are dropped, _outcomes).
    collecting = gc.isenabled()
    gc.disable()
    try:
        while True:
            fetched = con.fetchmany(_PIECE)
            if not fetched:
                break
            values = [{name: record[k] for k, name in measures} for record in fetched]
            units = []
            for record in fetched:
                unit = record[unit_at] if unit_at is not None else None
                units.append(str(unit) if unit not in (None, "") else unnamed(record[0]))
            hopeful = [rows is None or (unread is not None and record[0] in unread) for record in fetched]
            outcomes = _outcomes(rs, values, units, hopeful if together else [False] * len(fetched))
            tried = [outcome for outcome, hope in zip(outcomes, hopeful, strict=True) if hope]
            together = 2 * sum(isinstance(outcome, KpiRulesError) for outcome in tried) <= len(tried)
            row_numbers: list[int] = []  # units Python scored, with their scores, total and grade
            columns: list[list[str | None]] = [[] for _ in range(width + 1)]
            failed_rows: list[int] = []  # units Python could not score, with their errors
            errors: list[str] = []
            for record, unit_name, outcome in zip(fetched, units, outcomes, strict=True):
                if slips and record[0] in slips:  # rates typed without %: as kpirules score's Python path
                    problems = [*slips[record[0]], *(outcome.problems if isinstance(outcome, KpiRulesError) else ())]
                    outcome = ValuesError.collect(problems)
                if isinstance(outcome, KpiRulesError):
                    outcome.unit = unit_name  # type: ignore[attr-defined]
                    report.failed.append((unit_name, outcome))
                    failed_rows.append(record[0])
                    errors.append("; ".join(p.message for p in outcome.problems))
                    continue
                report.by_python += 1
                if bounds := outcome.bounds:
                    report.bounds.append((unit_name, bounds))
                    report.measures = rs.measures
                row_numbers.append(record[0])
                for column, score in zip(columns[:width], (*outcome.scores, outcome.total), strict=True):
                    column.append(_text_of(score))
                columns[width].append(outcome.grade)
            if row_numbers:
                writer.execute(sql["insert"], [row_numbers, *columns, [None] * len(row_numbers)])
            if failed_rows:
                writer.execute(sql["insert_failed"], [failed_rows, errors])
    finally:
        if collecting:
            gc.enable()
    writer.close()


#: Rows of ``kpi_units`` scored by Python and written to ``kpi_fixes`` at once.
_PIECE = 10_000
#: How the query's ``error`` starts for a value it did not convert (:data:`kpirules.sql.compile.INPUT`).
_UNREAD = "input: "


def _outcomes(
    rs: Ruleset, values: list[dict[str, Any]], units: list[str], batch: list[bool]
) -> list[Result | KpiRulesError]:
    """A :class:`Result` or the error of each unit, as ``rs.evaluate(values, unit=…)`` gives it:
    by :meth:`~kpirules.Ruleset.evaluate_many` for the rows whose ``batch`` is true (or unit by
    unit if it raises: an error other than a :class:`~kpirules.errors.ValuesError`, which it
    leaves to the caller), by ``evaluate`` for the others."""
    out: list[Result | KpiRulesError | None] = [None] * len(values)
    together = [i for i, b in enumerate(batch) if b]
    if together:
        try:
            for i, outcome in zip(together, rs.evaluate_many([values[i] for i in together]), strict=True):
                out[i] = outcome
        except KpiRulesError:
            pass
    for i, got in enumerate(out):
        if got is None:
            try:
                out[i] = rs.evaluate(values[i], unit=units[i])
            except KpiRulesError as err:
                out[i] = err
    for got in out:
        if isinstance(got, KpiRulesError):
            # kept for the report: its traceback would keep the evaluator's frames (and their
            # values) alive with it, half the memory of a run with 100,000 failing units
            got.__traceback__ = None
    return [o for o in out if o is not None]


def _text_of(value: Any) -> str | None:
    """A score as text for ``kpi_fixes``, which casts it to its decimal type exactly."""
    return None if value is None else str(value)


def _score_by_python(
    con: Any, statements: Statements, types: dict[str, str], tmp: str, fmt: str, report: BatchReport
) -> None:
    """Every unit scored by the Python evaluator, written with the columns the query would give."""
    _python_fixes(con, statements, types, None, report, slips=percent_slips(con, statements, types))
    rs = statements.rs

    def build() -> dict[str, str]:
        from . import statements as s

        return {"sql": s.by_python(rs, types)}

    _write(con, statements.get("by_python", [list(types.items())], build)["sql"], tmp, fmt)
    report.units = report.by_python + len(report.failed)


def _rescore(
    con: Any,
    statements: Statements,
    types: dict[str, str],
    tmp: str,
    fmt: str,
    rows: list[int],
    unread: set[int],
    slips: dict[int, list[KpiRulesError]],
    report: BatchReport,
) -> None:
    """Score the given rows with the Python evaluator and rewrite them in the output file, all
    at once (``unread`` and ``slips``: see :func:`_python_fixes`)."""
    _python_fixes(con, statements, types, rows, report, unread, slips)
    rs = statements.rs
    described = [(d[0], str(d[1])) for d in con.execute(_prelude(statements, fmt)["describe"], [tmp]).fetchall()]

    def build() -> dict[str, str]:
        from . import statements as s

        return {"sql": s.rewrite(rs, fmt, described)}

    rewritten = tmp + ".fixed"
    _write(con, statements.get("rewrite", [fmt, described], build)["sql"], rewritten, fmt, [tmp])
    os.replace(rewritten, tmp)


def _numeric(kind: str) -> bool:
    text = kind.strip().upper()
    if text.endswith("]"):  # a list or array of numbers is no number
        return False
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


def _mode_for(target: Path) -> int:
    try:
        return target.stat().st_mode & 0o7777
    except FileNotFoundError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask
