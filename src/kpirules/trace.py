"""What happened while a rule scored: one small record per scoring form that ran.

The compiled rule appends these to a list when asked (see :mod:`kpirules.compiler`); results build
them lazily, on the first look at ``trace`` or ``explain()``. Spans point into the rule text.
"""

from __future__ import annotations

from decimal import Decimal

import attrs

from .ast import Span


@attrs.frozen
class PassStep:
    span: Span
    held: bool
    points: Decimal


@attrs.frozen
class ProportionalStep:
    span: Span
    kind: str  # plain | to | inverse | expr
    subject: Decimal | None  # x, for plain, to and inverse
    target: Decimal | None  # T, for to and inverse
    credit: Decimal  # before clamping to [0, 1]
    capped: Decimal  # after
    points: Decimal


@attrs.frozen
class TiersStep:
    span: Span
    subject: Decimal | str
    band: int  # index of the band that matched
    band_span: Span
    points: Decimal


@attrs.frozen
class DeductStep:
    span: Span
    mode: str  # linear | whole | started | each
    direction: str | None  # below | above (None for `each`)
    subject: Decimal
    limit: Decimal | None
    step: Decimal | None
    gap: Decimal  # shortfall or excess (the count for `each`)
    steps: Decimal  # the number of steps charged
    amount: Decimal  # points per step
    deduction: Decimal
    points: Decimal  # full − deduction, floored at zero


@attrs.frozen
class ChecklistStep:
    span: Span
    items: tuple[tuple[Span, bool, Decimal], ...]  # (item span, held, points earned)
    points: Decimal


@attrs.frozen
class GradeStep:
    span: Span
    label: str
    band_span: Span
    awarded: Decimal | None  # the points awarded `by` a measure, for interval bands
    low: Decimal | None
    high: Decimal | None
    low_closed: bool
    high_closed: bool
    points: Decimal


@attrs.frozen
class BranchStep:
    span: Span
    cond_span: Span
    held: bool


@attrs.frozen
class CombineStep:
    """``min``/``max`` of scores: the cap of ``min(full, 2 pts + proportional)``."""

    span: Span
    func: str
    args: tuple[Decimal, ...]
    points: Decimal


Step = PassStep | ProportionalStep | TiersStep | DeductStep | ChecklistStep | GradeStep | BranchStep | CombineStep
