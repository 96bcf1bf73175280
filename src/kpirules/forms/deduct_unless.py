"""``deduct unless { COND: SCORE, … }``: full marks less the points of each item not met, never below 0.

Standards: "机构健全、人员落实、制度完善；未落实的，分别扣 1 分、2 分、2 分，扣完为止" →
``deduct unless { 机构健全: 1 pt, 人员落实: 2 pts, 制度完善: 2 pts }``. The mirror of ``checklist``,
which adds the points of the items that hold: here every item that does not hold takes its points
off the weight, and the score stops at 0.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from decimal import Decimal
from typing import TYPE_CHECKING, Any

import attrs

from ..ast import Node, Span
from ..exact import CONTEXT, ZERO, Env, Fn, Trace
from ..intervals import Dom, Interval, add, hull_all, imax, sub
from ..kinds import Kind, Type
from ..messages import Catalog
from ..textfmt import number
from .base import Form, Goal
from .checklist import Item, check_items

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
class DeductUnless(Node):
    """``deduct unless { … }``: the items, each a condition that should hold and the points its
    failure costs (the ``item`` of ``checklist``)."""

    items: tuple[Item, ...]


@attrs.frozen
class DeductUnlessStep:
    """What the form did: each item (its span, whether it held, the points it took off), the
    points taken off in all, and the score (the weight less them, not below 0)."""

    span: Span
    items: tuple[tuple[Span, bool, Decimal], ...]
    deducted: Decimal
    points: Decimal


class DeductUnlessForm(Form[DeductUnless]):
    name = "deduct_unless"
    node = DeductUnless
    builders = {"deduct_unless": lambda span, *items: DeductUnless(span, items)}
    steps = (DeductUnlessStep,)
    words = Catalog(
        "forms.deduct_unless",
        {
            "goal": ("第 {n} 项 `{text}` 未落实（扣分）", "item {n} `{text}` not met (deducted)"),
            "deduct_unless": (
                "逐项扣分：{items}；共扣 {d} 分，得 {w} - {d} = {p} 分",
                "deducted item by item: {items}; {d} points off, {w} - {d} = {p} points",
            ),
            "floored": (
                "逐项扣分：{items}；共扣 {d} 分，超过分值 {w}，扣完为止，得 0 分",
                "deducted item by item: {items}; {d} points off, more than the weight {w}: 0 points",
            ),
            "met": ("✓ {item}", "✓ {item}"),
            "unmet": ("✗ {item}（扣 {p} 分）", "✗ {item} (-{p})"),
            "joiner": ("，", ", "),
        },
    )

    def check(self, c: Checker, node: DeductUnless, want: Kind | None, levels: tuple[str, ...] | None) -> Type:
        return check_items(c, node, node.items)

    def inexact(self, node: DeductUnless, value: Callable[[Node | None], bool], subject: bool) -> bool:
        return any(value(item.score) for item in node.items)

    def compile(self, c: Compiler, node: DeductUnless) -> Fn:
        items = [(c.compile(item.cond), c.compile(item.score), item.cond.span) for item in node.items]
        full, span, floored = c.weight, node.span, c.floored

        def deduct_unless(env: Env, tr: Trace) -> Any:
            deducted = ZERO
            record: list[tuple[Span, bool, Decimal]] = []
            for cond, score, item_span in items:
                held = bool(cond(env, tr))
                points = ZERO if held else score(env, tr)
                deducted = _add(deducted, points)
                if tr is not None:
                    record.append((item_span, held, points))
            left = _sub(full, deducted)
            result = left if left > ZERO or not floored else ZERO
            if tr is not None:
                tr.append(DeductUnlessStep(span, tuple(record), deducted, result))
            return result

        return deduct_unless

    def sql(self, s: RuleCompiler, node: DeductUnless) -> V:
        deducted = s.qconst(0)
        errs: list[Any] = []
        for item in node.items:
            cond, ce = s.cond(item.cond)
            score = s.compile(item.score)
            assert isinstance(score.value, s.Q)
            deducted = s.a.add(deducted, s.a.select(cond, s.qconst(0), score.value))
            errs.append(s.first_err(ce, s.when(s.b_not(cond), score.err)))
        left = s.a.add(s.qconst(s.weight), deducted, -1)
        return s.V(s.a.floor0(left) if s.floored else left, s.first_err(*errs))

    def interval(self, a: RuleAnalysis, node: DeductUnless, env: Domains) -> Dom:
        deducted = Interval.point(ZERO)
        for item in node.items:
            cond = a.truth(item.cond, env)
            parts = []
            if True in cond:
                parts.append(Interval.point(ZERO))
            if False in cond:
                narrowed = a.refine(item.cond, env, False)
                if narrowed is not None:
                    parts.append(a.num(item.score, narrowed))
            deducted = add(deducted, hull_all(parts) if parts else Interval.point(ZERO))
        left = sub(Interval.point(a.weight), deducted)
        return imax(left, Interval.point(ZERO)) if a.floored else left

    def explain(self, step: DeductUnlessStep, x: Explainer) -> str:
        say = self.words.say
        items = say(x.lang, "joiner").join(
            say(x.lang, "met", item=x.snippet(span))
            if held
            else say(x.lang, "unmet", item=x.snippet(span), p=number(points))
            for span, held, points in step.items
        )
        key = "floored" if step.deducted > x.weight and x.floored else "deduct_unless"
        return say(x.lang, key, items=items, d=number(step.deducted), w=number(x.weight), p=number(step.points))

    def goals(self, node: DeductUnless) -> Sequence[Goal]:
        return [Goal(n, item.span, item.cond.span) for n, item in enumerate(node.items)]

    def reached(self, step: DeductUnlessStep) -> Iterable[str | int]:
        return [n for n, (_, held, _) in enumerate(step.items) if not held]


FORM = DeductUnlessForm()
