"""Property checks: explore a ruleset with hypothesis and hold every result to the invariants
(:mod:`kpirules.testing.invariants`) and to the properties its author declares (``monotone``).

A violation comes back shrunk by hypothesis to the simplest values that show it, and printed as a
``[[tests]]`` case that fails until the ruleset is fixed. Runs are deterministic (hypothesis's
``derandomize``), so CI sees the same examples each time.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from decimal import Context, Decimal
from typing import Any

import attrs

from ..errors import KpiRulesError
from ..exact import CONTEXT, clamp, quantizer, rounding_mode, snap
from ..result import Result
from ..ruleset import Ruleset
from .cases import Monotone, Suite
from .invariants import Violation, check_result, indicator_bounds_of, same_outcome
from .strategies import edges, hypothesis_strategies, judged_values, measure_values, values_for
from .toml import case_text, shown_values
from .words import M


@attrs.frozen
class PropertyFailure:
    """A broken invariant or property, the (shrunk) values that show it, and the case to paste."""

    violation: Violation
    values: Mapping[str, Any]
    case: str
    check: str = ""  # the key of the check that broke (``PropertyReport.checked``)


@attrs.define
class PropertyReport:
    path: str
    requested: int = 0  # the examples drawn for each check
    examples: int = 0  # of those drawn for the invariants, the ones scored (not refused)
    failures: list[PropertyFailure] = attrs.Factory(list)
    #: what was checked: (key, words); keys ``invariants``, ``batch``, ``sql``, ``monotone:ID:MEASURE``
    checked: list[tuple[str, str]] = attrs.Factory(list)

    @property
    def broken(self) -> set[str]:
        """The keys of the checks that broke."""
        return {f.check for f in self.failures}

    @property
    def passed(self) -> bool:
        return not self.failures

    def to_dict(self) -> dict[str, Any]:
        return {
            "ruleset": self.path,
            "requested": self.requested,
            "examples": self.examples,
            "checked": [
                {"check": key, "description": words, "passed": key not in self.broken} for key, words in self.checked
            ],
            "failures": [
                {
                    "check": f.check,
                    "kind": f.violation.kind,
                    "indicator": f.violation.indicator,
                    "message": f.violation.message,
                    "values": dict(f.values),
                    "case": f.case,
                }
                for f in self.failures
            ],
        }


class _Found(Exception):
    def __init__(self, violation: Violation, values: Mapping[str, Any], case: str) -> None:
        super().__init__(violation.message)
        self.found = PropertyFailure(violation, dict(values), case)


def _explore(strategy: Any, check: Any, examples: int) -> PropertyFailure | None:
    from hypothesis import HealthCheck, given, settings
    from hypothesis.reporting import with_reporter

    @settings(
        max_examples=examples,
        database=None,
        deadline=None,
        derandomize=True,
        suppress_health_check=list(HealthCheck),
        report_multiple_bugs=False,
    )
    @given(strategy)
    def run(drawn: Any) -> None:
        check(drawn)

    with with_reporter(lambda *_: None):
        try:
            run()
        except _Found as found:
            return found.found
    return None


def check_properties(suite: Suite, examples: int = 200) -> PropertyReport:
    """Explore the ruleset of ``suite`` with ``examples`` drawn units: the invariants, then each
    declared property; every batch of drawn units is also scored by ``evaluate_many``."""
    hypothesis_strategies()  # say which extra to install before anything runs
    rs = suite.ruleset
    report = PropertyReport(str(suite.path), examples)
    bounds = indicator_bounds_of(rs)
    seen: list[tuple[dict[str, Any], Result | KpiRulesError]] = []

    def invariants(values: dict[str, Any]) -> None:
        try:
            result = rs.evaluate(values)
        except KpiRulesError as err:
            if len(seen) < examples:
                seen.append((values, err))
            return
        if len(seen) < examples:
            seen.append((values, result))
        for violation in check_result(result, bounds):
            raise _Found(violation, values, _case_for(rs, violation, values, result))

    report.checked.append(("invariants", M("p_invariants")))
    failure = _explore(values_for(rs), invariants, examples)
    report.examples = sum(1 for _, r in seen if isinstance(r, Result))
    if failure is not None:
        report.failures.append(attrs.evolve(failure, check="invariants"))
    # evaluate == evaluate_many on everything drawn
    report.checked.append(("batch", M("p_batch")))
    rows = [values for values, _ in seen]
    for (values, one), many in zip(seen, rs.evaluate_many(rows), strict=True):
        if not same_outcome(one, many):  # type: ignore[arg-type]
            violation = Violation("batch", M("v_batch", one=_outcome(one), many=_outcome(many)))
            case = case_text(M("c_batch"), shown_values(rs.measures, values))
            report.failures.append(PropertyFailure(violation, values, case, "batch"))
            break
    # and the SQL path on DuckDB, where installed
    from .sqlparity import check_sql

    sql = check_sql(rs, rows)
    if sql is not None:
        report.checked.append(("sql", M("p_sql")))
        for i, violation in sql[:1]:
            case = case_text(M("c_sql"), shown_values(rs.measures, rows[i]))
            report.failures.append(PropertyFailure(violation, rows[i], case, "sql"))
    for prop in suite.properties:
        key = f"monotone:{prop.indicator}:{prop.measure}"
        words = M("p_monotone", id=prop.indicator, direction=M(prop.direction), measure=prop.measure)
        report.checked.append((key, words))
        failure = _monotone(rs, prop, examples, _fill(suite))
        if failure is not None:
            report.failures.append(attrs.evolve(failure, check=key))
    return report


def _outcome(outcome: Any) -> str:
    if isinstance(outcome, Result):
        return str(outcome.total)
    return str(getattr(outcome, "message", outcome)).split("\n")[0]


def _case_for(rs: Ruleset, violation: Violation, values: Mapping[str, Any], result: Result) -> str:
    name = M("c_invariant", kind=violation.kind)
    if violation.indicator is not None:
        reads = set(rs.inputs_of(violation.indicator))
        shown = {k: v for k, v in values.items() if k in reads}
        return case_text(
            name,
            shown_values(rs.measures, shown),
            scores={violation.indicator: result[violation.indicator].score},
            comment=violation.message,
        )
    return case_text(name, shown_values(rs.measures, values), total=result.total, comment=violation.message)


def _rank(rs: Ruleset, measure: str, value: Any) -> Any:
    """Where a value of ``measure`` stands: numbers by size, bools false < true, levels worst to best."""
    m = rs.measures[measure]
    if m.type == "level":
        levels = list(m.levels or ())
        return len(levels) - levels.index(value)
    if m.type == "judged":  # by level, then by points
        levels = list(m.levels or ())
        return (len(levels) - levels.index(str(value)), getattr(value, "points", Decimal(0)))
    if m.type == "bool":
        return int(bool(value))
    return value


def _fill(suite: Suite) -> dict[str, Any]:
    """Values for every input measure: the ruleset's own [values], else an edge of the measure."""
    rs = suite.ruleset
    found = edges(rs)
    fill: dict[str, Any] = {}
    for name, measure in rs.measures.items():
        if measure.derived:
            continue
        if name in suite.raw_values:
            fill[name] = suite.raw_values[name]
        elif measure.type == "bool":
            fill[name] = True
        elif measure.type == "level":
            fill[name] = (measure.levels or ("",))[0]
        elif measure.type == "judged":
            fill[name] = judged_values(rs, measure)[0]
        elif found.get(name):
            fill[name] = found[name][0]
    return fill


def _monotone(rs: Ruleset, prop: Monotone, examples: int, fill: Mapping[str, Any]) -> PropertyFailure | None:
    """Draw the indicator's other inputs and two values of the measure: the score at the better
    one must not be lower (``increasing``) or higher (``decreasing``). The measures the indicator
    does not read keep the ruleset's own values."""
    st = hypothesis_strategies()
    measure = rs.measures[prop.measure]
    index = rs.index_of(prop.indicator)
    ind = rs.indicators[index]
    reads = set(rs.inputs_of(prop.indicator))
    if measure.derived:
        points = _derived_values(rs, prop.measure)
    else:
        points = measure_values(rs, prop.measure, edges(rs).get(prop.measure))
    others = values_for(rs, only=lambda n: n in reads and n != prop.measure)
    strategy = st.tuples(others, points, points)
    convert = None if measure.derived else _converter(measure)
    rounding = Context(prec=CONTEXT.prec, rounding=rounding_mode(rs.header.rounding))
    quantum = quantizer(rs.header.precision)

    def score_at(base: dict[str, Any], value: Any) -> Decimal | None:
        """The indicator's score with ``measure`` at ``value``, the rest of ``base`` held still."""
        if not measure.derived:
            try:
                return rs.evaluate({**fill, **base, prop.measure: value})[prop.indicator].score
            except KpiRulesError:
                return None
        try:
            env = rs.prepare({**fill, **base})
        except KpiRulesError:
            return None
        env[prop.measure] = value
        raw = rs.raw_score(index, env)
        if raw is None:
            return None
        clamped = clamp(raw, ind.weight, ind.floored)
        # floor = "none": a negative score that rounds to 0 is 0, not -0
        return rounding.quantize(snap(clamped), quantum) or rounding.quantize(Decimal(0), quantum)

    def check(drawn: tuple[dict[str, Any], Any, Any]) -> None:
        base, a, b = drawn
        ka = _rank(rs, prop.measure, convert(a) if convert else a)
        kb = _rank(rs, prop.measure, convert(b) if convert else b)
        if ka is None or kb is None or ka == kb:
            return
        lo, hi = (a, b) if ka < kb else (b, a)
        s_lo, s_hi = score_at(base, lo), score_at(base, hi)
        if s_lo is None or s_hi is None:
            return
        bad = s_hi < s_lo if prop.direction == "increasing" else s_hi > s_lo
        if not bad:
            return
        shown_lo, shown_hi = _show(measure.type, lo), _show(measure.type, hi)
        message = M(
            f"v_monotone_{prop.direction}",
            id=prop.indicator,
            measure=prop.measure,
            lo=shown_lo,
            hi=shown_hi,
            s_lo=s_lo,
            s_hi=s_hi,
        )
        violation = Violation("monotone", message, prop.indicator)
        reads = [n for n in rs.inputs_of(prop.indicator) if not rs.measures[n].derived]
        values = {n: base[n] for n in reads if n in base and n != prop.measure}
        if not measure.derived:
            values[prop.measure] = hi
        name = M("c_monotone", id=prop.indicator, direction=M(prop.direction), measure=prop.measure)
        # the case the property asks for: at the better value, at least (at most) the score of the worse one
        case = case_text(name, shown_values(rs.measures, values), scores={prop.indicator: s_lo}, comment=message)
        raise _Found(violation, {**values, prop.measure: hi}, case)

    return _explore(strategy, check, examples)


def _converter(measure: Any) -> Any:
    from ..values import ValueProblem, converter

    convert = converter(measure)

    def safe(value: Any) -> Any:
        try:
            return convert(value)
        except ValueProblem:
            return None

    return safe


def _derived_values(rs: Ruleset, name: str) -> Any:
    """Values of a derived measure to put in its place (a formula's result is not drawn: its
    domain, with the rules' own numbers)."""
    st = hypothesis_strategies()
    measure = rs.measures[name]
    if measure.type == "bool":
        return st.booleans()
    if measure.type in ("level", "judged"):
        return st.sampled_from(list(measure.levels or ()))
    if measure.type == "date":
        return st.dates(min_value=datetime.date(2000, 1, 1), max_value=datetime.date(2099, 12, 31))
    lo = Decimal(0) if measure.type != "number" else Decimal(-1000)
    hi = Decimal(2) if measure.type == "rate" else Decimal(1000)
    return st.decimals(min_value=lo, max_value=hi, places=4, allow_nan=False, allow_infinity=False)


def _show(kind: str, value: Any) -> str:
    if kind == "rate" and isinstance(value, Decimal):
        return format(value.scaleb(2).normalize(), "f") + "%"
    return str(value)
