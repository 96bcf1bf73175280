"""``kpirules lint``: find what is wrong with a ruleset file before anyone scores with it.

>>> import kpirules
>>> found = kpirules.lint('''
... [ruleset]
... id = "demo"
... total = 10
... [measures.rate]
... type = "rate"
... range = [0, 1]
... [[indicators]]
... id = "execution"
... weight = 10
... measure = "rate"
... rule = "tiers { >= 90%: full, [80%, 85%): 60%, < 80%: zero }"
... ''')
>>> [(d.code, d.line, d.witness) for d in found]
[('KPI-G201', 12, {'rate': '88%'})]
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path

from .catalog import RULES, Rule
from .diagnostics import Diagnostic, Edit, Fix, Related, Severity
from .engine import Selection, fix_text, lint_file, lint_text

__all__ = [
    "RULES",
    "Diagnostic",
    "Edit",
    "Fix",
    "Related",
    "Rule",
    "Selection",
    "Severity",
    "fix_text",
    "lint",
    "lint_file",
    "lint_text",
]


def lint(
    path_or_text: str | os.PathLike[str],
    *,
    name: str | None = None,
    select: Iterable[str] = (),
    ignore: Iterable[str] = (),
) -> list[Diagnostic]:
    """Lint one ruleset: a path (``str`` or ``Path``) or the TOML text itself.

    A ``str`` that holds a new line is taken as text (``name`` is then the file name shown in
    diagnostics); any other ``str`` is a path. ``select`` and ``ignore`` take codes (``KPI-G201``
    or ``G201``), names (``tier-gap``), prefixes (``G``, ``B3``) or ``ALL``. An unreadable path
    raises :class:`~kpirules.RulesetError`; problems in the file are diagnostics, never raised.
    """
    selection = Selection(select, ignore)
    if isinstance(path_or_text, str) and "\n" in path_or_text:
        return lint_text(path_or_text, name or "<string>", selection)
    return lint_file(Path(path_or_text), selection)
