"""Writing a ``[[tests]]`` case as TOML text, ready to paste into a test file."""

from __future__ import annotations

import datetime
import json
from collections.abc import Mapping
from decimal import Decimal
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ..model import Measure


def _key(name: str) -> str:
    bare = name and all(c.isascii() and (c.isalnum() or c in "_-") for c in name)
    return name if bare else json.dumps(name, ensure_ascii=False)


def toml_value(value: Any) -> str:
    """A value as TOML writes it: exact numbers bare, text (and percentages) quoted."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, datetime.date):
        return value.isoformat()  # a TOML date
    return json.dumps(str(value), ensure_ascii=False)


def inline_table(values: Mapping[str, Any]) -> str:
    if not values:
        return "{}"
    return "{ " + ", ".join(f"{_key(k)} = {toml_value(v)}" for k, v in values.items()) + " }"


def case_text(
    name: str,
    values: Mapping[str, Any] | None,
    *,
    scores: Mapping[str, Decimal] | None = None,
    total: Decimal | None = None,
    grade: str | None = None,
    comment: str | None = None,
) -> str:
    """``[[tests]]`` with ``name``, ``values`` (``"own"`` when None) and ``expect``."""
    expect: list[str] = []
    if total is not None:
        expect.append(f'total = "{total}"')
    if grade is not None:
        expect.append(f"grade = {toml_value(grade)}")
    if scores:
        inner = ", ".join(f'{_key(k)} = "{v}"' for k, v in scores.items())
        expect.append(f"scores = {{ {inner} }}")
    lines = []
    if comment:
        lines += [f"# {line}" for line in comment.split("\n")]
    shown = inline_table(values) if values is not None else '"own"'
    lines += [
        "[[tests]]",
        f"name = {toml_value(name)}",
        f"values = {shown}",
        f"expect = {{ {', '.join(expect)} }}",
    ]
    return "\n".join(lines) + "\n"


def shown_value(measure: Measure, raw: Any) -> Any:
    """A value as a case writes it: a rate as a percentage string, a whole number as an int."""
    if isinstance(raw, Decimal) and not isinstance(raw, bool):
        if measure.type == "rate":
            return format(raw.scaleb(2).normalize(), "f") + "%"
        if raw == raw.to_integral_value():
            return int(raw)
        return raw.normalize()
    return raw


def shown_values(measures: Mapping[str, Measure], values: Mapping[str, Any]) -> dict[str, Any]:
    return {k: shown_value(measures[k], v) if k in measures else v for k, v in values.items()}
