"""Measured values in, exact values out: numbers become Decimals, labels are checked, and every
problem with a value is described in words that name the measure, the value and what was expected.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from decimal import Context, Decimal, InvalidOperation
from typing import Any

from .model import Measure

Converted = Decimal | bool | str

_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")
_GROUPED = re.compile(r"[+-]?\d{1,3}(,\d{3})+(\.\d+)?")
_TRUE = frozenset({"true", "yes", "y", "1", "是", "对", "√", "✓"})
_FALSE = frozenset({"false", "no", "n", "0", "否", "错", "×", "✗"})


_EXACT = Context(prec=60)  # value parsing never depends on the caller's decimal context


class ValueProblem(Exception):
    """One unusable value; the caller adds the location."""


def _describe(raw: object) -> str:
    return repr(raw) if isinstance(raw, str) else str(raw)


def parse_number(raw: object, *, percent_ok: bool = True) -> Decimal:
    """An exact Decimal from an int, float, Decimal or numeric string ("47.4%", "1,234.5")."""
    if isinstance(raw, bool):
        raise ValueProblem(f"{raw} is a yes/no value, not a number")
    if isinstance(raw, int):
        return Decimal(raw)
    if isinstance(raw, float):
        if not math.isfinite(raw):
            raise ValueProblem(f"{raw} is not a finite number")
        return Decimal(repr(raw))
    if isinstance(raw, Decimal):
        if not raw.is_finite():
            raise ValueProblem(f"{raw} is not a finite number")
        return raw
    if isinstance(raw, str):
        text = raw.strip().replace("％", "%")
        scale = 0
        if text.endswith("%") or text.endswith("‰"):
            if not percent_ok:
                raise ValueProblem(f"{raw!r} is a percentage; give a plain number")
            scale = -2 if text.endswith("%") else -3
            text = text[:-1].strip()
        if _GROUPED.fullmatch(text):
            text = text.replace(",", "")
        if not _NUMBER.fullmatch(text):
            raise ValueProblem(f"{raw!r} is not a number")
        try:
            return Decimal(text).scaleb(scale, context=_EXACT)
        except InvalidOperation:  # pragma: no cover - the pattern admits only valid numbers
            raise ValueProblem(f"{raw!r} is not a number") from None
    raise ValueProblem(f"{_describe(raw)} ({type(raw).__name__}) is not a number")


def _number(measure: Measure) -> Callable[[Any], Converted]:
    rng = measure.range
    count = measure.type == "count"
    percent_ok = measure.type in ("rate", "number")
    what = {
        "rate": 'a rate such as 0.95 or "95%"',
        "count": "a whole number of 0 or more",
        "amount": "an amount",
        "number": "a number",
    }[measure.type]

    def convert(raw: Any) -> Converted:
        try:
            value = parse_number(raw, percent_ok=percent_ok)
        except ValueProblem as err:
            raise ValueProblem(f"{err}; expected {what}") from None
        if count and (value < 0 or value != value.to_integral_value()):
            raise ValueProblem(f"{_describe(raw)} is not a whole number of 0 or more")
        if rng is not None and not (rng[0] <= value <= rng[1]):
            raise ValueProblem(f"{_describe(raw)} is outside the declared range [{rng[0]}, {rng[1]}]")
        return value

    return convert


def _bool(raw: Any) -> Converted:
    if isinstance(raw, bool):
        return raw
    if isinstance(raw, int) and not isinstance(raw, bool) and raw in (0, 1):
        return raw == 1
    if isinstance(raw, str):
        text = raw.strip().lower()
        if text in _TRUE:
            return True
        if text in _FALSE:
            return False
    raise ValueProblem(f"{_describe(raw)} is not a yes/no value; expected true or false")


def _level(measure: Measure) -> Callable[[Any], Converted]:
    levels = measure.levels or ()
    allowed = frozenset(levels)

    def convert(raw: Any) -> Converted:
        if isinstance(raw, str) and raw.strip() in allowed:
            return raw.strip()
        listed = ", ".join(levels)
        raise ValueProblem(f"{_describe(raw)} is not a level of {measure.name}; expected one of {listed}")

    return convert


class MissingValue(Exception):
    """Raised by a converter for ``None`` or an empty string: the measure has no value."""


def converter(measure: Measure) -> Callable[[Any], Converted]:
    """The function that turns a raw value for ``measure`` into its exact form.

    It raises :class:`ValueProblem` for a value it cannot use and :class:`MissingValue` for "no
    value". The common cases (a float, int or Decimal for a number, a bool, a declared label) are
    decided in a few type checks; everything else goes the full way, which also explains problems.
    """
    full: Callable[[Any], Converted]
    if measure.type == "bool":
        full = _bool

        def to_bool(raw: Any) -> Converted:
            if raw is True or raw is False:
                return bool(raw)
            if is_missing(raw):
                raise MissingValue
            return full(raw)

        return to_bool
    if measure.type == "level":
        allowed = frozenset(measure.levels or ())
        full = _level(measure)

        def to_label(raw: Any) -> Converted:
            if type(raw) is str and raw in allowed:
                return raw
            if is_missing(raw):
                raise MissingValue
            return full(raw)

        return to_label
    full = _number(measure)
    low, high = measure.range if measure.range is not None else (None, None)
    count = measure.type == "count"

    def to_number(raw: Any) -> Converted:
        kind = type(raw)
        value: Decimal | None = None
        if kind is float:
            if raw - raw == 0.0 and not count:  # finite
                value = Decimal(repr(raw))
        elif kind is int:
            if not count or raw >= 0:
                value = Decimal(raw)
        elif kind is Decimal and raw.is_finite() and not count:
            value = raw
        if value is not None and (low is None or low <= value <= high):  # type: ignore[operator]
            return value
        if is_missing(raw):
            raise MissingValue
        return full(raw)

    return to_number


def is_missing(raw: object) -> bool:
    """``None`` and empty strings (empty CSV cells) mean "no value"."""
    return raw is None or (isinstance(raw, str) and not raw.strip())
