"""``kpirules score``: score a ruleset with its own values or with a values file."""

from __future__ import annotations

import gc
import shutil
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from ..errors import KpiRulesError, ValuesError, os_reason
from ..messages import Catalog
from .common import (
    EXIT_FINDINGS,
    EXIT_USAGE,
    Command,
    emit,
    fail,
    lang_option,
    list_failed,
    load_ruleset,
    note_bounds,
    note_unknown,
)
from .common import M as CLI

if TYPE_CHECKING:  # imported where used: scoring on DuckDB with cached SQL needs none of them
    from ..report import Outcome
    from ..ruleset import Ruleset
    from ..tables import Unit

#: The output formats of :mod:`kpirules.report`, kept here so that the command is built without it
#: (a test checks that the two agree).
FORMATS = ("table", "json", "csv", "markdown")
#: The encodings --encoding offers for text output.
ENCODINGS = ("utf-8", "gb18030")


#: The words of ``kpirules score``: its help (said when the command is built, in the language of
#: ``$KPIRULES_LANG``, else Chinese), its refusals and its notes.
M = Catalog(
    "cli.score",
    {
        "help": (
            "用 RULESET 自带的 [values]，或用 FILE 中的数值为 RULESET 评分。",
            "Score RULESET with its own [values], or with the values in FILE.",
        ),
        "values_help": (
            "实际数值：一个单位用 .toml 或 .json 文件；多个单位用工作簿（.xlsx、.xlsm、.xls、.ods）、"
            ".csv（或制表符分隔的 .tsv、.txt）、.parquet 文件或 JSON 列表。",
            "Measured values: .toml or .json for one unit; a workbook (.xlsx, .xlsm, .xls, .ods), .csv (or "
            "tab-separated .tsv, .txt), .parquet or a JSON list for many.",
        ),
        "sheet_help": (
            "--values 工作簿中要读取的工作表，按名称或序号（从 1 开始）[默认：表头中有数据项的第一个工作表]。",
            "The sheet of a workbook --values FILE, by name or number counted from 1 [default: the first sheet "
            "whose header names a measure].",
        ),
        "format_help": (
            "输出格式 [默认：--output 文件按其后缀用 csv、json 或 markdown，否则为 table]。",
            "Output format [default: csv, json or markdown for an --output FILE named so, else table].",
        ),
        "explain_help": ("解释每个指标的得分是怎样得来的。", "Explain how every indicator earned its points."),
        "output_help": (
            "把结果（原子地）写入 FILE，而不是标准输出：.xlsx（工作簿）、.csv、.json、.md、.txt 或 .parquet。",
            "Write the output to FILE (atomically) instead of stdout: .xlsx (a workbook), .csv, .json, .md, .txt or "
            ".parquet.",
        ),
        "encoding_help": (
            "所写文本的编码 [默认：UTF-8；.csv 文件开头带字节顺序标记（BOM），Excel 才能正确显示中文]。",
            "Encoding of the text written [default: UTF-8; a .csv file starts with a byte-order mark, so that "
            "Excel shows its Chinese].",
        ),
        "engine_help": (
            "duckdb 通过 SQL 把 .csv 或 .parquet 单位数据文件评分写入 .parquet 或 .csv 的 --output 文件"
            "（pip install 'kpirules[sql]'）；auto 在已安装时对 Parquet 和大的 CSV 文件使用它。",
            "duckdb scores a .csv or .parquet file of units into a .parquet or .csv --output through SQL "
            "(pip install 'kpirules[sql]'); auto uses it for Parquet and large CSV files when it is installed.",
        ),
        "no_cache_help": (
            "使用 duckdb 引擎时：不读也不写 SQL 缓存（与 KPIRULES_NO_CACHE=1 相同）。",
            "With the duckdb engine: neither read nor write the SQL cache (as KPIRULES_NO_CACHE=1 does).",
        ),
        "unknown_output": (
            "kpirules 只写 .xlsx（工作簿）、.csv、.json、.md、.txt 或 .parquet 文件",
            "kpirules writes .xlsx (a workbook), .csv, .json, .md, .txt or .parquet files",
        ),
        "xlsx_format": (
            "工作簿有自己的版式；请去掉 --format {fmt}，或写入以该格式命名的文件",
            "a workbook has its own layout; leave out --format {fmt}, or write a file named for that format",
        ),
        "xlsx_encoding": (
            "--encoding 只用于文本输出；工作簿（{output}）没有编码可选",
            "--encoding applies to text output; a workbook ({output}) has none to choose",
        ),
        "sheet_without_values": (
            "--sheet 用于选择 --values 给出的工作簿中的工作表",
            "--sheet picks a sheet of a workbook given with --values",
        ),
        "duckdb_fits": (
            "--engine duckdb 只把 .csv 或 .parquet 单位数据文件（--values）评分写入 .parquet 或 .csv 文件"
            "（--output），不能用 --explain，--format 只能是 csv",
            "--engine duckdb scores a .csv or .parquet file of units (--values) into a .parquet or .csv file "
            "(--output), with no --explain and no --format but csv",
        ),
        "duckdb_encoding": (
            "--engine duckdb 只写 UTF-8；--encoding {encoding} 需要 --engine python（或 auto）",
            "--engine duckdb writes UTF-8 only; --encoding {encoding} needs --engine python (or auto)",
        ),
        "parquet_python": (
            "Python 引擎不写 Parquet 文件；请改为写入 .csv 文件",
            "the Python engine writes no Parquet; write a .csv file instead",
        ),
        "parquet_format": (
            "说明以及 csv 以外的格式不能写入 Parquet 文件",
            "explanations and formats other than csv are not written to Parquet",
        ),
        "parquet_source": (
            "只有用 .csv 或 .parquet 单位数据文件（--values）评分时才能写 Parquet 文件",
            "Parquet is written from a .csv or .parquet file of units (--values)",
        ),
        "parquet_needs": (
            "写 Parquet 文件需要 duckdb 和 sqlglot：pip install 'kpirules[sql]'",
            "writing Parquet needs duckdb and sqlglot: pip install 'kpirules[sql]'",
        ),
        "overrides": (
            "注意：{ruleset} 的 [overrides]（{ids}）是为其自带的 [values] 人工调整的得分；所给数值按评分规则评分",
            "note: the [overrides] of {ruleset} ({ids}) are scores set by hand for its own [values]; "
            "the values given are scored by the rules",
        ),
        "ignored_columns": (
            "注意：以下列不是输入数据项，已忽略：{columns}",
            "note: ignoring columns that are not input measures: {columns}",
        ),
        "progress": ("评分", "scoring"),
    },
)


@click.command(cls=Command, help=M("help"))
@click.argument("ruleset", metavar="RULESET")
@click.option(
    "--values",
    "values_file",
    metavar="FILE",
    help=M("values_help"),
)
@click.option(
    "--sheet",
    metavar="NAME|N",
    help=M("sheet_help"),
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(FORMATS),
    help=M("format_help"),
)
@click.option("--explain", is_flag=True, help=M("explain_help"))
@lang_option
@click.option(
    "--output",
    "-o",
    metavar="FILE",
    help=M("output_help"),
)
@click.option(
    "--encoding",
    type=click.Choice(ENCODINGS),
    help=M("encoding_help"),
)
@click.option(
    "--engine",
    type=click.Choice(["auto", "python", "duckdb"]),
    default="auto",
    show_default=True,
    help=M("engine_help"),
)
@click.option(
    "--no-cache",
    is_flag=True,
    help=M("no_cache_help"),
)
def score(
    ruleset: str,
    values_file: str | None,
    sheet: str | None,
    fmt: str | None,
    explain: bool,
    lang: str,
    output: str | None,
    encoding: str | None,
    engine: str,
    no_cache: bool,
) -> None:
    """Score RULESET with its own [values], or with the values in FILE."""
    writes = _output_kind(output, fmt, encoding)  # refused before anything is read or scored
    if _use_duckdb(engine, values_file, output, explain, fmt, encoding=encoding):
        from .score_sql import score_with_duckdb

        assert values_file is not None and output is not None
        score_with_duckdb(ruleset, values_file, output, explicit=engine == "duckdb", cache=not no_cache)
        engine = "python"  # it returns only for a file that DuckDB cannot read as the Python path does
    from ..report import render
    from ..tables import Unit
    from ..valuefiles import read_units

    rules = load_ruleset(ruleset)
    if writes == "parquet":
        click.echo(CLI("cannot_write", output=output, reason=_no_parquet(engine, values_file, explain, fmt)), err=True)
        sys.exit(EXIT_USAGE)
    fmt = fmt or (writes if writes in FORMATS else "table")
    batch = False
    if values_file is None:
        if sheet is not None:
            click.echo(M("sheet_without_values"), err=True)
            sys.exit(EXIT_USAGE)
        units = [Unit(None, {}, {})]
    else:
        try:
            units, batch = read_units(values_file, rules.measures, sheet=sheet)
        except KpiRulesError as err:
            fail(err, EXIT_USAGE)
    outcomes = score_units(rules, units, values_file is not None, batch)
    failed = [o for o in outcomes if isinstance(o, KpiRulesError)]
    if failed and not batch:
        (error,) = failed
        if fmt == "json" and writes != "xlsx":
            _emit(render(rules, outcomes, fmt, batch=False, lang=lang), output, fmt, encoding)
        fail(error, EXIT_FINDINGS)
    if writes == "xlsx":
        assert output is not None
        _write_workbook(output, rules, outcomes, batch=batch, explain=explain, lang=lang)
    else:
        width, color = None, False
        if fmt == "table" and output is None and sys.stdout.isatty():
            width, color = shutil.get_terminal_size().columns, True
        elif fmt == "table":
            width = 120
        text = render(rules, outcomes, fmt, batch=batch, explain=explain, lang=lang, width=width, color=color)
        _emit(text, output, fmt, encoding)
    if failed:
        list_failed(failed, len(outcomes))


_AUTO_CSV_BYTES = 16 * 1024 * 1024  # about 150,000 units of a ten-indicator ruleset
#: What an --output file holds, by its suffix: a format of :data:`FORMATS` (the default when no
#: --format is given), a workbook, or Parquet (the DuckDB engine). Other suffixes are refused.
_OUTPUT_FORMATS = {
    ".csv": "csv",
    ".json": "json",
    ".md": "markdown",
    ".markdown": "markdown",
    ".txt": "table",
    "": "table",
    ".xlsx": "xlsx",
    ".parquet": "parquet",
}


def _output_kind(output: str | None, fmt: str | None, encoding: str | None) -> str | None:
    """What ``output`` will hold (a key of :data:`_OUTPUT_FORMATS`' values), or None for standard
    output; a suffix kpirules does not write, or an option that does not fit it, exits 2."""
    if output is None:
        return None
    kind = _OUTPUT_FORMATS.get(Path(output).suffix.lower())
    if kind is None:
        click.echo(CLI("cannot_write", output=output, reason=M("unknown_output")), err=True)
        sys.exit(EXIT_USAGE)
    if kind == "xlsx" and fmt is not None:
        click.echo(CLI("cannot_write", output=output, reason=M("xlsx_format", fmt=fmt)), err=True)
        sys.exit(EXIT_USAGE)
    if kind == "xlsx" and encoding is not None:
        click.echo(M("xlsx_encoding", output=output), err=True)
        sys.exit(EXIT_USAGE)
    return kind


def _emit(text: str, output: str | None, fmt: str, encoding: str | None) -> None:
    """``text`` to standard output (in ``encoding`` when one is given) or atomically to
    ``output``: UTF-8, with a byte-order mark for CSV unless ``encoding`` says otherwise."""
    if output is None and encoding is None:
        emit(text, None)
        return
    if output is None:
        click.echo(text.encode(encoding or "utf-8"), nl=False)
        return
    from ..atomic import write_bytes_atomically

    codec = encoding or ("utf-8-sig" if fmt == "csv" else "utf-8")
    try:
        write_bytes_atomically(output, text.encode(codec))
    except OSError as err:
        click.echo(CLI("cannot_write", output=output, reason=os_reason(err)), err=True)
        sys.exit(EXIT_USAGE)


def _write_workbook(output: str, rules: Ruleset, outcomes: Sequence[Outcome], **how: Any) -> None:
    from ..atomic import replace_atomically
    from ..xlsxout import write_results

    try:
        replace_atomically(output, lambda name: write_results(name, rules, outcomes, **how))
    except OSError as err:
        click.echo(CLI("cannot_write", output=output, reason=os_reason(err)), err=True)
        sys.exit(EXIT_USAGE)
    except KpiRulesError as err:
        fail(err, EXIT_USAGE)


def _use_duckdb(
    engine: str,
    values_file: str | None,
    output: str | None,
    explain: bool,
    fmt: str | None,
    *,
    encoding: str | None = None,
) -> bool:
    """Whether to score on DuckDB: asked for (then a usage error unless a .csv or .parquet file of
    units goes to a .csv or .parquet file, with no explanations and no format but csv), or
    (auto) such a file, either a Parquet file of units, a CSV file over 16 MiB or any CSV file
    written to a .parquet output, with duckdb and sqlglot installed.

    The DuckDB engine writes UTF-8: an --encoding other than UTF-8 goes to the Python path (auto)
    or is refused (duckdb). It also reads a header of measure ids only, which the engine itself
    checks (:func:`kpirules.cli.score_sql.score_with_duckdb` says what follows)."""
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
            click.echo(M("duckdb_fits"), err=True)
            sys.exit(EXIT_USAGE)
        assert values_file is not None
        if encoding not in (None, "utf-8"):
            click.echo(M("duckdb_encoding", encoding=encoding), err=True)
            sys.exit(EXIT_USAGE)
        return True
    if not fits or encoding not in (None, "utf-8"):
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
        return M("parquet_python")
    if explain or fmt not in (None, "csv"):
        return M("parquet_format")
    if values_file is None or Path(values_file).suffix.lower() not in (".parquet", ".csv"):
        return M("parquet_source")
    return M("parquet_needs")


def score_units(rules: Ruleset, units: Sequence[Unit], given: bool, batch: bool) -> list[Outcome]:
    """The outcomes of scoring ``units`` as `kpirules score` scores them (the ruleset's own values when
    none are ``given``; one unit alone, or a batch), shared by the commands that score."""
    if not given:
        try:
            result = rules.evaluate()
        except ValuesError as err:
            return [err]
        note_bounds(rules.measures, [(None, result.bounds)])
        note_unknown(row.id for row in result.unknown)
        return [result]
    if rules.overrides:
        ids = ", ".join(rules.overrides)
        click.echo(M("overrides", ruleset=rules.id, ids=ids), err=True)
    slips: dict[int, list[ValuesError]] = {}
    if batch:
        from ..valuefiles import percent_slips

        drop_unknown_columns(rules, units)
        slips = percent_slips(rules.measures, units)
    outcomes: list[Outcome] = []
    show = batch and len(units) >= 20_000 and sys.stderr.isatty()
    progress = None
    if show:
        from rich.progress import Progress

        progress = Progress(transient=True)
        progress.start()
        task = progress.add_task(M("progress"), total=len(units))
    collecting = gc.isenabled()
    gc.disable()  # the outcomes only grow here: collecting would walk them again and again
    try:
        for i, unit in enumerate(units):
            try:
                outcome: Outcome = rules.evaluate(unit.values, unit=unit.name, locations=unit.locations)
            except ValuesError as err:
                outcome = err.with_traceback(None)  # kept for the report, without the evaluator's frames
            if i in slips:  # percentages typed without %: the unit is not scored, whatever else it holds
                problems = [*slips[i], *(outcome.problems if isinstance(outcome, KpiRulesError) else ())]
                outcome = ValuesError.collect(problems)
                outcome.unit = unit.name  # type: ignore[attr-defined]
            outcomes.append(outcome)
            if progress is not None and i % 1000 == 999:
                progress.update(task, advance=1000)
    finally:
        if collecting:
            gc.enable()
        if progress is not None:
            progress.stop()
    note_bounds(rules.measures, ((o.unit, o.bounds) for o in outcomes if not isinstance(o, KpiRulesError)))
    scored = [o for o in outcomes if not isinstance(o, KpiRulesError)]
    note_unknown(row.id for row in (scored[0].unknown if scored else ()))
    return outcomes


def drop_unknown_columns(rules: Ruleset, units: Sequence[Unit]) -> None:
    """Columns of a batch that are not input measures are ignored, with one note."""
    seen: set[str] = set()
    for unit in units:
        seen.update(unit.values)
    ignored = sorted(name for name in seen if not _input_column(rules, name))
    if not ignored:
        return
    click.echo(M("ignored_columns", columns=", ".join(ignored)), err=True)
    for unit in units:
        for name in ignored:
            unit.values.pop(name, None)  # type: ignore[attr-defined]


def _input_column(rules: Ruleset, name: str) -> bool:
    """Whether a column holds values of an input measure: its own, or a judged measure's points."""
    from ..model import POINTS

    measure = rules.measures.get(name)
    if measure is None and name.endswith(POINTS):
        judged = rules.measures.get(name.removesuffix(POINTS))
        return judged is not None and judged.type == "judged" and not judged.derived
    return measure is not None and not measure.derived


#: The commands this module adds to ``kpirules``.
COMMANDS = (score,)
