"""`kpirules template`: the data-entry template, filled in as Excel would (openpyxl writes the
cells and saves), scores with no edit, for the Bishan ruleset and the tutorial's."""

from __future__ import annotations

import codecs
import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

import kpirules
from kpirules.cli import main
from kpirules.template import headers, input_measures
from kpirules.values import judged_text, parse_number

openpyxl = pytest.importorskip("openpyxl")

ROOT = Path(__file__).resolve().parent.parent
BISHAN = str(ROOT / "rulesets/bishan_2022.toml")
TUTORIAL = str(ROOT / "docs/examples/tutorial.toml")


@pytest.fixture(autouse=True)
def chinese(monkeypatch: pytest.MonkeyPatch) -> None:
    """These tests read the workbooks and tables a Chinese user gets (the default language)."""
    monkeypatch.setenv("KPIRULES_LANG", "zh")


def _invoke(*args: str) -> Any:
    result = CliRunner().invoke(main, list(args))
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result


def _cell(measure: kpirules.Measure, raw: Any) -> Any:
    """What an Excel cell holds once a person typed ``raw`` into the template's column."""
    if measure.type == "bool":
        return "是" if raw in (True, "是", "true", "yes") else "否"
    if measure.type == "level":
        return str(raw)
    if measure.type == "judged":
        return judged_text(raw)  # one cell: the level and the points, 部分达成 7
    value = parse_number(raw)
    if measure.type == "count" or value == value.to_integral_value():
        return int(value)
    return float(value)  # a rate typed 86.5% is stored as 0.865


def _units(rs: kpirules.Ruleset) -> list[tuple[str, dict[str, Any]]]:
    """The ruleset's own unit and two variants of it, each with every input measure given."""
    measures = input_measures(rs)
    own = {m.name: rs.values[m.name] for m in measures if m.name in rs.values}
    variants = [("本单位", own)]
    for k, factor in enumerate(("0.9", "1.05"), 1):
        changed = dict(own)
        for m in measures:
            if m.type in ("rate", "amount") and m.name in changed:
                changed[m.name] = str(parse_number(changed[m.name]) * Decimal(factor))
        variants.append((f"单位{k}", changed))
    return variants


@pytest.mark.parametrize("ruleset", [BISHAN, TUTORIAL])
def test_a_filled_workbook_template_scores_with_no_edit(ruleset: str, tmp_path: Path) -> None:
    rs = kpirules.load(ruleset)
    template = tmp_path / "填报表.xlsx"
    result = _invoke("template", ruleset, "-o", str(template))
    assert result.exit_code == 0, result.output
    book = openpyxl.load_workbook(template)
    form = book.worksheets[0]
    measures = input_measures(rs)
    heads = [c.value for c in form[2]]
    assert heads == ["单位", *headers(measures)]
    assert not any(m.derived for m in measures)
    units = _units(rs)
    for row, (name, values) in enumerate(units, 3):
        form.cell(row, 1, name)
        for col, measure in enumerate(measures, 2):
            if measure.name in values:
                form.cell(row, col, _cell(measure, values[measure.name]))
                if measure.type == "rate":
                    form.cell(row, col).number_format = "0.0%"
    filled = tmp_path / "filled.xlsx"
    book.save(filled)
    result = _invoke("score", ruleset, "--values", str(filled), "--format", "json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout, parse_float=Decimal)
    assert [r["unit"] for r in data["results"]] == [name for name, _ in units]
    for got, (name, values) in zip(data["results"], units, strict=True):
        want = rs.evaluate(values, unit=name)
        assert got["total"] == want.total and got["grade"] == want.grade
        assert [i["score"] for i in got["indicators"]] == list(want.scores)


def test_the_template_has_notes_validation_and_standards(tmp_path: Path) -> None:
    rs = kpirules.load(TUTORIAL)
    template = tmp_path / "t.xlsx"
    _invoke("template", TUTORIAL, "-o", str(template))
    book = openpyxl.load_workbook(template)
    assert book.sheetnames == ["填报表", "填写说明", "评分标准"]
    form = book["填报表"]
    assert form.freeze_panes == "B3"
    assert "某区城市管理局2023年度部门整体支出绩效评价" in form["A1"].value
    heads = {c.value: c for c in form[2]}
    note = heads["年度计划工作任务数（项）"].comment.text
    assert "id: tasks_planned" in note and "项" in note and "≥ 0" in note and "示例: 48" in note
    rules = {str(dv.sqref).split(":")[0][:-1]: dv for dv in form.data_validations.dataValidation}
    letter = {c.value: c.column_letter for c in form[2]}
    judged = rules[letter["社会效益目标达成情况"]]  # a level and the points in one cell: no list, a prompt
    assert judged.type is None and "达成、部分达成、未达成" in judged.prompt and "达成 9" in judged.prompt
    yes_no = rules[letter["相关管理制度合法、合规、完整"]]
    assert yes_no.type == "list" and yes_no.formula1 == '"是,否"'
    rate = rules[letter["服务对象满意度"]]  # range = [0, 1]
    assert (rate.type, rate.operator or "between", rate.formula1, rate.formula2) == ("decimal", "between", "0", "1")
    count = rules[letter["年度计划工作任务数（项）"]]
    assert (count.type, count.operator, count.formula1) == ("whole", "greaterThanOrEqual", "0")
    assert form.column_dimensions[letter["服务对象满意度"]].number_format == "0.00%"  # typed cells take it
    standards = book["评分标准"]
    rows = list(standards.iter_rows(min_row=2, values_only=True))
    assert len(rows) == len(rs.indicators)
    assert rows[0][:4] == ("部门决策 / 预算配置", "重点支出安排率", "key_spending", 5)
    assert "tiers" in rows[0][5]
    assert "每行填写一个单位" in rules["A"].prompt  # the unit's column says how to fill in the form
    explained = {r[1]: r for r in book["填写说明"].iter_rows(min_row=2, values_only=True)}
    assert explained["satisfaction_rate"][4] == "0% 至 100%"


def test_a_csv_template_has_a_byte_order_mark_and_round_trips(tmp_path: Path) -> None:
    rs = kpirules.load(TUTORIAL)
    template = tmp_path / "t.csv"
    assert _invoke("template", TUTORIAL, "-o", str(template)).exit_code == 0
    data = template.read_bytes()
    assert data.startswith(codecs.BOM_UTF8)
    header = data.decode("utf-8-sig").rstrip("\n")
    measures = input_measures(rs)
    cells = []
    for m in measures:
        raw = rs.values.get(m.name, "")
        cells.append("是" if raw is True else "否" if raw is False else str(judged_text(raw)))
    filled = tmp_path / "filled.csv"
    filled.write_bytes(codecs.BOM_UTF8 + f"{header}\n甲,{','.join(cells)}\n".encode())
    result = _invoke("score", TUTORIAL, "--values", str(filled), "--format", "csv")
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[1].startswith("甲,4.00,2.00,3.80,8.00,4.00,2.00,3.00,34.69,7.00,8.50,9.78,")
    gb = tmp_path / "gb.csv"
    assert _invoke("template", TUTORIAL, "-o", str(gb), "--encoding", "gb18030").exit_code == 0
    assert gb.read_bytes().decode("gb18030") == header + "\n"


def test_template_refuses_other_files(tmp_path: Path) -> None:
    for name, args in (("t.ods", []), ("t.xlsx", ["--encoding", "gb18030"])):
        result = _invoke("template", TUTORIAL, "-o", str(tmp_path / name), *args)
        assert result.exit_code == 2 and not (tmp_path / name).exists()
    result = _invoke("template", str(ROOT / "docs/examples/tutorial_draft.toml"), "-o", str(tmp_path / "t.xlsx"))
    assert result.exit_code == 2 and "全角" in result.stderr


def test_headers_name_one_measure_each() -> None:
    rs = kpirules.loads(
        '[ruleset]\nid = "t"\n[measures.a]\ntype = "count"\nlabel = "件数"\nunit = "件"\n'
        '[measures.b]\ntype = "count"\nlabel = "件数"\n[measures.c]\ntype = "rate"\n'
        '[measures.d]\ntype = "bool"\nlabel = "单位"\n'
        '[[indicators]]\nid = "i"\nweight = 10\nrule = "pass if d and a + b > 0 and c > 0"\n'
    )
    assert headers(input_measures(rs)) == ["a", "b", "c", "d"]
