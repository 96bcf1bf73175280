"""Properties that a wrong implementation would break.

The reference model here is written independently with ``fractions.Fraction``: exact rationals and
an explicit half-up rule, so any rounding or float slip in the evaluator shows up as a mismatch.
"""

from __future__ import annotations

import math
from decimal import Decimal as D
from fractions import Fraction as F
from typing import Any

import grammar_gen
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from support import make

import kpirules

# percentages with up to two decimals, e.g. 94.99 → "94.99%"
pct = st.integers(min_value=0, max_value=15000).map(lambda n: F(n, 10000))
weights = st.integers(min_value=1, max_value=40).map(F)


def pct_text(value: F) -> str:
    return f"{D(value.numerator) / D(value.denominator) * 100:f}%"


def half_up(value: F, precision: int = 2) -> D:
    scaled = value * 10**precision
    rounded = math.floor(scaled + F(1, 2)) if scaled >= 0 else -math.floor(-scaled + F(1, 2))
    return D(rounded).scaleb(-precision)


def clamp(value: F, weight: F) -> F:
    return min(max(value, F(0)), weight)


def fmt(value: F) -> str:
    return f"{D(value.numerator) / D(value.denominator):f}"


# ---- exactness against the reference model ------------------------------------------------------
@given(rate=pct, weight=weights)
def test_proportional_equals_reference(rate: F, weight: F) -> None:
    got = make("proportional", measure="rate", weight=fmt(weight)).evaluate({"rate": pct_text(rate)})["i"].score
    assert got == half_up(clamp(rate * weight, weight))


@given(closed=st.integers(0, 10**6), received=st.integers(1, 10**6), weight=weights)
def test_ratio_of_counts_equals_reference(closed: int, received: int, weight: F) -> None:
    rs = make("proportional closed / received", measure=None, weight=fmt(weight))
    got = rs.evaluate({"closed": closed, "received": received})["i"].score
    assert got == half_up(clamp(F(closed, received), F(1)) * weight)


@given(
    weight=st.sampled_from([3, 6, 7, 9, 11, 12, 13, 14, 21, 27]),
    data=st.data(),
    scale=st.integers(1, 50),
    half_even=st.booleans(),
)
def test_scores_exactly_on_a_rounding_boundary_through_repeating_quotients(
    weight: int, data: Any, scale: int, half_even: bool
) -> None:
    # the score w × closed/received is m/200 with m odd: exactly half a cent, reached through a
    # quotient m/(200 w) that does not terminate; it must round as the exact fraction does
    m = data.draw(st.integers(0, 100 * weight - 1)) * 2 + 1
    closed, received = m * scale, 200 * weight * scale
    text = (
        f'[ruleset]\nid = "b"\nrounding = "{"half-even" if half_even else "half-up"}"\n'
        '[measures.closed]\ntype = "count"\n[measures.received]\ntype = "count"\n'
        f'[[indicators]]\nid = "i"\nweight = {weight}\nrule = "proportional closed / received"\n'
    )
    got = kpirules.loads(text).evaluate({"closed": closed, "received": received})["i"].score
    exact = F(m, 200)
    assert got == (half_even_ref(exact) if half_even else half_up(exact))


def half_even_ref(value: F, precision: int = 2) -> D:
    scaled = value * 10**precision
    floor = math.floor(scaled)
    rest = scaled - floor
    rounded = floor + 1 if rest > F(1, 2) or (rest == F(1, 2) and floor % 2 == 1) else floor
    return D(rounded).scaleb(-precision)


@given(rate=pct, target=pct.filter(lambda t: t > 0), weight=weights, inverse=st.booleans())
def test_proportional_to_and_inverse_equal_reference(rate: F, target: F, weight: F, inverse: bool) -> None:
    rule = f"proportional {'inverse ' if inverse else ''}to {pct_text(target)}"
    got = make(rule, measure="rate", weight=fmt(weight)).evaluate({"rate": pct_text(rate)})["i"].score
    credit = (F(1) if rate <= 0 else target / rate) if inverse else rate / target
    assert got == half_up(clamp(credit, F(1)) * weight)


@given(
    rate=pct,
    limit=pct,
    step=st.integers(1, 1000).map(lambda n: F(n, 10000)),
    amount=st.integers(1, 500).map(lambda n: F(n, 100)),
    weight=weights,
    mode=st.sampled_from(["", "whole ", "started "]),
    direction=st.sampled_from(["below", "above"]),
)
def test_deduct_equals_reference(rate: F, limit: F, step: F, amount: F, weight: F, mode: str, direction: str) -> None:
    rule = f"deduct {fmt(amount)} pts per {mode}{pct_text(step)} {direction} {pct_text(limit)}"
    got = make(rule, measure="rate", weight=fmt(weight)).evaluate({"rate": pct_text(rate)})["i"].score
    gap = max(F(0), limit - rate if direction == "below" else rate - limit)
    steps = gap / step
    if mode == "whole ":
        steps = F(math.floor(steps))
    elif mode == "started ":
        steps = F(math.ceil(steps))
    assert got == half_up(max(F(0), weight - amount * steps))


# ---- bounds and monotonicity --------------------------------------------------------------------
descending_tiers = st.lists(st.integers(0, 10000), min_size=1, max_size=6, unique=True).map(
    lambda xs: sorted(xs, reverse=True)
)


def tiers_rule(thresholds: list[int], scores: list[int]) -> str:
    bands = [
        f">= {F(t, 100)}%: {s}%" if F(t, 100).denominator == 1 else f">= {float(t) / 100}%: {s}%"
        for t, s in zip(thresholds, scores, strict=True)
    ]
    return "tiers { " + ", ".join(bands) + ", else: zero }"


@given(thresholds=descending_tiers, data=st.data(), a=pct, b=pct)
def test_tiers_with_descending_thresholds_are_monotone(thresholds: list[int], data: Any, a: F, b: F) -> None:
    scores = sorted(
        data.draw(st.lists(st.integers(0, 100), min_size=len(thresholds), max_size=len(thresholds))), reverse=True
    )
    rs = make(tiers_rule(thresholds, scores), measure="rate")
    low, high = sorted([a, b])
    s_low = rs.evaluate({"rate": pct_text(low)})["i"].score
    s_high = rs.evaluate({"rate": pct_text(high)})["i"].score
    assert D(0) <= s_low <= s_high <= D(10)


@given(
    a=pct,
    b=pct,
    form=st.sampled_from(
        [
            ("proportional", 1),
            ("proportional to 95%", 1),
            ("proportional inverse to 2%", -1),
            ("deduct 0.5 pts per 1% below 95%", 1),
            ("deduct 2 pts per whole 5% below 100%", 1),
            ("deduct 2 pts per started 1% below 100%", 1),
            ("deduct 1 pt per 1% above 2%", -1),
            ("if value >= 95% then full else proportional to 95%", 1),
            ("min(full, 2 pts + proportional)", 1),
        ]
    ),
)
def test_forms_are_monotone_in_the_value(a: F, b: F, form: tuple[str, int]) -> None:
    rule, direction = form
    rs = make(rule, measure="rate")
    low, high = sorted([a, b])
    s_low = rs.evaluate({"rate": pct_text(low)})["i"].score
    s_high = rs.evaluate({"rate": pct_text(high)})["i"].score
    assert (s_low <= s_high) if direction > 0 else (s_low >= s_high)


RULES = [
    "proportional",
    "proportional to 80%",
    "proportional inverse to 5%",
    "deduct 3 pts per 1% below 95%",
    "deduct 0.7 pts each",
    "tiers { >= 90%: full, [50%, 90%): 60%, else: 1 pt }",
    "pass if rate > 50% else 30%",
    "checklist { ok: 2 pts, ok2: 4 pts, n > 2: 7 pts }",
    "grade rating { 优: full, 良: 80%, 中: 3 pts, 差: zero }",
    "full - 0.2 pts * n - 1.5 pts * m",
    "2 pts * x + 7 pts",
    "max(proportional, 30%) + 5 pts",
]


@st.composite
def rulesets(draw: Any) -> tuple[str, list[tuple[str, F]]]:
    count = draw(st.integers(1, 6))
    lines = [
        '[ruleset]\nid = "p"\n[measures.rate]\ntype = "rate"\n[measures.x]\ntype = "number"',
        '[measures.n]\ntype = "count"\n[measures.m]\ntype = "count"\n[measures.ok]\ntype = "bool"',
        '[measures.ok2]\ntype = "bool"\n[measures.rating]\ntype = "level"\nlevels = ["优", "良", "中", "差"]',
    ]
    lines.append(f'[grades]\n"A" = {draw(st.integers(50, 100))}\n"B" = {draw(st.integers(1, 49))}\n"C" = 0')
    indicators = []
    for i in range(count):
        rule = draw(st.sampled_from(RULES))
        weight = draw(st.integers(1, 30)) if draw(st.booleans()) else F(draw(st.integers(1, 3000)), 100)
        measure = (
            "n"
            if "each" in rule
            else "rate"
            if ("proportional" in rule or "deduct" in rule or "tiers" in rule)
            else None
        )
        lines.append(
            f'[[indicators]]\nid = "i{i}"\nweight = {fmt(F(weight))}\nrule = "{rule}"'
            + (f'\nmeasure = "{measure}"' if measure else "")
        )
        indicators.append((f"i{i}", F(weight)))
    return "\n".join(lines) + "\n", indicators


unit_values = st.fixed_dictionaries(
    {
        "rate": pct.map(pct_text),
        "x": st.integers(-50, 50),
        "n": st.integers(0, 40),
        "m": st.integers(0, 9),
        "ok": st.booleans(),
        "ok2": st.booleans(),
        "rating": st.sampled_from(["优", "良", "中", "差"]),
    }
)


@settings(suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(spec=rulesets(), values=unit_values)
def test_scores_stay_in_bounds_and_total_and_grade_agree(
    spec: tuple[str, list[tuple[str, F]]], values: dict[str, Any]
) -> None:
    text, indicators = spec
    rs = kpirules.loads(text)
    result = rs.evaluate(values)
    for ind_id, weight in indicators:
        score = result[ind_id].score
        assert D(0) <= score <= D(weight.numerator) / D(weight.denominator)
        assert score == score.quantize(D("0.01"))  # rounded to the ruleset's precision
    assert result.total == sum((result[i].score for i, _ in indicators), D(0))
    bands = sorted(rs.grades, key=lambda g: g[1], reverse=True)
    assert result.grade == next(label for label, bound in bands if result.total >= bound)


@settings(suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(
    spec=rulesets(),
    rows=st.lists(unit_values, max_size=8),
    bad=st.sets(st.integers(0, 7)),
    missing=st.sets(st.integers(0, 7)),
    repeats=st.lists(st.integers(0, 7), max_size=12),
)
def test_evaluate_many_equals_evaluate_per_row(
    spec: tuple[str, list[tuple[str, F]]],
    rows: list[dict[str, Any]],
    bad: set[int],
    missing: set[int],
    repeats: list[int],
) -> None:
    rs = kpirules.loads(spec[0])
    rows = [dict(row, x="not a number") if i in bad else row for i, row in enumerate(rows)]
    rows = [{k: v for k, v in row.items() if k != "n"} if i in missing else row for i, row in enumerate(rows)]
    rows += [rows[i] for i in repeats if i < len(rows)]  # the same values again, in other rows
    rows += [{**row, "x": D(f"{row['x']}.00")} for row in rows[:2] if isinstance(row["x"], int)]  # 7 as 7.00
    outcomes = rs.evaluate_many(rows)
    assert len(outcomes) == len(rows)
    for row, outcome in zip(rows, outcomes, strict=True):
        try:
            single: kpirules.Result | kpirules.ValuesError = rs.evaluate(row)
        except kpirules.ValuesError as err:
            single = err
        assert type(single) is type(outcome)
        if isinstance(single, kpirules.Result):
            assert isinstance(outcome, kpirules.Result)
            assert (outcome.total, outcome.grade, outcome.scores) == (single.total, single.grade, single.scores)
            assert [str(s) for s in outcome.scores] == [str(s) for s in single.scores]
        else:
            assert [p.message for p in single.problems] == [p.message for p in outcome.problems]  # type: ignore[union-attr]


def test_rounding_examples() -> None:
    assert half_up(F(9995, 1000)) == D("10.00")
    assert half_up(F(474, 100)) == D("4.74")


# ---- rules generated from the grammar -----------------------------------------------------------
def _generated_ruleset(rule: str) -> kpirules.Ruleset | None:
    """A one-indicator ruleset around a generated rule, with a measure of every type; None if it
    does not load (which must be a KpiRulesError)."""
    text = (
        '[ruleset]\nid = "g"\n[measures.x]\ntype = "number"\n[measures.rate]\ntype = "rate"\n'
        '[measures.n]\ntype = "count"\n[measures.ok]\ntype = "bool"\n'
        '[measures.rating]\ntype = "level"\nlevels = ["优", "良", "中", "差"]\n'
        f'[[indicators]]\nid = "i"\nweight = 10\nmeasure = "x"\nrule = """{rule.replace(chr(92), "")}"""\n'
    )
    try:
        return kpirules.loads(text)
    except kpirules.KpiRulesError:
        return None


@settings(max_examples=400, suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much], deadline=None)
@given(data=st.data())
def test_generated_rules_load_or_raise_kpirules_errors(data: Any) -> None:
    rule = data.draw(grammar_gen.rules())
    assume(len(rule) < 2000)
    rs = _generated_ruleset(rule)
    if rs is None:
        return
    values = data.draw(unit_values)
    try:
        result = rs.evaluate(values)
    except kpirules.ValuesError:
        return
    assert D(0) <= result["i"].score <= D(10)
    assert isinstance(result.explain(), str)


@pytest.mark.parametrize("seed_rule", ["tiers { >= 95%: full\n else: zero }", "grade rating { 优: full, 良: 80% }"])
def test_grammar_strategy_can_produce_valid_rules(seed_rule: str) -> None:
    # the strategy above is only useful if rules like these load; make sure such rules do
    rs = make(seed_rule, measure="rate")
    assert rs.evaluate({"rate": "95%", "rating": "优"})["i"].score == D("10.00")


extreme_values = st.fixed_dictionaries(
    {
        "rate": st.sampled_from(["1e999998", "-1e999998", "1e-999998", "0", "-0", "50%"]),
        "x": st.one_of(st.sampled_from(["9.99e999998", "-1e999998", "1e-50", "1" + "0" * 60]), st.integers(-50, 50)),
        "n": st.sampled_from(["0", "5", "1" + "0" * 60]),
        "ok": st.booleans(),
        "rating": st.sampled_from(["优", "良", "中", "差"]),
    }
)


@settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.data())
def test_generated_rules_on_extreme_values_score_or_raise_kpirules_errors(data: Any) -> None:
    """Values at the edge of Decimal's range (1e999998, 1e-999998, 60 digits) give a result that
    explains itself, or a KpiRulesError: never decimal.Overflow or InvalidOperation."""
    rule = data.draw(grammar_gen.rules())
    assume(len(rule) < 2000)
    rs = _generated_ruleset(rule)
    if rs is None:
        return
    values = data.draw(extreme_values)
    try:
        result = rs.evaluate(values)
    except kpirules.KpiRulesError:
        result = None
    if result is not None:
        assert D(0) <= result["i"].score <= D(10)
        assert result.explain("zh") and result.explain("en")
    batch = rs.evaluate_many([values, values])
    if result is None:
        assert all(isinstance(r, kpirules.KpiRulesError) for r in batch)
    else:
        assert [r.total for r in batch] == [result.total] * 2  # type: ignore[union-attr]
