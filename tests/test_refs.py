"""Rule references (``score(ID)``, ``deduction(ID)``, ``rule(ID)``): load errors, order, failures,
overrides, the linter's bounds, coverage and plan. The shared per-form examples
(tests/forms_examples.py, ``refs``) score them by evaluate, evaluate_many and DuckDB."""

from __future__ import annotations

from decimal import Decimal as D
from typing import Any

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from support import says

import kpirules
from kpirules.cli import main
from kpirules.linter import lint_text
from kpirules.messages import use_language
from kpirules.testing import check_result
from kpirules.testing.invariants import check_batch, indicator_bounds_of
from kpirules.testing.strategies import values_for

HEAD = """[ruleset]
id = "t"
total = {total}

[measures.n]
type = "count"
range = [0, 20]

[measures.m]
type = "count"
range = [0, 20]

[measures.rate]
type = "rate"
range = [0, 1]

[measures.lv]
type = "level"
levels = ["优", "良"]
"""


def indicator(iid: str, rule: str, weight: int = 10, measure: str | None = "n", extra: str = "") -> str:
    lines = ["[[indicators]]", f'id = "{iid}"', f"weight = {weight}", f'rule = "{rule}"']
    if measure is not None:
        lines.append(f'measure = "{measure}"')
    if extra:
        lines.append(extra)
    return "\n".join(lines) + "\n\n"


def load(*indicators: str, total: int = 100, tail: str = "") -> kpirules.Ruleset:
    return kpirules.loads(HEAD.format(total=total) + "\n" + "".join(indicators) + tail, name="t.toml")


def load_error(*indicators: str) -> kpirules.KpiRulesError:
    with pytest.raises(kpirules.KpiRulesError) as caught:
        load(*indicators)
    return caught.value


# ---- loading ------------------------------------------------------------------------------------
def test_a_rule_may_refer_to_an_indicator_declared_after_it_and_results_keep_the_tables_order() -> None:
    rs = load(
        indicator("double", "full - 2 * deduction(rework)", measure=None),
        indicator("same", "rule(rework)", weight=4, measure="m"),
        indicator("rework", "deduct 1 pt each", weight=5),
    )
    result = rs.evaluate({"n": 2, "m": 1})
    assert [item.indicator.id for item in result] == ["double", "same", "rework"]
    assert [str(item.score) for item in result] == ["6.00", "3.00", "3.00"]
    assert rs.inputs_of("double") == ("n",) and rs.inputs_of("same") == ("m",)


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_an_unknown_id_is_a_load_error_at_the_id_with_the_ids_near_it(lang: str) -> None:
    with use_language(lang):
        err = load_error(indicator("a", "score(reworx) + 1 pt"), indicator("rework", "proportional", measure="rate"))
    (problem,) = err.problems
    assert problem.code == "KPI-R105"
    assert (problem.line, problem.location.column if problem.location else None) is not None
    assert problem.location is not None and problem.location.column == 15  # `rule = "score(` is 14 wide
    says(problem.message, lang, "unknown indicator `reworx`")
    assert problem.hint is not None and "`rework`" in problem.hint


def test_an_unknown_id_with_nothing_near_lists_the_ids() -> None:
    with use_language("en"):
        err = load_error(indicator("a", "score(zzz)"), indicator("b", "proportional", measure="rate"))
    assert err.problems[0].hint == "the indicators are `a`, `b`"


@pytest.mark.parametrize(
    ("rules", "chain"),
    [
        ((("a", "score(b)"), ("b", "full - deduction(a)")), "a → b → a"),
        ((("a", "rule(a)"),), "a → a"),
        ((("a", "score(b) + 1 pt"), ("b", "rule(c)"), ("c", "min(full, rule(a))")), "a → b → c → a"),
    ],
)
def test_a_cycle_is_a_load_error_naming_the_chain(rules: tuple[tuple[str, str], ...], chain: str) -> None:
    with use_language("en"):
        err = load_error(*(indicator(iid, rule) for iid, rule in rules))
    cycles = [p for p in err.problems if p.code == "KPI-R104"]
    assert len(cycles) == 1, err.problems
    assert cycles[0].message == f"indicators refer to each other in a cycle: {chain}"
    assert cycles[0].file == "t.toml" and cycles[0].line is not None


def test_an_indicator_referred_to_twice_is_no_cycle() -> None:
    rs = load(
        indicator("a", "score(b) + score(c)", measure=None),
        indicator("b", "rule(c)", weight=5),
        indicator("c", "deduct 1 pt each", weight=5),
    )
    assert str(rs.evaluate({"n": 1})["a"].score) == "8.00"


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_a_rule_that_cannot_apply_here_is_an_error_naming_rule_id(lang: str) -> None:
    with use_language(lang):
        err = load_error(indicator("a", "rule(b)", measure="lv"), indicator("b", "proportional", measure="rate"))
    (problem,) = err.problems
    says(problem.message, lang, "`rule(b)`: the rule of indicator `b` does not apply to this indicator")
    assert problem.location is not None and problem.location.column == 9


def test_rule_without_a_measure_here_is_an_error() -> None:
    with use_language("en"):
        err = load_error(indicator("a", "rule(b)", measure=None), indicator("b", "proportional", measure="rate"))
    assert "works on the indicator's measure" in err.problems[0].message


@pytest.mark.parametrize("rule", ["score(1)", "deduction()", "rule(a, b)", "score(n + 1)"])
def test_a_reference_takes_one_bare_id(rule: str) -> None:
    with use_language("en"):
        err = load_error(indicator("a", rule), indicator("b", "full"))
    assert "takes one indicator's id" in err.problems[0].message


def test_a_broken_rule_referred_to_is_reported_once() -> None:
    with use_language("en"):
        err = load_error(indicator("a", "score(b)"), indicator("b", "tiers { >= 1: full, else: 4 }"))
    assert len(err.problems) == 1 and "bare number 4" in err.problems[0].message


def test_the_names_stay_free_for_measures() -> None:
    text = '[ruleset]\nid = "t"\n[measures.score]\ntype = "rate"\n'
    rs = kpirules.loads(text + indicator("a", "proportional score", measure=None), name="t.toml")
    assert str(rs.evaluate({"score": "50%"})["a"].score) == "5.00"


def test_in_a_formula_a_reference_is_an_error() -> None:
    text = HEAD.format(total=10) + '[measures.d]\ntype = "number"\nformula = "score(a)"\n\n' + indicator("a", "full")
    with use_language("en"), pytest.raises(kpirules.KpiRulesError) as caught:
        kpirules.loads(text, name="t.toml")
    assert "scores and scoring forms cannot appear in a measure formula" in str(caught.value)


# ---- scoring --------------------------------------------------------------------------------
def test_a_failing_referred_rule_fails_the_referring_one_naming_it() -> None:
    rs = load(indicator("a", "score(b) + 1 pt", measure=None), indicator("b", "proportional m / n", measure=None))
    with use_language("en"), pytest.raises(kpirules.ValuesError) as caught:
        rs.evaluate({"n": 0, "m": 1})
    first = caught.value.problems[0]
    assert first.message == "indicator `a`: indicator `b` cannot be scored: division by zero: `n` is 0"
    assert first.line is not None
    (many,) = rs.evaluate_many([{"n": 0, "m": 1}])
    assert isinstance(many, kpirules.ValuesError) and str(many) == str(caught.value)


def test_a_missing_value_leaves_the_referring_indicator_without_one() -> None:
    rs = load(
        indicator("a", "full - deduction(b)", measure=None, extra='if_missing = "full"'),
        indicator("b", "deduct 1 pt each", weight=5, extra='if_missing = "zero"'),
        indicator("c", "proportional", measure="rate"),
    )
    result = rs.evaluate({"rate": "50%"})
    assert [str(i.score) for i in result] == ["10.00", "0.00", "5.00"]
    assert result["a"].missing == ("n",)
    assert [str(i.score) for i in rs.evaluate_many([{"rate": "50%"}])[0]] == ["10.00", "0.00", "5.00"]  # type: ignore[union-attr]


def test_score_uses_the_rule_not_an_override() -> None:
    tail = '[values]\nn = 2\n\n[overrides.b]\nscore = 5\nreason = "复核后调整"\n'
    rs = load(indicator("a", "score(b) * 2", measure=None), indicator("b", "deduct 1 pt each", weight=5), tail=tail)
    result = rs.evaluate()
    assert str(result["b"].score) == "5.00" and str(result["a"].score) == "6.00"


def test_score_is_clamped_and_rounded_and_deduction_is_raw() -> None:
    rs = load(
        indicator("s", "score(r) * 3", measure=None),
        indicator("d", "full - deduction(r)", measure=None),
        indicator("r", "full * 2 - 1 pt * n", weight=5),
    )
    result = rs.evaluate({"n": 12})  # r computes 10 - 12 = -2: printed 0, 7 points off
    assert (str(result["s"].score), str(result["d"].score)) == ("0.00", "3.00")
    result = rs.evaluate({"n": 1})  # r computes 9: printed 5
    assert result["s"].raw == D("15.00") and str(result["d"].score) == "10.00"


# ---- linter, properties, plan, coverage ---------------------------------------------------------
def _analysed() -> kpirules.Ruleset:
    return load(
        indicator("double", "full - 2 * deduction(rework)", measure=None),
        indicator("same", "rule(rework)", weight=4, measure="m"),
        indicator("half", "score(rework) / 2", weight=3, measure=None),
        indicator("rework", "deduct 1 pt each", weight=5),
        total=22,
    )


def test_the_linters_bounds_of_references_are_the_referred_rules() -> None:
    bounds = indicator_bounds_of(_analysed())
    shown = {k: (v.lo, v.hi) for k, v in bounds.items()}
    assert shown["double"] == (D(0), D(10))
    assert shown["half"] == (D(0), D("2.5"))
    assert shown["same"] == (D(0), D(4))


@settings(max_examples=60, deadline=None)
@given(values_for(_analysed()))
def test_results_hold_the_invariants(values: dict[str, Any]) -> None:
    rs = _analysed()
    result = rs.evaluate(values)
    assert check_result(result, indicator_bounds_of(rs)) == []
    assert check_batch(rs, [values]) == []


def test_lint_finds_a_gap_through_a_reference_with_a_witness() -> None:
    rs_text = HEAD.format(total=15) + "".join(
        [
            indicator("bands", "tiers score(rework) / 5 pts { >= 80%: full, < 60%: zero }", measure=None),
            indicator("rework", "deduct 1 pt each", weight=5),
        ]
    )
    found = [d for d in lint_text(rs_text, "t.toml") if d.code == "KPI-G201"]
    assert found and found[0].witness == {"n": "2"}


def test_plan_moves_both_indicators_a_measure_feeds_through_a_reference() -> None:
    rs = load(
        indicator("rework", "deduct 1 pt each", weight=5),
        indicator("quality", "full - 2 * deduction(rework)", measure=None),
        total=15,
    )
    plan = rs.plan({"n": 3}, target=D("12"))
    (single,) = [s for s in plan.singles if s.measure == "n"]
    assert single.option is not None
    after = single.option.changes[0].after
    assert after == 1  # rework 4 + quality 8 = 12; at 2 reworks 3 + 6 = 9
    assert rs.evaluate({"n": after}).total == D("12.00")
    margins = {m.indicator: m for m in rs.marginal({"n": 3}).margins}
    assert set(margins) >= {"rework", "quality"}


def test_coverage_counts_a_reference_used(tmp_path: Any) -> None:
    text = HEAD.format(total=15) + "".join(
        [indicator("rework", "deduct 1 pt each", weight=5), indicator("quality", "rule(rework)", measure="m")]
    )
    text += '[[tests]]\nname = "one"\nvalues = { n = 1, m = 2 }\n'
    text += 'expect = { scores = { rework = "4.00", quality = "8.00" } }\n'
    path = tmp_path / "t.toml"
    path.write_text(text, encoding="utf-8")
    out = CliRunner().invoke(main, ["test", "--lang", "en", "--coverage", str(path)], catch_exceptions=False)
    assert out.exit_code == 0, out.output
    assert "quality  1/1" in out.output


def test_duckdb_says_a_failing_reference_as_evaluate_does(tmp_path: Any) -> None:
    pytest.importorskip("duckdb")
    text = HEAD.format(total=14) + "".join(
        [
            indicator("a", "score(b) + 1 pt", measure=None),
            indicator("b", "proportional m / n", weight=4, measure=None, extra='if_missing = "zero"'),
        ]
    )
    (tmp_path / "t.toml").write_text(text, encoding="utf-8")
    (tmp_path / "u.csv").write_text("unit,n,m\nx,0,1\ny,4,1\nz,4,\n", encoding="utf-8")
    out = tmp_path / "o.csv"
    args = ["score", "--lang", "en", str(tmp_path / "t.toml"), "--values", str(tmp_path / "u.csv")]
    CliRunner().invoke(main, [*args, "--engine", "duckdb", "-o", str(out)], catch_exceptions=False)
    lines = out.read_text(encoding="utf-8").splitlines()
    assert "indicator `a`: indicator `b` cannot be scored: division by zero: `n` is 0" in lines[1]
    assert lines[2].startswith("y,2,2.00,1.00,3.00")
    rs = kpirules.loads(text, name="t.toml")
    with use_language("en"), pytest.raises(kpirules.ValuesError) as caught:
        rs.evaluate({"n": 0, "m": 1})
    assert caught.value.problems[0].message in lines[1]
    assert "indicator `a` needs `m`" in lines[3]
