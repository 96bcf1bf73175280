"""The catalog of lint codes: one :class:`Rule` per code, and the documentation page of each.

Codes are ``KPI-`` plus a category letter and three digits; they are never renumbered or reused.
Each code also has a kebab-case name, usable wherever a code is (``--select tier-gap``,
``# kpirules: ignore[tier-gap] …``). The page of a code is built from its entry here and the
markdown body in ``kpirules/linter/rules/CODE.md`` (package data): ``kpirules rule CODE`` prints it,
and ``docs/rules/`` holds the same pages, written by ``kpirules rule --write-docs docs/rules`` (a test
checks that the two agree).
"""

from __future__ import annotations

import re
from importlib import resources
from pathlib import Path

import attrs

from .diagnostics import Severity


@attrs.frozen
class Rule:
    code: str
    name: str
    severity: Severity
    summary: str
    fixable: bool = False

    @property
    def category(self) -> str:
        return CATEGORIES[self.code[4]]

    @property
    def short(self) -> str:
        return self.code.removeprefix("KPI-")


CATEGORIES = {
    "E": "syntax",
    "S": "structure",
    "R": "references",
    "T": "types",
    "W": "weights",
    "G": "coverage",
    "B": "bounds",
    "X": "text",
    "L": "suppressions",
}

RULES: tuple[Rule, ...] = (
    Rule("KPI-E001", "toml-syntax", "error", "The file is not valid TOML."),
    Rule("KPI-E002", "rule-syntax", "error", "A rule or formula does not parse."),
    Rule("KPI-E003", "unreadable-file", "error", "A file named to lint cannot be read: missing, a folder, not UTF-8."),
    Rule("KPI-S101", "unknown-key", "error", "A table holds a key that kpirules does not know."),
    Rule("KPI-S102", "missing-key", "error", "A required table or key is missing."),
    Rule("KPI-S103", "wrong-type", "error", "A key holds the wrong kind of TOML value."),
    Rule("KPI-S104", "invalid-value", "error", "A key holds a value that is not allowed there."),
    Rule(
        "KPI-S105",
        "values-do-not-score",
        "error",
        "The ruleset's own [values] cannot be scored: a rule or formula fails on them, or a value is missing.",
    ),
    Rule("KPI-R101", "unknown-measure", "error", "A rule, formula, indicator or value names a measure never declared."),
    Rule("KPI-R102", "unused-measure", "warning", "A declared measure that no indicator uses."),
    Rule("KPI-R103", "duplicate-id", "error", "An indicator id, a group path or a grade label appears twice."),
    Rule("KPI-R104", "measure-cycle", "error", "Derived measures depend on each other in a cycle."),
    Rule(
        "KPI-R105",
        "unknown-indicator",
        "error",
        "An override, a reported row or a reported subtotal names an indicator or group that does not exist.",
    ),
    Rule(
        "KPI-T201", "type-mismatch", "error", "A part of a rule has the wrong kind (number, condition, label, score)."
    ),
    Rule("KPI-T202", "unknown-label", "error", "A rule uses a label that the level measure does not declare."),
    Rule("KPI-T203", "missing-subject", "error", "A form works on the indicator's measure, and there is none."),
    Rule("KPI-W201", "weights-total", "error", "The weights of the indicators do not add up to the ruleset's total."),
    Rule(
        "KPI-W202", "group-weights", "error", "The weights of a group's indicators do not add up to the group's weight."
    ),
    Rule("KPI-W203", "non-positive-weight", "error", "A weight is zero or negative."),
    Rule("KPI-G201", "tier-gap", "error", "Values of the subject's range that no band of a tiers rule matches."),
    Rule("KPI-G202", "unreachable-band", "warning", "A band that can never match: earlier bands take all its values."),
    Rule("KPI-G203", "grade-missing-level", "error", "A grade rule has no band for a level the measure declares."),
    Rule("KPI-G204", "judged-gap", "warning", "Judged intervals leave points between 0 and the weight to no level."),
    Rule("KPI-G205", "judged-overlap", "warning", "Judged intervals of two levels overlap."),
    Rule("KPI-G206", "grades-start", "warning", "The lowest bound of [grades] is above 0: low totals get no grade."),
    Rule("KPI-G207", "grades-repeat", "error", "Two grades have the same bound: one of them can never be given."),
    Rule(
        "KPI-G208",
        "grade-unreachable",
        "warning",
        "A grade's bound is above the highest total the indicators can give.",
    ),
    Rule("KPI-B301", "score-above-weight", "error", "A rule can compute more points than the weight, before clamping."),
    Rule("KPI-B302", "score-below-zero", "warning", "A rule can compute fewer than 0 points, before clamping."),
    Rule("KPI-B303", "division-by-zero", "warning", "A division, target or step whose value can be 0."),
    Rule("KPI-B304", "deduction-limit", "warning", "A deduction limit outside the measure's range."),
    Rule("KPI-B305", "rate-without-range", "warning", "A measured rate declares no range."),
    Rule("KPI-X401", "full-width-punctuation", "error", "Full-width punctuation in a rule or formula.", True),
    Rule("KPI-X402", "standard-mismatch", "warning", "The numbers of the published standard differ from the rule's."),
    Rule("KPI-L901", "unused-suppression", "warning", "A suppression comment that suppresses nothing."),
    Rule("KPI-L902", "invalid-suppression", "warning", "A suppression comment with an unknown code or no reason."),
)

BY_CODE: dict[str, Rule] = {r.code: r for r in RULES}
BY_NAME: dict[str, Rule] = {r.name: r for r in RULES}


def find(selector: str) -> Rule | None:
    """The rule a code (``KPI-G201`` or ``G201``) or a name (``tier-gap``) stands for."""
    text = selector.strip()
    upper = text.upper()
    if not upper.startswith("KPI-"):
        upper = "KPI-" + upper
    return BY_CODE.get(upper) or BY_NAME.get(text.lower())


def select(selector: str) -> set[str] | None:
    """The codes a selector picks: a code, a name, a prefix (``B``, ``B3``, ``KPI-G2``) or ``ALL``.
    None for a selector that picks nothing."""
    text = selector.strip()
    if not text:
        return None
    if text.upper() == "ALL":
        return set(BY_CODE)
    rule = find(text)
    if rule is not None:
        return {rule.code}
    prefix = text.upper()
    if not prefix.startswith("KPI-"):
        prefix = "KPI-" + prefix
    found = {code for code in BY_CODE if code.startswith(prefix)}
    return found or None


def body(code: str) -> str:
    """The markdown body of a code's page, from the package."""
    return resources.files("kpirules.linter").joinpath(f"rules/{code}.md").read_text("utf-8")


_INTRO = r"(?:[^`\n][^\n]*\n)*\n?"  # an optional paragraph before the example
_BAD = re.compile(rf"(## Bad\n\n{_INTRO}```toml\n)(.*?)(```\n)", re.S)


def example(code: str, which: str) -> str:
    """The ``Bad`` or ``Good`` example of a code's page: a complete ruleset file."""
    found = re.search(rf"## {which}\n\n{_INTRO}```toml\n(.*?)```", body(code), re.S)
    if found is None:  # pragma: no cover - every page has both (a test checks it)
        raise KeyError(f"{code} has no {which} example")
    return found.group(1)


def page(code: str) -> str:
    """The full documentation page of a code: its entry, the body, and under the bad example what
    `kpirules lint` reports for it (computed, so the page cannot drift from the linter)."""
    from .engine import lint_bytes, lint_text
    from .formats import text

    rule = BY_CODE[code]
    fix = "safe fix with `--fix`" if rule.fixable else "none"
    head = (
        f"# {rule.code} {rule.name}\n\n"
        f"**Severity:** {rule.severity} · **Category:** {rule.category} · **Fix:** {fix}\n\n"
        f"{rule.summary}\n\n"
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
    """The catalog as a markdown table, for docs/rules/README.md."""
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
        lines.append(f"| [{rule.code}]({rule.code}.md) | `{rule.name}` | {rule.severity} | {rule.summary} |")
    return "\n".join(lines) + "\n"


def generate(folder: Path) -> list[Path]:
    """Write every page and the index into ``folder``; returns the files written."""
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
