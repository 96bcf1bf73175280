"""Published tables written as TOML or JSON: ``total``, ``grade``, ``scores`` (rows keyed by
indicator), ``rows`` (records, read as a grid), ``subtotals`` and ``figures``; every value located at
its key."""

from __future__ import annotations

import difflib
import json
import re
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from json.decoder import scanstring  # type: ignore[attr-defined]
from typing import Any

from ...errors import Location
from ...source import SourceFile
from .cells import Cell, ReportedFileError, Row, Table, clip, column_field
from .grid import grid_rows


class Unreadable(str):
    """A JSON or TOML number literal too large for a decimal (``1e9999999999999999999``): kept as
    its text, so that the cell's own check refuses it at its place."""


def decimal(text: str) -> Decimal | Unreadable:
    try:
        return Decimal(text)
    except InvalidOperation:
        return Unreadable(text)


# ---- TOML -------------------------------------------------------------------------------------
def read_toml(text: str, name: str) -> Table:
    from ...loader import parse_toml
    from ...tomlspans import scan

    source = SourceFile(name, text)
    # raises RulesetError (a KpiRulesError) with file:line:col; a number too large for a decimal is
    # kept as its text and refused at its place below
    data = parse_toml(source, parse_float=decimal)
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
def read_json(text: str, name: str) -> Table:
    source = SourceFile(name, text)
    try:
        data = json.loads(text, parse_float=decimal, parse_int=decimal, parse_constant=Unreadable)
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
def _from_data(data: Any, name: str, where: Any) -> Table:
    table = Table(name)
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
                f"unknown key `{clip(key)}` in the reported table",
                where((*prefix, key), key=True),
                f"did you mean `{close[0]}`?" if close else f"the keys here are {', '.join(known)}",
            )
    if "total" in data:
        table.total = Cell(data["total"], where((*prefix, "total")))
    if "grade" in data:
        table.grade = Cell(data["grade"], where((*prefix, "grade")))
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
            table.problem(f"the row `{clip(key)}` must be a table of weight, score and rate", where(path))
            continue
        cells = _cells(body, path, where, table)
        table.rows.append(Row(cells, where(path, key=True), key=key))
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
                    f"unknown key `{clip(key)}` in a figure",
                    where((*path, key), key=True),
                    "the keys here are measure, value, unit, quote, where",
                )
                continue
            cells[key] = Cell(value, where((*path, key)))
        table.figures.append((cells, where(path)))
    return table


def _records(rows: list[Any], path: tuple[Any, ...], where: Any, table: Table) -> None:
    """``rows``, a list of records (as a spreadsheet exports them), read as a grid whose columns
    are the keys of the records: the same columns, labels and subtotal rows as a CSV file."""
    columns: dict[str, Location] = {}
    for n, body in enumerate(rows):
        if not isinstance(body, dict):
            table.problem("each row must be a table of indicator, weight, score and rate", where((*path, n)))
            continue
        for key in body:
            columns.setdefault(key, where((*path, n, key), key=True))
    header = [Cell(key, at) for key, at in columns.items()]
    if rows and not any(column_field(key) == "indicator" for key in columns):
        table.problem(
            "the rows name no indicator",
            where(path),
            "give each row an `id`, `指标名称` or another indicator column (see docs/audit.md)",
        )
        return
    grid = [
        [Cell(body.get(key), where((*path, n, key)) if key in body else where((*path, n))) for key in columns]
        for n, body in enumerate(rows)
        if isinstance(body, dict)
    ]
    grid_rows(header, grid, table)


def _subtotal_row(body: Mapping[str, Any], path: tuple[Any, ...], where: Any, table: Table) -> None:
    """One entry of ``subtotals``: ``name`` as printed, optional ``path`` or ``indicators``, and
    its weight, score and rate."""
    keys = ("name", "path", "indicators", "weight", "score", "rate")
    cells: dict[str, Cell] = {}
    lists: dict[str, tuple[str, ...]] = {}
    for key, value in body.items():
        if key not in keys:
            table.problem(
                f"unknown key `{clip(key)}` in a subtotal",
                where((*path, key), key=True),
                f"the keys here are {', '.join(keys)}",
            )
        elif key in ("path", "indicators"):
            if isinstance(value, list) and all(isinstance(v, str) for v in value):
                lists[key] = tuple(value)
            else:
                table.problem(f"`{key}` must be a list of strings", where((*path, key)))
        else:
            cells["indicator" if key == "name" else key] = Cell(value, where((*path, key)))
    if "indicator" not in cells:
        table.problem("a subtotal needs `name`: the label printed in its row", where(path))
        return
    table.rows.append(Row(cells, where(path), subtotal=True, path=lists.get("path"), ids=lists.get("indicators")))


def _cells(body: Mapping[str, Any], path: tuple[Any, ...], where: Any, table: Table) -> dict[str, Cell]:
    cells: dict[str, Cell] = {}
    for key, value in body.items():
        field = column_field(key)
        if field is None:
            table.problem(
                f"unknown key `{clip(key)}` in a row",
                where((*path, key), key=True),
                "a row has an indicator (id or name), weight, score, rate, text_rate, text_score and quote",
            )
            continue
        cells[field] = Cell(value, where((*path, key)))
    return cells
