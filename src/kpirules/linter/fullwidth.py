"""Full-width punctuation in rules and formulas (KPI-X401), and its safe fix.

Chinese keyboards type ``：，（）`` where the rule language wants ``: , ( )``. Such a rule does not
parse, so replacing every full-width character outside the rule's quoted labels and ``#``
comments by its ASCII twin cannot change the score of any rule that works today: it only makes a
broken rule load. The fix edits the TOML file in place, escaping a ``"`` inside a basic string, and
is checked before it is applied: the edited file must be valid TOML whose rule string is exactly the
rule with the characters replaced.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

import attrs

from ..parser import FULL_WIDTH
from ..tomlspans import Path, Span

#: The characters the fix replaces: the parser's table, the ideographic space and full-width digits.
REPLACEMENTS: dict[str, str] = {
    **FULL_WIDTH,
    "\u3000": " ",
    **{chr(0xFF10 + d): str(d) for d in range(10)},
}


@attrs.frozen
class Hit:
    """One full-width character at ``index`` of a rule's text, and the file edit that fixes it."""

    path: Path
    index: int
    char: str
    ascii: str
    start: int  # file offsets of the character as written (an escape takes several)
    end: int
    replacement: str | None  # what to write in the file; None when it cannot be written safely


def rule_strings(data: Mapping[str, Any], spans: Mapping[Path, Span]) -> Iterator[tuple[Path, str, Span]]:
    """Every rule and formula of the document, with its span."""
    measures = data.get("measures")
    if isinstance(measures, dict):
        for name, body in measures.items():
            if isinstance(body, dict) and isinstance(body.get("formula"), str):
                path: Path = ("measures", name, "formula")
                if path in spans:
                    yield path, body["formula"], spans[path]
    indicators = data.get("indicators")
    if isinstance(indicators, list):
        for i, body in enumerate(indicators):
            if isinstance(body, dict) and isinstance(body.get("rule"), str):
                path = ("indicators", i, "rule")
                if path in spans:
                    yield path, body["rule"], spans[path]


def code_positions(text: str) -> Iterator[int]:
    """Indexes of the characters of a rule outside its quoted labels and comments."""
    quote: str | None = None
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if quote is not None:
            if c == quote or c == "\n":
                quote = None
        elif c in "\"'":
            quote = c
        elif c == "#":
            while i < n and text[i] != "\n":
                i += 1
            continue
        else:
            yield i
        i += 1


def scan(file_text: str, data: Mapping[str, Any], spans: Mapping[Path, Span]) -> list[Hit]:
    hits: list[Hit] = []
    for path, text, span in rule_strings(data, spans):
        if span.text is None:
            continue
        opener = file_text[span.value_start : span.value_start + 3]
        basic = opener.startswith('"')
        literal_single = opener.startswith("'") and not opener.startswith("'''")
        for i in code_positions(text):
            char = text[i]
            ascii_char = REPLACEMENTS.get(char)
            if ascii_char is None:
                continue
            start, end = span.text(i), span.text(i + 1)
            replacement: str | None = ascii_char
            if ascii_char == '"' and basic:
                replacement = '\\"'
            elif ascii_char == "'" and literal_single:
                replacement = None  # a literal string cannot hold a '
            elif ascii_char in "\"'" and opener in ('"""', "'''"):
                # a quote next to the closing delimiter could end the string early
                before, after = file_text[start - 1 : start], file_text[end : end + 1]
                if opener[0] == ascii_char and (before == ascii_char or after == ascii_char):
                    replacement = None
            hits.append(Hit(path, i, char, ascii_char, start, end, replacement))
    return hits


def apply(file_text: str, hits: list[Hit]) -> str:
    """The file with every fixable hit replaced (hits must not overlap)."""
    out = file_text
    for hit in sorted((h for h in hits if h.replacement is not None), key=lambda h: h.start, reverse=True):
        assert hit.replacement is not None
        out = out[: hit.start] + hit.replacement + out[hit.end :]
    return out


def fixed_rule(text: str, hits: list[Hit]) -> str:
    chars = list(text)
    for hit in hits:
        if hit.replacement is not None:
            chars[hit.index] = hit.ascii
    return "".join(chars)
