"""``kpirules template``: the data-entry template (填报表) of a ruleset, as a workbook or CSV file."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from ..errors import KpiRulesError, os_reason
from ..messages import Catalog
from .common import EXIT_USAGE, Command, fail, lang_option
from .common import M as CLI

#: The words of ``kpirules template``: its help (said when the command is built, in the language of
#: ``$KPIRULES_LANG``, else Chinese), its refusals and what it wrote.
M = Catalog(
    "cli.template",
    {
        "help": (
            "写出 RULESET 的填报模板：单位需要填写数值的每个数据项占一列，以数据项名称作列名。"
            "填好保存后无需修改即可评分：kpirules score RULESET --values FILE。",
            "Write the data-entry template of RULESET: one column per measure a unit gives a value for, "
            "headed by its label. Filled in and saved, it scores with no edit: kpirules score RULESET --values FILE.",
        ),
        "output_help": (
            "要写出的填报模板：FILE.xlsx（工作簿）或 FILE.csv。",
            "The template to write: FILE.xlsx (a workbook) or FILE.csv.",
        ),
        "encoding_help": (
            ".csv 填报模板的编码 [默认：带字节顺序标记（BOM）的 UTF-8，Excel 才能正确显示中文]。",
            "Encoding of a .csv template [default: UTF-8 with a byte-order mark, so that Excel shows its Chinese].",
        ),
        "suffix": ("填报模板只能是 .xlsx 或 .csv 文件", "a template is a .xlsx or a .csv file"),
        "encoding": (
            "--encoding 只用于 .csv 填报模板；工作簿（{output}）没有编码可选",
            "--encoding applies to a .csv template; a workbook ({output}) has none to choose",
        ),
        "written": (
            "已写入 {output}：每个单位需填写 {count} 列",
            "wrote {output}: {count} column(s) to fill in for each unit",
        ),
    },
)


@click.command(cls=Command, help=M("help"))
@click.argument("ruleset", metavar="RULESET")
@click.option("--output", "-o", metavar="FILE", required=True, help=M("output_help"))
@lang_option
@click.option(
    "--encoding",
    type=click.Choice(["utf-8", "gb18030"]),
    help=M("encoding_help"),
)
def template(ruleset: str, output: str, lang: str, encoding: str | None) -> None:
    """Write the data-entry template of RULESET: one column per measure a unit gives a value for,
    headed by its label. Filled in and saved, it scores with no edit:
    kpirules score RULESET --values FILE."""
    suffix = Path(output).suffix.lower()
    if suffix not in (".xlsx", ".csv"):
        click.echo(CLI("cannot_write", output=output, reason=M("suffix")), err=True)
        sys.exit(EXIT_USAGE)
    if suffix == ".xlsx" and encoding is not None:
        click.echo(M("encoding", output=output), err=True)
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
        click.echo(CLI("cannot_write", output=output, reason=os_reason(err)), err=True)
        sys.exit(EXIT_USAGE)
    count = len(templates.input_measures(rules))
    click.echo(M("written", output=output, count=count), err=True)


#: The commands this module adds to ``kpirules``.
COMMANDS = (template,)
