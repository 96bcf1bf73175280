"""Running a ruleset's rules on chosen values, as the scorer runs them: what evaluation meets.

The interval analysis says what a rule *may* do; a finding about what it *does* (a score above the
weight, a division by zero, a value no band matches) needs values that show it. :class:`Probe`
converts input values with the scorer's own converters, computes the derived measures with their
compiled formulas (range checks included), and runs an indicator's compiled rule, reporting its raw
points (before clamping) or the failure it meets. :func:`candidates` chooses the values to try for
one measure: the ends of its domain, the breakpoints the rule names (its constants, rounded to whole
numbers for counts; the roots of its divisors), points between and beyond them.

Nothing here evaluates user text: the rules are the compiled closures of :mod:`kpirules.compiler`.
"""

from __future__ import annotations

import datetime as dt
import decimal
import itertools
import random
from collections.abc import Callable, Iterator, Mapping, Sequence
from decimal import Context, Decimal
from typing import Any

import attrs

from .. import ast
from ..compiler import compile_expr, may_be_inexact
from ..dates import LAST_DAY, from_ordinal
from ..exact import CONTEXT, EvalFailure, Fn, quantizer, rounding_mode, snap
from ..intervals import CTX, INF, NINF, ZERO, Interval, ceil, floor, nice_point
from ..model import Measure
from ..ruleset import Ruleset
from ..values import ValueProblem, converter

Values = dict[str, object]

#: Offsets from a divisor's root that are tried: the quotient is large there.
_NEAR = tuple(Decimal(s) for s in ("0.001", "-0.001", "0.01", "-0.01"))

#: Points beyond the largest (or below the smallest) breakpoint that are tried.
_FAR = (1, 2, 5, 10, 100, 1000, 10**6)


@attrs.frozen
class Outcome:
    """What evaluation met on one set of values: the raw points, or a failure (in the rule, or in
    the formula of the derived measure ``formula``), or neither (a value was refused or missing)."""

    raw: Decimal | None = None
    failure: EvalFailure | None = None
    formula: str | None = None


class Probe:
    """The rules and formulas of one ruleset compiled as the scorer compiles them."""

    def __init__(self, rs: Ruleset, order: Sequence[str]) -> None:
        self.rs = rs
        self.ranks: dict[tuple[str, ...], dict[str, int]] = {}
        self.inexact: set[str] = set()
        self.formulas: list[tuple[str, Fn, Callable[[Any], Any] | None]] = []
        for name in order:
            measure = rs.measures[name]
            if measure.formula is None or measure.formula_source is None or name not in rs.formulas:
                continue
            if may_be_inexact(measure.formula, self.inexact):
                self.inexact.add(name)
            fn = compile_expr(
                measure.formula, rs.formulas[name], measure.formula_source, ranks=self.ranks, inexact=self.inexact
            )
            check = converter(measure) if measure.range is not None else None
            if check is not None and name in self.inexact:
                check = _snapped(check)
            self.formulas.append((name, fn, check))
        self.converters = {name: converter(m) for name, m in rs.measures.items() if not m.derived}
        self.rounding = (
            Context(prec=CONTEXT.prec, rounding=rounding_mode(rs.header.rounding), traps=CONTEXT.traps),
            quantizer(rs.header.precision),
        )
        self.rules: dict[int, Fn] = {}
        self.needs: dict[int, list[tuple[str, Fn, Callable[[Any], Any] | None]]] = {}

    def rule(self, index: int) -> Fn:
        fn = self.rules.get(index)
        if fn is None:
            ind = self.rs.indicators[index]
            levels = self.rs.measures[ind.measure].levels if ind.measure is not None else None
            fn = self.rules[index] = compile_expr(
                ind.rule,
                self.rs.checked[ind.id],
                ind.rule_source,
                weight=ind.weight,
                subject=ind.measure,
                subject_levels=levels,
                ranks=self.ranks,
                rounding=self.rounding,
                inexact=self.inexact,
                floored=ind.floored,
            )
        return fn

    def needed(self, index: int) -> list[tuple[str, Fn, Callable[[Any], Any] | None]]:
        """The formulas an indicator's rule reads, directly or through other formulas, in order."""
        found = self.needs.get(index)
        if found is None:
            inputs = set(self.rs.inputs_of(self.rs.indicators[index].id))
            found = self.needs[index] = [f for f in self.formulas if f[0] in inputs]
        return found

    def accepted(self, name: str, values: Sequence[object]) -> list[object]:
        """The values the scorer accepts for an input measure, converted as it converts them."""
        convert = self.converters[name]
        measure = self.rs.measures[name]
        out: list[object] = []
        for value in values:
            try:
                out.append(convert(raw_form(measure, value)))
            except ValueProblem:
                continue
        return out

    def env(self, index: int, values: Mapping[str, object]) -> tuple[dict[str, Any] | None, Outcome | None]:
        """The derived measures computed from converted input values (:meth:`accepted`), or the
        outcome that stops there."""
        env: dict[str, Any] = dict(values)
        for name, fn, check in self.needed(index):
            try:
                value = fn(env, None)
            except KeyError:
                continue
            except EvalFailure as failure:
                return None, Outcome(failure=failure, formula=name)
            except decimal.DecimalException:
                return None, Outcome()
            if check is not None:
                try:
                    check(value)
                except ValueProblem:
                    return None, Outcome()
            env[name] = value
        return env, None

    def run(self, index: int, values: Mapping[str, object]) -> Outcome:
        env, stopped = self.env(index, values)
        if env is None:
            return stopped or Outcome()
        try:
            raw = self.rule(index)(env, None)
        except KeyError:
            return Outcome()
        except EvalFailure as failure:
            return Outcome(failure=failure)
        except decimal.DecimalException:  # numbers beyond Decimal's range: not what lint looks for
            return Outcome()
        return Outcome(raw=raw)


def _snapped(check: Callable[[Any], Any]) -> Callable[[Any], Any]:
    return lambda value: check(snap(value))


#: A rate given as a bare number must be below this when it declares no range (values.py); larger
#: rates are given as percentages, as a user would write them.
_BARE_RATE = Decimal(10)


def raw_form(measure: Measure, value: object) -> object:
    """A candidate as a user would give it: a rate of 10 or more as a percentage ("1500%")."""
    if measure.type == "rate" and isinstance(value, Decimal) and abs(value) >= _BARE_RATE:
        return format(value.scaleb(2, context=CTX), "f") + "%"
    return value


# ---- the values to try ------------------------------------------------------------------------------
def judged_candidates(measure: Measure, dom: object, breakpoints: Sequence[Decimal]) -> list[object]:
    """A judged measure's values to try, as a user writes them: every level alone, and every level
    with points at each breakpoint of 0 or more (the ends of the bands of its scale, for the rule's
    weight) and between each two of them ("达成 9")."""
    levels = [lv for lv in measure.levels or () if not isinstance(dom, frozenset) or lv in dom]
    points = sorted({p for p in breakpoints if p.is_finite() and p >= 0})
    between = [nice_point(Interval(a, b, False, False)) for a, b in itertools.pairwise(points)]
    shown = [format(p.normalize(CTX), "f") for p in [*points, *(b for b in between if b is not None)]]
    return [*levels, *(f"{lv} {p}" for lv in levels for p in shown)]


def candidates(  # noqa: C901 - one branch per measure type and domain shape when choosing values to try
    measure: Measure, dom: object, breakpoints: Sequence[Decimal], poles: Sequence[Decimal] = ()
) -> list[object]:
    """The values of ``measure`` to try: for a numeric measure the ends of its domain ``dom``, the
    ``breakpoints`` inside it (rounded down and up to whole numbers for a count), a point between
    each two of them and points beyond the outermost ones, and points close to each of ``poles``
    (where a divisor is 0, so that the quotient is large); every level; true and false."""
    if measure.type == "bool":
        return [True, False]
    if measure.type == "date":  # its ordinal days, as whole numbers are chosen, then the days they are
        days = candidates(attrs.evolve(measure, type="count"), dom, breakpoints)
        return [from_ordinal(d) for d in days if isinstance(d, Decimal) and 1 <= d <= LAST_DAY] or [dt.date(2000, 1, 1)]
    if measure.type == "level":
        levels = measure.levels or ()
        allowed = dom if isinstance(dom, frozenset) else frozenset(levels)
        return [lv for lv in levels if lv in allowed]
    if measure.type == "judged":
        return judged_candidates(measure, dom, breakpoints)
    if not isinstance(dom, Interval) or dom.empty:
        return [ZERO]
    count = measure.type == "count"
    grid = Decimal(1) if count else None
    with decimal.localcontext(CTX):
        points: set[Decimal] = {ZERO, Decimal(1)}
        for c in breakpoints:
            if not c.is_finite():
                continue
            points.add(c)
            if count:
                points.update((floor(c), ceil(c), floor(c) - 1, ceil(c) + 1))
        edges = sorted({p for p in points if dom.contains(p)} | {e for e in (dom.lo, dom.hi) if e.is_finite()})
        out: list[Decimal] = list(edges)
        for a, b in itertools.pairwise(edges):
            p = nice_point(Interval(a, b, False, False), grid)
            if p is not None:
                out.append(p)
        if edges:
            for far in _FAR:
                out.extend((edges[-1] + far, edges[0] - far))
            for part in (Interval(NINF, edges[0], False, False), Interval(edges[-1], INF, False, False)):
                p = nice_point(dom.intersect(part), grid)
                if p is not None:
                    out.append(p)
        else:
            p = nice_point(dom, grid)
            out.append(p if p is not None else ZERO)
        if not count:
            for pole in poles:
                out.extend(pole + step for step in _NEAR)
        kept: list[object] = []
        seen: set[Decimal] = set()
        for p in out:
            if p in seen or not p.is_finite() or not dom.contains(p) or (count and p != p.to_integral_value()):
                continue
            seen.add(p)
            kept.append(p)
    return kept or [ZERO]


def combos(lists: list[list[object]], limit: int = 2048) -> Iterator[tuple[object, ...]]:
    """Every combination of candidates when there are few; else each candidate of each measure with
    the others at each of their first values, then a fixed random sample."""
    total = 1
    for values in lists:
        total *= max(1, len(values))
    if total <= limit:
        yield from itertools.product(*lists)
        return
    yield tuple(values[0] for values in lists)
    yield tuple(values[-1] for values in lists)
    for base in range(3):
        start = [values[min(base, len(values) - 1)] for values in lists]
        for i, values in enumerate(lists):
            for value in values:
                yield (*start[:i], value, *start[i + 1 :])
    rng = random.Random(0)
    for _ in range(limit):
        yield tuple(rng.choice(values) for values in lists)


def constants(nodes: Sequence[ast.Node], weight: Decimal) -> list[Decimal]:
    """The numbers a rule names, as values a measure may be compared with: every number, points
    and percentages of the weight (a `grade … by` band compares awarded points with them)."""
    out: set[Decimal] = set()
    for root in nodes:
        for node in ast.walk(root):
            if isinstance(node, ast.Number):
                value = Decimal(node.value)
                out.add(value)
                if weight:
                    out.add(CTX.multiply(value, weight))
            elif isinstance(node, ast.Points):
                out.add(Decimal(node.value))
            elif isinstance(node, ast.Date):
                out.add(Decimal(node.value.toordinal()))
    return sorted(out)


def root(fn: Callable[[Decimal], Any], a: Decimal, b: Decimal) -> Decimal | None:
    """Where the line through ``fn(a)`` and ``fn(b)`` meets 0: the root of a divisor that is
    linear in one measure (``value - 90%``, ``2 * n - 7``)."""
    try:
        fa, fb = fn(a), fn(b)
    except (KeyError, EvalFailure, ArithmeticError, TypeError):
        return None
    if not isinstance(fa, Decimal) or not isinstance(fb, Decimal) or fa == fb:
        return None
    with decimal.localcontext(CTX):
        x = a - fa * (b - a) / (fb - fa)
    return x if x.is_finite() else None


def first_value(dom: object, measure: Measure) -> object:
    """A plain value of a measure's domain, for the measures a search holds still."""
    found = candidates(measure, dom, ())
    return found[0]


__all__ = ["Outcome", "Probe", "candidates", "combos", "constants", "first_value", "raw_form", "root"]
