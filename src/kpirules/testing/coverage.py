"""Coverage: which bands, branches, regimes, items and clamps of each rule the cases reached, and for
each one they did not, a witness: values that reach it, found by searching the values the linter
would try and verified by scoring them, printed as a ``[[tests]]`` case.

The targets of a rule: each scoring form's goals, which the form declares itself
(:meth:`kpirules.forms.base.Form.goals`, and :meth:`~kpirules.forms.base.Form.reached` for what a
traced step shows reached), so that a new form is covered as soon as it exists:

========================  =======================================================
``pass if … [else …]``    the condition holds; it fails
``tiers``                 each band
``grade``                 each level's band
``deduct``                nothing deducted; deducting; deducted to zero
``checklist``             each item holding
``deduct unless``         each item not met
``proportional``          no credit; part credit; full credit
``if … then … else …``    the then branch; the else branch (over scores)
the indicator             the rule's points above the weight (capped) or below 0
                          (floored), where the linter's bounds say they can be
========================  =======================================================

What a case reached is read from the traces evaluation records (:mod:`kpirules.trace`), not
re-computed. A target no values can reach is listed as unreachable and not counted, when the
linter's interval analysis proves it: a band that can never match (KPI-G202), or a regime of
``proportional`` or ``deduct`` that the values its subject can take there rule out (full credit of
``proportional to 95%`` in the ``else`` of ``if value >= 95% then full else …``; no credit of
``proportional inverse``, which is never 0). A target the search does not reach and no proof rules
out counts, and is said to have no witness.
"""

from __future__ import annotations

import decimal
import itertools
import random
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal
from typing import Any

import attrs

from .. import ast
from ..ast import Span
from ..exact import EvalFailure
from ..forms import FORMS, STEPS
from ..forms.deduct import Deduct
from ..forms.proportional import Proportional
from ..intervals import Interval
from ..kinds import Kind
from ..linter.analysis import RuleAnalysis, derived_domains, formula_order, indicator_bounds
from ..linter.probe import Probe, candidates, constants
from ..messages import language
from ..model import Indicator, Measure
from ..plan.space import judged_choices
from ..result import Result
from ..ruleset import Ruleset
from ..trace import BranchStep
from ..values import ValueProblem, converter, judged_text
from .cases import Suite
from .run import CaseOutcome
from .toml import case_text
from .toml import shown_value as _shown
from .words import M

#: Each scoring form by its name, for the words of its goals.
_BY_NAME = {form.name: form for form in FORMS.values()}

#: The most combinations of candidate values tried per indicator when searching for witnesses.
SEARCH_LIMIT = 4096
_HALF_ONE = (Decimal(1), Decimal("0.5"))


@attrs.frozen
class Target:
    """One thing a rule can do: ``form`` and ``detail`` say what (``("tiers", 1)`` is the second
    band), ``span`` where it is in the rule, ``text`` the rule's words there."""

    indicator: str
    form: str
    detail: str | int
    span: Span | None = attrs.field(eq=False)
    start: int  # where in the rule (distinguishes two forms of one rule)
    text: str = attrs.field(eq=False)

    @property
    def key(self) -> tuple[str, str, int, str | int]:
        return (self.indicator, self.form, self.start, self.detail)

    def describe(self, lang: str | None = None) -> str:
        """``tiers: band 2 `>= 90%``` in the current language (or ``lang``)."""
        form, detail = self.form, self.detail
        owner = _BY_NAME.get(form)
        if owner is not None:
            return owner.describe(detail, self.text, lang or language())
        if form == "if":
            return M.say(lang, f"t_if_{detail}", text=self.text) if lang else M(f"t_if_{detail}", text=self.text)
        return M.say(lang, f"t_{form}_{detail}") if lang else M(f"t_{form}_{detail}")


@attrs.frozen
class Witness:
    """Values that reach a target (the case's own: the other measures come from ``[values]``),
    and what scoring them gave: the indicator's score, verified by evaluation."""

    values: Mapping[str, Any]
    score: Decimal


@attrs.define
class TargetStatus:
    target: Target
    reached_by: list[str] = attrs.Factory(list)  # the names of the cases that reached it
    witness: Witness | None = None
    unreachable: bool = False

    @property
    def reached(self) -> bool:
        return bool(self.reached_by)


@attrs.define
class IndicatorCoverage:
    indicator: Indicator
    targets: list[TargetStatus]

    @property
    def counted(self) -> list[TargetStatus]:
        return [t for t in self.targets if not t.unreachable]

    @property
    def reached(self) -> int:
        return sum(1 for t in self.counted if t.reached)

    @property
    def total(self) -> int:
        return len(self.counted)

    @property
    def percent(self) -> Decimal:
        return percent_of(self.reached, self.total)


@attrs.define
class Coverage:
    """What the cases of one ruleset reached, per indicator."""

    path: str
    ruleset: Ruleset
    indicators: list[IndicatorCoverage]

    @property
    def reached(self) -> int:
        return sum(i.reached for i in self.indicators)

    @property
    def total(self) -> int:
        return sum(i.total for i in self.indicators)

    @property
    def percent(self) -> Decimal:
        return percent_of(self.reached, self.total)

    @property
    def missing(self) -> list[TargetStatus]:
        return [t for i in self.indicators for t in i.counted if not t.reached]

    def to_dict(self) -> dict[str, Any]:
        return {
            "ruleset": self.path,
            "reached": self.reached,
            "targets": self.total,
            "percent": self.percent,
            "indicators": [
                {
                    "id": ic.indicator.id,
                    "reached": ic.reached,
                    "targets": ic.total,
                    "percent": ic.percent,
                    "items": [
                        {
                            "form": t.target.form,
                            "detail": t.target.detail,
                            "text": t.target.text,
                            "description": t.target.describe(),
                            "reached_by": t.reached_by,
                            "unreachable": t.unreachable,
                            **({"witness": witness_dict(t)} if t.witness is not None else {}),
                        }
                        for t in ic.targets
                    ],
                }
                for ic in self.indicators
            ],
        }


def witness_dict(status: TargetStatus) -> dict[str, Any]:
    assert status.witness is not None
    return {
        "values": dict(status.witness.values),
        "score": status.witness.score,
        "case": witness_case(status),
    }


def witness_case(status: TargetStatus) -> str:
    """The ``[[tests]]`` case that reaches the target, ready to paste."""
    assert status.witness is not None
    target = status.target
    name = f"{target.indicator}: {target.describe()}"
    return case_text(name, status.witness.values, scores={target.indicator: status.witness.score})


def percent_of(reached: int, total: int) -> Decimal:
    if total == 0:
        return Decimal(100)
    return (Decimal(100) * reached / total).quantize(Decimal("0.1"), rounding=decimal.ROUND_FLOOR)


# ---- the targets of a rule ---------------------------------------------------------------------
def targets_of(ruleset: Ruleset, ind: Indicator) -> list[Target]:
    """Everything the indicator's rule can do that a case may reach (clamps where the linter's
    bounds allow them)."""
    source = ind.rule_source.text
    checked = ruleset.checked[ind.id]

    def text(span: Span) -> str:
        words = " ".join(source[span.start : span.end].split())
        return words if len(words) <= 50 else words[:47] + "…"

    out: list[Target] = []
    for node in ast.walk(ind.rule):
        out += _node_targets(ind, node, checked, text)
    try:
        bounds = indicator_bounds(ruleset, ind.id)
    except Exception:
        bounds = None
    if bounds is not None:
        end = len(source)
        if bounds.hi > ind.weight:
            out.append(Target(ind.id, "clamp", "high", None, end, ""))
        if bounds.lo < 0 and ind.floored:  # floor = "none": points below 0 stand, no clamp to reach
            out.append(Target(ind.id, "clamp", "low", None, end, ""))
    return out


def _node_targets(ind: Indicator, node: ast.Node, checked: Any, text: Any) -> list[Target]:
    """The targets of one node of a rule: a scoring form's goals (each form says its own,
    :meth:`kpirules.forms.base.Form.goals`), and the branches of an ``if`` over scores."""
    i = ind.id
    form = FORMS.get(type(node))
    if form is not None:
        return [
            Target(i, form.name, g.detail, g.span, node.span.start, text(g.shown) if g.shown is not None else "")
            for g in form.goals(node)
        ]
    if isinstance(node, ast.IfElse) and node in checked.types and checked.kind(node) is Kind.SCORE:
        return [Target(i, "if", d, node.cond.span, node.span.start, text(node.cond.span)) for d in ("then", "else")]
    return []


def reached_by_trace(ind: Indicator, steps: Iterable[Any], raw: Decimal | None) -> set[tuple[str, str, int, str | int]]:
    """The keys of the targets one traced evaluation reached: what each form's step says it
    reached (:meth:`kpirules.forms.base.Form.reached`), the branch an ``if`` took, the clamps."""
    out: set[tuple[str, str, int, str | int]] = set()
    i = ind.id
    for step in steps:
        form = STEPS.get(type(step))
        if form is not None:
            out.update((i, form.name, step.span.start, detail) for detail in form.reached(step))
        elif isinstance(step, BranchStep):
            out.add((i, "if", step.span.start, "then" if step.held else "else"))
    if raw is not None:
        end = len(ind.rule_source.text)
        if raw > ind.weight:
            out.add((i, "clamp", end, "high"))
        elif raw < 0 and ind.floored:
            out.add((i, "clamp", end, "low"))
    return out


def reached_by_result(result: Result) -> set[tuple[str, str, int, str | int]]:
    out: set[tuple[str, str, int, str | int]] = set()
    for item in result:
        if item.missing:
            continue
        out |= reached_by_trace(item.indicator, item.trace, item.raw)
    return out


# ---- coverage ------------------------------------------------------------------------------------
def coverage(suite: Suite, outcomes: Sequence[CaseOutcome], *, witnesses: bool = True) -> Coverage:
    """What the outcomes' results reached, per indicator; for each target they missed, a verified
    witness or the proof that none exists. ``witnesses=False`` skips the search (and so the proofs:
    every target then counts)."""
    rs = suite.ruleset
    reached: dict[tuple[str, str, int, str | int], list[str]] = {}
    for outcome in outcomes:
        if outcome.result is None:
            continue
        for key in reached_by_result(outcome.result):
            reached.setdefault(key, []).append(outcome.case.name)
    search = _Search(suite) if witnesses else None
    indicators = []
    for ind in rs.indicators:
        statuses = [TargetStatus(t, reached.get(t.key, [])) for t in targets_of(rs, ind)]
        missing = [s for s in statuses if not s.reached]
        if missing and search is not None:
            search.explore(ind, missing)
        indicators.append(IndicatorCoverage(ind, statuses))
    return Coverage(str(suite.path), rs, indicators)


class _Search:
    """Finds values that reach given targets: the linter's candidate values of each input measure
    (its domain's ends, the rule's constants, points between), in combination, run through the
    compiled rule traced; each witness then verified by scoring it."""

    def __init__(self, suite: Suite) -> None:
        self.suite = suite
        rs = self.rs = suite.ruleset
        order = formula_order(rs)
        self.probe = Probe(rs, order)
        self.domains = derived_domains(rs.measures, rs.formulas, order)
        # a plain value for every input measure [values] does not give, the witness carries it:
        # the first choice of values with which the whole ruleset scores (100 rather than 0, which
        # a formula may divide by, and which a bound scales to a whole number: 95% of 100 is 95)
        self.defaults: dict[str, Any] = {}
        options: dict[str, list[Any]] = {}
        for name, measure in rs.measures.items():
            if not measure.derived and name not in suite.raw_values:
                found = [raw for raw, _ in self._candidates(name, measure, [])]
                hundred = "100%" if measure.type == "rate" else 100
                if measure.type not in ("bool", "level", "judged") and _accepts(measure, hundred):
                    found.insert(0, hundred)
                if measure.type == "judged":  # the best level with the most points its band allows
                    found[:0] = [judged_text(v) for v in judged_choices(rs, measure)[:1]]
                if found:
                    options[name] = found
        for pick in (_first, _one_or_first, _middle, _last):
            chosen = {name: pick(measure_options) for name, measure_options in options.items()}
            try:
                self.rs.evaluate({**suite.raw_values, **chosen})
            except Exception:  # these values do not score: try the next choice
                continue
            self.defaults = chosen
            break
        else:
            self.defaults = {name: found[0] for name, found in options.items()}

    def _candidates(self, name: str, measure: Measure, breakpoints: list[Decimal]) -> list[tuple[Any, Any]]:
        """(raw value as a case writes it, converted value) pairs for one input measure: its own
        value first."""
        points = list(breakpoints)
        own = self.suite.raw_values.get(name, self.defaults.get(name))
        convert = converter(measure)
        own_converted = None
        if own is not None:
            try:
                own_converted = convert(own)
            except ValueProblem:
                own_converted = None
        if isinstance(own_converted, Decimal) and own_converted:
            points += [own_converted * c for c in breakpoints if c]
        # a step either side of a limit (`deduct … per 1% above 2%` deducts between 2% and 4%)
        points += [a + sign * b * k for a in breakpoints for b in breakpoints for sign in (1, -1) for k in _HALF_ONE]
        if measure.type == "count":  # a ratio of counts reaches a rate only with enough units
            points += [Decimal(10**k) for k in (1, 2, 3)]
            points += [(p * 10**k).to_integral_value() for p in list(points) for k in (2, 3) if 0 < p < 1]
        raw_values = ([own] if own is not None else []) + candidates(measure, self.domains.get(name), points)
        out: list[tuple[Any, Any]] = []
        seen: set[Any] = set()
        for raw in raw_values:
            shown = _shown(measure, raw)
            try:
                value = convert(shown)
            except (ValueProblem, ArithmeticError):
                continue
            key = (value, type(value), getattr(value, "points", None))  # a judged level with its points
            if key in seen:
                continue
            seen.add(key)
            out.append((shown, value))
        return out

    def explore(self, ind: Indicator, missing: list[TargetStatus]) -> None:
        rs = self.rs
        index = rs.index_of(ind.id)
        inputs = [n for n in rs.inputs_of(ind.id) if not rs.measures[n].derived]
        nodes: list[ast.Node] = [ind.rule]
        nodes += [m.formula for n in rs.inputs_of(ind.id) if (m := rs.measures[n]).formula is not None]
        breakpoints = constants(nodes, ind.weight)
        wanted = {s.target.key: s for s in missing}
        found: dict[tuple[str, str, int, str | int], list[dict[str, Any]]] = {}
        lists = [self._candidates(n, rs.measures[n], breakpoints) for n in inputs]
        self._search(ind, index, inputs, lists, wanted, found)
        if len(found) < len(wanted):  # finer: points between the candidates, one measure at a time
            finer = [self._finer(rs.measures[n], values) for n, values in zip(inputs, lists, strict=True)]
            self._search(ind, index, inputs, finer, wanted, found, product=False)
            if len(found) < len(wanted) and len(inputs) > 1:  # then together (a ratio of two counts)
                self._search(ind, index, inputs, finer, wanted, found)
        proofs: _Proofs | None = None
        for key, status in wanted.items():
            for option in sorted(found.get(key, []), key=self._plainness):
                witness = self._verify(ind, key, option)
                if witness is not None:
                    status.witness = witness
                    break
            if status.witness is None and key not in found:
                # no value the search tries reaches it: not counted if the linter's analysis proves
                # that none can (else it is counted, and said to have no witness)
                proofs = proofs or self._proofs(ind)
                status.unreachable = proofs.unreachable(status.target, ind.weight)

    def _search(
        self,
        ind: Indicator,
        index: int,
        inputs: list[str],
        lists: list[list[tuple[Any, Any]]],
        wanted: Mapping[tuple[str, str, int, str | int], TargetStatus],
        found: dict[tuple[str, str, int, str | int], list[dict[str, Any]]],
        *,
        product: bool = True,
    ) -> None:
        fn = self.probe.rule(index)
        for combo in itertools.islice(_combos(lists, product), SEARCH_LIMIT):
            values = {n: pair[1] for n, pair in zip(inputs, combo, strict=True)}
            env, _ = self.probe.env(index, values)
            if env is None:
                continue
            steps: list[Any] = []
            try:
                raw = fn(env, steps)
            except (KeyError, EvalFailure, decimal.DecimalException):
                continue
            for key in reached_by_trace(ind, steps, raw):
                if key in wanted:
                    options = found.setdefault(key, [])
                    if len(options) < 8:
                        options.append({n: pair[0] for n, pair in zip(inputs, combo, strict=True)})
            if len(found) == len(wanted) and all(len(found[k]) >= 8 for k in wanted):
                return

    def _finer(self, measure: Measure, values: list[tuple[Any, Any]]) -> list[tuple[Any, Any]]:
        """The candidates of a numeric measure with nine points between each two neighbours."""
        numbers = sorted({v for _, v in values if isinstance(v, Decimal)})
        if len(numbers) < 2:
            return values
        extra: list[Decimal] = []
        grid = measure.type == "count"
        for a, b in itertools.pairwise(numbers):
            for k in range(1, 10):
                p = a + (b - a) * k / 10
                extra.append(p.to_integral_value(rounding=decimal.ROUND_FLOOR) if grid else p.normalize())
        out = list(values)
        convert = converter(measure)
        seen = {v for _, v in values}
        for p in extra:
            shown = _shown(measure, p)
            try:
                value = convert(shown)
            except (ValueProblem, ArithmeticError):
                continue
            if value not in seen:
                seen.add(value)
                out.append((shown, value))
        return out

    def _plainness(self, option: Mapping[str, Any]) -> tuple[int, int]:
        """Witnesses that change fewer of the [values], then shorter ones, first."""
        own = self.suite.raw_values
        changed = sum(1 for k, v in option.items() if k not in own or str(own[k]) != str(v))
        return changed, sum(len(str(v)) for v in option.values())

    def _verify(
        self, ind: Indicator, key: tuple[str, str, int, str | int], option: Mapping[str, Any]
    ) -> Witness | None:
        given = {**option, **{k: v for k, v in self.defaults.items() if k not in option}}
        values = {**self.suite.raw_values, **given}
        try:
            result = self.rs.evaluate(values)
        except Exception:
            return None
        item = result[ind.id]
        if key not in reached_by_trace(ind, item.trace, item.raw):
            return None
        return Witness(given, item.score)

    def _proofs(self, ind: Indicator) -> _Proofs:
        """What the linter's interval analysis proves of the rule's forms."""
        rs = self.rs
        try:
            analysis = _Recorder(
                ind.rule,
                rs.checked[ind.id],
                ind.rule_source,
                rs.measures,
                self.domains,
                weight=ind.weight,
                subject=ind.measure,
                precision=rs.header.precision,
                floored=ind.floored,
            )
        except Exception:  # no proof
            return _Proofs(set(), {})
        bands = {f.span for f in analysis.findings if f.code == "KPI-G202"}
        return _Proofs(bands, analysis.points, analysis.credit)


class _Recorder(RuleAnalysis):
    """The linter's interval analysis, keeping the interval of the points of every ``proportional``
    and ``deduct`` in the rule: over the values each can see (a branch's narrowed domains)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self.points: dict[ast.Node, Interval] = {}
        #: the values of a proportional's subject, and its target where it is a number
        self.credit: dict[ast.Node, tuple[Interval, Decimal | None]] = {}
        super().__init__(*args, **kwargs)

    def ev(self, node: ast.Node, env: Any) -> Any:
        dom = super().ev(node, env)
        if isinstance(node, (Proportional, Deduct)) and isinstance(dom, Interval):
            seen = self.points.get(node)
            self.points[node] = dom if seen is None else seen.hull(dom)
        if isinstance(node, Proportional) and node.kind != "expr":
            x = self.subject_dom(env)
            target = self.constant(node.operand) if node.operand is not None else Decimal(1)
            before = self.credit.get(node)
            self.credit[node] = (x if before is None else before[0].hull(x), target)
        return dom


@attrs.frozen
class _Proofs:
    bands: set[Span]  # bands that can never match (KPI-G202)
    points: dict[ast.Node, Interval]  # the points each proportional and deduct can give
    credit: dict[ast.Node, tuple[Interval, Decimal | None]] = attrs.Factory(dict)

    def unreachable(self, target: Target, weight: Decimal) -> bool:
        if target.form == "tiers":
            return target.span in self.bands
        if target.form not in ("proportional", "deduct"):
            return False
        node = next((n for n in self.points if n.span.start == target.start), None)
        if node is None:
            return False
        if isinstance(node, Proportional) and node in self.credit and self._no_credit(node, str(target.detail)):
            return True
        return not _meets(self.points[node], str(target.detail), Decimal(0), weight)

    def _no_credit(self, node: Proportional, regime: str) -> bool:
        """From the values the subject can take at the form (a branch's narrowing kept): the
        credit ``x``, ``x / T`` or ``T / x`` is never 0, never 1 or more, or never between."""
        x, target = self.credit[node]
        if target is None or target <= 0 or node.kind == "either":  # either way: no proof made here
            return False
        if node.kind == "inverse":  # T / x: full at x <= T, never 0
            if regime == "zero":
                return True
            if regime == "full":  # some x <= T
                return not _meets(x, "zero", target, INF_DECIMAL)
            return not _meets(x, "partial", target, INF_DECIMAL)  # some x > T
        return not _meets(x, regime, Decimal(0), target if node.kind == "to" else Decimal(1))


INF_DECIMAL = Decimal("Infinity")


def _meets(dom: Interval, regime: str, low: Decimal, high: Decimal) -> bool:
    """Whether ``dom`` has a value at or below ``low`` (``zero``, ``floored``), at or above
    ``high`` (``full``, ``none``), or strictly between them (the rest)."""
    if dom.empty:
        return False
    if regime in ("zero", "floored"):
        return dom.lo < low or (dom.lo == low and dom.lo_closed)
    if regime in ("full", "none"):
        return dom.hi > high or (dom.hi == high and dom.hi_closed)
    return not dom.intersect(Interval(low, high, False, False)).empty


def _accepts(measure: Measure, raw: Any) -> bool:
    try:
        converter(measure)(raw)
    except (ValueProblem, ArithmeticError):
        return False
    return True


def _first(options: list[Any]) -> Any:
    return options[0]


def _one_or_first(options: list[Any]) -> Any:
    for value in options:
        if not isinstance(value, bool) and value in (1, "100%"):
            return value
    return options[0]


def _middle(options: list[Any]) -> Any:
    return options[len(options) // 2]


def _last(options: list[Any]) -> Any:
    return options[-1]


def _combos(lists: list[list[tuple[Any, Any]]], product: bool = True) -> Any:
    """Each measure's candidates with the others at their first (own) value; then (with
    ``product``) every combination where there are few, else two measures at a time and then
    all of them, from a fixed random sample."""
    if not lists:
        yield ()
        return
    firsts = [values[0] for values in lists]
    for i, values in enumerate(lists):
        for value in values:
            yield (*firsts[:i], value, *firsts[i + 1 :])
    if not product:
        return
    total = 1
    for values in lists:
        total *= len(values)
    if total <= SEARCH_LIMIT:
        yield from itertools.product(*lists)
        return
    rng = random.Random(0)
    pairs = list(itertools.combinations(range(len(lists)), 2))
    for _ in range(SEARCH_LIMIT // 2):
        i, j = rng.choice(pairs)
        combo = list(firsts)
        combo[i], combo[j] = rng.choice(lists[i]), rng.choice(lists[j])
        yield tuple(combo)
    while True:
        yield tuple(rng.choice(values) for values in lists)


__all__ = ["Coverage", "IndicatorCoverage", "Target", "TargetStatus", "Witness", "coverage", "targets_of"]
