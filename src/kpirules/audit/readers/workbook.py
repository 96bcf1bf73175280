"""Published tables in Excel workbooks (``.xlsx``, with the ``excel`` extra), read with openpyxl: a
number keeps the decimals its cell displays, and a formula whose value the workbook does not store
is refused at its cell. (kpirules.workbook reads values files with python-calamine; the audit needs
what openpyxl gives: the number formats and the formulas behind cells that hold no value.)"""

from __future__ import annotations

import importlib
from decimal import Decimal
from pathlib import Path
from typing import Any

from ...errors import Location
from ...messages import Catalog
from ...model import Reported
from ...ruleset import Ruleset
from ..printed import C
from .build import build
from .cells import Cell, Formula, PercentCell, ReportedFileError, Table
from .cells import M as CELLS
from .grid import from_grid

M = Catalog(
    "audit.readers.workbook",
    {
        "needs_openpyxl": ("读取 {file} 需要 openpyxl", "reading {file} needs openpyxl"),
        "install": ("安装方法：pip install 'kpirules[excel]'", "install it with: pip install 'kpirules[excel]'"),
        "no_file": ("找不到文件：{name}", "no such file: {name}"),
        "unreadable": (
            "无法把 {name} 作为 Excel 工作簿读取：{reason}",
            "cannot read {name} as an Excel workbook: {reason}",
        ),
        "no_sheet": (
            "{name} 中没有一个工作表有这样的表头行：须有一列指标，以及一列得分或分值",
            "no sheet of {name} has a header row with an indicator column and a score or weight column",
        ),
        "other_sheets": ("其他工作表也都不符（共试了 {count} 个）", "no other sheet fits either ({count} tried)"),
        "hint_and": ("{hint}；{more}", "{hint}; {more}"),
    },
)


def read_excel(file: Path, name: str) -> list[Table]:
    """Every sheet of the workbook that has a header row, in order."""
    try:
        openpyxl = importlib.import_module("openpyxl")
    except ImportError:
        raise ReportedFileError(
            M("needs_openpyxl", file=file.name),
            hint=M("install"),
        ) from None
    if not file.exists():
        raise ReportedFileError(M("no_file", name=name))
    try:
        book = openpyxl.load_workbook(file, data_only=True)
        formulas = openpyxl.load_workbook(file, data_only=False)
    except Exception as err:  # openpyxl raises many kinds for a broken file
        raise ReportedFileError(M("unreadable", name=name, reason=err)) from None
    tables: list[Table] = []
    for sheet in book.worksheets:
        source = formulas[sheet.title]
        grid: list[list[Cell]] = []
        for row in sheet.iter_rows():
            cells = []
            for cell in row:
                where = Location(name, cell.row, cell.column, source_line=f"{sheet.title}!{cell.coordinate}")
                value = cell.value
                if value is None:  # a formula whose value the file does not hold
                    formula = source.cell(cell.row, cell.column).value
                    if isinstance(formula, str) and formula.startswith("="):
                        value = Formula(formula)
                cells.append(Cell(_excel_value(value, cell.number_format), where))
            grid.append(cells)
        table: Table | None = from_grid(grid, f"{name} [{sheet.title}]", fail=False)
        if table is not None:
            table.name = name
            table.source = table.source or f"{name} [{sheet.title}]"
            tables.append(table)
    if not tables:
        raise ReportedFileError(
            M("no_sheet", name=name),
            location=Location(name),
            hint=CELLS("name_columns"),
        )
    return tables


def first_sheet(tables: list[Table], ruleset: Ruleset) -> Reported:
    """The first sheet whose rows are the ruleset's indicators (a summary sheet before the table
    is passed over); if none is, the first sheet's problems."""
    first: ReportedFileError | None = None
    for table in tables:
        try:
            return build(table, ruleset)
        except ReportedFileError as err:
            first = first or err
    assert first is not None
    if len(tables) > 1:
        more = M("other_sheets", count=len(tables))
        first.hint = M("hint_and", hint=first.hint, more=more) if first.hint else more
    raise first


def _excel_value(value: Any, number_format: str) -> Any:
    """A cell's number as displayed: a float is read with the decimals of its number format."""
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float):
        fmt = (number_format or "General").split(";")[0]
        percent = "%" in fmt
        exact = Decimal(repr(value))
        if fmt == "General" or "0" not in fmt:
            return PercentCell(exact) if percent else exact
        places = sum(ch in "0#" for ch in fmt.split(".", 1)[1]) if "." in fmt else 0
        if not exact.is_finite() or exact.adjusted() >= 60:  # shown as ######## or 1E+300: no table's figure
            return PercentCell(exact) if percent else exact
        if percent:
            shown = exact.scaleb(2, context=C).quantize(Decimal(1).scaleb(-places), context=C)
            return PercentCell(shown.scaleb(-2, context=C))
        return exact.quantize(Decimal(1).scaleb(-places), context=C)
    return value
