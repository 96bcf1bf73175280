"""Abstract interpretation of rules over exact intervals: what values and scores a rule can produce.

Every measure has a *domain*: an :class:`~kpirules.intervals.Interval` for numeric measures
(the declared ``range``, else the natural range of its type: rates, amounts and counts from 0,
counts on whole numbers only) and for dates (their ordinal days, whole numbers), the set of its
labels for a level measure, ``{true, false}`` for a
bool. Derived measures get the interval their formula can produce (within a declared range).
:class:`RuleAnalysis` walks a rule with these domains, narrowing them along the way
(``if received == 0 then … else …`` knows ``received > 0`` in the ``else``; a band knows the
values the bands above it did not take), and computes the interval of every number and score.
Along the way it records what the linter reports: tiers with gaps or unreachable bands, grade
rules that miss a level, judged intervals with gaps or overlaps, divisions by something that can
be 0, deduction limits outside the range. :func:`score_bounds` gives the interval of a rule's raw
score, which contains every score the evaluator can compute (a property the tests check).

Nothing here evaluates user text: the tree comes from the one parser, and witnesses are checked by
running the compiled closures of :mod:`kpirules.compiler`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from decimal import Decimal

import attrs

from .. import ast
from ..compiler import Compiler
from ..dates import LAST_DAY
from ..forms import FORMS
from ..intervals import (
    BOTH,
    COUNT_GRID,
    EVERYTHING,
    FALSE,
    FLIP,
    INF,
    RANK_TEST,
    TRUE,
    ZERO,
    Bools,
    Dom,
    Env,
    Interval,
    Labels,
    Union,
    add,
    compare_set,
    div,
    exact,
    frac,
    hull_all,
    iabs,
    imax,
    imin,
    label_set,
    monotone,
    mul,
    neg,
    round_half_up,
    snap,
    sub,
    to_decimal,
)
from ..kinds import Checked, Kind
from ..model import Measure
from ..ruleset import Ruleset
from ..source import RuleSource


@attrs.define
class Finding:
    """A finding inside one rule or formula, before it gets a file location."""

    code: str
    span: ast.Span
    message: str
    help: str | None = None
    witness: dict[str, str] | None = None
    related: list[tuple[str, ast.Span]] = attrs.Factory(list)


@attrs.define
class Pending:
    """A possible division by zero, to be confirmed by a witness."""

    divisor: ast.Expr
    env: Env
    what: str  # "division" | "target" | "step"


# ---- domains --------------------------------------------------------------------------------
def natural_domain(measure: Measure) -> Dom:
    if measure.type == "bool":
        return BOTH
    if measure.type in ("level", "judged"):
        return frozenset(measure.levels or ())
    if measure.range is not None:
        dom = Interval(frac(measure.range[0]), frac(measure.range[1]))
    elif measure.type == "date":  # ordinal days, 0001-01-01 to 9999-12-31
        dom = Interval(Decimal(1), Decimal(LAST_DAY))
    elif measure.type == "number":
        dom = EVERYTHING
    else:  # rate, amount, count: from 0
        dom = Interval(ZERO, INF, True, False)
    if measure.type == "count":
        dom = snap(dom.intersect(Interval(ZERO, INF, True, False)), COUNT_GRID)
    elif measure.type == "date":
        dom = snap(dom, COUNT_GRID)
    return dom


# ---- the analysis of one rule ---------------------------------------------------------------
class RuleAnalysis:
    """Walks one rule (or formula) and records findings; ``bound`` is the interval of its value."""

    def __init__(
        self,
        node: ast.Expr,
        checked: Checked,
        source: RuleSource,
        measures: Mapping[str, Measure],
        base: Mapping[str, Dom],
        *,
        weight: Decimal | None = None,
        subject: str | None = None,
        precision: int = 2,
        floored: bool = True,
    ) -> None:
        self.root = node
        #: False for an indicator with ``floor = "none"``: a deduction goes past 0
        self.floored = floored
        self.checked = checked
        self.source = source
        self.measures = measures
        self.base = base
        self.weight = frac(weight) if weight is not None else ZERO
        self.subject = subject
        self.precision = precision
        self.findings: list[Finding] = []
        self.pending: list[Pending] = []
        #: forms that may fail on values the analysis could not decide (a tiers whose bounds read a
        #: measure, a gap not confirmed at its first point): the checker searches for values
        self.uncertain: list[ast.Node] = []
        self.children: dict[ast.Node, list[tuple[ast.Node, Interval]]] = {}
        self._seen: set[tuple[str, int, int]] = set()
        env: Env = dict(base)
        with exact():
            self.bound: Dom = self.ev(node, env)

    # -- plumbing -----------------------------------------------------------------------------
    def add(self, finding: Finding) -> None:
        key = (finding.code, finding.span.start, finding.span.end)
        if key not in self._seen:
            self._seen.add(key)
            self.findings.append(finding)

    def report(
        self,
        code: str,
        span: ast.Span,
        message: str,
        help: str | None = None,
        witness: dict[str, str] | None = None,
        related: list[tuple[str, ast.Span]] | None = None,
    ) -> None:
        """What the linter should report about the rule (a form's gap, an unreachable band …)."""
        self.add(Finding(code, span, message, help, witness, related or []))

    def compiler(self) -> Compiler:
        """A compiler of this rule's parts, to run a band test or an expression on a witness."""
        return Compiler(self.checked, self.source, weight=to_decimal(self.weight))

    def text(self, node: ast.Node | ast.Span) -> str:
        span = node if isinstance(node, ast.Span) else node.span
        text = " ".join(self.source.text[span.start : span.end].split())
        return text if len(text) <= 60 else text[:57] + "…"

    def kind(self, node: ast.Node) -> Kind:
        found = self.checked.types.get(node)
        return found.kind if found is not None else Kind.ERROR

    def measure_of(self, node: ast.Node) -> str | None:
        """The measure ``node`` reads when it is just a measure (or ``value``)."""
        if isinstance(node, ast.ValueRef):
            return self.subject
        if isinstance(node, ast.Name) and node not in self.checked.labels and node.name in self.measures:
            return node.name
        return None

    def grid(self, name: str | None) -> Decimal | None:
        if name is not None and name in self.measures and self.measures[name].type in ("count", "date"):
            return COUNT_GRID
        return None

    def constant(self, node: ast.Node) -> Decimal | None:
        """The value of a sub-tree that reads no measure, or None."""
        for sub_node in ast.walk(node):
            if isinstance(sub_node, ast.ValueRef) or (
                isinstance(sub_node, ast.Name) and sub_node not in self.checked.labels
            ):
                return None
            if type(sub_node) in FORMS:
                return None
        value = self.ev(node, {})
        if isinstance(value, Interval) and value.is_point and value.lo.is_finite():
            return value.lo
        return None

    def label_of(self, node: ast.Node) -> str | None:
        return self.checked.labels.get(node)

    def levels_of(self, node: ast.Node | None) -> tuple[str, ...] | None:
        if node is None:
            if self.subject is None:
                return None
            return self.measures[self.subject].levels
        found = self.checked.types.get(node)
        return found.levels if found is not None else None

    def num(self, node: ast.Node, env: Env) -> Interval:
        value = self.ev(node, env)
        return value if isinstance(value, Interval) else EVERYTHING

    def truth(self, node: ast.Node, env: Env) -> Bools:
        value = self.ev(node, env)
        if isinstance(value, frozenset) and value <= BOTH:
            return value  # type: ignore[return-value]
        return BOTH

    # -- refinement ---------------------------------------------------------------------------
    def refine(self, cond: ast.Node, env: Env, want: bool) -> Env | None:
        """``env`` narrowed by ``cond`` being ``want``; None when that cannot happen."""
        if want not in self.truth(cond, env):
            return None
        if isinstance(cond, ast.Not):
            return self.refine(cond.operand, env, not want)
        if isinstance(cond, ast.Logic):
            both = (cond.op == "and") == want
            if both:  # and-true, or-false: both sides take the value
                first = self.refine(cond.left, env, want)
                return None if first is None else self.refine(cond.right, first, want)
            # or-true, and-false: the left side decides, or it does not and the right side does
            decided = self.refine(cond.left, env, want)
            undecided = self.refine(cond.left, env, not want)
            second = self.refine(cond.right, undecided, want) if undecided is not None else None
            return _join_env(decided, second)
        name = self.measure_of(cond)
        if name is not None and self.kind(cond) is Kind.BOOL:
            dom = env.get(name, BOTH)
            narrowed: Bools = frozenset(
                b for b in (True, False) if b is want and isinstance(dom, frozenset) and b in dom
            )
            if not narrowed:
                return None
            return {**env, name: narrowed}
        if isinstance(cond, ast.Compare):
            return self.refine_compare(cond, env, want)
        return env

    def refine_compare(self, cond: ast.Compare, env: Env, want: bool) -> Env | None:
        op: str = cond.op
        name = self.measure_of(cond.left)
        other: ast.Node = cond.right
        if name is None:
            name = self.measure_of(cond.right)
            other = cond.left
            op = FLIP[op]
        if name is None or name not in env:
            return env
        if not want:
            op = {">=": "<", "<": ">=", ">": "<=", "<=": ">", "==": "!=", "!=": "=="}[op]
        dom = env[name]
        if isinstance(dom, Interval):
            c = self.constant(other)
            if c is None:
                return env
            narrowed = Union.of([dom]).intersect(compare_set(op, c)).hull()
            narrowed = snap(narrowed, self.grid(name))
            if narrowed.empty:
                return None
            return {**env, name: narrowed}
        if isinstance(dom, frozenset) and all(isinstance(x, str) for x in dom):
            label = self.label_of(other)
            levels = self.measures[name].levels if name in self.measures else None
            if label is None or levels is None:
                return env
            allowed = label_set(op, label, levels)
            labels: Labels = frozenset(x for x in dom if isinstance(x, str) and x in allowed)
            if not labels:
                return None
            return {**env, name: labels}
        return env

    # -- evaluation ---------------------------------------------------------------------------
    def ev(self, node: ast.Node, env: Env) -> Dom:
        form = FORMS.get(type(node))
        if form is not None:
            return form.interval(self, node, env)
        method: Callable[[ast.Node, Env], Dom] = getattr(self, "e_" + type(node).__name__)
        return method(node, env)

    def e_Number(self, node: ast.Number, env: Env) -> Dom:
        value = frac(node.value)
        if self.kind(node) is Kind.SCORE:
            value *= self.weight
        return Interval.point(value)

    def e_Date(self, node: ast.Date, env: Env) -> Dom:
        return Interval.point(Decimal(node.value.toordinal()))  # a date is its ordinal day here

    def e_Points(self, node: ast.Points, env: Env) -> Dom:
        return Interval.point(frac(node.value))

    def e_Text(self, node: ast.Text, env: Env) -> Dom:
        return frozenset({node.text})

    def e_Bool(self, node: ast.Bool, env: Env) -> Dom:
        return TRUE if node.value else FALSE

    def e_Full(self, node: ast.Full, env: Env) -> Dom:
        return Interval.point(self.weight)

    def e_Zero(self, node: ast.Zero, env: Env) -> Dom:
        return Interval.point(ZERO)

    def e_ValueRef(self, node: ast.ValueRef, env: Env) -> Dom:
        return self.subject_value(env)

    def subject_value(self, env: Env) -> Dom:
        if self.subject is None:
            return EVERYTHING
        return env.get(self.subject, self.base.get(self.subject, EVERYTHING))

    def e_Name(self, node: ast.Name, env: Env) -> Dom:
        if node in self.checked.labels:
            return frozenset({node.name})
        return env.get(node.name, self.base.get(node.name, EVERYTHING))

    def e_Call(self, node: ast.Call, env: Env) -> Dom:
        args = [self.num(a, env) for a in node.args]
        if node.func == "min":
            out = args[0]
            for a in args[1:]:
                out = imin(out, a)
            return out
        if node.func == "max":
            out = args[0]
            for a in args[1:]:
                out = imax(out, a)
            return out
        if node.func == "abs":
            return iabs(args[0])
        n = node.digits
        return monotone(args[0], lambda x: round_half_up(x, n))

    def e_Neg(self, node: ast.Neg, env: Env) -> Dom:
        return neg(self.num(node.operand, env))

    def e_Not(self, node: ast.Not, env: Env) -> Dom:
        inner = self.truth(node.operand, env)
        return frozenset(not b for b in inner)

    def e_BinOp(self, node: ast.BinOp, env: Env) -> Dom:
        left = self.num(node.left, env)
        right = self.num(node.right, env)
        if node.op == "+":
            return add(left, right)
        if node.op == "-":
            return sub(left, right)
        if node.op == "*":
            return mul(left, right)
        self.check_divisor(node.right, right, env, "division")
        return div(left, right)

    def e_Logic(self, node: ast.Logic, env: Env) -> Dom:
        left = self.truth(node.left, env)
        # the right side runs only when the left one does not decide
        decides = node.op == "or"
        rest = self.refine(node.left, env, not decides) if (not decides) in left else None
        right = self.truth(node.right, rest) if rest is not None else frozenset()
        out: set[bool] = set()
        if decides in left:
            out.add(decides)
        out |= right
        return frozenset(out) or BOTH

    def e_Compare(self, node: ast.Compare, env: Env) -> Dom:
        left = self.ev(node.left, env)
        right = self.ev(node.right, env)
        op = node.op
        if isinstance(left, Interval) and isinstance(right, Interval):
            name = self.measure_of(node.left)
            if right.is_point and right.lo.is_finite():
                return self._truth_against(left, op, right.lo, self.grid(name))
            if left.is_point and left.lo.is_finite():
                return self._truth_against(right, FLIP[op], left.lo, self.grid(self.measure_of(node.right)))
            return _loose_truth(left, op, right)
        if isinstance(left, frozenset) and isinstance(right, frozenset):
            levels = self.levels_of(node.left) or self.levels_of(node.right)
            out: set[bool] = set()
            for a in left:
                for b in right:
                    if isinstance(a, bool) or isinstance(b, bool) or levels is None:
                        out.add((a == b) if op == "==" else (a != b) if op == "!=" else True)
                        if op not in ("==", "!="):
                            out.add(False)
                        continue
                    rank = {lv: i for i, lv in enumerate(levels)}
                    if a in rank and b in rank:
                        out.add(bool(RANK_TEST[op](rank[a], rank[b])))
            return frozenset(out) or BOTH
        return BOTH

    def _truth_against(self, dom: Interval, op: str, c: Decimal, grid: Decimal | None) -> Bools:
        holds = Union.of([dom]).intersect(compare_set(op, c)).on_grid(grid)
        fails = Union.of([dom]).minus(compare_set(op, c)).on_grid(grid)
        out: set[bool] = set()
        if not holds.empty:
            out.add(True)
        if not fails.empty:
            out.add(False)
        return frozenset(out) or BOTH

    def e_IfElse(self, node: ast.IfElse, env: Env) -> Dom:
        cond = self.truth(node.cond, env)
        parts: list[tuple[ast.Node, Dom]] = []
        for branch, want in ((node.then, True), (node.orelse, False)):
            if want in cond:
                narrowed = self.refine(node.cond, env, want)
                if narrowed is not None:
                    parts.append((branch, self.ev(branch, narrowed)))
        return self.join(node, parts)

    def join(self, node: ast.Node, parts: list[tuple[ast.Node, Dom]]) -> Dom:
        numbers = [(n, v) for n, v in parts if isinstance(v, Interval)]
        if numbers:
            self.children[node] = [(n, v) for n, v in numbers if isinstance(v, Interval)]
            return hull_all(v for _, v in numbers)
        out: set[object] = set()
        for _, value in parts:
            out |= set(value)  # type: ignore[arg-type]
        return frozenset(out)  # type: ignore[return-value]

    # -- scoring forms ------------------------------------------------------------------------
    def subject_dom(self, env: Env) -> Interval:
        if self.subject is None:
            return EVERYTHING
        dom = env.get(self.subject, self.base.get(self.subject, EVERYTHING))
        return dom if isinstance(dom, Interval) else EVERYTHING

    # -- divisions ----------------------------------------------------------------------------
    def check_divisor(self, node: ast.Expr, value: Interval, env: Env, what: str) -> None:
        name = self.measure_of(node)
        if not Union.of([value]).on_grid(self.grid(name)).contains(ZERO):
            return
        self.pending.append(Pending(node, dict(env), what))


def _join_env(a: Env | None, b: Env | None) -> Env | None:
    """The values either of two narrowed environments allows."""
    if a is None or b is None:
        return a if b is None else b
    out: Env = {}
    for name in a.keys() | b.keys():
        x, y = a.get(name), b.get(name)
        if x is None or y is None:
            continue  # not narrowed on one side: the caller's value applies
        if isinstance(x, Interval) and isinstance(y, Interval):
            out[name] = x.hull(y)
        elif isinstance(x, frozenset) and isinstance(y, frozenset):
            merged: set[object] = set(x) | set(y)
            out[name] = frozenset(merged)  # type: ignore[assignment]
    return out


def _loose_truth(a: Interval, op: str, b: Interval) -> Bools:
    """Whether ``a op b`` can hold and can fail, for two intervals (closed-end approximation)."""
    if a.empty or b.empty:
        return BOTH
    out: set[bool] = set()
    if op in (">=", ">"):
        if a.hi >= b.lo:
            out.add(True)
        if a.lo <= b.hi:
            out.add(False)
    elif op in ("<=", "<"):
        if a.lo <= b.hi:
            out.add(True)
        if a.hi >= b.lo:
            out.add(False)
    else:
        overlap = not a.closed().intersect(b.closed()).empty
        single = a.is_point and b.is_point and a.lo == b.lo
        if op == "==":
            if overlap:
                out.add(True)
            if not single:
                out.add(False)
        else:
            if not single:
                out.add(True)
            if overlap:
                out.add(False)
    return frozenset(out) or BOTH


def derived_domains(
    measures: Mapping[str, Measure],
    formulas: Mapping[str, Checked],
    order: tuple[str, ...],
) -> dict[str, Dom]:
    """The domain of every measure: natural or declared for inputs, computed for derived ones."""
    base: dict[str, Dom] = {}
    for name, measure in measures.items():
        if not measure.derived:
            base[name] = natural_domain(measure)
    for name in order:
        measure = measures[name]
        if measure.formula is None or measure.formula_source is None or name not in formulas:
            continue
        analysis = RuleAnalysis(measure.formula, formulas[name], measure.formula_source, measures, base)
        value = analysis.bound
        if measure.type in ("bool", "level", "judged"):
            base[name] = value if isinstance(value, frozenset) and value else natural_domain(measure)
            continue
        dom = value if isinstance(value, Interval) and not value.empty else EVERYTHING
        if measure.range is not None:
            dom = dom.intersect(Interval(frac(measure.range[0]), frac(measure.range[1])))
        if measure.type in ("count", "date"):
            dom = snap(dom, COUNT_GRID)
        base[name] = dom if not dom.empty else natural_domain(measure)
    return base


def score_bounds(
    rule: ast.Expr,
    checked: Checked,
    source: RuleSource,
    measures: Mapping[str, Measure],
    base: Mapping[str, Dom],
    *,
    weight: Decimal,
    subject: str | None,
    precision: int = 2,
    floored: bool = True,
) -> Interval:
    """The interval of the raw score (before clamping) of a rule over the measures' domains."""
    analysis = RuleAnalysis(
        rule, checked, source, measures, base, weight=weight, subject=subject, precision=precision, floored=floored
    )
    bound = analysis.bound
    return bound if isinstance(bound, Interval) else EVERYTHING


def indicator_bounds(ruleset: Ruleset, indicator_id: str) -> Interval:
    """The interval of an indicator's raw score over the measures' domains (for tests and tools)."""
    with exact():
        base = derived_domains(ruleset.measures, ruleset.formulas, formula_order(ruleset))
    ind = ruleset.indicator(indicator_id)
    return score_bounds(
        ind.rule,
        ruleset.checked[ind.id],
        ind.rule_source,
        ruleset.measures,
        base,
        weight=ind.weight,
        subject=ind.measure,
        precision=ruleset.header.precision,
        floored=ind.floored,
    )


def formula_order(ruleset: Ruleset) -> tuple[str, ...]:
    """The derived measures of a loaded ruleset, each after the derived measures it reads."""
    names = tuple(name for name in ruleset.measures if name in ruleset.formulas)
    done: list[str] = []

    def visit(name: str, trail: tuple[str, ...]) -> None:
        if name in done or name in trail:
            return
        for dep in sorted(ruleset.formulas[name].measures & set(ruleset.formulas)):
            visit(dep, (*trail, name))
        done.append(name)

    for name in names:
        visit(name, ())
    return tuple(done)
