"""The consistent reconstruction: the smallest set of corrections to a published table that makes
it agree with its rules, its own arithmetic and its stated total.

What may change: every printed figure of the table (each row's weight, score and rate, the total,
the grade). What may not: the ruleset (its weights, rules and grade bands) and the measured values
(a score the rules recompute from them is fixed). The report's text (``text_rate``,
``text_score``) follows the table and is corrected with it, but is not counted.

A row whose score the rules recompute is *fixed*: its score is the recomputed one, and its weight
and rate follow. A row whose score cannot be recomputed is *free*: its score is one of a bounded
set of candidates (below), or the one value that makes the stated total come out. The search
chooses one candidate per free row so as to minimise, in this order:

1. the number of corrected figures of the table;
2. whether the stated total is corrected (a set that keeps it wins a tie);
3. the number of disagreements with the report's text;
4. the number of corrections no slip of the pen explains;

and then keeps the printed score where still tied. It is exact: dynamic programming over the
free rows, with states (sum of the free scores so far, which row if any takes the residual),
pruned by the size of the trivial reconstruction (keep every printed score, correct the rates and
the total), so every state it drops is provably no better.

Candidates for a free row with weight W and printed score s: s itself; W × the printed rate and
W × the rate the text states, rounded as the ruleset rounds; the score the text states; the
figures s is a single slip of (neighbouring digits swapped, a digit dropped or doubled, the
decimal point moved by one or two places); and, for at most one row, the residual: the stated
total minus every other score. Candidates outside [0, W] or with more decimals than the ruleset's
precision are dropped. Limits: two free rows that are both wrong in ways no candidate covers can
only be repaired by correcting the total; a search that exceeds ``max_states`` states falls back to
the trivial reconstruction and says so (``proven=False``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal

import attrs

from .findings import Correction, Reconstruction
from .printed import ZERO, C, decimals, variants
from .relations import rows as row_relations
from .relations import subtotals as subtotal_relations
from .relations import totals as total_relations
from .relations.rows import Key, RowCauses
from .relations.sums import SumCauses
from .table import Arithmetic, RowIn, TableIn, band

__all__ = ["candidates", "reconstruct"]


@attrs.frozen
class _Option:
    """A free row at one candidate score: its cost and the corrections it implies."""

    score: Decimal
    key: Key
    corrections: tuple[Correction, ...]


def candidates(row: RowIn, arith: Arithmetic) -> list[Decimal]:
    """Scores a free row may really have (see the module docstring), the printed one first; a
    deliberate 0 (its note gives the reason) only 0."""
    if row.deliberate:
        return [ZERO.quantize(arith.quantum, context=C)]
    out: list[Decimal] = []

    def add(value: Decimal | None) -> None:
        if value is None or not row.possible(value):
            return
        if decimals(value) > arith.precision and value != value.quantize(arith.quantum, context=C):
            return
        value = value.quantize(arith.quantum, context=C)
        if value not in out:
            out.append(value)

    if row.score is not None:
        add(arith.round(row.score))
        if row.score > row.weight:
            add(row.weight)
        if row.score < 0 and row.floored:
            add(ZERO)
    for rate in (row.rate, row.text_rate):
        if rate is not None:
            add(arith.round(C.multiply(row.weight, rate)))
    add(row.text_score)
    if row.score is not None:
        for value, _ in variants(row.score):
            add(value)
    if row.score is None:
        add(ZERO)
        add(row.weight)
    if not out:
        add(row.weight)
    return out


@attrs.frozen
class _Solution:
    key: tuple[int, int, int, int]  # (table corrections, total corrected, text disagreements, unexplained)
    scores: tuple[Decimal, ...]  # one per row of the table, in order
    total: Decimal | None
    grade: str | None
    corrections: tuple[Correction, ...]


def reconstruct(table: TableIn, *, max_states: int = 200_000) -> Reconstruction:  # noqa: C901 - the search loop over correction states; split, it would pass its state around
    """The smallest set of corrections that makes ``table`` consistent (module docstring)."""
    arith = Arithmetic(table.precision, table.rounding)
    causes = RowCauses(table, arith)
    sums = SumCauses(table, arith)
    rows = table.rows
    option_cache: dict[tuple[int, Decimal], _Option] = {}

    def option(i: int, score: Decimal) -> _Option:
        found = option_cache.get((i, score))
        if found is None:
            found = option_cache[(i, score)] = _Option(score, *row_relations.corrections(rows[i], score, arith, causes))
        return found

    free = [i for i, r in enumerate(rows) if r.fixed is None]
    fixed_sum = sum((r.fixed for r in rows if r.fixed is not None), ZERO)
    base = [0, 0, 0]
    for i, r in enumerate(rows):
        if r.fixed is not None:
            k = option(i, r.fixed).key
            base = [base[0] + k[0], base[1] + k[1], base[2] + k[2]]
    cands = {i: [option(i, c) for c in candidates(rows[i], arith)] for i in free}

    def finish(chosen: Mapping[int, Decimal]) -> _Solution:
        scores = tuple(r.fixed if r.fixed is not None else chosen[i] for i, r in enumerate(rows))
        corrections: list[Correction] = []
        n, text, unexplained = base
        for i, r in enumerate(rows):
            opt = option(i, scores[i])
            corrections.extend(opt.corrections)
            if r.fixed is None:
                n, text, unexplained = n + opt.key[0], text + opt.key[1], unexplained + opt.key[2]
        for k, sub in enumerate(table.subtotals):
            extra = subtotal_relations.corrections(k, sub, sum((scores[m] for m in sub.members), ZERO), arith, sums)
            corrections.extend(extra)
            n += len(extra)
            unexplained += sum(not c.cause.explained for c in extra if c.cause is not None)
        total = sum(scores, ZERO)
        extra = total_relations.corrections(table, total, sums)
        corrections.extend(extra)
        n += len(extra)
        total_changed = sum(c.field == "total" for c in extra)
        # a grade of another band is no slip of the pen to explain
        unexplained += sum(not c.cause.explained for c in extra if c.field == "total" and c.cause is not None)
        grade = band(table.grades, total)
        return _Solution((n, total_changed, text, unexplained), scores, total, grade, tuple(corrections))

    # which subtotals each row counts in: a search state carries each subtotal's partial sum, so two
    # choices that reach the same total through different subtotals are told apart
    within: dict[int, tuple[int, ...]] = {
        i: tuple(k for k, sub in enumerate(table.subtotals) if i in sub.members) for i in range(len(rows))
    }
    nsub = len(table.subtotals)

    # The trivial reconstruction: every free row keeps its printed score (or its first candidate).
    trivial = finish({i: cands[i][0].score for i in free})
    bound = trivial.key[0]

    # Dynamic programming over the free rows. A state is (sum of the free scores chosen so far,
    # the free row that takes the residual or -1); it keeps its best few partial choices.
    keep = 4
    Entry = tuple[Key, tuple[Decimal | None, ...]]
    State = tuple[Decimal, tuple[Decimal, ...], int]
    states: dict[State, list[Entry]] = {(ZERO, (ZERO,) * nsub, -1): [((0, 0, 0), ())]}
    explored = 1
    proven = True
    residual_ok = table.total is not None
    for j, i in enumerate(free):
        new: dict[State, list[Entry]] = {}

        def push(
            state: State,
            key: Key,
            choices: tuple[Decimal | None, ...],
            new: dict[State, list[Entry]] = new,
        ) -> None:
            entries = new.setdefault(state, [])
            entries.append((key, choices))
            if len(entries) > keep:
                entries.sort(key=lambda e: e[0])
                del entries[keep:]

        inside = within[i]
        for (total, subs, residual), entries in states.items():
            for key, choices in entries:
                for opt in cands[i]:
                    k = (key[0] + opt.key[0], key[1] + opt.key[1], key[2] + opt.key[2])
                    if k[0] + base[0] > bound:
                        continue
                    added = tuple(v + opt.score if n in inside else v for n, v in enumerate(subs)) if inside else subs
                    push((total + opt.score, added, residual), k, (*choices, opt.score))
                if residual < 0 and residual_ok and not rows[i].deliberate:
                    push((total, subs, j), key, (*choices, None))
        states = new
        explored += len(states)
        if len(states) > max_states:
            proven = False
            states = {}
            break

    solutions: list[_Solution] = [trivial]
    for (partial, _subs, residual), entries in states.items():
        for _key, choices in entries:
            chosen: dict[int, Decimal] = {}
            for j, i in enumerate(free):
                c = choices[j]
                if c is not None:
                    chosen[i] = c
            if residual >= 0:
                assert table.total is not None
                value = table.total - fixed_sum - partial
                row = rows[free[residual]]
                if not row.possible(value) or not arith.is_score(value):
                    continue
                chosen[free[residual]] = value
            solutions.append(finish(chosen))
    best_key = min(s.key for s in solutions)
    ranked = sorted(
        (s for s in solutions if s.key[0] == best_key[0]),
        key=lambda s: (s.key, _prefer_printed(s, rows)),
    )
    unique: list[_Solution] = []
    for s in ranked:
        if all(s.scores != u.scores for u in unique):
            unique.append(s)
    best = unique[0]
    others = unique[1:]
    determined = all(r.printed and (r.score is not None or r.fixed is not None) for r in rows)
    return Reconstruction(
        corrections=best.corrections,
        total=best.total,
        grade=best.grade,
        scores={r.id: best.scores[i] for i, r in enumerate(rows)},
        size=best.key[0],
        keeps_total=table.total is None or best.total == table.total,
        alternatives=tuple(s.corrections for s in others[:3]),
        more_alternatives=max(0, len(others) - 3),
        proven=proven,
        determined=determined,
        states=explored,
        total_printed=table.total is not None,
        subtotals={k: sum((best.scores[m] for m in sub.members), ZERO) for k, sub in enumerate(table.subtotals)},
    )


def _prefer_printed(solution: _Solution, rows: Sequence[RowIn]) -> tuple[int, ...]:
    """Among ties, keep printed scores in table order (earlier rows first)."""
    return tuple(int(r.score is None or r.score != s) for r, s in zip(rows, solution.scores, strict=True))
