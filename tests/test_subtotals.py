"""Subtotals by the first level of `path` (一级指标) in every output of a scored table."""

from __future__ import annotations

import csv
import decimal
import io
import json
from decimal import Decimal
from pathlib import Path

import pytest
from click.testing import CliRunner

import kpirules
from kpirules.cli import main
from kpirules.report import groups, render, subtotals
from kpirules.values import judged_text

ROOT = Path(__file__).resolve().parent.parent
TUTORIAL = str(ROOT / "docs/examples/tutorial.toml")
BISHAN = str(ROOT / "rulesets/bishan_2022.toml")
MINI = str(ROOT / "docs/examples/mini.toml")

GROUPED = """
[ruleset]
id = "grouped"
[measures.a]
type = "rate"
[measures.b]
type = "rate"
[[indicators]]
id = "x1"
name = "产出一"
path = ["产出指标", "数量指标"]
weight = 30
measure = "a"
rule = "proportional"
[[indicators]]
id = "y1"
name = "效益一"
path = ["效益指标"]
weight = 40
measure = "b"
rule = "proportional"
[[indicators]]
id = "x2"
name = "产出二"
path = ["产出指标", "质量指标"]
weight = 30
measure = "a"
rule = "proportional to 90%"
[[indicators]]
id = "extra"
name = "加分项"
path = ["产出指标"]
weight = 5
bonus = true
measure = "b"
rule = "pass if b >= 99%"
[values]
a = "80%"
b = "99.5%"
"""


@pytest.fixture(autouse=True)
def chinese(monkeypatch: pytest.MonkeyPatch) -> None:
    """These tests read the workbooks and tables a Chinese user gets (the default language)."""
    monkeypatch.setenv("KPIRULES_LANG", "zh")


def _run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, list(args))
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.stdout


def test_subtotals_add_up_the_groups_scores_and_weights() -> None:
    rs = kpirules.loads(GROUPED)
    result = rs.evaluate()
    found = groups(rs)
    assert [(g.name, g.members) for g in found] == [("产出指标", (0, 2, 3)), ("效益指标", (1,))]
    out, benefit = subtotals(rs, result, found)
    # 30 × 80% = 24; 30 × 80%/90% = 26.67; the bonus 5 counts in the score, not the weight
    assert (out.group, out.weight, out.score, out.rate) == ("产出指标", Decimal(60), Decimal("55.67"), Decimal("0.9278"))
    assert (benefit.weight, benefit.score, benefit.rate) == (Decimal(40), Decimal("39.80"), Decimal("0.9950"))
    assert sum((t.score for t in (out, benefit)), Decimal(0)) == result.total


def test_subtotals_do_not_depend_on_the_callers_decimal_context() -> None:
    rs = kpirules.loads(GROUPED)
    result = rs.evaluate()
    with decimal.localcontext(decimal.Context(prec=3, rounding=decimal.ROUND_DOWN)):
        (out, _) = subtotals(rs, result)
    assert out.score == Decimal("55.67")


def test_a_group_of_bonus_indicators_only_has_no_rate() -> None:
    text = GROUPED.replace('path = ["产出指标"]\nweight = 5', 'path = ["加分"]\nweight = 5')
    rs = kpirules.loads(text)
    extra = subtotals(rs, rs.evaluate())[-1]
    assert (extra.group, extra.weight, extra.score, extra.rate) == ("加分", Decimal(0), Decimal("5.00"), None)
    assert "| **加分** | 0 | **5.00** | — |" in render(rs, [rs.evaluate()], "markdown", batch=False)


def test_json_carries_subtotals_as_data() -> None:
    code, out = _run("score", TUTORIAL, "--format", "json")
    assert code == 0
    data = json.loads(out, parse_float=Decimal)
    assert data["subtotals"] == [
        {"group": "部门决策", "weight": 5, "score": Decimal("4.00"), "rate": Decimal("0.8000")},
        {"group": "部门管理", "weight": 28, "score": Decimal("22.80"), "rate": Decimal("0.8143")},
        {"group": "部门产出", "weight": 37, "score": Decimal("34.69"), "rate": Decimal("0.9376")},
        {"group": "部门效益", "weight": 30, "score": Decimal("25.28"), "rate": Decimal("0.8427")},
    ]
    assert '"score": 22.80' in out  # exact decimals, as every score


def test_outputs_keep_their_shape_without_paths() -> None:
    for ruleset in (BISHAN, MINI):
        code, out = _run("score", ruleset, "--format", "json")
        assert code == 0 and "subtotals" not in json.loads(out)
        code, out = _run("score", ruleset, "--format", "csv")
        assert "subtotal" not in out
        code, out = _run("score", ruleset, "--format", "markdown")
        assert "**" in out and "小计" not in out
    code, out = _run("score", BISHAN, "--values", str(ROOT / "docs/examples/units.csv"), "--format", "csv")
    assert out.splitlines()[0].endswith("satisfaction,total,grade,error")


def test_csv_one_unit_has_a_row_per_group_and_a_batch_a_column(tmp_path: Path) -> None:
    code, out = _run("score", TUTORIAL, "--format", "csv")
    rows = list(csv.reader(io.StringIO(out)))
    assert rows[-5:-1] == [
        ["subtotal", "部门决策", "5", "4.00", "0.8000", ""],
        ["subtotal", "部门管理", "28", "22.80", "0.8143", ""],
        ["subtotal", "部门产出", "37", "34.69", "0.9376", ""],
        ["subtotal", "部门效益", "30", "25.28", "0.8427", ""],
    ]
    assert rows[-1] == ["total", "合计", "100", "86.77", "", "良"]
    units = tmp_path / "units.json"
    rs = kpirules.load(TUTORIAL)
    values = {k: (v if isinstance(v, (bool, int)) else str(judged_text(v))) for k, v in rs.values.items()}
    units.write_text(json.dumps([{"unit": "甲", **values}, {"unit": "乙", **values, "tasks_planned": 0}]), "utf-8")
    code, out = _run("score", TUTORIAL, "--values", str(units), "--format", "csv")
    rows = list(csv.reader(io.StringIO(out)))
    assert rows[0][12:] == [
        "subtotal:部门决策",
        "subtotal:部门管理",
        "subtotal:部门产出",
        "subtotal:部门效益",
        "total",
        "grade",
        "error",
    ]
    assert rows[1][0] == "甲" and rows[1][12:18] == ["4.00", "22.80", "34.69", "25.28", "86.77", "良"]
    assert rows[2][0] == "乙" and rows[2][1:18] == [""] * 17 and "除数为零" in rows[2][18]


def test_text_and_markdown_show_a_row_per_group() -> None:
    code, out = _run("score", TUTORIAL)
    lines = [line.rstrip() for line in out.splitlines()]
    at = next(i for i, line in enumerate(lines) if "部门管理" in line)
    assert lines[at].split() == ["部门管理", "28", "22.80", "81.43%"]
    assert lines[at + 1].startswith("    预算调整率")  # the group's indicators, indented under it
    code, out = _run("score", TUTORIAL, "--format", "markdown")
    assert "| **部门效益** | 30 | **25.28** | 84.27% |\n| 　社会效益 | 10 | 7.00 | 70% |" in out


def test_rows_are_grouped_when_a_groups_indicators_are_apart() -> None:
    rs = kpirules.loads(GROUPED)
    text = render(rs, [rs.evaluate()], "markdown", batch=False)
    names = [line.split(" | ")[0].strip("| *　") for line in text.splitlines()[2:]]
    assert names == ["产出指标", "产出一", "产出二", "加分项", "效益指标", "效益一", "合计"]


@pytest.mark.parametrize("fmt", ["table", "markdown"])
def test_a_batch_table_has_a_column_per_group(fmt: str, tmp_path: Path) -> None:
    rs = kpirules.loads(GROUPED)
    results = rs.evaluate_many([{"a": "80%", "b": "99.5%"}, {"a": "90%", "b": "50%"}])
    text = render(rs, results, fmt, batch=True, width=200)
    assert "产出指标" in text and "55.67" in text and "30.00" in text  # 30 + 30 + 0 bonus; 27 + 30 + 0
    if fmt == "markdown":
        assert text.splitlines()[0] == "| 单位 | x1 | y1 | x2 | extra | 产出指标小计 | 效益指标小计 | 合计 | 等级 |"
