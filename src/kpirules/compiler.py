"""Rule trees to Python closures.

Each node becomes a function ``f(env, trace) -> value`` built once at load time; evaluation calls
these functions and never looks at text or trees again, and nothing here calls ``eval`` or
``exec``. ``env`` maps measure names to exact values; ``trace`` is ``None`` on the fast path or a
list that scoring forms and operations on scores add :mod:`kpirules.trace` records to, in the order
that module describes. Literal sub-trees are folded to constants, and common shapes (a band test
against a constant) get specialised closures.

Arithmetic runs in :data:`kpirules.exact.CONTEXT` (see that module for why it is exact).
"""

from __future__ import annotations

import datetime
import operator
from collections.abc import Callable, Collection, Mapping, Sequence
from decimal import (
    ROUND_HALF_UP,
    Context,
    Decimal,
)
from itertools import repeat
from typing import Any

from . import ast
from . import trace as tr_
from .dates import days_between
from .exact import (
    CONTEXT,
    NUMERIC_OPS,
    RANK_OPS,
    ZERO,
    ColumnFn,
    Env,
    EvalFailure,
    Fn,
    Trace,
    quantizer,
    snap,
)
from .forms import FORMS
from .kinds import Checked, Kind
from .messages import Catalog
from .source import RuleSource

M = Catalog(
    "compiler",
    {
        "division_by_zero": ("除数为零：`{divisor}` 为 0", "division by zero: `{divisor}` is 0"),
    },
)

_add, _sub, _mul, _div = CONTEXT.add, CONTEXT.subtract, CONTEXT.multiply, CONTEXT.divide
_NUMERIC_OPS, _RANK_OPS = NUMERIC_OPS, RANK_OPS


def may_be_inexact(node: ast.Node, inexact: Collection[str], subject: str | None = None) -> bool:
    """Whether the *value* of ``node`` may come from a quotient that does not terminate.

    ``inexact`` holds the derived measures whose formulas may; ``subject`` is the indicator's
    measure, read by ``value`` and by forms without a subject. Conditions and labels are exact.
    A scoring form answers for itself (:meth:`Form.inexact`); every core expression has its rule
    in :data:`_EXACTNESS`, and a node with neither is an error, never taken for exact.
    """

    def value(n: ast.Node | None) -> bool:
        if n is None:
            return False
        form = FORMS.get(type(n))
        if form is not None:
            return form.inexact(n, value, subject in inexact)
        rule = _EXACTNESS.get(type(n))
        if rule is None:
            raise AssertionError(f"may_be_inexact has no rule for {type(n).__name__}")
        return rule(n, value, inexact, subject)

    return value(node)


_Value = Callable[[ast.Node | None], bool]
_EXACT: Callable[[Any, _Value, Collection[str], str | None], bool] = lambda n, value, names, subject: False  # noqa: E731
#: For each core expression: whether its value may be inexact, given how its parts are.
_EXACTNESS: dict[type[ast.Node], Callable[[Any, _Value, Collection[str], str | None], bool]] = {
    **dict.fromkeys(
        (ast.Number, ast.Date, ast.Points, ast.Text, ast.Bool, ast.Full, ast.Zero, ast.Not, ast.Logic, ast.Compare),
        _EXACT,
    ),
    ast.Name: lambda n, value, names, subject: n.name in names,
    ast.ValueRef: lambda n, value, names, subject: subject in names,
    ast.BinOp: lambda n, value, names, subject: n.op == "/" or value(n.left) or value(n.right),
    ast.Neg: lambda n, value, names, subject: value(n.operand),
    ast.Call: lambda n, value, names, subject: n.func != "round" and any(value(a) for a in n.args),
    ast.IfElse: lambda n, value, names, subject: value(n.then) or value(n.orelse),
}


def _const(value: Any) -> Fn:
    return lambda env, tr: value


class Compiler:
    """Compiles the rules of one indicator (or one formula) against its checker result."""

    def __init__(
        self,
        checked: Checked,
        source: RuleSource,
        *,
        weight: Decimal = ZERO,
        subject: str | None = None,
        subject_levels: tuple[str, ...] | None = None,
        ranks: dict[tuple[str, ...], dict[str, int]] | None = None,
        rounding: tuple[Context, Decimal] | None = None,
        inexact: Collection[str] = (),
        columns: dict[Fn, ColumnFn] | None = None,
        floored: bool = True,
    ) -> None:
        self.columns = columns
        #: False for an indicator with ``floor = "none"``: a deduction goes past 0
        self.floored = floored
        self.checked = checked
        self.subject_levels = subject_levels
        self.rounding = rounding
        self.inexact_measures = inexact
        self.source = source
        self.weight = weight
        self.subject = subject
        self.ranks = ranks if ranks is not None else {}
        self.constants: dict[ast.Node, Any] = {}

    # -- helpers ------------------------------------------------------------------------------
    def text(self, node: ast.Node | ast.Span) -> str:
        span = node if isinstance(node, ast.Span) else node.span
        return " ".join(self.source.text[span.start : span.end].split())

    def compile(self, node: ast.Node) -> Fn:
        form = FORMS.get(type(node))
        if form is not None:
            return form.compile(self, node)
        method: Callable[[Any], Fn] = getattr(self, "c_" + type(node).__name__)
        return method(node)

    # -- column forms (only when ``columns`` is given) ----------------------------------------------
    def columnar(self, fn: Fn, column: ColumnFn) -> Fn:
        """Record ``column`` as the many-rows form of ``fn``."""
        if self.columns is not None:
            self.columns[fn] = column
        return fn

    def column_of(self, *fns: Fn) -> list[ColumnFn] | None:
        """The column forms of ``fns``, or None unless every one has one."""
        if self.columns is None:
            return None
        found = [self.columns.get(fn) for fn in fns]
        return None if None in found else found  # type: ignore[return-value]

    def row_by_row(self, fn: Fn, left: Fn, right: Fn, op: Callable[[Any, Any], Any]) -> Fn:
        """``fn``, a binary operation of ``left`` and ``right``, with its column form where both
        operands have one: ``op`` applied to their columns row by row."""
        found = self.column_of(left, right)
        if found is None:
            return fn
        lc, rc = found
        return self.columnar(fn, lambda cols, n: list(map(op, lc(cols, n), rc(cols, n))))

    def constant(self, value: Any) -> Fn:
        return self.columnar(_const(value), lambda cols, n: [value] * n)

    def reads(self, name: str) -> Fn:
        """The value of measure ``name``."""
        return self.columnar(lambda env, tr: env[name], lambda cols, n: cols[name])

    def snapped(self, fn: Fn) -> Fn:
        """``fn``'s value snapped to 40 digits."""
        snapped = lambda env, tr: snap(fn(env, tr))  # noqa: E731
        found = self.column_of(fn)
        if found is None:
            return snapped
        (column,) = found
        return self.columnar(snapped, lambda cols, n: list(map(snap, column(cols, n))))

    def const(self, node: ast.Node) -> tuple[bool, Any]:
        """(True, value) when ``node`` is a literal, folded; else (False, None)."""
        if node in self.constants:
            return True, self.constants[node]
        value: Any
        if isinstance(node, ast.Number):
            value = _mul(self.weight, node.value) if self.checked.kind(node) is Kind.SCORE else node.value
        elif isinstance(node, (ast.Points, ast.Date)):
            value = node.value
        elif isinstance(node, ast.Full):
            value = self.weight
        elif isinstance(node, ast.Zero):
            value = ZERO
        elif isinstance(node, ast.Bool):
            value = node.value
        elif isinstance(node, ast.Neg):
            ok, inner = self.const(node.operand)
            if not ok:
                return False, None
            value = CONTEXT.minus(inner)
        elif isinstance(node, ast.BinOp) and node.op != "/":
            ok_l, left = self.const(node.left)
            ok_r, right = self.const(node.right)
            if not (ok_l and ok_r):
                return False, None
            if isinstance(left, datetime.date):
                value = days_between(left, right)
            else:
                value = {"+": _add, "-": _sub, "*": _mul}[node.op](left, right)
        else:
            return False, None
        self.constants[node] = value
        return True, value

    def subject_fn(self, node: ast.Node, subject: ast.Expr | None = None) -> Fn:
        if subject is not None:
            return self.compile(subject)
        name = self.subject
        assert name is not None
        return self.reads(name)

    def inexact(self, node: ast.Node) -> bool:
        return may_be_inexact(node, self.inexact_measures, self.subject)

    def exact_fn(self, node: ast.Node) -> Fn:
        """``node`` compiled for a step that is not continuous: snapped when it may be inexact."""
        fn = self.compile(node)
        if not self.inexact(node):
            return fn
        return self.snapped(fn)

    def exact_subject(self, node: ast.Node, subject: ast.Expr | None = None) -> Fn:
        if subject is not None:
            return self.exact_fn(subject)
        fn = self.subject_fn(node)
        if self.subject not in self.inexact_measures:
            return fn
        return self.snapped(fn)

    def measure_name(self, node: ast.Node) -> str | None:
        """The env key when ``node`` just reads a measure (so a closure can look it up directly)."""
        if isinstance(node, ast.Name) and node not in self.checked.labels:
            return node.name
        if isinstance(node, ast.ValueRef):
            return self.subject
        return None

    def rank(self, node: ast.Node) -> dict[str, int]:
        levels = self.checked.types[node].levels
        assert levels is not None
        return self.ranks.setdefault(levels, {label: i for i, label in enumerate(levels)})

    # -- literals and names -------------------------------------------------------------------
    def _literal(self, node: ast.Node) -> Fn:
        ok, value = self.const(node)
        assert ok
        return self.constant(value)

    c_Number = c_Date = c_Points = c_Full = c_Zero = c_Bool = _literal

    def c_Text(self, node: ast.Text) -> Fn:
        return self.constant(node.text)

    def c_ValueRef(self, node: ast.ValueRef) -> Fn:
        return self.subject_fn(node)

    def c_Name(self, node: ast.Name) -> Fn:
        if node in self.checked.labels:
            return self.constant(node.name)
        return self.reads(node.name)

    def c_Call(self, node: ast.Call) -> Fn:
        args = [self.compile(a) for a in node.args]
        score = self.checked.kind(node) is Kind.SCORE
        if node.func in ("min", "max"):
            pick = min if node.func == "min" else max
            if score:
                picked = self.recorded(node, node.func, node.args, args, pick)
            elif len(args) == 2:
                a, b = args
                picked = lambda env, tr: pick(a(env, tr), b(env, tr))  # noqa: E731
            else:
                picked = lambda env, tr: pick([f(env, tr) for f in args])  # noqa: E731
            found = self.column_of(*args)
            if len(args) != 2 or found is None:
                return picked
            ca, cb = found
            return self.columnar(picked, lambda cols, n: list(map(pick, ca(cols, n), cb(cols, n))))
        if node.func == "abs":
            (inner,) = args
            absolute = CONTEXT.abs
            if score:
                return self.unary(self.recorded(node, "abs", node.args, args, absolute), inner, absolute)
            return self.unary(lambda env, tr: absolute(inner(env, tr)), inner, absolute)
        # round(x) and round(x, n): half-up, as standards that round a rate before scoring it, or
        # that round a score (执行率（取整）× 分值), mean
        inner = self.exact_fn(node.args[0])
        n = node.digits
        q = quantizer(n)

        def round_half_up(x: Decimal) -> Decimal:
            return x.quantize(q, rounding=ROUND_HALF_UP, context=CONTEXT)

        if score:
            places = Decimal(n)
            recorded = self.recorded(node, "round", node.args[:1], [inner], round_half_up, shown=(places,))
            return self.unary(recorded, inner, round_half_up)
        fn: Fn = lambda env, tr: inner(env, tr).quantize(q, rounding=ROUND_HALF_UP, context=CONTEXT)  # noqa: E731
        return self.unary(fn, inner, round_half_up)

    def recorded(
        self,
        node: ast.Node,
        func: str,
        operands: Sequence[ast.Node],
        fns: Sequence[Fn],
        op: Callable[..., Any],
        shown: tuple[Decimal, ...] = (),
    ) -> Fn:
        """``op`` of the values of ``fns`` (compiled from ``operands``), an operation on scores:
        traced, it leaves a :class:`~kpirules.trace.CombineStep` after its operands' records, with
        ``shown`` after their values (the decimals of ``round``)."""
        span, score, step = node.span, self.checked.kind(node) is Kind.SCORE, tr_.CombineStep
        if len(fns) == 1:
            (a,) = fns

            def one(env: Env, tr: Trace) -> Any:
                x = a(env, tr)
                result = op(x)
                if tr is not None:
                    tr.append(step(span, func, (x, *shown), result, score))
                return result

            return one
        if len(fns) == 2:
            a, b = fns
            ok, constant = self.const(operands[1])
            if ok:

                def with_constant(env: Env, tr: Trace) -> Any:
                    x = a(env, tr)
                    result = op(x, constant)
                    if tr is not None:
                        tr.append(step(span, func, (x, constant), result, score))
                    return result

                return with_constant

            def two(env: Env, tr: Trace) -> Any:
                x, y = a(env, tr), b(env, tr)
                result = op(x, y)
                if tr is not None:
                    tr.append(step(span, func, (x, y), result, score))
                return result

            return two

        def many(env: Env, tr: Trace) -> Any:
            values = [f(env, tr) for f in fns]
            result = op(*values)
            if tr is not None:
                tr.append(step(span, func, tuple(values), result, score))
            return result

        return many

    def unary(self, fn: Fn, inner: Fn, op: Callable[[Any], Any]) -> Fn:
        """``fn``, which is ``op`` of ``inner``'s value, with its column form when ``inner`` has one."""
        found = self.column_of(inner)
        if found is None:
            return fn
        (column,) = found
        return self.columnar(fn, lambda cols, n: list(map(op, column(cols, n))))

    # -- operators ----------------------------------------------------------------------------
    def c_Neg(self, node: ast.Neg) -> Fn:
        ok, value = self.const(node)
        if ok:
            return self.constant(value)
        inner = self.compile(node.operand)
        minus = CONTEXT.minus
        if self.checked.kind(node) is Kind.SCORE:
            return self.unary(self.recorded(node, "neg", (node.operand,), (inner,), minus), inner, minus)
        return self.unary(lambda env, tr: minus(inner(env, tr)), inner, minus)

    def c_Not(self, node: ast.Not) -> Fn:
        inner = self.compile(node.operand)
        return self.unary(lambda env, tr: not inner(env, tr), inner, operator.not_)

    def c_BinOp(self, node: ast.BinOp) -> Fn:  # noqa: C901 - one closure per operator and operand kind (number, score, constant), for speed
        ok, value = self.const(node)
        if ok:
            return self.constant(value)
        if self.checked.kind(node.left) is Kind.DATE:
            return self.days_between(node)
        left, right = self.compile(node.left), self.compile(node.right)
        a_name, b_name = self.measure_name(node.left), self.measure_name(node.right)
        found = self.column_of(left, right)
        operands = (node.left, node.right)
        scores = any(self.checked.kind(n) is Kind.SCORE for n in (node, *operands))  # traced, it leaves a step
        if node.op == "/":
            span, divisor = node.span, self.text(node.right)
            fn: Fn
            if scores:

                def checked_divide(a: Decimal, b: Decimal) -> Decimal:
                    if not b:
                        raise EvalFailure(span, M("division_by_zero", divisor=divisor), key="division_by_zero")
                    return _div(a, b)

                fn = self.recorded(node, "/", operands, (left, right), checked_divide)
            elif a_name is not None and b_name is not None:  # `closed / received`: the common shape

                def divide_names(env: Env, tr: Trace) -> Any:
                    a, b = env[a_name], env[b_name]  # the dividend first, as every division reads
                    if not b:
                        raise EvalFailure(span, M("division_by_zero", divisor=divisor), key="division_by_zero")
                    return _div(a, b)

                fn = divide_names
            else:

                def divide(env: Env, tr: Trace) -> Any:
                    a, b = left(env, tr), right(env, tr)
                    if not b:
                        raise EvalFailure(span, M("division_by_zero", divisor=divisor), key="division_by_zero")
                    return _div(a, b)

                fn = divide
            if found is None:
                return fn
            dividends, divisors = found

            def divide_columns(cols: Mapping[str, Sequence[Any]], n: int) -> Sequence[Any]:
                a, b = dividends(cols, n), divisors(cols, n)
                if not all(b):
                    raise ZeroDivisionError  # some row fails: the caller runs them one by one
                return list(map(_div, a, b))

            return self.columnar(fn, divide_columns)
        op = {"+": _add, "-": _sub, "*": _mul}[node.op]
        ok_r, constant = self.const(node.right)
        if scores:
            fn = self.recorded(node, node.op, operands, (left, right), op)
        elif ok_r and a_name is not None:
            fn = lambda env, tr: op(env[a_name], constant)  # noqa: E731
        elif ok_r:
            fn = lambda env, tr: op(left(env, tr), constant)  # noqa: E731
        else:
            fn = lambda env, tr: op(left(env, tr), right(env, tr))  # noqa: E731
        return self.row_by_row(fn, left, right, op)

    def days_between(self, node: ast.BinOp) -> Fn:
        """``a - b`` of two dates: the days from ``b`` to ``a``, an exact whole number."""
        left, right = self.compile(node.left), self.compile(node.right)
        ok, constant = self.const(node.right)
        fn: Fn
        if ok:
            fn = lambda env, tr: days_between(left(env, tr), constant)  # noqa: E731
        else:
            fn = lambda env, tr: days_between(left(env, tr), right(env, tr))  # noqa: E731
        return self.row_by_row(fn, left, right, days_between)

    def c_Logic(self, node: ast.Logic) -> Fn:
        left, right = self.compile(node.left), self.compile(node.right)
        both = node.op == "and"
        if both:
            fn: Fn = lambda env, tr: left(env, tr) and right(env, tr)  # noqa: E731
        else:
            fn = lambda env, tr: left(env, tr) or right(env, tr)  # noqa: E731
        found = self.column_of(left, right)
        if found is None:
            return fn
        lc, rc = found

        def logic_columns(cols: Mapping[str, Sequence[Any]], n: int) -> Sequence[Any]:
            # both sides for every row; a row where the right side would not run and fails sends
            # all of them through ``fn``, which does not run it
            if both:
                return [x and y for x, y in zip(lc(cols, n), rc(cols, n), strict=True)]
            return [x or y for x, y in zip(lc(cols, n), rc(cols, n), strict=True)]

        return self.columnar(fn, logic_columns)

    def c_Compare(self, node: ast.Compare) -> Fn:
        left, right = self.compile(node.left), self.compile(node.right)
        if self.checked.kind(node.left) is Kind.LABEL or self.checked.kind(node.right) is Kind.LABEL:
            typed = node.left if self.checked.types[node.left].levels else node.right
            ranks = self.rank(typed)
            cmp = _RANK_OPS[node.op]
            return lambda env, tr: cmp(ranks[left(env, tr)], ranks[right(env, tr)])
        cmp = _NUMERIC_OPS[node.op]
        ok, constant = self.const(node.right)
        name = self.measure_name(node.left)
        if ok and name is not None and name not in self.inexact_measures:
            fn: Fn = lambda env, tr: cmp(env[name], constant)  # noqa: E731
            return self.columnar(fn, lambda cols, n: list(map(cmp, cols[name], repeat(constant))))
        left, right = self.exact_fn(node.left), self.exact_fn(node.right)
        if Kind.SCORE in (self.checked.kind(node.left), self.checked.kind(node.right)):
            span, op = node.span, node.op

            def compare_scores(env: Env, tr: Trace) -> Any:
                a, b = left(env, tr), right(env, tr)
                held = cmp(a, b)
                if tr is not None:
                    tr.append(tr_.CompareStep(span, op, a, b, held))
                return held

            fn = compare_scores
        elif ok:
            fn = lambda env, tr: cmp(left(env, tr), constant)  # noqa: E731
        else:
            fn = lambda env, tr: cmp(left(env, tr), right(env, tr))  # noqa: E731
        return self.row_by_row(fn, left, right, cmp)

    def c_IfElse(self, node: ast.IfElse) -> Fn:
        cond, then, orelse = self.compile(node.cond), self.compile(node.then), self.compile(node.orelse)
        fn: Fn
        if self.checked.kind(node) is not Kind.SCORE:
            fn = lambda env, tr: then(env, tr) if cond(env, tr) else orelse(env, tr)  # noqa: E731
        else:
            span, cond_span = node.span, node.cond.span

            def branch(env: Env, tr: Trace) -> Any:
                held = cond(env, tr)
                if tr is None:
                    return then(env, tr) if held else orelse(env, tr)
                at = len(tr)  # the choice and its points, then how the branch came by them
                points = then(env, tr) if held else orelse(env, tr)
                tr.insert(at, tr_.BranchStep(span, cond_span, bool(held), points))
                return points

            fn = branch
        found = self.column_of(cond, then, orelse)
        if found is None:
            return fn
        cc, tc, ec = found

        def choose_columns(cols: Mapping[str, Sequence[Any]], n: int) -> Sequence[Any]:
            # both branches for every row; see logic_columns
            return [t if c else e for c, t, e in zip(cc(cols, n), tc(cols, n), ec(cols, n), strict=True)]

        return self.columnar(fn, choose_columns)

    # -- scoring forms ------------------------------------------------------------------------


def compile_expr(
    node: ast.Expr,
    checked: Checked,
    source: RuleSource,
    *,
    weight: Decimal = ZERO,
    subject: str | None = None,
    subject_levels: tuple[str, ...] | None = None,
    ranks: dict[tuple[str, ...], dict[str, int]] | None = None,
    rounding: tuple[Context, Decimal] | None = None,
    inexact: Collection[str] = (),
    columns: dict[Fn, ColumnFn] | None = None,
    floored: bool = True,
) -> Fn:
    """Compile a checked rule or formula to a closure ``f(env, trace)``. ``rounding`` is the
    ruleset's (context, quantum), used where a rule compares points as they will be scored;
    ``inexact`` the derived measures whose values may come from a quotient that does not end.
    With ``columns``, the column forms of the closures that have one are recorded in it.
    ``floored`` is False for an indicator with ``floor = "none"`` (its deductions go past 0)."""
    compiler = Compiler(
        checked,
        source,
        weight=weight,
        subject=subject,
        subject_levels=subject_levels,
        ranks=ranks,
        rounding=rounding,
        inexact=inexact,
        columns=columns,
        floored=floored,
    )
    return compiler.compile(node)
