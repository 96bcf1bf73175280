"""What every reader of a published table produces: cells that know where they were read, the
rows and the table they fill, and the names of the columns; the errors of a table that cannot be read."""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path
from typing import Any

import attrs

from ...errors import KpiRulesError, Location
from ...hierarchy import normalize_name, strip_note
from ...messages import Catalog
from ...source import SPREADSHEET_ENCODINGS, read_text

#: The words every reader of a published table says: a cell cut short, a row without an
#: indicator, how to name the columns.
M = Catalog(
    "audit.readers.cells",
    {
        "clipped": ("{text}…（共 {count:,} 个字符）", "{text}…({count:,} characters)"),
        "no_indicator": ("这一行没有写明指标", "this row names no indicator"),
        "name_columns": (
            "请把各列命名为 指标名称、权重、得分、得分率（或 id、weight、score、rate）",
            "name the columns 指标名称, 权重, 得分, 得分率 (or id, weight, score, rate)",
        ),
    },
)


class ReportedFileError(KpiRulesError):
    """A reported table that cannot be read, or whose rows name no indicator."""


_CLIP = 60


def clip(value: Any) -> str:
    """A cell or key as a message quotes it: its text, cut short past 60 characters (a cell of a
    million characters is not echoed whole)."""
    text = value if isinstance(value, str) else repr(value)
    return text if len(text) <= _CLIP else M("clipped", text=text[: _CLIP - 1], count=len(text))


def shown(value: Any) -> str:
    """A cell's value quoted in a message: ``'abc'`` for text (cut short), else as read."""
    return repr(value) if not isinstance(value, str) or len(value) <= _CLIP else repr(clip(value))


norm = normalize_name


GRADE_LABELS = ("grade", "等级", "评价等级", "自评等级", "绩效等级", "等次", "评价等次", "评价结果", "自评结果")
COLUMNS: dict[str, tuple[str, ...]] = {
    "indicator": ("id", "指标id", "三级指标", "二级指标", "indicator", "指标", "指标名称", "名称", "name"),
    "weight": ("weight", "权重", "分值", "满分", "指标分值", "权重分"),
    "score": ("score", "得分", "自评得分", "评价得分", "实际得分"),
    "rate": ("rate", "得分率", "得分比例"),
    "text_rate": ("text_rate",),
    "text_score": ("text_score",),
    "quote": ("quote",),
    "note": ("note", "remark", "remarks", "备注", "说明", "扣分说明", "扣分原因", "扣分理由", "评分说明", "得分说明"),
    "grade": GRADE_LABELS,
}
_ALIASES = {norm(alias): field for field, aliases in COLUMNS.items() for alias in aliases}


def column_field(header: str) -> str | None:
    """The field a column or key holds, from its name (see the module docstring); a unit in
    brackets after the name is ignored (``分值（分）``, ``得分率(%)``)."""
    name = norm(header)
    return _ALIASES.get(name) or _ALIASES.get(strip_note(name))


@attrs.define
class Cell:
    value: Any
    location: Location | None


@attrs.define
class Row:
    cells: dict[str, Cell]
    location: Location | None
    key: str | None = None  # the table key naming the indicator (TOML/JSON ``scores``)
    #: an explicit subtotal (TOML/JSON ``subtotals``): its group ``path`` and ``indicators``
    subtotal: bool = False
    path: tuple[str, ...] | None = None
    ids: tuple[str, ...] | None = None
    funds_rate: Cell | None = None  # the 执行率 of the national form's funds row


@attrs.define
class Table:
    name: str
    rows: list[Row] = attrs.Factory(list)
    total: Cell | None = None
    grade: Cell | None = None
    quote: str | None = None
    source: str | None = None
    figures: list[tuple[dict[str, Cell], Location | None]] = attrs.Factory(list)
    problems: list[KpiRulesError] = attrs.Factory(list)

    def problem(self, message: str, location: Location | None, hint: str | None = None) -> None:
        self.problems.append(ReportedFileError(message, location=location or Location(self.name), hint=hint))


class Formula(str):
    """A cell holding a formula whose value the workbook does not store (it was written by a
    program that does not calculate, and never opened and saved in Excel)."""


class PercentCell(Decimal):
    """A fraction an Excel cell displays as a percentage."""


_NOTHING = re.compile(r"[\s/\\—–―\-－]*|n/?a|无|不适用", re.IGNORECASE)


def blank(value: Any) -> bool:
    """An empty cell, or one that says there is nothing: ``/``, ``—``, ``-``, ``N/A``, ``无``."""
    return value is None or (
        isinstance(value, str) and not isinstance(value, Formula) and bool(_NOTHING.fullmatch(value.strip()))
    )


def read_file(file: Path, name: str) -> str:
    """The file's text; a file that is no text (a NUL byte, bytes in no encoding) is refused at
    the line and column of its first bad byte."""
    try:
        return read_text(file, ReportedFileError, encodings=SPREADSHEET_ENCODINGS)
    except ReportedFileError as err:
        if err.location is None:
            err.location = Location(name)
            try:
                data = file.read_bytes()
            except OSError:
                raise err from None
            at = data.find(b"\0")
            if at < 0:
                try:
                    data.decode("utf-8")
                except UnicodeDecodeError as bad:
                    at = bad.start
            if at >= 0:
                start = data.rfind(b"\n", 0, at) + 1
                column = len(data[start:at].decode("utf-8", "replace")) + 1
                err.location = Location(name, data.count(b"\n", 0, at) + 1, column)
        raise
