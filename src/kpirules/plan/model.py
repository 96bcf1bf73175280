"""What a plan says, as plain frozen data: the changes that reach a target, what each measure
alone can do, where the next points are, and the same for many units."""

from __future__ import annotations

from decimal import Decimal

import attrs

from ..values import Converted


@attrs.frozen
class Change:
    """One measure moved: from its current value ``before`` to ``after`` (converted values).
    ``derived`` lists the derived measures that move with it: (name, before, after)."""

    measure: str
    before: Converted
    after: Converted
    derived: tuple[tuple[str, Converted, Converted], ...] = ()


@attrs.frozen
class Option:
    """A set of changes that reaches the target, verified by scoring the changed values.

    ``total_after`` is the total then. ``short`` is the value one grid step short of the last
    change, the one solved exactly where several measures change (None for yes/no values and
    levels, which have no step), and ``total_short`` the total there, below the target.
    ``relative`` is the relative change the options are ordered by."""

    changes: tuple[Change, ...]
    total_after: Decimal
    grade_after: str | None
    relative: Decimal
    short: Converted | None = None
    total_short: Decimal | None = None


@attrs.frozen
class Single:
    """What one measure can do alone: the least change that reaches the target (``option``), or,
    where none does, the best total it reaches (``best``, at ``best_value``). ``bound`` is the
    farthest value searched where the measure has no upper (or lower) end."""

    measure: str
    before: Converted
    option: Option | None
    best: Decimal
    best_value: Converted
    bound: Converted | None = None

    @property
    def reaches(self) -> bool:
        return self.option is not None


@attrs.frozen
class Plan:
    """The plan for one unit: its total and grade, the target, what each measure can do alone
    (``singles``), and the options that reach the target, best first: the single changes, or,
    when no single measure reaches it, the least combinations. ``optimal`` says the combinations
    are optimal for the order (fewest measures, then least relative change); else ``bounds`` names
    the bounds the search met."""

    target: Decimal
    target_label: str | None
    total: Decimal
    grade: str | None
    singles: tuple[Single, ...]
    options: tuple[Option, ...]
    size: int  # the number of measures the options change (0 when the target is already reached)
    optimal: bool = True
    bounds: tuple[tuple[str, int], ...] = ()
    unit: str | None = None

    @property
    def reached(self) -> bool:
        return self.total >= self.target

    @property
    def gap(self) -> Decimal:
        return max(self.target - self.total, Decimal(0))


@attrs.frozen
class Slope:
    """How one indicator's points move with one measure at the current values: points per unit
    of the measure (``per``: 0.01 for a rate, its percentage point; 1 otherwise) below and above
    the current value, and the next breakpoint in the direction its points rise (``next_value``,
    the points there ``next_points``), where there is one."""

    measure: str
    value: Converted
    per: Decimal
    down: Decimal | None
    up: Decimal | None
    next_value: Converted | None = None
    next_points: Decimal | None = None


@attrs.frozen
class Margin:
    """One indicator's points, what it can still gain, and its slopes in each measure it reads."""

    indicator: str
    score: Decimal
    weight: Decimal
    slopes: tuple[Slope, ...]

    @property
    def to_gain(self) -> Decimal:
        return max(self.weight - self.score, Decimal(0))


@attrs.frozen
class Marginal:
    total: Decimal
    grade: str | None
    margins: tuple[Margin, ...]


@attrs.frozen
class UnitPlan:
    """One unit of many: its total and grade, the next grade and the gap to it, and the cheapest
    single change that closes it (None when none does, or at the top grade). ``error`` says why a
    unit could not be scored."""

    unit: str
    total: Decimal | None
    grade: str | None
    next_grade: str | None
    target: Decimal | None
    option: Option | None
    error: str | None = None

    @property
    def gap(self) -> Decimal | None:
        if self.total is None or self.target is None:
            return None
        return max(self.target - self.total, Decimal(0))
