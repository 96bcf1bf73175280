"""The shipped Bishan 2022 ruleset: ten rows, total 93.74, grade 优, as the report states."""

from __future__ import annotations

import json
from decimal import Decimal as D
from pathlib import Path

from click.testing import CliRunner

import kpirules
from kpirules.cli import main

RULESET = Path(__file__).parent.parent / "rulesets" / "bishan_2022.toml"

# Scores implied by the report's section 三 ("该指标得100%权重分", staff "80%权重分") and by the
# stated total 93.74 for satisfaction (47.4 % of 10).
EXPECTED = {
    "budget_execution": ("预算执行率", "10", "10.00"),
    "budget_disclosure": ("预决算信息公开率", "10", "10.00"),
    "monthly_case_volume": ("12319、数字城管、“马路办公--千里眼”每月案件处理总量", "15", "15.00"),
    "on_time_disposal": ("12319、数字城管、“马路办公--千里眼”案件按时处置率", "10", "10.00"),
    "on_time_closure": ("12319、数字城管、“马路办公--千里眼”案件按时结案率", "15", "15.00"),
    "complaint_reply": ("12319舆情投诉问题回复率", "5", "5.00"),
    "system_failure": ("智慧城管系统运行故障率", "15", "15.00"),
    "city_assessment": ("工作成效市级考核", "5", "5.00"),
    "staff_performance": ("提高数字城管人员工作水平，提升工作态度", "5", "4.00"),
    "satisfaction": ("服务对象满意度", "10", "4.74"),
}


def test_row_by_row(bishan: kpirules.Ruleset) -> None:
    result = bishan.evaluate()
    assert [item.id for item in result] == list(EXPECTED)
    for item in result:
        name, weight, score = EXPECTED[item.id]
        assert (item.name, item.weight, item.score) == (name, D(weight), D(score)), item.id
    assert result["budget_execution"].inputs["budget_execution_rate"] == D(1)
    assert result["satisfaction"].rate == D("0.4740")


def test_total_and_grade(bishan: kpirules.Ruleset) -> None:
    result = bishan.evaluate()
    assert (result.total, result.grade) == (D("93.74"), "优")
    assert sum(ind.weight for ind in bishan.indicators) == bishan.total == D(100)


def test_reported_table_is_transcribed_as_printed(bishan: kpirules.Ruleset) -> None:
    reported = bishan.reported
    assert reported is not None and (reported.total, reported.grade) == (D("93.74"), "优")
    rows = {row.indicator: row for row in reported.rows}
    assert len(rows) == 10
    assert sum(row.score for row in rows.values() if row.score is not None) == D("73.47")  # as printed
    assert (rows["satisfaction"].score, rows["satisfaction"].rate) == (D("4.47"), D("0.4774"))
    assert rows["on_time_disposal"].rate == D("0.8")
    assert [rows[i].score for i in ("monthly_case_volume", "on_time_closure", "system_failure")] == [10, 10, 5]


def test_json_output_of_the_cli() -> None:
    result = CliRunner().invoke(main, ["score", str(RULESET), "--format", "json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output, parse_float=D)
    assert (data["total"], data["grade"], len(data["indicators"])) == (D("93.74"), "优", 10)
    assert data["indicators"][-1]["score"] == D("4.74")


def test_other_values_score_as_the_rules_say(bishan: kpirules.Ruleset) -> None:
    values = {**bishan.values, "budget_spent": 1709375.256, "satisfaction_rate": "90%", "staff_rating": "中"}
    result = bishan.evaluate(values)
    assert result["budget_execution"].score == D("9.47")  # 90 % of the budget, proportional to 95 %
    assert result["staff_performance"].score == D("3.00")
    assert result["satisfaction"].score == D("9.00")
    assert (result.total, result.grade) == (D("96.47"), "优")
