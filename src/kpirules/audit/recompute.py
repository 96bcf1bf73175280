"""The rules' side of an audit: every score recomputed from the measured values.

Measures with no value take one from the figures the report prints, where those agree. Missing
values and failing formulas leave the indicators that need them unscored (the audit then checks
only the table's own arithmetic for them); a bad value is the user's to fix, and is raised.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import Any

import attrs

from ..compiler import compile_expr
from ..errors import KpiRulesError, Location, ValuesError
from ..exact import EvalFailure
from ..messages import Catalog
from ..model import Indicator, Measure, Reported, ReportedFigure
from ..ruleset import Ruleset
from ..units import UnitMismatch, scale
from ..values import Converted, Judged, MissingValue, ValueProblem, converter, is_missing
from .printed import ZERO, C, half_unit
from .table import Arithmetic

M = Catalog(
    "audit.recompute",
    {
        "unknown_measure": ("未知的数据项 `{name}`", "unknown measure `{name}`"),
        "derived": ("派生数据项不能直接给出数值：`{name}`", "a derived measure cannot be given a value: `{name}`"),
        "measure": ("数据项 `{name}`：{problem}", "measure `{name}`: {problem}"),
        "unscorable": ("无法按该评分规则计算得分", "the rule cannot be scored"),
        "reasons": ("；", "; "),
    },
)


@attrs.frozen
class Unscored:
    """Why the rules cannot score an indicator: the input measures with no value, or else the
    reason (a formula or the rule failed)."""

    missing: tuple[str, ...] = ()
    reason: str | None = None
    #: The rule failed on points taken from the printed score (a judged row): the printed score
    #: does not fit the band of the level given.
    judged: bool = False


class Recomputed:
    """Each indicator's score by the rules (``scores``; ``computed`` before overrides), the values
    it was computed from (``env``, ``inputs``) and where they came from (``values_from``:
    ``"ruleset"``, ``"given"``, ``"figures"`` or ``"none"``; ``borrowed`` holds the values taken
    from printed figures)."""

    def __init__(
        self,
        ruleset: Ruleset,
        table: Reported,
        values: Mapping[str, Any] | None,
        locations: Mapping[str, Location],
    ) -> None:
        self.rs = ruleset
        self.table = table
        self.locations = locations
        self.arith = Arithmetic(ruleset.header.precision, ruleset.header.rounding)
        n = len(ruleset.indicators)
        self.scores: list[Decimal | None] = [None] * n
        self.computed: list[Decimal | None] = [None] * n
        self.unknown: dict[int, Unscored] = {}
        #: The scores of the rows the table does not show (``ruleset.hidden``): the ruleset's
        #: overrides where it gives them, else None (free: anything in [0, weight]).
        self.hidden: list[Decimal | None] = list(ruleset.hidden_outcome(True)[0])
        self.env: dict[str, Converted] = {}
        self.inputs: dict[str, Mapping[str, Converted]] = {}
        base: dict[str, Any] = dict(ruleset.values) if values is None else dict(values)
        self.values_from = "ruleset" if values is None else "given"
        self.borrowed = self.values_from_figures(base)
        if self.borrowed:
            base.update(self.borrowed)
            if not set(base) - set(self.borrowed):
                self.values_from = "figures"
        if not base:
            self.values_from = "none"
        #: judged measures whose points are the printed score of their row, by measure
        self.points_from_scores = self.judged_points(base)
        try:
            result = ruleset.evaluate(base, overrides=True)  # the published table is the ruleset's own unit
        except ValuesError as err:
            self.partial(base, err)
        else:
            self.scores = list(result.scores)
            self.computed = list(result.computed)
            self.env = dict(result.values)
            self.inputs = {item.id: item.inputs for item in result}

    @property
    def total(self) -> Decimal | None:
        """The recomputed total; None when some indicator cannot be scored, or a row the table
        does not show has no score."""
        scores = [*self.scores, *self.hidden]
        if all(s is not None for s in scores):
            return sum((s for s in scores if s is not None), ZERO)
        return None

    def label(self, measure: str) -> str:
        m = self.rs.measures.get(measure)
        return m.label if m is not None and m.label else measure

    def partial(self, base: Mapping[str, Any], failure: ValuesError) -> None:
        """Score what can be scored when some values are missing or some formula or rule fails.

        A bad value (not a number, out of range, an unknown measure) is the user's to fix: it is
        raised, as ``evaluate`` raises it. Missing values and failing formulas only leave the
        indicators that need them unscored."""
        rs = self.rs
        env, failures = self.prepare(base)
        self.env = env
        for i, ind in enumerate(rs.indicators):
            self.inputs[ind.id] = {m: env[m] for m in rs.inputs_of(ind.id) if m in env}
            raw = rs.raw_score(i, env)
            needs = rs.inputs_of(ind.id)
            missing = [m for m in needs if m not in env and not rs.measures[m].derived]
            failed = [failures[m] for m in needs if m in failures]
            if raw is None:
                if missing and not failed and ind.if_missing in ("full", "zero"):
                    score = self.arith.round(ind.weight if ind.if_missing == "full" else ZERO)
                elif failed:
                    self.unknown[i] = Unscored(reason=M("reasons").join(failed))
                    continue
                elif missing:
                    self.unknown[i] = Unscored(missing=tuple(missing))
                    continue
                else:
                    problems = [p.message for p in failure.problems if f"`{ind.id}`" in p.message]
                    judged = self.points_from_scores.get(ind.measure or "") == ind.id
                    reason = M("reasons").join(problems) or M("unscorable")
                    self.unknown[i] = Unscored(reason=reason, judged=judged)
                    continue
            else:
                score = _final(self.arith.round, raw, ind)
            self.computed[i] = score
            override = rs.overrides.get(ind.id)
            self.scores[i] = override.score if override is not None else score

    def judged_points(self, base: dict[str, Any]) -> dict[str, str]:
        """A judged measure given as a level alone takes as its points the printed score of the row
        it is the measure of, so that the rule checks that score against the band of the level
        (a published 定性 row prints the level and the points). Returns {measure: indicator}."""
        out: dict[str, str] = {}
        printed = {row.indicator: row.score for row in self.table.rows if row.score is not None}
        for ind in self.rs.indicators:
            name = ind.measure
            measure = self.rs.measures.get(name or "")
            if name is None or measure is None or measure.type != "judged" or name in out:
                continue
            score, raw = printed.get(ind.id), base.get(name)
            if score is None or raw is None or is_missing(raw):
                continue
            try:
                level = converter(measure)(raw)
            except (ValueProblem, MissingValue):
                continue
            if isinstance(level, str) and not isinstance(level, Judged):
                base[name] = Judged(level, score)
                out[name] = ind.id
        return out

    def prepare(self, base: Mapping[str, Any]) -> tuple[dict[str, Converted], dict[str, str]]:
        """Converted values and every derived measure that can be computed; formulas that fail
        (division by zero …), with their message."""
        env = self.converted(base)
        failures: dict[str, str] = {}
        self.derive(env, failures)
        return env, failures

    def converted(self, base: Mapping[str, Any]) -> dict[str, Converted]:
        """The given values, converted; every bad one raised at once."""
        rs = self.rs
        env: dict[str, Converted] = {}
        problems: list[KpiRulesError] = []
        for name, raw in base.items():
            measure = rs.measures.get(name)
            if measure is None or measure.derived:
                problems.append(ValuesError(M("unknown_measure" if measure is None else "derived", name=name)))
                continue
            if is_missing(raw):
                continue
            try:
                env[name] = converter(measure)(raw)
            except MissingValue:
                continue
            except ValueProblem as err:
                where = self.locations.get(name)
                problems.append(ValuesError(M("measure", name=name, problem=err), location=where, hint=err.hint))
        if problems:
            raise ValuesError.collect(problems)
        return env

    def derive(self, env: dict[str, Converted], failures: dict[str, str] | None = None, *, keep: str = "") -> None:
        """Compute into ``env`` every derived measure (but ``keep``) whose inputs are known, a pass
        at a time; formulas that fail go to ``failures``."""
        pending = [m for m in self.rs.measures.values() if m.derived and m.name != keep]
        progress = True
        while pending and progress:  # each pass computes the formulas whose inputs are known
            progress = False
            for measure in list(pending):
                try:
                    env[measure.name] = self.formula(measure)(dict(env), None)
                except KeyError:
                    continue
                except EvalFailure as err:
                    if failures is not None:
                        failures[measure.name] = M("measure", name=measure.name, problem=err.message)
                pending.remove(measure)
                progress = True

    def formula(self, measure: Measure) -> Any:
        checked = self.rs.formulas[measure.name]
        assert measure.formula is not None and measure.formula_source is not None
        return compile_expr(measure.formula, checked, measure.formula_source, ranks={})

    def values_from_figures(self, base: Mapping[str, Any]) -> dict[str, Converted]:
        """Values for input measures that have none, from printed figures that agree (the most
        precisely printed one); figures that disagree give no value, and are reported."""
        out: dict[str, Converted] = {}
        for name, figs in figures_by_measure(self.table).items():
            measure = self.rs.measures.get(name)
            if measure is None or measure.derived or name in base:
                continue
            items = [figure_in_measure(f, measure) for f in figs]
            numbers = [(v, h) for item in items if item is not None for v, h in [item] if isinstance(v, Decimal)]
            chosen: Converted
            if len(numbers) == len(figs):
                if max(v - h for v, h in numbers) > min(v + h for v, h in numbers):
                    continue  # they disagree: figures-disagree reports it
                chosen = min(numbers, key=lambda item: item[1])[0]
            else:
                labels = {item[0] for item in items if item is not None}
                if len(labels) != 1 or any(item is None for item in items):
                    continue
                chosen = labels.pop()
            try:
                out[name] = converter(measure)(chosen)
            except ValueProblem:
                continue
        return out

    def score_at(self, i: int, name: str, value: Decimal) -> Decimal | None:
        """Indicator ``i``'s score with measure ``name`` at ``value`` (the measures derived from
        it computed again), or None where the rule cannot be scored."""
        rs = self.rs
        derived = {m.name for m in rs.measures.values() if m.derived}
        env: dict[str, Converted] = {k: v for k, v in self.env.items() if k not in derived or k == name}
        env[name] = value
        self.derive(env, keep=name)
        raw = rs.raw_score(i, env)
        if raw is None:
            return None
        return _final(self.arith.round, raw, rs.indicators[i])

    def measure_value(self, measure: Measure) -> Converted | None:
        """A measure's value: measured, or computed by its formula; None where neither is known."""
        if measure.name in self.env:
            return self.env[measure.name]
        if measure.formula is None or measure.formula_source is None:
            return None
        try:
            value: Converted = self.formula(measure)(dict(self.env), None)
        except (KeyError, EvalFailure):
            return None
        return value


def figures_by_measure(table: Reported) -> dict[str, list[ReportedFigure]]:
    """The table's printed figures, by measure, in order."""
    out: dict[str, list[ReportedFigure]] = {}
    for fig in table.figures:
        out.setdefault(fig.measure, []).append(fig)
    return out


def figure_in_measure(fig: ReportedFigure, measure: Measure) -> tuple[Converted, Decimal] | None:
    """A figure in its measure's unit, and half a unit of its last printed place in that unit."""
    if not isinstance(fig.value, Decimal):
        return fig.value, ZERO
    try:
        k = scale(fig.unit, measure.unit, measure.type)
    except UnitMismatch:  # pragma: no cover - the loader and the readers refuse these
        return None
    return fig.value.scaleb(k, context=C), half_unit(fig.value).scaleb(k, context=C)


def _final(round_: Callable[[Decimal], Decimal], raw: Decimal, ind: Indicator) -> Decimal:
    """An indicator's score from its raw points, as evaluate gives it: clamped to [0, weight] (to
    the weight only, for floor = "none": a negative score that rounds to 0 is 0), rounded."""
    if ind.floored:
        return round_(min(max(raw, ZERO), ind.weight))
    return round_(min(raw, ind.weight)) or round_(ZERO)
