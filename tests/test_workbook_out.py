"""`-o FILE.xlsx`: scored results as a workbook, and outputs kpirules cannot write refused first."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

import kpirules
from kpirules.cli import main
from kpirules.xlsxout import write_results

openpyxl = pytest.importorskip("openpyxl")

ROOT = Path(__file__).resolve().parent.parent
BISHAN = str(ROOT / "rulesets/bishan_2022.toml")
TUTORIAL = str(ROOT / "docs/examples/tutorial.toml")
MINI = str(ROOT / "docs/examples/mini.toml")


@pytest.fixture(autouse=True)
def chinese(monkeypatch: pytest.MonkeyPatch) -> None:
    """These tests read the workbooks and tables a Chinese user gets (the default language)."""
    monkeypatch.setenv("KPIRULES_LANG", "zh")


def _invoke(*args: str) -> Any:
    result = CliRunner().invoke(main, list(args))
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result


@pytest.mark.parametrize("name", ["scores.xls", "scores.ods", "scores.pdf", "scores.tsv", "scores.docx"])
def test_an_output_kpirules_cannot_write_is_refused_before_anything_is_read(tmp_path: Path, name: str) -> None:
    out = tmp_path / name
    # a ruleset that does not load, and values that do not exist: the output is refused first
    result = _invoke(
        "score",
        str(ROOT / "docs/examples/tutorial_draft.toml"),
        "--values",
        "nothing.csv",
        "-o",
        str(out),
        "--lang",
        "en",
    )
    assert result.exit_code == 2 and result.stdout == ""
    assert result.stderr.startswith(f"cannot write {out}: kpirules writes .xlsx (a workbook), .csv, .json")
    assert not out.exists() and list(tmp_path.iterdir()) == []


def test_a_workbook_takes_no_format(tmp_path: Path) -> None:
    result = _invoke("score", MINI, "--format", "csv", "-o", str(tmp_path / "s.xlsx"), "--lang", "en")
    assert result.exit_code == 2 and "a workbook has its own layout; leave out --format csv" in result.stderr


def test_one_unit_gets_scores_explanations_and_the_self_evaluation_form(tmp_path: Path) -> None:
    out = tmp_path / "s.xlsx"
    assert _invoke("score", TUTORIAL, "-o", str(out)).exit_code == 0
    book = openpyxl.load_workbook(out)
    assert book.sheetnames == ["评分结果", "评分说明", "绩效自评表", "指标"]
    scores = book["评分结果"]
    assert scores.freeze_panes == "B3"
    head = [c.value for c in scores[1]]
    assert head[12:] == ["部门决策小计", "部门管理小计", "部门产出小计", "部门效益小计", "合计", "等级", "未能评分原因"]
    assert [c.value for c in scores[2]][:2] == ["分值", 5] and scores["Q2"].value == 100
    assert scores["B3"].value == 4 and scores["B3"].number_format == "0.00"
    assert (scores["N3"].value, scores["Q3"].value, scores["R3"].value) == (22.8, 86.77, "良")
    assert scores.column_dimensions["A"].width >= 8
    explained = list(book["评分说明"].iter_rows(min_row=2, values_only=True))
    assert len(explained) == 11 and explained[7][1] == "工作任务完成率" and "34.6875" in explained[7][4]
    form = book["绩效自评表"]
    rows = list(form.iter_rows(values_only=True))
    assert rows[0][0] == "某区城市管理局2023年度部门整体支出绩效评价绩效自评表"
    assert rows[1] == ("一级指标", "二级指标", "三级指标", "分值", "评分标准", "实际完成值", "得分", "扣分原因")
    assert rows[2][:4] == ("部门决策（5分）", "预算配置", "重点支出安排率", 5)
    assert rows[3][0] == "部门决策小计" and (rows[3][3], rows[3][6]) == (5, 4)
    staff = next(r for r in rows if r[2] == "在职人员控制率")
    assert staff[5] == "在职人员控制率 102.4%" and staff[6] == 3.8 and staff[7].startswith("扣分：102.4% 超过 100%")
    assert "规则" not in staff[7] and "评分标准" not in staff[7]
    assert next(r for r in rows if r[2] == "预算完成率")[7] == ""  # no points lost, no reason
    assert rows[-1][0] == "总分" and rows[-1][3] == 100 and rows[-1][6] == 86.77 and rows[-1][7] == "等级：良"
    merged = {str(r) for r in form.merged_cells.ranges}
    assert "A5:A10" in merged  # 部门管理 over its six rows
    judged = next(r for r in rows if r[2] == "可持续影响")
    assert judged[5] == "可持续影响目标达成情况 达成（评定 8.5 分）" and judged[6] == 8.5
    assert form.page_setup.orientation == "landscape"
    ids = [r[1] for r in book["指标"].iter_rows(min_row=2, values_only=True)]
    assert ids == [ind.id for ind in kpirules.load(TUTORIAL).indicators]


def test_a_batch_has_explanations_only_when_asked(tmp_path: Path) -> None:
    units = str(ROOT / "docs/examples/units.csv")
    out = tmp_path / "s.xlsx"
    assert _invoke("score", BISHAN, "--values", units, "-o", str(out)).exit_code == 1
    assert openpyxl.load_workbook(out).sheetnames == ["评分结果", "指标"]
    assert _invoke("score", BISHAN, "--values", units, "-o", str(out), "--explain", "--lang", "en").exit_code == 1
    book = openpyxl.load_workbook(out)
    assert book.sheetnames == ["scores", "explanations", "indicators"]
    rows = list(book["explanations"].iter_rows(min_row=2, values_only=True))
    assert len(rows) == 2 * 10 and rows[0][0] == "智慧城管指挥中心" and "points" in rows[0][4]
    failed = {r[0]: r[-1] for r in book["scores"].iter_rows(min_row=3, values_only=True)}
    assert "division by zero" in failed["市政所"] and failed["城市管理局"] is None


def test_many_units_are_written_with_the_first_rows_styles(tmp_path: Path) -> None:
    rs = kpirules.load(MINI)
    rows = []
    for k in range(3000):
        rows.append({"execution_rate": f"{90 + k % 10}%", "satisfaction_rate": "120%" if k % 997 == 5 else "88%"})
    outcomes = rs.evaluate_many(rows)
    for k, outcome in enumerate(outcomes):
        name = f"单位{k} <&> " if k % 2 else f"单位{k}"
        if isinstance(outcome, kpirules.Result):
            outcome.unit = name
        else:
            outcome.unit = name  # type: ignore[attr-defined]
    out = tmp_path / "many.xlsx"
    write_results(out, rs, outcomes, batch=True)
    sheet = openpyxl.load_workbook(out)["评分结果"]
    got = list(sheet.iter_rows(min_row=3))
    assert len(got) == 3000
    for k in (0, 1, 2, 5, 2999):
        cells = got[k]
        assert cells[0].value == (f"单位{k} <&> " if k % 2 else f"单位{k}")
        outcome = outcomes[k]
        if isinstance(outcome, kpirules.Result):
            assert [Decimal(repr(c.value)) for c in cells[1:4]] == [*outcome.scores, outcome.total]
            assert cells[4].value == outcome.grade and cells[5].value is None
        else:
            assert [c.value for c in cells[1:5]] == [None] * 4 and "超出声明的取值范围" in cells[5].value
        assert [c.number_format for c in cells[1:4]] == ["0.00"] * 3
        assert cells[3].font.bold and cells[5].font.color.rgb.endswith("C00000")
    import python_calamine

    grid = python_calamine.CalamineWorkbook.from_path(str(out)).get_sheet_by_index(0).to_python()
    assert len(grid) == 3002 and grid[-1][0] == "单位2999 <&> "


def test_score_formats_follow_the_rulesets_precision(tmp_path: Path) -> None:
    text = (ROOT / "docs/examples/mini.toml").read_text("utf-8").replace('id = "mini"', 'id = "mini"\nprecision = 3')
    assert "precision = 3" in text
    ruleset = tmp_path / "mini3.toml"
    ruleset.write_text(text, "utf-8")
    out = tmp_path / "s.xlsx"
    assert _invoke("score", str(ruleset), "-o", str(out)).exit_code == 0
    assert openpyxl.load_workbook(out)["评分结果"]["B3"].number_format == "0.000"


def test_a_single_unit_that_fails_writes_no_workbook(tmp_path: Path) -> None:
    out = tmp_path / "s.xlsx"
    result = _invoke("score", MINI, "--values", str(ROOT / "docs/examples/errors/bad_values.toml"), "-o", str(out))
    assert result.exit_code == 1 and not out.exists()
    data = _invoke("score", MINI, "--values", str(ROOT / "docs/examples/errors/bad_values.toml"), "--format", "json")
    assert "error" in json.loads(data.stdout)
