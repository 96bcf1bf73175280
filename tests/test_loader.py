"""Loading ruleset files: every problem names file:line:col, and all problems come together."""

from __future__ import annotations

from decimal import Decimal as D
from pathlib import Path

import pytest

import kpirules

HEAD = '[ruleset]\nid = "t"\n\n[measures.rate]\ntype = "rate"\n\n'
IND = '[[indicators]]\nid = "a"\nweight = 10\nmeasure = "rate"\nrule = "proportional"\n'


def load_error(text: str) -> kpirules.KpiRulesError:
    with pytest.raises(kpirules.RulesetError) as err:
        kpirules.loads(text, name="f.toml")
    return err.value


def position(text: str, needle: str, occurrence: int = 1) -> tuple[int, int]:
    """Line and column (1-based) of the n-th occurrence of ``needle`` in ``text``."""
    index = -1
    for _ in range(occurrence):
        index = text.index(needle, index + 1)
    line = text.count("\n", 0, index) + 1
    return line, index - (text.rfind("\n", 0, index) + 1) + 1


def at(err: kpirules.KpiRulesError, text: str, needle: str, occurrence: int = 1) -> None:
    assert err.file == "f.toml"
    assert (err.line, err.column) == position(text, needle, occurrence)


def test_toml_syntax_error_has_its_position() -> None:
    text = HEAD + "[[indicators]]\nid = 'a'\nweight = = 10\n"
    err = load_error(text)
    assert err.message.startswith("invalid TOML")
    assert (err.line, err.column) == position(text, "= 10")


def test_unknown_key_points_at_the_key_with_a_suggestion() -> None:
    text = HEAD + IND.replace("weight = 10", "wieght = 10\nweight = 10")
    err = load_error(text)
    assert err.message == "unknown key `wieght` in [[indicators]] #1" and err.hint == "did you mean `weight`?"
    at(err, text, "wieght")


def test_missing_required_keys() -> None:
    text = HEAD + '[[indicators]]\nid = "a"\nmeasure = "rate"\n'
    err = load_error(text)
    messages = {p.message for p in err.problems}
    assert messages == {"[[indicators]] #1 needs the key `weight`", "[[indicators]] #1 needs the key `rule`"}
    at(err, text, "[[indicators]]")
    assert "needs the key `id`" in load_error('[ruleset]\ntitle = "x"\n').message
    assert load_error("[measures.a]\ntype = 'rate'\n").message == "the file has no [ruleset] table"


def test_wrong_types_point_at_the_value() -> None:
    text = HEAD + IND.replace("weight = 10", 'weight = "10"')
    err = load_error(text)
    assert err.message == "`weight` must be a number, not a string"
    at(err, text, '"10"')


def test_duplicate_ids_zero_weight_unknown_measure() -> None:
    text = HEAD + IND + IND.replace("weight = 10", "weight = 0").replace('measure = "rate"', 'measure = "rat"')
    messages = [p.message for p in load_error(text).problems]
    assert "duplicate indicator id `a` (first used by indicator 1)" in messages
    assert "weight must be greater than 0, not 0" in messages
    assert "unknown measure `rat`" in messages


def test_rule_errors_are_mapped_into_the_file() -> None:
    text = HEAD + IND.replace('rule = "proportional"', 'rule = "tiers { >= 95%: full, >= 90% 80%, else: zero }"')
    err = load_error(text)
    assert isinstance(err, kpirules.RuleSyntaxError)
    assert err.message.startswith("unexpected '80%'; expected ':'")
    at(err, text, "80%,")


def test_rule_in_a_multiline_string_with_escapes() -> None:
    rule = 'rule = """\n  tiers {\n    >= 95%: full  # \\u6ee1\\u5206\n    >= 90%: 80%\n    else: 4\n  }\n"""'
    text = HEAD + IND.replace('rule = "proportional"', rule)
    err = load_error(text)
    assert "bare number 4 cannot be a score" in err.message
    at(err, text, "4\n  }")
    assert "    else: 4" in str(err)


def test_rule_in_a_literal_string() -> None:
    text = HEAD + IND.replace('rule = "proportional"', "rule = 'pass if rate ≥ 95% and unknown'")
    err = load_error(text)
    assert err.message == "unknown measure `unknown`"
    at(err, text, "unknown'")


def test_full_width_colon_in_a_rule() -> None:
    text = HEAD + IND.replace('rule = "proportional"', 'rule = "tiers { >= 95%：full, else: zero }"')
    err = load_error(text)
    assert err.hint == "write the ASCII ':' instead"
    at(err, text, "：")
    rendered = str(err)
    assert rendered.startswith("f.toml:") and "^^" in rendered


def test_measure_definitions_are_validated() -> None:
    text = HEAD + '[measures.lv]\ntype = "level"\n[measures.n]\ntype = "number"\nlevels = ["a"]\nrange = [5, 1]\n' + IND
    messages = [p.message for p in load_error(text).problems]
    assert "level measure `lv` needs `levels`, best first" in messages
    assert "`levels` belongs to level measures, and `n` is a number" in messages
    assert "`range` is empty: 5 is above 1" in messages
    err = load_error(HEAD.replace('type = "rate"', 'type = "ratio"') + IND)
    assert err.message == (
        '`type` must be one of "rate", "number", "count", "amount", "bool", "level", "judged", "date", not \'ratio\''
    )


def test_ruleset_header_is_validated() -> None:
    text = '[ruleset]\nid = "a b"\nprecision = 20\nrounding = "down"\ntotal = -1\n'
    messages = [p.message for p in load_error(text).problems]
    assert "ruleset id 'a b' may hold only letters, digits, - and _" in messages
    assert "`precision` must be between 0 and 10 decimals" in messages
    assert "`total` must be greater than 0" in messages
    assert any(m.startswith("`rounding` must be one of") for m in messages)


def test_values_table_is_checked_at_load_and_its_values_when_scored() -> None:
    text = HEAD + IND + '\n[values]\nrate = "abc"\nrat = 1\n'
    err = load_error(text)  # a value for no measure is an error of the file
    assert [p.message for p in err.problems] == ["value for unknown measure `rat`"]
    rs = kpirules.loads(text.replace("rat = 1\n", ""), name="f.toml")  # a bad value fails when it is scored, as --values does
    assert rs.values == {"rate": "abc"}
    with pytest.raises(kpirules.ValuesError) as caught:
        rs.evaluate()
    assert caught.value.message == "measure `rate`: 'abc' is not a number; expected a rate such as 0.95 or \"95%\""
    at(caught.value, text, '"abc"')
    assert rs.evaluate({"rate": "90%"}).total == D("9.00")  # other values score


def test_overrides_need_a_reason_and_a_score_in_range() -> None:
    text = HEAD + IND + '\n[overrides.a]\nscore = 11\nreason = "x"\n[overrides.b]\nscore = 1\nreason = "y"\n'
    messages = [p.message for p in load_error(text).problems]
    assert "override score 11 is outside [0, 10]" in messages
    assert "override for unknown indicator `b`" in messages
    assert "needs the key `reason`" in load_error(HEAD + IND + "\n[overrides.a]\nscore = 9\n").message


def test_override_is_shown_beside_the_computed_score() -> None:
    rs = kpirules.loads(HEAD + IND + '\n[overrides.a]\nscore = 9\nreason = "评审组酌情扣1分"\n')
    result = rs.evaluate({"rate": "100%"}, overrides=True)
    item = result["a"]
    assert (item.score, item.computed, item.status) == (D("9.00"), D("10.00"), "overridden")
    assert result.total == D("9.00")
    assert "评审组酌情扣1分" in result.explain() and "10.00" in result.explain()


def test_reported_table_is_read() -> None:
    text = (
        HEAD
        + IND
        + '\n[reported]\ntotal = 9\ngrade = "差"\n[reported.scores.a]\nweight = 10\nscore = 9\nrate = "90%"\n'
    )
    reported = kpirules.loads(text).reported
    assert reported is not None and reported.total == D(9) and reported.rows[0].rate == D("0.9")
    assert "unknown indicator `zz`" in load_error(text.replace("scores.a", "scores.zz")).message


def test_default_grades_and_custom_grades() -> None:
    rs = kpirules.loads(HEAD + IND.replace("weight = 10", "weight = 100"))
    assert [rs.evaluate({"rate": r}).grade for r in ["90%", "89.99%", "80%", "60%", "59.99%"]] == [
        "优",
        "良",
        "良",
        "中",
        "差",
    ]
    custom = kpirules.loads(HEAD + '[grades]\n"合格" = 6\n"不合格" = 0\n' + IND)
    assert [label for label, _ in custom.grades] == ["合格", "不合格"]
    assert custom.evaluate({"rate": "60%"}).grade == "合格"
    assert custom.evaluate({"rate": "59%"}).grade == "不合格"
    no_grades = kpirules.loads(HEAD + "[grades]\n" + IND)
    assert no_grades.evaluate({"rate": "60%"}).grade is None


def test_file_errors(tmp_path: Path) -> None:
    with pytest.raises(kpirules.RulesetError, match="no such file"):
        kpirules.load(tmp_path / "missing.toml")
    with pytest.raises(kpirules.RulesetError, match="is a folder"):
        kpirules.load(tmp_path)
    bad = tmp_path / "latin1.toml"
    bad.write_bytes('[ruleset]\nid = "é"\n'.encode("latin-1"))
    with pytest.raises(kpirules.RulesetError, match="not UTF-8"):
        kpirules.load(bad)


def test_deeply_nested_toml_fails_cleanly() -> None:
    with pytest.raises(kpirules.RulesetError):
        kpirules.loads('[ruleset]\nid = "t"\nx = ' + "[" * 5000 + "]" * 5000 + "\n")


def test_windows_line_endings_and_bom(tmp_path: Path) -> None:
    path = tmp_path / "crlf.toml"
    path.write_bytes(("\ufeff" + HEAD + IND).replace("\n", "\r\n").encode("utf-8"))
    assert kpirules.load(path).evaluate({"rate": "50%"}).total == D("5.00")
