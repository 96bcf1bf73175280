"""``score(ID)``, ``deduction(ID)``, ``rule(ID)``: a rule that uses another indicator's rule.

Standards: "计分方法同上，加倍扣分" → ``full - 2 * deduction(rework)``; "计分方法同上" →
``rule(rework)``. The three are written as calls of a function on an indicator's id:

- ``score(ID)``: the score of indicator ID as its row prints it: its rule's points, clamped to
  ``[0, weight]`` and rounded to ``precision`` (never an override: a reference uses the rule);
- ``deduction(ID)``: the points ID's rule took off its weight, ``weight - raw``, before the clamp
  and the rounding, so that "加倍扣分" doubles what the standard counted, also past zero;
- ``rule(ID)``: ID's rule applied to this indicator: its weight (``full``) and its measure
  (``value``), as if its text were written here.

The loader resolves every reference (:func:`resolve`): an unknown id or a cycle (``a → b → a``,
also through ``rule``) is a load error, and rules are checked in an order where every referenced
indicator comes first, so that a reference knows what its target reads. A reference is compiled
from its target's tree, in its target's context (weight, measure) for ``score`` and ``deduction``
and in this indicator's for ``rule``: each pass (the closure and its column form, SQL, the
interval, the explanation) reuses the target's compiled expression rather than the indicator's
result, so that evaluation has no order between indicators and a result's order stays the table's.
A reference reads every measure its target reads: a missing value leaves the referring indicator
without one as well (its own ``if_missing`` applies), and a target that fails makes it fail, naming
the target.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from decimal import ROUND_CEILING, ROUND_FLOOR, ROUND_HALF_UP, Context, Decimal
from typing import TYPE_CHECKING, Any

import attrs

from .. import ast
from ..ast import Node, Span
from ..errors import KpiRulesError, RuleTypeError, close_matches
from ..exact import CONTEXT, ZERO, ColumnFn, Env, EvalFailure, Fn, Trace, quantizer, snap
from ..intervals import EVERYTHING, Dom, Interval, sub
from ..kinds import ERROR, SCORE, Kind, Type
from ..messages import Catalog
from ..textfmt import number
from .base import Form, Goal

if TYPE_CHECKING:
    from ..checker import _Checker as Checker
    from ..compiler import Compiler
    from ..explain import Explainer
    from ..intervals import Env as Domains
    from ..kinds import Checked
    from ..linter.analysis import RuleAnalysis
    from ..model import Indicator
    from ..sql.rules import RuleCompiler
    from ..sql.values import V

#: The functions that refer to an indicator, and what each gives.
FUNCTIONS = ("score", "deduction", "rule")


@attrs.define(eq=False)
class Target:
    """What a reference points at, filled in by the loader (:func:`resolve`): the indicator, what
    the checker decided about its rule (once it is checked), its measure's levels; ``reported``
    when the loader has already reported the reference (an unknown id, a cycle)."""

    indicator: Indicator | None = None
    checked: Checked | None = None
    levels: tuple[str, ...] | None = None
    reported: bool = False

    def __repr__(self) -> str:
        return f"Target({self.indicator.id if self.indicator is not None else None})"


@attrs.frozen(eq=False)
class Ref(Node):
    """``score(ID)``, ``deduction(ID)`` or ``rule(ID)``; ``id`` is None when the argument is not
    one bare id (the checker says so)."""

    func: str
    id: str | None
    id_span: Span
    target: Target = attrs.field(factory=Target)


@attrs.frozen
class RefStep:
    """What a reference used: the target's id, the points it gave (``points``; for ``score`` and
    ``deduction`` also the target rule's raw result) and, for ``rule``, the steps of the target's
    rule on this indicator, with that rule's text to explain them."""

    span: Span
    func: str
    id: str
    points: Decimal
    raw: Decimal | None
    weight: Decimal
    steps: tuple[Any, ...] = ()
    text: str = ""


def _build(span: Span, func: Any, *args: ast.Expr | None) -> Node:
    """A call: a reference when it is one of :data:`FUNCTIONS`, else the core ``ast.Call``."""
    name, given = str(func), tuple(a for a in args if a is not None)
    if name not in FUNCTIONS:
        return ast.Call(span, name, given)
    if len(given) == 1 and isinstance(given[0], ast.Name):
        return Ref(span, name, given[0].name, given[0].span)
    return Ref(span, name, None, span)


_WORDS = Catalog(
    "forms.refs",
    {
        "goal": ("用到 `{text}`", "`{text}` used"),
        "score": ("指标 `{id}` 的得分（按其规则）：{p} 分", "the score of indicator `{id}` (by its rule): {p} points"),
        "score_scored": (
            "指标 `{id}` 的得分：其规则得 {r} 分，计 {p} 分",
            "the score of indicator `{id}`: its rule gives {r}, scored {p} points",
        ),
        "deduction": (
            "指标 `{id}` 按其规则扣 {p} 分（分值 {w}，规则得 {r} 分）",
            "indicator `{id}`'s rule takes off {p} points (weight {w}, its rule gives {r})",
        ),
        "rule": ("按指标 `{id}` 的规则计分，得 {p} 分：", "by the rule of indicator `{id}`, {p} points:"),
        "args": (
            "{func}() 需要一个指标的 id，例如 {func}(rework)",
            "{func}() takes one indicator's id, e.g. {func}(rework)",
        ),
        "args_hint": (
            "score(ID) 为该指标的得分，deduction(ID) 为其规则扣去的分数，rule(ID) 把其规则用于本指标",
            "score(ID) is its score, deduction(ID) the points its rule takes off, rule(ID) its rule applied here",
        ),
        "unknown": ("未知的指标 `{id}`", "unknown indicator `{id}`"),
        "unknown_hint": ("是否应为 {ids}？", "did you mean {ids}?"),
        "no_indicators": ("已有的指标为 {ids}", "the indicators are {ids}"),
        "cycle": ("指标之间循环引用：{cycle}", "indicators refer to each other in a cycle: {cycle}"),
        "cycle_hint": (
            "一条规则不能（直接或间接）用到自身；请把其中一条规则写完整",
            "a rule cannot use itself, directly or through others; write one of them out in full",
        ),
        "rule_error": (
            "`rule({id})`：指标 `{id}` 的规则不能用于本指标：{problem}",
            "`rule({id})`: the rule of indicator `{id}` does not apply to this indicator: {problem}",
        ),
        "failed": ("指标 `{id}` 无法计分：{problem}", "indicator `{id}` cannot be scored: {problem}"),
        "failed_rule": ("按指标 `{id}` 的规则：{problem}", "by the rule of indicator `{id}`: {problem}"),
        "sep": ("、", ", "),
    },
)


class RefForm(Form[Ref]):
    name = "reference"
    node = Ref
    builders = {"call": _build}
    steps = (RefStep,)
    words = _WORDS

    def check(self, c: Checker, node: Ref, want: Kind | None, levels: tuple[str, ...] | None) -> Type:
        if (bad := c.no_scores_here(node)) is not None:
            return bad
        if node.id is None:
            return c.error(node, _WORDS("args", func=node.func), _WORDS("args_hint"))
        target, ind = node.target, node.target.indicator
        if ind is None:
            return ERROR if target.reported else c.error(node.id_span, _WORDS("unknown", id=node.id), code="KPI-R105")
        if target.checked is None or target.checked.errors:
            return ERROR  # its own errors are reported on it
        if node.func != "rule":
            c.out.measures.update(target.checked.measures)
            return SCORE
        # its rule on this indicator: this indicator's measure and weight, its types in this rule's table
        inner = type(c)(c.measures, c.subject, ind.rule_source, scores=True, broken=c.broken, weight=c.weight)
        inner.out = c.out
        before = len(c.out.errors)
        got = inner.infer(ind.rule, Kind.SCORE)
        found = c.out.errors[before:]
        del c.out.errors[before:]
        for err in found:
            c.error(node, _WORDS("rule_error", id=node.id, problem=err.message), err.hint)
        if found or got.kind is Kind.ERROR:
            return ERROR
        return SCORE

    def inexact(self, node: Ref, value: Callable[[Node | None], bool], subject: bool) -> bool:
        if node.func == "score":
            return False  # rounded to the ruleset's precision
        if node.func == "rule":
            ind = node.target.indicator
            return ind is not None and value(ind.rule)
        return True  # weight - raw: the target's raw may come from a quotient; snapping an exact value keeps it

    def compile(self, c: Compiler, node: Ref) -> Fn:
        ind, target, span, func, rid = node.target.indicator, node.target, node.span, node.func, node.id
        assert ind is not None and rid is not None and target.checked is not None
        mine = func == "rule"
        inner_c = type(c)(
            c.checked if mine else target.checked,
            ind.rule_source,
            weight=c.weight if mine else ind.weight,
            subject=c.subject if mine else ind.measure,
            subject_levels=c.subject_levels if mine else target.levels,
            ranks=c.ranks,
            rounding=c.rounding,
            inexact=c.inexact_measures,
            columns=c.columns,
            floored=c.floored if mine else ind.floored,
        )
        inner = inner_c.compile(ind.rule)
        found = c.column_of(inner)
        text = ind.rule_source.text

        said = "failed_rule" if mine else "failed"  # `rule(ID)` can fail here where ID itself scores

        def failed(failure: EvalFailure) -> EvalFailure:
            return EvalFailure(span, _WORDS(said, id=rid, problem=failure.message), failure.hint, key=failure.key)

        if mine:

            def rule_ref(env: Env, tr: Trace) -> Any:
                steps: list[Any] | None = [] if tr is not None else None
                try:
                    points = inner(env, steps)
                except EvalFailure as failure:
                    raise failed(failure) from None
                if tr is not None and steps is not None:
                    tr.append(RefStep(span, func, rid, points, None, c.weight, tuple(steps), text))
                return points

            return rule_ref if found is None else c.columnar(rule_ref, found[0])

        convert = (
            _to_score(c, ind.weight, inner_c.inexact(ind.rule), ind.floored)
            if func == "score"
            else _deducted(ind.weight)
        )
        weight = ind.weight

        def ref(env: Env, tr: Trace) -> Any:
            try:
                raw = inner(env, None)
            except EvalFailure as failure:
                raise failed(failure) from None
            points = convert(raw)
            if tr is not None:
                tr.append(RefStep(span, func, rid, points, raw, weight))
            return points

        if found is None:
            return ref
        column: ColumnFn = found[0]
        return c.columnar(ref, lambda cols, n: list(map(convert, column(cols, n))))

    def sql(self, s: RuleCompiler, node: Ref) -> V:
        ind, target = node.target.indicator, node.target
        assert ind is not None and target.checked is not None
        # a failure names the indicator, as evaluate says it
        said = _WORDS("failed_rule" if node.func == "rule" else "failed", id=node.id, problem="")
        if node.func == "rule":
            inner = type(s)(
                s.q, s.checked, ind.rule_source, subject=s.subject, subject_levels=s.subject_levels, floored=s.floored
            )
            inner.weight = s.weight
            v = inner.compile(ind.rule)
            return s.V(v.value, s.prefixed(said, v.err))
        inner = type(s)(
            s.q,
            target.checked,
            ind.rule_source,
            weight=ind.weight,
            subject=ind.measure,
            subject_levels=target.levels,
            floored=ind.floored,
        )
        v = inner.compile(ind.rule)
        raw = v.value
        assert isinstance(raw, s.Q)
        from fractions import Fraction  # the SQL path's exact arithmetic, imported there

        weight = Fraction(ind.weight)
        if node.func == "deduction":
            return s.V(s.a.add(s.qconst(weight), raw, -1), s.prefixed(said, v.err))
        # the score as its row prints it: clamped to [0, weight] (to the weight only, for floor =
        # "none"), rounded (the query's own steps)
        scale = 10**s.precision
        rounded = s.a.round_int(raw, s.precision, s.rounding)
        nonneg = raw.nonneg or ind.floored
        low = rounded if raw.nonneg or not ind.floored else s.i.case(s.a.cmp(raw, "<=", s.qconst(0)), 0, rounded)
        m = s.i.case(s.a.cmp(raw, ">=", s.qconst(weight)), int(weight * scale), low)
        return s.V(s.Q(m, scale, nonneg, weight), s.prefixed(said, v.err))

    def interval(self, a: RuleAnalysis, node: Ref, env: Domains) -> Dom:
        ind, target = node.target.indicator, node.target
        if ind is None or target.checked is None:
            return EVERYTHING
        here = node.func == "rule"  # the target's rule in this indicator's context, else in its own
        inner = type(a)(
            ind.rule,
            a.checked if here else target.checked,
            ind.rule_source,
            a.measures,
            env,
            weight=a.weight if here else ind.weight,
            subject=a.subject if here else ind.measure,
            precision=a.precision,
            floored=a.floored if here else ind.floored,
        )
        if here:  # its findings are the target's own, reported there
            return inner.bound
        raw = inner.bound
        if not isinstance(raw, Interval) or raw.empty:
            return raw
        weight = Interval.point(ind.weight)
        if node.func == "deduction":
            return sub(weight, raw)
        lo, hi = max(raw.lo, ZERO) if ind.floored else raw.lo, min(raw.hi, ind.weight)
        if lo > hi:  # all of it above the weight, or below 0
            point = ind.weight if raw.lo > ind.weight else ZERO
            return Interval.point(point)
        quantum = quantizer(a.precision)  # every rounding lies between the floor and the ceiling
        return Interval(lo.quantize(quantum, ROUND_FLOOR, CONTEXT), hi.quantize(quantum, ROUND_CEILING, CONTEXT))

    def explain(self, step: RefStep, x: Explainer) -> str:
        say = self.words.say
        if step.func == "score":  # the raw result too, where the clamp or the rounding changed it
            if step.raw is not None and step.raw != step.points:
                return say(x.lang, "score_scored", id=step.id, r=number(step.raw), p=number(step.points))
            return say(x.lang, "score", id=step.id, p=number(step.points))
        if step.func == "deduction":
            assert step.raw is not None
            shown = {"p": number(step.points), "w": number(step.weight), "r": number(step.raw)}
            return say(x.lang, "deduction", id=step.id, **shown)
        head = say(x.lang, "rule", id=step.id, p=number(step.points))
        return head + "".join("\n    " + line for line in x.nested(step.text, step.steps))

    def goals(self, node: Ref) -> Sequence[Goal]:
        return [Goal("used", node.span, node.span)]

    def reached(self, step: RefStep) -> Iterable[str | int]:
        return ("used",)


def _to_score(c: Compiler, weight: Decimal, inexact: bool, floored: bool) -> Callable[[Decimal], Decimal]:
    """A raw score clamped to ``[0, weight]`` (to ``weight`` only for ``floor = "none"``) and rounded
    as the ruleset rounds (half up to 2 decimals where the compiler has no ruleset, as for a witness)."""
    rounder, quantum = c.rounding if c.rounding is not None else (Context(rounding=ROUND_HALF_UP), quantizer(2))
    quantize = rounder.quantize
    full, zero = quantize(weight, quantum), quantize(ZERO, quantum)

    def to_score(raw: Decimal) -> Decimal:
        if raw >= weight:
            return full
        if raw <= ZERO and floored:
            return zero
        return quantize(snap(raw) if inexact else raw, quantum) or zero  # never -0

    return to_score


def _deducted(weight: Decimal) -> Callable[[Decimal], Decimal]:
    subtract = CONTEXT.subtract
    return lambda raw: subtract(weight, raw)


# ---- the loader's part: resolve every reference, refuse cycles, order the checks --------------
def references(rule: ast.Expr) -> list[Ref]:
    """The references a rule makes itself (not through the rules it refers to)."""
    return [node for node in ast.walk(rule) if isinstance(node, Ref)]


def resolve(
    indicators: Sequence[Indicator], levels: Mapping[str, tuple[str, ...] | None]
) -> tuple[list[Indicator], list[KpiRulesError]]:
    """Point every reference at its indicator. Gives the indicators in an order where each comes
    after those it refers to (the table's order otherwise), and the problems: an unknown id (with
    the ids near it) and each cycle, named by its chain at the reference that closes it.
    ``levels`` are the levels of each indicator's measure (None for none, or not a level)."""
    by_id = {ind.id: ind for ind in indicators}
    refs = {ind.id: [r for r in references(ind.rule) if r.id is not None] for ind in indicators}
    problems: list[KpiRulesError] = []
    for ind in indicators:
        for ref in refs[ind.id]:
            assert ref.id is not None
            if ref.id in by_id:
                continue
            ref.target.reported = True
            close = close_matches(ref.id, list(by_id), n=3, cutoff=0.5)
            hint = (
                _WORDS("unknown_hint", ids=_WORDS("sep").join(f"`{i}`" for i in close))
                if close
                else _WORDS("no_indicators", ids=_WORDS("sep").join(f"`{i}`" for i in list(by_id)[:12]))
            )
            location = ind.rule_source.location(ref.id_span.start, ref.id_span.end)
            problems.append(RuleTypeError(_WORDS("unknown", id=ref.id), location=location, hint=hint, code="KPI-R105"))
    order: list[Indicator] = []
    state: dict[str, int] = {}  # 1 visiting, 2 done

    def visit(ind: Indicator, trail: list[str]) -> None:
        state[ind.id] = 1
        trail.append(ind.id)
        for ref in refs[ind.id]:
            assert ref.id is not None
            target = by_id.get(ref.id)
            if target is None:
                continue
            if state.get(target.id) == 1:  # the reference that closes a cycle
                cycle = [*trail[trail.index(target.id) :], target.id]
                location = ind.rule_source.location(ref.span.start, ref.span.end)
                message = _WORDS("cycle", cycle=" → ".join(cycle))
                problems.append(RuleTypeError(message, location=location, hint=_WORDS("cycle_hint"), code="KPI-R104"))
                ref.target.reported = True
                continue
            if not state.get(target.id):
                visit(target, trail)
            ref.target.indicator = target
            ref.target.levels = levels.get(target.id)
        trail.pop()
        state[ind.id] = 2
        order.append(ind)

    for ind in indicators:
        if not state.get(ind.id):
            visit(ind, [])
    placed = {id(ind) for ind in order}
    order += [ind for ind in indicators if id(ind) not in placed]  # a duplicate id (reported) is checked too
    return order, problems


def pointing(indicators: Iterable[Indicator]) -> dict[str, list[Target]]:
    """The resolved references to each indicator, by its id (to give them its checked rule)."""
    out: dict[str, list[Target]] = {}
    for ind in indicators:
        for ref in references(ind.rule):
            if ref.target.indicator is not None:
                out.setdefault(ref.target.indicator.id, []).append(ref.target)
    return out


FORM = RefForm()
