"""``[reported]``: the table as a report prints it (total, grade, rows, subtotals) and the figures
its text prints, for the audit."""

from __future__ import annotations

import datetime
import re
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

from ..errors import Location, close_matches
from ..hierarchy import SubtotalError, resolve_subtotal
from ..model import (
    Group,
    HiddenRow,
    Indicator,
    Measure,
    Reported,
    ReportedFigure,
    ReportedRow,
    ReportedSubtotal,
)
from ..tomlspans import Path
from ..units import UnitMismatch, scale
from ..values import (
    ValueProblem,
    converter,
)
from .base import Base, _describe_path
from .words import M


class ReportedReader(Base):
    """Reads ``[reported]``."""

    #: The rows the table does not show (``visible = false``), read with the indicators.
    hidden: list[HiddenRow] = []  # noqa: RUF012 - replaced, never changed in place

    def reported(
        self, raw: Any, indicators: list[Indicator], measures: Mapping[str, Measure], groups: Sequence[Group] = ()
    ) -> Reported | None:
        """``[reported]``: the table as printed (total, grade, rows, subtotals) and the figures its
        text prints.

        Numbers keep their printed digits (``4.47``, ``"47.74%"`` as 0.4774): the audit compares
        them to the precision they were printed with."""
        if raw is None:
            return None
        path: Path = ("reported",)
        table = self.table(path, raw, _describe_path(path))
        if table is None:
            return None
        self.keys(path, table, ("total", "grade", "scores", "subtotals", "figures", "quote", "source"))
        total = self.get(path, table, "total", self.number)
        grade = self.get(path, table, "grade", self.string)
        locations = {key: loc for key in ("total", "grade") if (loc := self._reported_location((*path, key)))}
        rows: list[ReportedRow] = []
        by_id = {ind.id: ind for ind in indicators}
        by_name = {ind.name: ind.id for ind in indicators}
        scores = self.table((*path, "scores"), table.get("scores", {}), _describe_path((*path, "scores"))) or {}
        for iid, spec in scores.items():
            where: Path = (*path, "scores", iid)
            body = self.table(where, spec, _describe_path(where))
            if body is None:
                continue
            if iid not in by_id:
                close = close_matches(iid, list(by_id), n=1, cutoff=0.6)
                hint = (
                    M("reported_hidden", id=iid)
                    if any(row.id == iid for row in self.hidden)
                    else M("reported_by_name", name=iid, id=by_name[iid])
                    if iid in by_name
                    else M("did_you_mean", name=close[0])
                    if close
                    else M("reported_key")
                )
                self.problem(where, M("reported_unknown", id=iid), hint, key=True, code="KPI-R105")
                continue
            self.keys(where, body, ("name", "weight", "score", "rate", "text_rate", "text_score", "quote"))
            row_locations = {
                key: loc
                for key in ("name", "weight", "score", "rate", "text_rate", "text_score")
                if (loc := self._reported_location((*where, key)))
            }
            if (loc := self._reported_location(where, key=True)) is not None:
                row_locations["row"] = loc
            rows.append(
                ReportedRow(
                    indicator=iid,
                    name=self.get(where, body, "name", self.string),
                    weight=self.get(where, body, "weight", self.number),
                    score=self.get(where, body, "score", self.number),
                    rate=self.get(where, body, "rate", self.number_or_percent),
                    text_rate=self.get(where, body, "text_rate", self.number_or_percent),
                    text_score=self.get(where, body, "text_score", self.number),
                    quote=self.get(where, body, "quote", self.string),
                    locations=row_locations,
                )
            )
        figures = self._reported_figures(table.get("figures", []), measures)
        # a subtotal adds up the rows of its group the table does not show too (visible = false)
        shown_or_not: list[Indicator | HiddenRow] = [*indicators, *self.hidden]
        subtotals = self._reported_subtotals(table.get("subtotals", []), shown_or_not, groups)
        return Reported(
            total=total,
            grade=grade,
            rows=tuple(rows),
            figures=figures,
            quote=self.get(path, table, "quote", self.string),
            source=self.get(path, table, "source", self.string),
            locations=locations,
            subtotals=subtotals,
        )

    def _reported_subtotals(
        self, raw: Any, indicators: Sequence[Indicator | HiddenRow], groups: Sequence[Group]
    ) -> tuple[ReportedSubtotal, ...]:
        """``[[reported.subtotals]]``: subtotal rows as printed, each naming the group it adds up
        (by its printed name, by ``path``, or by listing its ``indicators``)."""
        if not isinstance(raw, list):
            self.problem(
                ("reported", "subtotals"),
                M("array_of_tables", key="subtotals", table="reported.subtotals"),
                code="KPI-S103",
            )
            return ()
        out: list[ReportedSubtotal] = []
        for i, spec in enumerate(raw):
            where: Path = ("reported", "subtotals", i)
            body = self.entry(where, spec, "[[reported.subtotals]]")
            if body is None:
                continue
            self.keys(where, body, ("name", "path", "indicators", "weight", "score", "rate"), ("name",))
            label = self.get(where, body, "name", self.string)
            group = self.get(where, body, "path", self.strings)
            ids = self.get(where, body, "indicators", self.strings)
            weight = self.get(where, body, "weight", self.number)
            score = self.get(where, body, "score", self.number)
            rate = self.get(where, body, "rate", self.number_or_percent)
            if label is None:
                continue
            try:
                path, members = resolve_subtotal(label, indicators, groups, path=group, ids=ids)
            except SubtotalError as err:
                key = "indicators" if ids is not None else "path" if group is not None else "name"
                self.problem((*where, key), str(err), err.hint or None, code="KPI-R105")
                continue
            locations = {
                key: loc
                for key in ("name", "weight", "score", "rate")
                if (loc := self._reported_location((*where, key)))
            }
            if "name" in locations:
                locations["row"] = locations["name"]
            out.append(ReportedSubtotal(label, members, path, weight, score, rate, locations=locations))
        return tuple(out)

    def _reported_location(self, path: Path, *, key: bool = False) -> Location | None:
        span = self.spans.get(path)
        if span is None:
            return None
        start, end = (span.key_start, span.key_end) if key else (span.value_start, span.value_end)
        return self.source.location(start, end)

    def _reported_figures(self, raw: Any, measures: Mapping[str, Measure]) -> tuple[ReportedFigure, ...]:
        """``[[reported.figures]]``: measured values as printed, each with its unit and a quote."""

        if not isinstance(raw, list):
            self.problem(
                ("reported", "figures"),
                M("array_of_tables", key="figures", table="reported.figures"),
                code="KPI-S103",
            )
            return ()
        out: list[ReportedFigure] = []
        for i, spec in enumerate(raw):
            where: Path = ("reported", "figures", i)
            body = self.entry(where, spec, "[[reported.figures]]")
            if body is None:
                continue
            self.keys(where, body, ("measure", "value", "unit", "quote", "where"), ("measure", "value"))
            name = self.get(where, body, "measure", self.string)
            unit = self.get(where, body, "unit", self.string)
            if name is None or "value" not in body:
                continue
            measure = measures.get(name)
            if measure is None:
                if name not in self.broken:
                    close = close_matches(name, list(measures), n=1, cutoff=0.6)
                    self.problem(
                        (*where, "measure"),
                        M("figure_unknown", name=name),
                        M("did_you_mean", name=close[0]) if close else M("declare_measure"),
                        code="KPI-R101",
                    )
                continue
            value = self._figure_value((*where, "value"), body["value"], measure)
            if value is None:
                continue
            number, printed_unit = value
            if printed_unit is not None and unit is not None and printed_unit != unit:
                self.problem(
                    (*where, "unit"),
                    M("figure_units", printed=printed_unit, unit=unit),
                    M("figure_units_hint"),
                    code="KPI-S104",
                )
                continue
            unit = unit if unit is not None else printed_unit
            if isinstance(number, Decimal):
                try:
                    scale(unit, measure.unit, measure.type)
                except UnitMismatch as err:
                    self.problem(
                        (*where, "unit") if "unit" in body else (*where, "value"),
                        M("figure_problem", name=name, problem=err),
                        code="KPI-S104",
                    )
                    continue
            elif unit is not None:
                self.problem((*where, "unit"), M("figure_no_unit", type=measure.type), code="KPI-S104")
                continue
            out.append(
                ReportedFigure(
                    measure=name,
                    value=number,
                    unit=unit,
                    quote=self.get(where, body, "quote", self.string),
                    where=self.get(where, body, "where", self.string),
                    location=self._reported_location((*where, "value")),
                )
            )
        return tuple(out)

    def _figure_value(self, path: Path, raw: Any, measure: Measure) -> tuple[Decimal | bool | str, str | None] | None:
        """A figure's value as printed and the unit written with it (``"1899305.84万元"``)."""
        if measure.type in ("bool", "level", "judged", "date"):
            from ..values import MissingValue

            try:
                value = converter(measure)(raw)
                return (value.isoformat() if isinstance(value, datetime.date) else value), None
            except ValueProblem as err:
                self.problem(path, M("figure_problem", name=measure.name, problem=err), err.hint, code="KPI-S104")
            except MissingValue:
                self.problem(path, M("figure_no_value", name=measure.name), code="KPI-S104")
            return None
        if isinstance(raw, str):
            match = _PRINTED.fullmatch(raw.strip())
            if match is None:
                self.problem(
                    path,
                    M("figure_not_printed", name=measure.name, raw=repr(raw)),
                    M("figure_not_printed_hint"),
                    code="KPI-S104",
                )
                return None
            digits, unit = match.group(1).replace(",", ""), match.group(2) or None
            return Decimal(digits), unit
        number = self.number(path, raw)
        return (number, None) if number is not None else None


#: A number as printed, with the unit written after it: "1899305.84万元", "1,899,305.84 元", "47.74%".
_PRINTED = re.compile(r"([+-]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?|[+-]?\.\d+)\s*([^\d\s.,+-][^\d]*)?")
