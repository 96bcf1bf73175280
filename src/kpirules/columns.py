"""The column form of the converters (:func:`kpirules.values.converter`): one measure's raw values
of many rows converted at once, for ``evaluate_many`` (:mod:`kpirules.batch`).

Columns of floats, ints, Decimals or bools are converted with builtins over the whole column; texts
(a CSV file's cells) are parsed once each while they repeat; anything else goes value by value
through the one-value converter, which the column form equals value for value
(``tests/test_batch.py``).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from decimal import Decimal
from typing import Any

from .model import LEVEL_TYPES, Measure
from .values import MissingValue, converter, fast_limits, float_exact


class _Marker:
    __slots__ = ("name",)

    def __init__(self, name: str) -> None:
        self.name = name

    def __repr__(self) -> str:
        return self.name


#: In a converted column: the row has no value for the measure (``None``, absent or blank).
MISSING: Any = _Marker("MISSING")
#: In a converted column: the value has a problem. The row is scored alone, which reports it.
BAD: Any = _Marker("BAD")

#: At most this many texts stay parsed per measure, for one call of ``evaluate_many``.
TEXTS_KEPT = 1 << 14
#: Once this many texts of a measure have been seen and more than ``TEXTS_NEW`` of them were new,
#: the measure's texts are parsed one by one for the rest of the call: they do not repeat.
TEXTS_SEEN, TEXTS_NEW = 4096, 0.9


class Texts:
    """A measure's texts already parsed, for one call of ``evaluate_many`` (CSV cells repeat: yes
    and no, labels, small counts, rates printed to two decimals)."""

    __slots__ = ("each", "new", "parsed", "seen")

    def __init__(self) -> None:
        self.parsed: dict[str, Any] = {}
        self.seen = 0  # texts looked up
        self.new = 0  # of which were parsed
        self.each = False  # they do not repeat: parse them one by one


Column = Sequence[Any]
ColumnConverter = Callable[[Column, Texts], tuple[bool, Column]]


def column_converter(measure: Measure) -> ColumnConverter:  # noqa: C901 - the column form of converter: one branch per measure type, for speed
    """The function that converts one measure's raw values of many rows at once.

    ``convert(raws, texts)`` returns ``(clean, values)``: ``values[i]`` is exactly what
    :func:`converter` gives for ``raws[i]``, or :data:`MISSING` or :data:`BAD` (never when
    ``clean`` is true). Columns of floats, ints, Decimals or bools are converted with builtins
    over the whole column. Texts (a CSV file's cells) are parsed once each while they repeat
    (:class:`Texts`, the caller's, kept for one call). Anything else goes value by value through
    :func:`converter`.
    """
    one = converter(measure)

    def value_of(raw: Any) -> Any:
        if raw is None:
            return MISSING
        try:
            return one(raw)
        except MissingValue:
            return MISSING
        except Exception:  # scored alone, the row reports it as evaluate() does
            return BAD

    def each(raws: Column) -> tuple[bool, Column]:
        return False, list(map(value_of, raws))

    def strings(raws: Column, texts: Texts) -> tuple[bool, Column]:
        if texts.each:
            return each(raws)
        parsed = texts.parsed
        new = set(raws).difference(parsed)
        texts.seen += len(raws)
        texts.new += len(new)
        if texts.seen >= TEXTS_SEEN and texts.new > texts.seen * TEXTS_NEW:
            texts.each = True
            parsed.clear()
            return each(raws)
        if len(parsed) + len(new) > TEXTS_KEPT:
            parsed.clear()
            new = set(raws)
        parsed.update(zip(new, map(value_of, new), strict=True))
        return False, list(map(parsed.__getitem__, raws))

    if measure.type == "bool":

        def convert_bools(raws: Column, texts: Texts) -> tuple[bool, Column]:
            kinds = set(map(type, raws))
            if kinds == {bool}:
                return True, raws
            if kinds == {str}:
                return strings(raws, texts)
            return each(raws)

        return convert_bools

    if measure.type in LEVEL_TYPES:
        allowed = frozenset(measure.levels or ())

        def convert_labels(raws: Column, texts: Texts) -> tuple[bool, Column]:
            kinds = set(map(type, raws))
            if kinds == {str}:
                if allowed.issuperset(raws):
                    return True, raws
                return strings(raws, texts)
            return each(raws)

        return convert_labels

    if measure.type == "date":

        def convert_dates(raws: Column, texts: Texts) -> tuple[bool, Column]:
            if set(map(type, raws)) == {str}:
                return strings(raws, texts)
            return each(raws)

        return convert_dates

    limits = fast_limits(measure)
    low_open = limits is None or limits[0].is_infinite()
    high_open = limits is None or limits[1].is_infinite()
    count = measure.type == "count"
    isfinite, is_finite = math.isfinite, Decimal.is_finite

    def in_range(values: Column, raws: Column, exact: Callable[[Any], Decimal]) -> tuple[bool, Column]:
        """``values`` (the exact ``raws``), if all are within the limits; else each one outside
        them marked BAD (for the full way to explain). The least and the largest are found among
        the raw numbers, which compare faster than Decimals: ``exact`` keeps their order (the
        shortest repr of a float, an int's own value)."""
        if limits is None:
            return True, values
        low, high = limits
        # an end that is infinite needs no look (an amount or a count: 0 or more)
        if (low_open or low <= exact(min(raws))) and (high_open or exact(max(raws)) <= high):
            return True, values
        return False, [v if low <= v <= high else BAD for v in values]

    def convert_numbers(raws: Column, texts: Texts) -> tuple[bool, Column]:
        kinds = set(map(type, raws))
        if len(kinds) != 1:
            return each(raws)
        kind = kinds.pop()
        if kind is float and not count and all(map(isfinite, raws)):
            return in_range(list(map(Decimal, map(repr, raws))), raws, float_exact)
        if kind is int and (not count or min(raws) >= 0):
            return in_range(list(map(Decimal, raws)), raws, Decimal)
        if kind is Decimal and not count and all(map(is_finite, raws)):
            return in_range(raws, raws, Decimal)
        if kind is str:
            return strings(raws, texts)
        return each(raws)

    return convert_numbers
