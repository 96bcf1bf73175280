"""Lint reports what evaluation meets (issue 10, item 3): a differential test.

Rulesets are generated (rules from the scoring forms and from the grammar itself, measures of every
kind, with and without declared ranges, a derived measure, odd weights), then scored on generated
values. Whatever evaluation meets on those values, lint must have reported, with a witness that
shows it:

* points above the weight before clamping (``Result.raw``): KPI-B301;
* points below 0 before clamping: KPI-B302;
* a division, a target or a step that is 0: KPI-B303;
* a value no band of a tiers matches: KPI-G201;
* a level a grade has no band for: KPI-G203.

Each witness is then scored itself and must meet the same thing. Bounded in time: a few seconds.
"""

from __future__ import annotations

import functools
import re
from decimal import Decimal
from typing import Any

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

import kpirules
from kpirules.linter import Diagnostic, lint_text

D = Decimal

# ---- measures --------------------------------------------------------------------------------------
KINDS = {
    "number": [None, "[-5, 5]", "[0, 100]"],
    "rate": [None, "[0, 1]", "[-1, 1]", "[0, 2]"],
    "count": [None, "[0, 10]"],
    "amount": [None, "[0, 1000]"],
}


@st.composite
def measures(draw: Any) -> tuple[str, dict[str, str]]:
    """The [measures] of a ruleset: x of a drawn kind and range, n and m counts, ok a bool, r a
    level, and sometimes d, a rate derived from n and m."""
    kind = draw(st.sampled_from(sorted(KINDS)))
    rng = draw(st.sampled_from(KINDS[kind]))
    types = {"x": kind, "n": "count", "m": "count", "ok": "bool", "r": "level"}
    text = f'[measures.x]\ntype = "{kind}"\n' + (f"range = {rng}\n" if rng else "")
    text += '[measures.n]\ntype = "count"\n[measures.m]\ntype = "count"\n'
    text += '[measures.ok]\ntype = "bool"\n[measures.r]\ntype = "level"\nlevels = ["优", "良", "中", "差"]\n'
    if draw(st.booleans()):
        formula = draw(st.sampled_from(["n / (n + m)", "if n + m == 0 then 0 else n / (n + m)", "(n - m) / 10"]))
        text += f'[measures.d]\ntype = "rate"\nformula = "{formula}"\n'
        types["d"] = "derived"
    return text, types


# ---- rules ------------------------------------------------------------------------------------------
CONST = ["0", "0.5", "1", "2.5", "3", "7", "0.001", "90%", "95%", "100%", "150%", "50%", "-20%"]
POINTS = ["full", "zero", "1 pt", "2 pts", "12 pts", "80%", "150%", "0.5 pts", "-1 pt"]
NUM = ["x", "n", "m", "value"]
CONDITIONS = ["ok", "not ok", "x >= 50%", "x < 90%", "n > 3", "n <= 0.001", "n == m", "r >= 良", "x > n"]


@functools.cache
def number(depth: int) -> st.SearchStrategy[str]:
    leaf = st.one_of(st.sampled_from(NUM), st.sampled_from(CONST))
    if depth == 0:
        return leaf
    sub = number(depth - 1)
    return st.one_of(
        leaf,
        st.tuples(sub, st.sampled_from("+-*/"), sub).map(lambda t: f"({t[0]} {t[1]} {t[2]})"),
        st.tuples(sub, sub).map(lambda t: f"min({t[0]}, {t[1]})"),
    )


@functools.cache
def score(depth: int) -> st.SearchStrategy[str]:
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
                "deduct 1 pt per 1% above 20%",
                "deduct 0.5 pts each",
                "grade r { 优: full, 良: 80%, 中: 60%, 差: zero }",
                "grade r { 优: full, 良: 80% }",
                "checklist { ok: 4 pts, x >= 50%: 4 pts, n > 3: 150% }",
                "tiers { >= 90%: full, [60%, 90%): 60%, else: 1 pt }",
                "tiers { >= 90%: full, [60%, 80%): 60%, < 50%: zero }",
                "tiers n { == 0: full, <= 3: 5 pts, else: zero }",
                "tiers n { == 0: full, [2, 3]: 5 pts, > 3.5: zero }",
                "tiers { >= m: full, < 50%: zero }",
                "tiers (n - m) { >= 0: full, <= -3: zero }",
                "pass if n <= 0.001 else 12 pts",
                "full * 80% * n + 1 pt",
                "value * full",
                "n * 80%",
            ]
        ),
        st.tuples(number(1), st.sampled_from(POINTS)).map(lambda t: f"proportional ({t[0]}) * {t[1]}"),
        number(2).map(lambda e: f"proportional ({e})"),
        number(1).map(lambda e: f"{e} * 1 pt"),
        st.tuples(number(1), st.sampled_from(["90%", "0", "3"])).map(
            lambda t: f"tiers ({t[0]}) {{ >= {t[1]}: full, < 0: zero }}"
        ),
    )
    if depth == 0:
        return leaves
    sub = score(depth - 1)
    return st.one_of(
        leaves,
        st.tuples(sub, sub).map(lambda ab: f"({ab[0]}) + ({ab[1]})"),
        st.tuples(sub, sub).map(lambda ab: f"({ab[0]}) - ({ab[1]})"),
        st.tuples(sub, st.sampled_from(["0.5", "2", "x", "n"])).map(lambda ab: f"{ab[1]} * ({ab[0]})"),
        st.tuples(st.sampled_from(CONDITIONS), sub, sub).map(lambda c: f"if {c[0]} then ({c[1]}) else ({c[2]})"),
        st.tuples(st.sampled_from(CONDITIONS), sub).map(lambda c: f"pass if {c[0]} else ({c[1]})"),
    )


@functools.cache
def grammar_rules() -> st.SearchStrategy[str]:
    import grammar_gen

    return grammar_gen.rules().filter(lambda r: len(r) < 400).map(lambda r: r.replace("\\", ""))


# ---- values -----------------------------------------------------------------------------------------
def value_of(kind: str, rng: tuple[D, D] | None) -> st.SearchStrategy[Any]:
    """A value the scorer accepts for a measure, as a user would write it."""
    if kind == "count":
        hi = int(rng[1]) if rng else 40
        return st.integers(0, hi)
    lo, hi = rng if rng else ((D(-60), D(60)) if kind == "number" else (D(0), D(3) if kind == "rate" else D(2000)))
    special = [v for v in (D(0), D("0.5"), D("0.9"), D("0.95"), D(1), D("2.5"), D(3), D(7)) if lo <= v <= hi]
    drawn = st.decimals(min_value=lo, max_value=hi, places=3 if kind == "rate" else 2)
    values = st.one_of(st.sampled_from(special), drawn) if special else drawn
    if kind == "rate":
        return values.map(lambda v: f"{v * 100}%")  # as percentages: 150% is 150 %, whatever its range
    return values


@st.composite
def units(draw: Any, text: str, types: dict[str, str]) -> list[dict[str, Any]]:
    found = re.search(r'\[measures\.x\]\ntype = "(\w+)"\n(?:range = \[(\S+), (\S+)\]\n)?', text)
    assert found is not None
    kind = found.group(1)
    rng = (D(found.group(2)), D(found.group(3))) if found.group(2) else None
    row = st.fixed_dictionaries(
        {
            "x": value_of(kind, rng),
            "n": st.integers(0, 12),
            "m": st.integers(0, 12),
            "ok": st.booleans(),
            "r": st.sampled_from(["优", "良", "中", "差"]),
        }
    )
    return draw(st.lists(row, min_size=4, max_size=12))


# ---- what evaluation met ----------------------------------------------------------------------------
def met(rs: kpirules.Ruleset, row: dict[str, Any], weight: D) -> set[str]:
    """The codes of what scoring ``row`` meets."""
    try:
        raw = rs.evaluate(row)["i"].raw
    except kpirules.ValuesError as err:
        out = set()
        for problem in err.problems:
            message = problem.message
            if "division by zero" in message or re.search(r"the (target|step) `[^`]*` is 0", message):
                out.add("KPI-B303")
            elif "no band of these tiers matches" in message:
                out.add("KPI-G201")
            elif "the grade has no band" in message:
                out.add("KPI-G203")
        return out
    assert raw is not None
    if raw > weight:
        return {"KPI-B301"}
    if raw < 0:
        return {"KPI-B302"}
    return set()


def check(text: str, rows: list[dict[str, Any]], weight: D) -> None:
    try:
        rs = kpirules.loads(text, name="g.toml")
    except kpirules.KpiRulesError:
        return
    diagnostics = lint_text(text, "g.toml")
    reported: dict[str, list[Diagnostic]] = {}
    for d in diagnostics:
        reported.setdefault(d.code, []).append(d)
    base = {"x": 0, "n": 0, "m": 0, "ok": True, "r": "优"}
    for row in rows:
        for code in met(rs, row, weight):
            assert code in reported, (code, row, [(d.code, d.message) for d in diagnostics])
            # a witness, or a rule that fails whatever the values (a constant divided by 0)
            shown = [d for d in reported[code] if d.witness or re.search("always|whatever the values", d.message)]
            assert shown, (code, row, reported[code])
            if code in ("KPI-B301", "KPI-B302"):  # a witness made of measured values shows it
                assert any(code in met(rs, {**base, **row, **(d.witness or {})}, weight) for d in shown), (code, shown)


@st.composite
def cases(draw: Any) -> tuple[str, list[dict[str, Any]], D]:
    text, types = draw(measures())
    rule = draw(st.one_of(score(2), grammar_rules()) if draw(st.integers(0, 4)) == 0 else score(2))
    assume("d" in types or not re.search(r"\bd\b", rule))
    weight = draw(st.sampled_from(["0.5", "1.5", "2", "10"]))
    subject = draw(st.sampled_from(["x", "n", "d" if "d" in types else "x"]))
    full = (
        f'[ruleset]\nid = "g"\ntotal = {weight}\n{text}'
        f'[[indicators]]\nid = "i"\nweight = {weight}\nmeasure = "{subject}"\nrule = """{rule}"""\n'
    )
    return full, draw(units(full, types)), D(weight)


@settings(
    max_examples=120,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much, HealthCheck.data_too_large],
)
@given(case=cases())
def test_lint_reports_whatever_evaluation_meets(case: tuple[str, list[dict[str, Any]], D]) -> None:
    text, rows, weight = case
    check(text, rows, weight)
