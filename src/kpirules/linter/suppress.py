"""Suppression comments in ruleset files.

::

    # kpirules: file-ignore[KPI-R102] reason     the whole file
    # kpirules: ignore[G202, B303] reason        see below for the scope

An ``ignore`` comment applies to

* the whole table when it sits on the table's header line or in the comment block directly above
  the header (no blank line between): per indicator, per measure, per ``[grades]``;
* otherwise, at the end of a line, that line (inside a multi-line rule too: a ``#`` comment of the
  rule is a comment of the file);
* otherwise, on a line of its own, the next entry (key and value, however many lines the value
  takes).

Codes are written as ``KPI-G202``, ``G202`` or by name (``unreachable-band``), separated by commas
or spaces. A reason after the ``]`` is required: without one the suppression still works and
KPI-L902 says so. A suppression that matches nothing is reported as KPI-L901.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Mapping

import attrs

from ..messages import Catalog
from ..tomlspans import Path, Span
from .catalog import find

#: What is wrong with a suppression comment (KPI-L902 says it after "suppression: ").
M = Catalog(
    "linter.suppress",
    {
        "no_codes": ("请写出要忽略的代码，如 ignore[KPI-B303]", "name the codes to ignore, as in ignore[KPI-B303]"),
        "unknown_code": ("未知的代码 `{word}`", "unknown code `{word}`"),
        "no_reason": (
            "请在 ] 之后写明理由，如 ignore[KPI-B303] 报告中列明了 25 例",
            "say why after the ], as in ignore[KPI-B303] the report states 25 cases",
        ),
    },
)

_COMMENT = re.compile(r"#\s*kpirules\s*:\s*(file-ignore|ignore)\s*(\[([^\]\n]*)\])?[ \t]*(.*)$", re.MULTILINE)


@attrs.define
class Suppression:
    kind: str  # "file" | "range"
    codes: tuple[str, ...]
    reason: str
    start: int  # the file range it covers, [start, end)
    end: int
    offset: int  # where the comment starts
    length: int
    problems: list[str] = attrs.Factory(list)  # unknown codes, a missing reason
    used: bool = False

    def covers(self, code: str, offset: int) -> bool:
        return code in self.codes and (self.kind == "file" or self.start <= offset < self.end)


def find_all(text: str, spans: Mapping[Path, Span] | None) -> list[Suppression]:
    """Every suppression comment of a file. ``spans`` (from a file that parsed) tells comments
    from ``#`` characters inside strings and gives the extent of tables and entries."""
    starts = [0] + [i + 1 for i, c in enumerate(text) if c == "\n"]
    strings: list[tuple[int, int, bool]] = []  # (start, end, is a rule or formula)
    headers: list[tuple[int, int]] = []  # (header start, header end) of every table
    entries: list[tuple[int, int]] = []  # (key start, value end) of every key
    for path, span in (spans or {}).items():
        if span.key_start == span.value_start and span.key_end == span.value_end and path:
            headers.append((span.key_start, span.key_end))
        else:
            entries.append((span.key_start, span.value_end))
            if span.text is not None:
                is_rule = bool(path) and path[-1] in ("rule", "formula")
                strings.append((span.value_start, span.value_end, is_rule))
    headers.sort()
    entries.sort()
    out: list[Suppression] = []
    for match in _COMMENT.finditer(text):
        hash_at = match.start()
        if any(a < hash_at < b and not rule for a, b, rule in strings):
            continue  # inside a string that is not a rule: text, not a comment
        line = bisect_right(starts, hash_at) - 1
        line_start = starts[line]
        own_line = not text[line_start:hash_at].strip()
        kind, codes_text, reason = match.group(1), match.group(3), match.group(4).strip()
        codes: list[str] = []
        problems: list[str] = []
        if codes_text is None or not codes_text.strip():
            problems.append(M("no_codes"))
        else:
            for word in re.split(r"[,\s]+", codes_text.strip()):
                if not word:
                    continue
                rule = find(word)
                if rule is None:
                    problems.append(M("unknown_code", word=word))
                else:
                    codes.append(rule.code)
        if not reason:
            problems.append(M("no_reason"))
        end_of_match = match.end()
        if kind == "file-ignore":
            out.append(
                Suppression("file", tuple(codes), reason, 0, len(text), hash_at, end_of_match - hash_at, problems)
            )
            continue
        start, end = _scope(text, starts, line, own_line, headers, entries)
        out.append(Suppression("range", tuple(codes), reason, start, end, hash_at, end_of_match - hash_at, problems))
    return out


def _scope(
    text: str,
    starts: list[int],
    line: int,
    own_line: bool,
    headers: list[tuple[int, int]],
    entries: list[tuple[int, int]],
) -> tuple[int, int]:
    line_start = starts[line]
    line_end = starts[line + 1] if line + 1 < len(starts) else len(text)
    # the header line itself, or the comment block right above a header: the whole table
    header = _header_at(text, starts, line, own_line, headers)
    if header is not None:
        index = headers.index(header)
        table_end = headers[index + 1][0] if index + 1 < len(headers) else len(text)
        return header[0], table_end
    if not own_line:
        return line_start, line_end
    # the next entry after this line
    for key_start, value_end in entries:
        if key_start >= line_end:
            return key_start, max(value_end, key_start + 1)
    return line_end, line_end


def _header_at(
    text: str, starts: list[int], line: int, own_line: bool, headers: list[tuple[int, int]]
) -> tuple[int, int] | None:
    line_start = starts[line]
    line_end = starts[line + 1] if line + 1 < len(starts) else len(text)
    for header in headers:
        if line_start <= header[0] < line_end:
            return header
    if not own_line:
        return None
    # walk down over comment lines; the first other line must be a header
    k = line + 1
    while k < len(starts):
        a = starts[k]
        b = starts[k + 1] if k + 1 < len(starts) else len(text)
        stripped = text[a:b].strip()
        if stripped.startswith("#"):
            k += 1
            continue
        if not stripped:
            return None
        for header in headers:
            if a <= header[0] < b:
                return header
        return None
    return None
