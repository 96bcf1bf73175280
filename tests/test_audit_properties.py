"""Properties of the audit that a wrong implementation would break.

* A table generated from the rules is consistent: no finding, an empty reconstruction.
* Planting one error in it (a score, a rate, the total or the grade) yields findings about that
  figure only, and the reconstruction is exactly the one correction that undoes it, whether the
  rules can recompute the row or only the table's own arithmetic can decide.
* Scores recomputed with a value missing equal the full evaluation for every other indicator.
"""

from __future__ import annotations

from decimal import Decimal as D

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import kpirules
from kpirules.model import Reported, ReportedRow

SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@st.composite
def tables(draw: st.DrawFn) -> tuple[str, dict[str, D]]:
    """A ruleset of 2–6 proportional indicators on rate measures, and values for it."""
    n = draw(st.integers(2, 6))
    weights = draw(st.lists(st.integers(1, 30), min_size=n, max_size=n))
    lines = ['[ruleset]\nid = "gen"\n']
    values: dict[str, D] = {}
    for i, w in enumerate(weights):
        lines.append(f'[measures.x{i}]\ntype = "rate"\n')
        lines.append(
            f'[[indicators]]\nid = "i{i}"\nname = "指标{i}"\nweight = {w}\nmeasure = "x{i}"\nrule = "proportional"\n'
        )
        values[f"x{i}"] = D(draw(st.integers(0, 10_000))).scaleb(-4)
    return "\n".join(lines), values


def printed(result: kpirules.Result) -> Reported:
    """The table as a careful unit would print it: scores without trailing zeros, rates to 0.01 %."""
    rows = []
    for item in result:
        score = item.score.normalize() if item.score != 0 else D(0)
        rows.append(ReportedRow(item.id, item.name, item.weight, score, item.rate))
    return Reported(total=result.total, grade=result.grade, rows=tuple(rows))


def table_corrections(audit: kpirules.Audit) -> set[tuple[str | None, str]]:
    return {(c.indicator, c.field) for c in audit.reconstruction.corrections if c.in_table}


@SETTINGS
@given(tables(), st.booleans())
def test_a_table_generated_from_the_rules_is_consistent(table: tuple[str, dict[str, D]], with_values: bool) -> None:
    text, values = table
    rs = kpirules.loads(text)
    result = rs.evaluate(values)
    audit = kpirules.audit(rs, printed(result), values=values if with_values else {})
    assert [f for f in audit if f.severity != "info"] == []
    assert audit.reconstruction.size == 0 and audit.reconstruction.total == result.total


@SETTINGS
@given(tables(), st.data(), st.booleans())
def test_one_planted_error_gives_exactly_its_finding(
    table: tuple[str, dict[str, D]], data: st.DataObject, with_values: bool
) -> None:
    text, values = table
    rs = kpirules.loads(text)
    result = rs.evaluate(values)
    clean = printed(result)
    rows = list(clean.rows)
    i = data.draw(st.integers(0, len(rows) - 1))
    row = rows[i]
    assert row.weight is not None and row.score is not None and row.rate is not None
    what = data.draw(st.sampled_from(["score", "rate", "total", "grade"]))
    total, grade = clean.total, clean.grade
    if what == "score":
        cents = data.draw(st.integers(0, int(row.weight * 100)).filter(lambda c: D(c) / 100 != row.score))
        rows[i] = ReportedRow(row.indicator, row.name, row.weight, D(cents) / 100, row.rate)
        planted: tuple[str | None, str] = (row.indicator, "score")
    elif what == "rate":
        basis = data.draw(st.integers(0, 10_000).filter(lambda b: abs(D(b).scaleb(-4) - row.rate) > D("0.01")))
        rows[i] = ReportedRow(row.indicator, row.name, row.weight, row.score, D(basis).scaleb(-4))
        planted = (row.indicator, "rate")
    elif what == "total":
        assert total is not None
        total = total + D(data.draw(st.integers(1, 500))) / 100 * data.draw(st.sampled_from([1, -1]))
        planted = (None, "total")
    else:
        grade = data.draw(st.sampled_from([g for g, _ in rs.grades if g != grade]))
        planted = (None, "grade")
    table_ = Reported(total=total, grade=grade, rows=tuple(rows))
    audit = kpirules.audit(rs, table_, values=values if with_values else {})
    assert table_corrections(audit) == {planted}, [str(c) for c in audit.reconstruction.corrections]
    correction = audit.reconstruction.corrections[0]
    original = {"total": clean.total, "grade": clean.grade}.get(planted[1]) if planted[0] is None else None
    if planted[1] == "score":
        original = row.score
    elif planted[1] == "rate":
        original = row.rate
    assert correction.corrected == original
    assert audit.reconstruction.total == result.total
    # every error is about the planted figure, or is the sum of the scores that it throws off
    for finding in audit.errors:
        assert (finding.indicator, finding.field) in (planted, (None, "sum")) or (
            planted == (None, "total") and finding.field == "grade"
        ), finding
    assert any((f.indicator, f.field) == planted and f.expected == original for f in audit.errors)


@SETTINGS
@given(tables(), st.data())
def test_scores_without_one_value_match_the_full_evaluation(
    table: tuple[str, dict[str, D]], data: st.DataObject
) -> None:
    text, values = table
    rs = kpirules.loads(text)
    full = rs.evaluate(values)
    drop = data.draw(st.sampled_from(sorted(values)))
    partial = {k: v for k, v in values.items() if k != drop}
    audit = kpirules.audit(rs, printed(full), values=partial)
    for item in full:
        expected = None if rs.indicator(item.id).measure == drop else item.score
        assert audit.recomputed[item.id] == expected
    assert audit.errors == []


def apply(table: Reported, audit: kpirules.Audit) -> Reported:
    """``table`` with the reconstruction's corrections made."""
    fixes = {(c.indicator, c.field): c.corrected for c in audit.reconstruction.corrections}
    rows = []
    for row in table.rows:
        changes = {
            f: fixes[(row.indicator, f)]
            for f in ("weight", "score", "rate", "text_rate")
            if (row.indicator, f) in fixes
        }
        rows.append(
            ReportedRow(
                row.indicator,
                row.name,
                changes.get("weight", row.weight),
                changes.get("score", row.score),
                changes.get("rate", row.rate),
                changes.get("text_rate", row.text_rate),
            )
        )
    total = fixes.get((None, "total"), table.total)
    grade = fixes.get((None, "grade"), table.grade)
    return Reported(total=total, grade=grade, rows=tuple(rows))  # type: ignore[arg-type]


def figure(places: int, high: int) -> st.SearchStrategy[D]:
    return st.integers(0, high * 10**places).map(lambda n: D(n).scaleb(-places))


@SETTINGS
@given(tables(), st.data(), st.booleans())
def test_the_reconstruction_makes_any_table_consistent(
    table: tuple[str, dict[str, D]], data: st.DataObject, with_values: bool
) -> None:
    """Whatever is printed, the table with the reconstruction's corrections audits clean."""
    text, values = table
    rs = kpirules.loads(text)
    rows = []
    for ind in rs.indicators:
        weight = data.draw(st.one_of(st.none(), st.just(ind.weight), st.integers(1, 40).map(D)))
        score = data.draw(st.one_of(st.none(), figure(data.draw(st.integers(0, 2)), int(ind.weight) + 2)))
        rate = data.draw(st.one_of(st.none(), figure(data.draw(st.integers(2, 4)), 1)))
        text_rate = data.draw(st.one_of(st.none(), figure(2, 1)))
        rows.append(ReportedRow(ind.id, ind.name, weight, score, rate, text_rate))
    total = data.draw(st.one_of(st.none(), figure(2, 120)))
    grade = data.draw(st.one_of(st.none(), st.sampled_from([g for g, _ in rs.grades])))
    printed = Reported(total=total, grade=grade, rows=tuple(rows))
    audit = kpirules.audit(rs, printed, values=values if with_values else {})
    assert {f.severity for f in audit} <= {"error", "warning", "info"}
    fixed = apply(printed, audit)
    again = kpirules.audit(rs, fixed, values=values if with_values else {})
    assert again.errors == [], [f.explain("en") for f in again.errors]
    assert again.reconstruction.size == 0
