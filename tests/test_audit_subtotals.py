"""Subtotal rows (小计, a group's row, ``[[reported.subtotals]]``): how they are read, what each
check finds, how they steer the reconstruction, and that consistent tables give no finding."""

from __future__ import annotations

import json
from decimal import Decimal as D
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import kpirules
from kpirules.audit.readers import ReportedFileError, read_reported
from kpirules.errors import KpiRulesError
from kpirules.hierarchy import find_groups, strip_enumerator, subtotal_name

HEAD = """\
[ruleset]
id = "project"
total = 100

[measures.funds_rate]
type = "rate"
range = [0, 1]

[measures.exec_rate]
type = "rate"
range = [0, 1]

[measures.done]
type = "bool"

[measures.satisfaction]
type = "rate"
range = [0, 1]

[[indicators]]
id = "goal"
name = "绩效目标合理性"
path = ["决策指标", "项目立项"]
weight = 10
rule = "10 pts"

[[indicators]]
id = "funds"
name = "资金到位率"
path = ["决策指标", "资金投入"]
weight = 10
measure = "funds_rate"
rule = "proportional"

[[indicators]]
id = "exec"
name = "预算执行率"
path = ["过程指标", "资金管理"]
weight = 30
measure = "exec_rate"
rule = "deduct 1 pts per 1% below 95%"

[[indicators]]
id = "output"
name = "产出数量"
path = ["产出指标", "数量指标"]
weight = 30
measure = "done"
rule = "pass if done"

[[indicators]]
id = "satisfaction"
name = "满意度"
path = ["效益指标", "满意度指标"]
weight = 20
measure = "satisfaction"
rule = "proportional"
"""

VALUES = """
[values]
funds_rate = "92%"
exec_rate = "92%"
done = true
satisfaction = "88%"
"""
# the scores the rules give: 10, 9.2, 27, 30, 17.6; total 93.8

CONSISTENT = """\
一级指标,三级指标,分值,得分,得分率
决策指标,绩效目标合理性,10,10,100%
,资金到位率,10,9.2,92%
,小计,20,19.2,96%
过程指标,预算执行率,30,27,90%
过程指标小计,,30,27,90%
产出指标,产出数量,30,30,100%
效益指标,满意度,20,17.6,88%
,小计,50,47.6,95.2%
合计,,100,93.8,
"""


@pytest.fixture
def rules() -> kpirules.Ruleset:
    return kpirules.loads(HEAD + VALUES, name="project.toml")


@pytest.fixture
def free() -> kpirules.Ruleset:
    """The same indicators with no measured values: no row can be recomputed."""
    return kpirules.loads(HEAD, name="free.toml")


def table(tmp_path: Path, text: str, name: str = "table.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def kinds(audit: kpirules.Audit) -> list[str]:
    return [f.kind for f in audit.errors]


# ---- names ---------------------------------------------------------------------------------------
def test_subtotal_labels() -> None:
    assert subtotal_name("管理指标小计") == "管理指标"
    assert subtotal_name("小计") == ""
    assert subtotal_name(" 产出 合计 ") == "产出"
    assert subtotal_name("合计") is None  # the total, not a subtotal
    assert subtotal_name("合计得分") is None
    assert subtotal_name("Subtotal") == ""
    assert subtotal_name("预算执行率") is None
    assert strip_enumerator("一、产出指标") == "产出指标"
    assert strip_enumerator("（二）效益指标") == "效益指标"
    assert strip_enumerator("1.预算执行率") == "预算执行率"


def test_groups_are_found_by_level_name_with_or_without_指标(rules: kpirules.Ruleset) -> None:
    found = find_groups("过程指标", rules.indicators)
    assert found == [(("过程指标",), ("exec",))]
    assert find_groups("过程", rules.indicators) == found
    assert find_groups("决策指标/资金投入", rules.indicators) == [(("决策指标", "资金投入"), ("funds",))]
    assert find_groups("没有这个", rules.indicators) == []


# ---- reading -------------------------------------------------------------------------------------
def test_csv_subtotals_are_read_with_their_rows(tmp_path: Path, rules: kpirules.Ruleset) -> None:
    reported = read_reported(table(tmp_path, CONSISTENT), rules)
    assert [r.indicator for r in reported.rows] == ["goal", "funds", "exec", "output", "satisfaction"]
    subs = reported.subtotals
    # "小计" beside an empty 一级 cell adds up the rows above it; "过程指标小计" names its group
    assert [(s.label, s.indicators, s.group) for s in subs] == [
        ("小计", ("goal", "funds"), None),
        ("过程指标小计", ("exec",), ("过程指标",)),
        ("小计", ("output", "satisfaction"), None),
    ]
    assert [(s.weight, s.score, s.rate) for s in subs][2] == (D(50), D("47.6"), D("0.952"))
    assert subs[1].locations["score"].line == 6
    assert reported.total == D("93.8")


def test_group_rows_headings_and_小计_beside_a_group(tmp_path: Path, rules: kpirules.Ruleset) -> None:
    text = """\
一级指标,三级指标,分值,得分
一、决策指标,,,
,绩效目标合理性,10,10
,资金到位率,10,9.2
决策指标,小计,20,19.2
过程指标,,30,27
,预算执行率,30,27
（三）产出指标,,,
,产出数量,30,30
,满意度,20,17.6
合计,,100,93.8
"""
    reported = read_reported(table(tmp_path, text), rules)
    assert [(s.label, s.indicators) for s in reported.subtotals] == [
        ("决策指标小计", ("goal", "funds")),  # 小计 beside the group's name
        ("过程指标", ("exec",)),  # a group's row with figures; the headings have none
    ]
    assert kpirules.audit(rules, tmp_path / "table.csv").ok


def test_the_deepest_level_column_is_the_indicator(tmp_path: Path, rules: kpirules.Ruleset) -> None:
    text = "二级指标,三级指标,分值,得分\n项目立项,绩效目标合理性,10,10\n资金投入,资金到位率,10,9.2\n"
    reported = read_reported(table(tmp_path, text), rules)
    assert [r.indicator for r in reported.rows] == ["goal", "funds"]


def test_a_bare_小计_with_nothing_above_is_an_error_at_its_line(tmp_path: Path, rules: kpirules.Ruleset) -> None:
    text = "指标名称,分值,得分\n小计,20,19.2\n绩效目标合理性,10,10\n"
    with pytest.raises(ReportedFileError) as caught:
        read_reported(table(tmp_path, text), rules)
    problem = caught.value.problems[0] if caught.value.problems else caught.value
    assert problem.location is not None and problem.location.line == 2
    assert "小计" in problem.message


def test_json_rows_and_subtotals(tmp_path: Path, rules: kpirules.Ruleset) -> None:
    data = {
        "total": 93.8,
        "rows": [
            {"指标名称": "绩效目标合理性", "分值": 10, "得分": 10},
            {"指标名称": "资金到位率", "分值": 10, "得分": 9.2},
            {"指标名称": "小计", "分值": 20, "得分": 19.2},
            {"指标名称": "预算执行率", "分值": 30, "得分": 27},
            {"指标名称": "产出数量", "分值": 30, "得分": 30},
            {"指标名称": "满意度", "分值": 20, "得分": 17.6},
        ],
        "subtotals": [{"name": "产出与效益", "indicators": ["output", "satisfaction"], "score": 46.7}],
    }
    path = table(tmp_path, json.dumps(data, ensure_ascii=False), "table.json")
    reported = read_reported(path, rules)
    assert [(s.label, s.indicators) for s in reported.subtotals] == [
        ("小计", ("goal", "funds")),
        ("产出与效益", ("output", "satisfaction")),
    ]
    audit = kpirules.audit(rules, path)
    assert [(f.kind, f.reported, f.expected) for f in audit.errors] == [("subtotal-vs-sum", D("46.7"), D("47.6"))]
    assert audit.errors[0].cause is not None and audit.errors[0].cause.code == "transposition"


# ---- the ruleset's [reported] ---------------------------------------------------------------------
def test_reported_subtotals_in_the_ruleset() -> None:
    text = (
        HEAD
        + VALUES
        + """
[reported]
total = 93.8

[[reported.subtotals]]
name = "决策指标小计"
weight = 20
score = 19.2

[[reported.subtotals]]
name = "后两项"
indicators = ["output", "satisfaction"]
score = 47.6

[[reported.subtotals]]
name = "一、过程指标"
path = ["过程指标"]
weight = 25
score = 27
"""
    )
    rules = kpirules.loads(text, name="r.toml")
    assert rules.reported is not None
    subs = rules.reported.subtotals
    assert [(s.indicators, s.group) for s in subs] == [
        (("goal", "funds"), ("决策指标",)),
        (("output", "satisfaction"), None),
        (("exec",), ("过程指标",)),
    ]
    audit = kpirules.audit(rules)
    [finding] = audit.errors
    assert (finding.kind, finding.field, finding.reported, finding.expected) == (
        "subtotal-weight",
        "subtotal_weight",
        D(25),
        D(30),
    )
    assert finding.location is not None and finding.location.line == text.split("\n").index("weight = 25") + 1


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        ('name = "管理指标小计"\nscore = 1', "cannot tell which indicators"),
        ('name = "x"\nindicators = ["nope"]', "unknown indicators: nope"),
        ('name = "x"\npath = ["没有"]', "no indicator has the path"),
        ('name = "小计"\nscore = 1', "a bare 小计"),
    ],
)
def test_reported_subtotal_errors(entry: str, message: str) -> None:
    text = HEAD + "\n[reported]\ntotal = 1\n\n[[reported.subtotals]]\n" + entry + "\n"
    with pytest.raises(KpiRulesError) as caught:
        kpirules.loads(text, name="bad.toml")
    problem = caught.value.problems[0] if caught.value.problems else caught.value
    assert problem.code == "KPI-R105"
    assert message in problem.message + " " + (problem.hint or "")
    assert problem.location is not None and problem.location.line > HEAD.count("\n")


def test_a_name_that_fits_two_groups_is_ambiguous() -> None:
    text = (
        HEAD.replace('path = ["过程指标", "资金管理"]', 'path = ["过程指标", "管理"]').replace(
            'path = ["决策指标", "资金投入"]', 'path = ["决策指标", "管理"]'
        )
        + '\n[reported]\n[[reported.subtotals]]\nname = "管理小计"\nscore = 1\n'
    )
    with pytest.raises(KpiRulesError) as caught:
        kpirules.loads(text, name="bad.toml")
    problem = caught.value.problems[0] if caught.value.problems else caught.value
    assert "may mean any of the groups" in problem.message and "path" in (problem.hint or "")


# ---- the checks ------------------------------------------------------------------------------------
def test_a_consistent_table_with_subtotals_gives_no_finding(tmp_path: Path, rules: kpirules.Ruleset) -> None:
    audit = kpirules.audit(rules, table(tmp_path, CONSISTENT))
    assert list(audit) == []
    assert dict(audit.reconstruction.subtotals) == {0: D("19.2"), 1: D(27), 2: D("47.6")}


def test_each_subtotal_check(tmp_path: Path, rules: kpirules.Ruleset) -> None:
    text = (
        CONSISTENT.replace(",小计,20,19.2,96%", ",小计,20,19.2,69%")  # rate digits swapped
        .replace("过程指标小计,,30,27,90%", "过程指标小计,,25,27,90%")  # weight wrong
        .replace(",小计,50,47.6,95.2%", ",小计,50,30,60%")  # satisfaction left out
    )
    audit = kpirules.audit(rules, table(tmp_path, text))
    got = [(f.kind, f.field, f.name, f.reported, f.expected, f.cause.code if f.cause else None) for f in audit.errors]
    assert got == [
        (
            "subtotal-vs-rate",
            "subtotal_rate",
            "小计（绩效目标合理性、资金到位率）",
            D("0.69"),
            D("0.96"),
            "transposition",
        ),
        ("subtotal-weight", "subtotal_weight", "过程指标小计", D(25), D(30), "arithmetic"),
        ("subtotal-vs-sum", "subtotal", "小计（产出数量、满意度）", D(30), D("47.6"), "row-omitted"),
        # its rate fits the printed 30 and follows the score
        ("subtotal-vs-rate", "subtotal_rate", "小计（产出数量、满意度）", D("0.60"), D("0.952"), "rate-follows-score"),
    ]
    omitted = audit.errors[2]
    assert omitted.also == ("subtotal-vs-rule",)
    assert "满意度" in omitted.cause_text("zh") and "left out of the subtotal" in omitted.cause_text("en")
    assert omitted.location is not None and omitted.location.line == 9
    # the total is right, so the reconstruction corrects the four subtotal figures only
    assert audit.reconstruction.size == 4 and audit.reconstruction.keeps_total


def test_a_subtotal_that_follows_wrong_rows(tmp_path: Path, rules: kpirules.Ruleset) -> None:
    text = CONSISTENT.replace(",资金到位率,10,9.2,92%", ",资金到位率,10,2.9,29%").replace(
        ",小计,20,19.2,96%", ",小计,20,12.9,64.5%"
    )
    audit = kpirules.audit(rules, table(tmp_path, text))
    sub = next(f for f in audit.errors if f.subtotal == 0)
    assert (sub.kind, sub.reported, sub.expected) == ("subtotal-vs-rule", D("12.9"), D("19.2"))
    assert sub.cause is not None and sub.cause.code == "follows-rows"
    assert "等于其下各行印出的得分之和" in sub.message("zh")
    assert "the sum of its printed rows" in sub.message("en")
    assert "adds up the printed rows" in sub.cause_text("en")


def test_a_subtotal_of_the_weights(tmp_path: Path, rules: kpirules.Ruleset) -> None:
    text = CONSISTENT.replace("过程指标小计,,30,27,90%", "过程指标小计,,30,30,")
    audit = kpirules.audit(rules, table(tmp_path, text))
    [finding] = audit.errors
    assert finding.cause is not None and finding.cause.code == "weight-sum"
    assert "分值之和" in finding.cause_text("zh")


def test_a_total_that_adds_up_wrong_subtotals(tmp_path: Path, rules: kpirules.Ruleset) -> None:
    text = CONSISTENT.replace(",小计,50,47.6,95.2%", ",小计,50,46.7,").replace("合计,,100,93.8,", "合计,,100,92.9,")
    audit = kpirules.audit(rules, table(tmp_path, text))
    total = next(f for f in audit.errors if f.field == "total")
    assert total.cause is not None and total.cause.code == "follows-subtotals"
    assert [(c.field, c.corrected) for c in audit.reconstruction.corrections] == [
        ("subtotal", D("47.6")),
        ("total", D("93.8")),
    ]
    data = audit.to_dict("en")
    assert data["reconstruction"]["subtotals"][2] == {
        "label": "小计",
        "indicators": ["output", "satisfaction"],
        "reported": D("46.7"),
        "consistent": D("47.6"),
    }
    assert data["reconstruction"]["corrections"][0]["label"] == "小计（产出数量、满意度）"


# ---- steering the reconstruction ---------------------------------------------------------------------
def test_subtotals_point_at_the_wrong_row(tmp_path: Path, free: kpirules.Ruleset) -> None:
    """No row can be recomputed. The total says some row is 3 points too high; only the subtotals
    say which: without them any row could take the difference."""
    with_subtotals = CONSISTENT.replace("过程指标,预算执行率,30,27,90%", "过程指标,预算执行率,30,27,").replace(
        "过程指标小计,,30,27,90%", "过程指标小计,,30,24,"
    )
    with_subtotals = with_subtotals.replace("合计,,100,93.8,", "合计,,100,90.8,")
    without = "\n".join(line for line in with_subtotals.split("\n") if "小计" not in line)
    lean = kpirules.audit(free, table(tmp_path, without, "without.csv"))
    assert lean.reconstruction.alternatives  # ambiguous: any row could absorb the 3 points
    audit = kpirules.audit(free, table(tmp_path, with_subtotals))
    assert not audit.reconstruction.alternatives
    assert [(c.indicator, c.field, c.corrected) for c in audit.reconstruction.corrections] == [("exec", "score", D(24))]
    [finding] = audit.errors[1:]
    assert finding.indicator == "exec" and "subtotal-vs-sum" in finding.also
    assert "与改正后的各行得分相符" in finding.message("zh")


# ---- a property: a consistent hierarchical table, one subtotal misprinted ---------------------------
@settings(max_examples=60, deadline=None)
@given(
    scores=st.lists(st.integers(min_value=0, max_value=1000), min_size=5, max_size=5),
    which=st.integers(min_value=0, max_value=2),
    delta=st.integers(min_value=-500, max_value=500).filter(bool),
)
def test_one_misprinted_subtotal_is_found_and_corrected(scores: list[int], which: int, delta: int) -> None:
    """Scores in hundredths for five free rows (weights 10, 10, 30, 30, 20); subtotals over
    (goal, funds), (exec) and (output, satisfaction). Printing one subtotal ``delta`` hundredths
    off gives exactly one error, about that subtotal, whose expected figure is its rows' sum."""
    weights = [10, 10, 30, 30, 20]
    values = [D(min(s, w * 100)) / 100 for s, w in zip(scores, weights, strict=True)]
    values[0] = D(10)  # the rule of `goal` is "10 pts"
    groups = [(0, 1), (2,), (3, 4)]
    sums = [sum((values[i] for i in g), D(0)) for g in groups]
    printed = list(sums)
    printed[which] = sums[which] + D(delta) / 100
    if printed[which] < 0:
        printed[which] = sums[which] + D(abs(delta)) / 100
    names = ["goal", "funds", "exec", "output", "satisfaction"]
    lines = "\n".join(f"[reported.scores.{n}]\nscore = {v}" for n, v in zip(names, values, strict=True))
    subs = "\n".join(
        f'[[reported.subtotals]]\nname = "s{k}"\nindicators = {json.dumps([names[i] for i in g])}\nscore = {printed[k]}'
        for k, g in enumerate(groups)
    )
    text = HEAD + f"\n[reported]\ntotal = {sum(values, D(0))}\n\n{lines}\n\n{subs}\n"
    audit = kpirules.audit(kpirules.loads(text, name="p.toml"))
    errors = audit.errors
    assert len(errors) == 1, [f.explain("en") for f in errors]
    assert (errors[0].subtotal, errors[0].kind, errors[0].expected) == (which, "subtotal-vs-sum", sums[which])
    assert audit.reconstruction.keeps_total


def test_excel_with_merged_level_cells(tmp_path: Path, rules: kpirules.Ruleset) -> None:
    openpyxl = pytest.importorskip("openpyxl")
    book = openpyxl.Workbook()
    sheet = book.active
    rows = [
        ("一级指标", "二级指标", "三级指标", "分值", "得分"),
        ("决策指标", "项目立项", "绩效目标合理性", 10, 10),
        (None, "资金投入", "资金到位率", 10, 9.2),
        (None, "小计", None, 20, 19.2),
        ("过程指标", "资金管理", "预算执行率", 30, 27),
        ("产出指标", "数量指标", "产出数量", 30, 30),
        ("效益指标", "满意度指标", "满意度", 20, 17.6),
        ("效益指标小计", None, None, 20, 16.7),
        ("合计", None, None, 100, 93.8),
    ]
    for row in rows:
        sheet.append(row)
    sheet.merge_cells("A2:A4")
    path = tmp_path / "table.xlsx"
    book.save(path)
    reported = read_reported(path, rules)
    assert [(s.label, s.indicators) for s in reported.subtotals] == [
        ("小计", ("goal", "funds")),
        ("效益指标小计", ("satisfaction",)),
    ]
    audit = kpirules.audit(rules, path)
    [finding] = audit.errors
    assert (finding.kind, finding.reported, finding.expected) == ("subtotal-vs-sum", D("16.7"), D("17.6"))
    assert finding.location is not None and finding.location.line == 8


def test_a_subtotal_rate_that_fits_the_consistent_subtotal(tmp_path: Path, rules: kpirules.Ruleset) -> None:
    text = CONSISTENT.replace("过程指标小计,,30,27,90%", "过程指标小计,,30,28,90%")
    audit = kpirules.audit(rules, table(tmp_path, text))
    [finding] = audit.errors
    assert (finding.field, finding.reported, finding.expected) == ("subtotal", D(28), D(27))
    assert "subtotal-vs-rate" in finding.also
    assert "所报小计得分率 90% 与一致的小计 27 相符" in finding.message("zh")
