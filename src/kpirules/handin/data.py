"""The figures of the report, gathered from what kpirules already computed: the results
(:meth:`Ruleset.evaluate <kpirules.Ruleset.evaluate>`, one per unit, as ``kpirules score`` makes
them), their subtotals (:func:`kpirules.report.subtotals`), explanations (``explain(lang)``), the
linter's findings and the audit. Nothing is scored again here: every score, subtotal and total
shown is the one the result holds, with its own digits, so the page says what ``kpirules score
--format json`` says. What is added is arithmetic across units (a share of weight earned, a
median), exact, in :data:`kpirules.exact.CONTEXT`.

The rows of the 绩效自评表 follow :mod:`kpirules.xlsxout`'s sheet of the same name (the seed
report's table 1): 一级指标 (the group with its weight) and 二级指标 spanning their rows, 三级指标,
分值, 评分标准, 实际完成值 (the values the indicator read), 得分, 扣分原因 (the steps of the
explanation, for an indicator that lost points), a subtotal row after each group, then the total.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING, Any

import attrs

from ..errors import KpiRulesError
from ..errors import M as ERRORS
from ..exact import CONTEXT
from ..explain import value_text
from ..report import grouped_blocks, groups, subtotals
from ..result import Result
from ..textfmt import number, percent
from ..xlsxout import M as FORM
from ..xlsxout import deduction_reason
from .words import M as WORDS

if TYPE_CHECKING:
    from ..audit import Audit
    from ..errors import KpiRulesError
    from ..linter import Diagnostic
    from ..report import Outcome
    from ..ruleset import Ruleset

_SHARE_QUANTUM = Decimal("0.0001")


@attrs.frozen
class FormRow:
    """A row of the 绩效自评表. ``kind`` is ``indicator``, ``subtotal`` or ``total``; a span of 0
    means the cell is covered by the one above it (an HTML ``rowspan``)."""

    kind: str
    level1: str = ""
    level1_span: int = 1
    level2: str = ""
    level2_span: int = 1
    name: str = ""
    weight: str = ""
    standard: str = ""
    actual: tuple[str, ...] = ()
    score: str = ""
    reason: str = ""
    indicator: str | None = None
    lost: bool = False


@attrs.frozen
class Item:
    """One indicator of one unit: its figures (exact) and its explanation."""

    id: str
    name: str
    weight: Decimal
    score: Decimal
    lost: Decimal
    explanation: str


@attrs.frozen
class UnitPage:
    """What the report shows of one scored unit."""

    unit: str | None
    anchor: str
    total: Decimal
    grade: str | None
    weight_sum: Decimal
    rows: tuple[FormRow, ...]
    items: tuple[Item, ...]
    subtotals: tuple[tuple[str, Decimal], ...]  # (group, score)
    depth: int  # the levels of ``path`` the table shows as columns of their own (0, 1 or 2)


@attrs.frozen
class Failed:
    """A unit that could not be scored, with its problems in words."""

    unit: str
    problems: tuple[tuple[str, str | None], ...]  # (where: what, the hint)


@attrs.frozen
class Share:
    """How much of one indicator's weight the scored units earned together."""

    id: str
    name: str
    weight: Decimal
    units: int
    score_sum: Decimal
    weight_sum: Decimal
    share: Decimal | None  # to four decimals; None when the weights add up to 0
    lost: Decimal


@attrs.frozen
class Ranked:
    rank: int
    page: UnitPage


@attrs.frozen
class Summary:
    """The figures across units of a batch."""

    units: int
    scored: int
    failed: tuple[Failed, ...]
    highest: Decimal | None
    lowest: Decimal | None
    median: Decimal | None
    ranking: tuple[Ranked, ...]
    grades: tuple[tuple[str, int], ...]  # (label, units), best first; "" for units without a grade
    shares: tuple[Share, ...]  # most of the weight lost first
    groups: tuple[str, ...]


@attrs.frozen
class LintLine:
    code: str
    severity: str
    where: str
    message: str
    help: str | None


@attrs.frozen
class AuditRow:
    """One indicator's published figures beside the consistent reconstruction and the rules."""

    id: str
    name: str
    weight: str
    score: str
    rate: str
    consistent_score: str
    consistent_rate: str
    recomputed: str
    changed: tuple[str, ...]  # the fields the reconstruction corrects: "score", "rate", "weight"


@attrs.frozen
class AuditPage:
    findings: tuple[dict[str, Any], ...]
    rows: tuple[AuditRow, ...]
    reported_total: str
    reported_grade: str
    consistent_total: str
    consistent_grade: str
    recomputed_total: str
    reconstruction: str
    summary: str
    columns: dict[str, str]


# ---- one unit --------------------------------------------------------------------------------
def unit_page(ruleset: Ruleset, result: Result, lang: str, anchor: str = "unit") -> UnitPage:
    """The page of one scored unit: its 绩效自评表, its items sorted as the ruleset lists them."""
    if result.total is None:  # a row the table does not show has no score: no total to report
        unknown = ", ".join(f"`{row.id}`" for row in result.unknown)
        raise KpiRulesError(WORDS("no_total", rows=unknown), hint=WORDS("no_total_hint"))
    words = FORM.templates(lang)
    found = groups(ruleset)
    parts = {t.group: t for t in subtotals(ruleset, result, found)}
    env = result.values
    depth = min(max((len(ind.path) for ind in ruleset.indicators), default=0), 2)
    items: list[Item] = []
    rows: list[FormRow] = []
    explanations = {}
    for item in result:
        text = item.explain(lang)
        explanations[item.id] = text
        lost = CONTEXT.subtract(item.weight, item.score)
        items.append(Item(item.id, item.name, item.weight, item.score, max(lost, Decimal(0)), text))
    # the blocks of the table: each group's indicators (then its subtotal), then those with no path
    blocks = grouped_blocks(ruleset, found)
    for group, members in blocks:
        level1 = words["group_head"].format(group=group.name, weight=number(parts[group.name].weight)) if group else ""
        run_start = -1
        for k, index in enumerate(members):
            ind = ruleset.indicators[index]
            item = result[ind.id]
            level2 = ind.path[1] if len(ind.path) > 1 else ""
            level2_span = 1
            if run_start >= 0 and rows[run_start].level2 == level2 and group is not None:
                level2_span = 0
                previous = rows[run_start]
                rows[run_start] = attrs.evolve(previous, level2_span=previous.level2_span + 1)
            else:
                run_start = len(rows)
            actual = tuple(
                f"{ruleset.measures[m].display} {value_text(env[m], ruleset.measures[m], lang)}"
                for m in ruleset.inputs_of(ind.id)
                if m in env
            )
            short = item.score < item.weight
            rows.append(
                FormRow(
                    "indicator",
                    level1=level1,
                    level1_span=(len(members) if k == 0 else 0) if group is not None else 1,
                    level2=level2,
                    level2_span=level2_span,
                    name=" / ".join([*ind.path[2:], ind.name]) if depth >= 2 else ind.name,
                    weight=number(ind.weight),
                    standard=ind.standard or "",
                    actual=actual,
                    score=str(item.score),
                    reason=deduction_reason(explanations[ind.id], lang) if short else "",
                    indicator=ind.id,
                    lost=short,
                )
            )
        if group is not None:
            t = parts[group.name]
            rows.append(
                FormRow(
                    "subtotal",
                    level1=words["subtotal"].format(group=group.name),
                    weight=number(t.weight),
                    score=t.score_text(lang),
                )
            )
    grade = words["grade_text"].format(grade=result.grade or "—")
    rows.append(
        FormRow(
            "total", level1=words["total_row"], weight=number(ruleset.weight_sum), score=str(result.total), reason=grade
        )
    )
    return UnitPage(
        result.unit,
        anchor,
        result.total,
        result.grade,
        ruleset.weight_sum,
        tuple(rows),
        tuple(items),
        tuple((t.group, t.score) for t in parts.values() if t.score is not None),
        depth,
    )


# ---- many units ------------------------------------------------------------------------------
def _problems(error: KpiRulesError, lang: str) -> tuple[tuple[str, str | None], ...]:
    """Each problem as ``where: what``, with its hint (``提示：…``)."""
    return tuple(
        (
            f"{p.location}: {p.message}" if p.location else p.message,
            ERRORS.say(lang, "hint", hint=p.hint) if p.hint else None,
        )
        for p in error.problems
    )


def _median(values: Sequence[Decimal]) -> Decimal | None:
    if not values:
        return None
    ordered = sorted(values)
    middle = len(ordered) // 2
    if len(ordered) % 2:
        return ordered[middle]
    return CONTEXT.divide(CONTEXT.add(ordered[middle - 1], ordered[middle]), Decimal(2))


def shares(ruleset: Ruleset, results: Sequence[Result]) -> list[Share]:
    """Each indicator's share of its weight earned by ``results`` together, exact, most lost first
    (ties in the ruleset's order)."""
    out = []
    n = len(results)
    for index, ind in enumerate(ruleset.indicators):
        score_sum = Decimal(0)
        for result in results:
            score_sum = CONTEXT.add(score_sum, result.scores[index])
        weight_sum = CONTEXT.multiply(ind.weight, Decimal(n))
        share = None
        if weight_sum:
            share = CONTEXT.divide(score_sum, weight_sum).quantize(
                _SHARE_QUANTUM, rounding=ROUND_HALF_UP, context=CONTEXT
            )
        lost = CONTEXT.subtract(weight_sum, score_sum)
        out.append(Share(ind.id, ind.name, ind.weight, n, score_sum, weight_sum, share, lost))
    return sorted(out, key=lambda s: Decimal(2) if s.share is None else s.share)


def summary(ruleset: Ruleset, outcomes: Sequence[Outcome], pages: Sequence[UnitPage], lang: str) -> Summary:
    """The figures across the units of a batch; ``pages`` are the scored units' pages, in order."""
    results = [o for o in outcomes if isinstance(o, Result)]
    failed = tuple(
        Failed(str(getattr(o, "unit", None) or ""), _problems(o, lang)) for o in outcomes if not isinstance(o, Result)
    )
    totals = [r.total for r in results if r.total is not None]
    order = sorted(range(len(pages)), key=lambda k: pages[k].total, reverse=True)  # stable: file order in ties
    ranking: list[Ranked] = []
    for position, k in enumerate(order):
        page = pages[k]
        rank = position + 1
        if position and ranking[-1].page.total == page.total:
            rank = ranking[-1].rank
        ranking.append(Ranked(rank, page))
    counts = {label: 0 for label, _ in ruleset.grades}
    ungraded = 0
    for result in results:
        if result.grade is None:
            ungraded += 1
        else:
            counts[result.grade] = counts.get(result.grade, 0) + 1
    grades = list(counts.items()) + ([("", ungraded)] if ungraded else [])
    return Summary(
        len(outcomes),
        len(results),
        failed,
        max(totals) if totals else None,
        min(totals) if totals else None,
        _median(totals),
        tuple(ranking),
        tuple(grades),
        tuple(shares(ruleset, results)),
        tuple(g.name for g in groups(ruleset)),
    )


def share_text(share: Decimal | None) -> str:
    return "—" if share is None else percent(share)


# ---- lint and audit ---------------------------------------------------------------------------
def lint_lines(diagnostics: Sequence[Diagnostic]) -> list[LintLine]:
    return [LintLine(d.code, d.severity, f"{d.file}:{d.line}:{d.column}", d.message, d.help) for d in diagnostics]


def audit_page(ruleset: Ruleset, audit: Audit, lang: str) -> AuditPage:
    """The audit's findings (as ``kpirules audit --format json`` gives them) and, row by row, the
    published figures beside the consistent reconstruction and the scores the rules give."""
    from ..audit.messages import field_name, say, speak, value_text

    data = audit.to_dict(lang)
    findings = []
    for f, found in zip(audit, data["findings"], strict=True):
        if f.kind in ("figure-vs-value", "figures-disagree", "figure-unchecked"):
            who, field = f.name or f.measure or "", field_name("figure", lang)
        else:
            who, field = f.name or f.indicator or "", field_name(f.field, lang) if f.field else ""
        findings.append({**found, "what": f"{who} {field}".strip()})
    recon = audit.reconstruction
    rows = []
    for row in audit.reported.rows:
        fixed = {c.field: c for c in recon.corrections if c.indicator == row.indicator and c.in_table}
        try:
            name = row.name or ruleset.indicator(row.indicator).name
        except KeyError:
            name = row.indicator

        def shown(field: str, value: Any, *, printed: bool) -> str:
            return "" if value is None else value_text(field, value, printed=printed, lang=lang)

        score = fixed["score"].corrected if "score" in fixed else row.score
        rate = fixed["rate"].corrected if "rate" in fixed else row.rate
        recomputed = audit.recomputed.get(row.indicator)
        rows.append(
            AuditRow(
                row.indicator,
                name,
                shown("weight", row.weight, printed=True),
                shown("score", row.score, printed=True),
                shown("rate", row.rate, printed=True),
                shown("score", score, printed="score" not in fixed),
                shown("rate", rate, printed="rate" not in fixed),
                "" if recomputed is None else str(recomputed),
                tuple(sorted(fixed)),
            )
        )
    table = audit.reported
    columns = {
        key: speak(say(f"render.column.{key}"), lang)
        for key in ("no", "severity", "what", "reported", "expected", "kind", "cause")
    }
    return AuditPage(
        tuple(findings),
        tuple(rows),
        "" if table.total is None else str(table.total),
        table.grade or "",
        "" if recon.total is None else str(recon.total),
        recon.grade or "",
        "" if audit.recomputed_total is None else str(audit.recomputed_total),
        recon.summary(ruleset, lang),
        audit.explain(lang).rstrip("\n").rsplit("\n", 1)[-1],
        columns,
    )
