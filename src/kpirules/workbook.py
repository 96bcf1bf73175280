"""Reading units from workbooks (.xlsx, .xlsm, .xls, .ods) with python-calamine.

A sheet is read as the finance officer typed it: title rows above the header (merged or not),
blank rows, numbers stored as text, cells formatted as percentages (the cell holds 0.953),
dates, and formulas (their cached values, as the workbook was last saved). The header follows the
rules every table follows (:class:`~kpirules.tables.HeaderNames`). Each value keeps its cell,
so a bad one is reported as ``units.xlsx!Sheet1!C7``.
"""

from __future__ import annotations

import datetime
import gc
import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from itertools import chain
from operator import itemgetter
from pathlib import Path
from typing import Any

from .errors import Location
from .messages import Catalog
from .source import unnamed
from .tables import (
    HEADER_SEARCH_ROWS,
    UNIT_KEY,
    HeaderNames,
    Unit,
    ValuesFileError,
    find_header,
    scaled,
)
from .tables import M as TABLES

M = Catalog(
    "workbook",
    {
        "no_reader": (
            "读取 {name} 需要 python-calamine，但它没有安装",
            "reading {name} needs python-calamine, which is not installed",
        ),
        "no_reader_hint": (
            "pip install python-calamine（kpirules 依赖它：请重新安装 kpirules）",
            "pip install python-calamine (kpirules depends on it: reinstall kpirules)",
        ),
        "is_folder": ("{file} 是文件夹，不是文件", "{file} is a folder, not a file"),
        "unreadable": ("无法把 {name} 作为工作簿读取：{reason}", "cannot read {name} as a workbook: {reason}"),
        "unreadable_hint": ("请用 Excel 或 WPS 另存为 .xlsx 文件", "save it again from Excel or WPS as .xlsx"),
        "password": ("{name} 设有密码保护", "{name} is protected by a password"),
        "password_hint": ("请另存一份不设密码的副本", "save a copy without the password"),
        "no_sheet": (
            "{name} 中没有工作表 {sheet}；它的工作表有：{sheets}",
            "{name} has no sheet {sheet}; its sheets are {sheets}",
        ),
        "no_sheet_hint": (
            "--sheet 接受工作表的名称或序号（从 1 开始）",
            "--sheet takes a sheet's name or its number, counted from 1",
        ),
        "no_sheets": ("{name} 中没有工作表", "{name} has no worksheet"),
        "empty": (
            "工作表是空的：需要一个写明各数据项的表头行",
            "the sheet is empty; it needs a header row naming the measures",
        ),
    },
)


def _calamine(name: str) -> Any:
    try:
        import python_calamine
    except ImportError:  # pragma: no cover - a core dependency; only a broken install lacks it
        raise ValuesFileError(M("no_reader", name=name), hint=M("no_reader_hint")) from None
    return python_calamine


def read_workbook(file: Path, names: HeaderNames | None = None, *, sheet: str | int | None = None) -> list[Unit]:
    """One unit per row of a sheet of ``file``: ``sheet`` (a name, or a number counted from 1),
    else the first sheet whose header names a measure or the unit's column, else the first sheet
    with anything in it."""
    names = names or HeaderNames()
    calamine = _calamine(file.name)
    if not file.exists():
        raise ValuesFileError(TABLES("no_such_file", file=file))
    if file.is_dir():
        raise ValuesFileError(M("is_folder", file=file))
    try:
        book = calamine.CalamineWorkbook.from_path(str(file))
    except calamine.PasswordError:
        raise ValuesFileError(M("password", name=file), hint=M("password_hint"), location=Location(str(file))) from None
    except Exception as err:  # calamine raises its own types, and OSError, for a file it cannot read
        reason = str(err).strip().splitlines()[0] if str(err).strip() else type(err).__name__
        raise ValuesFileError(
            M("unreadable", name=file, reason=reason),
            hint=M("unreadable_hint"),
            location=Location(str(file)),
        ) from None
    with book:
        sheets = [m.name for m in book.sheets_metadata if str(m.typ).endswith("WorkSheet")]
        if not sheets:
            raise ValuesFileError(M("no_sheets", name=file), location=Location(str(file)))
        chosen, opened = _choose(book, sheets, sheet, names, str(file))
        # A sheet of 100,000 units makes millions of objects that all live on: the cyclic garbage
        # collector would walk them again and again while they are made (half the time), and
        # finds nothing to free among them.
        enabled = gc.isenabled()
        gc.disable()
        try:
            grid = (opened or book.get_sheet_by_name(chosen)).to_python(skip_empty_area=False)
            return _units(grid, names, str(file), chosen, lambda: _unreadable_cells(file, chosen))
        finally:
            if enabled:
                gc.enable()


def _choose(
    book: Any, sheets: Sequence[str], sheet: str | int | None, names: HeaderNames, file: str
) -> tuple[str, Any]:
    """The sheet to read, and the sheet object when it was opened to look at its header (opening
    a sheet parses all of it)."""
    if sheet is not None:
        if isinstance(sheet, str) and sheet in sheets:
            return sheet, None
        if isinstance(sheet, str) and sheet.strip() in [s.strip() for s in sheets]:
            return next(s for s in sheets if s.strip() == sheet.strip()), None
        number = sheet if isinstance(sheet, int) else int(sheet) if sheet.strip().isdigit() else None
        if number is not None and 1 <= number <= len(sheets):
            return sheets[number - 1], None
        shown = ", ".join(f"{i} {s}" for i, s in enumerate(sheets, 1))
        raise ValuesFileError(
            M("no_sheet", name=file, sheet=sheet, sheets=shown),
            hint=M("no_sheet_hint"),
            location=Location(file),
        )
    first: tuple[str, Any] | None = None
    for name in sheets:
        opened = book.get_sheet_by_name(name)
        head = opened.to_python(skip_empty_area=False, nrows=HEADER_SEARCH_ROWS * 2)
        rows = [(i + 1, [_text(v) for v in row]) for i, row in enumerate(head)]
        found = find_header(rows, names)
        if found is None:
            continue
        if first is None:
            first = (name, opened)
        if names.names_any(rows[found[0]][1]):
            return name, opened
    return first if first is not None else (sheets[0], None)


def _text(value: Any) -> str:
    """A cell as header text (a year typed as a number is its digits)."""
    if isinstance(value, str):
        return value
    value = _value(value)
    return "" if value is None else str(value)


def _value(value: Any) -> Any:
    """A cell's value as kpirules takes it: text and yes/no as they are; a whole number as an int;
    any other number as the float it is, which the converter reads exactly as its shortest decimal
    (``Decimal(repr(x))``: 0.953 is 0.953, never the binary fraction); a date or time as its ISO
    text (for the converter to refuse, at its cell)."""
    kind = value.__class__
    if kind is str or kind is bool or kind is int:
        return value
    if kind is float:
        if value.is_integer() and abs(value) < 1e15:
            return int(value)
        return value
    if isinstance(value, (datetime.date, datetime.time)):
        return value.isoformat()
    if isinstance(value, datetime.timedelta):
        return str(value)
    return value


class _CellPlaces(Mapping[str, Location]):
    """The cells of one row's values (``units.xlsx!Sheet1!C7``), made when asked for: a sheet of
    100,000 units holds more than a million of them. ``where`` is (file, sheet, column of each
    measure, 0-based), shared by the rows of a sheet."""

    __slots__ = ("_row", "_where")

    def __init__(self, where: tuple[str, str, Mapping[str, int]], row: int) -> None:
        self._where = where
        self._row = row

    def __getitem__(self, key: str) -> Location:
        file, sheet, columns = self._where
        return Location(file, self._row, columns[key] + 1, sheet=sheet)

    def __iter__(self) -> Iterator[str]:
        return iter(self._where[2])

    def __len__(self) -> int:
        return len(self._where[2])


def _units(  # noqa: C901 - reads a sheet's rows: header, blank, title and value rows, each a branch
    grid: Sequence[Sequence[Any]],
    names: HeaderNames,
    file: str,
    sheet: str,
    unreadable: Callable[[], Mapping[tuple[int, int], str]] | None = None,
) -> list[Unit]:
    rows = [(i + 1, [_text(v) for v in row]) for i, row in enumerate(grid[: HEADER_SEARCH_ROWS * 2])]
    found = find_header(rows, names)
    if found is None:
        raise ValuesFileError(M("empty"), location=Location(file, sheet=sheet))
    top = found[0]
    header = rows[top][1]
    columns = names.columns(header, [Location(file, top + 1, i + 1, sheet=sheet) for i in range(len(header))])
    keys: dict[str, int] = {}
    for index, column in enumerate(columns):
        if not column.key:
            continue
        if column.key in keys:
            raise ValuesFileError(
                TABLES("repeated", header=column.key),
                location=Location(file, top + 1, index + 1, sheet=sheet),
                hint=TABLES("repeated_hint"),
            )
        keys[column.key] = index
    unit_at = keys.pop(UNIT_KEY, None)
    body = grid[top + 1 :]
    if not body:
        return []
    width = max(len(header), max(len(row) for row in body))
    body = [row if len(row) == width else [*row, *([""] * (width - len(row)))] for row in body]
    keyed = list(keys)
    take = itemgetter(*keys.values()) if len(keys) > 1 else None
    only = next(iter(keys.values())) if len(keys) == 1 else None
    given: list[dict[str, Any]] = []
    for row in body:  # row by row: a dict per unit, built in C
        if take is not None:
            given.append(dict(zip(keyed, take(row), strict=True)))
        else:
            given.append({keyed[0]: row[only]} if only is not None else {})
    odd = set(map(type, chain.from_iterable(body))) - _PLAIN - {float}
    measures = names.measures
    for key in keyed:  # the fix-ups a column needs: whole numbers, dates and times, a unit to scale by
        measure = measures.get(key)
        power = columns[keys[key]].scale
        whole = measure is not None and measure.type in ("count", "amount", "number")
        if not (whole or odd or power):
            continue
        for values in given:
            v = values[key]
            if v.__class__ is float:
                if whole and v.is_integer() and -1e15 < v < 1e15:
                    values[key] = v = int(v)
            elif v.__class__ not in _PLAIN:
                values[key] = v = _value(v)
            if power:
                values[key] = scaled(v, power)
    if unreadable is not None and any(values[key] == "" for values in given for key in keyed):
        _explain_empty_cells(given, keys, top, unreadable())
    names_of = [_text(row[unit_at]).strip() for row in body] if unit_at is not None else None
    units: list[Unit] = []
    append = units.append
    where = (file, sheet, keys)
    for k, values in enumerate(given):
        number = top + k + 2  # the sheet's row, 1-based
        name = names_of[k] if names_of is not None else ""
        if not name and body[k].count("") == width:
            continue  # a blank row
        append(Unit(name or unnamed(number), values, _CellPlaces(where, number)))
    return units


#: Cell values kept as they are: text, yes/no, and numbers Excel stored with a fraction (a float is
#: read exactly as its shortest decimal, ``Decimal(repr(x))``, when it is converted).
_PLAIN: frozenset[type] = frozenset({str, bool, int})


# ---- cells calamine reads as empty ----------------------------------------------------------------
# python-calamine reads a cell whose formula failed (#DIV/0!) and a formula with no saved value as
# empty (dimastbk/python-calamine#105), which kpirules would take as "no value". Where a measure's
# cell reads empty, the sheet's own XML (.xlsx, .xlsm) says which of them are neither, and the value
# becomes what the cell shows, for the converter to refuse with the reason and the cell.
_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_RELS = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
_CELL_REF = re.compile(r"([A-Z]+)(\d+)")


def _explain_empty_cells(
    given: Sequence[dict[str, Any]], keys: Mapping[str, int], top: int, cells: Mapping[tuple[int, int], str]
) -> None:
    """Put in ``given`` (rows below the header at 0-based row ``top``) what ``cells`` say the empty
    cells of measure columns show."""
    if not cells:
        return
    for k, values in enumerate(given):
        row = top + k + 2
        for key, column in keys.items():
            if values[key] == "":
                shown = cells.get((row, column + 1))
                if shown is not None:
                    values[key] = shown


def _unreadable_cells(file: Path, sheet: str) -> dict[tuple[int, int], str]:
    """(row, column), 1-based, of the cells of ``sheet`` that hold a formula error (to what it shows,
    ``#DIV/0!``) or a formula with no saved value (to an :class:`UnsavedFormula` of its text). Empty
    for a workbook that is not Office Open XML (.xls, .ods), whose reader says nothing more."""
    import zipfile
    from xml.etree.ElementTree import iterparse

    from .values import UnsavedFormula

    try:
        with zipfile.ZipFile(file) as book:
            part = _sheet_part(book, sheet)
            if part is None:
                return {}
            found: dict[tuple[int, int], str] = {}
            with book.open(part) as xml:
                for _, element in iterparse(xml):
                    if element.tag != _MAIN + "c":
                        continue
                    formula, value = element.find(_MAIN + "f"), element.find(_MAIN + "v")
                    ref = _CELL_REF.fullmatch(element.get("r", ""))
                    if ref is not None and element.get("t") == "e" and value is not None and value.text:
                        found[_place(ref)] = value.text
                    elif ref is not None and formula is not None and (value is None or value.text is None):
                        found[_place(ref)] = UnsavedFormula("=" + (formula.text or "…"))
                    element.clear()
            return found
    except (OSError, zipfile.BadZipFile, KeyError, SyntaxError):  # not OOXML, or not as expected
        return {}


def _place(ref: re.Match[str]) -> tuple[int, int]:
    column = 0
    for letter in ref.group(1):
        column = column * 26 + ord(letter) - 64
    return int(ref.group(2)), column


def _sheet_part(book: Any, sheet: str) -> str | None:
    """The zip member of the sheet named ``sheet``: xl/workbook.xml names it, its relationships
    say where it is."""
    from xml.etree.ElementTree import fromstring

    workbook = fromstring(book.read("xl/workbook.xml"))
    rid = next(
        (s.get(_RELS + "id") for s in workbook.iter(_MAIN + "sheet") if s.get("name") == sheet),
        None,
    )
    rels = fromstring(book.read("xl/_rels/workbook.xml.rels"))
    for rel in rels:
        if rel.get("Id") == rid:
            target = rel.get("Target", "")
            return target.lstrip("/") if target.startswith("/") else "xl/" + target
    return None
