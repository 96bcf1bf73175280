"""Issue 15, items 9 and 10: weights shared among siblings ("15 分 ÷ 个数, 四舍五入"), values published
as bounds ("≥90%") and rows the published table does not show."""

from __future__ import annotations

from decimal import Decimal

import pytest
from support import says

import kpirules
from kpirules.linter import lint_text
from kpirules.messages import use_language

SHARED = (
    """
[ruleset]
id = "shared"
total = 25
precision = 2

[measures.r]
type = "rate"
range = [0, 1]

[measures.done]
type = "bool"
"""
    + "".join(
        f"""
[[indicators]]
id = "s{i}"
path = ["满意度"]
weight = "15 / siblings"
measure = "r"
rule = "proportional"
"""
        for i in range(7)
    )
    + """
[[indicators]]
id = "other"
path = ["管理"]
weight = 10
rule = "pass if done"

[[groups]]
path = ["满意度"]
weight = 15
"""
)


def test_a_weight_shared_among_siblings_is_rounded_at_load() -> None:
    rs = kpirules.loads(SHARED)
    shares = [ind for ind in rs.indicators if ind.path == ("满意度",)]
    assert [ind.weight for ind in shares] == [Decimal("2.14")] * 7  # 15 ÷ 7 = 2.142857…, 四舍五入
    assert shares[0].share is not None and shares[0].share.siblings == 7
    assert rs.indicator("other").weight == Decimal(10) and rs.indicator("other").share is None
    assert rs.weight_sum == Decimal("24.98")
    assert rs.warnings == ()  # the rounding is the standard's, not a slip: no KPI-W201/W202
    codes = {d.code for d in lint_text(SHARED, "shared.toml")}
    assert "KPI-W201" not in codes and "KPI-W202" not in codes
    result = rs.evaluate({"r": "90%", "done": True})
    assert result["s0"].score == Decimal("1.93")  # 2.14 × 90 % = 1.926
    assert result.total == Decimal("23.51")


def _four(header: str) -> str:
    rows = "".join(
        f'[[indicators]]\nid = "a{i}"\npath = ["x"]\nweight = "15 / siblings"\nmeasure = "r"\nrule = "proportional"\n'
        for i in range(4)
    )
    return f'[ruleset]\nid = "four"\ntotal = 15\n{header}\n[measures.r]\ntype = "rate"\n' + rows


def test_four_siblings_share_exactly_and_the_rounding_is_the_rulesets() -> None:
    rs = kpirules.loads(_four("precision = 2"))
    assert [ind.weight for ind in rs.indicators] == [Decimal("3.75")] * 4
    assert rs.warnings == ()
    assert [ind.weight for ind in kpirules.loads(_four("precision = 1")).indicators] == [Decimal("3.8")] * 4
    even = kpirules.loads(_four('precision = 0\nrounding = "half-even"'))
    assert [ind.weight for ind in even.indicators] == [Decimal("4")] * 4  # 3.75 → 4
    assert even.warnings == ()  # 16, but four shares of 15


def test_a_real_weight_error_is_still_reported() -> None:
    text = SHARED.replace("weight = 10\n", "weight = 9\n")
    rs = kpirules.loads(text)
    assert [w.code for w in rs.warnings] == ["KPI-W201"]
    wrong_group = SHARED.replace('path = ["满意度"]\nweight = 15', 'path = ["满意度"]\nweight = 14')
    assert [w.code for w in kpirules.loads(wrong_group).warnings] == ["KPI-W202"]


@pytest.mark.parametrize("weight", ['"15 ÷ siblings"', '"15 / count"', '"siblings / 15"', '"x / siblings"'])
@pytest.mark.parametrize("lang", ["en", "zh"])
def test_a_weight_expression_that_is_not_one(weight: str, lang: str) -> None:
    text = SHARED.replace('weight = "15 / siblings"', f"weight = {weight}", 1)
    with use_language(lang), pytest.raises(kpirules.RulesetError) as err:
        kpirules.loads(text, name="s.toml")
    assert err.value.line == 17 and err.value.code == "KPI-S104"
    says(err.value.message, lang, "neither a number nor a share among sibling indicators")
    says(err.value.hint or "", lang, '"15 / siblings"')


def test_a_shared_weight_of_zero_is_refused() -> None:
    with pytest.raises(kpirules.RulesetError) as err:
        kpirules.loads(SHARED.replace('"15 / siblings"', '"0 / siblings"'))
    assert "greater than 0" in err.value.message


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_explanation_says_how_the_weight_came(lang: str) -> None:
    result = kpirules.loads(SHARED).evaluate({"r": "90%", "done": True})
    text = result["s0"].explain(lang)
    says(text, lang, "15 points / 7 siblings = 2.14 points (half up)")
    if lang == "zh":
        assert "15 分 ÷ 7 个同级指标 = 2.14 分（四舍五入）" in text
