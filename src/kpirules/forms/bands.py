"""Band tests, shared by ``tiers`` (``>= 95%: full``, ``[80%, 90%): 4 pts``, ``else: zero``) and by
the judged intervals of ``grade … by`` (``良: [60%, 80%)``). Not a form of its own: the nodes, how
the parser builds them, their kinds, their closures and the sets of values they hold.
"""

from __future__ import annotations

import operator
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import attrs

from ..ast import CompareOp, Expr, Node, Span
from ..exact import NUMERIC_OPS, RANK_OPS, Env, Trace
from ..intervals import EVERYTHING, Union, compare_set
from ..intervals import Interval as Range
from ..kinds import Kind, Type
from ..messages import Catalog

if TYPE_CHECKING:
    from lark import Token
    from sqlglot import exp

    from ..checker import _Checker as Checker
    from ..compiler import Compiler
    from ..linter.analysis import RuleAnalysis
    from ..sql.rules import RuleCompiler
    from ..sql.trees import Bool
    from ..sql.values import V

M = Catalog(
    "forms.bands",
    {
        "interval_of_labels": (
            "区间只适用于数值；比较等级标签请用 >=、== 等",
            "an interval needs a numeric subject; compare labels with >=, == …",
        ),
    },
)

#: Full-width and mathematical comparison signs the parser reads as ASCII ones.
_OPS = {"≥": ">=", "≤": "<=", "≠": "!="}


@attrs.frozen(eq=False)
class CompareTest(Node):
    """A band test ``>= 95%``: the subject compared with ``bound``."""

    op: CompareOp
    bound: Expr


@attrs.frozen(eq=False)
class Interval(Node):
    """``[a, b)`` and friends: square brackets include the end, round ones exclude it."""

    low: Expr
    high: Expr
    low_closed: bool
    high_closed: bool


@attrs.frozen(eq=False)
class ElseTest(Node):
    pass


BandTest = CompareTest | Interval | ElseTest


def _compare(span: Span, op: Token, bound: Expr) -> CompareTest:
    return CompareTest(span, _OPS.get(str(op), str(op)), bound)  # type: ignore[arg-type]


#: The grammar rules that build band tests, for the forms that use them.
BUILDERS: dict[str, Callable[..., Node]] = {
    "cmp_test": _compare,
    "else_test": lambda span: ElseTest(span),
    "closed_closed": lambda span, low, high: Interval(span, low, high, True, True),
    "closed_open": lambda span, low, high: Interval(span, low, high, True, False),
    "open_closed": lambda span, low, high: Interval(span, low, high, False, True),
    "open_open": lambda span, low, high: Interval(span, low, high, False, False),
}


def check_test(c: Checker, test: BandTest, subject: Type) -> None:
    """A band test's bounds against the subject's kind (a number, or a level of its scale)."""
    if isinstance(test, CompareTest):
        if subject.kind is Kind.LABEL:
            c.expect(test.bound, Kind.LABEL, subject.levels)
        elif subject.kind is Kind.NUMBER:
            c.expect(test.bound, Kind.NUMBER)
        else:
            c.infer(test.bound)
    elif isinstance(test, Interval):
        if subject.kind is Kind.LABEL:
            c.error(test, M("interval_of_labels"))
        c.expect(test.low, Kind.NUMBER)
        c.expect(test.high, Kind.NUMBER)


def band_test(c: Compiler, test: BandTest, label_subject: dict[str, int] | None) -> Callable[[Any, Env, Trace], bool]:
    """The closure ``test(x, env, trace)``: whether the subject's value ``x`` is in the band.
    ``label_subject`` ranks a level subject's labels (best first)."""
    if isinstance(test, ElseTest):
        return lambda x, env, tr: True
    if isinstance(test, CompareTest):
        bound = c.exact_fn(test.bound)
        if label_subject is not None:
            ranks, rank_cmp = label_subject, RANK_OPS[test.op]
            return lambda x, env, tr: rank_cmp(ranks[x], ranks[bound(env, tr)])
        cmp = NUMERIC_OPS[test.op]
        ok, constant = c.const(test.bound)
        if ok:
            return lambda x, env, tr: cmp(x, constant)
        return lambda x, env, tr: cmp(x, bound(env, tr))
    low_cmp = operator.le if test.low_closed else operator.lt
    high_cmp = operator.le if test.high_closed else operator.lt
    ok_l, lo = c.const(test.low)
    ok_h, hi = c.const(test.high)
    if ok_l and ok_h:
        return lambda x, env, tr: low_cmp(lo, x) and high_cmp(x, hi)
    low, high = c.exact_fn(test.low), c.exact_fn(test.high)
    return lambda x, env, tr: low_cmp(low(env, tr), x) and high_cmp(x, high(env, tr))


def band_set(a: RuleAnalysis, test: BandTest) -> Union | None:
    """The numbers the band test holds, where its bounds are constants; else None."""
    if isinstance(test, ElseTest):
        return Union.of([EVERYTHING])
    if isinstance(test, CompareTest):
        c = a.constant(test.bound)
        return None if c is None else compare_set(test.op, c)
    lo, hi = a.constant(test.low), a.constant(test.high)
    if lo is None or hi is None:
        return None
    return Union.of([Range(lo, hi, test.low_closed, test.high_closed)])


def band_sql(
    s: RuleCompiler, test: BandTest, x: V, levels: tuple[str, ...] | None
) -> tuple[Bool, exp.Expression | None]:
    """The band test as a SQL condition on the subject's value ``x``, and its failure."""
    if isinstance(test, ElseTest):
        return True, None
    if isinstance(test, CompareTest):
        bound = s.compile(test.bound)
        if levels is not None:
            assert not isinstance(x.value, (s.Q, bool)) and not isinstance(bound.value, (s.Q, bool))
            return s.compare_labels(x.value, test.op, bound.value, levels), bound.err
        assert isinstance(x.value, s.Q) and isinstance(bound.value, s.Q)
        return s.a.cmp(x.value, test.op, bound.value), bound.err
    assert isinstance(x.value, s.Q)
    lo, loe = s.num(test.low)
    hi, hie = s.num(test.high)
    low_ok = s.a.cmp(lo, "<=" if test.low_closed else "<", x.value)
    high_ok = s.a.cmp(x.value, "<=" if test.high_closed else "<", hi)
    return s.b_and(low_ok, high_ok), s.first_err(loe, s.when(low_ok, hie))
