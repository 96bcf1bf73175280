"""``kpirules audit``: check a published table against its own rules and arithmetic.

:func:`audit` is the entry point; the rest of the package loads on first use, so that importing
kpirules (and ``kpirules score``) does not pay for it. See docs/audit.md.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ..errors import Location
    from ..ruleset import Ruleset
    from .engine import ReportedSource
    from .findings import Audit, Cause, Correction, Finding, Reconstruction

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
    from .engine import audit as run

    return run(ruleset, reported, values=values, locations=locations)


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        from . import findings

        return getattr(findings, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = ["Audit", "Cause", "Correction", "Finding", "Reconstruction", "audit"]
