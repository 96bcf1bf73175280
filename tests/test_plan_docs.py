"""docs/plan.md tells the truth: its console examples run and print what it shows, and its Python
session runs as a doctest (the machinery of tests/test_docs.py, on this page)."""

from __future__ import annotations

import doctest

import pytest
from test_docs import DOCS, ROOT, Block, _id, blocks, run_console

DOC = "plan.md"


@pytest.fixture(autouse=True)
def default_language(monkeypatch: pytest.MonkeyPatch) -> None:
    """The docs show what a user sees: no KPIRULES_LANG, so the default language (Chinese)."""
    monkeypatch.delenv("KPIRULES_LANG", raising=False)


def test_the_page_has_examples() -> None:
    kinds = [b.lang for b in blocks(DOC)]
    assert kinds.count("console") >= 6 and kinds.count("pycon") >= 2


@pytest.mark.parametrize("block", [b for b in blocks(DOC) if b.lang == "console"], ids=_id)
def test_console_block(block: Block, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    shown, got, _ = run_console(block.text, block.where)
    assert got == shown, f"{block.where}: the command prints\n{got}"


def test_pycon_blocks(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    globs: dict[str, object] = {"__name__": "__docs__"}
    parser = doctest.DocTestParser()
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    report: list[str] = []
    for block in (b for b in blocks(DOC) if b.lang == "pycon"):
        test = parser.get_doctest(block.text, globs, block.where, str(DOCS / DOC), block.line)
        runner.run(test, out=report.append, clear_globs=False)
        globs = test.globs
    assert runner.failures == 0, "".join(report)


def test_every_option_is_documented() -> None:
    from kpirules.cli.plan import plan

    text = (DOCS / DOC).read_text("utf-8")
    for param in plan.params:
        for opt in getattr(param, "opts", []):
            if opt.startswith("--"):
                assert f"`{opt}" in text, f"{opt} is not in docs/{DOC}"
