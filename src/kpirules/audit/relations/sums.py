"""Causes shared by the sums of a table, the total and the subtotals: a sum that follows wrong
rows, leaves a row out or adds it twice, counts a deliberate 0 at full weight, or has a slip."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from decimal import Decimal

from ..findings import Assumed, Cause
from ..printed import ZERO, Slip, digit_slip, scale_slip
from ..table import Arithmetic, TableIn


class SumCauses:
    """Likely causes of a wrong sum of rows of ``table``."""

    def __init__(self, table: TableIn, arithmetic: Arithmetic) -> None:
        self.table = table
        self.arith = arithmetic

    def shown(self, n: int) -> Decimal | None:
        """Row ``n``'s score as the table shows it: printed, else the rules' (an assumption)."""
        row = self.table.rows[n]
        return row.score if row.score is not None else row.fixed

    def assumed(self, members: Iterable[int]) -> tuple[Assumed, ...]:
        """The rows among ``members`` a sum of the table counts at the score the rules give,
        since the table prints none: a cause resting on that sum says so."""
        out: list[Assumed] = []
        for n in members:
            row = self.table.rows[n]
            if row.score is None and row.fixed is not None:
                out.append((row.id, row.fixed, "no-score" if row.printed else "missing-row"))
        return tuple(out)

    def omitted_or_twice(
        self, members: Sequence[int], base: Decimal, printed: Decimal, assumed: tuple[Assumed, ...]
    ) -> Cause | None:
        """``printed`` is ``base`` with one of ``members``' shown scores left out (``row-omitted``)
        or added twice (``row-twice``); every row that fits is named."""
        rows = self.table.rows
        for code, sign in (("row-omitted", -1), ("row-twice", 1)):
            fit = [(rows[m].id, s) for m in members if (s := self.shown(m)) is not None and s != 0]
            fit = [(rid, s) for rid, s in fit if base + sign * s == printed]
            if fit:
                return Cause(
                    code, row=fit[0][0], value=fit[0][1], others=tuple(rid for rid, _ in fit[1:]), assumed=assumed
                )
        return None

    def deduction_ignored(self, members: Iterable[int], printed: Decimal, corrected: Decimal) -> Cause | None:
        """A sum that counts a deliberate 0 (its note gives the reason) at the row's full weight."""
        for n in members:
            row = self.table.rows[n]
            if row.deliberate and corrected + row.weight == printed:
                return Cause("deduction-ignored", row=row.id, value=row.weight, note=row.note)
        return None

    def slip(self, printed: Decimal, corrected: Decimal) -> Cause:
        """A slip of the pen from ``corrected`` to ``printed``, or a plain arithmetic error."""
        factor = scale_slip(printed, corrected, (1, -1, 2, -2))
        if factor:
            return Cause("scale", slip=Slip("scale", factor=factor))
        slip = digit_slip(printed, corrected)
        if slip is not None:
            return Cause(slip.code, slip=slip)
        return Cause("arithmetic")

    def total_of(self, members: Iterable[int]) -> Decimal | None:
        """The shown scores of ``members`` added up; None when one has none."""
        shown = [self.shown(m) for m in members]
        if any(s is None for s in shown):
            return None
        return sum((s for s in shown if s is not None), ZERO)
