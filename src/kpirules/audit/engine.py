"""The audit: recompute a ruleset, hold the published table against it and against its own
arithmetic, reconstruct the consistent table, and turn what differs into findings.

The relations checked (each a finding kind when it fails):

* a row's score against the score the rules give on the measured values (``score-vs-rule``);
* a row's score against its weight × its rate, at the precision the rate is printed with
  (``score-vs-rate``); its weight against the ruleset's (``weight-vs-ruleset``); its score within
  [0, weight] (``score-out-of-range``);
* the rate or score the report's text states for a row against the table (``text-vs-score``,
  ``text-vs-table``);
* the total against the sum of the printed scores (``total-vs-sum``) and against the recomputed
  total (``total-vs-rule``); the grade against the band of the printed total (``grade-vs-total``)
  and of the recomputed total (``grade-vs-rule``);
* every printed figure (``[[reported.figures]]``) against the measured value it should equal, or
  for a derived measure the value its formula gives (``figure-vs-value``); figures of a measure
  with no value against each other (``figures-disagree``).

Which figure of a failed relation is wrong, and what it should be, comes from the reconstruction
(:mod:`kpirules.audit.reconstruct`): each failed relation becomes one finding about the figure
the reconstruction corrects, or is attached (``also``) to the finding already made about it.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal, localcontext
from pathlib import Path
from typing import Any

import attrs

from ..compiler import EvalFailure, compile_expr
from ..errors import KpiRulesError, Location, ValuesError
from ..hierarchy import subtotal_name
from ..model import Measure, Reported, ReportedFigure, ReportedRow
from ..ruleset import Ruleset
from ..units import MONEY, PERCENT, UnitMismatch, scale
from ..values import Converted, MissingValue, ValueProblem, converter, is_missing
from .findings import Audit, Cause, Finding, Reconstruction, RoundedFigure
from .notes import zero_reason
from .printed import (
    ZERO,
    C,
    Slip,
    absurd,
    decimals,
    digit_slip,
    exact_rate,
    fits,
    half_unit,
    interval,
    scale_slip,
    show,
    show_rate,
)
from .readers import check_printable, read_reported
from .reconstruct import Arithmetic, RowIn, SubtotalIn, TableIn, band, reconstruct

ReportedSource = Reported | str | Path | None

_ROW_ORDER = (
    "score-vs-rule",
    "weight-vs-ruleset",
    "score-out-of-range",
    "score-vs-rate",
    "text-vs-score",
    "text-vs-table",
)


def audit(
    ruleset: Ruleset,
    reported: ReportedSource = None,
    *,
    values: Mapping[str, Any] | None = None,
    locations: Mapping[str, Location] | None = None,
) -> Audit:
    """Audit a published table against ``ruleset``.

    ``reported`` is the table: by default the ruleset's ``[reported]``; a path to a TOML, JSON,
    CSV or Excel file; or a :class:`~kpirules.model.Reported`. ``values`` are the measured values
    to recompute with (default: the ruleset's ``[values]``); measures with no value are taken from
    the printed figures where those agree; ``locations`` say where each value was read, for the
    errors of a bad one. Raises :class:`~kpirules.KpiRulesError` when there is no table, the file
    cannot be read or a value is bad; every inconsistency is a finding, never an exception.
    """
    if reported is None:
        if ruleset.reported is None:
            raise KpiRulesError(
                f"ruleset `{ruleset.id}` has no [reported] table to audit",
                location=Location(ruleset.source.name) if ruleset.source is not None else None,
                hint="add a [reported] table to the ruleset, or give the published table with --reported FILE",
            )
        table, source = ruleset.reported, "[reported]"
    elif isinstance(reported, Reported):
        table, source = reported, reported.source or "<reported>"
    else:
        table = read_reported(reported, ruleset)
        source = str(reported)
    check_printable(table, ruleset)
    with localcontext(C):  # the audit's own sums and comparisons: exact, no exponent overflows
        return _Auditor(ruleset, table, source, values, locations or {}).run()


class _Auditor:
    def __init__(
        self,
        ruleset: Ruleset,
        table: Reported,
        source: str,
        values: Mapping[str, Any] | None,
        locations: Mapping[str, Location],
    ) -> None:
        self.rs = ruleset
        self.table = table
        self.source = source
        self.given = values
        self.locations = locations
        self.arith = Arithmetic(ruleset.header.precision, ruleset.header.rounding)
        self.rows: dict[str, ReportedRow] = {row.indicator: row for row in table.rows}
        self.order = [row.indicator for row in table.rows]
        self.findings: list[Finding] = []
        self.notes: list[Finding] = []

    # -- recomputation ----------------------------------------------------------------------------
    def recompute(self) -> None:
        rs = self.rs
        base: dict[str, Any] = dict(rs.values) if self.given is None else dict(self.given)
        self.values_from = "ruleset" if self.given is None else "given"
        borrowed = self.values_from_figures(base)
        if borrowed:
            base.update(borrowed)
            if not set(base) - set(borrowed):
                self.values_from = "figures"
            self.notes.append(
                Finding(
                    "values-from-figures",
                    "info",
                    facts={
                        "values": "，".join(f"{self.label(m)} = {self.show_value(m, v)}" for m, v in borrowed.items()),
                        "values_en": ", ".join(
                            f"{self.label(m)} = {self.show_value(m, v, 'en')}" for m, v in borrowed.items()
                        ),
                    },
                )
            )
        if not base:
            self.values_from = "none"
        n = len(rs.indicators)
        self.scores: list[Decimal | None] = [None] * n
        self.computed: list[Decimal | None] = [None] * n
        self.unknown: dict[int, str] = {}
        self.env: dict[str, Converted] = {}
        try:
            result = rs.evaluate(base, overrides=True)  # the published table is the ruleset's own unit
        except ValuesError as err:
            self.partial(base, err)
        else:
            self.scores = list(result.scores)
            self.computed = list(result.computed)
            self.env = dict(result.values)
            self.inputs = {item.id: item.inputs for item in result}

    def partial(self, base: Mapping[str, Any], failure: ValuesError) -> None:
        """Score what can be scored when some values are missing or some formula or rule fails.

        A bad value (not a number, out of range, an unknown measure) is the user's to fix: it is
        raised, as ``evaluate`` raises it. Missing values and failing formulas only leave the
        indicators that need them unscored."""
        rs = self.rs
        self.inputs = {}
        env, failures = self.prepare(base)
        self.env = env
        for i, ind in enumerate(rs.indicators):
            self.inputs[ind.id] = {m: env[m] for m in rs.inputs_of(ind.id) if m in env}
            raw = rs.raw_score(i, env)
            needs = rs.inputs_of(ind.id)
            missing = [m for m in needs if m not in env and not rs.measures[m].derived]
            failed = [failures[m] for m in needs if m in failures]
            if raw is None:
                if missing and not failed and ind.if_missing in ("full", "zero"):
                    score = self.arith.round(ind.weight if ind.if_missing == "full" else ZERO)
                else:
                    problems = [p.message for p in failure.problems if f"`{ind.id}`" in p.message]
                    self.unknown[i] = (
                        "; ".join(failed)
                        if failed
                        else "missing:" + ",".join(missing)
                        if missing
                        else "; ".join(problems) or "the rule cannot be scored"
                    )
                    continue
            else:
                score = self.arith.round(min(max(raw, ZERO), ind.weight))
            self.computed[i] = score
            override = rs.overrides.get(ind.id)
            self.scores[i] = override.score if override is not None else score

    def prepare(self, base: Mapping[str, Any]) -> tuple[dict[str, Converted], dict[str, str]]:
        """Converted values and every derived measure that can be computed; formulas that fail
        (division by zero …), with their message."""
        rs = self.rs
        env: dict[str, Converted] = {}
        problems: list[KpiRulesError] = []
        for name, raw in base.items():
            measure = rs.measures.get(name)
            if measure is None or measure.derived:
                what = "unknown measure" if measure is None else "a derived measure cannot be given a value:"
                problems.append(ValuesError(f"{what} `{name}`"))
                continue
            if is_missing(raw):
                continue
            try:
                env[name] = converter(measure)(raw)
            except MissingValue:
                continue
            except ValueProblem as err:
                where = self.locations.get(name)
                problems.append(ValuesError(f"measure `{name}`: {err}", location=where, hint=err.hint))
        if problems:
            raise ValuesError.collect(problems)
        failures: dict[str, str] = {}
        pending = [m for m in rs.measures.values() if m.derived]
        progress = True
        while pending and progress:  # each pass computes the formulas whose inputs are known
            progress = False
            for measure in list(pending):
                try:
                    env[measure.name] = self.formula(measure)(dict(env), None)
                except KeyError:
                    continue
                except EvalFailure as err:
                    failures[measure.name] = f"measure `{measure.name}`: {err.message}"
                pending.remove(measure)
                progress = True
        return env, failures

    def formula(self, measure: Measure) -> Any:
        checked = self.rs.formulas[measure.name]
        assert measure.formula is not None and measure.formula_source is not None
        return compile_expr(measure.formula, checked, measure.formula_source, ranks={})

    def values_from_figures(self, base: Mapping[str, Any]) -> dict[str, Converted]:
        """Values for input measures that have none, from printed figures that agree (the most
        precisely printed one); figures that disagree give no value, and are reported."""
        out: dict[str, Converted] = {}
        by_measure: dict[str, list[ReportedFigure]] = {}
        for fig in self.table.figures:
            by_measure.setdefault(fig.measure, []).append(fig)
        for name, figs in by_measure.items():
            measure = self.rs.measures.get(name)
            if measure is None or measure.derived or name in base:
                continue
            items = [self.figure_in_measure(f, measure) for f in figs]
            numbers = [(v, h) for item in items if item is not None for v, h in [item] if isinstance(v, Decimal)]
            chosen: Converted
            if len(numbers) == len(figs):
                if max(v - h for v, h in numbers) > min(v + h for v, h in numbers):
                    continue  # they disagree: figures-disagree reports it
                chosen = min(numbers, key=lambda item: item[1])[0]
            else:
                labels = {item[0] for item in items if item is not None}
                if len(labels) != 1 or any(item is None for item in items):
                    continue
                chosen = labels.pop()
            try:
                out[name] = converter(measure)(chosen)
            except ValueProblem:
                continue
        return out

    def figure_in_measure(self, fig: ReportedFigure, measure: Measure) -> tuple[Converted, Decimal] | None:
        """A figure in its measure's unit, and half a unit of its last printed place in that unit."""
        if not isinstance(fig.value, Decimal):
            return fig.value, ZERO
        try:
            k = scale(fig.unit, measure.unit, measure.type)
        except UnitMismatch:  # pragma: no cover - the loader and the readers refuse these
            return None
        return fig.value.scaleb(k, context=C), half_unit(fig.value).scaleb(k, context=C)

    # -- the table as the search sees it -----------------------------------------------------------
    def table_in(self) -> TableIn:
        rows: list[RowIn] = []
        index = {ind.id: i for i, ind in enumerate(self.rs.indicators)}
        for iid in self.order:
            i = index[iid]
            ind, row = self.rs.indicators[i], self.rows[iid]
            rows.append(
                RowIn(
                    id=iid,
                    weight=ind.weight,
                    printed=True,
                    printed_weight=row.weight,
                    score=row.score,
                    rate=row.rate,
                    text_rate=row.text_rate,
                    text_score=row.text_score,
                    fixed=self.scores[i],
                    measured=self.measured_rates(iid),
                    note=zero_reason(row.quote),
                    rounded=self.rounded_figures(i),
                )
            )
        for i, ind in enumerate(self.rs.indicators):
            if ind.id not in self.rows:
                rows.append(RowIn(id=ind.id, weight=ind.weight, printed=False, fixed=self.scores[i]))
        header = self.rs.header
        at = {r.id: n for n, r in enumerate(rows)}
        subtotals = tuple(
            SubtotalIn(
                self.subtotal_name(k),
                tuple(at[iid] for iid in sub.indicators),
                self.subtotal_weight(k),
                sub.weight,
                sub.score,
                sub.rate,
            )
            for k, sub in enumerate(self.table.subtotals)
        )
        return TableIn(
            tuple(rows),
            self.table.total,
            self.table.grade,
            self.rs.grades,
            header.precision,
            header.rounding,
            subtotals,
        )

    def measured_rates(self, iid: str) -> tuple[Decimal, ...]:
        """The rate-type values the rule of ``iid`` reads (as a table might print them)."""
        inputs = self.inputs.get(iid, {}) if hasattr(self, "inputs") else {}
        out = []
        for name, value in inputs.items():
            m = self.rs.measures.get(name)
            if m is not None and m.type == "rate" and isinstance(value, Decimal) and not isinstance(value, bool):
                out.append(exact_rate(value))
        return tuple(out)

    def rounded_figures(self, i: int) -> tuple[RoundedFigure, ...]:
        """Figures of the measures row ``i``'s rule reads that the file prints rounded (its
        [[reported.figures]], or for a rate the row's own rate column) and at which the rule gives
        the printed score, where the exact value gives another: the score was worked out from
        the rounded figure (执行率 "50%" for 49.88 %)."""
        rs = self.rs
        ind = rs.indicators[i]
        row = self.rows.get(ind.id)
        fixed = self.scores[i]
        if row is None or row.score is None or fixed is None or ind.id in rs.overrides:
            return ()
        if self.arith.same_score(row.score, fixed):
            return ()
        out: list[RoundedFigure] = []
        for name in rs.inputs_of(ind.id):
            measure = rs.measures[name]
            value = self.env.get(name)
            if measure.type not in ("rate", "number") or not isinstance(value, Decimal) or absurd(value):
                continue
            # (the figure as printed, the power of ten to the measure's unit, its unit, the figure)
            printed: list[tuple[Decimal, int, str | None, ReportedFigure | None]] = []
            for each in self.table.figures:
                if each.measure == name and isinstance(each.value, Decimal):
                    printed.append((each.value, scale(each.unit, measure.unit, measure.type), each.unit, each))
            if measure.type == "rate" and row.rate is not None:
                printed.append((row.rate, 0, None, None))  # the row's own rate column
            for shown, k, unit, fig in printed:
                exact = value.scaleb(-k, context=C)  # the measured value in the figure's unit
                if shown == exact or not fits(shown, exact):
                    continue  # not a rounded figure of this value
                score = self.score_at(i, name, shown.scaleb(k, context=C))
                if score is None or not self.arith.same_score(row.score, score):
                    continue
                out.append(
                    RoundedFigure(
                        score=score,
                        measure=name,
                        label=measure.display,
                        printed=shown,
                        exact=exact,
                        rate=measure.type == "rate" and unit is None,
                        unit=unit,
                        where=fig.where if fig is not None else None,
                        quote=fig.quote if fig is not None else None,
                        column=fig is None,
                    )
                )
        return tuple(out)

    def score_at(self, i: int, name: str, value: Decimal) -> Decimal | None:
        """Indicator ``i``'s score with measure ``name`` at ``value`` (the measures derived from
        it computed again), or None where the rule cannot be scored."""
        rs = self.rs
        derived = {m.name for m in rs.measures.values() if m.derived}
        env: dict[str, Converted] = {k: v for k, v in self.env.items() if k not in derived or k == name}
        env[name] = value
        pending = [m for m in rs.measures.values() if m.derived and m.name != name]
        progress = True
        while pending and progress:
            progress = False
            for measure in list(pending):
                try:
                    env[measure.name] = self.formula(measure)(dict(env), None)
                except KeyError:
                    continue
                except EvalFailure:
                    pass
                pending.remove(measure)
                progress = True
        raw = rs.raw_score(i, env)
        if raw is None:
            return None
        return self.arith.round(min(max(raw, ZERO), rs.indicators[i].weight))

    # -- subtotals --------------------------------------------------------------------------------
    def subtotal_weight(self, k: int) -> Decimal:
        """The weight subtotal ``k`` should print: the sum of its indicators' weights."""
        return sum((self.rs.indicator(iid).weight for iid in self.table.subtotals[k].indicators), ZERO)

    def subtotal_sums(self, k: int) -> tuple[Decimal | None, Decimal | None]:
        """Subtotal ``k``'s rows added up: (as printed, as recomputed). A row the table does not
        print counts at its recomputed score; None where some row has no score."""
        printed: Decimal | None = ZERO
        recomputed: Decimal | None = ZERO
        for iid in self.table.subtotals[k].indicators:
            fixed = self.scores[self.rs.index_of(iid)]
            row = self.rows.get(iid)
            shown = (
                self.shown(row.score) if row is not None and row.score is not None else fixed if row is None else None
            )
            printed = None if printed is None or shown is None else printed + shown
            recomputed = None if recomputed is None or fixed is None else recomputed + fixed
        return printed, recomputed

    def subtotal_relations(self) -> list[tuple[str, int, tuple[str, ...], dict[str, Any]]]:
        """Every relation a subtotal row breaks: (kind, subtotal, figures, facts)."""
        out: list[tuple[str, int, tuple[str, ...], dict[str, Any]]] = []
        for k, sub in enumerate(self.table.subtotals):
            weight = self.subtotal_weight(k)
            printed_sum, recomputed = self.subtotal_sums(k)
            if sub.weight is not None and sub.weight != weight:
                out.append(("subtotal-weight", k, ("subtotal_weight",), {}))
            if sub.score is not None:
                if printed_sum is not None and not self.arith.same_score(sub.score, printed_sum):
                    out.append(("subtotal-vs-sum", k, ("subtotal",), {}))
                if recomputed is not None and not self.arith.same_score(sub.score, recomputed):
                    out.append(("subtotal-vs-rule", k, ("subtotal",), {}))
                used = sub.weight if sub.weight is not None else weight
                if sub.rate is not None and used and not self.arith.rate_fits(sub.score, used, sub.rate):
                    # a printed weight that differs from the ruleset's takes part in the arithmetic too
                    wrong = ("subtotal_weight",) if sub.weight is not None and sub.weight != weight else ()
                    facts = {"product": C.multiply(used, sub.rate)}
                    out.append(("subtotal-vs-rate", k, ("subtotal_rate", "subtotal", *wrong), facts))
        return out

    def subtotal_name(self, k: int) -> str:
        """How a subtotal row is shown: its label, and for a bare "小计" the rows it adds up."""
        sub = self.table.subtotals[k]
        if sub.group is not None or subtotal_name(sub.label) != "":
            return sub.label
        names = [self.rs.indicator(iid).name for iid in sub.indicators]
        return f"{sub.label}（{'、'.join(names) if len(names) <= 3 else f'{names[0]}…{names[-1]}'}）"

    def subtotal_facts(self, k: int, recon: Reconstruction) -> dict[str, Any]:
        sub = self.table.subtotals[k]
        printed_sum, recomputed = self.subtotal_sums(k)
        return {
            "label": sub.label,
            "members": [self.rs.indicator(iid).name for iid in sub.indicators],
            "group": list(sub.group) if sub.group is not None else None,
            "weight": self.subtotal_weight(k),
            "printed_weight": sub.weight,
            "score": sub.score,
            "rate": sub.rate,
            "printed_sum": printed_sum,
            "recomputed_sum": recomputed,
            "consistent": recon.subtotals.get(k),
            "rate_fits_consistent": sub.rate is not None
            and recon.subtotals.get(k) is not None
            and self.arith.rate_fits(recon.subtotals[k], self.subtotal_weight(k), sub.rate),
        }

    def subtotal_finding(self, kind: str, k: int, field: str, recon: Reconstruction, facts: dict[str, Any]) -> Finding:
        sub = self.table.subtotals[k]
        printed: Any = {"subtotal": sub.score, "subtotal_weight": sub.weight, "subtotal_rate": sub.rate}[field]
        correction = recon.changes(None, field, k)
        expected, cause = (correction.corrected, correction.cause) if correction is not None else (printed, None)
        location = sub.locations.get({"subtotal": "score", "subtotal_weight": "weight"}.get(field, "rate"))
        return Finding(
            kind,
            "error",
            None,
            field,
            printed,
            expected,
            cause,
            name=self.subtotal_name(k),
            location=location or sub.locations.get("row"),
            facts={**self.subtotal_facts(k, recon), **facts},
            subtotal=k,
        )

    def member_finding(self, k: int, recon: Reconstruction) -> int | None:
        """The finding about a row of subtotal ``k`` whose score the reconstruction corrects."""
        members = set(self.table.subtotals[k].indicators)
        for at, f in enumerate(self.findings):
            if f.indicator in members and f.field == "score" and recon.changes(f.indicator, "score") is not None:
                return at
        return None

    def subtotal_findings(self, recon: Reconstruction) -> None:
        made: dict[tuple[int, str], int] = {}
        for kind, k, figures, facts in self.subtotal_relations():
            changed = [f for f in figures if recon.changes(None, f, k) is not None]
            unused = [f for f in changed if (k, f) not in made]
            if unused:
                made[(k, unused[0])] = len(self.findings)
                self.findings.append(self.subtotal_finding(kind, k, unused[0], recon, facts))
            elif changed:
                at = made[(k, changed[0])]
                old = self.findings[at]
                self.findings[at] = _evolve(old, also=(*old.also, kind), facts={**facts, **old.facts})
            elif (row_at := self.member_finding(k, recon)) is not None:
                # the subtotal is right and a row of it is wrong: the row's finding says so
                old = self.findings[row_at]
                confirms = {"subtotal_label": self.subtotal_name(k), "subtotal_printed": self.table.subtotals[k].score}
                if kind not in old.also:
                    self.findings[row_at] = _evolve(old, also=(*old.also, kind), facts={**old.facts, **confirms})
            else:
                self.findings.append(self.subtotal_finding(kind, k, figures[0], recon, facts))
        for c in recon.corrections:
            if c.subtotal is None or (c.subtotal, c.field) in made:
                continue
            kind = {"subtotal_weight": "subtotal-weight", "subtotal_rate": "subtotal-vs-rate"}.get(
                c.field, "subtotal-vs-sum"
            )
            made[(c.subtotal, c.field)] = len(self.findings)
            self.findings.append(self.subtotal_finding(kind, c.subtotal, c.field, recon, {}))

    # -- relations --------------------------------------------------------------------------------
    def relations(self) -> list[tuple[str, str | None, tuple[str, ...], dict[str, Any]]]:
        """Every relation the printed table breaks: (kind, indicator, figures, facts)."""
        out: list[tuple[str, str | None, tuple[str, ...], dict[str, Any]]] = []
        arith = self.arith
        index = {ind.id: i for i, ind in enumerate(self.rs.indicators)}
        for iid in self.order:
            i = index[iid]
            ind, row = self.rs.indicators[i], self.rows[iid]
            weight = row.weight if row.weight is not None else ind.weight
            s, r, t, ts = row.score, row.rate, row.text_rate, row.text_score
            fixed = self.scores[i]
            found: dict[str, tuple[tuple[str, ...], dict[str, Any]]] = {}
            if s is not None and fixed is not None and not arith.same_score(s, fixed):
                found["score-vs-rule"] = (("score",), {})
            if row.weight is not None and row.weight != ind.weight:
                found["weight-vs-ruleset"] = (("weight",), {})
            if s is not None and not ZERO <= s <= ind.weight:
                found["score-out-of-range"] = (("score",), {})
            # a printed weight that differs from the ruleset's takes part in the row's arithmetic too
            wrong_weight = ("weight",) if row.weight is not None and row.weight != ind.weight else ()
            if s is not None and r is not None and not arith.rate_fits(s, weight, r):
                facts = {
                    "product": C.multiply(weight, r),
                    "used_weight": weight,
                    "fits_ruleset": bool(wrong_weight) and arith.rate_fits(s, ind.weight, r),
                }
                found["score-vs-rate"] = (("score", "rate", *wrong_weight), facts)
            if s is not None and t is not None and not arith.rate_fits(s, weight, t):
                found["text-vs-score"] = (
                    ("text_rate", "score"),
                    {"product": C.multiply(weight, t), "used_weight": weight},
                )
            if t is not None and r is not None:
                (lo_t, hi_t), (lo_r, hi_r) = interval(t), interval(r)
                if lo_t > hi_r or lo_r > hi_t:
                    found["text-vs-table"] = (("text_rate", "rate"), {})
            if ts is not None and s is not None and not arith.same_score(ts, s):
                found.setdefault("text-vs-table", (("text_score", "score"), {}))
            for kind in _ROW_ORDER:
                if kind in found:
                    figures, facts = found[kind]
                    out.append((kind, iid, figures, facts))
        total, grade = self.table.total, self.table.grade
        known = all(s is not None for s in self.scores)
        recomputed = sum((s for s in self.scores if s is not None), ZERO) if known else None
        printed_sum = self.printed_sum()
        if total is not None and printed_sum is not None and printed_sum != total:
            out.append(("total-vs-sum", None, ("total",), {"sum": printed_sum}))
        if total is not None and recomputed is not None and recomputed != total:
            out.append(("total-vs-rule", None, ("total",), {"recomputed": recomputed}))
        if grade is not None and total is not None and band(self.rs.grades, total) != grade:
            out.append(("grade-vs-total", None, ("grade", "total"), {"band": band(self.rs.grades, total)}))
        if (
            grade is not None
            and recomputed is not None
            and band(self.rs.grades, recomputed) != grade
            and (total is None or band(self.rs.grades, total) == grade)
        ):
            out.append(("grade-vs-rule", None, ("grade",), {"band": band(self.rs.grades, recomputed)}))
        return out

    def printed_sum(self) -> Decimal | None:
        """The printed scores added up; a row missing from the table counts at its recomputed
        score; None if some row has neither."""
        total = ZERO
        for i, ind in enumerate(self.rs.indicators):
            row = self.rows.get(ind.id)
            score = self.shown(row.score) if row is not None and row.score is not None else None
            if score is None and row is None:
                score = self.scores[i]
            if score is None:
                return None
            total += score
        return total

    def assumed_rows(self) -> list[tuple[str, Decimal]]:
        """The rows the sum of the printed scores counts at the rules' score, since the table has
        no row for them: (name, score)."""
        out = []
        for i, ind in enumerate(self.rs.indicators):
            score = self.scores[i]
            if ind.id not in self.rows and score is not None:
                out.append((ind.name, score))
        return out

    def shown(self, score: Decimal) -> Decimal:
        """A printed score as it counts in a sum: rounded to the precision when printed with more
        decimals (an Excel cell showing 28.92857143); the ``score-precision`` note says so."""
        return self.arith.round(score) if decimals(score) > self.rs.header.precision else score

    # -- findings ---------------------------------------------------------------------------------
    def run(self) -> Audit:
        self.recompute()
        recon = reconstruct(self.table_in())
        made: dict[tuple[str | None, str], int] = {}  # (indicator, field) → index in self.findings
        for kind, iid, figures, facts in self.relations():
            changed = [f for f in figures if recon.changes(iid, f) is not None]
            unused = [f for f in changed if (iid, f) not in made]
            if unused:
                made[(iid, unused[0])] = len(self.findings)
                self.findings.append(self.finding(kind, iid, unused[0], recon, facts))
            elif changed:
                at = made[(iid, changed[0])]
                old = self.findings[at]
                merged = {**facts, **old.facts, "also_facts": {**old.facts.get("also_facts", {}), kind: facts}}
                self.findings[at] = _evolve(old, also=(*old.also, kind), facts=merged)
            else:
                self.findings.append(self.finding(kind, iid, figures[0], recon, facts, kept=True))
        for c in recon.corrections:
            if c.subtotal is not None or (c.indicator, c.field) in made:
                continue
            row_kind = next(
                (self.findings[at].kind for (iid, _), at in made.items() if iid == c.indicator and iid is not None),
                None,
            )
            if c.field in ("text_rate", "text_score"):
                kind = "text-vs-score"
            elif c.field == "total":
                kind = "total-vs-rule" if self.recomputed_total() is not None else "total-vs-sum"
            elif c.field == "grade":
                kind = "grade-vs-rule"
            else:
                kind = row_kind or "score-vs-total"
            made[(c.indicator, c.field)] = len(self.findings)
            self.findings.append(self.finding(kind, c.indicator, c.field, recon, {}))
        self.subtotal_findings(recon)
        self.figure_findings()
        self.row_notes(recon)
        if recon.alternatives:
            self.notes.append(
                Finding(
                    "ambiguous-reconstruction",
                    "warning",
                    facts={
                        "alternatives": recon.alternatives,
                        "more": recon.more_alternatives,
                        "chosen": recon.corrections,
                    },
                )
            )
        if not recon.proven:
            self.notes.append(Finding("ambiguous-reconstruction", "warning", facts={"unproven": recon.states}))
        order = {iid: n for n, iid in enumerate(self.order)}
        table_fields = ("sum", "total", "grade")

        def position(f: Finding) -> tuple[int, int, int]:
            group = 0 if f.field in table_fields and f.indicator is None else 1 if f.indicator else 2
            if f.kind in ("figure-vs-value", "figures-disagree"):
                group = 3
            if f.subtotal is not None:
                return (2, f.subtotal, _FIELD_ORDER.get(f.field or "", 9))
            return (group, order.get(f.indicator or "", len(order)), _FIELD_ORDER.get(f.field or "", 9))

        names = {ind.id: ind.name for ind in self.rs.indicators}
        findings = [_evolve(f, facts={**f.facts, "names": names}) for f in sorted(self.findings, key=position)]
        notes = [
            _evolve(f, facts={**f.facts, "names": names})
            for f in sorted(self.notes, key=lambda f: ("error", "warning", "info").index(f.severity))
        ]
        known = all(s is not None for s in self.scores)
        return Audit(
            self.rs,
            self.table,
            [*findings, *notes],
            recon,
            source=self.source,
            recomputed={ind.id: self.scores[i] for i, ind in enumerate(self.rs.indicators)},
            recomputed_total=sum((s for s in self.scores if s is not None), ZERO) if known else None,
            printed_sum=self.printed_sum(),
            values_from=self.values_from,
        )

    def finding(
        self,
        kind: str,
        iid: str | None,
        field: str,
        recon: Reconstruction,
        facts: dict[str, Any],
        *,
        kept: bool = False,
    ) -> Finding:
        """A finding about ``field`` of ``iid`` (or of the table), with what the reconstruction
        makes of it."""
        facts = {**self.row_facts(iid), **facts}
        correction = recon.changes(iid, field)
        location = self.location(iid, field)
        name = self.rs.indicator(iid).name if iid is not None else None
        if field == "sum" or (kind == "total-vs-sum" and kept):
            changed_rows = sorted(
                {c.indicator for c in recon.corrections if c.indicator is not None and c.field == "score"},
                key=lambda x: self.order.index(x) if x in self.order else len(self.order),
            )
            facts.update(
                total=self.table.total,
                changed_rows=[self.rs.indicator(x).name for x in changed_rows],
                recomputed_total=self.recomputed_total(),
                assumed_rows=self.assumed_rows(),
            )
            printed_sum = facts.get("sum")
            return Finding(
                kind,
                "error",
                None,
                "sum",
                printed_sum,
                recon.total,
                Cause("rows-wrong") if changed_rows else None,
                location=self.location(None, "total"),
                facts=facts,
            )
        reported = self.printed(iid, field)
        if correction is not None:
            expected, cause = correction.corrected, correction.cause
        else:
            expected, cause = reported, None
        if field == "grade":
            facts.setdefault("band", band(self.rs.grades, self.table.total) if self.table.total is not None else None)
            facts["total"] = self.table.total
            facts["consistent_total"] = recon.total
        if field == "total":
            facts.setdefault("sum", self.printed_sum())
            facts.setdefault("recomputed", self.recomputed_total())
            facts["assumed_rows"] = self.assumed_rows()
        if iid is not None:
            facts["corrected_score"] = recon.scores.get(iid)
        return Finding(
            kind,
            "error",
            iid,
            field,
            reported,
            expected,
            cause,
            name=name,
            location=location,
            facts=facts,
        )

    def recomputed_total(self) -> Decimal | None:
        if all(s is not None for s in self.scores):
            return sum((s for s in self.scores if s is not None), ZERO)
        return None

    def printed(self, iid: str | None, field: str) -> Any:
        if iid is None:
            return self.table.total if field == "total" else self.table.grade if field == "grade" else None
        row = self.rows.get(iid)
        return getattr(row, field) if row is not None else None

    def location(self, iid: str | None, field: str) -> Location | None:
        if iid is None:
            return self.table.locations.get(field) or self.table.locations.get("table")
        row = self.rows.get(iid)
        if row is None:
            return None
        return row.locations.get(field) or row.locations.get("row")

    def row_facts(self, iid: str | None) -> dict[str, Any]:
        if iid is None:
            return {}
        i = self.rs.index_of(iid)
        ind = self.rs.indicators[i]
        row = self.rows.get(iid)
        facts: dict[str, Any] = {
            "weight": ind.weight,
            "recomputed": self.scores[i],
            "computed": self.computed[i],
            "rule": ind.rule_source.text,
        }
        override = self.rs.overrides.get(iid)
        if override is not None:
            facts["override"] = override.score
            facts["override_reason"] = override.reason
        inputs = self.inputs.get(iid) if hasattr(self, "inputs") else None
        if inputs:
            facts["inputs"] = "，".join(f"{self.label(m)} = {self.show_value(m, v)}" for m, v in inputs.items())
            facts["inputs_en"] = ", ".join(
                f"{self.label(m)} = {self.show_value(m, v, 'en')}" for m, v in inputs.items()
            )
        if row is not None:
            facts.update(
                printed_weight=row.weight,
                score=row.score,
                rate=row.rate,
                text_rate=row.text_rate,
                text_score=row.text_score,
                quote=row.quote,
            )
        return facts

    def label(self, measure: str) -> str:
        m = self.rs.measures.get(measure)
        return m.label if m is not None and m.label else measure

    def show_value(self, measure: str, value: Any, lang: str = "zh") -> str:
        m = self.rs.measures.get(measure)
        if isinstance(value, bool):
            return ("是" if value else "否") if lang == "zh" else ("yes" if value else "no")
        if isinstance(value, Decimal):
            if m is not None and m.type == "rate":
                return show_rate(value)
            return show(value) + (m.unit or "" if m is not None and m.type != "rate" else "")
        return str(value)

    # -- printed figures --------------------------------------------------------------------------
    def figure_findings(self) -> None:
        by_measure: dict[str, list[ReportedFigure]] = {}
        for fig in self.table.figures:
            by_measure.setdefault(fig.measure, []).append(fig)
        for name, figs in by_measure.items():
            measure = self.rs.measures.get(name)
            if measure is None:  # pragma: no cover - the loader and the readers refuse these
                continue
            value = self.measure_value(measure)
            if value is None:
                self.disagreeing(measure, figs)
                continue
            for fig in figs:
                finding = self.check_figure(measure, fig, value)
                if finding is not None:
                    self.findings.append(finding)

    def measure_value(self, measure: Measure) -> Converted | None:
        if measure.name in self.env:
            return self.env[measure.name]
        if measure.formula is None or measure.formula_source is None:
            return None
        try:
            value: Converted = self.formula(measure)(dict(self.env), None)
        except (KeyError, EvalFailure):
            return None
        return value

    def check_figure(self, measure: Measure, fig: ReportedFigure, value: Converted) -> Finding | None:
        facts: dict[str, Any] = {
            "label": measure.display,
            "quote": fig.quote,
            "where": fig.where,
            "value": value,
            "measure_unit": measure.unit,
            "derived": measure.formula_source.text if measure.formula_source is not None else None,
            "measure_type": measure.type,
        }
        if not isinstance(fig.value, Decimal) or not isinstance(value, Decimal):
            if fig.value == value:
                return None
            return Finding(
                "figure-vs-value",
                "error",
                None,
                "figure",
                fig.value,
                value,
                Cause("arithmetic"),
                name=measure.display,
                measure=measure.name,
                unit=fig.unit,
                location=fig.location,
                facts=facts,
            )
        k = scale(fig.unit, measure.unit, measure.type)
        in_measure = fig.value.scaleb(k, context=C)
        tolerance = half_unit(fig.value).scaleb(k, context=C)
        if abs(C.subtract(value, in_measure)) <= tolerance:
            return None
        cause, expected, expected_unit = self.figure_cause(measure, fig, value, k)
        return Finding(
            "figure-vs-value",
            "error",
            None,
            "figure",
            fig.value,
            expected,
            cause,
            name=measure.display,
            measure=measure.name,
            unit=fig.unit,
            expected_unit=expected_unit,
            location=fig.location,
            facts=facts,
        )

    def figure_cause(
        self, measure: Measure, fig: ReportedFigure, value: Decimal, k: int
    ) -> tuple[Cause, Decimal, str | None]:
        """Why a printed figure differs from its value, and the figure that should have been printed."""
        printed = fig.value
        assert isinstance(printed, Decimal)
        if absurd(value):  # a value no table prints: no slip of the pen makes the figure of it
            return Cause("arithmetic"), value, measure.unit
        if measure.unit in MONEY and (fig.unit in MONEY or fig.unit is None):
            for unit in MONEY:
                if unit == (fig.unit or measure.unit):
                    continue
                k2 = scale(unit, measure.unit, measure.type)
                if fits(printed, value.scaleb(-k2, context=C)):
                    return (Cause("unit", printed_unit=fig.unit or measure.unit, meant_unit=unit), printed, unit)
        if measure.type in ("rate", "number") and (fig.unit in PERCENT or fig.unit is None):
            for sign in (None, "%"):
                if sign == fig.unit:
                    continue
                k2 = scale(sign, measure.unit, measure.type)
                if fits(printed, value.scaleb(-k2, context=C)):
                    return (Cause("unit", printed_unit=fig.unit or "", meant_unit=sign or ""), printed, sign)
        meant = value.scaleb(-k, context=C)
        shown = _as_printed(meant, printed)
        factor = scale_slip(printed, meant)
        if factor:
            return Cause("scale", slip=_slip_scale(factor)), shown, fig.unit
        slip = digit_slip(printed, meant)
        if slip is not None:
            return Cause(slip.code, slip=slip), shown, fig.unit
        return Cause("arithmetic"), shown, fig.unit

    def disagreeing(self, measure: Measure, figs: list[ReportedFigure]) -> None:
        """Figures of a measure with no value: they must at least agree with each other."""
        converted = [(f, self.figure_in_measure(f, measure)) for f in figs]
        groups: list[list[tuple[ReportedFigure, Any]]] = []
        for fig, conv in converted:
            if conv is None:
                continue
            for group in groups:
                other = group[0][1]
                if _agree(conv, other):
                    group.append((fig, conv))
                    break
            else:
                groups.append([(fig, conv)])
        if len(groups) <= 1:
            if figs and not groups:
                return
            if len(groups) == 1 and measure.name not in self.env:
                self.notes.append(
                    Finding(
                        "figure-unchecked",
                        "info",
                        measure=measure.name,
                        name=measure.display,
                        facts={"label": measure.display, "count": len(figs)},
                    )
                )
            return
        groups.sort(key=len, reverse=True)
        majority = groups[0] if len(groups[0]) > len(groups[1]) else None
        for group in groups[1:] if majority is not None else groups:
            for fig, _conv in group:
                expected: Decimal | str | bool | None = None
                cause = None
                expected_unit = fig.unit
                if majority is not None:
                    value = majority[0][1][0]
                    if isinstance(value, Decimal) and isinstance(fig.value, Decimal):
                        k = scale(fig.unit, measure.unit, measure.type)
                        cause, expected, expected_unit = self.figure_cause(measure, fig, value, k)
                    else:
                        expected = value
                self.findings.append(
                    Finding(
                        "figures-disagree",
                        "error",
                        None,
                        "figure",
                        fig.value,
                        expected,
                        cause,
                        name=measure.display,
                        measure=measure.name,
                        unit=fig.unit,
                        expected_unit=expected_unit,
                        location=fig.location,
                        facts={
                            "label": measure.display,
                            "quote": fig.quote,
                            "where": fig.where,
                            "others": [(f.value, f.unit, f.quote) for f, _ in converted if f is not fig],
                        },
                    )
                )

    # -- notes ------------------------------------------------------------------------------------
    def row_notes(self, recon: Reconstruction) -> None:
        for i, ind in enumerate(self.rs.indicators):
            row = self.rows.get(ind.id)
            if i in self.unknown:
                reason = self.unknown[i]
                missing = reason[len("missing:") :].split(",") if reason.startswith("missing:") else []
                self.notes.append(
                    Finding(
                        "not-recomputed",
                        "info",
                        ind.id,
                        name=ind.name,
                        facts={
                            "missing": [self.label(m) for m in missing],
                            "reason": None if missing else reason,
                        },
                    )
                )
            deliberate = zero_reason(row.quote) if row is not None and row.score == 0 else None
            if deliberate is not None and self.scores[i] is None:
                self.notes.append(
                    Finding(
                        "deliberate-zero",
                        "info",
                        ind.id,
                        "score",
                        row.score if row is not None else None,
                        recon.scores.get(ind.id),
                        name=ind.name,
                        location=row.locations.get("score") if row is not None else None,
                        facts={"note": deliberate, "kept": recon.scores.get(ind.id) == 0},
                    )
                )
            if row is None and self.table.rows:
                self.notes.append(
                    Finding(
                        "row-missing",
                        "warning",
                        ind.id,
                        name=ind.name,
                        facts={"recomputed": self.scores[i], "weight": ind.weight},
                    )
                )
            override = self.rs.overrides.get(ind.id)
            if (
                override is not None
                and row is not None
                and row.score is not None
                and self.arith.same_score(row.score, override.score)
            ):
                self.notes.append(
                    Finding(
                        "override",
                        "info",
                        ind.id,
                        "score",
                        row.score,
                        override.score,
                        name=ind.name,
                        location=row.locations.get("score"),
                        facts={"computed": self.computed[i], "reason": override.reason},
                    )
                )
            if row is not None and row.score is not None and decimals(row.score) > self.rs.header.precision:
                self.notes.append(
                    Finding(
                        "score-precision",
                        "warning",
                        ind.id,
                        "score",
                        row.score,
                        self.arith.round(row.score),
                        name=ind.name,
                        location=row.locations.get("score"),
                        facts={"precision": self.rs.header.precision},
                    )
                )


_FIELD_ORDER = {
    "sum": 0,
    "total": 1,
    "grade": 2,
    "weight": 3,
    "score": 4,
    "rate": 5,
    "text_rate": 6,
    "text_score": 7,
    "subtotal_weight": 3,
    "subtotal": 4,
    "subtotal_rate": 5,
}


def _agree(a: tuple[Any, Decimal], b: tuple[Any, Decimal]) -> bool:
    if isinstance(a[0], Decimal) and isinstance(b[0], Decimal):
        return bool(a[0] - a[1] <= b[0] + b[1] and b[0] - b[1] <= a[0] + a[1])
    return bool(a[0] == b[0])


def _as_printed(value: Decimal, like: Decimal) -> Decimal:
    """``value`` with the decimals ``like`` was printed with, if that is exact; else as it is."""
    if absurd(value):
        return value
    quantized = value.quantize(Decimal(1).scaleb(-decimals(like)), context=C)
    return quantized if quantized == value else value.normalize(C)


def _slip_scale(factor: int) -> Slip:
    return Slip("scale", factor=factor)


def _evolve(finding: Finding, **changes: Any) -> Finding:
    return attrs.evolve(finding, **changes)
