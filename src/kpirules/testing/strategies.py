"""Hypothesis strategies for a ruleset's values: for property tests of rulesets and of code that
embeds kpirules.

* :func:`values_for` draws one unit's raw values: every input measure, from its declared type and
  range, half the time from its edges (:func:`edges`);
* :func:`edge_values` draws every measure from its edges only;
* :func:`units_for` draws a list of ``n`` units, each with a ``unit`` key, for
  ``ruleset.evaluate_many(rows, unit_key="unit")``.

A measure's edges are the values where a rule changes its mind and the values around them: the
ends of its range, every number the rules that read it name (band bounds, targets, limits), a
point between each two and beyond them (the linter's candidates, :func:`kpirules.linter.probe.candidates`),
and its value in ``[values]`` (with, for a measure a formula divides, that value times each bound,
so that ``spent / budget`` lands on ``95%``).

hypothesis is imported when a strategy is built; without it they raise an ImportError that says
which extra to install (``pip install "kpirules[testing]"``).
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from .. import ast
from ..dates import from_ordinal
from ..linter.analysis import derived_domains, formula_order
from ..linter.probe import candidates, constants, raw_form
from ..model import Measure
from ..plan.space import judged_choices
from ..ruleset import Ruleset
from ..values import ValueProblem, converter, judged_text
from .words import M

if TYPE_CHECKING:
    from hypothesis.strategies import SearchStrategy

#: How far a numeric measure without a declared upper end is drawn, by type.
_SPAN = {"rate": Decimal(2), "count": Decimal(10**6), "amount": Decimal(10**9), "number": Decimal(10**6)}
_PLACES = {"rate": 4, "amount": 2, "number": 4}


def hypothesis_strategies() -> Any:
    try:
        import hypothesis.strategies as st
    except ImportError as err:  # pragma: no cover - hypothesis is a test dependency
        raise ImportError(M("needs_hypothesis")) from err
    return st


def input_measures(ruleset: Ruleset) -> list[str]:
    """The measures a unit gives values for (not derived), in the ruleset's order."""
    return [name for name, m in ruleset.measures.items() if not m.derived]


def edges(ruleset: Ruleset) -> dict[str, list[Any]]:
    """Each input measure's edge values, raw as a user writes them, each accepted by the scorer."""
    order = formula_order(ruleset)
    domains = derived_domains(ruleset.measures, ruleset.formulas, order)
    # the numbers each input measure is compared with: those of every rule and formula reading it
    named: dict[str, set[Decimal]] = {name: set() for name in input_measures(ruleset)}
    for ind in ruleset.indicators:
        nodes: list[ast.Node] = [ind.rule]
        reads = ruleset.inputs_of(ind.id)
        nodes += [m.formula for n in reads if (m := ruleset.measures[n]).formula is not None]
        found = constants(nodes, ind.weight)
        for name in reads:
            if name in named:
                named[name].update(found)
    out: dict[str, list[Any]] = {}
    for name, points in named.items():
        measure = ruleset.measures[name]
        breakpoints = sorted(points)
        own = ruleset.values.get(name)
        if isinstance(own, Decimal) and own and not isinstance(own, bool):
            breakpoints += [own * c for c in breakpoints if c]
        raw = candidates(measure, domains.get(name), breakpoints)
        if own is not None:
            raw = [own, *raw]
        out[name] = _accepted(measure, raw)
    return out


def _accepted(measure: Measure, raw: list[Any]) -> list[Any]:
    convert = converter(measure)
    kept: list[Any] = []
    seen: set[Any] = set()
    for value in raw:
        shown = raw_form(measure, value)
        try:
            converted = convert(shown)
        except (ValueProblem, ArithmeticError):
            continue
        key = (type(converted), converted)
        if key in seen:
            continue
        seen.add(key)
        kept.append(shown)
    return kept


def measure_values(ruleset: Ruleset, name: str, edge: list[Any] | None = None) -> SearchStrategy[Any]:
    """Raw values of one input measure: its edges half the time, else any value its type and
    declared range allow."""
    st = hypothesis_strategies()
    measure = ruleset.measures[name]
    strategy: SearchStrategy[Any]
    if measure.type == "bool":
        strategy = st.booleans()
    elif measure.type == "level":
        strategy = st.sampled_from(list(measure.levels or ()))
    elif measure.type == "judged":  # each level, and each with the most points its band allows
        strategy = st.sampled_from(judged_values(ruleset, measure))
    else:
        strategy = _general(st, measure)
        found = edge if edge is not None else edges(ruleset).get(name, [])
        if found:
            strategy = st.one_of(st.sampled_from(found), strategy)
    return strategy


def judged_values(ruleset: Ruleset, measure: Measure) -> list[Any]:
    """A judged measure's raw values to draw: its levels with the most points their bands allow
    (``"达成 10"``), then its levels alone."""
    tops = [judged_text(v) for v in judged_choices(ruleset, measure)]
    return [*dict.fromkeys([*tops, *(measure.levels or ())])]


_LAST = datetime.date(2099, 12, 31)


def _general(st: Any, measure: Measure) -> Any:
    if measure.type == "date":  # within its range (held as ordinal days), else this century
        first, last = measure.range or (Decimal(datetime.date(2000, 1, 1).toordinal()), Decimal(_LAST.toordinal()))
        return st.dates(min_value=from_ordinal(first), max_value=from_ordinal(last))
    if measure.range is not None:
        lo, hi = Decimal(str(measure.range[0])), Decimal(str(measure.range[1]))
    else:
        lo = Decimal(-(10**6)) if measure.type == "number" else Decimal(0)
        hi = lo + _SPAN[measure.type] if measure.type != "number" else _SPAN["number"]
    if measure.type == "count":
        return st.integers(min_value=int(max(lo, Decimal(0)).to_integral_value()), max_value=int(hi))
    places = _PLACES.get(measure.type, 4)
    strategy = st.decimals(min_value=lo, max_value=hi, places=places, allow_nan=False, allow_infinity=False)
    if measure.type == "rate":  # a bare rate of 10 or more is written as a percentage
        strategy = strategy.map(lambda v: raw_form(measure, v))
    return strategy


def values_for(ruleset: Ruleset, *, only: Callable[[str], bool] | None = None) -> SearchStrategy[dict[str, Any]]:
    """One unit's raw values: every input measure (``only`` may keep fewer), drawn by
    :func:`measure_values`."""
    st = hypothesis_strategies()
    found = edges(ruleset)
    strategy: SearchStrategy[dict[str, Any]] = st.fixed_dictionaries(
        {
            name: measure_values(ruleset, name, found.get(name))
            for name in input_measures(ruleset)
            if only is None or only(name)
        }
    )
    return strategy


def edge_values(ruleset: Ruleset) -> SearchStrategy[dict[str, Any]]:
    """One unit's raw values, every measure at one of its edges (bools and levels: any)."""
    st = hypothesis_strategies()
    found = edges(ruleset)
    fields = {}
    for name in input_measures(ruleset):
        measure = ruleset.measures[name]
        if measure.type in ("bool", "level", "judged") or not found.get(name):
            fields[name] = measure_values(ruleset, name, [])
        else:
            fields[name] = st.sampled_from(found[name])
    strategy: SearchStrategy[dict[str, Any]] = st.fixed_dictionaries(fields)
    return strategy


def units_for(ruleset: Ruleset, n: int) -> SearchStrategy[list[dict[str, Any]]]:
    """``n`` units' raw values, each with a ``unit`` key (``u1`` …), for
    ``ruleset.evaluate_many(rows, unit_key="unit")``."""
    st = hypothesis_strategies()
    one = values_for(ruleset)
    strategy: SearchStrategy[list[dict[str, Any]]] = st.lists(one, min_size=n, max_size=n).map(
        lambda rows: [{"unit": f"u{i + 1}", **row} for i, row in enumerate(rows)]
    )
    return strategy


__all__ = ["edge_values", "edges", "input_measures", "measure_values", "units_for", "values_for"]
