"""The published table as the consistency checks and the search see it (:class:`TableIn`: its
rows, subtotals, total and grade, with the scores the rules give), and the arithmetic of its
ruleset's precision (:class:`Arithmetic`: rounding, and whether a score fits a weight and a rate)."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Context, Decimal

import attrs

from ..exact import quantizer, rounding_mode
from .findings import RoundedFigure
from .printed import C, decimals, interval


@attrs.frozen
class RowIn:
    """One indicator as the search sees it. ``score``, ``rate`` … are as printed (None when the
    table does not print them); ``fixed`` is the score the rules give, or None."""

    id: str
    weight: Decimal
    printed: bool = True
    printed_weight: Decimal | None = None
    score: Decimal | None = None
    rate: Decimal | None = None
    text_rate: Decimal | None = None
    text_score: Decimal | None = None
    fixed: Decimal | None = None
    #: the measured rates the row's rule reads (a table may print one in the rate column)
    measured: tuple[Decimal, ...] = ()
    #: the table's note giving a printed 0 its reason ("未按时公开，不得分"): the 0 is deliberate
    note: str | None = None
    #: figures the report prints rounded at which the rule gives another score than at the exact value
    rounded: tuple[RoundedFigure, ...] = ()
    #: False for an indicator with ``floor = "none"``: a negative score is a score
    floored: bool = True

    def possible(self, value: Decimal) -> bool:
        """Whether ``value`` is within the row's scores: [0, weight], or at most the weight for
        floor = "none"."""
        return value <= self.weight and (value >= 0 or not self.floored)

    @property
    def deliberate(self) -> bool:
        """A printed 0 whose reason the table's note gives: kept by the reconstruction where the
        rules cannot recompute the row."""
        return self.note is not None and self.score is not None and self.score == 0


@attrs.frozen
class SubtotalIn:
    """A subtotal row as the search sees it: the rows it adds up (indices into ``TableIn.rows``),
    its weight by the ruleset (the sum of theirs) and its figures as printed."""

    label: str
    members: tuple[int, ...]
    weight: Decimal
    printed_weight: Decimal | None = None
    score: Decimal | None = None
    rate: Decimal | None = None


@attrs.frozen
class TableIn:
    rows: tuple[RowIn, ...]  # printed rows in table order, then rows missing from the table
    total: Decimal | None
    grade: str | None
    grades: tuple[tuple[str, Decimal], ...]  # highest bound first
    precision: int
    rounding: str = "half-up"
    subtotals: tuple[SubtotalIn, ...] = ()


def overlap(a: Decimal, b: Decimal) -> bool:
    """Whether two printed figures can stand for the same exact value."""
    (lo_a, hi_a), (lo_b, hi_b) = interval(a), interval(b)
    return lo_a <= hi_b and lo_b <= hi_a


def band(grades: Sequence[tuple[str, Decimal]], total: Decimal) -> str | None:
    for label, bound in grades:
        if total >= bound:
            return label
    return None


class Arithmetic:
    """Rounding and the consistency tests of one ruleset's precision."""

    def __init__(self, precision: int, rounding: str) -> None:
        self.quantum = quantizer(precision)
        self.half = self.quantum / 2
        self.precision = precision
        self.context = Context(prec=C.prec, rounding=rounding_mode(rounding))

    def round(self, value: Decimal) -> Decimal:
        return self.context.quantize(value, self.quantum)

    def is_score(self, value: Decimal) -> bool:
        return decimals(value) <= self.precision or value == value.quantize(self.quantum, context=C)

    def same_score(self, printed: Decimal, exact: Decimal) -> bool:
        """A printed score equals a score: exactly (a printed ``10`` is 10.00: tables drop trailing
        zeros), or, printed with more decimals than the precision, once rounded."""
        if decimals(printed) <= self.precision:
            return printed == exact
        return self.round(printed) == exact

    def rate_fits(self, score: Decimal, weight: Decimal, rate: Decimal) -> bool:
        """Whether ``score`` can be ``weight × r`` rounded as the ruleset rounds, for some exact
        rate ``r`` that rounds to the printed ``rate`` at the decimals it is printed with.

        The rate's interval is closed (how the report rounded it is unknown); the score's is the
        one the ruleset's rounding gives: half-up [s − q/2, s + q/2) ((s − q/2, s + q/2] for a
        negative score: half up on the magnitude), half-even closed for an even
        last digit and open for an odd one. A score printed with more decimals than the precision
        stands for its own closed interval."""
        half_rate = Decimal(5).scaleb(-decimals(rate) - 1, context=C)
        low = C.multiply(weight, C.subtract(rate, half_rate))
        high = C.multiply(weight, C.add(rate, half_rate))
        if decimals(score) > self.precision:
            half = Decimal(5).scaleb(-decimals(score) - 1, context=C)
            a, b, a_closed, b_closed = C.subtract(score, half), C.add(score, half), True, True
        else:
            a, b = C.subtract(score, self.half), C.add(score, self.half)
            if self.context.rounding == "ROUND_HALF_EVEN":
                last = int(score.scaleb(self.precision, context=C)) % 2
                a_closed = b_closed = last == 0
            elif score < 0:  # half up on the magnitude (floor = "none"): -2.345 → -2.35
                a_closed, b_closed = False, True
            else:
                a_closed, b_closed = True, False
        lo, hi = max(low, a), min(high, b)
        if lo < hi:
            return True
        if lo > hi:
            return False
        return (lo > a or a_closed) and (lo < b or b_closed)
