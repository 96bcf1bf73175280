"""The documentation pages of the lint codes (docs/rules/): each code's entry and its page's body
from the catalog, with what ``kpirules lint`` reports for the bad example computed under it, so a
page cannot drift from the linter; and the index of all codes."""

from __future__ import annotations

import re
from pathlib import Path

from ..messages import use_language
from .catalog import BY_CODE, INTRO, RULES, body
from .engine import lint_bytes, lint_text
from .text import text

#: The bad example of a page, under which what `kpirules lint` reports for it is written.
_BAD = re.compile(rf"(## Bad\n\n{INTRO}```toml\n)(.*?)(```\n)", re.S)


def page(code: str) -> str:
    """The full documentation page of a code: its entry, the body, and under the bad example what
    `kpirules lint` reports for it (computed, so the page cannot drift from the linter).

    The pages are documentation, and the documentation is English: a page is the same whatever
    the language (its title, and the report under the bad example, are said in English)."""
    with use_language("en"):
        return _page(code)


def _page(code: str) -> str:
    rule = BY_CODE[code]
    fix = "safe fix with `--fix`" if rule.fixable else "none"
    head = (
        f"# {rule.code} {rule.name}\n\n"
        f"**Severity:** {rule.severity} · **Category:** {rule.category} · **Fix:** {fix}\n\n"
        f"{rule.title('en')}\n\n"
    )

    def with_output(match: re.Match[str]) -> str:
        if code == "KPI-E003":  # the example is the text of a file saved in GB18030, not UTF-8
            found = lint_bytes(match.group(2).encode("gb18030"), "bad.toml")
        else:
            found = [d for d in lint_text(match.group(2), "bad.toml") if d.code == code]
        shown = text(found).rsplit("\n\n", 1)[0].rstrip()
        return f"{match.group(0)}\n`kpirules lint bad.toml` reports:\n\n```text\n{shown}\n```\n"

    return head + _BAD.sub(with_output, body(code).strip() + "\n", count=1)


def index() -> str:
    """The catalog as a markdown table, for docs/rules/README.md (English, as every page)."""
    lines = [
        "# Lint codes",
        "",
        "Every code `kpirules lint` reports, with its default severity. `kpirules rule CODE` prints a",
        "code's page in the terminal. Generated from `kpirules/linter/catalog.py`; see [../lint.md](../lint.md).",
        "",
        "| code | name | severity | finds |",
        "| --- | --- | --- | --- |",
    ]
    for rule in RULES:
        lines.append(f"| [{rule.code}]({rule.code}.md) | `{rule.name}` | {rule.severity} | {rule.title('en')} |")
    return "\n".join(lines) + "\n"


def generate(folder: Path) -> list[Path]:
    """Write every page and the index into ``folder``; returns the files written. The pages are
    English whatever the language (see :func:`page`)."""
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for rule in RULES:
        target = folder / f"{rule.code}.md"
        target.write_text(page(rule.code), encoding="utf-8")
        written.append(target)
    readme = folder / "README.md"
    readme.write_text(index(), encoding="utf-8")
    written.append(readme)
    return written
