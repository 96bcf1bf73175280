"""Scored results as an Excel workbook (.xlsx), written with XlsxWriter.

Sheets:

* 评分结果 (``scores``): one row per unit: the unit, each indicator's score, the subtotal of each
  first level of ``path``, the total, the grade and, for a unit that could not be scored, why.
  Two header rows: the names, then 分值 (what each column can reach). Scores are numbers shown to
  the ruleset's ``precision``; the header and the unit's column are frozen; widths fit Chinese text.
* 评分说明 (``explanations``): one row per unit and indicator, with how the indicator earned its
  points. Written for one unit always, for a batch with ``--explain``.
* 绩效自评表 (``self-evaluation``, one unit only): the table units hand in: 一级/二级/三级指标,
  分值, 评分标准, 实际完成值, 得分, 扣分原因, a subtotal row for each 一级指标, the total and grade.
* 指标 (``indicators``): each indicator's id, path, name, weight and standard, so that the columns
  of 评分结果 can be read by id.

Rows of 评分结果 after the first unit are written straight into the sheet's XML (the rest of the
workbook by XlsxWriter, which sets every style): 100,000 units through XlsxWriter's cell calls
take several seconds, and this way well under two. Scores go into the file as their exact decimal
digits.
"""

from __future__ import annotations

import re
import shutil
import unicodedata
import zipfile
from collections.abc import Iterator, Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any

from .errors import KpiRulesError
from .explain import M as EXPLAIN
from .explain import total_text
from .messages import Catalog, language
from .report import Outcome, Subtotal, grouped_blocks, groups, subtotals
from .result import Result
from .ruleset import Ruleset
from .textfmt import number

#: Excel's last row.
MAX_ROWS = 1_048_576

#: The workbook's words; the sheet names and headings follow the language asked for.
M = Catalog(
    "xlsxout",
    {
        "scores": ("评分结果", "scores"),
        "explanations": ("评分说明", "explanations"),
        "form": ("绩效自评表", "self-evaluation"),
        "indicators": ("指标", "indicators"),
        "unit": ("单位", "unit"),
        "weight": ("分值", "weight"),
        "total": ("合计", "total"),
        "grade": ("等级", "grade"),
        "failed": ("未能评分原因", "could not be scored"),
        "subtotal": ("{group}小计", "{group} subtotal"),
        "indicator": ("指标", "indicator"),
        "score": ("得分", "score"),
        "explanation": ("说明", "explanation"),
        "level1": ("一级指标", "level 1"),
        "level2": ("二级指标", "level 2"),
        "level3": ("三级指标", "level 3"),
        "standard": ("评分标准", "standard"),
        "actual": ("实际完成值", "actual value"),
        "reason": ("扣分原因", "points lost"),
        "group_head": ("{group}（{weight}分）", "{group} ({weight} pts)"),
        "total_row": ("总分", "total"),
        "grade_text": ("等级：{grade}", "grade: {grade}"),
        "no": ("序号", "#"),
        "path": ("路径", "path"),
        "name": ("名称", "name"),
        "form_title": ("{title}绩效自评表", "{title} self-evaluation"),
        "unit_line": ("单位：{unit}", "unit: {unit}"),
        "too_many": (
            "{rows:,} 行超出了一个 Excel 工作表的容量（最多 {limit:,} 行）",
            "{rows:,} rows do not fit in one Excel sheet ({limit:,} at most)",
        ),
        "too_many_hint": (
            "请把得分写入 .csv 文件，或用 --format json 输出说明",
            "write the scores to a .csv file, or the explanations with --format json",
        ),
    },
)
#: The heading of the indicators' ids, in every language: a key, not a word.
ID = "id"


class WorkbookWriteError(KpiRulesError):
    """Results that cannot be written as a workbook (more rows than a sheet holds)."""


def display_width(text: str) -> int:
    """Columns ``text`` takes in a spreadsheet: a Chinese (wide) character takes two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _width(texts: Sequence[str], low: int = 6, high: int = 50) -> float:
    widest = max((display_width(t) for t in texts), default=0)
    return float(min(max(widest + 2, low), high))


def score_format(precision: int) -> str:
    """The number format that shows a score to ``precision`` decimals: ``0.00`` for 2."""
    return "0." + "0" * precision if precision > 0 else "0"


def write_results(
    path: str | Path,
    ruleset: Ruleset,
    outcomes: Sequence[Outcome],
    *,
    batch: bool,
    explain: bool = False,
    lang: str | None = None,
) -> None:
    """Write ``outcomes`` as a workbook at ``path`` (the file is made here; write it to a
    temporary name and move it, as :func:`kpirules.atomic.replace_atomically` does); its sheet
    names, headings and explanations in ``lang``, else the current language."""
    import xlsxwriter  # type: ignore[import-untyped,unused-ignore]

    lang = lang or language()
    words = M.templates(lang)
    results = [o for o in outcomes if isinstance(o, Result)]
    with_explanations = explain or not batch
    if len(outcomes) + 2 > MAX_ROWS or (with_explanations and len(results) * len(ruleset.indicators) + 1 > MAX_ROWS):
        rows = max(len(outcomes) + 2, len(results) * len(ruleset.indicators) + 1)
        raise WorkbookWriteError(M("too_many", rows=rows, limit=MAX_ROWS), hint=M("too_many_hint"))
    book = xlsxwriter.Workbook(str(path), {"strings_to_numbers": False, "strings_to_formulas": False})
    styles = _Styles(book, ruleset.header.precision)
    found = groups(ruleset)
    fast = _scores_sheet(book, styles, ruleset, outcomes, found, words)
    if with_explanations:
        _explanations_sheet(book, styles, ruleset, results, words, lang)
    if not batch and results:
        _form_sheet(book, styles, ruleset, results[0], words, lang)
    _indicators_sheet(book, styles, ruleset, words)
    book.close()
    if fast is not None:
        _splice_rows(Path(path), fast)


class _Styles:
    def __init__(self, book: Any, precision: int) -> None:
        base = {"font_name": "等线", "font_size": 11, "valign": "vcenter"}
        self.head = book.add_format(
            {**base, "bold": True, "text_wrap": True, "align": "center", "border": 1, "bg_color": "#DDEBF7"}
        )
        self.head_left = book.add_format({**base, "bold": True, "text_wrap": True, "border": 1, "bg_color": "#DDEBF7"})
        self.weight = book.add_format({**base, "italic": True, "align": "center", "border": 1, "bg_color": "#F2F2F2"})
        self.text = book.add_format({**base})
        self.wrap = book.add_format({**base, "text_wrap": True, "valign": "top"})
        self.score = book.add_format({**base, "num_format": score_format(precision)})
        self.sub = book.add_format({**base, "num_format": score_format(precision), "bg_color": "#F2F2F2"})
        self.total = book.add_format({**base, "num_format": score_format(precision), "bold": True})
        self.grade = book.add_format({**base, "align": "center", "bold": True})
        self.error = book.add_format({**base, "font_color": "#C00000"})
        self.title = book.add_format({**base, "bold": True, "font_size": 14, "align": "center"})
        self.cell = book.add_format({**base, "border": 1, "text_wrap": True, "valign": "top"})
        self.cell_mid = book.add_format({**base, "border": 1, "text_wrap": True, "align": "center"})
        self.cell_num = book.add_format({**base, "border": 1, "num_format": score_format(precision), "align": "center"})
        self.cell_weight = book.add_format({**base, "border": 1, "align": "center"})
        self.cell_bold = book.add_format({**base, "border": 1, "bold": True, "text_wrap": True, "align": "center"})
        self.cell_bold_num = book.add_format(
            {**base, "border": 1, "bold": True, "num_format": score_format(precision), "align": "center"}
        )


def _number(value: Decimal) -> float | int:
    """A Decimal for a cell XlsxWriter writes: an int when whole, else the float whose shortest
    text is the Decimal's (scores and weights have far fewer than 15 digits)."""
    return int(value) if value == value.to_integral_value() else float(value)


class _FastRows:
    """What :func:`_splice_rows` needs: the outcomes left to write, their first row, and the
    style of each column as XlsxWriter wrote it on the row before."""

    def __init__(self, outcomes: Sequence[Outcome], first_row: int, ruleset: Ruleset, found: Sequence[Any]) -> None:
        self.outcomes = outcomes
        self.first_row = first_row
        self.ruleset = ruleset
        self.found = found


def _scores_sheet(
    book: Any,
    styles: _Styles,
    ruleset: Ruleset,
    outcomes: Sequence[Outcome],
    found: Sequence[Any],
    words: dict[str, str],
) -> _FastRows | None:
    sheet = book.add_worksheet(words["scores"])
    names = [ind.name for ind in ruleset.indicators]
    heads = [words["unit"], *names, *(words["subtotal"].format(group=g.name) for g in found)]
    heads += [words["total"], words["grade"], words["failed"]]
    sheet.write_row(0, 0, heads, styles.head)
    sheet.write(0, 0, heads[0], styles.head_left)
    weights: list[Any] = [words["weight"], *(_number(i.weight) for i in ruleset.indicators)]
    for group in found:
        weights.append(
            _number(
                sum(
                    (ruleset.indicators[i].weight for i in group.members if not ruleset.indicators[i].bonus), Decimal(0)
                )
                + sum((ruleset.hidden[j].weight for j in group.hidden if not ruleset.hidden[j].bonus), Decimal(0))
            )
        )
    weights += [_number(ruleset.weight_sum), "", ""]
    sheet.write_row(1, 0, weights, styles.weight)
    sheet.freeze_panes(2, 1)
    units = [_unit_name(o) for o in outcomes[:1000]]
    sheet.set_column(0, 0, _width([words["unit"], *units], 8, 40), styles.text)
    n = len(ruleset.indicators)
    for k, name in enumerate(names, 1):
        sheet.set_column(k, k, min(max(display_width(name) / 2 + 1, 8), 16))
    for k, group in enumerate(found, n + 1):
        sheet.set_column(k, k, min(max(display_width(words["subtotal"].format(group=group.name)) / 2 + 1, 8), 16))
    last = n + len(found)
    sheet.set_column(last + 1, last + 1, 9)
    sheet.set_column(last + 2, last + 2, 7)
    errors = [_error_text(o) for o in outcomes[:1000] if not isinstance(o, Result)]
    sheet.set_column(last + 3, last + 3, _width([words["failed"], *errors], 14, 80))
    sheet.set_row(0, None, None)
    if not outcomes:
        return None
    first = outcomes[0]
    _write_outcome(sheet, styles, ruleset, found, 2, first)
    if len(outcomes) == 1:
        return None
    return _FastRows(outcomes[1:], 3, ruleset, found)


def _unit_name(outcome: Outcome) -> str:
    if isinstance(outcome, Result):
        return outcome.unit or ""
    return str(getattr(outcome, "unit", None) or "")


def _error_text(outcome: Outcome) -> str:
    if isinstance(outcome, Result):
        return ""
    return "; ".join(p.message for p in outcome.problems)


def _write_outcome(
    sheet: Any, styles: _Styles, ruleset: Ruleset, found: Sequence[Any], row: int, outcome: Outcome
) -> None:
    """One unit's row through XlsxWriter, every cell styled (blank ones too): the rows after it
    take their styles from it (:func:`_splice_rows`)."""
    n, m = len(ruleset.indicators), len(found)
    sheet.write_string(row, 0, _unit_name(outcome), styles.text)
    if isinstance(outcome, Result):
        for k, score in enumerate(outcome.scores, 1):
            sheet.write_number(row, k, _number(score), styles.score)
        for k, part in enumerate(subtotals(ruleset, outcome, found), n + 1):
            if part.score is None:  # a row the table does not show has no score
                sheet.write_string(row, k, part.score_text(), styles.sub)
            else:
                sheet.write_number(row, k, _number(part.score), styles.sub)
        if outcome.total is None:  # a row the table does not show has no score: no total, and why
            sheet.write_string(row, n + m + 1, total_text(outcome), styles.total)
        else:
            sheet.write_number(row, n + m + 1, _number(outcome.total), styles.total)
        sheet.write_string(row, n + m + 2, outcome.grade or "", styles.grade)
        sheet.write_blank(row, n + m + 3, None, styles.error)
    else:
        for k in range(1, n + 1):
            sheet.write_blank(row, k, None, styles.score)
        for k in range(n + 1, n + m + 1):
            sheet.write_blank(row, k, None, styles.sub)
        sheet.write_blank(row, n + m + 1, None, styles.total)
        sheet.write_blank(row, n + m + 2, None, styles.grade)
        sheet.write_string(row, n + m + 3, _error_text(outcome), styles.error)


# ---- the rows after the first, straight into the sheet's XML ------------------------------------
_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_ROW_STYLE = re.compile(r'<c r="([A-Z]+)(\d+)" s="(\d+)"')


def _xml_text(text: str) -> str:
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    if _ILLEGAL.search(text):
        text = _ILLEGAL.sub("", text)
    return text


def _string_cell(ref: str, style: str, text: str) -> str:
    if not text:
        return f'<c r="{ref}" s="{style}"/>'
    space = ' xml:space="preserve"' if text != text.strip() else ""
    return f'<c r="{ref}" s="{style}" t="inlineStr"><is><t{space}>{_xml_text(text)}</t></is></c>'


def _rows_xml(fast: _FastRows, styles: Sequence[str]) -> Iterator[str]:
    """The XML of the remaining rows, some thousand rows at a time."""
    from .errors import column_letters

    ruleset, found = fast.ruleset, fast.found
    n, m = len(ruleset.indicators), len(found)
    width = n + m + 4
    letters = [column_letters(k + 1) for k in range(width)]
    # the cells of a scored row: unit, scores, subtotals, total (numbers), grade; the error cell blank
    numeric = "".join(f'<c r="{letters[k]}{{0}}" s="{styles[k]}"><v>{{{k}}}</v></c>' for k in range(1, n + m + 2))
    scored_tail = f'<c r="{letters[width - 1]}{{0}}" s="{styles[width - 1]}"/></row>'
    blanks = "".join(f'<c r="{letters[k]}{{0}}" s="{styles[k]}"/>' for k in range(1, n + m + 3))
    scored = numeric.format
    blank = blanks.format
    spans = f' spans="1:{width}"'
    pieces: list[str] = []
    row = fast.first_row
    for outcome in fast.outcomes:
        row += 1
        r = str(row)
        unit = _string_cell(f"A{r}", styles[0], _unit_name(outcome))
        if isinstance(outcome, Result):
            parts = subtotals(ruleset, outcome, found) if m else []
            sums = [str(t.score) for t in parts]
            if outcome.total is not None and all(t.score is not None for t in parts):
                cells = scored(r, *map(str, outcome.scores), *sums, str(outcome.total))
            else:  # a row the table does not show has no score: the total cell says so, in words
                figures = [*map(str, outcome.scores), *(t.score_text() for t in parts), total_text(outcome)]
                cells = "".join(
                    f'<c r="{letters[k]}{r}" s="{styles[k]}"><v>{v}</v></c>'
                    if k <= n or (k <= n + m and parts[k - n - 1].score is not None)
                    else _string_cell(f"{letters[k]}{r}", styles[k], v)
                    for k, v in enumerate(figures, 1)
                )
            grade = _string_cell(f"{letters[width - 2]}{r}", styles[width - 2], outcome.grade or "")
            pieces.append(f'<row r="{r}"{spans}>{unit}{cells}{grade}{scored_tail.format(r)}')
        else:
            error = _string_cell(f"{letters[width - 1]}{r}", styles[width - 1], _error_text(outcome))
            pieces.append(f'<row r="{r}"{spans}>{unit}{blank(r)}{error}</row>')
        if len(pieces) >= 4096:
            yield "".join(pieces)
            pieces = []
    if pieces:
        yield "".join(pieces)


def _splice_rows(path: Path, fast: _FastRows) -> None:
    """Add the remaining rows to the first sheet of the workbook XlsxWriter wrote at ``path``."""
    sheet_name = "xl/worksheets/sheet1.xml"
    with zipfile.ZipFile(path) as source:
        xml = source.read(sheet_name).decode("utf-8")
        members = [(info, source.read(info.filename)) for info in source.infolist() if info.filename != sheet_name]
        sheet_info = source.getinfo(sheet_name)
    last_row = fast.first_row  # 1-based: the row written by XlsxWriter
    found = {col: style for col, row, style in _ROW_STYLE.findall(xml) if row == str(last_row)}
    n, m = len(fast.ruleset.indicators), len(fast.found)
    from .errors import column_letters

    styles = [found.get(column_letters(k + 1), "0") for k in range(n + m + 4)]
    head, tail = xml.split("</sheetData>", 1)
    end_row = last_row + len(fast.outcomes)
    head = re.sub(r'<dimension ref="A1:([A-Z]+)\d+"/>', rf'<dimension ref="A1:\g<1>{end_row}"/>', head, count=1)
    tmp = path.with_name(path.name + ".rows")
    try:
        with zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as target:  # fast; a little larger
            for info, data in members:
                target.writestr(info, data)
            info = zipfile.ZipInfo(sheet_name, date_time=sheet_info.date_time)
            info.compress_type = zipfile.ZIP_DEFLATED
            for attribute in ("compress_level", "_compresslevel"):  # its name from Python 3.13, and before
                try:
                    setattr(info, attribute, 1)  # fast; the file is a little larger
                    break
                except AttributeError:
                    continue
            with target.open(info, "w", force_zip64=True) as out:
                out.write(head.encode("utf-8"))
                for piece in _rows_xml(fast, styles):
                    out.write(piece.encode("utf-8"))
                out.write(b"</sheetData>" + tail.encode("utf-8"))
        shutil.move(str(tmp), str(path))
    finally:
        tmp.unlink(missing_ok=True)


# ---- 评分说明 --------------------------------------------------------------------------------------
def _explanations_sheet(
    book: Any, styles: _Styles, ruleset: Ruleset, results: Sequence[Result], words: dict[str, str], lang: str
) -> None:
    sheet = book.add_worksheet(words["explanations"])
    heads = [words["unit"], words["indicator"], words["weight"], words["score"], words["explanation"]]
    sheet.write_row(0, 0, heads, styles.head)
    sheet.freeze_panes(1, 0)
    sheet.set_column(0, 0, _width([words["unit"], *(r.unit or "" for r in results[:1000])], 8, 30), styles.wrap)
    sheet.set_column(1, 1, _width([ind.name for ind in ruleset.indicators], 10, 30), styles.wrap)
    sheet.set_column(2, 3, 8)
    sheet.set_column(4, 4, 100, styles.wrap)
    row = 1
    for result in results:
        for item in result:
            sheet.write_string(row, 0, result.unit or "", styles.wrap)
            sheet.write_string(row, 1, item.name, styles.wrap)
            sheet.write_number(row, 2, _number(item.weight), styles.wrap)
            sheet.write_number(row, 3, _number(item.score), styles.score)
            sheet.write_string(row, 4, item.explain(lang), styles.wrap)
            row += 1


# ---- 绩效自评表 ------------------------------------------------------------------------------------
def _form_sheet(book: Any, styles: _Styles, ruleset: Ruleset, result: Result, words: dict[str, str], lang: str) -> None:
    from .explain import value_text

    sheet = book.add_worksheet(words["form"])
    sheet.set_landscape()
    sheet.set_paper(9)  # A4
    sheet.fit_to_pages(1, 0)
    heads = [
        words["level1"],
        words["level2"],
        words["level3"],
        words["weight"],
        words["standard"],
        words["actual"],
        words["score"],
        words["reason"],
    ]
    title = words["form_title"].format(title=ruleset.title or ruleset.id)
    sheet.merge_range(0, 0, 0, len(heads) - 1, title, styles.title)
    top = 1
    if result.unit:
        sheet.write_string(1, 0, words["unit_line"].format(unit=result.unit), styles.text)
        top = 2
    sheet.write_row(top, 0, heads, styles.head)
    sheet.repeat_rows(top)
    sheet.freeze_panes(top + 1, 0)
    for col, width in enumerate((14, 14, 28, 7, 40, 22, 8, 40)):
        sheet.set_column(col, col, width)
    found = groups(ruleset)
    parts: dict[str, Subtotal] = {t.group: t for t in subtotals(ruleset, result, found)}
    env = result.values
    # the rows: each group's indicators and its subtotal, then the indicators with no path
    blocks = grouped_blocks(ruleset, found)
    row = top + 1
    for group, members in blocks:
        first = row
        level1 = words["group_head"].format(group=group.name, weight=number(parts[group.name].weight)) if group else ""
        runs: list[tuple[int, int, str]] = []  # (first row, last row, 二级指标) to merge down
        for index in members:
            ind = ruleset.indicators[index]
            item = result[ind.id]
            level2 = ind.path[1] if len(ind.path) > 1 else ""
            if runs and runs[-1][2] == level2:
                runs[-1] = (runs[-1][0], row, level2)
            else:
                runs.append((row, row, level2))
            shown = [
                f"{ruleset.measures[m].display} {value_text(env[m], ruleset.measures[m], lang)}"
                for m in ruleset.inputs_of(ind.id)
                if m in env
            ]
            reason = ""
            if item.score < item.weight:
                reason = deduction_reason(item.explain(lang), lang)
            sheet.write_string(row, 0, level1, styles.cell_mid)
            sheet.write_string(row, 1, level2, styles.cell_mid)
            sheet.write_string(row, 2, " / ".join([*ind.path[2:], ind.name]), styles.cell)
            sheet.write_number(row, 3, _number(ind.weight), styles.cell_weight)
            sheet.write_string(row, 4, ind.standard or "", styles.cell)
            sheet.write_string(row, 5, "\n".join(shown), styles.cell)
            sheet.write_number(row, 6, _number(item.score), styles.cell_num)
            sheet.write_string(row, 7, reason, styles.cell)
            row += 1
        if group is not None:
            if row - 1 > first:
                sheet.merge_range(first, 0, row - 1, 0, level1, styles.cell_mid)
            for run_first, run_last, level2 in runs:
                if run_last > run_first:
                    sheet.merge_range(run_first, 1, run_last, 1, level2, styles.cell_mid)
            t = parts[group.name]
            sheet.write_string(row, 0, words["subtotal"].format(group=group.name), styles.cell_bold)
            for col in (1, 2, 4, 5, 7):
                sheet.write_blank(row, col, None, styles.cell)
            sheet.write_number(row, 3, _number(t.weight), styles.cell_bold)
            if t.score is None:  # a row the table does not show has no score
                sheet.write_string(row, 6, t.score_text(lang), styles.cell_bold)
            else:
                sheet.write_number(row, 6, _number(t.score), styles.cell_bold_num)
            row += 1
    sheet.write_string(row, 0, words["total_row"], styles.cell_bold)
    for col in (1, 2, 4, 5):
        sheet.write_blank(row, col, None, styles.cell)
    sheet.write_number(row, 3, _number(ruleset.weight_sum), styles.cell_bold)
    if result.total is None:  # a row the table does not show has no score: no total, and why
        sheet.write_string(row, 6, total_text(result, lang), styles.cell_bold)
    else:
        sheet.write_number(row, 6, _number(result.total), styles.cell_bold_num)
    sheet.write_string(row, 7, words["grade_text"].format(grade=result.grade or "—"), styles.cell_bold)


#: The lines of an explanation (by their words in :mod:`kpirules.explain`) the self-evaluation
#: form shows in columns of their own (评分标准, 实际完成值) or leaves out (the rule as written):
#: 扣分原因 keeps the steps.
_FORM_SKIPS = ("standard", "rule", "values")


def deduction_reason(explanation: str, lang: str) -> str:
    """The 扣分原因 of a row of the 绩效自评表 (the workbook's and the HTML report's): the steps of
    the indicator's ``explanation`` in ``lang``, without its first line and without the lines the
    form shows in columns of their own or leaves out (with the rule's own lines under them)."""
    skipped = tuple(f"  {EXPLAIN.say(lang, word)}{colon}" for word in _FORM_SKIPS for colon in ":：")
    kept: list[str] = []
    skipping = False
    for line in explanation.split("\n")[1:]:
        if line.startswith(skipped):
            skipping = True
            continue
        if skipping and (line.startswith("    ") or not line.strip()):
            continue
        skipping = False
        kept.append(line[2:] if line.startswith("  ") else line)
    return "\n".join(kept)


# ---- 指标 ----------------------------------------------------------------------------------------
def _indicators_sheet(book: Any, styles: _Styles, ruleset: Ruleset, words: dict[str, str]) -> None:
    sheet = book.add_worksheet(words["indicators"])
    heads = [words["no"], ID, words["path"], words["name"], words["weight"], words["standard"]]
    sheet.write_row(0, 0, heads, styles.head)
    sheet.freeze_panes(1, 0)
    for col, width in enumerate((6, 20, 24, 30, 7, 80)):
        sheet.set_column(col, col, width, styles.wrap)
    for row, ind in enumerate(ruleset.indicators, 1):
        sheet.write_number(row, 0, row, styles.wrap)
        sheet.write_string(row, 1, ind.id, styles.wrap)
        sheet.write_string(row, 2, " / ".join(ind.path), styles.wrap)
        sheet.write_string(row, 3, ind.name, styles.wrap)
        sheet.write_number(row, 4, _number(ind.weight), styles.wrap)
        sheet.write_string(row, 5, ind.standard or "", styles.wrap)
