"""One unit's values as the plan moves them (:class:`Space`: every total computed from changes to
them, memoised), the measures that can move (:class:`Axis`: their grid, their ends, the derived
measures computed from them) and the values where the rules reading a measure may change course
(:func:`constants`). See :mod:`kpirules.plan.search` for the search itself.

This module sits below :mod:`kpirules.ruleset`: it takes the ruleset as an argument and never
imports it at run time.
"""

from __future__ import annotations

import decimal
from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import TYPE_CHECKING, Any

import attrs

from .. import ast
from ..errors import KpiRulesError, ValuesError
from ..exact import CONTEXT, snap
from ..model import LEVEL_TYPES, Measure
from ..values import Converted, Judged
from .words import M

if TYPE_CHECKING:
    from ..result import Result
    from ..ruleset import Ruleset

Changes = tuple[tuple[str, Converted], ...]

#: The grid a measure moves on where its value is written no finer: 0.01 of a percentage point
#: for a rate, a cent for an amount or a number, one for a count.
DEFAULT_STEP: Mapping[str, Decimal] = {
    "rate": Decimal("0.0001"),
    "amount": Decimal("0.01"),
    "number": Decimal("0.01"),
    "count": Decimal(1),
}
#: A rate given as a bare number must be below this when it declares no range (kpirules.values).
_BARE_RATE = Decimal(10)


def raw_form(measure: Measure, value: Converted) -> Any:
    """A converted value as evaluate takes it back: a rate of 10 or more as a percentage."""
    if measure.type == "rate" and isinstance(value, Decimal) and abs(value) >= _BARE_RATE:
        return format(value.scaleb(2, context=CONTEXT), "f") + "%"
    return value


def grid_step(measure: Measure, value: Decimal) -> Decimal:
    """The step ``measure`` moves by from ``value``: whole for a count, else :data:`DEFAULT_STEP`
    or the last digit ``value`` is written with, whichever is finer."""
    if measure.type == "count":
        return Decimal(1)
    default = DEFAULT_STEP.get(measure.type, Decimal("0.01"))
    exponent = value.as_tuple().exponent
    if isinstance(exponent, int) and exponent < default.as_tuple().exponent:  # type: ignore[operator]
        return Decimal(1).scaleb(exponent)
    return default


def floor(x: Decimal) -> Decimal:
    return x.to_integral_value(rounding=decimal.ROUND_FLOOR)


def ceil(x: Decimal) -> Decimal:
    return x.to_integral_value(rounding=decimal.ROUND_CEILING)


def total_of(result: Result) -> Decimal:
    """The total of a result the plan scored: a :class:`Space` refuses a ruleset whose total is
    unknown (a row the table does not show, with no score), so every total it meets is known."""
    assert result.total is not None
    return result.total


# ---- one unit's values, scored ------------------------------------------------------------------
class Space:
    """One unit's values and every total computed from changes to them (memoised)."""

    def __init__(
        self,
        rs: Ruleset,
        values: Mapping[str, Any] | None = None,
        *,
        overrides: bool | None = None,
        hold: Iterable[str] = (),
    ) -> None:
        self.rs = rs
        self.hold = frozenset(hold)  # measures the plan keeps as they are
        self.apply = values is None if overrides is None else overrides
        env = rs.prepare(values)  # raises ValuesError as evaluate does
        measures = rs.measures
        self.env0 = env
        self.inputs: dict[str, Converted] = {n: v for n, v in env.items() if not measures[n].derived}
        self.base = {n: raw_form(measures[n], v) for n, v in self.inputs.items()}
        self._scores: dict[Changes, Result | None] = {}
        self._envs: dict[Changes, dict[str, Converted] | None] = {(): env}
        first = self.score(())
        if first is None:  # pragma: no cover - prepare succeeded, so evaluate does (it raises alike)
            rs.evaluate(values, overrides=self.apply)
            raise AssertionError("the values did not score")
        if first.total is None:  # a row the table does not show has no score: there is no total to plan for
            raise ValuesError(
                M("no_total", rows=", ".join(f"`{row.id}`" for row in first.unknown)), hint=M("no_total_hint")
            )
        self.result: Result = first
        self.total0: Decimal = first.total
        self._derived_from: dict[str, tuple[str, ...]] | None = None
        self._totals: dict[Changes, Decimal | None] = {(): first.total}
        self._prepare_fast()

    # -- the fast total: only the indicators a change moves are scored again -------------------
    def _prepare_fast(self) -> None:
        """What :meth:`total` needs to score only the indicators that read a changed measure:
        for each input measure, those indicators (not those the ruleset's overrides set, nor those
        whose value is missing and whose ``if_missing`` decides their score), with the rounding of
        the ruleset. ``fast`` is off where evaluate's total is needed every time."""
        rs = self.rs
        header = rs.header
        self._round = decimal.Context(
            prec=CONTEXT.prec,
            rounding=decimal.ROUND_HALF_EVEN if header.rounding == "half-even" else decimal.ROUND_HALF_UP,
            traps=CONTEXT.traps,
        )
        self._quantum = Decimal(1).scaleb(-header.precision)
        overridden = set(rs.overrides) if self.apply else set()
        readers: dict[str, list[int]] = {}
        for i, ind in enumerate(rs.indicators):
            if ind.id in overridden or rs.raw_score(i, self.env0) is None:
                continue  # its score does not move with the values
            for name in rs.inputs_of(ind.id):
                readers.setdefault(name, []).append(i)
        self._readers = readers
        self.fast = True

    def _points(self, index: int, env: Mapping[str, Converted]) -> Decimal | None:
        """One indicator's final points on prepared values, as evaluate computes them."""
        raw = self.rs.raw_score(index, env)
        if raw is None:
            return None
        ind = self.rs.indicators[index]
        if raw >= ind.weight:
            return self._round.quantize(ind.weight, self._quantum)
        if raw <= 0 and ind.floored:
            return self._round.quantize(Decimal(0), self._quantum)
        # floor = "none": a negative score rounds on its magnitude, and one that rounds to 0 is 0
        return self._round.quantize(snap(raw), self._quantum) or self._round.quantize(Decimal(0), self._quantum)

    def values(self, changes: Changes) -> dict[str, Any]:
        out = dict(self.base)
        measures = self.rs.measures
        for name, value in changes:
            out[name] = raw_form(measures[name], value)
        return out

    def score(self, changes: Changes) -> Result | None:
        """The result of the changed values, or None where they cannot be scored."""
        found = self._scores.get(changes, self)
        if found is not self:
            return found  # type: ignore[return-value]
        try:
            result: Result | None = self.rs.evaluate(self.values(changes), overrides=self.apply)
        except KpiRulesError:
            result = None
        self._scores[changes] = result
        return result

    def total(self, changes: Changes) -> Decimal | None:
        """The total of the changed values (None where they cannot be scored): the current total
        with the points of the indicators that read a changed measure scored again. The answers
        the plan reports are scored again in full by :meth:`score` (evaluate)."""
        found = self._totals.get(changes, self)
        if found is not self:
            return found  # type: ignore[return-value]
        total: Decimal | None
        if not self.fast:
            result = self.score(changes)
            total = None if result is None else result.total
        else:
            total = self._fast_total(changes)
        self._totals[changes] = total
        return total

    def _fast_total(self, changes: Changes) -> Decimal | None:
        env = self.env(changes)
        if env is None:
            return None
        moved: set[int] = set()
        for name, _ in changes:
            moved.update(self._readers.get(name, ()))
        total = self.total0
        scores = self.result.scores
        for i in moved:
            points = self._points(i, env)
            if points is None:
                return None
            total = CONTEXT.add(total, CONTEXT.subtract(points, scores[i]))
        return total

    def points(self, changes: Changes, name: str) -> tuple[Decimal, ...] | None:
        """The points of the indicators that read ``name`` (the only ones that move with it) after
        the changes; every indicator's, from evaluate, where the fast total is off."""
        if not self.fast:
            result = self.score(changes)
            return None if result is None else result.scores
        if self.total(changes) is None:
            return None
        env = self.env(changes)
        assert env is not None
        out = []
        for i in self._readers.get(name, ()):
            points = self._points(i, env)
            if points is None:
                return None
            out.append(points)
        return tuple(out)

    def confirm(self, changes: Changes) -> Result | None:
        """The full result of the changed values; where its total is not the fast one, the fast
        total is switched off for good (and the caller searches again)."""
        result = self.score(changes)
        fast = self._totals.get(changes, self)
        if fast is not self and (None if result is None else result.total) != fast:
            self.fast = False
            self._totals = {(): self.total0}
        return result

    def env(self, changes: Changes) -> dict[str, Converted] | None:
        """The converted and derived values after the changes, or None where they fail."""
        found = self._envs.get(changes, self)
        if found is not self:
            return found  # type: ignore[return-value]
        try:
            env: dict[str, Converted] | None = self.rs.prepare(self.values(changes))
        except (ValuesError, KpiRulesError):
            env = None
        self._envs[changes] = env
        return env

    def derived_from(self) -> dict[str, tuple[str, ...]]:
        """For each input measure, the derived measures computed from it (directly or not), in
        the order they are computed."""
        if self._derived_from is None:
            rs = self.rs
            needed = rs.needed_derived()
            reads = {name: set(checked.measures) for name, checked in rs.formulas.items()}
            closure: dict[str, set[str]] = {}

            def roots(name: str, seen: frozenset[str] = frozenset()) -> set[str]:
                if name in closure:
                    return closure[name]
                out: set[str] = set()
                for used in reads.get(name, ()):
                    if used in seen:
                        continue
                    if used in reads:
                        out |= roots(used, seen | {name})
                    else:
                        out.add(used)
                closure[name] = out
                return out

            table: dict[str, list[str]] = {}
            for name in sorted(reads):
                if name in needed:
                    for root in roots(name):
                        table.setdefault(root, []).append(name)
            self._derived_from = {k: tuple(v) for k, v in table.items()}
        return self._derived_from


# ---- a measure that can move ----------------------------------------------------------------------
@attrs.frozen
class Axis:
    """An input measure that some indicator reads, with its value and how it moves."""

    name: str
    measure: Measure
    value: Converted
    step: Decimal | None  # None for yes/no and levels
    lo: Decimal | None  # the lowest value it may take (None: no end)
    hi: Decimal | None
    quantities: tuple[str, ...]  # itself, then the derived measures computed from it
    #: The values a level may move to, where they are not its bare levels: a judged measure's
    #: levels, each with the most points its band allows (the top of its interval).
    choices: tuple[Converted, ...] | None = None

    @property
    def numeric(self) -> bool:
        return self.step is not None

    def at(self, k: int) -> Decimal:
        assert self.step is not None and isinstance(self.value, Decimal)
        return CONTEXT.add(self.value, CONTEXT.multiply(self.step, Decimal(k)))

    def relative(self, after: Converted) -> Decimal:
        """How large moving to ``after`` is, to compare changes of different measures: a rate by
        its change (1 = 100 percentage points), a measure with a range by the share of the range,
        another number by the share of its value (by the change itself from 0); a yes/no value 1,
        a level the share of the steps between its best and worst levels."""
        m = self.measure
        if m.type == "bool":
            return Decimal(1) if after != self.value else Decimal(0)
        if m.type in LEVEL_TYPES:
            levels = m.levels or ()
            if len(levels) < 2 or after not in levels or self.value not in levels:
                return Decimal(1)
            steps = abs(levels.index(str(after)) - levels.index(str(self.value)))
            return CONTEXT.divide(Decimal(steps), Decimal(len(levels) - 1))
        assert isinstance(after, Decimal) and isinstance(self.value, Decimal)
        delta = abs(CONTEXT.subtract(after, self.value))
        if m.range is not None and m.range[1] > m.range[0]:
            return CONTEXT.divide(delta, CONTEXT.subtract(m.range[1], m.range[0]))
        if m.type == "rate" or not self.value:
            return delta
        return CONTEXT.divide(delta, abs(self.value))


def axes(space: Space) -> list[Axis]:
    """The input measures with a value that some indicator reads, in the order they are declared.
    A date (a deadline met or missed) is held as it is: a plan changes figures, not the calendar."""
    rs = space.rs
    read: set[str] = set()
    for ind in rs.indicators:
        read.update(rs.inputs_of(ind.id))
    derived = space.derived_from()
    out: list[Axis] = []
    for name, measure in rs.measures.items():
        if measure.derived or name not in read or name not in space.inputs or name in space.hold:
            continue
        if measure.type == "date":
            continue
        value = space.inputs[name]
        quantities = (name, *derived.get(name, ()))
        if measure.type in ("bool", "level"):
            out.append(Axis(name, measure, value, None, None, None, quantities))
            continue
        if measure.type == "judged":
            out.append(Axis(name, measure, value, None, None, None, quantities, judged_choices(rs, measure)))
            continue
        assert isinstance(value, Decimal)
        lo: Decimal | None
        hi: Decimal | None
        if measure.range is not None:
            lo, hi = measure.range
        elif measure.type in ("rate", "amount", "count"):
            lo, hi = Decimal(0), None
        else:
            lo = hi = None
        out.append(Axis(name, measure, value, grid_step(measure, value), lo, hi, quantities))
    return out


def constants(space: Space, quantity: str, env: Mapping[str, Converted]) -> list[Decimal]:
    """The values of ``quantity`` where a rule or formula that reads it may change course: the
    numbers they name, the current values of the other measures they read, the ends of its range,
    and 0 and 100 % for a rate."""
    rs = space.rs
    found: set[Decimal] = set()
    nodes: list[ast.Node] = []
    others: set[str] = set()
    for ind in rs.indicators:
        checked = rs.checked[ind.id]
        if quantity in checked.measures:
            nodes.append(ind.rule)
            others.update(checked.measures)
    for name, checked in rs.formulas.items():
        if quantity in checked.measures:
            formula = rs.measures[name].formula
            if formula is not None:
                nodes.append(formula)
                others.update(checked.measures)
    for root in nodes:
        for node in ast.walk(root):
            if isinstance(node, ast.Number | ast.Points):
                found.add(Decimal(node.value))
    for name in others:
        value = env.get(name)
        if name != quantity and isinstance(value, Decimal):
            found.add(value)
    measure = rs.measures[quantity]
    if measure.range is not None:
        found.update(measure.range)
    if measure.type == "rate":
        found.update((Decimal(0), Decimal(1)))
    return sorted(v for v in found if v.is_finite())


def judged_choices(rs: Ruleset, measure: Measure) -> tuple[Converted, ...]:
    """Each level of a judged measure as a plan would give it: a level whose band is a single score
    as it is, one whose band is an interval with the most points the interval allows, for the
    weight of the indicator it is the measure of (the top of a half-open band, less one unit of
    the ruleset's precision)."""
    scale = rs.scales.get(measure.scale or "")
    weight = next((ind.weight for ind in rs.indicators if ind.measure == measure.name), None)
    if scale is None or weight is None:
        return tuple(measure.levels or ())
    unit = Decimal(1).scaleb(-rs.header.precision)
    out: list[Converted] = []
    for band in scale.bands:
        label, score = getattr(band, "label", ""), getattr(band, "score", None)
        high = getattr(score, "high", None)
        if high is None:
            out.append(label)
            continue
        top = _points(high, weight)
        if top is None:
            out.append(label)
            continue
        out.append(Judged(label, top if getattr(score, "high_closed", True) else CONTEXT.subtract(top, unit)))
    return tuple(out)


def _points(node: object, weight: Decimal) -> Decimal | None:
    """The points of a scale's score literal for an indicator of ``weight``."""
    if isinstance(node, ast.Full):
        return weight
    if isinstance(node, ast.Zero):
        return Decimal(0)
    if isinstance(node, ast.Points):
        return node.value
    if isinstance(node, ast.Number):
        return CONTEXT.multiply(weight, node.value) if node.unit else node.value
    return None
