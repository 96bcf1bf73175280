"""CSV for Excel: files kpirules writes start with a UTF-8 byte-order mark (standard output has
none), --encoding chooses UTF-8 without it or GB18030, and kpirules reads its own files back."""

from __future__ import annotations

import codecs
from pathlib import Path

import pytest
from click.testing import CliRunner

import kpirules
from kpirules.cli import main
from kpirules.valuefiles import read_units

ROOT = Path(__file__).resolve().parent.parent
BISHAN = str(ROOT / "rulesets/bishan_2022.toml")
UNITS = str(ROOT / "docs/examples/units.csv")


def _invoke(*args: str) -> tuple[int, bytes, str]:
    result = CliRunner().invoke(main, list(args))
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.stdout_bytes, result.stderr


def test_a_csv_file_has_a_byte_order_mark_and_standard_output_none(tmp_path: Path) -> None:
    out = tmp_path / "scores.csv"
    code, stdout, _ = _invoke("score", BISHAN, "--values", UNITS, "-o", str(out))
    assert code == 1 and stdout == b""
    data = out.read_bytes()
    assert data.startswith(codecs.BOM_UTF8 + b"unit,budget_execution,")
    code, stdout, _ = _invoke("score", BISHAN, "--values", UNITS, "--format", "csv")
    assert not stdout.startswith(codecs.BOM_UTF8) and data[3:] == stdout  # the same text, with the mark
    json_out = tmp_path / "scores.json"
    _invoke("score", BISHAN, "-o", str(json_out))
    assert json_out.read_bytes().startswith(b"{")  # only CSV gets the mark


def test_encoding_chooses_plain_utf8_or_gb18030(tmp_path: Path) -> None:
    out = tmp_path / "scores.csv"
    _invoke("score", BISHAN, "--values", UNITS, "-o", str(out), "--encoding", "utf-8")
    plain = out.read_bytes()
    assert plain.startswith(b"unit,") and "智慧城管指挥中心" in plain.decode("utf-8")
    _invoke("score", BISHAN, "--values", UNITS, "-o", str(out), "--encoding", "gb18030")
    data = out.read_bytes()
    assert data.decode("gb18030") == plain.decode("utf-8")
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")
    code, stdout, _ = _invoke("score", BISHAN, "--format", "csv", "--encoding", "gb18030")
    assert code == 0 and "预算执行率" in stdout.decode("gb18030") and not stdout.startswith(codecs.BOM_UTF8)
    code, _, err = _invoke("score", BISHAN, "--encoding", "big5")
    assert code == 2 and "'big5' is not one of 'utf-8', 'gb18030'" in err


@pytest.mark.parametrize("encoding", [None, "utf-8", "gb18030"])
def test_kpirules_reads_its_own_csv_back(tmp_path: Path, encoding: str | None) -> None:
    """A scored batch written to a file, read back as a file of units: the BOM is no part of the
    first header, and the units keep their Chinese names in every encoding."""
    out = tmp_path / "scores.csv"
    _invoke("score", BISHAN, "--values", UNITS, "-o", str(out), *(["--encoding", encoding] if encoding else []))
    rs = kpirules.load(BISHAN)
    units, batch = read_units(out, rs.measures)
    assert batch and [u.name for u in units] == ["智慧城管指挥中心", "城市管理局", "环卫所", "市政所"]
    assert units[0].values["total"] == "93.74"


def test_a_workbook_has_no_encoding(tmp_path: Path) -> None:
    code, _, err = _invoke("score", BISHAN, "-o", str(tmp_path / "s.xlsx"), "--encoding", "gb18030")
    assert code == 2 and "--encoding applies to text output" in err
    assert not (tmp_path / "s.xlsx").exists()


def test_the_duckdb_engine_writes_utf8_only(tmp_path: Path) -> None:
    pytest.importorskip("duckdb")
    pytest.importorskip("sqlglot")
    out = tmp_path / "s.csv"
    args = ["score", BISHAN, "--values", UNITS, "-o", str(out), "--encoding", "gb18030"]
    code, _, err = _invoke(*args, "--engine", "duckdb")
    assert code == 2 and "--engine duckdb writes UTF-8 only" in err and not out.exists()
    code, _, err = _invoke(*args)  # auto: the Python path, which writes GB18030
    assert code == 1 and "(DuckDB)" not in err and "智慧城管指挥中心" in out.read_bytes().decode("gb18030")
