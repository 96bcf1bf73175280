"""Nothing silently wrong (issue 10): a ruleset that does not add up is said to be so, values that
only look right are refused with the way to write them, hints never advise what mis-scores, and
overrides stay with the unit they were set for."""

from __future__ import annotations

import json
from decimal import Decimal as D
from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result
from hypothesis import given, settings
from hypothesis import strategies as st
from support import ruleset_text, says

import kpirules
from kpirules.cli import main

ROOT = Path(__file__).parent.parent
BISHAN = ROOT / "rulesets" / "bishan_2022.toml"
LANGS = pytest.mark.parametrize("lang", ["zh", "en"])


def run(*args: str) -> Result:
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def write(tmp_path: Path, name: str, text: str) -> str:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


# ---- weights that do not add up ---------------------------------------------------------------
def heavier_bishan(tmp_path: Path) -> str:
    """Bishan with the first indicator's weight 10 → 15: the weights add up to 105."""
    head, tail = BISHAN.read_text("utf-8").split('id = "budget_execution"', 1)
    tail = tail.replace("weight = 10", "weight = 15", 1)
    return write(tmp_path, "heavier.toml", head + 'id = "budget_execution"' + tail)


@LANGS
def test_score_warns_when_the_weights_do_not_add_up_to_the_total(tmp_path: Path, lang: str) -> None:
    path = heavier_bishan(tmp_path)
    result = run("score", path, "--lang", lang)
    assert result.exit_code == 0
    assert ("警告：" if lang == "zh" else "warning:") in result.stderr and "105" in result.stderr
    assert "KPI-W201" not in result.stdout
    footer = next(line for line in result.stdout.splitlines() if "合计" in line or "total" in line.lower())
    assert "105" in footer.split()  # the table's 分值 footer: the weights' sum …
    explained = run("score", path, "--explain", "--lang", lang).stdout
    assert "98.74 / 105" in explained  # … and the explanation's total agree on it
    data = json.loads(run("score", path, "--format", "json", "--lang", lang).stdout)
    (warning,) = data["warnings"]
    assert warning["code"] == "KPI-W201" and warning["line"] == 13 and "105" in warning["message"]


def test_a_coherent_ruleset_has_no_warnings() -> None:
    result = run("score", str(BISHAN), "--format", "json")
    assert json.loads(result.stdout)["warnings"] == [] and "warning" not in result.stderr
    assert kpirules.load(BISHAN).warnings == ()


def test_group_weights_that_do_not_add_up_are_a_warning() -> None:
    text = ruleset_text("proportional", weight=10, measure="rate", indicator_extra='path = ["产出"]')
    text += '[[groups]]\npath = ["产出"]\nweight = 20\n'
    text = text.replace('id = "t"', 'id = "t"\ntotal = 10')
    (warning,) = kpirules.loads(text, name="g.toml").warnings
    assert warning.code == "KPI-W202" and "weigh 10, not the group's 20" in warning.message


# ---- rates and amounts: what the scorer accepts is what the linter assumes -------------------
RATE_AND_AMOUNT = {"rate": {"type": "rate"}, "amt": {"type": "amount"}, "pct": {"type": "rate", "range": [-1, 1]}}


def rate_ruleset() -> kpirules.Ruleset:
    return kpirules.loads(ruleset_text("proportional", measure="rate", measures=RATE_AND_AMOUNT))


@pytest.mark.parametrize(
    ("values", "message", "hint"),
    [
        ({"rate": "86.5"}, "'86.5' as a rate is 8650 %", 'write 86.5 % as "86.5%" or 0.865'),
        ({"rate": 86.5}, "86.5 as a rate is 8650 %", 'write 86.5 % as "86.5%" or 0.865'),
        ({"rate": 10}, "10 as a rate is 1000 %", 'write 10 % as "10%" or 0.1'),
        ({"rate": D("1e999999")}, "as a rate is 1E+1000001 %", "declare its range"),
        ({"rate": D("1e999999999")}, "1E+999999999 is too large or too small a number", ""),
        ({"rate": "-2%"}, "'-2%' is negative", "such as range = [-1, 1]"),
        ({"rate": -0.02}, "-0.02 is negative", "such as range = [-1, 1]"),
        ({"rate": "0.5", "amt": -3}, "-3 is negative", "an amount with no `range` is 0 or more"),
    ],
)
def test_values_a_rate_or_amount_does_not_take_are_refused_with_a_hint(
    values: dict[str, Any], message: str, hint: str
) -> None:
    rs = rate_ruleset()
    with pytest.raises(kpirules.ValuesError) as caught:
        rs.evaluate({"rate": "50%", **values})
    assert message in caught.value.message and hint in (caught.value.hint or "")
    (outcome,) = rs.evaluate_many([{"rate": "50%", **values}])  # the column path agrees
    assert isinstance(outcome, kpirules.ValuesError) and outcome.message == caught.value.message


@pytest.mark.parametrize(
    "values", [{"rate": "8650%"}, {"rate": 9.99}, {"rate": 0}, {"rate": "1.5"}, {"pct": "-2%"}, {"amt": 0}]
)
def test_values_written_plainly_are_taken(values: dict[str, Any]) -> None:
    rs = rate_ruleset()
    row = {"rate": "50%", **values}
    assert rs.evaluate(row).total == rs.evaluate_many([row])[0].total  # type: ignore[union-attr]


def test_columns_of_floats_take_the_same_values_as_one_unit() -> None:
    rs = rate_ruleset()
    rows = [{"rate": v} for v in (0.5, 0.9, 9.5, 10.0, -0.1, 86.5)]
    outcomes = rs.evaluate_many(rows)
    assert [isinstance(o, kpirules.Result) for o in outcomes] == [True, True, True, False, False, False]


@pytest.mark.parametrize("where", ["toml", "json"])
def test_a_huge_rate_as_a_number_is_a_located_message(tmp_path: Path, where: str) -> None:
    text = ruleset_text("proportional", measure="rate", measures=RATE_AND_AMOUNT)
    if where == "toml":
        path = write(tmp_path, "r.toml", text + "[values]\nrate = 1e999999999\n")
        result = run("score", path)
    else:
        path = write(tmp_path, "r.toml", text)
        result = run("score", path, "--values", write(tmp_path, "v.json", '{"rate": 1e999999999}'))
    assert result.exit_code in (1, 2) and "Traceback" not in result.output
    assert "1E+999999999 is too large or too small a number" in result.stderr


@LANGS
def test_a_column_of_rates_typed_without_percent_is_refused(tmp_path: Path, lang: str) -> None:
    ruleset = write(tmp_path, "r.toml", ruleset_text("proportional", measure="rate", measures=RATE_AND_AMOUNT))
    units = write(tmp_path, "u.csv", "unit,rate\nA,86.5\nB,5.2\nC,3\n")
    result = run("score", ruleset, "--values", units, "--lang", lang)
    if lang == "zh":
        assert result.exit_code == 1 and "3 个单位中有 3 个未能评分" in result.stderr
        assert "u.csv:3:3: 数据项 `rate`：'5.2' 作为比率是 520 %" in result.stderr
        assert '5.2 % 应写作 "5.2%" 或 0.052' in result.stderr
        assert "u.csv:2:3: " in result.stderr and "'86.5'" in result.stderr
    else:
        assert result.exit_code == 1 and "3 of 3 units could not be scored" in result.stderr
        assert "u.csv:3:3: measure `rate`: '5.2' as a rate is 520 %" in result.stderr
        assert 'write 5.2 % as "5.2%" or 0.052' in result.stderr
        assert "u.csv:2:3: measure `rate`: '86.5' as a rate is 8650 %" in result.stderr
    # one fraction among them, or every rate written with %, and the column is read as it is
    for text in ("unit,rate\nA,0.9\nB,5.2\n", "unit,rate\nA,86.5%\nB,5.2%\n"):
        assert run("score", ruleset, "--values", write(tmp_path, "ok.csv", text)).exit_code == 0


# ---- hints that score what they say -------------------------------------------------------------
@settings(max_examples=60, deadline=None)
@given(
    points=st.decimals(min_value=D("0.5"), max_value=D(120), places=1),
    weight=st.integers(min_value=1, max_value=100),
)
def test_the_bare_number_hint_scores_the_points_it_names(points: D, weight: int) -> None:
    text = ruleset_text(f"tiers {{ >= 90%: full, else: {points} }}", measure="rate", weight=weight)
    with pytest.raises(kpirules.RuleTypeError) as caught:
        kpirules.loads(text)
    hint = caught.value.hint or ""
    assert f"write `{points} pts` for points" in hint
    want = min(points, D(weight))
    for suggestion in [f"{points} pts", *(part.split("`")[1] for part in hint.split(", or ")[1:])]:
        fixed = kpirules.loads(text.replace(f"else: {points} }}", f"else: {suggestion} }}"))
        assert fixed.evaluate({"rate": "50%"})["i"].score == want.quantize(D("0.01")), suggestion
    if Fraction(points) / weight * 100 <= 100 and (Fraction(points) / weight * 1_000_000).denominator == 1:
        assert ", or `" in hint  # a share of the weight is offered wherever it is exact


# ---- overrides belong to the ruleset's own unit -------------------------------------------------
OVERRIDE = '[values]\nrate = "100%"\n[overrides.i]\nscore = 9\nreason = "评审组酌情扣1分"\n'


def test_overrides_apply_to_the_rulesets_own_unit_only() -> None:
    rs = kpirules.loads(ruleset_text("proportional", measure="rate", extra=OVERRIDE))
    own = rs.evaluate()
    assert (own.total, own["i"].status, own["i"].computed) == (D("9.00"), "overridden", D("10.00"))
    other = rs.evaluate({"rate": "80%"})
    assert (other.total, other["i"].status, other["i"].override) == (D("8.00"), "scored", None)
    assert rs.evaluate({"rate": "80%"}, overrides=True).total == D("9.00")
    batch = rs.evaluate_many([{"rate": "80%"}, {"rate": "50%"}])
    assert [r.total for r in batch] == [D("8.00"), D("5.00")]  # type: ignore[union-attr]
    assert [r.total for r in rs.evaluate_many([{"rate": "80%"}], overrides=True)] == [D("9.00")]  # type: ignore[union-attr]


@LANGS
def test_score_says_that_overrides_do_not_apply_to_a_file_of_units(tmp_path: Path, lang: str) -> None:
    ruleset = write(tmp_path, "o.toml", ruleset_text("proportional", measure="rate", extra=OVERRIDE))
    own = run("score", ruleset, "--format", "json", "--lang", lang)
    assert json.loads(own.stdout)["total"] == 9 and "note" not in own.stderr
    units = write(tmp_path, "u.csv", "unit,rate\nA,80%\nB,50%\n")
    batch = run("score", ruleset, "--values", units, "--format", "json", "--lang", lang)
    assert [r["total"] for r in json.loads(batch.stdout)["results"]] == [8, 5]
    assert "[overrides]" in batch.stderr
    assert ("按评分规则评分" if lang == "zh" else "scored by the rules") in batch.stderr


# ---- rulesets that cannot be scored at all ------------------------------------------------------
EMPTY = '[ruleset]\nid = "x"\ntitle = "空"\n'


@LANGS
@pytest.mark.parametrize("padding", ["", "# 注释\n" * 20_000])
def test_a_ruleset_with_no_indicators_is_an_error_everywhere(tmp_path: Path, lang: str, padding: str) -> None:
    path = write(tmp_path, "empty.toml", EMPTY + padding)
    with pytest.raises(kpirules.RulesetError, match="has no indicators"):
        kpirules.load(path)
    score = run("score", path, "--lang", lang)
    assert score.exit_code == 2 and "合计" not in score.stdout
    says(score.stderr, lang, "empty.toml:1:1: ", "the ruleset has no indicators")
    lint = run("lint", path, "--lang", lang)
    assert lint.exit_code == 1 and "KPI-S102" in lint.stdout
    says(lint.stdout, lang, "the ruleset has no indicators", "Found 1 problem (1 error).")


@LANGS
@pytest.mark.parametrize(
    ("line", "replacement", "message"),
    [
        ("weight = 60", "weight = 1e58", "`weight` = 1E+58 is too large a number of points"),
        ('title = "预算执行与满意度（示例）"', "total = 1e999999999", "`total` = 1E+999999999 is too large"),
        ("[measures.execution_rate]", '[grades]\n"优" = 1e999999999\n[measures.execution_rate]', "`优` = 1E+999999999"),
    ],
)
def test_numbers_of_points_too_large_to_score_are_load_errors(
    tmp_path: Path, lang: str, line: str, replacement: str, message: str
) -> None:
    text = (ROOT / "docs" / "examples" / "mini.toml").read_text("utf-8").replace(line, replacement, 1)
    path = write(tmp_path, "big.toml", text)
    for command in (["score", path], ["lint", path], ["audit", path]):
        result = run(*command, "--lang", lang)
        assert result.exit_code in (1, 2), command
        says(result.output, lang, message)
        assert len(result.output) < 2_000  # no number written out in full


def test_a_values_file_nested_too_deeply_is_a_clean_error(tmp_path: Path) -> None:
    for text in ("[" * 5000 + "]" * 5000, '{"a":' * 5000 + "1" + "}" * 5000):
        result = run("score", str(BISHAN), "--values", write(tmp_path, "deep.json", text))
        assert (
            result.exit_code == 2 and "deep.json: invalid values file: the JSON is nested too deeply" in result.stderr
        )


@pytest.mark.parametrize(
    ("text", "where", "message"),
    [
        ('[ruleset]\nid = \'x\n\n[measures.a]\ntype = "rate"\n', (2, 6), "the string that starts here is never closed"),
        ('[ruleset]\nid = "x"\ntitle = """abc\n\n[measures]\n', (3, 9), "the string that starts here is never closed"),
        (
            '[ruleset]\nid = "x" # it\'s\n[grades]\nx = [1,\n2\n# ] no\n',
            (4, 5),
            "the array that starts here is never closed",
        ),
    ],
)
def test_toml_that_runs_to_the_end_says_where_it_began(text: str, where: tuple[int, int], message: str) -> None:
    with pytest.raises(kpirules.RulesetError) as caught:
        kpirules.loads(text, name="t.toml")
    assert (caught.value.line, caught.value.column) == where and message in caught.value.message


# ---- exit statuses ----------------------------------------------------------------------------
@LANGS
def test_a_bad_value_exits_1_wherever_it_is_written(tmp_path: Path, lang: str) -> None:
    mini = (ROOT / "docs" / "examples" / "mini.toml").read_text("utf-8")
    own = write(tmp_path, "own.toml", mini.replace('satisfaction_rate = "88%"', "satisfaction_rate = 88"))
    given = write(tmp_path, "v.toml", 'execution_rate = "93.3%"\nsatisfaction_rate = 88\n')
    units = write(tmp_path, "u.csv", "unit,execution_rate,satisfaction_rate\nA,93.3%,88\n")
    mini_path = str(ROOT / "docs" / "examples" / "mini.toml")
    for command in (["score", own], ["score", mini_path, "--values", given], ["score", mini_path, "--values", units]):
        result = run(*command, "--lang", lang)
        assert result.exit_code == 1, command
        says(result.stderr, lang, 'hint: a rate is a fraction of 1: write 88 % as "88%" or 0.88', '"88%"', "0.88")


def test_an_internal_error_exits_3_and_asks_for_a_bug_report(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*args: object, **kwargs: object) -> None:
        raise ZeroDivisionError("a bug")

    monkeypatch.setattr("kpirules.loader.load", broken)
    result = run("score", str(BISHAN))
    assert result.exit_code == 3 and "Traceback" not in result.output
    assert "kpirules: internal error: ZeroDivisionError: a bug" in result.stderr and "Please report it" in result.stderr
    monkeypatch.setenv("KPIRULES_TRACEBACK", "1")
    assert "Traceback" in run("score", str(BISHAN)).stderr


@pytest.mark.parametrize("literal", ["1e9999999999999999999", "-1e9999999999999999999"])
def test_number_literals_no_decimal_holds_are_located_errors(tmp_path: Path, literal: str) -> None:
    mini = (ROOT / "docs" / "examples" / "mini.toml").read_text("utf-8")
    own = run("score", write(tmp_path, "own.toml", mini.replace('"88%"', literal)))
    assert own.exit_code == 2 and f"own.toml:34:21: invalid TOML: {literal} is too large" in own.stderr
    mini_path = str(ROOT / "docs" / "examples" / "mini.toml")
    given = run("score", mini_path, "--values", write(tmp_path, "v.json", f'{{"satisfaction_rate": {literal}}}'))
    assert given.exit_code == 2 and f"v.json:1:23: invalid values file: {literal} is too large" in given.stderr


@pytest.mark.parametrize("value", ["1e999999999999999999", "-1e999999999999999999", "1e-999999999999999999"])
def test_numbers_past_the_exponent_limit_never_crash(value: str) -> None:
    rs = rate_ruleset()
    for raw in (D(value), value):
        try:
            result = rs.evaluate({"rate": raw})
        except kpirules.ValuesError as err:
            assert "too large or too small" in err.message or "is negative" in err.message
        else:
            assert result.total == D("0.00") and len(result.explain()) < 2_000


def test_absurd_numbers_are_written_with_an_exponent() -> None:
    from kpirules.textfmt import exact_json, number, percent

    for value in (D("1e-999999999"), D("1e999999999"), D("-1e-40")):
        assert len(number(value)) < 40 and len(percent(value)) < 40 and len(exact_json(value)) < 40
    assert (number(D("0.5")), percent(D("0.474")), exact_json(D("10.00"))) == ("0.5", "47.4%", "10.00")


def test_a_reader_that_goes_away_is_no_internal_error() -> None:
    """`kpirules rule --list | head -1`: the pipe closes while kpirules still writes; it stops
    quietly with exit 0 (it was an internal error, exit 3)."""
    import subprocess
    import sys

    shell = f"{sys.executable} -m kpirules rule --list --lang en | head -1"
    done = subprocess.run(["bash", "-o", "pipefail", "-c", shell], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0 and done.stdout.startswith("KPI-E001") and done.stderr == "", done.stderr
