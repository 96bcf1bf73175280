"""Decimals as people read them: ``10`` not ``1E+1``, ``47.4%`` not ``0.474``."""

from __future__ import annotations

import datetime
import json
from decimal import MAX_EMAX, MIN_EMIN, ROUND_HALF_UP, Context, Decimal
from typing import Any

_C = Context(prec=60, Emax=MAX_EMAX, Emin=MIN_EMIN)  # shows any value a rule can hold


#: Beyond this many digits before the point a number is shown with an exponent (1E+40).
_DIGITS = 30


def _absurd(value: Decimal) -> bool:
    """More than 30 digits before or after the point: written out plainly it could take a gigabyte."""
    return value.is_finite() and bool(value) and not -_DIGITS < value.adjusted() < _DIGITS


def number(value: Decimal) -> str:
    """A decimal as plain text: no exponent, no trailing zeros beyond what it has; an absurdly
    large or small one (more than 30 digits before or after the point) with an exponent, ``1E+999998``."""
    if _absurd(value):
        return str(value.normalize(_C))
    if value == value.to_integral_value():
        return format(value.quantize(Decimal(1), context=_C), "f")
    text = format(value.normalize(_C), "f")
    if len(text.split(".")[1]) > 6:
        return "≈" + format(value.quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP, context=_C).normalize(_C), "f")
    return text


def percent(value: Decimal) -> str:
    scaled = value.scaleb(2, context=_C)
    if _absurd(scaled):
        return str(scaled.normalize(_C)) + "%"
    if scaled == scaled.to_integral_value():
        return format(scaled.quantize(Decimal(1), context=_C), "f") + "%"
    text = format(scaled.normalize(_C), "f")
    if len(text.split(".")[1]) > 2:
        return "≈" + format(scaled.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP, context=_C), "f") + "%"
    return text + "%"


def exact_json(value: Any) -> str:
    """JSON in which Decimals are number literals with their own digits (``93.74``, ``10.00``)."""
    if isinstance(value, Decimal):
        return str(value) if _absurd(value) else format(value, "f")
    if isinstance(value, datetime.date):
        return json.dumps(value.isoformat())
    if isinstance(value, dict):
        items = (f"{json.dumps(str(k), ensure_ascii=False)}: {exact_json(v)}" for k, v in value.items())
        return "{" + ", ".join(items) + "}"
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(exact_json(v) for v in value) + "]"
    return json.dumps(value, ensure_ascii=False)
