"""The invariants every ruleset's results hold, as functions: each returns the violations it finds
(empty when the result is sound). ``kpirules test --properties`` checks them on values hypothesis
draws; a user's own tests may call them on any result.

* every score within [0, weight], with the ruleset's precision;
* the rule's raw points within the bounds the linter's interval analysis proves;
* the total the sum of the scores, and each group's subtotal the sum of its members;
* the grade the one the ruleset's bands give for the total;
* ``evaluate`` and ``evaluate_many`` agree (:func:`check_batch`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

import attrs

from ..errors import ValuesError
from ..hierarchy import groups_of, members
from ..intervals import Interval
from ..result import Result
from ..ruleset import Ruleset
from .words import M


@attrs.frozen
class Violation:
    """One broken invariant: ``kind`` (``score_range``, ``bounds``, ``total``, ``subtotal``,
    ``grade``, ``batch``, ``sql``, ``monotone``), the indicator where there is one, and what was
    found, in words."""

    kind: str
    message: str
    indicator: str | None = None


def expected_grade(ruleset: Ruleset, total: Decimal) -> str | None:
    """The label of the highest grade bound at or below ``total``."""
    for label, bound in ruleset.grades:  # highest first
        if total >= bound:
            return label
    return None


def indicator_bounds_of(ruleset: Ruleset) -> dict[str, Interval]:
    """The linter's proven interval of each indicator's raw points (where it proves one)."""
    from ..linter.analysis import indicator_bounds

    out: dict[str, Interval] = {}
    for ind in ruleset.indicators:
        try:
            out[ind.id] = indicator_bounds(ruleset, ind.id)
        except Exception:
            continue
    return out


def check_result(result: Result, bounds: Mapping[str, Interval] | None = None) -> list[Violation]:
    """The invariants of one result (``bounds``: :func:`indicator_bounds_of`, to check raw points)."""
    rs = result.ruleset
    found: list[Violation] = []
    quantum = Decimal(1).scaleb(-rs.header.precision)
    total = Decimal(0)
    for item in result:
        score, weight = item.score, item.weight
        total += score
        if item.override is not None:
            continue
        if score > weight or (score < 0 and item.indicator.floored):  # floor = "none": below 0 is allowed
            found.append(Violation("score_range", M("v_score_range", id=item.id, score=score, weight=weight), item.id))
        elif score != score.quantize(quantum):
            found.append(
                Violation("score_range", M("v_precision", id=item.id, score=score, n=rs.header.precision), item.id)
            )
        if bounds is not None and item.id in bounds and not item.missing:
            raw = item.raw
            bound = bounds[item.id]
            if raw is not None and not bound.contains(raw):
                found.append(Violation("bounds", M("v_bounds", id=item.id, raw=raw, bounds=_show(bound)), item.id))
    scores = {item.id: item.score for item in result}
    found += _totals(result, total, scores)
    for path in groups_of(rs.indicators, rs.groups):
        ids = members(path, rs.indicators)
        subtotal = sum((scores[i] for i in ids), Decimal(0))
        weights = sum((rs.indicator(i).weight for i in ids), Decimal(0))
        floored = all(rs.indicator(i).floored for i in ids)  # floor = "none": a subtotal may be below 0
        if subtotal > weights or (subtotal < 0 and floored):
            found.append(Violation("subtotal", M("v_subtotal", path="/".join(path), sum=subtotal, weight=weights)))
    return found


def _totals(result: Result, shown: Decimal, scores: Mapping[str, Decimal]) -> list[Violation]:
    """The total and grade, and each group's subtotal, against the scores they add up (with the
    rows the table does not show: no total, grade or subtotal where one of those has no score)."""
    rs = result.ruleset
    found: list[Violation] = []
    if None in result.hidden:
        if result.total is not None or result.grade is not None:
            found.append(Violation("total", M("v_total", total=result.total, sum=None)))
    else:
        total = shown + sum((s for s in result.hidden if s is not None), Decimal(0))
        if result.total != total:
            found.append(Violation("total", M("v_total", total=result.total, sum=total)))
        grade = expected_grade(rs, total)
        if result.grade != grade:
            found.append(Violation("grade", M("v_grade", got=result.grade, want=grade, total=result.total)))
    from ..report import subtotals  # the subtotals the tables print: each the sum of its members

    for sub in subtotals(rs, result):
        inside = [ind.id for ind in rs.indicators if ind.path and ind.path[0] == sub.group]
        expected = sum((scores[i] for i in inside), Decimal(0))
        hidden = [s for row, s in zip(rs.hidden, result.hidden, strict=False) if row.path[:1] == (sub.group,)]
        if None in hidden:  # a row the table does not show has no score: nor has its group
            if sub.score is not None:
                found.append(Violation("subtotal", M("v_subtotal_sum", path=sub.group, got=sub.score, sum=None)))
            continue
        expected += sum((s for s in hidden if s is not None), Decimal(0))
        if sub.score != expected:
            found.append(Violation("subtotal", M("v_subtotal_sum", path=sub.group, got=sub.score, sum=expected)))
    return found


def _show(bound: Interval) -> str:
    lo = "-∞" if not bound.lo.is_finite() else format(bound.lo.normalize(), "f")
    hi = "∞" if not bound.hi.is_finite() else format(bound.hi.normalize(), "f")
    return f"{'[' if bound.lo_closed else '('}{lo}, {hi}{']' if bound.hi_closed else ')'}"


def same_outcome(a: Result | ValuesError, b: Result | ValuesError) -> bool:
    """Two outcomes of one unit agree: the same scores, total and grade, or both failed."""
    if isinstance(a, Result) and isinstance(b, Result):
        return a.scores == b.scores and a.total == b.total and a.grade == b.grade
    return isinstance(a, ValuesError) and isinstance(b, ValuesError)


def check_batch(ruleset: Ruleset, rows: Sequence[Mapping[str, Any]]) -> list[tuple[int, Violation]]:
    """``evaluate`` and ``evaluate_many`` agree on every row: (row index, violation) for each
    row where they do not."""
    many = ruleset.evaluate_many(rows)
    found = []
    for i, (row, batch) in enumerate(zip(rows, many, strict=True)):
        try:
            one: Result | ValuesError = ruleset.evaluate(row)
        except ValuesError as err:
            one = err
        if not same_outcome(one, batch):
            found.append((i, Violation("batch", M("v_batch", one=_outcome(one), many=_outcome(batch)))))
    return found


def _outcome(outcome: Result | ValuesError) -> str:
    if isinstance(outcome, Result):
        return f"{outcome.total} ({', '.join(str(s) for s in outcome.scores)})"
    return outcome.message.split("\n")[0]
