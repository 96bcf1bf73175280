"""Audit inputs that crashed or hung (issue 10, item 4): numbers no table prints, in every place a
figure is read from — a ruleset's [reported], a --reported CSV, JSON, TOML or Excel file, and the
--values file. Each is a clean finding or an error at its cell; no traceback, no exit 3, and no
number written out in full past 30 digits (1e999999999 would be a gigabyte line)."""

from __future__ import annotations

import json
from decimal import Decimal as D
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from support import says

import kpirules
from kpirules.cli import main

LANGS = pytest.mark.parametrize("lang", ["zh", "en"])

RULESET = """\
[ruleset]
id = "t"
title = "测试"
total = 20

[measures.r]
type = "rate"
label = "执行率"

[measures.amt]
type = "number"
label = "支出"
unit = "元"

[[indicators]]
id = "a"
name = "预算执行率"
weight = 10
measure = "r"
rule = "proportional"

[[indicators]]
id = "b"
name = "满意度"
weight = 10
rule = "10 pts"

[values]
r = "90%"
amt = 100
"""

#: The table, right but for the placeholders.
REPORTED = """
[reported]
total = {total}

[reported.scores.a]
weight = 10
score = {score}
rate = {rate}

[reported.scores.b]
weight = 10
score = 10

[[reported.figures]]
measure = "amt"
value = {figure}
unit = "元"
"""
RIGHT = {"total": "19", "score": "9", "rate": '"90%"', "figure": "100"}


def run(*args: str) -> Result:
    return CliRunner().invoke(main, ["audit", *args], catch_exceptions=False)


def write(tmp_path: Path, name: str, text: str) -> str:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


def ruleset(tmp_path: Path, **figures: str) -> str:
    return write(tmp_path, "t.toml", RULESET + REPORTED.format(**{**RIGHT, **figures}))


def line_of(path: str, literal: str) -> int:
    """The line of ``path`` that ends with ``= literal``."""
    lines = Path(path).read_text("utf-8").split("\n")
    return next(n for n, line in enumerate(lines, 1) if line.endswith(f"= {literal}"))


def assert_refused(result: Result, where: str, *words: str, lang: str = "en") -> None:
    """Exit 2, nothing on stdout, one short located message per problem, no traceback; in ``lang``
    (in Chinese, the words that are the same in both languages, and no English sentence)."""
    assert result.exit_code == 2, result.output
    assert result.stdout == ""
    err = result.stderr
    assert "Traceback" not in err and "internal error" not in err and "内部错误" not in err
    assert len(err) < 2000 and max(len(line) for line in err.split("\n")) < 300
    assert where in err, err
    says(err, lang, *words)


# ---- [reported] in the ruleset ----------------------------------------------------------------
@LANGS
@pytest.mark.parametrize(
    ("field", "literal", "shown"),
    [
        ("rate", "1e400", "`rate` = 1E+400 (1E+402%)"),
        ("rate", "-1e999999999", "`rate` = -1E+999999999"),
        ("score", "-1e400", "`score` = -1E+400"),
        ("score", "1e-999999999", "`score` = 1E-999999999"),
        ("total", "1e999999999", "`total` = 1E+999999999"),
        ("figure", "-1e400", "`value` = -1E+400"),
    ],
)
def test_a_number_no_table_prints_is_refused_at_its_place(
    tmp_path: Path, lang: str, field: str, literal: str, shown: str
) -> None:
    path = ruleset(tmp_path, **{field: literal})
    result = run(path, "--lang", lang)
    where = f"t.toml:{line_of(path, literal)}:"
    assert_refused(result, where, shown, "is not a figure a table prints", "hint:", lang=lang)


def test_every_such_number_is_named_at_once(tmp_path: Path) -> None:
    path = ruleset(tmp_path, total="1e999999999", rate="1e400", score="1e-400")
    with pytest.raises(kpirules.KpiRulesError) as caught:
        kpirules.audit(kpirules.load(path))
    assert [(p.line, p.message.split(":")[1].strip()) for p in caught.value.problems] == [
        (line_of(path, "1e-400"), "`score` = 1E-400 is not a figure a table prints"),
        (line_of(path, "1e400"), "`rate` = 1E+400 (1E+402%) is not a figure a table prints"),
        (line_of(path, "1e999999999"), "`total` = 1E+999999999 is not a figure a table prints"),
    ]


def test_large_and_small_figures_a_table_may_print_are_audited(tmp_path: Path) -> None:
    """30 digits either side of the point are figures; the audit stays exact with them."""
    big = "1" + "0" * 29
    path = ruleset(tmp_path, total=big, score="0." + "0" * 29 + "1")
    audit = kpirules.audit(kpirules.load(path))
    found = {(f.kind, f.reported_text, f.expected_text) for f in audit}
    assert ("total-vs-sum", big, "19") in found
    assert ("score-vs-rule", "0." + "0" * 29 + "1", "9") in found


# ---- measured values -----------------------------------------------------------------------------
@LANGS
@pytest.mark.parametrize("value", ["1e999999999", "-1e999999999", "1e-999999999", "1e400"])
def test_a_measured_value_no_table_prints_is_a_finding_in_exponent_form(tmp_path: Path, lang: str, value: str) -> None:
    path = ruleset(tmp_path)
    values = write(tmp_path, "v.toml", f'r = "90%"\namt = {value}\n')
    for fmt in ("table", "markdown", "json"):
        result = run(path, "--values", values, "--lang", lang, "--format", fmt)
        assert result.exit_code == 1, result.output
        assert len(result.output) < 10_000 and "Traceback" not in result.output
        assert str(D(value)) in result.output  # 1E+999999999, as written
    data = json.loads(result.output, parse_float=D)
    (finding,) = data["findings"]
    assert finding["kind"] == "figure-vs-value" and finding["expected"] == D(value)


def test_a_tiny_measured_rate_is_shown_with_an_exponent(tmp_path: Path) -> None:
    path = ruleset(tmp_path)
    values = write(tmp_path, "v.toml", "r = 1e-999999999\namt = 100\n")
    result = run(path, "--values", values, "--lang", "en")
    assert result.exit_code == 1
    assert "执行率 = 1E-999999997%" in result.output and len(result.output) < 10_000


# ---- --reported files ----------------------------------------------------------------------------
CSV = "指标名称,权重,得分,得分率\n预算执行率,10,{score},{rate}\n满意度,10,10,100%\n合计,20,{total},\n"


@LANGS
@pytest.mark.parametrize(
    ("cells", "where", "words"),
    [
        ({"score": "1" + "0" * 40}, "r.csv:2:", ("`score` = 1E+40 is not a figure a table prints",)),
        ({"rate": "-1" + "0" * 40 + "%"}, "r.csv:2:", ("`rate` = -1E+38 (-1E+40%)",)),
        ({"total": "0." + "0" * 40 + "1"}, "r.csv:4:", ("`total` = 1E-41", "more than 30 decimals")),
        ({"total": "1e400"}, "r.csv:4:7", ("`total`: 1e400 is written with an exponent",)),
        ({"rate": "1e999999999%"}, "r.csv:2:", ("`rate`: 1e999999999% is written with an exponent",)),
        ({"score": "x" * 100_000}, "r.csv:2:", ("…(100,000 characters)' is not a number",)),
    ],
)
def test_csv_cells(tmp_path: Path, lang: str, cells: dict[str, str], where: str, words: tuple[str, ...]) -> None:
    rules = write(tmp_path, "t.toml", RULESET)
    table = write(tmp_path, "r.csv", CSV.format(**{"score": "9", "rate": "90%", "total": "19", **cells}))
    assert_refused(run(rules, "--reported", table, "--lang", lang), where, *words, lang=lang)


@LANGS
@pytest.mark.parametrize(
    ("literal", "words"),
    [
        ("1e9999999999999999999", ("`score`: 1e9999999999999999999 is written with an exponent",)),
        ("-1e400", ("`score` = -1E+400 is not a figure a table prints",)),
        ('"' + "9" * 100_000 + '"', ("`score` = ≈1E+100000",)),
    ],
)
def test_json_numbers(tmp_path: Path, lang: str, literal: str, words: tuple[str, ...]) -> None:
    rules = write(tmp_path, "t.toml", RULESET)
    text = (
        '{"rows": [{"指标名称": "预算执行率", "权重": 10, "得分": %s}, {"指标名称": "满意度", "权重": 10, "得分": 10}]}'
    )
    table = write(tmp_path, "r.json", text % literal)
    assert_refused(run(rules, "--reported", table, "--lang", lang), "r.json:1:", *words, lang=lang)


@LANGS
def test_toml_table_with_a_number_too_large_for_a_decimal(tmp_path: Path, lang: str) -> None:
    rules = write(tmp_path, "t.toml", RULESET)
    table = write(tmp_path, "r.toml", "total = 1e9999999999999999999\n[scores.a]\nscore = 9\n")
    assert_refused(
        run(rules, "--reported", table, "--lang", lang),
        "r.toml:1:9",
        "`total`: 1e9999999999999999999 is written",
        lang=lang,
    )


@LANGS
@pytest.mark.parametrize("number_format", ["General", "0.00", "0.00%"])
def test_excel_cell_of_1e300(tmp_path: Path, lang: str, number_format: str) -> None:
    openpyxl = pytest.importorskip("openpyxl")
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["指标名称", "权重", "得分", "得分率"])
    sheet.append(["预算执行率", 10, 1e300, 0.9])
    sheet.append(["满意度", 10, 10, 1])
    sheet["C2"].number_format = number_format
    book.save(tmp_path / "r.xlsx")
    rules = write(tmp_path, "t.toml", RULESET)
    assert_refused(
        run(rules, "--reported", str(tmp_path / "r.xlsx"), "--lang", lang), "r.xlsx:2:3", "1E+300", lang=lang
    )


# ---- how numbers are written ------------------------------------------------------------------
def test_numbers_past_30_digits_are_written_with_an_exponent() -> None:
    from kpirules.audit.printed import brief, plain, printable, show, show_rate

    assert printable(D("1" + "0" * 29)) and not printable(D("1" + "0" * 30))
    assert printable(D("0." + "0" * 29 + "1")) and not printable(D("0." + "0" * 30 + "1"))
    assert plain(D("4.470")) == "4.470" and plain(D("1e400")) == "1E+400"
    assert brief(D("9" * 40)) == "≈1E+40" and brief(D("12345e400")) == "1.2345E+404"
    assert show(D("1e-999999999")) == "1E-999999999" and show(D("2.5")) == "2.5"
    assert show_rate(D("1e400")) == "1E+402%" and show_rate(D("0.474")) == "47.4%"
    assert show_rate(D("1e999999999999999999")) == "1E+999999999999999999 × 100%"


@LANGS
def test_json_nan_and_toml_nan_are_refused_at_their_place(tmp_path: Path, lang: str) -> None:
    rules = write(tmp_path, "t.toml", RULESET)
    table = write(tmp_path, "r.json", '{"rows": [{"指标名称": "预算执行率", "权重": 10, "得分": NaN}]}')
    assert_refused(
        run(rules, "--reported", table, "--lang", lang), "r.json:1:45", "`score`: 'NaN' is not a number", lang=lang
    )
    table = write(tmp_path, "r.toml", "[scores.a]\nweight = 10\nscore = 9\nrate = nan\n")
    assert_refused(
        run(rules, "--reported", table, "--lang", lang),
        "r.toml:4:8",
        "`rate` = NaN is not a figure a table prints",
        lang=lang,
    )


@LANGS
def test_a_nul_byte_is_refused_at_its_line(tmp_path: Path, lang: str) -> None:
    rules = write(tmp_path, "t.toml", RULESET)
    table = write(tmp_path, "r.csv", CSV.format(score="9", rate="9\x000%", total="19"))
    assert_refused(run(rules, "--reported", table, "--lang", lang), "r.csv:2:13", "NUL", lang=lang)
