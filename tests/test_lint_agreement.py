"""Lint and score agree (issue 10, item 3): what evaluation meets, lint reports with a witness that
shows it, for every measure kind; the domain lint assumes is the one the scorer accepts; the
ruleset's own [values] are scored; the standard's rate formula is no number of the rule."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import kpirules
from kpirules.linter import Diagnostic, lint_text

D = Decimal


def ruleset(rule: str, measures: str, *, weight: str = "10", measure: str | None = "x", extra: str = "") -> str:
    subject = f'measure = "{measure}"\n' if measure is not None else ""
    return (
        f'[ruleset]\nid = "t"\ntotal = {weight}\n\n{measures}\n'
        f"[[indicators]]\nid = \"i\"\nweight = {weight}\n{subject}rule = '''{rule}'''\n{extra}"
    )


NUMBER = '[measures.x]\ntype = "number"\n'
COUNT = '[measures.n]\ntype = "count"\n'
RATE = '[measures.x]\ntype = "rate"\nrange = [0, 2]\n'
FLAGS = COUNT + '[measures.ok]\ntype = "bool"\n'


def found(text: str, code: str) -> list[Diagnostic]:
    return [d for d in lint_text(text, "t.toml") if d.code == code]


def raw_at(text: str, witness: dict[str, str]) -> Decimal:
    raw = kpirules.loads(text).evaluate(witness)["i"].raw
    assert raw is not None
    return raw


# ---- 3c, 3d: raw scores out of range, for every measure kind --------------------------------------
@pytest.mark.parametrize(
    "rule,measures,measure,weight",
    [
        ("value * full", NUMBER, "x", "10"),  # a number: raw 70 at x = 7, clamped to 10
        ("full * 80% * value + 1 pt", COUNT, "n", "10"),  # a count: raw 17 at n = 2
        ("pass if n <= 0.001 else 12 pts", COUNT, "n", "0.5"),  # a threshold between whole counts
        ("n * 80%", COUNT, "n", "1.5"),
        ("checklist { n > 3: 150%, ok: 0.5 pts }", FLAGS, None, "2"),
        ("value * 1 pt", RATE.replace("[0, 2]", "[0, 50]"), "x", "10"),  # a rate of 1,100 %
    ],
)
def test_raw_above_the_weight_is_found_for_every_measure_kind(
    rule: str, measures: str, measure: str | None, weight: str
) -> None:
    text = ruleset(rule, measures, weight=weight, measure=measure)
    (diagnostic,) = found(text, "KPI-B301")
    assert diagnostic.witness is not None
    values = {"ok": True, **diagnostic.witness} if "ok" in measures else diagnostic.witness
    assert raw_at(text, values) > D(weight)
    assert f"more than the weight {weight}" in diagnostic.message


@pytest.mark.parametrize(
    "rule,measures,measure",
    [
        ("if n > 0.5 then zero - 2 pts else full", COUNT, "n"),
        ("(value - 3) * 1 pt", NUMBER, "x"),
        ("full - 4 pts * n", COUNT, "n"),
    ],
)
def test_raw_below_zero_is_found(rule: str, measures: str, measure: str) -> None:
    text = ruleset(rule, measures, measure=measure)
    (diagnostic,) = found(text, "KPI-B302")
    assert diagnostic.witness is not None
    assert raw_at(text, diagnostic.witness) < 0


@pytest.mark.parametrize(
    "rule,measures,witness",
    [
        ("proportional (1 / (value - 90%))", RATE, {"x": "90%"}),  # a constant the rule names
        ("proportional (1 / (2 * value - 90%))", RATE, {"x": "45%"}),  # the root of the divisor
        ("proportional (1 / (x - 2.5))", NUMBER, {"x": "2.5"}),
        ("proportional (7 / (2 * n - 8))", COUNT, {"n": "4"}),
    ],
)
def test_division_by_zero_at_the_divisors_root(rule: str, measures: str, witness: dict[str, str]) -> None:
    measure = "n" if "[measures.n]" in measures else "x"
    text = ruleset(rule, measures, measure=measure)
    (diagnostic,) = found(text, "KPI-B303")
    assert diagnostic.witness == witness
    with pytest.raises(kpirules.ValuesError, match="division by zero"):
        kpirules.loads(text).evaluate(witness)


def test_a_tiers_whose_subject_is_computed_is_checked_on_measured_values() -> None:
    measures = COUNT + '[measures.m]\ntype = "count"\n'
    text = ruleset("tiers (n - m) { >= 0: full, <= -3: zero }", measures, measure=None)
    (diagnostic,) = found(text, "KPI-G201")
    assert diagnostic.witness is not None and set(diagnostic.witness) == {"n", "m"}
    with pytest.raises(kpirules.ValuesError, match="no band"):
        kpirules.loads(text).evaluate(diagnostic.witness)
    # a square is never negative: no band is needed below 0, and none is reported
    clean = ruleset("tiers (x * x) { >= 0: full }", NUMBER, measure=None)
    assert found(clean, "KPI-G201") == []


# ---- 3a: the domain lint assumes is the one the scorer accepts -------------------------------------
@pytest.mark.parametrize(
    "kind,value,accepted",
    [
        ("rate", "-2%", False),
        ("rate", "0%", True),
        ("rate", "1500%", True),
        ("rate", 15, False),  # a bare rate of 10 or more is 1,500 % typed without its sign
        ("amount", -1, False),
        ("amount", "1e9", True),
        ("count", -1, False),
        ("count", "2.5", False),
        ("count", 3, True),
        ("number", -1000, True),
    ],
)
def test_the_natural_domain_is_what_the_scorer_accepts(kind: str, value: Any, accepted: bool) -> None:
    from kpirules.linter.analysis import natural_domain
    from kpirules.values import parse_number

    rs = kpirules.loads(ruleset("proportional", f'[measures.x]\ntype = "{kind}"\n', measure="x"))
    try:
        rs.evaluate({"x": value})
        scored = True
    except kpirules.ValuesError:
        scored = False
    assert scored is accepted
    number = parse_number(value)
    domain = natural_domain(rs.measures["x"])
    inside = domain.contains(number) and (kind != "count" or number == number.to_integral_value())
    if value != 15:  # a bare 15 is refused for how it is written: "1500%" is in the domain
        assert inside is accepted


def test_a_negative_range_without_a_band_for_negatives_is_reported_with_a_negative_witness() -> None:
    measures = '[measures.x]\ntype = "rate"\nlabel = "调整率"\nrange = [-1, 1]\n'
    text = ruleset("tiers { >= 10%: full, [0, 10%): 60% }", measures)
    (diagnostic,) = found(text, "KPI-G201")
    assert diagnostic.witness is not None and diagnostic.witness["x"].startswith("-")
    with pytest.raises(kpirules.ValuesError, match="no band"):
        kpirules.loads(text).evaluate(diagnostic.witness)
    assert found(text.replace("[0, 10%)", "< 10%"), "KPI-G201") == []


# ---- 3e: the standard's rate formula ----------------------------------------------------------------
@pytest.mark.parametrize(
    "standard",
    [
        "预算执行率=（实际支出/预算数）×100%。预算执行率≥95%得满分，每降低一个百分点扣0.5分，扣完为止",
        "执行率=实际支出/预算数*100%，执行率≥95%得10分，每低1个百分点扣0.5分",
        "执行率 = 实际支出 ÷ 预算数 x 100%；≥95%得满分，每降低两个百分点扣1分",
    ],
)
def test_a_standard_that_defines_its_rate_is_no_mismatch(standard: str) -> None:
    rule = "deduct 1 pt per 2% below 95%" if "两个" in standard else "deduct 0.5 pts per 1% below 95%"
    text = ruleset(rule, RATE, extra=f'standard = "{standard}"\n')
    assert found(text, "KPI-X402") == []
    wrong = text.replace("below 95%", "below 90%")
    (diagnostic,) = found(wrong, "KPI-X402")
    assert "the standard says 95%, the rule 90%" in diagnostic.message


# ---- 3b: the ruleset's own [values] ----------------------------------------------------------------
OWN = (
    '[ruleset]\nid = "own"\ntotal = 10\n\n'
    '[measures.rate]\ntype = "rate"\nrange = [0, 1]\n\n'
    '[measures.closed]\ntype = "count"\n\n[measures.received]\ntype = "count"\n\n'
    "# kpirules: ignore[KPI-B303] cases always arrive\n"
    '[measures.ratio]\ntype = "rate"\nformula = "closed / received"\n\n'
    '[[indicators]]\nid = "execution"\nweight = 5\nmeasure = "rate"\n'
    'rule = "tiers { >= 90%: full, [60%, 90%): 60%, else: zero }"\n\n'
    '[[indicators]]\nid = "closure"\nweight = 5\nmeasure = "ratio"\nrule = "proportional"\n\n'
)


def test_own_values_that_score_are_no_finding() -> None:
    assert lint_text(OWN + '[values]\nrate = "95%"\nclosed = 3\nreceived = 4\n', "own.toml") == []


def test_own_values_a_rule_cannot_score_are_reported_at_the_rule() -> None:
    text = OWN.replace("else: zero", "< 50%: zero") + '[values]\nrate = "55%"\nclosed = 3\nreceived = 4\n'
    with pytest.raises(kpirules.ValuesError) as caught:
        kpirules.loads(text).evaluate()
    (diagnostic,) = found(text, "KPI-S105")
    assert diagnostic.message == "the ruleset's own [values] do not score: " + caught.value.problems[0].message
    assert text.splitlines()[diagnostic.line - 1].startswith("rule = ")
    assert diagnostic.indicator == "execution"
    assert [r.message for r in diagnostic.related] == ["the ruleset's own [values]"]
    assert text.splitlines()[diagnostic.related[0].line - 1] == "[values]"


def test_own_values_a_formula_cannot_compute_and_a_missing_value() -> None:
    text = OWN + '[values]\nrate = "95%"\nclosed = 0\nreceived = 0\n'
    (diagnostic,) = found(text, "KPI-S105")
    assert "division by zero" in diagnostic.message and "ratio" in diagnostic.message
    assert text.splitlines()[diagnostic.line - 1] == 'formula = "closed / received"'
    text = OWN + '[values]\nrate = "95%"\n'
    (diagnostic,) = found(text, "KPI-S105")
    assert "needs" in diagnostic.message and diagnostic.indicator == "closure"
    suppressed = text.replace(
        '[[indicators]]\nid = "closure"', '# kpirules: ignore[S105] given later\n[[indicators]]\nid = "closure"'
    )
    assert found(suppressed, "KPI-S105") == []


def test_own_values_the_measure_refuses_are_reported_at_the_value() -> None:
    text = OWN.replace("range = [0, 1]\n", "", 1) + '[values]\nrate = "-5%"\nclosed = 3\nreceived = 4\n'
    problems = [d for d in lint_text(text, "own.toml") if d.code in ("KPI-S104", "KPI-S105")]
    assert [d.code for d in problems] == ["KPI-S104"]
    assert text.splitlines()[problems[0].line - 1] == 'rate = "-5%"' and "negative" in problems[0].message


# ---- 1c: a measured rate without a range ------------------------------------------------------------
def test_a_measured_rate_without_a_range_is_a_warning_at_its_table() -> None:
    measures = '[measures.x]\ntype = "rate"\n\n[measures.n]\ntype = "count"\n\n'
    measures += '[measures.d]\ntype = "rate"\nformula = "n / 10"\n'
    text = ruleset("proportional + (d * zero)", measures, measure="x")
    (diagnostic,) = found(text, "KPI-B305")
    assert diagnostic.severity == "warning" and "`x`" in diagnostic.message
    assert text.splitlines()[diagnostic.line - 1] == "[measures.x]"
    assert (
        found(
            text.replace('type = "rate"\n\n[measures.n]', 'type = "rate"\nrange = [0, 1]\n\n[measures.n]'), "KPI-B305"
        )
        == []
    )


def test_the_shipped_ruleset_and_the_lint_examples_have_ranges() -> None:
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent
    assert kpirules.lint(root / "rulesets" / "bishan_2022.toml") == []
    for path in (root / "docs" / "examples" / "lint").glob("*.toml"):
        assert [d for d in kpirules.lint(path) if d.code == "KPI-B305"] == [], path


@settings(max_examples=200, deadline=None)
@given(
    kind=st.sampled_from(["rate", "amount", "count", "number"]),
    bounds=st.sampled_from([None, (-5, 5), (0, 1), (-1, 1), (2, 10), (0.5, 3.5)]),
    value=st.decimals(min_value=-20, max_value=20, places=2),
)
def test_lint_domain_holds_exactly_the_values_the_scorer_takes(
    kind: str, bounds: tuple[float, float] | None, value: Decimal
) -> None:
    """For every kind of measure, declared range or none: a value scores if and only if it lies in
    the domain lint reasons over (rates written as percentages, as a bare 15 is refused for its
    writing, not its value)."""
    from kpirules.linter.analysis import natural_domain, snap

    declared = f"range = [{bounds[0]}, {bounds[1]}]\n" if bounds else ""
    rs = kpirules.loads(ruleset("zero", f'[measures.x]\ntype = "{kind}"\n{declared}', measure="x"))
    written: object = f"{value * 100}%" if kind == "rate" else value
    try:
        rs.evaluate({"x": written})
        scored = True
    except kpirules.ValuesError:
        scored = False
    domain = natural_domain(rs.measures["x"])
    assert not isinstance(domain, frozenset)
    inside = domain.contains(value) and (kind != "count" or value == value.to_integral_value())
    assert scored is inside, (kind, bounds, value, str(domain), str(snap(domain, None)))
