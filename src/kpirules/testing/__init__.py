"""Rule authors test their rulesets: cases with expected figures, coverage of every band and branch
with a witness for each one no case reaches, and property checks with hypothesis.

``kpirules test PATH…`` runs all of it from the command line; from Python:

* :func:`discover` and :func:`load_suite` read a ruleset's cases (``[[tests]]`` in the ruleset,
  ``NAME.test.toml``, ``NAME.test.csv`` or ``NAME.test.xlsx`` beside it);
* :func:`run_suite` runs them, :func:`coverage` says what they reached and what they missed;
* :func:`check_properties` explores a ruleset with hypothesis and checks its invariants;
* :mod:`kpirules.testing.strategies` has the public strategies ``values_for(ruleset)``,
  ``units_for(ruleset, n)`` and ``edge_values(ruleset)``; :mod:`kpirules.testing.invariants`
  the invariant checks as functions; :mod:`kpirules.testing.plugin` the pytest plugin.

hypothesis is needed only for the property checks and the strategies (the ``testing`` extra).
"""

from __future__ import annotations

from .cases import Case, CaseFileError, Expect, Monotone, Suite, discover, load_suite
from .coverage import Coverage, Target, coverage
from .invariants import Violation, check_result
from .properties import PropertyReport, check_properties
from .run import CaseOutcome, Mismatch, run_case, run_suite

__all__ = [
    "Case",
    "CaseFileError",
    "CaseOutcome",
    "Coverage",
    "Expect",
    "Mismatch",
    "Monotone",
    "PropertyReport",
    "Suite",
    "Target",
    "Violation",
    "check_properties",
    "check_result",
    "coverage",
    "discover",
    "load_suite",
    "run_case",
    "run_suite",
]
