"""TOML with exact decimals: a syntax error names its line and column in the user's language, and a
string, array or table left open at the end names where it began."""

from __future__ import annotations

import re
import sys
from collections.abc import Callable
from typing import Any

from ..errors import RulesetError
from ..source import SourceFile
from ..values import (
    NumberTooLarge,
    exact_number,
)

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib


from .words import M, _toml_words

_TOML_POSITION = re.compile(r"\(at line (\d+), column (\d+)\)")


def parse_toml(source: SourceFile, parse_float: Callable[[str], Any] = exact_number) -> dict[str, Any]:
    """Parse TOML with exact decimals; syntax errors name their line and column, and so does a
    number no Decimal holds (unless ``parse_float`` keeps it for the caller to place)."""
    try:
        return tomllib.loads(source.text, parse_float=parse_float)
    except NumberTooLarge as err:
        at = source.text.find(err.text)
        raise RulesetError(
            M("invalid_toml", detail=err),
            location=source.location(max(at, 0), max(at, 0) + len(err.text)),
            hint=M("too_large_hint"),
            code="KPI-E001",
        ) from None
    except tomllib.TOMLDecodeError as err:
        message = str(err)
        match = _TOML_POSITION.search(message)
        location = None
        if match:
            line, col = int(match.group(1)), int(match.group(2))
            location = source.location(_offset(source, line, col))
            message = _toml_words(message[: match.start()].strip())
        elif message.endswith(_AT_END):  # say where the string or array that runs to the end began
            start = _unclosed_start(source.text)
            if start is not None:
                location = source.location(start)
                message = M(_UNCLOSED[source.text[start]])
            else:
                location = source.location(len(source.text))
                message = M("at_end", detail=_toml_words(message[: -len(_AT_END)].strip()))
        else:
            message = _toml_words(message)
        hint = None
        if location is not None and location.source_line is not None and location.column is not None:
            rest = location.source_line[location.column - 1 :]
            if rest[:1] and not rest[:1].isascii():  # TOML bare keys are ASCII: [measures.预算执行率]
                hint = M("quote_keys_hint")
        raise RulesetError(M("invalid_toml", detail=message), location=location, hint=hint, code="KPI-E001") from None
    except RecursionError:
        raise RulesetError(
            M("invalid_toml", detail=M("too_deep")), location=source.location(0), code="KPI-E001"
        ) from None


_AT_END = "(at end of document)"
_UNCLOSED = {'"': "unclosed_string", "'": "unclosed_string", "[": "unclosed_array", "{": "unclosed_table"}


def _unclosed_start(text: str) -> int | None:
    """Where the string, array or inline table that TOML found unclosed at the end began: the
    first one opened and never closed, outside comments."""
    opened: list[int] = []  # offsets of [ and { still open
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        if ch == "#":
            end = text.find("\n", i)
            i = n if end < 0 else end
        elif ch in "\"'":
            quote = ch * 3 if text.startswith(ch * 3, i) else ch
            j = i + len(quote)
            while j < n and not text.startswith(quote, j):
                if len(quote) == 1 and text[j] == "\n":
                    return i
                j += 2 if ch == '"' and text[j] == "\\" else 1
            if j >= n:
                return i
            i = j + len(quote)
            continue
        elif ch in "[{":
            opened.append(i)
        elif ch in "]}" and opened:
            opened.pop()
        i += 1
    return opened[0] if opened else None


def _offset(source: SourceFile, line: int, col: int) -> int:
    lines = source.text.split("\n")
    return sum(len(x) + 1 for x in lines[: line - 1]) + col - 1
