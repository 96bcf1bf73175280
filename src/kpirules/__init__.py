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

from ._version import __version__
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

if TYPE_CHECKING:
    import os
    from collections.abc import Iterable

    from .audit import Audit, Finding
    from .linter.diagnostics import Diagnostic
    from .loader import load, loads
    from .parser import parse_rule
    from .result import IndicatorResult, Result
    from .ruleset import Ruleset


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


#: Public names whose modules load on first use (PEP 562), so that ``import kpirules`` is quick
#: and a command that needs no parser (``kpirules score`` with cached SQL) never imports lark.
_LAZY = {
    "Audit": "audit",
    "Finding": "audit",
    "IndicatorResult": "result",
    "Result": "result",
    "Ruleset": "ruleset",
    "load": "loader",
    "loads": "loader",
    "parse_rule": "parser",
}


def __getattr__(name: str) -> object:
    """The names of :data:`_LAZY`, imported from their modules on first use."""
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    import importlib

    value = getattr(importlib.import_module(f".{module}", __name__), name)
    globals()[name] = value
    return value


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
