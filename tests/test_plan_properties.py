"""Properties of kpirules plan over generated rulesets, values and targets (as in test_properties):

* every option it reports reaches the target when the changed values are scored, and the value one
  grid step short of it does not;
* no single measure reaches the target with a smaller change than the least one reported (checked
  against an independent scan of each measure's grid: every step near the current value, every
  step around each number the rules name, and random steps up to the reported change);
* a measure said not to reach the target alone reaches no more than the best total reported.
"""

from __future__ import annotations

import random
from decimal import Decimal as D
from typing import Any

from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

import kpirules
from kpirules.plan.space import Axis, Space, axes, constants, grid_step

RULES = [
    "proportional",
    "proportional to 80%",
    "proportional inverse to 5%",
    "deduct 3 pts per 1% below 95%",
    "deduct 0.7 pts each",
    "deduct 2 pts per whole 3 above 4",
    "tiers { >= 90%: full, [50%, 90%): 60%, else: 1 pt }",
    "pass if rate > 50% else 30%",
    "checklist { ok: 2 pts, ok2: 4 pts, n > 2: 7 pts }",
    "grade rating { 优: full, 良: 80%, 中: 3 pts, 差: zero }",
    "full - 0.2 pts * n - 1.5 pts * m",
    "2 pts * x + 7 pts",
    "max(proportional, 30%) + 5 pts",
    "if share >= 60% then full else proportional to 60%",
    "tiers { >= 95%: full, >= 80%: 70%, else: zero }",
]
MEASURES = """[measures.rate]
type = "rate"
[measures.x]
type = "number"
[measures.n]
type = "count"
[measures.m]
type = "count"
[measures.ok]
type = "bool"
[measures.ok2]
type = "bool"
[measures.rating]
type = "level"
levels = ["优", "良", "中", "差"]
[measures.done]
type = "count"
[measures.asked]
type = "count"
[measures.share]
type = "rate"
formula = "done / asked"
"""


@st.composite
def rulesets(draw: Any) -> str:
    count = draw(st.integers(1, 5))
    lines = ['[ruleset]\nid = "p"', MEASURES, f'[grades]\n"A" = {draw(st.integers(50, 100))}\n"B" = 0']
    for i in range(count):
        rule = draw(st.sampled_from(RULES))
        weight = draw(st.integers(1, 30))
        if "each" in rule or "whole 3" in rule:
            measure = "n"
        elif "share" in rule:
            measure = "share"
        elif "proportional" in rule or "deduct" in rule or "tiers" in rule:
            measure = draw(st.sampled_from(["rate", "share"]))
        else:
            measure = None
        lines.append(
            f'[[indicators]]\nid = "i{i}"\nweight = {weight}\nrule = "{rule}"'
            + (f'\nmeasure = "{measure}"' if measure else "")
        )
    return "\n".join(lines) + "\n"


unit_values = st.fixed_dictionaries(
    {
        "rate": st.integers(0, 1000).map(lambda v: f"{D(v) / 10}%"),
        "x": st.integers(-50, 50),
        "n": st.integers(0, 40),
        "m": st.integers(0, 9),
        "ok": st.booleans(),
        "ok2": st.booleans(),
        "rating": st.sampled_from(["优", "良", "中", "差"]),
        "done": st.integers(0, 60),
        "asked": st.integers(60, 120),
    }
)


def candidates(space: Space, axis: Axis, bound: D | None, rng: random.Random) -> list[Any]:
    """Values of ``axis`` with a relative change below ``bound`` (all, where bound is None) to try."""
    if axis.measure.type in ("bool", "level"):
        others = [not axis.value] if axis.measure.type == "bool" else list(axis.measure.levels or ())
        return [v for v in others if v != axis.value and (bound is None or axis.relative(v) < bound)]
    assert axis.step is not None and isinstance(axis.value, D)
    out: set[int] = set()
    limit = 10**6
    for k in range(1, 301):
        out.update((k, -k))
    for name in axis.quantities:
        for c in constants(space, name, space.env0):
            if name == axis.name:
                centre = int((c - axis.value) / axis.step)
                out.update(range(centre - 3, centre + 4))
    for _ in range(300):
        out.add(rng.randint(-limit, limit))
        out.add(rng.randint(-3000, 3000))
    values = []
    for k in sorted(out, key=abs):
        if k == 0:
            continue
        v = axis.at(k)
        if (axis.lo is not None and v < axis.lo) or (axis.hi is not None and v > axis.hi):
            continue
        if bound is not None and axis.relative(v) >= bound:
            continue
        values.append(v)
    return values


def total(rs: kpirules.Ruleset, values: dict[str, Any], name: str, value: Any) -> D | None:
    changed = dict(values)
    changed[name] = f"{value * 100}%" if rs.measures[name].type == "rate" else value
    try:
        return rs.evaluate(changed).total
    except kpirules.KpiRulesError:
        return None


@settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck))
@given(text=rulesets(), values=unit_values, share=st.integers(1, 100), seed=st.integers(0, 1000))
def test_single_changes_are_verified_and_least(text: str, values: dict[str, Any], share: int, seed: int) -> None:
    rs = kpirules.loads(text)
    try:
        result = rs.evaluate(values)
    except kpirules.KpiRulesError:
        event("the values do not score")
        return
    most = rs.weight_sum
    if result.total >= most:
        event("full marks already")
        return
    target = (result.total + (most - result.total) * D(share) / 100).quantize(D("0.01"))
    if target <= result.total:
        target = result.total + D("0.01")
    plan = rs.plan(values, target=target, max_measures=1)
    space = Space(rs, values, overrides=False)
    by_name = {a.name: a for a in axes(space)}
    least: D | None = None
    for single in plan.singles:
        axis = by_name[single.measure]
        if single.option is None:
            continue
        option = single.option
        (change,) = option.changes
        after = total(rs, values, single.measure, change.after)
        assert after is not None and after >= target and after == option.total_after
        if axis.step is not None:
            assert isinstance(change.after, D) and isinstance(axis.value, D)
            step = grid_step(axis.measure, axis.value)
            short = change.after - step if change.after > axis.value else change.after + step
            if short != axis.value:
                before = total(rs, values, single.measure, short)
                assert before is None or before < target, (single.measure, short, before)
        if least is None or option.relative < least:
            least = option.relative
    event("a single change reaches the target" if plan.options else "no single change reaches the target")
    assert (least is None) == (not plan.options)
    if plan.options:
        assert plan.options[0].relative == least
    rng = random.Random(seed)
    for single in plan.singles:
        axis = by_name[single.measure]
        for value in candidates(space, axis, least, rng):
            got = total(rs, values, axis.name, value)
            if got is None:
                continue
            assert got < target, f"{axis.name} = {value} reaches {got} ≥ {target} with a smaller change than {least}"
            if single.option is None:
                assert got <= single.best, f"{axis.name} = {value} gives {got}, more than the best {single.best}"


@settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
@given(text=rulesets(), values=unit_values, share=st.integers(30, 100))
def test_combinations_reach_the_target(text: str, values: dict[str, Any], share: int) -> None:
    """Where no single measure reaches the target, the options change the fewest measures that do
    (pairs before triples), each verified by scoring: the target reached, one step less not."""
    rs = kpirules.loads(text)
    try:
        result = rs.evaluate(values)
    except kpirules.KpiRulesError:
        return
    most = rs.weight_sum
    if result.total >= most:
        return
    target = (result.total + (most - result.total) * D(share) / 100).quantize(D("0.01"))
    plan = rs.plan(values, target=target, max_measures=3)
    event(f"{plan.size} measures changed")
    for option in plan.options:
        changed = dict(values)
        for change in option.changes:
            changed[change.measure] = _as_given(rs, change.measure, change.after)
        assert rs.evaluate(changed).total >= target
        assert len(option.changes) == plan.size
        last = option.changes[-1]
        if option.short is not None and option.short != last.before:
            changed[last.measure] = _as_given(rs, last.measure, option.short)
            try:
                below: D | None = rs.evaluate(changed).total
            except kpirules.KpiRulesError:
                below = None
            assert below is None or below < target
    if plan.size >= 2:
        assert all(s.option is None for s in plan.singles)
        assert [len(o.changes) for o in plan.options] == [plan.size] * len(plan.options)
        relatives = [o.relative for o in plan.options]
        assert relatives == sorted(relatives)


def _as_given(rs: kpirules.Ruleset, name: str, value: Any) -> Any:
    return f"{value * 100}%" if rs.measures[name].type == "rate" else value


# ---- rules generated from the grammar ---------------------------------------------------------------
GRAMMAR_MEASURES = """[ruleset]
id = "g"
[measures.x]
type = "number"
[measures.rate]
type = "rate"
[measures.n]
type = "count"
[measures.ok]
type = "bool"
[measures.rating]
type = "level"
levels = ["优", "良", "中", "差"]
"""

grammar_values = st.fixed_dictionaries(
    {
        "x": st.integers(-50, 50),
        "rate": st.integers(0, 1000).map(lambda v: f"{D(v) / 10}%"),
        "n": st.integers(0, 40),
        "ok": st.booleans(),
        "rating": st.sampled_from(["优", "良", "中", "差"]),
    }
)


@settings(max_examples=300, deadline=None, suppress_health_check=list(HealthCheck))
@given(data=st.data())
def test_plans_of_generated_rules_are_verified(data: Any) -> None:
    """Whatever rule the grammar allows, the plan answers with options that reach the target when
    scored (one step less does not), or raises a KpiRulesError, never anything else."""
    import grammar_gen

    rule = data.draw(grammar_gen.rules())
    if len(rule) > 600:
        return
    text = (
        GRAMMAR_MEASURES
        + f'[[indicators]]\nid = "i"\nweight = 10\nmeasure = "x"\nrule = """{rule.replace(chr(92), "")}"""\n'
    )
    try:
        rs = kpirules.loads(text)
    except kpirules.KpiRulesError:
        event("the rule does not load")
        return
    values = data.draw(grammar_values)
    try:
        total0 = rs.evaluate(values).total
    except kpirules.KpiRulesError:
        event("the values do not score")
        return
    if total0 >= 10:
        event("full marks already")
        return
    target = data.draw(st.integers(int(total0 * 100) + 1, 1000)).__truediv__(100)
    target = D(str(target)).quantize(D("0.01"))
    plan = rs.plan(values, target=target, max_measures=2)
    event("options found" if plan.options else "no option")
    for option in plan.options:
        changed = dict(values)
        for change in option.changes:
            kind = rs.measures[change.measure].type
            changed[change.measure] = f"{change.after * 100}%" if kind == "rate" else change.after  # type: ignore[operator]
        assert rs.evaluate(changed).total >= target
        last = option.changes[-1]
        if option.short is not None and option.short != last.before:
            kind = rs.measures[last.measure].type
            changed[last.measure] = f"{option.short * 100}%" if kind == "rate" else option.short  # type: ignore[operator]
            try:
                below = rs.evaluate(changed).total
            except kpirules.KpiRulesError:
                continue
            assert below < target
