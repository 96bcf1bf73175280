"""Inputs lint must survive and report (issue 10, items 3f and 4): files that cannot be read are
findings in every format, and numbers in messages stay short whatever the file holds."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from kpirules.cli import main
from kpirules.linter import lint_text
from kpirules.linter.catalog import example
from kpirules.intervals import plain, show_number

ROOT = Path(__file__).resolve().parent.parent


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.stdout, result.stderr


def _files(tmp_path: Path) -> tuple[Path, Path, Path]:
    missing = tmp_path / "nosuch.toml"
    binary = tmp_path / "binary.toml"
    binary.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\xff\xfe")
    gbk = tmp_path / "gbk.toml"
    gbk.write_bytes(example("KPI-E003", "Bad").encode("gb18030"))
    return missing, binary, gbk


def test_an_unreadable_file_is_a_finding_in_text_and_concise(tmp_path: Path) -> None:
    missing, binary, gbk = _files(tmp_path)
    for fmt in ("text", "concise"):
        code, out, err = run("lint", "--format", fmt, str(missing), str(binary), str(gbk))
        assert code == 2, out
        assert f"{missing}:1:1: KPI-E003 no such file: {missing}" in out
        assert f"{binary}:1:1: KPI-E003 {binary} is not UTF-8 text (byte 0)" in out
        assert f"{gbk}:1:1: KPI-E003 {gbk} is not UTF-8 text" in out
        assert "Found 3 problems (3 errors)." in out and "All checks passed" not in out
        assert err == ""  # said once, in the report


def test_an_unreadable_file_is_a_finding_in_json_sarif_and_github(tmp_path: Path) -> None:
    missing, binary, _ = _files(tmp_path)
    clean = ROOT / "rulesets" / "bishan_2022.toml"
    code, out, err = run("lint", "--format", "json", str(missing), str(binary), str(clean))
    assert code == 2
    data = json.loads(out)
    assert [(d["code"], d["file"]) for d in data["diagnostics"]] == [
        ("KPI-E003", str(missing)),
        ("KPI-E003", str(binary)),
    ]
    assert data["diagnostics"][0]["message"] == f"no such file: {missing}"
    assert data["summary"]["files"] == 3 and data["summary"]["errors"] == 2
    assert f"no such file: {missing}" in err  # the report may be read by a program: say it on stderr too
    code, out, _ = run("lint", "--format", "sarif", str(missing))
    assert code == 2
    (result,) = json.loads(out)["runs"][0]["results"]
    assert result["ruleId"] == "KPI-E003" and result["level"] == "error"
    assert result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"].endswith("nosuch.toml")
    code, out, _ = run("lint", "--format", "github", str(binary))
    assert code == 2 and out.startswith("::error title=kpirules (KPI-E003)") and "not UTF-8" in out


def test_an_unreadable_file_is_reported_whatever_is_selected(tmp_path: Path) -> None:
    missing, _, _ = _files(tmp_path)
    for args in (["--select", "G"], ["--ignore", "E"], ["--exit-zero"]):
        code, out, _ = run("lint", "--format", "concise", *args, str(missing))
        assert code == 2 and "KPI-E003" in out, args


def test_an_unreadable_file_to_an_output_file(tmp_path: Path) -> None:
    missing, _, _ = _files(tmp_path)
    target = tmp_path / "report.json"
    code, out, err = run("lint", "--format", "json", "-o", str(target), str(missing))
    assert code == 2 and out == "" and "no such file" in err
    assert json.loads(target.read_text("utf-8"))["diagnostics"][0]["code"] == "KPI-E003"


# ---- numbers in messages ---------------------------------------------------------------------------
BASE = (
    '[ruleset]\nid = "t"\ntotal = 10\n[measures.x]\ntype = "rate"\nrange = [0, 1]\n'
    '[[indicators]]\nid = "i"\nweight = 10\nmeasure = "x"\nrule = "proportional"\n'
)


@pytest.mark.parametrize(
    "grades,shown",
    [
        ('"优" = 90\n"中" = 1e999999999\n"差" = 0\n', "1e+999999999"),
        ('"优" = 1e-999999999\n', "1e-999999999"),
        ('"优" = -1e999999999\n"差" = -1e999999999\n', "-1e+999999999"),
        ('"优" = 123456789012345678901234567890123\n"差" = 0\n', "1.23456789012345678901234567890123e+32"),
    ],
)
def test_huge_and_tiny_grade_bounds_are_written_in_exponent_form(grades: str, shown: str) -> None:
    """Plain notation of 1e999999999 was a 1 GB line. The loader may refuse such a bound (its
    message is its own); where lint writes the number, it writes it in exponent form."""
    start = time.perf_counter()
    found = lint_text(BASE + "[grades]\n" + grades, "t.toml")
    assert time.perf_counter() - start < 1
    assert found and all(len(d.message) < 200 for d in found)
    mine = [d for d in found if d.code.startswith("KPI-G")]
    assert all(shown in d.message for d in mine)
    assert mine or all(d.code == "KPI-S104" for d in found)


@pytest.mark.parametrize(
    "bounds,rule,shown",
    [
        ("[0, 1e999999999]", "tiers { >= 1000000000000000000000000000000000000000: full, < 1: zero }", "5e+38"),
        ("[2e999999999, 3e999999999]", "deduct 1 pt per 1 below 1", "[2e+999999999, 3e+999999999]"),
        ("[1e-999999999, 1]", "deduct 1 pt per 1 below 1e-999999999", "deduct"),
    ],
)
def test_huge_and_tiny_ranges_are_written_in_exponent_form(bounds: str, rule: str, shown: str) -> None:
    text = BASE.replace("[0, 1]", bounds).replace('type = "rate"', 'type = "number"')
    text = text.replace('rule = "proportional"', f'rule = "{rule}"')
    start = time.perf_counter()
    found = lint_text(text, "t.toml")
    assert time.perf_counter() - start < 1
    assert all(len(d.message) < 200 and len(str(d.witness)) < 200 for d in found)
    if shown != "deduct":
        assert any(shown in d.message for d in found), [d.message for d in found]


@pytest.mark.parametrize("weight", ["1e40", "1e50", "0.01", "123456.78"])
def test_large_weights_lint_without_raising(weight: str) -> None:
    text = BASE.replace("total = 10", f"total = {weight}").replace("weight = 10", f"weight = {weight}")
    text = text.replace('rule = "proportional"', 'rule = "2 pts + value * full"')
    for diagnostic in lint_text(text, "t.toml"):
        assert len(diagnostic.message) < 300


def test_a_weight_the_loader_cannot_take_is_a_finding_not_a_traceback() -> None:
    text = BASE.replace("total = 10", "total = 1e58").replace("weight = 10", "weight = 1e58")
    found = lint_text(text, "t.toml")  # loaded or refused, never raised
    assert all(d.line >= 1 and len(d.message) < 300 for d in found)


@pytest.mark.parametrize(
    "value,text",
    [
        ("95", "95"),
        ("0.125", "0.125"),
        ("100.00", "100"),
        ("-0", "0"),
        ("1e58", "1e+58"),
        ("1E+999999999", "1e+999999999"),
        ("-1.5e-40", "-1.5e-40"),
        ("123456789012345678901234567890", "123456789012345678901234567890"),
        ("0.00000000000000000000000000001", "0.00000000000000000000000000001"),
        ("0.000000000000000000000000000001", "1e-30"),
    ],
)
def test_plain_writes_numbers_as_written_or_in_exponent_form(value: str, text: str) -> None:
    from decimal import Decimal

    assert plain(Decimal(value)) == text
    assert len(show_number(Decimal(value), percent=True)) <= 40
