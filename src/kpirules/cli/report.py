"""``kpirules report``: a self-contained HTML report with charts (or a PDF of it) of one unit or
of many, for people to read and hand in."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import click

from ..errors import KpiRulesError, os_reason
from ..messages import Catalog
from .common import EXIT_FINDINGS, EXIT_USAGE, Command, emit, fail, lang_option, list_failed, load_ruleset
from .common import M as CLI

if TYPE_CHECKING:
    from ..linter import Diagnostic
    from ..report import Outcome
    from ..ruleset import Ruleset
    from ..tables import Unit

#: The words of ``kpirules report``: its help (said when the command is built, in the language of
#: ``$KPIRULES_LANG``, else Chinese), its refusals and what it says when it has written a report.
M = Catalog(
    "cli.report",
    {
        "help": (
            "把 RULESET 的评分写成一份可直接提交的报告：一个不依赖网络的 HTML 文件（内含图表），"
            "或打印成 A4 的 PDF。一个单位：绩效自评表（含小计）、各指标得分与分值图、评分说明、规则集检查，"
            "加 --reported 时还有公布表格的核查。多个单位（--values 单位数据文件）：排名、等级分布、"
            "总分分布、各指标得分率、未能评分的单位，以及每个单位的一节。\n\n"
            "退出状态：0 已写出报告；1 已写出报告，但有单位未能评分（一个单位未能评分时不写报告）；"
            "2 用法错误，或文件无法读取。",
            "Write the scores of RULESET as a report to hand in: one self-contained HTML file with charts, or an A4 "
            "PDF printed from it. One unit: the self-evaluation table with subtotals, a chart of each indicator's "
            "score against its weight, the explanations, the checks of the ruleset and, with --reported, the audit of "
            "the "
            "published table. Many units (--values with a file of units): the ranking, the grades, the totals, the "
            "share of each indicator's weight earned, the units that could not be scored, and a section per unit.\n\n"
            "Exit status: 0 the report is written; 1 it is written, and some units could not be scored (no report "
            "when the one unit cannot be); 2 bad usage or a file that cannot be read.",
        ),
        "values_help": (
            "实际数值：一个单位用 .toml 或 .json 文件；多个单位用工作簿（.xlsx、.xlsm、.xls、.ods）、"
            ".csv（或制表符分隔的 .tsv、.txt）、.parquet 文件或 JSON 列表 [默认：规则集中的 [values]]。",
            "Measured values: .toml or .json for one unit; a workbook (.xlsx, .xlsm, .xls, .ods), .csv (or "
            "tab-separated .tsv, .txt), .parquet or a JSON list for many [default: the ruleset's [values]].",
        ),
        "sheet_help": (
            "--values 工作簿中要读取的工作表，按名称或序号（从 1 开始）。",
            "The sheet of a workbook --values FILE, by name or number counted from 1.",
        ),
        "reported_help": (
            "核查公布的表格并写入报告：不带 FILE 时核查规则集中的 [reported]，"
            "或给出 .toml、.json、.csv、.xlsx 文件（只用于一个单位）。",
            "Audit the published table in the report: the ruleset's [reported] without FILE, or a .toml, .json, "
            ".csv or .xlsx FILE (one unit only).",
        ),
        "output_help": (
            "写入 FILE（原子地）：.html（或 .htm）为网页，.pdf 经无头 Chromium 打印为 A4 "
            "[默认：把 HTML 写到标准输出]。",
            "Write FILE (atomically): .html (or .htm) for the page, .pdf printed to A4 by headless Chromium "
            "[default: the HTML to stdout].",
        ),
        "unit_charts_help": (
            "多个单位时是否为每个单位绘制得分图 [默认：不超过 {limit} 个单位时绘制]。",
            "With many units, whether to draw each unit's chart [default: for {limit} units or fewer].",
        ),
        "unknown_output": (
            "kpirules report 只写 .html（或 .htm）和 .pdf 文件",
            "kpirules report writes .html (or .htm) and .pdf files",
        ),
        "no_charts": (
            "kpirules report 需要图表库 `vl-convert-python`，但它没有安装",
            "kpirules report needs the charting library `vl-convert-python`, which is not installed",
        ),
        "no_charts_hint": (
            "`pip install 'kpirules[report]'`（安装 report 附加组件）",
            "`pip install 'kpirules[report]'` (the report extra)",
        ),
        "no_chromium": (
            "写 PDF 需要 Chromium 或 Chrome，但在 PATH 中找不到 `chromium`、`chromium-browser` 或 `google-chrome`",
            "a PDF is printed by Chromium or Chrome, and none of `chromium`, `chromium-browser` or "
            "`google-chrome` is on PATH",
        ),
        "no_chromium_hint": (
            "请安装 Chromium（Debian、Ubuntu：`apt-get install chromium`），或用 KPIRULES_CHROMIUM 指明浏览器程序；"
            "也可以写 .html 文件，再在浏览器中打印为 PDF",
            "install Chromium (Debian, Ubuntu: `apt-get install chromium`) or name the browser in KPIRULES_CHROMIUM; "
            "or write an .html file and print it to PDF from a browser",
        ),
        "chromium_failed": ("Chromium 未能打印 PDF：{reason}", "Chromium could not print the PDF: {reason}"),
        "pdf_needs_output": ("PDF 只能写入文件：请用 -o FILE.pdf", "a PDF is written to a file only: use -o FILE.pdf"),
        "reported_batch": (
            "--reported 核查一个单位公布的表格；{file} 中有 {count} 个单位",
            "--reported audits the table published for one unit; {file} holds {count} units",
        ),
        "sheet_without_values": (
            "--sheet 用于选择 --values 给出的工作簿中的工作表",
            "--sheet picks a sheet of a workbook given with --values",
        ),
        "wrote_unit": (
            "已写入 {output}：{unit}总分 {total}，等级 {grade}",
            "wrote {output}: {unit}total {total}, grade {grade}",
        ),
        "unit_part": ("{unit}，", "{unit}, "),
        "wrote_batch": (
            "已写入 {output}：{units} 个单位，{scored} 个已评分，{failed} 个未能评分",
            "wrote {output}: {units} units, {scored} scored, {failed} could not be scored",
        ),
        "no_grade": ("无", "none"),
    },
)

#: The suffixes kpirules report writes, and what each holds.
_OUTPUTS = {".html": "html", ".htm": "html", ".pdf": "pdf"}


def _unit_charts_help() -> str:
    from ..handin import UNIT_CHARTS_UP_TO

    return M("unit_charts_help", limit=UNIT_CHARTS_UP_TO)


@click.command(cls=Command, help=M("help"))
@click.argument("ruleset", metavar="RULESET")
@click.option("--values", "values_file", metavar="FILE", help=M("values_help"))
@click.option("--sheet", metavar="NAME|N", help=M("sheet_help"))
@click.option(
    "--reported",
    "reported",
    metavar="[FILE]",
    is_flag=False,
    flag_value="",
    default=None,
    help=M("reported_help"),
)
@click.option("--unit-charts/--no-unit-charts", "unit_charts", default=None, help=_unit_charts_help())
@lang_option
@click.option("--output", "-o", metavar="FILE", help=M("output_help"))
def report(
    ruleset: str,
    values_file: str | None,
    sheet: str | None,
    reported: str | None,
    unit_charts: bool | None,
    lang: str,
    output: str | None,
) -> None:
    """Write the scores of RULESET as a report (the help is ``M("help")``)."""
    kind = _output_kind(output)  # refused before anything is read or scored
    from ..handin import charts

    if not charts.available():
        click.echo(M("no_charts"), err=True)
        click.echo(CLI("hint", hint=M("no_charts_hint")), err=True)
        sys.exit(EXIT_USAGE)
    chromium = None
    if kind == "pdf":
        from ..handin.browser import find_chromium

        chromium = find_chromium()
        if chromium is None:
            click.echo(CLI("cannot_write", output=output, reason=M("no_chromium")), err=True)
            click.echo(CLI("hint", hint=M("no_chromium_hint")), err=True)
            sys.exit(EXIT_USAGE)
    from .score import score_units

    rules = load_ruleset(ruleset)
    units, batch = _units(rules, values_file, sheet, reported is not None)
    outcomes = score_units(rules, units, values_file is not None, batch)
    failed = [o for o in outcomes if isinstance(o, KpiRulesError)]
    if failed and not batch:
        fail(failed[0], EXIT_FINDINGS)
    audit = None
    if reported is not None:
        from ..audit import audit as run_audit

        values = dict(units[0].values) if values_file is not None else None
        locations = dict(units[0].locations) if values_file is not None else None
        try:
            audit = run_audit(rules, reported or None, values=values, locations=locations)
        except KpiRulesError as err:
            fail(err, EXIT_USAGE)
    from ..handin import build_html

    try:
        html_text = build_html(
            rules, outcomes, batch=batch, lang=lang, lint=_lint(ruleset), audit=audit, unit_charts=unit_charts
        )
    except KpiRulesError as err:  # a total that is unknown (a row the table does not show)
        fail(err, EXIT_FINDINGS)
    if kind == "pdf":
        assert output is not None and chromium is not None
        _write_pdf(html_text, output, chromium)
    else:
        emit(html_text, output)
    if output is not None:
        click.echo(_wrote(output, outcomes, batch))
    if failed:
        list_failed(failed, len(outcomes))


def _units(rules: Ruleset, values_file: str | None, sheet: str | None, audited: bool) -> tuple[list[Unit], bool]:
    """The units to report on, and whether they are a batch; bad usage and unreadable files exit 2."""
    from ..tables import Unit
    from ..valuefiles import read_units

    if values_file is None:
        if sheet is not None:
            click.echo(M("sheet_without_values"), err=True)
            sys.exit(EXIT_USAGE)
        return [Unit(None, {}, {})], False
    try:
        units, batch = read_units(values_file, rules.measures, sheet=sheet)
    except KpiRulesError as err:
        fail(err, EXIT_USAGE)
    if audited and batch and len(units) == 1:  # a table of one row is that unit's values, as kpirules audit reads it
        from .score import drop_unknown_columns

        drop_unknown_columns(rules, units)  # as for a table: columns that are not input measures, with a note
        batch = False
    if audited and batch:
        click.echo(M("reported_batch", file=values_file, count=len(units)), err=True)
        sys.exit(EXIT_USAGE)
    return units, batch


def _output_kind(output: str | None) -> str:
    """``html`` or ``pdf`` by the suffix of ``output`` (HTML to stdout without one); any other
    suffix exits 2."""
    if output is None:
        return "html"
    kind = _OUTPUTS.get(Path(output).suffix.lower())
    if kind is None:
        click.echo(CLI("cannot_write", output=output, reason=M("unknown_output")), err=True)
        sys.exit(EXIT_USAGE)
    return kind


def _lint(ruleset: str) -> list[Diagnostic] | str:
    """The linter's findings on the ruleset file, or why it could not run."""
    from ..linter import lint

    try:
        return list(lint(ruleset))
    except KpiRulesError as err:
        return err.message


def _write_pdf(html_text: str, output: str, chromium: str) -> None:
    from ..atomic import write_bytes_atomically
    from ..handin.browser import BrowserError
    from ..handin.pdf import print_pdf

    try:
        data = print_pdf(html_text, executable=chromium)
    except BrowserError as err:
        click.echo(CLI("cannot_write", output=output, reason=M("chromium_failed", reason=err)), err=True)
        sys.exit(EXIT_USAGE)
    try:
        write_bytes_atomically(output, data)
    except OSError as err:
        click.echo(CLI("cannot_write", output=output, reason=os_reason(err)), err=True)
        sys.exit(EXIT_USAGE)


def _wrote(output: str, outcomes: Sequence[Outcome], batch: bool) -> str:
    from ..result import Result

    results = [o for o in outcomes if isinstance(o, Result)]
    if not batch:
        (result,) = results
        unit = M("unit_part", unit=result.unit) if result.unit else ""
        grade = result.grade if result.grade is not None else M("no_grade")
        return M("wrote_unit", output=output, unit=unit, total=result.total, grade=grade)
    return M(
        "wrote_batch", output=output, units=len(outcomes), scored=len(results), failed=len(outcomes) - len(results)
    )


#: The commands this module adds to ``kpirules``.
COMMANDS = (report,)
