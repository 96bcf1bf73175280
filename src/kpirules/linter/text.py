"""Diagnostics as text, ruff-like (the location and message, the source line with a caret, then
the witness, notes and help), and as concise lines; the words of both, and the summary under them."""

from __future__ import annotations

from collections.abc import Sequence

from ..errors import KpiRulesError, Location
from ..messages import Catalog
from .diagnostics import Diagnostic

#: The words of the reports: the summary under them and the labels of a finding's lines. English
#: has plurals (a ``_one`` key for one); Chinese counts with 个 and needs none.
M = Catalog(
    "linter.formats",
    {
        "passed": ("全部检查通过（{count} 个文件）。", "All checks passed ({count} files)."),
        "passed_one": ("全部检查通过（{count} 个文件）。", "All checks passed ({count} file)."),
        "found": ("发现 {count} 个问题（{parts}）。", "Found {count} problems ({parts})."),
        "found_one": ("发现 {count} 个问题（{parts}）。", "Found {count} problem ({parts})."),
        "error": ("{count} 个错误", "{count} errors"),
        "error_one": ("{count} 个错误", "{count} error"),
        "warning": ("{count} 个警告", "{count} warnings"),
        "warning_one": ("{count} 个警告", "{count} warning"),
        "info": ("{count} 条信息", "{count} infos"),
        "info_one": ("{count} 条信息", "{count} info"),
        "parts": ("，", ", "),
        "fixable": ("[*] 其中 {count} 个可用 `--fix` 选项修复。", "[*] {count} fixable with the `--fix` option."),
        "fixed": ("已修复 {count} 个全角字符。", "Fixed {count} full-width characters."),
        "fixed_one": ("已修复 {count} 个全角字符。", "Fixed {count} full-width character."),
        "witness": ("例值：{values}", "witness: {values}"),
        "witness_values": ("，", ", "),
        "github_witness": ("（例值：{values}）", " (witness: {values})"),
        "note": ("注意：{file}:{line}:{column}：{message}", "note: {file}:{line}:{column}: {message}"),
        "help": ("提示：{help}", "help: {help}"),
    },
)


def _counted(key: str, count: int) -> str:
    """``M(key)`` for ``count`` things: the ``_one`` form for one."""
    return M(key + "_one" if count == 1 else key, count=count)


def witness_values(witness: dict[str, str]) -> str:
    return M("witness_values").join(f"{k} = {v}" for k, v in witness.items())


def _summary(diagnostics: Sequence[Diagnostic], files: int, fixed: int) -> str:
    if not diagnostics:
        text = _counted("passed", files)
    else:
        counts = {s: sum(1 for d in diagnostics if d.severity == s) for s in ("error", "warning", "info")}
        parts = [_counted(s, n) for s, n in counts.items() if n]
        found = "found_one" if len(diagnostics) == 1 else "found"
        text = M(found, count=len(diagnostics), parts=M("parts").join(parts))
        fixable = sum(1 for d in diagnostics if d.fixable)
        if fixable:
            text += "\n" + M("fixable", count=fixable)
    if fixed:
        text = _counted("fixed", fixed) + "\n" + text
    return text + "\n"


def _head(d: Diagnostic) -> str:
    mark = " [*]" if d.fixable else ""
    return f"{d.file}:{d.line}:{d.column}: {d.code}{mark} {d.message}"


def text(diagnostics: Sequence[Diagnostic], *, files: int = 1, fixed: int = 0) -> str:
    """ruff-like: the location and message, the source line with a caret, then witness and help."""
    blocks = []
    for d in diagnostics:
        location = Location(d.file, d.line, d.column, d.end_line, d.end_column, source_line=d.source_line)
        rendered = KpiRulesError(f"{d.code}{' [*]' if d.fixable else ''} {d.message}", location=location).render_one()
        lines = [rendered]
        if d.witness:
            lines.append(M("witness", values=witness_values(d.witness)))
        for rel in d.related:
            lines.append(M("note", file=d.file, line=rel.line, column=rel.column, message=rel.message))
        if d.help:
            lines.append(M("help", help=d.help))
        blocks.append("\n".join(lines))
    body = "\n\n".join(blocks)
    return (body + "\n\n" if body else "") + _summary(diagnostics, files, fixed)


def concise(diagnostics: Sequence[Diagnostic], *, files: int = 1, fixed: int = 0) -> str:
    lines = [_head(d) for d in diagnostics]
    return ("\n".join(lines) + "\n" if lines else "") + _summary(diagnostics, files, fixed)
