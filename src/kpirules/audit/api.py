"""The classes :mod:`kpirules.audit` exports: the plain data of :mod:`~kpirules.audit.findings`
with the methods that say it (:mod:`~kpirules.audit.messages`) and render it
(:mod:`~kpirules.audit.render`), and :func:`audit`, which runs the engine and returns them.

The data classes know no words, so the engine, the relations and the reconstruction build them
without importing the messages; this module, above all of them, is where data and words meet.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import attrs

from ..errors import Location
from ..ruleset import Ruleset
from . import findings as data
from . import messages, render
from .engine import ReportedSource
from .engine import audit as run
from .findings import Cause, Correction


@attrs.frozen
class Finding(data.Finding):
    """One inconsistency of a published table, or a note about the audit (see
    :class:`kpirules.audit.findings.Finding` for its fields), with its words."""

    def message(self, lang: str = "zh") -> str:
        """What is inconsistent, and what the consistent figure is, in ``zh`` or ``en``."""
        return messages.message(self, lang)

    def cause_text(self, lang: str = "zh") -> str:
        """The likely cause in words ("" when none is known)."""
        return messages.finding_cause_text(self, lang)

    def explain(self, lang: str = "zh") -> str:
        """The message and, where one is known, the likely cause."""
        return messages.explain(self, lang)

    @property
    def reported_text(self) -> str:
        """The figure as printed (a yes/no in the current language)."""
        return messages.reported_text(self)

    @property
    def expected_text(self) -> str:
        """The consistent figure, as people read it (a yes/no in the current language)."""
        return messages.expected_text(self)

    def to_dict(self, lang: str = "zh") -> dict[str, Any]:
        """Plain data; numbers stay exact ``Decimal``s."""
        return render.finding_dict(self, lang)

    @classmethod
    def of(cls, finding: data.Finding) -> Finding:
        return cls(**{a.name: getattr(finding, a.name) for a in attrs.fields(data.Finding)})


@attrs.frozen
class Reconstruction(data.Reconstruction):
    """The smallest set of corrections that makes the table consistent (see
    :class:`kpirules.audit.findings.Reconstruction`), with its words."""

    def summary(self, ruleset: Ruleset, lang: str = "zh") -> str:
        """The corrections, row by row, and the consistent total, in ``zh`` or ``en``."""
        return messages.reconstruction_text(self, ruleset, lang)

    @classmethod
    def of(cls, recon: data.Reconstruction) -> Reconstruction:
        return cls(**{a.name: getattr(recon, a.name) for a in attrs.fields(data.Reconstruction)})


class Audit(data.Audit):
    """The outcome of :func:`kpirules.audit` (see :class:`kpirules.audit.findings.Audit`), with
    its words: ``explain(lang)`` and ``to_dict(lang)``."""

    findings: tuple[Finding, ...]
    reconstruction: Reconstruction

    def explain(self, lang: str = "zh") -> str:
        """Every finding with its explanation, then the reconstruction, as plain text."""
        return render.to_text(self, lang)

    def to_dict(self, lang: str = "zh") -> dict[str, Any]:
        return render.audit_dict(self, lang)

    @classmethod
    def of(cls, outcome: data.Audit) -> Audit:
        return cls(
            outcome.ruleset,
            outcome.reported,
            [Finding.of(f) for f in outcome.findings],
            Reconstruction.of(outcome.reconstruction),
            source=outcome.source,
            recomputed=outcome.recomputed,
            recomputed_total=outcome.recomputed_total,
            printed_sum=outcome.printed_sum,
            values_from=outcome.values_from,
        )


def audit(
    ruleset: Ruleset,
    reported: ReportedSource = None,
    *,
    values: Mapping[str, Any] | None = None,
    locations: Mapping[str, Location] | None = None,
) -> Audit:
    """Audit a published table against ``ruleset``: see :func:`kpirules.audit.engine.audit`."""
    return Audit.of(run(ruleset, reported, values=values, locations=locations))


__all__ = ["Audit", "Cause", "Correction", "Finding", "Reconstruction", "audit"]
