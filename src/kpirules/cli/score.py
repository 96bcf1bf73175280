"""``kpirules score``: score a ruleset with its own values or with a values file."""

from __future__ import annotations

import shutil
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import click

from ..errors import KpiRulesError, ValuesError
from . import EXIT_FINDINGS, EXIT_USAGE, emit, fail

if TYPE_CHECKING:  # imported where used: scoring on DuckDB with cached SQL needs none of them
    from ..report import Outcome
    from ..ruleset import Ruleset
    from ..valuefiles import Unit

#: The output formats of :mod:`kpirules.report`, kept here so that the command is built without it
#: (a test checks that the two agree).
FORMATS = ("table", "json", "csv", "markdown")


@click.command()
@click.argument("ruleset", metavar="RULESET")
@click.option(
    "--values",
    "values_file",
    metavar="FILE",
    help="Measured values: .toml or .json for one unit; .csv (or tab-separated .tsv, .txt), .parquet or a "
    "JSON list for many.",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(FORMATS),
    help="Output format [default: csv, json or markdown for an --output FILE named so, else table].",
)
@click.option("--explain", is_flag=True, help="Explain how every indicator earned its points.")
@click.option(
    "--lang",
    type=click.Choice(["zh", "en"]),
    default="zh",
    show_default=True,
    help="Language of headings and explanations.",
)
@click.option("--output", "-o", metavar="FILE", help="Write the output to FILE (atomically) instead of stdout.")
@click.option(
    "--engine",
    type=click.Choice(["auto", "python", "duckdb"]),
    default="auto",
    show_default=True,
    help="duckdb scores a .csv or .parquet file of units into a .parquet or .csv --output through SQL "
    "(pip install 'kpirules[sql]'); auto uses it for Parquet and large CSV files when it is installed.",
)
@click.option(
    "--no-cache",
    is_flag=True,
    help="With the duckdb engine: neither read nor write the SQL cache (as KPIRULES_NO_CACHE=1 does).",
)
def score(
    ruleset: str,
    values_file: str | None,
    fmt: str | None,
    explain: bool,
    lang: str,
    output: str | None,
    engine: str,
    no_cache: bool,
) -> None:
    """Score RULESET with its own [values], or with the values in FILE."""
    if _use_duckdb(engine, values_file, output, explain, fmt):
        from .score_sql import score_with_duckdb

        assert values_file is not None and output is not None
        score_with_duckdb(ruleset, values_file, output, explicit=engine == "duckdb", cache=not no_cache)
        engine = "python"  # it returns only for a CSV file that DuckDB cannot read as the Python path does
    from ..loader import load
    from ..report import render
    from ..valuefiles import Unit, read_units

    try:
        rules = load(ruleset)
    except KpiRulesError as err:
        fail(err, EXIT_USAGE)
    for warning in rules.warnings:
        click.echo(f"warning: {warning}", err=True)
    if output is not None and output.lower().endswith(".parquet"):
        click.echo(f"cannot write {output}: {_no_parquet(engine, values_file, explain, fmt)}", err=True)
        sys.exit(EXIT_USAGE)
    fmt = fmt or _OUTPUT_FORMATS.get(Path(output).suffix.lower() if output else "", "table")
    batch = False
    if values_file is None:
        units = [Unit(None, {}, {})]
    else:
        try:
            units, batch = read_units(values_file)
        except KpiRulesError as err:
            fail(err, EXIT_USAGE)
    outcomes = _score(rules, units, values_file is not None, batch)
    failed = [o for o in outcomes if isinstance(o, KpiRulesError)]
    if failed and not batch:
        (error,) = failed
        if fmt == "json":
            emit(render(rules, outcomes, fmt, batch=False, lang=lang), output)
        fail(error, EXIT_FINDINGS)
    width, color = None, False
    if fmt == "table" and output is None and sys.stdout.isatty():
        width, color = shutil.get_terminal_size().columns, True
    elif fmt == "table":
        width = 120
    emit(render(rules, outcomes, fmt, batch=batch, explain=explain, lang=lang, width=width, color=color), output)
    if failed:
        click.echo(f"{len(failed)} of {len(outcomes)} units could not be scored:", err=True)
        for error in failed:
            unit = getattr(error, "unit", None)
            for problem in error.problems:
                click.echo(f"[{unit}] {problem.render_one()}", err=True)
        sys.exit(EXIT_FINDINGS)


_AUTO_CSV_BYTES = 16 * 1024 * 1024  # about 150,000 units of a ten-indicator ruleset
#: The format of an --output file with no --format, by its suffix.
_OUTPUT_FORMATS = {".csv": "csv", ".json": "json", ".md": "markdown"}


def _use_duckdb(engine: str, values_file: str | None, output: str | None, explain: bool, fmt: str | None) -> bool:
    """Whether to score on DuckDB: asked for (then a usage error unless a .csv or .parquet file of
    units goes to a .csv or .parquet file, with no explanations and no format but csv), or
    (auto) such a file, either a Parquet file of units, a CSV file over 16 MiB or any CSV file
    written to a .parquet output, with duckdb and sqlglot installed."""
    if engine == "python":
        return False
    fits = (
        values_file is not None
        and output is not None
        and Path(values_file).suffix.lower() in (".parquet", ".csv")
        and Path(output).suffix.lower() in (".parquet", ".csv")
        and not explain
        and fmt in (None, "csv")
    )
    if engine == "duckdb":
        if not fits:
            click.echo(
                "--engine duckdb scores a .csv or .parquet file of units (--values) into a .parquet or .csv file "
                "(--output), with no --explain and no --format but csv",
                err=True,
            )
            sys.exit(EXIT_USAGE)
        return True
    if not fits:
        return False
    assert values_file is not None and output is not None
    if values_file.lower().endswith(".csv") and output.lower().endswith(".csv"):
        try:
            if Path(values_file).stat().st_size < _AUTO_CSV_BYTES:
                return False
        except OSError:
            return False
    try:  # DuckDB opens files by UTF-8 names only; the Python path reads any
        values_file.encode("utf-8"), output.encode("utf-8")
    except UnicodeEncodeError:
        return False
    import importlib.util

    return all(importlib.util.find_spec(m) is not None for m in ("duckdb", "sqlglot"))


def _no_parquet(engine: str, values_file: str | None, explain: bool, fmt: str | None) -> str:
    """Why a .parquet output cannot be written (only the DuckDB engine writes Parquet)."""
    if engine == "python":
        return "the Python engine writes no Parquet; write a .csv file instead"
    if explain or fmt not in (None, "csv"):
        return "explanations and formats other than csv are not written to Parquet"
    if values_file is None or Path(values_file).suffix.lower() not in (".parquet", ".csv"):
        return "Parquet is written from a .csv or .parquet file of units (--values)"
    return "writing Parquet needs duckdb and sqlglot: pip install 'kpirules[sql]'"


def _score(rules: Ruleset, units: Sequence[Unit], given: bool, batch: bool) -> list[Outcome]:
    if not given:
        try:
            return [rules.evaluate()]
        except ValuesError as err:
            return [err]
    if rules.overrides:
        ids = ", ".join(rules.overrides)
        click.echo(
            f"note: the [overrides] of {rules.id} ({ids}) are scores set by hand for its own [values]; "
            "the values given are scored by the rules",
            err=True,
        )
    slips: dict[int, list[ValuesError]] = {}
    if batch:
        from ..valuefiles import percent_slips

        _drop_unknown_columns(rules, units)
        slips = percent_slips(rules.measures, units)
    outcomes: list[Outcome] = []
    show = batch and len(units) >= 20_000 and sys.stderr.isatty()
    progress = None
    if show:
        from rich.progress import Progress

        progress = Progress(transient=True)
        progress.start()
        task = progress.add_task("scoring", total=len(units))
    for i, unit in enumerate(units):
        try:
            outcome: Outcome = rules.evaluate(unit.values, unit=unit.name, locations=unit.locations)
        except ValuesError as err:
            outcome = err
        if i in slips:  # percentages typed without %: the unit is not scored, whatever else it holds
            problems = [*slips[i], *(outcome.problems if isinstance(outcome, KpiRulesError) else ())]
            outcome = ValuesError.collect(problems)
            outcome.unit = unit.name  # type: ignore[attr-defined]
        outcomes.append(outcome)
        if progress is not None and i % 1000 == 999:
            progress.update(task, advance=1000)
    if progress is not None:
        progress.stop()
    return outcomes


def _drop_unknown_columns(rules: Ruleset, units: Sequence[Unit]) -> None:
    """Columns of a batch that are not input measures are ignored, with one note."""
    seen: set[str] = set()
    for unit in units:
        seen.update(unit.values)
    ignored = sorted(name for name in seen if name not in rules.measures or rules.measures[name].derived)
    if not ignored:
        return
    click.echo(f"note: ignoring columns that are not input measures: {', '.join(ignored)}", err=True)
    for unit in units:
        for name in ignored:
            unit.values.pop(name, None)  # type: ignore[attr-defined]
