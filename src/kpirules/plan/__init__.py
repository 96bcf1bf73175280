"""``kpirules plan``: the least change of a unit's values that reaches a target total or grade,
found exactly (see :mod:`kpirules.plan.search` and docs/plan.md), where the next points are
(:mod:`kpirules.plan.marginal`), and the same for many units."""

from __future__ import annotations

from .model import Change, Margin, Marginal, Option, Plan, Single, Slope, UnitPlan
from .search import plan, resolve_target

__all__ = [
    "Change",
    "Margin",
    "Marginal",
    "Option",
    "Plan",
    "Single",
    "Slope",
    "UnitPlan",
    "plan",
    "resolve_target",
]
