"""Errors a user can cause. Every one is a :class:`KpiRulesError` that knows where it comes from.

An error carries a message that says what to do, an optional :class:`Location` (file, line and
column, 1-based, columns counted in characters), an optional hint, and the source line it points
into, so that ``str(error)`` renders like a compiler diagnostic::

    rulesets/x.toml:12:31: unexpected '：' (full-width colon)
       12 | rule = "tiers { >= 95%: full, >= 90%：80% }"
          |                               ^
    hint: write the ASCII ':' instead

Several problems found in one pass (a ruleset with three unknown measures, a unit with two bad
values) are raised together: the raised error is the first problem and ``problems`` holds all.
"""

from __future__ import annotations

import errno
from collections.abc import Iterable, Sequence
from typing import NamedTuple

from .messages import Catalog, language

M = Catalog(
    "errors",
    {
        "hint": ("提示：{hint}", "hint: {hint}"),
        "one_more": ("{message}（另有 1 个问题）", "{message} (and 1 more problem)"),
        "more": ("{message}（另有 {count} 个问题）", "{message} (and {count} more problems)"),
        # why a file cannot be written, by errno (English: the system's words)
        "ENOENT": ("所在的文件夹不存在", "No such file or directory"),
        "EACCES": ("没有权限", "Permission denied"),
        "EPERM": ("不允许此操作", "Operation not permitted"),
        "EISDIR": ("这是一个文件夹", "Is a directory"),
        "ENOTDIR": ("路径中有一部分不是文件夹", "Not a directory"),
        "ENOSPC": ("磁盘空间不足", "No space left on device"),
        "EROFS": ("文件系统是只读的", "Read-only file system"),
    },
)


def os_reason(err: OSError) -> str:
    """Why reading or writing a file failed, in the current language: the system's words
    (``err.strerror``) in English, ours for the common causes in Chinese (ENOENT: the file's
    folder is missing)."""
    reason = err.strerror or str(err)
    name = errno.errorcode.get(err.errno or 0)
    if name is not None and name in M and language() != "en":
        return M(name)
    return reason


def close_matches(word: str, candidates: Iterable[str], n: int = 1, cutoff: float = 0.6) -> list[str]:
    """The ``candidates`` nearest ``word`` (:func:`difflib.get_close_matches`), for a hint that
    asks "did you mean …?"; difflib is imported only when a hint is given."""
    import difflib

    return difflib.get_close_matches(word, list(candidates), n=n, cutoff=cutoff)


_WINDOW = 100


class Location(NamedTuple):
    """A place in a file: 1-based line and column, and where known the end of the span.

    In a workbook, ``sheet`` names the sheet, ``line`` is the row and ``column`` the column (both
    1-based), and the place is written as Excel names a cell: ``units.xlsx!Sheet1!C7``.
    ``source_line`` is the text of the line, for the caret under it; the repr leaves it out.
    (A named tuple, not an attrs class: see :class:`kpirules.messages.Text`.)"""

    file: str | None
    line: int | None = None
    column: int | None = None
    end_line: int | None = None
    end_column: int | None = None
    source_line: str | None = None
    sheet: str | None = None

    def __repr__(self) -> str:
        shown = ("file", "line", "column", "end_line", "end_column", "sheet")
        return f"Location({', '.join(f'{name}={getattr(self, name)!r}' for name in shown)})"

    @property
    def cell(self) -> str | None:
        """The A1 name of a workbook cell (``"C7"``), or of a whole row (``"7:7"``); None outside a
        workbook or without a row."""
        if self.sheet is None or self.line is None:
            return None
        return f"{column_letters(self.column)}{self.line}" if self.column is not None else f"{self.line}:{self.line}"

    def __str__(self) -> str:
        if self.sheet is not None:
            parts = [self.file or "<input>", self.sheet]
            if self.cell is not None:
                parts.append(self.cell)
            return "!".join(parts)
        parts = [self.file or "<input>"]
        if self.line is not None:
            parts.append(str(self.line))
            if self.column is not None:
                parts.append(str(self.column))
        return ":".join(parts)


class KpiRulesError(Exception):
    """Base class of every error kpirules raises for bad input."""

    def __init__(
        self,
        message: str,
        *,
        location: Location | None = None,
        hint: str | None = None,
        problems: Sequence[KpiRulesError] = (),
        code: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.location = location
        self.hint = hint
        #: The linter's code for this kind of problem (``"KPI-S101"``), where the raising site gives one.
        self.code = code
        self.problems: tuple[KpiRulesError, ...] = tuple(problems) or (self,)

    @property
    def file(self) -> str | None:
        return self.location.file if self.location else None

    @property
    def line(self) -> int | None:
        return self.location.line if self.location else None

    @property
    def column(self) -> int | None:
        return self.location.column if self.location else None

    @classmethod
    def collect(cls, problems: Sequence[KpiRulesError]) -> KpiRulesError:
        """One error standing for several: the first problem's text, all of them in ``problems``."""
        first = problems[0]
        if len(problems) == 1 and isinstance(first, cls):
            return first
        message = first.message
        if len(problems) == 2:
            message = M("one_more", message=message)
        elif len(problems) > 2:
            message = M("more", message=message, count=len(problems) - 1)
        return cls(message, location=first.location, hint=first.hint, problems=problems, code=first.code)

    def render_one(self) -> str:
        """This problem alone, with its location, the source line, a caret and the hint."""
        loc = self.location
        head = f"{loc}: {self.message}" if loc else self.message
        lines = [head]
        if loc and loc.source_line is not None and loc.line is not None:
            gutter = str(loc.line)
            text, column = loc.source_line.replace("\t", " "), loc.column or 1  # a tab is one column
            if len(text) > _WINDOW:  # show a window around the column of a very long line
                first = max(0, column - 1 - _WINDOW // 2)
                text = ("…" if first else "") + text[first : first + _WINDOW] + "…"
                column = column - first + (1 if first else 0)
            lines.append(f" {gutter} | {text}")
            if loc.column is not None:
                width = 1
                if loc.end_line == loc.line and loc.end_column and loc.end_column > loc.column:
                    width = min(loc.end_column - loc.column, _WINDOW)
                pad = _display_width(text[: column - 1])
                caret_width = max(1, _display_width(text[column - 1 : column - 1 + width]))
                lines.append(f" {' ' * len(gutter)} | {' ' * pad}{'^' * caret_width}")
        if self.hint:
            lines.append(M("hint", hint=self.hint))
        return "\n".join(lines)

    def __str__(self) -> str:
        if len(self.problems) > 1 or self.problems[0] is not self:
            return "\n".join(p.render_one() for p in self.problems)
        return self.render_one()


class RulesetError(KpiRulesError):
    """A ruleset that cannot be loaded: unreadable, bad TOML, bad keys, bad rules, type errors."""


class RuleSyntaxError(RulesetError):
    """A rule that does not parse."""


class RuleTypeError(RulesetError):
    """A rule that parses but does not type-check (unknown measure, label, bool as number …)."""


class ValuesError(KpiRulesError):
    """Measured values that cannot be scored: missing, ill-typed, out of range."""


class EvaluationError(ValuesError):
    """A rule that fails on the values given: division by zero, no band matches, and so on."""


def column_letters(column: int) -> str:
    """The letters of a 1-based spreadsheet column: 1 is ``A``, 27 is ``AA``.

    >>> column_letters(1), column_letters(26), column_letters(27), column_letters(703)
    ('A', 'Z', 'AA', 'AAA')
    """
    letters = ""
    while column > 0:
        column, rest = divmod(column - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def _display_width(text: str) -> int:
    """Terminal columns of ``text``: East Asian wide and full-width characters take two."""
    import unicodedata

    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)
