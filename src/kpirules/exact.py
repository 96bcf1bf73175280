"""Exact arithmetic, stated once: the decimal context every rule computes in, the snap that puts a
value computed through a quotient back on a boundary, the shape of a compiled rule, and the
failure a rule meets on values it cannot score.

Arithmetic runs in :data:`CONTEXT`, a decimal context with 60 significant digits. Sums and
products of the decimals a ruleset holds are exact in it; a quotient that does not terminate is
carried to 60 digits, far beyond the 10**-precision a score is rounded to, so the rounded score is
the exact rational result rounded (see docs/design.md).
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Mapping, Sequence
from decimal import (
    ROUND_HALF_EVEN,
    ROUND_HALF_UP,
    Context,
    Decimal,
    DivisionByZero,
    InvalidOperation,
    Overflow,
)
from typing import Any

from . import ast

CONTEXT = Context(
    prec=60, rounding=ROUND_HALF_EVEN, Emax=999_999, Emin=-999_999, traps=[InvalidOperation, DivisionByZero, Overflow]
)
ZERO = Decimal(0)
ONE = Decimal(1)
#: The floor of an indicator with ``floor = "none"``: no score is at or below it.
NO_FLOOR = Decimal("-Infinity")

#: Values computed through a quotient that may not terminate are rounded to 40 significant digits
#: before anything that is not continuous in them (a comparison, a band test, whole or started
#: steps, round(), the final rounding). A 60-digit quotient is off by about 10**-60 relative; the
#: snap puts a value that is exactly on a boundary (3 × 5/24 = 0.625) back on it, while a value that
#: is not on a boundary is far more than 10**-40 away from it. See docs/design.md.
SNAP = Context(prec=40, rounding=ROUND_HALF_EVEN, Emax=999_999, Emin=-999_999)
snap = SNAP.plus

Env = dict[str, Any]
#: ``None`` on the fast path; else the list that scoring forms and operations on scores add their
#: records to (:mod:`kpirules.trace`).
Trace = list[Any] | None
Fn = Callable[[Env, Trace], Any]
#: A compiled form over many rows at once (see :mod:`kpirules.batch`): ``g(columns, n)`` gives, for
#: ``n`` rows whose values are all there, the list of what ``f(env, None)`` gives row by row. It
#: raises where some row would fail; the caller then runs ``f`` row by row.
ColumnFn = Callable[[Mapping[str, Sequence[Any]], int], Sequence[Any]]

NUMERIC_OPS: dict[str, Callable[[Any, Any], bool]] = {
    ">=": operator.ge,
    "<=": operator.le,
    ">": operator.gt,
    "<": operator.lt,
    "==": operator.eq,
    "!=": operator.ne,
}
# Labels are ranked best first (rank 0), so "at least as good" is "rank at most".
RANK_OPS: dict[str, Callable[[Any, Any], bool]] = {
    ">=": operator.le,
    "<=": operator.ge,
    ">": operator.lt,
    "<": operator.gt,
    "==": operator.eq,
    "!=": operator.ne,
}


class EvalFailure(Exception):
    """A rule that cannot be scored on these values; the evaluator adds the indicator and place.

    ``message`` and ``hint`` are said in the language current when the failure is raised; ``key``
    names the kind of failure in no language (``"division_by_zero"``, ``"grade_outside_band"`` …:
    the key of its message in the raising module's catalog), for code that tells failures apart."""

    def __init__(self, span: ast.Span, message: str, hint: str | None = None, *, key: str | None = None) -> None:
        super().__init__(message)
        self.span = span
        self.message = message
        self.hint = hint
        self.key = key


def clamp(raw: Decimal, weight: Decimal, floored: bool = True) -> Decimal:
    """A rule's points kept within ``[0, weight]`` (扣完为止, 最高不超过分值), or at most ``weight``
    for an indicator with ``floor = "none"`` (``floored`` false); not rounded."""
    return min(max(raw, ZERO) if floored else raw, weight)


def quantizer(precision: int) -> Decimal:
    return Decimal(1).scaleb(-precision)


def rounding_mode(name: str) -> str:
    return ROUND_HALF_EVEN if name == "half-even" else ROUND_HALF_UP
