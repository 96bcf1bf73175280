"""What every relation shares: the audited table (:class:`Audited`: the printed table next to the
scores the rules give), a broken relation (:class:`Relation`), and how broken relations become
findings (:class:`Collector`).

A relation names the printed figures it involves. The reconstruction says which of them is wrong:
the first relation to blame a figure makes the finding about it; a later relation that blames the
same figure is attached to that finding (``also``); a relation none of whose figures the
reconstruction corrects still makes a finding, about its first figure (the figure is kept: the
relation is broken by a figure the reconstruction corrects elsewhere). Figures the reconstruction
corrects that no broken relation names get a finding of their own.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from decimal import Decimal
from typing import Any

import attrs

from ...errors import Location
from ...model import HiddenRow, Indicator, Reported, ReportedRow
from ...ruleset import Ruleset
from ..findings import Correction, Finding, Reconstruction
from ..printed import ZERO, decimals
from ..recompute import Recomputed


@attrs.frozen
class Relation:
    """A relation the printed table breaks: its finding ``kind``, the figures it involves (fields
    of the row ``indicator``, of the subtotal row ``subtotal``, or of the table when both are
    None), in the order they are blamed, and the numbers its message cites."""

    kind: str
    figures: tuple[str, ...]
    facts: Mapping[str, Any] = attrs.field(factory=dict)
    indicator: str | None = None
    subtotal: int | None = None


class Audited:
    """The published table and the scores the rules give it, as every relation reads them."""

    def __init__(self, ruleset: Ruleset, table: Reported, recomputed: Recomputed) -> None:
        self.rs = ruleset
        self.table = table
        self.rec = recomputed
        self.arith = recomputed.arith
        self.rows: dict[str, ReportedRow] = {row.indicator: row for row in table.rows}
        self.order = [row.indicator for row in table.rows]
        self._hidden = {row.id: j for j, row in enumerate(ruleset.hidden)}

    @property
    def scores(self) -> list[Decimal | None]:
        return self.rec.scores

    def shown(self, score: Decimal) -> Decimal:
        """A printed score as it counts in a sum: rounded to the precision when printed with more
        decimals (an Excel cell showing 28.92857143); the ``score-precision`` note says so."""
        return self.arith.round(score) if decimals(score) > self.rs.header.precision else score

    def printed_sum(self) -> Decimal | None:
        """The printed scores added up; a row missing from the table counts at its recomputed
        score; None if some row has neither."""
        total = ZERO
        for i, ind in enumerate(self.rs.indicators):
            row = self.rows.get(ind.id)
            score = self.shown(row.score) if row is not None and row.score is not None else None
            if score is None and row is None:
                score = self.scores[i]
            if score is None:
                return None
            total += score
        for given in self.rec.hidden:  # a row the table does not show: its score, where given
            if given is None:
                return None
            total += given
        return total

    def row(self, iid: str) -> Indicator | HiddenRow:
        """The indicator ``iid``, or the row of that id the table does not show."""
        if iid in self._hidden:
            return self.rs.hidden[self._hidden[iid]]
        return self.rs.indicator(iid)

    def fixed(self, iid: str) -> Decimal | None:
        """The score the rules give row ``iid`` (for a row not shown, the one the ruleset gives it)."""
        if iid in self._hidden:
            return self.rec.hidden[self._hidden[iid]]
        return self.scores[self.rs.index_of(iid)]

    def assumed_rows(self) -> list[tuple[str, Decimal]]:
        """The rows the sum of the printed scores counts at the rules' score, since the table has
        no row for them: (name, score)."""
        out = []
        for i, ind in enumerate(self.rs.indicators):
            score = self.scores[i]
            if ind.id not in self.rows and score is not None:
                out.append((ind.name, score))
        return out

    def location(self, iid: str | None, field: str) -> Location | None:
        """Where the table prints ``field`` of row ``iid`` (of the table itself for None)."""
        if iid is None:
            return self.table.locations.get(field) or self.table.locations.get("table")
        row = self.rows.get(iid)
        if row is None:
            return None
        return row.locations.get(field) or row.locations.get("row")


#: Makes the finding about one figure of a broken relation; ``kept`` when the reconstruction keeps
#: the figure (the relation is broken by a figure corrected elsewhere).
Make = Callable[[Relation, str, bool], Finding]


class Collector:
    """The findings of one audit, made from broken relations and the reconstruction (see the
    module docstring); at most one finding per printed figure."""

    def __init__(self, recon: Reconstruction) -> None:
        self.recon = recon
        self.findings: list[Finding] = []
        #: (indicator, subtotal, field) → the index of the finding about that figure
        self.made: dict[tuple[str | None, int | None, str], int] = {}

    def add(
        self,
        relations: Iterable[Relation],
        make: Make,
        confirm: Callable[[Relation], bool] | None = None,
    ) -> None:
        """A finding for each broken relation, or the relation attached to the finding about the
        figure it blames. ``confirm`` may attach a relation none of whose figures is corrected
        to a related finding instead (True when it did)."""
        for rel in relations:
            changed = [f for f in rel.figures if self.recon.changes(rel.indicator, f, rel.subtotal) is not None]
            unused = [f for f in changed if (rel.indicator, rel.subtotal, f) not in self.made]
            if unused:
                self.made[(rel.indicator, rel.subtotal, unused[0])] = len(self.findings)
                self.findings.append(make(rel, unused[0], False))
            elif changed:
                at = self.made[(rel.indicator, rel.subtotal, changed[0])]
                old = self.findings[at]
                also_facts = {**old.facts.get("also_facts", {}), rel.kind: rel.facts}
                facts = {**rel.facts, **old.facts, "also_facts": also_facts}
                self.findings[at] = attrs.evolve(old, also=(*old.also, rel.kind), facts=facts)
            elif confirm is None or not confirm(rel):
                self.findings.append(make(rel, rel.figures[0], True))

    def sweep(self, corrections: Iterable[Correction], kind: Callable[[Correction], str], make: Make) -> None:
        """A finding for each of ``corrections`` no broken relation has made one about, of the
        kind ``kind`` gives it."""
        for c in corrections:
            key = (c.indicator, c.subtotal, c.field)
            if key in self.made:
                continue
            rel = Relation(kind(c), (c.field,), {}, c.indicator, c.subtotal)
            self.made[key] = len(self.findings)
            self.findings.append(make(rel, c.field, False))

    def kind_about(self, indicator: str) -> str | None:
        """The kind of the first finding made about a figure of row ``indicator``."""
        return next((self.findings[at].kind for (iid, _, _), at in self.made.items() if iid == indicator), None)
