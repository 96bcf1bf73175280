"""docs/audit.md tells the truth: its console blocks print exactly what `kpirules audit` prints,
its Python sessions run as doctests, and its table of checks lists exactly the finding kinds."""

from __future__ import annotations

import doctest
import re
from pathlib import Path

import pytest
from test_docs import blocks as doc_blocks
from test_docs import run_console

from kpirules.audit.findings import KINDS

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "audit.md"


@pytest.fixture(autouse=True)
def default_language(monkeypatch: pytest.MonkeyPatch) -> None:
    """The docs show what a user sees: no KPIRULES_LANG, so the default language (Chinese)."""
    monkeypatch.delenv("KPIRULES_LANG", raising=False)


def blocks(lang: str) -> list[tuple[int, str]]:
    """(line of the opening fence, text) of every ```lang block of docs/audit.md."""
    return [(block.line, block.text) for block in doc_blocks("audit.md") if block.lang == lang]


@pytest.mark.parametrize(("line", "text"), blocks("console"), ids=lambda x: str(x) if isinstance(x, int) else "")
def test_console_blocks(line: int, text: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    shown, got, _ = run_console(text, f"docs/audit.md:{line}")
    assert got == shown, f"docs/audit.md:{line}: the command prints\n{got}"


def test_pycon_blocks(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    parser = doctest.DocTestParser()
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    globs: dict[str, object] = {"__name__": "__audit_docs__"}
    report: list[str] = []
    sessions = blocks("pycon")
    assert len(sessions) >= 4
    for line, text in sessions:
        test = parser.get_doctest(text, globs, f"docs/audit.md:{line}", str(DOC), line)
        runner.run(test, out=report.append, clear_globs=False)
        globs = test.globs
    assert runner.failures == 0, "".join(report)


def test_the_table_of_checks_lists_every_kind() -> None:
    text = DOC.read_text("utf-8")
    section = text[text.index("## What is checked") : text.index("## Printed precision")]
    listed = re.findall(r"^\| `([a-z-]+)` \| (error|warning|info) \|", section, re.M)
    assert [kind for kind, _ in listed] == list(KINDS)


def test_the_worked_example_shows_every_inconsistency_of_the_issue() -> None:
    (_, text), *_ = blocks("console")
    for figure in ("73.47", "93.74", "4.47", "4.74", "47.74%", "47.4%", "1899305.84万元", "80%"):
        assert figure in text


def test_the_reported_example_of_the_ruleset_file_reference_audits_as_it_says() -> None:
    import kpirules

    text = (ROOT / "docs" / "ruleset-file.md").read_text("utf-8")
    section = text[text.index("## [reported]") : text.index("## Accepted values")]
    example = section[section.index("```toml\n") + len("```toml\n") : section.index("\n```", section.index("```toml"))]
    audit = kpirules.audit(kpirules.loads(example, name="example.toml"))
    assert [(f.kind, f.reported_text, f.expected_text) for f in audit] == [
        ("figure-vs-value", "1899305.84万元", "1899305.84元")
    ]
