"""``deduct A per S below|above L`` and ``deduct A each``: full marks less a deduction, never below 0
(unless the indicator has ``floor = "none"``: then the points go on below 0).

Standards: "≥95%得满分，每降低1个百分点扣0.5分，扣完为止" → ``deduct 0.5 pts per 1% below 95%``;
"每超过 1 天扣 1 分" → ``deduct 1 pt per whole 1 above 0``; "每发生一起扣 2 分" → ``deduct 2 pts
each``. A shortfall is counted in steps: in proportion (``linear``), whole steps only (``whole``),
or every started step (``started``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal
from typing import TYPE_CHECKING, Any, Literal

import attrs

from ..ast import Expr, Node, Span
from ..exact import CONTEXT, ZERO, Env, EvalFailure, Fn, Trace, snap
from ..intervals import INF, Dom, Interval, ceil, div, floor, hull_all, imax, monotone, mul, sub
from ..kinds import SCORE, Kind, Type
from ..messages import Catalog
from ..textfmt import number
from .base import Form, Goal

if TYPE_CHECKING:
    from lark import Token

    from ..checker import _Checker as Checker
    from ..compiler import Compiler
    from ..explain import Explainer
    from ..intervals import Env as Domains
    from ..linter.analysis import RuleAnalysis
    from ..sql.rules import RuleCompiler
    from ..sql.values import V

_sub, _mul, _div = CONTEXT.subtract, CONTEXT.multiply, CONTEXT.divide


@attrs.frozen(eq=False)
class Deduct(Node):
    """``deduct A per [whole|started] S below|above L`` and ``deduct A each``."""

    amount: Expr
    mode: Literal["linear", "whole", "started", "each"]
    step: Expr | None
    direction: Literal["below", "above"] | None
    limit: Expr | None
    #: what is measured (``deduct … per 1% of 按期结案率 below 95%``); None: the indicator's measure
    subject: Expr | None = None


@attrs.frozen
class DeductStep:
    span: Span
    mode: str  # linear | whole | started | each
    direction: str | None  # below | above (None for `each`)
    subject: Decimal
    limit: Decimal | None
    step: Decimal | None  # None for `each`, and when nothing is deducted
    gap: Decimal  # shortfall or excess (the count for `each`)
    steps: Decimal  # the number of steps charged
    amount: Decimal | None  # points per step (None when nothing is deducted: it is not read)
    deduction: Decimal
    points: Decimal  # full − deduction, floored at zero (unless the indicator has floor = "none")
    subject_span: Span | None = None  # where its own subject is written (``of X``), if it has one


def _per(
    span: Span, amount: Expr, mode: Token | None, step: Expr, subject: Expr | None, direction: Token, limit: Expr
) -> Deduct:
    kind = "linear" if mode is None else str(mode)
    return Deduct(span, amount, kind, step, str(direction), limit, subject)  # type: ignore[arg-type]


class DeductForm(Form[Deduct]):
    name = "deduct"
    node = Deduct
    builders = {
        "deduct_per": _per,
        "deduct_each": lambda span, amount, subject=None: Deduct(span, amount, "each", None, None, None, subject),
    }
    steps = (DeductStep,)
    words = Catalog(
        "forms.deduct",
        {
            "goal.none": ("扣分：未扣分", "deduct: nothing deducted"),
            "goal.deducting": ("扣分：部分扣分", "deduct: points deducted"),
            "goal.floored": ("扣分：扣完为止（0 分）", "deduct: deducted to zero"),
            "deduct_none": (
                "扣分：{x} 未{dir} {l}，不扣分，得 {p} 分",
                "deduction: {x} is not {dir} {l}, nothing deducted: {p} points",
            ),
            "deduct": (
                "扣分：{x} {dir} {l} {g}，每 {step} 扣 {a} 分，计 {n} 档（{mode}），扣 {d} 分，得 {p} 分",
                "deduction: {x} is {g} {dir} {l}; {a} points per {step}, {n} steps ({mode}), minus {d}: {p} points",
            ),
            "deduct_each": (
                "扣分：{x} 次，每次扣 {a} 分，扣 {d} 分，得 {p} 分",
                "deduction: {x} occurrences at {a} points each, minus {d}: {p} points",
            ),
            "below": ("低于", "below"),
            "above": ("超过", "above"),
            "linear": ("按比例计", "linear"),
            "whole": ("只计整档", "whole steps only"),
            "started": ("不足一档按一档计", "every started step"),
            # check errors and failures
            "needs_number": (
                "`deduct` 需要数值型数据项，而 `{subject}` 是{kind}",
                "`deduct` needs a numeric measure; `{subject}` is {kind}",
            ),
            "step_zero": ("扣分步长 `{step}` 为 0", "the step `{step}` is 0"),
        },
    )
    continue_after = frozenset({"DEDUCT", "PER", "WHOLE", "STARTED", "BELOW", "ABOVE", "OF"})
    continue_before = frozenset({"PER", "EACH", "BELOW", "ABOVE", "OF"})

    def check(self, c: Checker, node: Deduct, want: Kind | None, levels: tuple[str, ...] | None) -> Type:
        if (bad := c.no_scores_here(node)) is not None:
            return bad
        if node.subject is not None:
            subject = c.infer(node.subject)
            if subject.kind not in (Kind.NUMBER, Kind.ERROR):
                c.error(
                    node.subject, self.words("needs_number", subject=c.snippet(node.subject), kind=subject.kind.words)
                )
        else:
            subject = c.subject_type(node, "deduct")
            if subject.kind not in (Kind.NUMBER, Kind.ERROR):
                c.error(node, self.words("needs_number", subject=c.subject, kind=subject.kind.words))
        c.expect(node.amount, Kind.SCORE)
        if node.step is not None:
            c.expect(node.step, Kind.NUMBER)
        if node.limit is not None:
            c.expect(node.limit, Kind.NUMBER)
        return SCORE

    def inexact(self, node: Deduct, value: Callable[[Node | None], bool], subject: bool) -> bool:
        own = value(node.subject) if node.subject is not None else subject
        return node.mode == "linear" or value(node.amount) or (node.mode == "each" and own)

    def compile(self, c: Compiler, node: Deduct) -> Fn:
        full, span, mode, direction = c.weight, node.span, node.mode, node.direction
        floored = c.floored  # False for floor = "none": the points go below 0
        subject = c.exact_subject(node, node.subject)
        where = node.subject.span if node.subject is not None else None
        amount = c.compile(node.amount)
        if mode == "each":

            def each(env: Env, tr: Trace) -> Any:
                x, per = subject(env, tr), amount(env, tr)
                deduction = _mul(per, x)
                points = _sub(full, deduction)
                if points < 0 and floored:
                    points = ZERO
                if tr is not None:
                    tr.append(DeductStep(span, mode, None, x, None, None, x, x, per, deduction, points, where))
                return points

            return each

        assert node.step is not None and node.limit is not None
        step, limit = c.exact_fn(node.step), c.exact_fn(node.limit)
        below = direction == "below"
        step_text = c.text(node.step)
        words = self.words
        rounding = ROUND_FLOOR if mode == "whole" else ROUND_CEILING if mode == "started" else None

        def per_step(env: Env, tr: Trace) -> Any:
            x, lim = subject(env, tr), limit(env, tr)
            gap = _sub(lim, x) if below else _sub(x, lim)
            if gap > 0:
                size = step(env, tr)
                if not size:
                    raise EvalFailure(span, words("step_zero", step=step_text), key="step_zero")
                steps = _div(gap, size)
                if rounding is not None:  # whole or started steps: count them on the snapped quotient
                    steps = snap(steps).to_integral_value(rounding=rounding, context=CONTEXT)
                per = amount(env, tr)
                deduction = _mul(per, steps)
            else:  # nothing to deduct: the amount and the step are not read, traced or not
                gap = steps = deduction = ZERO
                per = size = None
            points = _sub(full, deduction)
            if points < 0 and floored:
                points = ZERO
            if tr is not None:
                tr.append(DeductStep(span, mode, direction, x, lim, size, gap, steps, per, deduction, points, where))
            return points

        return per_step

    def sql(self, s: RuleCompiler, node: Deduct) -> V:
        full = s.qconst(s.weight)
        sv = s.subject_value(node.subject)
        assert isinstance(sv.value, s.Q)
        x, xe = sv.value, sv.err
        if node.mode == "each":
            per, pe = s.num(node.amount)
            left = s.a.add(full, s.a.mul(per, x), -1)
            return s.V(s.a.floor0(left) if s.floored else left, s.first_err(xe, pe))
        assert node.step is not None and node.limit is not None
        lim, le = s.num(node.limit)
        gap = s.a.add(lim, x, -1) if node.direction == "below" else s.a.add(x, lim, -1)
        short = s.a.cmp(gap, ">", s.qconst(0))
        size, se = s.num(node.step)
        per, pe = s.num(node.amount)
        zero = s.a.cmp(size, "==", s.qconst(0))
        steps = s.a.div(gap, size)
        if node.mode == "whole":
            steps = s.a.floor(steps)
        elif node.mode == "started":
            steps = s.a.ceil(steps)
        deducted = s.a.add(full, s.a.mul(per, steps), -1)
        if s.floored:
            deducted = s.a.floor0(deducted)
        inner = s.first_err(se, s.when(zero, s.string(self.words("step_zero", step=s.text(node.step)))), pe)
        return s.V(s.a.select(short, deducted, full), s.first_err(xe, le, s.when(short, inner)))

    def interval(self, a: RuleAnalysis, node: Deduct, env: Domains) -> Dom:
        full = Interval.point(a.weight)
        amount = a.num(node.amount, env)
        x = a.num(node.subject, env) if node.subject is not None else a.subject_dom(env)
        if node.mode == "each":
            points = sub(full, mul(amount, x))
            return imax(points, Interval.point(ZERO)) if a.floored else points
        assert node.limit is not None and node.step is not None
        limit = a.num(node.limit, env)
        gap = sub(limit, x) if node.direction == "below" else sub(x, limit)
        parts = []
        if gap.lo <= 0:
            parts.append(full)
        positive = gap.intersect(Interval(ZERO, INF, False, False))
        if not positive.empty:
            step = a.num(node.step, env)
            a.check_divisor(node.step, step, env, "step")
            steps = div(positive, step)
            if node.mode == "whole":
                steps = monotone(steps, floor)
            elif node.mode == "started":
                steps = monotone(steps, ceil)
            left = sub(full, mul(amount, steps))
            parts.append(imax(left, Interval.point(ZERO)) if a.floored else left)
        return hull_all(parts)

    def explain(self, step: DeductStep, x: Explainer) -> str:
        fmt = x.fmt
        # a deduction over a measure of its own names it: 按期结案率 93%
        named = f"{x.snippet(step.subject_span)} " if step.subject_span is not None else ""
        if step.mode == "each":
            assert step.amount is not None
            return self.words.say(
                x.lang,
                "deduct_each",
                x=named + number(step.subject),
                a=number(step.amount),
                d=number(step.deduction),
                p=number(step.points),
            )
        assert step.limit is not None and step.direction is not None
        direction = self.words.say(x.lang, step.direction)
        if step.gap <= 0:
            return self.words.say(
                x.lang,
                "deduct_none",
                x=named + fmt(step.subject),
                dir=direction,
                l=fmt(step.limit),
                p=number(step.points),
            )
        assert step.step is not None and step.amount is not None
        return self.words.say(
            x.lang,
            "deduct",
            x=named + fmt(step.subject),
            dir=direction,
            l=fmt(step.limit),
            g=fmt(step.gap),
            step=fmt(step.step),
            a=number(step.amount),
            n=number(step.steps),
            mode=self.words.say(x.lang, step.mode),
            d=number(step.deduction),
            p=number(step.points),
        )

    def goals(self, node: Deduct) -> Sequence[Goal]:
        return [Goal(regime, node.span, node.span) for regime in ("none", "deducting", "floored")]

    def reached(self, step: DeductStep) -> Iterable[str | int]:
        return ("none" if not step.deduction else "floored" if step.points <= 0 else "deducting",)


FORM = DeductForm()
