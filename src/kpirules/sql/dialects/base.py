"""What the compiler needs to know about one SQL dialect, and how to add one.

The compiler builds one query as sqlglot trees and sqlglot writes it in the dialect's spelling;
what sqlglot cannot decide is how to keep the arithmetic *exact* on the engine, which is what a
:class:`Dialect` says: the integer types (narrowest first, each with the largest magnitude it
holds, the last one the widest the query may use), how integer floor division is written, and
whether the engine's arithmetic can overflow without an error (then the compiler bounds the inputs
so that it never does). Everything else, identifiers, literals, CASE, casts, is sqlglot's.

How to add a dialect
--------------------
1. Make sure sqlglot writes the dialect: the module's name must be a dialect name sqlglot knows
   (``sqlglot.Dialect.get_or_raise(name)``), which :meth:`Dialect.generate` passes to sqlglot.
2. Add a module ``src/kpirules/sql/dialects/<name>.py`` that defines a subclass of
   :class:`Dialect` with ``name = "<name>"`` and sets ``DIALECT = <Subclass>()``. That is the
   registration: :data:`kpirules.sql.dialects.NAMES` (and so ``kpirules sql --dialect``, and the
   list of dialects in docs/sql.md, which a test compares with it) is read from the folder.
3. Decide, from the engine's documentation, and say in the class's docstring:

   - ``int_types``: the engine's integer types and their largest values; the widest should hold
     38 digits (``DECIMAL(38, 0)``) or 127 bits (``HUGEINT``);
   - :meth:`Dialect.floordiv`: :meth:`~Dialect.floordiv_truncating` where the engine has an
     integer division that truncates toward zero for the widest type (``//``, ``DIV``), with
     ``int_division_keeps_type`` True if its result keeps its operands' type rather than becoming a
     ``BIGINT``; otherwise the default, :meth:`~Dialect.floordiv_by_floor` (FLOOR of the decimal
     quotient, then fixed up exactly with the remainder), which needs no integer division;
   - ``silent_overflow``: True when the engine can return NULL or wrap on overflow instead of
     raising (Spark with ANSI mode off); the compiler then bounds the inputs (docs/sql.md).
4. Test it: run the parity tests' queries on the engine if it runs in CI (tests/test_sql_parity.py
   for DuckDB, tests/test_sql_spark.py for Spark are the models), else at least compile every
   ruleset of the tests with it (tests/test_sql_dialects.py does this for every registered
   dialect) and say in docs/sql.md which engine versions it was checked on.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from sqlglot import exp

from ..trees import case, paren

if TYPE_CHECKING:
    from ..arith import Ints

#: Spark's DECIMAL(38, 0) / DECIMAL(38, 0) is a DECIMAL(38, 6): 32 digits before the point. A
#: decimal quotient of integers is exact only below this (the compiler bounds the dividends).
DECIMAL_QUOTIENT = 10**32 - 1
#: The integer types of most engines: INTEGER, BIGINT and a 38-digit decimal.
STANDARD_INT_TYPES: tuple[tuple[str, int], ...] = (
    ("INTEGER", 2**31 - 1),
    ("BIGINT", 2**63 - 1),
    ("DECIMAL(38, 0)", 10**38 - 1),
)


class Dialect:
    """One SQL dialect: its integer types and how it divides integers (see the module's how-to).

    Types are spelled as DuckDB spells them (they are parsed by sqlglot's DuckDB dialect and
    written in the target's spelling).
    """

    #: The dialect's name: the module's name, and the name sqlglot knows it by.
    name: ClassVar[str]
    #: The integer types, narrowest first, with the largest magnitude each holds.
    int_types: ClassVar[tuple[tuple[str, int], ...]] = STANDARD_INT_TYPES
    #: Whether integer and decimal arithmetic may overflow without an error (NULL or wrap).
    silent_overflow: ClassVar[bool] = False
    #: Whether the engine's integer division keeps its operands' type (else it gives a BIGINT).
    int_division_keeps_type: ClassVar[bool] = False

    def __repr__(self) -> str:
        return f"<SQL dialect {self.name}>"

    def generate(self, query: exp.Expression, *, pretty: bool = True) -> str:
        """The query's text in this dialect."""
        return query.sql(dialect=self.name, pretty=pretty)

    def floordiv(
        self,
        i: Ints,
        x: exp.Expression,
        divisor: exp.Expression,
        *,
        a_bound: int,
        bound: int,
        rank: int,
        a_nonneg: bool,
    ) -> exp.Expression:
        """``floor(x / divisor)`` for ``divisor > 0`` (NULL where it is NULL). ``x`` and ``divisor``
        are integers of the type ``rank`` (an index into :attr:`int_types`), ``a_bound`` bounds
        ``|x|`` and ``bound`` the quotient's magnitude; ``a_nonneg`` says ``x >= 0``. The result
        is tagged with its bound and type through ``i`` (:meth:`kpirules.sql.arith.Ints.tag`)."""
        return self.floordiv_by_floor(i, x, divisor, a_bound=a_bound, bound=bound)

    # -- the ways of dividing, for subclasses to choose from ---------------------------------------
    def floordiv_truncating(
        self, i: Ints, x: exp.Expression, divisor: exp.Expression, *, bound: int, rank: int, a_nonneg: bool
    ) -> exp.Expression:
        """The engine's integer division (``//``, ``div``, ``DIV``), which truncates toward zero,
        stepped down by one when the remainder is negative."""
        trunc = i.tag(
            exp.IntDiv(this=paren(x), expression=paren(divisor)),
            bound,
            rank if self.int_division_keeps_type else max(rank, 1),
        )
        if a_nonneg:
            return trunc
        rem = exp.Mod(this=paren(x.copy()), expression=paren(divisor.copy()))
        stepped = exp.Sub(this=trunc.copy(), expression=exp.Literal.number(1))
        return i.tag(case([(exp.LT(this=rem, expression=exp.Literal.number(0)), stepped)], trunc), bound, i.rank(trunc))

    def floordiv_pmod(
        self, i: Ints, x: exp.Expression, divisor: exp.Expression, *, a_bound: int, bound: int
    ) -> exp.Expression:
        """``(x - PMOD(x, divisor)) / divisor``: a multiple of the divisor, so the engine's decimal
        quotient is exact (32 digits before the point, which the input bounds guarantee)."""
        i.note(a_bound * (i.limit // DECIMAL_QUOTIENT))
        multiple = exp.Sub(this=paren(x), expression=exp.Anonymous(this="PMOD", expressions=[x.copy(), divisor.copy()]))
        return i.tag(i.int_cast(exp.Div(this=exp.Paren(this=multiple), expression=paren(divisor.copy()))), bound, i.top)

    def floordiv_by_floor(
        self, i: Ints, x: exp.Expression, divisor: exp.Expression, *, a_bound: int, bound: int
    ) -> exp.Expression:
        """FLOOR of the engine's decimal quotient (within one of the truth), then fixed up exactly
        with the remainder: needs no integer division."""
        i.note(a_bound * (i.limit // DECIMAL_QUOTIENT))
        approx = i.tag(i.int_cast(exp.Floor(this=exp.Div(this=paren(x), expression=paren(divisor)))), bound, i.top)
        fix: exp.Expression = exp.Sub(
            this=paren(x.copy()), expression=exp.Mul(this=paren(approx), expression=paren(divisor))
        )
        return i.tag(
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
            i.top,
        )
