"""Shared scales (``[scales.NAME]``), the ``judged`` measure type and the bare ``grade`` that scores by a
scale: loading and its errors, the values a judged measure takes, and every path that meets them
(the two-column form, SQL's columns, lint, coverage, plan, audit, the template). The scoring itself
is in tests/forms_examples.py (``grade``), on evaluate, evaluate_many and DuckDB."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from support import says

import kpirules
from kpirules.cli import main
from kpirules.linter import lint_text
from kpirules.messages import use_language
from kpirules.values import Judged

SCALE = '''
[scales."定性"]
label = "定性指标"
bands = """
达成:      [80%, 100%]
部分达成:  [60%, 80%)
未达成:    [0, 60%)
"""
'''

TWO = (
    '[ruleset]\nid = "t"\ntotal = 15\n'
    + SCALE
    + """
[measures.social]
type = "judged"
scale = "定性"

[measures.eco]
type = "judged"
scale = "定性"

[[indicators]]
id = "social"
weight = 10
measure = "social"
rule = "grade"

[[indicators]]
id = "eco"
weight = 5
measure = "eco"
rule = "grade"
"""
)


def load(text: str = TWO) -> kpirules.Ruleset:
    return kpirules.loads(text, name="t.toml")


def load_error(text: str) -> kpirules.RulesetError:
    with pytest.raises(kpirules.RulesetError) as caught:
        load(text)
    return caught.value


def messages(err: kpirules.KpiRulesError) -> str:
    return "\n".join(str(p) for p in err.problems)


# ---- loading -------------------------------------------------------------------------------------
def test_one_scale_serves_indicators_of_any_weight() -> None:
    rs = load()
    assert rs.scales["定性"].levels == ("达成", "部分达成", "未达成")
    assert rs.measures["social"].levels == ("达成", "部分达成", "未达成")
    result = rs.evaluate({"social": "达成 8", "eco": "达成 4"})
    assert result.scores == (Decimal("8.00"), Decimal("4.00"))
    with pytest.raises(kpirules.ValuesError, match=r"eco = 3\.5 is outside the band of '达成': \[4, 5\]"):
        rs.evaluate({"social": "达成 8", "eco": "达成 3.5"})


def test_an_error_in_the_bands_points_into_the_toml_string() -> None:
    text = TWO.replace("部分达成:  [60%, 80%)", "部分达成:  [60%, x)")
    err = load_error(text)
    (problem,) = err.problems
    assert problem.location is not None
    line = text.splitlines()[problem.location.line - 1]
    assert line.startswith("部分达成:") and line[problem.location.column - 1] == "x"
    assert "a band of a scale gives a score" in str(problem)


def test_a_label_given_twice_and_a_syntax_error_are_load_errors() -> None:
    err = load_error(TWO.replace("未达成:    [0, 60%)", "达成: zero"))
    assert "the level '达成' appears twice in the scale" in messages(err)
    text = TWO.replace("部分达成:  [60%, 80%)", "部分达成  [60%, 80%)")
    location = load_error(text).problems[0].location
    assert location is not None and text.splitlines()[location.line - 1][location.column - 1 :] == "[60%, 80%)"


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (('scale = "定性"\n\n[measures.eco]', 'scale = "定性x"\n\n[measures.eco]'), "unknown scale `定性x`"),
        (('type = "judged"\nscale = "定性"\n\n[[', 'type = "judged"\n\n[['), "judged measure `eco` needs `scale"),
        (('[measures.eco]\ntype = "judged"', '[measures.eco]\nlevels = ["a"]\ntype = "judged"'), "remove `levels`"),
        (('[measures.eco]\ntype = "judged"', '[measures.eco]\ntype = "number"'), "`scale` belongs to level and judged"),
    ],
)
def test_measures_that_use_a_scale_are_validated(change: tuple[str, str], message: str) -> None:
    old, new = change
    assert old in TWO
    assert message in messages(load_error(TWO.replace(old, new, 1)))


def test_a_bare_grade_needs_a_measure_with_a_scale() -> None:
    text = TWO.replace(
        'scale = "定性"\n\n[measures.eco]',
        'scale = "定性"\n\n[measures.n]\ntype = "level"\nlevels = ["a", "b"]\n\n[measures.eco]',
    ).replace('measure = "eco"', 'measure = "n"')
    err = load_error(text)
    says(messages(err), "en", "a `grade` without bands uses its measure's scale, and `n` has no `scale`")
    with use_language("zh"):
        says(messages(load_error(text)), "zh", "`grade`", "`n`", "`scale`")


def test_a_level_measure_takes_single_scores_of_a_scale_and_not_intervals() -> None:
    text = TWO.replace('type = "judged"', 'type = "level"')
    err = load_error(text)
    assert "the scale '定性' has intervals of points, and the level measure `social` holds no points" in messages(err)
    single = text.replace("[80%, 100%]", "full").replace("[60%, 80%)", "60%").replace("[0, 60%)", "zero")
    rs = load(single)
    assert rs.evaluate({"social": "部分达成", "eco": "达成"}).scores == (Decimal("6.00"), Decimal("5.00"))


def test_a_measure_beside_a_judged_one_cannot_take_its_points_name() -> None:
    text = TWO.replace("[[indicators]]", '[measures.eco__points]\ntype = "number"\n\n[[indicators]]', 1)
    assert "the column of the points of the judged measure `eco`" in messages(load_error(text))


# ---- values --------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("raw", "level", "points"),
    [
        ("达成", "达成", None),
        (" 达成 ", "达成", None),
        ("达成 8.5", "达成", Decimal("8.5")),
        ("达成 8.5分", "达成", Decimal("8.5")),
        ("达成：8.5", "达成", Decimal("8.5")),
        ("部分达成7", "部分达成", Decimal("7")),
        ({"level": "达成", "points": 9}, "达成", Decimal("9")),
        ({"level": "达成", "points": "9.25"}, "达成", Decimal("9.25")),
        ({"level": "达成"}, "达成", None),
    ],
)
def test_what_a_judged_measure_takes(raw: Any, level: str, points: Decimal | None) -> None:
    env = load().prepare({"social": raw, "eco": "达成 5"})
    assert env["social"] == level
    assert getattr(env["social"], "points", None) == points


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("8.5", "gives points without a level"),
        (8.5, "gives points without a level"),
        ("优 8", "is not a judgement of social"),
        ({"level": "达成", "score": 8}, "the keys `level` and `points` only"),
        ({"level": "优", "points": 8}, "is not a level of social"),
        ("达成 8%", "is not a judgement of social"),
    ],
)
def test_what_a_judged_measure_refuses(raw: Any, message: str) -> None:
    with pytest.raises(kpirules.ValuesError, match=message):
        load().evaluate({"social": raw, "eco": "达成 5"})


def test_the_points_may_come_beside_the_level() -> None:
    rs = load()
    both = {"social": "达成", "social__points": "9", "eco": "部分达成", "eco__points": Decimal("3.5")}
    assert rs.evaluate(both).scores == (Decimal("9.00"), Decimal("3.50"))
    (many,) = rs.evaluate_many([both])
    assert isinstance(many, kpirules.Result) and many.scores == (Decimal("9.00"), Decimal("3.50"))
    with pytest.raises(kpirules.ValuesError, match="the points of social are given twice"):
        rs.evaluate({**both, "social": "达成 9"})
    with pytest.raises(kpirules.ValuesError, match="social__points is given, and social has no level"):
        rs.evaluate({"social__points": 9, "eco": "达成 5"})


def test_a_judged_value_compares_and_prints_as_its_level() -> None:
    value = Judged("达成", Decimal("8.5"))
    assert value == "达成" and hash(value) == hash("达成") and str(value) == "达成"
    rs = load()
    text = rs.evaluate({"social": "达成 8.5", "eco": "达成 5"}).explain()
    says(text, "en", "social = 达成 (8.5 points awarded)", "by the scale '定性', level '达成' allows [8, 10]")


# ---- the paths around scoring --------------------------------------------------------------------
def test_sql_takes_the_level_and_the_points_as_two_columns() -> None:
    from kpirules.sql.inputs import default_columns

    columns = default_columns(load())
    assert columns["social"].type == "VARCHAR" and columns["social__points"].type == "DECIMAL(38, 10)"


def test_lint_reports_an_unused_scale_and_intervals_that_overlap() -> None:
    text = TWO.replace("[60%, 80%)", "[60%, 80%]") + '\n[scales.spare]\nbands = "优: full"\n'
    found = {(d.code, d.message) for d in lint_text(text, "t.toml")}
    assert ("KPI-R102", "scale `spare` is declared but no measure uses it") in found
    assert any(code == "KPI-G205" and "'达成' and '部分达成'" in message for code, message in found)
    assert not [d for d in lint_text(TWO, "t.toml") if d.code.startswith(("KPI-G", "KPI-R"))]


def invoke(*args: str) -> Any:
    return CliRunner().invoke(main, [*args, "--lang", "en"], catch_exceptions=False)


def test_coverage_counts_a_goal_per_band_with_witnesses(tmp_path: Path) -> None:
    path = tmp_path / "t.toml"
    case = '\n[[tests]]\nname = "c"\nvalues = { social = "达成 9", eco = "达成 5" }\nexpect = { total = "14.00" }\n'
    path.write_text(TWO + case, "utf-8")
    out = invoke("test", str(path), "--coverage").output
    assert "t.toml: 2/6" in out
    assert "social: level '部分达成'" in out and 'social = "部分达成 ' in out
    assert "no values found" not in out


def test_plan_moves_a_judged_measure_to_the_top_of_a_band(tmp_path: Path) -> None:
    path = tmp_path / "t.toml"
    path.write_text(TWO + '\n[values]\nsocial = "部分达成 7"\neco = "部分达成 3.5"\n', "utf-8")
    out = invoke("plan", str(path), "--target", "13").output
    assert "social: from 部分达成 7 to 达成 10 → total 13.50" in out


def test_audit_checks_a_printed_judged_score_against_its_band(tmp_path: Path) -> None:
    path = tmp_path / "t.toml"
    table = '\n[values]\nsocial = "达成"\neco = "达成 5"\n\n[reported]\ntotal = {total}\n\n'
    table += "[reported.scores.social]\nscore = {score}\n\n[reported.scores.eco]\nscore = 5\n"
    path.write_text(TWO + table.format(total="14", score="9"), "utf-8")
    assert "No inconsistency found" in invoke("audit", str(path)).output
    path.write_text(TWO + table.format(total="12", score="7"), "utf-8")
    out = invoke("audit", str(path)).output
    assert "social_benefit" not in out and "social = 7 is outside the band of '达成': [8, 10] points" in out
    assert "1 warning" in out


def test_the_template_holds_a_judged_measure_in_one_cell(tmp_path: Path) -> None:
    from kpirules.template import example, range_text

    measure = load().measures["social"]
    assert example(measure) == "达成 9"
    assert "write them after the level, as '达成 9'" in range_text(measure, "en")
    path = tmp_path / "t.toml"
    path.write_text(TWO, "utf-8")
    out = tmp_path / "units.csv"
    invoke("template", str(path), "-o", str(out))
    assert out.read_text("utf-8-sig").splitlines() == ["unit,social,eco"]


def test_properties_hold_for_a_judged_measure_on_every_path(tmp_path: Path) -> None:
    path = tmp_path / "t.toml"
    case = '\n[[tests]]\nindicator = "social"\nmonotone = "increasing"\n'
    path.write_text(TWO + case, "utf-8")
    out = invoke("test", str(path), "--properties", "--examples", "30").output
    assert "✓ evaluate equals the SQL on DuckDB" in out or "DuckDB" not in out
    assert "✓ social increasing in social" in out and "broken" not in out


def test_plan_raises_the_points_within_a_level() -> None:
    rs = load()
    marginal = rs.marginal({"social": "部分达成 7", "eco": "达成 4.5"})
    found = {m.indicator: [s.next_value for s in m.slopes] for m in marginal.margins}
    assert [str(v) for v in found["eco"]] == ["达成"]
    assert [getattr(v, "points", None) for v in found["eco"]] == [Decimal(5)]
    assert [getattr(v, "points", None) for v in found["social"]] == [Decimal("7.99")]
