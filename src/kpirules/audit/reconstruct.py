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
from decimal import ROUND_HALF_UP, Context, Decimal

import attrs

from ..compiler import quantizer, rounding_mode
from .findings import Assumed, Cause, Correction, Reconstruction, RoundedFigure
from .printed import ZERO, C, Slip, absurd, as_percent, decimals, digit_slip, exact_rate, interval, scale_slip, variants

Key = tuple[int, int, int]  # (table corrections, text disagreements, unexplained corrections)


@attrs.frozen
class RowIn:
    """One indicator as the search sees it. ``score``, ``rate`` … are as printed (None when the
    table does not print them); ``fixed`` is the score the rules give, or None."""

    id: str
    weight: Decimal
    printed: bool = True
    printed_weight: Decimal | None = None
    score: Decimal | None = None
    rate: Decimal | None = None
    text_rate: Decimal | None = None
    text_score: Decimal | None = None
    fixed: Decimal | None = None
    #: the measured rates the row's rule reads (a table may print one in the rate column)
    measured: tuple[Decimal, ...] = ()
    #: the table's note giving a printed 0 its reason ("未按时公开，不得分"): the 0 is deliberate
    note: str | None = None
    #: figures the report prints rounded at which the rule gives another score than at the exact value
    rounded: tuple[RoundedFigure, ...] = ()

    @property
    def deliberate(self) -> bool:
        """A printed 0 whose reason the table's note gives: kept by the reconstruction where the
        rules cannot recompute the row."""
        return self.note is not None and self.score is not None and self.score == 0


@attrs.frozen
class SubtotalIn:
    """A subtotal row as the search sees it: the rows it adds up (indices into ``TableIn.rows``),
    its weight by the ruleset (the sum of theirs) and its figures as printed."""

    label: str
    members: tuple[int, ...]
    weight: Decimal
    printed_weight: Decimal | None = None
    score: Decimal | None = None
    rate: Decimal | None = None


@attrs.frozen
class TableIn:
    rows: tuple[RowIn, ...]  # printed rows in table order, then rows missing from the table
    total: Decimal | None
    grade: str | None
    grades: tuple[tuple[str, Decimal], ...]  # highest bound first
    precision: int
    rounding: str = "half-up"
    subtotals: tuple[SubtotalIn, ...] = ()


def overlap(a: Decimal, b: Decimal) -> bool:
    """Whether two printed figures can stand for the same exact value."""
    (lo_a, hi_a), (lo_b, hi_b) = interval(a), interval(b)
    return lo_a <= hi_b and lo_b <= hi_a


def band(grades: Sequence[tuple[str, Decimal]], total: Decimal) -> str | None:
    for label, bound in grades:
        if total >= bound:
            return label
    return None


class Arithmetic:
    """Rounding and the consistency tests of one ruleset's precision."""

    def __init__(self, precision: int, rounding: str) -> None:
        self.quantum = quantizer(precision)
        self.half = self.quantum / 2
        self.precision = precision
        self.context = Context(prec=C.prec, rounding=rounding_mode(rounding))

    def round(self, value: Decimal) -> Decimal:
        return self.context.quantize(value, self.quantum)

    def is_score(self, value: Decimal) -> bool:
        return decimals(value) <= self.precision or value == value.quantize(self.quantum, context=C)

    def same_score(self, printed: Decimal, exact: Decimal) -> bool:
        """A printed score equals a score: exactly (a printed ``10`` is 10.00: tables drop trailing
        zeros), or, printed with more decimals than the precision, once rounded."""
        if decimals(printed) <= self.precision:
            return printed == exact
        return self.round(printed) == exact

    def rate_fits(self, score: Decimal, weight: Decimal, rate: Decimal) -> bool:
        """Whether ``score`` can be ``weight × r`` rounded as the ruleset rounds, for some exact
        rate ``r`` that rounds to the printed ``rate`` at the decimals it is printed with.

        The rate's interval is closed (how the report rounded it is unknown); the score's is the
        one the ruleset's rounding gives: half-up [s − q/2, s + q/2), half-even closed for an even
        last digit and open for an odd one. A score printed with more decimals than the precision
        stands for its own closed interval."""
        half_rate = Decimal(5).scaleb(-decimals(rate) - 1, context=C)
        low = C.multiply(weight, C.subtract(rate, half_rate))
        high = C.multiply(weight, C.add(rate, half_rate))
        if decimals(score) > self.precision:
            half = Decimal(5).scaleb(-decimals(score) - 1, context=C)
            a, b, a_closed, b_closed = C.subtract(score, half), C.add(score, half), True, True
        else:
            a, b = C.subtract(score, self.half), C.add(score, self.half)
            if self.context.rounding == "ROUND_HALF_EVEN":
                last = int(score.scaleb(self.precision, context=C)) % 2
                a_closed = b_closed = last == 0
            else:
                a_closed, b_closed = True, False
        lo, hi = max(low, a), min(high, b)
        if lo < hi:
            return True
        if lo > hi:
            return False
        return (lo > a or a_closed) and (lo < b or b_closed)


class Classifier:
    """Likely causes of corrections, knowing the whole printed table."""

    def __init__(self, table: TableIn, arithmetic: Arithmetic) -> None:
        self.table = table
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
        factor = scale_slip(printed, corrected, (1, -1, 2, -2))
        if factor:
            return Cause("scale", slip=_scale(factor))
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

    def rate(self, row: RowIn, printed: Decimal, corrected: Decimal, score_kept: bool, *, table: bool = False) -> Cause:
        if table and not score_kept and row.score is not None:
            weight = row.printed_weight if row.printed_weight is not None else row.weight
            if self.arith.rate_fits(row.score, weight, printed):
                return Cause("rate-follows-score", value=row.score)
        shown, meant = as_percent(printed), as_percent(corrected)
        factor = scale_slip(shown, meant, (2, -2, 1, -1))
        if factor:
            return Cause("scale", slip=_scale(factor))
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
            return Cause("scale", slip=_scale(factor))
        if row.score is not None and printed == row.score:
            return Cause("score-as-weight", value=printed)
        neighbour = self.neighbour(row, printed)
        if neighbour is not None:
            return Cause("neighbour-weight", row=neighbour.id, value=printed)
        slip = digit_slip(printed, row.weight)
        if slip is not None:
            return Cause(slip.code, slip=slip)
        return Cause("arithmetic")

    def subtotal(self, sub: SubtotalIn, printed: Decimal, corrected: Decimal) -> Cause:
        rows = self.table.rows
        shown = [self.shown(m) for m in sub.members]
        assumed = self.assumed(sub.members)
        if all(s is not None for s in shown) and sum((s for s in shown if s is not None), ZERO) == printed:
            return Cause("follows-rows", value=printed, assumed=assumed)
        if printed in (sub.printed_weight, sub.weight):
            return Cause("weight-sum", value=printed)
        for code, sign in (("row-omitted", -1), ("row-twice", 1)):
            fit = [
                (rows[m].id, s)
                for m in sub.members
                if (s := self.shown(m)) is not None and s != 0 and corrected + sign * s == printed
            ]
            if fit:
                return Cause(
                    code, row=fit[0][0], value=fit[0][1], others=tuple(rid for rid, _ in fit[1:]), assumed=assumed
                )
        ignored = self.deduction_ignored(sub.members, printed, corrected)
        if ignored is not None:
            return ignored
        return self.slip(printed, corrected)

    def shown(self, n: int) -> Decimal | None:
        """Row ``n``'s score as the table shows it: printed, else the rules' (an assumption)."""
        row = self.table.rows[n]
        return row.score if row.score is not None else row.fixed

    def assumed(self, members: Sequence[int]) -> tuple[Assumed, ...]:
        """The rows among ``members`` a sum of the table counts at the score the rules give,
        since the table prints none: a cause resting on that sum says so."""
        out: list[Assumed] = []
        for n in members:
            row = self.table.rows[n]
            if row.score is None and row.fixed is not None:
                out.append((row.id, row.fixed, "no-score" if row.printed else "missing-row"))
        return tuple(out)

    def deduction_ignored(self, members: Sequence[int], printed: Decimal, corrected: Decimal) -> Cause | None:
        """A sum that counts a deliberate 0 (its note gives the reason) at the row's full weight."""
        for n in members:
            row = self.table.rows[n]
            if row.deliberate and corrected + row.weight == printed:
                return Cause("deduction-ignored", row=row.id, value=row.weight, note=row.note)
        return None

    def slip(self, printed: Decimal, corrected: Decimal) -> Cause:
        factor = scale_slip(printed, corrected, (1, -1, 2, -2))
        if factor:
            return Cause("scale", slip=_scale(factor))
        slip = digit_slip(printed, corrected)
        if slip is not None:
            return Cause(slip.code, slip=slip)
        return Cause("arithmetic")

    def total(self, printed: Decimal, corrected: Decimal) -> Cause:
        rows = self.table.rows
        weights = [r.printed_weight if r.printed_weight is not None else r.weight for r in rows]
        if printed in (sum(weights, ZERO), sum((r.weight for r in rows), ZERO)):
            return Cause("weight-sum", value=printed)
        everyone = range(len(rows))
        scores = [(r.id, self.shown(n)) for n, r in enumerate(rows)]
        assumed = self.assumed(everyone)
        if all(s is not None for _, s in scores):
            total = sum((s for _, s in scores if s is not None), ZERO)
            if total == printed:
                return Cause("follows-rows", value=printed, assumed=assumed)
            for code, sign in (("row-omitted", -1), ("row-twice", 1)):
                fit = [(rid, s) for rid, s in scores if s is not None and s != 0 and total + sign * s == printed]
                if fit:
                    return Cause(
                        code, row=fit[0][0], value=fit[0][1], others=tuple(rid for rid, _ in fit[1:]), assumed=assumed
                    )
        ignored = self.deduction_ignored(everyone, printed, corrected)
        if ignored is not None:
            return ignored
        if self.subtotals_sum() == printed:
            covered = {m for sub in self.table.subtotals for m in sub.members}
            return Cause("follows-subtotals", value=printed, assumed=self.assumed(sorted(set(everyone) - covered)))
        return self.slip(printed, corrected)

    def subtotals_sum(self) -> Decimal | None:
        """The printed subtotals (disjoint ones, in table order) plus the printed rows none of
        them covers: what a total that adds up the subtotals comes to. None without subtotals."""
        covered: set[int] = set()
        total = ZERO
        for sub in self.table.subtotals:
            if sub.score is None or covered & set(sub.members):
                continue
            covered |= set(sub.members)
            total += sub.score
        if not covered:
            return None
        for n, r in enumerate(self.table.rows):
            if n not in covered:
                score = r.score if r.score is not None else r.fixed
                if score is None:
                    return None
                total += score
        return total


def _shown_as(value: Decimal, printed: Decimal) -> bool:
    """Whether ``value`` rounded half up to the decimals ``printed`` has is ``printed``."""
    if absurd(value):
        return False
    return value.quantize(printed, rounding=ROUND_HALF_UP, context=C) == printed


def _scale(factor: int) -> Slip:
    return Slip("scale", factor=factor)


@attrs.frozen
class _Option:
    """A free row at one candidate score: its cost and the corrections it implies."""

    score: Decimal
    key: Key
    corrections: tuple[Correction, ...]


def _row_option(row: RowIn, score: Decimal, arith: Arithmetic, classify: Classifier) -> _Option:
    """What keeping ``score`` for ``row`` costs: the corrections of its printed figures."""
    out: list[Correction] = []
    n = text = unexplained = 0
    if row.printed_weight is not None and row.printed_weight != row.weight:
        cause = classify.weight(row)
        out.append(Correction("weight", row.printed_weight, row.weight, row.id, cause))
        n += 1
        unexplained += not cause.explained
    kept = True
    if row.score is not None and not arith.same_score(row.score, score):
        kept = False
        cause = classify.score(row, score)
        out.append(Correction("score", row.score, score, row.id, cause))
        n += 1
        unexplained += not cause.explained
    rate = exact_rate(C.divide(score, row.weight))
    table_rate = row.rate
    if row.rate is not None and not arith.rate_fits(score, row.weight, row.rate):
        cause = classify.rate(row, row.rate, rate, kept and row.score is not None, table=True)
        out.append(Correction("rate", row.rate, rate, row.id, cause))
        n += 1
        unexplained += not cause.explained
        table_rate = rate
    if row.text_rate is not None and (
        not arith.rate_fits(score, row.weight, row.text_rate)
        or (table_rate is not None and not overlap(row.text_rate, table_rate))
    ):
        said = table_rate if table_rate is not None else rate  # the text follows the table
        cause = classify.rate(row, row.text_rate, said, False)
        out.append(Correction("text_rate", row.text_rate, said, row.id, cause, in_table=False))
        text += 1
    if row.text_score is not None and not arith.same_score(row.text_score, score):
        cause = classify.score(attrs.evolve(row, score=row.text_score), score)
        out.append(Correction("text_score", row.text_score, score, row.id, cause, in_table=False))
        text += 1
    return _Option(score, (n, text, unexplained), tuple(out))


def _subtotal_corrections(
    k: int, sub: SubtotalIn, score: Decimal, arith: Arithmetic, classify: Classifier
) -> list[Correction]:
    """The corrections subtotal row ``k`` needs when its rows add up to ``score``."""
    out: list[Correction] = []
    if sub.printed_weight is not None and sub.printed_weight != sub.weight:
        cause = classify.slip(sub.printed_weight, sub.weight)
        out.append(
            Correction("subtotal_weight", sub.printed_weight, sub.weight, None, cause, subtotal=k, label=sub.label)
        )
    if sub.score is not None and not arith.same_score(sub.score, score):
        cause = classify.subtotal(sub, sub.score, score)
        out.append(Correction("subtotal", sub.score, score, None, cause, subtotal=k, label=sub.label))
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
            cause = Cause("rate-follows-score", value=sub.score)
        else:
            cause = Cause("scale", slip=_scale(factor)) if factor else classify.slip(shown, meant)
        out.append(Correction("subtotal_rate", sub.rate, rate, None, cause, subtotal=k, label=sub.label))
    return out


def candidates(row: RowIn, arith: Arithmetic) -> list[Decimal]:
    """Scores a free row may really have (see the module docstring), the printed one first; a
    deliberate 0 (its note gives the reason) only 0."""
    if row.deliberate:
        return [ZERO.quantize(arith.quantum, context=C)]
    out: list[Decimal] = []

    def add(value: Decimal | None) -> None:
        if value is None or not ZERO <= value <= row.weight:
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
        if row.score < 0:
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


def reconstruct(table: TableIn, *, max_states: int = 200_000) -> Reconstruction:
    """The smallest set of corrections that makes ``table`` consistent (module docstring)."""
    arith = Arithmetic(table.precision, table.rounding)
    classify = Classifier(table, arith)
    rows = table.rows
    option_cache: dict[tuple[int, Decimal], _Option] = {}

    def option(i: int, score: Decimal) -> _Option:
        found = option_cache.get((i, score))
        if found is None:
            found = option_cache[(i, score)] = _row_option(rows[i], score, arith, classify)
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
            extra = _subtotal_corrections(k, sub, sum((scores[m] for m in sub.members), ZERO), arith, classify)
            corrections.extend(extra)
            n += len(extra)
            unexplained += sum(not c.cause.explained for c in extra if c.cause is not None)
        total = sum(scores, ZERO)
        total_changed = 0
        if table.total is not None and total != table.total:
            cause = classify.total(table.total, total)
            corrections.append(Correction("total", table.total, total, None, cause))
            total_changed = 1
            n += 1
            unexplained += not cause.explained
        grade = band(table.grades, total)
        if table.grade is not None and grade != table.grade:
            corrections.append(Correction("grade", table.grade, grade or "", None, Cause("band")))
            n += 1
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
                if not ZERO <= value <= row.weight or not arith.is_score(value):
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
