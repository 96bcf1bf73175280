"""``deduct { D, D, … }``: several deductions from one pot, never below 0 once.

Standards: "紧急问题结案率未达到 100% 的，每少一个百分点扣 0.5 分；按期结案率未达到 95% 以上（含）的，每少一
个百分点扣 0.5 分" (one 10-point row) → ``deduct { 0.5 pts per 1% of 紧急结案率 below 100%, 0.5 pts per
1% of 按期结案率 below 95% }``. Each line is a ``deduct … per … below|above …`` or ``deduct … each``
without its keyword, over the indicator's measure or a measure of its own (``of X``); the points
all the lines take off come off the weight together, and the score stops at 0 once, not line by line.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from decimal import Decimal
from typing import TYPE_CHECKING, Any

import attrs

from ..ast import Node, Span
from ..exact import CONTEXT, ZERO, Env, Fn, Trace
from ..intervals import Dom, Interval, add, imax, sub
from ..kinds import SCORE, Kind, Type
from ..messages import Catalog
from ..textfmt import number
from .base import Form, Goal
from .deduct import Deduct

if TYPE_CHECKING:
    from ..checker import _Checker as Checker
    from ..compiler import Compiler
    from ..explain import Explainer
    from ..intervals import Env as Domains
    from ..linter.analysis import RuleAnalysis
    from ..sql.rules import RuleCompiler
    from ..sql.values import V

_add, _sub = CONTEXT.add, CONTEXT.subtract


@attrs.frozen(eq=False)
class Deductions(Node):
    """``deduct { … }``: its lines, each a :class:`~kpirules.forms.deduct.Deduct`."""

    items: tuple[Deduct, ...]


@attrs.frozen
class DeductionsStep:
    """The points all the lines took off (each line's own, up to the weight), and the score."""

    span: Span
    taken: tuple[Decimal, ...]
    deducted: Decimal
    points: Decimal


class DeductionsForm(Form[Deductions]):
    name = "deductions"
    node = Deductions
    builders = {"deductions": lambda span, *items: Deductions(span, items)}
    steps = (DeductionsStep,)
    words = Catalog(
        "forms.deductions",
        {
            "deductions": (
                "合计扣分：{taken} = {d} 分，得 {w} - {d} = {p} 分",
                "deducted in all: {taken} = {d} points, {w} - {d} = {p} points",
            ),
            "floored": (
                "合计扣分：{taken} = {d} 分，不少于分值 {w}，扣完为止，得 0 分",
                "deducted in all: {taken} = {d} points, the weight {w} or more: 0 points",
            ),
            "goal.none": ("合计：未扣分", "in all: nothing deducted"),
            "goal.deducting": ("合计：部分扣分", "in all: points deducted"),
            "goal.floored": ("合计：扣完为止（0 分）", "in all: deducted to zero"),
        },
    )

    def check(self, c: Checker, node: Deductions, want: Kind | None, levels: tuple[str, ...] | None) -> Type:
        if (bad := c.no_scores_here(node)) is not None:
            return bad
        for item in node.items:
            c.expect(item, Kind.SCORE)
        return SCORE

    def inexact(self, node: Deductions, value: Callable[[Node | None], bool], subject: bool) -> bool:
        return any(value(item) for item in node.items)

    def compile(self, c: Compiler, node: Deductions) -> Fn:
        # each line scores full - its deduction, not below 0: what it took off is full - its points
        lines = [c.compile(item) for item in node.items]
        full, span, floored = c.weight, node.span, c.floored

        def deductions(env: Env, tr: Trace) -> Any:
            taken = [_sub(full, line(env, tr)) for line in lines]
            deducted = ZERO
            for points in taken:
                deducted = _add(deducted, points)
            left = _sub(full, deducted)
            result = left if left > ZERO or not floored else ZERO
            if tr is not None:
                tr.append(DeductionsStep(span, tuple(taken), deducted, result))
            return result

        return deductions

    def sql(self, s: RuleCompiler, node: Deductions) -> V:
        full = s.qconst(s.weight)
        deducted = s.qconst(0)
        errs: list[Any] = []
        for item in node.items:
            line = s.compile(item)
            assert isinstance(line.value, s.Q)
            deducted = s.a.add(deducted, s.a.add(full, line.value, -1))
            errs.append(line.err)
        left = s.a.add(full, deducted, -1)
        return s.V(s.a.floor0(left) if s.floored else left, s.first_err(*errs))

    def interval(self, a: RuleAnalysis, node: Deductions, env: Domains) -> Dom:
        full = Interval.point(a.weight)
        deducted = Interval.point(ZERO)
        for item in node.items:
            deducted = add(deducted, sub(full, a.num(item, env)))
        left = sub(full, deducted)
        return imax(left, Interval.point(ZERO)) if a.floored else left

    def explain(self, step: DeductionsStep, x: Explainer) -> str:
        taken = " + ".join(number(points) for points in step.taken)
        key = "floored" if step.deducted >= x.weight and step.deducted > 0 and x.floored else "deductions"
        return self.words.say(
            x.lang, key, taken=taken, d=number(step.deducted), w=number(x.weight), p=number(step.points)
        )

    def goals(self, node: Deductions) -> Sequence[Goal]:
        return [Goal(regime, node.span, node.span) for regime in ("none", "deducting", "floored")]

    def reached(self, step: DeductionsStep) -> Iterable[str | int]:
        return ("none" if not step.deducted else "floored" if step.points <= 0 else "deducting",)


FORM = DeductionsForm()
