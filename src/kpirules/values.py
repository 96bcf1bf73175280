"""Measured values in, exact values out: numbers become Decimals, labels are checked, and every
problem with a value is described in words that name the measure, the value and what was expected.
"""

from __future__ import annotations

import decimal
import math
import re
from collections.abc import Callable, Sequence
from decimal import Context, Decimal, DecimalException, InvalidOperation
from typing import Any

from .model import Measure

Converted = Decimal | bool | str

_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")
_GROUPED = re.compile(r"[+-]?\d{1,3}(,\d{3})+(\.\d+)?")
_TRUE = frozenset({"true", "yes", "y", "1", "是", "对", "√", "✓"})
_FALSE = frozenset({"false", "no", "n", "0", "否", "错", "×", "✗"})


_EXACT = Context(prec=60)  # value parsing never depends on the caller's decimal context
#: For words about a value (``1e999999`` as a percentage): exponents never overflow here.
_WIDE = Context(prec=60, Emax=decimal.MAX_EMAX, Emin=decimal.MIN_EMIN)


class ValueProblem(Exception):
    """One unusable value; the caller adds the location. ``hint``: how to write it, where known."""

    def __init__(self, message: str, hint: str | None = None) -> None:
        super().__init__(message)
        self.hint = hint


class NumberTooLarge(ValueError):
    """A number literal (TOML, JSON) whose exponent no Decimal holds: ``1e9999999999999999999``."""

    def __init__(self, text: str) -> None:
        super().__init__(f"{text} is too large or too small a number to compute with")
        self.text = text


def exact_number(text: str) -> Decimal:
    """A TOML or JSON number literal as an exact Decimal (their ``parse_float``); one no Decimal
    can hold raises :class:`NumberTooLarge`, which a reader turns into a located error."""
    try:
        return Decimal(text)
    except DecimalException:
        raise NumberTooLarge(text) from None


def _describe(raw: object) -> str:
    return repr(raw) if isinstance(raw, str) else str(raw)


def _sized(value: Decimal) -> Decimal:
    """``value``, if exact scoring can hold it (an exponent within ±999999, as for a number typed
    as text)."""
    if value and not _EXACT.Emin <= value.adjusted() <= _EXACT.Emax:
        raise ValueProblem(f"{show(value)} is too large or too small a number")
    return value


def parse_number(raw: object, *, percent_ok: bool = True) -> Decimal:
    """An exact Decimal from an int, float, Decimal or numeric string ("47.4%", "1,234.5")."""
    if isinstance(raw, bool):
        raise ValueProblem(f"{raw} is a yes/no value, not a number")
    if isinstance(raw, int):
        return _sized(Decimal(raw))
    if isinstance(raw, float):
        if not math.isfinite(raw):
            raise ValueProblem(f"{raw} is not a finite number")
        return Decimal(repr(raw))
    if isinstance(raw, Decimal):
        if not raw.is_finite():
            raise ValueProblem(f"{raw} is not a finite number")
        return _sized(raw)
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
        except DecimalException:  # an exponent beyond Decimal's range: 9e999999999
            raise ValueProblem(f"{raw!r} is too large or too small a number") from None
    raise ValueProblem(f"{_describe(raw)} ({type(raw).__name__}) is not a number")


def _number(measure: Measure) -> Callable[[Any], Converted]:
    rng = measure.range
    count = measure.type == "count"
    percent_ok = measure.type in ("rate", "number")
    from_zero = rng is None and measure.type in ("rate", "amount")  # see natural_limits
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
            raise ValueProblem(
                f"{_describe(raw)} is outside the declared range [{show(rng[0])}, {show(rng[1])}]",
                _range_hint(measure, raw, value),
            )
        if from_zero and value < 0:
            raise ValueProblem(
                f"{_describe(raw)} is negative, and {measure.name} declares no range that allows it",
                f"{_ARTICLE[measure.type]} with no `range` is 0 or more; if it can be negative, declare "
                f"its range under [measures.{measure.name}], such as range = {_EXAMPLE_RANGE[measure.type]}",
            )
        if from_zero and measure.type == "rate" and value >= BARE_RATE_LIMIT and not has_percent(raw):
            shown, fraction, percent = (show(value.scaleb(n, context=_WIDE)) for n in (0, -2, 2))
            raise ValueProblem(
                f"{_describe(raw)} as a rate is {percent} %, and {measure.name} declares no range that allows it",
                f'a rate is a fraction of 1: write {shown} % as "{shown}%" or {fraction}; if the rate can '
                f"reach {percent} %, declare its range under [measures.{measure.name}]",
            )
        return value

    return convert


_ARTICLE = {"rate": "a rate", "amount": "an amount"}
_EXAMPLE_RANGE = {"rate": "[-1, 1]", "amount": "[-1e9, 1e9]"}

#: A rate with no declared range, given as a bare number (no %), must be below this: ``86.5`` is
#: 8,650 %, far more likely 86.5 % typed without its sign. Written ``"1500%"`` it is taken as is.
BARE_RATE_LIMIT = Decimal(10)


def fast_limits(measure: Measure) -> tuple[Decimal, Decimal, Decimal] | None:
    """``(low, high, cap)``: a bare number ``v`` with ``low <= v <= high and v < cap`` is a good
    value of ``measure`` as it is; None where any number is (a plain number with no range).

    Without a declared ``range``, counts, amounts and rates are 0 or more (the linter's natural
    domain is the same, so that what lint proves is what the scorer accepts), and a rate given as
    a bare number is below :data:`BARE_RATE_LIMIT`. Everything else goes the full way, which
    refuses it or explains it.
    """
    if measure.range is not None:
        return measure.range[0], measure.range[1], _INFINITY
    if measure.type == "rate":
        return Decimal(0), _INFINITY, BARE_RATE_LIMIT
    if measure.type in ("amount", "count"):
        return Decimal(0), _INFINITY, _INFINITY
    return None


_INFINITY = Decimal("Infinity")


def has_percent(raw: Any) -> bool:
    """Whether ``raw`` is a text written as a percentage or per mille (``"86.5%"``)."""
    return isinstance(raw, str) and raw.strip().endswith(("%", "％", "‰"))


def show(number: Decimal) -> str:
    """``number`` as people write it (``95``, ``0.953``), in exponent form past 30 digits."""
    try:
        normal = number.normalize(context=_WIDE)
    except DecimalException:  # pragma: no cover - normalising a finite Decimal does not fail here
        return str(number)
    return format(normal, "f" if -30 < normal.adjusted() < 30 else "E")


def _range_hint(measure: Measure, raw: Any, value: Decimal) -> str | None:
    """For a rate outside its declared range: how to write it where a bare number of 2 or more fits
    the range only as a percentage (``95`` for 95 %); else what the range means in percent (below
    2, ``1.5`` is as likely 150 % as 1.5 %: no guess)."""
    if measure.type != "rate" or measure.range is None:
        return None
    low, high = measure.range
    as_percent = value.scaleb(-2, context=_WIDE)
    if value >= 2 and not has_percent(raw) and low <= as_percent <= high:
        shown, fraction = show(value), show(as_percent)
        return f'a rate is a fraction of 1: write {shown} % as "{shown}%" or {fraction}'
    return (
        f"the range [{show(low)}, {show(high)}] is {show(low.scaleb(2, context=_WIDE))} % to "
        f"{show(high.scaleb(2, context=_WIDE))} %; correct the value, or the measure's `range` if it is wrong"
    )


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
                return raw
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
    limits = fast_limits(measure)
    low, high, cap = limits if limits is not None else (None, None, None)
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
        if value is not None and (low is None or (low <= value <= high and value < cap)):  # type: ignore[operator]
            return value
        if is_missing(raw):
            raise MissingValue
        return full(raw)

    return to_number


def is_missing(raw: object) -> bool:
    """``None`` and empty strings (empty CSV cells) mean "no value"."""
    return raw is None or (isinstance(raw, str) and not raw.strip())


# ---- many rows at once ---------------------------------------------------------------------------
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


def column_converter(measure: Measure) -> ColumnConverter:
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

    if measure.type == "level":
        allowed = frozenset(measure.levels or ())

        def convert_labels(raws: Column, texts: Texts) -> tuple[bool, Column]:
            kinds = set(map(type, raws))
            if kinds == {str}:
                if allowed.issuperset(raws):
                    return True, raws
                return strings(raws, texts)
            return each(raws)

        return convert_labels

    limits = fast_limits(measure)
    count = measure.type == "count"
    isfinite, is_finite = math.isfinite, Decimal.is_finite

    def in_range(values: Column) -> tuple[bool, Column]:
        if limits is None or not values:
            return True, values
        low, high, cap = limits
        if low <= min(values) and (top := max(values)) <= high and top < cap:
            return True, values
        return False, [v if low <= v <= high and v < cap else BAD for v in values]

    def convert_numbers(raws: Column, texts: Texts) -> tuple[bool, Column]:
        kinds = set(map(type, raws))
        if len(kinds) != 1:
            return each(raws)
        kind = kinds.pop()
        if kind is float and not count and all(map(isfinite, raws)):
            return in_range(list(map(Decimal, map(repr, raws))))
        if kind is int and (not count or min(raws) >= 0):
            return in_range(list(map(Decimal, raws)))
        if kind is Decimal and not count and all(map(is_finite, raws)):
            return in_range(raws)
        if kind is str:
            return strings(raws, texts)
        return each(raws)

    return convert_numbers
