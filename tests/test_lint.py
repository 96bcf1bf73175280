"""kpirules lint: every code on a failing and a clean example, the analysis on known defects, the
suppressions, the fix, the output formats (SARIF validated against its schema), the CLI's exit
codes, the catalog and its docs, and the JSON Schema of the ruleset file."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from decimal import Decimal
from importlib import resources
from pathlib import Path

import jsonschema
import pytest
import tomllib
from click.testing import CliRunner

import kpirules
from kpirules.cli import main
from kpirules.linter import Diagnostic, Selection, fix_text
from kpirules.linter import lint_text as lint_all
from kpirules.linter.catalog import BY_CODE, RULES, example
from kpirules.linter.pages import generate, page
from kpirules.linter.engine import lint_bytes
from kpirules.linter.formats import render

ROOT = Path(__file__).resolve().parent.parent
DATA = Path(__file__).resolve().parent / "lint_data"


#: Most tests here use rates without a declared range on purpose; KPI-B305, which reports those, has
#: tests of its own (test_lint_agreement.py) and is left out of the others.
NO_B305 = Selection((), ["KPI-B305"])


def lint_text(text: str, name: str = "<string>", selection: Selection = NO_B305) -> list[Diagnostic]:
    return lint_all(text, name, selection)


def codes(text: str, **kwargs: object) -> list[str]:
    return [d.code for d in lint_text(text, "t.toml", **kwargs)]  # type: ignore[arg-type]


def one(rule: str, *, measures: str = "", weight: str = "10", measure: str | None = "x", extra: str = "") -> str:
    """A one-indicator ruleset whose weights add up, around ``rule``."""
    lines = ["[ruleset]", 'id = "t"', f"total = {weight}", "", measures.strip(), "", "[[indicators]]", 'id = "i"']
    lines.append(f"weight = {weight}")
    if measure is not None:
        lines.append(f'measure = "{measure}"')
    lines.append("rule = '''" + rule + "'''")
    lines.append(extra)
    return "\n".join(lines) + "\n"


RATE = '[measures.x]\ntype = "rate"\n'
RATE01 = '[measures.x]\ntype = "rate"\nrange = [0, 1]\n'


# ---- the catalog: a failing and a clean example for every code -----------------------------
@pytest.mark.parametrize("code", [r.code for r in RULES])
def test_bad_example_gives_its_code(code: str) -> None:
    if code == "KPI-E003":  # its example is a file saved in GB18030
        found = lint_bytes(example(code, "Bad").encode("gb18030"), "bad.toml")
    else:
        found = lint_all(example(code, "Bad"), "bad.toml")
    assert code in [d.code for d in found], found


@pytest.mark.parametrize("code", [r.code for r in RULES])
def test_good_example_is_clean(code: str) -> None:
    assert lint_all(example(code, "Good"), "good.toml") == []


def test_codes_are_well_formed_and_unique() -> None:
    assert len({r.code for r in RULES}) == len(RULES)
    assert len({r.name for r in RULES}) == len(RULES)
    for rule in RULES:
        assert re.fullmatch(r"KPI-[ESRTWGBXL]\d{3}", rule.code)
        assert re.fullmatch(r"[a-z]+(-[a-z]+)*", rule.name)


def test_every_code_raised_in_the_source_is_in_the_catalog() -> None:
    used = set()
    for path in (ROOT / "src" / "kpirules").rglob("*.py"):
        used |= set(re.findall(r'"(KPI-[A-Z]\d{3})"', path.read_text("utf-8")))
    assert used, "no codes found"
    assert used <= set(BY_CODE), used - set(BY_CODE)


def test_docs_rules_are_the_catalog_pages(tmp_path: Path) -> None:
    written = generate(tmp_path)
    docs = ROOT / "docs" / "rules"
    assert sorted(p.name for p in docs.iterdir()) == sorted(p.name for p in written)
    for path in written:
        assert (docs / path.name).read_text("utf-8") == path.read_text("utf-8"), (
            f"docs/rules/{path.name} is stale: run `kpirules rule --write-docs docs/rules`"
        )


def test_every_page_has_what_why_bad_and_good() -> None:
    for rule in RULES:
        text = page(rule.code)
        for heading in ("## What it finds", "## Why it matters", "## Bad", "## Good"):
            assert heading in text, (rule.code, heading)
        assert f"{rule.code} " in text.split("`kpirules lint bad.toml` reports:")[1], rule.code


def test_load_problems_carry_codes() -> None:
    """The loader tags its problems; the linter's fallback by message is not needed for them."""
    for rule in RULES:
        if rule.code[4] not in "ESRTW" or rule.code in ("KPI-W201", "KPI-W202", "KPI-R102", "KPI-E003", "KPI-S105"):
            continue
        with pytest.raises(kpirules.KpiRulesError) as caught:
            kpirules.loads(example(rule.code, "Bad"))
        assert all(p.code is not None for p in caught.value.problems), rule.code
        assert rule.code in [p.code for p in caught.value.problems]


# ---- coverage of tiers --------------------------------------------------------------------
def test_closed_and_open_ends_meet_exactly() -> None:
    assert (
        codes(one("tiers { == 0: 3 pts, (0, 10%]: 2 pts, (10%, 20%]: 1 pt, > 20%: zero }", measures=RATE, weight="3"))
        == []
    )
    found = lint_text(one("tiers { [0, 10%): 2 pts, (10%, 20%]: 1 pt, > 20%: zero }", measures=RATE, weight="3"), "t")
    assert [d.code for d in found] == ["KPI-G201"]
    assert found[0].witness == {"x": "10%"}
    assert "x = 10%" in found[0].message


def test_gap_over_the_natural_range_of_a_rate() -> None:
    found = lint_text(one("tiers { [95%, 100%]: full, [80%, 95%): 60%, < 80%: zero }", measures=RATE), "t")
    assert [d.code for d in found] == ["KPI-G201"]
    assert found[0].witness == {"x": "200%"}  # above 100 %: rates are not capped unless declared
    assert lint_text(one("tiers { [95%, 100%]: full, [80%, 95%): 60%, < 80%: zero }", measures=RATE01), "t") == []


def test_counts_have_no_gap_between_whole_numbers() -> None:
    measures = '[measures.x]\ntype = "count"\n'
    assert codes(one("tiers { == 0: full, [1, 3]: 60%, >= 4: zero }", measures=measures)) == []
    found = lint_text(one("tiers { == 0: full, [1, 3]: 60%, >= 5: zero }", measures=measures), "t")
    assert [(d.code, d.witness) for d in found] == [("KPI-G201", {"x": "4"})]


def test_gap_reasoning_follows_the_branch() -> None:
    rule = "if value >= 90% then full else tiers { >= 80%: 80%, [60%, 80%): 60%, < 60%: zero }"
    assert codes(one(rule, measures=RATE)) == []
    rule = "if value >= 90% then full else tiers { >= 80%: 80%, [60%, 70%): 60%, < 60%: zero }"
    found = lint_text(one(rule, measures=RATE), "t")
    assert [(d.code, d.witness) for d in found] == [("KPI-G201", {"x": "70%"})]


def test_witness_really_falls_through() -> None:
    text = one("tiers { >= 90%: full, [80%, 85%): 60%, < 80%: zero }", measures=RATE01)
    (found,) = lint_text(text, "t")
    with pytest.raises(kpirules.EvaluationError, match="no band of these tiers matches"):
        kpirules.loads(text).evaluate(found.witness)


def test_level_tiers() -> None:
    measures = '[measures.r]\ntype = "level"\nlevels = ["优", "良", "中", "差"]\n'
    found = lint_text(one('tiers { == "优": full, >= 中: 3 pts }', measures=measures, measure="r", weight="5"), "t")
    assert [(d.code, d.witness) for d in found] == [("KPI-G201", {"r": "差"})]
    assert (
        codes(one('tiers { == "优": full, >= 中: 3 pts, else: zero }', measures=measures, measure="r", weight="5"))
        == []
    )


def test_unreachable_band_names_the_band_that_shadows_it() -> None:
    found = lint_text(one("tiers { >= 80%: 60%, >= 90%: full, else: zero }", measures=RATE), "t")
    assert [d.code for d in found] == ["KPI-G202"]
    assert "band 1 `>= 80%`" in found[0].message and "band 2 `>= 90%`" in found[0].message
    assert found[0].column == len("rule = '''tiers { >= 80%: 60%, ") + 1
    assert [r.column for r in found[0].related] == [len("rule = '''tiers { ") + 1]


def test_unreachable_else_and_out_of_range_band() -> None:
    found = lint_text(one("tiers { >= 60%: full, < 60%: zero, else: 50% }", measures=RATE), "t")
    assert [d.code for d in found] == ["KPI-G202"] and "`else`" in found[0].message
    found = lint_text(one("tiers { > 100%: full, else: zero }", measures=RATE01), "t")
    assert [d.code for d in found] == ["KPI-G202"] and "can never match" in found[0].message


def test_bounds_that_read_a_measure_are_checked_by_running_the_rule() -> None:
    measures = RATE + '[measures.target]\ntype = "rate"\n'
    text = one("tiers { >= target: full, < 50%: zero }", measures=measures)
    found = lint_text(text, "t")
    assert [d.code for d in found] == ["KPI-G201"]
    assert found[0].witness is not None and "no band matches x when" in found[0].message
    with pytest.raises(kpirules.ValuesError, match="no band of these tiers matches"):
        kpirules.loads(text).evaluate(found[0].witness)
    assert codes(one("tiers { >= target: full, else: zero }", measures=measures)) == []


# ---- grades ---------------------------------------------------------------------------------
LEVELS = '[measures.r]\ntype = "level"\nlevels = ["优", "良", "中", "差"]\n'


def test_grade_missing_level_and_branch_narrowing() -> None:
    found = lint_text(one("grade { 优: full, 良: 80% }", measures=LEVELS, measure="r", weight="5"), "t")
    assert [(d.code, d.witness) for d in found] == [("KPI-G203", {"r": "中"})]
    rule = "if r >= 良 then grade { 优: full, 良: 80% } else zero"
    assert codes(one(rule, measures=LEVELS, measure="r", weight="5")) == []


def test_judged_intervals() -> None:
    measures = '[measures.o]\ntype = "level"\nlevels = ["达成", "部分达成", "未达成"]\n[measures.a]\ntype = "number"\n'
    clean = "grade { 达成: [80%, 100%], 部分达成: [60%, 80%), 未达成: [0, 60%) } by a"
    assert codes(one(clean, measures=measures, measure="o")) == []
    gap = lint_text(one(clean.replace("[0, 60%)", "[0, 59%)"), measures=measures, measure="o"), "t")
    assert [(d.code, d.witness) for d in gap] == [("KPI-G204", {"points": "5.95"})]
    overlap = lint_text(one(clean.replace("[60%, 80%)", "[60%, 80%]"), measures=measures, measure="o"), "t")
    assert [(d.code, d.witness) for d in overlap] == [("KPI-G205", {"points": "8"})]


def test_grades_table() -> None:
    head = one("proportional", measures=RATE01, weight="100")
    assert codes(head + '[grades]\n"优" = 90\n"差" = 0\n') == []
    assert codes(head + '[grades]\n"优" = 90\n"中" = 60\n') == ["KPI-G206"]
    assert codes(head + '[grades]\n"优" = 90\n"良" = 90\n"差" = 0\n') == ["KPI-G207"]
    assert codes(head + '[grades]\n"优" = 120\n"差" = 0\n') == ["KPI-G208"]


# ---- weights --------------------------------------------------------------------------------
def test_weights_total_excepts_bonus_indicators() -> None:
    text = one("proportional", measures=RATE01, weight="10")
    assert codes(text) == []
    bonus = text + '[[indicators]]\nid = "b"\nweight = 3\nmeasure = "x"\nrule = "proportional"\nbonus = true\n'
    assert codes(bonus) == []
    extra = text + '[[indicators]]\nid = "b"\nweight = 3\nmeasure = "x"\nrule = "proportional"\n'
    found = lint_text(extra, "t")
    assert [(d.code, d.witness, d.line) for d in found] == [("KPI-W201", {"weights": "13", "total": "10"}, 3)]


# ---- score bounds -----------------------------------------------------------------------------
def test_explicit_arithmetic_above_the_weight_with_a_real_witness() -> None:
    text = one("2 pts + proportional", measures=RATE, weight="5")
    (found,) = lint_text(text, "t")
    assert found.code == "KPI-B301"
    result = kpirules.loads(text).evaluate(found.witness)
    assert result["i"].raw is not None and result["i"].raw > 5


def test_forms_bounded_by_definition_are_not_findings() -> None:
    for rule in (
        "proportional",
        "proportional to 95%",
        "proportional inverse to 2%",
        "deduct 0.5 pts per 1% below 95%",
        "deduct 2 pts per started 1% below 100%",
        "min(full, 2 pts + proportional)",
        "max(zero, full - 0.5 pts * value)",
    ):
        assert codes(one(rule, measures=RATE)) == [], rule


def test_band_worth_more_than_the_weight_is_blamed_on_the_band() -> None:
    text = one("tiers { >= 90%: 6 pts, else: zero }", measures=RATE, weight="5")
    (found,) = lint_text(text, "t")
    assert found.code == "KPI-B301" and "`6 pts`" in found.message
    assert found.column == len("rule = '''tiers { >= 90%: ") + 1


def test_checklist_items_adding_up_past_the_weight() -> None:
    measures = '[measures.a]\ntype = "bool"\n[measures.b]\ntype = "bool"\n'
    found = lint_text(one("checklist { a: 2 pts, b: 2 pts }", measures=measures, measure=None, weight="3"), "t")
    assert [(d.code, d.witness) for d in found] == [("KPI-B301", {"a": "true", "b": "true"})]


def test_explicit_subtraction_below_zero() -> None:
    measures = '[measures.n]\ntype = "count"\n'
    (found,) = lint_text(one("full - 0.5 pts * n", measures=measures, measure="n", weight="3"), "t")
    assert found.code == "KPI-B302" and found.severity == "warning"
    raw = kpirules.loads(one("full - 0.5 pts * n", measures=measures, measure="n", weight="3")).evaluate(found.witness)
    assert raw["i"].raw is not None and raw["i"].raw < 0


# ---- divisions ------------------------------------------------------------------------------
CASES = '[measures.closed]\ntype = "count"\n[measures.received]\ntype = "count"\n'


def test_division_by_something_that_can_be_zero() -> None:
    (found,) = lint_text(one("proportional closed / received", measures=CASES, measure=None, weight="5"), "t")
    assert (found.code, found.witness) == ("KPI-B303", {"received": "0"})
    assert found.column == len("rule = '''proportional closed / ") + 1


@pytest.mark.parametrize(
    "rule",
    [
        "if received == 0 then full else proportional closed / received",
        "if received > 0 then proportional closed / received else full",
        "pass if received > 0 and closed / received >= 95%",
        "pass if received == 0 or closed / received >= 95%",
    ],
)
def test_guarded_divisions_are_not_findings(rule: str) -> None:
    assert codes(one(rule, measures=CASES, measure=None, weight="5")) == []


def test_division_in_a_formula_and_a_declared_range() -> None:
    measures = CASES + '[measures.rate]\ntype = "rate"\nformula = "closed / received"\n'
    found = lint_text(one("proportional", measures=measures, measure="rate", weight="5"), "t")
    assert [d.code for d in found] == ["KPI-B303"] and "formula" in found[0].message
    fixed = measures.replace(
        '[measures.received]\ntype = "count"\n', '[measures.received]\ntype = "count"\nrange = [1, 1000000]\n'
    )
    assert codes(one("proportional", measures=fixed, measure="rate", weight="5")) == []


def test_target_and_step_that_can_be_zero() -> None:
    measures = RATE + '[measures.t]\ntype = "rate"\n'
    assert codes(one("proportional to t", measures=measures)) == ["KPI-B303"]
    assert codes(one("deduct 1 pt per t below 95%", measures=measures)) == ["KPI-B303"]


# ---- deduction limits -----------------------------------------------------------------------
def test_deduction_limit_outside_the_range() -> None:
    never = lint_text(one("deduct 0.5 pts per 1% above 100%", measures=RATE01, weight="5"), "t")
    assert [d.code for d in never] == ["KPI-B304"] and "never applies" in never[0].message
    always = lint_text(one("deduct 0.5 pts per 1% below 120%", measures=RATE01, weight="5"), "t")
    assert [d.code for d in always] == ["KPI-B304"] and "never gives full marks" in always[0].message
    assert codes(one("deduct 0.5 pts per 1% below 95%", measures=RATE01, weight="5")) == []


# ---- the standard's numbers -------------------------------------------------------------------
def test_standard_numbers_against_the_rule() -> None:
    standard = 'standard = "预算执行率≥95%得满分，每降低1个百分点扣0.5分，扣完为止"'
    found = lint_text(one("deduct 0.5 pts per 1% below 90%", measures=RATE, extra=standard), "t")
    assert [d.code for d in found] == ["KPI-X402"]
    assert "95%" in found[0].message and "90%" in found[0].message and found[0].severity == "warning"
    assert codes(one("deduct 0.5 pts per 1% below 95%", measures=RATE, extra=standard)) == []
    points = 'standard = "≥90%计4分，否则不得分"'
    assert codes(one("tiers { >= 90%: 3 pts, else: zero }", measures=RATE, weight="4", extra=points)) == ["KPI-X402"]
    assert codes(one("tiers { >= 90%: full, else: zero }", measures=RATE, weight="4", extra=points)) == []


# ---- unused measures and load problems ----------------------------------------------------------
def test_unused_measures_follow_formulas() -> None:
    measures = (
        CASES + '[measures.rate]\ntype = "rate"\nformula = "closed / received"\n[measures.spare]\ntype = "rate"\n'
    )
    text = one("if received == 0 then full else proportional", measures=measures, measure="rate", weight="5")
    found = lint_text(text.replace("closed / received", "closed / max(received, 1)"), "t")
    assert [(d.code, d.message) for d in found] == [
        ("KPI-R102", "measure `spare` is declared but no indicator uses it")
    ]


def test_every_load_problem_is_reported_with_its_place() -> None:
    text = one("pass if disclosd", measures='[measures.disclosed]\ntype = "bool"\nlable = "x"\n', measure=None)
    found = lint_text(text, "t.toml")
    assert [(d.code, d.line) for d in found] == [("KPI-S101", 7), ("KPI-R101", 12)]
    assert found[1].help == "did you mean `disclosed`?"


# ---- full-width punctuation and the fix ----------------------------------------------------------
def test_every_full_width_character_is_reported_outside_labels_and_comments() -> None:
    levels = '[measures.r]\ntype = "level"\nlevels = ["良（含）", "差"]\n'
    rule = 'tiers { == "良（含）"：full，else: zero }  # 良（含）以上'
    found = lint_text(one(rule, measures=levels, measure="r"), "t")
    assert [(d.code, d.message[:13]) for d in found] == [("KPI-X401", "full-width '："), ("KPI-X401", "full-width '，")]
    assert all(d.fixable for d in found)


def test_syntax_errors_behind_full_width_characters_show_at_once() -> None:
    found = lint_text(one("tiers { >= 95%：full, >= 90% 80%, else: zero }", measures=RATE), "t")
    assert [d.code for d in found] == ["KPI-X401", "KPI-E002"]
    assert "once the full-width characters are replaced" in found[1].message


def test_fix_replaces_and_the_file_then_loads() -> None:
    text = one("tiers { >= 95%：full，>= 90%：80%，else：zero }", measures=RATE)
    fixed, count = fix_text(text)
    assert count == 5
    assert lint_text(fixed, "t") == []
    assert kpirules.loads(fixed).evaluate({"x": "92%"}).total == Decimal("8.00")


def test_fix_escapes_quotes_in_basic_strings_and_leaves_literal_strings_alone() -> None:
    levels = '[measures.r]\ntype = "level"\nlevels = ["优", "差"]\n'
    basic = one("x", measures=levels, measure="r").replace("rule = '''x'''", 'rule = "pass if r == “优”"')
    fixed, count = fix_text(basic)
    assert count == 2 and 'rule = "pass if r == \\"优\\""' in fixed and lint_text(fixed, "t") == []
    literal = one("x", measures=levels, measure="r").replace("rule = '''x'''", "rule = 'pass if r == ‘优’'")
    found = lint_text(literal, "t")
    assert [d.code for d in found] == ["KPI-X401", "KPI-X401"] and not any(d.fixable for d in found)
    assert fix_text(literal) == (literal, 0)


def test_fix_keeps_crlf_line_ends() -> None:
    text = one("pass if x >= 95%：", measures=RATE).replace("\n", "\r\n")
    fixed, count = fix_text(text.replace("95%：", "95％"))
    assert count == 1 and "\r\n" in fixed and lint_text(fixed, "t") == []


# ---- suppressions ---------------------------------------------------------------------------------
DIVIDES = one("proportional closed / received", measures=CASES, measure=None, weight="5")


def test_suppression_above_a_table_header_covers_the_indicator() -> None:
    text = DIVIDES.replace("[[indicators]]", "# kpirules: ignore[KPI-B303] every unit receives cases\n[[indicators]]")
    assert codes(text) == []


def test_suppression_by_name_or_short_code_at_the_end_of_a_line() -> None:
    for word in ("B303", "division-by-zero", "kpi-b303"):
        text = DIVIDES.replace("weight = 5\n'''", "x").replace(
            "rule = '''proportional closed / received'''",
            f"rule = '''proportional closed / received''' # kpirules: ignore[{word}] ok",
        )
        assert codes(text) == [], word


def test_suppression_on_its_own_line_covers_the_next_entry_only() -> None:
    text = DIVIDES.replace("rule = '''", "# kpirules: ignore[KPI-B303] accepted\nrule = '''")
    assert codes(text) == []
    text = DIVIDES.replace("weight = 5\nrule", "# kpirules: ignore[KPI-B303] wrong entry\nweight = 5\nrule")
    assert codes(text) == ["KPI-L901", "KPI-B303"] or sorted(codes(text)) == ["KPI-B303", "KPI-L901"]


def test_file_ignore_and_comments_inside_other_strings() -> None:
    assert codes("# kpirules: file-ignore[B303] a draft\n" + DIVIDES) == []
    text = DIVIDES.replace('id = "i"', 'id = "i"\nname = "# kpirules: ignore[B303] not a comment"')
    assert codes(text) == ["KPI-B303"]


def test_suppression_problems() -> None:
    no_reason = DIVIDES.replace("[[indicators]]", "# kpirules: ignore[KPI-B303]\n[[indicators]]")
    assert codes(no_reason) == ["KPI-L902"]
    unknown = DIVIDES.replace("[[indicators]]", "# kpirules: ignore[KPI-B303, Q999] typo\n[[indicators]]")
    assert codes(unknown) == ["KPI-L902"]
    unused = DIVIDES.replace("[[indicators]]", "# kpirules: ignore[KPI-G201] nothing to hide\n[[indicators]]")
    assert sorted(codes(unused)) == ["KPI-B303", "KPI-L901"]


def test_select_and_ignore() -> None:
    text = DIVIDES.replace("total = 5", "total = 6")
    assert codes(text) == ["KPI-W201", "KPI-B303"] or sorted(codes(text)) == ["KPI-B303", "KPI-W201"]
    assert codes(text, selection=Selection(["B"])) == ["KPI-B303"]
    assert codes(text, selection=Selection(["ALL"], ["weights-total"])) == ["KPI-B303"]
    assert codes(text, selection=Selection(["KPI-W2"])) == ["KPI-W201"]
    with pytest.raises(kpirules.KpiRulesError, match="unknown code or selector `Q1`"):
        Selection(["Q1"])


# ---- the shipped ruleset ------------------------------------------------------------------------
def test_bishan_lints_clean_and_its_suppressions_are_needed() -> None:
    path = ROOT / "rulesets" / "bishan_2022.toml"
    assert kpirules.lint(path) == []
    text = path.read_text("utf-8")
    reasons = re.findall(r"# kpirules: (?:file-)?ignore\[(KPI-\w+)\] (.+)", text)
    assert reasons and all(len(reason) > 40 for _, reason in reasons)
    bare = re.sub(r"# kpirules: .*\n", "", text)
    assert {code for code, _ in reasons} == set(codes(bare)), codes(bare)


def test_lint_api_takes_a_path_or_text() -> None:
    path = ROOT / "docs" / "examples" / "errors" / "fullwidth.toml"
    by_path = kpirules.lint(str(path))
    by_text = kpirules.lint(path.read_text("utf-8"), name=str(path))
    assert by_path == by_text and by_path[0].code == "KPI-X401"
    with pytest.raises(kpirules.RulesetError, match="no such file"):
        kpirules.lint("no/such/file.toml")


def test_import_kpirules_does_not_load_the_linter() -> None:
    out = subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys, kpirules; print(any(m.startswith('kpirules.linter') for m in sys.modules))",
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    assert out.stdout.strip() == "False"


# ---- output formats -----------------------------------------------------------------------------
MANY = (
    one("tiers { >= 80%: 60%, >= 90%: full, [0, 50%): zero }", measures=RATE01 + CASES).replace(
        "total = 10", "total = 11"
    )
    + '[[indicators]]\nid = "j"\nweight = 1\nrule = "proportional closed / received"\n'
)
FULL_WIDTH = one("pass if x >= 95％", measures=RATE)


def test_text_format_shows_the_line_and_a_caret() -> None:
    out = render(lint_text(MANY, "m.toml"), "text")
    assert "m.toml:17:32: KPI-G202 band 2 `>= 90%` can never match" in out
    assert " 17 | rule = '''tiers { >= 80%: 60%, >= 90%: full, [0, 50%): zero }'''\n" in out
    assert "    |                                ^^^^^^^^^^^^\n" in out
    assert "witness: x = 70%" in out
    assert "note: m.toml:17:19: band 1 matches first" in out
    assert out.rstrip().endswith("Found 3 problems (1 error, 2 warnings).")
    fixable = render(lint_text(FULL_WIDTH, "f.toml"), "text")
    assert "f.toml:12:26: KPI-X401 [*] full-width '％'" in fixable
    assert fixable.rstrip().endswith("[*] 1 fixable with the `--fix` option.")


def test_concise_json_and_github_formats() -> None:
    found = lint_text(MANY, "m.toml")
    concise = render(found, "concise").splitlines()
    assert concise[0].startswith("m.toml:") and "KPI-" in concise[0]
    data = json.loads(render(found, "json"))
    assert data["version"] == 1 and data["summary"]["errors"] == 1 and data["summary"]["warnings"] == 2
    fixable = json.loads(render(lint_text(FULL_WIDTH, "f.toml"), "json"))["diagnostics"][0]["fix"]
    assert fixable["applicability"] == "safe" and fixable["edits"][0]["content"] == "%"
    item = next(d for d in data["diagnostics"] if d["code"] == "KPI-G201")
    assert set(item) >= {"code", "name", "severity", "message", "file", "line", "column", "end", "help", "witness"}
    assert item["witness"] == {"x": "70%"}
    github = render(found, "github").splitlines()
    assert github[0].startswith("::error title=kpirules (KPI-") and ",file=m.toml,line=" in github[0]
    assert any(line.startswith("::warning ") for line in github)


def test_sarif_validates_against_the_schema() -> None:
    schema = json.loads((DATA / "sarif-schema-2.1.0.json").read_text("utf-8"))
    validator = jsonschema.Draft4Validator(schema)
    for diagnostics in (lint_text(MANY, "rules/m.toml"), lint_text(FULL_WIDTH, "规则/f.toml"), []):
        log = json.loads(render(diagnostics, "sarif"))
        errors = sorted(validator.iter_errors(log), key=str)
        assert errors == [], errors[:3]
    log = json.loads(render(lint_text(MANY, "rules/m.toml"), "sarif"))
    run = log["runs"][0]
    assert len(run["tool"]["driver"]["rules"]) == len(RULES)
    results = {r["ruleId"]: r for r in run["results"]}
    assert results["KPI-G202"]["relatedLocations"] and results["KPI-B303"]["level"] == "warning"
    fix_log = json.loads(render(lint_text(FULL_WIDTH, "f.toml"), "sarif"))
    assert fix_log["runs"][0]["results"][0]["fixes"][0]["artifactChanges"][0]["replacements"]
    assert results["KPI-G201"]["properties"]["witness"] == {"x": "70%"}
    # a wrong log fails: the validator is not vacuous
    broken = dict(log, version="2.0")
    assert list(validator.iter_errors(broken))


# ---- the command line ---------------------------------------------------------------------------
def run(*args: str, input: str | None = None) -> tuple[int, str]:
    result = CliRunner().invoke(main, list(args), input=input)
    return result.exit_code, result.output


def test_exit_codes(tmp_path: Path) -> None:
    clean = tmp_path / "clean.toml"
    clean.write_text(example("KPI-G201", "Good"), "utf-8")
    warn = tmp_path / "warn.toml"
    warn.write_text(example("KPI-B303", "Bad"), "utf-8")
    bad = tmp_path / "bad.toml"
    bad.write_text(example("KPI-G201", "Bad"), "utf-8")
    assert run("lint", str(clean))[0] == 0
    assert run("lint", str(warn))[0] == 0  # warnings are below the default fail level
    assert run("lint", "--fail-level", "warning", str(warn))[0] == 1
    assert run("lint", str(bad))[0] == 1
    assert run("lint", "--exit-zero", str(bad))[0] == 0
    assert run("lint", "--ignore", "G201", str(bad))[0] == 0
    assert run("lint", str(tmp_path / "missing.toml"))[0] == 2
    assert run("lint", "--select", "NOPE", str(clean))[0] == 2
    (tmp_path / "latin1.toml").write_bytes('[ruleset]\nid = "é"\n'.encode("latin-1"))
    code, out = run("lint", str(tmp_path / "latin1.toml"))
    assert code == 2 and "not UTF-8" in out


def test_folders_lint_ruleset_files_only(tmp_path: Path) -> None:
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "bad.toml").write_text(example("KPI-G201", "Bad"), "utf-8")
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "x"\n', "utf-8")
    (tmp_path / ".venv").mkdir()
    (tmp_path / ".venv" / "hidden.toml").write_text(example("KPI-G201", "Bad"), "utf-8")
    code, out = run("lint", "--format", "concise", str(tmp_path))
    assert code == 1 and out.count("KPI-G201") == 1 and "1 file" not in out
    code, out = run("lint", "--rulesets-only", str(tmp_path / "pyproject.toml"))
    assert code == 0


def test_stdin_and_output_file(tmp_path: Path) -> None:
    code, out = run("lint", "--format", "json", "--stdin-filename", "in.toml", "-", input=example("KPI-G202", "Bad"))
    assert code == 0 and json.loads(out)["diagnostics"][0]["file"] == "in.toml"
    target = tmp_path / "report.sarif"
    code, out = run("lint", "--format", "sarif", "-o", str(target), "-", input=example("KPI-G201", "Bad"))
    assert code == 1 and out == "" and json.loads(target.read_text("utf-8"))["version"] == "2.1.0"


def test_fix_on_the_command_line(tmp_path: Path) -> None:
    path = tmp_path / "fw.toml"
    path.write_text(example("KPI-X401", "Bad"), "utf-8")
    code, out = run("lint", "--fix", str(path))
    assert code == 0, out
    assert "Fixed 2 full-width characters." in out
    assert path.read_text("utf-8") == example("KPI-X401", "Bad").replace("：", ":").replace("，", ",")
    assert run("lint", "--fix", "-", input="x")[0] == 2


def test_rule_command() -> None:
    code, out = run("rule", "G201")
    assert code == 0 and out == page("KPI-G201")
    assert run("rule", "tier-gap")[1] == out
    code, out = run("rule", "--list")
    assert code == 0 and len(out.splitlines()) == len(RULES)
    assert run("rule", "Z999")[0] == 2


# ---- the JSON Schema of the ruleset file ---------------------------------------------------------
def _ruleset_schema() -> dict[str, object]:
    text = resources.files("kpirules").joinpath("schema/ruleset.schema.json").read_text("utf-8")
    assert (ROOT / "docs" / "ruleset.schema.json").read_text("utf-8") == text
    data: dict[str, object] = json.loads(text)
    return data


def test_schema_accepts_the_rulesets_and_refuses_unknown_keys() -> None:
    validator = jsonschema.Draft7Validator(_ruleset_schema())
    jsonschema.Draft4Validator.check_schema(
        json.loads(json.dumps(_ruleset_schema()).replace("draft-07", "draft-04"))
    )  # draft-04 keywords only, for taplo
    files = [ROOT / "rulesets" / "bishan_2022.toml", *(ROOT / "docs" / "examples").glob("tutorial*.toml")]
    files += [ROOT / "docs" / "examples" / "mini.toml"]
    for path in files:
        assert list(validator.iter_errors(tomllib.loads(path.read_text("utf-8")))) == [], path
    for rule in RULES:
        data = tomllib.loads(example(rule.code, "Good"))
        assert list(validator.iter_errors(data)) == [], rule.code
    bad = tomllib.loads(example("KPI-S101", "Bad"))
    assert [e.message for e in validator.iter_errors(bad)] == [
        "Additional properties are not allowed ('lable' was unexpected)"
    ]


def test_schema_keys_are_the_loader_keys() -> None:
    schema = _ruleset_schema()
    source = "\n".join(p.read_text("utf-8") for p in sorted((ROOT / "src" / "kpirules" / "loader").glob("*.py")))
    props = schema["properties"]
    defs = schema["definitions"]
    assert isinstance(props, dict) and isinstance(defs, dict)
    tables = {
        "ruleset": props["ruleset"]["properties"],
        "measures": defs["measure"]["properties"],
        "indicators": defs["indicator"]["properties"],
        "groups": defs["group"]["properties"],
        "overrides": props["overrides"]["additionalProperties"]["properties"],
    }
    top = re.search(r"_TOP_LEVEL = \(([^)]*)\)", source)
    assert top is not None and set(re.findall(r'"(\w+)"', top.group(1))) == set(props)
    for table, keys in tables.items():
        assert any(set(re.findall(r'"(\w+)"', found)) == set(keys) for found in re.findall(r"\(([^()]*)\)", source)), (
            table
        )


def test_pre_commit_hook_runs_kpirules_lint() -> None:
    text = (ROOT / ".pre-commit-hooks.yaml").read_text("utf-8")
    entries = re.findall(r"^\s*entry: (.+)$", text, re.MULTILINE)
    assert entries and all(e.startswith("kpirules lint") for e in entries)
    assert re.search(r"^- id: kpirules-lint$", text, re.MULTILINE)


# ---- configuration, robustness, the benchmark -------------------------------------------------------
def test_pyproject_configuration(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "pyproject.toml").write_text(
        '[tool.kpirules.lint]\nignore = ["B303"]\nfail-level = "warning"\n'
        '[tool.kpirules.lint.per-file-ignores]\n"drafts/*.toml" = ["tier-gap"]\n',
        "utf-8",
    )
    (tmp_path / "drafts").mkdir()
    (tmp_path / "drafts" / "a.toml").write_text(example("KPI-G201", "Bad"), "utf-8")
    (tmp_path / "b.toml").write_text(example("KPI-B303", "Bad"), "utf-8")
    (tmp_path / "c.toml").write_text(example("KPI-G202", "Bad"), "utf-8")
    monkeypatch.chdir(tmp_path / "drafts")  # found from a folder below the configuration
    assert run("lint", "a.toml", "../b.toml") == (0, "All checks passed (2 files).\n")
    assert run("lint", "../c.toml")[0] == 1  # fail-level = "warning"
    assert run("lint", "--fail-level", "error", "../c.toml")[0] == 0
    code, out = run("lint", "--isolated", "--format", "concise", "a.toml", "../b.toml")
    assert code == 1 and "KPI-G201" in out and "KPI-B303" in out
    code, out = run("lint", "--select", "B", "--format", "concise", "--isolated", "../b.toml")
    assert "KPI-B303" in out
    (tmp_path / "bad.toml").write_text('[tool.kpirules.lint]\nselect = ["Q9"]\n', "utf-8")
    code, out = run("lint", "--config", str(tmp_path / "bad.toml"), "a.toml")
    assert code == 2 and "unknown code or selector `Q9`" in out


@pytest.mark.parametrize(
    "text",
    [
        "",
        "a = [1,2\n",
        "[ruleset]\nid='x'\nindicators = 3\n",
        "[ruleset]\nid='x'\ntotal=1\n[grades]\n",
        "# kpirules: ignore[\n[ruleset]\nid='x'\n",
        "[ruleset]\nid='x'\ntotal=10\n[measures.x]\ntype='count'\nrange=[0.5, 0.7]\n"
        "[[indicators]]\nid='a'\nweight=10\nmeasure='x'\nrule='tiers { >= 1: full }'\n",
        "[ruleset]\nid='x'\ntotal=10\n[measures.x]\ntype='number'\nrange=[1e300, 1e301]\n"
        "[[indicators]]\nid='a'\nweight=10\nmeasure='x'\nrule='full * value * value * value'\n",
        "[ruleset]\nid='x'\ntotal=10\n[measures.x]\ntype='number'\n"
        "[[indicators]]\nid='a'\nweight=10\nmeasure='x'\n"
        "rule='proportional 1/0 + tiers { [5, 1]: full, else: zero }'\n",
    ],
)
def test_odd_files_give_diagnostics_not_tracebacks(text: str) -> None:
    for diagnostic in lint_text(text, "odd.toml"):
        assert diagnostic.line >= 1 and diagnostic.message
        assert render([diagnostic], "text") and render([diagnostic], "sarif")


def test_constant_divisions_and_empty_intervals_say_so() -> None:
    text = one("proportional 1/0 + tiers { [5, 1]: full, else: zero }", measures='[measures.x]\ntype = "number"\n')
    messages = {d.code: d.message for d in lint_text(text, "t")}
    assert "`0`, which is 0 always" in messages["KPI-B303"]
    assert "is an empty interval" in messages["KPI-G202"]


def test_the_benchmark_runs() -> None:
    out = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "bench_lint.py"), "--quick", "--indicators", "40"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert "lint 40-indicator ruleset" in out and "findings" in out and "cold start" in out


# ---- docs/lint.md tells the truth --------------------------------------------------------------------
LINT_DOC = ROOT / "docs" / "lint.md"


def _console_blocks() -> list[tuple[int, str]]:
    text = LINT_DOC.read_text("utf-8")
    return [(text[: m.start()].count("\n") + 1, m.group(1)) for m in re.finditer(r"```console\n(.*?)```", text, re.S)]


@pytest.mark.parametrize("line,block", _console_blocks(), ids=lambda v: str(v) if isinstance(v, int) else "")
def test_lint_doc_console_blocks(line: int, block: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every `$ kpirules …` of docs/lint.md prints what the doc shows; `$ cp` and `$ echo $?` work
    on a copy of docs/ and rulesets/, so a --fix example rewrites the copy."""
    import shlex
    import shutil

    shutil.copytree(ROOT / "docs", tmp_path / "docs")
    shutil.copytree(ROOT / "rulesets", tmp_path / "rulesets")
    monkeypatch.chdir(tmp_path)
    commands: list[tuple[str, list[str]]] = []
    for row in block.rstrip("\n").split("\n"):
        if row.startswith("$ "):
            commands.append((row[2:], []))
        else:
            commands[-1][1].append(row)
    status = 0
    for command, expected in commands:
        argv = shlex.split(command)
        if argv[0] == "cp":
            shutil.copy(argv[1], argv[2])
            got = ""
        elif argv[:2] == ["echo", "$?"]:
            got = f"{status}\n"
        else:
            assert argv[0] == "kpirules", command
            status, got = run(*argv[1:])
        shown = "\n".join(r.rstrip() for r in expected)
        assert "\n".join(r.rstrip() for r in got.rstrip("\n").split("\n")) == shown, f"docs/lint.md:{line}: {command}"


def test_lint_doc_python_examples_and_suppression_example(monkeypatch: pytest.MonkeyPatch) -> None:
    import doctest

    monkeypatch.chdir(ROOT)
    text = LINT_DOC.read_text("utf-8")
    for block in re.findall(r"```pycon\n(.*?)```", text, re.S):
        test = doctest.DocTestParser().get_doctest(block, {}, "docs/lint.md", str(LINT_DOC), 0)
        runner = doctest.DocTestRunner(optionflags=doctest.NORMALIZE_WHITESPACE)
        runner.run(test)
        assert runner.failures == 0
    (suppressed,) = [b for b in re.findall(r"```toml\n(.*?)```", text, re.S) if 'id = "suppressions"' in b]
    assert lint_text(suppressed, "s.toml") == []
    assert sorted(codes(re.sub(r"#\s*kpirules:.*", "", suppressed))) == ["KPI-B303", "KPI-G202"]


def test_or_and_not_narrow_labels_too() -> None:
    for rule in (
        'if r == "优" or r == "良" then grade { 优: full, 良: 80% } else zero',
        'if not (r == "中" or r == "差") then grade { 优: full, 良: 80% } else zero',
    ):
        assert codes(one(rule, measures=LEVELS, measure="r", weight="5")) == [], rule
    rule = 'if r == "优" or r >= 中 then grade { 优: full, 良: 80% } else zero'
    found = lint_text(one(rule, measures=LEVELS, measure="r", weight="5"), "t")
    end_column = len("rule = '''") + rule.index("}") + 2  # exclusive, 1-based
    assert [(d.code, d.witness, d.end) for d in found] == [("KPI-G203", {"r": "中"}, (found[0].line, end_column))]
    assert found[0].column == len("rule = '''") + rule.index("grade") + 1


def test_groups_declared_twice_and_groups_without_indicators() -> None:
    text = one("proportional", measures=RATE01).replace("[[indicators]]", '[[indicators]]\npath = ["产出"]', 1)
    group = '[[groups]]\npath = ["产出"]\nweight = 10\n'
    assert codes(text + group) == []
    found = lint_text(text + group + group, "t")
    assert [d.code for d in found] == ["KPI-R103"] and "declared twice" in found[0].message
    empty = '[[groups]]\npath = ["效益"]\nweight = 5\n'
    found = lint_text(text + group + empty, "t")
    assert [(d.code, d.witness) for d in found] == [("KPI-W202", {"weights": "0", "group": "5"})]


def test_suppressions_are_not_called_unused_when_the_checks_could_not_run() -> None:
    broken = DIVIDES.replace("[[indicators]]", "# kpirules: ignore[KPI-B303] cases always arrive\n[[indicators]]")
    broken = broken.replace("weight = 5\n", "weight = 5\nwieght = 5\n", 1)
    assert codes(broken) == ["KPI-S101"]


def test_every_defect_of_the_example_draft_at_its_line_with_a_witness_that_shows_it() -> None:
    path = ROOT / "docs" / "examples" / "lint" / "defects.toml"
    found = {d.code: d for d in kpirules.lint(path)}
    lines = path.read_text("utf-8").splitlines()
    expected = {
        "KPI-W201": "[ruleset]",
        "KPI-X402": 'rule = "deduct 0.5 pts per 1% below 90%"',
        "KPI-G201": 'rule = "tiers { >= 90%: full, [80%, 90%): 4 pts, < 70%: zero }"',
        "KPI-G202": "    >= 95%: full",
        "KPI-G203": 'rule = "grade { 优: full, 良: 80%, 差: zero }"',
        "KPI-B303": 'rule = "proportional closed / received"',
        "KPI-B301": 'rule = "2 pts + proportional"',
    }
    assert set(found) == set(expected)
    for code, line in expected.items():
        assert lines[found[code].line - 1] == line, code
    rs = kpirules.load(path)
    fine = {"execution_rate": "96%", "key_rate": "95%", "quality_rate": "96%", "staff_rating": "优"}
    fine |= {"closed": 3, "received": 4}
    rs.evaluate(fine)  # sound values score
    for code, shows in (
        ("KPI-G201", "no band of these tiers matches"),
        ("KPI-G203", "the grade has no band for '中'"),
        ("KPI-B303", "division by zero"),
    ):
        witness = found[code].witness
        assert witness is not None
        with pytest.raises(kpirules.ValuesError) as caught:
            rs.evaluate({**fine, **witness})
        assert shows in str(caught.value), code
    witness = found["KPI-B301"].witness
    assert witness is not None
    raw = rs.evaluate({**fine, **witness})["innovation"].raw
    assert raw is not None and raw > rs.indicator("innovation").weight


def test_suppression_inside_a_multi_line_rule_covers_its_line() -> None:
    rule = (
        "\ntiers {\n    >= 80%: 60%\n    >= 90%: full   # kpirules: ignore[G202] kept as published\n    else: zero\n}\n"
    )
    assert codes(one(rule, measures=RATE)) == []
    assert codes(one(rule.replace("# kpirules: ignore[G202] kept as published", ""), measures=RATE)) == ["KPI-G202"]


_FLOORLESS = """
[ruleset]
id = "city"
{grades}
[measures.found]
type = "count"
{range}
[measures.late]
type = "count"

[[indicators]]
id = "clean"
weight = 5
measure = "found"
floor = "none"
rule = "deduct 0.5 pts each"

[[indicators]]
id = "ontime"
weight = 5
measure = "late"
floor = "none"
rule = "deduct 1 pts each"
"""


@pytest.mark.parametrize(
    ("grades", "range_", "at"),
    [
        ("", "", 'rule = "deduct 0.5'),  # the national bands (差 = 0): at the first rule that goes below 0
        ('[grades]\n"合格" = 3\n"差" = 0\n', "", '"差" = 0'),  # at the lowest bound
        ('[grades]\n"合格" = 3\n"差" = -1\n', "range = [0, 13]", '"差" = -1'),  # clean can reach -1.5, below -1
    ],
)
def test_a_total_that_floor_none_takes_below_the_lowest_grade_is_reported_once(
    grades: str, range_: str, at: str
) -> None:
    """KPI-G206: an indicator with floor = "none" whose points go below 0 lets the total go below
    the lowest grade bound, and such a total gets no grade. Reported once, however many such
    indicators, at the lowest bound of [grades] (or at the rule, for the national bands)."""
    from kpirules.linter import lint_text

    text = _FLOORLESS.format(grades=grades, range=range_)
    line = next(n for n, written in enumerate(text.split("\n"), 1) if written.startswith(at))
    found = [d for d in lint_text(text, "city.toml") if d.code == "KPI-G206"]
    assert [(d.line, d.indicator) for d in found] == [(line, "clean")], found
    assert 'indicator `clean` has floor = "none"' in found[0].message


@pytest.mark.parametrize(
    ("grades", "range_"),
    [
        ('[grades]\n"合格" = 3\n"差" = -100\n', ""),  # a negative bound chosen for points with no floor at all
        ('[grades]\n"合格" = 3\n"差" = -7\n', "range = [0, 13]"),  # at or below the lowest points, -1.5
    ],
)
def test_a_negative_lowest_grade_covers_the_totals_below_zero(grades: str, range_: str) -> None:
    from kpirules.linter import lint_text

    text = _FLOORLESS.format(grades=grades, range=range_).replace('rule = "deduct 1 pts each"', 'rule = "full"')
    assert not [d for d in lint_text(text, "city.toml") if d.code == "KPI-G206"]


def test_floor_zero_totals_are_graded_by_the_national_bands() -> None:
    from kpirules.linter import lint_text

    text = _FLOORLESS.format(grades="", range="").replace('floor = "none"\n', "")
    assert not [d for d in lint_text(text, "city.toml") if d.code == "KPI-G206"]
