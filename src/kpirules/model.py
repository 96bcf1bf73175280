"""The parts of a ruleset as loaded from its file: plain frozen data, no behaviour.

The loader (:mod:`kpirules.loader`) builds these from TOML; the checker and compiler read them;
the linter and auditor can inspect them. Numbers are :class:`~decimal.Decimal` throughout.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Literal

import attrs

from . import ast
from .source import RuleSource

MeasureType = Literal["rate", "number", "count", "amount", "bool", "level"]
MEASURE_TYPES: tuple[MeasureType, ...] = ("rate", "number", "count", "amount", "bool", "level")
NUMERIC_TYPES = frozenset({"rate", "number", "count", "amount"})
IfMissing = Literal["full", "zero", "error"]
Rounding = Literal["half-up", "half-even"]

#: The national grade bands (财政部: 优 90–100, 良 80–89, 中 60–79, 差 0–59), used when a ruleset
#: has no ``[grades]`` table.
DEFAULT_GRADES: tuple[tuple[str, Decimal], ...] = (
    ("优", Decimal(90)),
    ("良", Decimal(80)),
    ("中", Decimal(60)),
    ("差", Decimal(0)),
)


@attrs.frozen
class Header:
    id: str
    title: str | None = None
    year: int | None = None
    total: Decimal = Decimal(100)
    precision: int = 2
    rounding: Rounding = "half-up"
    description: str | None = None


@attrs.frozen
class Measure:
    name: str
    type: MeasureType
    unit: str | None = None
    label: str | None = None
    levels: tuple[str, ...] | None = None
    range: tuple[Decimal, Decimal] | None = None
    formula: ast.Expr | None = None
    formula_source: RuleSource | None = None
    description: str | None = None

    @property
    def derived(self) -> bool:
        return self.formula is not None

    @property
    def display(self) -> str:
        """The label if there is one, else the name."""
        return self.label or self.name


@attrs.frozen
class Indicator:
    id: str
    name: str
    weight: Decimal
    rule: ast.Expr
    rule_source: RuleSource
    path: tuple[str, ...] = ()
    measure: str | None = None
    standard: str | None = None
    if_missing: IfMissing = "error"
    bonus: bool = False
    description: str | None = None


@attrs.frozen
class Group:
    path: tuple[str, ...]
    weight: Decimal
    name: str | None = None


@attrs.frozen
class Override:
    indicator: str
    score: Decimal
    reason: str


@attrs.frozen
class ReportedRow:
    """One row of a published table, as printed (figures may be wrong: that is what audit finds)."""

    indicator: str
    name: str | None = None
    weight: Decimal | None = None
    score: Decimal | None = None
    rate: Decimal | None = None


@attrs.frozen
class Reported:
    total: Decimal | None = None
    grade: str | None = None
    rows: tuple[ReportedRow, ...] = ()
