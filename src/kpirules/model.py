"""The parts of a ruleset as loaded from its file: plain frozen data, no behaviour.

The loader (:mod:`kpirules.loader`) builds these from TOML; the checker and compiler read them;
the linter and auditor can inspect them. Numbers are :class:`~decimal.Decimal` throughout.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import TYPE_CHECKING, Literal

import attrs

from .errors import Location
from .source import RuleSource

if TYPE_CHECKING:  # the trees of rules and formulas; reading a table of units needs none
    from . import ast

MeasureType = Literal["rate", "number", "count", "amount", "bool", "level", "judged", "date"]
MEASURE_TYPES: tuple[MeasureType, ...] = ("rate", "number", "count", "amount", "bool", "level", "judged", "date")
#: Measures whose value is a level (a label of ``levels``); a ``judged`` one may carry points too.
LEVEL_TYPES = frozenset({"level", "judged"})
#: The points of a ``judged`` measure ``x`` may arrive beside it, as ``x__points`` (a key of a unit's
#: values, a column of a table; in SQL, the column that holds them).
POINTS = "__points"
NUMERIC_TYPES = frozenset({"rate", "number", "count", "amount"})
IfMissing = Literal["full", "zero", "error"]
#: Where an indicator's score stops below: at 0 (the default), or nowhere (``floor = "none"``).
Floor = Literal["zero", "none"]
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
    """A measure. A ``date`` measure's values are :class:`datetime.date`; its ``range``, like every
    date inside kpirules' arithmetic, is held as ordinal days (:meth:`datetime.date.toordinal`), so
    that the linter's intervals and the SQL query treat it as whole numbers."""

    name: str
    type: MeasureType
    unit: str | None = None
    label: str | None = None
    levels: tuple[str, ...] | None = None
    range: tuple[Decimal, Decimal] | None = None
    formula: ast.Expr | None = None
    formula_source: RuleSource | None = None
    description: str | None = None
    #: The name of the ``[scales.NAME]`` its levels come from (``level`` and ``judged`` measures).
    scale: str | None = None

    @property
    def derived(self) -> bool:
        return self.formula is not None

    @property
    def display(self) -> str:
        """The label if there is one, else the name."""
        return self.label or self.name


def input_names(measures: Mapping[str, Measure]) -> list[str]:
    """The names of the values a unit gives: every input measure, a ``judged`` one followed by the
    column of its points (``x__points``)."""
    out: list[str] = []
    for m in measures.values():
        if not m.derived:
            out.append(m.name)
            if m.type == "judged":
                out.append(m.name + POINTS)
    return out


@attrs.frozen
class Scale:
    """A shared scale, ``[scales.NAME]``: levels (best first) and the score each gives, a single
    score or an interval the evaluator's points must lie in, written once and used by name.

    ``bands`` are ``grade`` bands (:class:`kpirules.forms.grade.GradeBand`) parsed from its
    ``bands`` string, whose ``source`` they point into."""

    name: str
    bands: tuple[ast.Node, ...]
    source: RuleSource
    label: str | None = None
    description: str | None = None

    @property
    def levels(self) -> tuple[str, ...]:
        return tuple(getattr(band, "label", "") for band in self.bands)

    @property
    def display(self) -> str:
        return self.label or self.name


@attrs.frozen
class WeightShare:
    """A weight given as an equal share of a pool among the indicators of one ``path``:
    ``weight = "15 / siblings"`` ("15 分 ÷ 个数, 四舍五入"). ``siblings`` is counted when the file is
    loaded; the indicator's ``weight`` is ``pool / siblings`` rounded to the ruleset's precision."""

    pool: Decimal
    siblings: int
    text: str


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
    #: ``"none"``: the score is not clamped at 0 (a 考核细则 that deducts past zero); it may be negative.
    floor: Floor = "zero"
    #: Where the weight is ``"15 / siblings"``: the pool and the count it was divided by.
    share: WeightShare | None = None

    @property
    def floored(self) -> bool:
        """Whether the score stops at 0 (the default)."""
        return self.floor == "zero"


@attrs.frozen
class HiddenRow:
    """A row of the indicator system that the published table does not show (``visible = false``):
    its weight counts, it has no rule, and its score is known only where the ruleset gives one
    (``[overrides.ID]``, for the ruleset's own unit). Where it is not known, no total is."""

    id: str
    name: str
    weight: Decimal
    path: tuple[str, ...] = ()
    standard: str | None = None
    bonus: bool = False
    description: str | None = None
    share: WeightShare | None = None

    @property
    def floored(self) -> bool:
        """A row with no rule has no ``floor``: its score (an override) stops at 0."""
        return True


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
    """One row of a published table, as printed (figures may be wrong: that is what audit finds).

    Numbers keep the digits they were printed with (``Decimal("4.47")``, ``Decimal("1.00")`` for
    "100%"), so an audit can tell how precisely each was printed. ``rate`` and ``text_rate`` are
    fractions (0.4774 for "47.74%"). ``text_rate`` and ``text_score`` are what the report's prose
    says of the row ("该指标得100%权重分"), where it says something.
    """

    indicator: str
    name: str | None = None
    weight: Decimal | None = None
    score: Decimal | None = None
    rate: Decimal | None = None
    text_rate: Decimal | None = None
    text_score: Decimal | None = None
    quote: str | None = None
    #: Where each figure of the row was read: keys ``row``, ``name``, ``weight``, ``score``, ``rate`` …
    locations: Mapping[str, Location] = attrs.field(factory=dict, eq=False, repr=False)


#: The value of a printed figure: a number as printed, a yes/no, or a level label.
FigureValue = Decimal | bool | str


@attrs.frozen
class ReportedFigure:
    """A measured value as the report prints it ("年末支出决算为1899305.84万元"), for the audit to
    hold against the value it should equal. ``value`` keeps its printed digits; ``unit`` is the
    unit it was printed in (``"万元"``, ``"%"``, ``"件"``), or None."""

    measure: str
    value: FigureValue
    unit: str | None = None
    quote: str | None = None
    where: str | None = None
    location: Location | None = attrs.field(default=None, eq=False, repr=False)


@attrs.frozen
class ReportedSubtotal:
    """A subtotal row of a published table (``管理指标小计``, ``产出指标``, ``小计``): the weight,
    score and rate printed for a group of indicators.

    ``label`` is the row as printed; ``indicators`` are the ids the subtotal adds up (resolved from
    the group it names, from the rows above it, or given explicitly); ``group`` is the hierarchy
    path it names, where it names one. Numbers keep their printed digits, as in :class:`ReportedRow`.
    """

    label: str
    indicators: tuple[str, ...]
    group: tuple[str, ...] | None = None
    weight: Decimal | None = None
    score: Decimal | None = None
    rate: Decimal | None = None
    #: Where each figure was read: keys ``row``, ``weight``, ``score``, ``rate``.
    locations: Mapping[str, Location] = attrs.field(factory=dict, eq=False, repr=False)


@attrs.frozen
class Reported:
    """A published table: its total, grade, rows and subtotals, and the figures its text prints."""

    total: Decimal | None = None
    grade: str | None = None
    rows: tuple[ReportedRow, ...] = ()
    figures: tuple[ReportedFigure, ...] = ()
    quote: str | None = None
    source: str | None = None
    #: Where ``total`` and ``grade`` were read (keys ``total``, ``grade``, ``table``).
    locations: Mapping[str, Location] = attrs.field(factory=dict, eq=False, repr=False)
    subtotals: tuple[ReportedSubtotal, ...] = ()
