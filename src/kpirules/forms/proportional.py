"""``proportional``: a share of the weight in proportion to a rate, a target or a ratio.

Standards: "按 完成值/指标值 × 分值 计分" → ``proportional to 95%``; "满意度 × 分值" →
``proportional``; "越低越好，按 指标值/完成值 计分" → ``proportional inverse to 5%``; "按
办结件数/受理件数 × 分值 计分" → ``proportional closed / received``; "按 B/A 或 A/B × 该指标分值（取不大于 1
者）" → ``proportional to A either way``. The credit is limited to [0, 100 %], and the points are the
weight times the credit.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from decimal import Decimal
from itertools import repeat
from typing import TYPE_CHECKING, Any, Literal

import attrs

from ..ast import Expr, Node, Span
from ..exact import CONTEXT, ONE, ZERO, Env, EvalFailure, Fn, Trace
from ..intervals import INF, NINF, Dom, Interval, clamp, div, hull_all, mul
from ..kinds import SCORE, Kind, Type
from ..messages import Catalog
from ..textfmt import number, percent
from .base import Form, Goal

if TYPE_CHECKING:
    from ..checker import _Checker as Checker
    from ..compiler import Compiler
    from ..explain import Explainer
    from ..intervals import Env as Domains
    from ..linter.analysis import RuleAnalysis
    from ..sql.rules import RuleCompiler
    from ..sql.values import V

_mul, _div = CONTEXT.multiply, CONTEXT.divide


@attrs.frozen(eq=False)
class Proportional(Node):
    """``proportional``, ``proportional to T``, ``proportional inverse to T``, ``proportional to T
    either way``, ``proportional E``."""

    kind: Literal["plain", "to", "inverse", "either", "expr"]
    operand: Expr | None


@attrs.frozen
class ProportionalStep:
    span: Span
    kind: str  # plain | to | inverse | either | expr
    subject: Decimal | None  # x, for plain, to, inverse and either
    target: Decimal | None  # T, for to, inverse and either
    credit: Decimal  # before clamping to [0, 1]
    capped: Decimal  # after
    points: Decimal


class ProportionalForm(Form[Proportional]):
    name = "proportional"
    node = Proportional
    builders = {
        "prop_plain": lambda span: Proportional(span, "plain", None),
        "prop_to": lambda span, target: Proportional(span, "to", target),
        "prop_inverse": lambda span, target: Proportional(span, "inverse", target),
        "prop_either": lambda span, target: Proportional(span, "either", target),
        "prop_expr": lambda span, credit: Proportional(span, "expr", credit),
    }
    steps = (ProportionalStep,)
    words = Catalog(
        "forms.proportional",
        {
            "goal.zero": ("按比例：得分率为 0", "proportional: no credit"),
            "goal.partial": ("按比例：部分得分", "proportional: part credit"),
            "goal.full": ("按比例：得满分", "proportional: full credit"),
            "prop_plain": ("按比例：得分率 {c}", "proportional: credit {c}"),
            "prop_to": ("按比例：{x} ÷ {t} = {c}", "proportional: {x} / {t} = {c}"),
            "prop_inverse": ("按比例（越低越好）：{t} ÷ {x} = {c}", "proportional (lower is better): {t} / {x} = {c}"),
            "prop_inverse_zero": (
                "按比例（越低越好）：{x} ≤ 0，得分率 100%",
                "proportional (lower is better): {x} ≤ 0, credit 100%",
            ),
            "prop_expr": ("按比例：{e} = {c}", "proportional: {e} = {c}"),
            "prop_either_below": (
                "按比例（取不大于 1 的比值）：{x} ÷ {t} = {c}",
                "proportional (either way): {x} / {t} = {c}",
            ),
            "prop_either_above": (
                "按比例（取不大于 1 的比值）：{t} ÷ {x} = {c}",
                "proportional (either way): {t} / {x} = {c}",
            ),
            "capped": ("，限定在 [0, 100%] 内为 {c}", ", limited to [0, 100%]: {c}"),
            "prop_points": ("，得 {w} × {c} = {p} 分", ", {w} × {c} = {p} points"),
            # check errors and failures
            "needs_number": (
                "`proportional` 需要数值型数据项，而 `{subject}` 是{kind}",
                "`proportional` needs a numeric measure; `{subject}` is {kind}",
            ),
            "target_zero": ("目标值 `{target}` 为 0", "the target `{target}` is 0"),
        },
    )

    def check(self, c: Checker, node: Proportional, want: Kind | None, levels: tuple[str, ...] | None) -> Type:
        if (bad := c.no_scores_here(node)) is not None:
            return bad
        if node.kind != "expr":
            subject = c.subject_type(node, "proportional")
            if subject.kind not in (Kind.NUMBER, Kind.ERROR):
                c.error(node, self.words("needs_number", subject=c.subject, kind=subject.kind.words))
        if node.operand is not None:
            c.expect(node.operand, Kind.NUMBER)
        return SCORE

    def inexact(self, node: Proportional, value: Callable[[Node | None], bool], subject: bool) -> bool:
        if node.kind in ("to", "inverse", "either"):
            return True
        return subject if node.kind == "plain" else value(node.operand)

    def compile(self, c: Compiler, node: Proportional) -> Fn:  # noqa: C901 - one closure per kind of proportional credit (to, inverse, of), for speed
        full, span, kind = c.weight, node.span, node.kind
        step = ProportionalStep

        def cap(credit: Decimal) -> Decimal:
            return ONE if credit > ONE else ZERO if credit < ZERO else credit

        if kind in ("plain", "expr"):
            credit_fn = c.subject_fn(node) if kind == "plain" else c.compile(node.operand)  # type: ignore[arg-type]

            def proportional(env: Env, tr: Trace) -> Any:
                credit = credit_fn(env, tr)
                capped = ONE if credit > ONE else ZERO if credit < ZERO else credit
                points = _mul(full, capped)
                if tr is not None:
                    x = credit if kind == "plain" else None
                    tr.append(step(span, kind, x, None, credit, capped, points))
                return points

            found = c.subject if kind == "plain" else c.measure_name(node.operand)  # type: ignore[arg-type]
            if found is None:
                credits = c.column_of(credit_fn)
                if credits is None:
                    return proportional
                (credit_column,) = credits

                def proportional_columns(cols: Mapping[str, Sequence[Any]], n: int) -> Sequence[Any]:
                    capped = (ONE if v > ONE else ZERO if v < ZERO else v for v in credit_column(cols, n))
                    return list(map(_mul, repeat(full), capped))

                return c.columnar(proportional, proportional_columns)
            key: str = found

            def proportional_name(env: Env, tr: Trace) -> Any:  # traced runs take the general path
                if tr is not None:
                    return proportional(env, tr)
                credit = env[key]
                return full if credit >= ONE else ZERO if credit <= ZERO else _mul(full, credit)

            return c.columnar(
                proportional_name,
                lambda cols, n: [full if v >= ONE else ZERO if v <= ZERO else _mul(full, v) for v in cols[key]],
            )

        assert node.operand is not None
        subject, target = c.subject_fn(node), c.compile(node.operand)
        target_text = c.text(node.operand)
        inverse, either = kind == "inverse", kind == "either"

        def ratio(env: Env, tr: Trace) -> Any:
            x, t = subject(env, tr), target(env, tr)
            if inverse:
                credit = ONE if x <= 0 else _div(t, x)  # lower is better, and nothing at all is best
            elif not t:
                raise EvalFailure(span, self.words("target_zero", target=target_text), key="target_zero")
            elif not either or x <= t:
                credit = _div(x, t)
            else:  # either way, past the target: T / x (0 for x = 0, which is past only a target below 0)
                credit = _div(t, x) if x else ZERO
            capped = cap(credit)
            points = _mul(full, capped)
            if tr is not None:
                tr.append(step(span, kind, x, t, credit, capped, points))
            return points

        ok, constant = c.const(node.operand)
        name = c.subject
        if kind != "to" or not ok or not constant or name is None:
            return ratio

        def ratio_to_constant(env: Env, tr: Trace) -> Any:  # `proportional to 95%`
            if tr is not None:
                return ratio(env, tr)
            credit = _div(env[name], constant)
            return full if credit >= ONE else ZERO if credit <= ZERO else _mul(full, credit)

        def ratio_columns(cols: Mapping[str, Sequence[Any]], n: int) -> Sequence[Any]:
            credits = map(_div, cols[name], repeat(constant))
            return [full if v >= ONE else ZERO if v <= ZERO else _mul(full, v) for v in credits]

        return c.columnar(ratio_to_constant, ratio_columns)

    def sql(self, s: RuleCompiler, node: Proportional) -> V:
        full = s.qconst(s.weight)
        if node.kind in ("plain", "expr"):
            if node.kind == "plain":
                sv = s.subject_value()
                assert isinstance(sv.value, s.Q)
                credit, err = sv.value, sv.err
            else:
                assert node.operand is not None
                credit, err = s.num(node.operand)
            return s.V(s.a.mul(full, s.a.clamp01(credit)), err)
        assert node.operand is not None
        sv = s.subject_value()
        assert isinstance(sv.value, s.Q)
        x, xe = sv.value, sv.err
        t, te = s.num(node.operand)
        if node.kind == "inverse":
            best = s.a.cmp(x, "<=", s.qconst(0))
            credit = s.a.select(best, s.qconst(1), s.a.div(t, x))
            return s.V(s.a.mul(full, s.a.clamp01(credit)), s.first_err(xe, te))
        zero = s.a.cmp(t, "==", s.qconst(0))
        err = s.first_err(xe, te, s.when(zero, s.string(self.words("target_zero", target=s.text(node.operand)))))
        credit = s.a.div(x, t)
        if node.kind == "either":
            past = s.a.select(s.a.cmp(x, "==", s.qconst(0)), s.qconst(0), s.a.div(t, x))
            credit = s.a.select(s.a.cmp(x, "<=", t), credit, past)
        return s.V(s.a.mul(full, s.a.clamp01(credit)), err)

    def interval(self, a: RuleAnalysis, node: Proportional, env: Domains) -> Dom:
        if node.kind == "expr":
            assert node.operand is not None
            credit = a.num(node.operand, env)
        else:
            x = a.subject_dom(env)
            if node.kind == "plain":
                credit = x
            elif node.kind == "to":
                assert node.operand is not None
                target = a.num(node.operand, env)
                a.check_divisor(node.operand, target, env, "target")
                credit = div(x, target)
            elif node.kind == "either":  # x / T up to the target, T / x past it: within [0, 1] once capped
                assert node.operand is not None
                target = a.num(node.operand, env)
                a.check_divisor(node.operand, target, env, "target")
                credit = hull_all([div(x, target), div(target, x)])
            else:  # inverse: x <= 0 earns full marks
                assert node.operand is not None
                target = a.num(node.operand, env)
                parts = []
                if not x.intersect(Interval(NINF, ZERO, False, True)).empty:
                    parts.append(Interval.point(ONE))
                positive = x.intersect(Interval(ZERO, INF, False, False))
                if not positive.empty:
                    parts.append(div(target, positive))
                credit = hull_all(parts)
        return mul(clamp(credit, ZERO, ONE), Interval.point(a.weight))

    def explain(self, step: ProportionalStep, x: Explainer) -> str:
        fmt = x.fmt
        c = percent(step.credit)
        if step.kind == "plain":
            text = self.words.say(x.lang, "prop_plain", c=c)
        elif step.kind == "to":
            assert step.subject is not None and step.target is not None
            text = self.words.say(x.lang, "prop_to", x=fmt(step.subject), t=fmt(step.target), c=c)
        elif step.kind == "inverse":
            assert step.subject is not None and step.target is not None
            if step.subject <= 0:
                text = self.words.say(x.lang, "prop_inverse_zero", x=fmt(step.subject))
            else:
                text = self.words.say(x.lang, "prop_inverse", x=fmt(step.subject), t=fmt(step.target), c=c)
        elif step.kind == "either":
            assert step.subject is not None and step.target is not None
            key = "prop_either_below" if step.subject <= step.target else "prop_either_above"
            text = self.words.say(x.lang, key, x=fmt(step.subject), t=fmt(step.target), c=c)
        else:
            text = self.words.say(x.lang, "prop_expr", e=x.snippet(step.span).removeprefix("proportional").strip(), c=c)
        if step.capped != step.credit:
            text += self.words.say(x.lang, "capped", c=percent(step.capped))
        return text + self.words.say(
            x.lang, "prop_points", w=number(x.weight), c=percent(step.capped), p=number(step.points)
        )

    def goals(self, node: Proportional) -> Sequence[Goal]:
        return [Goal(regime, node.span, node.span) for regime in ("zero", "partial", "full")]

    def reached(self, step: ProportionalStep) -> Iterable[str | int]:
        return ("zero" if step.capped <= 0 else "full" if step.capped >= 1 else "partial",)


FORM = ProportionalForm()
