"""Grids of cells (a CSV file, a sheet, the records of ``rows`` in TOML or JSON) read into the rows of
a table: the header row (one row, or two), the funds block of the national form, total and grade
rows, the labels of hierarchical tables."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from ...errors import Location
from ...hierarchy import TOTAL_LABELS, normalize_name, subtotal_name
from ...messages import Catalog
from .cells import COLUMNS, GRADE_LABELS, Cell, ReportedFileError, Row, Table, blank, column_field, norm
from .cells import M as CELLS

M = Catalog(
    "audit.readers.grid",
    {
        "no_header": (
            "{name} 中没有表头行：须有一列指标，以及一列得分或分值",
            "{name} has no header row with an indicator column and a score or weight column",
        ),
    },
)

_TOTAL_ROWS = frozenset(norm(x) for x in TOTAL_LABELS)
#: Columns that hold a level of the hierarchy; the indicator column is the deepest of them.
_LEVEL_COLUMNS = frozenset(norm(x) for x in ("一级指标", "二级指标", "三级指标", "四级指标"))
_GRADE_ROWS = frozenset(norm(x) for x in GRADE_LABELS)


# ---- grids (CSV, Excel, and rows of TOML and JSON) --------------------------------------------
def from_grid(grid: Sequence[Sequence[Cell]], name: str, *, fail: bool = True) -> Any:
    """The table in ``grid``: its header row is the first of the first 20 rows that names an
    indicator column and a score or weight column."""

    def is_header(row: Sequence[Cell]) -> bool:
        found = {f for c in row if isinstance(c.value, str) and (f := column_field(c.value))}
        return "indicator" in found and bool({"score", "weight"} & found)

    for n, row in enumerate(grid[:20]):
        below = grid[n + 1] if n + 1 < len(grid) else []
        if is_header(row):
            header, skip = list(row), 1
        elif not is_header(below) and is_header(pair := _two_rows(row, below)):
            header, skip = pair, 2
        else:
            continue
        table = Table(name)
        _funds_block(grid[:n], table)
        grid_rows(header, grid[n + skip :], table)
        return table
    if not fail:
        return None
    raise ReportedFileError(
        M("no_header", name=name),
        location=Location(name, 1, 1),
        hint=CELLS("name_columns"),
    )


def _two_rows(top: Sequence[Cell], below: Sequence[Cell]) -> list[Cell]:
    """A header printed over two rows (绩效指标 merged over 一级/二级/三级指标, 分值 and 得分
    merged down): each column's name from the lower row where it has one, else the upper."""
    out: list[Cell] = []
    for i in range(max(len(top), len(below))):
        low = below[i] if i < len(below) else Cell(None, None)
        high = top[i] if i < len(top) else Cell(None, None)
        out.append(low if isinstance(low.value, str) and low.value.strip() else high)
    return out


#: The row of the national 项目支出绩效自评表 that scores the budget's execution (年度资金总额).
FUNDS_LABELS = ("年度资金总额", "资金总额", "项目资金总额")
FUNDS = frozenset(normalize_name(x) for x in FUNDS_LABELS)


def _funds_block(rows: Sequence[Sequence[Cell]], table: Table) -> None:
    """The funds block above the indicators of the national 项目支出绩效自评表: under a header
    with 分值, 执行率 and 得分, the row 年度资金总额 scores the budget's execution (its indicator
    is the one named 预算执行率 or the like; its 执行率 is a figure of that indicator's measure)."""
    columns: dict[str, int] = {}
    for row in rows:
        names = {norm(c.value): i for i, c in enumerate(row) if isinstance(c.value, str)}
        found = {column_field(text): i for text, i in names.items() if column_field(text) in ("weight", "score")}
        if "weight" in found and "score" in found:
            columns = {f: i for f, i in found.items() if f is not None}
            rate = next((i for text, i in names.items() if text.endswith("执行率")), None)
            if rate is not None:
                columns["funds_rate"] = rate
            continue
        if not columns:
            continue
        label = next((c for c in row if isinstance(c.value, str) and norm(c.value) in FUNDS), None)
        if label is None:
            continue
        cells = {f: row[i] for f, i in columns.items() if i < len(row) and not blank(row[i].value)}
        funds_rate = cells.pop("funds_rate", None)
        if cells:
            table.rows.append(Row({"indicator": label, **cells}, label.location, funds_rate=funds_rate))
        columns = {}


def grid_rows(header: Sequence[Cell], body: Sequence[Sequence[Cell]], table: Table) -> None:
    """Read the rows under ``header`` into ``table``. Columns it does not know are ignored."""
    fields = {i: f for i, c in enumerate(header) if isinstance(c.value, str) and (f := column_field(c.value))}
    # one column per field, the first of it; for the indicator, an id column before the deepest
    # level of the hierarchy (三级指标 before 二级指标) before a name column
    used: dict[str, int] = {}
    for i, f in sorted(fields.items()):
        used.setdefault(f, i)
    rank = {norm(alias): n for n, alias in enumerate(COLUMNS["indicator"])}
    names = [i for i, f in fields.items() if f == "indicator"]
    if names:
        used["indicator"] = min(names, key=lambda i: (rank.get(norm(str(header[i].value)), len(rank)), i))
    levels = sorted(
        i for i, c in enumerate(header) if isinstance(c.value, str) and (norm(c.value) in _LEVEL_COLUMNS or i in names)
    )
    before = min((i for f, i in used.items() if f in ("weight", "score", "rate")), default=len(header))
    for row in body:
        cells = {f: row[i] for f, i in used.items() if i < len(row) and not blank(row[i].value)}
        if _grade_or_total(row, before, cells, table):
            continue
        label = _row_label(row, cells.get("indicator"), used.get("indicator"), levels)
        weighted = label is not None and isinstance(label.value, str) and label_weight(label.value) is not None
        if not any(f != "note" for f in cells) and not weighted:
            continue  # an empty row, or a heading without a weight (or a footnote): nothing to check
        if label is not None:
            cells["indicator"] = label
        if "grade" in cells and label is None:
            table.grade = cells["grade"]
            continue
        if label is None:
            first = next(iter(cells.values()))
            table.problem(CELLS("no_indicator"), first.location)
            continue
        table.rows.append(Row(cells, label.location))


def _grade_or_total(row: Sequence[Cell], before: int, cells: dict[str, Cell], table: Table) -> bool:
    """Read ``row`` if it holds the total or the grade: its label (合计, 评价等级 …) in any cell
    before the figure columns (the indicator column, a level column, 序号, the national form's
    绩效指标 column); the total in its score cell; the grade in its grade cell, else in the first
    cell after the label."""
    for i in range(min(before, len(row))):
        if i >= len(row) or not isinstance(row[i].value, str):
            continue
        text = norm(row[i].value)
        after = next((c for c in row[i + 1 :] if not blank(c.value)), None)
        if text in _TOTAL_ROWS:
            table.total = cells.get("score") or table.total
            table.grade = cells.get("grade") or table.grade
            return True
        if text in _GRADE_ROWS:
            table.grade = cells.get("grade") or after or table.grade
            return True
    return False


def _row_label(row: Sequence[Cell], label: Cell | None, column: int | None, levels: Sequence[int]) -> Cell | None:
    """What a row of a hierarchical table is about: its indicator cell; where that is blank, the
    deepest level cell that is not (a group's subtotal row: 一级指标 "产出指标", the rest blank);
    a bare "小计" under a group's name becomes that group's subtotal ("产出指标小计")."""
    texts = [row[i] for i in levels if i < len(row) and i != column and isinstance(row[i].value, str)]
    texts = [c for c in texts if c.value.strip()]
    if label is None or blank(label.value):
        return texts[-1] if texts else label
    if isinstance(label.value, str) and subtotal_name(label.value) == "":
        left = [c for c in texts if column is not None and c.location is not None and _left_of(c, row, column)]
        if left and subtotal_name(left[-1].value) is None:
            return Cell(f"{left[-1].value.strip()}{label.value.strip()}", label.location)
    return label


def _left_of(cell: Cell, row: Sequence[Cell], column: int) -> bool:
    return any(c is cell for c in row[:column])


_LABEL_WEIGHT = re.compile(r"\(\s*(\d+(?:\.\d+)?)\s*分\s*\)\s*$")


def label_weight(label: str) -> Decimal | None:
    """A weight printed in a group's label: "产出指标（50分）", "过程指标(16 分)"."""
    found = _LABEL_WEIGHT.search(unicodedata.normalize("NFKC", label))
    return Decimal(found.group(1)) if found is not None else None
