"""The exact search behind ``kpirules plan``: the least change of the measures that reaches a total.

Every rule is piecewise linear in its measures: bands, proportional credit, linear and stepped
deductions and clamps are linear (or constant, or a staircase) between the numbers the rule names.
As a function of one input measure ``x`` (the others held), each indicator's points are therefore
monotone between *breakpoints*: the values where ``x``, or a derived measure computed from it,
equals a number of a rule or formula that reads it (or the current value of another measure the
rule reads, or the end of a derived measure's range). A derived measure linear in ``x`` (``closed
/ received`` as ``closed`` moves) crosses each number at a point solved exactly; one that is not
(as ``received`` moves) is monotone in ``x`` and its crossing is found by bisection on the grid.

A measure moves on its grid (:func:`kpirules.plan.space.grid_step`): whole steps for a count, 0.01 of a percentage
point for a rate, a cent for an amount or number, or finer where the value is written finer. The
search walks the grid outward from the current value, piece by piece between breakpoints: at each
breakpoint it scores the values around it, and inside a piece, where the total is monotone, it
scores the two ends and bisects for the first value that reaches the target. Every total is a
:meth:`Ruleset.evaluate` of the changed values: nothing is estimated. An answer is kept only when
its total reaches the target and the value one step nearer the current one does not.

This module sits below :mod:`kpirules.ruleset`, which calls it: it takes the ruleset as an argument
and never imports it at run time.
"""

from __future__ import annotations

import decimal
import itertools
from collections.abc import Callable, Iterable, Mapping, Sequence
from decimal import Decimal
from typing import TYPE_CHECKING, Any

import attrs

from ..errors import KpiRulesError
from ..exact import CONTEXT
from ..values import Converted
from .model import Change, Option, Plan, Single
from .space import Axis, Changes, Space, axes, ceil, constants, floor, total_of
from .words import M

if TYPE_CHECKING:
    from ..result import Result
    from ..ruleset import Ruleset

#: A measure with no upper (or lower) end is searched this many times its value (at least 1) away.
FAR = Decimal(10_000)
#: Relative tolerance of the test that a derived measure is linear in an input (quotients are
#: carried to 60 digits, so a linear one is linear to far better than this).
_LINEAR = Decimal("1e-40")
#: Combinations: at most this many measures (those whose best single change gains most), and this
#: many breakpoints of each measure held while the last one is solved, by the size of the combination.
COMBO_MEASURES = {2: 16, 3: 8}
COMBO_STOPS = {2: 16, 3: 5}
#: Walks of the last measure with the others held (where they move the same indicators), at most,
#: for each size of combination.
COMBO_WALKS = 1_000
#: The options a plan lists.
MAX_OPTIONS = 8
#: Changes of points walked through, in a piece where indicators pull both ways, before giving up.
WALK_LIMIT = 5_000
#: Steps back towards the current value when a piece is not monotone (see verify).
_BACKTRACK = 10_000


# ---- one measure in one direction ---------------------------------------------------------------


def first_where(holds: Callable[[int], bool], lo: int, hi: int) -> int:
    """The first k in (lo, hi] where ``holds(k)``, given it holds at hi and not at lo (bisection)."""
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if holds(mid):
            hi = mid
        else:
            lo = mid
    return hi


class Line:
    """The values of one numeric measure on one side of its current value: ``k`` steps away in
    direction ``d`` (+1 up, -1 down), up to ``K`` steps, with the changes ``fixed`` held."""

    def __init__(self, space: Space, axis: Axis, d: int, fixed: Changes = ()) -> None:
        assert axis.step is not None and isinstance(axis.value, Decimal)
        self.space, self.axis, self.d, self.fixed = space, axis, d, fixed
        end = axis.hi if d > 0 else axis.lo
        self.bounded = end is not None
        if end is None:
            end = CONTEXT.add(
                axis.value, CONTEXT.multiply(Decimal(d), CONTEXT.multiply(FAR, max(abs(axis.value), Decimal(1))))
            )
        steps = CONTEXT.divide(CONTEXT.subtract(end, axis.value), CONTEXT.multiply(axis.step, Decimal(d)))
        self.K = max(int(floor(steps)), 0)
        self.seen: dict[int, Decimal | None] = {}
        self._boundaries: list[int] | None = None
        self.cut = False  # a walk met WALK_LIMIT

    def value(self, k: int) -> Decimal:
        return self.axis.at(self.d * k)

    def changes(self, k: int) -> Changes:
        if k == 0:
            return self.fixed
        return tuple(sorted((*self.fixed, (self.axis.name, self.value(k)))))

    def T(self, k: int) -> Decimal | None:
        found = self.seen.get(k, self)
        if found is not self:
            return found  # type: ignore[return-value]
        total = self.space.total(self.changes(k))
        self.seen[k] = total
        return total

    def q(self, name: str, k: int) -> Decimal | None:
        if name == self.axis.name:
            return self.value(k)
        env = self.space.env(self.changes(k))
        value = None if env is None else env.get(name)
        return value if isinstance(value, Decimal) else None

    def boundaries(self) -> list[int]:
        """The steps around every breakpoint on this side, in order, the last step included."""
        if self._boundaries is not None:
            return self._boundaries
        K = self.K
        points: set[int] = {K} if K >= 1 else set()
        if K >= 1:
            lo, hi = 1, K
            fail_lo, fail_hi = self.T(1) is None, self.T(K) is None
            if fail_lo != fail_hi:  # where the values stop scoring (a derived value leaves its range)
                edge = first_where(lambda k: (self.T(k) is None) != fail_lo, 1, K)
                points.update((edge - 1, edge))
                lo, hi = (edge, K) if fail_lo else (1, edge - 1)
            env = self.space.env(self.fixed) or self.space.env0
            for name in self.axis.quantities:
                for k in self._crossings(name, constants(self.space, name, env), lo, hi):
                    points.add(k)
        found = sorted(k for k in points if 1 <= k <= K)
        self._boundaries = sorted(set(found) | set(self._kinks(found)))
        return self._boundaries

    def _scores(self, k: int) -> tuple[Decimal, ...] | None:
        """The points of the indicators that can move along this line (all of them where the fast
        total is off), or None where the values cannot be scored."""
        return self.space.points(self.changes(k), self.axis.name)

    def _kinks(self, found: Sequence[int]) -> Iterable[int]:
        """In a piece where some indicators gain and others lose, the total need not be monotone:
        there, where each indicator that moves stops moving (its score reaches the weight or zero,
        a clamp at no number the rule names) or starts, found by bisection (each one is monotone)."""
        prev = 0
        for b in found:
            lo, hi = prev + 1, b - 1
            prev = b
            if hi - lo < 2:
                continue
            start, end = self._scores(lo), self._scores(hi)
            if start is None or end is None:
                continue
            moves = [(i, a, z) for i, (a, z) in enumerate(zip(start, end, strict=True)) if a != z]
            if not (any(z > a for _, a, z in moves) and any(z < a for _, a, z in moves)):
                continue
            for i, a, z in moves:

                def left(k: int, i: int = i, a: Decimal = a) -> bool:
                    scores = self._scores(k)
                    return scores is None or scores[i] != a

                def arrived(k: int, i: int = i, z: Decimal = z) -> bool:
                    scores = self._scores(k)
                    return scores is None or scores[i] == z

                for changed in (left, arrived):
                    k = first_where(changed, lo, hi)
                    yield from (k - 1, k)

    def _crossings(self, name: str, values: Sequence[Decimal], lo: int, hi: int) -> Iterable[int]:
        if not values or hi < lo:
            return
        f0 = self.q(name, 0)
        if f0 is None:
            return
        if name == self.axis.name:  # the measure itself: solved exactly
            assert self.axis.step is not None
            slope = CONTEXT.multiply(self.axis.step, Decimal(self.d))
            for c in values:
                yield from _around(CONTEXT.divide(CONTEXT.subtract(c, f0), slope))
            return
        f1, f2, fK = self.q(name, lo), self.q(name, lo + 1), self.q(name, hi)
        if f1 is not None and f2 is not None and fK is not None:
            slope = CONTEXT.subtract(f2, f1)
            scale = max(abs(f1), abs(fK), Decimal(1)) * _LINEAR
            line = abs(CONTEXT.subtract(CONTEXT.subtract(f1, f0), CONTEXT.multiply(slope, Decimal(lo)))) <= scale
            far = CONTEXT.subtract(CONTEXT.subtract(fK, f0), CONTEXT.multiply(slope, Decimal(hi)))
            if line and abs(far) <= scale:  # linear in the measure: each crossing solved
                if slope:
                    for c in values:
                        yield from _around(CONTEXT.divide(CONTEXT.subtract(c, f0), slope))
                return
        for c in values:  # monotone, not linear: bisect where it passes c (and where it leaves c)
            for strict in (False, True):

                def above(k: int, c: Decimal = c, strict: bool = strict) -> bool:
                    v = self.q(name, k)
                    return v is not None and (v > c if strict else v >= c)

                start = above(lo)
                if start != above(hi):

                    def changed(k: int, start: bool = start, above: Any = above) -> bool:
                        return bool(above(k) != start)

                    k = first_where(changed, lo, hi)
                    yield from (k - 1, k, k + 1)

    def _mixed(self, lo: int, hi: int) -> bool:
        """Whether, from step lo to step hi, some indicators gain and others lose points: the total
        is then not monotone (the rounding of one goes up as the other's goes down)."""
        start, end = self._scores(lo), self._scores(hi)
        if start is None or end is None:
            return False
        ups = downs = False
        for a, z in zip(start, end, strict=True):
            ups, downs = ups or z > a, downs or z < a
        return ups and downs

    def _walk(self, lo: int, hi: int, target: Decimal | None) -> int | None:
        """Step by step through a piece where indicators pull both ways: from lo, to the next step
        where any indicator's points change (each is monotone: found by bisection), until the
        total reaches ``target`` (None: to the end, scoring every change for :meth:`best`).
        Stops after :data:`WALK_LIMIT` changes (``self.cut``)."""
        k = lo
        for _ in range(WALK_LIMIT):
            t = self.T(k)
            if target is not None and t is not None and t >= target:
                return k
            if k >= hi:
                return None
            here, end = self._scores(k), self._scores(hi)
            if here is None or end is None:
                return None
            nxt = hi
            for i, (a, z) in enumerate(zip(here, end, strict=True)):
                if a == z:
                    continue

                def moved(j: int, i: int = i, a: Decimal = a) -> bool:
                    scores = self._scores(j)
                    return scores is None or scores[i] != a

                nxt = min(nxt, first_where(moved, k, nxt) if nxt > k + 1 else nxt)
            k = nxt
        self.cut = True
        return None

    def first_reach(self, target: Decimal) -> int | None:
        """The least k ≥ 1 whose total reaches ``target``, walking piece by piece."""

        def reaches(k: int) -> bool:
            t = self.T(k)
            return t is not None and t >= target

        prev = 0
        for b in self.boundaries():
            if b - prev > 1:
                lo, hi = prev + 1, b - 1
                if hi - lo >= 2 and self._mixed(lo, hi):
                    found = self._walk(lo, hi, target)
                    if found is not None:
                        return found
                else:
                    if reaches(lo):
                        return lo
                    if hi > lo and reaches(hi):
                        return first_where(reaches, lo, hi)
            if reaches(b):
                return b
            prev = b
        return None

    def best(self) -> tuple[Decimal | None, int]:
        """The highest total on this side and the least k with it: the walk has scored every
        piece's ends, and here every change in the pieces where indicators pull both ways."""
        prev = 0
        for b in self.boundaries():
            if b - prev > 3 and self._mixed(prev + 1, b - 1):
                self._walk(prev + 1, b - 1, None)
            prev = b
        top: Decimal | None = None
        for t in self.seen.values():
            if t is not None and (top is None or t > top):
                top = t
        if top is None:
            return None, 0
        return top, self.first_reach(top) or 0


def _around(k: Decimal) -> Iterable[int]:
    if not k.is_finite() or abs(k) > Decimal(10) ** 18:
        return
    low, high = int(floor(k)), int(ceil(k))
    yield from range(low - 1, high + 2)


# ---- the least change of one measure ------------------------------------------------------------
@attrs.frozen
class Found:
    """A verified point: the changes, the total and result there, and one step short."""

    changes: Changes
    result: Result
    short: Converted | None
    total_short: Decimal | None
    after: Converted


def _verify(line: Line, k: int, target: Decimal) -> int | None:
    """``k`` moved back towards the current value while the step before it still reaches the
    target: the answer then holds with the step short of it below the target (verified)."""
    t = line.T(k)
    if t is None or t < target:
        return None
    for _ in range(_BACKTRACK):
        before = line.T(k - 1) if k > 1 else line.space.total(line.fixed)
        if before is None or before < target:
            return k
        k -= 1
        if k == 0:
            return None  # the held values already reach it
    return None


def least_numeric(space: Space, axis: Axis, target: Decimal, fixed: Changes = ()) -> tuple[Found | None, list[Line]]:
    lines = [Line(space, axis, d, fixed) for d in (1, -1)]
    best: Found | None = None
    best_rel: Decimal | None = None
    for line in lines:
        k = line.first_reach(target)
        if k is None:
            continue
        k2 = _verify(line, k, target)
        if k2 is None:
            continue
        after = line.value(k2)
        rel = axis.relative(after)
        if best_rel is None or rel < best_rel:
            result = space.confirm(line.changes(k2))
            short = line.value(k2 - 1) if k2 > 1 else axis.value
            before = space.confirm(line.changes(k2 - 1) if k2 > 1 else fixed)
            if result is None or not space.fast:
                return None, lines  # the fast total was wrong here: the caller searches again
            total_short = None if before is None else total_of(before)
            best = Found(line.changes(k2), result, short, total_short, after)
            best_rel = rel
    return best, lines


def alternatives(axis: Axis) -> list[Converted]:
    """The other values of a yes/no value or a level, nearest first (a better level before a
    worse one as near); for a judged measure, its own level with the most points first."""
    if axis.measure.type == "bool":
        return [not axis.value]
    levels: list[Converted] = list(axis.choices or axis.measure.levels or ())
    if axis.value not in levels:
        return levels
    here = levels.index(axis.value)
    order = sorted((i for i in range(len(levels)) if i != here), key=lambda i: (abs(i - here), i > here))
    out = [levels[i] for i in order]
    top = levels[here]
    if axis.choices and getattr(top, "points", None) != getattr(axis.value, "points", None):
        out.insert(0, top)  # a judged level: the most points its band allows, nearest of all
    return out


def _with(fixed: Changes, name: str, value: Converted) -> Changes:
    return tuple(sorted((*fixed, (name, value))))


def single(
    space: Space, axis: Axis, target: Decimal, fixed: Changes = (), *, best: bool = True
) -> tuple[Single, list[Line]]:
    """What ``axis`` alone (with ``fixed`` held) can do: the least change reaching ``target``, or
    the best total it reaches."""
    base_total = space.total(fixed)
    assert base_total is not None
    if not axis.numeric:
        best_total, best_value = base_total, axis.value
        for value in alternatives(axis):
            changes = _with(fixed, axis.name, value)
            result = space.score(changes)
            if result is None:
                continue
            if total_of(result) >= target:
                option = _option(space, ((axis, value),), changes, result, None, None, fixed)
                return Single(axis.name, axis.value, option, total_of(result), value), []
            if total_of(result) > best_total:
                best_total, best_value = total_of(result), value
        return Single(axis.name, axis.value, None, best_total, best_value), []
    while True:
        fast = space.fast
        answer, lines = _single_numeric(space, axis, target, fixed, base_total, best)
        if space.fast == fast:
            return answer, lines
        # the fast total disagreed with evaluate at a point reported: search again with evaluate


def _single_numeric(
    space: Space, axis: Axis, target: Decimal, fixed: Changes, base_total: Decimal, want_best: bool = True
) -> tuple[Single, list[Line]]:
    found, lines = least_numeric(space, axis, target, fixed)
    if found is not None:
        option = _option(
            space, ((axis, found.after),), found.changes, found.result, found.short, found.total_short, fixed
        )
        return Single(axis.name, axis.value, option, total_of(found.result), found.after), lines
    best_total, best_value = base_total, axis.value
    best_rel: Decimal | None = None
    best_changes: Changes = fixed
    for line in lines if want_best else ():
        top, k = line.best()
        if top is None or k == 0:
            continue
        value = line.value(k)
        rel = axis.relative(value)
        if top > best_total or (top == best_total and best_rel is not None and rel < best_rel):
            best_total, best_value, best_rel, best_changes = top, value, rel, line.changes(k)
    space.confirm(best_changes)
    up = lines[0]
    bound = None if up.bounded else up.value(up.K)
    return Single(axis.name, axis.value, None, best_total, best_value, bound), lines


def _option(
    space: Space,
    moved: Sequence[tuple[Axis, Converted]],
    changes: Changes,
    result: Result,
    short: Converted | None,
    total_short: Decimal | None,
    fixed: Changes = (),
) -> Option:
    env0 = space.env0
    env = space.env(changes) or {}
    out: list[Change] = []
    relative = Decimal(0)
    for axis, after in moved:
        derived = tuple(
            (name, env0[name], env[name])
            for name in axis.quantities[1:]
            if name in env0 and name in env and env0[name] != env[name]
        )
        out.append(Change(axis.name, axis.value, after, derived))
        relative = CONTEXT.add(relative, axis.relative(after))
    return Option(tuple(out), total_of(result), result.grade, relative, short, total_short)


# ---- targets ----------------------------------------------------------------------------------------
def resolve_target(rs: Ruleset, target: str | Decimal | int | None, total: Decimal) -> tuple[Decimal, str | None]:
    """A target as a total: a grade's label gives its lower bound, a number itself; None gives the
    next grade above ``total`` (or the top grade's bound, reached, at the top)."""
    grades = rs.grades  # best first
    if target is None:
        above = [(label, bound) for label, bound in grades if bound > total]
        if above:
            label, bound = above[-1]
            return bound, label
        if grades:
            return grades[0][1], grades[0][0]
        raise KpiRulesError(M("no_grades"), hint=M("bad_target_hint"))
    if isinstance(target, str):
        text = target.strip()
        for label, bound in grades:
            if label == text:
                return bound, label
        try:
            number = Decimal(text)
        except decimal.InvalidOperation:
            number = Decimal("NaN")
        if not number.is_finite():
            listed = M("joiner").join(label for label, _ in grades)
            raise KpiRulesError(M("bad_target", target=target, grades=listed), hint=M("bad_target_hint"))
        target = number
    value = Decimal(target)
    most = rs.weight_sum + sum((i.weight for i in rs.indicators if i.bonus), Decimal(0))
    if value > most:
        raise KpiRulesError(M("target_too_high", target=value, most=most), hint=M("bad_target_hint"))
    named = next((lb for lb, bound in grades if bound == value), None)
    return value, named


# ---- plans ------------------------------------------------------------------------------------------
def check_hold(rs: Ruleset, hold: Iterable[str]) -> frozenset[str]:
    """The measures to hold, each an input measure of the ruleset."""
    held = frozenset(hold)
    for name in sorted(held):
        measure = rs.measures.get(name)
        if measure is None or measure.derived:
            inputs = M("joiner").join(n for n, m in rs.measures.items() if not m.derived)
            raise KpiRulesError(M("bad_hold", name=name), hint=M("bad_hold_hint", inputs=inputs))
    return held


def plan(
    rs: Ruleset,
    values: Mapping[str, Any] | None = None,
    *,
    target: str | Decimal | int | None = None,
    max_measures: int = 3,
    unit: str | None = None,
    overrides: bool | None = None,
    hold: Iterable[str] = (),
    best: bool = True,
) -> Plan:
    """The plan for one unit; see :meth:`kpirules.Ruleset.plan`. With ``best=False`` a measure
    that cannot reach the target alone is not walked to its best total (``Single.best`` is then
    the current total): what a list of many units needs."""
    held = check_hold(rs, hold)
    space = Space(rs, values, overrides=overrides, hold=held)
    goal, label = resolve_target(rs, target, space.total0)
    result = space.result
    if space.total0 >= goal:
        return Plan(goal, label, space.total0, result.grade, (), (), 0, unit=unit)
    found = [single(space, axis, goal, best=best) for axis in axes(space)]
    singles = tuple(s for s, _ in found)
    options = sorted((s.option for s in singles if s.option is not None), key=_order)
    if options or max_measures < 2:
        return Plan(
            goal,
            label,
            space.total0,
            result.grade,
            singles,
            tuple(options[:MAX_OPTIONS]),
            1 if options else 0,
            unit=unit,
        )
    size, combos, bounds = combinations(space, found, goal, max_measures)
    optimal = not bounds
    return Plan(
        goal,
        label,
        space.total0,
        result.grade,
        singles,
        tuple(combos[:MAX_OPTIONS]),
        size,
        optimal,
        tuple(bounds),
        unit,
    )


def _order(option: Option) -> tuple[int, Decimal, Decimal]:
    return (len(option.changes), option.relative, -option.total_after)


def _solve_group(
    space: Space,
    all_axes: Mapping[str, Axis],
    touches: Mapping[str, frozenset[int]],
    own: Mapping[str, tuple[Single, Sequence[Line]]],
    held: Mapping[str, Sequence[Converted]],
    group: Sequence[str],
    last: str,
    goal: Decimal,
    budget: list[int],
) -> Iterable[Option]:
    """The options of one group of measures with ``last`` solved and the others at their stops.
    A walk with the others held costs one of ``budget``; none is taken once it is spent."""
    rest = [n for n in group if n != last]
    apart = all(touches[last].isdisjoint(touches[n]) for n in rest)
    for picked in itertools.product(*(held[n] for n in rest)):
        fixed = tuple(sorted(zip(rest, picked, strict=True)))
        base = space.total(fixed)
        if base is None or _ceiling(space, touches[last], fixed) < goal:
            continue
        short: Converted | None
        if apart:
            need = goal - (base - space.total0)
            if own[last][0].best < need:
                continue
            solved = _solve_alone(space, all_axes[last], own[last][1], need)
            if solved is None:
                continue
            after, short = solved
        else:
            if budget[0] <= 0:
                return
            budget[0] -= 1
            answer, _ = single(space, all_axes[last], goal, fixed)
            if answer.option is None:
                continue
            after, short = answer.option.changes[0].after, answer.option.short
        moved = [(all_axes[n], v) for n, v in zip(rest, picked, strict=True)]
        moved.append((all_axes[last], after))
        changes = tuple(sorted((a.name, v) for a, v in moved))
        result = space.score(changes)
        if result is None or total_of(result) < goal:
            continue
        total_short = None
        if short is not None:
            before = space.score(_with(fixed, last, short))
            total_short = None if before is None else total_of(before)
            if total_short is not None and total_short >= goal:
                continue  # not verified: one step less reaches it too
        yield _option(space, moved, changes, result, short, total_short)


def _ceiling(space: Space, moved: Iterable[int], fixed: Changes) -> Decimal:
    """The most the total can be with ``fixed`` held when only the indicators ``moved`` change: each
    of them at its full weight (an exact bound: the others keep their points)."""
    result = space.score(fixed)
    if result is None:
        return Decimal("-Infinity")
    indicators = space.rs.indicators
    total = total_of(result)
    for i in moved:
        total = CONTEXT.add(total, max(CONTEXT.subtract(indicators[i].weight, result.scores[i]), Decimal(0)))
    return total


def _solve_alone(
    space: Space, axis: Axis, lines: Sequence[Line], need: Decimal
) -> tuple[Converted, Converted | None] | None:
    """The least change of ``axis`` alone whose total reaches ``need`` (verified), and the value one
    step short of it (None for a yes/no value or a level)."""
    if not axis.numeric:
        for value in alternatives(axis):
            t = space.total(((axis.name, value),))
            if t is not None and t >= need:
                return value, None
        return None
    best: tuple[Decimal, Converted, Converted] | None = None
    for line in lines:
        k = line.first_reach(need)
        k = None if k is None else _verify(line, k, need)
        if k is None:
            continue
        after = line.value(k)
        rel = axis.relative(after)
        if best is None or rel < best[0]:
            best = (rel, after, line.value(k - 1) if k > 1 else axis.value)
    return None if best is None else (best[1], best[2])


def stops(axis: Axis, lines: Sequence[Line], total0: Decimal, limit: int) -> tuple[list[Converted], bool]:
    """The values of a measure worth holding while another is solved: for every total the search
    met above the current one, the least change giving it, kept where no smaller change gives as
    much (the staircase of what the measure can do); at most ``limit``, the highest totals first.
    For a yes/no value or a level, its other values."""
    if not axis.numeric:
        return alternatives(axis), False
    points: list[tuple[Decimal, Decimal, Decimal]] = []
    for line in lines:
        for k, t in line.seen.items():
            if t is not None and t > total0 and k > 0:
                at = line.value(k)
                points.append((axis.relative(at), -t, at))
    points.sort()
    kept: list[tuple[Decimal, Converted]] = []
    top: Decimal | None = None
    for _, negative, value in points:
        t = -negative
        if top is None or t > top:
            kept.append((t, value))
            top = t
    kept.sort(key=lambda item: -item[0])
    return [v for _, v in kept[:limit]], len(kept) > limit


def combinations(
    space: Space, found: Sequence[tuple[Single, list[Line]]], goal: Decimal, max_measures: int
) -> tuple[int, list[Option], list[tuple[str, int]]]:
    """The least combinations reaching ``goal``: pairs first, then triples (up to ``max_measures``).
    Every measure but the last is held at one of its stops and the last is solved exactly.

    Where the last measure moves no indicator the held ones move, the total is the sum of what each
    does alone: the last is then solved on its own walk, for what the held ones leave to gain (and
    skipped where its best cannot close that); otherwise it is walked again with the others held."""
    all_axes = {a.name: a for a in axes(space)}
    rs = space.rs
    touches = {
        name: frozenset(i for i, ind in enumerate(rs.indicators) if name in rs.inputs_of(ind.id)) for name in all_axes
    }
    movers = [(s, lines) for s, lines in found if s.best > space.total0 or not all_axes[s.measure].numeric]
    movers.sort(key=lambda item: (-item[0].best, item[0].measure))
    own = {s.measure: (s, lines) for s, lines in movers}
    bounds: list[tuple[str, int]] = []
    for size in range(2, max_measures + 1):
        cap = COMBO_MEASURES.get(size, 6)
        chosen = movers[:cap]
        if len(movers) > cap:
            bounds.append(("bound_measures", cap))
        stop_cap = COMBO_STOPS.get(size, 4)
        held: dict[str, list[Converted]] = {}
        for s, lines in chosen:
            values, cut = stops(all_axes[s.measure], lines, space.total0, stop_cap)
            held[s.measure] = values
            if cut and ("bound_stops", stop_cap) not in bounds:
                bounds.append(("bound_stops", stop_cap))
        names = [s.measure for s, _ in chosen]
        options: dict[tuple[str, ...], Option] = {}
        budget = [COMBO_WALKS]
        for group in itertools.combinations(names, size):
            if _ceiling(space, set().union(*(touches[n] for n in group)), ()) < goal:
                continue  # even full marks on every indicator they move fall short
            for last in group:
                for option in _solve_group(space, all_axes, touches, own, held, group, last, goal, budget):
                    key = tuple(sorted(group))
                    if key not in options or _order(option) < _order(options[key]):
                        options[key] = option
        if budget[0] <= 0:
            bounds.append(("bound_walks", COMBO_WALKS))
        if options:
            return size, sorted(options.values(), key=_order), bounds
    if max_measures < 3 and len(movers) >= 3:
        bounds.append(("bound_size", max_measures))
    return 0, [], bounds
