"""``kpirules template``: the data-entry template (填报表) of a ruleset, as a workbook or CSV file."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from ..errors import KpiRulesError
from . import EXIT_USAGE, fail, lang_option

#: The words of this command, in one place so that they can move into a catalog.
MESSAGES = {
    "suffix": "cannot write {output}: a template is a .xlsx or a .csv file",
    "encoding": "--encoding applies to a .csv template; a workbook ({output}) has none to choose",
    "written": "wrote {output}: {count} column(s) to fill in for each unit",
}


@click.command()
@click.argument("ruleset", metavar="RULESET")
@click.option(
    "--output", "-o", metavar="FILE", required=True, help="The template to write: FILE.xlsx (a workbook) or FILE.csv."
)
@lang_option
@click.option(
    "--encoding",
    type=click.Choice(["utf-8", "gb18030"]),
    help="Encoding of a .csv template [default: UTF-8 with a byte-order mark, so that Excel shows its Chinese].",
)
def template(ruleset: str, output: str, lang: str, encoding: str | None) -> None:
    """Write the data-entry template of RULESET: one column per measure a unit gives a value for,
    headed by its label. Filled in and saved, it scores with no edit:
    kpirules score RULESET --values FILE."""
    suffix = Path(output).suffix.lower()
    if suffix not in (".xlsx", ".csv"):
        click.echo(MESSAGES["suffix"].format(output=output), err=True)
        sys.exit(EXIT_USAGE)
    if suffix == ".xlsx" and encoding is not None:
        click.echo(MESSAGES["encoding"].format(output=output), err=True)
        sys.exit(EXIT_USAGE)
    from .. import template as templates
    from ..atomic import replace_atomically, write_bytes_atomically
    from ..loader import load

    try:
        rules = load(ruleset)
    except KpiRulesError as err:
        fail(err, EXIT_USAGE)
    try:
        if suffix == ".csv":
            write_bytes_atomically(output, templates.to_csv(rules, lang).encode(encoding or "utf-8-sig"))
        else:
            replace_atomically(output, lambda name: templates.write_xlsx(name, rules, lang))
    except OSError as err:
        click.echo(f"cannot write {output}: {err.strerror or err}", err=True)
        sys.exit(EXIT_USAGE)
    count = len(templates.input_measures(rules))
    click.echo(MESSAGES["written"].format(output=output, count=count), err=True)
