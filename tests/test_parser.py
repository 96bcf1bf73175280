"""The grammar and the parser: one LALR grammar shipped in the package, every form parses to the
tree it should, and bad rule text fails with a position, a useful message and a hint."""

from __future__ import annotations

import pytest
from lark import Lark

import kpirules
from kpirules import ast
from kpirules.forms.bands import CompareTest, ElseTest, Interval
from kpirules.forms.grade import Grade
from kpirules.forms.pass_ import Pass
from kpirules.forms.tiers import Tiers
from kpirules.parser import KEYWORDS, MAX_DEPTH, _Layout, grammar_text, parse_rule


def test_grammar_is_lalr1_without_conflicts() -> None:
    # strict mode turns every shift/reduce conflict and every terminal collision into an error
    Lark(grammar_text(), parser="lalr", lexer="basic", strict=True, postlex=_Layout(), maybe_placeholders=True)


def test_grammar_file_in_the_repository_is_the_packaged_one() -> None:
    from pathlib import Path

    top = Path(__file__).parent.parent / "grammar" / "kpirules.lark"
    assert top.read_text("utf-8") == grammar_text()


@pytest.mark.parametrize(
    ("rule", "tree"),
    [
        ("pass if ok", "(Pass (Name ok) None)"),
        ("pass if value >= 95% else 50%", "(Pass (Compare >= (ValueRef) (Number 0.95 %)) (Number 0.50 %))"),
        ("proportional", "(Proportional plain None)"),
        ("proportional to 95%", "(Proportional to (Number 0.95 %))"),
        ("proportional inverse to 2%", "(Proportional inverse (Number 0.02 %))"),
        ("proportional a / b", "(Proportional expr (BinOp / (Name a) (Name b)))"),
        ("proportional - 1 pt", "(BinOp - (Proportional plain None) (Points 1))"),
        ("deduct 0.5 pts per 1% below 95%", "(Deduct (Points 0.5) linear (Number 0.01 %) below (Number 0.95 %) None)"),
        (
            "deduct 2 pts per whole 5% below 100%",
            "(Deduct (Points 2) whole (Number 0.05 %) below (Number 1.00 %) None)",
        ),
        (
            "deduct 2 pts per started 1% above 2%",
            "(Deduct (Points 2) started (Number 0.01 %) above (Number 0.02 %) None)",
        ),
        ("deduct 0.5 pts each", "(Deduct (Points 0.5) each None None None None)"),
        (
            "deduct 1 pt per 1% of rate below 95%",
            "(Deduct (Points 1) linear (Number 0.01 %) below (Number 0.95 %) (Name rate))",
        ),
        ("checklist { a: 1 pt, b: 2分 }", "(Checklist (Item (Name a) (Points 1)) (Item (Name b) (Points 2)))"),
        (
            "grade { 优: full, '良': 80% }",
            "(Grade None (GradeBand 优 (Full)) (GradeBand 良 (Number 0.80 %)) None None None)",
        ),
        ("grade", "(Grade None None None None)"),
        ("grade q + 1 pt", "(BinOp + (Grade (Name q) None None None) (Points 1))"),
        ("if a then full else zero", "(IfElse (Name a) (Full) (Zero))"),
        ("min(full, 2 pts + proportional)", "(Call min (Full) (BinOp + (Points 2) (Proportional plain None)))"),
        ("full - 0.2 pts * n", "(BinOp - (Full) (BinOp * (Points 0.2) (Name n)))"),
        ("pass if not a and b or c", "(Pass (Logic or (Logic and (Not (Name a)) (Name b)) (Name c)) None)"),
        ("pass if x ≥ 5‰", "(Pass (Compare >= (Name x) (Number 0.005 ‰)) None)"),
        (
            "pass if -x * 2 + 1 == 3",
            "(Pass (Compare == (BinOp + (BinOp * (Neg (Name x)) (Number 2 )) (Number 1 )) (Number 3 )) None)",
        ),
        ("proportional 预算执行率", "(Proportional expr (Name 预算执行率))"),
    ],
)
def test_forms_parse_to_their_trees(rule: str, tree: str) -> None:
    assert ast.dump(parse_rule(rule)) == tree


def test_tiers_intervals_and_else() -> None:
    tree = parse_rule("tiers r { == 0: 3 pts, (0, 10%]: 2 pts, [10%, 20%): 1 pt, else: zero }")
    assert isinstance(tree, Tiers)
    tests = [band.test for band in tree.bands]
    assert isinstance(tests[0], CompareTest) and tests[0].op == "=="
    assert isinstance(tests[1], Interval) and (tests[1].low_closed, tests[1].high_closed) == (False, True)
    assert isinstance(tests[2], Interval) and (tests[2].low_closed, tests[2].high_closed) == (True, False)
    assert isinstance(tests[3], ElseTest)


def test_grade_by_takes_intervals() -> None:
    tree = parse_rule("grade { 达成: [80%, 100%], 部分达成: (60%, 80%) } by awarded")
    assert isinstance(tree, Grade) and isinstance(tree.by, ast.Name)
    assert [b.label for b in tree.bands] == ["达成", "部分达成"]
    assert isinstance(tree.bands[1].score, Interval) and not tree.bands[1].score.low_closed


def test_spans_point_at_the_source() -> None:
    text = "tiers { >= 95%: full, else: zero }"
    tree = parse_rule(text)
    assert isinstance(tree, Tiers)
    band = tree.bands[0]
    assert text[band.span.start : band.span.end] == ">= 95%: full"
    assert text[band.score.span.start : band.score.span.end] == "full"
    assert text[tree.span.start : tree.span.end] == text


def test_new_lines_separate_bands_and_continue_after_operators() -> None:
    rule = """tiers {
        >= 95%: full        # 满分
        >= 90%: 2 pts +
                1 pt
        >= 80%: if ok
                then 50% else 40%
        else: zero
    }"""
    tree = parse_rule(rule)
    assert isinstance(tree, Tiers) and len(tree.bands) == 4


def test_new_lines_outside_braces_are_ignored() -> None:
    assert ast.dump(parse_rule("pass if a\nand b\nelse 50%")) == "(Pass (Logic and (Name a) (Name b)) (Number 0.50 %))"


def test_keywords_are_not_identifiers_but_prefixes_are() -> None:
    assert ast.dump(parse_rule("proportional iffy + 0 pts")) == "(BinOp + (Proportional expr (Name iffy)) (Points 0))"
    with pytest.raises(kpirules.RuleSyntaxError):
        parse_rule("proportional if")


# ---- syntax errors ------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("rule", "column", "ascii_char"),
    [
        ("tiers { >= 95%：full }", 15, ":"),
        ("min（full, zero)", 4, "("),
        ("tiers { >= 95%: full， else: zero }", 21, ","),
    ],
)
def test_full_width_punctuation_gets_a_hint(rule: str, column: int, ascii_char: str) -> None:
    with pytest.raises(kpirules.RuleSyntaxError) as err:
        parse_rule(rule)
    assert err.value.column == column
    assert "full-width" in err.value.message
    assert err.value.hint == f"write the ASCII '{ascii_char}' instead"


def test_unexpected_token_says_what_was_expected_with_a_caret() -> None:
    with pytest.raises(kpirules.RuleSyntaxError) as err:
        parse_rule("tiers { >= 95% full }")
    assert err.value.message.startswith("unexpected 'full'; expected ':'")
    assert (err.value.line, err.value.column) == (1, 16)
    rendered = str(err.value)
    assert "tiers { >= 95% full }" in rendered and "^^^^" in rendered


def test_rule_ending_too_early() -> None:
    with pytest.raises(kpirules.RuleSyntaxError, match="ends too early; expected an expression"):
        parse_rule("deduct 1 pt per")


def test_misspelled_keyword_gets_a_suggestion() -> None:
    with pytest.raises(kpirules.RuleSyntaxError) as err:
        parse_rule("proportinal to 95%")
    assert err.value.hint == "'proportinal' is not a keyword; did you mean 'proportional'?"


@pytest.mark.parametrize(("rule", "hint"), [("x ≥ 95 %", "together"), ("pass if x = 1", "==")])
def test_character_errors_have_hints(rule: str, hint: str) -> None:
    with pytest.raises(kpirules.RuleSyntaxError) as err:
        parse_rule(rule)
    assert err.value.hint is not None and hint in err.value.hint


def test_deep_nesting_fails_cleanly() -> None:
    with pytest.raises(kpirules.RuleSyntaxError, match=f"more than {MAX_DEPTH} levels"):
        parse_rule("(" * 5000 + "x" + ")" * 5000)
    with pytest.raises(kpirules.RuleSyntaxError, match=f"more than {MAX_DEPTH} levels"):
        parse_rule("pass if " + " + ".join(["x"] * 20000) + " > 0")
    with pytest.raises(kpirules.RuleSyntaxError, match=f"more than {MAX_DEPTH} levels"):
        parse_rule("pass if " + "not " * 5000 + "x")


def test_huge_rule_fails_cleanly() -> None:
    with pytest.raises(kpirules.RuleSyntaxError, match="characters long"):
        parse_rule("full " + "+ 0 pts " * 20000)


def test_nesting_just_under_the_limit_works() -> None:
    depth = MAX_DEPTH // 4
    tree = parse_rule("pass if " + "(" * depth + "x" + ")" * depth + " > 0")
    assert isinstance(tree, Pass)


def test_keywords_cannot_name_measures() -> None:
    assert {"value", "full", "zero", "pass", "tiers", "grade", "by"} <= KEYWORDS
    text = '[ruleset]\nid = "t"\n[measures.value]\ntype = "rate"\n'
    with pytest.raises(kpirules.RulesetError, match="keyword"):
        kpirules.loads(text)


@pytest.mark.parametrize(
    "rule",
    [
        "pass if " + "not " * 198 + "ok",
        "full " + "+ 0 pts " * 190,
        "if ok then full else " * 95 + "zero",
        "min(full, " * 90 + "zero" + ")" * 90,
    ],
    ids=["not", "sum", "if", "min"],
)
def test_rules_just_under_the_depth_limit_load_score_and_explain(rule: str) -> None:
    from support import make

    def deep(frames: int) -> kpirules.Result:  # scoring from an already deep call stack
        return make(rule, measure=None).evaluate({"ok": True}) if frames == 0 else deep(frames - 1)

    result = deep(150)
    assert result["i"].explain()
