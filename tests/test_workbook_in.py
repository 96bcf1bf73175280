"""Values from workbooks (.xlsx …) and the header rules every table of units follows."""

from __future__ import annotations

import csv
import datetime
import io
import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

import kpirules
from kpirules.cli import main
from kpirules.errors import Location
from kpirules.valuefiles import HeaderNames, ValuesFileError, read_units
from kpirules.values import parse_number

openpyxl = pytest.importorskip("openpyxl")

ROOT = Path(__file__).resolve().parent.parent
BISHAN = str(ROOT / "rulesets/bishan_2022.toml")
MINI = str(ROOT / "docs/examples/mini.toml")
UNITS_CSV = ROOT / "docs/examples/units.csv"


@pytest.fixture(autouse=True)
def chinese(monkeypatch: pytest.MonkeyPatch) -> None:
    """These tests read the workbooks and tables a Chinese user gets (the default language)."""
    monkeypatch.setenv("KPIRULES_LANG", "zh")


def _invoke(*args: str) -> Any:
    result = CliRunner().invoke(main, list(args))
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result


def _labels(rs: kpirules.Ruleset, ids: list[str]) -> list[str]:
    """The header a person would type: each measure's label (with its unit), 单位名称 for unit."""
    out = []
    for name in ids:
        measure = rs.measures.get(name)
        if name == "unit":
            out.append("单位名称")
        elif measure is None or not measure.label:
            out.append(name)
        else:
            out.append(f"{measure.label}（{measure.unit}）" if measure.unit else measure.label)
    return out


def _as_typed(measure: kpirules.Measure | None, text: str) -> Any:
    """A CSV cell as Excel holds it once typed: numbers as numbers, 95.3% as 0.953, the rest text."""
    if measure is None or not text or measure.type in ("bool", "level"):
        return text
    if text.endswith("%"):
        return float(Decimal(text[:-1]) / 100)
    try:
        value = Decimal(text.replace(",", ""))
    except ArithmeticError:
        return text
    return int(value) if value == value.to_integral_value() else float(value)


def bishan_workbook(path: Path) -> None:
    """docs/examples/units.csv as a finance officer's sheet: a merged title, a note, a blank row,
    the header in labels, blank rows between units, numbers typed and numbers stored as text,
    percentages as cells formatted %."""
    rs = kpirules.load(BISHAN)
    rows = list(csv.reader(io.StringIO(UNITS_CSV.read_text("utf-8"))))
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "自评"
    sheet["A1"] = "2022年度整体支出绩效自评填报表"
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(rows[0]))
    sheet["A2"] = "填报单位：区城市管理局（盖章）"
    sheet.append([])
    sheet.append(_labels(rs, rows[0]))
    for k, row in enumerate(rows[1:]):
        sheet.append([])
        cells = []
        for name, text in zip(rows[0], row, strict=True):
            value = _as_typed(rs.measures.get(name), text)
            cells.append(str(value) if k == 1 and isinstance(value, int) else value)  # stored as text
        sheet.append(cells)
        for col, name in enumerate(rows[0], 1):
            if name in rs.measures and rs.measures[name].type == "rate" and row[col - 1]:
                sheet.cell(sheet.max_row, col).number_format = "0.0%"
    book.save(path)


def test_a_workbook_scores_exactly_as_the_csv_file(tmp_path: Path) -> None:
    workbook = tmp_path / "units.xlsx"
    bishan_workbook(workbook)
    via_csv = _invoke("score", BISHAN, "--values", str(UNITS_CSV), "--format", "csv", "--lang", "en")
    via_xlsx = _invoke("score", BISHAN, "--values", str(workbook), "--format", "csv", "--lang", "en")
    assert via_csv.exit_code == via_xlsx.exit_code == 1
    assert via_xlsx.stdout == via_csv.stdout
    assert "note: ignoring columns that are not input measures: 备注" in via_xlsx.stderr
    # the done-when command: a workbook in, a workbook out, per unit the CSV path's scores
    out = tmp_path / "scores.xlsx"
    result = _invoke("score", BISHAN, "--values", str(workbook), "-o", str(out))
    assert result.exit_code == 1 and result.stdout == ""
    sheet = openpyxl.load_workbook(out)["评分结果"]
    got = {r[0]: r[1:] for r in sheet.iter_rows(min_row=3, values_only=True)}
    in_chinese = _invoke("score", BISHAN, "--values", str(UNITS_CSV), "--format", "csv", "--lang", "zh")
    for row in csv.reader(io.StringIO(in_chinese.stdout.split("\n", 1)[1])):
        cells = got[row[0]]
        numbers = [Decimal(repr(c)) if isinstance(c, float) else c for c in cells[:11]]
        assert numbers == [Decimal(x) if x else None for x in row[1:12]], row[0]
        assert (cells[11] or "") == row[12] and (cells[12] or "") == row[13]


def test_every_bad_cell_is_reported_at_once_at_its_cell(tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Sheet1"
    sheet.append(["指标填报"])
    sheet.append(["unit", "预算执行率", "服务对象满意度"])
    sheet.append(["一中队", "九成", 0.9])
    sheet.append(["二中队", 0.93, 1.2])
    sheet.append(["三中队", datetime.date(2023, 5, 1), 0.9])  # Excel turned "5-1" into a date
    path = tmp_path / "bad.xlsx"
    book.save(path)
    result = _invoke("score", MINI, "--values", str(path), "--lang", "en")
    assert result.exit_code == 1
    err = result.stderr
    assert "3 of 3 units could not be scored" in err
    assert f"[一中队] {path}!Sheet1!B3: measure `execution_rate`: '九成' is not a number" in err
    assert f"[二中队] {path}!Sheet1!C4: measure `satisfaction_rate`: 1.2 is outside the declared range [0, 1]" in err
    assert f"[三中队] {path}!Sheet1!B5: measure `execution_rate`: '2023-05-01' is not a number" in err
    data = json.loads(_invoke("score", MINI, "--values", str(path), "--format", "json").stdout)
    problem = data["errors"][0]["problems"][0]
    assert (problem["file"], problem["sheet"], problem["cell"], problem["line"], problem["column"]) == (
        str(path),
        "Sheet1",
        "B3",
        3,
        2,
    )


def test_location_renders_a_sheets_cell_and_nothing_else_changes() -> None:
    assert str(Location("u.xlsx", 7, 3, sheet="评分")) == "u.xlsx!评分!C7"
    assert str(Location("u.xlsx", 7, 28, sheet="S")) == "u.xlsx!S!AB7"
    assert str(Location("u.xlsx", 7, sheet="S")) == "u.xlsx!S!7:7"
    assert str(Location("u.xlsx", sheet="S")) == "u.xlsx!S"
    assert str(Location("u.csv", 7, 3)) == "u.csv:7:3" and str(Location(None)) == "<input>"
    assert Location("u.csv", 7, 3).cell is None


def test_formulas_give_their_cached_values(tmp_path: Path) -> None:
    import xlsxwriter

    path = tmp_path / "f.xlsx"
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet("数据")
    sheet.write_row(0, 0, ["单位", "调整后支出预算（元）", "支出决算数（万元）", "预算执行率"])
    sheet.write_row(1, 0, ["甲", 1899305.84])
    sheet.write_formula(1, 2, "=B2/10000", None, 189.930584)  # the value Excel saved with the formula
    sheet.write_formula(1, 3, "=C2*10000/B2", None, 1)
    book.close()
    rs = kpirules.load(BISHAN)
    (unit,), batch = read_units(path, rs.measures)
    assert batch and unit.name == "甲"
    assert parse_number(unit.values["budget_adjusted"]) == Decimal("1899305.84")  # read as Decimal(repr(x))
    assert unit.values["budget_spent"] == Decimal("1899305.84")  # 189.930584 万元, exactly in 元
    assert unit.values["budget_execution_rate"] == 1  # derived: ignored when scored, with a note


def test_sheet_is_chosen_by_name_number_or_its_header(tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    notes = book.active
    notes.title = "说明"
    notes.append(["本表由各中队填写"])
    notes.append(["填表人", "日期"])
    for title, rate in (("一月", "93%"), ("二月", "97%")):
        sheet = book.create_sheet(title)
        sheet.append(["单位", "execution_rate", "satisfaction_rate"])
        sheet.append(["一中队", rate, "90%"])
    path = tmp_path / "m.xlsx"
    book.save(path)
    rs = kpirules.load(MINI)
    assert read_units(path, rs.measures)[0][0].values["execution_rate"] == "93%"  # the first naming measures
    assert read_units(path, rs.measures, sheet="二月")[0][0].values["execution_rate"] == "97%"
    assert read_units(path, rs.measures, sheet="3")[0][0].values["execution_rate"] == "97%"
    assert read_units(path, rs.measures, sheet=2)[0][0].values["execution_rate"] == "93%"
    result = _invoke("score", MINI, "--values", str(path), "--sheet", "三月", "--lang", "en")
    assert result.exit_code == 2 and "has no sheet 三月; its sheets are 1 说明, 2 一月, 3 二月" in result.stderr
    result = _invoke("score", MINI, "--values", str(UNITS_CSV), "--sheet", "1", "--lang", "en")
    assert result.exit_code == 2 and "--sheet picks a sheet of a workbook" in result.stderr
    result = _invoke("score", MINI, "--values", str(path), "--sheet", "二月", "--format", "csv")
    assert result.exit_code == 0 and result.stdout.splitlines()[1].startswith("一中队,")


@pytest.mark.parametrize("suffix", [".xlsx", ".xls", ".ods", ".xlsm"])
def test_a_file_that_is_no_workbook_is_a_clean_error(tmp_path: Path, suffix: str) -> None:
    path = tmp_path / f"units{suffix}"
    path.write_bytes(b"unit,execution_rate\nA,0.9\n")
    result = _invoke("score", MINI, "--values", str(path), "--lang", "en")
    assert result.exit_code == 2 and f"cannot read {path} as a workbook" in result.stderr
    assert "Traceback" not in result.output
    result = _invoke("score", MINI, "--values", str(tmp_path / f"missing{suffix}"), "--lang", "en")
    assert result.exit_code == 2 and "no such file" in result.stderr


def test_csv_headers_follow_the_same_rules(tmp_path: Path) -> None:
    rs = kpirules.load(BISHAN)
    path = tmp_path / "u.csv"
    path.write_text(
        "璧山区 2022 年填报表\n\n被评价单位,服务对象满意度,支出决算数(万元),调整后支出预算（元）,备注\n"
        '甲,47.4%,189.930584,"1,899,305.84",x\n',
        "utf-8",
    )
    (unit,), _ = read_units(path, rs.measures)
    assert unit.name == "甲"
    assert unit.values["satisfaction_rate"] == "47.4%"
    assert unit.values["budget_spent"] == Decimal("1899305.84")
    assert unit.values["budget_adjusted"] == "1,899,305.84" and unit.values["备注"] == "x"
    assert str(unit.locations["budget_spent"]) == f"{path}:4:9"
    (plain,), _ = read_units(path)  # without the measures, only ids and the unit's column are known
    assert plain.name == "甲" and "服务对象满意度" in plain.values


def test_headers_that_name_no_one_measure_are_errors(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KPIRULES_LANG", "en")  # the messages read in English
    rs = kpirules.loads(
        '[ruleset]\nid = "t"\n[measures.a]\ntype = "count"\nlabel = "件数"\nunit = "件"\n'
        '[measures.b]\ntype = "amount"\nlabel = "件数"\nunit = "元"\n'
        '[[indicators]]\nid = "i"\nweight = 10\nrule = "pass if a + b > 0"\n'
    )
    names = HeaderNames(rs.measures)
    with pytest.raises(ValuesFileError, match="may be any of the measures `a`, `b`"):
        names.column("件数")
    assert names.column("a").key == "a" and names.column(" b（万元） ") == ("b", 4, True, True)
    with pytest.raises(ValuesFileError, match="is in 万件, which measure `a`"):
        names.column("a(万件)")
    with pytest.raises(ValuesFileError, match="a count is no rate"):
        names.column("a（%）")
    path = tmp_path / "u.csv"
    path.write_text("unit,a,a（件）\nx,1,2\n", "utf-8")
    with pytest.raises(ValuesFileError, match="two columns name `a`"):
        read_units(path, rs.measures)


def test_json_and_parquet_keys_follow_the_same_rules(tmp_path: Path) -> None:
    rs = kpirules.load(MINI)
    path = tmp_path / "u.json"
    path.write_text(json.dumps([{"单位": "一中队", "预算执行率": "93%", "服务对象满意度": "88%"}]), "utf-8")
    (unit,), _ = read_units(path, rs.measures)
    assert unit.name == "一中队" and unit.values == {"execution_rate": "93%", "satisfaction_rate": "88%"}
    duckdb = pytest.importorskip("duckdb")
    parquet = tmp_path / "u.parquet"
    con = duckdb.connect()
    con.execute(
        "COPY (SELECT '一中队' AS 单位名称, '93%' AS 预算执行率, 0.88 AS satisfaction_rate) TO ? (FORMAT parquet)",
        [str(parquet)],
    )
    (unit,), _ = read_units(parquet, rs.measures)
    assert unit.name == "一中队" and unit.values["execution_rate"] == "93%"


def _mini_measure_labels() -> tuple[str, str]:
    rs = kpirules.load(MINI)
    return rs.measures["execution_rate"].display, rs.measures["satisfaction_rate"].display


@pytest.mark.parametrize(
    ("header", "why"),
    [
        ("单位,{e},{s}", "heads columns otherwise: 单位, {e}, {s}"),
        ("unit,execution_rate,{s}", "heads columns otherwise: {s}"),
        ("填报表\nunit,execution_rate,satisfaction_rate", "has rows above its header"),
    ],
)
def test_duckdb_takes_only_headers_of_ids(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, header: str, why: str
) -> None:
    """`--engine auto` would choose DuckDB (any CSV, here), which maps columns by id: a header of
    labels or 单位, or a title above it, goes to the Python path; `--engine duckdb` refuses it."""
    pytest.importorskip("duckdb")
    pytest.importorskip("sqlglot")
    from kpirules.cli import score

    monkeypatch.setattr(score, "_AUTO_CSV_BYTES", 0)
    e, s = _mini_measure_labels()
    units = tmp_path / "units.csv"
    units.write_text(header.format(e=e, s=s) + "\n一中队,0.93,0.88\n", "utf-8")
    out = tmp_path / "scores.csv"
    auto = _invoke("score", MINI, "--values", str(units), "-o", str(out))
    assert auto.exit_code == 0 and "（DuckDB）" not in auto.stderr, auto.output
    assert out.read_text("utf-8-sig").splitlines()[1].startswith("一中队,")
    explicit = _invoke("score", MINI, "--values", str(units), "--engine", "duckdb", "-o", str(out), "--lang", "en")
    assert explicit.exit_code == 2
    assert f"--engine duckdb maps columns by measure id only, and {units} {why.format(e=e, s=s)}" in explicit.stderr
    assert "hint: use --engine python (or auto)" in explicit.stderr
    parquet = _invoke("score", MINI, "--values", str(units), "-o", str(tmp_path / "s.parquet"), "--lang", "en")
    assert parquet.exit_code == 2 and "write a .csv or .xlsx file" in parquet.stderr
    ids = tmp_path / "ids.csv"
    ids.write_text("unit,execution_rate,satisfaction_rate\n一中队,0.93,0.88\n", "utf-8")
    assert "（DuckDB）" in _invoke("score", MINI, "--values", str(ids), "-o", str(out)).stderr  # ids: DuckDB


def test_a_parquet_header_of_labels_goes_to_the_python_path(tmp_path: Path) -> None:
    duckdb = pytest.importorskip("duckdb")
    pytest.importorskip("sqlglot")
    parquet = tmp_path / "u.parquet"
    duckdb.connect().execute(
        "COPY (SELECT '一中队' AS 单位, '93%' AS execution_rate, '88%' AS satisfaction_rate) TO ? (FORMAT parquet)",
        [str(parquet)],
    )
    out = tmp_path / "s.csv"
    auto = _invoke("score", MINI, "--values", str(parquet), "-o", str(out))
    assert auto.exit_code == 0 and "（DuckDB）" not in auto.stderr
    assert out.read_text("utf-8-sig").splitlines()[1].startswith("一中队,")
    explicit = _invoke("score", MINI, "--values", str(parquet), "--engine", "duckdb", "-o", str(out), "--lang", "en")
    assert explicit.exit_code == 2 and "heads columns otherwise: 单位" in explicit.stderr


def test_audit_values_read_workbooks_through_read_units(tmp_path: Path) -> None:
    """`audit --values` reads with read_units, so a workbook is read: a table of one row is that
    unit's values, as a .toml or JSON object is; a table of more units is refused."""
    header, first, second = (ROOT / "docs" / "examples" / "units.csv").read_text("utf-8").splitlines()[:3]
    book = openpyxl.Workbook()
    for line in (header, first):
        book.active.append(line.split(","))
    path = tmp_path / "one.xlsx"
    book.save(path)
    one = _invoke("audit", BISHAN, "--values", str(path), "--format", "json")
    assert one.exit_code == 1 and '"kind": "total-vs-sum"' in one.stdout  # the Bishan table, audited on these values
    book.active.append(next(csv.reader([second])))
    book.save(path)
    two = _invoke("audit", BISHAN, "--values", str(path), "--lang", "en")
    assert two.exit_code == 2 and "give the values of one unit" in two.stderr and "it holds 2" in two.stderr
