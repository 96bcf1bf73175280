"""Published tables as delimited text: CSV, or tab- or semicolon-separated (.tsv, .txt)."""

from __future__ import annotations

from ...source import table_rows
from .cells import Cell, ReportedFileError, Table
from .grid import from_grid


def read_csv(text: str, name: str) -> Table:
    rows = table_rows(text, name, ReportedFileError)
    grid = [[Cell(cell.text, cell.location(name)) for cell in cells] for _, cells in rows]
    table: Table = from_grid(grid, name)
    return table
