"""``kpirules lint`` and ``kpirules rule``: check ruleset files, and explain a lint code."""

from __future__ import annotations

import re
import sys
from collections.abc import Iterator, Sequence
from pathlib import Path

import click

from ..errors import KpiRulesError, os_reason
from ..messages import Catalog
from .common import EXIT_FINDINGS, EXIT_OK, EXIT_USAGE, Command, emit, fail, lang_option, write_atomically
from .common import M as CLI

#: The words of `kpirules lint` and `kpirules rule`. The help texts are said when the commands are
#: built, in the language of ``$KPIRULES_LANG`` (else Chinese): click builds them before ``--lang``
#: is read. The pages `kpirules rule CODE` prints are the English documentation (docs/rules).
M = Catalog(
    "cli.lint",
    {
        "lint_help": (
            "检查规则集文件（或存放规则集的文件夹；'-' 表示从标准输入读取）：无法解析的评分规则、分档的缺口、"
            "超过分值的得分、合计不等于总分的分值等。`kpirules rule CODE` 解释问题代码的含义。",
            "Check ruleset files (or folders of them; '-' reads standard input) for broken rules, gaps, "
            "overshooting scores, weights that do not add up, and more. `kpirules rule CODE` explains a code.",
        ),
        "format_help": ("输出格式。  [默认：text]", "Output format.  [default: text]"),
        "select_help": (
            "只报告这些代码、名称或前缀（ALL 表示全部）。",
            "Report only these codes, names or prefixes (ALL).",
        ),
        "ignore_help": ("不报告这些代码、名称或前缀。", "Do not report these codes, names or prefixes."),
        "fail_level_help": (
            "有达到或高于这一严重程度的问题时以状态 1 退出（默认：error）。",
            "Exit 1 when a finding is at or above this severity (default: error).",
        ),
        "fix_help": (
            "先对文件应用安全的修复（全角标点），再报告。",
            "Apply safe fixes (full-width punctuation) to the files, then report.",
        ),
        "exit_zero_help": (
            "即使有问题也以状态 0 退出（用法错误仍为 2）。",
            "Exit 0 even with findings (2 still means bad usage).",
        ),
        "stdin_filename_help": (
            "从 '-' 读取的规则集所显示的文件名。",
            "The file name to show for a ruleset read from '-'.",
        ),
        "output_help": (
            "把报告写入 FILE（原子写入），而不是标准输出。",
            "Write the report to FILE (atomically) instead of stdout.",
        ),
        "rulesets_only_help": (
            "跳过指定的、没有 [ruleset] 表的 .toml 文件（用于 pre-commit 钩子）。",
            "Skip named .toml files that have no [ruleset] table (for pre-commit hooks).",
        ),
        "config_help": (
            "从 FILE（一个 pyproject.toml）读取 [tool.kpirules.lint]。",
            "Read [tool.kpirules.lint] from FILE (a pyproject.toml).",
        ),
        "isolated_help": ("不读取任何配置文件。", "Ignore every configuration file."),
        "fix_stdin": (
            "--fix 无法改写标准输入；请给出文件的路径",
            "--fix cannot rewrite standard input; give the file's path",
        ),
        "rule_help": (
            "显示问题代码的说明文档（KPI-G201、G201 或 tier-gap）；文档为英文。",
            "Print the documentation of a lint code (KPI-G201, G201 or tier-gap).",
        ),
        "list_help": ("列出所有代码。", "List every code."),
        "write_docs_help": (
            "把每个代码的说明页和索引写入 DIR（docs/rules）；文档为英文。",
            "Write every code's page and an index into DIR (docs/rules).",
        ),
        "row": ("{code}  {name:<24} {severity:<6} {summary}", "{code}  {name:<24} {severity:<8} {summary}"),
        "error": ("错误", "error"),
        "warning": ("警告", "warning"),
        "info": ("信息", "info"),
        "unknown_code": ("未知的问题代码 `{code}`", "unknown lint code `{code}`"),
        "see_list": ("`kpirules rule --list` 列出所有代码", "`kpirules rule --list` lists them"),
    },
)

_SKIP_DIRS = frozenset({".git", ".hg", ".venv", "venv", "node_modules", "__pycache__", "build", "dist", ".tox"})
_RULESET_TABLE = re.compile(r"^\s*\[\s*ruleset\s*\]", re.MULTILINE)


def _split(values: Sequence[str]) -> list[str]:
    return [word for value in values for word in re.split(r"[,\s]+", value) if word]


def _discover(folder: Path) -> Iterator[Path]:
    """The ruleset files under a folder: *.toml files with a [ruleset] table, hidden and tool
    folders skipped."""
    for path in sorted(folder.rglob("*.toml")):
        rel = path.relative_to(folder)
        if any(part in _SKIP_DIRS or part.startswith(".") for part in rel.parts[:-1]):
            continue
        try:
            head = path.read_text("utf-8-sig", errors="replace")
        except OSError:
            yield path  # unreadable: reported when it is linted
            continue
        if _RULESET_TABLE.search(head):
            yield path


@click.command(cls=Command, help=M("lint_help"))
@click.argument("paths", nargs=-1, required=True, metavar="PATH...")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "concise", "json", "sarif", "github"]),
    default="text",
    envvar="KPIRULES_OUTPUT_FORMAT",
    help=M("format_help"),
)
@click.option("--select", multiple=True, metavar="CODES", help=M("select_help"))
@click.option("--ignore", multiple=True, metavar="CODES", help=M("ignore_help"))
@click.option(
    "--fail-level",
    type=click.Choice(["error", "warning", "info"]),
    default=None,
    help=M("fail_level_help"),
)
@click.option("--fix", is_flag=True, help=M("fix_help"))
@click.option("--exit-zero", is_flag=True, help=M("exit_zero_help"))
@click.option("--stdin-filename", metavar="NAME", help=M("stdin_filename_help"))
@click.option("--output", "-o", metavar="FILE", help=M("output_help"))
@click.option(
    "--rulesets-only",
    is_flag=True,
    help=M("rulesets_only_help"),
)
@click.option("--config", "config_file", metavar="FILE", help=M("config_help"))
@click.option("--isolated", is_flag=True, help=M("isolated_help"))
@lang_option
def lint(  # noqa: C901 - a command: one branch per option (fix, stdin, config, format, output)
    paths: tuple[str, ...],
    fmt: str,
    select: tuple[str, ...],
    ignore: tuple[str, ...],
    fail_level: str | None,
    fix: bool,
    exit_zero: bool,
    stdin_filename: str | None,
    output: str | None,
    rulesets_only: bool,
    config_file: str | None,
    isolated: bool,
    lang: str,
) -> None:
    """Check ruleset files (or folders of them; '-' reads standard input) for broken rules, gaps,
    overshooting scores, weights that do not add up, and more. `kpirules rule CODE` explains a code."""
    from ..linter import config as settings
    from ..linter.diagnostics import RANK, Diagnostic
    from ..linter.engine import Selection, fix_text, lint_text, read
    from ..linter.engine import unreadable as unreadable_file
    from ..linter.formats import render

    try:
        config = settings.Config()
        if config_file is not None:
            config = settings.load(Path(config_file))
        elif not isolated:
            found_config = settings.find(Path.cwd())
            config = settings.load(found_config) if found_config is not None else config
        chosen = _split(select) or list(config.select)
        ignored = [*config.ignore, *_split(ignore)]
        selection = Selection(chosen, ignored)
    except KpiRulesError as err:
        fail(err, EXIT_USAGE)
    fail_level = fail_level or config.fail_level or "error"
    targets: list[Path | None] = []
    for raw in paths:
        if raw == "-":
            targets.append(None)
            continue
        path = Path(raw)
        if path.is_dir():
            targets.extend(_discover(path))
        elif path.exists() or not rulesets_only:
            targets.append(path)
    if fix and None in targets:
        fail(KpiRulesError(M("fix_stdin")), EXIT_USAGE)
    found: list[Diagnostic] = []
    unreadable: list[KpiRulesError] = []
    unwritable: list[KpiRulesError] = []  # --fix could not write: said on stderr only
    fixed = linted = 0
    for target in targets:
        if target is None:
            text = sys.stdin.read()
            name = stdin_filename or "<stdin>"
        else:
            try:
                text = read(target)
            except KpiRulesError as err:  # a finding (KPI-E003) in every format, and status 2
                unreadable.append(err)
                found.append(unreadable_file(str(target), err))
                linted += 1
                continue
            name = str(target)
            if rulesets_only and not _RULESET_TABLE.search(text):
                continue
        if fix and target is not None:
            new_text, count = fix_text(text, name)
            if count:
                try:
                    write_atomically(str(target), new_text)
                except OSError as err:
                    unwritable.append(KpiRulesError(CLI("cannot_write", output=name, reason=os_reason(err))))
                    continue
                text, fixed = new_text, fixed + count
        linted += 1
        extra = config.ignores_for(name) if target is not None else ()
        found.extend(lint_text(text, name, Selection(chosen, [*ignored, *extra]) if extra else selection))
    emit(render(found, fmt, files=linted, fixed=fixed), output)
    if output is not None or fmt not in ("text", "concise"):  # the report may not be on the screen
        for problem in unreadable:
            click.echo(str(problem), err=True)
    for problem in unwritable:
        click.echo(str(problem), err=True)
    if unreadable or unwritable:
        sys.exit(EXIT_USAGE)
    threshold = RANK[fail_level]
    if not exit_zero and any(RANK[d.severity] >= threshold for d in found):
        sys.exit(EXIT_FINDINGS)
    sys.exit(EXIT_OK)


@click.command(cls=Command, help=M("rule_help"))
@click.argument("code", required=False, metavar="CODE")
@click.option("--list", "list_", is_flag=True, help=M("list_help"))
@click.option("--write-docs", metavar="DIR", help=M("write_docs_help"))
@lang_option
def rule(code: str | None, list_: bool, write_docs: str | None, lang: str) -> None:
    """Print the documentation of a lint code (KPI-G201, G201 or tier-gap): the English page of
    docs/rules, whatever the language; ``--list`` says each code's title in the current one."""
    from ..linter.catalog import RULES, find
    from ..linter.pages import generate, page

    if write_docs is not None:
        for path in generate(Path(write_docs)):
            click.echo(str(path))
        return
    if list_ or code is None:
        for item in RULES:
            click.echo(M("row", code=item.code, name=item.name, severity=M(item.severity), summary=item.summary))
        return
    found = find(code)
    if found is None:
        fail(KpiRulesError(M("unknown_code", code=code), hint=M("see_list")), EXIT_USAGE)
    click.echo(page(found.code), nl=False)


#: The commands this module adds to ``kpirules``.
COMMANDS = (
    lint,
    rule,
)
