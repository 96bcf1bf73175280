"""The words of reading and writing files (values files, workbooks, templates, the scored
outputs) and of `kpirules score` and `kpirules template`: Chinese with `--lang zh`, English with
`--lang en`, from one catalog per module."""

from __future__ import annotations

import errno
import re
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

import kpirules
from kpirules import report, template, valuefiles, workbook, xlsxout
from kpirules.cli import M as CLI
from kpirules.cli import main, os_reason
from kpirules.cli import score as score_cli
from kpirules.cli import template as template_cli
from kpirules.messages import use_language
from kpirules.valuefiles import ValuesFileError, read_units

openpyxl = pytest.importorskip("openpyxl")

ROOT = Path(__file__).resolve().parent.parent
MINI = str(ROOT / "docs/examples/mini.toml")
BISHAN = str(ROOT / "rulesets/bishan_2022.toml")
TUTORIAL = str(ROOT / "docs/examples/tutorial.toml")

CATALOGS = [
    valuefiles.M,
    workbook.M,
    template.M,
    xlsxout.M,
    report.M,
    CLI,
    score_cli.M,
    template_cli.M,
]

#: What a Chinese text may hold in Latin letters: names of things that have no other (formats,
#: programs, packages), besides code in backticks, fields, options and file suffixes.
_NAMES = {
    "kpirules",
    "Excel",
    "WPS",
    "UTF",
    "BOM",
    "JSON",
    "CSV",
    "Parquet",
    "Python",
    "SQL",
    "duckdb",
    "sqlglot",
    "pyarrow",
    "python",
    "calamine",
    "pip",
    "install",
    "sql",
    "RULESET",
    "FILE",
    "KPIRULES_LANG",
    "KPIRULES_TRACEBACK",
    "KPIRULES_NO_CACHE",
    "score",
    "values",
    "overrides",
    "range",
    "prog",
    "version",
    "auto",
    "csv",
    "json",
    "markdown",
    "table",
    "xlsx",
    "id",
    "zh",
    "en",
}


def _english(text: str) -> list[str]:
    """The words of ``text`` that read as English: Latin words left once code, fields, options,
    suffixes and the names above are taken out."""
    text = re.sub(r"`[^`]*`|\{[^}]*\}|%\([a-z]+\)s|--[a-z-]+|\.[a-z]+\b|'[^']*'|\"[^\"]*\"", " ", text)
    return [w for w in re.findall(r"[A-Za-z][A-Za-z_]+", text) if w not in _NAMES]


def _invoke(*args: str) -> Any:
    result = CliRunner().invoke(main, list(args))
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result


@pytest.mark.parametrize("catalog", CATALOGS, ids=lambda c: c.name)
def test_every_message_has_both_languages_with_the_same_fields(catalog: Any) -> None:
    for key in catalog:
        text = catalog[key]
        assert text.zh and text.en, key
        assert text.fields("zh") == text.fields("en"), key


@pytest.mark.parametrize("catalog", CATALOGS, ids=lambda c: c.name)
def test_the_chinese_texts_are_chinese(catalog: Any) -> None:
    for key, zh in catalog.templates("zh").items():
        assert not _english(zh), (catalog.name, key, zh)


def test_a_values_file_kpirules_cannot_read(tmp_path: Path) -> None:
    path = tmp_path / "units.docx"
    path.write_text("x", "utf-8")
    for lang, want in (
        ("zh", "无法从 units.docx 读取数值：请使用 .toml"),
        ("en", "cannot read values from units.docx: use"),
    ):
        with use_language(lang), pytest.raises(ValuesFileError) as caught:
            read_units(path)
        assert caught.value.message.startswith(want)


def test_a_header_that_names_two_measures(tmp_path: Path) -> None:
    rs = kpirules.loads(
        '[ruleset]\nid = "t"\n[measures.a]\ntype = "count"\nlabel = "件数"\n'
        '[measures.b]\ntype = "count"\nlabel = "件数"\n'
        '[[indicators]]\nid = "i"\nweight = 10\nrule = "pass if a + b > 0"\n'
    )
    names = valuefiles.HeaderNames(rs.measures)
    with use_language("zh"), pytest.raises(ValuesFileError) as caught:
        names.column("件数")
    assert caught.value.message == "列 `件数` 可能是数据项 `a`, `b` 中的任何一个：它们的名称相同"
    assert caught.value.hint == "请改用数据项的 id 作列名"
    with use_language("en"), pytest.raises(ValuesFileError) as caught:
        names.column("a（%）")
    assert caught.value.message.endswith("cannot take: a count is no rate")
    with use_language("zh"), pytest.raises(ValuesFileError) as caught:
        names.column("a（%）")
    assert caught.value.message.endswith("不能使用这个计量单位：类型为 count 的数据项不是比率")


def test_a_workbook_without_the_sheet_asked_for(tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    book.active.title = "一月"
    book.active.append(["unit", "execution_rate"])
    path = tmp_path / "m.xlsx"
    book.save(path)
    zh = _invoke("score", MINI, "--values", str(path), "--sheet", "三月", "--lang", "zh")
    assert zh.exit_code == 2
    assert f"{path} 中没有工作表 三月；它的工作表有：1 一月" in zh.stderr
    assert "--sheet 接受工作表的名称或序号（从 1 开始）" in zh.stderr  # the hint
    en = _invoke("score", MINI, "--values", str(path), "--sheet", "三月", "--lang", "en")
    assert f"{path} has no sheet 三月; its sheets are 1 一月" in en.stderr


def test_a_batch_says_its_notes_and_failures_in_the_language_asked_for(tmp_path: Path) -> None:
    units = tmp_path / "u.csv"
    units.write_text("unit,execution_rate,satisfaction_rate,备注\nA,0.9,0.8,x\nB,0.9,1.2,y\n", "utf-8")
    zh = _invoke("score", MINI, "--values", str(units), "--lang", "zh")
    assert zh.exit_code == 1
    assert "注意：以下列不是输入数据项，已忽略：备注" in zh.stderr
    assert "2 个单位中有 1 个未能评分：" in zh.stderr
    assert "未能评分：1" in zh.stdout  # the table's own count
    en = _invoke("score", MINI, "--values", str(units), "--lang", "en")
    assert "note: ignoring columns that are not input measures: 备注" in en.stderr
    assert "1 of 2 units could not be scored:" in en.stderr
    assert "could not be scored: 1" in en.stdout


def test_rates_typed_without_percent_are_explained_in_chinese(tmp_path: Path) -> None:
    rs = kpirules.loads(
        '[ruleset]\nid = "t"\n[measures.rate]\ntype = "rate"\n'
        '[[indicators]]\nid = "i"\nweight = 10\nrule = "proportional rate"\n'
    )
    units = [valuefiles.Unit(name, {"rate": raw}) for name, raw in (("A", "86.5"), ("B", "5.2"))]
    with use_language("zh"):
        (error,) = valuefiles.percent_slips(rs.measures, units)[1]
    assert error.message.startswith("数据项 `rate`：'5.2' 作为比率是 520 %")
    assert error.hint is not None and error.hint.startswith('比率是 1 的几分之几：5.2 % 应写作 "5.2%" 或 0.052；')
    with use_language("en"):
        (error,) = valuefiles.percent_slips(rs.measures, units)[1]
    assert error.message.startswith("measure `rate`: '5.2' as a rate is 520 %")


@pytest.mark.parametrize(
    ("lang", "want"),
    [
        ("zh", "：kpirules 只写 .xlsx（工作簿）、.csv、.json、.md、.txt 或 .parquet 文件"),
        ("en", ": kpirules writes .xlsx (a workbook), .csv, .json, .md, .txt or .parquet files"),
    ],
)
def test_an_output_kpirules_cannot_write(tmp_path: Path, lang: str, want: str) -> None:
    out = tmp_path / "s.pdf"
    result = _invoke("score", MINI, "-o", str(out), "--lang", lang)
    assert result.exit_code == 2
    assert result.stderr == ("无法写入 " if lang == "zh" else "cannot write ") + str(out) + want + "\n"


def test_a_folder_that_does_not_exist(tmp_path: Path) -> None:
    out = tmp_path / "missing" / "s.csv"
    zh = _invoke("score", MINI, "-o", str(out), "--lang", "zh")
    assert zh.exit_code == 2 and zh.stderr == f"无法写入 {out}：所在的文件夹不存在\n"
    en = _invoke("score", MINI, "-o", str(out), "--lang", "en")
    assert en.exit_code == 2 and en.stderr == f"cannot write {out}: No such file or directory\n"
    with use_language("zh"):
        assert os_reason(OSError(errno.EACCES, "Permission denied")) == "没有权限"
        assert os_reason(OSError(errno.EIO, "Input/output error")) == "Input/output error"  # no word of ours


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_headings_follow_the_language(lang: str) -> None:
    rs = kpirules.load(TUTORIAL)
    words = {
        "zh": ("| 单位 |", "部门决策小计", "| **合计** |"),
        "en": ("| unit |", "部门决策 subtotal", "| **total** |"),
    }
    batch = report.render(rs, [rs.evaluate()], "markdown", batch=True, lang=lang)
    unit, subtotal, _ = words[lang]
    assert batch.startswith(unit) and subtotal in batch
    with use_language(lang):  # no language given: the current one
        one = report.render(rs, [rs.evaluate()], "markdown", batch=False)
    assert words[lang][2] in one


@pytest.mark.parametrize(
    ("lang", "sheets"),
    [
        ("zh", ["评分结果", "评分说明", "绩效自评表", "指标"]),
        ("en", ["scores", "explanations", "self-evaluation", "indicators"]),
    ],
)
def test_the_workbooks_sheets_follow_the_language(tmp_path: Path, lang: str, sheets: list[str]) -> None:
    out = tmp_path / "s.xlsx"
    assert _invoke("score", TUTORIAL, "-o", str(out), "--lang", lang).exit_code == 0
    book = openpyxl.load_workbook(out)
    assert book.sheetnames == sheets
    form = book[sheets[2]]
    reasons = [row[7] for row in form.iter_rows(min_row=4, values_only=True) if row[7]]
    skipped = ("评分标准", "规则", "取值") if lang == "zh" else ("standard", "rule", "values")
    assert reasons and not any(r.startswith(skipped) for r in reasons)  # 扣分原因: the steps only


def test_the_template_speaks_the_language_asked_for(tmp_path: Path) -> None:
    out = tmp_path / "t.xlsx"
    zh = _invoke("template", MINI, "-o", str(out), "--lang", "zh")
    assert zh.exit_code == 0 and zh.stderr.startswith(f"已写入 {out}：每个单位需填写 ")
    assert openpyxl.load_workbook(out).sheetnames == ["填报表", "填写说明", "评分标准"]
    en = _invoke("template", MINI, "-o", str(out), "--lang", "en")
    assert en.exit_code == 0 and en.stderr.startswith(f"wrote {out}: ")
    book = openpyxl.load_workbook(out)
    assert book.sheetnames == ["form", "measures", "standards"]
    assert book["measures"]["A1"].value == "column" and book["measures"]["B1"].value == "id"
    with use_language("zh"):
        assert template.to_csv(kpirules.load(MINI)).startswith("单位,")
    assert template.to_csv(kpirules.load(MINI), "en").startswith("unit,")
    bad = _invoke("template", MINI, "-o", str(tmp_path / "t.pdf"), "--lang", "zh")
    assert bad.exit_code == 2 and bad.stderr == f"无法写入 {tmp_path / 't.pdf'}：填报模板只能是 .xlsx 或 .csv 文件\n"


def test_the_internal_error_message(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr("kpirules.loader.load", broken)
    zh = _invoke("score", MINI, "--lang", "zh")
    assert zh.exit_code == 3 and zh.stderr.startswith("kpirules：内部错误：RuntimeError：boom\n这是 kpirules ")
    en = _invoke("score", MINI, "--lang", "en")
    assert en.exit_code == 3 and en.stderr.startswith("kpirules: internal error: RuntimeError: boom\nThis is a bug")


def test_help_is_said_in_the_language_of_the_environment() -> None:
    """click builds the help when the commands are made, before --lang is read: it follows
    $KPIRULES_LANG (else Chinese), where click allows."""
    assert score_cli.M.say("zh", "help") == "用 RULESET 自带的 [values]，或用 FILE 中的数值为 RULESET 评分。"
    assert score_cli.score.help in (score_cli.M.say("zh", "help"), score_cli.M.say("en", "help"))
    options = {p.name: p for p in score_cli.score.params}
    assert options["explain"].help in (score_cli.M.say("zh", "explain_help"), score_cli.M.say("en", "explain_help"))
    zh_help = _invoke("score", "--lang", "zh", "--help").stdout
    assert "显示本帮助并退出。" in zh_help  # the help option's own words: when the help is shown
    assert "Show this message and exit." in _invoke("template", "--lang", "en", "--help").stdout
