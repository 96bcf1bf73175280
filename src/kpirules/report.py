"""Results to text: a terminal table (rich, Chinese aligned), JSON, CSV and Markdown.

A single unit is shown indicator by indicator; a batch (``--values units.csv``) one unit per row.
JSON numbers are written exactly as their decimals (``93.74``, never ``93.73999``).
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from .errors import KpiRulesError
from .explain import number, percent
from .result import Result

FORMATS = ("table", "json", "csv", "markdown")

_HEAD = {
    "zh": {
        "id": "编号",
        "name": "指标",
        "weight": "分值",
        "score": "得分",
        "rate": "得分率",
        "total": "合计",
        "grade": "等级",
        "unit": "单位",
        "error": "错误",
        "failed": "未能评分",
        "explain": "说明",
    },
    "en": {
        "id": "id",
        "name": "indicator",
        "weight": "weight",
        "score": "score",
        "rate": "rate",
        "total": "total",
        "grade": "grade",
        "unit": "unit",
        "error": "error",
        "failed": "could not be scored",
        "explain": "explanation",
    },
}

Outcome = Result | KpiRulesError


# ---- JSON -----------------------------------------------------------------------------------
def _json(value: Any) -> str:
    """Exact JSON: Decimals become number literals with their own digits."""
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, dict):
        return "{" + ", ".join(f"{json.dumps(str(k), ensure_ascii=False)}: {_json(v)}" for k, v in value.items()) + "}"
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_json(v) for v in value) + "]"
    return json.dumps(value, ensure_ascii=False)


def error_dict(error: KpiRulesError) -> dict[str, Any]:
    problems = []
    for p in error.problems:
        entry: dict[str, Any] = {"message": p.message}
        if p.location is not None:
            entry.update(file=p.location.file, line=p.location.line, column=p.location.column)
        if p.hint:
            entry["hint"] = p.hint
        problems.append(entry)
    out: dict[str, Any] = {}
    unit = getattr(error, "unit", None)
    if unit is not None:
        out["unit"] = unit
    out["problems"] = problems
    return out


def to_json(outcomes: Sequence[Outcome], *, batch: bool, explain: bool, lang: str) -> str:
    def result_dict(result: Result) -> dict[str, Any]:
        data = result.to_dict()
        if explain:
            data["explanation"] = result.explain(lang)
        return data

    if not batch:
        (only,) = outcomes
        data = result_dict(only) if isinstance(only, Result) else {"error": error_dict(only)}
        return _json(data) + "\n"
    results = [result_dict(o) for o in outcomes if isinstance(o, Result)]
    errors = [error_dict(o) for o in outcomes if not isinstance(o, Result)]
    return _json({"results": results, "errors": errors}) + "\n"


# ---- CSV ------------------------------------------------------------------------------------
def to_csv(outcomes: Sequence[Outcome], *, batch: bool, explain: bool, lang: str) -> str:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    results = [o for o in outcomes if isinstance(o, Result)]
    if not batch:
        (result,) = results
        writer.writerow(["id", "name", "weight", "score", "rate", "grade"] + (["explanation"] if explain else []))
        for item in result:
            row = [item.id, item.name, number(item.weight), str(item.score), str(item.rate), ""]
            writer.writerow(row + ([item.explain(lang)] if explain else []))
        total_weight = sum((i.weight for i in result if not i.indicator.bonus), Decimal(0))
        writer.writerow(
            ["total", _HEAD[lang]["total"], number(total_weight), str(result.total), "", result.grade or ""]
        )
        return buf.getvalue()
    ruleset = outcomes_ruleset(outcomes)
    ids = [ind.id for ind in ruleset.indicators] if ruleset is not None else []
    writer.writerow(["unit", *ids, "total", "grade", "error"])
    for outcome in outcomes:
        if isinstance(outcome, Result):
            writer.writerow(
                [outcome.unit or "", *(str(s) for s in outcome.scores), str(outcome.total), outcome.grade or "", ""]
            )
        else:
            message = "; ".join(p.message for p in outcome.problems)
            writer.writerow([getattr(outcome, "unit", "") or "", *([""] * len(ids)), "", "", message])
    return buf.getvalue()


def outcomes_ruleset(outcomes: Sequence[Outcome]) -> Any:
    for outcome in outcomes:
        if isinstance(outcome, Result):
            return outcome.ruleset
    return None


# ---- Markdown -------------------------------------------------------------------------------
def _md(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def to_markdown(outcomes: Sequence[Outcome], *, batch: bool, explain: bool, lang: str) -> str:
    h = _HEAD[lang]
    lines: list[str] = []
    results = [o for o in outcomes if isinstance(o, Result)]
    if not batch:
        (result,) = results
        lines.append(f"| {h['name']} | {h['weight']} | {h['score']} | {h['rate']} |")
        lines.append("| --- | ---: | ---: | ---: |")
        for item in result:
            lines.append(f"| {_md(item.name)} | {number(item.weight)} | {item.score} | {percent(item.rate)} |")
        lines.append(f"| **{h['total']}** | | **{result.total}** | {h['grade']}: **{result.grade or '—'}** |")
        if explain:
            lines += ["", f"## {h['explain']}", "", "```text", result.explain(lang).rstrip(), "```"]
        return "\n".join(lines) + "\n"
    ruleset = outcomes_ruleset(outcomes)
    ids = [ind.id for ind in ruleset.indicators] if ruleset is not None else []
    lines.append("| " + " | ".join([h["unit"], *ids, h["total"], h["grade"]]) + " |")
    lines.append("| --- |" + " ---: |" * (len(ids) + 1) + " --- |")
    for result in results:
        lines.append(
            "| "
            + " | ".join(
                [_md(result.unit or ""), *(str(s) for s in result.scores), str(result.total), result.grade or ""]
            )
            + " |"
        )
    failed = [o for o in outcomes if not isinstance(o, Result)]
    if failed:
        lines += ["", f"**{h['failed']}**", ""]
        for error in failed:
            lines.append(f"- {_md(str(getattr(error, 'unit', '') or ''))}: {_md(error.problems[0].message)}")
    if explain:
        lines += (
            ["", f"## {h['explain']}", "", "```text"] + [r.explain(lang).rstrip() + "\n" for r in results] + ["```"]
        )
    return "\n".join(lines) + "\n"


# ---- terminal table -------------------------------------------------------------------------
def to_table(
    outcomes: Sequence[Outcome], *, batch: bool, explain: bool, lang: str, width: int | None = None, color: bool = False
) -> str:
    from rich import box
    from rich.console import Console
    from rich.table import Table

    h = _HEAD[lang]
    buf = io.StringIO()
    console = Console(
        file=buf, width=width or 100, force_terminal=color, no_color=not color, highlight=False, emoji=False
    )
    results = [o for o in outcomes if isinstance(o, Result)]
    if not batch:
        (result,) = results
        ruleset = result.ruleset
        table = Table(title=ruleset.title or ruleset.id, box=box.SIMPLE_HEAD, show_footer=True)
        table.add_column(h["name"], footer=h["total"], overflow="fold")
        total_weight = sum((ind.weight for ind in ruleset.indicators if not ind.bonus), Decimal(0))
        table.add_column(h["weight"], justify="right", footer=number(total_weight))
        table.add_column(h["score"], justify="right", footer=str(result.total))
        table.add_column(h["rate"], justify="right", footer=f"{h['grade']} {result.grade or '—'}")
        for item in result:
            table.add_row(item.name, number(item.weight), str(item.score), percent(item.rate))
        console.print(table)
        if explain:
            console.print(result.explain(lang), markup=False)
        return buf.getvalue()
    ruleset = outcomes_ruleset(outcomes)
    table = Table(box=box.SIMPLE_HEAD, title=(ruleset.title or ruleset.id) if ruleset is not None else None)
    table.add_column(h["unit"], overflow="fold")
    if ruleset is not None:
        for ind in ruleset.indicators:
            table.add_column(ind.id, justify="right")
    table.add_column(h["total"], justify="right")
    table.add_column(h["grade"])
    for result in results:
        table.add_row(result.unit or "", *(str(s) for s in result.scores), str(result.total), result.grade or "")
    if results:
        console.print(table)
    if explain:
        for result in results:
            console.print(result.explain(lang), markup=False)
    return buf.getvalue()


def render(
    outcomes: Sequence[Outcome],
    fmt: str,
    *,
    batch: bool,
    explain: bool = False,
    lang: str = "zh",
    width: int | None = None,
    color: bool = False,
) -> str:
    if fmt == "json":
        return to_json(outcomes, batch=batch, explain=explain, lang=lang)
    if fmt == "csv":
        return to_csv(outcomes, batch=batch, explain=explain, lang=lang)
    if fmt == "markdown":
        return to_markdown(outcomes, batch=batch, explain=explain, lang=lang)
    return to_table(outcomes, batch=batch, explain=explain, lang=lang, width=width, color=color)
