"""Printed numbers: how precisely a figure was printed, which exact values it can stand for, and
which slips of the pen turn the figure meant into the figure printed.

A printed figure stands for every exact value that rounds to it at the decimals it was printed
with: ``47.74`` (two decimals) stands for [47.735, 47.745], ``100`` for [99.5, 100.5]. Both ends
are accepted, so a figure rounded half-up and one rounded half-even are both consistent. Nothing
here uses binary floats; every comparison is exact.
"""

from __future__ import annotations

import itertools
from decimal import MAX_EMAX, MIN_EMIN, ROUND_HALF_UP, Context, Decimal, InvalidOperation

import attrs

from ..textfmt import number, percent

#: Exact for every printed figure (at most 30 digits each side of the point, see :func:`printable`);
#: exponents are unbounded, so that a measured value of 1E+999999999 compares without overflowing.
C = Context(prec=80, Emax=MAX_EMAX, Emin=MIN_EMIN)
ZERO = Decimal(0)
RATE_QUANTUM = Decimal("0.0001")  # rates are shown to 1/100 of a percent, as results show them

#: A printed figure has at most this many digits before its decimal point and after it. Beyond,
#: numbers are shown with an exponent (1E+400), and a table that prints one is refused at its cell.
MAX_DIGITS = 30
_BRIEF = Context(prec=15, Emax=MAX_EMAX, Emin=MIN_EMIN)


def printable(value: Decimal) -> bool:
    """Whether ``value`` is a number a table can print: finite, with at most :data:`MAX_DIGITS`
    digits before the decimal point and as many after it (``1E+400`` and ``1E-400`` are not)."""
    if not value.is_finite():
        return False
    exponent = value.as_tuple().exponent
    assert isinstance(exponent, int)
    if exponent < -MAX_DIGITS:
        return False
    return not value or value.adjusted() < MAX_DIGITS


def brief(value: Decimal) -> str:
    """A number that is no printable figure, in exponent form and at most 15 significant digits
    (``1E+400``; ``≈1.23456789012346E+99`` when digits were dropped)."""
    if not value.is_finite():
        return str(value)
    short = _BRIEF.plus(value).normalize(_BRIEF)
    return str(short) if short == value else "≈" + str(short)


def decimals(value: Decimal) -> int:
    """How many decimals ``value`` was written with (``Decimal("1.00")`` has 2, ``10`` has 0)."""
    exponent = value.as_tuple().exponent
    return max(0, -exponent) if isinstance(exponent, int) else 0


def half_unit(value: Decimal) -> Decimal:
    """Half a unit in the last printed place: how far the exact value may be from the figure."""
    return Decimal(5).scaleb(-decimals(value) - 1, context=C)


def fits(printed: Decimal, exact: Decimal) -> bool:
    """Whether ``printed`` is ``exact`` rounded to the decimals ``printed`` has."""
    return abs(C.subtract(exact, printed)) <= half_unit(printed)


def interval(printed: Decimal) -> tuple[Decimal, Decimal]:
    h = half_unit(printed)
    return C.subtract(printed, h), C.add(printed, h)


def plain(value: Decimal) -> str:
    """A figure as printed: its own digits, no exponent (``1.00`` stays ``1.00``); a number no
    table prints (:func:`printable`) in exponent form, :func:`brief`."""
    return format(value, "f") if printable(value) else brief(value)


def as_percent(fraction: Decimal) -> Decimal:
    """0.4774 → 47.74, keeping the printed digits."""
    return fraction.scaleb(2, context=C)


def printed_rate(fraction: Decimal) -> str:
    """A rate as printed: ``Decimal("0.4774")`` → ``47.74%``; ``Decimal("1.00")`` → ``100%``."""
    return plain(as_percent(fraction)) + "%"


def exact_rate(value: Decimal) -> Decimal:
    """A computed rate to four decimals, half up (0.4740 is 47.40 %), as results give it; a rate
    too large for that (no table prints it) as it is."""
    if not value.is_finite() or (value and value.adjusted() >= MAX_DIGITS):
        return value
    return value.quantize(RATE_QUANTUM, rounding=ROUND_HALF_UP, context=C)


def show_rate(value: Decimal) -> str:
    """A computed rate as people read it: ``47.4%``, ``≈66.67%``; an absurd one with an
    exponent (``1E+402%``)."""
    try:
        scaled = value.scaleb(2, context=C)
    except ArithmeticError:  # an exponent at the very end of the range: say it as a fraction
        return brief(value) + " × 100%"
    return brief(scaled) + "%" if absurd(scaled) else percent(value)


def show(value: Decimal) -> str:
    """A computed number as people read it: ``15``, ``4.74``, ``≈0.3333``; an absurd one with an
    exponent (``1E+400``, ``1E-400``)."""
    return brief(value) if absurd(value) else number(value)


def absurd(value: Decimal) -> bool:
    """Too large or too small to write out (non-zero, beyond :data:`MAX_DIGITS` digits)."""
    return not value.is_finite() or (bool(value) and not -MAX_DIGITS <= value.adjusted() < MAX_DIGITS)


# ---- slips of the pen -----------------------------------------------------------------------
@attrs.frozen
class Slip:
    """How the figure meant became the figure printed.

    ``code`` is one of ``scale`` (the decimal point moved: ``factor`` is a power of ten),
    ``transposition`` (two neighbouring digits swapped: ``digits`` is what was meant and what was
    printed, "74→47"), ``extra-digit`` (one digit too many; ``doubled`` when it repeats its
    neighbour), ``missing-digit`` (one digit dropped) and ``typo`` (one digit replaced).
    """

    code: str
    digits: str = ""
    factor: int = 0
    doubled: bool = False


def _number(text: str) -> Decimal | None:
    if not text or text in (".", "-", "-.") or not any(ch.isdigit() for ch in text):
        return None
    try:
        return Decimal(text)
    except InvalidOperation:  # pragma: no cover - built from digits and one point
        return None


def scale_slip(printed: Decimal, expected: Decimal, powers: tuple[int, ...] = (1, -1, 2, -2, 3, -3, 4, -4)) -> int:
    """The power of ten ``k`` with ``printed × 10^k`` consistent with ``expected``, or 0."""
    if printed == 0 or not printable(printed) or absurd(expected):
        return 0
    for k in powers:
        if fits(printed.scaleb(k, context=C), expected):
            return k
    return 0


def digit_slip(printed: Decimal, expected: Decimal, *, typos: bool = True) -> Slip | None:  # noqa: C901 - one branch per kind of slip of the pen, tried in a fixed order
    """The single slip of the pen that turns ``expected`` into ``printed``, if there is one.

    Tried in this order: two neighbouring digits swapped (4.74 → 4.47), one digit too many
    (47.4 → 47.74, the 7 doubled), one digit dropped (47.74 → 47.4), and, with ``typos``, one
    digit replaced (4.77 → 4.47). Each candidate is compared with ``expected`` at the precision
    it is printed with.

    >>> digit_slip(Decimal("4.47"), Decimal("4.74"))
    Slip(code='transposition', digits='74→47', factor=0, doubled=False)
    >>> digit_slip(Decimal("47.74"), Decimal("47.4")).code
    'extra-digit'
    >>> digit_slip(Decimal("10"), Decimal("15"), typos=False) is None
    True
    """
    if printed < 0 or expected < 0 or printed == expected or not printable(printed) or absurd(expected):
        return None
    text = plain(printed)
    places = decimals(printed)

    def close(candidate: Decimal | None) -> bool:
        """The candidate, read at no fewer decimals than the figure printed, is ``expected``."""
        if candidate is None:
            return False
        half = Decimal(5).scaleb(-max(places, decimals(candidate)) - 1, context=C)
        return abs(C.subtract(expected, candidate)) <= half

    for swapped, a, b in _swaps(text):
        if close(_number(swapped)):
            return Slip("transposition", digits=f"{b}{a}→{a}{b}")
    for i, ch in enumerate(text):
        if ch.isdigit():
            candidate = _number(text[:i] + text[i + 1 :])
            if close(candidate) and not _leading_zero(text[:i] + text[i + 1 :]):
                doubled = (i > 0 and text[i - 1] == ch) or (i + 1 < len(text) and text[i + 1] == ch)
                if not doubled:  # a digit doubled across the decimal point: 47.4 → 47.74
                    digits = text.replace(".", "")
                    j = i - (1 if "." in text[:i] else 0)
                    doubled = (j > 0 and digits[j - 1] == ch) or (j + 1 < len(digits) and digits[j + 1] == ch)
                return Slip("extra-digit", digits=ch, doubled=doubled)
    for i in range(len(text) + 1):
        for d in "0123456789":
            variant = text[:i] + d + text[i:]
            if _leading_zero(variant):
                continue
            candidate = _number(variant)
            if close(candidate):
                doubled = (i > 0 and text[i - 1] == d) or (i < len(text) and text[i] == d)
                return Slip("missing-digit", digits=d, doubled=doubled)
    if typos:
        for i, ch in enumerate(text):
            if not ch.isdigit():
                continue
            for d in "0123456789":
                if d == ch:
                    continue
                variant = text[:i] + d + text[i + 1 :]
                if _leading_zero(variant):
                    continue
                if close(_number(variant)):
                    return Slip("typo", digits=f"{d}→{ch}")
    return None


def _swaps(text: str) -> list[tuple[str, str, str]]:
    """``text`` with two neighbouring digits swapped, the decimal point staying where it is
    (4.47 → 4.74, 5.8 → 8.5): (the new text, the first digit, the second)."""
    positions = [i for i, ch in enumerate(text) if ch.isdigit()]
    out = []
    for i, j in itertools.pairwise(positions):
        a, b = text[i], text[j]
        if a != b:
            chars = list(text)
            chars[i], chars[j] = b, a
            swapped = "".join(chars)
            if not _leading_zero(swapped):
                out.append((swapped, a, b))
    return out


def _leading_zero(text: str) -> bool:
    """ "05" is not how anyone prints five; "0.5" is fine."""
    return len(text) > 1 and text[0] == "0" and text[1] != "."


def variants(printed: Decimal) -> list[tuple[Decimal, Slip]]:
    """Figures that ``printed`` may be a slip of: swapped neighbours, a digit dropped from or
    doubled in it, its decimal point moved by one or two places. Used to generate candidate
    corrections; each keeps the decimals it would have been printed with."""
    if printed < 0 or not printable(printed):
        return []
    text = plain(printed)
    out: list[tuple[Decimal, Slip]] = []
    seen: set[Decimal] = {printed}

    def add(value: Decimal | None, slip: Slip) -> None:
        if value is not None and value not in seen and value >= 0:
            seen.add(value)
            out.append((value, slip))

    for swapped, a, b in _swaps(text):
        add(_number(swapped), Slip("transposition", digits=f"{b}{a}→{a}{b}"))
    for i, ch in enumerate(text):
        if ch.isdigit():
            variant = text[:i] + text[i + 1 :]  # printed has one digit too many
            if not _leading_zero(variant):
                add(_number(variant), Slip("extra-digit", digits=ch))
            variant = text[:i] + ch + text[i:]  # printed dropped a repeated digit
            if not _leading_zero(variant):
                add(_number(variant), Slip("missing-digit", digits=ch, doubled=True))
    for k in (1, -1, 2, -2):
        add(printed.scaleb(k, context=C), Slip("scale", factor=k))
    return out
