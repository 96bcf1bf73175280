"""The relations of the table's total and grade: the total against the sum of the printed scores
(``total-vs-sum``) and against the recomputed total (``total-vs-rule``); the grade against the
band of the printed total (``grade-vs-total``) and of the recomputed one (``grade-vs-rule``); what
the total and the grade need corrected when the rows add up to a given total, and the likely
cause; the findings about them."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from ..findings import Cause, Correction, Finding, Reconstruction
from ..printed import ZERO
from ..table import TableIn, band
from .base import Audited, Relation
from .sums import SumCauses


# ---- checks -----------------------------------------------------------------------------------
def checks(a: Audited) -> list[Relation]:
    """Every relation the total and the grade break."""
    out: list[Relation] = []
    total, grade, grades = a.table.total, a.table.grade, a.rs.grades
    recomputed = a.rec.total
    printed_sum = a.printed_sum()
    if total is not None and printed_sum is not None and printed_sum != total:
        out.append(Relation("total-vs-sum", ("total",), {"sum": printed_sum}))
    if total is not None and recomputed is not None and recomputed != total:
        out.append(Relation("total-vs-rule", ("total",), {"recomputed": recomputed}))
    if grade is not None and total is not None and band(grades, total) != grade:
        out.append(Relation("grade-vs-total", ("grade", "total"), {"band": band(grades, total)}))
    if (
        grade is not None
        and recomputed is not None
        and band(grades, recomputed) != grade
        and (total is None or band(grades, total) == grade)
    ):
        out.append(Relation("grade-vs-rule", ("grade",), {"band": band(grades, recomputed)}))
    return out


# ---- findings ---------------------------------------------------------------------------------
def finding(a: Audited, recon: Reconstruction, rel: Relation, field: str, kept: bool = False) -> Finding:
    """The finding about the table's ``field`` (``total`` or ``grade``); for a sum that differs
    from a total the reconstruction keeps, about the sum (the rows are wrong)."""
    if field == "sum" or (rel.kind == "total-vs-sum" and kept):
        return _sum_finding(a, recon, rel)
    facts: dict[str, Any] = dict(rel.facts)
    reported = a.table.total if field == "total" else a.table.grade if field == "grade" else None
    correction = recon.changes(None, field)
    expected, cause = (correction.corrected, correction.cause) if correction is not None else (reported, None)
    if field == "grade":
        facts.setdefault("band", band(a.rs.grades, a.table.total) if a.table.total is not None else None)
        facts["total"] = a.table.total
        facts["consistent_total"] = recon.total
    if field == "total":
        facts.setdefault("sum", a.printed_sum())
        facts.setdefault("recomputed", a.rec.total)
        facts["assumed_rows"] = a.assumed_rows()
    return Finding(
        rel.kind, "error", None, field, reported, expected, cause, location=a.location(None, field), facts=facts
    )


def _sum_finding(a: Audited, recon: Reconstruction, rel: Relation) -> Finding:
    changed_rows = sorted(
        {c.indicator for c in recon.corrections if c.indicator is not None and c.field == "score"},
        key=lambda x: a.order.index(x) if x in a.order else len(a.order),
    )
    facts = {
        **rel.facts,
        "total": a.table.total,
        "changed_rows": [a.rs.indicator(x).name for x in changed_rows],
        "recomputed_total": a.rec.total,
        "assumed_rows": a.assumed_rows(),
    }
    return Finding(
        rel.kind,
        "error",
        None,
        "sum",
        facts.get("sum"),
        recon.total,
        Cause("rows-wrong") if changed_rows else None,
        location=a.location(None, "total"),
        facts=facts,
    )


def kind_of(a: Audited, c: Correction) -> str:
    """The kind of a finding about the total or the grade no broken relation names."""
    if c.field == "total":
        return "total-vs-rule" if a.rec.total is not None else "total-vs-sum"
    return "grade-vs-rule"


# ---- causes and corrections -------------------------------------------------------------------
def cause(sums: SumCauses, table: TableIn, printed: Decimal, corrected: Decimal) -> Cause:
    """Why the table prints the total ``printed`` where its rows add up to ``corrected``."""
    rows = table.rows
    weights = [r.printed_weight if r.printed_weight is not None else r.weight for r in rows]
    if printed in (sum(weights, ZERO), sum((r.weight for r in rows), ZERO)):
        return Cause("weight-sum", value=printed)
    everyone = range(len(rows))
    assumed = sums.assumed(everyone)
    total = sums.total_of(everyone)
    if total is not None:
        if total == printed:
            return Cause("follows-rows", value=printed, assumed=assumed)
        omitted = sums.omitted_or_twice(everyone, total, printed, assumed)
        if omitted is not None:
            return omitted
    ignored = sums.deduction_ignored(everyone, printed, corrected)
    if ignored is not None:
        return ignored
    if subtotals_sum(table) == printed:
        covered = {m for sub in table.subtotals for m in sub.members}
        return Cause("follows-subtotals", value=printed, assumed=sums.assumed(sorted(set(everyone) - covered)))
    return sums.slip(printed, corrected)


def subtotals_sum(table: TableIn) -> Decimal | None:
    """The printed subtotals (disjoint ones, in table order) plus the printed rows none of them
    covers: what a total that adds up the subtotals comes to. None without subtotals."""
    covered: set[int] = set()
    total = ZERO
    for sub in table.subtotals:
        if sub.score is None or covered & set(sub.members):
            continue
        covered |= set(sub.members)
        total += sub.score
    if not covered:
        return None
    for n, r in enumerate(table.rows):
        if n not in covered:
            score = r.score if r.score is not None else r.fixed
            if score is None:
                return None
            total += score
    return total


def corrections(table: TableIn, total: Decimal, sums: SumCauses) -> Sequence[Correction]:
    """The corrections of the printed total and grade when the rows add up to ``total``."""
    out: list[Correction] = []
    if table.total is not None and total != table.total:
        out.append(Correction("total", table.total, total, None, cause(sums, table, table.total, total)))
    grade = band(table.grades, total)
    if table.grade is not None and grade != table.grade:
        out.append(Correction("grade", table.grade, grade or "", None, Cause("band")))
    return out
