"""A ruleset to one SQL query, as sqlglot expression trees.

The query reads a table of units (one row per unit, one column per input measure) and returns,
per unit, every indicator's score, the total, the grade and an ``error`` column that is NULL when
the unit was scored and otherwise says why it was not. Nothing is pasted into SQL text: every
identifier and literal is a sqlglot node, quoted by sqlglot for the target dialect.

Exactness. Engines disagree on decimal division (DuckDB turns ``DECIMAL / DECIMAL`` into
``DOUBLE``; Spark cuts the scale to 6 when the precision runs out), so the query never divides
decimals. Every number is carried as an exact fraction ``n / d`` of two integers (``HUGEINT`` on
DuckDB, ``DECIMAL(38, 0)`` elsewhere) with ``d > 0``; a measure with scale ``s`` is ``(I, 10^s)``.
Sums, products and quotients of fractions are fractions; comparisons cross-multiply; the only
divisions are integer floor divisions, used to round a fraction to ``precision`` decimals (half-up
or half-even, exactly as :mod:`decimal` does) and for ``whole``/``started`` steps and ``round()``.
Denominators that are constants are folded at compile time, so most arithmetic stays on small
integers. The Python evaluator computes the same rational numbers (to 60 digits, see
docs/design.md), so both round to the same cent.

Semantics. Every compiled expression carries, beside its value, an ``err`` expression: NULL when
it evaluated, ``'missing'`` when it read a measure with no value, or a message when it failed
(division by zero, no band matching …). ``err`` follows the Python evaluator's order and laziness
exactly (``a and b`` does not evaluate ``b`` when ``a`` is false; a deduction evaluates its step
only when there is a shortfall), because whether a missing value matters depends on it.

Input values are converted in SQL only where the conversion is provably the one Python makes
(decimal and integer columns, doubles whose shortest representation has at most
``DOUBLE_SCALE`` decimals, plain decimal and percent strings, canonical booleans and labels).
Any other value marks the unit ``'input'`` in the error column: the SQL path does not score it,
and :mod:`kpirules.sql.engine.duckdb` scores such units with the Python evaluator.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from typing import Any, Literal

import sqlglot
from sqlglot import exp

from .. import ast
from ..forms.pass_ import Pass
from ..forms.proportional import Proportional
from ..kinds import Checked, Kind
from ..model import NUMERIC_TYPES, Measure
from ..ruleset import Ruleset
from ..source import RuleSource
from ..values import BARE_RATE_LIMIT
from .errors import SqlUnsupported

#: Decimals kept from DOUBLE and string inputs; values with more are scored by Python instead.
DOUBLE_SCALE = 10
#: Integer digits accepted from strings (so that their scaled integers fit 128 bits with room).
STRING_DIGITS = 16
#: An indicator whose SQL expression would exceed this many nodes is refused.
MAX_NODES = 60_000
#: Engines whose integer and decimal arithmetic may overflow without an error (Spark and
#: Databricks with ANSI mode off): their queries bound the inputs instead.
SILENT_OVERFLOW = ("spark", "databricks")
#: Error markers in ``err`` expressions; any other text is an evaluation failure.
MISSING = "missing"
INPUT = "input"

SqlInt = exp.Expression | int
Dialect = str

_TRUE = ("true", "yes", "y", "1", "是", "对", "√", "✓")
_FALSE = ("false", "no", "n", "0", "否", "错", "×", "✗")


# ---- small sqlglot helpers -------------------------------------------------------------------
def ident(name: str) -> exp.Identifier:
    return exp.to_identifier(name)


def col(name: str, table: str | None = None) -> exp.Column:
    return exp.Column(this=ident(name), table=ident(table) if table else None)


def alias(e: exp.Expression, name: str) -> exp.Expression:
    return exp.Alias(this=e, alias=ident(name))


def string(text: str) -> exp.Literal:
    return exp.Literal.string(text)


_ATOMS = (
    exp.Column,
    exp.Literal,
    exp.Paren,
    exp.Null,
    exp.Boolean,
    exp.Cast,
    exp.TryCast,
    exp.Case,
    exp.Coalesce,
    exp.Abs,
    exp.Anonymous,
    exp.Floor,
    exp.Nullif,
    exp.Lower,
)


def paren(e: exp.Expression) -> exp.Expression:
    """``e`` as an operand: parenthesised unless it is atomic (sqlglot prints the tree as built)."""
    if type(e) in _ATOMS:
        return e
    return exp.Paren(this=e)


def case(whens: Sequence[tuple[exp.Expression, exp.Expression]], default: exp.Expression | None) -> exp.Expression:
    """A searched CASE, built directly (sqlglot's builders copy their arguments)."""
    return exp.Case(ifs=[exp.If(this=cond, true=value) for cond, value in whens], default=default)


@functools.cache
def _dtype(text: str) -> exp.DataType:
    return exp.DataType.build(text, dialect="duckdb")


def dtype(text: str) -> exp.DataType:
    """A data type node (parsed once per spelling)."""
    return _dtype(text).copy()


def coalesce(*items: exp.Expression | None) -> exp.Expression | None:
    present = [e for e in items if e is not None]
    if not present:
        return None
    if len(present) == 1:
        return present[0]
    return exp.Coalesce(this=present[0], expressions=present[1:])


def when(cond: exp.Expression | bool, value: exp.Expression | None) -> exp.Expression | None:
    """``CASE WHEN cond THEN value END`` (NULL otherwise); ``None`` means NULL."""
    if value is None or cond is False:
        return None
    if cond is True:
        return value
    return case([(cond, value)], None)


def missing_err(e: exp.Expression) -> exp.Expression | None:
    return when(is_null(e), string(MISSING))


def is_null(e: exp.Expression) -> exp.Expression:
    return exp.Is(this=paren(e), expression=exp.Null())


def not_null(e: exp.Expression) -> exp.Expression:
    return exp.Not(this=is_null(e))


Bool = exp.Expression | bool


def b_sql(b: Bool) -> exp.Expression:
    return exp.Boolean(this=b) if isinstance(b, bool) else b


def b_and(a: Bool, b: Bool) -> Bool:
    if a is False or b is False:
        return False
    if a is True:
        return b
    if b is True:
        return a
    return exp.And(this=paren(a), expression=paren(b))


def b_or(a: Bool, b: Bool) -> Bool:
    if a is True or b is True:
        return True
    if a is False:
        return b
    if b is False:
        return a
    return exp.Or(this=paren(a), expression=paren(b))


def b_not(a: Bool) -> Bool:
    if isinstance(a, bool):
        return not a
    return exp.Not(this=paren(a))


def b_case(cond: Bool, then: Bool, orelse: Bool) -> Bool:
    if cond is True:
        return then
    if cond is False:
        return orelse
    if then is True and orelse is False:
        return cond
    return case([(cond, b_sql(then))], b_sql(orelse))


# ---- exact fractions over SQL integers ---------------------------------------------------------
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


#: Integer types per dialect, narrowest first, with the largest magnitude each holds. An integer
#: expression carries in its ``meta`` a bound on its magnitude and the rank of the type the engine
#: gives it; an operation whose bound exceeds its operands' type widens them first.
_INT_TYPES: dict[str, tuple[tuple[str, int], ...]] = {
    "duckdb": (("INTEGER", 2**31 - 1), ("BIGINT", 2**63 - 1), ("HUGEINT", 2**127 - 1)),
    "spark": (("INT", 2**31 - 1), ("BIGINT", 2**63 - 1), ("DECIMAL(38, 0)", 10**38 - 1)),
}
_DEFAULT_INT_TYPES = (("INTEGER", 2**31 - 1), ("BIGINT", 2**63 - 1), ("DECIMAL(38, 0)", 10**38 - 1))
#: Spark's DECIMAL(38, 0) / DECIMAL(38, 0) is a DECIMAL(38, 6): 32 digits before the point.
_DECIMAL_QUOTIENT = 10**32 - 1


class Ints:
    """Integer arithmetic in one dialect, with constants folded and every magnitude bounded.

    Each SQL integer expression made here has ``meta["bound"]`` (no value it takes in any row is
    larger in magnitude) and ``meta["rank"]`` (its SQL type: an index into the dialect's integer
    types). ``max_bound`` is the largest magnitude the query computes; on an engine whose integer
    arithmetic may overflow silently (Spark without ANSI mode), the compiler keeps it within the
    widest type by bounding the inputs.
    """

    def __init__(self, dialect: Dialect) -> None:
        self.dialect = dialect
        self.types = _INT_TYPES.get(dialect, _DEFAULT_INT_TYPES)
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
            return bool(_OPS[op](a, b))
        cls = _CMP[op]
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
        if self.dialect in ("duckdb", "postgres", "bigquery") or (
            self.dialect in ("spark", "databricks") and self.bound(a) <= 2**63 - 1
        ):
            # `//` (DuckDB), `div` (Spark: a BIGINT quotient, exact while it fits) and `DIV`
            # truncate toward zero: step down when the remainder is negative
            trunc = self.tag(
                exp.IntDiv(this=paren(x), expression=paren(divisor)),
                bound,
                rank if self.dialect == "duckdb" else max(rank, 1),
            )
            if a_nonneg:
                return trunc
            rem = exp.Mod(this=paren(x.copy()), expression=paren(divisor.copy()))
            stepped = exp.Sub(this=trunc.copy(), expression=exp.Literal.number(1))
            return self.tag(
                case([(exp.LT(this=rem, expression=exp.Literal.number(0)), stepped)], trunc), bound, self.rank(trunc)
            )
        self.note(self.bound(a) * (self.limit // _DECIMAL_QUOTIENT))
        if self.dialect in SILENT_OVERFLOW:
            # (a - pmod(a, b)) is a multiple of b: Spark's decimal quotient of the two is exact (it
            # has 32 digits before the point, which the input bounds guarantee)
            multiple = exp.Sub(
                this=paren(x), expression=exp.Anonymous(this="PMOD", expressions=[x.copy(), divisor.copy()])
            )
            return self.tag(
                self.int_cast(exp.Div(this=exp.Paren(this=multiple), expression=paren(divisor.copy()))), bound, self.top
            )
        # Elsewhere: FLOOR of the engine's decimal quotient (within one of the truth), then fix it
        # up exactly with the remainder.
        approx = self.tag(
            self.int_cast(exp.Floor(this=exp.Div(this=paren(x), expression=paren(divisor)))), bound, self.top
        )
        fix: exp.Expression = exp.Sub(
            this=paren(x.copy()), expression=exp.Mul(this=paren(approx), expression=paren(divisor))
        )
        return self.tag(
            case(
                [
                    (
                        exp.LT(this=paren(fix), expression=exp.Literal.number(0)),
                        exp.Sub(this=approx, expression=exp.Literal.number(1)),
                    ),
                    (
                        exp.GTE(this=paren(fix.copy()), expression=paren(divisor.copy())),
                        exp.Add(this=approx.copy(), expression=exp.Literal.number(1)),
                    ),
                ],
                approx.copy(),
            ),
            bound,
            self.top,
        )

    def int_cast(self, e: exp.Expression) -> exp.Expression:
        return exp.Cast(this=e, to=self.int_type.copy())


_OPS: dict[str, Callable[[Any, Any], bool]] = {
    ">=": lambda a, b: a >= b,
    "<=": lambda a, b: a <= b,
    ">": lambda a, b: a > b,
    "<": lambda a, b: a < b,
    "==": lambda a, b: a == b,
    "!=": lambda a, b: a != b,
}
_CMP: dict[str, type[exp.Expression]] = {
    ">=": exp.GTE,
    "<=": exp.LTE,
    ">": exp.GT,
    "<": exp.LT,
    "==": exp.EQ,
    "!=": exp.NEQ,
}
_FLIP = {">=": "<=", "<=": ">=", ">": "<", "<": ">", "==": "==", "!=": "!="}


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
            return bool(_OPS[op](x.const, y.const))
        if isinstance(x.d, int) and isinstance(y.d, int):
            lcm = x.d * y.d // math.gcd(x.d, y.d)
            left, right = i.mul(x.n, lcm // x.d), i.mul(y.n, lcm // y.d)
        else:
            left, right = i.mul(x.n, y.d), i.mul(y.n, x.d)
        if isinstance(left, int) and not isinstance(right, int):
            return i.cmp(right, _FLIP[op], left)
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


# ---- values of compiled expressions ------------------------------------------------------------
Label = exp.Expression | str


@dataclass(frozen=True)
class V:
    """A compiled expression: its value (a fraction, a condition or a label) and its failure."""

    value: Q | Bool | Label
    err: exp.Expression | None = None


def first_err(*errs: exp.Expression | None) -> exp.Expression | None:
    return coalesce(*errs)


def _never_null(cond: exp.Expression) -> bool:
    if isinstance(cond, exp.Paren):
        return _never_null(cond.this)
    if isinstance(cond, exp.Not):
        return _never_null(cond.this)
    return isinstance(cond, (exp.Is, exp.Boolean))


def _truth(cond: exp.Expression) -> Bool:
    """``cond`` as CASE reads it: NULL counts as false."""
    if _never_null(cond):
        return cond
    return exp.Coalesce(this=paren(cond), expressions=[exp.false()])


def fails(err: exp.Expression | None) -> Bool:
    """A condition that is true exactly when ``err`` is not NULL, built from the shape of ``err``
    so that no string is computed for a unit that did not fail."""
    if err is None or isinstance(err, exp.Null):
        return False
    known = err.meta.get("fails")
    if known is not None:
        return known if isinstance(known, bool) else known.copy()
    if isinstance(err, exp.Paren):
        return fails(err.this)
    if isinstance(err, exp.Literal) and err.is_string:
        return True
    if isinstance(err, exp.Cast) and isinstance(err.this, exp.Null):
        return False
    if isinstance(err, exp.Coalesce):
        out: Bool = False
        for part in [err.this, *err.expressions]:
            out = b_or(out, fails(part))
        return out
    if isinstance(err, exp.Case) and err.this is None:
        result = fails(err.args.get("default"))
        for branch in reversed(err.args.get("ifs") or []):
            result = b_case(_truth(branch.this), fails(branch.args.get("true")), result)
        return result
    if isinstance(err, exp.Concat) and not err.args.get("coalesce"):
        both: Bool = True
        for part in err.expressions:
            both = b_and(both, fails(part))
        return both
    return not_null(err.copy())


# ---- input columns ------------------------------------------------------------------------------
@dataclass(frozen=True)
class InputColumn:
    """How one input measure arrives: its column name and SQL type (DuckDB spelling)."""

    column: str
    type: str
    #: The largest magnitude of the column's values, where known (from the data's statistics);
    #: it lets the query use narrower integers. A value beyond it makes the engine raise an
    #: overflow error (DuckDB), never a wrong score.
    max_abs: Decimal | None = None


_INTEGER_BOUNDS = {
    "TINYINT": 2**7,
    "INT1": 2**7,
    "BYTE": 2**7,
    "UTINYINT": 2**8,
    "SMALLINT": 2**15,
    "INT2": 2**15,
    "SHORT": 2**15,
    "USMALLINT": 2**16,
    "INTEGER": 2**31,
    "INT": 2**31,
    "INT4": 2**31,
    "UINTEGER": 2**32,
    "BIGINT": 2**63,
    "INT8": 2**63,
    "LONG": 2**63,
    "UBIGINT": 2**64,
    "HUGEINT": 2**127,
}


def _decimal_digits(type_text: str) -> int:
    dt = _dtype(type_text.strip().upper())
    params = [int(p.this.this) if isinstance(p.this, exp.Literal) else int(p.name) for p in dt.expressions]
    return params[0] if params else 18


def _narrow_product(digits: int) -> int:
    """The largest unscaled value of ``DECIMAL(digits, s) × integer`` that DuckDB holds without an
    overflow error: the product of a decimal of up to 18 digits stays a DECIMAL(18, s)."""
    return 10**18 - 1 if digits <= 18 else 10**38 - 1


def _scaled_bound(max_abs: Decimal, scale: int) -> int:
    """The largest magnitude of ``value × 10^scale`` for values up to ``max_abs``."""
    return math.ceil(abs(max_abs).scaleb(scale))


def _decimal_lit(value: Decimal) -> exp.Expression:
    return exp.Literal.number(format(value, "f"))


def _type_of(type_text: str) -> tuple[str, int | None]:
    """The kind of a column type: decimal (with its scale), integer, double, string, boolean or other."""
    text = type_text.strip().upper()
    if text.endswith("]") or ("(" in text and not text.startswith(("DECIMAL", "NUMERIC", "VARCHAR", "CHAR"))):
        return "other", None  # a list, array, struct or map: no value of it converts in SQL
    if text.startswith(("DECIMAL", "NUMERIC")):
        dt = _dtype(text)
        params = [int(p.this.this) if isinstance(p.this, exp.Literal) else int(p.name) for p in dt.expressions]
        scale = params[1] if len(params) > 1 else 0
        return "decimal", scale
    if text in (
        "TINYINT",
        "SMALLINT",
        "INTEGER",
        "INT",
        "BIGINT",
        "HUGEINT",
        "UTINYINT",
        "USMALLINT",
        "UINTEGER",
        "UBIGINT",
        "INT8",
        "INT4",
        "INT2",
        "INT1",
        "LONG",
        "SHORT",
        "BYTE",
    ):
        return "integer", 0
    if text in ("DOUBLE", "FLOAT", "REAL", "FLOAT8", "FLOAT4"):
        return "double", None
    if text in ("VARCHAR", "STRING", "TEXT") or text.startswith(("VARCHAR", "CHAR")):
        return "string", None
    if text in ("BOOLEAN", "BOOL"):
        return "boolean", None
    return "other", None


# ---- the compiler ---------------------------------------------------------------------------------
@dataclass
class Measured:
    """A measure's value inside the query: a column (or columns) of an earlier stage."""

    kind: Literal["num", "bool", "label"]
    value: Q | exp.Expression
    err: exp.Expression | None


class RuleCompiler:
    """One rule (or formula) to a :class:`V`, mirroring :mod:`kpirules.compiler` form by form."""

    def __init__(
        self,
        query: QueryCompiler,
        checked: Checked,
        source: RuleSource,
        *,
        weight: Decimal = Decimal(0),
        subject: str | None = None,
        subject_levels: tuple[str, ...] | None = None,
    ) -> None:
        self.q = query
        self.a = query.arith
        self.i = query.ints
        self.checked = checked
        self.source = source
        self.weight = Fraction(weight)
        self.subject = subject
        self.subject_levels = subject_levels

    def text(self, node: ast.Node) -> str:
        return " ".join(self.source.text[node.span.start : node.span.end].split())

    def fail(self, node: ast.Node, message: str) -> SqlUnsupported:
        return SqlUnsupported(message, location=self.source.location(node.span.start, node.span.end))

    def compile(self, node: ast.Node) -> V:
        method: Callable[[Any], V] = getattr(self, "c_" + type(node).__name__)
        return method(node)

    def num(self, node: ast.Node) -> tuple[Q, exp.Expression | None]:
        v = self.compile(node)
        assert isinstance(v.value, Q), node
        return v.value, v.err

    def cond(self, node: ast.Node) -> tuple[Bool, exp.Expression | None]:
        v = self.compile(node)
        assert isinstance(v.value, (bool, exp.Expression)) and not isinstance(v.value, Q), node
        return v.value, v.err

    def measure(self, name: str) -> V:
        m = self.q.measured[name]
        return V(m.value, m.err)

    def subject_value(self, subject: ast.Expr | None = None) -> V:
        if subject is not None:
            return self.compile(subject)
        assert self.subject is not None
        return self.measure(self.subject)

    # -- literals and names -------------------------------------------------------------------
    def c_Number(self, node: ast.Number) -> V:
        if self.checked.kind(node) is Kind.SCORE:
            return V(qconst(self.weight * Fraction(node.value)))
        return V(qconst(node.value))

    def c_Points(self, node: ast.Points) -> V:
        return V(qconst(node.value))

    def c_Full(self, node: ast.Full) -> V:
        return V(qconst(self.weight))

    def c_Zero(self, node: ast.Zero) -> V:
        return V(qconst(0))

    def c_Bool(self, node: ast.Bool) -> V:
        return V(node.value)

    def c_Text(self, node: ast.Text) -> V:
        return V(node.text)

    def c_ValueRef(self, node: ast.ValueRef) -> V:
        return self.subject_value()

    def c_Name(self, node: ast.Name) -> V:
        if node in self.checked.labels:
            return V(node.name)
        return self.measure(node.name)

    # -- calls and operators ------------------------------------------------------------------
    def c_Call(self, node: ast.Call) -> V:
        if node.func in ("min", "max"):
            parts = [self.num(arg) for arg in node.args]
            value, err = parts[0]
            for other, other_err in parts[1:]:
                # Python's min/max keep the first of equal values; equal values are equal numbers
                keep = self.a.cmp(value, "<=" if node.func == "min" else ">=", other)
                value = self.a.select(keep, value, other)
                err = first_err(err, other_err)
            return V(value, err)
        if node.func == "abs":
            value, err = self.num(node.args[0])
            return V(self.a.abs(value), err)
        value, err = self.num(node.args[0])
        digits = node.args[1]
        assert isinstance(digits, ast.Number)
        n = int(digits.value)
        return V(self.a.norm(self.a.round_int(value, n, "half-up"), 10**n, False), err)

    def c_Neg(self, node: ast.Neg) -> V:
        value, err = self.num(node.operand)
        return V(self.a.neg(value), err)

    def c_Not(self, node: ast.Not) -> V:
        value, err = self.cond(node.operand)
        return V(b_not(value), err)

    def c_BinOp(self, node: ast.BinOp) -> V:
        x, xe = self.num(node.left)
        y, ye = self.num(node.right)
        if node.op == "+":
            return V(self.a.add(x, y), first_err(xe, ye))
        if node.op == "-":
            return V(self.a.add(x, y, -1), first_err(xe, ye))
        if node.op == "*":
            return V(self.a.mul(x, y), first_err(xe, ye))
        zero = self.a.cmp(y, "==", qconst(0))
        message = f"division by zero: `{self.text(node.right)}` is 0"
        return V(self.a.div(x, y), first_err(xe, ye, when(zero, string(message))))

    def c_Logic(self, node: ast.Logic) -> V:
        left, le = self.cond(node.left)
        right, re_ = self.cond(node.right)
        if node.op == "and":
            return V(b_and(left, right), first_err(le, when(left, re_)))
        return V(b_or(left, right), first_err(le, when(b_not(left), re_)))

    def compare_labels(self, left: Label, op: str, right: Label, levels: tuple[str, ...]) -> Bool:
        ranks = {label: i for i, label in enumerate(levels)}
        rank_ops = {">=": "<=", "<=": ">=", ">": "<", "<": ">", "==": "==", "!=": "!="}
        rop = rank_ops[op]  # labels rank best first: "at least as good" is "rank at most"
        if isinstance(left, str) and isinstance(right, str):
            return bool(_OPS[rop](ranks[left], ranks[right]))
        if isinstance(left, str):
            left, right, rop = right, left, _FLIP[rop]
        if isinstance(right, str):
            assert isinstance(left, exp.Expression)
            chosen = [label for label in levels if _OPS[rop](ranks[label], ranks[right])]
            if not chosen:
                return False
            if len(chosen) == len(levels):
                return True
            return exp.In(this=paren(left), expressions=[string(label) for label in chosen])
        assert isinstance(left, exp.Expression) and isinstance(right, exp.Expression)
        return self.i.cmp(self.rank(left, levels), rop, self.rank(right, levels))

    def rank(self, label: exp.Expression, levels: tuple[str, ...]) -> exp.Expression:
        return exp.Case(
            this=paren(label.copy()),
            ifs=[exp.If(this=string(lv), true=exp.Literal.number(k)) for k, lv in enumerate(levels)],
        )

    def c_Compare(self, node: ast.Compare) -> V:
        left, right = self.compile(node.left), self.compile(node.right)
        err = first_err(left.err, right.err)
        if self.checked.kind(node.left) is Kind.LABEL or self.checked.kind(node.right) is Kind.LABEL:
            typed = node.left if self.checked.types[node.left].levels else node.right
            levels = self.checked.types[typed].levels
            assert levels is not None
            assert not isinstance(left.value, (Q, bool)) and not isinstance(right.value, (Q, bool))
            return V(self.compare_labels(left.value, node.op, right.value, levels), err)
        if isinstance(left.value, Q):
            assert isinstance(right.value, Q)
            return V(self.a.cmp(left.value, node.op, right.value), err)
        # two conditions, == or !=
        lv, rv = left.value, right.value
        assert not isinstance(lv, (Q, str)) and not isinstance(rv, (Q, str))
        if isinstance(lv, bool) and isinstance(rv, bool):
            return V((lv == rv) if node.op == "==" else (lv != rv), err)
        cls = exp.EQ if node.op == "==" else exp.NEQ
        return V(cls(this=paren(b_sql(lv)), expression=paren(b_sql(rv))), err)

    def select_value(self, cond: Bool, then: V, orelse: V) -> Q | Bool | Label:
        tv, ov = then.value, orelse.value
        if isinstance(tv, Q):
            assert isinstance(ov, Q)
            return self.a.select(cond, tv, ov)
        if (
            isinstance(tv, str)
            or isinstance(ov, str)
            or (
                (isinstance(tv, exp.Expression) and self._is_label(tv))
                or (isinstance(ov, exp.Expression) and self._is_label(ov))
            )
        ):
            if cond is True:
                return tv
            if cond is False:
                return ov
            assert not isinstance(tv, (Q, bool)) and not isinstance(ov, (Q, bool))
            return case(
                [(b_sql(cond), string(tv) if isinstance(tv, str) else tv)], string(ov) if isinstance(ov, str) else ov
            )
        assert not isinstance(ov, (Q, str)) and not isinstance(tv, (Q, str))
        return b_case(cond, tv, ov)

    def _is_label(self, e: exp.Expression) -> bool:
        return bool(e.meta.get("label"))

    def c_IfElse(self, node: ast.IfElse) -> V:
        cond, ce = self.cond(node.cond)
        then, orelse = self.compile(node.then), self.compile(node.orelse)
        if self.checked.kind(node) is Kind.LABEL:
            value: Q | Bool | Label = self._label_case(cond, then.value, orelse.value)
        else:
            value = self.select_value(cond, then, orelse)
        return V(value, first_err(ce, self.branch_err(cond, then.err, orelse.err)))

    def _label_case(self, cond: Bool, a: Any, b: Any) -> Label:
        if cond is True:
            return a  # type: ignore[no-any-return]
        if cond is False:
            return b  # type: ignore[no-any-return]
        out = case([(cond, string(a) if isinstance(a, str) else a)], string(b) if isinstance(b, str) else b)
        out.meta["label"] = True
        return out

    def branch_err(self, cond: Bool, a: exp.Expression | None, b: exp.Expression | None) -> exp.Expression | None:
        if a is None and b is None:
            return None
        if cond is True:
            return a
        if cond is False:
            return b
        return case([(cond, a if a is not None else exp.Null())], b if b is not None else exp.Null())

    # -- scoring forms ------------------------------------------------------------------------
    def c_Pass(self, node: Pass) -> V:
        cond, ce = self.cond(node.cond)
        orelse = self.compile(node.orelse) if node.orelse is not None else V(qconst(0))
        assert isinstance(orelse.value, Q)
        value = self.a.select(cond, qconst(self.weight), orelse.value)
        return V(value, first_err(ce, self.branch_err(cond, None, orelse.err)))

    def c_Proportional(self, node: Proportional) -> V:
        full = qconst(self.weight)
        if node.kind in ("plain", "expr"):
            if node.kind == "plain":
                sv = self.subject_value()
                assert isinstance(sv.value, Q)
                credit, err = sv.value, sv.err
            else:
                assert node.operand is not None
                credit, err = self.num(node.operand)
            return V(self.a.mul(full, self.a.clamp01(credit)), err)
        assert node.operand is not None
        sv = self.subject_value()
        assert isinstance(sv.value, Q)
        x, xe = sv.value, sv.err
        t, te = self.num(node.operand)
        if node.kind == "inverse":
            best = self.a.cmp(x, "<=", qconst(0))
            credit = self.a.select(best, qconst(1), self.a.div(t, x))
            return V(self.a.mul(full, self.a.clamp01(credit)), first_err(xe, te))
        zero = self.a.cmp(t, "==", qconst(0))
        err = first_err(xe, te, when(zero, string(f"the target `{self.text(node.operand)}` is 0")))
        return V(self.a.mul(full, self.a.clamp01(self.a.div(x, t))), err)

    def band_test(self, test: ast.BandTest, x: V, levels: tuple[str, ...] | None) -> tuple[Bool, exp.Expression | None]:
        if isinstance(test, ast.ElseTest):
            return True, None
        if isinstance(test, ast.CompareTest):
            bound = self.compile(test.bound)
            if levels is not None:
                assert not isinstance(x.value, (Q, bool)) and not isinstance(bound.value, (Q, bool))
                return self.compare_labels(x.value, test.op, bound.value, levels), bound.err
            assert isinstance(x.value, Q) and isinstance(bound.value, Q)
            return self.a.cmp(x.value, test.op, bound.value), bound.err
        assert isinstance(x.value, Q)
        lo, loe = self.num(test.low)
        hi, hie = self.num(test.high)
        low_ok = self.a.cmp(lo, "<=" if test.low_closed else "<", x.value)
        high_ok = self.a.cmp(x.value, "<=" if test.high_closed else "<", hi)
        return b_and(low_ok, high_ok), first_err(loe, when(low_ok, hie))

    def c_Tiers(self, node: ast.Tiers) -> V:
        x = self.subject_value(node.subject)
        levels = self.checked.types[node.subject].levels if node.subject is not None else self.subject_levels
        bands = [(self.band_test(band.test, x, levels), self.compile(band.score)) for band in node.bands]
        what = self.text(node.subject) if node.subject is not None else (self.subject or "value")
        value: Q = qconst(0)
        err: exp.Expression | None = string(f"no band of these tiers matches {what}")
        for (test, test_err), score in reversed(bands):
            assert isinstance(score.value, Q)
            value = self.a.select(test, score.value, value)
            err = first_err(test_err, self.branch_err(test, score.err, err))
        return V(value, first_err(x.err, err))

    def c_Deduct(self, node: ast.Deduct) -> V:
        full = qconst(self.weight)
        sv = self.subject_value()
        assert isinstance(sv.value, Q)
        x, xe = sv.value, sv.err
        if node.mode == "each":
            per, pe = self.num(node.amount)
            return V(self.a.floor0(self.a.add(full, self.a.mul(per, x), -1)), first_err(xe, pe))
        assert node.step is not None and node.limit is not None
        lim, le = self.num(node.limit)
        gap = self.a.add(lim, x, -1) if node.direction == "below" else self.a.add(x, lim, -1)
        short = self.a.cmp(gap, ">", qconst(0))
        size, se = self.num(node.step)
        per, pe = self.num(node.amount)
        zero = self.a.cmp(size, "==", qconst(0))
        steps = self.a.div(gap, size)
        if node.mode == "whole":
            steps = self.a.floor(steps)
        elif node.mode == "started":
            steps = self.a.ceil(steps)
        deducted = self.a.floor0(self.a.add(full, self.a.mul(per, steps), -1))
        inner = first_err(se, when(zero, string(f"the step `{self.text(node.step)}` is 0")), pe)
        return V(self.a.select(short, deducted, full), first_err(xe, le, when(short, inner)))

    def c_Checklist(self, node: ast.Checklist) -> V:
        total = qconst(0)
        errs: list[exp.Expression | None] = []
        for item in node.items:
            cond, ce = self.cond(item.cond)
            score = self.compile(item.score)
            assert isinstance(score.value, Q)
            total = self.a.add(total, self.a.select(cond, score.value, qconst(0)))
            errs.append(first_err(ce, when(cond, score.err)))
        return V(total, first_err(*errs))

    def c_Grade(self, node: ast.Grade) -> V:
        subject = self.subject_value(node.subject)
        label = subject.value
        by = self.compile(node.by) if node.by is not None else None
        mode = self.q.ruleset.header.rounding
        precision = self.q.ruleset.header.precision
        value: Q = qconst(0)
        labels = ", ".join(band.label for band in node.bands)
        err: exp.Expression | None = string(f"the grade has no band for this level (bands: {labels})")
        levels = self.checked.types[node.subject].levels if node.subject is not None else self.subject_levels
        if isinstance(label, exp.Expression) and levels and set(levels) <= {band.label for band in node.bands}:
            err = None  # the value is one of the levels (the input check sees to it): a band matches
        for band in reversed(node.bands):
            if isinstance(label, str):
                matches: Bool = label == band.label
            else:
                assert isinstance(label, exp.Expression)
                matches = exp.EQ(this=paren(label.copy()), expression=string(band.label))
            if isinstance(band.score, ast.Interval):
                low, low_err = self.num(band.score.low)
                high, high_err = self.num(band.score.high)
                lc, hc = band.score.low_closed, band.score.high_closed
            else:
                low, low_err = self.num(band.score)
                high, high_err, lc, hc = low, None, True, True
            if by is None:
                points, band_err = low, first_err(low_err, high_err)
            else:
                assert isinstance(by.value, Q)
                awarded = self.a.norm(self.a.round_int(by.value, precision, mode), 10**precision, False)
                inside = b_and(
                    self.a.cmp(low, "<=" if lc else "<", awarded), self.a.cmp(awarded, "<=" if hc else "<", high)
                )
                outside = when(b_not(inside), string(f"{self.text(node.by)} is outside the band of '{band.label}'"))
                points, band_err = awarded, first_err(low_err, high_err, by.err, outside)
            value = self.a.select(matches, points, value)
            err = self.branch_err(matches, band_err, err)
            if err is None:
                err = None
        return V(value, first_err(subject.err, err))


class QueryCompiler:
    """The whole ruleset to one SELECT."""

    def __init__(
        self,
        ruleset: Ruleset,
        *,
        dialect: Dialect = "duckdb",
        source: exp.Expression | str = "units",
        columns: Mapping[str, InputColumn] | None = None,
        unit_column: str | None = None,
        row_column: str | None = None,
        cap: int | None = None,
    ) -> None:
        self.ruleset = ruleset
        #: With a cap k, numeric inputs of magnitude above 10^k are not scored (``input: …``).
        self.cap = cap
        self.dialect = dialect
        self.ints = Ints(dialect)
        self.arith = Arith(self.ints)
        self.source = source
        self.columns = dict(columns) if columns is not None else default_columns(ruleset)
        self.unit_column = unit_column
        self.row_column = row_column
        self.measured: dict[str, Measured] = {}
        self.internal: dict[str, str] = {}

    # -- stage 1: input conversion --------------------------------------------------------------
    def convert(
        self, measure: Measure, column: InputColumn
    ) -> tuple[Measured, list[tuple[str, exp.Expression]], Bool, Bool]:
        """The measure's value, the columns that hold it, a condition on the raw column that is
        true when SQL converts the value exactly (else the unit goes to Python), and the checks
        (count, range) on the converted value, for the next stage."""
        raw = col(column.column)
        kind, scale = _type_of(column.type)
        name = self.internal_name(measure.name)
        i = self.ints
        if measure.type in NUMERIC_TYPES:
            percent = measure.type in ("rate", "number")
            bare: Bool = True  # whether the value was given as a bare number (no % or ‰)
            cap_ok: Bool = True
            cap = None
            if self.cap is not None and kind in ("decimal", "integer", "double", "string"):
                # on an engine that may overflow silently, values beyond the cap are not scored in SQL
                cap = Decimal(10) ** self.cap
                cap_ok = b_or(is_null(raw.copy()), exp.LTE(this=exp.Abs(this=raw.copy()), expression=_decimal_lit(cap)))
                if kind == "string":  # a cap on the digits instead (the value is parsed below)
                    cap_ok = True
            if kind == "decimal":
                assert scale is not None
                digits = _decimal_digits(column.type)
                bound = 10**digits - 1
                if column.max_abs is not None:
                    bound = min(bound, _scaled_bound(column.max_abs, scale))
                if cap is not None:
                    bound = min(bound, _scaled_bound(cap, scale))
                if scale == 0:
                    value = i.cast(raw.copy(), bound)
                elif digits + scale <= 38 and bound <= 2**63 - 1 and bound * 10**scale <= _narrow_product(digits):
                    # a narrow decimal times 10^scale stays a narrow decimal: cheap, and exact (DuckDB
                    # keeps DECIMAL(18, s) for a product of a decimal of up to 18 digits, and raises an
                    # overflow error when the unscaled product, here up to bound × 10^scale, exceeds it)
                    value = i.cast(exp.Mul(this=raw.copy(), expression=exp.Literal.number(10**scale)), bound)
                else:
                    wide = exp.Cast(this=raw.copy(), to=dtype(f"DECIMAL(38, {scale})"))
                    value = i.cast(exp.Mul(this=wide, expression=exp.Literal.number(10**scale)), bound)
                ok: Bool = True
            elif kind == "integer":
                bound = _INTEGER_BOUNDS.get(column.type.strip().upper(), 2**127 - 1)
                if column.max_abs is not None:
                    bound = min(bound, int(column.max_abs))
                if cap is not None:
                    bound = min(bound, int(cap))
                value, scale, ok = i.cast(raw.copy(), bound), 0, True
            elif kind == "double":
                scale = DOUBLE_SCALE
                as_double = exp.Cast(this=raw.copy(), to=dtype("DOUBLE"))
                # A double means the decimal of its shortest representation (Python's repr). Below
                # 2^19 at most one number with DOUBLE_SCALE decimals lies within half an ulp of it,
                # so a decimal that converts back to the same double is that representation;
                # elsewhere DuckDB's shortest VARCHAR rendering is parsed. A value with more
                # decimals fails the round trip and goes to Python. Values of 10^18 and more, too.
                dec_type = f"DECIMAL(28, {scale})"
                fast = exp.TryCast(this=as_double.copy(), to=exp.DataType.build(dec_type))
                fast_ok = b_and(
                    exp.LT(this=exp.Abs(this=as_double.copy()), expression=exp.Literal.number(2**19)),
                    exp.EQ(this=exp.Cast(this=fast.copy(), to=dtype("DOUBLE")), expression=as_double.copy()),
                )
                slow = exp.TryCast(
                    this=exp.Cast(this=as_double.copy(), to=dtype("VARCHAR")), to=exp.DataType.build(dec_type)
                )
                dec = case([(b_sql(fast_ok), fast)], slow)
                widened = exp.Cast(this=dec, to=dtype(f"DECIMAL(38, {scale})"))
                bound = 10 ** (18 + scale)
                if column.max_abs is not None:
                    bound = min(bound, _scaled_bound(column.max_abs, scale))
                if cap is not None:
                    bound = min(bound, _scaled_bound(cap, scale))
                value = i.cast(exp.Mul(this=widened, expression=exp.Literal.number(10**scale)), bound)
                back = exp.Cast(this=dec.copy(), to=dtype("DOUBLE"))
                ok = b_or(is_null(raw.copy()), exp.EQ(this=back, expression=as_double.copy()))
            elif kind == "string":
                int_digits = STRING_DIGITS if self.cap is None else max(1, min(STRING_DIGITS, self.cap))
                plain = rf"[+-]?([0-9]{{1,{int_digits}}}([.][0-9]{{0,{DOUBLE_SCALE}}})?|[.][0-9]{{1,{DOUBLE_SCALE}}})"
                text = exp.Anonymous(this="REPLACE", expressions=[raw.copy(), string("％"), string("%")])
                is_plain = exp.RegexpLike(this=raw.copy(), expression=string(f"^{plain}$"))
                base = DOUBLE_SCALE
                scale = base + (3 if percent else 0)

                def dec_of(e: exp.Expression) -> exp.Expression:
                    return exp.Cast(this=e, to=dtype(f"DECIMAL(38, {base})"))

                def scaled(e: exp.Expression, power: int) -> SqlInt:
                    whole = i.cast(
                        exp.Mul(this=dec_of(e), expression=exp.Literal.number(10**base)), 10 ** (int_digits + base)
                    )
                    return i.mul(whole, 10 ** (power - base))

                whens: list[tuple[exp.Expression, exp.Expression]] = [(is_plain, i.sql(scaled(raw.copy(), scale)))]
                ok_cond: Bool = b_or(is_null(raw.copy()), is_plain)
                if percent:
                    for suffix, power in (("%", base + 1), ("‰", base)):
                        pattern = exp.RegexpLike(this=text.copy(), expression=string(f"^{plain}{suffix}$"))
                        stripped = exp.Substring(
                            this=text.copy(),
                            start=exp.Literal.number(1),
                            length=exp.Sub(this=exp.Length(this=text.copy()), expression=exp.Literal.number(1)),
                        )
                        whens.append((pattern, i.sql(scaled(stripped, power))))
                        ok_cond = b_or(ok_cond, pattern.copy())
                value = case(whens, None)
                bare = is_plain.copy()
                parts = [v for _, v in whens]
                i.tag(value, max(i.bound(v) for v in parts), max(i.rank(v) for v in parts))
                ok = b_or(ok_cond, exp.EQ(this=raw.copy(), expression=string("")))
            else:
                value, scale, ok, bare = exp.Null(), 0, is_null(raw.copy()), False
            if cap_ok is not True and isinstance(value, exp.Expression):
                capped = exp.LTE(this=exp.Abs(this=raw.copy()), expression=_decimal_lit(cap or Decimal(0)))
                value = i.tag(case([(capped, value)], None), i.bound(value), i.rank(value))
                ok = b_and(ok, cap_ok)
            cname = name
            d = 10**scale
            checks: Bool = True
            colref = i.column(cname, value)
            q = Q(colref, d, measure.type == "count")
            if measure.type == "count":
                checks = b_and(checks, i.cmp(colref.copy(), ">=", 0))
                if d > 1:
                    checks = b_and(checks, i.cmp(i.mod(colref.copy(), d), "==", 0))
            if measure.range is not None:
                lo, hi = (qconst(b) for b in measure.range)
                checks = b_and(checks, b_and(self.arith.cmp(lo, "<=", q), self.arith.cmp(q, "<=", hi)))
                if lo.const is not None and lo.const >= 0:
                    q = Q(q.n, q.d, True)
            extra: list[tuple[str, exp.Expression]] = []
            if measure.range is None and measure.type in ("rate", "amount"):
                # as the Python converter (kpirules.values): with no declared range, a rate or an
                # amount is 0 or more, and a rate given as a bare number is below BARE_RATE_LIMIT
                # (86.5 is not 8,650 %); else the unit goes to Python, which says why
                checks = b_and(checks, i.cmp(colref.copy(), ">=", 0))
                if measure.type == "rate" and bare is not False:
                    below = i.cmp(colref.copy(), "<", int(BARE_RATE_LIMIT) * d)
                    if bare is not True:  # read from the raw text, so kept as a column for the next stage
                        bare_name = name + "_bare"
                        extra.append((bare_name, b_sql(bare)))
                        below = b_or(b_not(col(bare_name)), below)
                    checks = b_and(checks, below)
            measured = Measured("num", q, missing_err(colref.copy()))
            after: Bool = b_or(is_null(colref.copy()), checks) if checks is not True else True
            return measured, [(cname, value), *extra], ok, after
        if measure.type == "bool":
            if kind == "boolean":
                value, ok = raw.copy(), True
            elif kind == "integer":
                value = exp.EQ(this=raw.copy(), expression=exp.Literal.number(1))
                ok = b_or(
                    is_null(raw.copy()),
                    exp.In(this=raw.copy(), expressions=[exp.Literal.number(0), exp.Literal.number(1)]),
                )
            elif kind == "string":
                lowered = exp.Lower(this=raw.copy())
                yes = exp.In(this=lowered, expressions=[string(t) for t in _TRUE])
                no = exp.In(this=lowered.copy(), expressions=[string(t) for t in _FALSE])
                value = case([(yes, exp.true()), (no, exp.false())], exp.Null())
                ok = b_or(
                    b_or(is_null(raw.copy()), exp.EQ(this=raw.copy(), expression=string(""))),
                    b_or(yes.copy(), no.copy()),
                )
            else:
                value, ok = exp.Null(), is_null(raw.copy())
            return Measured("bool", col(name), missing_err(col(name))), [(name, value)], ok, True
        levels = measure.levels or ()
        if kind == "string":
            listed = exp.In(this=raw.copy(), expressions=[string(lv) for lv in levels])
            value = case([(listed, raw.copy())], exp.Null())
            ok = b_or(b_or(is_null(raw.copy()), exp.EQ(this=raw.copy(), expression=string(""))), listed.copy())
        else:
            value, ok = exp.Null(), is_null(raw.copy())
        ref = col(name)
        ref.meta["label"] = True
        return Measured("label", ref, missing_err(col(name))), [(name, value)], ok, True

    def internal_name(self, measure: str) -> str:
        if measure not in self.internal:
            self.internal[measure] = f"_m{len(self.internal)}"
        return self.internal[measure]

    # -- the query ------------------------------------------------------------------------------
    def build(self) -> exp.Select:
        rs = self.ruleset
        i, a = self.ints, self.arith
        precision, mode = rs.header.precision, rs.header.rounding
        ctes: list[tuple[str, exp.Select]] = []

        # stage 1: inputs
        keep: list[exp.Expression] = []
        if self.unit_column is not None:
            keep.append(alias(col(self.unit_column), "_unit"))
        if self.row_column is not None:
            keep.append(alias(col(self.row_column), "_row"))
        projections = list(keep)
        bad_whens: list[tuple[exp.Expression, exp.Expression]] = []
        for measure in rs.measures.values():
            if measure.derived:
                continue
            column = self.columns.get(measure.name)
            if column is None:  # not in the table: no unit has a value
                name = self.internal_name(measure.name)
                kind = "num" if measure.type in NUMERIC_TYPES else measure.type
                null_value: Q | exp.Expression = Q(self.ints.tag(col(name), 0, 0), 1) if kind == "num" else col(name)
                if kind == "level":
                    assert isinstance(null_value, exp.Expression)
                    null_value.meta["label"] = True
                self.measured[measure.name] = Measured(
                    "label" if kind == "level" else "bool" if kind == "bool" else "num",
                    null_value,
                    string(MISSING),
                )
                projections.append(alias(exp.Null(), name))
                continue
            measured, cols, ok, checks = self.convert(measure, column)
            self.measured[measure.name] = measured
            for cname, value in cols:
                projections.append(alias(value, cname))
            ok_ref: Bool = True
            if ok is not True:
                ok_name = self.internal_name(measure.name) + "_ok"
                projections.append(alias(b_sql(ok), ok_name))
                ok_ref = col(ok_name)
            ok = b_and(ok_ref, checks)
            if ok is not True:
                # NULL counts as "not convertible": only a TRUE check lets SQL score the value
                sure = exp.Coalesce(this=paren(b_sql(ok)), expressions=[exp.false()])
                bad_whens.append((exp.Not(this=sure), string(f"{INPUT}: {measure.name}")))
        ctes.append(("_kpi_in", make_select(projections, self._source())))
        # the input check reads the converted columns, so it lives in the next stage
        prev = "_kpi_in"
        derived_errs: list[exp.Expression] = []
        derived_fails: list[Bool] = []
        bad = case(bad_whens, None) if bad_whens else exp.cast(exp.Null(), "VARCHAR")
        ctes.append(("_kpi_checked", make_select([exp.Star(), alias(bad, "_bad")], prev)))
        prev = "_kpi_checked"

        # stage 2: derived measures, in dependency order, one stage each
        needed = rs.needed_derived()
        for k, name in enumerate(self._derived_order()):
            if name not in needed:
                continue
            measure = rs.measures[name]
            assert measure.formula is not None and measure.formula_source is not None
            rc = RuleCompiler(self, rs.formulas[name], measure.formula_source)
            v = rc.compile(measure.formula)
            base = self.internal_name(name)
            select: list[exp.Expression] = [exp.Star()]
            err = v.err
            if isinstance(v.value, Q):
                q = v.value
                n_name, d_name = base + "_n", base + "_d"
                select.append(alias(i.sql(q.n), n_name))
                d_val: SqlInt = q.d
                if not isinstance(q.d, int):
                    select.append(alias(q.d, d_name))
                    d_val = i.column(d_name, q.d)
                value_q = Q(i.column(n_name, q.n), d_val, q.nonneg)
                range_err = None
                if measure.range is not None:
                    lo, hi = (qconst(b) for b in measure.range)
                    inside = b_and(a.cmp(lo, "<=", value_q), a.cmp(value_q, "<=", hi))
                    if measure.type == "count":
                        whole = a.cmp(a.floor(value_q), "==", value_q)
                        inside = b_and(b_and(a.cmp(value_q, ">=", qconst(0)), whole), inside)
                    range_err = when(b_not(inside), string(f"measure `{name}` (from its formula) is outside its range"))
                self.measured[name] = Measured("num", value_q, col(base + "_e"))
                full_err = first_err(err, range_err)  # the range is checked only on a computed value
            else:
                vname = base
                is_label = measure.type == "level"
                assert not isinstance(v.value, Q)
                value_expr = string(v.value) if isinstance(v.value, str) else b_sql(v.value)
                select.append(alias(value_expr, vname))
                ref = col(vname)
                if is_label:
                    ref.meta["label"] = True
                self.measured[name] = Measured("label" if is_label else "bool", ref, col(base + "_e"))
                full_err = err
            failed = fails(full_err)
            if isinstance(failed, bool):
                select.append(
                    alias(full_err if failed and full_err is not None else exp.cast(exp.Null(), "VARCHAR"), base + "_e")
                )
            else:
                select.append(alias(failed, base + "_f"))
                select.append(alias(when(col(base + "_f"), full_err), base + "_e"))  # type: ignore[arg-type]
            derived_fails.append(failed if isinstance(failed, bool) else col(base + "_f"))
            err_ref = self.measured[name].err
            assert err_ref is not None
            err_ref.meta["fails"] = failed if isinstance(failed, bool) else col(base + "_f")
            # a derived measure that failed (not merely missing) fails the unit
            derived_errs.append(
                when(
                    b_and(
                        failed if isinstance(failed, bool) else col(base + "_f"),
                        exp.NEQ(this=col(base + "_e"), expression=string(MISSING)),
                    ),
                    exp.Concat(
                        expressions=[string(f"measure `{name}`: "), col(base + "_e")], safe=True, coalesce=False
                    ),
                )  # type: ignore[arg-type]
            )
            stage_name = f"_kpi_d{k}"
            ctes.append((stage_name, make_select(select, prev)))
            prev = stage_name

        # stage 3: indicator scores as integers scaled by 10^precision
        scores_stage: list[exp.Expression] = [exp.Star()]
        score_cols: list[str] = []
        fail_exprs: list[exp.Expression] = list(derived_errs)
        any_fail: Bool = False
        for flag in derived_fails:
            any_fail = b_or(any_fail, flag)
        scale = 10**precision
        score_refs: list[exp.Expression] = []
        for k, ind in enumerate(rs.indicators):
            levels = rs.measures[ind.measure].levels if ind.measure is not None else None
            rc = RuleCompiler(
                self, rs.checked[ind.id], ind.rule_source, weight=ind.weight, subject=ind.measure, subject_levels=levels
            )
            v = rc.compile(ind.rule)
            assert isinstance(v.value, Q)
            raw = v.value
            full_m = int(Fraction(ind.weight) * scale)
            rounded = a.round_int(raw, precision, mode)
            # clamp to [0, weight], unless the form already keeps the score there
            at_most_full = raw.hi is not None and raw.hi <= Fraction(ind.weight)
            low: SqlInt = rounded if raw.nonneg else i.case(a.cmp(raw, "<=", qconst(0)), 0, rounded)
            m = low if at_most_full else i.case(a.cmp(raw, ">=", qconst(ind.weight)), full_m, low)
            narrow = max(1, i.rank_for(full_m))  # the score lies in [0, full_m]: a narrow type holds it
            if not isinstance(m, int) and i.rank(m) > narrow:
                m = i.tag(exp.Cast(this=m, to=dtype(i.types[narrow][0])), full_m, narrow)
            elif not isinstance(m, int):
                m = i.tag(m.copy(), full_m, i.rank(m))
            if v.err is not None:
                err = v.err
                failed = fails(err)
                any_fail = b_or(any_fail, failed)
                on_missing: SqlInt | None = {"full": full_m, "zero": 0}.get(ind.if_missing)
                m_expr = case(
                    [(b_sql(b_not(failed)), i.sql(m))]
                    + (
                        [(exp.EQ(this=err.copy(), expression=string(MISSING)), i.sql(on_missing))]
                        if on_missing is not None
                        else []
                    ),
                    exp.Null(),
                )
                failing = (
                    b_and(not_null(err.copy()), exp.NEQ(this=err.copy(), expression=string(MISSING)))
                    if on_missing is not None
                    else not_null(err.copy())
                )
                fail_exprs.append(
                    case(
                        [
                            (
                                b_sql(failing),
                                exp.Concat(
                                    expressions=[string(f"indicator `{ind.id}`: "), err.copy()],
                                    safe=True,
                                    coalesce=False,
                                ),
                            )
                        ],
                        None,
                    )
                )
            else:
                m_expr = i.sql(m)
            # [overrides] are not compiled: they belong to the ruleset's own unit, not to a table of units
            size = sum(1 for _ in m_expr.walk())
            if size > MAX_NODES:
                raise SqlUnsupported(
                    f"indicator `{ind.id}`: the rule is too large to compile to one SQL expression ({size:,} nodes)",
                    location=ind.rule_source.location(0, len(ind.rule_source.text)),
                    hint="split it into derived measures, or score this ruleset with the Python engine",
                )
            cname = f"_s{k}"
            score_cols.append(cname)
            scores_stage.append(alias(m_expr, cname))
            score_refs.append(i.tag(col(cname), full_m, max(i.rank(m), i.rank(full_m))))
        error = coalesce(col("_bad"), *fail_exprs)
        # the messages are put together only for units that failed somewhere (a cheap test first)
        any_fail = b_or(not_null(col("_bad")), any_fail)
        if error is not None and any_fail is not True:
            error = when(any_fail, error)
        scores_stage.append(alias(error if error is not None else exp.Null(), "_error"))
        ctes.append(("_kpi_scores", make_select(scores_stage, prev)))

        # stage 4: total and grade
        total_m: SqlInt = 0
        for score_ref in score_refs:
            total_m = i.add(total_m, score_ref)
        ctes.append(("_kpi_total", make_select([exp.Star(), alias(i.sql(total_m), "_total")], "_kpi_scores")))
        total_ref = i.column("_total", total_m)

        # the result: NULL scores for units that were not scored
        ok = is_null(col("_error"))
        out: list[exp.Expression] = []
        if self.unit_column is not None:
            out.append(alias(col("_unit"), "unit"))
        if self.row_column is not None:
            out.append(alias(col("_row"), "row"))
        *score_types, total_type = output_types(rs)
        for ind, cname, score_type in zip(rs.indicators, score_cols, score_types, strict=True):
            out.append(alias(case([(ok, self.to_decimal(col(cname), precision, score_type))], exp.Null()), ind.id))
        out.append(
            alias(case([(ok.copy(), self.to_decimal(col("_total"), precision, total_type))], exp.Null()), "total")
        )
        grade_whens = []
        for label, bound in rs.grades:
            need = math.ceil(Fraction(bound) * scale)  # the total is a whole number of 10^-precision
            grade_whens.append((b_sql(i.cmp(total_ref.copy(), ">=", need)), string(label)))
        grade = case(grade_whens, None) if grade_whens else exp.cast(exp.Null(), "VARCHAR")
        out.append(alias(case([(ok.copy(), grade)], exp.Null()) if grade_whens else grade, "grade"))
        out.append(alias(col("_error"), "error"))
        query = make_select(out, "_kpi_total")
        query.set(
            "with_",
            exp.With(expressions=[exp.CTE(this=cte, alias=exp.TableAlias(this=ident(name))) for name, cte in ctes]),
        )
        # a copy is a proper tree (the compiler shares sub-expressions), whose parents are right
        return strip_parens(query.copy())  # type: ignore[return-value]

    def to_decimal(self, m: exp.Expression, precision: int, kind: str) -> exp.Expression:
        target = dtype(kind)
        whole = exp.Cast(this=m, to=dtype(f"DECIMAL({_digits(kind)}, 0)"))
        if precision == 0:
            return exp.Cast(this=whole, to=target)
        quantum = exp.Literal.number(format(Decimal(1).scaleb(-precision), "f"))
        return exp.Cast(this=exp.Mul(this=whole, expression=quantum), to=target)

    def _derived_order(self) -> list[str]:
        """Derived measures in an order where each comes after those it reads."""
        rs = self.ruleset
        derived = [m.name for m in rs.measures.values() if m.derived]
        order: list[str] = []
        seen: set[str] = set()

        def visit(name: str) -> None:
            if name in seen:
                return
            seen.add(name)
            for dep in sorted(rs.formulas[name].measures):
                if dep in rs.formulas:
                    visit(dep)
            order.append(name)

        for name in derived:
            visit(name)
        return order

    def _source(self) -> exp.Expression:
        if isinstance(self.source, exp.Expression):
            return self.source
        return exp.Table(this=ident(self.source))


def output_types(ruleset: Ruleset) -> list[str]:
    """The SQL types of the result's score columns, in indicator order, then of the total."""
    precision = ruleset.header.precision
    width = max([len(str(int(ind.weight))) for ind in ruleset.indicators] + [1]) + precision + 2
    total_width = len(str(int(sum((ind.weight for ind in ruleset.indicators), Decimal(0))))) + precision + 3

    def kind(w: int) -> str:
        return f"DECIMAL({min(38, max(w, precision + 1, 18))}, {precision})"

    return [kind(width)] * len(ruleset.indicators) + [kind(total_width)]


def _digits(kind: str) -> int:
    return int(kind.split("(")[1].split(",")[0])


_ARITH_PREC: dict[type, int] = {
    exp.Add: 1,
    exp.Sub: 1,
    exp.Mul: 2,
    exp.IntDiv: 2,
    exp.Mod: 2,
    exp.Div: 2,
}
_COMPARISONS = (exp.EQ, exp.NEQ, exp.GT, exp.GTE, exp.LT, exp.LTE)
_OPERATORS = (exp.Binary, exp.Not, exp.Neg, exp.Is, exp.In, exp.Paren)


def _needed(paren_node: exp.Paren) -> bool:
    """Whether the parentheses around an operand change how the SQL parses."""
    child, parent = paren_node.this, paren_node.parent
    if not isinstance(child, _OPERATORS) or isinstance(child, exp.Paren):
        return False
    if parent is None or not isinstance(parent, _OPERATORS):
        return False  # a function argument, a CASE branch, a select item: delimited already
    left = paren_node.arg_key == "this"
    pc, pp = _ARITH_PREC.get(type(child)), _ARITH_PREC.get(type(parent))
    if pc is not None and pp is not None:
        return not (pc > pp or (pc == pp and left))
    if pc is not None and isinstance(parent, _COMPARISONS):
        return False
    if isinstance(parent, exp.And) and isinstance(child, (exp.And, *_COMPARISONS)):
        return False
    return not (
        isinstance(parent, exp.Or)
        and (isinstance(child, (exp.And, *_COMPARISONS)) or (isinstance(child, exp.Or) and left))
    )


def strip_parens(tree: exp.Expression) -> exp.Expression:
    """Drop the parentheses that precedence makes redundant: Spark's parser takes time exponential
    in the depth of nested parentheses, and the query reads better."""
    for node in list(tree.find_all(exp.Paren)):
        if not _needed(node):
            node.replace(node.this)
    return tree


def make_select(columns: list[exp.Expression], source: str | exp.Expression) -> exp.Select:
    """``SELECT columns FROM source``, built without sqlglot's copying builders."""
    table = exp.Table(this=ident(source)) if isinstance(source, str) else source
    return exp.Select(expressions=columns, from_=exp.From(this=table))


def default_columns(ruleset: Ruleset) -> dict[str, InputColumn]:
    """Input columns named as the measures: numbers DECIMAL(38, 10), conditions BOOLEAN, levels VARCHAR."""
    out = {}
    for m in ruleset.measures.values():
        if m.derived:
            continue
        if m.type in NUMERIC_TYPES:
            kind = "DECIMAL(38, 10)"
        elif m.type == "bool":
            kind = "BOOLEAN"
        else:
            kind = "VARCHAR"
        out[m.name] = InputColumn(m.name, kind)
    return out


def compile_ruleset(
    ruleset: Ruleset,
    *,
    dialect: Dialect = "duckdb",
    table: str | exp.Expression = "units",
    columns: Mapping[str, str | InputColumn] | None = None,
    unit_column: str | None = "unit",
    row_column: str | None = None,
) -> exp.Select:
    """The ruleset as one sqlglot SELECT over ``table``.

    ``columns`` maps input measure names to their column's SQL type (DuckDB spelling, e.g.
    ``"DECIMAL(18,2)"``, ``"DOUBLE"``, ``"VARCHAR"``) or to an :class:`InputColumn`; measures
    not listed have no value in any unit. Without ``columns`` every input measure is expected
    under its own name with the types of :func:`default_columns`.
    """
    cols: dict[str, InputColumn] | None = None
    if columns is not None:
        cols = {k: v if isinstance(v, InputColumn) else InputColumn(k, v) for k, v in columns.items()}

    def build(cap: int | None) -> tuple[exp.Select, int]:
        compiler = QueryCompiler(
            ruleset,
            dialect=dialect,
            source=table,
            columns=cols,
            unit_column=unit_column,
            row_column=row_column,
            cap=cap,
        )
        query = compiler.build()
        return query, compiler.ints.max_bound

    query, largest = build(None)
    limit = Ints(dialect).limit
    if dialect not in SILENT_OVERFLOW or largest <= limit:
        return query
    # Spark without ANSI mode overflows to NULL (or wraps) silently: bound the inputs so that no
    # value the query computes can exceed its widest integers; larger inputs are not scored in SQL.
    low, high, best = 1, 30, None
    while low <= high:
        mid = (low + high) // 2
        candidate, largest = build(mid)
        if largest <= limit:
            best, low = candidate, mid + 1
        else:
            high = mid - 1
    if best is None:
        raise SqlUnsupported(
            f"the ruleset's arithmetic does not fit the {dialect} engine's 38-digit integers exactly, "
            "even for inputs below 10",
            hint="score this ruleset with DuckDB or the Python engine",
        )
    return best


def to_sql(query: exp.Expression, dialect: Dialect = "duckdb", *, pretty: bool = True) -> str:
    return query.sql(dialect=dialect, pretty=pretty)


__all__ = ["DOUBLE_SCALE", "InputColumn", "QueryCompiler", "compile_ruleset", "default_columns", "sqlglot", "to_sql"]
