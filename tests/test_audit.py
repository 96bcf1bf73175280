"""kpirules audit: every check, on the Bishan table and on small tables it was not written for.

The street-office ruleset below scores 94.50 with its own values; its [reported] table starts out
consistent and each test plants one error (or a few) in it.
"""

from __future__ import annotations

import re
from decimal import Decimal as D
from pathlib import Path

import pytest

import kpirules
from kpirules.audit import Audit, Finding
from kpirules.audit.printed import digit_slip, fits, variants

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "docs" / "sources" / "bishan_2022_self_evaluation_report.txt"

STREET = """\
[ruleset]
id = "street-2023"
title = "某街道办事处2023年度城市管理项目支出绩效自评"

[measures.budget]
type = "amount"
unit = "元"
label = "调整后预算数"

[measures.spent]
type = "amount"
unit = "元"
label = "实际支出数"

[measures.execution_rate]
type = "rate"
label = "预算执行率"
formula = "spent / budget"

[measures.disclosed]
type = "bool"
label = "按时公开"

[measures.tasks_planned]
type = "count"
unit = "项"

[measures.tasks_done]
type = "count"
unit = "项"

[measures.satisfaction]
type = "rate"
label = "群众满意度"

[[indicators]]
id = "execution"
name = "预算执行率"
weight = 10
measure = "execution_rate"
rule = "deduct 0.5 pts per 1% below 95%"

[[indicators]]
id = "disclosure"
name = "预决算信息公开"
weight = 10
rule = "pass if disclosed"

[[indicators]]
id = "tasks"
name = "任务完成率"
weight = 50
rule = "proportional tasks_done / tasks_planned"

[[indicators]]
id = "satisfaction"
name = "群众满意度"
weight = 30
measure = "satisfaction"
rule = "proportional to 90%"

[values]
budget = 1200000
spent = 1104000
disclosed = true
tasks_planned = 40
tasks_done = 38
satisfaction = "85.5%"

[reported]
total = 94.5
grade = "优"

[reported.scores.execution]
weight = 10
score = 8.5
rate = "85%"

[reported.scores.disclosure]
weight = 10
score = 10
rate = "100%"

[reported.scores.tasks]
weight = 50
score = 47.5
rate = "95%"

[reported.scores.satisfaction]
weight = 30
score = 28.5
rate = "95%"

[[reported.figures]]
measure = "spent"
value = "110.4万元"
quote = "全年实际支出110.4万元"

[[reported.figures]]
measure = "execution_rate"
value = "92%"
"""


def street(*replacements: tuple[str, str]) -> kpirules.Ruleset:
    text = STREET
    for old, new in replacements:
        assert old in text, old
        text = text.replace(old, new, 1)
    return kpirules.loads(text, name="street.toml")


def errors(audit: Audit) -> list[tuple[str, str | None, str | None]]:
    return [(f.kind, f.indicator, f.field) for f in audit.errors]


def only(audit: Audit, kind: str) -> Finding:
    found = audit.of_kind(kind)
    assert len(found) == 1, [f.kind for f in audit]
    return found[0]


def corrections(audit: Audit) -> set[tuple[str | None, str, str, str]]:
    """The reconstruction's table corrections as (indicator, field, was, now) text."""
    from kpirules.audit.messages import value_text

    return {
        (
            c.indicator,
            c.field,
            value_text(c.field, c.reported, printed=True),
            value_text(c.field, c.corrected, printed=False),
        )
        for c in audit.reconstruction.corrections
        if c.in_table
    }


# ---- consistent tables give no finding ---------------------------------------------------------
def test_the_street_table_is_consistent() -> None:
    rs = street()
    assert rs.evaluate().total == D("94.50")
    audit = kpirules.audit(rs)
    assert list(audit) == []
    assert audit.ok and audit.reconstruction.size == 0 and audit.reconstruction.keeps_total
    assert audit.printed_sum == audit.recomputed_total == D("94.50")


def test_a_table_generated_from_the_bishan_rules_is_consistent(bishan: kpirules.Ruleset) -> None:
    result = bishan.evaluate()
    rows = [kpirules.model.ReportedRow(item.id, item.name, item.weight, item.score, item.rate) for item in result]
    table = kpirules.model.Reported(total=result.total, grade=result.grade, rows=tuple(rows))
    assert list(kpirules.audit(bishan, table)) == []


def test_rounding_the_printed_precision_allows_is_no_finding() -> None:
    # 38 / 40 of 50 and 85.5 % / 90 % of 30: rates printed to whole percents, one decimal, two
    rs = street(('score = 47.5\nrate = "95%"', 'score = 47.5\nrate = "95.0%"'), ('rate = "85%"', 'rate = "85.00%"'))
    assert list(kpirules.audit(rs)) == []
    # a third of the weight: 3.33 points at "33.3%" or "33%" fits; at "34%" it does not
    text = (
        '[ruleset]\nid = "third"\n[measures.x]\ntype = "rate"\n[[indicators]]\nid = "a"\nweight = 10\n'
        'measure = "x"\nrule = "proportional"\n[values]\nx = 0.3333\n[reported]\ntotal = 3.33\n'
        '[reported.scores.a]\nscore = 3.33\nrate = "RATE"\n'
    )
    for rate in ("33.3%", "33%", "33.33%", "0.333"):
        assert list(kpirules.audit(kpirules.loads(text.replace("RATE", rate)))) == [], rate
    for rate in ("34%", "33.4%", "33.36%"):
        audit = kpirules.audit(kpirules.loads(text.replace("RATE", rate)))
        assert errors(audit) == [("score-vs-rate", "a", "rate")], rate


# ---- row checks ---------------------------------------------------------------------------------
def test_score_against_the_rule_with_a_transposition() -> None:
    audit = kpirules.audit(street(("score = 8.5\n", "score = 5.8\n")))
    finding = only(audit, "score-vs-rule")
    assert (finding.indicator, finding.field, finding.reported, finding.expected) == (
        "execution",
        "score",
        D("5.8"),
        D("8.50"),
    )
    assert finding.cause is not None and finding.cause.code == "transposition"
    assert finding.also == ("score-vs-rate",)
    assert "8.5" in finding.message() and "5.8" in finding.message("en")
    total = only(audit, "total-vs-sum")
    assert (total.field, total.reported, total.expected) == ("sum", D("91.8"), D("94.50"))
    assert corrections(audit) == {("execution", "score", "5.8", "8.5")}
    assert audit.reconstruction.keeps_total
    line = STREET.split("\n").index("score = 8.5") + 1
    assert finding.location is not None and (finding.location.file, finding.location.line) == ("street.toml", line)


def test_weight_copied_into_the_score_column() -> None:
    audit = kpirules.audit(street(("score = 8.5\n", "score = 10\n")))
    finding = only(audit, "score-vs-rule")
    assert finding.cause is not None and finding.cause.code == "own-weight"
    assert "分值" in finding.cause_text() and "weight" in finding.cause_text("en")


def test_score_against_weight_times_rate_when_the_rule_cannot_recompute() -> None:
    # no values at all: only the table's own arithmetic can be checked
    values = STREET[STREET.index("[values]") : STREET.index("[reported]")]
    rs = street((values, ""), ('score = 28.5\nrate = "95%"', 'score = 25.8\nrate = "95%"'))
    audit = kpirules.audit(rs)
    assert errors(audit) == [("total-vs-sum", None, "sum"), ("score-vs-rate", "satisfaction", "score")]
    finding = only(audit, "score-vs-rate")
    assert finding.expected == D("28.50") and finding.cause is not None and finding.cause.code == "transposition"
    assert {f.kind for f in audit.notes} == {"not-recomputed", "figure-unchecked", "values-from-figures"}


def test_rate_not_updated() -> None:
    audit = kpirules.audit(street(('score = 28.5\nrate = "95%"', 'score = 28.5\nrate = "85%"')))
    finding = only(audit, "score-vs-rate")
    assert (finding.field, finding.reported, finding.expected) == ("rate", D("0.85"), D("0.9500"))
    assert finding.cause is not None and finding.cause.code == "rate-not-updated"
    assert finding.cause.row == "execution"  # 85 % is the rate of the execution row
    assert corrections(audit) == {("satisfaction", "rate", "85%", "95%")}
    assert len(audit.errors) == 1


def test_weight_against_the_ruleset() -> None:
    audit = kpirules.audit(street(("weight = 50\nscore = 47.5", "weight = 40\nscore = 47.5")))
    finding = only(audit, "weight-vs-ruleset")
    assert (finding.reported, finding.expected) == (D(40), D(50))
    assert finding.also == ("score-vs-rate",)  # 40 × 95 % is not 47.5 either
    assert len(audit.errors) == 1


def test_score_out_of_range() -> None:
    audit = kpirules.audit(street(('score = 10\nrate = "100%"', 'score = 12\nrate = "100%"')))
    finding = only(audit, "score-vs-rule")
    assert finding.expected == D("10.00") and "score-out-of-range" in finding.also


def test_text_against_the_table() -> None:
    rs = street(('score = 47.5\nrate = "95%"', 'score = 47.5\nrate = "95%"\ntext_rate = "59%"\nquote = "得59%"'))
    audit = kpirules.audit(rs)
    finding = only(audit, "text-vs-score")
    assert (finding.field, finding.expected) == ("text_rate", D("0.9500"))
    assert "text-vs-table" in finding.also
    assert finding.cause is not None and finding.cause.code == "transposition"
    assert audit.reconstruction.size == 0  # the text is corrected with the table, not counted
    assert "得59%" in finding.message()


def test_override_is_a_note_not_an_error() -> None:
    rs = street(
        ("score = 47.5\n", "score = 45\n"),
        ('rate = "95%"', 'rate = "90%"'),
        ("total = 94.5", "total = 92"),
        ("[reported]\n", '[overrides.tasks]\nscore = 45\nreason = "验收资料不全"\n\n[reported]\n'),
    )
    audit = kpirules.audit(rs)
    assert audit.errors == []
    note = only(audit, "override")
    assert note.severity == "info" and note.facts["computed"] == D("47.50")
    # a printed score that is neither the override nor the rule's
    audit = kpirules.audit(
        street(("[reported]\n", '[overrides.tasks]\nscore = 45\nreason = "验收资料不全"\n\n[reported]\n'))
    )
    (finding,) = [f for f in audit.of_kind("score-vs-rule") if f.field == "score"]
    assert finding.expected == D("45.00") and "验收资料不全" in finding.message()
    assert corrections(audit) == {
        ("tasks", "score", "47.5", "45"),
        ("tasks", "rate", "95%", "90%"),
        (None, "total", "94.5", "92"),
    }


def test_missing_row_counts_at_its_recomputed_score() -> None:
    rs = street(('[reported.scores.disclosure]\nweight = 10\nscore = 10\nrate = "100%"\n', ""))
    audit = kpirules.audit(rs)
    assert audit.errors == []
    assert only(audit, "row-missing").severity == "warning"


# ---- total and grade ------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("total", "cause"),
    [
        ("95.4", "transposition"),
        ("94.05", "transposition"),
        ("84.5", "row-omitted"),
        ("100", "weight-sum"),
        ("9.45", "scale"),
        ("4.5", "missing-digit"),
    ],
)
def test_total_against_the_sum_and_the_rules(total: str, cause: str) -> None:
    audit = kpirules.audit(street(("total = 94.5", f"total = {total}")))
    finding = only(audit, "total-vs-sum")
    assert (finding.field, finding.reported, finding.expected) == ("total", D(total), D("94.50"))
    assert "total-vs-rule" in finding.also
    assert finding.cause is not None and finding.cause.code == cause
    assert corrections(audit) == {(None, "total", total, "94.5")}


def test_total_against_the_rules_when_the_rows_agree_with_it() -> None:
    # rows and total agree with each other (8.5 → 5.5, total 91.5) but not with the rules
    audit = kpirules.audit(
        street(('score = 8.5\nrate = "85%"', 'score = 5.5\nrate = "55%"'), ("total = 94.5", "total = 91.5"))
    )
    assert [f.kind for f in audit.errors] == ["total-vs-rule", "score-vs-rule", "score-vs-rule"]
    total = only(audit, "total-vs-rule")
    assert (total.reported, total.expected) == (D("91.5"), D("94.50"))
    assert corrections(audit) == {
        ("execution", "score", "5.5", "8.5"),
        ("execution", "rate", "55%", "85%"),
        (None, "total", "91.5", "94.5"),
    }


def test_grade_against_the_band_of_the_total() -> None:
    audit = kpirules.audit(street(('grade = "优"', 'grade = "良"')))
    finding = only(audit, "grade-vs-total")
    assert (finding.reported, finding.expected) == ("良", "优")
    assert corrections(audit) == {(None, "grade", "良", "优")}


def test_grade_against_the_recomputed_total() -> None:
    # rows, total and grade agree with each other, but the rules give 94.50 (优), not 84.50 (良)
    rs = street(
        ('score = 47.5\nrate = "95%"', 'score = 37.5\nrate = "75%"'), ("total = 94.5", "total = 84.5"), ('"优"', '"良"')
    )
    audit = kpirules.audit(rs)
    kinds = [f.kind for f in audit.errors]
    assert kinds[:2] == ["total-vs-rule", "grade-vs-rule"]
    assert only(audit, "grade-vs-rule").expected == "优"


# ---- printed figures ------------------------------------------------------------------------------
def test_unit_slip_in_a_printed_amount() -> None:
    audit = kpirules.audit(street(('value = "110.4万元"', 'value = "1104000万元"')))
    finding = only(audit, "figure-vs-value")
    assert (finding.measure, finding.reported, finding.unit) == ("spent", D("1104000"), "万元")
    assert (finding.expected, finding.expected_unit, finding.expected_text) == (D("1104000"), "元", "1104000元")
    assert finding.cause is not None and (finding.cause.printed_unit, finding.cause.meant_unit) == ("万元", "元")
    assert "相差 10,000 倍" in finding.cause_text()


@pytest.mark.parametrize(
    ("printed", "unit", "cause", "expected_text"),
    [
        ("1104", "元", "unit", "1104千元"),
        ("110.4", "元", "unit", "110.4万元"),
        ("110400000", "元", "scale", "1104000元"),
    ],
)
def test_other_money_units(printed: str, unit: str, cause: str, expected_text: str) -> None:
    audit = kpirules.audit(street(('value = "110.4万元"', f'value = "{printed}{unit}"')))
    finding = only(audit, "figure-vs-value")
    assert finding.cause is not None and finding.cause.code == cause
    assert finding.expected_text == expected_text


def test_amounts_consistent_at_their_printed_precision() -> None:
    for value in ("110.4万元", "110万元", "1,104,000元", "1104千元", "0.011亿元"):
        assert kpirules.audit(street(('value = "110.4万元"', f'value = "{value}"'))).errors == [], value
    assert kpirules.audit(street(('value = "110.4万元"', 'value = "111万元"'))).errors != []


def test_a_printed_rate_against_its_formula() -> None:
    audit = kpirules.audit(street(('value = "92%"', 'value = "29%"')))
    finding = only(audit, "figure-vs-value")
    assert finding.expected_text == "92%" and finding.cause is not None and finding.cause.code == "transposition"
    assert "spent / budget" in finding.message()
    assert kpirules.audit(street(('value = "92%"', 'value = "0.92"'))).errors == []
    audit = kpirules.audit(street(('value = "92%"', 'value = "0.92%"')))
    assert only(audit, "figure-vs-value").cause.code == "unit"  # type: ignore[union-attr]


def _spent_figures(*values: str) -> tuple[str, str]:
    """Replace the execution-rate figure by more figures of `spent`, then the rate figure."""
    anchor = '[[reported.figures]]\nmeasure = "execution_rate"'
    extra = "".join(f'[[reported.figures]]\nmeasure = "spent"\nvalue = "{v}"\n\n' for v in values)
    return anchor, extra + anchor


def test_printed_figures_give_missing_values_when_they_agree() -> None:
    # spent has no value: 110.4万元, 1104000元 and 1,104,000元 agree, and give it
    rs = street(("spent = 1104000\n", ""), _spent_figures("1104000元", "1,104,000元"))
    audit = kpirules.audit(rs)
    assert audit.errors == []
    assert only(audit, "values-from-figures").severity == "info"
    assert audit.recomputed["execution"] == D("8.50")


def test_figures_that_disagree_without_a_value() -> None:
    rs = street(
        ("spent = 1104000\n", ""),
        ('value = "110.4万元"', 'value = "1104000万元"'),
        _spent_figures("1104000元", "1,104,000元"),
    )
    audit = kpirules.audit(rs)
    finding = only(audit, "figures-disagree")
    assert (finding.reported_text, finding.expected_text) == ("1104000万元", "1104000元")
    assert finding.cause is not None and finding.cause.code == "unit"
    # the execution row cannot be recomputed, so only its arithmetic is checked
    assert audit.recomputed["execution"] is None


# ---- the Bishan report ------------------------------------------------------------------------------
def test_bishan_audit_reports_every_inconsistency_of_table_1(bishan: kpirules.Ruleset) -> None:
    audit = kpirules.audit(bishan)
    got = {(f.kind, f.indicator, f.field, f.reported_text, f.expected_text) for f in audit}
    assert got == {
        # the scores add up to 73.47 while the total says 93.74 (which the rules confirm)
        ("total-vs-sum", None, "sum", "73.47", "93.74"),
        # three 15-point rows at 100 % printed as 10, 10 and 5
        ("score-vs-rule", "monthly_case_volume", "score", "10", "15"),
        ("score-vs-rule", "on_time_closure", "score", "10", "15"),
        ("score-vs-rule", "system_failure", "score", "5", "15"),
        # 10 of 10 points at a rate of 80 %, while the text says 100 %
        ("score-vs-rate", "on_time_disposal", "rate", "80%", "100%"),
        # 4.47 points at 47.74 % of 10: the consistent figures are 4.74 and 47.4 %
        ("score-vs-rule", "satisfaction", "score", "4.47", "4.74"),
        ("score-vs-rate", "satisfaction", "rate", "47.74%", "47.4%"),
        ("text-vs-score", "satisfaction", "text_rate", "47.74%", "47.4%"),
        # the year's spending written as 1899305.84万元
        ("figure-vs-value", None, "figure", "1899305.84万元", "1899305.84元"),
    }
    assert all(f.severity == "error" for f in audit)
    causes = {(f.indicator, f.field): f.cause.code for f in audit if f.cause is not None}
    assert causes[("satisfaction", "score")] == "transposition"
    assert causes[("satisfaction", "rate")] == "extra-digit"
    assert causes[("on_time_disposal", "rate")] == "rate-not-updated"
    assert causes[("monthly_case_volume", "score")] == "neighbour-weight"
    assert causes[("system_failure", "score")] == "neighbour-weight"  # the pattern of the two rows above
    assert causes[(None, "figure")] == "unit"
    disposal = next(f for f in audit if f.indicator == "on_time_disposal")
    assert "text-vs-table" in disposal.also and "该指标得100%权重分" in disposal.message()
    recon = audit.reconstruction
    assert (recon.size, recon.keeps_total, recon.total, recon.grade) == (6, True, D("93.74"), "优")
    text = recon.summary(bishan, "en")
    assert "服务对象满意度: score 4.47 → 4.74, rate 47.74% → 47.4%" in text
    assert "keeps the stated total 93.74" in text


def test_bishan_without_the_satisfaction_value_reconstructs_it_from_the_total(bishan: kpirules.Ruleset) -> None:
    values = {k: v for k, v in bishan.values.items() if k != "satisfaction_rate"}
    audit = kpirules.audit(bishan, values=values)
    recon = audit.reconstruction
    assert recon.scores["satisfaction"] == D("4.74") and recon.keeps_total and recon.size == 6
    sat = {(c.field, c.corrected) for c in recon.corrections if c.indicator == "satisfaction"}
    assert sat == {("score", D("4.74")), ("rate", D("0.4740")), ("text_rate", D("0.4740"))}
    # the other reconstruction of the same size keeps 47.74 % and corrects the total to 93.77
    assert any(
        {(c.field, c.corrected) for c in alt} >= {("score", D("4.77")), ("total", D("93.77"))}
        for alt in recon.alternatives
    )
    assert only(audit, "ambiguous-reconstruction").severity == "warning"


def test_bishan_quotes_are_verbatim(bishan: kpirules.Ruleset) -> None:
    report = SEED.read_text("utf-8")
    reported = bishan.reported
    assert reported is not None
    quotes = [reported.quote] + [r.quote for r in reported.rows] + [f.quote for f in reported.figures]
    assert all(q and q in report for q in quotes)
    for figure in reported.figures:  # each figure is printed in its quote as transcribed
        assert re.sub(r"\s", "", f"{figure.value}{figure.unit or ''}") in figure.quote  # type: ignore[operator]


# ---- slips of the pen ------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("printed", "meant", "code"),
    [
        ("4.47", "4.74", "transposition"),
        ("5.8", "8.5", "transposition"),
        ("93.47", "93.74", "transposition"),
        ("47.74", "47.4", "extra-digit"),
        ("47.4", "47.74", "missing-digit"),
        ("4.77", "4.47", "typo"),
    ],
)
def test_digit_slips(printed: str, meant: str, code: str) -> None:
    slip = digit_slip(D(printed), D(meant))
    assert slip is not None and slip.code == code
    assert (D(meant),) in {(v,) for v, _ in variants(D(printed))} or code in ("typo", "missing-digit")


def test_no_slip_where_the_figures_agree_or_differ_too_much() -> None:
    assert digit_slip(D("4.74"), D("4.74")) is None
    assert digit_slip(D("95.4"), D("94.5")) is not None and digit_slip(D("95.4"), D("94.5")).code == "transposition"  # type: ignore[union-attr]
    assert digit_slip(D("95"), D("94.5")) is None or digit_slip(D("95"), D("94.5")).code != "extra-digit"  # type: ignore[union-attr]
    assert digit_slip(D("10"), D("37"), typos=True) is None
    assert fits(D("47.74"), D("0.4774") * 100) and not fits(D("47.7"), D("47.76"))


def test_the_residual_keeps_the_stated_total() -> None:
    # no values, no printed rate: only the stated total says what the satisfaction score must be
    values = STREET[STREET.index("[values]") : STREET.index("[reported]")]
    rs = street((values, ""), ('score = 28.5\nrate = "95%"', "score = 20.5"))
    audit = kpirules.audit(rs)
    assert corrections(audit) == {("satisfaction", "score", "20.5", "28.5")}
    assert audit.reconstruction.keeps_total
    finding = only(audit, "score-vs-total")
    assert (finding.reported, finding.expected) == (D("20.5"), D("28.50"))
    # correcting the total instead would take two corrections: 86.5 is 良, not the printed 优
    assert audit.reconstruction.alternatives == () and audit.reconstruction.size == 1
