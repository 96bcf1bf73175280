"""``kpirules score --engine duckdb``: a file of units scored through SQL on DuckDB embedded.

Imported only when that engine is used, so ``kpirules score`` starts without duckdb or sqlglot.
"""

from __future__ import annotations

import atexit
import gc
import sys

import click

from ..errors import KpiRulesError
from ..messages import Catalog
from .common import EXIT_FINDINGS, EXIT_OK, EXIT_USAGE, fail, note_bounds, note_unknown
from .common import M as CLI

#: What ``kpirules score --engine duckdb`` says on stderr while it scores and when it is done.
M = Catalog(
    "cli.score_sql",
    {
        "note": ("注意：{note}", "note: {note}"),
        "by_python": (
            "用 Python 引擎为 {count} 个单位评分",
            "scoring {count} unit(s) with the Python evaluator",
        ),
        "fall_back": (
            "注意：这些单位无法用 SQL 评分；改用 Python 引擎为全部单位评分",
            "note: the SQL path cannot score these units; scoring every unit with the Python evaluator",
        ),
        "unreadable": (
            "注意：{message}；改用 Python 引擎为该文件评分",
            "note: {message}; scoring it with the Python evaluator",
        ),
        "python_engine": ("Python 引擎", "Python evaluator"),
        "duckdb_header": (
            "`--engine duckdb` 只按数据项的 `id` 对应各列，而 {file} {why}",
            "--engine duckdb maps columns by measure id only, and {file} {why}",
        ),
        "duckdb_header_hint": (
            "请使用 `--engine python`（或 `auto`），或用数据项的 `id` 作列名",
            "use --engine python (or auto), or head the columns with the measures' ids",
        ),
        "parquet_header_hint": (
            "请用数据项的 `id` 作列名，或写入 .csv 或 .xlsx 文件",
            "head the columns with the measures' ids, or write a .csv or .xlsx file",
        ),
        "scored": (
            "已为 {units} 个单位中的 {scored} 个评分，结果写入 {output}（{engine}）",
            "scored {scored} of {units} units into {output} ({engine})",
        ),
    },
)


def score_with_duckdb(ruleset: str, values_file: str, output: str, *, explicit: bool, cache: bool = True) -> None:
    """Score ``values_file`` into ``output`` with the ruleset file ``ruleset`` and exit: 0 when
    every unit scored, 1 when some could not be (each listed with its unit and reason), 2 for
    unusable input or a ruleset that does not load. Unless the engine was asked for
    (``explicit``), a ruleset the SQL path refuses is scored by the Python evaluator. The ruleset
    is loaded only if the query is not in the SQL cache or some units are scored in Python;
    ``cache=False`` leaves the cache alone (``--no-cache``). Returns, for the Python path to
    score the file, only when the engine was not asked for and DuckDB cannot read the file as
    that path does: a CSV file it reads otherwise, or a header it cannot map (labels, rows above
    it), which is refused instead when the output is Parquet (only DuckDB writes Parquet)."""
    engine = "DuckDB"
    # At exit the interpreter runs a full garbage collection over every object the imports made
    # (lark's, attrs', duckdb's …): 30 to 100 ms on the 2-core machine, longer than the rest of
    # the teardown. Nothing this command made needs finalizing then (the output file is renamed
    # into place and the connection closed before), so the objects alive at exit are frozen out
    # of that collection. In a process that goes on (tests), this runs only when it ends.
    atexit.register(gc.freeze)
    try:
        from ..sql.cache import SqlCache
        from ..sql.engine.duckdb import score_file
        from ..sql.errors import SqlHeaderNeedsPython, SqlUnreadableCsv, SqlUnsupported

        progress = sys.stderr.isatty()

        def note(count: int) -> None:
            if progress:
                click.echo(M("by_python", count=f"{count:,}"), err=True)

        def fall_back(err: SqlUnsupported) -> None:
            nonlocal engine
            engine = M("python_engine")
            click.echo(M("note", note=err.render_one()), err=True)
            click.echo(M("fall_back"), err=True)

        report = score_file(
            ruleset,
            values_file,
            output,
            progress=progress,
            on_python=note,
            fallback=None if explicit else fall_back,
            cache=None if cache else SqlCache(None),
        )
    except SqlHeaderNeedsPython as err:
        if explicit:
            click.echo(M("duckdb_header", file=values_file, why=err.why), err=True)
            click.echo(CLI("hint", hint=M("duckdb_header_hint")), err=True)
            sys.exit(EXIT_USAGE)
        if output.lower().endswith(".parquet"):
            reason = M("duckdb_header", file=values_file, why=err.why)
            click.echo(CLI("cannot_write", output=output, reason=reason), err=True)
            click.echo(CLI("hint", hint=M("parquet_header_hint")), err=True)
            sys.exit(EXIT_USAGE)
        return
    except SqlUnreadableCsv as err:
        if explicit:
            fail(err, EXIT_USAGE)
        click.echo(M("unreadable", message=err.message), err=True)
        return
    except KpiRulesError as err:
        fail(err, EXIT_USAGE)
    if report.bounds:
        note_bounds(report.measures, report.bounds)
    note_unknown(report.unknown)
    click.echo(
        M("scored", scored=f"{report.scored:,}", units=f"{report.units:,}", output=output, engine=engine), err=True
    )
    if report.failed:
        click.echo(CLI("failed", failed=len(report.failed), total=report.units), err=True)
        lines: list[str] = []
        for unit, error in report.failed:  # written 1,000 problems at a time: one echo each costs more
            lines += (f"[{unit}] {problem.render_one()}" for problem in error.problems)
            if len(lines) >= 1000:
                click.echo("\n".join(lines), err=True)
                lines = []
        if lines:
            click.echo("\n".join(lines), err=True)
        sys.exit(EXIT_FINDINGS)
    sys.exit(EXIT_OK)
