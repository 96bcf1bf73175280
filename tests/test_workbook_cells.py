"""Cells a workbook reader reads as empty but that are not: a formula that failed (#DIV/0!) and a
formula with no saved value. Neither may be taken as "no value" (with ``if_missing`` it would score
silently); each is refused at its cell, with the reason and what to do."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest
import xlsxwriter
from click.testing import CliRunner
from support import says

import kpirules
from kpirules.cli import main
from kpirules.valuefiles import read_units

MINI = Path(__file__).parent.parent / "docs" / "examples" / "mini.toml"
HEADER = ["单位", "预算执行率", "服务对象满意度"]


def _xlsxwriter(path: Path) -> Path:
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet("填报")
    sheet.write_row(0, 0, HEADER)
    sheet.write_row(1, 0, ["甲", 0.96, 0.9])
    sheet.write(2, 0, "乙")
    sheet.write_formula(2, 1, "=1/0", None, "#DIV/0!")  # as Excel saves a failed formula
    sheet.write(2, 2, 0.85)
    sheet.write(3, 0, "丙")
    sheet.write_formula(3, 1, "=0.5+0.45", None, 0.95)  # a formula with its saved value
    sheet.write(3, 2, 0.9)
    book.close()
    return path


def _openpyxl(path: Path) -> Path:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "填报"
    sheet.append(HEADER)
    sheet.append(["甲", 0.96, "=0.5+0.4"])  # openpyxl saves formulas without values
    sheet.append(["乙", 0.9, None])  # truly empty
    book.save(path)
    return path


def test_a_failed_formula_is_refused_at_its_cell(tmp_path: Path) -> None:
    path = _xlsxwriter(tmp_path / "units.xlsx")
    result = CliRunner().invoke(main, ["score", str(MINI), "--values", str(path)])
    assert result.exit_code == 1, result.output
    assert f"[乙] {path}!填报!B3: measure `execution_rate`: the cell shows #DIV/0!: its formula failed" in result.output
    assert "correct the cell's formula" in result.output
    outcomes = {u.name: u for u in read_units(path, kpirules.load(MINI).measures)[0]}
    assert outcomes["丙"].values["execution_rate"] == 0.95  # a saved value is read as it is
    assert outcomes["甲"].values["execution_rate"] == 0.96


def test_a_formula_without_its_value_is_refused_and_an_empty_cell_is_missing(tmp_path: Path) -> None:
    path = _openpyxl(tmp_path / "units.xlsx")
    units = {u.name: u for u in read_units(path, kpirules.load(MINI).measures)[0]}
    assert units["乙"].values["satisfaction_rate"] == ""  # no value: the ruleset's if_missing decides
    rs = kpirules.load(MINI)
    with pytest.raises(kpirules.ValuesError) as caught:
        rs.evaluate(units["甲"].values, locations=units["甲"].locations)
    message = str(caught.value)
    assert f"{path}!填报!C2" in message and "the cell's formula =0.5+0.4 has no saved value" in message
    assert "open the workbook in Excel or WPS and save it" in message


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_error_text_of_a_csv_file(tmp_path: Path, lang: str) -> None:
    path = tmp_path / "units.csv"
    path.write_text("unit,execution_rate,satisfaction_rate\nA,#N/A,90%\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["score", str(MINI), "--values", str(path), "--lang", lang])
    assert result.exit_code == 1
    says(result.output, lang, f"{path}:2:3", "#N/A", "its formula failed")
