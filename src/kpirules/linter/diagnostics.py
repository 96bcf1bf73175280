"""What the linter reports: one :class:`Diagnostic` per finding, the same record for every format."""

from __future__ import annotations

from typing import Any, Literal

import attrs

Severity = Literal["error", "warning", "info"]
SEVERITIES: tuple[Severity, ...] = ("error", "warning", "info")
RANK: dict[str, int] = {"error": 3, "warning": 2, "info": 1}


@attrs.frozen
class Edit:
    """Replace the file text between two offsets (``[start, end)``, in characters) by ``text``."""

    start: int
    end: int
    text: str
    line: int
    column: int
    end_line: int
    end_column: int


@attrs.frozen
class Fix:
    """A change that removes the finding. ``safe`` fixes cannot change any score."""

    message: str
    edits: tuple[Edit, ...]
    safe: bool = True


@attrs.frozen
class Related:
    """Another place that explains a finding (the band that shadows an unreachable one)."""

    message: str
    line: int
    column: int
    end_line: int | None = None
    end_column: int | None = None


@attrs.frozen
class Diagnostic:
    """One finding.

    ``line``/``column`` are 1-based and count characters; ``end_line``/``end_column`` end the span
    (exclusive). ``offset`` is the file offset of the start (used to match suppressions).
    ``witness`` maps measure names to values that show the problem, as they could be written in
    ``[values]`` (``{"rate": "85%"}``); for a ruleset-wide finding it names the figures instead.
    """

    code: str
    name: str
    severity: Severity
    message: str
    file: str
    line: int
    column: int
    end_line: int | None = None
    end_column: int | None = None
    help: str | None = None
    witness: dict[str, str] | None = None
    indicator: str | None = None
    source_line: str | None = attrs.field(default=None, repr=False)
    offset: int = attrs.field(default=0, repr=False)
    related: tuple[Related, ...] = ()
    fix: Fix | None = None

    @property
    def end(self) -> tuple[int, int] | None:
        """``(end_line, end_column)``, or None for a point."""
        if self.end_line is None or self.end_column is None:
            return None
        return self.end_line, self.end_column

    @property
    def fixable(self) -> bool:
        return self.fix is not None

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "code": self.code,
            "name": self.name,
            "severity": self.severity,
            "message": self.message,
            "file": self.file,
            "line": self.line,
            "column": self.column,
            "end": {"line": self.end_line, "column": self.end_column} if self.end_line is not None else None,
            "help": self.help,
            "witness": self.witness,
            "indicator": self.indicator,
            "related": [attrs.asdict(r) for r in self.related],
            "fix": None,
        }
        if self.fix is not None:
            out["fix"] = {
                "message": self.fix.message,
                "applicability": "safe" if self.fix.safe else "unsafe",
                "edits": [
                    {
                        "content": e.text,
                        "location": {"line": e.line, "column": e.column},
                        "end_location": {"line": e.end_line, "column": e.end_column},
                    }
                    for e in self.fix.edits
                ],
            }
        return out

    def sort_key(self) -> tuple[str, int, int, str]:
        return (self.file, self.line, self.column, self.code)
