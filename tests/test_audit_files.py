"""Reported tables from files (TOML, JSON, CSV, Excel), their errors, `[[reported.figures]]` in the
loader, and the `kpirules audit` command line."""

from __future__ import annotations

import json
from decimal import Decimal as D
from pathlib import Path

import pytest
from click.testing import CliRunner

import kpirules
from kpirules.audit.printed import plain, printed_rate
from kpirules.audit.readers import ReportedFileError, read_reported
from kpirules.cli import main

ROOT = Path(__file__).resolve().parent.parent
BISHAN = ROOT / "rulesets" / "bishan_2022.toml"

# What table 1 gets wrong, whichever file it comes from (figures and the text's rates aside).
TABLE_FINDINGS = {
    ("total-vs-sum", None, "sum", "73.47", "93.74"),
    ("score-vs-rule", "monthly_case_volume", "score", "10", "15"),
    ("score-vs-rule", "on_time_closure", "score", "10", "15"),
    ("score-vs-rule", "system_failure", "score", "5", "15"),
    ("score-vs-rate", "on_time_disposal", "rate", "80%", "100%"),
    ("score-vs-rule", "satisfaction", "score", "4.47", "4.74"),
    ("score-vs-rate", "satisfaction", "rate", "47.74%", "47.4%"),
}


def summary(audit: kpirules.Audit) -> set[tuple[str, str | None, str | None, str, str]]:
    return {(f.kind, f.indicator, f.field, f.reported_text, f.expected_text) for f in audit.errors}


def table_rows(bishan: kpirules.Ruleset) -> list[tuple[str, str, str, str]]:
    """Table 1 as printed: (name, weight, score, rate) text."""
    assert bishan.reported is not None
    out = []
    for row in bishan.reported.rows:
        assert row.name and row.weight is not None and row.score is not None and row.rate is not None
        out.append((row.name, plain(row.weight), plain(row.score), printed_rate(row.rate)))
    return out


def csv_text(rows: list[tuple[str, str, str, str]], *, total: str = "93.74") -> str:
    def cell(text: str) -> str:
        return '"' + text.replace('"', '""') + '"' if any(c in text for c in ',"') else text

    lines = ["序号,指标名称,权重,得分,得分率"]
    lines += [f"{n},{cell(name)},{w},{s},{r}" for n, (name, w, s, r) in enumerate(rows, 1)]
    lines += [f",合计,100,{total},", ",等级,,优,"]
    return "\n".join(lines) + "\n"


# ---- CSV ------------------------------------------------------------------------------------------
def test_csv_by_chinese_names(bishan: kpirules.Ruleset, tmp_path: Path) -> None:
    path = tmp_path / "table1.csv"
    path.write_text(csv_text(table_rows(bishan)), encoding="utf-8")
    reported = read_reported(path, bishan)
    assert (reported.total, reported.grade, len(reported.rows)) == (D("93.74"), "优", 10)
    assert reported.rows[9].rate == D("0.4774") and reported.rows[9].score == D("4.47")
    assert reported.rows[2].locations["score"].line == 4
    audit = kpirules.audit(bishan, path)
    assert summary(audit) == TABLE_FINDINGS
    assert audit.source == str(path)
    assert audit.reconstruction.size == 6


@pytest.mark.parametrize(
    ("suffix", "encoding"),
    [(".tsv", "utf-8"), (".txt", "utf-16"), (".csv", "utf-16-be"), (".csv", "utf-8-sig")],
)
def test_tab_separated_tables(bishan: kpirules.Ruleset, tmp_path: Path, suffix: str, encoding: str) -> None:
    """Excel's "Unicode text" (UTF-16 with its byte-order mark, tab-separated, .txt) and other
    tab-separated tables read as their CSV twin does, with the same places (a tab, like a
    comma, is one column)."""
    rows = [(name.replace('"', "'"), w, s, r) for name, w, s, r in table_rows(bishan)]
    commas = csv_text(rows)
    tabs = commas.replace(",", "\t")
    twin, path = tmp_path / "twin.csv", tmp_path / f"table{suffix}"
    twin.write_text(commas, encoding="utf-8")
    data = tabs.encode(encoding)
    if encoding == "utf-16-be":
        data = "\ufeff".encode(encoding) + data
    path.write_bytes(data)
    reported, expected = read_reported(path, bishan), read_reported(twin, bishan)
    assert [(r.indicator, r.weight, r.score, r.rate) for r in reported.rows] == [
        (r.indicator, r.weight, r.score, r.rate) for r in expected.rows
    ]
    assert (reported.total, reported.grade) == (expected.total, expected.grade) == (D("93.74"), "优")
    where = [(loc.line, loc.column) for r in reported.rows for loc in r.locations.values()]
    assert where == [(loc.line, loc.column) for r in expected.rows for loc in r.locations.values()]
    assert summary(kpirules.audit(bishan, path)) == TABLE_FINDINGS


def test_utf16_without_its_mark_is_refused(bishan: kpirules.Ruleset, tmp_path: Path) -> None:
    path = tmp_path / "t.txt"
    path.write_bytes(csv_text(table_rows(bishan)).encode("utf-16-le"))
    with pytest.raises(ReportedFileError, match="neither UTF-8 nor GB18030"):
        read_reported(path, bishan)


def test_csv_names_match_despite_spaces_quotes_and_dashes(bishan: kpirules.Ruleset, tmp_path: Path) -> None:
    rows = table_rows(bishan)
    rows[2] = ("12319、数字城管、「马路办公—千里眼」 每月案件处理总量", *rows[2][1:])
    path = tmp_path / "t.csv"
    path.write_text(csv_text(rows), encoding="gb18030")  # saved by Excel on Chinese Windows
    assert read_reported(path, bishan).rows[2].indicator == "monthly_case_volume"


def test_csv_rates_written_without_percent_signs(bishan: kpirules.Ruleset, tmp_path: Path) -> None:
    rows = [(n, w, s, r.rstrip("%")) for n, w, s, r in table_rows(bishan)]
    path = tmp_path / "t.csv"
    path.write_text(csv_text(rows), encoding="utf-8")
    reported = read_reported(path, bishan)
    assert reported.rows[9].rate == D("0.4774")  # "47.74" in a rate column of percentages
    assert summary(kpirules.audit(bishan, path)) == TABLE_FINDINGS


def test_unknown_name_is_an_error_with_its_place(bishan: kpirules.Ruleset, tmp_path: Path) -> None:
    rows = table_rows(bishan)
    rows[0] = ("预算执行", *rows[0][1:])
    path = tmp_path / "t.csv"
    path.write_text(csv_text(rows), encoding="utf-8")
    with pytest.raises(ReportedFileError) as caught:
        read_reported(path, bishan)
    err = caught.value
    assert (err.line, err.column) == (2, 3)
    assert "预算执行" in err.message and err.hint is not None and "预算执行率" in err.hint


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("名称,分值\n预算执行率,10\n预算执行率,10\n", "has two rows"),
        ("a,b\n1,2\n", "no header row"),
        ("指标名称,得分,得分率\n预算执行率,10,九成\n", "is not a rate"),
        ("指标名称,得分\n预算执行率,十分\n", "is not a number"),
    ],
)
def test_bad_csv_tables(bishan: kpirules.Ruleset, tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "t.csv"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(kpirules.KpiRulesError) as caught:
        read_reported(path, bishan)
    assert message in str(caught.value)
    assert caught.value.file == str(path)


def test_files_that_cannot_be_read(bishan: kpirules.Ruleset, tmp_path: Path) -> None:
    for name, message in [("missing.csv", "no such file"), ("t.xls", ".xls format"), ("t.pdf", "cannot read")]:
        if name.endswith((".xls", ".pdf")):
            (tmp_path / name).write_bytes(b"x")
        with pytest.raises(kpirules.KpiRulesError, match=message):
            kpirules.audit(bishan, tmp_path / name)
    (tmp_path / "bad.json").write_text('{"total": 93.74,', encoding="utf-8")
    with pytest.raises(kpirules.KpiRulesError, match="invalid JSON") as caught:
        kpirules.audit(bishan, tmp_path / "bad.json")
    assert caught.value.line == 1
    (tmp_path / "bad.toml").write_text("total = \n", encoding="utf-8")
    with pytest.raises(kpirules.KpiRulesError, match="invalid TOML"):
        kpirules.audit(bishan, tmp_path / "bad.toml")


# ---- TOML and JSON --------------------------------------------------------------------------------
def test_toml_keyed_by_names_with_figures(bishan: kpirules.Ruleset, tmp_path: Path) -> None:
    lines = ["total = 93.74", 'grade = "优"', ""]
    for name, w, s, r in table_rows(bishan):
        key = name.replace('"', '\\"')
        lines += [f'[scores."{key}"]', f'"权重" = {w}', f'"得分" = {s}', f'"得分率" = "{r}"', ""]
    lines += [
        "[[figures]]",
        'measure = "budget_spent"',
        'value = "1899305.84万元"',
        'quote = "年末支出决算为1899305.84万元"',
    ]
    path = tmp_path / "table1.toml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    audit = kpirules.audit(bishan, path)
    assert summary(audit) == TABLE_FINDINGS | {("figure-vs-value", None, "figure", "1899305.84万元", "1899305.84元")}
    satisfaction = next(f for f in audit if f.indicator == "satisfaction" and f.field == "score")
    assert satisfaction.location is not None and satisfaction.location.file == str(path)
    assert satisfaction.location.line == lines.index('"得分" = 4.47') + 1


def test_toml_errors_point_into_the_file(bishan: kpirules.Ruleset, tmp_path: Path) -> None:
    path = tmp_path / "t.toml"
    path.write_text(
        'total = 93.74\n[scores."预算执行"]\nscore = 10\n[[figures]]\nmeasure = "spend"\nvalue = 1\n', "utf-8"
    )
    with pytest.raises(ReportedFileError) as caught:
        read_reported(path, bishan)
    problems = {(p.line, p.message) for p in caught.value.problems}
    assert (2, "no indicator of ruleset `bishan-2022` is called `预算执行`") in problems
    assert (5, "figure of unknown measure `spend`") in problems


def test_json_rows_and_positions(bishan: kpirules.Ruleset, tmp_path: Path) -> None:
    rows = [{"指标": name, "权重": D(w), "得分": D(s), "得分率": r} for name, w, s, r in table_rows(bishan)]
    data = {"total": D("93.74"), "grade": "优", "rows": rows}
    text = json.dumps(data, ensure_ascii=False, indent=1, default=lambda d: int(d) if d == int(d) else float(d))
    path = tmp_path / "table1.json"
    path.write_text(text, encoding="utf-8")
    audit = kpirules.audit(bishan, path)
    assert summary(audit) == TABLE_FINDINGS
    finding = next(f for f in audit if f.indicator == "system_failure")
    assert finding.location is not None
    line = text.split("\n")[finding.location.line - 1]  # type: ignore[operator]
    assert line.strip().startswith('"得分": 5')
    bad = text.replace("智慧城管系统运行故障率", "系统故障率")
    path.write_text(bad, encoding="utf-8")
    with pytest.raises(ReportedFileError) as caught:
        read_reported(path, bishan)
    assert caught.value.line == next(n for n, line in enumerate(bad.split("\n"), 1) if "系统故障率" in line)


# ---- Excel ----------------------------------------------------------------------------------------
def test_excel_table_reads_as_printed(bishan: kpirules.Ruleset, tmp_path: Path) -> None:
    openpyxl = pytest.importorskip("openpyxl")
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "表1"
    sheet.append(["重庆市璧山区智慧城市管理指挥中心 表1：指标得分情况"])  # a title row above the header
    sheet.append(["指标名称", "权重", "得分", "得分率"])
    for name, w, s, r in table_rows(bishan):
        sheet.append([name, int(w), float(s), float(D(r.rstrip("%")) / 100)])
        cell = sheet.cell(row=sheet.max_row, column=4)
        cell.number_format = "0.00%" if "." in r else "0%"
    sheet.append(["合计", 100, 93.74, None])
    sheet.append(["等级", None, "优", None])
    path = tmp_path / "table1.xlsx"
    book.save(path)
    reported = read_reported(path, bishan)
    assert reported.rows[9].rate == D("0.4774") and reported.rows[3].rate == D("0.80")
    assert reported.rows[9].locations["score"].line == 12
    audit = kpirules.audit(bishan, path)
    assert summary(audit) == TABLE_FINDINGS


def test_excel_without_openpyxl_fails_cleanly(
    bishan: kpirules.Ruleset, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from kpirules.audit.readers import workbook as readers

    def missing(name: str) -> object:
        raise ImportError(name)

    monkeypatch.setattr(readers.importlib, "import_module", missing)
    (tmp_path / "t.xlsx").write_bytes(b"PK")
    with pytest.raises(ReportedFileError) as caught:
        kpirules.audit(bishan, tmp_path / "t.xlsx")
    assert "openpyxl" in caught.value.message and "kpirules[excel]" in (caught.value.hint or "")


# ---- [[reported.figures]] in the loader ------------------------------------------------------------
HEAD = (
    '[ruleset]\nid = "f"\n[measures.spent]\ntype = "amount"\nunit = "元"\n[measures.n]\ntype = "count"\nunit = "件"\n'
)
HEAD += '[measures.r]\ntype = "rate"\n[measures.level]\ntype = "level"\nlevels = ["优", "良"]\n'
HEAD += '[[indicators]]\nid = "a"\nweight = 10\nmeasure = "r"\nrule = "proportional"\n[reported]\n'


@pytest.mark.parametrize(
    ("figure", "offset", "message"),
    [
        ('measure = "spend"\nvalue = 1', 1, "figure of unknown measure `spend`"),
        ('measure = "spent"\nvalue = "12件"', 2, "件 cannot be converted to the measure's unit (元)"),
        ('measure = "spent"\nvalue = "12万元"\nunit = "元"', 3, "the value is printed in 万元 but `unit` says 元"),
        ('measure = "spent"\nvalue = "about 12"', 2, "is not a number as printed"),
        ('measure = "n"\nvalue = "5%"', 2, "a count cannot be printed as a percentage"),
        ('measure = "level"\nvalue = "中"', 2, "is not a level of level"),
        ('measure = "spent"', 0, "needs the key `value`"),
    ],
)
def test_figure_errors_name_their_place(figure: str, offset: int, message: str) -> None:
    with pytest.raises(kpirules.RulesetError) as caught:
        kpirules.loads(HEAD + "[[reported.figures]]\n" + figure + "\n", name="f.toml")
    problem = next(p for p in caught.value.problems if message in p.message)
    assert (problem.file, problem.line) == ("f.toml", HEAD.count("\n") + 1 + offset), str(caught.value)


def test_figures_and_text_figures_load() -> None:
    text = HEAD + '[reported.scores.a]\nscore = 9\nrate = "90%"\ntext_rate = "90%"\ntext_score = 9\nquote = "得9分"\n'
    text += '[[reported.figures]]\nmeasure = "spent"\nvalue = "1,899,305.84 万元"\nwhere = "一"\nquote = "q"\n'
    text += '[[reported.figures]]\nmeasure = "level"\nvalue = "良"\n'
    reported = kpirules.loads(text).reported
    assert reported is not None
    (row,) = reported.rows
    assert (row.text_rate, row.text_score, row.quote) == (D("0.90"), D(9), "得9分")
    spent, level = reported.figures
    assert (spent.value, spent.unit, spent.where) == (D("1899305.84"), "万元", "一")
    assert (level.value, level.unit) == ("良", None)


def test_reported_row_keyed_by_a_name_gets_a_hint() -> None:
    text = HEAD.replace('id = "a"', 'id = "a"\nname = "预算执行率"') + '[reported.scores."预算执行率"]\nscore = 9\n'
    with pytest.raises(kpirules.RulesetError) as caught:
        kpirules.loads(text)
    assert caught.value.hint == "`预算执行率` is the name of `a`; key the row by the indicator's id"


# ---- the command line -----------------------------------------------------------------------------
def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, list(args))
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.output


def test_cli_on_bishan_exits_1_with_every_finding() -> None:
    code, out = run("audit", str(BISHAN), "--lang", "zh")
    assert code == 1
    assert "共 9 处错误，0 处警告，0 条提示。" in out
    assert "一致的重构（改动最少：表内 6 处）：" in out
    assert "服务对象满意度：得分 4.47 → 4.74，得分率 47.74% → 47.4%" in out
    code, out = run("audit", str(BISHAN), "--lang", "en", "--format", "markdown")
    assert code == 1 and "| # | level | figure |" in out and "9 errors, 0 warnings, 0 notes." in out


def test_cli_json_is_exact() -> None:
    code, out = run("audit", str(BISHAN), "--format", "json")
    assert code == 1
    data = json.loads(out, parse_float=D)
    assert data["summary"] == {"errors": 9, "warnings": 0, "notes": 0}
    assert (data["printed_sum"], data["recomputed_total"], data["reported_total"]) == (
        D("73.47"),
        D("93.74"),
        D("93.74"),
    )
    sat = next(f for f in data["findings"] if f["indicator"] == "satisfaction" and f["field"] == "rate")
    assert (sat["reported"], sat["expected"], sat["cause"]) == (D("0.4774"), D("0.4740"), "extra-digit")
    assert str(sat["reported"]) == "0.4774"  # written with its own digits
    assert data["reconstruction"]["size"] == 6 and data["reconstruction"]["keeps_total"] is True


def test_cli_clean_table_exits_0(tmp_path: Path, bishan: kpirules.Ruleset) -> None:
    result = bishan.evaluate()
    lines = ["指标名称,权重,得分,得分率"] + [f'"{i.name}",{i.weight},{i.score},{printed_rate(i.rate)}' for i in result]
    path = tmp_path / "clean.csv"
    path.write_text("\n".join([*lines, f"合计,100,{result.total},"]) + "\n", encoding="utf-8")
    code, out = run("audit", str(BISHAN), "--reported", str(path), "--format", "markdown", "--lang", "zh")
    assert code == 0, out
    assert "未发现不一致" in out


def test_cli_usage_errors_exit_2_without_traceback(tmp_path: Path) -> None:
    code, out = run("audit", str(tmp_path / "none.toml"))
    assert code == 2 and "no such file" in out
    code, out = run("audit", str(BISHAN), "--reported", str(tmp_path / "none.csv"))
    assert code == 2 and "no such file" in out and "Traceback" not in out
    bare = tmp_path / "bare.toml"
    bare.write_text(BISHAN.read_text("utf-8").split("\n[reported]\n")[0], encoding="utf-8")
    code, out = run("audit", str(bare))
    assert code == 2 and "has no [reported] table" in out
    code, out = run("audit", str(BISHAN), "--values", str(ROOT / "docs" / "examples" / "units.csv"))
    assert code == 2 and "one unit" in out


def test_cli_values_and_output(tmp_path: Path) -> None:
    values = tmp_path / "values.json"
    data = dict(kpirules.load(BISHAN).values)
    data.pop("satisfaction_rate")
    values.write_text(json.dumps({k: str(v) if not isinstance(v, bool) else v for k, v in data.items()}), "utf-8")
    target = tmp_path / "audit.json"
    code, out = run("audit", str(BISHAN), "--values", str(values), "--format", "json", "-o", str(target))
    assert (code, out) == (1, "")
    result = json.loads(target.read_text("utf-8"), parse_float=D)
    assert result["recomputed"]["satisfaction"] is None
    assert result["reconstruction"]["scores"]["satisfaction"] == D("4.74")
    assert any(f["kind"] == "ambiguous-reconstruction" for f in result["findings"])


def test_bad_values_are_a_usage_error(tmp_path: Path) -> None:
    bishan = kpirules.load(BISHAN)
    with pytest.raises(kpirules.ValuesError, match="satisfaction_rate"):
        kpirules.audit(bishan, values={**bishan.values, "satisfaction_rate": "九成"})
    values = tmp_path / "v.toml"
    values.write_text('satisfaction_rate = "九成"\n', encoding="utf-8")
    code, out = run("audit", str(BISHAN), "--values", str(values))
    assert code == 2 and "九成" in out and "Traceback" not in out
    # a formula that cannot be computed (no complaints received) is not the table's fault either way:
    # the rows that need it are not recomputed, and the audit goes on
    audit = kpirules.audit(bishan, values={**bishan.values, "complaints_received": 0, "complaints_answered": 0})
    assert audit.recomputed["complaint_reply"] is None
    assert any(f.kind == "not-recomputed" for f in audit.notes)


def test_the_api_names() -> None:
    import kpirules.audit.render  # importing a submodule must not shadow the function

    assert callable(kpirules.audit)
    from kpirules.audit import Audit, Finding

    assert (kpirules.Audit, kpirules.Finding) == (Audit, Finding)
    assert isinstance(kpirules.audit(kpirules.load(BISHAN)), Audit)
    assert {"audit", "Audit", "Finding"} <= set(kpirules.__all__)


def test_reported_csv_with_cr_line_ends_or_an_open_quote(bishan: kpirules.Ruleset, tmp_path: Path) -> None:
    rows = [(name.replace('"', "'"), w, s, r) for name, w, s, r in table_rows(bishan)]
    path = tmp_path / "mac.csv"
    path.write_bytes(csv_text(rows).replace("\n", "\r").encode("utf-8"))
    assert summary(kpirules.audit(bishan, path)) == TABLE_FINDINGS
    broken = tmp_path / "open_quote.csv"
    broken.write_text(csv_text(rows).replace(rows[3][0], '"' + rows[3][0]) + "x" * 140_000 + "\n", encoding="utf-8")
    with pytest.raises(ReportedFileError, match="cannot read this row of the table") as caught:
        read_reported(broken, bishan)
    assert caught.value.line == 5 and caught.value.hint is not None and "quote" in caught.value.hint
