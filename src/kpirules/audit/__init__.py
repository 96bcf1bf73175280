"""``kpirules audit``: check a published table against its own rules and arithmetic.

:func:`audit` is the entry point; the rest of the package loads on first use, so that importing
kpirules (and ``kpirules score``) does not pay for it. See docs/audit.md.

Layout, each module importing only those below it: :mod:`.findings` (plain data) and
:mod:`.table` (the table as the checks see it); :mod:`.recompute` (the rules' scores);
:mod:`.relations` (one module per relation: rows, subtotals, totals, figures); :mod:`.reconstruct`
(the search); :mod:`.engine` (the driver); :mod:`.words` and :mod:`.messages` (every word, zh and
en, and how a finding is said); :mod:`.render` (the output formats); :mod:`.api` (the exported
classes: the data with their words). :mod:`.readers` reads published tables from files.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ..errors import Location
    from ..ruleset import Ruleset
    from .api import Audit, Cause, Correction, Finding, Reconstruction
    from .engine import ReportedSource

_LAZY = ("Audit", "Cause", "Correction", "Finding", "Reconstruction")


def audit(
    ruleset: Ruleset,
    reported: ReportedSource = None,
    *,
    values: Mapping[str, Any] | None = None,
    locations: Mapping[str, Location] | None = None,
) -> Audit:
    """Audit a published table against ``ruleset``: by default its ``[reported]``; or a path to a
    TOML, JSON, CSV or Excel file; or a :class:`~kpirules.model.Reported`. ``values`` are the
    measured values (default: the ruleset's ``[values]``), ``locations`` where each was read. See
    :func:`kpirules.audit.engine.audit`."""
    from .api import audit as run

    return run(ruleset, reported, values=values, locations=locations)


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        from . import api

        return getattr(api, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = ["Audit", "Cause", "Correction", "Finding", "Reconstruction", "audit"]
