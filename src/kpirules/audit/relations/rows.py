"""The relations of a row: its score against the rules (``score-vs-rule``), its weight against the
ruleset (``weight-vs-ruleset``), its score within [0, weight] (``score-out-of-range``), its score
against weight × rate (``score-vs-rate``) and the report's text against the table
(``text-vs-score``, ``text-vs-table``); what a row at a given score needs corrected and the likely
cause of each correction; the findings and the notes about rows."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import attrs

from ...model import ReportedFigure
from ...units import scale
from ..findings import Cause, Correction, Finding, Reconstruction, RoundedFigure
from ..notes import zero_reason
from ..printed import (
    ZERO,
    C,
    Slip,
    absurd,
    as_percent,
    decimals,
    digit_slip,
    exact_rate,
    fits,
    interval,
    scale_slip,
)
from ..table import Arithmetic, RowIn, TableIn, overlap
from .base import Audited, Collector, Relation

#: The order a row's broken relations are taken in.
ORDER = (
    "score-vs-rule",
    "weight-vs-ruleset",
    "score-out-of-range",
    "score-vs-rate",
    "text-vs-score",
    "text-vs-table",
)

#: (table corrections, text disagreements, corrections no slip explains)
Key = tuple[int, int, int]


# ---- the row as the search sees it ------------------------------------------------------------
def rows_in(a: Audited) -> list[RowIn]:
    """The printed rows in table order, then the rows the table does not print."""
    rows: list[RowIn] = []
    for iid in a.order:
        i = a.rs.index_of(iid)
        ind, row = a.rs.indicators[i], a.rows[iid]
        rows.append(
            RowIn(
                id=iid,
                weight=ind.weight,
                printed=True,
                printed_weight=row.weight,
                score=row.score,
                rate=row.rate,
                text_rate=row.text_rate,
                text_score=row.text_score,
                fixed=a.scores[i],
                measured=measured_rates(a, iid),
                note=zero_reason(row.quote),
                rounded=rounded_figures(a, i),
                floored=ind.floored,
            )
        )
    for i, ind in enumerate(a.rs.indicators):
        if ind.id not in a.rows:
            rows.append(RowIn(id=ind.id, weight=ind.weight, printed=False, fixed=a.scores[i], floored=ind.floored))
    for j, hidden in enumerate(a.rs.hidden):  # not shown: a free row (0 to its weight) unless its score is given
        rows.append(RowIn(id=hidden.id, weight=hidden.weight, printed=False, fixed=a.rec.hidden[j]))
    return rows


def measured_rates(a: Audited, iid: str) -> tuple[Decimal, ...]:
    """The rate-type values the rule of ``iid`` reads (as a table might print them)."""
    out = []
    for name, value in a.rec.inputs.get(iid, {}).items():
        m = a.rs.measures.get(name)
        if m is not None and m.type == "rate" and isinstance(value, Decimal) and not isinstance(value, bool):
            out.append(exact_rate(value))
    return tuple(out)


def rounded_figures(a: Audited, i: int) -> tuple[RoundedFigure, ...]:
    """Figures of the measures row ``i``'s rule reads that the file prints rounded (its
    [[reported.figures]], or for a rate the row's own rate column) and at which the rule gives
    the printed score, where the exact value gives another: the score was worked out from
    the rounded figure (执行率 "50%" for 49.88 %)."""
    rs = a.rs
    ind = rs.indicators[i]
    row = a.rows.get(ind.id)
    fixed = a.scores[i]
    if row is None or row.score is None or fixed is None or ind.id in rs.overrides:
        return ()
    if a.arith.same_score(row.score, fixed):
        return ()
    out: list[RoundedFigure] = []
    for name in rs.inputs_of(ind.id):
        measure = rs.measures[name]
        value = a.rec.env.get(name)
        if measure.type not in ("rate", "number") or not isinstance(value, Decimal) or absurd(value):
            continue
        # (the figure as printed, the power of ten to the measure's unit, its unit, the figure)
        printed: list[tuple[Decimal, int, str | None, ReportedFigure | None]] = []
        for each in a.table.figures:
            if each.measure == name and isinstance(each.value, Decimal):
                printed.append((each.value, scale(each.unit, measure.unit, measure.type), each.unit, each))
        if measure.type == "rate" and row.rate is not None:
            printed.append((row.rate, 0, None, None))  # the row's own rate column
        for shown, k, unit, fig in printed:
            exact = value.scaleb(-k, context=C)  # the measured value in the figure's unit
            if shown == exact or not fits(shown, exact):
                continue  # not a rounded figure of this value
            score = a.rec.score_at(i, name, shown.scaleb(k, context=C))
            if score is None or not a.arith.same_score(row.score, score):
                continue
            out.append(
                RoundedFigure(
                    score=score,
                    measure=name,
                    label=measure.display,
                    printed=shown,
                    exact=exact,
                    rate=measure.type == "rate" and unit is None,
                    unit=unit,
                    where=fig.where if fig is not None else None,
                    quote=fig.quote if fig is not None else None,
                    column=fig is None,
                )
            )
    return tuple(out)


# ---- checks -----------------------------------------------------------------------------------
def checks(a: Audited) -> list[Relation]:
    """Every relation a printed row breaks, rows in table order."""
    out: list[Relation] = []
    for iid in a.order:
        found = _broken(a, iid)
        out += [Relation(kind, *found[kind], indicator=iid) for kind in ORDER if kind in found]
    return out


def _broken(a: Audited, iid: str) -> dict[str, tuple[tuple[str, ...], dict[str, Any]]]:
    """The relations row ``iid`` breaks: kind → (figures, facts)."""
    arith = a.arith
    i = a.rs.index_of(iid)
    ind, row = a.rs.indicators[i], a.rows[iid]
    weight = row.weight if row.weight is not None else ind.weight
    s, r, t, ts = row.score, row.rate, row.text_rate, row.text_score
    fixed = a.scores[i]
    found: dict[str, tuple[tuple[str, ...], dict[str, Any]]] = {}
    if s is not None and fixed is not None and not arith.same_score(s, fixed):
        found["score-vs-rule"] = (("score",), {})
    if row.weight is not None and row.weight != ind.weight:
        found["weight-vs-ruleset"] = (("weight",), {})
    if s is not None and (s > ind.weight or (s < ZERO and ind.floored)):  # floor = "none": below 0 is a score
        found["score-out-of-range"] = (("score",), {})
    # a printed weight that differs from the ruleset's takes part in the row's arithmetic too
    wrong_weight = ("weight",) if row.weight is not None and row.weight != ind.weight else ()
    if s is not None and r is not None and not arith.rate_fits(s, weight, r):
        facts = {
            "product": C.multiply(weight, r),
            "used_weight": weight,
            "fits_ruleset": bool(wrong_weight) and arith.rate_fits(s, ind.weight, r),
        }
        found["score-vs-rate"] = (("score", "rate", *wrong_weight), facts)
    if s is not None and t is not None and not arith.rate_fits(s, weight, t):
        found["text-vs-score"] = (("text_rate", "score"), {"product": C.multiply(weight, t), "used_weight": weight})
    if t is not None and r is not None:
        (lo_t, hi_t), (lo_r, hi_r) = interval(t), interval(r)
        if lo_t > hi_r or lo_r > hi_t:
            found["text-vs-table"] = (("text_rate", "rate"), {})
    if ts is not None and s is not None and not arith.same_score(ts, s):
        found.setdefault("text-vs-table", (("text_score", "score"), {}))
    return found


# ---- findings ---------------------------------------------------------------------------------
def inputs_of(a: Audited, values: Mapping[str, Any]) -> tuple[tuple[str, Any, str | None, str | None], ...]:
    """Measured values as a message cites them: (label, value, the measure's type, its unit)."""
    out = []
    for name, value in values.items():
        m = a.rs.measures.get(name)
        out.append((a.rec.label(name), value, m.type if m is not None else None, m.unit if m is not None else None))
    return tuple(out)


def facts(a: Audited, iid: str) -> dict[str, Any]:
    """What the messages about row ``iid`` cite: its weight, scores, rule, inputs and figures."""
    i = a.rs.index_of(iid)
    ind = a.rs.indicators[i]
    row = a.rows.get(iid)
    out: dict[str, Any] = {
        "weight": ind.weight,
        "recomputed": a.scores[i],
        "computed": a.rec.computed[i],
        "rule": ind.rule_source.text,
    }
    override = a.rs.overrides.get(iid)
    if override is not None:
        out["override"] = override.score
        out["override_reason"] = override.reason
    inputs = a.rec.inputs.get(iid)
    if inputs:
        out["inputs"] = inputs_of(a, inputs)
    if row is not None:
        out.update(
            printed_weight=row.weight,
            score=row.score,
            rate=row.rate,
            text_rate=row.text_rate,
            text_score=row.text_score,
            quote=row.quote,
        )
    return out


def finding(a: Audited, recon: Reconstruction, rel: Relation, field: str, kept: bool = False) -> Finding:
    """The finding about ``field`` of the row of ``rel``, with what the reconstruction makes of it."""
    iid = rel.indicator
    assert iid is not None
    row = a.rows.get(iid)
    reported = getattr(row, field) if row is not None else None
    correction = recon.changes(iid, field)
    expected, cause = (correction.corrected, correction.cause) if correction is not None else (reported, None)
    return Finding(
        rel.kind,
        "error",
        iid,
        field,
        reported,
        expected,
        cause,
        name=a.rs.indicator(iid).name,
        location=a.location(iid, field),
        facts={**facts(a, iid), **rel.facts, "corrected_score": recon.scores.get(iid)},
    )


def kind_of(collected: Collector) -> Callable[[Correction], str]:
    """The kind of a finding about a row's figure no broken relation names: the kind of the
    row's other finding, else ``score-vs-total`` (the row changed so the total comes out); for
    the text's figures ``text-vs-score``."""

    def kind(c: Correction) -> str:
        if c.field in ("text_rate", "text_score"):
            return "text-vs-score"
        found = collected.kind_about(c.indicator) if c.indicator is not None else None
        return found or "score-vs-total"

    return kind


# ---- notes ------------------------------------------------------------------------------------
def notes(a: Audited, recon: Reconstruction) -> list[Finding]:
    """What the audit says of rows that are not errors: not recomputed, a deliberate 0, missing
    from the table, overridden by the ruleset, printed with more decimals than the precision."""
    out: list[Finding] = []
    for j, hidden in enumerate(a.rs.hidden):
        facts = {"weight": hidden.weight, "score": a.rec.hidden[j], "kept": recon.scores.get(hidden.id)}
        out.append(Finding("row-hidden", "info", hidden.id, name=hidden.name, facts=facts))
    for i, ind in enumerate(a.rs.indicators):
        row = a.rows.get(ind.id)
        unknown = a.rec.unknown.get(i)
        if unknown is not None:
            missing = [a.rec.label(m) for m in unknown.missing]
            why = {"missing": missing, "reason": None if missing else unknown.reason}
            # a judged row whose printed score does not fit the band of its level: a warning
            finding = Finding(
                "not-recomputed", "warning" if unknown.judged else "info", ind.id, name=ind.name, facts=why
            )
            out.append(finding)
        deliberate = zero_reason(row.quote) if row is not None and row.score == 0 else None
        if deliberate is not None and a.scores[i] is None:
            out.append(
                Finding(
                    "deliberate-zero",
                    "info",
                    ind.id,
                    "score",
                    row.score if row is not None else None,
                    recon.scores.get(ind.id),
                    name=ind.name,
                    location=row.locations.get("score") if row is not None else None,
                    facts={"note": deliberate, "kept": recon.scores.get(ind.id) == 0},
                )
            )
        if row is None and a.table.rows:
            missing_facts = {"recomputed": a.scores[i], "weight": ind.weight}
            out.append(Finding("row-missing", "warning", ind.id, name=ind.name, facts=missing_facts))
        if row is None or row.score is None:
            continue
        override = a.rs.overrides.get(ind.id)
        if override is not None and a.arith.same_score(row.score, override.score):
            out.append(
                Finding(
                    "override",
                    "info",
                    ind.id,
                    "score",
                    row.score,
                    override.score,
                    name=ind.name,
                    location=row.locations.get("score"),
                    facts={"computed": a.rec.computed[i], "reason": override.reason},
                )
            )
        if decimals(row.score) > a.rs.header.precision:
            out.append(
                Finding(
                    "score-precision",
                    "warning",
                    ind.id,
                    "score",
                    row.score,
                    a.arith.round(row.score),
                    name=ind.name,
                    location=row.locations.get("score"),
                    facts={"precision": a.rs.header.precision},
                )
            )
    return out


# ---- causes and corrections -------------------------------------------------------------------
class RowCauses:
    """Likely causes of a row's corrections, knowing the whole printed table."""

    def __init__(self, table: TableIn, arithmetic: Arithmetic) -> None:
        self.arith = arithmetic
        self.printed = [r for r in table.rows if r.printed]
        self.position = {r.id: i for i, r in enumerate(self.printed)}
        # A pattern: two or more rows whose wrong printed score (the rules say so) is the weight of
        # a neighbouring row. Then that is the likelier story for a third one too, ahead of a
        # dropped or doubled digit.
        self.neighbour_pattern = (
            sum(
                1
                for r in self.printed
                if r.fixed is not None
                and r.score is not None
                and not arithmetic.same_score(r.score, r.fixed)
                and self.neighbour(r, r.score) is not None
            )
            >= 2
        )

    def neighbour(self, row: RowIn, printed: Decimal) -> RowIn | None:
        """The row above or below whose weight is ``printed``, if any."""
        at = self.position.get(row.id)
        if at is None:
            return None
        for other in (at - 1, at + 1):
            if 0 <= other < len(self.printed):
                neighbour = self.printed[other]
                weight = neighbour.printed_weight if neighbour.printed_weight is not None else neighbour.weight
                if weight == printed:
                    return neighbour
        return None

    def score(self, row: RowIn, corrected: Decimal) -> Cause:
        printed = row.score
        assert printed is not None
        copied = self.copied(row, printed, corrected)
        if copied is not None:
            return copied
        factor = scale_slip(printed, corrected, (1, -1, 2, -2))
        if factor:
            return Cause("scale", slip=Slip("scale", factor=factor))
        neighbour = self.neighbour(row, printed)
        slip = digit_slip(printed, corrected, typos=False)
        if slip is not None and not (neighbour is not None and self.neighbour_pattern and slip.code != "transposition"):
            return Cause(slip.code, slip=slip)
        if neighbour is not None:
            return Cause("neighbour-weight", row=neighbour.id, value=printed)
        slip = digit_slip(printed, corrected)
        if slip is not None:
            return Cause(slip.code, slip=slip)
        return Cause("arithmetic")

    def copied(self, row: RowIn, printed: Decimal, corrected: Decimal) -> Cause | None:
        """A printed score that is another figure, or the right figure of something else: a
        deliberate 0, the rule at a rounded figure, the weight, the rate, weight × a measure."""
        if row.note is not None and printed == 0 and corrected != 0:
            return Cause("deliberate-zero", note=row.note)
        for figure in row.rounded:  # the rule applied to a figure the report prints rounded
            if self.arith.same_score(printed, figure.score) and printed != corrected:
                return Cause("rounded-figure", figure=figure)
        if printed in (row.printed_weight, row.weight) and printed != corrected:
            return Cause("own-weight", value=printed)
        if row.rate is not None and printed == as_percent(row.rate) and printed > row.weight:
            return Cause("rate-as-score")
        for m in row.measured:  # weight × the measured rate, the rule not applied
            if (
                not absurd(m)
                and printed != corrected
                and self.arith.same_score(printed, self.arith.round(C.multiply(row.weight, m)))
            ):
                return Cause("weight-times-measure", value=m)
        return None

    def rate(self, row: RowIn, printed: Decimal, corrected: Decimal, score_kept: bool, *, table: bool = False) -> Cause:
        if table and not score_kept and row.score is not None:
            weight = row.printed_weight if row.printed_weight is not None else row.weight
            if self.arith.rate_fits(row.score, weight, printed):
                return Cause("rate-follows-score", value=row.score)
        shown, meant = as_percent(printed), as_percent(corrected)
        factor = scale_slip(shown, meant, (2, -2, 1, -1))
        if factor:
            return Cause("scale", slip=Slip("scale", factor=factor))
        if table and any(_shown_as(m, printed) for m in row.measured if m != corrected):
            return Cause("measure-as-rate", value=printed)
        # the rate of another row (copied, and not updated) before a mistyped digit, before a
        # rate merely not updated
        same = next((r.id for r in self.printed if r.id != row.id and r.rate == printed), None)
        if score_kept and same is not None:
            return Cause("rate-not-updated", row=same)
        slip = digit_slip(shown, meant)
        if slip is not None:
            return Cause(slip.code, slip=slip)
        if score_kept:
            return Cause("rate-not-updated")
        return Cause("arithmetic")

    def weight(self, row: RowIn) -> Cause:
        printed = row.printed_weight
        assert printed is not None
        factor = scale_slip(printed, row.weight, (1, -1, 2, -2))
        if factor:
            return Cause("scale", slip=Slip("scale", factor=factor))
        if row.score is not None and printed == row.score:
            return Cause("score-as-weight", value=printed)
        neighbour = self.neighbour(row, printed)
        if neighbour is not None:
            return Cause("neighbour-weight", row=neighbour.id, value=printed)
        slip = digit_slip(printed, row.weight)
        if slip is not None:
            return Cause(slip.code, slip=slip)
        return Cause("arithmetic")


def _shown_as(value: Decimal, printed: Decimal) -> bool:
    """Whether ``value`` rounded half up to the decimals ``printed`` has is ``printed``."""
    if absurd(value):
        return False
    return value.quantize(printed, rounding=ROUND_HALF_UP, context=C) == printed


def corrections(row: RowIn, score: Decimal, arith: Arithmetic, causes: RowCauses) -> tuple[Key, tuple[Correction, ...]]:
    """What keeping ``score`` for ``row`` costs: the corrections of its printed figures."""
    out: list[Correction] = []
    n = text = unexplained = 0
    if row.printed_weight is not None and row.printed_weight != row.weight:
        cause = causes.weight(row)
        out.append(Correction("weight", row.printed_weight, row.weight, row.id, cause))
        n += 1
        unexplained += not cause.explained
    kept = True
    if row.score is not None and not arith.same_score(row.score, score):
        kept = False
        cause = causes.score(row, score)
        out.append(Correction("score", row.score, score, row.id, cause))
        n += 1
        unexplained += not cause.explained
    rate = exact_rate(C.divide(score, row.weight))
    table_rate = row.rate
    if row.rate is not None and not arith.rate_fits(score, row.weight, row.rate):
        cause = causes.rate(row, row.rate, rate, kept and row.score is not None, table=True)
        out.append(Correction("rate", row.rate, rate, row.id, cause))
        n += 1
        unexplained += not cause.explained
        table_rate = rate
    if row.text_rate is not None and (
        not arith.rate_fits(score, row.weight, row.text_rate)
        or (table_rate is not None and not overlap(row.text_rate, table_rate))
    ):
        said = table_rate if table_rate is not None else rate  # the text follows the table
        cause = causes.rate(row, row.text_rate, said, False)
        out.append(Correction("text_rate", row.text_rate, said, row.id, cause, in_table=False))
        text += 1
    if row.text_score is not None and not arith.same_score(row.text_score, score):
        cause = causes.score(attrs.evolve(row, score=row.text_score), score)
        out.append(Correction("text_score", row.text_score, score, row.id, cause, in_table=False))
        text += 1
    return (n, text, unexplained), tuple(out)
