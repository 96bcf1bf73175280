"""Published tables the audit was not written for, modelled on real ones (docs/…/domain notes):
a 项目支出 self-evaluation with tiers, a judged 定性 row and 20分×执行率 (黄石 2022 style), the
海淀 2016 row that rounds the rate before scoring, and discretionary deductions (银川 2021)."""

from __future__ import annotations

from decimal import Decimal as D

import kpirules

PROJECT = """\
[ruleset]
id = "project-2022"
title = "数字化城市管理运行经费项目支出绩效自评"

[measures.budget]
type = "amount"
unit = "万元"
label = "全年预算数"

[measures.spent]
type = "amount"
unit = "万元"
label = "全年执行数"

[measures.execution_rate]
type = "rate"
label = "预算执行率"
formula = "spent / budget"

[measures.cases_done]
type = "rate"
label = "案件结案率"

[measures.accepted]
type = "bool"
label = "系统运维验收合格"

[measures.effect]
type = "level"
levels = ["达成", "部分达成", "未达成"]
label = "社会效益"

[measures.effect_points]
type = "number"
label = "社会效益评定分"

[measures.satisfaction]
type = "rate"
label = "群众满意度"

[[indicators]]
id = "execution"
name = "预算执行率"
weight = 20
measure = "execution_rate"
standard = "得分(20分*执行率)"
rule = "proportional"

[[indicators]]
id = "cases"
name = "案件结案率"
weight = 30
measure = "cases_done"
standard = "≥95%得满分；90%(含)-95%得80%；80%(含)-90%得60%；80%以下不得分"
rule = "tiers { >= 95%: full, >= 90%: 80%, >= 80%: 60%, else: zero }"

[[indicators]]
id = "quality"
name = "运维质量"
weight = 10
rule = "pass if accepted"

[[indicators]]
id = "effect"
name = "社会效益"
weight = 30
measure = "effect"
rule = "grade { 达成: [80%, 100%], 部分达成: [60%, 80%), 未达成: [0, 60%) } by effect_points"

[[indicators]]
id = "satisfaction"
name = "群众满意度"
weight = 10
measure = "satisfaction"
rule = "proportional to 90%"

[values]
budget = 200
spent = 195.5
cases_done = "92.3%"
accepted = true
effect = "达成"
effect_points = 27
satisfaction = "96%"

[reported]
total = 90.55
grade = "优"

[reported.scores.execution]
name = "预算执行率"
weight = 20
score = 19.55
rate = "97.75%"

[reported.scores.cases]
name = "案件结案率"
weight = 30
score = 24
rate = "80%"

[reported.scores.quality]
name = "运维质量"
weight = 10
score = 10
rate = "100%"

[reported.scores.effect]
name = "社会效益"
weight = 30
score = 27
rate = "90%"

[reported.scores.satisfaction]
name = "群众满意度"
weight = 10
score = 10
rate = "100%"

[[reported.figures]]
measure = "spent"
value = "195.5万元"

[[reported.figures]]
measure = "execution_rate"
value = "97.75%"
"""


def project(*replacements: tuple[str, str]) -> kpirules.Ruleset:
    text = PROJECT
    for old, new in replacements:
        assert old in text, old
        text = text.replace(old, new, 1)
    return kpirules.loads(text, name="project.toml")


def test_the_project_table_is_consistent() -> None:
    rs = project()
    assert rs.evaluate().total == D("90.55")
    assert list(kpirules.audit(rs)) == []


def test_the_unit_added_up_its_own_wrong_scores() -> None:
    # 19.55 printed as 19.5, the tier band misread (24 → 30 at 100 %), and the total is the
    # sum of the printed rows (96.5): the rows and the total agree with each other, not with the rules
    rs = project(
        ("score = 19.55\n", "score = 19.5\n"),
        ('score = 24\nrate = "80%"', 'score = 30\nrate = "100%"'),
        ("total = 90.55", "total = 96.5"),
    )
    audit = kpirules.audit(rs)
    got = {(f.kind, f.indicator, f.field, f.reported_text, f.expected_text) for f in audit.errors}
    assert got == {
        ("total-vs-rule", None, "total", "96.5", "90.55"),
        ("score-vs-rule", "execution", "score", "19.5", "19.55"),
        ("score-vs-rule", "cases", "score", "30", "24"),
        ("score-vs-rule", "cases", "rate", "100%", "80%"),
    }
    causes = {(f.indicator, f.field): f.cause.code for f in audit.errors if f.cause is not None}
    assert causes[("execution", "score")] == "missing-digit"
    assert causes[("cases", "score")] == "own-weight"
    assert audit.reconstruction.size == 4 and not audit.reconstruction.keeps_total


def test_a_judged_score_outside_its_band() -> None:
    # 达成 means [80 %, 100 %] of 30: 27 fits; a printed 20 does not fit the rule's 27
    audit = kpirules.audit(project(('score = 27\nrate = "90%"', 'score = 20\nrate = "66.67%"'), ("90.55", "83.55")))
    kinds = {(f.kind, f.indicator, f.field) for f in audit.errors}
    assert ("score-vs-rule", "effect", "score") in kinds and ("total-vs-rule", None, "total") in kinds
    assert ("grade-vs-total", None, "grade") not in kinds  # 优 fits the consistent total 90.55


def test_discretionary_deduction_with_and_without_an_override() -> None:
    # 银川 2021: 100 % satisfaction, scored 9 of 10 by the evaluators
    printed = (
        ('score = 10\nrate = "100%"\n\n[[reported.figures]]', 'score = 9\nrate = "90%"\n\n[[reported.figures]]'),
    )
    audit = kpirules.audit(project(*printed, ("90.55", "89.55"), ('grade = "优"', 'grade = "良"')))
    finding = next(f for f in audit.errors if f.indicator == "satisfaction" and f.field == "score")
    assert (finding.kind, finding.expected) == ("score-vs-rule", D("10.00"))
    override = '[overrides.satisfaction]\nscore = 9\nreason = "评价组酌情扣1分"\n\n[reported]\n'
    audit = kpirules.audit(
        project(*printed, ("90.55", "89.55"), ('grade = "优"', 'grade = "良"'), ("[reported]\n", override))
    )
    assert audit.errors == [] and [f.kind for f in audit] == ["override"]


HAIDIAN = """\
[ruleset]
id = "haidian-2016"

[measures.budget]
type = "amount"
unit = "万元"

[measures.spent]
type = "amount"
unit = "万元"

[measures.execution_rate]
type = "rate"
label = "预算执行率"
formula = "spent / budget"

[[indicators]]
id = "execution"
name = "预算执行率"
weight = 10
measure = "execution_rate"
standard = "执行率×分值（执行率取整到百分之一）"
rule = "RULE"

[[indicators]]
id = "rest"
weight = 90
rule = "full"

[values]
budget = 310.2
spent = 154.74

[reported]
total = 95

[reported.scores.execution]
weight = 10
score = 5
rate = "50%"

[reported.scores.rest]
score = 90

[[reported.figures]]
measure = "execution_rate"
value = "49.88%"
"""


def test_rounding_the_rate_before_scoring() -> None:
    # 154.74 / 310.2 = 49.88 %, printed "50%" and scored 5 = 10 × 50 %: the rate was rounded first
    rs = kpirules.loads(HAIDIAN.replace("RULE", "proportional round(execution_rate, 2)"))
    assert list(kpirules.audit(rs)) == []
    # scored without rounding the rate, the rule gives 4.99, and the printed 5 is one cent off
    rs = kpirules.loads(HAIDIAN.replace("RULE", "proportional"))
    audit = kpirules.audit(rs)
    finding = next(f for f in audit.errors if f.kind == "score-vs-rule")
    assert (finding.reported, finding.expected) == (D(5), D("4.99"))
    assert audit.reconstruction.total == D("94.99")
