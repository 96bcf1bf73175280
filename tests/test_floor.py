"""``floor = "none"``: an indicator whose score is clamped above only (a 考核细则 that deducts past
zero, "每发现一处扣 0.5 分" with no 扣完为止). The forms' own examples (tests/forms_examples.py, under
``indicator=NO_FLOOR``) run on the three paths; here: the loader, a whole ruleset on the three
paths (totals and grades below 0), the SQL types, the explanation, the linter, coverage, plan,
overrides, audit and the output files.
"""

from __future__ import annotations

import csv
import decimal
import io
import json
from decimal import Decimal as D
from pathlib import Path
from typing import Any

import pytest
import test_lint_differential as differential
from hypothesis import HealthCheck, given, settings
from support import says

import kpirules
from kpirules.exact import snap
from kpirules.linter import lint
from kpirules.linter.analysis import indicator_bounds
from kpirules.testing.coverage import targets_of
from kpirules.testing.invariants import check_result

CITY = """\
[ruleset]
id = "cg"
title = "数字城管考核"
total = 20

[grades]
"良" = 15
"差" = 0

[measures.found]
type = "count"
label = "发现问题数"

[measures.rate]
type = "rate"
label = "按期结案率"
range = [0, 1]

[measures.x]
type = "number"

[[indicators]]
id = "clean"
name = "道路保洁"
weight = 5
measure = "found"
floor = "none"
standard = "每发现一处扣 0.5 分"
rule = "deduct 0.5 pts each"

[[indicators]]
id = "closed"
name = "按期结案"
weight = 10
measure = "rate"
rule = "deduct 0.5 pts per 1% below 95%"

[[indicators]]
id = "other"
weight = 5
measure = "x"
floor = "none"
rule = "full - x * 1 pt"
"""

UNITS: list[dict[str, Any]] = [
    {"found": 3, "rate": "95%", "x": 1},  # 3.50 + 10 + 4 = 17.50 良
    {"found": 13, "rate": "50%", "x": "7.345"},  # -1.50 + 0 + -2.35 = -3.85, no grade
    {"found": 0, "rate": "90%", "x": "7.355"},  # 5 + 7.50 + -2.36 = 10.14 差
    {"found": 11, "rate": "100%", "x": "5.004"},  # -0.50 + 10 + 0.00 (not -0.00) = 9.50 差
]
EXPECTED = [
    (("3.50", "10.00", "4.00"), "17.50", "良"),
    (("-1.50", "0.00", "-2.35"), "-3.85", None),
    (("5.00", "7.50", "-2.36"), "10.14", "差"),
    (("-0.50", "10.00", "0.00"), "9.50", "差"),
]


def city(*replacements: tuple[str, str]) -> kpirules.Ruleset:
    text = CITY
    for old, new in replacements:
        assert old in text, old
        text = text.replace(old, new, 1)
    return kpirules.loads(text, name="cg.toml")


def shown(result: kpirules.Result) -> tuple[tuple[str, ...], str, str | None]:
    return tuple(str(s) for s in result.scores), str(result.total), result.grade


# ---- the loader ---------------------------------------------------------------------------------
def test_the_key_and_its_default() -> None:
    rs = city()
    assert [ind.floor for ind in rs.indicators] == ["none", "zero", "none"]
    assert [ind.floored for ind in rs.indicators] == [False, True, False]


def test_a_floor_that_is_no_choice_is_refused() -> None:
    with pytest.raises(kpirules.KpiRulesError) as caught:
        city(('floor = "none"', 'floor = "below"'))
    line = CITY[: CITY.index('floor = "none"')].count("\n") + 1
    assert '"zero", "none"' in caught.value.message and caught.value.line == line


def test_an_override_below_zero_only_where_there_is_no_floor() -> None:
    rs = kpirules.loads(CITY + '\n[overrides.clean]\nscore = -2\nreason = "复核扣分"\n', name="cg.toml")
    result = rs.evaluate(UNITS[0], overrides=True)
    assert result["clean"].score == D("-2.00") and result.total == D("12.00")
    with pytest.raises(kpirules.KpiRulesError, match=r"outside \[0, 10\]"):
        kpirules.loads(CITY + '\n[overrides.closed]\nscore = -2\nreason = "复核扣分"\n', name="cg.toml")
    with pytest.raises(kpirules.KpiRulesError, match="above the weight 5"):
        kpirules.loads(CITY + '\n[overrides.clean]\nscore = 6\nreason = "复核"\n', name="cg.toml")


# ---- the three paths ----------------------------------------------------------------------------
def test_evaluate_and_evaluate_many_agree_below_zero() -> None:
    rs = city()
    ones = [shown(rs.evaluate(u)) for u in UNITS]
    many = rs.evaluate_many(UNITS)
    assert all(isinstance(r, kpirules.Result) for r in many)
    assert ones == [shown(r) for r in many if isinstance(r, kpirules.Result)] == EXPECTED
    for result in many:
        assert isinstance(result, kpirules.Result)
        assert all(not (s.is_zero() and s.is_signed()) for s in result.scores), result.scores  # no -0.00
        assert check_result(result) == []


def test_a_grade_bound_below_zero_grades_a_negative_total() -> None:
    rs = city(('"差" = 0', '"差" = -10'))
    assert rs.evaluate(UNITS[1]).grade == "差"


def test_duckdb_agrees_to_the_digit() -> None:
    duckdb = pytest.importorskip("duckdb")
    from kpirules.sql.compile import compile_ruleset, output_types, to_sql

    rs = city()
    con = duckdb.connect()
    con.execute("CREATE TABLE units (unit VARCHAR, found BIGINT, rate VARCHAR, x VARCHAR)")
    for k, unit in enumerate(UNITS):
        con.execute("INSERT INTO units VALUES (?, ?, ?, ?)", [str(k), unit["found"], unit["rate"], str(unit["x"])])
    rows = con.execute(to_sql(compile_ruleset(rs, columns={"found": "BIGINT", "rate": "VARCHAR", "x": "VARCHAR"})))
    got = [(tuple(str(v) for v in row[1:4]), str(row[4]), row[5]) for row in rows.fetchall()]
    assert got == EXPECTED
    # a score with no floor has no lower bound a narrow type could rely on
    assert output_types(rs) == ["DECIMAL(38, 2)", "DECIMAL(18, 2)", "DECIMAL(38, 2)", "DECIMAL(38, 2)"]
    assert output_types(city(('floor = "none"\nstandard', "standard"), ('floor = "none"\nrule', "rule")))[-1] == (
        "DECIMAL(18, 2)"
    )


def test_duckdb_a_large_negative_score_widens_its_integers() -> None:
    duckdb = pytest.importorskip("duckdb")
    from kpirules.sql import compile_ruleset, to_sql

    rs = city()
    unit = {"found": 10**16 + 1, "rate": "95%", "x": "-99999999.999"}
    con = duckdb.connect()
    con.execute("CREATE TABLE units (unit VARCHAR, found BIGINT, rate DECIMAL(9, 4), x DECIMAL(18, 3))")
    con.execute("INSERT INTO units VALUES ('u', ?, 0.95, ?)", [unit["found"], unit["x"]])
    (row,) = con.execute(to_sql(compile_ruleset(rs))).fetchall()
    assert [str(v) for v in row[1:5]] == [str(s) for s in rs.evaluate(unit).scores] + [str(rs.evaluate(unit).total)]
    assert str(row[1]) == "-4999999999999995.50"  # 5 − 0.5 × (10^16 + 1)


# ---- the explanation ----------------------------------------------------------------------------
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_explanation_names_the_missing_floor(lang: str) -> None:
    result = city().evaluate(UNITS[1])
    whole = result.explain(lang=lang)
    if lang == "en":
        assert 'computed -1.5 is below 0: the indicator has no floor (floor = "none"), counted as -1.5' in whole
        assert "counted as 0" not in whole
    else:
        assert '计算得分 -1.5 小于 0：该指标不设下限（floor = "none"），按 -1.5 计' in whole
        assert "按 0 计" not in whole
        says(whole.split("规则：")[-1].split("\n", 1)[1], "zh", "floor")  # its words are Chinese
    # the floored row's deduct stops at 0 by itself: nothing about a floor there
    closed = whole.split("[closed]")[1].split("[other]")[0]
    assert "floor" not in closed


# ---- the linter ---------------------------------------------------------------------------------
FLOORLESS = """\
[ruleset]
id = "demo"
total = 3

[measures.late_funds]
type = "count"
label = "未按进度完成资金下达的专项数"

[[indicators]]
id = "funds"
weight = 3
measure = "late_funds"
rule = "full - 0.5 pts * late_funds"
"""


def codes(text: str) -> list[str]:
    return [d.code for d in lint(text, name="demo.toml")]


def test_b302_is_about_the_clamp_and_not_for_floor_none() -> None:
    assert "KPI-B302" in codes(FLOORLESS)
    assert "KPI-B302" not in codes(FLOORLESS.replace('rule = "full', 'floor = "none"\nrule = "full'))


def test_the_bounds_reach_below_zero() -> None:
    rs = city()
    clean = indicator_bounds(rs, "clean")
    assert clean.lo < 0 and clean.hi == 5  # 5 − 0.5 × found, found from 0 with no upper end
    floored = city(('floor = "none"\nstandard', "standard"))
    assert indicator_bounds(floored, "clean").lo == 0  # deduct stops at 0 by itself
    # the linter's witnesses: values the analysis says reach below 0 do, on evaluate
    assert rs.evaluate({"found": 11, "rate": "95%", "x": 0})["clean"].raw == D("-0.5")


# ---- coverage and plan --------------------------------------------------------------------------
def test_coverage_has_no_clamped_low_goal_for_floor_none() -> None:
    rs = city()
    goals = {(t.form, t.detail) for t in targets_of(rs, rs.indicator("other"))}
    assert ("clamp", "low") not in goals and ("clamp", "high") in goals
    floored = city(('floor = "none"\nrule = "full', 'rule = "full'))
    assert ("clamp", "low") in {(t.form, t.detail) for t in targets_of(floored, floored.indicator("other"))}


def test_plan_and_marginal_with_a_negative_score() -> None:
    rs = city()
    unit = UNITS[1]
    plan = rs.plan(unit, target=15)
    assert plan.total == D("-3.85") and plan.options
    for option in plan.options:
        values = dict(unit)
        for change in option.changes:
            values[change.measure] = change.after
        assert rs.evaluate(values).total == option.total_after >= 15
    margins = {m.indicator: m for m in rs.marginal(unit).margins}
    assert margins["clean"].score == D("-1.50") and margins["clean"].to_gain == D("6.50")
    (slope,) = margins["clean"].slopes
    assert slope.down == D("-0.5")  # one problem fewer: half a point more, below 0 as above


# ---- audit ----------------------------------------------------------------------------------------
REPORTED = """
[values]
found = 13
rate = "95%"
x = 1

[reported]
total = 12.5

[reported.scores.clean]
weight = 5
score = -1.5

[reported.scores.closed]
weight = 10
score = 10

[reported.scores.other]
weight = 5
score = 4
"""


def test_audit_accepts_a_published_negative_score_only_without_a_floor() -> None:
    audit = kpirules.audit(kpirules.loads(CITY + REPORTED, name="cg.toml"))
    assert audit.errors == [], [f.kind for f in audit]
    floored = kpirules.loads(CITY.replace('floor = "none"\nstandard', "standard") + REPORTED, name="cg.toml")
    audit = kpirules.audit(floored)
    assert any(f.kind == "score-out-of-range" or "score-out-of-range" in f.also for f in audit.errors), [
        (f.kind, f.also) for f in audit
    ]


# ---- output -------------------------------------------------------------------------------------
def test_csv_json_and_workbook_carry_negative_scores(tmp_path: Path) -> None:
    from kpirules import report
    from kpirules.xlsxout import write_results

    rs = city()
    outcomes = rs.evaluate_many(UNITS)
    rows = list(csv.reader(io.StringIO(report.to_csv(rs, outcomes, batch=True, explain=False, lang="en"))))
    assert rows[2][1:5] == ["-1.50", "0.00", "-2.35", "-3.85"], rows
    data = json.loads(report.to_json(rs, outcomes, batch=True, explain=False, lang="en"), parse_float=D)
    second = data["results"][1]
    assert second["total"] == D("-3.85") and second["grade"] is None
    assert [i["score"] for i in second["indicators"]] == [D("-1.50"), D("0.00"), D("-2.35")]
    path = tmp_path / "out.xlsx"
    write_results(path, rs, outcomes, batch=True, lang="en")
    openpyxl = pytest.importorskip("openpyxl")
    sheet = openpyxl.load_workbook(path).worksheets[0]
    values = [row for row in sheet.iter_rows(values_only=True)]
    assert tuple(values[3][1:5]) == (-1.5, 0, -2.35, -3.85), values


# ---- a property: rules drawn as the linter's differential test draws them, with no floor -----------
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
@given(case=differential.cases())
def test_no_floor_bounds_scores_and_paths_agree(case: tuple[str, list[dict[str, Any]], D]) -> None:
    """With floor = "none": the linter's interval holds every raw score (below 0 too), KPI-B302 is
    never reported, the score is the raw score capped at the weight and rounded (no -0), and
    ``evaluate_many`` gives what ``evaluate`` gives."""
    text, rows, weight = case
    text = text.replace('[[indicators]]\nid = "i"\n', '[[indicators]]\nid = "i"\nfloor = "none"\n', 1)
    try:
        rs = kpirules.loads(text, name="g.toml")
    except kpirules.KpiRulesError:
        return
    assert "KPI-B302" not in {d.code for d in lint(text, name="g.toml")}
    bounds = indicator_bounds(rs, "i")
    rounding = decimal.Context(rounding=decimal.ROUND_HALF_UP)
    many = rs.evaluate_many(rows)
    for row, other in zip(rows, many, strict=True):
        try:
            result = rs.evaluate(row)
        except kpirules.ValuesError as err:
            assert isinstance(other, kpirules.ValuesError) and str(other) == str(err)
            continue
        assert isinstance(other, kpirules.Result) and other.scores == result.scores
        item = result["i"]
        assert item.raw is not None and bounds.contains(item.raw), (item.raw, bounds)
        expected = rounding.quantize(min(snap(item.raw), weight), D("0.01")) or D("0.00")
        assert str(item.score) == str(expected), (item.raw, item.score)
