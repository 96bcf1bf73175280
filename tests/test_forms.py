"""Every form of the rule language scores exactly as docs/language.md says, at and around its edges."""

from __future__ import annotations

from decimal import Decimal as D

import pytest
from support import make, score

import kpirules


# ---- pass if ------------------------------------------------------------------------------------
@pytest.mark.parametrize(("ok", "expected"), [(True, "10.00"), (False, "0.00")])
def test_pass_if_bool(ok: bool, expected: str) -> None:
    assert score("pass if ok", {"ok": ok}, measure=None) == D(expected)


@pytest.mark.parametrize(
    ("rate", "expected"),
    [("95%", "10.00"), ("95.01%", "10.00"), ("94.99%", "5.00"), ("100%", "10.00"), ("0%", "5.00")],
)
def test_pass_if_else_share(rate: str, expected: str) -> None:
    assert score("pass if value >= 95% else 50%", {"rate": rate}, measure="rate") == D(expected)


@pytest.mark.parametrize(
    ("rate", "open_", "expected"),
    [("100%", 0, "10.00"), ("99.99%", 0, "0.00"), ("100%", 1, "0.00")],
)
def test_pass_if_compound(rate: str, open_: int, expected: str) -> None:
    rule = "pass if rate ≥ 100% and n == 0"
    assert score(rule, {"rate": rate, "n": open_}, measure=None) == D(expected)


def test_pass_if_or_not_parentheses() -> None:
    rule = "pass if not (ok and ok2) or n > 3"
    cases = {(True, True, 0): "0.00", (True, False, 0): "10.00", (True, True, 4): "10.00"}
    for (ok, ok2, n), expected in cases.items():
        assert score(rule, {"ok": ok, "ok2": ok2, "n": n}, measure=None) == D(expected)


# ---- proportional -------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("rate", "expected"),
    [
        ("47.4%", "4.74"),
        ("0%", "0.00"),
        ("100%", "10.00"),
        ("130%", "10.00"),
        ("99.995%", "10.00"),
        ("12.345%", "1.23"),
    ],
)
def test_proportional_plain(rate: str, expected: str) -> None:
    assert score("proportional", {"rate": rate}, measure="rate") == D(expected)


def test_proportional_negative_credit_is_zero() -> None:
    assert score("proportional", {"x": -3}) == D("0.00")


@pytest.mark.parametrize(
    ("rate", "expected"),
    [("95%", "10.00"), ("96%", "10.00"), ("94.99%", "10.00"), ("90%", "9.47"), ("47.5%", "5.00"), ("0%", "0.00")],
)
def test_proportional_to_target(rate: str, expected: str) -> None:
    assert score("proportional to 95%", {"rate": rate}, measure="rate") == D(expected)


@pytest.mark.parametrize(
    ("rate", "expected"),
    [("2%", "10.00"), ("1%", "10.00"), ("0%", "10.00"), ("4%", "5.00"), ("3%", "6.67"), ("200%", "0.10")],
)
def test_proportional_inverse(rate: str, expected: str) -> None:
    assert score("proportional inverse to 2%", {"rate": rate}, measure="rate") == D(expected)


@pytest.mark.parametrize(
    ("closed", "received", "expected"),
    [(25, 25, "10.00"), (24, 25, "9.60"), (0, 25, "0.00"), (1, 3, "3.33"), (2, 3, "6.67")],
)
def test_proportional_expression(closed: int, received: int, expected: str) -> None:
    got = score("proportional closed / received", {"closed": closed, "received": received}, measure=None)
    assert got == D(expected)


def test_proportional_takes_the_whole_product() -> None:
    # `proportional a / b` divides inside the form; (proportional a) / b would give 10 / 4.
    assert score("proportional closed / received", {"closed": 2, "received": 4}, measure=None) == D("5.00")


def test_proportional_to_zero_target_is_an_evaluation_error() -> None:
    rs = make("proportional to x", measure="rate")
    with pytest.raises(kpirules.EvaluationError, match="target `x` is 0") as err:
        rs.evaluate({"rate": "50%", "x": 0})
    assert err.value.line is not None


def test_proportional_division_by_zero_names_the_divisor() -> None:
    rs = make("proportional closed / received", measure=None)
    with pytest.raises(kpirules.EvaluationError, match="division by zero: `received` is 0") as err:
        rs.evaluate({"closed": 0, "received": 0})
    assert err.value.file == "t.toml"


# ---- tiers --------------------------------------------------------------------------------------
TIERS = "tiers { >= 95%: full, >= 90%: 80%, >= 80%: 60%, else: zero }"


@pytest.mark.parametrize(
    ("rate", "expected"),
    [
        ("100%", "10.00"),
        ("95%", "10.00"),
        ("94.99%", "8.00"),
        ("95.01%", "10.00"),
        ("90%", "8.00"),
        ("89.99%", "6.00"),
        ("80%", "6.00"),
        ("79.99%", "0.00"),
        ("0%", "0.00"),
    ],
)
def test_tiers_first_match_wins(rate: str, expected: str) -> None:
    assert score(TIERS, {"rate": rate}, measure="rate") == D(expected)


ADJUST = "tiers adjust { == 0: 3 pts, (0, 10%]: 2 pts, (10%, 20%]: 1 pt, > 20%: zero }"


@pytest.mark.parametrize(
    ("adjust", "expected"),
    [
        ("0%", "3.00"),
        ("0.01%", "2.00"),
        ("10%", "2.00"),
        ("10.01%", "1.00"),
        ("20%", "1.00"),
        ("20.01%", "0.00"),
        ("80%", "0.00"),
    ],
)
def test_tiers_intervals_open_and_closed_ends(adjust: str, expected: str) -> None:
    measures = {"adjust": {"type": "rate"}}
    assert score(ADJUST, {"adjust": adjust}, weight=3, measure=None, measures=measures) == D(expected)


@pytest.mark.parametrize(
    ("rate", "expected"),
    [
        ("90%", "5.00"),
        ("89.99%", "4.00"),
        ("80%", "4.00"),
        ("79.99%", "3.00"),
        ("70%", "3.00"),
        ("69.99%", "2.00"),
        ("60%", "2.00"),
        ("59.99%", "0.00"),
    ],
)
def test_tiers_half_open_intervals_lower_bound_included(rate: str, expected: str) -> None:
    # 重点支出安排率≥90%,计5分;80%(含)-90%,计4分;70%(含)-80%,计3分;60%(含)-70%,计2分;低于60%不得分
    rule = "tiers { >= 90%: 5 pts\n [80%, 90%): 4 pts\n [70%, 80%): 3 pts\n [60%, 70%): 2 pts\n < 60%: zero }"
    assert score(rule, {"rate": rate}, weight=5, measure="rate") == D(expected)


@pytest.mark.parametrize(
    ("interval", "inside", "outside"),
    [
        ("[1, 2]", ["1", "1.5", "2"], ["0.99", "2.01"]),
        ("[1, 2)", ["1", "1.99"], ["2", "0.99"]),
        ("(1, 2]", ["1.01", "2"], ["1", "2.01"]),
        ("(1, 2)", ["1.01", "1.99"], ["1", "2"]),
    ],
)
def test_interval_ends(interval: str, inside: list[str], outside: list[str]) -> None:
    rs = make(f"tiers {{ {interval}: full, else: zero }}")
    for x in inside:
        assert rs.evaluate({"x": x})["i"].score == D("10.00"), x
    for x in outside:
        assert rs.evaluate({"x": x})["i"].score == D("0.00"), x


def test_tiers_without_matching_band_is_an_evaluation_error() -> None:
    rs = make("tiers { >= 95%: full, >= 90%: 50% }", measure="rate")
    with pytest.raises(kpirules.EvaluationError, match=r"no band of these tiers matches rate = 0\.80") as err:
        rs.evaluate({"rate": "80%"})
    assert err.value.hint is not None and "else" in err.value.hint


def test_tiers_over_a_level_subject() -> None:
    rule = "tiers rating { >= 良: full, == 中: 50%, else: zero }"
    rs = make(rule, measure=None)
    got = {label: rs.evaluate({"rating": label})["i"].score for label in ["优", "良", "中", "差"]}
    assert got == {"优": D("10.00"), "良": D("10.00"), "中": D("5.00"), "差": D("0.00")}


def test_tiers_bands_separated_by_new_lines_and_comments() -> None:
    rule = """tiers {
        >= 95%: full      # 满分
        >= 90%: 80%
        else: zero
    }"""
    assert score(rule, {"rate": "92%"}, measure="rate") == D("8.00")


def test_tiers_bound_may_be_a_measure() -> None:
    rule = "tiers { >= target: full, else: zero }"
    measures = {"x": {"type": "number"}, "target": {"type": "number"}}
    assert score(rule, {"x": 5, "target": 5}, measures=measures) == D("10.00")
    assert score(rule, {"x": 4, "target": 5}, measures=measures) == D("0.00")


# ---- deduct -------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("rate", "expected"),
    [
        ("95%", "10.00"),
        ("100%", "10.00"),
        ("94%", "9.50"),
        ("90%", "7.50"),
        ("94.99%", "10.00"),
        ("94.5%", "9.75"),
        ("75%", "0.00"),
        ("0%", "0.00"),
    ],
)
def test_deduct_linear_below(rate: str, expected: str) -> None:
    assert score("deduct 0.5 pts per 1% below 95%", {"rate": rate}, measure="rate") == D(expected)


@pytest.mark.parametrize(
    ("rate", "expected"), [("2%", "5.00"), ("1%", "5.00"), ("3%", "4.00"), ("2.5%", "4.50"), ("7%", "0.00")]
)
def test_deduct_linear_above(rate: str, expected: str) -> None:
    assert score("deduct 1 pt per 1% above 2%", {"rate": rate}, weight=5, measure="rate") == D(expected)


@pytest.mark.parametrize(
    ("rate", "expected"),
    [("100%", "8.00"), ("99.27%", "8.00"), ("95.01%", "8.00"), ("95%", "6.00"), ("90.5%", "6.00"), ("90%", "4.00")],
)
def test_deduct_whole_steps(rate: str, expected: str) -> None:
    # 100%计满分,每低于5%扣2分: 99.27% was scored full in practice.
    assert score("deduct 2 pts per whole 5% below 100%", {"rate": rate}, weight=8, measure="rate") == D(expected)


@pytest.mark.parametrize(
    ("rate", "expected"),
    [("100%", "10.00"), ("99.99%", "8.00"), ("99%", "8.00"), ("98.99%", "6.00"), ("96%", "2.00"), ("50%", "0.00")],
)
def test_deduct_started_steps(rate: str, expected: str) -> None:
    # 不满1%按1%计算
    assert score("deduct 2 pts per started 1% below 100%", {"rate": rate}, measure="rate") == D(expected)


@pytest.mark.parametrize(("n", "expected"), [(0, "2.00"), (1, "1.50"), (3, "0.50"), (4, "0.00"), (100, "0.00")])
def test_deduct_each(n: int, expected: str) -> None:
    assert score("deduct 0.5 pts each", {"n": n}, weight=2, measure="n") == D(expected)


def test_deduct_several_counts_with_score_arithmetic() -> None:
    rule = "full - 0.2 pts * n - 0.5 pts * m"
    assert score(rule, {"n": 3, "m": 2}, measure=None) == D("8.40")
    assert score(rule, {"n": 50, "m": 0}, measure=None) == D("0.00")  # clamped at zero


def test_deduct_floors_inside_the_form() -> None:
    # The deduction stops at zero by itself, so adding 2 points afterwards gives 2, not less.
    rule = "deduct 5 pts per 1% below 95% + 2 pts"
    assert score(rule, {"rate": "50%"}, measure="rate") == D("2.00")


def test_deduct_zero_step_is_an_evaluation_error() -> None:
    measures = {"rate": {"type": "rate"}, "s": {"type": "rate"}}
    rs = make("deduct 1 pt per s below 95%", measure="rate", measures=measures)
    with pytest.raises(kpirules.EvaluationError, match="step `s` is 0"):
        rs.evaluate({"rate": "90%", "s": 0})


# ---- checklist ----------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("ok", "ok2", "n", "expected"),
    [(True, True, 1, "3.00"), (True, False, 1, "2.00"), (False, False, 0, "0.00"), (False, True, 5, "2.00")],
)
def test_checklist_sums_items_that_hold(ok: bool, ok2: bool, n: int, expected: str) -> None:
    rule = "checklist { ok: 1 pt, ok2: 1 pt, n >= 1: 1 pt }"
    assert score(rule, {"ok": ok, "ok2": ok2, "n": n}, weight=3, measure=None) == D(expected)


def test_checklist_unequal_items_and_chinese_points() -> None:
    rule = "checklist {\n ok: 1分\n ok2: 2 pts\n}"
    assert score(rule, {"ok": True, "ok2": True}, weight=3, measure=None) == D("3.00")


# ---- grade --------------------------------------------------------------------------------------
@pytest.mark.parametrize(("label", "expected"), [("优", "5.00"), ("良", "4.00"), ("中", "3.00"), ("差", "0.00")])
def test_grade_single_scores(label: str, expected: str) -> None:
    rule = "grade { 优: full, 良: 80%, 中: 60%, 差: zero }"
    assert score(rule, {"rating": label}, weight=5, measure="rating") == D(expected)


def test_grade_with_quoted_labels_and_subject() -> None:
    rule = 'grade rating { "优": full, "良": 4 pts, "中": 3 pts, "差": zero }'
    assert score(rule, {"rating": "良"}, weight=5, measure=None) == D("4.00")


JUDGED = "grade { 达成: [80%, 100%], 部分达成: [60%, 80%), 未达成: [0, 60%) } by awarded"


@pytest.mark.parametrize(
    ("label", "awarded", "expected"),
    [
        ("达成", "8", "8.00"),
        ("达成", "10", "10.00"),
        ("达成", "9.25", "9.25"),
        ("部分达成", "6", "6.00"),
        ("部分达成", "7.99", "7.99"),
        ("未达成", "0", "0.00"),
        ("未达成", "5.99", "5.99"),
    ],
)
def test_grade_judged_interval_takes_awarded_points(label: str, awarded: str, expected: str) -> None:
    assert score(JUDGED, {"judged": label, "awarded": awarded}, measure="judged") == D(expected)


@pytest.mark.parametrize(
    ("label", "awarded"), [("达成", "7.99"), ("部分达成", "8"), ("部分达成", "5.99"), ("未达成", "6")]
)
def test_grade_awarded_outside_the_band_names_both(label: str, awarded: str) -> None:
    rs = make(JUDGED, measure="judged")
    with pytest.raises(kpirules.EvaluationError) as err:
        rs.evaluate({"judged": label, "awarded": awarded})
    assert f"awarded = {awarded}" in err.value.message and f"'{label}'" in err.value.message


def test_grade_missing_band_for_a_level_is_an_evaluation_error() -> None:
    rs = make("grade { 优: full, 良: 80% }", measure="rating")
    with pytest.raises(kpirules.EvaluationError, match="no band for '差'"):
        rs.evaluate({"rating": "差"})


# ---- if / then / else and score arithmetic --------------------------------------------------------
@pytest.mark.parametrize(("rate", "expected"), [("96%", "10.00"), ("95%", "10.00"), ("76%", "8.00"), ("0%", "0.00")])
def test_if_then_else_nests_score_forms(rate: str, expected: str) -> None:
    rule = "if value >= 95% then full else proportional to 95%"
    assert score(rule, {"rate": rate}, measure="rate") == D(expected)


@pytest.mark.parametrize(
    ("rate", "expected"), [("50%", "4.50"), ("60%", "5.00"), ("30%", "3.50"), ("100%", "5.00"), ("0%", "2.00")]
)
def test_min_caps_a_sum_of_scores(rate: str, expected: str) -> None:
    assert score("min(full, 2 pts + proportional)", {"rate": rate}, weight=5, measure="rate") == D(expected)


def test_max_and_score_times_number_and_score_divided() -> None:
    assert score("max(2 pts, proportional)", {"rate": "10%"}, measure="rate") == D("2.00")
    assert score("full / 4 + 50% * full", {"rate": "10%"}, measure="rate") == D("7.50")
    assert score("n * 1 pt", {"n": 3}, measure=None) == D("3.00")


def test_raw_score_is_clamped_then_rounded() -> None:
    rs = make("2 pts * x", measure="x")
    assert rs.evaluate({"x": 7})["i"].score == D("10.00")
    assert rs.evaluate({"x": 7})["i"].raw == D("14")
    assert rs.evaluate({"x": -1})["i"].score == D("0.00")
    assert rs.evaluate({"x": "1.2345"})["i"].score == D("2.47")


# ---- expressions --------------------------------------------------------------------------------
def test_expression_functions_and_permille() -> None:
    measures = {"x": {"type": "number"}, "y": {"type": "number"}}
    assert score("pass if abs(x - y) <= 5‰", {"x": "1.004", "y": 1}, measures=measures) == D("10.00")
    assert score("pass if abs(x - y) <= 5‰", {"x": "1.006", "y": 1}, measures=measures) == D("0.00")
    assert score("pass if min(x, y, 3) == 1 and max(x, y) > 1", {"x": 2, "y": 1}, measures=measures) == D("10.00")


@pytest.mark.parametrize(("rate", "expected"), [("49.88%", "5.00"), ("49.49%", "4.90"), ("49.5%", "5.00")])
def test_round_a_rate_before_scoring_it(rate: str, expected: str) -> None:
    # 海淀 2016: 49.88% is printed as 50% and scored 5 of 10.
    assert score("proportional round(value, 2)", {"rate": rate}, measure="rate") == D(expected)


def test_expression_if_and_unicode_identifiers() -> None:
    measures = {"预算执行率": {"type": "rate"}, "x": {"type": "number"}}
    rule = "proportional (if 预算执行率 > 1 then 1 else 预算执行率)"
    assert score(rule, {"预算执行率": "47.4%"}, measure=None, measures=measures) == D("4.74")


def test_unicode_comparison_operators() -> None:
    assert score("pass if value ≥ 95%", {"rate": "95%"}, measure="rate") == D("10.00")
    assert score("pass if value ≤ 95%", {"rate": "96%"}, measure="rate") == D("0.00")
    assert score("pass if value ≠ 95%", {"rate": "95%"}, measure="rate") == D("0.00")


def test_level_ordering_is_best_first() -> None:
    rs = make('pass if rating >= "良"', measure=None)
    got = {label: rs.evaluate({"rating": label})["i"].score for label in ["优", "良", "中", "差"]}
    assert got == {"优": D("10.00"), "良": D("10.00"), "中": D("0.00"), "差": D("0.00")}
    rs = make("pass if rating < 良", measure=None)
    assert [rs.evaluate({"rating": lb})["i"].score for lb in ["优", "良", "中"]] == [D("0.00"), D("0.00"), D("10.00")]


# ---- exactness ----------------------------------------------------------------------------------
def test_exact_decimal_arithmetic() -> None:
    assert score("proportional", {"rate": 0.474}, measure="rate") == D("4.74")  # never 4.7399999
    assert score("proportional", {"x": "0.9995"}, measure="x") == D("10.00")
    assert make("proportional", measure="x").evaluate({"x": "0.9995"})["i"].raw == D("9.9950")


@pytest.mark.parametrize(
    ("x", "expected"), [("0.9995", "10.00"), ("0.0005", "0.01"), ("0.0015", "0.02"), ("0.0025", "0.03")]
)
def test_half_up_rounding(x: str, expected: str) -> None:
    # 9.995 rounds half up to 10.00; 0.025 to 0.03 (half-even would give 0.02).
    assert score("proportional", {"x": x}, measure="x") == D(expected)


def test_half_even_rounding_on_request() -> None:
    text_extra = ""
    rs = kpirules.loads(
        '[ruleset]\nid = "t"\nrounding = "half-even"\n[measures.x]\ntype = "number"\n'
        '[[indicators]]\nid = "i"\nweight = 10\nmeasure = "x"\nrule = "proportional"\n' + text_extra
    )
    assert rs.evaluate({"x": "0.0025"})["i"].score == D("0.02")
    assert rs.evaluate({"x": "0.0035"})["i"].score == D("0.04")


def test_precision_zero_and_four() -> None:
    for precision, expected in [(0, "5"), (4, "4.7426")]:
        rs = kpirules.loads(
            f'[ruleset]\nid = "t"\nprecision = {precision}\n[measures.x]\ntype = "number"\n'
            '[[indicators]]\nid = "i"\nweight = 10\nmeasure = "x"\nrule = "proportional"\n'
        )
        assert rs.evaluate({"x": "0.474255"})["i"].score == D(expected)


def test_non_terminating_quotient_rounds_like_the_exact_fraction() -> None:
    # 10 × 2/3 = 6.666… → 6.67; 10 × 1/3 → 3.33; 5 × 1/8 = 0.625 exactly → 0.63 half-up.
    assert score("proportional closed / received", {"closed": 2, "received": 3}, measure=None) == D("6.67")
    assert score("proportional closed / received", {"closed": 1, "received": 8}, weight=5, measure=None) == D("0.63")


@pytest.mark.parametrize(
    ("rule", "expected"),
    [
        ("80% * 0.5", "4.00"),
        ("0.5 * 80%", "4.00"),
        ("80% * x", "4.00"),
        ("80% * 50%", "4.00"),
        ("80% / 2", "4.00"),
        ("50% * full", "5.00"),
        ("full * 0.5 - 1 pt", "4.00"),
    ],
)
def test_a_share_of_the_weight_times_a_number_is_a_score(rule: str, expected: str) -> None:
    assert score(rule, {"x": "0.5"}, measure=None) == D(expected)


# ---- boundaries reached through quotients that do not terminate ---------------------------------
REPEATING = {
    "closed": {"type": "count"},
    "received": {"type": "count"},
    "r": {"type": "rate", "formula": "closed / received * 3"},
}


def test_score_on_a_rounding_boundary_through_a_repeating_quotient() -> None:
    # 3 × 5/24 is exactly 0.625: half up 0.63, half even 0.62; 5/24 itself never terminates
    assert score("proportional closed / received", {"closed": 5, "received": 24}, weight=3, measure=None) == D("0.63")
    rs = kpirules.loads(
        '[ruleset]\nid = "t"\nrounding = "half-even"\n[measures.closed]\ntype = "count"\n[measures.received]\n'
        'type = "count"\n[[indicators]]\nid = "i"\nweight = 3\nrule = "proportional closed / received"\n'
    )
    assert rs.evaluate({"closed": 5, "received": 24})["i"].score == D("0.62")


def test_comparison_and_steps_on_a_boundary_through_a_repeating_quotient() -> None:
    values = {"closed": 5, "received": 24}  # r = 5/24 × 3 = 0.625 exactly
    assert score("pass if r >= 62.5%", values, measure=None, measures=REPEATING) == D("10.00")
    assert score("tiers { > 62.5%: full, else: zero }", values, measure="r", measures=REPEATING) == D("0.00")
    # 100% − 62.5% is exactly three steps of 12.5%: started steps must not count a fourth
    rule = "deduct 1 pt per started 12.5% below 100%"
    assert score(rule, values, measure="r", measures=REPEATING) == D("7.00")
    assert score("proportional round(r, 2)", values, measure="r", measures=REPEATING) == D("6.30")
