"""kpirules plan: the least change that reaches a target, verified by scoring; combinations; where
the next points are; many units; the command line in both languages and three formats."""

from __future__ import annotations

import csv
import io
import json
from decimal import Decimal as D
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from support import says

import kpirules
from kpirules.cli import main
from kpirules.plan import Plan
from kpirules.plan.render import value_text
from kpirules.plan.space import grid_step

ROOT = Path(__file__).resolve().parent.parent
BISHAN = str(ROOT / "rulesets" / "bishan_2022.toml")


def run(*args: str) -> Any:
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def parse_value(rs: kpirules.Ruleset, measure: str, text: str) -> Any:
    """A "from"/"to" of the JSON output as evaluate takes it."""
    kind = rs.measures[measure].type
    if kind == "bool":
        return text == "true"
    if kind == "level":
        return text
    return text  # numbers and percentages as text: evaluate reads "59.95%" and "576"


def step_back(rs: kpirules.Ruleset, measure: str, before: Any, after: Any) -> Any:
    """The value one grid step nearer ``before`` than ``after`` (converted values)."""
    step = grid_step(rs.measures[measure], before)
    return after - step if after > before else after + step


def check_option(rs: kpirules.Ruleset, base: dict[str, Any], target: D, changes: list[dict[str, str]]) -> None:
    """Scored, the changed values reach the target; the last change one step short does not."""
    values = dict(base)
    for change in changes:
        values[change["measure"]] = parse_value(rs, change["measure"], change["to"])
    assert rs.evaluate(values).total >= target
    last = changes[-1]
    measure = rs.measures[last["measure"]]
    if measure.type in ("bool", "level"):
        return
    env = rs.prepare(values)
    before = rs.prepare(base)[last["measure"]]
    values[last["measure"]] = step_back(rs, last["measure"], before, env[last["measure"]])
    assert rs.evaluate(values).total < target


# ---- Bishan -----------------------------------------------------------------------------------------
def test_bishan_to_95_json_options_reach_it_and_one_step_less_does_not() -> None:
    result = run("plan", BISHAN, "--target", "95", "--format", "json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["target"] == "95" and data["total"] == "93.74"
    assert data["options"], data
    rs = kpirules.load(BISHAN)
    base = dict(rs.values)
    for option in data["options"]:
        assert D(option["total_after"]) >= D("95.00")
        check_option(rs, base, D(95), option["changes"])
    first = data["options"][0]
    assert first["changes"] == [{"measure": "satisfaction_rate", "from": "47.4%", "to": "59.95%"}]
    assert first["total_after"] == "95.00"
    assert first["one_step_less"] == {"to": "59.94%", "total": "94.99"}


def test_bishan_api_plan_and_marginal() -> None:
    rs = kpirules.load(BISHAN)
    plan = rs.plan(target=95)
    assert isinstance(plan, Plan)
    assert plan.total == D("93.74") and not plan.reached and plan.size == 1
    (option,) = plan.options
    assert option.changes[0].after == D("0.5995") and option.total_after == D("95.00")
    staff = next(s for s in plan.singles if s.measure == "staff_rating")
    assert not staff.reaches and staff.best == D("94.74") and staff.best_value == "优"
    assert rs.plan(target="优").reached
    margins = {m.indicator: m for m in rs.marginal().margins}
    satisfaction = margins["satisfaction"]
    assert satisfaction.to_gain == D("5.26")
    (slope,) = satisfaction.slopes
    assert slope.up == slope.down == D("0.1")  # 10 points × 1 percentage point
    assert slope.next_value == D("0.9995") and slope.next_points == D("10.00")
    staff_margin = margins["staff_performance"]
    assert staff_margin.slopes[0].next_value == "优" and staff_margin.slopes[0].next_points == D("5.00")


def test_bishan_to_100_needs_two_measures_and_says_it_is_optimal() -> None:
    rs = kpirules.load(BISHAN)
    plan = rs.plan(target=100)
    assert plan.size == 2 and plan.optimal and not plan.bounds
    option = plan.options[0]
    assert {(c.measure, c.after) for c in option.changes} == {
        ("staff_rating", "优"),
        ("satisfaction_rate", D("0.9995")),
    }
    assert option.total_after == D("100.00")
    assert rs.plan(target=100, max_measures=1).options == ()


def test_derived_measures_move_through_their_inputs() -> None:
    rs = kpirules.load(BISHAN)
    values = {**rs.values, "hotline_closed": 500, "satisfaction_rate": "99%"}
    plan = rs.plan(values, target=D("98"))
    closed = next(s for s in plan.singles if s.measure == "hotline_closed")
    assert closed.option is not None
    change = closed.option.changes[0]
    assert change.derived and change.derived[0][0] == "case_closure_rate"
    after = dict(values, hotline_closed=change.after)
    assert rs.evaluate(after).total >= D("98")
    assert rs.evaluate(dict(values, hotline_closed=change.after - 1)).total < D("98")


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_text_in_both_languages(lang: str) -> None:
    result = run("plan", BISHAN, "--target", "95", "--marginal", "--lang", lang)
    assert result.exit_code == 0
    says(result.output, lang, "93.74", "95.00", "47.4%", "59.95%", "59.94%", "94.99", "94.74", "+5.26")
    if lang == "en":
        assert "from 47.4% to 59.95% → total 95.00 (one step less, 59.94%: 94.99)" in result.output
        assert "Where the next points are" in result.output
    else:
        assert "由 47.4% 变为 59.95% → 总分 95.00（少一步 59.94%：94.99）" in result.output


def test_combinations_in_text() -> None:
    result = run("plan", BISHAN, "--target", "100", "--lang", "en")
    assert result.exit_code == 0
    assert "Changing 2 measures together:" in result.output
    assert "optimal for that order" in result.output


def test_csv_format() -> None:
    result = run("plan", BISHAN, "--target", "95", "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(result.output)))
    assert rows[0]["measure"] == "satisfaction_rate" and rows[0]["to"] == "59.95%" and rows[0]["total_after"] == "95.00"


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_bad_target_is_a_usage_error(lang: str) -> None:
    result = run("plan", BISHAN, "--target", "excellent", "--lang", lang)
    assert result.exit_code == 2
    says(result.output, lang, "'excellent'", "优", "--target 95")
    result = run("plan", BISHAN, "--target", "101", "--lang", lang)
    assert result.exit_code == 2
    says(result.output, lang, "101", "100")


def test_unreachable_target_exits_1() -> None:
    values = {"disclosed_on_time": False}
    rs = kpirules.load(BISHAN)
    plan = rs.plan({**rs.values, **values}, target=100, max_measures=1)
    assert plan.options == () and plan.size == 0


def test_reached_target_says_so() -> None:
    result = run("plan", BISHAN, "--target", "优", "--lang", "en")
    assert result.exit_code == 0
    assert "target 90 (优): already reached" in result.output


# ---- many units -------------------------------------------------------------------------------------
def test_many_units_sorted_and_verified(tmp_path: Path) -> None:
    rs = kpirules.load(BISHAN)
    base = {k: (str(v).lower() if isinstance(v, bool) else str(v)) for k, v in rs.values.items()}
    base["satisfaction_rate"] = "47.4%"
    units = [
        {"unit": "A", **base},  # 93.74 优: the top grade
        {"unit": "B", **base, "satisfaction_rate": "30%", "staff_rating": "差"},  # 88.00: 2 short of 优
        {"unit": "C", **base, "satisfaction_rate": "10%", "disclosed_on_time": "false"},  # 80.00 良
        {"unit": "D", **base, "satisfaction_rate": "many"},  # cannot be scored
    ]
    file = tmp_path / "units.csv"
    with file.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(units[0]))
        writer.writeheader()
        writer.writerows(units)
    result = run("plan", BISHAN, "--values", str(file), "--format", "json")
    data = json.loads(result.output)
    order = [u["unit"] for u in data["units"]]
    assert order.index("B") < order.index("A") < order.index("D")
    d = next(u for u in data["units"] if u["unit"] == "D")
    assert d["total"] is None and "satisfaction_rate" in d["error"]
    for unit in data["units"]:
        if unit["options"]:
            values = {k: v for k, v in next(u for u in units if u["unit"] == unit["unit"]).items() if k != "unit"}
            check_option(rs, values, D(unit["target"]), unit["options"][0]["changes"])
    b = next(u for u in data["units"] if u["unit"] == "B")
    assert b["total"] == "88.00" and b["next_grade"] == "优" and b["gap"] == "2"
    text = run("plan", BISHAN, "--values", str(file), "--lang", "en").output
    assert "B: total 88.00 (良), 2 points short of 优" in text
    assert run("plan", BISHAN, "--values", str(file)).exit_code == 1  # a unit could not be scored
    assert run("plan", BISHAN, "--values", str(file), "--marginal").exit_code == 2


def test_value_text() -> None:
    rs = kpirules.load(BISHAN)
    assert value_text(rs.measures["satisfaction_rate"], D("0.474")) == "47.4%"
    assert value_text(rs.measures["hotline_closed"], D("576"), words=False) == "576"
    assert value_text(rs.measures["disclosed_on_time"], True, words=False) == "true"


# ---- overrides and missing values -------------------------------------------------------------------
OVERRIDDEN = """
[ruleset]
id = "o"
[grades]
"优" = 90
"良" = 0
[measures.a]
type = "rate"
[measures.b]
type = "rate"
[measures.c]
type = "count"
[[indicators]]
id = "ia"
weight = 50
measure = "a"
rule = "proportional"
[[indicators]]
id = "ib"
weight = 40
measure = "b"
rule = "proportional"
[[indicators]]
id = "ic"
weight = 10
measure = "c"
rule = "deduct 1 pt each"
if_missing = "zero"
[values]
a = "50%"
b = "50%"
[overrides.ia]
score = 30
reason = "set by hand"
"""


def test_overrides_hold_with_own_values_and_missing_values_do_not_move() -> None:
    rs = kpirules.loads(OVERRIDDEN)
    own = rs.evaluate()
    assert own.total == D("50.00")  # 30 by hand + 20; ic has no value: zero
    plan = rs.plan(target=60)
    movers = [s.measure for s in plan.singles if s.reaches or s.best > plan.total]
    assert movers == ["b"]  # a is overridden in its own unit; c has no value
    (option,) = plan.options
    assert option.changes[0].after == D("0.7499") and option.total_after == D("60.00")  # 29.996 → 30.00
    assert rs.evaluate({"a": "50%", "b": "74.99%"}, overrides=True).total == D("60.00")
    assert rs.evaluate({"a": "50%", "b": "74.98%"}, overrides=True).total == D("59.99")
    # other values: the override does not apply, and a moves; c moves down
    other = rs.plan({"a": "50%", "b": "50%", "c": 3}, target=60)
    assert other.total == D("52.00")
    assert {s.measure for s in other.singles if s.reaches} == {"a", "b"}
    c = next(s for s in other.singles if s.measure == "c")
    assert not c.reaches and c.best == D("55.00") and c.best_value == D(0)
    a = next(s for s in other.singles if s.measure == "a")
    assert a.option is not None and a.option.changes[0].after == D("0.6599")  # 32.995 → 33.00
