"""Test helpers: build a one-indicator ruleset around a rule and score values with it."""

from __future__ import annotations

import json
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
