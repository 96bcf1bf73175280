"""Audit says what it knows (issue 10, item 5): a 0 whose reason the table's note gives is a
deduction, not a slip; a score worked out from a figure the file prints rounded names that figure;
a cause that rests on a row the table does not print says so."""

from __future__ import annotations

import json
from decimal import Decimal as D
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

import kpirules
from kpirules.cli import main

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "docs" / "examples" / "audit"
LANGS = pytest.mark.parametrize("lang", ["zh", "en"])


def run(*args: str) -> Result:
    return CliRunner().invoke(main, ["audit", *args], catch_exceptions=False)


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def causes(audit: kpirules.Audit) -> dict[tuple[str | None, str | None], str]:
    return {(f.indicator, f.field): f.cause.code for f in audit if f.cause is not None}


# ---- a deliberate 0 --------------------------------------------------------------------------------
DISCLOSURE = kpirules.load(EXAMPLES / "disclosure.toml")
TABLE = "指标名称,分值,得分,备注\n预决算信息公开,7,0,{note}\n满意度,13,11.7,\n合计,20,{total},\n"


def test_a_zero_the_note_explains_is_kept_and_the_total_corrected(tmp_path: Path) -> None:
    """The rules cannot score the row (no value): the note decides. The 0 stays, the total that
    counts its 7 points is what is wrong; main called the 0 a slip for 7 and kept the total."""
    audit = kpirules.audit(DISCLOSURE, EXAMPLES / "disclosure_table.csv")
    assert audit.reconstruction.scores["disclosure"] == 0
    assert [(c.field, c.reported, c.corrected) for c in audit.reconstruction.corrections] == [
        ("total", D("18.7"), D("11.7"))
    ]
    (total,) = audit.errors
    assert total.cause is not None and total.cause.code == "deduction-ignored"
    assert total.cause.row == "disclosure" and total.cause.note == "未按时公开，不得分"
    assert not audit.of_kind("ambiguous-reconstruction")  # the note leaves no other reading
    (note,) = audit.of_kind("deliberate-zero")
    assert note.severity == "info" and note.reported == 0 and note.expected == 0


@LANGS
def test_the_deliberate_zero_in_words(lang: str) -> None:
    result = run(
        str(EXAMPLES / "disclosure.toml"), "--reported", str(EXAMPLES / "disclosure_table.csv"), "--lang", lang
    )
    assert result.exit_code == 1
    out = result.output
    assert "写成了" not in out and "mistyped" not in out
    if lang == "zh":
        assert "合计仍按「预决算信息公开」的满分 7 分计，未扣除备注所说的扣分（“未按时公开，不得分”）" in out
        assert "视为有意扣分，不作笔误处理，一致的重构保留该 0 分" in out
    else:
        assert (
            'the total counts 预决算信息公开 at its full 7 points, not the 0 its note gives ("未按时公开，不得分")'
            in out
        )
        assert "a deliberate deduction, not a slip; the consistent reconstruction keeps it" in out


def test_a_zero_without_a_reason_is_still_a_slip(tmp_path: Path) -> None:
    """The same table with a note that gives no reason for a 0: the 0 is one more slip."""
    path = write(tmp_path, "t.csv", TABLE.format(note="已公开", total="18.7"))
    audit = kpirules.audit(DISCLOSURE, path)
    assert audit.reconstruction.scores["disclosure"] == 7
    assert causes(audit)[("disclosure", "score")] == "typo"
    assert not audit.of_kind("deliberate-zero")


@LANGS
def test_a_deliberate_zero_the_values_contradict(tmp_path: Path, lang: str) -> None:
    """The values say it was published on time: the rules give 7, and the cause is the note's
    deduction disagreeing with the values, not "7 写成了 0"."""
    values = write(tmp_path, "v.toml", 'disclosed = true\nsatisfaction = "90%"\n')
    path = write(tmp_path, "t.csv", TABLE.format(note="未按时公开，不得分", total="11.7"))
    result = run(str(EXAMPLES / "disclosure.toml"), "--reported", str(path), "--values", str(values), "--lang", lang)
    assert result.exit_code == 1 and "写成了" not in result.output and "mistyped" not in result.output
    if lang == "zh":
        assert (
            "可能原因：备注说明该行不得分（“未按时公开，不得分”）：是有意扣分，不是笔误；与测量值不符" in result.output
        )
    else:
        assert (
            'Likely cause: the note gives the reason for the 0 ("未按时公开，不得分"): a deliberate deduction'
            in result.output
        )


def test_the_reason_can_be_the_rows_quote_in_the_ruleset() -> None:
    text = (EXAMPLES / "disclosure.toml").read_text("utf-8") + (
        "\n[reported]\ntotal = 18.7\n"
        '[reported.scores.disclosure]\nweight = 7\nscore = 0\nquote = "未在规定时限内公开，该项得0分"\n'
        "[reported.scores.satisfaction]\nweight = 13\nscore = 11.7\n"
    )
    audit = kpirules.audit(kpirules.loads(text))
    assert audit.reconstruction.scores["disclosure"] == 0
    assert causes(audit) == {(None, "total"): "deduction-ignored"}


def test_a_footnote_in_the_note_column_is_no_row(tmp_path: Path) -> None:
    path = write(tmp_path, "t.csv", TABLE.format(note="", total="11.7") + ",,,注：满意度按问卷计\n")
    assert kpirules.audit(DISCLOSURE, path).ok


# ---- a figure printed rounded -----------------------------------------------------------------------
EXECUTION = kpirules.load(EXAMPLES / "execution.toml")


def test_a_score_from_a_rounded_figure_names_it() -> None:
    """Spending 399.04 of 800 is 49.88 %: no points; the report prints 50 % and the 6 points of
    the 50 % band. Main said "计算错误"."""
    audit = kpirules.audit(EXECUTION)
    (finding,) = [f for f in audit if f.indicator == "exec"]
    assert (finding.kind, finding.reported, finding.expected) == ("score-vs-rule", D("6"), D("0"))
    assert finding.cause is not None and finding.cause.code == "rounded-figure"
    figure = finding.cause.figure
    assert figure is not None and (figure.printed, figure.unit, figure.exact) == (D("50"), "%", D("49.88"))
    assert finding.cause_text("zh") == (
        "得分按印出的预算执行率 50%（三、预算执行情况：“全年支出399.04万元，预算执行率为50%。”）算出，"
        "而预算执行率实为 49.88%：评分用了四舍五入后的数字"
    )
    assert finding.cause_text("en") == (
        'the score was worked out from the 预算执行率 as printed, 50% (三、预算执行情况: "全年支出399.04万元，'
        '预算执行率为50%。"), a rounded figure: the exact value is 49.88%'
    )


@LANGS
def test_a_rounded_rate_in_the_rate_column(tmp_path: Path, lang: str) -> None:
    text = (EXAMPLES / "execution.toml").read_text("utf-8").split("[[reported.figures]]")[0]
    rules = write(tmp_path, "r.toml", text)
    table = write(
        tmp_path, "t.csv", "指标名称,分值,得分,得分率\n预算执行率,10,6,50%\n满意度,10,9.1,91%\n合计,20,15.1,\n"
    )
    result = run(str(rules), "--reported", str(table), "--lang", lang)
    assert result.exit_code == 1
    if lang == "zh":
        assert "得分按印出的预算执行率 50%（得分率栏）算出，而预算执行率实为 49.88%" in result.output
    else:
        assert "worked out from the 预算执行率 as printed, 50% (in the rate column)" in result.output


@pytest.mark.parametrize("printed", ["52%", "49.88%"])
def test_a_figure_that_is_not_the_value_rounded_names_nothing(tmp_path: Path, printed: str) -> None:
    """52 % is another number (a figure-vs-value finding of its own), 49.88 % the value itself:
    neither explains the 6 points."""
    text = (EXAMPLES / "execution.toml").read_text("utf-8").replace('value = "50%"', f'value = "{printed}"')
    audit = kpirules.audit(kpirules.loads(text))
    assert causes(audit)[("exec", "score")] != "rounded-figure"


def test_without_the_figure_the_audit_does_not_guess() -> None:
    text = (EXAMPLES / "execution.toml").read_text("utf-8").split("[[reported.figures]]")[0]
    audit = kpirules.audit(kpirules.loads(text))
    assert causes(audit)[("exec", "score")] != "rounded-figure"


# ---- a cause built on a row the table does not print -----------------------------------------------
PROJECT = kpirules.load(EXAMPLES / "project.toml")


@LANGS
def test_a_row_the_table_does_not_print(lang: str) -> None:
    """满意度 is not in the table; the total leaves out the 17.6 points the rules give it. Main said
    "合计漏加了「满意度」一行（17.6 分）", as if the table printed it."""
    result = run(str(EXAMPLES / "project.toml"), "--reported", str(EXAMPLES / "missing_row.csv"), "--lang", lang)
    assert result.exit_code == 1
    if lang == "zh":
        assert "可能原因：表中没有「满意度」一行，合计也未计入它按规则应得的 17.6 分。" in result.output
        assert "各项得分之和 93.8（含表中没有的「满意度」按规则计 17.6 分）" in result.output
    else:
        assert (
            "the table has no row 满意度, and the total leaves out the 17.6 points the rules give it" in result.output
        )
        assert "the sum of the scores, 93.8 (counting rows the table does not print: 满意度" in result.output


def test_a_row_whose_score_the_table_leaves_empty(tmp_path: Path) -> None:
    """资金到位率's score cell is empty: the total leaves out the 9.2 points the rules give it, and
    the cause says the table prints no score for it."""
    path = write(
        tmp_path,
        "t.csv",
        "指标名称,分值,得分\n绩效目标合理性,10,10\n资金到位率,10,\n预算执行率,30,27\n产出数量,30,30\n满意度,20,17.6\n"
        "合计,100,84.6,\n",
    )
    audit = kpirules.audit(PROJECT, path)
    (total,) = [f for f in audit.errors if f.field == "total"]
    assert total.cause is not None and total.cause.code == "row-omitted"
    assert total.cause.assumed == (("funds", D("9.20"), "no-score"),)
    assert total.cause_text("zh") == "「资金到位率」一行未印出得分，合计也未计入它按规则应得的 9.2 分"
    assert total.cause_text("en") == (
        "the table prints no score for 资金到位率, and the total leaves out the 9.2 points the rules give it"
    )


def test_other_assumed_rows_are_named_too(tmp_path: Path) -> None:
    """A total that adds up the printed rows and, for 资金到位率, the rules' score: the cause says
    it counted that row at 9.2."""
    path = write(
        tmp_path,
        "t.csv",
        "指标名称,分值,得分\n绩效目标合理性,10,10\n资金到位率,10,\n预算执行率,30,72\n产出数量,30,30\n满意度,20,17.6\n"
        "合计,100,138.8,\n",
    )
    audit = kpirules.audit(PROJECT, path)
    (total,) = [f for f in audit.errors if f.field == "total"]
    assert total.cause is not None and total.cause.code == "follows-rows"
    assert total.cause_text("zh") == (
        "合计按印出的各行得分相加，错在其中的行（假定：未印出得分的「资金到位率」一行按规则计 9.2 分）"
    )
    assert total.cause_text("en").endswith(
        "(assuming row 资金到位率, whose score the table does not print, at the 9.2 points the rules give)"
    )


def test_a_cause_on_printed_rows_assumes_nothing() -> None:
    audit = kpirules.audit(PROJECT, EXAMPLES / "project_table.csv")
    assert all(f.cause is None or not f.cause.assumed for f in audit)


def test_json_lists_the_rows_a_cause_assumes() -> None:
    result = run(str(EXAMPLES / "project.toml"), "--reported", str(EXAMPLES / "missing_row.csv"), "--format", "json")
    (total,) = [f for f in json.loads(result.output, parse_float=D)["findings"] if f["field"] == "total"]
    assert total["assumed"] == [{"indicator": "satisfaction", "score": D("17.60"), "why": "missing-row"}]
