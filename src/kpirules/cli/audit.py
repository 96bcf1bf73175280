"""``kpirules audit``: check a published table against its own rules and arithmetic."""

from __future__ import annotations

import shutil
import sys

import click

from ..errors import KpiRulesError
from . import EXIT_FINDINGS, EXIT_USAGE, emit, fail

_FORMATS = ("table", "json", "markdown")


@click.command()
@click.argument("ruleset", metavar="RULESET")
@click.option(
    "--reported",
    "reported_file",
    metavar="FILE",
    help="The published table: .toml, .json, .csv (or tab-separated .tsv, .txt) or .xlsx "
    "(default: the ruleset's [reported]).",
)
@click.option(
    "--values",
    "values_file",
    metavar="FILE",
    help="Measured values of the unit: .toml or .json, or a table of one row (.csv, .xlsx …) "
    "(default: the ruleset's [values]).",
)
@click.option("--format", "fmt", type=click.Choice(_FORMATS), default="table", show_default=True, help="Output format.")
@click.option(
    "--lang", type=click.Choice(["zh", "en"]), default="zh", show_default=True, help="Language of the explanations."
)
@click.option("--output", "-o", metavar="FILE", help="Write the output to FILE (atomically) instead of stdout.")
def audit(
    ruleset: str, reported_file: str | None, values_file: str | None, fmt: str, lang: str, output: str | None
) -> None:
    """Audit the table published for RULESET: recompute every score, check the table's own
    arithmetic, find every inconsistency and the smallest set of corrections that resolves them.

    Exit status: 0 no error found; 1 inconsistencies at error level; 2 bad usage or a file that
    cannot be read."""
    from ..audit import audit as run_audit
    from ..audit.render import render
    from ..loader import load

    try:
        rules = load(ruleset)
    except KpiRulesError as err:
        fail(err, EXIT_USAGE)
    values = locations = None
    if values_file is not None:
        from ..valuefiles import read_units

        try:
            units, table = read_units(values_file, rules.measures)
        except KpiRulesError as err:
            fail(err, EXIT_USAGE)
        if len(units) != 1:  # a table of one unit (a CSV or workbook row) is that unit's values
            click.echo(
                f"{values_file}: give the values of one unit (a .toml or .json object, or a table of one row); "
                f"it holds {len(units)}",
                err=True,
            )
            sys.exit(EXIT_USAGE)
        values, locations = dict(units[0].values), dict(units[0].locations)
        if table:  # as `score` reads a table: columns that are not input measures are ignored, with a note
            ignored = sorted(k for k in values if k not in rules.measures or rules.measures[k].derived)
            if ignored:
                click.echo(f"note: ignoring columns that are not input measures: {', '.join(ignored)}", err=True)
            values = {k: v for k, v in values.items() if k not in ignored}
    try:
        result = run_audit(rules, reported_file, values=values, locations=locations)
    except KpiRulesError as err:
        fail(err, EXIT_USAGE)
    width, color = None, False
    if fmt == "table" and output is None and sys.stdout.isatty():
        width, color = shutil.get_terminal_size().columns, True
    emit(render(result, fmt, lang=lang, width=width, color=color), output)
    if result.errors:
        sys.exit(EXIT_FINDINGS)
