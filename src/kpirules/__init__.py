"""kpirules: performance-scoring standards as executable, explainable, exact rules.

>>> import kpirules
>>> rs = kpirules.loads('''
... [ruleset]
... id = "demo"
... [measures.rate]
... type = "rate"
... [[indicators]]
... id = "execution"
... weight = 10
... measure = "rate"
... rule = "deduct 0.5 pts per 1% below 95%"
... ''')
>>> rs.evaluate({"rate": "90%"})["execution"].score
Decimal('7.50')
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .audit import audit
from .errors import (
    EvaluationError,
    KpiRulesError,
    Location,
    RulesetError,
    RuleSyntaxError,
    RuleTypeError,
    ValuesError,
)
from .loader import load, loads
from .parser import parse_rule
from .result import IndicatorResult, Result
from .ruleset import Ruleset

if TYPE_CHECKING:
    import os
    from collections.abc import Iterable

    from .audit.findings import Audit, Finding
    from .linter.diagnostics import Diagnostic

__version__ = "0.1.0"


def lint(
    path_or_text: str | os.PathLike[str],
    *,
    name: str | None = None,
    select: Iterable[str] = (),
    ignore: Iterable[str] = (),
) -> list[Diagnostic]:
    """Lint a ruleset file (a path) or its TOML text; see :func:`kpirules.linter.lint`."""
    from .linter import lint as run

    return run(path_or_text, name=name, select=select, ignore=ignore)


def __getattr__(name: str) -> object:
    """``kpirules.Audit`` and ``kpirules.Finding`` load with the audit, on first use."""
    if name in ("Audit", "Finding"):
        from .audit import findings

        return getattr(findings, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "Audit",
    "EvaluationError",
    "Finding",
    "IndicatorResult",
    "KpiRulesError",
    "Location",
    "Result",
    "RuleSyntaxError",
    "RuleTypeError",
    "Ruleset",
    "RulesetError",
    "ValuesError",
    "__version__",
    "audit",
    "lint",
    "load",
    "loads",
    "parse_rule",
]
