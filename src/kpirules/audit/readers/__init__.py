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

from pathlib import Path

from ...messages import Catalog
from ...model import Reported
from ...ruleset import Ruleset
from ...source import TABLE_SUFFIXES
from .build import build, check_printable
from .cells import GRADE_LABELS, ReportedFileError, column_field, read_file
from .delimited import read_csv
from .grid import FUNDS_LABELS
from .toml_json import read_json, read_toml
from .workbook import first_sheet, read_excel

M = Catalog(
    "audit.readers",
    {
        "xls": ("无法读取 {file}：不支持旧的 .xls 格式", "cannot read {file}: the old .xls format is not supported"),
        "xls_hint": ("请另存为 .xlsx 或 .csv", "save it as .xlsx or .csv"),
        "suffix": ("无法从 {file} 读取公布的表格", "cannot read a reported table from {file}"),
        "suffix_hint": ("请使用 .toml、.json、.csv 或 .xlsx 文件", "use a .toml, .json, .csv or .xlsx file"),
    },
)


def read_reported(path: str | Path, ruleset: Ruleset) -> Reported:
    """The published table in ``path`` (``.toml``, ``.json``, ``.csv`` or another comma- or
    tab-separated table (:data:`~kpirules.source.TABLE_SUFFIXES`), ``.xlsx``), checked against
    ``ruleset``'s indicators and measures. Raises :class:`ReportedFileError` with every problem."""
    file = Path(path)
    suffix = file.suffix.lower()
    name = str(path)
    if suffix in (".xlsx", ".xlsm"):
        return first_sheet(read_excel(file, name), ruleset)
    if suffix in (".toml", ".json", *TABLE_SUFFIXES):
        text = read_file(file, name)
        if suffix == ".toml":
            table = read_toml(text, name)
        elif suffix == ".json":
            table = read_json(text, name)
        else:
            table = read_csv(text, name)
    elif suffix == ".xls":
        raise ReportedFileError(M("xls", file=file.name), hint=M("xls_hint"))
    else:
        raise ReportedFileError(M("suffix", file=file.name), hint=M("suffix_hint"))
    return build(table, ruleset)


__all__ = [
    "FUNDS_LABELS",
    "GRADE_LABELS",
    "ReportedFileError",
    "check_printable",
    "column_field",
    "read_reported",
]
