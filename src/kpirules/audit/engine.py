"""The audit: recompute a ruleset, hold the published table against it and against its own
arithmetic, reconstruct the consistent table, and turn what differs into findings.

The relations checked, each a finding kind when it fails, live one module each in
:mod:`kpirules.audit.relations`: a row's (:mod:`~.relations.rows`: ``score-vs-rule``,
``score-vs-rate``, ``weight-vs-ruleset``, ``score-out-of-range``, ``text-vs-score``,
``text-vs-table``), a subtotal row's (:mod:`~.relations.subtotals`), the total's and the grade's
(:mod:`~.relations.totals`: ``total-vs-sum``, ``total-vs-rule``, ``grade-vs-total``,
``grade-vs-rule``) and the printed figures' (:mod:`~.relations.figures`: ``figure-vs-value``,
``figures-disagree``).

Which figure of a failed relation is wrong, and what it should be, comes from the reconstruction
(:mod:`kpirules.audit.reconstruct`): each failed relation becomes one finding about the figure
the reconstruction corrects, or is attached (``also``) to the finding already made about it.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import localcontext
from pathlib import Path
from typing import Any

import attrs

from ..errors import KpiRulesError, Location
from ..messages import Catalog
from ..model import Reported
from ..ruleset import Ruleset
from .findings import SEVERITIES, Audit, Correction, Finding, Reconstruction
from .printed import C
from .readers import check_printable, read_reported
from .recompute import Recomputed
from .reconstruct import reconstruct
from .relations import figures, rows, subtotals, totals
from .relations.base import Audited, Collector, Relation
from .table import TableIn

ReportedSource = Reported | str | Path | None

M = Catalog(
    "audit.engine",
    {
        "no_reported": (
            "规则集 `{ruleset}` 中没有可供核查的 [reported] 表",
            "ruleset `{ruleset}` has no [reported] table to audit",
        ),
        "give_reported": (
            "请在规则集中加入 [reported] 表，或用 --reported FILE 给出公布的表格",
            "add a [reported] table to the ruleset, or give the published table with --reported FILE",
        ),
    },
)

#: How findings are ordered within a row: by the figure they are about.
_FIELD_ORDER = {
    "sum": 0,
    "total": 1,
    "grade": 2,
    "weight": 3,
    "score": 4,
    "rate": 5,
    "text_rate": 6,
    "text_score": 7,
    "subtotal_weight": 3,
    "subtotal": 4,
    "subtotal_rate": 5,
}


def audit(
    ruleset: Ruleset,
    reported: ReportedSource = None,
    *,
    values: Mapping[str, Any] | None = None,
    locations: Mapping[str, Location] | None = None,
) -> Audit:
    """Audit a published table against ``ruleset``.

    ``reported`` is the table: by default the ruleset's ``[reported]``; a path to a TOML, JSON,
    CSV or Excel file; or a :class:`~kpirules.model.Reported`. ``values`` are the measured values
    to recompute with (default: the ruleset's ``[values]``); measures with no value are taken from
    the printed figures where those agree; ``locations`` say where each value was read, for the
    errors of a bad one. Raises :class:`~kpirules.KpiRulesError` when there is no table, the file
    cannot be read or a value is bad; every inconsistency is a finding, never an exception.
    """
    if reported is None:
        if ruleset.reported is None:
            raise KpiRulesError(
                M("no_reported", ruleset=ruleset.id),
                location=Location(ruleset.source.name) if ruleset.source is not None else None,
                hint=M("give_reported"),
            )
        table, source = ruleset.reported, "[reported]"
    elif isinstance(reported, Reported):
        table, source = reported, reported.source or "<reported>"
    else:
        table = read_reported(reported, ruleset)
        source = str(reported)
    check_printable(table, ruleset)
    with localcontext(C):  # the audit's own sums and comparisons: exact, no exponent overflows
        return _run(ruleset, table, source, values, locations or {})


def table_in(a: Audited) -> TableIn:
    """The table as the reconstruction's search sees it."""
    rows_in = rows.rows_in(a)
    at = {r.id: n for n, r in enumerate(rows_in)}
    header = a.rs.header
    subtotals_in = subtotals.subtotals_in(a, at)
    return TableIn(
        tuple(rows_in), a.table.total, a.table.grade, a.rs.grades, header.precision, header.rounding, subtotals_in
    )


def _run(
    ruleset: Ruleset, table: Reported, source: str, values: Mapping[str, Any] | None, locations: Mapping[str, Location]
) -> Audit:
    a = Audited(ruleset, table, Recomputed(ruleset, table, values, locations))
    recon = reconstruct(table_in(a))

    def make(rel: Relation, field: str, kept: bool) -> Finding:
        if rel.subtotal is not None:
            return subtotals.finding(a, recon, rel, field, kept)
        if rel.indicator is None:
            return totals.finding(a, recon, rel, field, kept)
        return rows.finding(a, recon, rel, field, kept)

    collected = Collector(recon)
    row_kind = rows.kind_of(collected)

    def kind(c: Correction) -> str:
        return row_kind(c) if c.indicator is not None else totals.kind_of(a, c)

    collected.add([*rows.checks(a), *totals.checks(a)], make)
    collected.sweep([c for c in recon.corrections if c.subtotal is None], kind, make)
    collected.add(subtotals.checks(a), make, subtotals.confirm(a, collected))
    collected.sweep([c for c in recon.corrections if c.subtotal is not None], subtotals.kind_of, make)
    wrong_figures, figure_notes = figures.findings(a)
    notes = [*figures.borrowed(a), *figure_notes, *rows.notes(a, recon), *_ambiguous(recon)]
    return Audit(
        ruleset,
        table,
        _ordered(a, [*collected.findings, *wrong_figures], notes),
        recon,
        source=source,
        recomputed={ind.id: a.scores[i] for i, ind in enumerate(ruleset.indicators)},
        recomputed_total=a.rec.total,
        printed_sum=a.printed_sum(),
        values_from=a.rec.values_from,
    )


def _ambiguous(recon: Reconstruction) -> list[Finding]:
    """Notes on a reconstruction that is not the only one, or not proven smallest."""
    out = []
    if recon.alternatives:
        facts = {"alternatives": recon.alternatives, "more": recon.more_alternatives, "chosen": recon.corrections}
        out.append(Finding("ambiguous-reconstruction", "warning", facts=facts))
    if not recon.proven:
        out.append(Finding("ambiguous-reconstruction", "warning", facts={"unproven": recon.states}))
    return out


def _ordered(a: Audited, findings: list[Finding], notes: list[Finding]) -> list[Finding]:
    """The findings in table order (the table's sums, then rows, subtotals and figures), then the
    notes by severity; every one knows the rows' names."""
    order = {iid: n for n, iid in enumerate(a.order)}

    def position(f: Finding) -> tuple[int, int, int]:
        group = 0 if f.field in ("sum", "total", "grade") and f.indicator is None else 1 if f.indicator else 2
        if f.kind in ("figure-vs-value", "figures-disagree"):
            group = 3
        if f.subtotal is not None:
            return (2, f.subtotal, _FIELD_ORDER.get(f.field or "", 9))
        return (group, order.get(f.indicator or "", len(order)), _FIELD_ORDER.get(f.field or "", 9))

    names = {ind.id: ind.name for ind in a.rs.rows}
    return [
        attrs.evolve(f, facts={**f.facts, "names": names})
        for f in [*sorted(findings, key=position), *sorted(notes, key=lambda f: SEVERITIES.index(f.severity))]
    ]


__all__ = ["ReportedSource", "audit", "table_in"]
