"""Values of compiled expressions, and their failures.

Every compiled expression is a :class:`V`: its value (a :class:`~kpirules.sql.arith.Q` fraction, a
condition or a label) and an ``err`` expression that is NULL when it evaluated, ``'missing'``
(:data:`MISSING`) when it read a measure with no value, or a message when it failed (division by
zero, no band matching …). ``err`` follows the Python evaluator's order and laziness exactly
(``a and b`` does not evaluate ``b`` when ``a`` is false; a deduction evaluates its step only when
there is a shortfall), because whether a missing value matters depends on it: :func:`first_err`
keeps the first failure in the evaluator's order, and :func:`fails` derives, from the shape of an
``err``, a condition that is true exactly when it is not NULL, so that no message is built for a
unit that did not fail.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlglot import exp

from .arith import Q
from .trees import Bool, b_and, b_case, b_or, coalesce, is_null, not_null, paren, string, when

#: The ``err`` of a value read from a measure that has none.
MISSING = "missing"
#: How ``error`` starts for a value the query does not convert itself (``input: measure``): the
#: unit is left to the Python evaluator.
INPUT = "input"

#: A label: a SQL string expression, or a label known at compile time.
Label = exp.Expression | str


@dataclass(frozen=True)
class V:
    """A compiled expression: its value (a fraction, a condition or a label) and its failure."""

    value: Q | Bool | Label
    err: exp.Expression | None = None


def first_err(*errs: exp.Expression | None) -> exp.Expression | None:
    """The first of ``errs`` that is not NULL, in the order given (the evaluator's)."""
    return coalesce(*errs)


def missing_err(e: exp.Expression) -> exp.Expression | None:
    """``'missing'`` where ``e`` is NULL."""
    return when(is_null(e), string(MISSING))


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
