"""Where the next points are: for each indicator, its points per unit of each measure it reads at
the current values (below and above), the next breakpoint in the direction its points rise and
the points there, and the points it can still gain. Many units: each unit's gap to its next grade
and the cheapest single change that closes it."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from ..errors import KpiRulesError
from ..exact import CONTEXT, clamp
from ..values import Converted
from .model import Margin, Marginal, Slope, UnitPlan
from .search import Line, alternatives, check_hold, first_where, plan
from .space import Axis, Space, axes, total_of
from .words import M

if TYPE_CHECKING:
    from ..ruleset import Ruleset

#: Points per unit are given per percentage point of a rate and per 1 of anything else.
PER_RATE = Decimal("0.01")


def _clamped(space: Space, index: int, changes: tuple[tuple[str, Converted], ...]) -> Decimal | None:
    """An indicator's points before rounding, clamped to [0, weight] (to the weight only, for
    floor = "none"), on the changed values."""
    env = space.env(changes)
    if env is None:
        return None
    raw = space.rs.raw_score(index, env)
    if raw is None:
        return None
    ind = space.rs.indicators[index]
    return clamp(raw, ind.weight, ind.floored)


def _points(space: Space, index: int, changes: tuple[tuple[str, Converted], ...]) -> Decimal | None:
    result = space.score(changes)
    return None if result is None else result.scores[index]


def _slope(space: Space, index: int, axis: Axis) -> Slope:
    if not axis.numeric:
        here = _points(space, index, ())
        best: tuple[Converted, Decimal] | None = None
        for value in alternatives(axis):
            points = _points(space, index, ((axis.name, value),))
            if points is not None and here is not None and points > here and (best is None or points > best[1]):
                best = (value, points)
                break  # the nearest value that raises it
        return Slope(axis.name, axis.value, Decimal(1), None, None, *(best or (None, None)))
    assert axis.step is not None
    per = PER_RATE if axis.measure.type == "rate" else Decimal(1)
    here_raw = _clamped(space, index, ())
    slopes: list[Decimal | None] = []
    lines = [Line(space, axis, d) for d in (-1, 1)]
    for line in lines:
        if line.K < 1 or here_raw is None:
            slopes.append(None)
            continue
        moved = _clamped(space, index, line.changes(1))
        if moved is None:
            slopes.append(None)
            continue
        delta = CONTEXT.subtract(moved, here_raw) if line.d > 0 else CONTEXT.subtract(here_raw, moved)
        slopes.append(CONTEXT.multiply(CONTEXT.divide(delta, axis.step), per))
    down, up = slopes
    here = _points(space, index, ())
    found: tuple[Decimal, Converted, Decimal] | None = None  # (relative change, value, points)
    if here is not None:
        for line in lines:
            prev = 0
            for cluster in _clusters(line.boundaries()):
                scored = [(k, _points(space, index, line.changes(k))) for k in cluster]
                top = max((p for _, p in scored if p is not None), default=None)
                if top is None or top <= here:
                    prev = cluster[-1]
                    continue
                k = min(k for k, p in scored if p == top)
                k = _first_with(space, index, line, top, prev, k)
                value = line.value(k)
                candidate = (axis.relative(value), value, top)
                if found is None or candidate[0] < found[0]:
                    found = candidate
                break
    return Slope(
        axis.name,
        axis.value,
        per,
        down,
        up,
        found[1] if found else None,
        found[2] if found else None,
    )


def _first_with(space: Space, index: int, line: Line, top: Decimal, lo: int, hi: int) -> int:
    """The least k in (lo, hi] where the indicator has ``top`` points (monotone between
    breakpoints: rounding reaches a figure before the breakpoint itself)."""

    def has(k: int) -> bool:
        points = _points(space, index, line.changes(k))
        return points is not None and points >= top

    if lo >= 1 and has(lo):
        return hi
    return first_where(has, lo, hi)


def _clusters(points: Sequence[int]) -> Iterable[list[int]]:
    """Steps around the same breakpoint (no more than 2 apart) grouped, in order."""
    group: list[int] = []
    for k in points:
        if group and k - group[-1] > 2:
            yield group
            group = []
        group.append(k)
    if group:
        yield group


def marginal(rs: Ruleset, values: Mapping[str, Any] | None = None, *, overrides: bool | None = None) -> Marginal:
    """See :meth:`kpirules.Ruleset.marginal`."""
    space = Space(rs, values, overrides=overrides)
    by_name = {a.name: a for a in axes(space)}
    result = space.result
    margins: list[Margin] = []
    for index, ind in enumerate(rs.indicators):
        slopes = tuple(_slope(space, index, by_name[n]) for n in rs.inputs_of(ind.id) if n in by_name)
        margins.append(Margin(ind.id, result.scores[index], ind.weight, slopes))
    return Marginal(total_of(result), result.grade, tuple(margins))


def many(
    rs: Ruleset,
    units: Iterable[tuple[str | None, Mapping[str, Any]]],
    *,
    target: str | Decimal | int | None = None,
    refused: Mapping[int, str] | None = None,
    hold: Iterable[str] = (),
) -> list[UnitPlan]:
    """For each unit (name, values): its gap to the next grade (or to ``target``) and the cheapest
    single change that closes it; sorted: units one change away first (the smallest relative
    change first), then the others by their gap, then units at the top grade and units that
    could not be scored. ``hold``: measures kept as they are. ``refused`` gives, by position, units
    refused before scoring and why."""
    check_hold(rs, hold)
    out: list[UnitPlan] = []
    for n, (name, values) in enumerate(units, 1):
        label = name if name is not None else M("unit_name", n=n)
        if refused and n - 1 in refused:
            out.append(UnitPlan(label, None, None, None, None, None, refused[n - 1]))
            continue
        try:
            found = plan(rs, values, target=target, max_measures=1, unit=label, overrides=False, hold=hold, best=False)
        except KpiRulesError as err:
            out.append(UnitPlan(label, None, None, None, None, None, str(err).split("\n")[0]))
            continue
        top = target is None and found.reached
        option = found.options[0] if found.options else None
        out.append(
            UnitPlan(
                label,
                found.total,
                found.grade,
                None if top else found.target_label,
                None if top else found.target,
                option,
            )
        )

    def order(u: UnitPlan) -> tuple[int, Decimal, Decimal]:
        if u.error is not None:
            return (4, Decimal(0), Decimal(0))
        if u.target is None:
            return (3, Decimal(0), Decimal(0))
        gap = u.gap or Decimal(0)
        if not gap:
            return (2, Decimal(0), Decimal(0))
        if u.option is not None:
            return (0, u.option.relative, gap)
        return (1, gap, Decimal(0))

    return sorted(out, key=order)
