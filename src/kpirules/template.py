"""The data-entry template of a ruleset (填报表): the workbook, or CSV file, a unit fills in.

One column per measure that needs a value (an input some indicator reads; derived measures are
computed, so left out), headed as the readers take it (:class:`~kpirules.valuefiles.HeaderNames`):
the measure's label, with its unit in brackets where it has one (``热线受理件数（件）``). A
template filled in and saved by Excel or WPS scores with no edit.

The workbook (XlsxWriter) has three sheets:

* 填报表 (``form``): a title row, the header (each cell with a note: the measure's id, kind, unit,
  accepted range and an example), a column for the unit's name, and rows to fill in with Excel
  data validation: numbers within the measure's range (rates shown as percentages, counts whole),
  a drop-down of the levels, and 是/否 for yes/no measures;
* 填写说明 (``measures``): each column's id, kind, unit, range and example;
* 评分标准 (``standards``): each indicator's path, name, weight, standard and rule.

The CSV file holds the header row only (and, as every CSV file kpirules writes, a UTF-8 byte-order
mark unless another encoding is asked for).
"""

from __future__ import annotations

import csv
import datetime
import io
from collections.abc import Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any

from .dates import from_ordinal
from .messages import Catalog, language
from .model import Measure
from .ruleset import Ruleset
from .tables import UNIT_COLUMNS
from .textfmt import number, percent

#: Rows of the form that get data validation (the rows a unit may fill in).
FORM_ROWS = 500

#: The template's words; the sheet names and headings follow the language asked for.
M = Catalog(
    "template",
    {
        "form": ("填报表", "form"),
        "measures": ("填写说明", "measures"),
        "standards": ("评分标准", "standards"),
        "unit": ("单位", "unit"),
        "title": ("{title}填报表", "{title}: data entry"),
        "note": (
            "每行填写一个单位；单位名称填在「单位」列。比率可写 95% 或 0.95。",
            "One unit per row; its name in the column 'unit'. Rates as 95% or 0.95.",
        ),
        "column": ("列名", "column"),
        "kind": ("类型", "kind"),
        "measure_unit": ("计量单位", "unit of measure"),
        "range": ("取值范围", "accepted range"),
        "example": ("示例", "example"),
        "description": ("说明", "description"),
        "path": ("指标层级", "path"),
        "indicator": ("指标", "indicator"),
        "weight": ("分值", "weight"),
        "standard": ("评分标准", "standard"),
        "rule": ("规则", "rule"),
        "rate": ("比率", "rate"),
        "number": ("数值", "number"),
        "count": ("个数（整数）", "count (whole number)"),
        "amount": ("金额", "amount"),
        "bool": ("是/否", "yes/no"),
        "level": ("等级", "level"),
        "judged": ("评定等级（及分数）", "judged level (and points)"),
        "judged_of": (
            "以下之一：{levels}；需要评定分数的档，在等级后写分数，如「{example}」",
            "one of: {levels}; where the band takes points, write them after the level, as '{example}'",
        ),
        "date": ("日期", "date"),
        "any_date": ("任意日期，如 2021-12-31", "any date, such as 2021-12-31"),
        "any": ("不限", "any"),
        "at_least": ("≥ {low}", "≥ {low}"),
        "between": ("{low} 至 {high}", "{low} to {high}"),
        "one_of": ("以下之一：{levels}", "one of: {levels}"),
        "error_title": ("数值不在范围内", "Out of range"),
        "error": ("{label}：{range}", "{label}: {range}"),
    },
)

#: What a yes/no measure's cells hold, in every language: the words the readers take.
YES, NO = "是", "否"
#: The heading of the measures' ids, in every language: a key, not a word.
ID = "id"


def input_measures(ruleset: Ruleset) -> list[Measure]:
    """The measures a unit gives values for: inputs some indicator reads (directly or through a
    derived measure), in the order the ruleset declares them."""
    read: set[str] = set()
    for indicator in ruleset.indicators:
        read.update(ruleset.inputs_of(indicator.id))
    return [m for m in ruleset.measures.values() if not m.derived and m.name in read]


def headers(measures: Sequence[Measure]) -> list[str]:
    """Each measure's column header: its label, with ``（unit）`` when it has a unit; its id when it
    has no label or shares its label with another measure (a header names one measure)."""
    labels = [m.label for m in measures]
    out = []
    for measure in measures:
        label = measure.label
        if not label or labels.count(label) > 1 or label.strip() in UNIT_COLUMNS:
            out.append(measure.name)
        elif measure.unit:
            out.append(f"{label}（{measure.unit}）")
        else:
            out.append(label)
    return out


def _low_high(measure: Measure) -> tuple[Decimal | None, Decimal | None]:
    if measure.range is not None:
        return measure.range
    if measure.type in ("rate", "amount", "count"):
        return Decimal(0), None  # what kpirules takes when no range is declared
    return None, None


def _shown(measure: Measure, value: Decimal) -> str:
    if measure.type == "date":  # a date's range is held as ordinal days
        return from_ordinal(value).isoformat()
    return percent(value) if measure.type == "rate" else number(value)


def range_text(measure: Measure, lang: str | None = None) -> str:
    """The values a measure accepts, as the template shows them (in ``lang``, else the current
    language)."""
    words = M.templates(lang or language())
    if measure.type == "bool":
        return f"{YES} / {NO}"
    if measure.type == "level":
        return words["one_of"].format(levels="、".join(measure.levels or ()))
    if measure.type == "judged":
        return words["judged_of"].format(levels="、".join(measure.levels or ()), example=example(measure))
    low, high = _low_high(measure)
    if measure.type == "date" and low is None:
        return words["any_date"]
    if low is not None and high is not None:
        return words["between"].format(low=_shown(measure, low), high=_shown(measure, high))
    if low is not None:
        return words["at_least"].format(low=_shown(measure, low))
    return words["any"]


def example(measure: Measure) -> Any:
    """A value that fits the measure: what the template's notes show (as a cell holds it)."""
    if measure.type == "bool":
        return YES
    if measure.type == "level":
        return (measure.levels or ("",))[0]
    if measure.type == "judged":  # a level and the points: one cell ("达成 9")
        return f"{(measure.levels or ('',))[0]} 9"
    low, high = _low_high(measure)
    if measure.type == "date":
        day = datetime.date(2021, 12, 31)
        if low is not None and high is not None and not low <= day.toordinal() <= high:
            day = from_ordinal((low + high) // 2)
        return day
    if measure.type == "rate":
        value = Decimal("0.95")
    elif measure.type == "count":
        value = Decimal(48)
    elif measure.type == "amount":
        value = Decimal("1000000")
    else:
        value = Decimal(10)
    if low is not None and high is not None and not low <= value <= high:
        value = (low + high) / 2
        if measure.type == "count":
            value = value.to_integral_value()
    return value


def _example_text(measure: Measure) -> str:
    value = example(measure)
    if isinstance(value, datetime.date):
        return value.isoformat()
    return _shown(measure, value) if isinstance(value, Decimal) else str(value)


def _cell_number(value: Decimal) -> int | float:
    return int(value) if value == value.to_integral_value() else float(value)


def _validation(measure: Measure) -> dict[str, Any]:
    """A number's or a date's cell validation: within the measure's range (a date from 1900, where
    Excel's dates start)."""
    low, high = _low_high(measure)
    if measure.type == "date":
        earliest = from_ordinal(low) if low is not None else datetime.date(1900, 1, 1)
        latest = from_ordinal(high) if high is not None else datetime.date(9999, 12, 31)
        return {"validate": "date", "criteria": "between", "minimum": earliest, "maximum": latest}
    kind = "integer" if measure.type == "count" else "decimal"
    if low is not None and high is not None:
        return {"validate": kind, "criteria": "between", "minimum": _cell_number(low), "maximum": _cell_number(high)}
    if low is not None:
        return {"validate": kind, "criteria": ">=", "value": _cell_number(low)}
    if measure.type == "count":
        return {"validate": "integer", "criteria": "between", "minimum": -(2**31), "maximum": 2**31 - 1}
    return {"validate": "any"}


def to_csv(ruleset: Ruleset, lang: str | None = None) -> str:
    """The CSV template: one header row, the unit's column first (headed in ``lang``, else the
    current language)."""
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerow(
        [M.say(lang or language(), "unit"), *headers(input_measures(ruleset))]
    )
    return buf.getvalue()


def write_xlsx(path: str | Path, ruleset: Ruleset, lang: str | None = None, rows: int = FORM_ROWS) -> None:
    """The workbook template, written at ``path`` (write it to a temporary name and move it, as
    :func:`kpirules.atomic.replace_atomically` does); its sheet names, notes and headings in
    ``lang``, else the current language (column headers are the measures' labels)."""
    import xlsxwriter  # type: ignore[import-untyped,unused-ignore]

    from .xlsxout import display_width, score_format

    lang = lang or language()
    words = M.templates(lang)
    measures = input_measures(ruleset)
    heads = headers(measures)
    book = xlsxwriter.Workbook(str(path), {"strings_to_numbers": False, "strings_to_formulas": False})
    base = {"font_name": "等线", "font_size": 11, "valign": "vcenter"}
    title = book.add_format({**base, "bold": True, "font_size": 14, "align": "center"})
    head = book.add_format(
        {**base, "bold": True, "text_wrap": True, "align": "center", "border": 1, "bg_color": "#DDEBF7"}
    )
    wrap = book.add_format({**base, "text_wrap": True, "valign": "top"})
    cell_formats = {
        "rate": book.add_format({**base, "num_format": "0.00%"}),
        "amount": book.add_format({**base, "num_format": "#,##0.00"}),
        "count": book.add_format({**base, "num_format": "0"}),
        "number": book.add_format({**base, "num_format": "General"}),
        "bool": book.add_format({**base, "align": "center"}),
        "level": book.add_format({**base, "align": "center"}),
        "judged": book.add_format({**base, "align": "center", "num_format": "@"}),
        "date": book.add_format({**base, "num_format": "yyyy-mm-dd"}),
    }
    text = book.add_format({**base, "num_format": "@"})

    form = book.add_worksheet(words["form"])
    last_col = len(measures)
    form.merge_range(0, 0, 0, max(last_col, 1), words["title"].format(title=ruleset.title or ruleset.id), title)
    form.write_row(1, 0, [words["unit"], *heads], head)
    form.freeze_panes(2, 1)
    form.set_row(1, 48)
    form.set_column(0, 0, 24, text)
    unit_help = {"validate": "any", "input_title": words["unit"][:32], "input_message": words["note"][:255]}
    form.data_validation(2, 0, 2 + rows - 1, 0, unit_help)
    first, last = 2, 2 + rows - 1
    lists = None
    for col, (measure, header) in enumerate(zip(measures, heads, strict=True), 1):
        form.set_column(col, col, min(max(display_width(header) / 2 + 2, 10), 24), cell_formats[measure.type])
        accepted = range_text(measure, lang)
        lines = [
            f"{ID}: {measure.name}",
            f"{words['kind']}: {words[measure.type]}",
        ]
        if measure.unit:
            lines.append(f"{words['measure_unit']}: {measure.unit}")
        lines += [f"{words['range']}: {accepted}", f"{words['example']}: {_example_text(measure)}"]
        if measure.description:
            lines.append(measure.description.strip())
        form.write_comment(1, col, "\n".join(lines), {"x_scale": 1.6, "y_scale": 1.4, "font_name": "等线"})
        label = (measure.label or measure.name)[:32]
        options: dict[str, Any] = {
            "input_title": label,
            "input_message": f"{accepted}\n{words['example']}: {_example_text(measure)}"[:255],
            "error_title": words["error_title"][:32],
            "error_message": words["error"].format(label=measure.label or measure.name, range=accepted)[:255],
        }
        if measure.type in ("bool", "level"):
            choices = [YES, NO] if measure.type == "bool" else list(measure.levels or ())
            if sum(len(c) + 1 for c in choices) <= 255 and not any("," in c for c in choices):
                options.update(validate="list", source=choices)
            else:  # a long list, or levels with commas: from a hidden sheet
                if lists is None:
                    lists = book.add_worksheet("lists")
                    lists.hide()
                for row, choice in enumerate(choices):
                    lists.write_string(row, col - 1, choice)
                from .errors import column_letters

                letters = column_letters(col)
                options.update(validate="list", source=f"=lists!${letters}$1:${letters}${len(choices)}")
        else:
            options.update(_validation(measure))
        form.data_validation(first, col, last, col, options)

    sheet = book.add_worksheet(words["measures"])
    columns = [words["column"], ID, words["kind"], words["measure_unit"], words["range"], words["example"]]
    sheet.write_row(0, 0, [*columns, words["description"]], head)
    sheet.freeze_panes(1, 0)
    for col, width in enumerate((30, 24, 12, 10, 24, 14, 60)):
        sheet.set_column(col, col, width, wrap)
    for row, (measure, header) in enumerate(zip(measures, heads, strict=True), 1):
        cells = [header, measure.name, words[measure.type], measure.unit or "", range_text(measure, lang)]
        sheet.write_row(row, 0, [*cells, _example_text(measure), (measure.description or "").strip()], wrap)

    standards = book.add_worksheet(words["standards"])
    heads2 = [words["path"], words["indicator"], ID, words["weight"], words["standard"], words["rule"]]
    standards.write_row(0, 0, heads2, head)
    standards.freeze_panes(1, 0)
    for col, width in enumerate((24, 30, 18, 7, 70, 40)):
        standards.set_column(col, col, width, wrap)
    weight = book.add_format({**base, "valign": "top", "num_format": score_format(0)})
    for row, indicator in enumerate(ruleset.indicators, 1):
        standards.write_string(row, 0, " / ".join(indicator.path), wrap)
        standards.write_string(row, 1, indicator.name, wrap)
        standards.write_string(row, 2, indicator.id, wrap)
        standards.write_number(row, 3, float(indicator.weight), weight)
        standards.write_string(row, 4, indicator.standard or "", wrap)
        standards.write_string(row, 5, indicator.rule_source.text.strip(), wrap)
    book.close()
