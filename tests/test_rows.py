"""Issue 15, items 9 and 10: weights shared among siblings ("15 分 ÷ 个数, 四舍五入"), values published
as bounds ("≥90%") and rows the published table does not show."""

from __future__ import annotations

import csv
from decimal import Decimal
from pathlib import Path

import pytest
from click.testing import CliRunner
from support import says

import kpirules
from kpirules.cli import main
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


# ---- values published as bounds ------------------------------------------------------------------
BOUNDS = """
[ruleset]
id = "bounds"
total = 20

[measures.rate]
type = "rate"
range = [0, 1]

[measures.count]
type = "count"

[measures.ok]
type = "bool"

[[indicators]]
id = "satisfaction"
weight = 10
measure = "rate"
rule = "proportional"

[[indicators]]
id = "complaints"
weight = 10
measure = "count"
rule = "deduct 1 pt per 1 above 5"
"""


@pytest.mark.parametrize(
    ("given", "side"),
    [
        ("≥90%", "at_least"),
        ("≥ 90%", "at_least"),
        (">=90%", "at_least"),
        ("90%以上", "at_least"),
        ("90% 以上", "at_least"),
        ("不低于90%", "at_least"),
        ("不少于 0.9", "at_least"),
        ("≤90%", "at_most"),
        ("<= 90%", "at_most"),
        ("90%以下", "at_most"),
        ("不超过90%", "at_most"),
        ("不高于90%", "at_most"),
    ],
)
def test_a_value_given_as_a_bound_scores_as_its_bound(given: str, side: str) -> None:
    rs = kpirules.loads(BOUNDS)
    result = rs.evaluate({"rate": given, "count": 5})
    assert result["satisfaction"].score == Decimal("9.00") and result.total == Decimal("19.00")
    (bound,) = result.bounds.values()
    assert bound == Decimal("0.9") and bound.side == side and bound.text == given.strip()
    assert result.to_dict()["bounds"] == {"rate": {"value": Decimal("0.90"), "bound": side, "given": given.strip()}}
    plain = rs.evaluate({"rate": "90%", "count": 5})
    assert plain.bounds == {} and "bounds" not in plain.to_dict()


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_explanation_says_the_score_rests_on_a_bound(lang: str) -> None:
    rs = kpirules.loads(BOUNDS)
    low = rs.evaluate({"rate": "≥90%", "count": "不超过 7"})
    text = "\n".join(line for line in low.explain(lang).splitlines() if "`rate`" in line or "`count`" in line)
    says(text, lang, "`rate` is given as a bound, ≥90%: scored at its lower bound 90%; the actual value may be higher")
    says(
        text, lang, "`count` is given as a bound, 不超过 7: scored at its upper bound 7; the actual value may be lower"
    )
    assert low["complaints"].score == Decimal("8.00")  # at most 7 complaints: 2 above 5, at most 2 points lost
    if lang == "zh":
        assert "`rate` 给出的是下限「≥90%」：按下限 90% 计分，实际数值可能更高" in text


@pytest.mark.parametrize("given", ["> 90%", "<90%", "超过90%", "低于 90%", "＞90%"])
@pytest.mark.parametrize("lang", ["en", "zh"])
def test_a_strict_bound_is_refused(given: str, lang: str) -> None:
    rs = kpirules.loads(BOUNDS)
    with use_language(lang), pytest.raises(kpirules.ValuesError) as err:
        rs.evaluate({"rate": given, "count": 1})
    says(err.value.message, lang, "is a strict bound: the value is not the bound")
    says(err.value.hint or "", lang, "≥", "≤", '"≥90%"')


@pytest.mark.parametrize("given", ["≥", "≥ 九成", "≥≥90%", "≥ 120%", "≥ -1"])
def test_a_bound_is_checked_as_a_value(given: str) -> None:
    with pytest.raises(kpirules.ValuesError):
        kpirules.loads(BOUNDS).evaluate({"rate": given, "count": 1})
    with pytest.raises(kpirules.ValuesError):
        kpirules.loads(BOUNDS).evaluate({"rate": "90%", "count": "≥ 1.5"})  # a count is whole
    with pytest.raises(kpirules.ValuesError):
        kpirules.loads(BOUNDS).evaluate({"rate": "90%", "count": 1, "ok": "≥1"})  # yes/no takes no bound


def test_bounds_in_the_rulesets_own_values_and_in_evaluate_many() -> None:
    own = kpirules.loads(BOUNDS + '\n[values]\nrate = "≥95%"\ncount = 3\n')
    result = own.evaluate()
    assert result.total == Decimal("19.50") and set(result.bounds) == {"rate"}
    rows = [{"rate": "≥90%", "count": "5"}, {"rate": 0.9, "count": 5}, {"rate": "90%以下", "count": "≤6"}]
    many = own.evaluate_many(rows)
    alone = [own.evaluate(row) for row in rows]
    assert [r.total for r in many] == [r.total for r in alone] == [Decimal(19), Decimal(19), Decimal(18)]
    assert [set(r.bounds) for r in many] == [{"rate"}, set(), {"rate", "count"}]  # type: ignore[union-attr]
    assert [r.bounds["rate"].side for r in (many[0], many[2])] == ["at_least", "at_most"]  # type: ignore[union-attr]


def test_bounds_from_a_values_file_on_the_command_line(tmp_path: Path) -> None:
    ruleset = tmp_path / "b.toml"
    ruleset.write_text(BOUNDS, "utf-8")
    units = tmp_path / "u.csv"
    units.write_text("unit,rate,count\nA,≥90%,5\nB,0.9,5\nC,90%以上,不多于6\n", "utf-8")
    result = CliRunner().invoke(main, ["score", str(ruleset), "--values", str(units), "--format", "csv"])
    assert result.exit_code == 0, result.output
    assert [line.split(",")[-3] for line in result.stdout.splitlines()[1:]] == ["19.00", "19.00", "18.00"]
    assert "note: [A] `rate` is given as a bound, ≥90%: scored at its lower bound 90%" in result.stderr
    assert "note: [C] `count` is given as a bound, 不多于6: scored at its upper bound 6" in result.stderr
    assert "[B]" not in result.stderr
    single = tmp_path / "one.json"
    single.write_text('{"rate": "≥ 90%", "count": 5}', "utf-8")
    result = CliRunner().invoke(main, ["score", str(ruleset), "--values", str(single), "--format", "json"])
    assert result.exit_code == 0, result.output
    assert '"bounds": {"rate": {"value": 0.90, "bound": "at_least", "given": "≥ 90%"}}' in result.stdout
    assert "note: `rate` is given as a bound" in result.stderr


def test_bounds_on_duckdb_score_as_on_python(tmp_path: Path) -> None:
    pytest.importorskip("duckdb")
    pytest.importorskip("sqlglot")
    ruleset = tmp_path / "b.toml"
    ruleset.write_text(BOUNDS, "utf-8")
    units = tmp_path / "u.csv"
    lines = ["unit,rate,count"] + [f"u{i},{'≥' if i % 3 == 0 else ''}{80 + i % 20}%,{i % 9}" for i in range(60)]
    units.write_text("\n".join(lines) + "\n", "utf-8")
    out = tmp_path / "out.csv"
    result = CliRunner().invoke(
        main, ["score", str(ruleset), "--values", str(units), "--engine", "duckdb", "-o", str(out)]
    )
    assert result.exit_code == 0, result.output
    assert "note: [u0] `rate` is given as a bound, ≥80%: scored at its lower bound 80%" in result.stderr
    assert "more unit(s) have values given as bounds" not in result.stderr  # 20 units, 20 lines
    python = tmp_path / "python.csv"
    result = CliRunner().invoke(
        main, ["score", str(ruleset), "--values", str(units), "--engine", "python", "-o", str(python)]
    )
    assert result.exit_code == 0, result.output
    with out.open(encoding="utf-8-sig") as f:
        sql_totals = {row["unit"]: row["total"] for row in csv.DictReader(f)}
    with python.open(encoding="utf-8-sig") as f:
        python_totals = {row["unit"]: row["total"] for row in csv.DictReader(f)}
    assert sql_totals == python_totals and len(sql_totals) == 60


# ---- rows the table does not show ----------------------------------------------------------------
CUT = """
[ruleset]
id = "cut"
total = 100

[measures.rate]
type = "rate"
range = [0, 1]

[[indicators]]
id = "execution"
name = "预算执行率"
path = ["过程"]
weight = 40
measure = "rate"
rule = "proportional"

[[indicators]]
id = "output"
name = "产出"
path = ["效益"]
weight = 30
measure = "rate"
rule = "proportional"

[[indicators]]
id = "benefit"
name = "社会效益"
path = ["效益"]
weight = 30
visible = false

[values]
rate = "95%"
"""
GIVEN = '\n[overrides.benefit]\nscore = 25\nreason = "总分 91.5 减去所列各行"\n'


def test_a_row_not_shown_counts_its_weight_and_leaves_the_total_unknown() -> None:
    rs = kpirules.loads(CUT)
    assert [row.id for row in rs.hidden] == ["benefit"] and [ind.id for ind in rs.indicators] == ["execution", "output"]
    assert rs.weight_sum == Decimal(100) and rs.warnings == ()
    assert not [d for d in lint_text(CUT, "cut.toml") if d.code in ("KPI-W201", "KPI-W202")]
    result = rs.evaluate()
    assert [s for s in result.scores] == [Decimal("38.00"), Decimal("28.50")]
    assert result.total is None and result.grade is None
    assert [row.id for row in result.unknown] == ["benefit"] and result.hidden == (None,)
    data = result.to_dict()
    assert data["total"] is None and data["grade"] is None
    assert data["hidden"] == [
        {"id": "benefit", "name": "社会效益", "path": ["效益"], "weight": Decimal(30), "score": None}
    ]
    many = rs.evaluate_many([{"rate": "95%"}, {"rate": 0.5}])
    assert [(r.total, r.grade, r.scores) for r in many] == [  # type: ignore[union-attr]
        (None, None, result.scores),
        (None, None, (Decimal("20.00"), Decimal("15.00"))),
    ]


def test_a_row_not_shown_takes_its_score_from_an_override() -> None:
    rs = kpirules.loads(CUT + GIVEN)
    assert rs.overrides == {} and set(rs.hidden_scores) == {"benefit"}
    result = rs.evaluate()
    assert result.total == Decimal("91.50") and result.grade == "优" and result.hidden == (Decimal("25.00"),)
    assert result.unknown == ()
    assert rs.evaluate({"rate": "95%"}).total is None  # other values: the override is the own unit's
    assert rs.evaluate({"rate": "95%"}, overrides=True).total == Decimal("91.50")
    (one,) = rs.evaluate_many([{"rate": "95%"}], overrides=True)
    assert one.total == Decimal("91.50") and one.grade == "优"  # type: ignore[union-attr]
    from kpirules.testing.invariants import check_result

    assert check_result(result) == [] and check_result(rs.evaluate({"rate": "50%"})) == []


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ('rule = "proportional"', "`rule` does not go with a row the table does not show"),
        ('measure = "rate"', "`measure` does not go with a row the table does not show"),
        ('if_missing = "full"', "`if_missing` does not go with a row the table does not show"),
    ],
)
def test_a_row_not_shown_has_no_rule(extra: str, message: str) -> None:
    with pytest.raises(kpirules.RulesetError) as err:
        kpirules.loads(CUT.replace("visible = false", f"visible = false\n{extra}"))
    assert err.value.message == message + " (visible = false): such a row has no rule"
    assert err.value.code == "KPI-S101" and "[overrides.<id>]" in (err.value.hint or "")
    with pytest.raises(kpirules.RulesetError) as err:
        kpirules.loads(CUT.replace("visible = false", "visible = true"))
    assert err.value.message == "[[indicators]] #3 needs the key `rule`"
    with pytest.raises(kpirules.RulesetError) as err:
        kpirules.loads(CUT + GIVEN.replace("score = 25", "score = 31"))
    assert err.value.message == "override score 31 is outside [0, 30]"


def test_a_row_not_shown_shares_weights_with_its_siblings() -> None:
    text = CUT.replace("weight = 30\n", 'weight = "60 / siblings"\n').replace("total = 100", "total = 100")
    rs = kpirules.loads(text)
    assert rs.indicator("output").weight == Decimal(30) and rs.hidden[0].weight == Decimal(30)


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_outputs_say_the_total_is_unknown(lang: str, tmp_path: Path) -> None:
    rs = kpirules.loads(CUT)
    result = rs.evaluate()
    text = result.explain(lang)
    says(text, lang, "unknown (`benefit` not shown)", "not shown in the table, and no rule: its score is unknown")
    given = kpirules.loads(CUT + GIVEN).evaluate().explain(lang)
    says(given, lang, "91.50", "the score is set by hand (reason: 总分 91.5 减去所列各行)")
    ruleset = tmp_path / "cut.toml"
    ruleset.write_text(CUT, "utf-8")
    for fmt in ("table", "csv", "markdown"):
        out = CliRunner().invoke(main, ["score", str(ruleset), "--format", fmt, "--lang", lang])
        assert out.exit_code == 0, out.output
        assert ("unknown (`benefit` not shown)" if lang == "en" else "未知（表中未列出：`benefit`）") in out.stdout
        assert "66.50" not in out.stdout  # never the sum of the rows shown
        assert ("the total is unknown" if lang == "en" else "总分未知") in out.stderr
    out = CliRunner().invoke(main, ["score", str(ruleset), "--format", "json"])
    assert '"total": null, "grade": null' in out.stdout and '"hidden": [{"id": "benefit"' in out.stdout
    assert '{"group": "效益", "weight": 60, "score": null, "rate": null}' in out.stdout  # its group: unknown


def test_the_workbook_writes_the_unknown_total_in_words(tmp_path: Path) -> None:
    openpyxl = pytest.importorskip("openpyxl")
    ruleset = tmp_path / "cut.toml"
    ruleset.write_text(CUT, "utf-8")
    units = tmp_path / "u.csv"
    units.write_text("unit,rate\nA,0.5\nB,0.9\n", "utf-8")
    for args in ([], ["--values", str(units)]):
        out = CliRunner().invoke(main, ["score", str(ruleset), *args, "-o", str(tmp_path / "out.xlsx"), "--lang", "en"])
        assert out.exit_code == 0, out.output
        sheet = openpyxl.load_workbook(tmp_path / "out.xlsx").worksheets[0]
        rows = list(sheet.iter_rows(values_only=True))
        assert rows[1][-3] == 100 and rows[1][-4] == 60  # the weights, the row not shown included
        assert all(row[-3] == "unknown (`benefit` not shown)" for row in rows[2:])
        assert all(row[-4] == "unknown" for row in rows[2:])  # the group 效益: its subtotal


def test_the_sql_path_gives_no_total(tmp_path: Path) -> None:
    pytest.importorskip("duckdb")
    pytest.importorskip("sqlglot")
    ruleset = tmp_path / "cut.toml"
    ruleset.write_text(CUT, "utf-8")
    units = tmp_path / "u.csv"
    units.write_text("unit,rate\n" + "".join(f"u{i},{i}%\n" for i in range(50)), "utf-8")
    out = tmp_path / "out.csv"
    result = CliRunner().invoke(
        main, ["score", str(ruleset), "--values", str(units), "--engine", "duckdb", "-o", str(out)]
    )
    assert result.exit_code == 0, result.output
    assert "the total is unknown: the rows the table does not show, `benefit`, have no score" in result.stderr
    with out.open(encoding="utf-8-sig") as f:
        rows = list(csv.DictReader(f))
    rs = kpirules.loads(CUT)
    python = rs.evaluate_many([{"rate": f"{i}%"} for i in range(50)])
    assert [(r["execution"], r["output"], r["total"], r["grade"]) for r in rows] == [
        (str(p.scores[0]), str(p.scores[1]), "", "")
        for p in python  # type: ignore[union-attr]
    ]


def test_plan_and_the_report_need_a_total(tmp_path: Path) -> None:
    with pytest.raises(kpirules.ValuesError) as err:
        kpirules.loads(CUT).plan(target=95)
    assert "the total is unknown" in err.value.message and "`benefit`" in err.value.message
    assert kpirules.loads(CUT + GIVEN).plan(target=95).total == Decimal("91.50")


def test_audit_counts_the_row_not_shown_and_checks_the_total_with_it() -> None:
    table = (
        "\n[reported]\ntotal = 91.5\n[reported.scores.execution]\nscore = 38\n[reported.scores.output]\nscore = 28.5\n"
    )
    audit = kpirules.audit(kpirules.loads(CUT + table))
    assert [f.kind for f in audit.findings] == ["row-hidden"]  # not row-missing, no total-vs-sum
    assert audit.findings[0].severity == "info" and "puts its score at 25" in audit.explain("en")
    too_much = kpirules.audit(kpirules.loads(CUT + table.replace("91.5", "97")))  # 66.5 + 30 at most
    assert [f.kind for f in too_much.findings if f.severity == "error"] == ["total-vs-sum"]
    given = kpirules.audit(kpirules.loads(CUT + GIVEN + table))
    assert [f.kind for f in given.findings] == ["row-hidden"]
    wrong = kpirules.audit(kpirules.loads(CUT + GIVEN + table.replace("91.5", "92.5")))
    assert "total-vs-rule" in [f.kind for f in wrong.findings] or "total-vs-sum" in [f.kind for f in wrong.findings]


def test_a_published_subtotal_counts_the_row_not_shown() -> None:
    table = (
        "\n[reported]\ntotal = 91.5\n[reported.scores.execution]\nscore = 38\n[reported.scores.output]\nscore = 28.5\n"
        '[[reported.subtotals]]\nname = "效益指标小计"\npath = ["效益"]\nweight = 60\nscore = 53.5\n'
    )
    rs = kpirules.loads(CUT + table)
    assert rs.reported is not None and rs.reported.subtotals[0].indicators == ("output", "benefit")
    assert [f.kind for f in kpirules.audit(rs).findings] == ["row-hidden"]
    wrong = kpirules.audit(kpirules.loads(CUT + table.replace("53.5", "63.5")))  # 28.5 + 30 at most
    assert [f.kind for f in wrong.findings] == ["subtotal-vs-sum", "row-hidden"]


@pytest.mark.parametrize("fmt", ["table", "markdown"])
def test_a_units_table_lists_the_rows_not_shown(fmt: str, tmp_path: Path) -> None:
    """A unit's table of scores lists each row the published table does not show, marked so, with
    its weight and its score where an override gives it (else —): the weights a reader adds up
    come to the total's, rather than to 70 of 100."""
    for text, score in ((CUT, "—"), (CUT + GIVEN, "25.00")):
        ruleset = tmp_path / "cut.toml"
        ruleset.write_text(text, "utf-8")
        for lang, name in (("zh", "社会效益（表中未列出）"), ("en", "社会效益 (not shown in the table)")):
            out = CliRunner().invoke(main, ["score", str(ruleset), "--format", fmt, "--lang", lang])
            assert out.exit_code == 0, out.output
            (line,) = [line for line in out.stdout.splitlines() if name in line]
            cells = [c.strip() for c in line.strip(" |").split("|")] if fmt == "markdown" else line.split()
            assert cells[-3:] == ["30", score, "—"], line
