"""Exact intervals of rational numbers, with open and closed ends, and finite unions of them.

The linter reasons about the values a measure, an expression or a score can take. A value set is an
:class:`Interval` (``[0, 1]``, ``(10%, 20%]``, ``[0, ∞)``) or a :class:`Union` of disjoint
intervals. Ends are :class:`~decimal.Decimal` (``95%`` is exactly ``0.95``; sums and products of
the decimals a ruleset holds are exact at 60 digits, as in the evaluator) or ``±Infinity``; an
infinite end is always open. A *grid* (a step such as 1 for counts, or 0.01 for scores rounded to
two decimals) restricts a set to the multiples of the step, so that ``(4, 5)`` holds no count.

A *domain* (:data:`Dom`) is what an expression can be: an interval of numbers, a set of labels, or
a set of truth values. The scoring forms (:mod:`kpirules.forms`) compute theirs from these, and the
linter reports what they show.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from decimal import MAX_EMAX, MIN_EMIN, ROUND_CEILING, ROUND_FLOOR, ROUND_HALF_UP, Context, Decimal, localcontext
from typing import Any

#: The context of every operation here: 60 digits (as the evaluator), no traps. Operations that
#: could give NaN (0 × ∞) are guarded; ``exact()`` enters it around any analysis.
CTX = Context(prec=60, Emax=999_999, Emin=-999_999, traps=[])

INF = Decimal("Infinity")
NINF = Decimal("-Infinity")
Num = Decimal

ZERO = Decimal(0)
ONE = Decimal(1)


def exact() -> Any:
    """``with exact(): …`` runs decimal operators in :data:`CTX`, whatever the caller's context."""
    return localcontext(CTX)


def frac(value: Decimal | int) -> Decimal:
    return value if isinstance(value, Decimal) else Decimal(value)


class Interval:
    """``lo``…``hi`` with open or closed ends; infinite ends are open."""

    __slots__ = ("empty", "hi", "hi_closed", "lo", "lo_closed")

    def __init__(self, lo: Decimal, hi: Decimal, lo_closed: bool = True, hi_closed: bool = True) -> None:
        if lo == NINF:
            lo_closed = False
        if hi == INF:
            hi_closed = False
        self.lo = lo
        self.hi = hi
        self.lo_closed = lo_closed
        self.hi_closed = hi_closed
        self.empty = lo > hi or (lo == hi and not (lo_closed and hi_closed))

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Interval):
            return NotImplemented
        if self.empty and other.empty:
            return True
        return (self.lo, self.hi, self.lo_closed, self.hi_closed) == (
            other.lo,
            other.hi,
            other.lo_closed,
            other.hi_closed,
        )

    def __hash__(self) -> int:
        return hash((self.lo, self.hi, self.lo_closed, self.hi_closed))

    def __repr__(self) -> str:
        return f"Interval({show_interval(self)})"

    @classmethod
    def point(cls, value: Decimal) -> Interval:
        return cls(value, value, True, True)

    @property
    def is_point(self) -> bool:
        return self.lo == self.hi and not self.empty

    def contains(self, x: Decimal) -> bool:
        if x < self.lo or x > self.hi:
            return False
        if x == self.lo and not self.lo_closed:
            return False
        return not (x == self.hi and not self.hi_closed)

    def intersect(self, other: Interval) -> Interval:
        if self.lo > other.lo:
            lo, lo_closed = self.lo, self.lo_closed
        elif other.lo > self.lo:
            lo, lo_closed = other.lo, other.lo_closed
        else:
            lo, lo_closed = self.lo, self.lo_closed and other.lo_closed
        if self.hi < other.hi:
            hi, hi_closed = self.hi, self.hi_closed
        elif other.hi < self.hi:
            hi, hi_closed = other.hi, other.hi_closed
        else:
            hi, hi_closed = self.hi, self.hi_closed and other.hi_closed
        return Interval(lo, hi, lo_closed, hi_closed)

    def hull(self, other: Interval) -> Interval:
        if self.empty:
            return other
        if other.empty:
            return self
        if self.lo < other.lo:
            lo, lo_closed = self.lo, self.lo_closed
        elif other.lo < self.lo:
            lo, lo_closed = other.lo, other.lo_closed
        else:
            lo, lo_closed = self.lo, self.lo_closed or other.lo_closed
        if self.hi > other.hi:
            hi, hi_closed = self.hi, self.hi_closed
        elif other.hi > self.hi:
            hi, hi_closed = other.hi, other.hi_closed
        else:
            hi, hi_closed = self.hi, self.hi_closed or other.hi_closed
        return Interval(lo, hi, lo_closed, hi_closed)

    def minus(self, other: Interval) -> list[Interval]:
        """``self`` without ``other``: zero, one or two intervals."""
        if other.empty:
            return [] if self.empty else [self]
        out = []
        left = self.intersect(Interval(NINF, other.lo, False, not other.lo_closed))
        if not left.empty:
            out.append(left)
        right = self.intersect(Interval(other.hi, INF, not other.hi_closed, False))
        if not right.empty:
            out.append(right)
        return out

    def closed(self) -> Interval:
        return Interval(self.lo, self.hi, True, True)

    def __str__(self) -> str:
        return show_interval(self)


EMPTY = Interval(ONE, ZERO)
EVERYTHING = Interval(NINF, INF, False, False)


def hull_all(items: Iterable[Interval]) -> Interval:
    out = EMPTY
    for item in items:
        out = out.hull(item)
    return out


class Union:
    """A finite union of disjoint intervals, sorted."""

    __slots__ = ("parts",)

    def __init__(self, parts: tuple[Interval, ...] = ()) -> None:
        self.parts = parts

    @classmethod
    def of(cls, items: Iterable[Interval]) -> Union:
        pieces = sorted((i for i in items if not i.empty), key=lambda i: (i.lo, not i.lo_closed))
        merged: list[Interval] = []
        for piece in pieces:
            if merged:
                last = merged[-1]
                touching = piece.lo < last.hi or (piece.lo == last.hi and (piece.lo_closed or last.hi_closed))
                if touching:
                    merged[-1] = last.hull(piece)
                    continue
            merged.append(piece)
        return cls(tuple(merged))

    @property
    def empty(self) -> bool:
        return not self.parts

    def union(self, other: Union | Interval) -> Union:
        extra = other.parts if isinstance(other, Union) else (other,)
        return Union.of((*self.parts, *extra))

    def intersect(self, other: Union | Interval) -> Union:
        others = other.parts if isinstance(other, Union) else (other,)
        return Union.of(a.intersect(b) for a in self.parts for b in others)

    def minus(self, other: Union | Interval) -> Union:
        others = other.parts if isinstance(other, Union) else (other,)
        current = list(self.parts)
        for b in others:
            current = [piece for a in current for piece in a.minus(b)]
        return Union.of(current)

    def hull(self) -> Interval:
        return hull_all(self.parts)

    def contains(self, x: Num) -> bool:
        return any(p.contains(x) for p in self.parts)

    def on_grid(self, grid: Decimal | None) -> Union:
        """Only the parts that hold a multiple of ``grid`` (all parts when there is no grid)."""
        if grid is None:
            return self
        return Union(tuple(p for p in self.parts if grid_point(p, grid, "low") is not None))

    def __str__(self) -> str:
        return " ∪ ".join(show_interval(p) for p in self.parts) or "∅"


# ---- arithmetic (call inside ``exact()``) -------------------------------------------------------
def _mul(a: Decimal, b: Decimal) -> Decimal:
    if not a or not b:
        return ZERO
    return a * b


def neg(a: Interval) -> Interval:
    return Interval(-a.hi, -a.lo, a.hi_closed, a.lo_closed)


def add(a: Interval, b: Interval) -> Interval:
    if a.empty or b.empty:
        return EMPTY
    return Interval(a.lo + b.lo, a.hi + b.hi, a.lo_closed and b.lo_closed, a.hi_closed and b.hi_closed)


def sub(a: Interval, b: Interval) -> Interval:
    return add(a, neg(b))


def mul(a: Interval, b: Interval) -> Interval:
    if a.empty or b.empty:
        return EMPTY
    products = [_mul(x, y) for x in (a.lo, a.hi) for y in (b.lo, b.hi)]
    return Interval(min(products), max(products))


def _inv(x: Decimal, at_zero_or_inf: Decimal) -> Decimal:
    """1 / x, with ``at_zero_or_inf`` for x = 0 (the limit from the side in use) or x = ±inf."""
    if not x or x.is_infinite():
        return at_zero_or_inf
    return 1 / x


def div(a: Interval, b: Interval) -> Interval:
    """a / b over the values of b other than 0 (a division by 0 is an error, not a value)."""
    if a.empty or b.empty:
        return EMPTY
    out = EMPTY
    for part in Union.of([b]).minus(Interval.point(ZERO)).parts:
        if part.lo >= 0:
            recip = Interval(_inv(part.hi, ZERO), _inv(part.lo, INF))
        else:  # part.hi <= 0
            recip = Interval(_inv(part.hi, NINF), _inv(part.lo, ZERO))
        out = out.hull(mul(a, recip))
    return out


def imin(a: Interval, b: Interval) -> Interval:
    if a.empty or b.empty:
        return EMPTY
    return Interval(min(a.lo, b.lo), min(a.hi, b.hi))


def imax(a: Interval, b: Interval) -> Interval:
    if a.empty or b.empty:
        return EMPTY
    return Interval(max(a.lo, b.lo), max(a.hi, b.hi))


def iabs(a: Interval) -> Interval:
    if a.empty:
        return EMPTY
    if a.lo >= 0:
        return a
    if a.hi <= 0:
        return neg(a)
    return Interval(ZERO, max(-a.lo, a.hi))


def clamp(a: Interval, lo: Decimal, hi: Decimal) -> Interval:
    if a.empty:
        return EMPTY
    return Interval(min(max(a.lo, lo), hi), max(min(a.hi, hi), lo))


def monotone(a: Interval, fn: Callable[[Decimal], Decimal]) -> Interval:
    """The image of ``a`` under a non-decreasing function on finite values (±inf kept)."""
    if a.empty:
        return EMPTY
    lo = a.lo if a.lo.is_infinite() else fn(a.lo)
    hi = a.hi if a.hi.is_infinite() else fn(a.hi)
    return Interval(lo, hi)


def round_half_up(x: Decimal, digits: int) -> Decimal:
    return x.quantize(ONE.scaleb(-digits), rounding=ROUND_HALF_UP, context=CTX)


def floor(x: Decimal) -> Decimal:
    return x.to_integral_value(rounding=ROUND_FLOOR, context=CTX)


def ceil(x: Decimal) -> Decimal:
    return x.to_integral_value(rounding=ROUND_CEILING, context=CTX)


# ---- points ---------------------------------------------------------------------------------
def on_grid(x: Decimal, grid: Decimal) -> bool:
    return CTX.remainder(x, grid) == 0


def grid_point(part: Interval, grid: Decimal, side: str) -> Decimal | None:
    """The lowest (``side="low"``) or highest multiple of ``grid`` inside ``part``, or None."""
    if part.empty:
        return None
    if side == "low" and part.lo != NINF:
        m = ceil(part.lo / grid) * grid
        if m == part.lo and not part.lo_closed:
            m += grid
        return m if part.contains(m) else None
    if part.hi != INF:
        m = floor(part.hi / grid) * grid
        if m == part.hi and not part.hi_closed:
            m -= grid
        return m if part.contains(m) else None
    if part.lo != NINF:  # side high, unbounded above
        return grid_point(part, grid, "low")
    return ZERO  # (-inf, inf)


def nice_point(part: Interval, grid: Decimal | None = None) -> Decimal | None:
    """A simple value inside ``part``: the point itself, else a decimal with as few digits as
    possible, near the middle of a bounded interval or near the finite end of an unbounded one."""
    if part.empty:
        return None
    with exact():
        if part.is_point:
            return part.lo if grid is None or on_grid(part.lo, grid) else None
        steps = [grid] if grid is not None else [ONE.scaleb(-k) for k in range(0, 16)]
        for step in steps:
            low = grid_point(part, step, "low")
            high = grid_point(part, step, "high")
            if low is None or high is None:
                continue
            if part.lo == NINF and part.hi == INF:
                return ZERO
            if part.lo == NINF:
                return high
            if part.hi == INF:
                return low
            middle = (part.lo + part.hi) / 2
            pick = (middle / step).to_integral_value(rounding=ROUND_HALF_UP) * step
            return min(max(pick, low), high)
        if not part.lo.is_infinite() and not part.hi.is_infinite() and grid is None:
            return (part.lo + part.hi) / 2
        return None


# ---- display --------------------------------------------------------------------------------
def to_decimal(x: Decimal) -> Decimal:
    return x


#: Past this many digits a number in a message is written in exponent form (1e+999999999, not a
#: line of a billion zeros).
MAX_DIGITS = 30
#: The context of display only: any exponent a TOML number can have, no traps.
_SHOW = Context(prec=60, Emax=MAX_EMAX, Emin=MIN_EMIN, traps=[])


def plain(x: Decimal) -> str:
    """A finite decimal as people write it (``95``, ``0.125``, no trailing zeros), or in exponent
    form (``1e+58``, ``1.5e-40``) when that would take more than :data:`MAX_DIGITS` digits. Never
    rounds: the digits shown are the value's own."""
    if not x.is_finite():
        return "∞" if x > 0 else "-∞" if x < 0 else "NaN"
    sign, digits, exponent = x.as_tuple()
    assert isinstance(exponent, int)
    kept = list(digits)
    while len(kept) > 1 and kept[-1] == 0:
        kept.pop()
        exponent += 1
    if kept == [0]:
        return "0"
    minus = "-" if sign else ""
    shown = "".join(map(str, kept))
    width = len(kept) + exponent if exponent >= 0 else max(len(kept), -exponent + 1)
    if width <= MAX_DIGITS:
        if exponent >= 0:
            return minus + shown + "0" * exponent
        point = len(kept) + exponent
        if point > 0:
            return f"{minus}{shown[:point]}.{shown[point:]}"
        return f"{minus}0.{'0' * -point}{shown}"
    power = exponent + len(kept) - 1
    mantissa = shown[0] + ("." + shown[1:] if len(shown) > 1 else "")
    return f"{minus}{mantissa}e{'+' if power >= 0 else '-'}{abs(power)}"


def show_number(x: Decimal, percent: bool = False) -> str:
    if x == INF:
        return "∞"
    if x == NINF:
        return "-∞"
    value = x
    if percent:
        value = value.scaleb(2, context=_SHOW)
    if value.is_finite() and value and (value.adjusted() < -12 or len(value.as_tuple().digits) > 15):
        value = value.normalize(Context(prec=12, Emax=MAX_EMAX, Emin=MIN_EMIN, traps=[]))
    return plain(value) + ("%" if percent else "")


def show_interval(part: Interval, percent: bool = False) -> str:
    if part.empty:
        return "∅"
    if part.is_point:
        return show_number(part.lo, percent)
    left = "[" if part.lo_closed else "("
    right = "]" if part.hi_closed else ")"
    return f"{left}{show_number(part.lo, percent)}, {show_number(part.hi, percent)}{right}"


# ---- domains: what a measure or an expression can be ----------------------------------------
Bools = frozenset[bool]
Labels = frozenset[str]
Dom = Interval | Labels | Bools
Env = dict[str, Dom]

BOTH: Bools = frozenset({True, False})
TRUE: Bools = frozenset({True})
FALSE: Bools = frozenset({False})
COUNT_GRID = Decimal(1)


def snap(dom: Interval, grid: Decimal | None) -> Interval:
    """Narrow to the multiples of ``grid`` it holds (closed ends), or EMPTY."""
    if grid is None or dom.empty:
        return dom
    lo = grid_point(dom, grid, "low") if dom.lo != NINF else NINF
    hi = grid_point(dom, grid, "high") if dom.hi != INF else INF
    if lo is None or hi is None or lo > hi:
        return EMPTY
    return Interval(lo, hi)


def compare_set(op: str, c: Decimal) -> Union:
    """The numbers x with ``x op c``."""
    if op == ">=":
        return Union.of([Interval(c, INF, True, False)])
    if op == ">":
        return Union.of([Interval(c, INF, False, False)])
    if op == "<=":
        return Union.of([Interval(NINF, c, False, True)])
    if op == "<":
        return Union.of([Interval(NINF, c, False, False)])
    if op == "==":
        return Union.of([Interval.point(c)])
    return Union.of([EVERYTHING]).minus(Interval.point(c))


FLIP = {">=": "<=", "<=": ">=", ">": "<", "<": ">", "==": "==", "!=": "!="}
# labels are ranked best first: "x >= b" holds when rank(x) <= rank(b)
RANK_TEST = {
    ">=": lambda a, b: a <= b,
    "<=": lambda a, b: a >= b,
    ">": lambda a, b: a < b,
    "<": lambda a, b: a > b,
    "==": lambda a, b: a == b,
    "!=": lambda a, b: a != b,
}


def label_set(op: str, label: str, levels: tuple[str, ...]) -> Labels:
    if label not in levels:
        return frozenset()
    rank = {lv: i for i, lv in enumerate(levels)}
    test: Callable[[int, int], bool] = RANK_TEST[op]
    return frozenset(lv for lv in levels if test(rank[lv], rank[label]))
