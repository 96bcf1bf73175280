"""Results to text: a terminal table (rich, Chinese aligned), JSON, CSV and Markdown.

A single unit is shown indicator by indicator; a batch (``--values units.csv``) one unit per row,
with the same columns whether or not any unit could be scored. JSON numbers are written exactly
as their decimals (``93.74``, never ``93.73999``).

Where indicators declare a ``path``, every output shows a subtotal (分值 and 得分) for each first
level of it (一级指标), as published tables do: a row heading its indicators for one unit, a column
after the indicators for a batch, and ``subtotals`` in JSON (:func:`subtotals`).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, NamedTuple

from .errors import KpiRulesError
from .exact import CONTEXT
from .explain import total_text
from .messages import Catalog, language
from .result import Result
from .ruleset import Ruleset
from .textfmt import exact_json, number, percent

FORMATS = ("table", "json", "csv", "markdown")

#: The headings of every output; they follow the language asked for (JSON keys and CSV column
#: ids are data, the same in every language).
M = Catalog(
    "report",
    {
        "name": ("指标", "indicator"),
        "weight": ("分值", "weight"),
        "score": ("得分", "score"),
        "rate": ("得分率", "rate"),
        "total": ("合计", "total"),
        "unknown": ("未知", "unknown"),
        "not_shown": ("{name}（表中未列出）", "{name} (not shown in the table)"),
        "grade": ("等级", "grade"),
        "unit": ("单位", "unit"),
        "failed": ("未能评分", "could not be scored"),
        "failed_count": ("未能评分：{count}", "could not be scored: {count}"),
        "explain": ("说明", "explanation"),
        "subtotal": ("{group}小计", "{group} subtotal"),
    },
)

Outcome = Result | KpiRulesError

_RATE_QUANTUM = Decimal("0.0001")


# ---- subtotals ------------------------------------------------------------------------------
class Group(NamedTuple):
    """A first level of the indicators' ``path`` (一级指标): its name and its indicators' positions."""

    name: str
    members: tuple[int, ...]
    #: The positions in ``ruleset.hidden`` of its rows the table does not show.
    hidden: tuple[int, ...] = ()


class Subtotal(NamedTuple):
    """One group's figures for one unit: 分值 (the weights of its indicators that are not bonus,
    as the table's total counts them), 得分 (the sum of its indicators' scores) and 得分率 (to
    four decimals; None when its weight is 0)."""

    group: str
    weight: Decimal
    #: None where one of its rows the table does not show has no score.
    score: Decimal | None
    rate: Decimal | None

    def score_text(self, lang: str | None = None) -> str:
        """The score as tables print it: 「未知」 ("unknown") where a row not shown has no score."""
        return str(self.score) if self.score is not None else M.say(lang or language(), "unknown")


def groups(ruleset: Ruleset) -> list[Group]:
    """The first levels of the indicators' paths, in the order they first appear; none when no
    indicator declares a path."""
    found: dict[str, list[int]] = {}
    for index, indicator in enumerate(ruleset.indicators):
        if indicator.path:
            found.setdefault(indicator.path[0], []).append(index)
    hidden: dict[str, list[int]] = {}
    for index, row in enumerate(ruleset.hidden):  # rows the table does not show count in their group
        if row.path:
            found.setdefault(row.path[0], [])
            hidden.setdefault(row.path[0], []).append(index)
    return [Group(name, tuple(members), tuple(hidden.get(name, ()))) for name, members in found.items()]


def subtotals(ruleset: Ruleset, result: Result, found: Sequence[Group] | None = None) -> list[Subtotal]:
    """Each group's :class:`Subtotal` for ``result``, exact (the scores are already rounded)."""
    out = []
    indicators = ruleset.indicators
    for group in groups(ruleset) if found is None else found:
        weight = score = Decimal(0)
        for i in group.members:
            score = CONTEXT.add(score, result.scores[i])
            if not indicators[i].bonus:
                weight = CONTEXT.add(weight, indicators[i].weight)
        known: Decimal | None = score
        for j in group.hidden:  # a row the table does not show: its weight counts, its score if known
            row, given = ruleset.hidden[j], result.hidden[j] if result.hidden else None
            if not row.bonus:
                weight = CONTEXT.add(weight, row.weight)
            known = None if known is None or given is None else CONTEXT.add(known, given)
        rate = None
        if known is None:
            out.append(Subtotal(group.name, weight, None, None))
            continue
        score = known
        if weight:
            rate = CONTEXT.divide(score, weight).quantize(_RATE_QUANTUM, rounding=ROUND_HALF_UP, context=CONTEXT)
        out.append(Subtotal(group.name, weight, score, rate))
    return out


def subtotal_dicts(ruleset: Ruleset, result: Result, found: Sequence[Group]) -> list[dict[str, Any]]:
    return [
        {"group": t.group, "weight": t.weight, "score": t.score, "rate": t.rate}
        for t in subtotals(ruleset, result, found)
    ]


def grouped_rows(ruleset: Ruleset, found: Sequence[Group]) -> list[tuple[Group | None, int | None]]:
    """The rows of a one-unit table: each group (a row of its subtotal) followed by its
    indicators, the groups in the order they first appear, then the indicators with no path.
    Without groups, the indicators in ruleset order."""
    rows: list[tuple[Group | None, int | None]] = []
    for group in found:
        rows.append((group, None))
        rows.extend((group, i) for i in group.members)
    grouped = {i for g in found for i in g.members}
    rows.extend((None, i) for i in range(len(ruleset.indicators)) if i not in grouped)
    return rows


def _unit(error: KpiRulesError) -> str:
    return str(getattr(error, "unit", None) or "")


# ---- JSON -----------------------------------------------------------------------------------
def error_dict(error: KpiRulesError) -> dict[str, Any]:
    """An error as data: the unit (in a batch) and every problem with its place and hint."""
    problems = []
    for p in error.problems:
        loc = p.location
        problem = {
            "message": p.message,
            "file": loc.file if loc else None,
            "line": loc.line if loc else None,
            "column": loc.column if loc else None,
            "hint": p.hint,
        }
        if loc is not None and loc.sheet is not None:  # a workbook's cell: its sheet and A1 name too
            problem.update(sheet=loc.sheet, cell=loc.cell)
        problems.append(problem)
    out: dict[str, Any] = {}
    if getattr(error, "unit", None) is not None:
        out["unit"] = _unit(error)
    out["problems"] = problems
    return out


def warning_dict(warning: KpiRulesError) -> dict[str, Any]:
    """A warning of the ruleset (:attr:`Ruleset.warnings`) as data: its lint code, message and place."""
    loc = warning.location
    return {
        "code": warning.code,
        "message": warning.message,
        "file": loc.file if loc else None,
        "line": loc.line if loc else None,
        "column": loc.column if loc else None,
        "hint": warning.hint,
    }


def to_json(ruleset: Ruleset, outcomes: Sequence[Outcome], *, batch: bool, explain: bool, lang: str) -> str:
    found = groups(ruleset)

    def result_dict(result: Result) -> dict[str, Any]:
        data = result.to_dict()
        if found:
            data["subtotals"] = subtotal_dicts(ruleset, result, found)
        if explain:
            data["explanation"] = result.explain(lang)
        return data

    warnings = [warning_dict(w) for w in ruleset.warnings]
    if not batch:
        (only,) = outcomes
        data = result_dict(only) if isinstance(only, Result) else {"error": error_dict(only)}
        return exact_json({**data, "warnings": warnings}) + "\n"
    return (
        exact_json(
            {
                "ruleset": ruleset.id,
                "results": [result_dict(o) for o in outcomes if isinstance(o, Result)],
                "errors": [error_dict(o) for o in outcomes if not isinstance(o, Result)],
                "warnings": warnings,
            }
        )
        + "\n"
    )


def hidden_rows(ruleset: Ruleset, result: Result, lang: str) -> list[tuple[str, str, str]]:
    """The rows the published table does not show (``visible = false``), for a unit's table of
    scores: name (so marked), weight, and score, known only where ``[overrides.ID]`` gives it
    (else ``—``). Listed, the weights a reader adds up come to the total's."""
    scores = result.hidden or (None,) * len(ruleset.hidden)
    return [
        (M.say(lang, "not_shown", name=row.name), number(row.weight), "—" if score is None else str(score))
        for row, score in zip(ruleset.hidden, scores, strict=True)
    ]


# ---- CSV ------------------------------------------------------------------------------------
def to_csv(ruleset: Ruleset, outcomes: Sequence[Outcome], *, batch: bool, explain: bool, lang: str) -> str:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    found = groups(ruleset)
    if not batch:
        (result,) = outcomes
        assert isinstance(result, Result)
        writer.writerow(["id", "name", "weight", "score", "rate", "grade"] + (["explanation"] if explain else []))
        for item in result:
            row = [item.id, item.name, number(item.weight), str(item.score), str(item.rate), ""]
            writer.writerow(row + ([item.explain(lang)] if explain else []))
        for t in subtotals(ruleset, result, found):  # one row per group, as the total's row
            row = ["subtotal", t.group, number(t.weight), t.score_text(lang), "" if t.rate is None else str(t.rate), ""]
            writer.writerow(row)
        writer.writerow(
            [
                "total",
                M.say(lang, "total"),
                number(ruleset.weight_sum),
                total_text(result, lang),
                "",
                result.grade or "",
            ]
        )
        return buf.getvalue()
    ids = [ind.id for ind in ruleset.indicators]
    writer.writerow(["unit", *ids, *(f"subtotal:{g.name}" for g in found), "total", "grade", "error"])
    for outcome in outcomes:
        if isinstance(outcome, Result):
            scores = [str(s) for s in outcome.scores]
            parts = [t.score_text(lang) for t in subtotals(ruleset, outcome, found)]
            writer.writerow([outcome.unit or "", *scores, *parts, total_text(outcome, lang), outcome.grade or "", ""])
        else:
            message = "; ".join(p.message for p in outcome.problems)
            writer.writerow([_unit(outcome), *([""] * (len(ids) + len(found))), "", "", message])
    return buf.getvalue()


# ---- Markdown -------------------------------------------------------------------------------
def _md(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def grouped_blocks(ruleset: Ruleset, found: Sequence[Group]) -> list[tuple[Group | None, list[int]]]:
    """The blocks of a 绩效自评表: each group with its indicators' positions (the rows above its
    subtotal), then, where there are any, the indicators with no path under None."""
    blocks: list[tuple[Group | None, list[int]]] = [(group, list(group.members)) for group in found]
    grouped = {i for g in found for i in g.members}
    rest = [i for i in range(len(ruleset.indicators)) if i not in grouped]
    return [*blocks, (None, rest)] if rest else blocks


def to_markdown(ruleset: Ruleset, outcomes: Sequence[Outcome], *, batch: bool, explain: bool, lang: str) -> str:
    h = M.templates(lang)
    lines: list[str] = []
    results = [o for o in outcomes if isinstance(o, Result)]
    found = groups(ruleset)
    if not batch:
        (result,) = results
        lines.append(f"| {h['name']} | {h['weight']} | {h['score']} | {h['rate']} |")
        lines.append("| --- | ---: | ---: | ---: |")
        parts = {t.group: t for t in subtotals(ruleset, result, found)}
        for group, index in grouped_rows(ruleset, found):
            if index is None:
                assert group is not None
                t = parts[group.name]
                rate = "—" if t.rate is None else percent(t.rate)
                lines.append(f"| **{_md(group.name)}** | {number(t.weight)} | **{t.score_text(lang)}** | {rate} |")
                continue
            item = result[ruleset.indicators[index].id]
            name = ("　" if group is not None else "") + _md(item.name)  # an ideographic space: no markup
            lines.append(f"| {name} | {number(item.weight)} | {item.score} | {percent(item.rate)} |")
        for name, weight, score in hidden_rows(ruleset, result, lang):
            lines.append(f"| {_md(name)} | {weight} | {score} | — |")
        grade, shown = result.grade or "—", total_text(result, lang)
        lines.append(f"| **{h['total']}** | {number(ruleset.weight_sum)} | **{shown}** | {h['grade']} **{grade}** |")
    else:
        ids = [ind.id for ind in ruleset.indicators]
        heads = [_md(h["subtotal"].format(group=g.name)) for g in found]
        lines.append("| " + " | ".join([h["unit"], *ids, *heads, h["total"], h["grade"]]) + " |")
        lines.append("| --- |" + " ---: |" * (len(ids) + len(found) + 1) + " --- |")
        for result in results:
            sums = [t.score_text(lang) for t in subtotals(ruleset, result, found)]
            cells = [_md(result.unit or ""), *(str(s) for s in result.scores), *sums, total_text(result, lang)]
            lines.append("| " + " | ".join([*cells, result.grade or ""]) + " |")
        failed = [o for o in outcomes if not isinstance(o, Result)]
        if failed:
            lines += ["", f"**{h['failed']}**", ""]
            lines += [f"- {_md(_unit(e))}: {_md(e.problems[0].message)}" for e in failed]
    if explain:
        lines += ["", f"## {h['explain']}", "", "```text"]
        lines += [r.explain(lang).rstrip() + "\n" for r in results]
        lines.append("```")
    return "\n".join(lines) + "\n"


# ---- terminal table -------------------------------------------------------------------------
def to_table(
    ruleset: Ruleset,
    outcomes: Sequence[Outcome],
    *,
    batch: bool,
    explain: bool,
    lang: str,
    width: int | None = None,
    color: bool = False,
) -> str:
    from rich import box
    from rich.console import Console
    from rich.table import Table

    h = M.templates(lang)
    buf = io.StringIO()
    console = Console(
        file=buf, width=width or 100, force_terminal=color, no_color=not color, highlight=False, emoji=False
    )
    results = [o for o in outcomes if isinstance(o, Result)]
    title = ruleset.title or ruleset.id
    found = groups(ruleset)
    if not batch:
        (result,) = results
        table = Table(title=title, box=box.SIMPLE_HEAD, show_footer=True)
        table.add_column(h["name"], footer=h["total"], overflow="fold")
        table.add_column(h["weight"], justify="right", footer=number(ruleset.weight_sum))
        table.add_column(h["score"], justify="right", footer=total_text(result, lang))
        table.add_column(h["rate"], justify="right", footer=f"{h['grade']} {result.grade or '—'}")
        parts = {t.group: t for t in subtotals(ruleset, result, found)}
        for group, index in grouped_rows(ruleset, found):
            if index is None:  # a group's row: its name and subtotal, in bold on a terminal
                assert group is not None
                t = parts[group.name]
                rate = "—" if t.rate is None else percent(t.rate)
                table.add_row(group.name, number(t.weight), t.score_text(lang), rate, style="bold")
                continue
            item = result[ruleset.indicators[index].id]
            name = ("  " if group is not None else "") + item.name
            table.add_row(name, number(item.weight), str(item.score), percent(item.rate))
        for name, weight, score in hidden_rows(ruleset, result, lang):
            table.add_row(name, weight, score, "—")
        console.print(table)
    else:
        # Indicators are numbered columns, named in a legend below: ids would not fit a terminal.
        table = Table(title=title, box=box.SIMPLE_HEAD)
        table.add_column(h["unit"], overflow="fold")
        for number_ in range(1, len(ruleset.indicators) + 1):
            table.add_column(str(number_), justify="right", no_wrap=True)
        for group in found:  # subtotals, headed by the group's name
            table.add_column(group.name, justify="right")
        table.add_column(h["total"], justify="right", no_wrap=True)
        table.add_column(h["grade"], no_wrap=True)
        for result in results:
            sums = [t.score_text(lang) for t in subtotals(ruleset, result, found)]
            scores = [str(s) for s in result.scores]
            table.add_row(result.unit or "", *scores, *sums, total_text(result, lang), result.grade or "")
        console.print(table)
        for i, ind in enumerate(ruleset.indicators, 1):
            console.print(f"  {i:>2}  {ind.name} [{ind.id}] ({number(ind.weight)})", markup=False)
        failed = [o for o in outcomes if not isinstance(o, Result)]
        if failed:
            console.print("\n" + h["failed_count"].format(count=len(failed)), markup=False)
    text = buf.getvalue()
    if explain:  # plain text, so the terminal width never re-wraps it
        text += "\n".join(r.explain(lang) for r in results)
    return text


def render(
    ruleset: Ruleset,
    outcomes: Sequence[Outcome],
    fmt: str,
    *,
    batch: bool,
    explain: bool = False,
    lang: str | None = None,
    width: int | None = None,
    color: bool = False,
) -> str:
    """``outcomes`` in ``fmt`` (one of :data:`FORMATS`), headed and explained in ``lang``, else
    the current language."""
    lang = lang or language()
    if fmt == "json":
        return to_json(ruleset, outcomes, batch=batch, explain=explain, lang=lang)
    if fmt == "csv":
        return to_csv(ruleset, outcomes, batch=batch, explain=explain, lang=lang)
    if fmt == "markdown":
        return to_markdown(ruleset, outcomes, batch=batch, explain=explain, lang=lang)
    return to_table(ruleset, outcomes, batch=batch, explain=explain, lang=lang, width=width, color=color)
