"""A table of cells, from any reader, checked against the ruleset and built into a
:class:`~kpirules.model.Reported`: rows matched to indicators, subtotals, numbers and rates as
printed, figures of measures; every problem collected, at its cell."""

from __future__ import annotations

import datetime
import re
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

from ...errors import KpiRulesError, Location, close_matches
from ...hierarchy import SubtotalError, resolve_subtotal, strip_enumerator, strip_note, subtotal_name
from ...messages import Catalog
from ...model import Measure, Reported, ReportedFigure, ReportedRow, ReportedSubtotal
from ...ruleset import Ruleset
from ...units import UnitMismatch, scale
from ...values import MissingValue, ValueProblem, converter
from ..printed import MAX_DIGITS, C, brief, printable, show_rate
from .cells import Cell, Formula, PercentCell, ReportedFileError, Row, Table, clip, norm, shown
from .cells import M as CELLS
from .grid import FUNDS, label_weight

M = Catalog(
    "audit.readers.build",
    {
        # ---- rows and indicators -------------------------------------------------------------------
        "several": ("`{label}` 可指多个指标：{ids}", "`{label}` names several indicators: {ids}"),
        "use_id": ("请改用指标的 id", "use the id"),
        "no_execution": (
            "`{label}` 是预算执行情况的得分，而规则集 `{ruleset}` 中没有对应的指标",
            "`{label}` scores the budget's execution, and no indicator of ruleset `{ruleset}` is it",
        ),
        "name_execution": (
            "请把该指标命名为 预算执行率（或在表格中给它一行，以它的名称为行名）",
            "name the indicator 预算执行率 (or give the table a row named after it)",
        ),
        "unknown": (
            "规则集 `{ruleset}` 中没有名为 `{label}` 的指标",
            "no indicator of ruleset `{ruleset}` is called `{label}`",
        ),
        "did_you_mean": ("是否应为 {names}？", "did you mean {names}?"),
        "or": (" 或 ", " or "),
        "name_rows": (
            "请用规则集中指标的 id 或名称作为每一行的名称",
            "name each row by an indicator's id or its name in the ruleset",
        ),
        "two_rows": ("指标 `{id}` 有两行", "indicator `{id}` has two rows"),
        "first_at": ("第一行在 {where}", "the first is at {where}"),
        "grade_label": ("等级须填写等级名称，例如 优", "the grade must be a label such as 优"),
        # ---- numbers and rates -----------------------------------------------------------------------
        "formula": (
            "`{field}` 是公式 {formula}，而工作簿中没有保存它的值",
            "`{field}` is the formula {formula} and the workbook holds no value for it",
        ),
        "recalculate": (
            "请用 Excel 或 LibreOffice 打开并保存该工作簿，使其保存计算结果；或将其导出为 CSV",
            "open the workbook in Excel or LibreOffice and save it, so it stores the values, or export it as CSV",
        ),
        "bool": ("`{field}` 必须是数字，而不是 {value}", "`{field}` must be a number, not {value}"),
        "exponent": ("`{field}`：{text} 是用指数形式写的", "`{field}`: {text} is written with an exponent"),
        "as_printed": (
            "请按表格印出的样子写数字，例如 93.74 或 47.74%",
            "write the figure as the table prints it, such as 93.74 or 47.74%",
        ),
        "not_a_number": ("`{field}`：{value} 不是数字", "`{field}`: {value} is not a number"),
        "not_a_rate": ("`{field}`：{value} 不是比率", "`{field}`: {value} is not a rate"),
        "write_rate": ('请写成 "47.74%" 或 0.4774', 'write it as "47.74%" or 0.4774'),
        # ---- figures of measures ---------------------------------------------------------------------
        "figure_needs": ("报告数字须有 `{key}`", "a figure needs `{key}`"),
        "figure_unknown": ("未知数据项 `{name}` 的报告数字", "figure of unknown measure `{name}`"),
        "figure_did_you_mean": ("是否应为 `{name}`？", "did you mean `{name}`?"),
        "name_measure": ("请写规则集中的一个数据项", "name a measure of the ruleset"),
        "unit_not_a_string": ("`unit` 必须是字符串", "`unit` must be a string"),
        "figure_problem": ("数据项 `{name}` 的报告数字：{problem}", "figure of `{name}`: {problem}"),
        "no_value": ("没有数值", "no value"),
        "figure_not_printed": (
            "数据项 `{name}` 的报告数字：{value} 不是按报告印法写出的数字",
            "figure of `{name}`: {value} is not a number as printed",
        ),
        "figure_units": (
            "数值以 {printed} 印出，但 `unit` 写的是 {unit}",
            "the value is printed in {printed} but `unit` says {unit}",
        ),
        "figure_not_a_number": (
            "数据项 `{name}` 的报告数字：{value} 不是数字",
            "figure of `{name}`: {value} is not a number",
        ),
        # ---- numbers no table prints -------------------------------------------------------------------
        "unprintable": (
            "{who}：`{field}` = {shown} 不是表格会印出的数字：{why}",
            "{who}: `{field}` = {shown} is not a figure a table prints: {why}",
        ),
        "infinite": ("它不是有限的数", "it is not a finite number"),
        "too_large": ("小数点前超过 {digits} 位", "it has more than {digits} digits before the decimal point"),
        "too_small": ("小数超过 {digits} 位", "it has more than {digits} decimals"),
        "check_cell": (
            "请核对该单元格，并按表格印出的样子写数字，例如 93.74 或 47.74%",
            "check the cell, and write the figure as the table prints it, such as 93.74 or 47.74%",
        ),
        "the_table": ("表格", "the table"),
        "a_figure": ("数据项 `{measure}` 的一个报告数字", "a figure of `{measure}`"),
    },
)
_EXPONENT = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)[eE][+-]?\d+")
_NUMBER = re.compile(r"[+-]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?|[+-]?\.\d+")
_PRINTED = re.compile(r"([+-]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?|[+-]?\.\d+)\s*([^\d\s.,+-][^\d]*)?")


# ---- building the Reported --------------------------------------------------------------------
def build(table: Table, ruleset: Ruleset) -> Reported:  # noqa: C901 - matches each printed row to an indicator by id, name or path, one case a branch
    by_id = {ind.id: ind.id for ind in ruleset.indicators}
    by_name: dict[str, list[str]] = {}
    for ind in ruleset.indicators:
        by_name.setdefault(norm(ind.name), []).append(ind.id)
        by_name.setdefault(norm(ind.id), []).append(ind.id)
    percent_columns = _percent_columns(table)
    rows: list[ReportedRow] = []
    subtotals: list[ReportedSubtotal] = []
    seen: dict[str, Location | None] = {}
    above: list[str] = []  # indicator rows since the last subtotal or heading: what a bare 小计 adds up
    for row in table.rows:
        label = row.key if row.key is not None else row.cells["indicator"].value if "indicator" in row.cells else None
        where = row.cells["indicator"].location if row.key is None and "indicator" in row.cells else row.location
        if label is None or not isinstance(label, (str, Decimal)):
            table.problem(CELLS("no_indicator"), where)
            continue
        label = str(label).strip()
        if row.subtotal:
            _subtotal(row, label, where, (), ruleset, table, subtotals, percent_columns)
            continue
        iid = by_id.get(label)
        if iid is None:
            bare = strip_enumerator(norm(label))
            matches = sorted(set(by_name.get(norm(label)) or by_name.get(bare) or by_name.get(strip_note(bare), [])))
            if len(matches) > 1:
                table.problem(M("several", label=clip(label), ids=", ".join(matches)), where, M("use_id"))
                continue
            if not matches and norm(label) in FUNDS:
                matches = _execution_indicator(ruleset)
                if not matches:
                    table.problem(M("no_execution", label=label, ruleset=ruleset.id), where, M("name_execution"))
                    continue
            if not matches and _subtotal(row, label, where, above, ruleset, table, subtotals, percent_columns):
                above = []
                continue
            if not matches:
                names = [ind.name for ind in ruleset.indicators] + list(by_id)
                close = close_matches(label[:200], names, n=2, cutoff=0.5)
                table.problem(
                    M("unknown", ruleset=ruleset.id, label=clip(label)),
                    where,
                    M("did_you_mean", names=M("or").join(f"`{c}`" for c in close)) if close else M("name_rows"),
                )
                continue
            iid = matches[0]
        if iid in seen:
            table.problem(M("two_rows", id=iid), where, M("first_at", where=seen[iid]))
            continue
        seen[iid] = where
        above.append(iid)
        measure = ruleset.indicator(iid).measure
        if row.funds_rate is not None and measure is not None and ruleset.measures[measure].type == "rate":
            table.figures.append(({"measure": Cell(measure, None), "value": row.funds_rate}, row.funds_rate.location))
        cells = row.cells
        values: dict[str, Any] = {}
        locations: dict[str, Location] = {}
        for field in ("weight", "score", "text_score"):
            if field in cells:
                values[field] = _number(cells[field], field, table)
        for field in ("rate", "text_rate"):
            if field in cells:
                values[field] = _rate(cells[field], field, table, percent=field in percent_columns)
        said = [str(cells[f].value).strip() for f in ("quote", "note") if f in cells]
        if said:  # the text's quote and the table's 备注: what the report says of the row
            values["quote"] = "；".join(x for x in said if x) or None
        if "indicator" in cells and isinstance(cells["indicator"].value, str) and row.key is None:
            values["name"] = cells["indicator"].value
        elif row.key is not None and row.key not in by_id:
            values["name"] = row.key
        for field, cell in cells.items():
            if cell.location is not None:
                locations[field] = cell.location
        if where is not None:
            locations["row"] = where
        rows.append(ReportedRow(indicator=iid, locations=locations, **values))
    total = _number(table.total, "total", table) if table.total is not None else None
    grade = None
    if table.grade is not None:
        if isinstance(table.grade.value, str) and table.grade.value.strip():
            grade = table.grade.value.strip()
        else:
            table.problem(M("grade_label"), table.grade.location)
    figures = [f for cells, at in table.figures if (f := _figure(cells, at, ruleset, table)) is not None]
    if table.problems:
        raise ReportedFileError.collect(table.problems)
    locations = {}
    if table.total is not None and table.total.location is not None:
        locations["total"] = table.total.location
    if table.grade is not None and table.grade.location is not None:
        locations["grade"] = table.grade.location
    return Reported(
        total=total,
        grade=grade,
        rows=tuple(rows),
        figures=tuple(figures),
        quote=table.quote,
        source=table.source or table.name,
        locations=locations,
        subtotals=tuple(subtotals),
    )


def _execution_indicator(ruleset: Ruleset) -> list[str]:
    """The indicator that scores the budget's execution: the one whose name has 执行 and 预算
    or 资金 (预算执行率, 资金执行率), if there is exactly one."""
    found = [ind.id for ind in ruleset.indicators if "执行" in ind.name and ("预算" in ind.name or "资金" in ind.name)]
    return found if len(found) == 1 else []


def _subtotal(
    row: Row,
    label: str,
    where: Location | None,
    above: Sequence[str],
    ruleset: Ruleset,
    table: Table,
    out: list[ReportedSubtotal],
    percent_columns: set[str],
) -> bool:
    """Read ``row`` as a subtotal (or a group's heading, which has no figures) into ``out``.
    False when ``label`` is neither a subtotal label nor a group's name: then it is an unknown
    indicator, and the caller says so."""
    try:
        path, ids = resolve_subtotal(label, ruleset.rows, ruleset.groups, path=row.path, ids=row.ids, above=above)
    except SubtotalError as err:
        if not row.subtotal and subtotal_name(label) is None:
            return False
        table.problem(str(err), where, err.hint or None)
        return True
    cells = dict(row.cells)
    labelled = label_weight(label)
    if "weight" not in cells and labelled is not None:  # "二、过程指标（16分）"
        cells["weight"] = Cell(labelled, where)
    if not row.subtotal and not any(f in cells for f in ("weight", "score", "rate")):
        return True  # a heading: "一、产出指标" above its rows
    figures: dict[str, Decimal | None] = {}
    for field in ("weight", "score"):
        if field in cells:
            figures[field] = _number(cells[field], field, table)
    if "rate" in cells:
        figures["rate"] = _rate(cells["rate"], "rate", table, percent="rate" in percent_columns)
    locations = {f: c.location for f, c in cells.items() if c.location is not None and f in ("weight", "score", "rate")}
    if where is not None:
        locations["row"] = where
    out.append(ReportedSubtotal(label, ids, path, locations=locations, **figures))
    return True


def _percent_columns(table: Table) -> set[str]:
    """Rate columns written as bare percentages: every number without %, some above 1."""
    out = set()
    for field in ("rate", "text_rate"):
        cells = [row.cells[field].value for row in table.rows if field in row.cells]
        numbers = []
        for value in cells:
            if isinstance(value, PercentCell):
                break
            if isinstance(value, str):
                text = value.strip()
                if text.endswith(("%", "％", "‰")) or not _NUMBER.fullmatch(text):
                    break
                numbers.append(Decimal(text.replace(",", "")))
            elif isinstance(value, (int, Decimal)) and not isinstance(value, bool) and Decimal(value).is_finite():
                numbers.append(Decimal(value))
            else:
                break
        else:
            if numbers and any(n > 1 for n in numbers):
                out.add(field)
    return out


def _number(cell: Cell, field: str, table: Table) -> Decimal | None:
    value = cell.value
    if isinstance(value, Formula):
        table.problem(M("formula", field=field, formula=value), cell.location, M("recalculate"))
        return None
    if isinstance(value, bool):
        table.problem(M("bool", field=field, value=value), cell.location)
        return None
    if isinstance(value, (int, Decimal)):
        return Decimal(value)
    if isinstance(value, float):  # pragma: no cover - every reader gives Decimals
        return Decimal(repr(value))
    if isinstance(value, str):
        text = value.strip().removesuffix("分").strip()
        if _NUMBER.fullmatch(text):
            return Decimal(text.replace(",", ""))
    if isinstance(value, str) and _EXPONENT.fullmatch(value.strip()):
        table.problem(M("exponent", field=field, text=clip(value.strip())), cell.location, M("as_printed"))
        return None
    table.problem(M("not_a_number", field=field, value=shown(value)), cell.location)
    return None


def _rate(cell: Cell, field: str, table: Table, *, percent: bool) -> Decimal | None:
    value = cell.value
    if isinstance(value, Formula):
        return _number(cell, field, table)
    if isinstance(value, PercentCell):
        return Decimal(value)
    if isinstance(value, str):
        text = value.strip().replace("％", "%")
        digits = text[:-1].strip() if text.endswith("%") else text
        if _NUMBER.fullmatch(digits):
            parsed = Decimal(digits.replace(",", ""))
            return parsed.scaleb(-2, context=C) if percent or text.endswith("%") else parsed
        if _EXPONENT.fullmatch(digits):
            table.problem(M("exponent", field=field, text=clip(text)), cell.location, M("as_printed"))
            return None
        table.problem(M("not_a_rate", field=field, value=shown(value)), cell.location, M("write_rate"))
        return None
    number = _number(cell, field, table)
    if number is None:
        return None
    return number.scaleb(-2, context=C) if percent else number


def _figure(cells: Mapping[str, Cell], at: Location | None, ruleset: Ruleset, table: Table) -> ReportedFigure | None:
    for key in ("measure", "value"):
        if key not in cells:
            table.problem(M("figure_needs", key=key), at)
            return None
    name = cells["measure"].value
    measure: Measure | None = ruleset.measures.get(name) if isinstance(name, str) else None
    if measure is None:
        close = close_matches(str(name)[:200], list(ruleset.measures), n=1, cutoff=0.6)
        table.problem(
            M("figure_unknown", name=clip(name)),
            cells["measure"].location,
            M("figure_did_you_mean", name=close[0]) if close else M("name_measure"),
        )
        return None
    raw = cells["value"]
    unit_cell = cells.get("unit")
    unit = unit_cell.value if unit_cell is not None else None
    if unit is not None and not isinstance(unit, str):
        table.problem(M("unit_not_a_string"), unit_cell.location if unit_cell else at)
        return None
    value: Decimal | bool | str
    if measure.type in ("bool", "level", "judged", "date"):
        try:
            converted = converter(measure)(raw.value)
            value = converted.isoformat() if isinstance(converted, datetime.date) else converted
        except (ValueProblem, MissingValue) as err:
            table.problem(M("figure_problem", name=measure.name, problem=err or M("no_value")), raw.location)
            return None
    elif isinstance(raw.value, str):
        match = _PRINTED.fullmatch(raw.value.strip())
        if match is None:
            table.problem(M("figure_not_printed", name=measure.name, value=shown(raw.value)), raw.location)
            return None
        value = Decimal(match.group(1).replace(",", ""))
        printed_unit = match.group(2) or None
        if printed_unit is not None and unit is not None and printed_unit != unit:
            table.problem(M("figure_units", printed=clip(printed_unit), unit=clip(unit)), raw.location)
            return None
        unit = unit or printed_unit
    elif isinstance(raw.value, (int, Decimal)) and not isinstance(raw.value, bool):
        value = Decimal(raw.value)
    else:
        table.problem(M("figure_not_a_number", name=measure.name, value=shown(raw.value)), raw.location)
        return None
    if isinstance(value, Decimal):
        try:
            scale(unit, measure.unit, measure.type)
        except UnitMismatch as err:
            table.problem(M("figure_problem", name=measure.name, problem=err), (unit_cell or raw).location)
            return None
    quote = cells.get("quote")
    place = cells.get("where")
    return ReportedFigure(
        measure=measure.name,
        value=value,
        unit=unit,
        quote=str(quote.value) if quote is not None else None,
        where=str(place.value) if place is not None else None,
        location=raw.location,
    )


def check_printable(table: Reported, ruleset: Ruleset) -> None:
    """Refuse a table that prints a number no table prints (1E+400, 1E-400: beyond
    :data:`~kpirules.audit.printed.MAX_DIGITS` digits before or after the point), at its cell, with
    every such number at once. Nothing else about a printed figure is an error: a wrong one is a
    finding."""
    problems: list[KpiRulesError] = []

    def check(value: Any, who: str, field: str, where: Location | None) -> None:
        if not isinstance(value, Decimal) or isinstance(value, bool) or printable(value):
            return
        shown = brief(value)
        if field in ("rate", "text_rate") and value.is_finite():
            shown += f" ({show_rate(value)})"
        why = (
            M("infinite")
            if not value.is_finite()
            else M("too_large", digits=MAX_DIGITS)
            if value and value.adjusted() >= MAX_DIGITS
            else M("too_small", digits=MAX_DIGITS)
        )
        message = M("unprintable", who=who, field=field, shown=shown, why=why)
        problems.append(ReportedFileError(message, location=where, hint=M("check_cell")))

    names = {ind.id: ind.name for ind in ruleset.indicators}
    for row in table.rows:
        who = row.name or names.get(row.indicator, row.indicator)
        for field in ("weight", "score", "rate", "text_rate", "text_score"):
            check(getattr(row, field), who, field, row.locations.get(field) or row.locations.get("row"))
    for sub in table.subtotals:
        for field in ("weight", "score", "rate"):
            check(getattr(sub, field), sub.label, field, sub.locations.get(field) or sub.locations.get("row"))
    check(table.total, M("the_table"), "total", table.locations.get("total") or table.locations.get("table"))
    for fig in table.figures:
        check(fig.value, M("a_figure", measure=fig.measure), "value", fig.location)
    if problems:
        raise ReportedFileError.collect(problems)
