"""Exact arithmetic in SQL: every number is a fraction ``n / d`` of two SQL integers, ``d > 0``.

Engines disagree on decimal division (DuckDB turns ``DECIMAL / DECIMAL`` into ``DOUBLE``; Spark cuts
the scale to 6 when the precision runs out), so the query never divides decimals. :class:`Ints`
makes integer expressions in one dialect, with constants folded and a bound on every magnitude
(which chooses the narrowest integer type that holds it); :class:`Arith` adds, multiplies,
divides, compares and rounds :class:`Q` fractions with them. The only divisions are integer
floor divisions, written as the dialect writes them (:meth:`kpirules.sql.dialects.base.Dialect.floordiv`).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from typing import Any, Literal

from sqlglot import exp

from .dialects import get_dialect
from .dialects.base import Dialect
from .trees import Bool, b_and, b_or, case, col, dtype, paren

#: An integer: a SQL expression, or a Python int known at compile time.
SqlInt = exp.Expression | int


@dataclass(frozen=True)
class Q:
    """The exact number ``n / d``; ``d > 0``. Python ints are compile-time constants."""

    n: SqlInt
    d: SqlInt
    nonneg: bool = False
    #: a bound known at compile time: the value is at most ``hi`` (None: not known)
    hi: Fraction | None = None

    @property
    def const(self) -> Fraction | None:
        if isinstance(self.n, int) and isinstance(self.d, int):
            return Fraction(self.n, self.d)
        return None


def qconst(value: Fraction | Decimal | int) -> Q:
    f = Fraction(value)
    return Q(f.numerator, f.denominator, f >= 0, f)


class Ints:
    """Integer arithmetic in one dialect, with constants folded and every magnitude bounded.

    Each SQL integer expression made here has ``meta["bound"]`` (no value it takes in any row is
    larger in magnitude) and ``meta["rank"]`` (its SQL type: an index into the dialect's integer
    types). ``max_bound`` is the largest magnitude the query computes; on an engine whose integer
    arithmetic may overflow silently (Spark without ANSI mode), the compiler keeps it within the
    widest type by bounding the inputs.
    """

    def __init__(self, dialect: Dialect | str) -> None:
        self.dialect = get_dialect(dialect)
        #: The dialect's integer types, narrowest first, with the largest magnitude each holds.
        self.types = self.dialect.int_types
        self.top = len(self.types) - 1
        self.int_type = dtype(self.types[self.top][0])
        self.limit = self.types[self.top][1]
        self.max_bound = 0

    # -- bounds and types -----------------------------------------------------------------------
    def bound(self, a: SqlInt) -> int:
        if isinstance(a, int):
            return abs(a)
        b = a.meta.get("bound")
        return self.limit if b is None else int(b)

    def rank(self, a: SqlInt) -> int:
        if isinstance(a, int):
            return self.rank_for(abs(a))
        r = a.meta.get("rank")
        return self.top if r is None else int(r)

    def rank_for(self, bound: int) -> int:
        for k, (_, limit) in enumerate(self.types):
            if bound <= limit:
                return k
        return self.top

    def tag(self, e: exp.Expression, bound: int, rank: int) -> exp.Expression:
        e.meta["bound"] = bound
        e.meta["rank"] = rank
        self.note(bound)
        return e

    def note(self, bound: int) -> None:
        """Record a magnitude the query computes (for the check against the widest type)."""
        if bound > self.max_bound:
            self.max_bound = bound

    def to_rank(self, a: SqlInt, rank: int) -> exp.Expression:
        """``a`` as an expression of at least the type ``rank``."""
        if isinstance(a, int):
            e = self.lit(a)
            if self.rank(a) >= rank:
                return e
            return self.tag(exp.Cast(this=e, to=dtype(self.types[rank][0])), abs(a), rank)
        if self.rank(a) >= rank:
            return a
        return self.tag(exp.Cast(this=a, to=dtype(self.types[rank][0])), self.bound(a), rank)

    def widen(self, bound: int, *operands: SqlInt) -> tuple[list[exp.Expression], int]:
        """The operands as SQL, widened so that a result of magnitude ``bound`` fits their type."""
        rank = max(self.rank(a) for a in operands)
        if self.types[rank][1] < bound:
            rank = self.rank_for(bound)
        return [self.to_rank(a, rank) if not isinstance(a, int) else self.lit(a) for a in operands], rank

    def lit(self, k: int) -> exp.Expression:
        if k < 0:
            return self.tag(exp.Paren(this=exp.Neg(this=self.lit(-k))), -k, self.rank_for(-k))
        if k < 2**63:
            return self.tag(exp.Literal.number(k), k, self.rank_for(k))
        return self.tag(exp.Cast(this=exp.Literal.string(str(k)), to=self.int_type.copy()), k, self.top)

    def sql(self, a: SqlInt) -> exp.Expression:
        return self.lit(a) if isinstance(a, int) else a

    def cast(self, e: exp.Expression, bound: int | None = None) -> exp.Expression:
        """``e`` (an integral value of magnitude at most ``bound``) as the narrowest integer type
        that holds it, at least BIGINT."""
        rank = max(1, self.rank_for(self.limit if bound is None else bound))
        return self.tag(exp.Cast(this=e, to=dtype(self.types[rank][0])), self.limit if bound is None else bound, rank)

    def column(self, name: str, like: SqlInt) -> exp.Expression:
        """A reference to a column that holds ``like``, with its bound and type."""
        return self.tag(col(name), self.bound(like), self.rank(like))

    # -- arithmetic -------------------------------------------------------------------------------
    def _binary(self, cls: type[exp.Expression], a: SqlInt, b: SqlInt, bound: int) -> exp.Expression:
        (x, y), rank = self.widen(bound, a, b)
        return self.tag(cls(this=paren(x), expression=paren(y)), bound, rank)

    def mul(self, a: SqlInt, b: SqlInt) -> SqlInt:
        if isinstance(a, int) and isinstance(b, int):
            return a * b
        if isinstance(a, int):
            a, b = b, a
        if b == 1:
            return a
        if b == 0:
            return 0
        if b == -1:
            return self.neg(a)
        if isinstance(b, int) and isinstance(a, exp.Expression) and "consts" in a.meta:
            cond, p, q = a.meta["consts"]
            return self.case(cond.copy() if isinstance(cond, exp.Expression) else cond, p * b, q * b)
        return self._binary(exp.Mul, a, b, self.bound(a) * self.bound(b))

    def add(self, a: SqlInt, b: SqlInt) -> SqlInt:
        if isinstance(a, int) and isinstance(b, int):
            return a + b
        if a == 0:
            return b
        if b == 0:
            return a
        if isinstance(a, int):
            a, b = b, a
        if isinstance(b, int) and isinstance(a, exp.Expression) and "consts" in a.meta:
            cond, p, q = a.meta["consts"]
            return self.case(cond.copy() if isinstance(cond, exp.Expression) else cond, p + b, q + b)
        return self._binary(exp.Add, a, b, self.bound(a) + self.bound(b))

    def sub(self, a: SqlInt, b: SqlInt) -> SqlInt:
        if isinstance(a, int) and isinstance(b, int):
            return a - b
        if b == 0:
            return a
        return self._binary(exp.Sub, a, b, self.bound(a) + self.bound(b))

    def neg(self, a: SqlInt) -> SqlInt:
        if isinstance(a, int):
            return -a
        return self.tag(exp.Neg(this=paren(a)), self.bound(a), self.rank(a))

    def abs(self, a: SqlInt) -> SqlInt:
        if isinstance(a, int):
            return abs(a)
        return self.tag(exp.Abs(this=a), self.bound(a), self.rank(a))

    def mod(self, a: SqlInt, b: SqlInt) -> exp.Expression:
        """``a % b`` (sign of ``a``), for b > 0."""
        (x, y), rank = self.widen(0, a, b)
        return self.tag(exp.Mod(this=paren(x), expression=paren(y)), min(self.bound(a), self.bound(b)), rank)

    def cmp(self, a: SqlInt, op: str, b: SqlInt) -> Bool:
        if isinstance(a, int) and isinstance(b, int):
            return bool(OPS[op](a, b))
        cls = CMP[op]
        return cls(this=paren(self.sql(a)), expression=paren(self.sql(b)))

    def case(self, cond: Bool, a: SqlInt, b: SqlInt) -> SqlInt:
        if cond is True:
            return a
        if cond is False:
            return b
        if isinstance(a, int) and isinstance(b, int) and a == b:
            return a
        (x, y), rank = self.widen(0, a, b)
        out = self.tag(case([(cond, x)], y), max(self.bound(a), self.bound(b)), rank)
        if isinstance(a, int) and isinstance(b, int):
            out.meta["consts"] = (cond, a, b)  # a constant times or plus it folds into its branches
        return out

    def floordiv(self, a: SqlInt, b: SqlInt, *, a_nonneg: bool = False, b_const: bool = False) -> SqlInt:
        """floor(a / b) for b > 0 (b = 0 only in rows already marked failed: the result is NULL)."""
        if isinstance(a, int) and isinstance(b, int):
            return a // b if b else 0
        if b == 1:
            return a
        bound = self.bound(a) + 1
        (x, y), rank = self.widen(0, a, b)
        divisor = (
            y
            if isinstance(b, int)
            else self.tag(exp.Nullif(this=y, expression=exp.Literal.number(0)), self.bound(b), rank)
        )
        return self.dialect.floordiv(self, x, divisor, a_bound=self.bound(a), bound=bound, rank=rank, a_nonneg=a_nonneg)

    def int_cast(self, e: exp.Expression) -> exp.Expression:
        return exp.Cast(this=e, to=self.int_type.copy())


#: The comparison operators of the language, evaluated at compile time.
OPS: dict[str, Callable[[Any, Any], bool]] = {
    ">=": lambda a, b: a >= b,
    "<=": lambda a, b: a <= b,
    ">": lambda a, b: a > b,
    "<": lambda a, b: a < b,
    "==": lambda a, b: a == b,
    "!=": lambda a, b: a != b,
}
CMP: dict[str, type[exp.Expression]] = {
    ">=": exp.GTE,
    "<=": exp.LTE,
    ">": exp.GT,
    "<": exp.LT,
    "==": exp.EQ,
    "!=": exp.NEQ,
}
#: Each comparison with its operands swapped.
FLIP = {">=": "<=", "<=": ">=", ">": "<", "<": ">", "==": "==", "!=": "!="}


class Arith:
    """Exact arithmetic on :class:`Q` fractions."""

    def __init__(self, ints: Ints) -> None:
        self.i = ints

    def norm(self, n: SqlInt, d: SqlInt, nonneg: bool, hi: Fraction | None = None) -> Q:
        if isinstance(n, int) and isinstance(d, int):
            return qconst(Fraction(n, d))
        if isinstance(d, int) and d < 0:
            n, d = self.i.neg(n), -d
        return Q(n, d, nonneg, hi)

    def add(self, x: Q, y: Q, sign: int = 1) -> Q:
        i = self.i
        nonneg = x.nonneg and y.nonneg and sign > 0
        hi = None
        if sign > 0 and x.hi is not None and y.hi is not None:
            hi = x.hi + y.hi
        elif sign < 0 and x.hi is not None and y.nonneg:
            hi = x.hi
        yn = y.n if sign > 0 else i.neg(y.n)
        if isinstance(x.d, int) and isinstance(y.d, int):
            lcm = x.d * y.d // math.gcd(x.d, y.d)
            return self.norm(i.add(i.mul(x.n, lcm // x.d), i.mul(yn, lcm // y.d)), lcm, nonneg, hi)
        return self.norm(i.add(i.mul(x.n, y.d), i.mul(yn, x.d)), i.mul(x.d, y.d), nonneg, hi)

    def mul(self, x: Q, y: Q) -> Q:
        i = self.i
        if x.const is not None and y.const is not None:
            return qconst(x.const * y.const)
        xn, xd, yn, yd = x.n, x.d, y.n, y.d
        # cancel constant factors across, to keep the integers small
        if isinstance(xn, int) and isinstance(yd, int):
            g = math.gcd(xn, yd) or 1
            xn, yd = xn // g, yd // g
        if isinstance(yn, int) and isinstance(xd, int):
            g = math.gcd(yn, xd) or 1
            yn, xd = yn // g, xd // g
        hi = x.hi * y.hi if x.nonneg and y.nonneg and x.hi is not None and y.hi is not None else None
        return self.norm(i.mul(xn, yn), i.mul(xd, yd), x.nonneg and y.nonneg, hi)

    def neg(self, x: Q) -> Q:
        return self.norm(self.i.neg(x.n), x.d, False)

    def abs(self, x: Q) -> Q:
        return Q(self.i.abs(x.n), x.d, True) if x.const is None else qconst(abs(x.const))

    def div(self, x: Q, y: Q) -> Q:
        """x / y, for y != 0 (the caller guards the zero)."""
        i = self.i
        if y.const is not None:
            if y.const == 0:
                return qconst(0)
            return self.mul(x, qconst(1 / y.const))
        xd, yd = x.d, y.d
        if isinstance(xd, int) and isinstance(yd, int):  # cancel the common factor (often 10^scale)
            g = math.gcd(xd, yd)
            xd, yd = xd // g, yd // g
        x = Q(x.n, xd, x.nonneg)
        n = i.mul(x.n, yd)
        if y.nonneg:
            return self.norm(n, i.mul(x.d, y.n), x.nonneg)
        return self.norm(
            i.case(i.cmp(y.n, "<", 0), i.neg(n), n),
            i.mul(x.d, i.abs(y.n)),
            False,
        )

    def cmp(self, x: Q, op: str, y: Q) -> Bool:
        i = self.i
        if x.const is not None and y.const is not None:
            return bool(OPS[op](x.const, y.const))
        if isinstance(x.d, int) and isinstance(y.d, int):
            lcm = x.d * y.d // math.gcd(x.d, y.d)
            left, right = i.mul(x.n, lcm // x.d), i.mul(y.n, lcm // y.d)
        else:
            left, right = i.mul(x.n, y.d), i.mul(y.n, x.d)
        if isinstance(left, int) and not isinstance(right, int):
            return i.cmp(right, FLIP[op], left)
        return i.cmp(left, op, right)

    def select(self, cond: Bool, x: Q, y: Q) -> Q:
        if cond is True:
            return x
        if cond is False:
            return y
        i = self.i
        nonneg = x.nonneg and y.nonneg
        hi = max(x.hi, y.hi) if x.hi is not None and y.hi is not None else None
        if isinstance(x.d, int) and isinstance(y.d, int):
            lcm = x.d * y.d // math.gcd(x.d, y.d)
            return Q(i.case(cond, i.mul(x.n, lcm // x.d), i.mul(y.n, lcm // y.d)), lcm, nonneg, hi)
        # (x's denominator may be 0 in rows that take y, e.g. a quotient whose divisor is tested
        # by cond: each branch keeps its own denominator)
        return Q(i.case(cond, x.n, y.n), i.case(cond, x.d, y.d), nonneg, hi)

    def clamp01(self, x: Q) -> Q:
        """min(max(x, 0), 1)."""
        i = self.i
        n = i.case(i.cmp(x.n, ">=", x.d), x.d, i.case(i.cmp(x.n, "<=", 0), 0, x.n))
        return Q(n, x.d, True, Fraction(1))

    def floor0(self, x: Q) -> Q:
        """max(x, 0)."""
        return Q(
            self.i.case(self.i.cmp(x.n, "<", 0), 0, x.n), x.d, True, None if x.hi is None else max(x.hi, Fraction(0))
        )

    def floor(self, x: Q) -> Q:
        if x.const is not None:
            return qconst(math.floor(x.const))
        return Q(self.i.floordiv(x.n, x.d, a_nonneg=x.nonneg), 1, x.nonneg)

    def ceil(self, x: Q) -> Q:
        return self.neg(self.floor(self.neg(x)))

    def round_int(self, x: Q, digits: int, mode: Literal["half-up", "half-even"]) -> SqlInt:
        """x × 10^digits rounded to an integer: half-up is half away from zero, as in decimal."""
        i = self.i
        if x.const is not None:
            v = Fraction(x.const * 10**digits)
            qc, rc = divmod(v.numerator, v.denominator)
            twice_c = 2 * rc
            if mode == "half-up":
                if v >= 0:
                    return int(qc) + (1 if twice_c >= v.denominator else 0)
                w = -v
                q2, r2 = divmod(w.numerator, w.denominator)
                return -(int(q2) + (1 if 2 * r2 >= w.denominator else 0))
            return int(qc) + (1 if twice_c > v.denominator or (twice_c == v.denominator and qc % 2) else 0)
        a, b = x.n, x.d
        scale = 10**digits
        if isinstance(b, int):
            g = math.gcd(scale, b)
            scale, b = scale // g, b // g
        a = i.mul(a, scale)
        if b == 1:
            return a
        if mode == "half-up":
            up = i.floordiv(i.add(i.mul(a, 2), b), i.mul(b, 2), a_nonneg=x.nonneg)
            if x.nonneg:
                return up
            down = i.neg(i.floordiv(i.add(i.mul(i.neg(a), 2), b), i.mul(b, 2), a_nonneg=True))
            return i.case(i.cmp(a, "<", 0), down, up)
        q = i.floordiv(a, b, a_nonneg=x.nonneg)
        r = i.sub(a, i.mul(q, b))
        twice = i.mul(r, 2)
        odd = i.cmp(exp.Mod(this=paren(i.sql(q)), expression=exp.Literal.number(2)), "!=", 0)
        bump = b_or(i.cmp(twice, ">", b), b_and(i.cmp(twice, "==", b), odd))
        return i.case(bump, i.add(q, 1), q)
