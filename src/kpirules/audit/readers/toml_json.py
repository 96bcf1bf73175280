"""Published tables written as TOML or JSON: ``total``, ``grade``, ``scores`` (rows keyed by
indicator), ``rows`` (records, read as a grid), ``subtotals`` and ``figures``; every value located at
its key."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from json.decoder import scanstring  # type: ignore[attr-defined]
from typing import Any

from ...errors import Location, close_matches
from ...messages import Catalog
from ...source import SourceFile
from .cells import Cell, ReportedFileError, Row, Table, clip, column_field
from .grid import grid_rows

M = Catalog(
    "audit.readers.toml_json",
    {
        "invalid_json": ("JSON 格式错误：{reason}", "invalid JSON: {reason}"),
        "not_a_table": (
            "公布的表格应是一个含 `total`、`grade`、`scores` 或 `rows` 的对象",
            "a reported table is an object with `total`, `grade`, `scores` or `rows`",
        ),
        "unknown_key": ("公布的表格中有未知的键 `{key}`", "unknown key `{key}` in the reported table"),
        "did_you_mean": ("是否应为 `{name}`？", "did you mean `{name}`?"),
        "keys_here": ("这里可用的键：{keys}", "the keys here are {keys}"),
        "not_a_string": ("`{key}` 必须是字符串", "`{key}` must be a string"),
        "scores_not_a_table": (
            "`scores` 必须是一个表，各行以指标的 id 或名称为键",
            "`scores` must be a table of rows keyed by indicator id or name",
        ),
        "row_not_a_table": (
            "行 `{key}` 必须是含 `weight`、`score` 和 `rate` 的表",
            "the row `{key}` must be a table of weight, score and rate",
        ),
        "rows_not_a_list": ("`rows` 必须是由各行组成的列表", "`rows` must be a list of rows"),
        "subtotals_not_a_list": ("`subtotals` 必须是由小计行组成的列表", "`subtotals` must be a list of subtotal rows"),
        "subtotal_not_a_table": (
            "每个小计必须是含 `name`、`weight`、`score` 和 `rate` 的表",
            "each subtotal must be a table of name, weight, score and rate",
        ),
        "figures_not_a_list": ("`figures` 必须是由报告数字组成的列表", "`figures` must be a list of figures"),
        "figure_not_a_table": (
            "每个报告数字必须是含 `measure`、`value` 和 `unit` 的表",
            "each figure must be a table of measure, value and unit",
        ),
        "figure_unknown_key": ("报告数字中有未知的键 `{key}`", "unknown key `{key}` in a figure"),
        "record_not_a_table": (
            "每一行必须是含指标、`weight`、`score` 和 `rate` 的表",
            "each row must be a table of indicator, weight, score and rate",
        ),
        "rows_no_indicator": ("各行都没有写明指标", "the rows name no indicator"),
        "rows_no_indicator_hint": (
            "请给每一行加上 `id`、`指标名称` 或其他指标列（见 docs/audit.md）",
            "give each row an `id`, `指标名称` or another indicator column (see docs/audit.md)",
        ),
        "subtotal_unknown_key": ("小计中有未知的键 `{key}`", "unknown key `{key}` in a subtotal"),
        "not_strings": ("`{key}` 必须是由字符串组成的列表", "`{key}` must be a list of strings"),
        "subtotal_no_name": (
            "小计须有 `name`：该行印出的名称",
            "a subtotal needs `name`: the label printed in its row",
        ),
        "row_unknown_key": ("行中有未知的键 `{key}`", "unknown key `{key}` in a row"),
        "row_keys": (
            "一行可有：指标（id 或名称）、`weight`、`score`、`rate`、`text_rate`、`text_score` 和 `quote`",
            "a row has an indicator (id or name), weight, score, rate, text_rate, text_score and quote",
        ),
    },
)


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
        raise ReportedFileError(M("invalid_json", reason=err.msg), location=source.location(err.pos)) from None
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
def _from_data(data: Any, name: str, where: Any) -> Table:  # noqa: C901 - validates each key of the [reported] table where it is read, to locate errors
    table = Table(name)
    if not isinstance(data, dict):
        table.problem(M("not_a_table"), where(()))
        return table
    prefix: tuple[Any, ...] = ()
    if isinstance(data.get("reported"), dict):
        data, prefix = data["reported"], ("reported",)
    known = ("total", "grade", "scores", "rows", "subtotals", "figures", "quote", "source")
    for key in data:
        if key not in known:
            close = close_matches(key, known, n=1, cutoff=0.6)
            table.problem(
                M("unknown_key", key=clip(key)),
                where((*prefix, key), key=True),
                M("did_you_mean", name=close[0]) if close else M("keys_here", keys=", ".join(known)),
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
                table.problem(M("not_a_string", key=key), where((*prefix, key)))
    scores = data.get("scores", {})
    if not isinstance(scores, dict):
        table.problem(M("scores_not_a_table"), where((*prefix, "scores")))
        scores = {}
    for key, body in scores.items():
        path = (*prefix, "scores", key)
        if not isinstance(body, dict):
            table.problem(M("row_not_a_table", key=clip(key)), where(path))
            continue
        cells = _cells(body, path, where, table)
        table.rows.append(Row(cells, where(path, key=True), key=key))
    rows = data.get("rows", [])
    if not isinstance(rows, list):
        table.problem(M("rows_not_a_list"), where((*prefix, "rows")))
        rows = []
    _records(rows, (*prefix, "rows"), where, table)
    subtotals = data.get("subtotals", [])
    if not isinstance(subtotals, list):
        table.problem(M("subtotals_not_a_list"), where((*prefix, "subtotals")))
        subtotals = []
    for n, body in enumerate(subtotals):
        path = (*prefix, "subtotals", n)
        if not isinstance(body, dict):
            table.problem(M("subtotal_not_a_table"), where(path))
            continue
        _subtotal_row(body, path, where, table)
    figures = data.get("figures", [])
    if not isinstance(figures, list):
        table.problem(M("figures_not_a_list"), where((*prefix, "figures")))
        figures = []
    for n, body in enumerate(figures):
        path = (*prefix, "figures", n)
        if not isinstance(body, dict):
            table.problem(M("figure_not_a_table"), where(path))
            continue
        cells = {}
        for key, value in body.items():
            if key not in ("measure", "value", "unit", "quote", "where"):
                table.problem(
                    M("figure_unknown_key", key=clip(key)),
                    where((*path, key), key=True),
                    M("keys_here", keys="measure, value, unit, quote, where"),
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
            table.problem(M("record_not_a_table"), where((*path, n)))
            continue
        for key in body:
            columns.setdefault(key, where((*path, n, key), key=True))
    header = [Cell(key, at) for key, at in columns.items()]
    if rows and not any(column_field(key) == "indicator" for key in columns):
        table.problem(M("rows_no_indicator"), where(path), M("rows_no_indicator_hint"))
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
                M("subtotal_unknown_key", key=clip(key)),
                where((*path, key), key=True),
                M("keys_here", keys=", ".join(keys)),
            )
        elif key in ("path", "indicators"):
            if isinstance(value, list) and all(isinstance(v, str) for v in value):
                lists[key] = tuple(value)
            else:
                table.problem(M("not_strings", key=key), where((*path, key)))
        else:
            cells["indicator" if key == "name" else key] = Cell(value, where((*path, key)))
    if "indicator" not in cells:
        table.problem(M("subtotal_no_name"), where(path))
        return
    table.rows.append(Row(cells, where(path), subtotal=True, path=lists.get("path"), ids=lists.get("indicators")))


def _cells(body: Mapping[str, Any], path: tuple[Any, ...], where: Any, table: Table) -> dict[str, Cell]:
    cells: dict[str, Cell] = {}
    for key, value in body.items():
        field = column_field(key)
        if field is None:
            table.problem(M("row_unknown_key", key=clip(key)), where((*path, key), key=True), M("row_keys"))
            continue
        cells[field] = Cell(value, where((*path, key)))
    return cells
