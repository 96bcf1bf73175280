"""Audits to text: plain text, a terminal table (rich, Chinese aligned), JSON and Markdown.

JSON numbers are written exactly as their decimals (``4.47``, ``0.4774``), never through binary
floats; rates are fractions, as everywhere in kpirules.
"""

from __future__ import annotations

import io
import json
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from ..textfmt import exact_json
from .findings import Correction, Finding
from .messages import FIELD_NAMES, SEVERITY_NAMES, value_text
from .printed import printable

if TYPE_CHECKING:
    from .findings import Audit, Finding

FORMATS = ("table", "json", "markdown")

_TEXT = {
    "zh": {
        "title": "审计",
        "source": "所报表格",
        "values": "测量值",
        "values_from": {
            "ruleset": "评分标准文件的 [values]",
            "given": "给定的数值",
            "figures": "报告印出的数字",
            "none": "无",
        },
        "no": "序号",
        "severity": "级别",
        "what": "项目",
        "reported": "所报",
        "expected": "应为",
        "kind": "检查",
        "cause": "可能原因",
        "details": "说明",
        "summary": "共 {e} 处错误，{w} 处警告，{n} 条提示。",
        "clean": "未发现不一致。",
    },
    "en": {
        "title": "Audit",
        "source": "reported table",
        "values": "measured values",
        "values_from": {
            "ruleset": "the ruleset's [values]",
            "given": "the values given",
            "figures": "the figures the report prints",
            "none": "none",
        },
        "no": "#",
        "severity": "level",
        "what": "figure",
        "reported": "reported",
        "expected": "expected",
        "kind": "check",
        "cause": "likely cause",
        "details": "Details",
        "summary": "{e} errors, {w} warnings, {n} notes.",
        "clean": "No inconsistency found.",
    },
}


def _what(f: Finding, lang: str) -> tuple[str, str]:
    """(who, which figure) for a finding's row in a table."""
    if f.kind in ("figure-vs-value", "figures-disagree", "figure-unchecked"):
        return (f.name or f.measure or ""), FIELD_NAMES[lang]["figure"]
    who = f.name or f.indicator or ""
    field = FIELD_NAMES[lang].get(f.field or "", "") if f.field else ""
    return who, field


def _cells(f: Finding, lang: str) -> tuple[str, str]:
    if f.field is None and f.kind not in ("figure-vs-value", "figures-disagree"):
        return "", ""
    reported = f.reported_text if f.reported is not None else "—"
    expected = f.expected_text if f.expected is not None else "—"
    return reported, expected


def _header(audit: Audit, lang: str) -> list[str]:
    t = _TEXT[lang]
    rs = audit.ruleset
    title = rs.title or rs.id
    colon = "：" if lang == "zh" else ": "
    values_from = t["values_from"]
    assert isinstance(values_from, dict)
    origin = values_from.get(audit.values_from, audit.values_from)
    sep = "；" if lang == "zh" else "; "
    return [f"{t['title']}{colon}{title}", f"{t['source']}{colon}{audit.source}{sep}{t['values']}{colon}{origin}"]


def _summary(audit: Audit, lang: str) -> str:
    t = _TEXT[lang]
    e, w, n = len(audit.errors), len(audit.warnings), len(audit.notes)
    if lang == "en":
        text = f"{e} error{'s' * (e != 1)}, {w} warning{'s' * (w != 1)}, {n} note{'s' * (n != 1)}."
    else:
        text = str(t["summary"]).format(e=e, w=w, n=n)
    if not audit.findings:
        text = str(t["clean"]) + " " + text if lang == "en" else str(t["clean"]) + text
    return text


def to_text(audit: Audit, lang: str = "zh") -> str:
    """Plain text: a numbered list of findings with their explanations, the reconstruction and a
    summary line."""
    lines = [*_header(audit, lang), ""]
    sev = SEVERITY_NAMES[lang]
    for n, f in enumerate(audit, 1):
        who, field = _what(f, lang)
        reported, expected = _cells(f, lang)
        head = f"{n}. [{sev[f.severity]}] {f.kind}"
        if who or field:
            head += f" {who} {field}".rstrip()
        if reported or expected:
            head += f": {reported} → {expected}"
        lines.append(head)
        lines.append("   " + f.explain(lang))
    if audit.findings:
        lines.append("")
    lines.append(audit.reconstruction.summary(audit.ruleset, lang))
    lines.append("")
    lines.append(_summary(audit, lang))
    return "\n".join(lines) + "\n"


def to_table(audit: Audit, lang: str = "zh", *, width: int | None = None, color: bool = False) -> str:
    """A terminal table of the findings (rich; Chinese columns aligned), the explanations, the
    reconstruction and a summary line."""
    from rich import box
    from rich.console import Console
    from rich.table import Table

    t = _TEXT[lang]
    sev = SEVERITY_NAMES[lang]
    buf = io.StringIO()
    console = Console(
        file=buf, width=width or 120, force_terminal=color, no_color=not color, highlight=False, emoji=False
    )
    for line in _header(audit, lang):
        console.print(line, markup=False)
    if audit.findings:
        table = Table(box=box.SIMPLE_HEAD)
        table.add_column(str(t["no"]), justify="right", no_wrap=True)
        table.add_column(str(t["severity"]), no_wrap=True)
        table.add_column(str(t["what"]), overflow="fold", ratio=3)
        table.add_column(str(t["reported"]), justify="right", overflow="fold", ratio=1)
        table.add_column(str(t["expected"]), justify="right", overflow="fold", ratio=1)
        table.add_column(str(t["kind"]), overflow="fold", ratio=1)
        table.add_column(str(t["cause"]), overflow="fold", ratio=2)
        for n, f in enumerate(audit, 1):
            who, field = _what(f, lang)
            reported, expected = _cells(f, lang)
            style = {"error": "red", "warning": "yellow", "info": "dim"}[f.severity] if color else None
            table.add_row(
                str(n),
                sev[f.severity],
                f"{who} {field}".strip(),
                reported,
                expected,
                f.kind,
                f.cause_text(lang),
                style=style,
            )
        console.print(table)
    text = "\n".join(line.rstrip() for line in buf.getvalue().split("\n")).rstrip("\n") + "\n"
    # The explanations and the reconstruction are plain text: the terminal width never re-wraps them.
    tail: list[str] = []
    if audit.findings:
        tail.append(f"{t['details']}:" if lang == "en" else f"{t['details']}：")
        tail += [f"{n:>3}. {f.explain(lang)}" for n, f in enumerate(audit, 1)]
        tail.append("")
    tail += [audit.reconstruction.summary(audit.ruleset, lang), "", _summary(audit, lang)]
    return text + "\n" + "\n".join(tail) + "\n"
    return "\n".join(line.rstrip() for line in buf.getvalue().split("\n"))


def _md(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def to_markdown(audit: Audit, lang: str = "zh") -> str:
    t = _TEXT[lang]
    sev = SEVERITY_NAMES[lang]
    head = _header(audit, lang)
    lines = [f"## {_md(head[0])}", "", _md(head[1]), ""]
    if audit.findings:
        heads = [t[k] for k in ("no", "severity", "what", "reported", "expected", "kind", "cause")]
        lines.append("| " + " | ".join(str(h) for h in heads) + " |")
        lines.append("| ---: | --- | --- | ---: | ---: | --- | --- |")
        for n, f in enumerate(audit, 1):
            who, field = _what(f, lang)
            reported, expected = _cells(f, lang)
            cells = [
                str(n),
                sev[f.severity],
                f"{who} {field}".strip(),
                reported,
                expected,
                f"`{f.kind}`",
                f.cause_text(lang),
            ]
            lines.append("| " + " | ".join(_md(c) for c in cells) + " |")
        lines += ["", f"**{t['details']}**", ""]
        lines += [f"{n}. {_md(f.explain(lang))}" for n, f in enumerate(audit, 1)]
        lines.append("")
    lines += ["```text", audit.reconstruction.summary(audit.ruleset, lang), "```", "", _summary(audit, lang)]
    return "\n".join(lines) + "\n"


# ---- JSON -----------------------------------------------------------------------------------
def _correction(c: Correction, lang: str, names: dict[str, str]) -> dict[str, Any]:
    from .messages import cause_text

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
        "findings": [f.to_dict(lang) for f in audit],
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
            "text": recon.summary(audit.ruleset, lang),
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
