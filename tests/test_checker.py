"""Type checking at load time: every mistake is a RuleTypeError at its place in the file."""

from __future__ import annotations

import pytest
from support import make, ruleset_text

import kpirules


def type_error(rule: str, **kwargs: object) -> kpirules.KpiRulesError:
    with pytest.raises(kpirules.RulesetError) as err:
        make(rule, **kwargs)  # type: ignore[arg-type]
    return err.value


def located_in_rule(error: kpirules.KpiRulesError, rule: str, snippet: str, **kwargs: object) -> None:
    """The error points at ``snippet`` inside the rule line of the generated file."""
    text = ruleset_text(rule, **kwargs)  # type: ignore[arg-type]
    line_no = next(i for i, line in enumerate(text.split("\n"), 1) if line.startswith("rule = "))
    line = text.split("\n")[line_no - 1]
    assert error.file == "t.toml"
    assert error.line == line_no
    assert error.column == line.index(snippet) + 1, (error.column, line)


def test_unknown_measure_with_suggestion() -> None:
    rule = "proportional closd / received"
    err = type_error(rule, measure=None)
    assert isinstance(err, kpirules.RuleTypeError)
    assert err.message == "unknown measure `closd`" and err.hint == "did you mean `closed`?"
    located_in_rule(err, rule, "closd", measure=None)


def test_label_that_the_level_does_not_declare() -> None:
    rule = "grade { 优: full, 良好: 80%, 中: 60%, 差: zero }"
    err = type_error(rule, measure="rating")
    assert "'良好' is not a level" in err.message and "优, 良, 中, 差" in err.message
    located_in_rule(err, rule, "良好", measure="rating")
    err = type_error('pass if rating >= "良好"', measure=None)
    assert "'良好' is not a declared level" in err.message


def test_bare_label_must_be_declared() -> None:
    err = type_error("pass if rating >= 一般", measure=None)
    assert err.message == "'一般' is neither a measure nor a declared level; the levels are 优, 良, 中, 差"


def test_bool_used_as_a_number() -> None:
    err = type_error("proportional ok", measure=None)
    assert "expected a number, but `ok` is a condition" in err.message
    err = type_error("deduct 1 pt each", measure="ok")
    assert "`deduct` needs a numeric measure" in err.message


def test_number_used_as_a_condition() -> None:
    err = type_error("pass if x", measure=None)
    assert "expected a condition, but `x` is a number" in err.message
    assert err.hint is not None and ">=" in err.hint


def test_rule_that_is_a_condition_not_a_score() -> None:
    err = type_error("value >= 95%", measure="rate")
    assert err.message == "a rule must give a score, but this one is a condition"
    assert err.hint is not None and "pass if" in err.hint


def test_bare_number_where_a_score_is_expected() -> None:
    err = type_error("tiers { >= 95%: 4, else: zero }", measure="rate")
    assert "bare number 4 cannot be a score" in err.message
    assert err.hint is not None and "4 pts" in err.hint


@pytest.mark.parametrize(
    ("rule", "form"),
    [
        ("proportional", "proportional"),
        ("proportional to 95%", "proportional"),
        ("tiers { >= 1: full }", "tiers"),
        ("deduct 1 pt per 1% below 95%", "deduct"),
        ("grade { 优: full }", "grade"),
        ("pass if value > 0", "value"),
    ],
)
def test_forms_that_need_a_subject(rule: str, form: str) -> None:
    err = type_error(rule, measure=None)
    assert err.message == f"`{form}` works on the indicator's measure, and this indicator has no `measure`"
    assert err.hint is not None and "measure =" in err.hint


def test_score_arithmetic_type_errors() -> None:
    assert "expected a number, but `2 pts` is a score" in type_error("1 pt * 2 pts", measure=None).message
    assert "cannot use `+` on a condition" in type_error("proportional (ok + 1)", measure=None).message
    assert "expected a score" in type_error("full + x", measure=None).message


def test_labels_compare_only_with_levels() -> None:
    assert "two labels" in type_error('pass if "优" == "良"', measure=None).message
    measures = {"a": {"type": "level", "levels": ["优", "良"]}, "b": {"type": "level", "levels": ["好", "差"]}}
    assert "different scales" in type_error("pass if a == b", measure=None, measures=measures).message
    assert "only be compared with == and !=" in type_error("pass if ok > ok2", measure=None).message


def test_functions_are_checked() -> None:
    assert "unknown function `avg`" in type_error("proportional avg(x, 1)", measure=None).message
    assert "min() needs at least two arguments" in type_error("min(full)", measure=None).message
    assert "decimals of round()" in type_error("proportional round(x, 2.5)", measure=None).message


def test_interval_of_scores_needs_by() -> None:
    err = type_error("grade { 达成: [80%, 100%], 部分达成: [60%, 80%), 未达成: [0, 60%) }", measure="judged")
    assert "needs `by MEASURE`" in err.message


def test_duplicate_grade_label() -> None:
    assert "appears twice" in type_error("grade { 优: full, 优: 80% }", measure="rating").message


def test_interval_needs_numeric_subject() -> None:
    assert "interval needs a numeric subject" in type_error("tiers { [1, 2]: full }", measure="rating").message


def test_all_errors_are_reported_together() -> None:
    err = type_error("min(proportional to unknown1, pass if unknown2) + 3", measure="rate")
    messages = [p.message for p in err.problems]
    assert "unknown measure `unknown1`" in messages and "unknown measure `unknown2`" in messages
    assert any("bare number 3" in m for m in messages)
    assert "(and 2 more problems)" in err.message


def _formula_ruleset(*formulas: tuple[str, str, str]) -> str:
    lines = ['[ruleset]\nid = "t"\n[measures.x]\ntype = "number"']
    for name, mtype, formula in formulas:
        lines.append(f'[measures.{name}]\ntype = "{mtype}"\nformula = "{formula}"')
    lines.append('[[indicators]]\nid = "i"\nweight = 10\nmeasure = "x"\nrule = "proportional"')
    return "\n".join(lines) + "\n"


def test_cycle_among_derived_measures() -> None:
    text = _formula_ruleset(("a", "number", "b + 1"), ("b", "number", "c * 2"), ("c", "number", "a - x"))
    with pytest.raises(kpirules.RulesetError, match="derived measures form a cycle: a → b → c → a") as err:
        kpirules.loads(text, name="c.toml")
    assert err.value.file == "c.toml" and err.value.line is not None
    with pytest.raises(kpirules.RulesetError, match="a → a"):
        kpirules.loads(_formula_ruleset(("a", "number", "a + 1")))


def test_formula_types() -> None:
    with pytest.raises(kpirules.RulesetError, match="expected a condition, but `x \\+ 1` is a number"):
        kpirules.loads(_formula_ruleset(("flag", "bool", "x + 1")))
    with pytest.raises(kpirules.RulesetError, match="cannot appear in a measure formula"):
        kpirules.loads(_formula_ruleset(("s", "number", "full")))
    with pytest.raises(kpirules.RulesetError, match="`value` cannot appear in a measure formula"):
        kpirules.loads(_formula_ruleset(("s", "number", "value")))
    text = _formula_ruleset(("half", "number", "x / 2"), ("big", "bool", "half > 3"))
    rs = kpirules.loads(text.replace('rule = "proportional"', 'rule = "pass if big"'))
    assert rs.evaluate({"x": 8}).values["big"] is True
    assert rs.evaluate({"x": 6}).values["big"] is False


def test_unused_derived_measures_are_not_computed() -> None:
    # a formula that no indicator reads cannot fail a unit (the linter reports it as unused)
    rs = kpirules.loads(_formula_ruleset(("broken", "number", "x / 0")))
    assert "broken" not in rs.evaluate({"x": 1}).values


def test_a_deduction_of_its_own_subject_needs_a_number() -> None:
    rule = "deduct 1 pt per 1 of ok below 5"
    err = type_error(rule, measure=None)
    assert "`deduct` needs a numeric measure; `ok` is a condition" in err.message
    located_in_rule(err, rule, "ok below", measure=None)
    assert "round() takes a number or a score, not a condition" in type_error("round(ok)", measure=None).message
