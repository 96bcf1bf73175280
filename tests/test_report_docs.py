"""docs/report.md tells the truth: its console examples print what ``kpirules report`` prints (run
in a folder of their own, with rulesets/ and docs/ beside them, so that the reports they write land
there), every option of the command is in its table, and its screenshots are there and small."""

from __future__ import annotations

import importlib.util
import re
import shlex
from pathlib import Path

import click
import pytest
from click.testing import CliRunner
from test_docs import blocks as doc_blocks

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
    shown: list[str] = []
    got: list[str] = []
    status = 0
    for row in text.rstrip("\n").split("\n"):
        shown.append(row)
        if not row.startswith("$ "):
            continue
        got.append(row)
        args = shlex.split(row[2:])
        if args == ["echo", "$?"]:
            got.append(str(status))
            continue
        assert args[0] == "kpirules", row
        result = CliRunner().invoke(main, args[1:], env={"COLUMNS": None, "LINES": None}, prog_name="kpirules")
        if result.exception is not None and not isinstance(result.exception, SystemExit):
            raise result.exception
        status = result.exit_code
        got.extend(result.output.rstrip("\n").split("\n"))
        output = next((a for k, a in enumerate(args) if k and args[k - 1] in ("-o", "--output")), None)
        if output is not None and status in (0, 1):
            assert (tmp_path / output).stat().st_size > 1000, f"{output} is not written"

    def norm(rows: list[str]) -> str:
        return "\n".join(r.rstrip() for r in rows).strip("\n")

    assert norm(got) == norm(shown), f"docs/report.md:{line}: the commands print\n{norm(got)}"


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
