"""Scoring a file of units on DuckDB embedded: Parquet or CSV in, Parquet or CSV out.

One pass runs the compiled query from the input file straight into the output file. Units the
query did not score (its ``error`` column is set) are then scored by the Python evaluator, which
gives the exact error messages, and scores the units whose values SQL does not convert itself
(``input: …``, e.g. ``"1,234.5"``); the output file is rewritten with their rows only when there
are any, all at once (:mod:`kpirules.sql.engine.rescore`: never a statement per unit). The
output is written to a temporary file beside the target and renamed, so readers see the old file
or the new one.
A CSV file is read as the Python path reads it: DuckDB reads UTF-8 itself, and a file in GB18030
or UTF-16 is first copied in UTF-8 (:func:`kpirules.sql.engine.csvtext.utf8_text`).

Every statement is built by sqlglot (:mod:`kpirules.sql.engine.statements`) and its text kept in
the SQL cache (:mod:`kpirules.sql.cache`): a run whose statements are all cached does not import
sqlglot. File names are passed to DuckDB as parameters or through its Python API, never as text.
"""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
import threading
from collections.abc import Callable
from decimal import ROUND_CEILING, Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ...errors import KpiRulesError
from ...messages import Catalog
from ..cache import SqlCache
from ..errors import SqlEngineError, SqlHeaderNeedsPython, SqlUnreadableCsv, SqlUnsupported
from .csvtext import csv_options, utf8_text, writing
from .rescore import UNREAD, percent_slips, rescore, score_by_python
from .run import ROW, UNIT, VIEW, BatchReport, Statements, connect, exact_numeric, numeric, prelude, write

if TYPE_CHECKING:
    from ...ruleset import Ruleset

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
        "header": (
            "DuckDB 只按数据项的 `id` 对应各列，而 {path} {why}",
            "DuckDB maps columns by measure id only, and {path} {why}",
        ),
        "aliases": ("有列名不是数据项的 `id`：{columns}", "heads columns otherwise: {columns}"),
        "title": ("的表头上方还有其他行", "has rows above its header"),
        "header_hint": (
            "请用数据项的 `id` 作列名，或用 Python 引擎评分",
            "head the columns with the measures' ids, or score with the Python evaluator",
        ),
        "too_large": (
            "数值太大，超出了 SQL 评分所用的 128 位整数运算的范围（{error}）",
            "the values are too large for the SQL path's 128-bit arithmetic ({error})",
        ),
        "too_large_hint": (
            "请使用 --engine python，它能计算任意大小的数",
            "use --engine python, which computes with numbers of any size",
        ),
    },
)


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


def check_header(con: Any, path: Path, statements: Statements) -> None:
    """Refuse (:class:`SqlHeaderNeedsPython`) a file of units whose header this engine cannot
    map: it maps columns by measure id alone, and the Python path's readers also take labels,
    units in brackets, ``单位`` for the unit's column and rows above the header.

    A Parquet file's header is its schema. A name that is an input's id or ``unit`` (every name,
    in a file this engine was meant for) is told so from the cached input names; any other is
    judged by the header rules once per ruleset and kept in the SQL cache, so a cached run
    neither loads the ruleset nor imports those rules. A CSV file's first MiB is read as the
    Python path reads it, against the measures as the cache keeps them (:meth:`Statements.measures`)."""
    if _input_suffix(path) == ".parquet":
        known = {*statements.inputs(), UNIT}
        others = [name for name in file_columns(con, path) if name.strip() not in known]
        if not others:
            return

        def build() -> dict[str, str]:
            from ...tables import HeaderNames
            from ...valuefiles import aliased_headers

            aliased = aliased_headers(others, HeaderNames(statements.rs.measures))
            return {"aliased": json.dumps(aliased, ensure_ascii=False)}

        aliased: list[str] = json.loads(statements.get("header", [others], build)["aliased"])
        below = False
    else:
        from ...tables import HeaderNames
        from ...valuefiles import check_header as text_header

        check = text_header(path, HeaderNames(statements.measures()))
        if check is None:
            return
        aliased, below = check
    if aliased:
        why = M("aliases", columns=", ".join(aliased))
    elif below:
        why = M("title")
    else:
        return
    raise SqlHeaderNeedsPython(M("header", path=path, why=why), why=why, hint=M("header_hint"))


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
    numbers = [c for c in wanted.values() if numeric(types[c])]
    bounds: dict[str, Decimal | None] = {}
    if con is not None:
        scan = numbers
        if parquet is not None:
            exact = [c for c in numbers if exact_numeric(types[c])]
            known = parquet_bounds(con, parquet, exact, prelude(statements, ".parquet")["statistics"])
            if known is not None:
                bounds.update(known)
                scan = [c for c in numbers if c not in exact]
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
    with the same columns. A file whose header this engine cannot map (labels, rows above it)
    raises :class:`SqlHeaderNeedsPython` before it is read (:func:`check_header`); one that holds
    no unit, the :class:`~kpirules.tables.ValuesFileError` of the Python path, and the output is
    left as it was. ``cache``:
    where the statements' SQL text is kept between runs (default: the user's cache, see
    :mod:`kpirules.sql.cache`; ``SqlCache(None)`` for none)."""
    source, target = Path(values), Path(output)
    fmt = target.suffix.lower()
    if fmt not in (".parquet", ".csv"):
        raise SqlEngineError(M("output_suffix", name=target.name))
    _utf8_name(target, M("rename_output"))
    statements = Statements(rs, cache if cache is not None else SqlCache.default())
    # loads a ruleset file unless its inputs are cached (its errors come first), while DuckDB starts
    opened = _connect_while(statements.inputs, threads, progress)
    directory = target.parent if str(target.parent) else Path(".")
    with contextlib.closing(opened) as con:
        check_header(con, source, statements)
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
                score_by_python(con, statements, types, tmp, fmt, report)
            if not report.units:  # an unfilled template: refused as the Python path refuses it
                from ...valuefiles import no_units

                raise no_units(source)
            report.scored = report.units - len(report.failed)
            report.unknown = statements.hidden()
            with writing(target):
                os.chmod(tmp, _mode_for(target))
                os.replace(tmp, target)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
    return report


def _connect_while(work: Callable[[], object], threads: int | None, progress: bool) -> Any:
    """:func:`connect`, run on a worker thread while ``work`` runs on this one. DuckDB sets up a
    database without holding Python's lock (about 20 ms on the 2-core machine), so a run that
    loads its ruleset meanwhile (a cache miss) opens its connection for nothing. An error of
    ``work`` comes first, and the connection opened beside it is then closed."""
    try:
        import duckdb  # noqa: F401  imported on this thread: two threads importing at once can deadlock
    except ImportError:
        work()
        return connect(threads, progress)  # says what to install
    opened: list[Any] = []
    failed: list[BaseException] = []

    def open_it() -> None:
        try:
            opened.append(connect(threads, progress))
        except BaseException as err:  # raised on this thread, below
            failed.append(err)

    worker = threading.Thread(target=open_it, name="kpirules-duckdb-connect", daemon=True)
    worker.start()
    try:
        work()
    except BaseException:
        worker.join()
        if opened:
            opened[0].close()
        raise
    worker.join()
    if failed:
        raise failed[0]
    return opened[0]


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
        write(con, report.sql, tmp, fmt)
    except SqlEngineError:
        if parquet is None:
            raise
        # the file's statistics may understate its values (an overflow error): read the values
        report.sql = build_query(statements, types, con)
        write(con, report.sql, tmp, fmt)
    output_sql = prelude(statements, fmt)
    failing = con.execute(output_sql["failing"], [tmp]).fetchall()
    report.units = con.execute(output_sql["count"], [tmp]).fetchone()[0]
    slips = percent_slips(con, statements, types)
    if failing or slips:
        rows = sorted({row for row, _ in failing} | set(slips))
        if on_python is not None:
            on_python(len(rows))
        # the units Python may well score: values the query did not read, or only a slip to add
        unread = {row for row, error in failing if str(error).startswith(UNREAD)}
        unread |= set(slips) - {row for row, _ in failing}
        rescore(con, statements, types, tmp, fmt, rows, unread, slips, report)


def _mode_for(target: Path) -> int:
    try:
        return target.stat().st_mode & 0o7777
    except FileNotFoundError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask
