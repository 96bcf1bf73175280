"""Traces record what each form did; explanations say it in Chinese and in English."""

from __future__ import annotations

from decimal import Decimal as D

import pytest
from support import make

from kpirules.forms.deduct import DeductStep
from kpirules.forms.tiers import TiersStep


def explained(rule: str, values: dict[str, object], lang: str = "zh", **kwargs: object) -> str:
    return make(rule, **kwargs).evaluate(values)["i"].explain(lang)  # type: ignore[arg-type]


def test_deduct_trace_and_words() -> None:
    item = make("deduct 0.5 pts per 1% below 95%", measure="rate").evaluate({"rate": "90%"})["i"]
    (step,) = item.trace
    assert isinstance(step, DeductStep)
    assert (step.gap, step.steps, step.deduction, step.points) == (D("0.05"), D(5), D("2.5"), D("7.5"))
    assert "扣分：90% 低于 95% 5%，每 1% 扣 0.5 分，计 5 档（按比例计），扣 2.5 分，得 7.5 分" in item.explain("zh")
    assert "deduction: 90% is 5% below 95%; 0.5 points per 1%, 5 steps (linear), minus 2.5: 7.5 points" in item.explain(
        "en"
    )


def test_whole_and_started_steps_are_named() -> None:
    assert "计 0 档（只计整档）" in explained(
        "deduct 2 pts per whole 5% below 100%", {"rate": "99.27%"}, measure="rate"
    )
    assert "every started step" in explained(
        "deduct 2 pts per started 1% below 100%", {"rate": "98.5%"}, "en", measure="rate"
    )


def test_tiers_names_the_band_that_matched() -> None:
    rule = "tiers { >= 95%: full, >= 90%: 80%, else: zero }"
    item = make(rule, measure="rate").evaluate({"rate": "92%"})["i"]
    (step,) = item.trace
    assert isinstance(step, TiersStep) and step.band == 1 and step.points == D("8.00")
    assert "符合第 2 档「>= 90%: 80%」，得 8 分" in item.explain("zh")
    assert "falls in band 2 `>= 90%: 80%`: 8 points" in item.explain("en")


def test_proportional_shows_the_ratio_and_the_cap() -> None:
    text = explained("proportional to 95%", {"rate": "100%"}, measure="rate")
    assert "100% ÷ 95% ≈ 105.26%，限定在 [0, 100%] 内为 100%，得 10 × 100% = 10 分" in text
    assert "2% / 4% = 50%" in explained("proportional inverse to 2%", {"rate": "4%"}, "en", measure="rate")


def test_pass_checklist_grade_and_branches() -> None:
    assert "条件不成立，得 5 分" in explained("pass if value >= 95% else 50%", {"rate": "90%"}, measure="rate")
    text = explained("checklist { ok: 1 pt, ok2: 2 pts }", {"ok": True, "ok2": False}, measure=None, weight=3)
    assert "清单：✓ ok: 1 pt; ✗ ok2: 2 pts，合计 1 分" in text
    assert "等级「良」，得 8 分" in explained(
        "grade { 优: full, 良: 80%, 中: 60%, 差: zero }", {"rating": "良"}, measure="rating"
    )
    text = explained("if value >= 95% then full else proportional to 95%", {"rate": "57%"}, "en", measure="rate")
    assert "`value >= 95%` fails: the else branch" in text and "57% / 95% = 60%" in text


def test_cap_and_rounding_are_explained() -> None:
    text = explained("min(full, 2 pts + proportional)", {"rate": "90%"}, measure="rate", weight=5)
    assert "min(5, 6.5) = 5" in text
    text = explained("2 pts * x", {"x": 7})
    assert "计算得分 14 超过分值 10，按 10 计" in text
    assert "保留 2 位小数（四舍五入）：3.33" in explained(
        "proportional closed / received", {"closed": 1, "received": 3}, measure=None
    )


def test_missing_value_and_override_are_explained() -> None:
    rs = make(
        "proportional",
        measure="rate",
        indicator_extra='if_missing = "full"',
        extra='[overrides.i]\nscore = 9\nreason = "复核调整"\n',
    )
    text = rs.evaluate({}, overrides=True)["i"].explain("zh")
    assert '缺少 rate 的数值；按 if_missing = "full" 计 10 分' in text
    assert "人工调整：计算得分 10.00，调整为 9.00（理由：复核调整）" in text


def test_values_are_shown_with_labels_and_units() -> None:
    measures = {"spent": {"type": "amount", "unit": "元", "label": "支出"}, "rate": {"type": "rate", "label": "执行率"}}
    text = explained("proportional", {"rate": "47.4%", "spent": 1}, measures=measures, measure="rate")
    assert "执行率 (rate) = 47.4%" in text


def test_result_explain_has_every_indicator(bishan: object) -> None:
    result = bishan.evaluate()  # type: ignore[attr-defined]
    text = result.explain("en")
    assert text.startswith("重庆市璧山区智慧城市管理指挥中心2022年度部门整体支出绩效自评\ntotal 93.74 / 100, grade 优")
    assert text.count(" points (") == 10


def test_unknown_language_is_refused() -> None:
    with pytest.raises(ValueError, match="lang must be one of zh, en"):
        make("proportional", measure="rate").evaluate({"rate": "1%"}).explain("fr")
