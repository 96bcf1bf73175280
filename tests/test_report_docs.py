"""docs/report.md tells the truth: its console examples print what ``kpirules report`` prints (run
in a folder of their own, with rulesets/ and docs/ beside them, so that the reports they write land
there), every option of the command is in its table, and its screenshots are there and small."""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path

import click
import pytest
from click.testing import CliRunner
from test_docs import blocks as doc_blocks
from test_docs import run_console

from kpirules.cli import main
from kpirules.cli.report import report
from kpirules.handin.browser import find_chromium

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "report.md"


@pytest.fixture(autouse=True)
def default_language(monkeypatch: pytest.MonkeyPatch) -> None:
    """The docs show what a user sees: no KPIRULES_LANG, so the default language (Chinese)."""
    monkeypatch.delenv("KPIRULES_LANG", raising=False)


def blocks(lang: str) -> list[tuple[int, str]]:
    """(line of the opening fence, text) of every ```lang block of docs/report.md."""
    return [(block.line, block.text) for block in doc_blocks("report.md") if block.lang == lang]


@pytest.mark.skipif(importlib.util.find_spec("vl_convert") is None, reason="vl-convert-python is not installed")
@pytest.mark.parametrize(("line", "text"), blocks("console"), ids=lambda x: str(x) if isinstance(x, int) else "")
def test_console_blocks(line: int, text: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    if ".pdf" in text and find_chromium() is None:
        pytest.skip("no Chromium to print the PDF example")
    for folder in ("rulesets", "docs"):
        (tmp_path / folder).symlink_to(ROOT / folder)
    monkeypatch.chdir(tmp_path)
    shown, got, ran = run_console(text, f"docs/report.md:{line}")
    for args, status in ran:  # a report the command says it wrote is there
        output = next((a for k, a in enumerate(args) if k and args[k - 1] in ("-o", "--output")), None)
        if output is not None and status in (0, 1):
            assert (tmp_path / output).stat().st_size > 1000, f"{output} is not written"
    assert got == shown, f"docs/report.md:{line}: the commands print\n{got}"


def test_every_option_is_in_the_table() -> None:
    text = DOC.read_text("utf-8")
    table = text.split("## Options", 1)[1].split("\n## ", 1)[0]
    for param in report.params:
        if isinstance(param, click.Option):
            for name in [*param.opts, *param.secondary_opts]:
                assert f"`{name}" in table, name
        else:
            assert f"`{param.human_readable_name}`" in table


def test_the_screenshots_are_there_and_small() -> None:
    text = DOC.read_text("utf-8")
    images = re.findall(r"!\[[^\]]+\]\((images/[^)]+)\)", text)
    assert {"images/report-unit.png", "images/report-units.png"} <= set(images)
    for image in images:
        data = (ROOT / "docs" / image).read_bytes()
        assert data.startswith(b"\x89PNG") and len(data) < 150_000, image


def test_the_refusal_shown_is_the_one_printed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The ```text block under "PDF" is what a machine without Chromium prints."""
    from kpirules.handin import browser, charts

    monkeypatch.setattr(browser, "find_chromium", lambda: None)
    monkeypatch.setattr(charts, "available", lambda: True)
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, ["report", str(ROOT / "rulesets" / "bishan_2022.toml"), "-o", "bishan.pdf"])
    assert result.exit_code == 2
    shown = [text for _, text in blocks("text") if "bishan.pdf" in text]
    assert shown == [result.output]
