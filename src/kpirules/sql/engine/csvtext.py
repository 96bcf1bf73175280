"""CSV files of units as DuckDB is to read them: as the Python path reads them.

:func:`csv_options` says how DuckDB reads a UTF-8 file (the separator, the quote, the header row,
ragged rows); :func:`utf8_text` gives DuckDB a file it reads that way, copying one in GB18030 or
UTF-16, or with lone CRs, into UTF-8 first. Files are read in 1 MiB pieces, never whole.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from ...errors import os_reason
from ...messages import Catalog
from ..errors import SqlEngineError, SqlUnreadableCsv

M = Catalog(
    "sql.engine.csvtext",
    {
        "empty": (
            "{name} 是空的：它需要一个写明各数据项的表头行",
            "{name} is empty: it needs a header row naming the measures",
        ),
        "odd_quote": (
            "{path} 的单元格中有引号，或右引号后还有文字，DuckDB 读取这样的内容与 Python 引擎不同",
            "{path} has a quote inside a cell, or text after a closing quote, which DuckDB reads "
            "differently from the Python path",
        ),
        "odd_quote_hint": (
            "请使用 --engine python，或给整个单元格加引号",
            "use --engine python, or quote whole cells",
        ),
        "cannot_write": ("无法写入 {target}：{reason}", "cannot write {target}: {reason}"),
    },
)

_CHUNK = 1 << 20


def csv_options(path: Path, original: Path | None = None) -> dict[str, Any]:
    """How DuckDB is to read a UTF-8 CSV file so that it reads what the Python path reads
    (:func:`kpirules.source.table_rows`): the separator the header row has more of, ``"`` the
    only quote, no comment lines (DuckDB would guess ``#`` and drop such rows), every cell as
    text, the header after any blank rows, and rows with too few or too many cells kept (padded
    with NULLs, or given extra columns) rather than making DuckDB guess another dialect. A file
    with no header row in its first MiB is an error (named as ``original``, the user's file)."""
    from ...source import delimiter, repeated_column, repeated_column_error, table_rows

    with path.open("rb") as handle:
        head = handle.read(_CHUNK).decode("utf-8-sig", errors="replace")
    name = str(original or path)
    header = None
    try:
        for line, cells in table_rows(head, name, SqlEngineError):
            if any(cell.text.strip() for cell in cells):
                header, repeated = line, repeated_column(cells)
                if repeated is not None:  # DuckDB would take the first, the Python path refuses
                    raise repeated_column_error(repeated, name, SqlEngineError)
                break
    except SqlEngineError as err:  # the first MiB may end inside a quoted cell
        if header is not None:
            raise err from None
    if header is None:
        raise SqlEngineError(M("empty", name=name))
    options: dict[str, Any] = {
        "header": True,
        "all_varchar": True,
        "delimiter": delimiter(head),
        "quotechar": '"',
        "escapechar": '"',
        "comment": "",
        "null_padding": True,
        "strict_mode": False,
    }
    if header > 1:  # given as 0, it makes DuckDB's sniffer refuse a file with a row of too many cells
        options["skiprows"] = header - 1
    return options


@contextlib.contextmanager
def utf8_text(path: Path, directory: Path | None) -> Iterator[Path]:
    """``path`` itself when DuckDB reads it as the Python path does: UTF-8 text whose lines end in
    LF or CR LF. Else a copy in UTF-8 with LF line ends, made in ``directory`` (the system's
    temporary folder if None) and removed when the context ends: DuckDB reads neither GB18030
    nor UTF-16, and takes a lone CR among CR LFs for part of a line end. The file is decoded in
    the first of :data:`~kpirules.source.SPREADSHEET_ENCODINGS` that fits (UTF-16 only with its
    byte-order mark), as the Python path reads it; one that fits none, or holds NUL characters,
    is an error that says so. The file is read in 1 MiB pieces, never whole."""
    encoding, as_is, odd_quote = _encoding_of(path)
    if odd_quote:
        raise SqlUnreadableCsv(M("odd_quote", path=path), hint=M("odd_quote_hint"))
    if as_is:
        yield path
        return
    with writing(Path(directory or tempfile.gettempdir()) / path.name):
        fd, name = tempfile.mkstemp(prefix=".kpirules-units.", suffix=".csv", dir=directory)
    copy = Path(name)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as out:
            for text in _decoded(path, encoding):
                out.write(text.replace("\r\n", "\n").replace("\r", "\n"))
        yield copy
    finally:
        copy.unlink(missing_ok=True)


def _decoded(path: Path, encoding: str) -> Iterator[str]:
    """The text of ``path`` in pieces that never end in the CR of a CR LF; raises
    UnicodeDecodeError, or a :class:`SqlEngineError` for a NUL character."""
    import codecs

    from ...source import nul_problem

    decoder = codecs.getincrementaldecoder(encoding)()
    offset, pending = 0, ""
    with path.open("rb") as handle:
        while True:
            chunk = handle.read(_CHUNK)
            text = pending + decoder.decode(chunk, final=not chunk)
            if "\0" in text:
                message, hint = nul_problem(str(path), offset + max(chunk.find(0), 0))
                raise SqlEngineError(message, hint=hint)
            offset += len(chunk)
            pending = "\r" if chunk and text.endswith("\r") else ""
            yield text[:-1] if pending else text
            if not chunk:
                return


def _encoding_of(path: Path) -> tuple[str, bool, bool]:
    """The first spreadsheet encoding ``path`` decodes in; whether DuckDB can read the file as it
    is (UTF-8 with no lone CR); and whether it has a quote that neither opens nor closes a cell
    (``12" team``, ``"0.9"5``, `` "0.5"``), which the Python path reads as text and DuckDB does not."""
    import re

    from ...source import SPREADSHEET_ENCODINGS, encodings_to_try, undecodable_problem

    with path.open("rb") as handle:
        start = handle.read(4)
    lone_cr = re.compile("\r(?!\n)")
    odd = re.compile('(?<![,\t\n\r"])"(?![,\t\n\r"])')
    for encoding in encodings_to_try(start, SPREADSHEET_ENCODINGS):
        try:
            lone = quote = False
            for k, text in enumerate(_decoded(path, encoding)):
                lone = lone or ("\r" in text and lone_cr.search(text) is not None)
                quote = quote or ('"' in text and odd.search("\n" + text if k == 0 else text) is not None)
            return encoding, encoding == "utf-8-sig" and not lone, quote
        except UnicodeDecodeError:
            continue
    message, hint = undecodable_problem(str(path), SPREADSHEET_ENCODINGS)
    raise SqlEngineError(message, hint=hint)


@contextlib.contextmanager
def writing(target: Path) -> Iterator[None]:
    """An OSError while making files beside ``target`` or putting it in place (a folder that does
    not exist or cannot be written, a folder where the file should be) as a :class:`SqlEngineError`."""
    try:
        yield
    except OSError as err:
        raise SqlEngineError(M("cannot_write", target=target, reason=os_reason(err))) from None
