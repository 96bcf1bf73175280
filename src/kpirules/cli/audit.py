"""``kpirules audit``: check a published table against its own rules and arithmetic."""

from __future__ import annotations

import shutil
import sys

import click

from ..errors import KpiRulesError
from ..messages import Catalog
from .common import EXIT_FINDINGS, EXIT_USAGE, Command, emit, fail, lang_option

_FORMATS = ("table", "json", "markdown")

#: The words of ``kpirules audit``: its help (said when the command is built, in the language of
#: ``$KPIRULES_LANG``, else Chinese), its refusal of a file of several units and its note.
M = Catalog(
    "cli.audit",
    {
        "help": (
            "核查为 RULESET 公布的表格：按评分规则重算每一项得分，核对表格自身的算术，找出每一处不一致，"
            "并给出消除这些不一致所需的最少改正。\n\n"
            "退出状态：0 未发现错误；1 有错误级别的不一致；2 用法错误，或文件无法读取。",
            "Audit the table published for RULESET: recompute every score, check the table's own arithmetic, "
            "find every inconsistency and the smallest set of corrections that resolves them.\n\n"
            "Exit status: 0 no error found; 1 inconsistencies at error level; 2 bad usage or a file that "
            "cannot be read.",
        ),
        "reported_help": (
            "公布的表格：.toml、.json、.csv（或制表符分隔的 .tsv、.txt）或 .xlsx 文件（默认：规则集中的 [reported]）。",
            "The published table: .toml, .json, .csv (or tab-separated .tsv, .txt) or .xlsx "
            "(default: the ruleset's [reported]).",
        ),
        "values_help": (
            "该单位的实际数值：.toml 或 .json 文件，或只有一行的表格（.csv、.xlsx …）（默认：规则集中的 [values]）。",
            "Measured values of the unit: .toml or .json, or a table of one row (.csv, .xlsx …) "
            "(default: the ruleset's [values]).",
        ),
        "format_help": ("输出格式。", "Output format."),
        "output_help": (
            "把结果（原子地）写入 FILE，而不是标准输出。",
            "Write the output to FILE (atomically) instead of stdout.",
        ),
        "one_unit": (
            "{file}：请给出一个单位的数值（一个 .toml 或 .json 对象，或只有一行的表格）；该文件有 {count} 个单位",
            "{file}: give the values of one unit (a .toml or .json object, or a table of one row); it holds {count}",
        ),
        "ignored_columns": (
            "注意：以下列不是输入数据项，已忽略：{columns}",
            "note: ignoring columns that are not input measures: {columns}",
        ),
    },
)


@click.command(cls=Command, help=M("help"))
@click.argument("ruleset", metavar="RULESET")
@click.option("--reported", "reported_file", metavar="FILE", help=M("reported_help"))
@click.option("--values", "values_file", metavar="FILE", help=M("values_help"))
@click.option("--format", "fmt", type=click.Choice(_FORMATS), default="table", show_default=True, help=M("format_help"))
@lang_option
@click.option("--output", "-o", metavar="FILE", help=M("output_help"))
def audit(
    ruleset: str, reported_file: str | None, values_file: str | None, fmt: str, lang: str, output: str | None
) -> None:
    """Audit the table published for RULESET (the help is ``M("help")``)."""
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
            click.echo(M("one_unit", file=values_file, count=len(units)), err=True)
            sys.exit(EXIT_USAGE)
        values, locations = dict(units[0].values), dict(units[0].locations)
        if table:  # as `score` reads a table: columns that are not input measures are ignored, with a note
            ignored = sorted(k for k in values if k not in rules.measures or rules.measures[k].derived)
            if ignored:
                click.echo(M("ignored_columns", columns=", ".join(ignored)), err=True)
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


#: The commands this module adds to ``kpirules``.
COMMANDS = (audit,)
