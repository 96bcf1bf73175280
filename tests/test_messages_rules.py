"""The rule language's messages speak the current language (issue 11): syntax errors (parser),
type errors and their hints (checker), failures while scoring (compiler, scoring forms) and what
the forms tell the linter, in Chinese with ``zh`` and, unchanged, in English with ``en``."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from click.testing import CliRunner
from support import make, ruleset_text

import kpirules
from kpirules.cli import main
from kpirules.compiler import compile_expr
from kpirules.exact import EvalFailure
from kpirules.forms import FORMS
from kpirules.kinds import Kind
from kpirules.messages import CATALOGS, use_language
from kpirules.parser import parse_rule


def syntax_error(rule: str, lang: str) -> kpirules.RuleSyntaxError:
    with use_language(lang), pytest.raises(kpirules.RuleSyntaxError) as err:
        parse_rule(rule)
    return err.value


def ruleset_error(rule: str, lang: str, **kwargs: object) -> kpirules.KpiRulesError:
    with use_language(lang), pytest.raises(kpirules.RulesetError) as err:
        make(rule, **kwargs)  # type: ignore[arg-type]
    return err.value.problems[0]


def failure(rule: str, values: dict[str, object], lang: str, **kwargs: object) -> kpirules.KpiRulesError:
    ruleset = make(rule, **kwargs)  # type: ignore[arg-type]
    with use_language(lang), pytest.raises(kpirules.KpiRulesError) as err:
        ruleset.evaluate(values)
    return err.value.problems[0]


def test_syntax_errors_list_what_was_expected_keywords_as_written() -> None:
    en = syntax_error("tiers { >= 95%: full, >= 90% 4 pts }", "en")
    zh = syntax_error("tiers { >= 95%: full, >= 90% 4 pts }", "zh")
    assert en.message == "unexpected '4 pts'; expected ':', '/', '-', '+' or '*'"
    assert zh.message == "此处不应出现 '4 pts'；应为 ':'、'/'、'-'、'+' 或 '*'"
    en = syntax_error("deduct 1 pt per", "en")
    zh = syntax_error("deduct 1 pt per", "zh")
    assert en.message == "the rule ends too early; expected an expression, 'started' or 'whole'"
    assert zh.message == "评分规则不完整，末尾还应有 表达式、'started' 或 'whole'"


def test_a_misspelt_keyword_and_a_full_width_character() -> None:
    en, zh = syntax_error("proportinal to 95%", "en"), syntax_error("proportinal to 95%", "zh")
    assert en.hint == "'proportinal' is not a keyword; did you mean 'proportional'?"
    assert zh.hint == "'proportinal' 不是关键字；是否应为 'proportional'？"
    en, zh = syntax_error("tiers { >= 95%：full }", "en"), syntax_error("tiers { >= 95%：full }", "zh")
    assert (en.message, en.hint) == ("full-width '：' in a rule", "write the ASCII ':' instead")
    assert (zh.message, zh.hint) == ("评分规则中有全角字符 '：'", "请改用半角字符 ':'")
    assert en.code == zh.code == "KPI-X401"


def test_type_errors_and_hints() -> None:
    en = ruleset_error("proportional closd / received", "en", measure=None)
    zh = ruleset_error("proportional closd / received", "zh", measure=None)
    assert (en.message, en.hint) == ("unknown measure `closd`", "did you mean `closed`?")
    assert (zh.message, zh.hint) == ("未知的数据项 `closd`", "是否应为 `closed`？")
    assert en.code == zh.code == "KPI-R101"
    en = ruleset_error("tiers { >= 95%: 4, else: zero }", "en", weight=5, measure="rate")
    zh = ruleset_error("tiers { >= 95%: 4, else: zero }", "zh", weight=5, measure="rate")
    assert en.message == "the bare number 4 cannot be a score"
    assert en.hint == "write `4 pts` for points, or `80%` for the same points as a share of the weight 5"
    assert zh.message == "单独的数字 4 不能作为得分"
    assert zh.hint == "表示分数请写 `4 pts`；或写 `80%`，即分值 5 的相应比例，得分相同"


def test_kinds_and_lists_are_said_in_the_language() -> None:
    en = ruleset_error("pass if rate", "en", measure=None)
    zh = ruleset_error("pass if rate", "zh", measure=None)
    assert en.message == "expected a condition, but `rate` is a number"
    assert zh.message == "此处应为条件，但 `rate` 是数值"
    zh = ruleset_error("grade { 优: full, 良好: 80%, 中: 60%, 差: zero }", "zh", measure="rating")
    assert zh.message == "'良好' 不是该数据项的等级；可用的等级为 优、良、中、差"
    en = ruleset_error("grade { 优: full, 良好: 80%, 中: 60%, 差: zero }", "en", measure="rating")
    assert en.message == "'良好' is not a level of this measure; the levels are 优, 良, 中, 差"


def test_failures_while_scoring() -> None:
    rule = "proportional closed / received"
    en = failure(rule, {"closed": 3, "received": 0}, "en", measure=None)
    zh = failure(rule, {"closed": 3, "received": 0}, "zh", measure=None)
    assert en.message.endswith("division by zero: `received` is 0")
    assert zh.message.endswith("除数为零：`received` 为 0")
    rule = "tiers { >= 90%: full, >= 85%: 4 pts }"
    zh = failure(rule, {"rate": "80%"}, "zh", measure="rate")
    assert zh.message.endswith("分档中没有与 rate = 0.80 匹配的档") and zh.hint == "在最后加一档 `else: …`"
    en = failure(rule, {"rate": "80%"}, "en", measure="rate")
    assert en.message.endswith("no band of these tiers matches rate = 0.80")
    assert en.hint == "add `else: …` as the last band"


def raised(rule: str, values: dict[str, object], lang: str, **kwargs: object) -> EvalFailure:
    """The failure of the compiled rule itself, before the evaluator adds the indicator."""
    ruleset = make(rule, **kwargs)  # type: ignore[arg-type]
    ind = ruleset.indicators[0]
    fn = compile_expr(ind.rule, ruleset.checked[ind.id], ind.rule_source, weight=ind.weight, subject=ind.measure)
    with use_language(lang), pytest.raises(EvalFailure) as err:
        fn({name: value if isinstance(value, str) else Decimal(str(value)) for name, value in values.items()}, None)
    return err.value


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_a_failure_names_its_kind_in_no_language(lang: str) -> None:
    """Code that tells failures apart reads ``key``, never the words."""
    grade = "grade { 优: [8 pts, 10 pts], 良: [6 pts, 8 pts) } by awarded"
    outside = raised(grade, {"rating": "良", "awarded": 9}, lang, measure="rating")
    assert outside.key == "grade_outside_band"
    assert ("outside the band" in outside.message) == (lang == "en")
    assert ("不在等级 '良' 的分值区间 [6, 8) 内" in outside.message) == (lang == "zh")
    divided = raised("proportional closed / received", {"closed": 3, "received": 0}, lang, measure=None)
    assert divided.key == "division_by_zero"
    step = raised("deduct 1 pt per x below 95%", {"rate": 0.5, "x": 0}, lang, measure="rate")
    assert step.key == "step_zero"
    assert step.message == {"en": "the step `x` is 0", "zh": "扣分步长 `x` 为 0"}[lang]


def test_the_forms_findings_for_the_linter(tmp_path: Path) -> None:
    path = tmp_path / "t.toml"
    path.write_text(ruleset_text("tiers { >= 90%: full, >= 60%: 3 pts }", measure="rate"), "utf-8")
    outputs = {}
    for lang in ("en", "zh"):
        result = CliRunner().invoke(main, ["lint", str(path), "--lang", lang], catch_exceptions=False)
        outputs[lang] = result.output
    assert "KPI-G201" in outputs["en"] and "no band matches rate in" in outputs["en"]
    assert "KPI-G201" in outputs["zh"] and "没有匹配的档" in outputs["zh"]
    assert "为这些数值增加一档，或在分档最后加上 `else: …`" in outputs["zh"]


def test_the_kinds_english_words_are_their_values() -> None:
    with use_language("en"):
        assert all(kind.words == kind.value for kind in Kind)


def test_every_form_catalog_is_registered() -> None:
    for form in FORMS.values():
        assert CATALOGS[form.words.name] is form.words
    for name in ("parser", "checker", "compiler", "result", "forms.bands"):
        assert name in CATALOGS


def test_a_result_asked_for_an_indicator_it_does_not_have() -> None:
    result = make("pass if ok", measure=None).evaluate({"ok": True})
    with use_language("zh"), pytest.raises(KeyError, match="规则集 't' 中没有指标 'nope'"):
        result["nope"]
    with use_language("en"), pytest.raises(KeyError, match="no indicator 'nope' in ruleset 't'"):
        result["nope"]
