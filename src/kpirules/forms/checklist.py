"""``checklist { COND: SCORE, … }``: points for each item that holds, added up.

Standards: "制度健全 2 分，执行有效 3 分，档案完整 1 分" → ``checklist { 制度健全: 2 pts, 执行有效:
3 pts, 档案完整: 1 pt }``. An item that does not hold earns nothing; the sum is the rule's points.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from decimal import Decimal
from typing import TYPE_CHECKING, Any

import attrs

from ..ast import Expr, Node, Span
from ..exact import CONTEXT, ZERO, Env, Fn, Trace
from ..intervals import Dom, Interval, add, hull_all
from ..kinds import SCORE, Kind, Type
from ..messages import Catalog
from ..textfmt import number
from .base import Form, Goal

if TYPE_CHECKING:
    from sqlglot import exp

    from ..checker import _Checker as Checker
    from ..compiler import Compiler
    from ..explain import Explainer
    from ..intervals import Env as Domains
    from ..linter.analysis import RuleAnalysis
    from ..sql.rules import RuleCompiler
    from ..sql.values import V

_add = CONTEXT.add


@attrs.frozen(eq=False)
class Item(Node):
    cond: Expr
    score: Expr


@attrs.frozen(eq=False)
class Checklist(Node):
    items: tuple[Item, ...]


def check_items(c: Checker, node: Node, items: tuple[Item, ...]) -> Type:
    """The kind of a list of items (``checklist``, ``deduct unless``): each a condition and a score."""
    if (bad := c.no_scores_here(node)) is not None:
        return bad
    for item in items:
        c.expect(item.cond, Kind.BOOL)
        c.expect(item.score, Kind.SCORE)
    return SCORE


@attrs.frozen
class ChecklistStep:
    span: Span
    items: tuple[tuple[Span, bool, Decimal], ...]  # (item span, held, points earned)
    points: Decimal


class ChecklistForm(Form[Checklist]):
    name = "checklist"
    node = Checklist
    builders = {
        "checklist": lambda span, *items: Checklist(span, items),
        "item": lambda span, cond, score: Item(span, cond, score),
    }
    steps = (ChecklistStep,)
    words = Catalog(
        "forms.checklist",
        {
            "goal": ("第 {n} 项 `{text}` 成立", "item {n} `{text}` holds"),
            "checklist": ("清单：{items}，合计 {p} 分", "checklist: {items}, total {p} points"),
            "held": ("✓", "✓"),
            "not_held": ("✗", "✗"),
        },
    )

    def check(self, c: Checker, node: Checklist, want: Kind | None, levels: tuple[str, ...] | None) -> Type:
        return check_items(c, node, node.items)

    def inexact(self, node: Checklist, value: Callable[[Node | None], bool], subject: bool) -> bool:
        return any(value(item.score) for item in node.items)

    def compile(self, c: Compiler, node: Checklist) -> Fn:
        items = [(c.compile(item.cond), c.compile(item.score), item.span) for item in node.items]
        span = node.span

        def checklist(env: Env, tr: Trace) -> Any:
            total = ZERO
            record: list[tuple[Span, bool, Decimal]] = []
            for cond, score, item_span in items:
                held = bool(cond(env, tr))
                points = score(env, tr) if held else ZERO
                total = _add(total, points)
                if tr is not None:
                    record.append((item_span, held, points))
            if tr is not None:
                tr.append(ChecklistStep(span, tuple(record), total))
            return total

        return checklist

    def sql(self, s: RuleCompiler, node: Checklist) -> V:
        total = s.qconst(0)
        errs: list[exp.Expression | None] = []
        for item in node.items:
            cond, ce = s.cond(item.cond)
            score = s.compile(item.score)
            assert isinstance(score.value, s.Q)
            total = s.a.add(total, s.a.select(cond, score.value, s.qconst(0)))
            errs.append(s.first_err(ce, s.when(cond, score.err)))
        return s.V(total, s.first_err(*errs))

    def interval(self, a: RuleAnalysis, node: Checklist, env: Domains) -> Dom:
        total = Interval.point(ZERO)
        for item in node.items:
            cond = a.truth(item.cond, env)
            parts = []
            if False in cond:
                parts.append(Interval.point(ZERO))
            if True in cond:
                narrowed = a.refine(item.cond, env, True)
                if narrowed is not None:
                    parts.append(a.num(item.score, narrowed))
            total = add(total, hull_all(parts) if parts else Interval.point(ZERO))
        return total

    def explain(self, step: ChecklistStep, x: Explainer) -> str:
        items = "; ".join(
            f"{self.words.say(x.lang, 'held' if held else 'not_held')} {x.snippet(span)}"
            for span, held, _ in step.items
        )
        return self.words.say(x.lang, "checklist", items=items, p=number(step.points))

    def goals(self, node: Checklist) -> Sequence[Goal]:
        return [Goal(n, item.span, item.cond.span) for n, item in enumerate(node.items)]

    def reached(self, step: ChecklistStep) -> Iterable[str | int]:
        return [n for n, (_, held, _) in enumerate(step.items) if held]


FORM = ChecklistForm()
