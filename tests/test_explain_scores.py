"""Every operation on a score leaves a step, and every explanation ends at the indicator's score.

Issue 10, item 2: arithmetic on scores used to leave no trace, so an explanation could end at a
figure other than the score (`…扣 1.25 分，得 8.75 分` for a score of 7.50), and a rule such as
`full - 0.2 pts * a - 0.5 pts * b` showed no working at all.
"""

from __future__ import annotations

import re
from decimal import Decimal as D
from typing import Any

import pytest
from support import make, ruleset_text

import kpirules
from kpirules import trace

_FIGURE = re.compile(r"\d+(?:\.\d+)?(?:E[+-]?\d+)?")


def last_figure(text: str) -> D:
    """The last number an explanation shows (a sign before it is not part of the figure)."""
    return D(_FIGURE.findall(text)[-1])


def explained(rule: str, values: dict[str, Any], lang: str, **kwargs: Any) -> tuple[str, D]:
    """The explanation of the one indicator, which must end at its score, and the score."""
    item = make(rule, **kwargs).evaluate(values)["i"]
    text = item.explain(lang)
    assert last_figure(text) == item.score, text
    return text, item.score


# ---- the examples of the issue -------------------------------------------------------------------
ON_TIME = {"on_time": {"type": "rate"}}


@pytest.mark.parametrize(
    ("lang", "lines"),
    [
        (
            "zh",
            [
                "扣分：92.5% 低于 100% 7.5%，每 1% 扣 0.5 分，计 7.5 档（按比例计），扣 3.75 分，得 6.25 分",
                "计算「0.5 pts * max(0, (95% - on_time) / 1%)」：0.5 × 2.5 = 1.25 分",
                "计算「deduct 0.5 pts per 1% below 100% - 0.5 pts * max(0, (95% …」：6.25 - 1.25 = 5 分",
            ],
        ),
        (
            "en",
            [
                "deduction: 92.5% is 7.5% below 100%; 0.5 points per 1%, 7.5 steps (linear), minus 3.75: 6.25 points",
                "calculation `0.5 pts * max(0, (95% - on_time) / 1%)`: 0.5 × 2.5 = 1.25 points",
                "calculation `deduct 0.5 pts per 1% below 100% - 0.5 pts * max(0, (95% …`: 6.25 - 1.25 = 5 points",
            ],
        ),
    ],
)
def test_a_deduction_minus_a_penalty_ends_at_the_score(lang: str, lines: list[str]) -> None:
    rule = "deduct 0.5 pts per 1% below 100% - 0.5 pts * max(0, (95% - on_time) / 1%)"
    text, score = explained(rule, {"on_time": "92.5%"}, lang, measure="on_time", measures=ON_TIME)
    assert score == D("5.00")
    assert text.splitlines()[-3:] == ["  " + line for line in lines]


@pytest.mark.parametrize(
    ("lang", "lines"),
    [
        (
            "zh",
            [
                "计算「0.2 pts * n」：0.2 × 3 = 0.6 分",
                "计算「full - 0.2 pts * n」：10 - 0.6 = 9.4 分",
                "计算「0.5 pts * m」：0.5 × 2 = 1 分",
                "计算「full - 0.2 pts * n - 0.5 pts * m」：9.4 - 1 = 8.4 分",
            ],
        ),
        (
            "en",
            [
                "calculation `0.2 pts * n`: 0.2 × 3 = 0.6 points",
                "calculation `full - 0.2 pts * n`: 10 - 0.6 = 9.4 points",
                "calculation `0.5 pts * m`: 0.5 × 2 = 1 point",
                "calculation `full - 0.2 pts * n - 0.5 pts * m`: 9.4 - 1 = 8.4 points",
            ],
        ),
    ],
)
def test_full_minus_penalties_shows_its_working(lang: str, lines: list[str]) -> None:
    text, _ = explained("full - 0.2 pts * n - 0.5 pts * m", {"n": 3, "m": 2}, lang, measure=None)
    assert text.splitlines()[-4:] == ["  " + line for line in lines]


# ---- each operation on scores ------------------------------------------------------------------
@pytest.mark.parametrize(
    ("rule", "values", "zh", "en"),
    [
        (
            "proportional + 1 pt",
            {"rate": "50%"},
            "计算「proportional + 1 pt」：5 + 1 = 6 分",
            "calculation `proportional + 1 pt`: 5 + 1 = 6 points",
        ),
        (
            "proportional - 2 pts",
            {"rate": "50%"},
            "计算「proportional - 2 pts」：5 - 2 = 3 分",
            "calculation `proportional - 2 pts`: 5 - 2 = 3 points",
        ),
        (
            "proportional * 1.5",
            {"rate": "50%"},
            "计算「proportional * 1.5」：5 × 1.5 = 7.5 分",
            "calculation `proportional * 1.5`: 5 × 1.5 = 7.5 points",
        ),
        (
            "2 * proportional",
            {"rate": "20%"},
            "计算「2 * proportional」：2 × 2 = 4 分",
            "calculation `2 * proportional`: 2 × 2 = 4 points",
        ),
        (
            "50% * n",
            {"rate": "1%", "n": 3},
            "计算「50% * n」：5 × 3 = 15 分",
            "calculation `50% * n`: 5 × 3 = 15 points",
        ),
        (
            "proportional / 4",
            {"rate": "50%"},
            "计算「proportional / 4」：5 ÷ 4 = 1.25 分",
            "calculation `proportional / 4`: 5 / 4 = 1.25 points",
        ),
        (
            "proportional (tiers { >= 90%: 8 pts, else: zero } / full)",
            {"rate": "92%"},
            "计算「tiers { >= 90%: 8 pts, else: zero } / full」：8 ÷ 10 = 0.8\n",
            "calculation `tiers { >= 90%: 8 pts, else: zero } / full`: 8 / 10 = 0.8\n",
        ),
        (
            "full - proportional",
            {"rate": "30%"},
            "计算「full - proportional」：10 - 3 = 7 分",
            "calculation `full - proportional`: 10 - 3 = 7 points",
        ),
        (
            "2 pts - -proportional",
            {"rate": "30%"},
            "计算「-proportional」：-(3) = -3 分\n  计算「2 pts - -proportional」：2 - (-3) = 5 分",
            "calculation `-proportional`: -(3) = -3 points\n  calculation `2 pts - -proportional`: 2 - (-3) = 5 points",
        ),
        (
            "abs(1 pt - proportional)",
            {"rate": "30%"},
            "计算「abs(1 pt - proportional)」：abs(-2) = 2 分",
            "calculation `abs(1 pt - proportional)`: abs(-2) = 2 points",
        ),
        (
            "min(full, 2 pts + proportional)",
            {"rate": "90%"},
            "计算「min(full, 2 pts + proportional)」：min(10, 11) = 10 分",
            "calculation `min(full, 2 pts + proportional)`: min(10, 11) = 10 points",
        ),
        (
            "max(1 pt, proportional, 2 pts)",
            {"rate": "15%"},
            "计算「max(1 pt, proportional, 2 pts)」：max(1, 1.5, 2) = 2 分",
            "calculation `max(1 pt, proportional, 2 pts)`: max(1, 1.5, 2) = 2 points",
        ),
        (
            "if rate >= 95% then full else 80%",
            {"rate": "90%"},
            "条件「rate >= 95%」不成立，取 else 分支，得 8 分",
            "`rate >= 95%` fails: the else branch, 8 points",
        ),
        (
            "pass if proportional >= 5 pts",
            {"rate": "60%"},
            "比较「proportional >= 5 pts」：6 >= 5，成立\n  条件成立，得满分 10 分",
            "comparison `proportional >= 5 pts`: 6 >= 5 holds\n  the condition holds: full marks, 10 points",
        ),
    ],
    ids=lambda value: value if isinstance(value, str) and value.isascii() else "",
)
def test_each_operation_on_scores_leaves_a_step(rule: str, values: dict[str, Any], zh: str, en: str) -> None:
    for lang, line in (("zh", zh), ("en", en)):
        text, _ = explained(rule, values, lang, measure="rate")
        assert "  " + line in text + "\n", text


def test_the_step_records_the_operation_and_its_operands() -> None:
    item = make("full - 0.5 pts * n", measure=None).evaluate({"n": 3})["i"]
    assert [(s.func, s.args, s.points) for s in item.trace if isinstance(s, trace.CombineStep)] == [
        ("*", (D("0.5"), D(3)), D("1.5")),
        ("-", (D(10), D("1.5")), D("8.5")),
    ]
    (step,) = make("pass if proportional > 1 pt", measure="rate").evaluate({"rate": "5%"})["i"].trace[1:2]
    assert isinstance(step, trace.CompareStep) and (step.op, step.left, step.right, step.held) == (
        ">",
        D("0.5"),
        D(1),
        False,
    )


def test_a_branch_that_is_a_constant_still_states_its_points() -> None:
    for lang, line in (
        ("zh", "条件「ok」成立，取 then 分支，得 10 分"),
        ("en", "`ok` holds: the then branch, 10 points"),
    ):
        text, _ = explained("if ok then full else proportional", {"ok": True}, lang, measure="rate")
        assert text.endswith(line)


# ---- the order of the steps ends at the rule's points ------------------------------------------------
def test_nested_forms_end_at_the_outer_forms_points() -> None:
    text, score = explained(
        "checklist { ok: proportional, ok2: 2 pts }", {"ok": True, "ok2": True, "rate": "30%"}, "zh", measure="rate"
    )
    assert text.endswith("清单：✓ ok: proportional; ✓ ok2: 2 pts，合计 5 分") and score == D("5.00")
    text, _ = explained("pass if proportional * 2 >= full else 1 pt", {"rate": "30%"}, "en", measure="rate")
    assert text.endswith("comparison `proportional * 2 >= full`: 6 >= 10 fails\n  the condition fails: 1 point")
    text, _ = explained(
        "tiers { >= 90%: proportional to 95%, else: zero }", {"rate": "92%"}, "en", measure="rate", weight=5
    )
    assert "falls in band 1 `>= 90%: proportional to 95%`: ≈4.8421 points\n  proportional: 92% / 95%" in text


# ---- the rule's points to the score: a constant, the clamp, the rounding ---------------------------
@pytest.mark.parametrize(("lang", "line"), [("zh", "固定分值 8 分"), ("en", "a fixed score of 8 points")])
def test_a_constant_rule_states_its_points(lang: str, line: str) -> None:
    text, _ = explained("full - 2 pts", {}, lang, measure=None)
    assert text.endswith("\n  " + line)


@pytest.mark.parametrize(
    ("lang", "lines"),
    [
        ("zh", ["计算「2 pts * x + 1 pt」：14 + 1 = 15 分", "计算得分 15 超过分值 10，按 10 计"]),
        (
            "en",
            ["calculation `2 pts * x + 1 pt`: 14 + 1 = 15 points", "computed 15 exceeds the weight 10: counted as 10"],
        ),
    ],
)
def test_the_clamp_follows_the_arithmetic(lang: str, lines: list[str]) -> None:
    text, _ = explained("2 pts * x + 1 pt", {"x": 7}, lang)
    assert text.splitlines()[-2:] == ["  " + line for line in lines]


@pytest.mark.parametrize(
    ("lang", "line"),
    [("zh", "保留 8 位小数（四舍五入）：0.00781250"), ("en", "rounded to 8 decimals (half up): 0.00781250")],
)
def test_a_figure_shown_rounded_is_followed_by_the_exact_score(lang: str, line: str) -> None:
    # 1/128 of the weight is 0.0078125, which reads ≈0.0078: rounding it to 8 decimals changes
    # nothing, and the explanation still ends at the score
    text = ruleset_text("proportional closed / received", measure=None, weight=1).replace(
        'id = "t"', 'id = "t"\nprecision = 8', 1
    )
    item = kpirules.loads(text).evaluate({"closed": 1, "received": 128})["i"]
    assert item.explain(lang).endswith("≈ 0.0078 " + ("分" if lang == "zh" else "points") + "\n  " + line)
    assert last_figure(item.explain(lang)) == item.score


@pytest.mark.parametrize(("lang", "word"), [("zh", "无数值"), ("en", "no value")])
def test_a_measure_the_rule_reads_is_named_even_without_a_value(lang: str, word: str) -> None:
    # the branch taken does not read rate, so the unit scores without it
    text, _ = explained("if ok then full else proportional", {"ok": True}, lang, measure="rate")
    assert (f"ok = 是；rate = {word}" if lang == "zh" else f"ok = yes; rate = {word}") in text


@pytest.mark.parametrize(
    ("lang", "line"),
    [
        ("zh", "扣分：96% 未低于 95%，不扣分，得 10 分"),
        ("en", "deduction: 96% is not below 95%, nothing deducted: 10 points"),
    ],
)
def test_a_deduction_with_nothing_to_deduct_reads_no_more_when_explained(lang: str, line: str) -> None:
    # scoring does not read the amount when nothing is deducted; explaining used to, and its
    # division by zero left the explanation with no step at all
    text, _ = explained("deduct (1 pt / n) per 1% below 95%", {"rate": "96%", "n": 0}, lang, measure="rate")
    assert text.endswith("\n  " + line)
