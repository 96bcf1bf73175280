"""``pass if COND [else SCORE]``: full marks when a condition holds.

Standards: "按时公开的得满分，否则不得分" → ``pass if disclosed_on_time``; "达到市级考核标准的得满分，
否则得 2 分" → ``pass if passed else 2 pts``. Without ``else`` a failed condition scores zero.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from decimal import Decimal
from typing import TYPE_CHECKING, Any

import attrs

from ..ast import Expr, Node, Span
from ..exact import ZERO, Env, Fn, Trace
from ..intervals import Dom, Interval
from ..kinds import SCORE, Kind, Type
from ..messages import Catalog
from ..textfmt import number
from .base import Form, Goal

if TYPE_CHECKING:
    from ..checker import _Checker as Checker
    from ..compiler import Compiler
    from ..explain import Explainer
    from ..intervals import Env as Domains
    from ..linter.analysis import RuleAnalysis
    from ..sql.rules import RuleCompiler
    from ..sql.values import V


@attrs.frozen(eq=False)
class Pass(Node):
    """``pass if COND [else SCORE]``."""

    cond: Expr
    orelse: Expr | None


@attrs.frozen
class PassStep:
    """The condition held (full marks) or not (the else branch's points, or zero)."""

    span: Span
    held: bool
    points: Decimal


def _build(span: Span, cond: Expr, orelse: Expr | None) -> Pass:
    return Pass(span, cond, orelse)


class PassForm(Form[Pass]):
    name = "pass"
    node = Pass
    builders = {"pass_form": _build}
    steps = (PassStep,)
    words = Catalog(
        "forms.pass",
        {
            "goal.held": ("条件 `{text}` 成立", "`{text}` holds"),
            "goal.failed": ("条件 `{text}` 不成立", "`{text}` fails"),
            "pass_held": ("条件成立，得满分 {p} 分", "the condition holds: full marks, {p} points"),
            "pass_failed": ("条件不成立，得 {p} 分", "the condition fails: {p} points"),
        },
    )
    continue_after = frozenset({"PASS"})

    def check(self, c: Checker, node: Pass, want: Kind | None, levels: tuple[str, ...] | None) -> Type:
        if (bad := c.no_scores_here(node)) is not None:
            return bad
        c.expect(node.cond, Kind.BOOL)
        if node.orelse is not None:
            c.expect(node.orelse, Kind.SCORE)
        return SCORE

    def inexact(self, node: Pass, value: Callable[[Node | None], bool], subject: bool) -> bool:
        return value(node.orelse)

    def compile(self, c: Compiler, node: Pass) -> Fn:
        cond = c.compile(node.cond)
        orelse = c.compile(node.orelse) if node.orelse is not None else c.constant(ZERO)
        full, span = c.weight, node.span

        def pass_(env: Env, tr: Trace) -> Any:
            held = cond(env, tr)
            at = len(tr) if tr is not None else 0  # after the condition's records, before the else's
            points = full if held else orelse(env, tr)
            if tr is not None:
                tr.insert(at, PassStep(span, bool(held), points))
            return points

        name = c.measure_name(node.cond)
        if name is None or node.orelse is not None:
            found = c.column_of(cond, orelse)
            if found is None:
                return pass_
            cc, ec = found
            return c.columnar(
                pass_,
                lambda cols, n: [full if held else other for held, other in zip(cc(cols, n), ec(cols, n), strict=True)],
            )

        def pass_name(env: Env, tr: Trace) -> Any:  # `pass if flag`; traced runs take the general path
            if tr is not None:
                return pass_(env, tr)
            return full if env[name] else ZERO

        return c.columnar(pass_name, lambda cols, n: [full if v else ZERO for v in cols[name]])

    def sql(self, s: RuleCompiler, node: Pass) -> V:
        cond, ce = s.cond(node.cond)
        orelse = s.compile(node.orelse) if node.orelse is not None else s.V(s.qconst(0))
        assert isinstance(orelse.value, s.Q)
        value = s.a.select(cond, s.qconst(s.weight), orelse.value)
        return s.V(value, s.first_err(ce, s.branch_err(cond, None, orelse.err)))

    def interval(self, a: RuleAnalysis, node: Pass, env: Domains) -> Dom:
        cond = a.truth(node.cond, env)
        parts: list[tuple[Node, Dom]] = []
        if True in cond:
            parts.append((node, Interval.point(a.weight)))
        if False in cond:
            narrowed = a.refine(node.cond, env, False)
            if narrowed is not None:
                if node.orelse is None:
                    parts.append((node, Interval.point(ZERO)))
                else:
                    parts.append((node.orelse, a.ev(node.orelse, narrowed)))
        return a.join(node, parts)

    def explain(self, step: PassStep, x: Explainer) -> str:
        return self.words.say(x.lang, "pass_held" if step.held else "pass_failed", p=number(step.points))

    def goals(self, node: Pass) -> Sequence[Goal]:
        return [Goal("held", node.cond.span, node.cond.span), Goal("failed", node.cond.span, node.cond.span)]

    def reached(self, step: PassStep) -> Iterable[str | int]:
        return ("held" if step.held else "failed",)


FORM = PassForm()
