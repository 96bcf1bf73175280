"""Reading measured values from files: TOML or JSON (one unit, or a list of units), CSV and
workbooks (one unit per row, a ``unit`` column naming it) and Parquet. Every value keeps its place
in the file, so a bad value is reported as ``units.csv:7:12`` or ``units.xlsx!Sheet1!C7``.

Every table (CSV, workbook, Parquet, a JSON list) follows the same header rules
(:class:`HeaderNames`): a column is headed by a measure's id, its label (``服务对象满意度``) or
its label with its unit (``热线受理件数（件）``, ``支出决算数（万元）`` for a measure in 元, whose
numbers are then scaled exactly); the unit's column by ``unit``, ``单位``, ``单位名称`` or
``被评价单位``. A header row may have title rows above it.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping, Sequence
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

from .errors import Location, ValuesError
from .messages import Catalog
from .source import (
    SPREADSHEET_ENCODINGS,
    TABLE_SUFFIXES,
    SourceFile,
    TableCell,
    read_text,
    repeated_column,
    repeated_column_error,
    table_rows,
    unnamed,
)
from .tables import (
    HEADER_SEARCH_ROWS,
    UNIT_KEY,
    Column,
    HeaderNames,
    Unit,
    ValuesFileError,
    find_header,
    scaled,
)
from .tables import M as TABLES
from .tomlspans import scan
from .values import (
    BARE_RATE_LIMIT,
    NumberTooLarge,
    ValueProblem,
    exact_number,
    has_percent,
    parse_number,
    show,
)

if TYPE_CHECKING:
    from .model import Measure

#: The suffixes of workbooks (read with python-calamine, :mod:`kpirules.workbook`).
WORKBOOK_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".ods")

M = Catalog(
    "valuefiles",
    {
        "no_units": ("文件中没有单位，没有可评分的内容", "the file holds no units: nothing to score"),
        "no_units_hint": (
            "每个单位在表头之下填一行数值（JSON 列表则每个单位一项）",
            "fill in one row of values per unit below the header (one item per unit in a JSON list)",
        ),
        "unknown_suffix": (
            "无法从 {name} 读取数值：请使用 .toml、.json、.csv（.tsv、.txt）、.xlsx（.xlsm、.xls、.ods）"
            "或 .parquet 文件",
            "cannot read values from {name}: use a .toml, .json, .csv (.tsv, .txt), .xlsx (.xlsm, .xls, .ods) or "
            ".parquet file",
        ),
        "sheet_not_workbook": (
            "--sheet 用于选择工作簿（.xlsx、.xlsm、.xls、.ods）中的工作表，而 {name} 不是工作簿",
            "--sheet picks a sheet of a workbook (.xlsx, .xlsm, .xls, .ods), and {name} is none",
        ),
        "empty": (
            "文件是空的：需要一个写明各数据项的表头行",
            "the file is empty; it needs a header row naming the measures",
        ),
        "percent_slip": (
            "数据项 `{name}`：{raw} 作为比率是 {percent} %，而此列的比率都大于 {floor} %：看来是输入百分数时漏了 %",
            "measure `{name}`: {raw} as a rate is {percent} %, and every rate of this column is above {floor} %: "
            "they look like percentages typed without %",
        ),
        "percent_slip_hint": (
            '比率是 1 的几分之几：{shown} % 应写作 "{shown}%" 或 {fraction}；'
            "如果这些比率没错，请声明该数据项的取值范围，例如 range = [0, 10]",
            'a rate is a fraction of 1: write {shown} % as "{shown}%" or {fraction}; '
            "if the rates are right, declare the measure's range, such as range = [0, 10]",
        ),
        "cannot_read": ("无法读取 {file}", "cannot read {file}"),
        "cannot_read_because": ("无法读取 {file}：{reason}", "cannot read {file}: {reason}"),
        "no_parquet_reader": (
            "无法读取 {name}：读取 Parquet 文件需要 duckdb 或 pyarrow，两者都未安装",
            "cannot read {name}: reading Parquet needs duckdb or pyarrow, and neither is installed",
        ),
        "no_parquet_reader_hint": (
            'pip install "kpirules[sql]"（或 pyarrow）',
            'pip install "kpirules[sql]" (or pyarrow)',
        ),
        "invalid_values": ("数值文件无效：{reason}", "invalid values file: {reason}"),
        "invalid_json": ("JSON 格式错误：{reason}", "invalid JSON: {reason}"),
        "too_deep": (
            "数值文件无效：JSON 嵌套层数过多",
            "invalid values file: the JSON is nested too deeply",
        ),
        "json_shape": (
            "数值文件应是一个由数据项数值组成的对象，或由这样的对象组成的列表",
            "a values file holds an object of measure values, or a list of them",
        ),
        "json_list_shape": (
            "JSON 数值文件应是一个由数据项数值组成的对象，或由这样的对象组成的列表",
            "a JSON values file holds an object of measure values, or a list of them",
        ),
    },
)


def read_units(
    path: str | Path, measures: Mapping[str, Measure] | None = None, *, sheet: str | int | None = None
) -> tuple[list[Unit], bool]:
    """The units in a values file, and whether the file is a batch (a table or a list).

    With ``measures`` (a ruleset's :attr:`~kpirules.Ruleset.measures`), the columns of a table
    and the keys of a JSON file may be headed by a measure's label as well as its id
    (:class:`HeaderNames`), and a table's header row is found below any title rows; the values
    come back keyed by measure id. ``sheet`` picks a workbook's sheet by name or 1-based number
    (default: the first sheet whose header names a measure). A file that holds no unit is
    refused (:func:`no_units`)."""
    file = Path(path)
    suffix = file.suffix.lower()
    names = HeaderNames(measures)
    if sheet is not None and suffix not in WORKBOOK_SUFFIXES:
        raise ValuesFileError(M("sheet_not_workbook", name=file.name))
    batch = True
    if suffix in WORKBOOK_SUFFIXES:
        from .workbook import read_workbook

        units = read_workbook(file, names, sheet=sheet)
    elif suffix == ".parquet":
        units = read_parquet(file, names)
    elif suffix not in (*TABLE_SUFFIXES, ".json", ".toml"):
        raise ValuesFileError(M("unknown_suffix", name=file.name))
    else:
        text = read_text(file, ValuesFileError, encodings=SPREADSHEET_ENCODINGS)
        if suffix in TABLE_SUFFIXES:
            units = read_csv(text, str(file), names)
        elif suffix == ".json":
            units, batch = read_json(text, str(file), names)
        else:
            units, batch = [read_toml(text, str(file))], False
    if not units:
        raise no_units(file)
    return units, batch


def no_units(path: str | Path) -> ValuesFileError:
    """The error of a file of units that holds none (an unfilled template, a header alone, an
    empty JSON list): scoring it would hand in an empty table without a word."""
    return ValuesFileError(M("no_units"), location=Location(str(path)), hint=M("no_units_hint"))


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
                M(
                    "percent_slip",
                    name=name,
                    raw=repr(raw),
                    percent=show(value.scaleb(2)),
                    floor=show(PERCENT_COLUMN_FLOOR.scaleb(2)),
                ),
                location=units[index].locations.get(name),
                hint=M("percent_slip_hint", shown=shown, fraction=show(value.scaleb(-2))),
            )
            slips.setdefault(index, []).append(error)
    return slips


def read_parquet(file: Path, names: HeaderNames | None = None) -> list[Unit]:
    """One unit per row of a Parquet file, read with duckdb or else pyarrow; a ``unit`` column names
    the unit (:class:`HeaderNames`). Values arrive as Decimal, int, float, bool or str (NULL: no
    value); a problem is reported at ``file:row``."""
    if not file.exists():
        raise ValuesFileError(TABLES("no_such_file", file=file))
    headers, rows = _parquet_rows(file)
    columns = (names or HeaderNames()).columns(headers)
    repeated = _repeated_key(columns)
    if repeated is not None:
        raise ValuesFileError(
            TABLES("repeated", header=repeated), location=Location(str(file)), hint=TABLES("repeated_hint")
        )
    keys = [c.key for c in columns]
    scales = [(c.key, c.scale) for c in columns if c.scale]
    units: list[Unit] = []
    for number, record in enumerate(rows, 1):
        values = dict(zip(keys, record, strict=True))
        unit = values.pop(UNIT_KEY, None)
        for key, power in scales:
            values[key] = scaled(values[key], power)
        where = Location(str(file), number)
        units.append(
            Unit(str(unit) if unit not in (None, "") else unnamed(number), values, dict.fromkeys(values, where))
        )
    return units


def _repeated_key(columns: Sequence[Column]) -> str | None:
    """The first key two columns name (a measure's id and its label, say); None if none."""
    seen: set[str] = set()
    for column in columns:
        if column.key and column.key in seen:
            return column.key
        if column.key:
            seen.add(column.key)
    return None


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
        raise ValuesFileError(M("cannot_read_because", file=file, reason=err)) from None
    raise ValuesFileError(
        M("no_parquet_reader", name=file.name),
        hint=M("no_parquet_reader_hint"),
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


def read_json(text: str, name: str, names: HeaderNames | None = None) -> tuple[list[Unit], bool]:
    try:
        data = json.loads(text, parse_float=exact_number)
    except NumberTooLarge as err:
        at = text.find(err.text)
        raise ValuesFileError(
            M("invalid_values", reason=err),
            location=SourceFile(name, text).location(max(at, 0), max(at, 0) + len(err.text)),
        ) from None
    except json.JSONDecodeError as err:
        source = SourceFile(name, text)
        raise ValuesFileError(M("invalid_json", reason=err.msg), location=source.location(err.pos)) from None
    except RecursionError:
        raise ValuesFileError(
            M("too_deep"),
            location=Location(name),
            hint=M("json_shape"),
        ) from None
    file = Location(name)
    if isinstance(data, dict):
        data = _keyed(data, names, file)
        unit = data.pop(UNIT_KEY, None)
        return [Unit(None if unit is None else str(unit), data, {k: file for k in data})], False
    if isinstance(data, list) and all(isinstance(row, dict) for row in data):
        units = []
        for number, row in enumerate(data, 1):
            row = _keyed(row, names, file)
            unit = row.pop(UNIT_KEY, None)
            units.append(
                Unit(str(unit) if unit is not None else unnamed(number, entry=True), row, {k: file for k in row})
            )
        return units, True
    raise ValuesFileError(M("json_list_shape"), location=file)


def _keyed(row: dict[str, Any], names: HeaderNames | None, where: Location) -> dict[str, Any]:
    """A JSON object with its keys as :class:`HeaderNames` reads a header (labels to ids)."""
    if names is None:
        return row
    out: dict[str, Any] = {}
    for key, value in row.items():
        column = names.column(key, where)
        if column.key in out and column.alias:
            raise ValuesFileError(TABLES("repeated", header=column.key), location=where, hint=TABLES("repeated_hint"))
        out[column.key] = scaled(value, column.scale)
    return out


def read_csv(text: str, name: str, names: HeaderNames | None = None) -> list[Unit]:
    """One unit per row of a comma- or tab-separated table; the header names the measures, and a
    ``unit`` column the unit (:class:`HeaderNames`; the header may have title rows above it)."""
    names = names or HeaderNames()
    rows = table_rows(text, name, ValuesFileError)
    ahead: list[tuple[int, list[TableCell]]] = []
    for row in rows:  # the rows up to the header's search limit, to find it
        ahead.append(row)
        if sum(1 for _, cells in ahead if any(c.text.strip() for c in cells)) > HEADER_SEARCH_ROWS:
            break
    found = find_header(((line, [c.text for c in cells]) for line, cells in ahead), names)
    if found is None:
        raise ValuesFileError(M("empty"), location=Location(name))
    header_cells = ahead[found[0]][1]
    repeated = repeated_column(header_cells)
    if repeated is not None:
        raise repeated_column_error(repeated, name, ValuesFileError)
    columns = names.columns([c.text for c in header_cells], [c.location(name) for c in header_cells])
    key_repeated = _repeated_key(columns)
    if key_repeated is not None:
        raise ValuesFileError(
            TABLES("repeated", header=key_repeated),
            location=header_cells[0].location(name),
            hint=TABLES("repeated_hint"),
        )
    units: list[Unit] = []
    body: Iterator[tuple[int, list[TableCell]]] = _chain(ahead[found[0] + 1 :], rows)
    for line_no, cells in body:
        if not any(c.text.strip() for c in cells):
            continue
        values: dict[str, Any] = {}
        locations: dict[str, Location] = {}
        unit = None
        for i, (key, power, _alias, _known) in enumerate(columns):
            if key == UNIT_KEY:
                unit = cells[i].text.strip() if i < len(cells) else None
            elif key:
                if i < len(cells):
                    values[key], locations[key] = scaled(cells[i].text, power), cells[i].location(name)
                else:  # the row is shorter than the header: no value, placed at the row's start
                    values[key] = ""
                    locations[key] = Location(name, line_no, 1, source_line=cells[0].source_line)
        units.append(Unit(unit or unnamed(line_no), values, locations))
    return units


def _chain(
    first: Sequence[tuple[int, list[TableCell]]], rest: Iterator[tuple[int, list[TableCell]]]
) -> Iterator[tuple[int, list[TableCell]]]:
    yield from first
    yield from rest


class HeaderCheck(NamedTuple):
    """What a table's header asks of a reader that maps columns by measure id alone (the DuckDB
    engine): ``aliased`` lists the headers that are labels, carry a unit, or name the unit's column
    otherwise than ``unit`` (:func:`aliased_headers`); ``below_title`` is true when the header is
    not the first non-blank row."""

    aliased: list[str]
    below_title: bool


def check_header(path: str | Path, names: HeaderNames) -> HeaderCheck | None:
    """The :class:`HeaderCheck` of a CSV file (or another table of text), from its first MiB;
    None when it cannot be told so (unreadable, no header in that piece): the readers will say
    why. A Parquet file's header is its schema: see :func:`aliased_headers`."""
    file = Path(path)
    try:
        with file.open("rb") as handle:
            head = handle.read(1 << 20)
    except OSError:
        return None
    from .source import encodings_to_try

    text = None
    for encoding in encodings_to_try(head, SPREADSHEET_ENCODINGS):
        try:
            text = head.decode(encoding)
            break
        except UnicodeDecodeError as err:
            if err.start > len(head) - 4:  # cut inside a character at the end of the piece
                text = head[: err.start].decode(encoding)
                break
    if text is None:
        return None
    rows: list[tuple[int, list[str]]] = []
    try:
        for line, cells in table_rows(text, str(file), ValuesFileError):
            rows.append((line, [c.text for c in cells]))
            if len(rows) > HEADER_SEARCH_ROWS * 2:
                break
    except ValuesFileError:
        pass  # the piece may end inside a quoted cell
    found = find_header(rows, names)
    if found is None:
        return None
    return HeaderCheck(aliased_headers(rows[found[0]][1], names), found[0] != found[1])


def aliased_headers(headers: Sequence[str], names: HeaderNames) -> list[str]:
    """The ``headers`` that name a column otherwise than by a measure's id or ``unit`` (a label, a
    unit in brackets, ``单位``), or that cannot be read (a label two measures share), stripped."""
    aliased = []
    for header in headers:
        try:
            if names.column(header).alias:
                aliased.append(header.strip())
        except ValuesFileError:
            aliased.append(header.strip())
    return aliased
