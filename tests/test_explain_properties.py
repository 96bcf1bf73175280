"""Every explanation ends at the score and names every measure its rule read, over generated rules.

Two sources of rules: the grammar itself (:mod:`grammar_gen`, with blanks that TOML accepts, since
a form feed or a lone carriage return in a rule makes most of its draws invalid TOML, and a rule
that is a condition or a number made a score), and rules built from the grammar's scoring forms and
every operation on scores, typed as the checker wants them: few rules drawn blindly from the
grammar type-check (about 1 in 8 at depth 2, 3 in 100 at grammar_gen's depth 3), so the second
source is what reaches nested arithmetic on scores.
"""

from __future__ import annotations

import functools
import re
from decimal import Decimal as D
from typing import Any

import grammar_gen
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lark import Lark
from lark.lexer import PatternStr
from test_explain_scores import last_figure

import kpirules
from kpirules.parser import grammar_text

MEASURES = (
    '[measures.x]\ntype = "number"\n[measures.rate]\ntype = "rate"\n[measures.n]\ntype = "count"\n'
    '[measures.ok]\ntype = "bool"\n[measures.rating]\ntype = "level"\nlevels = ["优", "良", "中", "差"]\n'
    '[measures.half]\ntype = "number"\nformula = "n / 2"\n'
)
NAMES = ("x", "rate", "n", "ok", "rating")


def generated_ruleset(
    rule: str, weight: str, precision: int, rounding: str, if_missing: str
) -> kpirules.Ruleset | None:
    """One indicator around ``rule``, its subject the number ``x``; None if it does not load."""
    text = (
        f'[ruleset]\nid = "g"\nprecision = {precision}\nrounding = "{rounding}"\n{MEASURES}'
        f'[[indicators]]\nid = "i"\nweight = {weight}\nmeasure = "x"\nif_missing = "{if_missing}"\n'
        f'rule = """{rule.replace(chr(92), "")}"""\n'
    )
    try:
        return kpirules.loads(text)
    except kpirules.KpiRulesError:
        return None


@functools.cache
def grammar_rules() -> st.SearchStrategy[str]:
    """grammar_gen's rules, with plain spaces for blanks and only the names the ruleset declares."""
    grammar = Lark(grammar_text(), parser="lalr", lexer="basic", maybe_placeholders=True)
    explicit: dict[str, st.SearchStrategy[str]] = {
        t.name: st.just(f" {t.pattern.value} ")
        for t in grammar.terminals
        if isinstance(t.pattern, PatternStr) and t.pattern.value.isalpha()
    }
    explicit.update(
        NAME=st.sampled_from([*NAMES, "min", "max", "abs", "优"]).map(lambda n: f" {n} "),
        NUMBER=st.sampled_from(["0", "1", "2.5", "100"]).map(lambda n: f" {n} "),
        PERCENT=st.sampled_from(["0%", "50%", "95%", "100%"]).map(lambda n: f" {n} "),
        PERMILLE=st.just(" 5‰ "),
        POINTS=st.sampled_from(["1 pt", "2 pts", "0.5分"]).map(lambda n: f" {n} "),
        STRING=st.sampled_from(['"优"', "'良'"]),
        COMMENT=st.just("# note\n"),
        _NL=st.just("\n"),
        WS=st.just(" "),
    )
    return grammar_gen.BoundedLarkStrategy(grammar, "start", explicit, max_depth=2)


# ---- rules typed as the checker wants them ---------------------------------------------------------
def _numbers(inner: st.SearchStrategy[str], scores: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    leaves = st.sampled_from(["x", "n", "rate", "half", "value", "2.5", "95%", "1", "0"])
    return st.one_of(
        leaves,
        st.builds("({} + {})".format, inner, inner),
        st.builds("({} - {})".format, inner, inner),
        st.builds("{} * {}".format, leaves, inner),
        st.builds("({} / 4)".format, inner),
        st.builds("max({}, {})".format, inner, inner),
        st.builds("round({}, 1)".format, inner),
        st.builds("({} / full)".format, scores),
    )


def _conditions(numbers: st.SearchStrategy[str], scores: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    return st.one_of(
        st.sampled_from(["ok", "not ok", "rating >= '良'", "value >= 95%", "true"]),
        st.builds("{} >= {}".format, numbers, numbers),
        st.builds("{} < {}".format, scores, scores),
    )


def _scores(inner: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    numbers = _numbers(st.sampled_from(["x", "rate", "n", "half"]), inner)
    conditions = _conditions(numbers, inner)
    return st.one_of(
        st.builds("({} + {})".format, inner, inner),
        st.builds("({} - {})".format, inner, inner),
        st.builds("full - {}".format, inner),
        st.builds("{} * {}".format, inner, numbers),
        st.builds("{} * {}".format, st.sampled_from(["2", "0.5", "x"]), inner),
        st.builds("({} / 2)".format, inner),
        st.builds("({} / n)".format, inner),
        st.builds("-({})".format, inner),
        st.builds("abs({})".format, inner),
        st.builds("min({}, {})".format, inner, inner),
        st.builds("max({}, {}, {})".format, inner, inner, inner),
        st.builds("(if {} then {} else {})".format, conditions, inner, inner),
        st.builds("(pass if {} else {})".format, conditions, inner),
        st.builds("tiers {{ >= 95%: {}, >= 50%: {}, else: zero }}".format, inner, inner),
        st.builds("checklist {{ ok: {}, {}: {} }}".format, inner, conditions, inner),
        st.builds("grade rating {{ 优: {}, 良: {}, 中: 60%, 差: zero }}".format, inner, inner),
        st.builds("(deduct {} per 1 below 10)".format, inner),
        st.builds("(proportional ({}))".format, numbers),
    )


_SCORE_LEAVES = st.sampled_from(
    [
        "full",
        "zero",
        "2 pts",
        "50%",
        "proportional",
        "(proportional to 95%)",
        "(proportional inverse to 2)",
        "(pass if ok)",
        "(deduct 0.5 pts each)",
        "(deduct 1 pt per whole 2 above 5)",
    ]
)
typed_rules = st.recursive(_SCORE_LEAVES, _scores, max_leaves=8)

unit_values = st.fixed_dictionaries(
    {
        "x": st.decimals(min_value=-20, max_value=40, places=2),
        "rate": st.decimals(min_value=0, max_value=2, places=3),
        "n": st.integers(0, 30),
        "ok": st.booleans(),
        "rating": st.sampled_from(["优", "良", "中", "差"]),
    }
)
settings_ = st.tuples(
    st.sampled_from(["10", "7", "2.5"]),
    st.sampled_from([1, 2, 4, 8]),
    st.sampled_from(["half-up", "half-even"]),
    st.sampled_from(["error", "zero", "full"]),
)


# ---- the property -----------------------------------------------------------------------------
def named_measures(text: str) -> set[str]:
    """The measures an explanation names in its values line and its missing-value line."""
    names: set[str] = set()
    for line in text.splitlines():
        for prefix in ("  取值：", "  values: "):
            if line.startswith(prefix):
                for entry in re.split("；|; ", line.removeprefix(prefix)):
                    name = entry.split(" = ")[0]
                    labelled = re.search(r"\((\w+)\)$", name)
                    names.add(labelled.group(1) if labelled else name)
        missing = re.match(r"  (?:缺少 (.+?) 的数值|no value for (.+?);)", line)
        if missing:
            names.update(re.split("、|, ", missing.group(1) or missing.group(2)))
    return names


def assert_explained(data: Any, rule: str, wrappers: tuple[str, ...] = ("{}",)) -> None:
    """``rule`` (the first of its ``wrappers`` that loads) explains a unit as the property says."""
    chosen = data.draw(settings_)
    rs = next(filter(None, (generated_ruleset(w.format(rule), *chosen) for w in wrappers)), None)
    if rs is None:
        return
    values = data.draw(unit_values)
    for name in data.draw(st.sets(st.sampled_from(NAMES), max_size=1)):  # now and then a value is missing
        del values[name]
    try:
        result = rs.evaluate(values)
    except kpirules.ValuesError:
        return
    item = result["i"]
    read = rs.checked["i"].measures
    for lang in ("zh", "en"):
        text = item.explain(lang)
        assert last_figure(text) == item.score, (rule, values, text)
        assert read <= named_measures(text), (rule, values, text)


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data(), rule=typed_rules)
def test_explanations_of_typed_rules_end_at_the_score(data: Any, rule: str) -> None:
    assert_explained(data, rule)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_explanations_of_grammar_rules_end_at_the_score(data: Any) -> None:
    assert_explained(data, data.draw(grammar_rules()), ("{}", "pass if ({})", "proportional ({})"))


def test_the_property_reads_figures_and_names_as_meant() -> None:
    assert last_figure("  计算「full - 0.5 pts * n」：10 - 1.5 = 8.5 分") == D("8.5")
    assert last_figure("  保留 2 位小数（四舍五入）：1E+3") == D(1000)
    text = '  取值：执行率 (rate) = 90%；n = 无数值\n  缺少 x、ok 的数值；按 if_missing = "zero" 计 0 分'
    assert named_measures(text) == {"rate", "n", "x", "ok"}
