"""The relations of the figures a report prints (``[[reported.figures]]``): each figure against the
measured value it should equal, or for a derived measure the value its formula gives
(``figure-vs-value``); figures of a measure with no value against each other
(``figures-disagree``); the likely cause of a wrong figure (a unit, the decimal point, a digit).

Figures stand apart from the table's arithmetic: the reconstruction does not change them, and each
wrong one is a finding of its own."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from ...model import Measure, ReportedFigure
from ...units import MONEY, PERCENT, scale
from ...values import Converted
from ..findings import Cause, Finding
from ..printed import C, Slip, absurd, decimals, digit_slip, fits, half_unit, scale_slip
from ..recompute import figure_in_measure, figures_by_measure
from .base import Audited
from .rows import inputs_of


def borrowed(a: Audited) -> list[Finding]:
    """The note that measured values were taken from the printed figures, if some were."""
    if not a.rec.borrowed:
        return []
    return [Finding("values-from-figures", "info", facts={"values": inputs_of(a, a.rec.borrowed)})]


def findings(a: Audited) -> tuple[list[Finding], list[Finding]]:
    """Every figure that breaks a relation (errors), and the notes on figures left unchecked."""
    errors: list[Finding] = []
    notes: list[Finding] = []
    for name, figs in figures_by_measure(a.table).items():
        measure = a.rs.measures.get(name)
        if measure is None:  # pragma: no cover - the loader and the readers refuse these
            continue
        value = a.rec.measure_value(measure)
        if value is None:
            disagreeing(a, measure, figs, errors, notes)
            continue
        for fig in figs:
            finding = check(measure, fig, value)
            if finding is not None:
                errors.append(finding)
    return errors, notes


def check(measure: Measure, fig: ReportedFigure, value: Converted) -> Finding | None:
    """The finding about ``fig`` if it is not ``value`` as printed."""
    if isinstance(value, datetime.date):  # a date figure is read as its ISO text
        value = value.isoformat()
    facts: dict[str, Any] = {
        "label": measure.display,
        "quote": fig.quote,
        "where": fig.where,
        "value": value,
        "measure_unit": measure.unit,
        "derived": measure.formula_source.text if measure.formula_source is not None else None,
        "measure_type": measure.type,
    }
    if not isinstance(fig.value, Decimal) or not isinstance(value, Decimal):
        if fig.value == value:
            return None
        cause, expected, expected_unit = Cause("arithmetic"), value, None
    else:
        k = scale(fig.unit, measure.unit, measure.type)
        in_measure = fig.value.scaleb(k, context=C)
        tolerance = half_unit(fig.value).scaleb(k, context=C)
        if abs(C.subtract(value, in_measure)) <= tolerance:
            return None
        cause, expected, expected_unit = figure_cause(measure, fig, value, k)
    return Finding(
        "figure-vs-value",
        "error",
        None,
        "figure",
        fig.value,
        expected,
        cause,
        name=measure.display,
        measure=measure.name,
        unit=fig.unit,
        expected_unit=expected_unit,
        location=fig.location,
        facts=facts,
    )


def figure_cause(measure: Measure, fig: ReportedFigure, value: Decimal, k: int) -> tuple[Cause, Decimal, str | None]:
    """Why a printed figure differs from its value, and the figure that should have been printed
    (with its unit); ``k`` is the power of ten from the figure's unit to the measure's."""
    printed = fig.value
    assert isinstance(printed, Decimal)
    if absurd(value):  # a value no table prints: no slip of the pen makes the figure of it
        return Cause("arithmetic"), value, measure.unit
    unit = _unit_slip(measure, fig, value)
    if unit is not None:
        return unit
    meant = value.scaleb(-k, context=C)
    shown = _as_printed(meant, printed)
    factor = scale_slip(printed, meant)
    if factor:
        return Cause("scale", slip=Slip("scale", factor=factor)), shown, fig.unit
    slip = digit_slip(printed, meant)
    if slip is not None:
        return Cause(slip.code, slip=slip), shown, fig.unit
    return Cause("arithmetic"), shown, fig.unit


def _unit_slip(measure: Measure, fig: ReportedFigure, value: Decimal) -> tuple[Cause, Decimal, str | None] | None:
    """A figure that is ``value`` in another unit than it says (元 for 万元, % for a fraction)."""
    printed = fig.value
    assert isinstance(printed, Decimal)
    if measure.unit in MONEY and (fig.unit in MONEY or fig.unit is None):
        for unit in MONEY:
            if unit == (fig.unit or measure.unit):
                continue
            k2 = scale(unit, measure.unit, measure.type)
            if fits(printed, value.scaleb(-k2, context=C)):
                return Cause("unit", printed_unit=fig.unit or measure.unit, meant_unit=unit), printed, unit
    if measure.type in ("rate", "number") and (fig.unit in PERCENT or fig.unit is None):
        for sign in (None, "%"):
            if sign == fig.unit:
                continue
            k2 = scale(sign, measure.unit, measure.type)
            if fits(printed, value.scaleb(-k2, context=C)):
                return Cause("unit", printed_unit=fig.unit or "", meant_unit=sign or ""), printed, sign
    return None


def disagreeing(
    a: Audited, measure: Measure, figs: list[ReportedFigure], errors: list[Finding], notes: list[Finding]
) -> None:
    """Figures of a measure with no value: they must at least agree with each other."""
    converted = [(f, figure_in_measure(f, measure)) for f in figs]
    groups: list[list[tuple[ReportedFigure, Any]]] = []
    for fig, conv in converted:
        if conv is None:
            continue
        for group in groups:
            if _agree(conv, group[0][1]):
                group.append((fig, conv))
                break
        else:
            groups.append([(fig, conv)])
    if len(groups) <= 1:
        if len(groups) == 1 and measure.name not in a.rec.env:
            facts = {"label": measure.display, "count": len(figs)}
            notes.append(Finding("figure-unchecked", "info", measure=measure.name, name=measure.display, facts=facts))
        return
    groups.sort(key=len, reverse=True)
    majority = groups[0] if len(groups[0]) > len(groups[1]) else None
    for group in groups[1:] if majority is not None else groups:
        for fig, _conv in group:
            expected: Decimal | str | bool | None = None
            cause = None
            expected_unit = fig.unit
            if majority is not None:
                value = majority[0][1][0]
                if isinstance(value, Decimal) and isinstance(fig.value, Decimal):
                    k = scale(fig.unit, measure.unit, measure.type)
                    cause, expected, expected_unit = figure_cause(measure, fig, value, k)
                else:
                    expected = value
            others = [(f.value, f.unit, f.quote) for f, _ in converted if f is not fig]
            errors.append(
                Finding(
                    "figures-disagree",
                    "error",
                    None,
                    "figure",
                    fig.value,
                    expected,
                    cause,
                    name=measure.display,
                    measure=measure.name,
                    unit=fig.unit,
                    expected_unit=expected_unit,
                    location=fig.location,
                    facts={"label": measure.display, "quote": fig.quote, "where": fig.where, "others": others},
                )
            )


def _agree(a: tuple[Any, Decimal], b: tuple[Any, Decimal]) -> bool:
    if isinstance(a[0], Decimal) and isinstance(b[0], Decimal):
        return bool(a[0] - a[1] <= b[0] + b[1] and b[0] - b[1] <= a[0] + a[1])
    return bool(a[0] == b[0])


def _as_printed(value: Decimal, like: Decimal) -> Decimal:
    """``value`` with the decimals ``like`` was printed with, if that is exact; else as it is."""
    if absurd(value):
        return value
    quantized = value.quantize(Decimal(1).scaleb(-decimals(like)), context=C)
    return quantized if quantized == value else value.normalize(C)
