"""Values in: every accepted form converts exactly; every bad value is reported, all at once."""

from __future__ import annotations

from decimal import Decimal as D
from typing import Any

import pytest
from support import make

import kpirules


def value_of(measure: str, raw: Any) -> Any:
    rs = make("pass if ok", measure=None)
    return rs.evaluate({"ok": True, measure: raw}).values[measure]


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (0.474, D("0.474")),
        ("47.4%", D("0.474")),
        (" 47.4 % ", D("0.474")),
        ("5‰", D("0.005")),
        (1, D(1)),
        (D("0.95"), D("0.95")),
        ("0.95", D("0.95")),
        ("47.4％", D("0.474")),
        ("1e-2", D("0.01")),
    ],
)
def test_rates(raw: Any, expected: D) -> None:
    assert value_of("rate", raw) == expected


@pytest.mark.parametrize(
    ("raw", "expected"), [(1899305.84, D("1899305.84")), ("1,899,305.84", D("1899305.84")), (7, D(7)), ("-3", D(-3))]
)
def test_numbers(raw: Any, expected: D) -> None:
    assert value_of("x", raw) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [(True, True), (False, False), ("是", True), ("否", False), ("TRUE", True), ("no", False), (1, True), (0, False)],
)
def test_bools(raw: Any, expected: bool) -> None:
    assert value_of("ok2", raw) is expected


def test_labels_are_trimmed() -> None:
    assert value_of("rating", " 良 ") == "良"


@pytest.mark.parametrize(
    ("measure", "raw", "message"),
    [
        ("rate", "abc", "'abc' is not a number"),
        ("rate", float("nan"), "nan is not a finite number"),
        ("x", float("inf"), "inf is not a finite number"),
        ("x", D("NaN"), "NaN is not a finite number"),
        ("x", True, "True is a yes/no value, not a number"),
        ("x", [1], "is not a number"),
        ("n", 2.5, "2.5 is not a whole number of 0 or more"),
        ("n", -1, "-1 is not a whole number of 0 or more"),
        ("n", "50%", "is a percentage; give a plain number"),
        ("ok2", "maybe", "'maybe' is not a yes/no value"),
        ("ok2", 2, "2 is not a yes/no value"),
        ("rating", "良好", "'良好' is not a level of rating; expected one of 优, 良, 中, 差"),
        ("rating", 1, "1 is not a level of rating"),
    ],
)
def test_bad_values_say_what_was_expected(measure: str, raw: Any, message: str) -> None:
    rs = make("pass if ok", measure=None)
    with pytest.raises(kpirules.ValuesError) as err:
        rs.evaluate({"ok": True, measure: raw})
    assert err.value.message.startswith(f"measure `{measure}`: ")
    assert message in err.value.message


def test_declared_range_is_enforced() -> None:
    measures = {"s": {"type": "rate", "range": [0, 1]}}
    rs = make("proportional", measure="s", measures=measures)
    assert rs.evaluate({"s": "100%"})["i"].score == D("10.00")
    with pytest.raises(kpirules.ValuesError, match=r"outside the declared range \[0, 1\]"):
        rs.evaluate({"s": "101%"})


def test_all_value_problems_are_raised_together() -> None:
    rs = make("checklist { ok: 1 pt, x > 1: 1 pt, rating >= 良: 1 pt }", measure=None)
    with pytest.raises(kpirules.ValuesError) as err:
        rs.evaluate({"ok": "maybe", "x": "one", "rating": "好", "typo": 1})
    messages = [p.message for p in err.value.problems]
    assert len(messages) == 4
    assert any("`ok`" in m for m in messages) and any("`x`" in m for m in messages)
    assert any("`rating`" in m for m in messages) and "unknown measure `typo`" in messages


def test_unknown_measure_gets_a_suggestion() -> None:
    with pytest.raises(kpirules.ValuesError) as err:
        make("proportional", measure="rate").evaluate({"rat": "50%"})
    unknown = next(p for p in err.value.problems if "unknown" in p.message)
    assert unknown.hint == "did you mean `rate`?"


def test_missing_value_is_an_error_naming_measure_and_indicator() -> None:
    rs = make("proportional closed / received", measure=None)
    with pytest.raises(kpirules.ValuesError) as err:
        rs.evaluate({"closed": 3})
    assert err.value.message == "indicator `i` needs `received`, which has no value"
    assert err.value.file == "t.toml" and err.value.line is not None


@pytest.mark.parametrize(("policy", "expected"), [("full", "10.00"), ("zero", "0.00")])
def test_if_missing(policy: str, expected: str) -> None:
    rs = make("proportional", measure="rate", indicator_extra=f'if_missing = "{policy}"')
    result = rs.evaluate({})
    assert result["i"].score == D(expected)
    assert result["i"].missing == ("rate",) and result["i"].status == "missing"
    assert rs.evaluate({"rate": "50%"})["i"].score == D("5.00")
    assert rs.evaluate({"rate": None})["i"].score == D(expected)
    assert rs.evaluate({"rate": " "})["i"].score == D(expected)


def test_missing_input_of_a_derived_measure_names_the_input() -> None:
    text = (
        '[ruleset]\nid = "t"\n[measures.a]\ntype = "amount"\n[measures.b]\ntype = "amount"\n'
        '[measures.r]\ntype = "rate"\nformula = "a / b"\n'
        '[[indicators]]\nid = "i"\nweight = 10\nmeasure = "r"\nrule = "proportional"\n'
    )
    rs = kpirules.loads(text)
    with pytest.raises(kpirules.ValuesError, match="needs `b`, which has no value"):
        rs.evaluate({"a": 1})
    with pytest.raises(kpirules.ValuesError, match="computed from its formula"):
        rs.evaluate({"a": 1, "b": 2, "r": "50%"})
    with pytest.raises(kpirules.EvaluationError, match="measure `r`: division by zero: `b` is 0") as err:
        rs.evaluate({"a": 1, "b": 0})
    assert len(err.value.problems) == 1  # the indicator that reads r is not reported again
    assert rs.evaluate({"a": 1, "b": 4})["i"].score == D("2.50")


def test_evaluation_errors_and_value_errors_come_together() -> None:
    text = (
        '[ruleset]\nid = "t"\n[measures.a]\ntype = "count"\n[measures.b]\ntype = "count"\n'
        '[[indicators]]\nid = "one"\nweight = 10\nrule = "proportional a / b"\n'
        '[[indicators]]\nid = "two"\nweight = 10\nmeasure = "a"\nrule = "tiers { > 5: full }"\n'
    )
    with pytest.raises(kpirules.ValuesError) as err:
        kpirules.loads(text).evaluate({"a": 1, "b": 0})
    assert [p.message for p in err.value.problems] == [
        "indicator `one`: division by zero: `b` is 0",
        "indicator `two`: no band of these tiers matches a = 1",
    ]


def test_evaluate_many_gives_one_outcome_per_row_in_order() -> None:
    rs = make("proportional", measure="rate")
    rows = [{"rate": "50%"}, {"rate": "bad"}, {}, {"rate": 0.25}]
    outcomes = rs.evaluate_many(rows)
    assert len(outcomes) == 4
    assert isinstance(outcomes[0], kpirules.Result) and outcomes[0].total == D("5.00")
    assert isinstance(outcomes[1], kpirules.ValuesError) and isinstance(outcomes[2], kpirules.ValuesError)
    assert isinstance(outcomes[3], kpirules.Result) and outcomes[3].total == D("2.50")


def test_evaluate_many_with_unit_key() -> None:
    rs = make("proportional", measure="rate")
    outcomes = rs.evaluate_many(
        [{"unit": "A", "rate": "50%"}, {"unit": "B", "rate": "x"}, {"rate": "1%"}], unit_key="unit"
    )
    assert isinstance(outcomes[0], kpirules.Result) and outcomes[0].unit == "A"
    assert getattr(outcomes[1], "unit", None) == "B"
    assert isinstance(outcomes[2], kpirules.Result) and outcomes[2].unit == "row 3"


def test_evaluate_many_accepts_a_generator() -> None:
    rs = make("proportional", measure="rate")
    outcomes = rs.evaluate_many({"rate": f"{i}%"} for i in range(5))
    assert [o.total for o in outcomes if isinstance(o, kpirules.Result)] == [D(i) / 10 for i in range(5)]


def test_scoring_ignores_the_callers_decimal_context() -> None:
    import decimal
    from pathlib import Path

    rs = kpirules.load(Path(__file__).parent.parent / "rulesets" / "bishan_2022.toml")
    with decimal.localcontext() as ctx:
        ctx.prec, ctx.rounding = 3, decimal.ROUND_DOWN
        result = rs.evaluate({**rs.values, "satisfaction_rate": "47.4%", "budget_spent": 1709375.256})
        assert (result.total, result.grade) == (D("93.21"), "优")
        assert make("proportional (-x)", measure=None).evaluate({"x": "-0.12345"})["i"].score == D("1.23")
        assert "47.4%" in result.explain()


@pytest.mark.parametrize("rule", ["proportional closed / received", "proportional (closed + 0) / received"])
def test_a_missing_dividend_is_reported_before_a_zero_divisor(rule: str) -> None:
    with pytest.raises(kpirules.ValuesError, match="needs `closed`, which has no value"):
        make(rule, measure=None).evaluate({"received": 0})


def test_numbers_beyond_decimals_range_are_value_errors_not_tracebacks() -> None:
    """An exponent too large to hold, or arithmetic that overflows inside a rule or a formula,
    is reported with the place it happened, never raised as decimal.Overflow."""
    import kpirules

    rs = kpirules.loads(
        """
[ruleset]
id = "x"
total = 20

[measures.a]
type = "number"

[measures.b]
type = "number"
formula = "a * a"

[[indicators]]
id = "i"
weight = 10
measure = "a"
rule = "min(10 pts, value * value * 1 pts)"

[[indicators]]
id = "j"
weight = 10
measure = "b"
rule = "proportional to 5"
""",
        name="x.toml",
    )
    with pytest.raises(kpirules.KpiRulesError) as caught:
        rs.evaluate({"a": "9e999999999"})
    assert "too large" in str(caught.value)
    with pytest.raises(kpirules.KpiRulesError) as caught:
        rs.evaluate({"a": "1e999999"})
    where = [(p.location.line if p.location else None, p.message) for p in caught.value.problems]
    assert where == [
        (11, "measure `b`: the numbers are too large to compute with"),
        (17, "indicator `i`: the numbers are too large to compute with"),
    ]
    results = rs.evaluate_many([{"a": "1e999999"}, {"a": 2}])
    assert isinstance(results[0], kpirules.KpiRulesError) and results[1].total == 12


IN_PERCENT = "the range [0, 1] is 0 % to 100 %; correct the value, or the measure's `range` if it is wrong"


@pytest.mark.parametrize(
    ("given", "hint"),
    [
        (95, 'a rate is a fraction of 1: write 95 % as "95%" or 0.95'),
        ("97.5", 'a rate is a fraction of 1: write 97.5 % as "97.5%" or 0.975'),
        (100, 'a rate is a fraction of 1: write 100 % as "100%" or 1'),
        ("120%", IN_PERCENT),  # written as a percentage: no slip to explain
        (1.5, IN_PERCENT),  # 150 % or 1.5 %: no guess
        (2, 'a rate is a fraction of 1: write 2 % as "2%" or 0.02'),
        (101, IN_PERCENT),  # 101 % is outside [0, 1] too
        (-5, IN_PERCENT),
    ],
)
def test_rate_given_as_a_percentage_number_gets_a_hint(given: object, hint: str | None) -> None:
    rs = kpirules.loads(
        '[ruleset]\nid = "r"\n[measures.rate]\ntype = "rate"\nrange = [0, 1]\n'
        '[[indicators]]\nid = "a"\nweight = 10\nmeasure = "rate"\nrule = "proportional"\n'
    )
    with pytest.raises(kpirules.ValuesError, match="outside the declared range") as caught:
        rs.evaluate({"rate": given})
    assert caught.value.hint == hint


def test_the_fast_test_of_a_bare_rate_agrees_with_the_full_way() -> None:
    # A rate with no range takes a bare number below 10 (BARE_RATE_LIMIT) and refuses one at or
    # above it; the fast path stops at the largest 60-digit number below 10, and a number closer
    # to 10 than that goes the full way: both must agree on every side of the limit.
    from hypothesis import given
    from hypothesis import strategies as st

    from kpirules.model import Measure
    from kpirules.values import BARE_RATE_LIMIT, ValueProblem, converter

    convert = converter(Measure("r", "rate"))
    edge = [BARE_RATE_LIMIT - D(1).scaleb(-k) for k in (1, 30, 59, 60, 61, 80)] + [BARE_RATE_LIMIT, D(0), D("-0.0")]

    @given(st.one_of(st.sampled_from(edge), st.decimals(min_value=-1, max_value=11, allow_nan=False, places=70)))
    def check(value: D) -> None:
        if D(0) <= value < BARE_RATE_LIMIT:
            assert convert(value) == value
        else:
            with pytest.raises(ValueProblem):
                convert(value)

    check()


def test_the_fast_test_of_a_number_agrees_with_the_full_way() -> None:
    # converter() takes a float, an int or a Decimal at once when it passes the measure's limits,
    # tested on the raw number where that is exact; anything else goes the full way. Both must give
    # the same value, or both refuse, for every kind of measure and limit and every number.
    import math

    from hypothesis import given, settings
    from hypothesis import strategies as st

    from kpirules.model import Measure
    from kpirules.values import MissingValue, ValueProblem, _number, _spreadsheet, converter

    measures = [
        Measure("r", "rate"),  # 0 <= v < 10 as a bare number
        Measure("r", "rate", range=(D(0), D(1))),  # bounds that are floats
        Measure("r", "rate", range=(D("0.05"), D("0.95"))),  # bounds that are no floats
        Measure("r", "rate", range=(D(-1), D("1.5"))),
        Measure("a", "amount"),  # 0 or more
        Measure("a", "amount", range=(D("-1e9"), D("1e9"))),
        Measure("n", "number"),  # any number
        Measure("n", "number", range=(D("-2.5"), D("7.25"))),
        Measure("c", "count"),  # a whole number of 0 or more
        Measure("c", "count", range=(D(3), D(1000))),
        Measure("c", "count", range=(D("0.5"), D("9.5"))),
        Measure("n", "number", range=(D("2e999999999"), D("3e999999999"))),  # bounds no int or float holds
        Measure("n", "number", range=(D("-3e999999999"), D("1e-999999999"))),
    ]
    edges = [0.0, -0.0, 1.0, 10.0, 9.999999999999998, 0.05, 0.95, 1.5, -1.0, 7.25, -2.5, 1e9, -1e9, 5e-324]
    floats = st.one_of(
        st.sampled_from([*edges, math.inf, -math.inf, math.nan]),
        st.sampled_from(edges).map(lambda x: math.nextafter(x, math.inf)),
        st.sampled_from(edges).map(lambda x: math.nextafter(x, -math.inf)),
        st.floats(allow_nan=True, allow_infinity=True),
        st.floats(min_value=-12, max_value=12),
    )
    ints = st.one_of(
        st.integers(-3, 12),
        st.integers(-20, 1200),
        st.sampled_from([10**59, 10**60, 10**60 + 1, 10**61, -(10**61), 10**200]),
    )
    decimals = st.one_of(
        st.decimals(allow_nan=False, allow_infinity=False, places=3, min_value=-12, max_value=12),
        st.sampled_from([D("NaN"), D("Infinity"), D("-Infinity")]),
        st.decimals(allow_nan=False, allow_infinity=False),
        st.sampled_from([D("10"), D("9.99999999999999999999999999999999999999999999999999999999999999"), D("-0")]),
    )

    def outcome(convert: Any, raw: object) -> object:
        try:
            return ("value", convert(raw))
        except (ValueProblem, MissingValue) as err:
            return ("refused", type(err))

    @settings(max_examples=600, deadline=None)
    @given(st.sampled_from(measures), st.one_of(floats, ints, decimals))
    def check(measure: Any, raw: object) -> None:
        fast, full = converter(measure), _spreadsheet(_number(measure))
        got, expected = outcome(fast, raw), outcome(full, raw)
        assert got == expected or (got[0] == expected[0] == "value" and str(got[1]) == str(expected[1])), (
            measure,
            raw,
            got,
            expected,
        )

    check()
