"""The command line: formats, values files, exit codes, atomic output, and no tracebacks."""

from __future__ import annotations

import csv
import io
import json
import os
import stat
import subprocess
import sys
from decimal import Decimal as D
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from kpirules.cli import main

ROOT = Path(__file__).parent.parent
BISHAN = str(ROOT / "rulesets" / "bishan_2022.toml")
HEADER = (
    "unit,budget_adjusted,budget_spent,disclosed_on_time,case_volume_target_met,on_time_disposal_target_met,"
    "hotline_received,hotline_closed,complaints_received,complaints_answered,system_failure_target_met,"
    "city_assessment_passed,staff_rating,satisfaction_rate"
)


def run(*args: str) -> Result:
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def test_table_output_aligns_chinese() -> None:
    result = run("score", BISHAN, "--lang", "zh")
    assert result.exit_code == 0
    lines = result.output.splitlines()
    assert any("合计" in line and "93.74" in line and "等级 优" in line for line in lines)
    assert sum("%" in line for line in lines) == 10


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_explain(lang: str) -> None:
    result = run("score", BISHAN, "--explain", "--lang", lang)
    assert result.exit_code == 0
    word = "规则：" if lang == "zh" else "rule:"
    assert result.output.count(f"  {word}") == 10
    assert "4.74" in result.output


def test_csv_and_markdown() -> None:
    rows = list(csv.reader(io.StringIO(run("score", BISHAN, "--format", "csv", "--lang", "zh").output)))
    assert rows[0] == ["id", "name", "weight", "score", "rate", "grade"]
    assert rows[-1] == ["total", "合计", "100", "93.74", "", "优"]
    markdown = run("score", BISHAN, "--format", "markdown", "--lang", "en").output
    assert markdown.splitlines()[0] == "| indicator | weight | score | rate |"
    assert "| **total** | 100 | **93.74** | grade **优** |" in markdown


def test_values_from_toml_and_json(tmp_path: Path) -> None:
    from kpirules import load

    values = dict(load(BISHAN).values)
    toml_file = tmp_path / "v.toml"
    lines = []
    for key, value in values.items():
        text = (
            ("true" if value else "false")
            if isinstance(value, bool)
            else (f'"{value}"' if isinstance(value, str) else str(value))
        )
        lines.append(f"{key} = {text}")
    toml_file.write_text("\n".join(lines).replace("satisfaction_rate = 0.474", 'satisfaction_rate = "90%"'), "utf-8")
    data = json.loads(run("score", BISHAN, "--values", str(toml_file), "--format", "json").output)
    assert data["total"] == 98.0
    json_file = tmp_path / "v.json"
    json_file.write_text(json.dumps({k: (str(v) if isinstance(v, D) else v) for k, v in values.items()}), "utf-8")
    assert json.loads(run("score", BISHAN, "--values", str(json_file), "--format", "json").output)["total"] == 93.74


def test_csv_batch_scores_good_rows_and_lists_bad_ones(tmp_path: Path) -> None:
    units = tmp_path / "units.csv"
    units.write_text(
        HEADER + ",note\n"
        "甲,100,95,是,true,true,10,9,5,5,true,true,良,90%,x\n"
        "乙,100,abc,是,true,true,10,9,5,5,true,true,良,90%,x\n"
        "丙,100,100,否,true,true,10,10,5,5,true,true,优,100%,x\n",
        "utf-8",
    )
    result = CliRunner().invoke(main, ["score", BISHAN, "--values", str(units), "--format", "csv"])
    assert result.exit_code == 1
    rows = list(csv.reader(io.StringIO(result.stdout)))
    assert rows[0][0] == "unit" and rows[0][-3:] == ["total", "grade", "error"]
    assert [r[0] for r in rows[1:]] == ["甲", "乙", "丙"]
    assert rows[1][-3:] == ["96.50", "优", ""] and rows[3][-3:] == ["90.00", "优", ""]
    assert "'abc' is not a number" in rows[2][-1]
    assert "1 of 3 units could not be scored" in result.stderr
    assert f"[乙] {units}:3:7: measure `budget_spent`" in result.stderr
    assert "ignoring columns that are not input measures: note" in result.stderr


def test_batch_with_no_scorable_row_keeps_its_columns(tmp_path: Path) -> None:
    units = tmp_path / "units.csv"
    units.write_text("unit,satisfaction_rate\nA,bad\n", "utf-8")
    result = CliRunner().invoke(main, ["score", BISHAN, "--values", str(units), "--format", "csv"])
    assert result.exit_code == 1
    assert result.stdout.splitlines()[0].startswith("unit,budget_execution,budget_disclosure,")


def test_gbk_csv_from_a_chinese_spreadsheet(tmp_path: Path) -> None:
    units = tmp_path / "gbk.csv"
    units.write_bytes((HEADER + "\n一中队,100,100,是,是,是,1,1,1,1,是,是,优,100%\n").encode("gb18030"))
    result = run("score", BISHAN, "--values", str(units), "--format", "json")
    assert json.loads(result.output)["results"][0]["unit"] == "一中队"


@pytest.mark.parametrize(("suffix", "encoding"), [(".tsv", "utf-8"), (".txt", "utf-16"), (".csv", "gb18030")])
def test_tab_separated_values(tmp_path: Path, suffix: str, encoding: str) -> None:
    """A tab-separated table of units (Excel's "Unicode text" is UTF-16 and .txt) scores as its CSV
    twin does, and a bad value is reported at its own column."""
    rows = [
        HEADER,
        "甲,100,95,是,true,true,10,9,5,5,true,true,良,90%",
        "乙,100,abc,是,true,true,10,9,5,5,true,true,良,90%",
    ]
    twin, units = tmp_path / "twin.csv", tmp_path / f"units{suffix}"
    twin.write_text("\n".join(rows) + "\n", "utf-8")
    units.write_bytes(("\n".join(r.replace(",", "\t") for r in rows) + "\n").encode(encoding))
    results = [
        CliRunner().invoke(main, ["score", BISHAN, "--values", str(f), "--format", "csv"]) for f in (twin, units)
    ]
    assert [r.exit_code for r in results] == [1, 1]
    assert results[0].stdout == results[1].stdout and "96.50" in results[1].stdout
    assert f"[乙] {units}:3:7: measure `budget_spent`" in results[1].stderr


def test_single_unit_with_bad_values_exits_1_without_traceback(tmp_path: Path) -> None:
    values = tmp_path / "v.toml"
    values.write_text('satisfaction_rate = "abc"\nstaff_rating = "好"\n', "utf-8")
    result = CliRunner().invoke(main, ["score", BISHAN, "--values", str(values)])
    assert result.exit_code == 1
    assert f"{values}:1:21: measure `satisfaction_rate`" in result.stderr
    assert "'好' is not a level of staff_rating" in result.stderr
    assert "Traceback" not in result.output


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ('[ruleset]\nid = "x"\n[[indicators]]\nid = "a"\nweight = 1\nrule = "tiers { >= 95%：full }"\n', "full-width"),
        ("[ruleset\n", "invalid TOML"),
        ('[ruleset]\nid = "x"\nbogus = 1\n', "unknown key `bogus`"),
        ("\x00\x01binary", "invalid TOML"),
    ],
)
def test_broken_ruleset_exits_2_with_a_location(tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / "broken.toml"
    path.write_text(content, "utf-8")
    result = CliRunner().invoke(main, ["score", str(path)])
    assert result.exit_code == 2
    assert message in result.stderr and f"{path}:" in result.stderr
    assert result.exception is None or isinstance(result.exception, SystemExit)


@pytest.mark.parametrize(
    "args",
    [
        ["score", "missing.toml"],
        ["score", BISHAN, "--values", "missing.csv"],
        ["score", BISHAN, "--values", BISHAN.replace(".toml", ".xlsx")],
        ["score", BISHAN, "--format", "xml"],
        ["nonsense"],
    ],
)
def test_usage_errors_exit_2(args: list[str]) -> None:
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 2
    assert result.exception is None or isinstance(result.exception, SystemExit)


def test_output_is_written_atomically_and_keeps_permissions(tmp_path: Path) -> None:
    out = tmp_path / "scores.json"
    assert run("score", BISHAN, "--format", "json", "--output", str(out)).output == ""
    assert json.loads(out.read_text("utf-8"))["total"] == 93.74
    assert stat.S_IMODE(out.stat().st_mode) == 0o666 & ~_umask()
    out.chmod(0o640)
    run("score", BISHAN, "--format", "csv", "--output", str(out))
    assert stat.S_IMODE(out.stat().st_mode) == 0o640
    assert out.read_text("utf-8-sig").startswith("id,name")  # a CSV file starts with a byte-order mark
    assert [p.name for p in tmp_path.iterdir()] == ["scores.json"]  # no temporary file left behind


def test_output_to_a_missing_folder_exits_2(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["score", BISHAN, "--output", str(tmp_path / "no" / "such" / "x.txt")])
    assert result.exit_code == 2 and "cannot write" in result.stderr


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def test_installed_console_script_runs() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "kpirules", "score", BISHAN, "--format", "json"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0 and json.loads(result.stdout)["grade"] == "优"


def test_score_formats_are_the_reports() -> None:
    """`kpirules score --format` lists its formats without importing the report module: the same ones."""
    from kpirules import report
    from kpirules.cli import score

    assert score.FORMATS == report.FORMATS


def test_import_kpirules_is_lazy_and_whole() -> None:
    """`import kpirules` loads neither lark nor the loader; every public name still resolves."""
    code = (
        "import sys, kpirules\n"
        "print(sorted(m for m in ('lark', 'kpirules.loader', 'kpirules.ruleset') if m in sys.modules))\n"
        "print(all(getattr(kpirules, n) is not None for n in kpirules.__all__))\n"
        "print(kpirules.loads is kpirules.loader.loads, kpirules.Ruleset is kpirules.ruleset.Ruleset)\n"
        "from kpirules import *\n"
        "print(Result is kpirules.result.Result, callable(audit), callable(parse_rule))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split("\n")[:4] == ["[]", "True", "True True", "True True True"]


def test_bad_value_after_a_quoted_cell_is_placed_at_its_column(tmp_path: Path) -> None:
    """A quoted cell ("1,000") before a bad value: the bad value's column is still its own."""
    units = tmp_path / "units.csv"
    units.write_text(HEADER + '\n乙,"1,000",abc,是,true,true,10,9,5,5,true,true,良,90%\n', "utf-8")
    result = CliRunner().invoke(main, ["score", BISHAN, "--values", str(units), "--format", "csv"])
    assert result.exit_code == 1
    assert f"[乙] {units}:2:11: measure `budget_spent`" in result.stderr


# ---- delimited values files as spreadsheets and editors write them -------------------------------
MINI = str(ROOT / "docs" / "examples" / "mini.toml")
MINI_HEADER = "unit,execution_rate,satisfaction_rate"


def _score_csv(path: Path) -> Result:
    return CliRunner().invoke(main, ["score", MINI, "--values", str(path), "--format", "csv"])


@pytest.mark.parametrize(
    "text",
    [
        f"{MINI_HEADER}\rA1,0.93,0.88\rA2,0.9,0.5\r",  # classic Mac line ends
        f"\n\n{MINI_HEADER}\nA1,0.93,0.88\n\nA2,0.9,0.5\n",  # blank lines before the header and between rows
    ],
)
def test_values_csv_with_cr_line_ends_or_leading_blank_lines(tmp_path: Path, text: str) -> None:
    twin, units = tmp_path / "twin.csv", tmp_path / "units.csv"
    twin.write_text(f"{MINI_HEADER}\nA1,0.93,0.88\nA2,0.9,0.5\n", "utf-8")
    units.write_bytes(text.encode("utf-8"))
    expected, result = _score_csv(twin), _score_csv(units)
    assert expected.exit_code == 0 and (result.exit_code, result.stdout) == (0, expected.stdout)


@pytest.mark.parametrize(
    ("text", "where"),
    [
        (f'{MINI_HEADER}\n12" team,bad,x\n', ["2:10", "2:14"]),  # a quote inside an unquoted cell is text
        (f'{MINI_HEADER}\n"multi\nline",0.9,y\n', ["3:11"]),  # a quoted cell that spans two lines
        (f'{MINI_HEADER}\n"a ""quoted"", name",bad,0.5\n', ["2:22"]),
    ],
)
def test_values_csv_errors_point_at_their_cells(tmp_path: Path, text: str, where: list[str]) -> None:
    units = tmp_path / "units.csv"
    units.write_text(text, "utf-8")
    result = _score_csv(units)
    assert result.exit_code == 1
    assert [place for place in where if f"{units}:{place}: measure" in result.stderr] == where, result.stderr


def test_values_table_that_csv_cannot_read_or_decode(tmp_path: Path) -> None:
    huge = tmp_path / "huge.csv"
    huge.write_text(f"{MINI_HEADER}\nA1,0.93,{'9' * 140_000}\n", "utf-8")
    result = _score_csv(huge)
    assert result.exit_code == 2 and f"{huge}:2:1: cannot read this row of the table" in result.stderr
    assert "Traceback" not in result.output
    no_mark = tmp_path / "no_mark.csv"
    no_mark.write_bytes(f"{MINI_HEADER}\r\nA1,0.93,0.88\r\n".encode("utf-16-le"))
    result = _score_csv(no_mark)
    assert result.exit_code == 2 and "holds NUL characters" in result.stderr and "byte-order mark" in result.stderr


def test_caret_is_under_its_cell_in_a_tab_separated_line(tmp_path: Path) -> None:
    """A tab is one column in a location, so the echoed line shows it as one space."""
    units = tmp_path / "units.tsv"
    units.write_text("unit\texecution_rate\tsatisfaction_rate\n二中队\t0.9\tx\n", "utf-8")
    result = _score_csv(units)
    assert f"{units}:2:9: measure `satisfaction_rate`" in result.stderr
    lines = result.stderr.splitlines()
    shown = next(line for line in lines if line.startswith(" 2 | "))
    caret = lines[lines.index(shown) + 1]
    assert "\t" not in shown and shown == " 2 | 二中队 0.9 x"
    assert caret.index("^") == len(" 2 | ") + len("二中队 0.9 ") + 3  # the three wide characters take two columns


def test_rate_hint_in_a_rulesets_own_values_and_in_audit_values(tmp_path: Path) -> None:
    ruleset = tmp_path / "m88.toml"
    ruleset.write_text(
        Path(MINI).read_text("utf-8").replace('satisfaction_rate = "88%"', "satisfaction_rate = 88"), "utf-8"
    )
    hint = 'hint: a rate is a fraction of 1: write 88 % as "88%" or 0.88'
    result = CliRunner().invoke(main, ["score", str(ruleset)])
    assert result.exit_code == 1 and hint in result.stderr  # as for the same value in a --values file
    lint = CliRunner().invoke(main, ["lint", str(ruleset)])
    assert lint.exit_code == 1 and "KPI-S104" in lint.stdout and "88%" in lint.stdout
    values = tmp_path / "v95.toml"
    values.write_text("satisfaction_rate = 95\n", "utf-8")
    audit = CliRunner().invoke(main, ["audit", BISHAN, "--values", str(values)])
    assert audit.exit_code == 2 and f"{values}:1:21: measure `satisfaction_rate`" in audit.stderr
    assert 'write 95 % as "95%" or 0.95' in audit.stderr


def test_separator_is_the_headers_not_a_blank_rows() -> None:
    from kpirules.source import delimiter

    assert delimiter(",,\n\t\nunit\texecution_rate\tsatisfaction_rate\n") == "\t"
    assert delimiter('"a\tb",c,d\n') == ","  # a tab inside quotes is text
    assert delimiter("\n\n") == ","


@pytest.mark.parametrize(
    ("suffix", "starts"), [(".json", '{"ruleset": "mini"'), (".md", "|"), (".csv", "id,name,weight,score")]
)
def test_output_format_follows_the_output_suffix(tmp_path: Path, suffix: str, starts: str) -> None:
    out = tmp_path / f"scores{suffix}"
    result = CliRunner().invoke(main, ["score", MINI, "-o", str(out)])
    assert result.exit_code == 0 and out.read_text("utf-8-sig").lstrip().startswith(starts), out.read_text("utf-8")[:80]
    explicit = CliRunner().invoke(main, ["score", MINI, "--format", "table", "-o", str(out)])
    assert explicit.exit_code == 0 and not out.read_text("utf-8-sig").lstrip().startswith(starts)


@pytest.mark.parametrize("engine", ["python", "duckdb"])
def test_a_file_with_no_units_is_refused(tmp_path: Path, engine: str) -> None:
    """A file of units that holds none (the template handed back unfilled, a header alone, rows
    left blank, an empty JSON list) is refused, exit 2, saying what to fill in, on either engine,
    and the output is left as it was: an empty table handed in without a word helps no one."""
    if engine == "duckdb":
        pytest.importorskip("duckdb")
        pytest.importorskip("sqlglot")
    runner = CliRunner()
    template = tmp_path / "填报表.xlsx"
    assert runner.invoke(main, ["template", MINI, "-o", str(template)]).exit_code == 0
    header = tmp_path / "header.csv"
    header.write_text(MINI_HEADER + "\n", "utf-8")
    blank = tmp_path / "blank.csv"
    blank.write_text(MINI_HEADER + "\n,,\n  ,\t,\n", "utf-8")
    empty = tmp_path / "empty.json"
    empty.write_text("[]", "utf-8")
    out = tmp_path / "scores.csv"
    out.write_text("kept", "utf-8")
    files = [header, blank] if engine == "duckdb" else [template, header, blank, empty]
    for units in files:
        args = ["score", MINI, "--values", str(units), "-o", str(out), "--engine", engine, "--lang", "en"]
        result = runner.invoke(main, args)
        assert result.exit_code == 2, (units, result.output)
        assert f"{units}: the file holds no units: nothing to score" in result.output
        assert "hint: fill in one row of values per unit below the header" in result.output
        assert out.read_text("utf-8") == "kept"
