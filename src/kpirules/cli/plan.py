"""``kpirules plan``: the least change that reaches a target total or grade, and where the next
points are; for one unit, or for every unit of a file."""

from __future__ import annotations

import sys

import click

from ..errors import KpiRulesError, ValuesError
from ..messages import Catalog
from .common import EXIT_FINDINGS, EXIT_OK, EXIT_USAGE, Command, emit, fail, lang_option, load_ruleset

#: The words of ``kpirules plan``: its help (said when the command is built, in the language of
#: ``$KPIRULES_LANG``, else Chinese) and its refusals.
M = Catalog(
    "cli.plan",
    {
        "help": (
            "RULESET 的单位要达到目标总分或等级，最少需要改变什么：逐个数据项给出精确的最小改变"
            "（单独不够时给出最少的组合），并可列出各指标的下一分在哪里。给出多个单位的 --values 文件时，"
            "列出每个单位距下一等级的差距和最省的单项改变，按远近排序。",
            "What the unit of RULESET must change, at least, to reach a target total or grade: the exact least "
            "change of each measure (or the least combination where none suffices alone), and where each "
            "indicator's next points are. With a --values file of many units: each unit's gap to its next grade "
            "and the cheapest single change that closes it, sorted.",
        ),
        "values_help": (
            "实际数值：一个单位用 .toml 或 .json 文件；多个单位用工作簿、.csv、.parquet 文件或 JSON 列表 "
            "[默认：RULESET 自带的 [values]]。",
            "Measured values: .toml or .json for one unit; a workbook, .csv, .parquet or a JSON list for many "
            "[default: the [values] of RULESET].",
        ),
        "sheet_help": (
            "--values 工作簿中要读取的工作表，按名称或序号（从 1 开始）。",
            "The sheet of a workbook --values FILE, by name or number counted from 1.",
        ),
        "target_help": (
            "目标：等级名称（如 优）或总分（如 95）[默认：比当前等级高一级的等级]。",
            "The target: a grade label (such as 优) or a total (such as 95) [default: the grade above the "
            "current one].",
        ),
        "hold_help": (
            "保持该数据项不变，不作为改变的候选（可多次给出），如受理件数这类不宜压低的数据项。",
            "Keep MEASURE as it is: never propose changing it (repeatable), such as a count of cases received "
            "that should not be lowered.",
        ),
        "marginal_help": (
            "另列出每个指标的下一分在哪里：每单位数据项的得分（向下、向上）、下一个断点和还可得的分。",
            "Also list where each indicator's next points are: points per unit of each measure (down and up), "
            "the next breakpoint, and the points still to gain.",
        ),
        "format_help": ("输出格式 [默认：text]。", "Output format [default: text]."),
        "output_help": (
            "把结果（原子地）写入 FILE，而不是标准输出。",
            "Write the output to FILE (atomically) instead of stdout.",
        ),
        "max_help": (
            "单项不够时，最多同时改变几个数据项（1 至 3）[默认：3]。",
            "At most how many measures to change together where no single one suffices (1 to 3) [default: 3].",
        ),
        "sheet_without_values": (
            "--sheet 用于选择 --values 给出的工作簿中的工作表",
            "--sheet picks a sheet of a workbook given with --values",
        ),
        "marginal_many": (
            "--marginal 只用于一个单位；多个单位的文件请去掉它",
            "--marginal is for one unit; leave it out for a file of many units",
        ),
    },
)

FORMATS = ("text", "json", "csv")


@click.command(cls=Command, help=M("help"))
@click.argument("ruleset", metavar="RULESET")
@click.option("--values", "values_file", metavar="FILE", help=M("values_help"))
@click.option("--sheet", metavar="NAME|N", help=M("sheet_help"))
@click.option("--target", metavar="GRADE|TOTAL", help=M("target_help"))
@click.option("--hold", metavar="MEASURE", multiple=True, help=M("hold_help"))
@click.option("--marginal", is_flag=True, help=M("marginal_help"))
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="text", help=M("format_help"))
@click.option("--max-measures", type=click.IntRange(1, 3), default=3, help=M("max_help"))
@click.option("--output", "-o", metavar="FILE", help=M("output_help"))
@lang_option
def plan(
    ruleset: str,
    values_file: str | None,
    sheet: str | None,
    target: str | None,
    hold: tuple[str, ...],
    marginal: bool,
    fmt: str,
    max_measures: int,
    output: str | None,
    lang: str,
) -> None:
    """What the unit of RULESET must change, at least, to reach a target total or grade."""
    from ..plan import render
    from ..plan.marginal import many
    from ..plan.marginal import marginal as find_marginal
    from ..plan.search import plan as find_plan
    from ..valuefiles import read_units

    rules = load_ruleset(ruleset)
    if sheet is not None and values_file is None:
        click.echo(M("sheet_without_values"), err=True)
        sys.exit(EXIT_USAGE)
    values = None
    name = None
    if values_file is not None:
        try:
            units, batch = read_units(values_file, rules.measures, sheet=sheet)
        except KpiRulesError as err:
            fail(err, EXIT_USAGE)
        if batch:
            if marginal:
                click.echo(M("marginal_many"), err=True)
                sys.exit(EXIT_USAGE)
            from ..valuefiles import percent_slips
            from .score import drop_unknown_columns

            drop_unknown_columns(rules, units)
            refused = {i: str(errors[0]).split("\n")[0] for i, errors in percent_slips(rules.measures, units).items()}
            try:
                found = many(rules, [(u.name, u.values) for u in units], target=target, refused=refused, hold=hold)
            except KpiRulesError as err:
                fail(err, EXIT_USAGE)
            if fmt == "json":
                text = render.to_json(render.units_dict(rules, found))
            elif fmt == "csv":
                text = render.units_csv(rules, found)
            else:
                text = render.units_text(rules, found)
            emit(text, output)
            sys.exit(EXIT_FINDINGS if any(u.error is not None for u in found) else EXIT_OK)
        values, name = dict(units[0].values), units[0].name
    try:
        result = find_plan(rules, values, target=target, max_measures=max_measures, unit=name, hold=hold)
        margins = find_marginal(rules, values) if marginal else None
    except KpiRulesError as err:
        fail(err, EXIT_FINDINGS if isinstance(err, ValuesError) else EXIT_USAGE)
    if fmt == "json":
        text = render.to_json(render.plan_dict(rules, result, margins))
    elif fmt == "csv":
        text = render.plan_csv(rules, result)
    else:
        text = render.plan_text(rules, result, margins)
    emit(text, output)
    sys.exit(EXIT_OK if result.reached or result.options else EXIT_FINDINGS)


#: The commands this module adds to ``kpirules``.
COMMANDS = (plan,)
