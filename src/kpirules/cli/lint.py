"""``kpirules lint`` and ``kpirules rule``: check ruleset files, and explain a lint code."""

from __future__ import annotations

import re
import sys
from collections.abc import Iterator, Sequence
from pathlib import Path

import click

from ..errors import KpiRulesError
from . import EXIT_FINDINGS, EXIT_OK, EXIT_USAGE, emit, fail, lang_option, write_atomically

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


@click.command()
@click.argument("paths", nargs=-1, required=True, metavar="PATH...")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "concise", "json", "sarif", "github"]),
    default="text",
    show_default=True,
    envvar="KPIRULES_OUTPUT_FORMAT",
    help="Output format.",
)
@click.option("--select", multiple=True, metavar="CODES", help="Report only these codes, names or prefixes (ALL).")
@click.option("--ignore", multiple=True, metavar="CODES", help="Do not report these codes, names or prefixes.")
@click.option(
    "--fail-level",
    type=click.Choice(["error", "warning", "info"]),
    default=None,
    help="Exit 1 when a finding is at or above this severity (default: error).",
)
@click.option("--fix", is_flag=True, help="Apply safe fixes (full-width punctuation) to the files, then report.")
@click.option("--exit-zero", is_flag=True, help="Exit 0 even with findings (2 still means bad usage).")
@click.option("--stdin-filename", metavar="NAME", help="The file name to show for a ruleset read from '-'.")
@click.option("--output", "-o", metavar="FILE", help="Write the report to FILE (atomically) instead of stdout.")
@click.option(
    "--rulesets-only",
    is_flag=True,
    help="Skip named .toml files that have no [ruleset] table (for pre-commit hooks).",
)
@click.option("--config", "config_file", metavar="FILE", help="Read [tool.kpirules.lint] from FILE (a pyproject.toml).")
@click.option("--isolated", is_flag=True, help="Ignore every configuration file.")
@lang_option
def lint(
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
        fail(KpiRulesError("--fix cannot rewrite standard input; give the file's path"), EXIT_USAGE)
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
                    unwritable.append(KpiRulesError(f"cannot write {name}: {err.strerror}"))
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


@click.command()
@click.argument("code", required=False, metavar="CODE")
@click.option("--list", "list_", is_flag=True, help="List every code.")
@click.option("--write-docs", metavar="DIR", help="Write every code's page and an index into DIR (docs/rules).")
@lang_option
def rule(code: str | None, list_: bool, write_docs: str | None, lang: str) -> None:
    """Print the documentation of a lint code (KPI-G201, G201 or tier-gap)."""
    from ..linter.catalog import RULES, find, generate, page

    if write_docs is not None:
        for path in generate(Path(write_docs)):
            click.echo(str(path))
        return
    if list_ or code is None:
        for item in RULES:
            click.echo(f"{item.code}  {item.name:<24} {item.severity:<8} {item.summary}")
        return
    found = find(code)
    if found is None:
        fail(KpiRulesError(f"unknown lint code `{code}`", hint="`kpirules rule --list` lists them"), EXIT_USAGE)
    click.echo(page(found.code), nl=False)
