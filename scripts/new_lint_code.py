"""Scaffold a new lint code: ``python scripts/new_lint_code.py KPI-G209 band-overlap warning "Summary."``.

Writes the code's page body (``src/kpirules/linter/rules/CODE.md``: what it finds, why it matters, a
bad and a good example, which the tests score and lint) and prints the catalog entry to add and the
steps that remain. See CONTRIBUTING.md, "Adding a lint code".
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RULES = ROOT / "src" / "kpirules" / "linter" / "rules"
CATEGORIES = "ESRTWGBXL"

PAGE = """## What it finds

{summary}

## Why it matters

Why a ruleset with this is wrong or doubtful, in the words of a standard's author.

## Bad

```toml
[ruleset]
id = "demo"
total = 10

[measures.rate]
type = "rate"
range = [0, 1]

[[indicators]]
id = "execution"
weight = 10
measure = "rate"
rule = "proportional to 95%"
```

## Good

```toml
[ruleset]
id = "demo"
total = 10

[measures.rate]
type = "rate"
range = [0, 1]

[[indicators]]
id = "execution"
weight = 10
measure = "rate"
rule = "proportional to 95%"
```
"""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("code", help="KPI- plus a category letter (" + CATEGORIES + ") and three digits")
    parser.add_argument("name", help="kebab-case name, usable wherever the code is (tier-gap)")
    parser.add_argument("severity", choices=["error", "warning", "info"])
    parser.add_argument("summary", help="one sentence: what the code finds")
    parser.add_argument("--rules", type=Path, default=RULES, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if not re.fullmatch(rf"KPI-[{CATEGORIES}]\d{{3}}", args.code):
        parser.error(f"{args.code!r} is not KPI- plus one of {CATEGORIES} and three digits")
    if not re.fullmatch(r"[a-z]+(-[a-z]+)*", args.name):
        parser.error(f"{args.name!r} is not a kebab-case name")
    page = args.rules / f"{args.code}.md"
    if page.exists():
        parser.error(f"{page} exists already: codes are never reused")
    page.write_text(PAGE.format(summary=args.summary), "utf-8")
    print(f"wrote {page}")
    print(
        "now:\n"
        "  1. src/kpirules/linter/catalog.py, in RULES (in code order):\n"
        f'       Rule("{args.code}", "{args.name}", "{args.severity}", "{args.summary}"),\n'
        f"  2. {page.name}: the why, and a Bad example that gives the code and a Good one that does not\n"
        "  3. the check: in src/kpirules/linter/checks/tables.py (ruleset-wide) or checks/rules.py (per rule), or, for a\n"
        "     finding about one scoring form, in that form's `interval` (a.report(code, span, …))\n"
        "  4. its words in the catalog of the module that reports it, in Chinese and English\n"
        "  5. kpirules rule --write-docs docs/rules, and a line in docs/lint.md's list of codes\n"
        "  6. python -m pytest tests/test_lint.py: the Bad example must give the code, the Good one not"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
