"""Published tables as real reports lay them out: units in column names, other words for the
total and the grade, weights in a group's label, "/" for "not applicable", records exported from a
spreadsheet, workbooks with a summary sheet or unsaved formulas; and the causes given when a
figure follows another wrong one."""

from __future__ import annotations

import csv
import io
import json
from decimal import Decimal as D
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import kpirules
from kpirules.audit.readers import ReportedFileError, column_field, read_reported
from kpirules.errors import KpiRulesError

RULES = """\
[ruleset]
id = "farm"
total = 100

[measures.area]
type = "rate"
range = [0, 1]

[measures.ontime]
type = "rate"
range = [0, 1]

[[indicators]]
id = "area"
name = "新建高标准农田面积"
path = ["产出指标", "数量指标"]
weight = 40
measure = "area"
rule = "proportional"

[[indicators]]
id = "ontime"
name = "工程按期完工率"
path = ["产出指标", "时效指标"]
weight = 20
measure = "ontime"
rule = "proportional"

[[indicators]]
id = "care"
name = "工程管护机制"
path = ["效益指标", "可持续影响指标"]
weight = 40
rule = "40 pts"

[values]
area = "95%"
ontime = "90%"
"""
# the rules give 38, 18, 40: total 96, 优

TABLE = """\
一级指标,三级指标,分值（分）,得分（分）,得分率（%）
产出指标（60分）,,60,56,93.33%
,新建高标准农田面积,40,38,95%
,工程按期完工率,20,18,90%
效益指标,工程管护机制,40,40,/
综合得分,,100,96,—
自评等级,优,,,
"""


@pytest.fixture
def rules() -> kpirules.Ruleset:
    return kpirules.loads(RULES, name="farm.toml")


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_column_names_with_units() -> None:
    assert column_field("分值（分）") == "weight"
    assert column_field("得分(分)") == "score"
    assert column_field("得分率（%）") == "rate"
    assert column_field("权重(%)") == "weight"
    assert column_field("备注") == "note" and column_field("序号") is None


def test_a_table_as_reports_print_it(tmp_path: Path, rules: kpirules.Ruleset) -> None:
    reported = read_reported(write(tmp_path, "t.csv", TABLE), rules)
    assert [(r.indicator, r.weight, r.score, r.rate) for r in reported.rows] == [
        ("area", D(40), D(38), D("0.95")),
        ("ontime", D(20), D(18), D("0.90")),
        ("care", D(40), D(40), None),  # "/" is no rate
    ]
    assert [(s.label, s.indicators, s.score) for s in reported.subtotals] == [
        ("产出指标（60分）", ("area", "ontime"), D(56))
    ]
    assert (reported.total, reported.grade) == (D(96), "优")
    assert list(kpirules.audit(rules, tmp_path / "t.csv")) == []


def test_a_wrong_weight_in_a_column_with_a_unit_is_found(tmp_path: Path, rules: kpirules.Ruleset) -> None:
    path = write(tmp_path, "t.csv", TABLE.replace(",工程按期完工率,20,18,90%", ",工程按期完工率,40,18,90%"))
    audit = kpirules.audit(rules, path)
    weight = next(f for f in audit.errors if f.field == "weight")
    assert (weight.indicator, weight.reported, weight.expected) == ("ontime", D(40), D(20))
    # 40 is the weight of the row above; with the ruleset's 20 the score and the rate agree
    assert weight.cause is not None and weight.cause.code == "neighbour-weight"
    assert "按规则集中的分值 20，所报得分 18 与得分率 90% 相符" in weight.message("zh")


@pytest.mark.parametrize("label", ["合计", "总分", "综合得分", "自评总分", "得分合计"])
def test_words_for_the_total(tmp_path: Path, rules: kpirules.Ruleset, label: str) -> None:
    reported = read_reported(write(tmp_path, "t.csv", TABLE.replace("综合得分", label)), rules)
    assert reported.total == D(96)


@pytest.mark.parametrize("label", ["等级", "评价等级", "自评等级", "绩效等级", "评价结果"])
def test_words_for_the_grade_in_a_level_column(tmp_path: Path, rules: kpirules.Ruleset, label: str) -> None:
    reported = read_reported(write(tmp_path, "t.csv", TABLE.replace("自评等级,优", f"{label},良")), rules)
    assert reported.grade == "良"
    assert [f.kind for f in kpirules.audit(rules, tmp_path / "t.csv").errors] == ["grade-vs-total"]


def test_an_indicator_name_with_its_unit(tmp_path: Path, rules: kpirules.Ruleset) -> None:
    text = TABLE.replace(",新建高标准农田面积,", ",新建高标准农田面积（亩）,")
    assert read_reported(write(tmp_path, "t.csv", text), rules).rows[0].indicator == "area"


def test_json_records_as_a_spreadsheet_exports_them(tmp_path: Path, rules: kpirules.Ruleset) -> None:
    records = [
        {
            "序号": 1,
            "一级指标": "产出指标",
            "二级指标": "数量指标",
            "三级指标": "新建高标准农田面积",
            "分值": 40,
            "得分": 38,
        },
        {"序号": 2, "一级指标": None, "二级指标": "时效指标", "三级指标": "工程按期完工率", "分值": 20, "得分": 81},
        {
            "序号": 3,
            "一级指标": "效益指标",
            "二级指标": "可持续",
            "三级指标": "工程管护机制",
            "分值": 40,
            "得分": 40,
            "备注": "",
        },
        {"一级指标": "合计", "分值": 100, "得分": 96},
    ]
    path = write(tmp_path, "t.json", json.dumps(records, ensure_ascii=False, indent=1))
    audit = kpirules.audit(rules, path)
    assert [f.kind for f in audit.errors] == ["total-vs-sum", "score-vs-rule"]
    finding = audit.errors[1]
    assert (finding.indicator, finding.reported, finding.expected) == ("ontime", D(81), D(18))
    assert finding.cause is not None and finding.cause.code == "transposition"
    # a bare list of records: the location is the cell's own line, not 1:1
    lines = path.read_text("utf-8").split("\n")
    assert finding.location is not None and '"得分": 81' in lines[finding.location.line - 1]


def test_records_without_an_indicator_key(tmp_path: Path, rules: kpirules.Ruleset) -> None:
    path = write(tmp_path, "t.json", json.dumps({"rows": [{"分值": 40, "得分": 38}]}))
    with pytest.raises(ReportedFileError) as caught:
        read_reported(path, rules)
    assert "name no indicator" in str(caught.value)


# ---- Excel ---------------------------------------------------------------------------------------
def sheet_rows(sheet: object, rows: list[tuple[object, ...]]) -> None:
    for row in rows:
        sheet.append(row)  # type: ignore[attr-defined]


ROWS: list[tuple[object, ...]] = [
    ("三级指标", "分值", "得分"),
    ("新建高标准农田面积", 40, 38),
    ("工程按期完工率", 20, 18),
    ("工程管护机制", 40, 40),
    ("合计", 100, 96),
]


def test_a_summary_sheet_before_the_table_is_passed_over(tmp_path: Path, rules: kpirules.Ruleset) -> None:
    openpyxl = pytest.importorskip("openpyxl")
    book = openpyxl.Workbook()
    summary = book.active
    summary.title = "汇总"
    sheet_rows(summary, [("指标", "得分"), ("项目一", 96), ("项目二", 88)])
    sheet_rows(book.create_sheet("自评表"), ROWS)
    path = tmp_path / "t.xlsx"
    book.save(path)
    reported = read_reported(path, rules)
    assert reported.total == D(96) and reported.source == f"{path} [自评表]"


def test_a_formula_the_workbook_holds_no_value_for(tmp_path: Path, rules: kpirules.Ruleset) -> None:
    openpyxl = pytest.importorskip("openpyxl")
    book = openpyxl.Workbook()
    sheet_rows(book.active, [*ROWS[:-1], ("合计", 100, "=SUM(C2:C4)")])  # openpyxl stores no value
    path = tmp_path / "t.xlsx"
    book.save(path)
    with pytest.raises(ReportedFileError) as caught:
        read_reported(path, rules)
    problem = caught.value.problems[0] if caught.value.problems else caught.value
    assert "=SUM(C2:C4)" in problem.message and "save it" in (problem.hint or "")
    assert problem.location is not None and (problem.location.line, problem.location.column) == (5, 3)


def test_a_general_format_cell_with_many_decimals(tmp_path: Path, rules: kpirules.Ruleset) -> None:
    """An Excel cell holding 30 × 27 / 28 shows as many digits as fit: the sum of the scores is
    taken at the ruleset's precision, so the total 96 (of 38.00, 17.999999999, 40) is right."""
    openpyxl = pytest.importorskip("openpyxl")
    book = openpyxl.Workbook()
    sheet_rows(book.active, [ROWS[0], ROWS[1], ("工程按期完工率", 20, 17.999999999), ROWS[3], ROWS[4]])
    path = tmp_path / "t.xlsx"
    book.save(path)
    audit = kpirules.audit(rules, path)
    assert audit.errors == []
    assert [f.kind for f in audit.warnings] == ["score-precision"]


# ---- causes of figures that follow wrong ones ------------------------------------------------------
def test_a_total_that_adds_up_wrong_rows(tmp_path: Path, rules: kpirules.Ruleset) -> None:
    text = TABLE.replace(",工程按期完工率,20,18,90%", ",工程按期完工率,20,19,95%").replace(
        "综合得分,,100,96", "综合得分,,100,97"
    )
    audit = kpirules.audit(rules, write(tmp_path, "t.csv", text))
    total = next(f for f in audit.errors if f.field == "total")
    assert (total.reported, total.expected) == (D(97), D(96))
    assert total.cause is not None and total.cause.code == "follows-rows"
    assert "合计按印出的各行得分相加" in total.cause_text("zh")
    assert "等于各项印出的得分之和" in total.message("zh")
    rate = next(f for f in audit.errors if f.field == "rate")
    assert rate.cause is not None and rate.cause.code == "rate-follows-score"
    assert "printed score 19" in rate.cause_text("en")


# ---- the national 项目支出绩效自评表 ------------------------------------------------------------------
NATIONAL_RULES = """\
[ruleset]
id = "national"
total = 100

[measures.budget]
type = "amount"
unit = "万元"

[measures.spent]
type = "amount"
unit = "万元"

[measures.execution_rate]
type = "rate"
formula = "spent / budget"

[measures.area]
type = "rate"
range = [0, 1]

[[indicators]]
id = "execution"
name = "预算执行率"
weight = 10
measure = "execution_rate"
rule = "proportional"

[[indicators]]
id = "area"
name = "新建高标准农田面积"
path = ["产出指标", "数量指标"]
weight = 50
measure = "area"
rule = "proportional"

[[indicators]]
id = "care"
name = "工程管护机制"
path = ["效益指标", "可持续影响指标"]
weight = 40
rule = "40 pts"

[values]
budget = 2980
spent = 2813.12
area = "99.3%"
"""
# the rules give 9.44, 49.65, 40: total 99.09

NATIONAL = """\
项目支出绩效自评表,,,,,,,
项目名称,高标准农田建设项目,,,,,,
项目资金（万元）,,年初预算数,全年预算数,全年执行数,分值,执行率,得分
,年度资金总额,2980,2980,2813.12,10,94.4%,9.44
,其中：当年财政拨款,2980,2980,2813.12,—,—,—
年度总体目标,预期目标,,,实际完成情况,,,
绩效指标,一级指标,二级指标,三级指标,年度指标值,实际完成值,分值,得分
,产出指标,数量指标,新建高标准农田面积（亩）,≥20000,19860,50,49.65
,效益指标,可持续影响指标,工程管护机制,健全,健全,40,40
总分,,,,,,100,99.09
自评等级,优,,,,,,
"""


def test_the_national_form(tmp_path: Path) -> None:
    rules = kpirules.loads(NATIONAL_RULES, name="national.toml")
    path = write(tmp_path, "form.csv", NATIONAL)
    reported = read_reported(path, rules)
    assert [(r.indicator, r.weight, r.score) for r in reported.rows] == [
        ("execution", D(10), D("9.44")),  # the funds block's 年度资金总额 row
        ("area", D(50), D("49.65")),
        ("care", D(40), D(40)),
    ]
    assert [(f.measure, f.value, f.unit) for f in reported.figures] == [("execution_rate", D("94.4"), "%")]
    assert (reported.total, reported.grade) == (D("99.09"), "优")
    assert list(kpirules.audit(rules, path)) == []
    # a slip in the funds row is found, in its score and in its 执行率
    wrong = write(tmp_path, "wrong.csv", NATIONAL.replace("10,94.4%,9.44", "10,49.4%,4.94"))
    audit = kpirules.audit(rules, wrong)
    assert [(f.kind, f.reported, f.expected) for f in audit.errors[1:]] == [
        ("score-vs-rule", D("4.94"), D("9.44")),
        ("figure-vs-value", D("49.4"), D("94.4")),
    ]
    assert audit.errors[1].location is not None and audit.errors[1].location.line == 4


def test_a_two_row_header_with_merged_cells(tmp_path: Path, rules: kpirules.Ruleset) -> None:
    openpyxl = pytest.importorskip("openpyxl")
    book = openpyxl.Workbook()
    sheet_rows(
        book.active,
        [
            ("项目支出绩效自评表", None, None, None, None),
            ("绩效指标", None, None, "分值", "得分"),
            ("一级指标", "二级指标", "三级指标", None, None),
            ("产出指标", "数量指标", "新建高标准农田面积", 40, 38),
            (None, "时效指标", "工程按期完工率", 20, 18),
            ("效益指标", "可持续影响指标", "工程管护机制", 40, 40),
            ("合计", None, None, 100, 69),
        ],
    )
    book.active.merge_cells("A2:C2")
    book.active.merge_cells("D2:D3")
    book.active.merge_cells("E2:E3")
    path = tmp_path / "t.xlsx"
    book.save(path)
    audit = kpirules.audit(rules, path)
    [total] = audit.errors
    assert (total.field, total.reported, total.expected) == ("total", D(69), D(96))
    assert total.cause is not None and total.cause.code == "transposition"


def test_a_weight_printed_in_a_group_label(tmp_path: Path, rules: kpirules.Ruleset) -> None:
    text = TABLE.replace("产出指标（60分）,,60,56,93.33%", "二、产出指标（65分）,,,,")
    audit = kpirules.audit(rules, write(tmp_path, "t.csv", text))
    [finding] = audit.errors
    assert (finding.kind, finding.reported, finding.expected) == ("subtotal-weight", D(65), D(60))


def test_a_total_in_another_band_than_its_grade(tmp_path: Path) -> None:
    """The total adds up a wrong row into another band, and the printed grade is the right one;
    a row the rules cannot recompute leaves the grade's band the only relation the total breaks:
    the finding is about the total, and says so in words."""
    rules = kpirules.loads(RULES.replace('ontime = "90%"', ""), name="farm.toml")
    text = TABLE.replace(",新建高标准农田面积,40,38,95%", ",新建高标准农田面积,40,28,70%").replace(
        "综合得分,,100,96", "综合得分,,100,86"
    )
    audit = kpirules.audit(
        rules, write(tmp_path, "t.csv", text.replace("产出指标（60分）,,60,56,93.33%", "产出指标,,,,"))
    )
    total = next(f for f in audit.errors if f.field == "total")
    assert (total.kind, total.reported, total.expected) == ("grade-vs-total", D(86), D(96))
    assert "等于各项印出的得分之和" in total.message("zh") and "fits the consistent total" in total.message("en")


def test_two_rows_that_could_be_left_out(tmp_path: Path, rules: kpirules.Ruleset) -> None:
    text = TABLE.replace(",工程按期完工率,20,18,90%", ",工程按期完工率,20,40,200%").replace(
        "综合得分,,100,96", "综合得分,,100,78"
    )
    # 38 + 40 + 40 = 118 printed; 78 leaves out one of the two rows printing 40
    audit = kpirules.audit(rules, write(tmp_path, "t.csv", text))
    total = next(f for f in audit.errors if f.field == "total")
    assert total.cause is not None and total.cause.code == "row-omitted"
    assert total.cause.row == "ontime" and total.cause.others == ("care",)
    assert "「工程按期完工率」或「工程管护机制」" in total.cause_text("zh")


def test_causes_from_the_measured_values(tmp_path: Path, rules: kpirules.Ruleset) -> None:
    text = (
        TABLE.replace(
            ",新建高标准农田面积,40,38,95%", ",新建高标准农田面积,38,38,100%"
        ).replace(  # the score in the weight column
            ",工程按期完工率,20,18,90%", ",工程按期完工率,20,18,92%"
        )  # 92 % is no measured value: a typo
    )
    audit = kpirules.audit(rules, write(tmp_path, "t.csv", text))
    causes = {(f.indicator, f.field): f.cause.code for f in audit.errors if f.cause is not None}
    assert causes[("area", "weight")] == "score-as-weight"
    assert causes[("ontime", "rate")] == "typo"


def test_a_measured_rate_in_the_rate_column_and_a_score_of_weight_times_it(
    tmp_path: Path, rules: kpirules.Ruleset
) -> None:
    measured = RULES.replace('area = "95%"', 'area = "88.6%"').replace(
        'rule = "proportional"', 'rule = "proportional to 95%"', 1
    )
    rs = kpirules.loads(measured, name="m.toml")  # area: 40 × 88.6 / 95 = 37.31
    text = TABLE.replace(",新建高标准农田面积,40,38,95%", ",新建高标准农田面积,40,37.31,88.6%")
    audit = kpirules.audit(
        rs, write(tmp_path, "t.csv", text.replace("产出指标（60分）,,60,56,93.33%", "产出指标,,60,55.31,"))
    )
    rate = next(f for f in audit.errors if f.field == "rate")
    assert rate.cause is not None and rate.cause.code == "measure-as-rate"
    text = TABLE.replace(",新建高标准农田面积,40,38,95%", ",新建高标准农田面积,40,35.44,88.6%")
    audit = kpirules.audit(
        rs, write(tmp_path, "u.csv", text.replace("产出指标（60分）,,60,56,93.33%", "产出指标,,60,55.31,"))
    )
    score = next(f for f in audit.errors if f.field == "score")
    assert score.cause is not None and score.cause.code == "weight-times-measure"


def test_english_counts_agree_in_number(tmp_path: Path, rules: kpirules.Ruleset) -> None:
    text = TABLE.replace("自评等级,优", "自评等级,良")
    assert (
        kpirules.audit(rules, write(tmp_path, "t.csv", text))
        .explain("en")
        .rstrip()
        .endswith("1 error, 0 warnings, 0 notes.")
    )


# ---- a property: any table is read and audited, or refused with a KpiRulesError -----------------
_WORDS = [
    *("一级指标", "三级指标", "指标名称", "分值", "得分", "得分率", "权重（%）", "等级", "合计", "总分", "小计"),
    *("产出指标（60分）", "一、效益指标", "新建高标准农田面积", "工程按期完工率", "工程管护机制", "年度资金总额"),
    *("项目资金（万元）", "执行率", "优", "良", "/", "—", "", "40", "38", "18", "96", "95%", "0.9", "abc", "-5"),
    *("1e5", "=SUM(A1)", "１０", "10分"),
]


@settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck))
@given(grid=st.lists(st.lists(st.sampled_from(_WORDS), min_size=1, max_size=6), min_size=1, max_size=10))
def test_any_csv_table_is_audited_or_refused_cleanly(
    tmp_path_factory: pytest.TempPathFactory, grid: list[list[str]]
) -> None:
    rules = kpirules.loads(RULES, name="farm.toml")
    out = io.StringIO()
    csv.writer(out).writerows(grid)
    path = tmp_path_factory.mktemp("fuzz") / "t.csv"
    path.write_text(out.getvalue(), encoding="utf-8")
    try:
        audit = kpirules.audit(rules, path)
    except KpiRulesError as err:
        assert err.location is not None and err.location.file == str(path)
        return
    audit.explain("en")
    audit.to_dict("zh")


def test_an_indicator_name_with_numbering_and_a_unit(tmp_path: Path, rules: kpirules.Ruleset) -> None:
    text = TABLE.replace(",新建高标准农田面积,", ",1.新建高标准农田面积（亩）,")
    assert read_reported(write(tmp_path, "t.csv", text), rules).rows[0].indicator == "area"
