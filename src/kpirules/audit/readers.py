"""Published tables from files: TOML, JSON, CSV and Excel (``.xlsx``, with the ``excel`` extra).

Every reader turns its file into a :class:`~kpirules.model.Reported` whose figures keep the
digits they were printed with, and whose every figure knows where it was read (``file:line:col``;
for Excel, the row and column of the cell). Rows name their indicator by id or by its Chinese
name; names are compared after Unicode normalisation, with spaces, quotes and dash variants
ignored, and a name that matches nothing is an error with the closest names as a hint.

Columns (CSV, Excel, and records in ``rows``) are recognised by these names, in any case, with a
unit in brackets after the name ignored (``分值（分）``); other columns are ignored:

* indicator: ``id``, ``三级指标``, ``二级指标``, ``indicator``, ``指标``, ``指标名称``, ``名称``,
  ``name`` (the first of these present, so the deepest level of a hierarchy)
* weight: ``weight``, ``权重``, ``分值``, ``满分``, ``指标分值``
* score: ``score``, ``得分``, ``自评得分``, ``评价得分``, ``实际得分``
* rate: ``rate``, ``得分率``, ``得分比例``
* ``text_rate``, ``text_score``, ``quote``; grade: ``grade``, ``等级``, ``评价等级`` and the other
  words of :data:`GRADE_LABELS`
* note: ``备注``, ``说明``, ``扣分说明``, ``扣分原因`` …, ``note``: read with the row's quote (a
  note that gives a printed 0 its reason makes it a deliberate deduction)

A row labelled as a total (:data:`~kpirules.hierarchy.TOTAL_LABELS`, in the indicator column or
a level column) holds the total (in its score cell) and may hold the grade; a row labelled with a
grade word holds the grade. Subtotal rows (小计, a group's row) become
:class:`~kpirules.model.ReportedSubtotal`; a group's name on a row with no figures is a heading. A
cell that says nothing (``/``, ``—``, ``N/A``) is empty. A rate is a percentage (``"47.74%"``) or a
fraction (``0.4774``); a rate column whose numbers are all written without ``%`` and of which some
exceed 1 is read as percentages (``80`` is 80 %).
"""

from __future__ import annotations

import difflib
import importlib
import json
import re
import unicodedata
from collections.abc import Mapping, Sequence
from decimal import Decimal, InvalidOperation
from json.decoder import scanstring  # type: ignore[attr-defined]
from pathlib import Path
from typing import Any

import attrs

from ..errors import KpiRulesError, Location
from ..hierarchy import (
    TOTAL_LABELS,
    SubtotalError,
    normalize_name,
    resolve_subtotal,
    strip_enumerator,
    strip_note,
    subtotal_name,
)
from ..model import Measure, Reported, ReportedFigure, ReportedRow, ReportedSubtotal
from ..ruleset import Ruleset
from ..source import SPREADSHEET_ENCODINGS, TABLE_SUFFIXES, SourceFile, read_text, table_rows
from ..units import UnitMismatch, scale
from ..values import MissingValue, ValueProblem, converter
from .printed import C


class ReportedFileError(KpiRulesError):
    """A reported table that cannot be read, or whose rows name no indicator."""


_CLIP = 60


def _clip(value: Any) -> str:
    """A cell or key as a message quotes it: its text, cut short past 60 characters (a cell of a
    million characters is not echoed whole)."""
    text = value if isinstance(value, str) else repr(value)
    return text if len(text) <= _CLIP else text[: _CLIP - 1] + f"…({len(text):,} characters)"


def _shown(value: Any) -> str:
    """A cell's value quoted in a message: ``'abc'`` for text (cut short), else as read."""
    return repr(value) if not isinstance(value, str) or len(value) <= _CLIP else repr(_clip(value))


class _Unreadable(str):
    """A JSON or TOML number literal too large for a decimal (``1e9999999999999999999``): kept as
    its text, so that the cell's own check refuses it at its place."""


def _decimal(text: str) -> Decimal | _Unreadable:
    try:
        return Decimal(text)
    except InvalidOperation:
        return _Unreadable(text)


_norm = normalize_name


GRADE_LABELS = ("grade", "等级", "评价等级", "自评等级", "绩效等级", "等次", "评价等次", "评价结果", "自评结果")
_COLUMNS: dict[str, tuple[str, ...]] = {
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
_ALIASES = {_norm(alias): field for field, aliases in _COLUMNS.items() for alias in aliases}
_TOTAL_ROWS = frozenset(_norm(x) for x in TOTAL_LABELS)
#: Columns that hold a level of the hierarchy; the indicator column is the deepest of them.
_LEVEL_COLUMNS = frozenset(_norm(x) for x in ("一级指标", "二级指标", "三级指标", "四级指标"))
_GRADE_ROWS = frozenset(_norm(x) for x in GRADE_LABELS)
_AS_PRINTED = "write the figure as the table prints it, such as 93.74 or 47.74%"
_EXPONENT = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)[eE][+-]?\d+")
_NUMBER = re.compile(r"[+-]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?|[+-]?\.\d+")
_PRINTED = re.compile(r"([+-]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?|[+-]?\.\d+)\s*([^\d\s.,+-][^\d]*)?")


def column_field(header: str) -> str | None:
    """The field a column or key holds, from its name (see the module docstring); a unit in
    brackets after the name is ignored (``分值（分）``, ``得分率(%)``)."""
    name = _norm(header)
    return _ALIASES.get(name) or _ALIASES.get(strip_note(name))


@attrs.define
class _Cell:
    value: Any
    location: Location | None


@attrs.define
class _Row:
    cells: dict[str, _Cell]
    location: Location | None
    key: str | None = None  # the table key naming the indicator (TOML/JSON ``scores``)
    #: an explicit subtotal (TOML/JSON ``subtotals``): its group ``path`` and ``indicators``
    subtotal: bool = False
    path: tuple[str, ...] | None = None
    ids: tuple[str, ...] | None = None
    funds_rate: _Cell | None = None  # the 执行率 of the national form's funds row


@attrs.define
class _Table:
    name: str
    rows: list[_Row] = attrs.Factory(list)
    total: _Cell | None = None
    grade: _Cell | None = None
    quote: str | None = None
    source: str | None = None
    figures: list[tuple[dict[str, _Cell], Location | None]] = attrs.Factory(list)
    problems: list[KpiRulesError] = attrs.Factory(list)

    def problem(self, message: str, location: Location | None, hint: str | None = None) -> None:
        self.problems.append(ReportedFileError(message, location=location or Location(self.name), hint=hint))


# ---- entry point ------------------------------------------------------------------------------
def read_reported(path: str | Path, ruleset: Ruleset) -> Reported:
    """The published table in ``path`` (``.toml``, ``.json``, ``.csv`` or another comma- or
    tab-separated table (:data:`~kpirules.source.TABLE_SUFFIXES`), ``.xlsx``), checked against
    ``ruleset``'s indicators and measures. Raises :class:`ReportedFileError` with every problem."""
    file = Path(path)
    suffix = file.suffix.lower()
    name = str(path)
    if suffix in (".xlsx", ".xlsm"):
        return _first_sheet(_read_excel(file, name), ruleset)
    if suffix in (".toml", ".json", *TABLE_SUFFIXES):
        text = _read_text(file, name)
        if suffix == ".toml":
            table = _read_toml(text, name)
        elif suffix == ".json":
            table = _read_json(text, name)
        else:
            table = _read_csv(text, name)
    elif suffix == ".xls":
        raise ReportedFileError(
            f"cannot read {file.name}: the old .xls format is not supported", hint="save it as .xlsx or .csv"
        )
    else:
        raise ReportedFileError(
            f"cannot read a reported table from {file.name}", hint="use a .toml, .json, .csv or .xlsx file"
        )
    return _build(table, ruleset)


def _read_text(file: Path, name: str) -> str:
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


# ---- TOML -------------------------------------------------------------------------------------
def _read_toml(text: str, name: str) -> _Table:
    from ..loader import parse_toml
    from ..tomlspans import scan

    source = SourceFile(name, text)
    # raises RulesetError (a KpiRulesError) with file:line:col; a number too large for a decimal is
    # kept as its text and refused at its place below
    data = parse_toml(source, parse_float=_decimal)
    spans = scan(text)

    def where(path: tuple[Any, ...], *, key: bool = False) -> Location:
        while path:
            span = spans.get(path)
            if span is not None:
                start, end = (span.key_start, span.key_end) if key else (span.value_start, span.value_end)
                return source.location(start, end)
            path = path[:-1]
        return source.location(0, 0)

    return _from_data(data, name, where)


# ---- JSON -------------------------------------------------------------------------------------
def _read_json(text: str, name: str) -> _Table:
    source = SourceFile(name, text)
    try:
        data = json.loads(text, parse_float=_decimal, parse_int=_decimal, parse_constant=_Unreadable)
    except json.JSONDecodeError as err:
        raise ReportedFileError(f"invalid JSON: {err.msg}", location=source.location(err.pos)) from None
    positions = _json_positions(text)

    def where(path: tuple[Any, ...], *, key: bool = False) -> Location:
        while path:
            found = positions.get((path, key)) or positions.get((path, False))
            if found is not None:
                return source.location(*found)
            path = path[:-1]
        return source.location(0, 0)

    if isinstance(data, list):  # just the rows: their paths in the file have no "rows" ahead
        data = {"rows": data}
        inner = where

        def where(path: tuple[Any, ...], *, key: bool = False) -> Location:
            return inner(path[1:] if path[:1] == ("rows",) else path, key=key)

    return _from_data(data, name, where)


_JSON_VALUE = re.compile(r"-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?|true|false|null")
_WS = re.compile(r"\s*")


def _json_positions(text: str) -> dict[tuple[tuple[Any, ...], bool], tuple[int, int]]:
    """Where every value (and key) of a valid JSON document sits: {(path, is_key): (start, end)}."""
    out: dict[tuple[tuple[Any, ...], bool], tuple[int, int]] = {}

    def ws(i: int) -> int:
        match = _WS.match(text, i)
        return match.end() if match else i

    def value(i: int, path: tuple[Any, ...]) -> int:
        i = ws(i)
        start = i
        ch = text[i]
        if ch == "{":
            i = ws(i + 1)
            if text[i] == "}":
                end = i + 1
            else:
                while True:
                    i = ws(i)
                    key_start = i
                    key, i = scanstring(text, i + 1)
                    out[((*path, key), True)] = (key_start, i)
                    i = ws(i)
                    i = value(i + 1, (*path, key))  # past the colon
                    i = ws(i)
                    if text[i] == ",":
                        i += 1
                        continue
                    end = i + 1
                    break
        elif ch == "[":
            i = ws(i + 1)
            if text[i] == "]":
                end = i + 1
            else:
                n = 0
                while True:
                    i = value(i, (*path, n))
                    n += 1
                    i = ws(i)
                    if text[i] == ",":
                        i += 1
                        continue
                    end = i + 1
                    break
        elif ch == '"':
            _, end = scanstring(text, i + 1)
        else:
            match = _JSON_VALUE.match(text, i)
            end = match.end() if match else i + 1
        out[(path, False)] = (start, end)
        return end

    try:
        value(0, ())
    except (IndexError, ValueError, RecursionError):  # pragma: no cover - the text is valid JSON
        return {}
    return out


# ---- TOML and JSON share one structure --------------------------------------------------------
def _from_data(data: Any, name: str, where: Any) -> _Table:
    table = _Table(name)
    if not isinstance(data, dict):
        table.problem("a reported table is an object with `total`, `grade`, `scores` or `rows`", where(()))
        return table
    prefix: tuple[Any, ...] = ()
    if isinstance(data.get("reported"), dict):
        data, prefix = data["reported"], ("reported",)
    known = ("total", "grade", "scores", "rows", "subtotals", "figures", "quote", "source")
    for key in data:
        if key not in known:
            close = difflib.get_close_matches(key, known, n=1, cutoff=0.6)
            table.problem(
                f"unknown key `{_clip(key)}` in the reported table",
                where((*prefix, key), key=True),
                f"did you mean `{close[0]}`?" if close else f"the keys here are {', '.join(known)}",
            )
    if "total" in data:
        table.total = _Cell(data["total"], where((*prefix, "total")))
    if "grade" in data:
        table.grade = _Cell(data["grade"], where((*prefix, "grade")))
    for key in ("quote", "source"):
        if key in data:
            if isinstance(data[key], str):
                setattr(table, key, data[key])
            else:
                table.problem(f"`{key}` must be a string", where((*prefix, key)))
    scores = data.get("scores", {})
    if not isinstance(scores, dict):
        table.problem("`scores` must be a table of rows keyed by indicator id or name", where((*prefix, "scores")))
        scores = {}
    for key, body in scores.items():
        path = (*prefix, "scores", key)
        if not isinstance(body, dict):
            table.problem(f"the row `{_clip(key)}` must be a table of weight, score and rate", where(path))
            continue
        cells = _cells(body, path, where, table)
        table.rows.append(_Row(cells, where(path, key=True), key=key))
    rows = data.get("rows", [])
    if not isinstance(rows, list):
        table.problem("`rows` must be a list of rows", where((*prefix, "rows")))
        rows = []
    _records(rows, (*prefix, "rows"), where, table)
    subtotals = data.get("subtotals", [])
    if not isinstance(subtotals, list):
        table.problem("`subtotals` must be a list of subtotal rows", where((*prefix, "subtotals")))
        subtotals = []
    for n, body in enumerate(subtotals):
        path = (*prefix, "subtotals", n)
        if not isinstance(body, dict):
            table.problem("each subtotal must be a table of name, weight, score and rate", where(path))
            continue
        _subtotal_row(body, path, where, table)
    figures = data.get("figures", [])
    if not isinstance(figures, list):
        table.problem("`figures` must be a list of figures", where((*prefix, "figures")))
        figures = []
    for n, body in enumerate(figures):
        path = (*prefix, "figures", n)
        if not isinstance(body, dict):
            table.problem("each figure must be a table of measure, value and unit", where(path))
            continue
        cells = {}
        for key, value in body.items():
            if key not in ("measure", "value", "unit", "quote", "where"):
                table.problem(
                    f"unknown key `{_clip(key)}` in a figure",
                    where((*path, key), key=True),
                    "the keys here are measure, value, unit, quote, where",
                )
                continue
            cells[key] = _Cell(value, where((*path, key)))
        table.figures.append((cells, where(path)))
    return table


def _records(rows: list[Any], path: tuple[Any, ...], where: Any, table: _Table) -> None:
    """``rows``, a list of records (as a spreadsheet exports them), read as a grid whose columns
    are the keys of the records: the same columns, labels and subtotal rows as a CSV file."""
    columns: dict[str, Location] = {}
    for n, body in enumerate(rows):
        if not isinstance(body, dict):
            table.problem("each row must be a table of indicator, weight, score and rate", where((*path, n)))
            continue
        for key in body:
            columns.setdefault(key, where((*path, n, key), key=True))
    header = [_Cell(key, at) for key, at in columns.items()]
    if rows and not any(column_field(key) == "indicator" for key in columns):
        table.problem(
            "the rows name no indicator",
            where(path),
            "give each row an `id`, `指标名称` or another indicator column (see docs/audit.md)",
        )
        return
    grid = [
        [_Cell(body.get(key), where((*path, n, key)) if key in body else where((*path, n))) for key in columns]
        for n, body in enumerate(rows)
        if isinstance(body, dict)
    ]
    _grid_rows(header, grid, table)


def _subtotal_row(body: Mapping[str, Any], path: tuple[Any, ...], where: Any, table: _Table) -> None:
    """One entry of ``subtotals``: ``name`` as printed, optional ``path`` or ``indicators``, and
    its weight, score and rate."""
    keys = ("name", "path", "indicators", "weight", "score", "rate")
    cells: dict[str, _Cell] = {}
    lists: dict[str, tuple[str, ...]] = {}
    for key, value in body.items():
        if key not in keys:
            table.problem(
                f"unknown key `{_clip(key)}` in a subtotal",
                where((*path, key), key=True),
                f"the keys here are {', '.join(keys)}",
            )
        elif key in ("path", "indicators"):
            if isinstance(value, list) and all(isinstance(v, str) for v in value):
                lists[key] = tuple(value)
            else:
                table.problem(f"`{key}` must be a list of strings", where((*path, key)))
        else:
            cells["indicator" if key == "name" else key] = _Cell(value, where((*path, key)))
    if "indicator" not in cells:
        table.problem("a subtotal needs `name`: the label printed in its row", where(path))
        return
    table.rows.append(_Row(cells, where(path), subtotal=True, path=lists.get("path"), ids=lists.get("indicators")))


def _cells(body: Mapping[str, Any], path: tuple[Any, ...], where: Any, table: _Table) -> dict[str, _Cell]:
    cells: dict[str, _Cell] = {}
    for key, value in body.items():
        field = column_field(key)
        if field is None:
            table.problem(
                f"unknown key `{_clip(key)}` in a row",
                where((*path, key), key=True),
                "a row has an indicator (id or name), weight, score, rate, text_rate, text_score and quote",
            )
            continue
        cells[field] = _Cell(value, where((*path, key)))
    return cells


# ---- CSV --------------------------------------------------------------------------------------
def _read_csv(text: str, name: str) -> _Table:
    rows = table_rows(text, name, ReportedFileError)
    grid = [[_Cell(cell.text, cell.location(name)) for cell in cells] for _, cells in rows]
    table: _Table = _from_grid(grid, name)
    return table


# ---- Excel ------------------------------------------------------------------------------------
def _read_excel(file: Path, name: str) -> list[_Table]:
    """Every sheet of the workbook that has a header row, in order."""
    try:
        openpyxl = importlib.import_module("openpyxl")
    except ImportError:
        raise ReportedFileError(
            f"reading {file.name} needs openpyxl",
            hint="install it with: pip install 'kpirules[excel]'",
        ) from None
    if not file.exists():
        raise ReportedFileError(f"no such file: {name}")
    try:
        book = openpyxl.load_workbook(file, data_only=True)
        formulas = openpyxl.load_workbook(file, data_only=False)
    except Exception as err:  # openpyxl raises many kinds for a broken file
        raise ReportedFileError(f"cannot read {name} as an Excel workbook: {err}") from None
    tables: list[_Table] = []
    for sheet in book.worksheets:
        source = formulas[sheet.title]
        grid: list[list[_Cell]] = []
        for row in sheet.iter_rows():
            cells = []
            for cell in row:
                where = Location(name, cell.row, cell.column, source_line=f"{sheet.title}!{cell.coordinate}")
                value = cell.value
                if value is None:  # a formula whose value the file does not hold
                    formula = source.cell(cell.row, cell.column).value
                    if isinstance(formula, str) and formula.startswith("="):
                        value = _Formula(formula)
                cells.append(_Cell(_excel_value(value, cell.number_format), where))
            grid.append(cells)
        table: _Table | None = _from_grid(grid, f"{name} [{sheet.title}]", fail=False)
        if table is not None:
            table.name = name
            table.source = table.source or f"{name} [{sheet.title}]"
            tables.append(table)
    if not tables:
        raise ReportedFileError(
            f"no sheet of {name} has a header row with an indicator column and a score or weight column",
            location=Location(name),
            hint="name the columns 指标名称, 权重, 得分, 得分率 (or id, weight, score, rate)",
        )
    return tables


def _first_sheet(tables: list[_Table], ruleset: Ruleset) -> Reported:
    """The first sheet whose rows are the ruleset's indicators (a summary sheet before the table
    is passed over); if none is, the first sheet's problems."""
    first: ReportedFileError | None = None
    for table in tables:
        try:
            return _build(table, ruleset)
        except ReportedFileError as err:
            first = first or err
    assert first is not None
    if len(tables) > 1:
        first.hint = (first.hint + "; " if first.hint else "") + f"no other sheet fits either ({len(tables)} tried)"
    raise first


class _Formula(str):
    """A cell holding a formula whose value the workbook does not store (it was written by a
    program that does not calculate, and never opened and saved in Excel)."""


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
            return _PercentCell(exact) if percent else exact
        places = sum(ch in "0#" for ch in fmt.split(".", 1)[1]) if "." in fmt else 0
        if not exact.is_finite() or exact.adjusted() >= 60:  # shown as ######## or 1E+300: no table's figure
            return _PercentCell(exact) if percent else exact
        if percent:
            shown = exact.scaleb(2, context=C).quantize(Decimal(1).scaleb(-places), context=C)
            return _PercentCell(shown.scaleb(-2, context=C))
        return exact.quantize(Decimal(1).scaleb(-places), context=C)
    return value


class _PercentCell(Decimal):
    """A fraction an Excel cell displays as a percentage."""


# ---- grids (CSV, Excel, and rows of TOML and JSON) --------------------------------------------
def _from_grid(grid: Sequence[Sequence[_Cell]], name: str, *, fail: bool = True) -> Any:
    """The table in ``grid``: its header row is the first of the first 20 rows that names an
    indicator column and a score or weight column."""

    def is_header(row: Sequence[_Cell]) -> bool:
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
        table = _Table(name)
        _funds_block(grid[:n], table)
        _grid_rows(header, grid[n + skip :], table)
        return table
    if not fail:
        return None
    raise ReportedFileError(
        f"{name} has no header row with an indicator column and a score or weight column",
        location=Location(name, 1, 1),
        hint="name the columns 指标名称, 权重, 得分, 得分率 (or id, weight, score, rate)",
    )


def _two_rows(top: Sequence[_Cell], below: Sequence[_Cell]) -> list[_Cell]:
    """A header printed over two rows (绩效指标 merged over 一级/二级/三级指标, 分值 and 得分
    merged down): each column's name from the lower row where it has one, else the upper."""
    out: list[_Cell] = []
    for i in range(max(len(top), len(below))):
        low = below[i] if i < len(below) else _Cell(None, None)
        high = top[i] if i < len(top) else _Cell(None, None)
        out.append(low if isinstance(low.value, str) and low.value.strip() else high)
    return out


#: The row of the national 项目支出绩效自评表 that scores the budget's execution (年度资金总额).
FUNDS_LABELS = ("年度资金总额", "资金总额", "项目资金总额")
_FUNDS = frozenset(normalize_name(x) for x in FUNDS_LABELS)


def _funds_block(rows: Sequence[Sequence[_Cell]], table: _Table) -> None:
    """The funds block above the indicators of the national 项目支出绩效自评表: under a header
    with 分值, 执行率 and 得分, the row 年度资金总额 scores the budget's execution (its indicator
    is the one named 预算执行率 or the like; its 执行率 is a figure of that indicator's measure)."""
    columns: dict[str, int] = {}
    for row in rows:
        names = {_norm(c.value): i for i, c in enumerate(row) if isinstance(c.value, str)}
        found = {column_field(text): i for text, i in names.items() if column_field(text) in ("weight", "score")}
        if "weight" in found and "score" in found:
            columns = {f: i for f, i in found.items() if f is not None}
            rate = next((i for text, i in names.items() if text.endswith("执行率")), None)
            if rate is not None:
                columns["funds_rate"] = rate
            continue
        if not columns:
            continue
        label = next((c for c in row if isinstance(c.value, str) and _norm(c.value) in _FUNDS), None)
        if label is None:
            continue
        cells = {f: row[i] for f, i in columns.items() if i < len(row) and not _blank(row[i].value)}
        funds_rate = cells.pop("funds_rate", None)
        if cells:
            table.rows.append(_Row({"indicator": label, **cells}, label.location, funds_rate=funds_rate))
        columns = {}


def _grid_rows(header: Sequence[_Cell], body: Sequence[Sequence[_Cell]], table: _Table) -> None:
    """Read the rows under ``header`` into ``table``. Columns it does not know are ignored."""
    fields = {i: f for i, c in enumerate(header) if isinstance(c.value, str) and (f := column_field(c.value))}
    # one column per field, the first of it; for the indicator, an id column before the deepest
    # level of the hierarchy (三级指标 before 二级指标) before a name column
    used: dict[str, int] = {}
    for i, f in sorted(fields.items()):
        used.setdefault(f, i)
    rank = {_norm(alias): n for n, alias in enumerate(_COLUMNS["indicator"])}
    names = [i for i, f in fields.items() if f == "indicator"]
    if names:
        used["indicator"] = min(names, key=lambda i: (rank.get(_norm(str(header[i].value)), len(rank)), i))
    levels = sorted(
        i for i, c in enumerate(header) if isinstance(c.value, str) and (_norm(c.value) in _LEVEL_COLUMNS or i in names)
    )
    before = min((i for f, i in used.items() if f in ("weight", "score", "rate")), default=len(header))
    for row in body:
        cells = {f: row[i] for f, i in used.items() if i < len(row) and not _blank(row[i].value)}
        if _grade_or_total(row, before, cells, table):
            continue
        label = _row_label(row, cells.get("indicator"), used.get("indicator"), levels)
        weighted = label is not None and isinstance(label.value, str) and _label_weight(label.value) is not None
        if not any(f != "note" for f in cells) and not weighted:
            continue  # an empty row, or a heading without a weight (or a footnote): nothing to check
        if label is not None:
            cells["indicator"] = label
        if "grade" in cells and label is None:
            table.grade = cells["grade"]
            continue
        if label is None:
            first = next(iter(cells.values()))
            table.problem("this row names no indicator", first.location)
            continue
        table.rows.append(_Row(cells, label.location))


def _grade_or_total(row: Sequence[_Cell], before: int, cells: dict[str, _Cell], table: _Table) -> bool:
    """Read ``row`` if it holds the total or the grade: its label (合计, 评价等级 …) in any cell
    before the figure columns (the indicator column, a level column, 序号, the national form's
    绩效指标 column); the total in its score cell; the grade in its grade cell, else in the first
    cell after the label."""
    for i in range(min(before, len(row))):
        if i >= len(row) or not isinstance(row[i].value, str):
            continue
        text = _norm(row[i].value)
        after = next((c for c in row[i + 1 :] if not _blank(c.value)), None)
        if text in _TOTAL_ROWS:
            table.total = cells.get("score") or table.total
            table.grade = cells.get("grade") or table.grade
            return True
        if text in _GRADE_ROWS:
            table.grade = cells.get("grade") or after or table.grade
            return True
    return False


def _row_label(row: Sequence[_Cell], label: _Cell | None, column: int | None, levels: Sequence[int]) -> _Cell | None:
    """What a row of a hierarchical table is about: its indicator cell; where that is blank, the
    deepest level cell that is not (a group's subtotal row: 一级指标 "产出指标", the rest blank);
    a bare "小计" under a group's name becomes that group's subtotal ("产出指标小计")."""
    texts = [row[i] for i in levels if i < len(row) and i != column and isinstance(row[i].value, str)]
    texts = [c for c in texts if c.value.strip()]
    if label is None or _blank(label.value):
        return texts[-1] if texts else label
    if isinstance(label.value, str) and subtotal_name(label.value) == "":
        left = [c for c in texts if column is not None and c.location is not None and _left_of(c, row, column)]
        if left and subtotal_name(left[-1].value) is None:
            return _Cell(f"{left[-1].value.strip()}{label.value.strip()}", label.location)
    return label


def _left_of(cell: _Cell, row: Sequence[_Cell], column: int) -> bool:
    return any(c is cell for c in row[:column])


_NOTHING = re.compile(r"[\s/\\—–―\-－]*|n/?a|无|不适用", re.IGNORECASE)


def _blank(value: Any) -> bool:
    """An empty cell, or one that says there is nothing: ``/``, ``—``, ``-``, ``N/A``, ``无``."""
    return value is None or (
        isinstance(value, str) and not isinstance(value, _Formula) and bool(_NOTHING.fullmatch(value.strip()))
    )


# ---- building the Reported --------------------------------------------------------------------
def _build(table: _Table, ruleset: Ruleset) -> Reported:
    by_id = {ind.id: ind.id for ind in ruleset.indicators}
    by_name: dict[str, list[str]] = {}
    for ind in ruleset.indicators:
        by_name.setdefault(_norm(ind.name), []).append(ind.id)
        by_name.setdefault(_norm(ind.id), []).append(ind.id)
    percent_columns = _percent_columns(table)
    rows: list[ReportedRow] = []
    subtotals: list[ReportedSubtotal] = []
    seen: dict[str, Location | None] = {}
    above: list[str] = []  # indicator rows since the last subtotal or heading: what a bare 小计 adds up
    for row in table.rows:
        label = row.key if row.key is not None else row.cells["indicator"].value if "indicator" in row.cells else None
        where = row.cells["indicator"].location if row.key is None and "indicator" in row.cells else row.location
        if label is None or not isinstance(label, (str, Decimal)):
            table.problem("this row names no indicator", where)
            continue
        label = str(label).strip()
        if row.subtotal:
            _subtotal(row, label, where, (), ruleset, table, subtotals, percent_columns)
            continue
        iid = by_id.get(label)
        if iid is None:
            bare = strip_enumerator(_norm(label))
            matches = sorted(set(by_name.get(_norm(label)) or by_name.get(bare) or by_name.get(strip_note(bare), [])))
            if len(matches) > 1:
                table.problem(f"`{_clip(label)}` names several indicators: {', '.join(matches)}", where, "use the id")
                continue
            if not matches and _norm(label) in _FUNDS:
                matches = _execution_indicator(ruleset)
                if not matches:
                    table.problem(
                        f"`{label}` scores the budget's execution, and no indicator of ruleset `{ruleset.id}` is it",
                        where,
                        "name the indicator 预算执行率 (or give the table a row named after it)",
                    )
                    continue
            if not matches and _subtotal(row, label, where, above, ruleset, table, subtotals, percent_columns):
                above = []
                continue
            if not matches:
                names = [ind.name for ind in ruleset.indicators] + list(by_id)
                close = difflib.get_close_matches(label[:200], names, n=2, cutoff=0.5)
                hint = "did you mean " + " or ".join(f"`{c}`" for c in close) + "?" if close else None
                table.problem(
                    f"no indicator of ruleset `{ruleset.id}` is called `{_clip(label)}`",
                    where,
                    hint or "name each row by an indicator's id or its name in the ruleset",
                )
                continue
            iid = matches[0]
        if iid in seen:
            table.problem(f"indicator `{iid}` has two rows", where, f"the first is at {seen[iid]}")
            continue
        seen[iid] = where
        above.append(iid)
        measure = ruleset.indicator(iid).measure
        if row.funds_rate is not None and measure is not None and ruleset.measures[measure].type == "rate":
            table.figures.append(({"measure": _Cell(measure, None), "value": row.funds_rate}, row.funds_rate.location))
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
            table.problem("the grade must be a label such as 优", table.grade.location)
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
    row: _Row,
    label: str,
    where: Location | None,
    above: Sequence[str],
    ruleset: Ruleset,
    table: _Table,
    out: list[ReportedSubtotal],
    percent_columns: set[str],
) -> bool:
    """Read ``row`` as a subtotal (or a group's heading, which has no figures) into ``out``.
    False when ``label`` is neither a subtotal label nor a group's name: then it is an unknown
    indicator, and the caller says so."""
    try:
        path, ids = resolve_subtotal(label, ruleset.indicators, ruleset.groups, path=row.path, ids=row.ids, above=above)
    except SubtotalError as err:
        if not row.subtotal and subtotal_name(label) is None:
            return False
        table.problem(str(err), where, err.hint or None)
        return True
    cells = dict(row.cells)
    labelled = _label_weight(label)
    if "weight" not in cells and labelled is not None:  # "二、过程指标（16分）"
        cells["weight"] = _Cell(labelled, where)
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


_LABEL_WEIGHT = re.compile(r"\(\s*(\d+(?:\.\d+)?)\s*分\s*\)\s*$")


def _label_weight(label: str) -> Decimal | None:
    """A weight printed in a group's label: "产出指标（50分）", "过程指标(16 分)"."""
    found = _LABEL_WEIGHT.search(unicodedata.normalize("NFKC", label))
    return Decimal(found.group(1)) if found is not None else None


_RECALC = "open the workbook in Excel or LibreOffice and save it, so it stores the values, or export it as CSV"


def _percent_columns(table: _Table) -> set[str]:
    """Rate columns written as bare percentages: every number without %, some above 1."""
    out = set()
    for field in ("rate", "text_rate"):
        cells = [row.cells[field].value for row in table.rows if field in row.cells]
        numbers = []
        for value in cells:
            if isinstance(value, _PercentCell):
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


def _number(cell: _Cell, field: str, table: _Table) -> Decimal | None:
    value = cell.value
    if isinstance(value, _Formula):
        table.problem(
            f"`{field}` is the formula {value} and the workbook holds no value for it", cell.location, _RECALC
        )
        return None
    if isinstance(value, bool):
        table.problem(f"`{field}` must be a number, not {value}", cell.location)
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
        table.problem(f"`{field}`: {_clip(value.strip())} is written with an exponent", cell.location, _AS_PRINTED)
        return None
    table.problem(f"`{field}`: {_shown(value)} is not a number", cell.location)
    return None


def _rate(cell: _Cell, field: str, table: _Table, *, percent: bool) -> Decimal | None:
    value = cell.value
    if isinstance(value, _Formula):
        return _number(cell, field, table)
    if isinstance(value, _PercentCell):
        return Decimal(value)
    if isinstance(value, str):
        text = value.strip().replace("％", "%")
        digits = text[:-1].strip() if text.endswith("%") else text
        if _NUMBER.fullmatch(digits):
            parsed = Decimal(digits.replace(",", ""))
            return parsed.scaleb(-2, context=C) if percent or text.endswith("%") else parsed
        if _EXPONENT.fullmatch(digits):
            table.problem(f"`{field}`: {_clip(text)} is written with an exponent", cell.location, _AS_PRINTED)
            return None
        table.problem(f"`{field}`: {_shown(value)} is not a rate", cell.location, 'write it as "47.74%" or 0.4774')
        return None
    number = _number(cell, field, table)
    if number is None:
        return None
    return number.scaleb(-2, context=C) if percent else number


def _figure(cells: Mapping[str, _Cell], at: Location | None, ruleset: Ruleset, table: _Table) -> ReportedFigure | None:
    for key in ("measure", "value"):
        if key not in cells:
            table.problem(f"a figure needs `{key}`", at)
            return None
    name = cells["measure"].value
    measure: Measure | None = ruleset.measures.get(name) if isinstance(name, str) else None
    if measure is None:
        close = difflib.get_close_matches(str(name)[:200], list(ruleset.measures), n=1, cutoff=0.6)
        table.problem(
            f"figure of unknown measure `{_clip(name)}`",
            cells["measure"].location,
            f"did you mean `{close[0]}`?" if close else "name a measure of the ruleset",
        )
        return None
    raw = cells["value"]
    unit_cell = cells.get("unit")
    unit = unit_cell.value if unit_cell is not None else None
    if unit is not None and not isinstance(unit, str):
        table.problem("`unit` must be a string", unit_cell.location if unit_cell else at)
        return None
    value: Decimal | bool | str
    if measure.type in ("bool", "level"):
        try:
            value = converter(measure)(raw.value)
        except (ValueProblem, MissingValue) as err:
            table.problem(f"figure of `{measure.name}`: {err or 'no value'}", raw.location)
            return None
    elif isinstance(raw.value, str):
        match = _PRINTED.fullmatch(raw.value.strip())
        if match is None:
            table.problem(f"figure of `{measure.name}`: {_shown(raw.value)} is not a number as printed", raw.location)
            return None
        value = Decimal(match.group(1).replace(",", ""))
        printed_unit = match.group(2) or None
        if printed_unit is not None and unit is not None and printed_unit != unit:
            table.problem(f"the value is printed in {_clip(printed_unit)} but `unit` says {_clip(unit)}", raw.location)
            return None
        unit = unit or printed_unit
    elif isinstance(raw.value, (int, Decimal)) and not isinstance(raw.value, bool):
        value = Decimal(raw.value)
    else:
        table.problem(f"figure of `{measure.name}`: {_shown(raw.value)} is not a number", raw.location)
        return None
    if isinstance(value, Decimal):
        try:
            scale(unit, measure.unit, measure.type)
        except UnitMismatch as err:
            table.problem(f"figure of `{measure.name}`: {err}", (unit_cell or raw).location)
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
