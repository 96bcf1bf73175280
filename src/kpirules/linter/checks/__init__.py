"""Checks of a loaded ruleset: weights, grades, measures, and every rule through the analysis.

Each check yields :class:`Raw` findings: a code, a message and a place (a rule span, a TOML key path
or a file offset). :mod:`kpirules.linter.engine` turns them into located diagnostics. A finding about
what a rule *can* do (exceed its weight, divide by zero) is reported only with a witness: values
that, run through the compiled rule, really do it.

The checks of the ruleset's tables are in :mod:`.tables`, of each rule and formula in :mod:`.rules`,
of a published standard's text in :mod:`.standard`; :mod:`.common` holds what they share and
:mod:`.words` their messages. Each layer extends the one below it; :class:`Checker` runs them all.
"""

from __future__ import annotations

from ...intervals import exact
from .common import Raw, show_value
from .tables import TableChecks
from .words import M

__all__ = ["Checker", "M", "Raw", "show_value"]


class Checker(TableChecks):
    """Every check of one loaded ruleset: :meth:`run` returns the findings."""

    def run(self) -> list[Raw]:
        with exact():
            return self._run()

    def _run(self) -> list[Raw]:
        self.weights()
        self.groups()
        self.grades()
        self.unused()
        self.rate_ranges()
        for name, measure in self.rs.measures.items():
            if measure.formula is not None and measure.formula_source is not None and name in self.rs.formulas:
                self.formula(name, measure)
        for index, ind in enumerate(self.rs.indicators):
            self.indicator(index, ind)
        self.own_values()
        return self.out
