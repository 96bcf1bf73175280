"""Coverage: which bands, branches, regimes, items and clamps of each rule the cases reached, and for
each one they did not, a witness: values that reach it, found by searching the values the linter
would try and verified by scoring them, printed as a ``[[tests]]`` case.

The targets of a rule, by form:

========================  =======================================================
``pass if … [else …]``    the condition holds; it fails
``if … then … else …``    the then branch; the else branch (over scores)
``tiers``                 each band
``grade``                 each level's band
``deduct``                nothing deducted; deducting; deducted to zero
``checklist``             each item holding
``proportional``          no credit; part credit; full credit
the indicator             the rule's points above the weight (capped) or below 0
                          (floored), where the linter's bounds say they can be
========================  =======================================================

What a case reached is read from the traces evaluation records (:mod:`kpirules.trace`), not
re-computed. A target no values can reach (a band the linter proves unreachable, a regime the
measure's declared range excludes that no search finds) is listed as unreachable and not counted.
"""

from __future__ import annotations

import decimal
import itertools
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal
from typing import Any

import attrs

from .. import ast
from ..ast import Span
from ..exact import EvalFailure
from ..forms.checklist import Checklist, ChecklistStep
from ..forms.deduct import Deduct, DeductStep
from ..forms.grade import Grade, GradeStep
from ..forms.pass_ import Pass, PassStep
from ..forms.proportional import Proportional, ProportionalStep
from ..forms.tiers import Tiers, TiersStep
from ..kinds import Kind
from ..linter.analysis import RuleAnalysis, derived_domains, formula_order, indicator_bounds
from ..linter.probe import Probe, candidates, constants
from ..model import Indicator, Measure
from ..result import Result
from ..ruleset import Ruleset
from ..trace import BranchStep
from ..values import ValueProblem, converter
from .cases import Suite
from .run import CaseOutcome
from .toml import case_text
from .toml import shown_value as _shown
from .words import M

#: The most combinations of candidate values tried per indicator when searching for witnesses.
SEARCH_LIMIT = 4096


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

        def say(key: str, **fields: object) -> str:
            return M.say(lang, key, **fields) if lang else M(key, **fields)

        if form == "tiers":
            return say("t_band", n=int(detail) + 1, text=self.text)
        if form == "grade":
            return say("t_level", label=detail)
        if form == "checklist":
            return say("t_item", n=int(detail) + 1, text=self.text)
        if form in ("pass", "if"):
            return say(f"t_{form}_{detail}", text=self.text)
        return say(f"t_{form}_{detail}")


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
        return _percent(self.reached, self.total)


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
        return _percent(self.reached, self.total)

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


def _percent(reached: int, total: int) -> Decimal:
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
        if bounds.lo < 0:
            out.append(Target(ind.id, "clamp", "low", None, end, ""))
    return out


def _node_targets(ind: Indicator, node: ast.Node, checked: Any, text: Any) -> list[Target]:
    """The targets of one node of a rule (none for a node that is no scoring form)."""
    i = ind.id
    if isinstance(node, Pass):
        return [Target(i, "pass", d, node.cond.span, node.span.start, text(node.cond.span)) for d in ("held", "failed")]
    if isinstance(node, ast.IfElse) and node in checked.types and checked.kind(node) is Kind.SCORE:
        return [Target(i, "if", d, node.cond.span, node.span.start, text(node.cond.span)) for d in ("then", "else")]
    if isinstance(node, Tiers):
        return [Target(i, "tiers", n, b.span, node.span.start, text(b.test.span)) for n, b in enumerate(node.bands)]
    if isinstance(node, Grade):
        return [Target(i, "grade", b.label, b.span, node.span.start, b.label) for b in node.bands]
    if isinstance(node, Deduct):
        regimes = ("none", "deducting", "floored")
        return [Target(i, "deduct", d, node.span, node.span.start, text(node.span)) for d in regimes]
    if isinstance(node, Checklist):
        return [Target(i, "checklist", n, t.span, node.span.start, text(t.cond.span)) for n, t in enumerate(node.items)]
    if isinstance(node, Proportional):
        regimes = ("zero", "partial", "full")
        return [Target(i, "proportional", d, node.span, node.span.start, text(node.span)) for d in regimes]
    return []


def reached_by_trace(ind: Indicator, steps: Iterable[Any], raw: Decimal | None) -> set[tuple[str, str, int, str | int]]:
    """The keys of the targets one traced evaluation reached."""
    out: set[tuple[str, str, int, str | int]] = set()
    i = ind.id
    for step in steps:
        if isinstance(step, PassStep):
            out.add((i, "pass", step.span.start, "held" if step.held else "failed"))
        elif isinstance(step, BranchStep):
            out.add((i, "if", step.span.start, "then" if step.held else "else"))
        elif isinstance(step, TiersStep):
            out.add((i, "tiers", step.span.start, step.band))
        elif isinstance(step, GradeStep):
            out.add((i, "grade", step.span.start, step.label))
        elif isinstance(step, DeductStep):
            regime = "none" if not step.deduction else "floored" if step.points <= 0 else "deducting"
            out.add((i, "deduct", step.span.start, regime))
        elif isinstance(step, ChecklistStep):
            for n, (_, held, _) in enumerate(step.items):
                if held:
                    out.add((i, "checklist", step.span.start, n))
        elif isinstance(step, ProportionalStep):
            regime = "zero" if step.capped <= 0 else "full" if step.capped >= 1 else "partial"
            out.add((i, "proportional", step.span.start, regime))
    if raw is not None:
        end = len(ind.rule_source.text)
        if raw > ind.weight:
            out.add((i, "clamp", end, "high"))
        elif raw < 0:
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
    witness (with ``witnesses``) or the proof that none exists."""
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
        # a plain value for every input measure [values] does not give: the witness carries it
        self.defaults: dict[str, Any] = {}
        for name, measure in rs.measures.items():
            if not measure.derived and name not in suite.raw_values:
                found = self._candidates(name, measure, [])
                if found:
                    self.defaults[name] = found[0][0]

    def _candidates(self, name: str, measure: Measure, breakpoints: list[Decimal]) -> list[tuple[Any, Any]]:
        """(raw value as a case writes it, converted value) pairs for one input measure: its own
        value first."""
        points = list(breakpoints)
        own = self.suite.raw_values.get(name)
        convert = converter(measure)
        own_converted = None
        if own is not None:
            try:
                own_converted = convert(own)
            except ValueProblem:
                own_converted = None
        if isinstance(own_converted, Decimal) and own_converted:
            points += [own_converted * c for c in breakpoints if c]
        raw_values = ([own] if own is not None else []) + candidates(measure, self.domains.get(name), points)
        out: list[tuple[Any, Any]] = []
        seen: set[Any] = set()
        for raw in raw_values:
            shown = _shown(measure, raw)
            try:
                value = convert(shown)
            except (ValueProblem, ArithmeticError):
                continue
            if (value, type(value)) in seen:
                continue
            seen.add((value, type(value)))
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
        unreachable = self._proved_unreachable(ind)
        for key, status in wanted.items():
            for option in sorted(found.get(key, []), key=self._plainness):
                witness = self._verify(ind, key, option)
                if witness is not None:
                    status.witness = witness
                    break
            if status.witness is None and (status.target.span in unreachable or key not in found):
                # the linter proves it, or no value the search tries reaches it: said, not counted
                status.unreachable = status.target.span in unreachable or self._surely_unreachable(ind, status)

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

    def _proved_unreachable(self, ind: Indicator) -> set[Span]:
        """Spans of bands the linter's interval analysis proves can never match (KPI-G202)."""
        rs = self.rs
        try:
            analysis = RuleAnalysis(
                ind.rule,
                rs.checked[ind.id],
                ind.rule_source,
                rs.measures,
                self.domains,
                weight=ind.weight,
                subject=ind.measure,
                precision=rs.header.precision,
            )
        except Exception:
            return set()
        return {f.span for f in analysis.findings if f.code == "KPI-G202"}

    def _surely_unreachable(self, ind: Indicator, status: TargetStatus) -> bool:
        """Regimes that the measure's domain excludes: a proportional credit above 1 or below 0 of
        a measure declared within [0, 1], a clamp the bounds allow only loosely, are not counted
        when no value found reaches them; a band or a branch always is."""
        return status.target.form in ("proportional", "clamp", "deduct")


def _combos(lists: list[list[tuple[Any, Any]]], product: bool = True) -> Any:
    """Each measure's candidates with the others at their first (own) value, then (with
    ``product``) every combination."""
    if not lists:
        yield ()
        return
    firsts = [values[0] for values in lists]
    for i, values in enumerate(lists):
        for value in values:
            yield (*firsts[:i], value, *firsts[i + 1 :])
    if product:
        yield from itertools.product(*lists)


__all__ = ["Coverage", "IndicatorCoverage", "Target", "TargetStatus", "Witness", "coverage", "targets_of"]
