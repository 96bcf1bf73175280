"""Checks of each rule and formula: failures, scores out of range, divisions by zero and
deductions, found by interval analysis and searched for witnesses."""

from __future__ import annotations

from decimal import Decimal

from ... import ast
from ...compiler import Compiler
from ...exact import EvalFailure
from ...forms.deduct import Deduct
from ...forms.grade import Grade
from ...forms.tiers import Tiers
from ...intervals import INF, NINF, ZERO, Interval, Union, frac, show_number
from ...kinds import Checked
from ...model import Indicator, Measure
from ...source import RuleSource
from ..analysis import Pending, RuleAnalysis
from ..probe import Values, candidates, combos, first_value
from ..probe import constants as probe_constants
from .common import (
    ENOUGH,
    Raw,
    big_number,
    blamed_node,
    constant_of,
    divisor_of,
    divisor_root,
    divisors_of,
    failing_node,
    measures_read,
    rule_finding,
    rule_text,
    ruleset_number,
    show_value,
    shown_values,
    zero_divisor,
)
from .standard import StandardCheck
from .words import M


class RuleChecks(StandardCheck):
    """Each formula and each indicator's rule."""

    def formula(self, name: str, measure: Measure) -> None:
        assert measure.formula is not None and measure.formula_source is not None
        checked = self.rs.formulas[name]
        analysis = RuleAnalysis(measure.formula, checked, measure.formula_source, self.rs.measures, self.base)
        for finding in analysis.findings:
            self.out.append(rule_finding(finding, measure.formula_source, None))
        consts = probe_constants([measure.formula], ZERO)
        confirmed = [
            self.division(pending, checked, measure.formula_source, None, Decimal(0), None, consts)
            for pending in analysis.pending
        ]
        if analysis.uncertain or not all(confirmed):
            self.uncertain_formulas.add(name)

    def indicator(self, index: int, ind: Indicator) -> None:
        rs = self.rs
        checked = rs.checked[ind.id]
        source = ind.rule_source
        analysis = RuleAnalysis(
            ind.rule,
            checked,
            source,
            rs.measures,
            self.base,
            weight=ind.weight,
            subject=ind.measure,
            precision=rs.header.precision,
            floored=ind.floored,
        )
        for finding in analysis.findings:
            self.out.append(rule_finding(finding, source, ind.id))
        inputs = rs.inputs_of(ind.id)
        formulas = [rs.measures[n].formula for n in inputs if n in rs.formulas]
        consts = probe_constants([ind.rule, *(f for f in formulas if f is not None)], frac(ind.weight))
        confirmed = [
            self.division(pending, checked, source, ind.measure, ind.weight, ind.id, consts)
            for pending in analysis.pending
        ]
        self.deduction_limits(ind, checked, source)
        bound = analysis.bound
        weight = frac(ind.weight)
        above = below = False
        if isinstance(bound, Interval) and not bound.empty:
            # with floor = "none" a score below 0 stands: nothing to report (KPI-B302 is about the clamp)
            above, below = bound.hi > weight, bound.lo < 0 and ind.floored
            if bound.lo < 0 and not ind.floored:
                self.ungraded_below_zero(ind, bound.lo)
        # a form the analysis could not decide, or a division it could not confirm with a witness
        uncertain = bool(analysis.uncertain) or not all(confirmed) or any(n in self.uncertain_formulas for n in inputs)
        if above or below or uncertain:
            self.search(index, ind, analysis, consts, above=above, below=below, failures=uncertain)
        if ind.standard:
            self.standard(ind, source)

    def ungraded_below_zero(self, ind: Indicator, lowest_points: Decimal) -> None:
        """An indicator with ``floor = "none"`` whose points go below 0 takes the total below 0
        when the other rows give nothing; a total below the lowest grade bound gets no grade
        (KPI-G206, reported once: at the lowest bound of ``[grades]``, or at the rule when the
        national bands apply, whose 差 starts at 0)."""
        rs = self.rs
        if any(raw.code == "KPI-G206" for raw in self.out) or not rs.grades:
            return
        label, bound = min(rs.grades, key=lambda grade: grade[1])
        if frac(bound) <= lowest_points or (bound < 0 and lowest_points == NINF):
            return  # every total is graded, or a negative bound was chosen for points with no floor at all
        message = M("grades_below_zero", id=ind.id, bound=ruleset_number(bound), label=label)
        help_ = M("grades_below_zero_help", label=label)
        if "grades" in {path[0] for path in rs.spans if path}:
            self.out.append(Raw("KPI-G206", message, help_, path=("grades", label), key=True, indicator=ind.id))
        else:
            self.out.append(
                Raw("KPI-G206", message, help_, source=ind.rule_source, span=ind.rule.span, indicator=ind.id)
            )

    def search(
        self,
        index: int,
        ind: Indicator,
        analysis: RuleAnalysis,
        consts: list[Decimal],
        *,
        above: bool,
        below: bool,
        failures: bool,
    ) -> None:
        """Run the rule on the values that matter to it (the breakpoints it names, the roots of its
        divisors, points between and beyond) and report what evaluation meets there: points above
        the weight or below 0, a division by zero, a value no band matches."""
        rs = self.rs
        names = [n for n in rs.inputs_of(ind.id) if n in rs.measures and not rs.measures[n].derived]
        roots = self.roots(index, ind, names, consts)
        probe = self.probe
        lists = [
            probe.accepted(
                n, candidates(rs.measures[n], self.base.get(n), [*consts, *roots.get(n, ())], roots.get(n, ()))
            )
            for n in names
        ]
        if not all(lists):
            return
        weight = ind.weight
        high: tuple[Values, Decimal] | None = None
        low: tuple[Values, Decimal] | None = None
        failed: dict[tuple[str | None, int, int], tuple[Values, EvalFailure]] = {}
        for tried, combo in enumerate(combos(lists, 2048 if failures else 512)):
            if tried >= ENOUGH and not failures and (high is not None or not above) and (low is not None or not below):
                break  # found: the smallest overshoot among the first values tried is witness enough
            values: Values = dict(zip(names, combo, strict=True))
            outcome = probe.run(index, values)
            raw = outcome.raw
            if raw is not None:
                # the smallest overshoot makes the clearest witness
                if above and raw > weight and (high is None or raw < high[1]):
                    high = (values, raw)
                if below and raw < 0 and (low is None or raw > low[1]):
                    low = (values, raw)
            elif failures and outcome.failure is not None:
                key = (outcome.formula, outcome.failure.span.start, outcome.failure.span.end)
                failed.setdefault(key, (values, outcome.failure))
        if high is not None:
            self.overshoot(ind, analysis, *high, above=True)
        if low is not None:
            self.overshoot(ind, analysis, *low, above=False)
        for (formula, _, _), (values, failure) in failed.items():
            self.failure(ind, formula, values, failure)

    def roots(self, index: int, ind: Indicator, names: list[str], consts: list[Decimal]) -> dict[str, list[Decimal]]:
        """Where each divisor of the rule (and of the formulas it reads) that is linear in one
        input measure is 0, with the other measures at a plain value."""
        rs = self.rs
        sources: list[tuple[ast.Expr, object, RuleSource, Decimal, str | None]] = [
            (ind.rule, rs.checked[ind.id], ind.rule_source, ind.weight, ind.measure)
        ]
        for name in rs.inputs_of(ind.id):
            measure = rs.measures.get(name)
            if measure is not None and measure.formula is not None and measure.formula_source is not None:
                sources.append((measure.formula, rs.formulas[name], measure.formula_source, ZERO, None))
        plain = {n: first_value(self.base.get(n), rs.measures[n]) for n in names}
        out: dict[str, list[Decimal]] = {}
        for node, checked, source, weight, subject in sources:
            for divisor in divisors_of(node):
                reads = measures_read(divisor, checked, subject)
                if not reads or not reads <= set(names):
                    continue
                compiler = Compiler(checked, source, weight=weight, subject=subject)  # type: ignore[arg-type]
                try:
                    fn = compiler.compile(divisor)
                except (KeyError, AssertionError, AttributeError):  # pragma: no cover
                    continue
                for name in sorted(reads):
                    if rs.measures[name].type not in ("rate", "amount", "count", "number", "date"):
                        continue
                    found = divisor_root(fn, plain, name, rs.measures[name])
                    if found is not None:
                        out.setdefault(name, []).append(found)
        return out

    def failure(self, ind: Indicator, formula: str | None, values: Values, failure: EvalFailure) -> None:
        """Report a failure the search met, unless the analysis reported it at the same place."""
        rs = self.rs
        if formula is None:
            tree: ast.Expr = ind.rule
            source = ind.rule_source
            indicator: str | None = ind.id
            whose = M("whose_rule")
        else:
            measure = rs.measures[formula]
            if measure.formula is None or measure.formula_source is None:  # pragma: no cover
                return
            tree, source, indicator, whose = measure.formula, measure.formula_source, None, M("whose_formula")
        node = failing_node(tree, failure.span)
        if node is None:
            return
        witness = {name: show_value(rs.measures.get(name), value) for name, value in values.items()}
        shown = shown_values(witness)
        if isinstance(node, Tiers):
            code, span = "KPI-G201", node.span
            subject = (
                f"`{rule_text(source, node.subject.span)}`" if node.subject is not None else ind.measure or "value"
            )
            if shown:
                message = M("no_band", subject=subject, values=shown, whose=whose)
            else:
                message = M("no_band_always", subject=subject, whose=whose)
            help_ = M("no_band_help")
        elif isinstance(node, Grade):
            if node.by is not None and failure.key == "grade_outside_band":
                return  # the level and the points given disagree: the values are wrong, not the rule
            code, span = "KPI-G203", node.span
            if shown:
                message = M("grade_fails", message=failure.message, values=shown, whose=whose)
            else:
                message = M("grade_fails_always", message=failure.message, whose=whose)
            help_ = failure.hint or M("grade_fails_help")
        else:
            divisor = divisor_of(node)
            if divisor is None:
                return
            code, span = "KPI-B303", divisor[0].span
            message = zero_divisor(whose, divisor[1], rule_text(source, span), shown)
            help_ = M("zero_help")
        for raw in self.out:
            if raw.code == code and raw.source is source and raw.span == span:
                return
        self.out.append(Raw(code, message, help_, witness, source, span, indicator=indicator))

    def overshoot(self, ind: Indicator, analysis: RuleAnalysis, env: Values, raw: Decimal, *, above: bool) -> None:
        """Report a raw score above the weight (or below 0) at values that give it; blame a node."""
        rs = self.rs
        weight = ind.weight
        node = blamed_node(ind.rule, analysis, frac(weight), above)
        witness = {name: show_value(rs.measures.get(name), value) for name, value in env.items()}
        shown = shown_values(witness)
        what, points = f"`{analysis.text(node)}`", big_number(raw)
        if above:
            code, help_ = "KPI-B301", M("above_help")
            if shown:
                message = M("above", what=what, points=points, values=shown, weight=ruleset_number(weight))
            else:
                message = M("above_always", what=what, points=points, weight=ruleset_number(weight))
        else:
            code, help_ = "KPI-B302", M("below_help")
            if shown:
                message = M("below", what=what, points=points, values=shown)
            else:
                message = M("below_always", what=what, points=points)
        self.out.append(Raw(code, message, help_, witness, ind.rule_source, node.span, indicator=ind.id))

    def division(
        self,
        pending: Pending,
        checked: object,
        source: RuleSource,
        subject: str | None,
        weight: Decimal,
        indicator: str | None,
        consts: list[Decimal],
    ) -> bool:
        """Report a division by something that can be 0, with values where it is; False when no
        such values were found."""
        assert isinstance(checked, Checked)
        node = pending.divisor
        analysis_names = sorted(
            {
                n.name
                for n in ast.walk(node)
                if isinstance(n, ast.Name) and n not in checked.labels and n.name in self.rs.measures
            }
            | ({subject} if subject is not None and any(isinstance(n, ast.ValueRef) for n in ast.walk(node)) else set())
        )
        compiler = Compiler(checked, source, weight=weight, subject=subject)
        try:
            fn = compiler.compile(node)
        except (KeyError, AssertionError, AttributeError):  # pragma: no cover - a node the compiler cannot take alone
            return False
        doms = {name: pending.env.get(name, self.base.get(name)) for name in analysis_names}
        plain = {name: first_value(doms[name], self.rs.measures[name]) for name in analysis_names}
        lists = []
        for name in analysis_names:
            found = divisor_root(fn, plain, name, self.rs.measures[name])
            extra = [found] if found is not None else []
            lists.append(candidates(self.rs.measures[name], doms[name], [*consts, *extra]))
        witness: dict[str, object] | None = None
        for combo in combos(lists):
            env: dict[str, object] = dict(zip(analysis_names, combo, strict=True))
            try:
                value = fn(env, None)
            except (KeyError, EvalFailure, ArithmeticError, TypeError):
                continue
            if value == 0:
                witness = env
                break
        if witness is None:
            return False
        shown = {name: show_value(self.rs.measures.get(name), value) for name, value in witness.items()}
        text = " ".join(source.text[node.span.start : node.span.end].split())
        whose = M("whose_rule") if indicator is not None else M("whose_formula")
        self.out.append(
            Raw(
                "KPI-B303",
                zero_divisor(whose, pending.what, text, shown_values(shown)),
                M("zero_help"),
                shown,
                source,
                node.span,
                indicator=indicator,
            )
        )
        return True

    def deduction_limits(self, ind: Indicator, checked: object, source: RuleSource) -> None:
        if ind.measure is None:
            return
        measure = self.rs.measures[ind.measure]
        dom = self.base.get(ind.measure)
        if not isinstance(dom, Interval) or dom.empty:
            return
        grid = Decimal(1) if measure.type in ("count", "date") else None
        for node in ast.walk(ind.rule):
            if not isinstance(node, Deduct) or node.limit is None:
                continue
            analysis_limit = constant_of(node.limit)
            if analysis_limit is None:
                continue
            limit = analysis_limit
            domain = Union.of([dom])
            if node.direction == "below":
                deducts, full = Interval(NINF, limit, False, False), Interval(limit, INF, True, False)
            else:
                deducts, full = Interval(limit, INF, False, False), Interval(NINF, limit, False, True)
            can_deduct = not domain.intersect(deducts).on_grid(grid).empty
            can_full = not domain.intersect(full).on_grid(grid).empty
            percent = measure.type == "rate"
            rng = f"[{show_number(dom.lo, percent)}, {show_number(dom.hi, percent)}]"
            fields = {
                "measure": ind.measure,
                "direction": M("below_limit" if node.direction == "below" else "above_limit"),
                "limit": show_number(limit, percent),
                "declared": M("declared_range" if measure.range is not None else "range"),
                "range": rng,
            }
            if not can_deduct:
                worst = dom.lo if node.direction == "below" else dom.hi
                witness = {} if worst.is_infinite() else {ind.measure: show_value(measure, worst)}
                self.out.append(
                    Raw(
                        "KPI-B304",
                        M("never_deducts", **fields),
                        M("limit_help"),
                        witness or None,
                        source,
                        node.limit.span,
                        indicator=ind.id,
                    )
                )
            elif not can_full:
                best = dom.hi if node.direction == "below" else dom.lo
                witness = {} if best.is_infinite() else {ind.measure: show_value(measure, best)}
                self.out.append(
                    Raw(
                        "KPI-B304",
                        M("never_full", **fields),
                        M("limit_help"),
                        witness or None,
                        source,
                        node.limit.span,
                        indicator=ind.id,
                    )
                )

    # -- the standard's words against the rule's numbers ----------------------------------------
