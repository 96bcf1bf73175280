"""Reading measured values from files: TOML or JSON (one unit, or a list of units) and CSV (one
unit per row, a ``unit`` column naming it). Every value keeps its place in the file, so a bad value
is reported as ``units.csv:7:12``.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any

import attrs

from .errors import KpiRulesError, Location, ValuesError
from .model import Measure
from .source import (
    SPREADSHEET_ENCODINGS,
    TABLE_SUFFIXES,
    SourceFile,
    read_text,
    repeated_column,
    repeated_column_error,
    table_rows,
)
from .tomlspans import scan
from .values import BARE_RATE_LIMIT, ValueProblem, has_percent, parse_number, show

UNIT_KEY = "unit"


@attrs.frozen
class Unit:
    """The values of one unit, with where each came from."""

    name: str | None
    values: Mapping[str, Any]
    locations: Mapping[str, Location] = attrs.Factory(dict)


class ValuesFileError(KpiRulesError):
    """A values file that cannot be read at all."""


def read_units(path: str | Path) -> tuple[list[Unit], bool]:
    """The units in a values file, and whether the file is a batch (CSV or a list)."""
    file = Path(path)
    suffix = file.suffix.lower()
    if suffix == ".parquet":
        return read_parquet(file), True
    if suffix not in (*TABLE_SUFFIXES, ".json", ".toml"):
        raise ValuesFileError(
            f"cannot read values from {file.name}: use a .toml, .json, .csv (.tsv, .txt) or .parquet file"
        )
    text = read_text(file, ValuesFileError, encodings=SPREADSHEET_ENCODINGS)
    if suffix in TABLE_SUFFIXES:
        return read_csv(text, str(file)), True
    if suffix == ".json":
        return read_json(text, str(file))
    return [read_toml(text, str(file))], False


#: In a file of units, a column of a rate with no declared range whose every bare number (no %) is
#: above this, in at least two units, holds percentages typed without their sign (``86.5, 92``).
PERCENT_COLUMN_FLOOR = Decimal("1.5")


def percent_slips(measures: Mapping[str, Measure], units: Sequence[Unit]) -> dict[int, list[ValuesError]]:
    """Units (by index) whose rates look like percentages typed without %: in a column of an input
    rate that declares no ``range``, every bare number is above 150 %. Scored, they would count 86.5
    as 8,650 %; each such cell is a problem with the hint to write ``86.5%``. A value of 10 or more
    is refused on its own (:data:`kpirules.values.BARE_RATE_LIMIT`); this catches the columns below it.
    """
    slips: dict[int, list[ValuesError]] = {}
    for name, measure in measures.items():
        if measure.type != "rate" or measure.range is not None or measure.derived:
            continue
        bare: list[tuple[int, Any, Decimal]] = []
        for index, unit in enumerate(units):
            raw = unit.values.get(name)
            if raw is None or isinstance(raw, bool) or has_percent(raw):
                continue
            try:
                bare.append((index, raw, parse_number(raw)))
            except ValueProblem:
                continue
        if len(bare) < 2 or any(value <= PERCENT_COLUMN_FLOOR for _, _, value in bare):
            continue
        for index, raw, value in bare:
            if value >= BARE_RATE_LIMIT:
                continue  # refused on its own when the unit is scored
            shown = show(value)
            error = ValuesError(
                f"measure `{name}`: {raw!r} as a rate is {show(value.scaleb(2))} %, and every rate of this "
                f"column is above {show(PERCENT_COLUMN_FLOOR.scaleb(2))} %: they look like percentages typed without %",
                location=units[index].locations.get(name),
                hint=f'a rate is a fraction of 1: write {shown} % as "{shown}%" or {show(value.scaleb(-2))}; '
                f"if the rates are right, declare the measure's range, such as range = [0, 10]",
            )
            slips.setdefault(index, []).append(error)
    return slips


def read_parquet(file: Path) -> list[Unit]:
    """One unit per row of a Parquet file, read with duckdb or else pyarrow; a ``unit`` column names
    the unit. Values arrive as Decimal, int, float, bool or str (NULL: no value); a problem is
    reported at ``file:row``."""
    if not file.exists():
        raise ValuesFileError(f"no such file: {file}")
    names, rows = _parquet_rows(file)
    units: list[Unit] = []
    for number, record in enumerate(rows, 1):
        values = dict(zip(names, record, strict=True))
        unit = values.pop(UNIT_KEY, None)
        where = Location(str(file), number)
        units.append(
            Unit(str(unit) if unit not in (None, "") else f"row {number}", values, dict.fromkeys(values, where))
        )
    return units


def _parquet_rows(file: Path) -> tuple[list[str], list[tuple[Any, ...]]]:
    import importlib.util

    try:
        if importlib.util.find_spec("duckdb") is not None:
            import duckdb

            con = duckdb.connect()
            try:
                cursor = con.execute("SELECT * FROM read_parquet(?)", [str(file)])
                names = [d[0].strip() for d in cursor.description]
                return names, cursor.fetchall()
            finally:
                con.close()
        if importlib.util.find_spec("pyarrow") is not None:
            import pyarrow.parquet as pq  # type: ignore[import-untyped,import-not-found,unused-ignore]

            table = pq.read_table(str(file))
            columns = [column.to_pylist() for column in table.columns]
            return [n.strip() for n in table.column_names], list(zip(*columns, strict=True))
    except Exception as err:  # duckdb and pyarrow raise their own exception types
        raise ValuesFileError(f"cannot read {file}: {err}") from None
    raise ValuesFileError(
        f"cannot read {file.name}: reading Parquet needs duckdb or pyarrow, and neither is installed",
        hint='pip install "kpirules[sql]" (or pyarrow)',
    )


def read_toml(text: str, name: str) -> Unit:
    from .loader import parse_toml

    source = SourceFile(name, text)
    data = parse_toml(source)
    spans = scan(text)
    prefix: tuple[str, ...] = ()
    unit = data.get(UNIT_KEY) if isinstance(data.get(UNIT_KEY), str) else None
    if isinstance(data.get("values"), dict):
        data, prefix = data["values"], ("values",)
    locations = {}
    for key in data:
        path = (*prefix, key)
        span = spans.get(path)
        if span is not None:
            locations[key] = source.location(span.value_start, span.value_end)
        else:  # a dotted key (86.5 = … is a table 86 holding 5): where it is written
            inner = next((v for p, v in spans.items() if p[: len(path)] == path), None)
            locations[key] = source.location(inner.key_start, inner.key_end) if inner else Location(name)
    if isinstance(data.get(UNIT_KEY), str):
        unit = data.pop(UNIT_KEY)
    return Unit(unit, data, locations)


def read_json(text: str, name: str) -> tuple[list[Unit], bool]:
    try:
        data = json.loads(text, parse_float=_decimal)
    except json.JSONDecodeError as err:
        source = SourceFile(name, text)
        raise ValuesFileError(f"invalid JSON: {err.msg}", location=source.location(err.pos)) from None
    except RecursionError:
        raise ValuesFileError(
            "invalid values file: the JSON is nested too deeply",
            location=Location(name),
            hint="a values file holds an object of measure values, or a list of them",
        ) from None
    file = Location(name)
    if isinstance(data, dict):
        unit = data.pop(UNIT_KEY, None)
        return [Unit(None if unit is None else str(unit), data, {k: file for k in data})], False
    if isinstance(data, list) and all(isinstance(row, dict) for row in data):
        units = []
        for number, row in enumerate(data, 1):
            unit = row.pop(UNIT_KEY, None)
            units.append(Unit(str(unit) if unit is not None else f"#{number}", row, {k: file for k in row}))
        return units, True
    raise ValuesFileError("a JSON values file holds an object of measure values, or a list of them", location=file)


def _decimal(text: str) -> Any:
    from decimal import Decimal

    return Decimal(text)


def read_csv(text: str, name: str) -> list[Unit]:
    """One unit per row of a comma- or tab-separated table; the header names the measures, and a
    ``unit`` column the unit."""
    rows = (row for row in table_rows(text, name, ValuesFileError) if any(c.text.strip() for c in row[1]))
    header_cells = next(rows, (0, []))[1]  # the first row that is not blank
    repeated = repeated_column(header_cells)
    if repeated is not None:
        raise repeated_column_error(repeated, name, ValuesFileError)
    header = [cell.text.strip() for cell in header_cells]
    if not any(header):
        raise ValuesFileError("the file is empty; it needs a header row naming the measures", location=Location(name))
    units: list[Unit] = []
    for line_no, cells in rows:
        values: dict[str, Any] = {}
        locations: dict[str, Location] = {}
        unit = None
        for i, key in enumerate(header):
            if key == UNIT_KEY:
                unit = cells[i].text.strip() if i < len(cells) else None
            elif key:
                if i < len(cells):
                    values[key], locations[key] = cells[i].text, cells[i].location(name)
                else:  # the row is shorter than the header: no value, placed at the row's start
                    values[key] = ""
                    locations[key] = Location(name, line_no, 1, source_line=cells[0].source_line)
        units.append(Unit(unit or f"row {line_no}", values, locations))
    return units
