"""Properties of the linter's analysis that a wrong implementation would break.

* Tiers: the linter reports a gap (KPI-G201) exactly when a brute-force scan finds a value of the
  measure's range that no band matches — the scan evaluates the ruleset at every band edge, between
  edges and beyond them, so it sees every piece a union of bands can leave out — and every witness
  really falls through when the ruleset is evaluated at it.
* Bounds: for random rules and in-range values, the interval the analysis gives for the raw score
  contains the raw score the evaluator computes (rules built from every scoring form, and rules
  drawn from the grammar itself).
* The linter never raises on a rule drawn from the grammar: every problem is a diagnostic.
"""

from __future__ import annotations

import itertools
from decimal import Decimal
from typing import Any

import grammar_gen
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

import kpirules
from kpirules.linter import lint_text
from kpirules.linter.analysis import indicator_bounds

D = Decimal
RATE_EDGES = [f"{5 * k}%" for k in range(0, 25)]  # 0 % … 120 %, so that edges coincide often
COUNT_EDGES = [str(k) for k in range(0, 13)]
OPS = [">=", ">", "<=", "<", "==", "!="]


# ---- tiers: gaps against a brute-force scan ------------------------------------------------------
@st.composite
def tiers_case(draw: Any) -> tuple[str, str, list[str], bool]:
    kind = draw(st.sampled_from(["rate", "count"]))
    edges = RATE_EDGES if kind == "rate" else COUNT_EDGES
    declared = draw(st.booleans())
    measure = f'[measures.x]\ntype = "{kind}"\n'
    if declared:
        lo, hi = sorted(draw(st.lists(st.sampled_from(edges), min_size=2, max_size=2)), key=_value)
        measure += f"range = [{_value(lo)}, {_value(hi)}]\n"
    bands = []
    for _ in range(draw(st.integers(1, 5))):
        if draw(st.booleans()):
            bands.append(f"{draw(st.sampled_from(OPS))} {draw(st.sampled_from(edges))}")
        else:
            a, b = sorted(draw(st.lists(st.sampled_from(edges), min_size=2, max_size=2)), key=_value)
            bands.append(f"{draw(st.sampled_from('[('))}{a}, {b}{draw(st.sampled_from('])'))}")
    has_else = draw(st.integers(0, 9)) == 0
    if has_else:
        bands.append("else")
    return kind, measure, bands, has_else


def _value(text: str) -> Decimal:
    return D(text[:-1]) / 100 if text.endswith("%") else D(text)


def _points(kind: str, bands: list[str], measure: str) -> list[Decimal]:
    """Every value a brute-force scan needs: the edges, between them, and beyond them."""
    edges = sorted({_value(e) for e in (RATE_EDGES if kind == "rate" else COUNT_EDGES)} | {D(0)})
    if kind == "count":
        return [D(k) for k in range(0, 15)] + [D(1000)]
    points = list(edges)
    points += [(a + b) / 2 for a, b in itertools.pairwise(edges)]
    points += [edges[-1] + D("0.01"), D(5), D(-1)]
    return points


def _text(measure: str, bands: list[str]) -> str:
    rule = "tiers { " + ", ".join(f"{b}: zero" for b in bands) + " }"
    head = '[ruleset]\nid = "p"\ntotal = 10\n\n'
    return f'{head}{measure}\n[[indicators]]\nid = "i"\nweight = 10\nmeasure = "x"\nrule = "{rule}"\n'


def _falls_through(rs: kpirules.Ruleset, value: object) -> bool | None:
    """True when no band matches ``value``; None when the value is outside the measure's range."""
    try:
        rs.evaluate({"x": value})
    except kpirules.EvaluationError as err:
        assert "no band of these tiers matches" in err.message, err.message
        return True
    except kpirules.ValuesError:
        return None  # refused: outside the declared range, or not a count
    return False


@settings(max_examples=500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(case=tiers_case())
def test_a_gap_is_reported_exactly_when_a_value_falls_through(case: tuple[str, str, list[str], bool]) -> None:
    kind, measure, bands, _ = case
    text = _text(measure, bands)
    rs = kpirules.loads(text)
    found = [d for d in lint_text(text, "p.toml") if d.code == "KPI-G201"]
    uncovered = [p for p in _points(kind, bands, measure) if _falls_through(rs, p)]
    if kind == "rate" and "range" not in measure:
        uncovered = [p for p in uncovered if p >= 0]  # the natural range of a rate starts at 0
    assert bool(found) == bool(uncovered), (text, found, uncovered[:3])
    for diagnostic in found:
        assert diagnostic.witness is not None
        (value,) = diagnostic.witness.values()
        assert _falls_through(rs, value) is True, (text, value)


def test_the_brute_force_scan_sees_point_gaps() -> None:
    """The scan is not vacuous: a gap of one point is found by it and by the linter."""
    text = _text('[measures.x]\ntype = "rate"\n', ["[0, 10%)", "(10%, 20%]", "> 20%"])
    rs = kpirules.loads(text)
    assert [p for p in _points("rate", [], "") if _falls_through(rs, p) and p >= 0] == [D("0.1")]
    assert [d.witness for d in lint_text(text, "p.toml") if d.code == "KPI-G201"] == [{"x": "10%"}]


# ---- bounds: the interval contains every computed score -------------------------------------------
MEASURES = (
    '[measures.x]\ntype = "rate"\n{range}\n'
    '[measures.n]\ntype = "count"\n'
    '[measures.ok]\ntype = "bool"\n'
    '[measures.r]\ntype = "level"\nlevels = ["优", "良", "中", "差"]\n'
    '[measures.d]\ntype = "rate"\nformula = "n / (n + 1)"\n'
    '[measures.e]\ntype = "number"\nformula = "round(x * 2 - 50%, 1)"\n'
)
CONDITIONS = ["ok", "not ok", "x >= 50%", "x < 80%", "n > 3", "n == 0", "r >= 良", "ok and x >= 90%", "n == 0 or ok"]
POINTS = ["full", "zero", "2 pts", "7.5 pts", "12 pts", "80%", "150%", "0.5 pts"]


def score_rule(depth: int) -> st.SearchStrategy[str]:
    leaves = st.one_of(
        st.sampled_from(POINTS),
        st.sampled_from(
            [
                "proportional",
                "proportional to 95%",
                "proportional inverse to 2%",
                "proportional (n / 10)",
                "deduct 0.5 pts per 1% below 95%",
                "deduct 2 pts per whole 5% below 100%",
                "deduct 2 pts per started 1% below 100%",
                "deduct 1 pt per 1% above 20%",
                "deduct 0.5 pts each",
                "grade r { 优: full, 良: 80%, 中: 60%, 差: zero }",
                "checklist { ok: 4 pts, x >= 50%: 4 pts, n > 3: 4 pts }",
                "tiers { >= 90%: full, [60%, 90%): 60%, else: 1 pt }",
                "tiers n { == 0: full, <= 3: 5 pts, else: zero }",
                "proportional d",
                "tiers d { >= 50%: full, else: 2 pts }",
                "full * e",
            ]
        ),
    )
    if depth == 0:
        return leaves
    sub = score_rule(depth - 1)
    return st.one_of(
        leaves,
        st.tuples(sub, sub).map(lambda ab: f"({ab[0]}) + ({ab[1]})"),
        st.tuples(sub, sub).map(lambda ab: f"({ab[0]}) - ({ab[1]})"),
        st.tuples(sub, sub).map(lambda ab: f"min({ab[0]}, {ab[1]})"),
        st.tuples(sub, sub).map(lambda ab: f"max({ab[0]}, {ab[1]})"),
        st.tuples(sub, st.sampled_from(["0.5", "2", "x", "n"])).map(lambda ab: f"{ab[1]} * ({ab[0]})"),
        st.tuples(st.sampled_from(CONDITIONS), sub, sub).map(lambda c: f"if {c[0]} then ({c[1]}) else ({c[2]})"),
        st.tuples(st.sampled_from(CONDITIONS), sub).map(lambda c: f"pass if {c[0]} else ({c[1]})"),
        st.tuples(sub, sub).map(lambda ab: f"tiers {{ >= 90%: ({ab[0]}), < 30%: zero, else: ({ab[1]}) }}"),
    )


def _ruleset(rule: str, declared: bool) -> str:
    measures = MEASURES.format(range="range = [0, 1]\n" if declared else "")
    head = '[ruleset]\nid = "b"\ntotal = 10\n\n'
    return f'{head}{measures}\n[[indicators]]\nid = "i"\nweight = 10\nmeasure = "x"\nrule = "{rule}"\n'


unit = st.fixed_dictionaries(
    {
        "x": st.decimals(min_value=0, max_value=3, places=4),
        "n": st.integers(0, 60),
        "ok": st.booleans(),
        "r": st.sampled_from(["优", "良", "中", "差"]),
    }
)


def _contains(bound: Any, raw: Decimal) -> bool:
    tol = D("1e-40") * max(D(1), abs(raw))  # the evaluator rounds quotients to 60 digits
    lo_ok = raw > bound.lo - tol if not bound.lo_closed else raw >= bound.lo - tol
    hi_ok = raw < bound.hi + tol if not bound.hi_closed else raw <= bound.hi + tol
    return lo_ok and hi_ok


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rule=score_rule(2), declared=st.booleans(), values=st.lists(unit, min_size=1, max_size=6))
def test_the_score_interval_contains_every_computed_score(
    rule: str, declared: bool, values: list[dict[str, Any]]
) -> None:
    rs = kpirules.loads(_ruleset(rule, declared))
    bound = indicator_bounds(rs, "i")
    for row in values:
        if declared and row["x"] > 1:
            row = {**row, "x": row["x"] / 3}
        try:
            raw = rs.evaluate(row)["i"].raw
        except kpirules.ValuesError:
            continue
        assert raw is not None
        assert _contains(bound, raw), (rule, row, raw, bound)


def test_the_bounds_are_tight_where_they_should_be() -> None:
    rs = kpirules.loads(_ruleset("2 pts + proportional", True))
    bound = indicator_bounds(rs, "i")
    assert (bound.lo, bound.hi) == (D(2), D(12))
    rs = kpirules.loads(_ruleset("deduct 0.5 pts per 1% below 95%", True))
    assert (indicator_bounds(rs, "i").lo, indicator_bounds(rs, "i").hi) == (D(0), D(10))


# ---- rules from the grammar ---------------------------------------------------------------------------
GRAMMAR_MEASURES = (
    '[measures.x]\ntype = "number"\n[measures.rate]\ntype = "rate"\n'
    '[measures.n]\ntype = "count"\n[measures.ok]\ntype = "bool"\n'
    '[measures.rating]\ntype = "level"\nlevels = ["优", "良", "中", "差"]\n'
)
grammar_values = st.fixed_dictionaries(
    {
        "x": st.decimals(min_value=-50, max_value=50, places=2),
        "rate": st.decimals(min_value=0, max_value=2, places=3),
        "n": st.integers(0, 30),
        "ok": st.booleans(),
        "rating": st.sampled_from(["优", "良", "中", "差"]),
    }
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
@given(data=st.data())
def test_grammar_rules_lint_without_raising_and_bounds_hold(data: Any) -> None:
    rule = data.draw(grammar_gen.rules())
    assume(len(rule) < 1500)
    text = (
        f'[ruleset]\nid = "g"\n{GRAMMAR_MEASURES}'
        f'[[indicators]]\nid = "i"\nweight = 10\nmeasure = "x"\nrule = """{rule.replace(chr(92), "")}"""\n'
    )
    diagnostics = lint_text(text, "g.toml")  # never raises: every problem is a diagnostic
    assert all(d.line >= 1 and d.column >= 1 for d in diagnostics)
    try:
        rs = kpirules.loads(text)
    except kpirules.KpiRulesError:
        assert any(d.severity == "error" for d in diagnostics)
        return
    bound = indicator_bounds(rs, "i")
    for _ in range(3):
        try:
            raw = rs.evaluate(data.draw(grammar_values))["i"].raw
        except kpirules.ValuesError:
            continue
        if raw is not None:
            assert _contains(bound, raw), (rule, raw, bound)


@pytest.mark.parametrize("rule", ["proportional * 2", "full - 0.5 pts * n", "tiers { >= 50%: 15 pts, else: zero }"])
def test_overshooting_rules_are_found_and_the_witness_overshoots(rule: str) -> None:
    text = _ruleset(rule, False)
    found = [d for d in lint_text(text, "b.toml") if d.code in ("KPI-B301", "KPI-B302")]
    assert len(found) == 1 and found[0].witness is not None
    raw = kpirules.loads(text).evaluate({"x": "0", "n": 0, "ok": True, "r": "优", **found[0].witness})["i"].raw
    assert raw is not None and (raw > 10 if found[0].code == "KPI-B301" else raw < 0)
