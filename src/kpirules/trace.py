"""What happened while a rule scored: one small record per scoring form and per operation on scores.

This module holds the records of the operations on scores; each scoring form defines its own in
its module of :mod:`kpirules.forms`. The compiled rule appends them to a list when asked (see
:mod:`kpirules.compiler`); results build them lazily, on the first look at ``trace`` or
``explain()``. Spans point into the rule text.

Every score the rule computes, other than a constant, leaves a record, and the records come in the
order that ends at the rule's points: an operation follows the records of its operands; a form that
chooses (``pass if``, ``tiers``, ``if … then … else``) is followed by the records of what it chose,
whose last figure is its own. So the last record of a trace gives the rule's points.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Protocol

import attrs

from .ast import Span


@attrs.frozen
class BranchStep:
    """``if … then … else`` over scores: which branch, and the points it gave."""

    span: Span
    cond_span: Span
    held: bool
    points: Decimal


@attrs.frozen
class CombineStep:
    """An operation on scores: ``+ - * /`` (``func`` is the operator), ``neg`` (``-a``), ``abs``,
    ``min`` and ``max``, such as the cap of ``min(full, 2 pts + proportional)``. ``points`` is the
    result, a number of points unless ``score`` is false (a ratio of two scores)."""

    span: Span
    func: str
    args: tuple[Decimal, ...]
    points: Decimal
    score: bool = True


@attrs.frozen
class CompareStep:
    """A comparison of two scores, such as ``proportional >= 5 pts``."""

    span: Span
    op: str
    left: Decimal
    right: Decimal
    held: bool


class Step(Protocol):
    """A record of a trace: one of this module's, or a scoring form's own (each form module of
    :mod:`kpirules.forms` defines the records it leaves, such as ``TiersStep``)."""

    span: Span
