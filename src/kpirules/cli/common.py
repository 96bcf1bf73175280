"""What every command shares: exit codes, the command line's own words, ``--lang``, how an
error is printed and how output is written. Command modules import from here, never from the
package, which imports them."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, NoReturn

import click

from .._version import __version__
from ..atomic import replace_atomically
from ..errors import KpiRulesError, os_reason
from ..messages import LANGS, Catalog, language, reset_language, set_language

if TYPE_CHECKING:
    from ..model import Measure
    from ..ruleset import Ruleset
    from ..values import Bound

EXIT_OK, EXIT_FINDINGS, EXIT_USAGE, EXIT_INTERNAL = 0, 1, 2, 3

#: The command line's own words. Help texts are said when the commands are built, in the language
#: of ``$KPIRULES_LANG`` (else Chinese): click builds them before ``--lang`` is read.
M = Catalog(
    "cli",
    {
        "main_help": (
            "kpirules：精确计算绩效指标的得分，并解释每一分从何而来。",
            "kpirules: score performance indicators exactly, and explain every point.",
        ),
        "version": ("%(prog)s，版本 %(version)s", "%(prog)s, version %(version)s"),
        "version_help": ("显示版本并退出。", "Show the version and exit."),
        "help_help": ("显示本帮助并退出。", "Show this message and exit."),
        "lang_help": (
            "所有输出内容的语言：zh 或 en [默认：$KPIRULES_LANG，否则 zh]。",
            "Language of everything printed: zh or en [default: $KPIRULES_LANG, else zh].",
        ),
        "cannot_write": ("无法写入 {output}：{reason}", "cannot write {output}: {reason}"),
        "warning": ("警告：{warning}", "warning: {warning}"),
        "hint": ("提示：{hint}", "hint: {hint}"),
        # scoring a file of units, in Python or on an engine
        "bound": ("注意：{unit}{note}", "note: {unit}{note}"),
        "bounds_more": (
            "注意：另有 {count} 个单位的数值以界限给出（如 ≥90%），均按界限计分",
            "note: {count} more unit(s) have values given as bounds (such as ≥90%), each scored at its bound",
        ),
        "unknown_total": (
            "注意：总分未知：表中未列出的行 {rows} 没有得分（[overrides.<id>] 可为规则集自带的 [values] 给出其得分）",
            "note: the total is unknown: the rows the table does not show, {rows}, have no score "
            "([overrides.<id>] gives one for the ruleset's own [values])",
        ),
        "failed": ("{total} 个单位中有 {failed} 个未能评分：", "{failed} of {total} units could not be scored:"),
        "internal_error": (
            "kpirules：内部错误：{kind}：{error}\n"
            "这是 kpirules {version} 的缺陷，不是您的文件有问题。请报告这个问题，并附上所运行的命令和它读取的文件；"
            "设置 KPIRULES_TRACEBACK=1 可显示出错的位置。",
            "kpirules: internal error: {kind}: {error}\n"
            "This is a bug in kpirules {version}, not a problem with your files. Please report it with the "
            "command you ran and the files it read; set KPIRULES_TRACEBACK=1 to print where it happened.",
        ),
    },
)


#: Where a command keeps the language it speaks (in :attr:`click.Context.meta`, which its parent
#: shares), for the group to report an error the command did not catch in it.
_LANGUAGE = "kpirules.language"


def _choose_language(ctx: click.Context, param: click.Parameter, value: str | None) -> str:
    token = set_language(value)  # None: $KPIRULES_LANG, else Chinese
    ctx.call_on_close(lambda: reset_language(token))
    ctx.meta[_LANGUAGE] = language()
    return language()


#: ``--lang zh|en`` on every command: the language of every word it prints (messages, hints,
#: headings, explanations). Without it, ``$KPIRULES_LANG``, else Chinese.
lang_option = click.option(
    "--lang",
    type=click.Choice(LANGS),
    default=None,
    is_eager=True,
    callback=_choose_language,
    help=M("lang_help"),
)


def fail(error: KpiRulesError, code: int) -> NoReturn:
    """Print ``error`` as ``file:line:col: message`` with its source line, and exit with ``code``."""
    click.echo(str(error), err=True)
    sys.exit(code)


def load_ruleset(path: str) -> Ruleset:
    """The ruleset file at ``path``, its warnings (weights that do not add up) said on standard
    error; one that does not load exits 2 with its problems."""
    from ..loader import load

    try:
        rules = load(path)
    except KpiRulesError as err:
        fail(err, EXIT_USAGE)
    for warning in rules.warnings:
        click.echo(M("warning", warning=warning), err=True)
    return rules


def list_failed(failed: Iterable[KpiRulesError], total: int) -> NoReturn:
    """Say which units could not be scored, each problem with its unit, and exit 1."""
    failed = list(failed)
    click.echo(M("failed", failed=len(failed), total=total), err=True)
    for error in failed:
        unit = getattr(error, "unit", None)
        for problem in error.problems:
            click.echo(f"[{unit}] {problem.render_one()}", err=True)
    sys.exit(EXIT_FINDINGS)


def write_atomically(path: str, text: str) -> None:
    """Write ``text`` to ``path`` (UTF-8, newlines as given) so that readers see the old file or
    the new one, never half."""

    def write(name: str) -> None:
        with open(name, "w", encoding="utf-8", newline="") as handle:
            handle.write(text)

    replace_atomically(path, write)


def emit(text: str, output: str | None) -> None:
    """``text`` to stdout, or atomically to ``output``."""
    if output is None:
        click.echo(text, nl=False)
        return
    try:
        write_atomically(output, text)
    except OSError as err:
        click.echo(M("cannot_write", output=output, reason=os_reason(err)), err=True)
        sys.exit(EXIT_USAGE)


def _help_option(option: click.Option | None) -> click.Option | None:
    if option is not None:
        option.help = M("help_help")  # when the help is shown: in --lang's language, if given before
    return option


class Command(click.Command):
    """A command whose ``-h/--help`` option is described in kpirules' language, not click's."""

    def get_help_option(self, ctx: click.Context) -> click.Option | None:
        return _help_option(super().get_help_option(ctx))


def internal_error(err: BaseException) -> NoReturn:
    """Say that kpirules failed (not the user's files), how to report it, and exit 3."""
    if os.environ.get("KPIRULES_TRACEBACK"):
        import traceback

        traceback.print_exception(err)
    click.echo(M("internal_error", kind=type(err).__name__, error=err, version=__version__), err=True)
    sys.exit(EXIT_INTERNAL)


#: Notes on values given as bounds, at most this many lines; the rest are counted.
BOUND_NOTES = 20


def note_bounds(measures: Mapping[str, Measure], found: Iterable[tuple[str | None, Mapping[str, Bound]]]) -> None:
    """On standard error, a note for each value given as a bound ("≥90%"), scored at its bound:
    every output format (CSV, workbook, Parquet) carries the score, not the note."""
    from ..explain import bound_note

    lines: list[str] = []
    more = 0
    for unit, bounds in found:
        if not bounds:
            continue
        if len(lines) >= BOUND_NOTES:
            more += 1
            continue
        prefix = f"[{unit}] " if unit else ""
        lines += (M("bound", unit=prefix, note=bound_note(n, b, measures.get(n))) for n, b in bounds.items())
    if more:
        lines.append(M("bounds_more", count=more))
    if lines:
        click.echo("\n".join(lines), err=True)


def note_unknown(ids: Iterable[str]) -> None:
    """On standard error, that no total was computed: rows the table does not show have no score."""
    shown = ", ".join(f"`{i}`" for i in ids)
    if shown:
        click.echo(M("unknown_total", rows=shown), err=True)
