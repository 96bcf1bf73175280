"""A failed case in words, as ``kpirules test`` and the pytest plugin print it: each expectation
it missed, with the explanation of the indicator whose score differs."""

from __future__ import annotations

from .run import CaseOutcome
from .words import M


def failure_lines(outcome: CaseOutcome) -> list[str]:
    """``FAILED file:line:col name``, then a line per mismatch (and explanations), in the current
    language."""
    lines = [M("failed_head", where=str(outcome.case.location), name=outcome.case.name)]
    result = outcome.result
    for m in outcome.mismatches:
        if m.what == "score":
            lines.append(M("score_line", id=m.indicator, expected=m.expected, got=m.got))
            if result is not None and m.indicator is not None:
                lines += ["    " + line for line in result[m.indicator].explain().rstrip("\n").split("\n")]
        elif m.what == "total":
            lines.append(M("total_line", expected=m.expected, got=m.got))
        elif m.what == "grade":
            lines.append(M("grade_line", expected=m.expected, got=m.got))
        elif m.what == "error":
            lines.append(M("error_line", expected=m.expected, got=m.got))
        else:
            lines.append(M("failed_line", got=m.got))
    if result is not None and any(m.what in ("total", "grade") for m in outcome.mismatches):
        lines.append(M("scores", scores=", ".join(f"{item.id} {item.score}" for item in result)))
    return lines
