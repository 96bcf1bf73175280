"""Dates (docs/language.md, Dates): the values a date measure accepts and refuses (with hints, in
both languages), date literals in rules and their type errors, the range of dates, workbooks, SQL in
every dialect, the linter's witnesses, coverage goals and ``kpirules plan``. The scores themselves are
in the shared per-form examples (tests/forms_examples.py, ``dates``)."""

from __future__ import annotations

import datetime
from decimal import Decimal
from pathlib import Path

import pytest
from click.testing import CliRunner
from support import says

import kpirules
from kpirules.cli import main
from kpirules.dates import DateProblem, parse_date
from kpirules.linter import lint_text
from kpirules.messages import use_language
from kpirules.parser import parse_rule
from kpirules.sql import DIALECTS, compile_ruleset, to_sql

RULESET = """
[ruleset]
id = "d"
total = 10

[measures.done]
type = "date"
label = "完工日期"
range = [2021-01-01, "2022-12-31"]

[measures.due]
type = "date"

[[indicators]]
id = "on_time"
name = "按期完工"
weight = 5
rule = "pass if done <= 2021-12-31"

[[indicators]]
id = "late"
name = "逾期天数"
weight = 5
rule = "tiers (done - due) { <= 0: full, <= 30: 60%, else: zero }"
"""


def load(text: str = RULESET) -> kpirules.Ruleset:
    return kpirules.loads(text, name="d.toml")


# ---- values ---------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "raw",
    [
        "2021-12-20",
        " 2021-12-20 ",
        "2021/12/20",
        "2021.12.20",
        "2021-12-20 00:00:00",
        "2021-12-20T00:00:00",
        "2021-12-20 00:00",
        "2021年12月20日",
        "2021 年 12 月 20 日",
        "2021/12/20 0:00:00",
        datetime.date(2021, 12, 20),
        datetime.datetime(2021, 12, 20),
    ],
)
def test_accepted_forms_name_the_day(raw: object) -> None:
    assert parse_date(raw) == datetime.date(2021, 12, 20)


def test_one_digit_months_and_days() -> None:
    assert parse_date("2021-1-5") == parse_date("2021年1月5日") == datetime.date(2021, 1, 5)


@pytest.mark.parametrize(
    ("raw", "message", "hint"),
    [
        ("12/20/2021", "does not start with the year", "2021-12-20"),
        ("20/12/2021", "does not start with the year", "2021-12-20"),
        ("2021年12月", "is a month, not a day", "2021-12-31"),
        ("2021-02", "is a month, not a day", "2021-02-28"),
        ("20211220", "a row of digits", "2021-12-20"),
        ("2021-02-30", "is no day of the calendar", "the month is 1 to 12"),
        ("2021-13-01", "is no day of the calendar", None),
        ("2021-12-20 10:30", "has a time of day, 10:30", "give the day alone, e.g. 2021-12-20"),
        (datetime.datetime(2021, 12, 20, 8), "has a time of day", "2021-12-20"),
        (44550, "is a number, not a date", "format the cell as a date"),
        (44550.0, "is a number, not a date", None),
        (True, "is not a date", None),
        ("soon", "is not a date", "year first"),
        ("2021-12-20 noon", "is not a date", None),
    ],
)
def test_refused_forms_say_how_to_write_the_day(raw: object, message: str, hint: str | None) -> None:
    with pytest.raises(DateProblem) as caught:
        parse_date(raw)
    assert message in str(caught.value)
    if hint is not None:
        assert caught.value.hint is not None and hint in caught.value.hint


def test_refusals_in_chinese() -> None:
    with use_language("zh"), pytest.raises(DateProblem) as caught:
        parse_date("12/20/2021")
    says(str(caught.value), "zh")
    assert "年份" in str(caught.value)
    with use_language("zh"), pytest.raises(DateProblem) as month:
        parse_date("2021年12月")
    assert month.value.hint is not None and "2021-12-31" in month.value.hint
    says(month.value.hint, "zh")


def test_values_of_a_date_measure() -> None:
    rs = load()
    result = rs.evaluate({"done": "2021年12月20日", "due": datetime.date(2021, 12, 31)})
    assert result.values == {"done": datetime.date(2021, 12, 20), "due": datetime.date(2021, 12, 31)}
    assert result.scores == (Decimal("5.00"), Decimal("5.00"))
    with pytest.raises(kpirules.ValuesError, match=r"outside the declared range of dates \[2021-01-01, 2022-12-31\]"):
        rs.evaluate({"done": "2020-12-31", "due": "2021-01-01"})
    with pytest.raises(kpirules.ValuesError, match="does not start with the year") as caught:
        rs.evaluate({"done": "12/20/2021", "due": "2021-01-01"})
    assert caught.value.hint is not None and "2021-12-20" in caught.value.hint


def test_many_units_agree_with_one_at_a_time() -> None:
    rs = load()
    rows = [
        {"done": "2021-12-31", "due": "2021-12-31"},
        {"done": "2022/1/30", "due": "2021-12-31"},
        {"done": "2022-01-31", "due": "2021年12月31日"},
        {"done": "12/20/2021", "due": "2021-12-31"},
        {"done": "", "due": "2021-12-31"},
        {"done": datetime.date(2021, 6, 1), "due": datetime.datetime(2021, 6, 1)},
    ]
    for row, outcome in zip(rows, rs.evaluate_many(rows), strict=True):
        try:
            alone: kpirules.Result | kpirules.ValuesError = rs.evaluate(row)
        except kpirules.ValuesError as err:
            alone = err
        if isinstance(alone, kpirules.Result):
            assert isinstance(outcome, kpirules.Result) and outcome.scores == alone.scores, row
        else:
            assert isinstance(outcome, kpirules.ValuesError) and str(outcome) == str(alone), row


def test_toml_values_and_explanation_in_both_languages() -> None:
    rs = load(RULESET + '\n[values]\ndone = 2022-01-15\ndue = "2021-12-31"\n')
    result = rs.evaluate()
    assert result.total == Decimal("3.00")
    en = result.explain(lang="en")
    assert "完工日期 (done) = 2022-01-15" in en and "due = 2021-12-31" in en
    assert "(done - due) = 15 falls in band 2" in en
    zh = result.explain(lang="zh")
    assert "完工日期 (done) = 2022-01-15" in zh and "符合第 2 档" in zh


# ---- the ruleset file -----------------------------------------------------------------------
@pytest.mark.parametrize(
    ("range_", "message"),
    [
        ('["2022-12-31", 2021-01-01]', "is empty"),
        ("[2021-01-01]", "must be two dates"),
        ('["2021-12", 2022-01-01]', "is a month, not a day"),
        ("[1, 2]", "is a number, not a date"),
    ],
)
def test_a_bad_range_of_dates_is_a_load_error(range_: str, message: str) -> None:
    text = RULESET.replace('range = [2021-01-01, "2022-12-31"]', f"range = {range_}")
    with pytest.raises(kpirules.RulesetError, match=message):
        load(text)


def test_a_date_measure_range_is_held_as_ordinal_days() -> None:
    measure = load().measures["done"]
    assert measure.range == (
        Decimal(datetime.date(2021, 1, 1).toordinal()),
        Decimal(datetime.date(2022, 12, 31).toordinal()),
    )


# ---- rules ----------------------------------------------------------------------------------
def test_a_date_literal_is_one_date_not_arithmetic() -> None:
    from kpirules import ast

    tree = parse_rule("pass if done <= 2021-12-31")
    assert "(Date 2021-12-31)" in ast.dump(tree)
    assert "(Date 2021-12-31)" in ast.dump(parse_rule("pass if done <= 2021年12月31日"))
    assert "(BinOp - (BinOp - (Number 2021 ) (Number 1 )) (Number 5 ))" in ast.dump(parse_rule("2021-1-5"))


def test_a_literal_that_is_no_day_is_a_syntax_error() -> None:
    with pytest.raises(kpirules.RulesetError, match="'2021-02-29' is no day of the calendar") as caught:
        load(RULESET.replace("2021-12-31", "2021-02-29"))
    assert "d.toml:" in str(caught.value)


@pytest.mark.parametrize(
    ("rule", "message", "hint"),
    [
        ("pass if done <= 2021", "expected a date, but `2021` is a number", "two dates subtracted give the days"),
        ("pass if 2021 <= done", "expected a number, but `done` is a date", "a date compares with a date"),
        ("pass if done + 30 <= due", "cannot use `+` on a date", "a date takes no days added"),
        ("pass if done - 30 <= due", "cannot use `-` on a date", "subtract two dates"),
        ("pass if done * 2 > due", "cannot multiply a date", None),
        ("proportional done", "expected a number, but `done` is a date", None),
        ("pass if done", "expected a condition, but `done` is a date", None),
        ("tiers done { <= 2021-12-31: full, else: zero }", "a date", None),
        ("pass if min(done, due) <= 2021-12-31", "not a date", None),
    ],
)
def test_type_errors(rule: str, message: str, hint: str | None) -> None:
    text = RULESET.replace('rule = "pass if done <= 2021-12-31"', f"rule = '{rule}'")
    with pytest.raises(kpirules.RulesetError) as caught:
        load(text)
    assert message in str(caught.value)
    if hint is not None:
        assert hint in str(caught.value)


def test_type_error_in_chinese() -> None:
    text = RULESET.replace("2021-12-31", "2021")
    with use_language("zh"), pytest.raises(kpirules.RulesetError) as caught:
        load(text)
    assert "此处应为日期，但 `2021` 是数值" in str(caught.value) and "相差的天数" in str(caught.value)


def test_days_between_two_literals_fold_to_a_number() -> None:
    rs = load(RULESET.replace("pass if done <= 2021-12-31", "pass if 2022-01-01 - 2021-12-31 == 1"))
    assert rs.evaluate({"done": "2021-06-01", "due": "2021-06-01"})["on_time"].score == Decimal("5.00")


# ---- SQL ------------------------------------------------------------------------------------
@pytest.mark.parametrize("dialect", sorted(DIALECTS))
def test_sql_in_every_dialect(dialect: str) -> None:
    """A DATE column and an ISO text column, each as its ordinal day: a day difference from
    1970-01-01 in the dialect's own spelling; no date is pasted into the query as a number of the
    file (a literal is its ordinal, a constant of the query)."""
    rs = load()
    query = compile_ruleset(rs, columns={"done": "DATE", "due": "VARCHAR"})
    sql = to_sql(query, dialect)
    assert "1970-01-01" in sql
    assert any(word in sql.upper() for word in ("DATEDIFF", "DATE_DIFF", "EPOCH"))
    assert str(datetime.date(2021, 12, 31).toordinal()) in sql


def test_duckdb_text_dates_that_sql_does_not_read_go_to_python() -> None:
    duckdb = pytest.importorskip("duckdb")
    rs = load()
    sql = to_sql(compile_ruleset(rs, columns={"done": "VARCHAR", "due": "DATE"}), "duckdb")
    con = duckdb.connect()
    con.execute("CREATE TABLE units (unit VARCHAR, done VARCHAR, due DATE)")
    rows = [
        ("a", "2021-12-31", datetime.date(2021, 12, 31)),
        ("b", "2022-01-30", datetime.date(2021, 12, 31)),
        ("c", "2022年1月30日", datetime.date(2021, 12, 31)),
        ("d", "2021-02-30", datetime.date(2021, 12, 31)),
        ("e", "2020-12-31", datetime.date(2021, 12, 31)),
        ("f", None, datetime.date(2021, 12, 31)),
    ]
    con.executemany("INSERT INTO units VALUES (?, ?, ?)", rows)
    out = {r[0]: r for r in con.execute(sql).fetchall()}
    assert out["a"][1:4] == (Decimal("5.00"), Decimal("5.00"), Decimal("10.00"))
    assert out["b"][1:4] == (Decimal("0.00"), Decimal("3.00"), Decimal("3.00"))
    for unit in "cde":  # another form, no day of the calendar, outside the range: Python says
        assert out[unit][-1] == "input: done", out[unit]
    assert out["f"][-1] is not None and "missing" in out["f"][-1]


# ---- lint, coverage, plan, template -----------------------------------------------------------
def test_lint_reasons_over_days_and_shows_dates() -> None:
    text = RULESET.replace(
        'rule = "tiers (done - due) { <= 0: full, <= 30: 60%, else: zero }"',
        'rule = "proportional 30 / (due - done)"',
    )
    found = lint_text(text, "d.toml")
    zero = [d for d in found if d.code == "KPI-B303"]
    assert zero and zero[0].witness is not None
    assert zero[0].witness["done"] == zero[0].witness["due"]
    datetime.date.fromisoformat(zero[0].witness["done"])  # a date, as a user writes it


def test_lint_unreachable_band_of_days() -> None:
    text = RULESET.replace("tiers (done - due)", "tiers (done - 2020-12-31)")
    found = lint_text(text, "d.toml")
    unreachable = [d for d in found if d.code == "KPI-G202"]
    assert len(unreachable) == 1 and "always in [1, 730]" in unreachable[0].message


def test_coverage_finds_cases_with_dates(tmp_path: Path) -> None:
    path = tmp_path / "d.toml"
    path.write_text(
        RULESET + '\n[[tests]]\nname = "on time"\nvalues = { done = 2021-12-20, due = 2021-12-31 }\n'
        'expect = { total = "10" }\n',
        "utf-8",
    )
    result = CliRunner().invoke(main, ["test", str(path), "--coverage", "--lang", "en"])
    assert result.exit_code == 0, result.output
    assert "1 passed" in result.output and "fails" in result.output
    assert 'done = "2022-' in result.output or "done = 2022-" in result.output


def test_plan_holds_dates_as_they_are(tmp_path: Path) -> None:
    path = tmp_path / "d.toml"
    path.write_text(RULESET + "\n[values]\ndone = 2022-01-20\ndue = 2021-12-31\n", "utf-8")
    for extra in ([], ["--marginal"]):
        result = CliRunner().invoke(main, ["plan", str(path), "--target", "10", "--lang", "en", *extra])
        assert result.exit_code in (0, 1), result.output
        assert "no measure can raise the total alone" in result.output
        assert "dates are held as they are, a plan changes figures only: 完工日期 (done), due" in result.output


def test_template_writes_date_cells(tmp_path: Path) -> None:
    calamine = pytest.importorskip("python_calamine")
    path = tmp_path / "t.xlsx"
    result = CliRunner().invoke(main, ["template", str(_write(tmp_path, RULESET)), "-o", str(path), "--lang", "en"])
    assert result.exit_code == 0, result.output
    book = calamine.CalamineWorkbook.from_path(str(path))
    notes = book.get_sheet_by_index(1).to_python()
    row = next(r for r in notes if "done" in r)
    assert "2021-01-01 to 2022-12-31" in row and "2021-12-31" in row


def test_a_workbook_date_cell(tmp_path: Path) -> None:
    xlsxwriter = pytest.importorskip("xlsxwriter")
    path = tmp_path / "v.xlsx"
    book = xlsxwriter.Workbook(str(path))
    sheet, fmt = book.add_worksheet(), book.add_format({"num_format": "yyyy-mm-dd"})
    sheet.write_row(0, 0, ["unit", "done", "due"])
    sheet.write(1, 0, "a")
    sheet.write_datetime(1, 1, datetime.datetime(2021, 12, 20), fmt)
    sheet.write_datetime(1, 2, datetime.datetime(2021, 12, 31), fmt)
    sheet.write(2, 0, "b")
    sheet.write_datetime(2, 1, datetime.datetime(2021, 12, 20, 15, 30), fmt)
    sheet.write_datetime(2, 2, datetime.datetime(2021, 12, 31), fmt)
    book.close()
    result = CliRunner().invoke(
        main, ["score", str(_write(tmp_path, RULESET)), "--values", str(path), "--lang", "en", "--format", "csv"]
    )
    assert "a,5.00,5.00,10.00" in result.output.replace(" ", ""), result.output
    assert "has a time of day" in result.output


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "d.toml"
    path.write_text(text, "utf-8")
    return path


def test_the_sql_iso_pattern_is_the_calendar() -> None:
    """The texts SQL casts to DATE are exactly the ISO days Python takes (no engine fails a cast)."""
    import re

    from kpirules.sql.inputs import ISO_DAY

    pattern = re.compile(ISO_DAY)
    for year in [*range(1, 30), *range(1890, 1910), *range(1995, 2105), 2400, 9996, 9999]:
        for month in range(0, 14):
            for day in range(0, 33):
                text = f"{year:04d}-{month:02d}-{day:02d}"
                try:
                    datetime.date.fromisoformat(text)
                    real = True
                except ValueError:
                    real = False
                assert bool(pattern.match(text)) == real, text
    assert not pattern.match("0000-01-01") and not pattern.match("2021-1-5")


def test_properties_draw_dates(tmp_path: Path) -> None:
    """``kpirules test --properties`` draws dates within the range: a rule of days late is
    decreasing in the day done, and evaluate, evaluate_many and DuckDB agree on the drawn dates."""
    path = _write(tmp_path, RULESET)
    (tmp_path / "d.test.toml").write_text('[properties.late]\nmonotone = "decreasing"\nmeasure = "done"\n', "utf-8")
    result = CliRunner().invoke(main, ["test", str(path), "--properties", "--examples", "30", "--lang", "en"])
    assert result.exit_code == 0, result.output
    assert "✓ late decreasing in done" in result.output and "✓ evaluate equals the SQL on DuckDB" in result.output
