"""Scored results: the total, the grade, and per indicator the score, the rate, the inputs, a trace.

A :class:`Result` holds little: the final scores, the total, the grade, and the values it was
given. Everything else (the converted values, each indicator's raw score and its trace) is
recomputed on first access from those values, so scoring many units costs little more than the
arithmetic and keeps little in memory. Recomputing is exact: evaluation is deterministic.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING, Any

from .exact import CONTEXT
from .messages import Catalog
from .trace import Step
from .values import BOUND_MARK as _BOUND_MARK
from .values import Bound, Converted

if TYPE_CHECKING:
    from .model import HiddenRow, Indicator, Override
    from .ruleset import Ruleset

M = Catalog(
    "result",
    {
        "no_indicator": ("规则集 {ruleset} 中没有指标 {id}", "no indicator {id} in ruleset {ruleset}"),
    },
)


_RATE_QUANTUM = Decimal("0.0001")

#: How an indicator came by its score.
STATUS_SCORED = "scored"
STATUS_MISSING = "missing"  # a value was missing and if_missing gave the score
STATUS_OVERRIDDEN = "overridden"


class IndicatorResult:
    """One indicator's outcome. ``score`` is final: clamped, rounded, and overridden if the ruleset says so."""

    __slots__ = ("_index", "_result", "_trace", "computed", "indicator", "missing", "override", "score")

    def __init__(self, result: Result, index: int) -> None:
        self._result = result
        self._index = index
        self.indicator: Indicator = result.ruleset.indicators[index]
        self.score: Decimal = result.scores[index]
        #: The score the rule gave, before an override (the same as ``score`` without one).
        self.computed: Decimal = result.computed[index]
        #: The measures that had no value, when ``if_missing`` decided the score.
        self.missing: tuple[str, ...] = result.missing.get(index, ()) if result.missing else ()
        #: The ruleset's override of this score, where it applied (``scores`` is then not ``computed``).
        self.override: Override | None = (
            None if result.scores is result.computed else result.ruleset.overrides.get(self.indicator.id)
        )
        self._trace: tuple[Step, ...] | None = None

    @property
    def id(self) -> str:
        return self.indicator.id

    @property
    def name(self) -> str:
        return self.indicator.name

    @property
    def weight(self) -> Decimal:
        return self.indicator.weight

    @property
    def raw(self) -> Decimal | None:
        """The rule's points before clamping and rounding (None when a missing value decided)."""
        if self.missing:
            return None
        return self._result.ruleset.raw_score(self._index, self._result.values)

    @property
    def rate(self) -> Decimal:
        """score / weight, to four decimals (0.4740 is 47.40 %)."""
        return CONTEXT.divide(self.score, self.weight).quantize(_RATE_QUANTUM, rounding=ROUND_HALF_UP, context=CONTEXT)

    @property
    def status(self) -> str:
        if self.override is not None:
            return STATUS_OVERRIDDEN
        return STATUS_MISSING if self.missing else STATUS_SCORED

    @property
    def inputs(self) -> dict[str, Converted]:
        """The values this indicator's rule read (derived measures and what they derive from)."""
        env = self._result.values
        return {name: env[name] for name in self._result.ruleset.inputs_of(self.indicator.id) if name in env}

    @property
    def trace(self) -> tuple[Step, ...]:
        """What the scoring forms and the operations on scores did, in the order that ends at the
        rule's points (see :mod:`kpirules.trace`); empty for a constant rule and when a missing
        value decided."""
        if self._trace is None:
            self._trace = () if self.missing else self._result.ruleset.trace(self.indicator.id, self._result.values)
        return self._trace

    def explain(self, lang: str | None = None) -> str:
        from .explain import explain_indicator

        return explain_indicator(self, lang)

    def __repr__(self) -> str:
        return f"IndicatorResult(id={self.id!r}, score={self.score}, weight={self.weight})"


class Result:
    """The outcome of scoring one unit: ``total``, ``grade`` and ``result[indicator_id]``."""

    __slots__ = (
        "_env",
        "_given",
        "_items",
        "computed",
        "grade",
        "hidden",
        "missing",
        "ruleset",
        "scores",
        "total",
        "unit",
    )

    def __init__(
        self,
        ruleset: Ruleset,
        given: Mapping[str, Any] | None,
        env: dict[str, Converted] | None,
        scores: tuple[Decimal, ...],
        computed: tuple[Decimal, ...],
        missing: dict[int, tuple[str, ...]] | None,
        total: Decimal | None,
        grade: str | None,
        unit: str | None = None,
        hidden: tuple[Decimal | None, ...] = (),
    ) -> None:
        self.ruleset = ruleset
        self._given = given
        self._env = env
        self.scores = scores
        self.computed = computed
        self.missing = missing
        #: The total, or None where a row the table does not show has no score (see ``unknown``).
        self.total = total
        self.grade = grade
        self.unit = unit
        #: The scores of the rows the table does not show (``ruleset.hidden``), None where unknown.
        self.hidden = hidden
        self._items: list[IndicatorResult | None] | None = None

    @property
    def values(self) -> Mapping[str, Converted]:
        """Every value the unit was scored with, converted, derived measures included."""
        if self._env is None:
            self._env = self.ruleset.prepare(self._given)
        return self._env

    def _item(self, index: int) -> IndicatorResult:
        if self._items is None:
            self._items = [None] * len(self.scores)
        item = self._items[index]
        if item is None:
            item = self._items[index] = IndicatorResult(self, index)
        return item

    def __getitem__(self, indicator_id: str) -> IndicatorResult:
        try:
            return self._item(self.ruleset.index_of(indicator_id))
        except KeyError:
            raise KeyError(M("no_indicator", id=repr(indicator_id), ruleset=repr(self.ruleset.id))) from None

    def __iter__(self) -> Iterator[IndicatorResult]:
        return (self._item(i) for i in range(len(self.scores)))

    def __len__(self) -> int:
        return len(self.scores)

    @property
    def indicators(self) -> list[IndicatorResult]:
        return list(self)

    @property
    def unknown(self) -> tuple[HiddenRow, ...]:
        """The rows the table does not show whose score is unknown: while there is one, the total
        is None, and outputs say which rows it lacks."""
        return tuple(row for row, score in zip(self.ruleset.hidden, self.hidden, strict=True) if score is None)

    @property
    def bounds(self) -> dict[str, Bound]:
        """The values given as bounds ("≥90%"), by measure: each is scored as its bound, which
        the explanation and every output note. Looked for only where a value is a text that may
        write one, so that units of plain numbers cost nothing here."""
        if self._env is None:
            given = self._given
            if given is None:  # the ruleset's own [values], converted when it loaded
                return {name: value for name, value in self.ruleset.values.items() if type(value) is Bound}
            if not any(type(v) is str and _BOUND_MARK.search(v) for v in given.values()):
                return {}
        return {name: value for name, value in self.values.items() if type(value) is Bound}

    def explain(self, lang: str | None = None) -> str:
        """Every indicator's score with how it came about, in Chinese (``zh``) or English (``en``)."""
        from .explain import explain_result

        return explain_result(self, lang)

    def to_dict(self) -> dict[str, Any]:
        """A plain structure of Decimals, strings and lists (the JSON output uses it)."""
        rows = []
        for item in self:
            row: dict[str, Any] = {
                "id": item.id,
                "name": item.name,
                "path": list(item.indicator.path),
                "weight": item.weight,
                "score": item.score,
                "rate": item.rate,
                "status": item.status,
            }
            if item.override is not None:
                row["computed"] = item.computed
                row["override_reason"] = item.override.reason
            if item.missing:
                row["missing"] = list(item.missing)
            if item.indicator.bonus:
                row["bonus"] = True
            rows.append(row)
        out: dict[str, Any] = {"ruleset": self.ruleset.id}
        if self.unit is not None:
            out["unit"] = self.unit
        out.update(total=self.total, grade=self.grade, indicators=rows)
        if self.ruleset.hidden:
            out["hidden"] = [
                {"id": row.id, "name": row.name, "path": list(row.path), "weight": row.weight, "score": score}
                | ({"bonus": True} if row.bonus else {})
                for row, score in zip(self.ruleset.hidden, self.hidden, strict=True)
            ]
        bounds = self.bounds
        if bounds:
            out["bounds"] = {
                name: {"value": Decimal(b), "bound": b.side, "given": b.text} for name, b in bounds.items()
            }
        return out

    def __repr__(self) -> str:
        unit = f"unit={self.unit!r}, " if self.unit is not None else ""
        return f"Result({unit}total={self.total}, grade={self.grade!r})"
