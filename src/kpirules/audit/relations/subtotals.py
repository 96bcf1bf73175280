"""The relations of a subtotal row: its weight against its rows' weights (``subtotal-weight``), its
score against its printed rows (``subtotal-vs-sum``) and against the rules (``subtotal-vs-rule``),
its score against weight × rate (``subtotal-vs-rate``); what a subtotal needs corrected when its
rows add up to a given score, and the likely cause; the findings about subtotal rows.

A subtotal's checks, corrections and findings follow a row's (:mod:`.rows`), through the same
:class:`~.base.Collector`; a sum's causes are shared with the total (:mod:`.sums`)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from decimal import Decimal
from typing import Any

import attrs

from ...hierarchy import subtotal_name
from ..findings import Cause, Correction, Finding, Reconstruction
from ..printed import ZERO, C, Slip, as_percent, exact_rate, scale_slip
from ..table import Arithmetic, SubtotalIn
from .base import Audited, Collector, Relation
from .sums import SumCauses

#: The kind of a finding about a subtotal's figure no broken relation names, by field.
KIND_OF_FIELD = {
    "subtotal_weight": "subtotal-weight",
    "subtotal_rate": "subtotal-vs-rate",
    "subtotal": "subtotal-vs-sum",
}
#: The field of a reported subtotal that holds each figure.
_FIELD = {"subtotal": "score", "subtotal_weight": "weight", "subtotal_rate": "rate"}


def subtotals_in(a: Audited, at: dict[str, int]) -> tuple[SubtotalIn, ...]:
    """The subtotal rows as the search sees them; ``at`` gives each row's index in the table."""
    return tuple(
        SubtotalIn(
            name(a, k),
            tuple(at[iid] for iid in sub.indicators),
            weight(a, k),
            sub.weight,
            sub.score,
            sub.rate,
        )
        for k, sub in enumerate(a.table.subtotals)
    )


def weight(a: Audited, k: int) -> Decimal:
    """The weight subtotal ``k`` should print: the sum of its indicators' weights."""
    return sum((a.row(iid).weight for iid in a.table.subtotals[k].indicators), ZERO)


def sums(a: Audited, k: int) -> tuple[Decimal | None, Decimal | None]:
    """Subtotal ``k``'s rows added up: (as printed, as recomputed). A row the table does not
    print counts at its recomputed score; None where some row has no score."""
    printed: Decimal | None = ZERO
    recomputed: Decimal | None = ZERO
    for iid in a.table.subtotals[k].indicators:
        fixed = a.fixed(iid)
        row = a.rows.get(iid)
        shown = a.shown(row.score) if row is not None and row.score is not None else fixed if row is None else None
        printed = None if printed is None or shown is None else printed + shown
        recomputed = None if recomputed is None or fixed is None else recomputed + fixed
    return printed, recomputed


def name(a: Audited, k: int) -> str:
    """How a subtotal row is shown: its label, and for a bare "小计" the rows it adds up."""
    sub = a.table.subtotals[k]
    if sub.group is not None or subtotal_name(sub.label) != "":
        return sub.label
    names = [a.row(iid).name for iid in sub.indicators]
    return f"{sub.label}（{'、'.join(names) if len(names) <= 3 else f'{names[0]}…{names[-1]}'}）"


# ---- checks -----------------------------------------------------------------------------------
def checks(a: Audited) -> list[Relation]:
    """Every relation a subtotal row breaks, subtotals in table order."""
    out: list[Relation] = []
    for k, sub in enumerate(a.table.subtotals):
        should = weight(a, k)
        printed_sum, recomputed = sums(a, k)
        if sub.weight is not None and sub.weight != should:
            out.append(Relation("subtotal-weight", ("subtotal_weight",), subtotal=k))
        if sub.score is None:
            continue
        if printed_sum is not None and not a.arith.same_score(sub.score, printed_sum):
            out.append(Relation("subtotal-vs-sum", ("subtotal",), subtotal=k))
        if recomputed is not None and not a.arith.same_score(sub.score, recomputed):
            out.append(Relation("subtotal-vs-rule", ("subtotal",), subtotal=k))
        used = sub.weight if sub.weight is not None else should
        if sub.rate is not None and used and not a.arith.rate_fits(sub.score, used, sub.rate):
            # a printed weight that differs from the ruleset's takes part in the arithmetic too
            wrong = ("subtotal_weight",) if sub.weight is not None and sub.weight != should else ()
            facts = {"product": C.multiply(used, sub.rate)}
            out.append(Relation("subtotal-vs-rate", ("subtotal_rate", "subtotal", *wrong), facts, subtotal=k))
    return out


# ---- findings ---------------------------------------------------------------------------------
def facts(a: Audited, k: int, recon: Reconstruction) -> dict[str, Any]:
    """What the messages about subtotal ``k`` cite."""
    sub = a.table.subtotals[k]
    printed_sum, recomputed = sums(a, k)
    consistent = recon.subtotals.get(k)
    return {
        "label": sub.label,
        "members": [a.row(iid).name for iid in sub.indicators],
        "group": list(sub.group) if sub.group is not None else None,
        "weight": weight(a, k),
        "printed_weight": sub.weight,
        "score": sub.score,
        "rate": sub.rate,
        "printed_sum": printed_sum,
        "recomputed_sum": recomputed,
        "consistent": consistent,
        "rate_fits_consistent": sub.rate is not None
        and consistent is not None
        and a.arith.rate_fits(consistent, weight(a, k), sub.rate),
    }


def finding(a: Audited, recon: Reconstruction, rel: Relation, field: str, kept: bool = False) -> Finding:
    """The finding about ``field`` of the subtotal row of ``rel``."""
    k = rel.subtotal
    assert k is not None
    sub = a.table.subtotals[k]
    printed: Any = getattr(sub, _FIELD[field])
    correction = recon.changes(None, field, k)
    expected, cause = (correction.corrected, correction.cause) if correction is not None else (printed, None)
    location = sub.locations.get(_FIELD[field])
    return Finding(
        rel.kind,
        "error",
        None,
        field,
        printed,
        expected,
        cause,
        name=name(a, k),
        location=location or sub.locations.get("row"),
        facts={**facts(a, k, recon), **rel.facts},
        subtotal=k,
    )


def confirm(a: Audited, collected: Collector) -> Callable[[Relation], bool]:
    """A broken subtotal relation whose subtotal the reconstruction keeps: a row of it is wrong,
    and the row's finding says the subtotal agrees with the corrected rows."""

    def attach(rel: Relation) -> bool:
        assert rel.subtotal is not None
        members = set(a.table.subtotals[rel.subtotal].indicators)
        recon = collected.recon
        for at, f in enumerate(collected.findings):
            if f.indicator in members and f.field == "score" and recon.changes(f.indicator, "score") is not None:
                if rel.kind not in f.also:
                    confirms = {
                        "subtotal_label": name(a, rel.subtotal),
                        "subtotal_printed": a.table.subtotals[rel.subtotal].score,
                    }
                    collected.findings[at] = attrs.evolve(f, also=(*f.also, rel.kind), facts={**f.facts, **confirms})
                return True
        return False

    return attach


def kind_of(c: Correction) -> str:
    return KIND_OF_FIELD.get(c.field, "subtotal-vs-sum")


# ---- causes and corrections -------------------------------------------------------------------
def cause(sums: SumCauses, sub: SubtotalIn, printed: Decimal, corrected: Decimal) -> Cause:
    """Why a subtotal prints ``printed`` where its rows add up to ``corrected``."""
    assumed = sums.assumed(sub.members)
    if sums.total_of(sub.members) == printed:
        return Cause("follows-rows", value=printed, assumed=assumed)
    if printed in (sub.printed_weight, sub.weight):
        return Cause("weight-sum", value=printed)
    omitted = sums.omitted_or_twice(sub.members, corrected, printed, assumed)
    if omitted is not None:
        return omitted
    ignored = sums.deduction_ignored(sub.members, printed, corrected)
    if ignored is not None:
        return ignored
    return sums.slip(printed, corrected)


def corrections(k: int, sub: SubtotalIn, score: Decimal, arith: Arithmetic, sums: SumCauses) -> Sequence[Correction]:
    """The corrections subtotal row ``k`` needs when its rows add up to ``score``."""
    out: list[Correction] = []
    if sub.printed_weight is not None and sub.printed_weight != sub.weight:
        why = sums.slip(sub.printed_weight, sub.weight)
        out.append(
            Correction("subtotal_weight", sub.printed_weight, sub.weight, None, why, subtotal=k, label=sub.label)
        )
    if sub.score is not None and not arith.same_score(sub.score, score):
        why = cause(sums, sub, sub.score, score)
        out.append(Correction("subtotal", sub.score, score, None, why, subtotal=k, label=sub.label))
    if sub.rate is not None and sub.weight and not arith.rate_fits(score, sub.weight, sub.rate):
        rate = exact_rate(C.divide(score, sub.weight))
        shown, meant = as_percent(sub.rate), as_percent(rate)
        factor = scale_slip(shown, meant, (2, -2, 1, -1))
        weights = {sub.weight} if sub.printed_weight is None else {sub.weight, sub.printed_weight}
        if (
            sub.score is not None
            and sub.score != score
            and any(arith.rate_fits(sub.score, w, sub.rate) for w in weights)
        ):
            why = Cause("rate-follows-score", value=sub.score)
        else:
            why = Cause("scale", slip=Slip("scale", factor=factor)) if factor else sums.slip(shown, meant)
        out.append(Correction("subtotal_rate", sub.rate, rate, None, why, subtotal=k, label=sub.label))
    return out
