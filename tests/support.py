"""Test helpers: build a one-indicator ruleset around a rule and score values with it."""

from __future__ import annotations

import datetime
import json
import re
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

import kpirules

MEASURES = {
    "x": {"type": "number"},
    "rate": {"type": "rate"},
    "n": {"type": "count"},
    "m": {"type": "count"},
    "ok": {"type": "bool"},
    "ok2": {"type": "bool"},
    "rating": {"type": "level", "levels": ["优", "良", "中", "差"]},
    "judged": {"type": "level", "levels": ["达成", "部分达成", "未达成"]},
    "awarded": {"type": "number"},
    "closed": {"type": "count"},
    "received": {"type": "count"},
}


def toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(toml_value(v) for v in value) + "]"
    if isinstance(value, (int, Decimal)):
        return str(value)
    if isinstance(value, datetime.date):
        return value.isoformat()  # a TOML date
    return json.dumps(value, ensure_ascii=False)


def ruleset_text(
    rule: str,
    *,
    weight: Any = 10,
    measure: str | None = "x",
    measures: Mapping[str, Mapping[str, Any]] | None = None,
    extra: str = "",
    indicator_extra: str = "",
) -> str:
    lines = ["[ruleset]", 'id = "t"', ""]
    for name, spec in (measures or MEASURES).items():
        key = name if name.isascii() else json.dumps(name, ensure_ascii=False)
        lines.append(f"[measures.{key}]")
        lines += [f"{k} = {toml_value(v)}" for k, v in spec.items()]
        lines.append("")
    lines += ["[[indicators]]", 'id = "i"', f"weight = {weight}"]
    if measure is not None:
        lines.append(f'measure = "{measure}"')
    lines.append("rule = '''" + rule + "'''")
    if indicator_extra:
        lines.append(indicator_extra)
    lines.append(extra)
    return "\n".join(lines) + "\n"


def make(rule: str, **kwargs: Any) -> kpirules.Ruleset:
    return kpirules.loads(ruleset_text(rule, **kwargs), name="t.toml")


def score(rule: str, values: Mapping[str, Any], **kwargs: Any) -> Decimal:
    """The indicator's final score for ``values``."""
    return make(rule, **kwargs).evaluate(values)["i"].score


# ---- which language a message speaks ------------------------------------------------------------
_CJK = re.compile(r"[\u3400-\u9fff]")
_OWN = re.compile(  # what is the user's own, or no language: quoted text, code, places, numbers
    r"`[^`\n]*`|'[^'\n]*'|\"[^\"\n]*\"|「[^」\n]*」|\S*[/\\]\S*|\S+\.(?:toml|csv|tsv|txt|json|xlsx|xls|xlsm|ods|parquet)\b"
    r"|KPI-[A-Z]\d{3}|\[[^\]\n]*\]|\{[^}\n]*\}|-?\d[\d.,]*(?:E[+-]?\d+)?%?"
)
_ENGLISH_RUN = re.compile(r"\b[A-Za-z]{2,}(?:[ ,;:-]+[A-Za-z]+){2,}")


def english_left(text: str) -> list[str]:
    """The runs of three or more English words a text still holds once what is the user's own (quoted
    values, code, file names, ids, numbers) and the echoed source lines are taken out."""
    kept = [line for line in text.split("\n") if not re.match(r"\s*\d*\s*\|", line)]
    return _ENGLISH_RUN.findall(_OWN.sub(" ", "\n".join(kept)))


def neutral(phrase: str) -> bool:
    """Whether ``phrase`` reads the same in every language (places, codes, numbers, quoted values)."""
    return not re.search(r"[A-Za-z]{2,}", _OWN.sub(" ", phrase))


def says(text: str, lang: str, *phrases: str) -> None:
    """In English, ``text`` holds every phrase; in Chinese, it holds the phrases that are the same in
    every language, speaks Chinese, and has no English sentence left."""
    if lang == "en":
        for phrase in phrases:
            assert phrase in text, f"{phrase!r} not in:\n{text}"
        return
    for phrase in phrases:
        if neutral(phrase):
            assert phrase in text, f"{phrase!r} not in:\n{text}"
    assert _CJK.search(text), f"no Chinese in:\n{text}"
    assert not english_left(text), f"English left: {english_left(text)} in:\n{text}"
