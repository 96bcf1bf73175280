"""Scoring many units at once: the loop behind :meth:`kpirules.Ruleset.evaluate_many`.

``evaluate`` scores one unit with one closure: convert, derive, run each rule, clamp and round,
total, grade. Over many units most of its time goes to the interpreter stepping through that loop
once per unit, not to the arithmetic. ``evaluate_many`` takes the rows in chunks of :data:`CHUNK`
and does each step for the whole chunk:

1. every measure's raw values are converted as one column, with builtins over the column where it
   holds one plain type; texts are parsed once each (:func:`kpirules.columns.column_converter`);
2. every needed derived measure, then every indicator, is computed as one column: by the column
   form the compiler recorded for its closure, where it has one (``a / b``, ``proportional``,
   ``pass if``, ``grade`` …: the same arithmetic over lists, in one ``map`` or comprehension),
   else by its closure row by row;
3. scores are clamped and rounded, totals summed in the order and the context ``evaluate`` sums
   them, grades found by bisection, and one :class:`~kpirules.result.Result` built per row,
   holding exactly what ``evaluate`` puts in it.

The collector of reference cycles is paused while the rows are scored (:func:`_no_cycle_collection`):
a chunk allocates thousands of containers, the results, their tuples and lists, none of them in a
cycle, and each few hundred allocations would otherwise start a collection that walks what has been
made so far (a sixth of the time on Bishan's rows). Reference counting still frees what is dropped;
the collector, if it was on, is on again when the call returns, and finds then whatever cycle there
is to find. Mercurial's ``util.nogc`` does the same for the same reason.

A row the columns cannot score as it stands (a missing or bad value, a key that is not an input
measure, a formula or rule that fails, a row that is not a plain ``dict``) is scored alone by the
same closure as ``evaluate``, which gives the same result or the same errors. No value depends on
how rows fall into chunks.
"""

from __future__ import annotations

import contextlib
import gc
from bisect import bisect_right
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from decimal import Decimal, localcontext
from itertools import islice, repeat
from operator import itemgetter
from typing import TYPE_CHECKING, Any

from .columns import BAD, MISSING, Texts, column_converter
from .errors import ValuesError
from .exact import CONTEXT, ZERO, ColumnFn, Fn, snap
from .result import Result
from .source import unnamed

if TYPE_CHECKING:
    from .ruleset import Ruleset

#: Rows scored together, column by column.
CHUNK = 2048

Env = dict[str, Any]
Runner = Callable[[Any, "str | None", Any, bool, bool], Result]
Many = Callable[[Iterable[Mapping[str, Any]], "str | None", bool], "list[Result | ValuesError]"]
Derived = Sequence[tuple[Any, Fn, "Callable[[Any], Any] | None"]]
Rules = Sequence[tuple[Fn, Decimal, Decimal, str, bool, Decimal]]


class _Node:
    """A derived measure (``target`` names it) or an indicator (``target`` is None), computed for
    a column of rows exactly as the one-unit loop computes it."""

    __slots__ = (
        "check",
        "column",
        "floor",
        "fn",
        "full",
        "inexact",
        "quantize",
        "quantum",
        "reads",
        "target",
        "weight",
        "zero",
    )

    def __init__(
        self,
        target: str | None,
        reads: tuple[str, ...],
        fn: Fn,
        column: ColumnFn | None,
        *,
        check: Callable[[Any], Any] | None = None,
        weight: Decimal = ZERO,
        full: Decimal = ZERO,
        zero: Decimal = ZERO,
        quantize: Callable[[Decimal, Decimal], Decimal] | None = None,
        quantum: Decimal = ZERO,
        inexact: bool = False,
        floor: Decimal = ZERO,
    ) -> None:
        self.target, self.reads, self.fn, self.column, self.check = target, reads, fn, column, check
        self.floor = floor  # at or below it the score is 0 (-Infinity for floor = "none")
        self.weight, self.full, self.zero, self.inexact = weight, full, zero, inexact
        self.quantize, self.quantum = quantize, quantum

    def finish(self, raws: list[Any]) -> list[Any]:
        """A derived measure's values checked against its range; an indicator's points clamped to
        [0, weight] (to the weight only, for floor = "none") and rounded, full and zero scores
        already rounded (as the one-unit loop)."""
        if self.target is not None:
            if self.check is not None:
                for value in raws:
                    self.check(value)
            return raws
        weight, full, zero, quantize, quantum = self.weight, self.full, self.zero, self.quantize, self.quantum
        floor = self.floor
        assert quantize is not None
        if floor != ZERO:  # floor = "none": a negative score that rounds to 0 is 0, not -0
            snapped = snap if self.inexact else _same
            return [full if r is weight or r >= weight else quantize(snapped(r), quantum) or zero for r in raws]
        if self.inexact:  # a score reached through a quotient that may not end is snapped first
            return [
                full if r is weight or r >= weight else zero if r <= floor else quantize(snap(r), quantum) for r in raws
            ]
        return [full if r is weight or r >= weight else zero if r <= floor else quantize(r, quantum) for r in raws]

    def one(self, env: Env) -> Any:
        try:
            return self.finish([self.fn(env, None)])[0]
        except Exception:  # the row is scored alone, which reports it as evaluate() does
            return BAD

    def values(self, columns: Mapping[str, Sequence[Any]], n: int) -> tuple[bool, list[Any]]:
        """``(clean, values)`` for ``n`` rows whose values ``columns`` holds: the value of each row,
        or BAD for one that fails (then ``clean`` is false). The column form when there is one,
        else the closure row by row."""
        try:
            if self.column is not None:
                return True, self.finish(list(self.column(columns, n)))
            return True, self.finish(list(map(self.fn, _envs(self.reads, columns, n), repeat(None))))
        except Exception:  # rare: find the rows that fail
            values = [self.one(env) for env in _envs(self.reads, columns, n)]
            return not any(v is BAD for v in values), values


def make_batch(  # noqa: C901 - builds the column runner: one branch per column form, kept beside the closures it makes
    ruleset: Ruleset,
    run: Runner,
    derived: Derived,
    rules: Rules,
    rounding: tuple[Callable[[Decimal, Decimal], Decimal], Decimal, Decimal],
    columns: Mapping[Fn, ColumnFn],
) -> Many:
    """``evaluate_many`` for ``ruleset``: ``run`` is its one-unit loop, ``derived`` and ``rules``
    its compiled formulas and rules, ``rounding`` its (quantize, quantum, rounded zero),
    ``columns`` the column forms of the closures that have one."""
    quantize, quantum, zero = rounding
    converters = tuple((m.name, column_converter(m)) for m in ruleset.measures.values() if not m.derived)
    names = tuple(name for name, _ in converters)
    inputs = frozenset(names)
    getters = [itemgetter(name) for name in names]
    nodes: list[_Node] = []
    for measure, fn, check in derived:
        reads = tuple(sorted(ruleset.formulas[measure.name].measures))
        nodes.append(_Node(measure.name, reads, fn, columns.get(fn), check=check))
    for ind, (fn, weight, full, _policy, inexact, floor) in zip(ruleset.indicators, rules, strict=True):
        reads = tuple(sorted(ruleset.checked[ind.id].measures))
        nodes.append(
            _Node(
                None,
                reads,
                fn,
                columns.get(fn),
                weight=weight,
                full=full,
                zero=zero,
                quantize=quantize,
                quantum=quantum,
                inexact=inexact,
                floor=floor,
            )
        )
    read = frozenset(name for node in nodes for name in node.reads)
    overrides = [(ruleset.index_of(ind_id), override.score) for ind_id, override in ruleset.overrides.items()]
    # the grade of a total is the label of the highest bound it reaches; ruleset.grades is sorted
    # by bound, highest first, and the first of equal bounds wins
    bounds = [bound for _, bound in reversed(ruleset.grades)]
    labels: list[str | None] = [None, *(label for label, _ in reversed(ruleset.grades))]

    def raw_columns(rows: list[Any]) -> list[Sequence[Any]]:
        # a list per measure: tuples per row would be garbage the collector has to visit
        try:
            return [list(map(get, rows)) for get in getters]
        except KeyError:
            return [[row.get(name) for row in rows] for name in names]

    def score_chunk(  # noqa: C901 - the hot loop over a chunk; inlined branches keep it fast
        chunk: list[Any], units: list[str | None], texts: list[Texts], out: list[Result | ValuesError], apply: bool
    ) -> None:
        n = len(chunk)
        alone: set[int] = set()  # rows to score one by one
        work = chunk
        if set(map(type, chunk)) != {dict} or not all(map(inputs.issuperset, chunk)):
            fits = [type(row) is dict and inputs.issuperset(row) for row in chunk]
            if not any(fits):
                out.extend(_alone(run, chunk, units, apply))
                return
            alone.update(i for i, fit in enumerate(fits) if not fit)
            template = chunk[fits.index(True)]  # stands in for the others in the columns
            work = [row if fit else template for row, fit in zip(chunk, fits, strict=True)]

        conv: dict[str, Sequence[Any]] = {}
        unclean: set[str] = set()  # columns that may hold MISSING or BAD
        for (name, convert), raws, seen in zip(converters, raw_columns(work), texts, strict=True):
            clean, column = convert(raws, seen)
            conv[name] = column
            if not clean:
                unclean.add(name)
                needed = name in read
                alone.update(i for i, v in enumerate(column) if v is BAD or (v is MISSING and needed))

        scores: list[list[Any]] = []
        for node in nodes:
            if unclean.isdisjoint(node.reads):
                clean, column = node.values(conv, n)
            else:  # the rows with a missing or bad value it reads get BAD, the others their values
                usable = [
                    i for i, values in enumerate(zip(*(conv[r] for r in node.reads), strict=True)) if _usable(values)
                ]
                clean, some = node.values({r: [conv[r][i] for i in usable] for r in node.reads}, len(usable))
                column = [BAD] * n
                for i, value in zip(usable, some, strict=True):
                    column[i] = value
                clean = False
            if not clean:
                alone.update(i for i, v in enumerate(column) if v is BAD)
                if node.target is not None:
                    unclean.add(node.target)
            if node.target is not None:
                conv[node.target] = column
            else:
                scores.append(column)

        for column in scores if alone else ():
            for i in alone:
                column[i] = zero  # these rows are scored alone below
        computed: list[tuple[Decimal, ...]] = list(zip(*scores, strict=True)) if scores else [()] * n
        final = computed
        if overrides and apply:
            for index, fixed in overrides:
                scores[index] = [fixed] * n
            final = list(zip(*scores, strict=True))
        with localcontext(CONTEXT):  # zero + first + second …: evaluate()'s sums, in its context
            sums: list[Decimal] = list(map(sum, final, repeat(zero)))
        totals: Sequence[Decimal | None] = sums
        grade_of: Iterable[str | None] = map(labels.__getitem__, map(bisect_right, repeat(bounds), sums))
        more: tuple[Iterable[Any], ...] = ()  # Result's arguments past the unit's name, where given
        if ruleset.hidden:  # rows the table does not show: no total unless each has its score
            hidden, extra = ruleset.hidden_outcome(apply)
            more = (repeat(hidden),)
            if extra is None:  # a row with no score: no total, no grade
                totals, grade_of = [None] * n, repeat(None)
            else:
                totals = sums = [CONTEXT.add(t, extra) for t in sums]
                grade_of = map(labels.__getitem__, map(bisect_right, repeat(bounds), sums))
        results: list[Result | ValuesError] = list(
            map(
                Result,
                repeat(ruleset),
                chunk,
                repeat(None),
                final,
                computed,
                repeat(None),
                totals,
                grade_of,
                units,
                *more,
            )
        )
        for i in sorted(alone):
            results[i] = _alone(run, [chunk[i]], [units[i]], apply)[0]
        out.extend(results)

    def many(rows: Iterable[Mapping[str, Any]], unit_key: str | None, apply: bool) -> list[Result | ValuesError]:
        out: list[Result | ValuesError] = []
        texts = [Texts() for _ in converters]  # per measure, texts already parsed
        it = iter(rows)
        number = 0
        with _no_cycle_collection():
            while chunk := list(islice(it, CHUNK)):
                units: list[str | None] = [None] * len(chunk)
                if unit_key is not None:
                    for i, row in enumerate(chunk):
                        number += 1
                        given = chunk[i] = dict(row)
                        raw_unit = given.pop(unit_key, None)
                        units[i] = str(raw_unit) if raw_unit is not None else unnamed(number)
                score_chunk(chunk, units, texts, out, apply)
        return out

    return many


@contextlib.contextmanager
def _no_cycle_collection() -> Iterator[None]:
    """The cycle collector paused for the block, and on again after it if it was on (see the
    module's docstring). Only the collector is paused: reference counting frees as ever."""
    was_on = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_on:
            gc.enable()


def _alone(run: Runner, rows: list[Any], units: list[str | None], apply: bool) -> list[Result | ValuesError]:
    """Rows scored one by one, as ``evaluate`` scores them."""
    out: list[Result | ValuesError] = []
    for row, unit in zip(rows, units, strict=True):
        try:
            out.append(run(row, unit, None, False, apply))
        except ValuesError as err:
            out.append(err)
    return out


def _envs(reads: tuple[str, ...], columns: Mapping[str, Sequence[Any]], n: int) -> list[Env]:
    """Per row, the values a formula or rule reads, by name."""
    if len(reads) == 1:
        (a,) = reads
        return [{a: x} for x in columns[a]]
    if len(reads) == 2:
        a, b = reads
        return [{a: x, b: y} for x, y in zip(columns[a], columns[b], strict=True)]
    if not reads:
        return [{} for _ in range(n)]
    return [dict(zip(reads, values, strict=True)) for values in zip(*(columns[r] for r in reads), strict=True)]


def _same(value: Decimal) -> Decimal:
    return value


def _usable(values: Iterable[Any]) -> bool:
    return not any(v is BAD or v is MISSING for v in values)
