"""``kpirules score --engine duckdb``: a file of units scored through SQL on DuckDB embedded.

Imported only when that engine is used, so ``kpirules score`` starts without duckdb or sqlglot.
"""

from __future__ import annotations

import atexit
import gc
import sys

import click

from ..errors import KpiRulesError
from . import EXIT_FINDINGS, EXIT_OK, EXIT_USAGE, fail


def score_with_duckdb(ruleset: str, values_file: str, output: str, *, explicit: bool, cache: bool = True) -> None:
    """Score ``values_file`` into ``output`` with the ruleset file ``ruleset`` and exit: 0 when
    every unit scored, 1 when some could not be (each listed with its unit and reason), 2 for
    unusable input or a ruleset that does not load. Unless the engine was asked for
    (``explicit``), a ruleset the SQL path refuses is scored by the Python evaluator. The ruleset
    is loaded only if the query is not in the SQL cache or some units are scored in Python;
    ``cache=False`` leaves the cache alone (``--no-cache``). Returns, for the Python path to
    score the file, only when DuckDB cannot read a CSV file as that path does and the engine
    was not asked for."""
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
        from ..sql.errors import SqlUnreadableCsv, SqlUnsupported

        progress = sys.stderr.isatty()

        def note(count: int) -> None:
            if progress:
                click.echo(f"scoring {count:,} unit(s) with the Python evaluator", err=True)

        def fall_back(err: SqlUnsupported) -> None:
            nonlocal engine
            engine = "Python evaluator"
            click.echo(f"note: {err.render_one()}", err=True)
            click.echo(
                "note: the SQL path cannot score these units; scoring every unit with the Python evaluator", err=True
            )

        report = score_file(
            ruleset,
            values_file,
            output,
            progress=progress,
            on_python=note,
            fallback=None if explicit else fall_back,
            cache=None if cache else SqlCache(None),
        )
    except SqlUnreadableCsv as err:
        if explicit:
            fail(err, EXIT_USAGE)
        click.echo(f"note: {err.message}; scoring it with the Python evaluator", err=True)
        return
    except KpiRulesError as err:
        fail(err, EXIT_USAGE)
    click.echo(f"scored {report.scored:,} of {report.units:,} units into {output} ({engine})", err=True)
    if report.failed:
        click.echo(f"{len(report.failed)} of {report.units} units could not be scored:", err=True)
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
