"""docs/testing.md tells the truth: its console blocks print what `kpirules test` prints, its Python
sessions run, and the outputs it shows as text (a failed case, a broken property) are the real ones.

(tests/test_docs.py runs the console and pycon blocks of the docs it lists; this file runs
docs/testing.md's the same way, with its helpers.)"""

from __future__ import annotations

import doctest
import re
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from test_docs import Block, blocks, run_console

from kpirules.cli import main

ROOT = Path(__file__).resolve().parent.parent
DOC = "testing.md"


@pytest.fixture(autouse=True)
def default_language(monkeypatch: pytest.MonkeyPatch) -> None:
    """The docs show what a user sees: no KPIRULES_LANG, so the default language (Chinese)."""
    monkeypatch.delenv("KPIRULES_LANG", raising=False)


def _text_block(after: str) -> str:
    """The ```text block that follows the paragraph containing ``after``."""
    text = (ROOT / "docs" / DOC).read_text("utf-8")
    rest = text[text.index(after) :]
    match = re.search(r"```text\n(.*?)```", rest, re.S)
    assert match
    return match.group(1)


@pytest.mark.parametrize("block", [b for b in blocks(DOC) if b.lang == "console"], ids=lambda b: b.where)
def test_console_block(block: Block, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    shown, got, _ = run_console(block.text, block.where)
    assert got == shown, f"the command prints\n{got}"


def test_pycon_blocks(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    globs: dict[str, object] = {"__name__": "__docs__"}
    parser = doctest.DocTestParser()
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    report: list[str] = []
    sessions = [b for b in blocks(DOC) if b.lang == "pycon"]
    assert sessions
    for block in sessions:
        test = parser.get_doctest(block.text, globs, block.where, DOC, block.line)
        runner.run(test, out=report.append, clear_globs=False)
        globs = test.globs
    assert runner.failures == 0, "".join(report)


def _invoke(*args: str) -> str:
    result = CliRunner().invoke(main, ["test", *args], env={"COLUMNS": None}, prog_name="kpirules")
    return result.output


def test_the_failed_case_shown_is_the_real_one(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = tmp_path / "rulesets"
    folder.mkdir()
    shutil.copy(ROOT / "rulesets" / "bishan_2022.toml", folder)
    cases = (ROOT / "rulesets" / "bishan_2022.test.toml").read_text("utf-8")
    (folder / "bishan_2022.test.toml").write_text(
        cases.replace('scores = { satisfaction = "9.00" }', 'scores = { satisfaction = "9.50" }'), "utf-8"
    )
    monkeypatch.chdir(tmp_path)
    assert _invoke("rulesets/", "--lang", "en") == _text_block("Had the case `满意度 90 %`")


def test_the_broken_property_shown_is_the_real_one(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from test_testing import BROKEN

    (tmp_path / "broken.toml").write_text(BROKEN, "utf-8")
    (tmp_path / "broken.test.toml").write_text(
        '[[tests]]\nname = "own"\nvalues = "own"\nexpect = { total = "10.00" }\n\n'
        '[properties.satisfaction]\nmonotone = "increasing"\n',
        "utf-8",
    )
    monkeypatch.chdir(tmp_path)
    shown = _text_block("A ruleset whose 90 % band")
    got = _invoke("broken.toml", "--properties", "--lang", "en")
    assert got.endswith(shown), got
