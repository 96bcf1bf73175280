"""Audits to text: plain text, a terminal table (rich, Chinese aligned), JSON and Markdown.

JSON numbers are written exactly as their decimals (``4.47``, ``0.4774``), never through binary
floats; rates are fractions, as everywhere in kpirules.
"""

from __future__ import annotations

import io
import json
from decimal import Decimal
from typing import Any

from ..textfmt import exact_json
from .findings import Audit, Correction, Finding
from .messages import (
    cause_text,
    expected_text,
    explain,
    field_name,
    finding_cause_text,
    message,
    reconstruction_text,
    reported_text,
    say,
    severity_name,
    speak,
    value_text,
)
from .printed import printable

FORMATS = ("table", "json", "markdown")
#: The headings of the columns of the table and Markdown formats.
_COLUMNS = (
    "render.column.no",
    "render.column.severity",
    "render.column.what",
    "render.column.reported",
    "render.column.expected",
    "render.column.kind",
    "render.column.cause",
)
#: Where the measured values came from (:attr:`Audit.values_from
#: <kpirules.audit.findings.Audit.values_from>`), in words.
_VALUES_FROM = {
    "ruleset": "render.values-from.ruleset",
    "given": "render.values-from.given",
    "figures": "render.values-from.figures",
    "none": "render.values-from.none",
}
#: The summary's counts: (message for one, message for any other number), by level.
_COUNTS = {
    "errors": ("render.errors.one", "render.errors"),
    "warnings": ("render.warnings.one", "render.warnings"),
    "notes": ("render.notes.one", "render.notes"),
}


def _word(key: str, lang: str, **args: Any) -> str:
    return speak(say(key, **args), lang)


def _what(f: Finding, lang: str) -> tuple[str, str]:
    """(who, which figure) for a finding's row in a table."""
    if f.kind in ("figure-vs-value", "figures-disagree", "figure-unchecked"):
        return (f.name or f.measure or ""), field_name("figure", lang)
    who = f.name or f.indicator or ""
    field = field_name(f.field, lang) if f.field else ""
    return who, field


def _cells(f: Finding, lang: str) -> tuple[str, str]:
    if f.field is None and f.kind not in ("figure-vs-value", "figures-disagree"):
        return "", ""
    reported = reported_text(f, lang) if f.reported is not None else "—"
    expected = expected_text(f, lang) if f.expected is not None else "—"
    return reported, expected


def _header(audit: Audit, lang: str) -> list[str]:
    rs = audit.ruleset
    values_from = audit.values_from
    if values_from in _VALUES_FROM:
        values_from = _word(_VALUES_FROM[values_from], lang)
    return [
        _word("render.title", lang, title=rs.title or rs.id),
        _word("render.source", lang, source=audit.source, values=values_from),
    ]


def _summary(audit: Audit, lang: str) -> str:
    counts = {
        key: say(_COUNTS[key][0] if n == 1 else _COUNTS[key][1], count=n)
        for key, n in (("errors", len(audit.errors)), ("warnings", len(audit.warnings)), ("notes", len(audit.notes)))
    }
    return _word("render.summary" if audit.findings else "render.summary.clean", lang, **counts)


def _recon(audit: Audit, lang: str) -> str:
    return reconstruction_text(audit.reconstruction, audit.ruleset, lang)


def to_text(audit: Audit, lang: str = "zh") -> str:
    """Plain text: a numbered list of findings with their explanations, the reconstruction and a
    summary line."""
    lines = [*_header(audit, lang), ""]
    for n, f in enumerate(audit, 1):
        who, field = _what(f, lang)
        reported, expected = _cells(f, lang)
        head = f"{n}. [{severity_name(f.severity, lang)}] {f.kind}"
        if who or field:
            head += f" {who} {field}".rstrip()
        if reported or expected:
            head += f": {reported} → {expected}"
        lines.append(head)
        lines.append("   " + explain(f, lang))
    if audit.findings:
        lines.append("")
    lines.append(_recon(audit, lang))
    lines.append("")
    lines.append(_summary(audit, lang))
    return "\n".join(lines) + "\n"


def to_table(audit: Audit, lang: str = "zh", *, width: int | None = None, color: bool = False) -> str:
    """A terminal table of the findings (rich; Chinese columns aligned), the explanations, the
    reconstruction and a summary line."""
    from rich import box
    from rich.console import Console
    from rich.table import Table

    buf = io.StringIO()
    console = Console(
        file=buf, width=width or 120, force_terminal=color, no_color=not color, highlight=False, emoji=False
    )
    for line in _header(audit, lang):
        console.print(line, markup=False)
    if audit.findings:
        table = Table(box=box.SIMPLE_HEAD)
        heads = [_word(c, lang) for c in _COLUMNS]
        table.add_column(heads[0], justify="right", no_wrap=True)
        table.add_column(heads[1], no_wrap=True)
        table.add_column(heads[2], overflow="fold", ratio=3)
        table.add_column(heads[3], justify="right", overflow="fold", ratio=1)
        table.add_column(heads[4], justify="right", overflow="fold", ratio=1)
        table.add_column(heads[5], overflow="fold", ratio=1)
        table.add_column(heads[6], overflow="fold", ratio=2)
        for n, f in enumerate(audit, 1):
            who, field = _what(f, lang)
            reported, expected = _cells(f, lang)
            style = {"error": "red", "warning": "yellow", "info": "dim"}[f.severity] if color else None
            table.add_row(
                str(n),
                severity_name(f.severity, lang),
                f"{who} {field}".strip(),
                reported,
                expected,
                f.kind,
                finding_cause_text(f, lang),
                style=style,
            )
        console.print(table)
    text = "\n".join(line.rstrip() for line in buf.getvalue().split("\n")).rstrip("\n") + "\n"
    # The explanations and the reconstruction are plain text: the terminal width never re-wraps them.
    tail: list[str] = []
    if audit.findings:
        tail.append(_word("render.details", lang))
        tail += [f"{n:>3}. {explain(f, lang)}" for n, f in enumerate(audit, 1)]
        tail.append("")
    tail += [_recon(audit, lang), "", _summary(audit, lang)]
    return text + "\n" + "\n".join(tail) + "\n"


def _md(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def to_markdown(audit: Audit, lang: str = "zh") -> str:
    head = _header(audit, lang)
    lines = [f"## {_md(head[0])}", "", _md(head[1]), ""]
    if audit.findings:
        heads = [_word(c, lang) for c in _COLUMNS]
        lines.append("| " + " | ".join(str(h) for h in heads) + " |")
        lines.append("| ---: | --- | --- | ---: | ---: | --- | --- |")
        for n, f in enumerate(audit, 1):
            who, field = _what(f, lang)
            reported, expected = _cells(f, lang)
            cells = [
                str(n),
                severity_name(f.severity, lang),
                f"{who} {field}".strip(),
                reported,
                expected,
                f"`{f.kind}`",
                finding_cause_text(f, lang),
            ]
            lines.append("| " + " | ".join(_md(c) for c in cells) + " |")
        lines += ["", f"**{_word('render.details.heading', lang)}**", ""]
        lines += [f"{n}. {_md(explain(f, lang))}" for n, f in enumerate(audit, 1)]
        lines.append("")
    lines += ["```text", _recon(audit, lang), "```", "", _summary(audit, lang)]
    return "\n".join(lines) + "\n"


# ---- JSON -----------------------------------------------------------------------------------
def finding_dict(f: Finding, lang: str = "zh") -> dict[str, Any]:
    """A finding as plain data; numbers stay exact ``Decimal``s."""
    out: dict[str, Any] = {
        "kind": f.kind,
        "severity": f.severity,
        "indicator": f.indicator,
        "name": f.name,
        "field": f.field,
        "subtotal": f.subtotal,
        "reported": f.reported,
        "reported_text": reported_text(f, lang) if f.reported is not None else None,
        "expected": f.expected,
        "expected_text": expected_text(f, lang) if f.expected is not None else None,
    }
    if f.measure is not None:
        out["measure"] = f.measure
        out["unit"] = f.unit
        out["expected_unit"] = f.expected_unit
    out["cause"] = f.cause.code if f.cause is not None else None
    out["cause_text"] = finding_cause_text(f, lang) or None
    out["assumed"] = [
        {"indicator": row, "score": score, "why": why}
        for row, score, why in (f.cause.assumed if f.cause is not None else ())
    ]
    out["also"] = list(f.also)
    loc = f.location
    out["location"] = (
        {"file": loc.file, "line": loc.line, "column": loc.column} if loc is not None and loc.file else None
    )
    out["message"] = message(f, lang)
    return out


def _correction(c: Correction, lang: str, names: dict[str, str]) -> dict[str, Any]:
    return {
        "indicator": c.indicator,
        "subtotal": c.subtotal,
        "label": c.label,
        "field": c.field,
        "reported": c.reported,
        "reported_text": value_text(c.field, c.reported, printed=True, lang=lang),
        "corrected": c.corrected,
        "corrected_text": value_text(c.field, c.corrected, printed=False, lang=lang),
        "cause": c.cause.code if c.cause is not None else None,
        "cause_text": cause_text(c.cause, lang, field=c.field, subtotal=c.subtotal is not None, names=names) or None,
        "in_table": c.in_table,
    }


def audit_dict(audit: Audit, lang: str = "zh") -> dict[str, Any]:
    """An audit as plain data (numbers stay ``Decimal``)."""
    recon = audit.reconstruction
    table = audit.reported
    names = {ind.id: ind.name for ind in audit.ruleset.indicators}
    return {
        "ruleset": audit.ruleset.id,
        "title": audit.ruleset.title,
        "source": audit.source,
        "values_from": audit.values_from,
        "summary": {"errors": len(audit.errors), "warnings": len(audit.warnings), "notes": len(audit.notes)},
        "reported_total": table.total,
        "reported_grade": table.grade,
        "printed_sum": audit.printed_sum,
        "recomputed_total": audit.recomputed_total,
        "recomputed": audit.recomputed,
        "findings": [finding_dict(f, lang) for f in audit],
        "reconstruction": {
            "size": recon.size,
            "keeps_total": recon.keeps_total,
            "total": recon.total,
            "grade": recon.grade,
            "proven": recon.proven,
            "determined": recon.determined,
            "scores": dict(recon.scores),
            "subtotals": [
                {
                    "label": sub.label,
                    "indicators": list(sub.indicators),
                    "reported": sub.score,
                    "consistent": recon.subtotals.get(k),
                }
                for k, sub in enumerate(table.subtotals)
            ],
            "corrections": [_correction(c, lang, names) for c in recon.corrections],
            "alternatives": [[_correction(c, lang, names) for c in alt] for alt in recon.alternatives],
            "more_alternatives": recon.more_alternatives,
            "text": _recon(audit, lang),
        },
    }


def to_json(audit: Audit, lang: str = "zh") -> str:
    return _json(audit_dict(audit, lang)) + "\n"


def _json(value: Any) -> str:
    """JSON with exact numbers: a figure with its own digits (``93.74``, ``10.00``); a number no
    table prints (a measured value of 1E+400) in exponent form, still exact, never a line of a
    billion zeros."""
    if isinstance(value, Decimal) and not printable(value):
        return str(value) if value.is_finite() else json.dumps(str(value))
    if isinstance(value, dict):
        items = (f"{json.dumps(str(k), ensure_ascii=False)}: {_json(v)}" for k, v in value.items())
        return "{" + ", ".join(items) + "}"
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_json(v) for v in value) + "]"
    return exact_json(value)


def render(audit: Audit, fmt: str, *, lang: str = "zh", width: int | None = None, color: bool = False) -> str:
    """``audit`` in ``fmt`` (one of :data:`FORMATS`)."""
    if fmt == "json":
        return to_json(audit, lang)
    if fmt == "markdown":
        return to_markdown(audit, lang)
    if fmt == "text":
        return to_text(audit, lang)
    return to_table(audit, lang, width=width, color=color)
