"""Source text and positions: offsets to lines and columns, and rule text inside a TOML file.

A rule lives inside a TOML string, so an offset in the rule is first mapped to an offset in the
file (escapes and line continuations included) and then to a line and column there.
"""

from __future__ import annotations

import codecs
import csv
import errno
import io
import re
from bisect import bisect_right
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import NamedTuple

from .errors import KpiRulesError, Location
from .messages import Catalog

M = Catalog(
    "source",
    {
        "row": ("第 {number} 行", "row {number}"),
        "entry": ("第 {number} 项", "#{number}"),
        "no_file": ("找不到文件：{name}", "no such file: {name}"),
        "folder": ("{name} 是文件夹，不是文件", "{name} is a folder, not a file"),
        "cannot_read": ("无法读取 {name}：{reason}", "cannot read {name}: {reason}"),
        "neither": ("{name} 不是 {encodings} 编码的文本", "{name} is neither {encodings} text"),
        "neither_joiner": (" 或 ", " nor "),
        "not_encoding": ("{name} 不是 {encoding} 编码的文本", "{name} is not {encoding} text"),
        "not_encoding_at": (
            "{name} 不是 {encoding} 编码的文本（第 {byte} 个字节）",
            "{name} is not {encoding} text (byte {byte})",
        ),
        "save_utf8": ("请将文件另存为 UTF-8 编码", "save the file as UTF-8"),
        "nul": (
            "{name} 含有 NUL 字符（第一个在第 {byte} 个字节），文本表格中不会有这种字符",
            "{name} holds NUL characters (the first at byte {byte}), which no table of text has",
        ),
        "nul_hint": (
            "如果它是 UTF-16 文本，请带字节顺序标记（BOM）保存，或另存为 UTF-8",
            "if it is UTF-16 text, save it with its byte-order mark or as UTF-8",
        ),
        "bad_row": ("无法读取表格的这一行：{reason}", "cannot read this row of the table: {reason}"),
        "field_limit": (
            "单元格长度超过上限（{limit} 个字符）",
            "field larger than field limit ({limit})",
        ),
        "bad_row_hint": ('单元格开头的引号（"）必须闭合', 'a quote (") that opens a cell must close it'),
        "repeated_column": (
            "表头中列 `{column}` 出现了两次：哪一列才是数值？",
            "the column `{column}` appears twice in the header: which one holds the values?",
        ),
        "repeated_column_hint": ("删除其中一列，或给其中一列改名", "remove or rename one of them"),
        # why a file cannot be read, for the common causes (by errno name; English: the system's words)
        "EACCES": ("没有读取权限", "Permission denied"),
        "EPERM": ("不允许此操作", "Operation not permitted"),
        "ENOTDIR": ("路径中有一部分不是文件夹", "Not a directory"),
        "ENAMETOOLONG": ("文件名过长", "File name too long"),
        "ELOOP": ("符号链接的层数过多", "Too many levels of symbolic links"),
        "EIO": ("读取时发生输入/输出错误", "Input/output error"),
    },
)


def unnamed(number: int, *, entry: bool = False) -> str:
    """The name of a unit whose row names none: its row of a table (``row 7``, 第 7 行), or its
    place in a list (``#3``, 第 3 项), in the current language."""
    return M("entry" if entry else "row", number=number)


#: What CSV and table files may be encoded in: spreadsheets saved on Chinese Windows use GB18030,
#: and Excel's "Unicode text" is UTF-16 (read only when the file starts with its byte-order mark).
SPREADSHEET_ENCODINGS = ("utf-8-sig", "utf-16", "gb18030")
#: The suffixes of delimited tables: comma- or tab-separated (see :func:`table_rows`).
TABLE_SUFFIXES = (".csv", ".tsv", ".txt")


def read_text(path: str | Path, error: type[KpiRulesError], *, encodings: Sequence[str] = ("utf-8-sig",)) -> str:
    """The text of a file, with Windows line endings made plain. Every way it can fail (missing,
    a folder, unreadable, not in one of ``encodings``) raises ``error`` with a message that says
    which."""
    name = str(path)
    try:
        data = Path(path).read_bytes()
    except FileNotFoundError:
        raise error(M("no_file", name=name)) from None
    except IsADirectoryError:
        raise error(M("folder", name=name)) from None
    except OSError as err:
        raise error(M("cannot_read", name=name, reason=_os_reason(err))) from None
    failures: list[UnicodeDecodeError] = []
    for encoding in encodings_to_try(data, encodings):
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError as err:
            failures.append(err)
            continue
        if "utf-16" in encodings and "\0" in text:  # a table holds no NUL; UTF-16 without its mark has many
            message, hint = nul_problem(name, data.index(0))
            raise error(message, hint=hint)
        return text.replace("\r\n", "\n")
    message, hint = undecodable_problem(name, encodings, failures[0].start if failures else None)
    raise error(message, hint=hint)


def _os_reason(err: OSError) -> str | None:
    """Why reading failed: the system's words (``err.strerror``), the catalog's in the current
    language for a common cause whose English is those same words."""
    key = errno.errorcode.get(err.errno or 0)
    if key is not None and key in M and M.say("en", key) == err.strerror:
        return M(key)
    return err.strerror


_ENCODING_NAMES = {"utf-8-sig": "UTF-8", "utf-8": "UTF-8", "gb18030": "GB18030"}


def encodings_to_try(start: bytes, encodings: Sequence[str]) -> list[str]:
    """``encodings`` for a file that begins with ``start``, UTF-16 only after its byte-order mark:
    without it, any even number of bytes would read as UTF-16."""
    marked = start.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE))
    return [e for e in encodings if e != "utf-16" or marked]


def undecodable_problem(name: str, encodings: Sequence[str], byte: int | None = None) -> tuple[str, str]:
    """The message and hint for a file that is text in none of ``encodings`` (the first failure at
    ``byte``, named when there is one encoding to blame)."""
    named = [_ENCODING_NAMES.get(e, e) for e in encodings if e != "utf-16"]
    if len(named) > 1:
        return M("neither", name=name, encodings=M("neither_joiner").join(named)), M("save_utf8")
    if byte is not None:
        return M("not_encoding_at", name=name, encoding=named[0], byte=byte), M("save_utf8")
    return M("not_encoding", name=name, encoding=named[0]), M("save_utf8")


def nul_problem(name: str, byte: int) -> tuple[str, str]:
    """The message and hint for a table whose text holds a NUL character at ``byte``: no text
    table does, and UTF-16 read without its byte-order mark has one in every ASCII character."""
    return M("nul", name=name, byte=byte), M("nul_hint")


_NOT_TEXT = str.maketrans("", "", ',\t"')


def delimiter(text: str) -> str:
    """``","`` or ``"\t"``: the separator of a delimited table, the one its header (the first line
    with more than separators, quotes and blanks) has more of outside quotes; a comma when it has
    neither."""
    for line in text.split("\n"):
        if line.translate(_NOT_TEXT).strip():
            counts = {",": 0, "\t": 0}
            quoted = False
            for ch in line:
                if ch == '"':
                    quoted = not quoted
                elif ch in counts and not quoted:
                    counts[ch] += 1
            return "\t" if counts["\t"] > counts[","] else ","
    return ","


class TableCell(NamedTuple):
    """One cell of a delimited table: its text, where it starts (1-based line and column) and the
    text of that line."""

    text: str
    line: int
    column: int
    source_line: str

    def location(self, name: str) -> Location:
        return Location(name, self.line, self.column, source_line=self.source_line)


def table_rows(text: str, name: str, error: type[KpiRulesError]) -> Iterator[tuple[int, list[TableCell]]]:
    """The rows of a comma- or tab-separated table (:func:`delimiter`; lines may end in CR LF, LF
    or CR alone): for each, the line it starts on and its cells with their places. A row
    :mod:`csv` cannot read (a cell of more than 131,072 characters, mostly from a quote left
    open) raises ``error`` at its line."""
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    separator = delimiter(text)
    lines = text.split("\n")
    reader = csv.reader(io.StringIO(text), delimiter=separator)
    first = 1
    while True:
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as err:
            raise error(
                M("bad_row", reason=_csv_reason(err)),
                location=Location(name, first, 1, source_line=lines[first - 1][:200]),
                hint=M("bad_row_hint"),
            ) from None
        last = reader.line_num
        starts = _field_starts(lines[first - 1 : last], first, separator)
        cells = []
        for i, cell in enumerate(row):
            line, column = starts[i] if i < len(starts) else (last, 1)
            cells.append(TableCell(cell, line, column, lines[line - 1]))
        yield first, cells
        first = last + 1


_FIELD_LIMIT = re.compile(r"field larger than field limit \((\d+)\)")


def _csv_reason(err: csv.Error) -> str:
    """What :mod:`csv` said, in the current language where its words are known."""
    match = _FIELD_LIMIT.fullmatch(str(err))
    return M("field_limit", limit=match.group(1)) if match else str(err)


def repeated_column(cells: Sequence[TableCell]) -> TableCell | None:
    """The first header cell whose name (stripped) an earlier cell already has; None if none."""
    seen: set[str] = set()
    for cell in cells:
        name = cell.text.strip()
        if name in seen:
            return cell
        if name:
            seen.add(name)
    return None


def repeated_column_error(cell: TableCell, name: str, error: type[KpiRulesError]) -> KpiRulesError:
    return error(
        M("repeated_column", column=cell.text.strip()),
        location=cell.location(name),
        hint=M("repeated_column_hint"),
    )


def _field_starts(lines: Sequence[str], first: int, separator: str) -> list[tuple[int, int]]:
    """Where each field of one record starts: (line, column), 1-based. A quote opens a quoted
    field only at the field's start (elsewhere it is text, as :mod:`csv` reads it), and a quoted
    field may span lines; ``""`` inside it is one quote."""
    starts = [(first, 1)]
    at_start, quoted = True, False
    for k, line in enumerate(lines):
        i = 0
        while i < len(line):
            ch = line[i]
            if quoted:
                if ch == '"':
                    if i + 1 < len(line) and line[i + 1] == '"':
                        i += 1
                    else:
                        quoted = False
            elif ch == separator:
                starts.append((first + k, i + 2))
                at_start = True
                i += 1
                continue
            elif ch == '"' and at_start:
                quoted = True
            at_start = False
            i += 1
    return starts


class SourceFile:
    """The text of one file (or of an in-memory document) with a line index."""

    __slots__ = ("_starts", "name", "text")

    def __init__(self, name: str | None, text: str) -> None:
        self.name = name
        self.text = text
        starts = [0]
        find = text.find
        i = find("\n")
        while i >= 0:
            starts.append(i + 1)
            i = find("\n", i + 1)
        self._starts = starts

    def line_col(self, offset: int) -> tuple[int, int]:
        """1-based line and column (in characters) of ``offset``."""
        offset = max(0, min(offset, len(self.text)))
        line = bisect_right(self._starts, offset) - 1
        return line + 1, offset - self._starts[line] + 1

    def line_text(self, line: int) -> str:
        start = self._starts[line - 1]
        end = self._starts[line] - 1 if line < len(self._starts) else len(self.text)
        return self.text[start:end].rstrip("\r")

    def location(self, start: int, end: int | None = None) -> Location:
        line, col = self.line_col(start)
        end_line = end_col = None
        if end is not None:
            end_line, end_col = self.line_col(max(start, end))
        return Location(self.name, line, col, end_line, end_col, source_line=self.line_text(line))


class TextMap(NamedTuple):
    """Where each character of a decoded TOML string sits in its file.

    ``offsets[i]`` is the file offset of character ``i``; ``offsets[len(text)]`` is the offset just
    after the last character. A string without escapes maps by a constant shift, kept as
    ``base`` with ``offsets`` empty. (A named tuple: see :class:`kpirules.messages.Text`.)
    """

    base: int
    offsets: Sequence[int] = ()

    def __call__(self, index: int) -> int:
        if not self.offsets:
            return self.base + index
        index = max(0, min(index, len(self.offsets) - 1))
        return self.offsets[index]


class RuleSource(NamedTuple):
    """Text of one rule, and where it came from: a file and a map into it, or nowhere. (A named
    tuple: see :class:`kpirules.messages.Text`.)"""

    text: str
    file: SourceFile | None = None
    map: TextMap | None = None

    def location(self, start: int, end: int | None = None) -> Location:
        if self.file is None or self.map is None:
            inner = SourceFile(None, self.text)
            return inner.location(start, end)
        return self.file.location(self.map(start), None if end is None else self.map(end))
