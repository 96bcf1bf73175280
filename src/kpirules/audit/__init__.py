"""``kpirules audit``: check a published table against its own rules and arithmetic."""

from __future__ import annotations

from .engine import audit
from .findings import Audit, Cause, Correction, Finding, Reconstruction

__all__ = ["Audit", "Cause", "Correction", "Finding", "Reconstruction", "audit"]
