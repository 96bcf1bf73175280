"""Tables of units: the unit a row stands for, and the header rules every table follows.

A table of units (CSV, workbook, Parquet, a JSON list) has a header row naming the measures, and
one row per unit (:class:`Unit`). A column is headed by a measure's id, its label
(``服务对象满意度``) or its label with its unit (``热线受理件数（件）``, ``支出决算数（万元）`` for a
measure in 元, whose numbers are then scaled exactly: :class:`HeaderNames`); the unit's column by
``unit``, ``单位``, ``单位名称`` or ``被评价单位``. A header row may have title rows above it
(:func:`find_header`). :mod:`kpirules.valuefiles` and :mod:`kpirules.workbook` read tables by
these rules.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from types import MappingProxyType
from typing import Any, NamedTuple

from .errors import KpiRulesError, Location
from .messages import Catalog
from .model import POINTS, Measure
from .units import MONEY, PERCENT, UnitMismatch, scale
from .values import ValueProblem, is_missing, parse_number

UNIT_KEY = "unit"
#: The headers of the column that names each unit, as tables write it.
UNIT_COLUMNS = ("unit", "单位", "单位名称", "被评价单位")
#: How many non-blank rows above the header a table may have (titles, notes, a merged heading).
HEADER_SEARCH_ROWS = 50

M = Catalog(
    "tables",
    {
        "ambiguous_header": (
            "列 `{header}` 可能是数据项 {names} 中的任何一个：它们的名称相同",
            "the column `{header}` may be any of the measures {names}: their labels are the same",
        ),
        "ambiguous_hint": ("请改用数据项的 id 作列名", "head the column with the measure's id instead"),
        "header_unit": (
            "列 `{header}` 以 {unit} 计，数据项 `{name}`（{label}）不能使用这个计量单位：{reason}",
            "the column `{header}` is in {unit}, which measure `{name}` ({label}) cannot take: {reason}",
        ),
        "header_unit_hint": (
            "列名请使用数据项的计量单位（{expected}），或换算数值",
            "head the column with the measure's unit ({expected}), or convert the values",
        ),
        "no_rate": ("类型为 {type} 的数据项不是比率", "a {type} is no rate"),
        "repeated": (
            "有两列都指向 `{header}`：数值在哪一列？",
            "two columns name `{header}`: which one holds the values?",
        ),
        "repeated_hint": ("删除其中一列，或给它改名", "remove or rename one of them"),
        "no_such_file": ("找不到文件：{file}", "no such file: {file}"),
    },
)


class Unit(NamedTuple):
    """The values of one unit, with where each came from. (A named tuple: a sheet of 100,000
    units makes 100,000 of them.)"""

    name: str | None
    values: Mapping[str, Any]
    locations: Mapping[str, Location] = MappingProxyType({})


class ValuesFileError(KpiRulesError):
    """A values file that cannot be read at all."""


# ---- header rules ------------------------------------------------------------------------------
def normalize_header(text: str) -> str:
    """A header as compared: NFKC (full-width brackets and letters become ASCII), without blanks.

    >>> normalize_header(" 热线受理件数（件） "), normalize_header("单位 名称")
    ('热线受理件数(件)', '单位名称')
    """
    return "".join(unicodedata.normalize("NFKC", text).split())


_UNIT_NAMES = frozenset(normalize_header(u).casefold() for u in UNIT_COLUMNS)
_BRACKETED = re.compile(r"^(.+?)\(([^()]*)\)$")


class Column(NamedTuple):
    """What one header cell names: a measure (``key`` its id), the unit's column (``key`` is
    :data:`UNIT_KEY`) or nothing known (``key`` the header as written, stripped). ``scale`` is the
    power of ten that turns the column's numbers into the measure's unit (4 for a column in 万元
    of a measure in 元); ``alias`` is true when the header is not ``key`` itself."""

    key: str
    scale: int = 0
    alias: bool = False
    known: bool = False


class HeaderNames:
    """The header rules every table of units follows (CSV, workbooks, Parquet, JSON lists).

    A column is headed by a measure's id, its label, or either followed by a unit in brackets
    (``label（unit）``, ``label(unit)``): the measure's own unit, a money unit its amounts convert
    to exactly (万元 for 元: the numbers are scaled), ``%`` for a rate (the cells still hold rates:
    ``95.3%``, or 0.953 in a cell formatted as a percentage), or any unit when the measure
    declares none and is no amount. The unit's column is ``unit``, ``单位``, ``单位名称`` or
    ``被评价单位``. An id wins over another measure's label; a label two measures share names
    neither (an error at the header). Without measures, only ids and the unit's column are
    known, and every other header is kept as written."""

    def __init__(self, measures: Mapping[str, Measure] | None = None) -> None:
        self.measures: Mapping[str, Measure] = measures or {}
        labels: dict[str, list[str]] = {}
        for name, measure in self.measures.items():
            if measure.label:
                labels.setdefault(normalize_header(measure.label), []).append(name)
        self._ids = {normalize_header(name): name for name in self.measures}
        self._labels = labels

    def __bool__(self) -> bool:
        return bool(self.measures)

    def _base(self, text: str) -> list[str]:
        if text in self._ids:
            return [self._ids[text]]
        return self._labels.get(text, [])

    def column(self, header: str, location: Location | None = None) -> Column:
        """What ``header`` names; raises :class:`ValuesFileError` (at ``location``) for a label
        two measures share or a unit the measure cannot take."""
        written = header.strip()
        text = normalize_header(written)
        if text.casefold() in _UNIT_NAMES:
            return Column(UNIT_KEY, 0, written != UNIT_KEY, True)
        if written in self.measures:
            return Column(written, 0, False, True)
        judged = self.measures.get(written.removesuffix(POINTS)) if written.endswith(POINTS) else None
        if judged is not None and judged.type == "judged":
            return Column(written, 0, False, True)  # the points of a judged measure, beside its level
        found = self._base(text)
        unit: str | None = None
        if not found and (match := _BRACKETED.match(text)):
            found, unit = self._base(match.group(1)), match.group(2)
        if not found:
            return Column(written)
        if len(found) > 1:
            raise ValuesFileError(
                M("ambiguous_header", header=written, names=", ".join(f"`{n}`" for n in found)),
                location=location,
                hint=M("ambiguous_hint"),
            )
        (name,) = found
        return Column(name, self._scale(name, unit, written, location), True, True)

    def _scale(self, name: str, unit: str | None, header: str, location: Location | None) -> int:
        if unit is None:
            return 0
        measure = self.measures[name]
        if unit in PERCENT:
            if measure.type == "rate":
                return 0
            reason = M("no_rate", type=measure.type)
        elif measure.unit is None and unit not in MONEY and measure.type != "amount":
            return 0  # the measure declares no unit: the header's is a description
        else:
            try:
                return scale(unit, measure.unit, measure.type)
            except UnitMismatch as err:
                reason = str(err)
        raise ValuesFileError(
            M("header_unit", header=header, unit=unit, name=name, label=measure.display, reason=reason),
            location=location,
            hint=M("header_unit_hint", expected=measure.unit or ("%" if measure.type == "rate" else "—")),
        )

    def columns(self, headers: Sequence[str], locations: Sequence[Location | None] = ()) -> list[Column]:
        """Each header's :class:`Column`, in order."""
        places = list(locations) + [None] * (len(headers) - len(locations))
        return [self.column(h, at) for h, at in zip(headers, places, strict=True)]

    def names_any(self, headers: Iterable[str]) -> bool:
        """Whether any of ``headers`` names a measure or the unit's column."""
        for header in headers:
            try:
                if self.column(header).known:
                    return True
            except ValuesFileError:
                return True  # it names measures, if ambiguously
        return False


def scaled(raw: Any, power: int) -> Any:
    """``raw`` times 10**power, exactly, when it is a number (a cell of a column in 万元 of a
    measure in 元); anything else as it is, for the converter to report."""
    if power == 0 or is_missing(raw) or isinstance(raw, bool):
        return raw
    try:
        return parse_number(raw, percent_ok=False).scaleb(power)
    except (ValueProblem, ArithmeticError):
        return raw


def find_header(rows: Iterable[tuple[int, Sequence[str]]], names: HeaderNames) -> tuple[int, int] | None:
    """(index in ``rows``, index of the first non-blank row) of the header among ``rows`` (each
    a row number and its cells' texts); None if every row is blank.

    The header is the first of the first :data:`HEADER_SEARCH_ROWS` non-blank rows that names a
    measure or the unit's column; failing that, the first with two non-blank cells or more (a
    title above it has one, merged or not); failing that, the first non-blank row."""
    first = wide = None
    for seen, (index, (_, cells)) in enumerate(((i, r) for i, r in enumerate(rows) if any(c.strip() for c in r[1])), 0):
        if first is None:
            first = index
        if seen >= HEADER_SEARCH_ROWS:
            break
        if names.names_any(cells):
            return index, first
        if wide is None and sum(1 for c in cells if c.strip()) >= 2:
            wide = index
    if first is None:
        return None
    return (wide if wide is not None else first), first
