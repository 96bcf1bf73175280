"""Input columns: how each input measure arrives in the table of units, and its conversion in SQL.

Input values are converted in SQL only where the conversion is provably the one Python makes
(decimal and integer columns, doubles whose shortest representation has at most
:data:`DOUBLE_SCALE` decimals, plain decimal and percent strings, canonical booleans and labels).
Any other value marks the unit ``'input'`` in the error column: the SQL path does not score it,
and :mod:`kpirules.sql.engine.duckdb` scores such units with the Python evaluator. The bound of
every converted integer comes from the column's type and, where known, the largest magnitude of
its values (:attr:`InputColumn.max_abs`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from decimal import Decimal
from typing import Literal

from sqlglot import exp

from ..dates import EPOCH, LAST_DAY
from ..model import NUMERIC_TYPES, POINTS, Measure
from ..ruleset import Ruleset
from ..values import BARE_RATE_LIMIT
from .arith import Arith, Q, SqlInt, qconst
from .trees import Bool, b_and, b_not, b_or, b_sql, case, col, dtype, is_null, parsed_type, string
from .values import missing_err

#: Decimals kept from DOUBLE and string inputs; values with more are scored by Python instead.
DOUBLE_SCALE = 10
#: Integer digits accepted from strings (so that their scaled integers fit 128 bits with room).
STRING_DIGITS = 16

_TRUE = ("true", "yes", "y", "1", "是", "对", "√", "✓")
_FALSE = ("false", "no", "n", "0", "否", "错", "×", "✗")


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
    dt = parsed_type(type_text.strip().upper())
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
        dt = parsed_type(text)
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
    if text == "DATE":
        return "date", None
    return "other", None


@dataclass
class Measured:
    """A measure's value inside the query: a column (or columns) of an earlier stage, and its ``err``."""

    kind: Literal["num", "bool", "label"]
    value: Q | exp.Expression
    err: exp.Expression | None


def convert(  # noqa: C901 - one branch per measure type and column type of an input column's conversion
    measure: Measure, column: InputColumn, *, name: str, arith: Arith, cap_digits: int | None
) -> tuple[Measured, list[tuple[str, exp.Expression]], Bool, Bool]:
    """The measure's value, the columns that hold it, a condition on the raw column that is
    true when SQL converts the value exactly (else the unit goes to Python), and the checks
    (count, range) on the converted value, for the next stage. ``name`` is the measure's column
    inside the query; ``cap_digits`` (the query's cap, if any) leaves values of magnitude above
    10^cap_digits unscored in SQL."""
    raw = col(column.column)
    kind, scale = _type_of(column.type)
    i = arith.i
    if measure.type == "date":
        return _convert_date(measure, raw, kind, name=name, arith=arith)
    if measure.type in NUMERIC_TYPES:
        percent = measure.type in ("rate", "number")
        bare: Bool = True  # whether the value was given as a bare number (no % or ‰)
        cap_ok: Bool = True
        cap = None
        if cap_digits is not None and kind in ("decimal", "integer", "double", "string"):
            # on an engine that may overflow silently, values beyond the cap are not scored in SQL
            cap = Decimal(10) ** cap_digits
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
            # safe: a cast that gives NULL rather than fail, which sqlglot writes TRY_CAST on Spark
            # too (without it, CAST: with ANSI mode on, Spark 4's default, a value of 10^18 or NaN
            # would stop the whole query instead of going to Python)
            fast = exp.TryCast(this=as_double.copy(), to=exp.DataType.build(dec_type), safe=True)
            fast_ok = b_and(
                exp.LT(this=exp.Abs(this=as_double.copy()), expression=exp.Literal.number(2**19)),
                exp.EQ(this=exp.Cast(this=fast.copy(), to=dtype("DOUBLE")), expression=as_double.copy()),
            )
            slow = exp.TryCast(
                this=exp.Cast(this=as_double.copy(), to=dtype("VARCHAR")), to=exp.DataType.build(dec_type), safe=True
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
            int_digits = STRING_DIGITS if cap_digits is None else max(1, min(STRING_DIGITS, cap_digits))
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
            checks = b_and(checks, b_and(arith.cmp(lo, "<=", q), arith.cmp(q, "<=", hi)))
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


#: A day of the calendar written as ISO text (years 0001 to 9999, 29 February only in leap years):
#: such a text casts to DATE in every engine without an error, so no engine needs a safe cast (Spark
#: with ANSI mode, Postgres and Snowflake have none that sqlglot writes); any other text goes to Python.
_YEAR = "([0-9]{3}[1-9]|[0-9]{2}[1-9]0|[0-9][1-9]00|[1-9]000)"
_MONTH_DAY = "((0[13578]|1[02])-(0[1-9]|[12][0-9]|3[01])|(0[469]|11)-(0[1-9]|[12][0-9]|30)|02-(0[1-9]|1[0-9]|2[0-8]))"
_LEAP_DAY = "([0-9]{2}(0[48]|[2468][048]|[13579][26])|(0[48]|[2468][048]|[13579][26])00)-02-29"
ISO_DAY = f"^({_YEAR}-{_MONTH_DAY}|{_LEAP_DAY})$"


def date_literal(iso: str) -> exp.Expression:
    """The SQL date ``iso`` (``CAST('2021-12-31' AS DATE)``, spelled by each dialect)."""
    return exp.cast(exp.Literal.string(iso), "DATE")


def _convert_date(
    measure: Measure, raw: exp.Expression, kind: str, *, name: str, arith: Arith
) -> tuple[Measured, list[tuple[str, exp.Expression]], Bool, Bool]:
    """A date measure's value as its ordinal day (as :mod:`kpirules.dates` computes with it): the days
    from 1970-01-01 (``DateDiff``, in each dialect's spelling) plus that day's ordinal. A DATE column
    converts in SQL; so does a text of the form ``2021-12-31`` that is a day of the calendar
    (:data:`ISO_DAY`); any other
    value goes to Python, which takes it (``2021年12月31日``) or says why not."""
    i = arith.i
    day: exp.Expression
    ok: Bool
    if kind == "date":
        day, ok = raw.copy(), True
    elif kind == "string":
        iso = exp.RegexpLike(this=raw.copy(), expression=string(ISO_DAY))
        day = case([(iso, exp.Cast(this=raw.copy(), to=dtype("DATE")))], exp.Null())
        empty = exp.EQ(this=raw.copy(), expression=string(""))
        ok = b_or(b_or(is_null(raw.copy()), empty), iso.copy())
    else:
        day, ok = exp.Null(), is_null(raw.copy())
    since = exp.DateDiff(this=day, expression=date_literal("1970-01-01"), unit=exp.var("DAY"))
    value = i.sql(i.add(i.cast(since, LAST_DAY), EPOCH))
    colref = i.column(name, value)
    q = Q(colref, 1, True)
    checks: Bool = True
    if measure.range is not None:
        lo, hi = (qconst(b) for b in measure.range)
        checks = b_and(arith.cmp(lo, "<=", q), arith.cmp(q, "<=", hi))
    after: Bool = b_or(is_null(colref.copy()), checks) if checks is not True else True
    return Measured("num", q, missing_err(colref.copy())), [(name, value)], ok, after


def default_columns(ruleset: Ruleset) -> dict[str, InputColumn]:
    """Input columns named as the measures: numbers DECIMAL(38, 10), conditions BOOLEAN, dates DATE,
    levels VARCHAR; a judged measure ``x`` as its level ``x`` and its points ``x__points`` (DECIMAL(38, 10))."""
    out = {}
    for m in ruleset.measures.values():
        if m.derived:
            continue
        if m.type in NUMERIC_TYPES:
            kind = "DECIMAL(38, 10)"
        elif m.type == "bool":
            kind = "BOOLEAN"
        elif m.type == "date":
            kind = "DATE"
        else:
            kind = "VARCHAR"
        out[m.name] = InputColumn(m.name, kind)
        if m.type == "judged":
            out[m.name + POINTS] = InputColumn(m.name + POINTS, "DECIMAL(38, 10)")
    return out
