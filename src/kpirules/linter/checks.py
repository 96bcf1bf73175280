"""Checks of a loaded ruleset: weights, grades, measures, and every rule through the analysis.

Each check yields :class:`Raw` findings: a code, a message and a place (a rule span, a TOML key path
or a file offset). :mod:`kpirules.linter.engine` turns them into located diagnostics. A finding about
what a rule *can* do (exceed its weight, divide by zero) is reported only with a witness: values
that, run through the compiled rule, really do it.
"""

from __future__ import annotations

import itertools
import random
import re
import unicodedata
from collections.abc import Iterator
from decimal import Decimal

import attrs

from .. import ast
from ..compiler import Compiler, EvalFailure
from ..model import Indicator, Measure
from ..ruleset import Ruleset
from ..source import RuleSource
from ..tomlspans import Path
from .analysis import Dom, Finding, Pending, RuleAnalysis, derived_domains, formula_order
from .intervals import INF, NINF, ZERO, Interval, Union, exact, frac, nice_point, show_number, to_decimal


@attrs.define
class Raw:
    """A finding with its place: inside a rule (``source`` and ``span``) or at a TOML key path."""

    code: str
    message: str
    help: str | None = None
    witness: dict[str, str] | None = None
    source: RuleSource | None = None
    span: ast.Span | None = None
    path: Path | None = None
    key: bool = False
    indicator: str | None = None
    related: list[tuple[str, RuleSource | None, ast.Span | None, Path | None]] = attrs.Factory(list)


def _rule_finding(finding: Finding, source: RuleSource, indicator: str | None) -> Raw:
    return Raw(
        finding.code,
        finding.message,
        finding.help,
        finding.witness,
        source,
        finding.span,
        indicator=indicator,
        related=[(message, source, span, None) for message, span in finding.related],
    )


def show_value(measure: Measure | None, value: object) -> str:
    """A value as it could be written in [values]: rates as percentages."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (Decimal, int)):
        return show_number(frac(value), percent=measure is not None and measure.type == "rate")
    return str(value)


class Checker:
    def __init__(self, rs: Ruleset) -> None:
        self.rs = rs
        self.out: list[Raw] = []
        with exact():
            self.base = derived_domains(rs.measures, rs.formulas, formula_order(rs))

    def run(self) -> list[Raw]:
        with exact():
            return self._run()

    def _run(self) -> list[Raw]:
        self.weights()
        self.groups()
        self.grades()
        self.unused()
        for name, measure in self.rs.measures.items():
            if measure.formula is not None and measure.formula_source is not None and name in self.rs.formulas:
                self.formula(name, measure)
        for index, ind in enumerate(self.rs.indicators):
            self.indicator(index, ind)
        return self.out

    # -- ruleset-wide -------------------------------------------------------------------------
    def weights(self) -> None:
        rs = self.rs
        counted = [ind for ind in rs.indicators if not ind.bonus]
        total = sum((ind.weight for ind in counted), Decimal(0))
        if total == rs.header.total or not rs.indicators:
            return
        path: Path = ("ruleset", "total") if ("ruleset", "total") in rs.spans else ("ruleset",)
        bonus = len(rs.indicators) - len(counted)
        note = f" (bonus indicators excepted: {bonus})" if bonus else ""
        self.out.append(
            Raw(
                "KPI-W201",
                f"the weights of the {len(counted)} indicators add up to {_num(total)}, not the total "
                f"{_num(rs.header.total)}{note}",
                "correct the weights, or set `total` in [ruleset] to their sum",
                {"weights": _num(total), "total": _num(rs.header.total)},
                path=path,
                key=path == ("ruleset",),
            )
        )

    def groups(self) -> None:
        rs = self.rs
        seen: dict[tuple[str, ...], int] = {}
        index = 0
        for i, group in enumerate(rs.groups):
            index = i
            path: Path = ("groups", index, "weight")
            if group.path in seen:
                self.out.append(
                    Raw(
                        "KPI-R103",
                        f"the group {' / '.join(group.path)} is declared twice (first as group {seen[group.path] + 1})",
                        "keep one [[groups]] entry per path",
                        path=("groups", index, "path"),
                    )
                )
                continue
            seen[group.path] = i
            members = [ind for ind in rs.indicators if ind.path[: len(group.path)] == group.path and not ind.bonus]
            total = sum((ind.weight for ind in members), Decimal(0))
            if total != group.weight:
                shown = " / ".join(group.path)
                self.out.append(
                    Raw(
                        "KPI-W202",
                        f"the {len(members)} indicators under {shown} weigh {_num(total)}, "
                        f"not the group's {_num(group.weight)}",
                        "correct the weights or the group's weight; an indicator belongs to a group by its `path`",
                        {"weights": _num(total), "group": _num(group.weight)},
                        path=path,
                    )
                )

    def grades(self) -> None:
        rs = self.rs
        if "grades" not in {p[0] for p in rs.spans if p}:
            return  # the national default bands
        grades = [(label, bound) for label, bound in _file_order(rs)]
        if not grades:
            return
        lowest = min(bound for _, bound in grades)
        if lowest > 0:
            label = min(grades, key=lambda g: g[1])[0]
            self.out.append(
                Raw(
                    "KPI-G206",
                    f"the lowest grade bound is {_num(lowest)} ({label}): a total below it gets no grade",
                    'add a grade with bound 0, such as "差" = 0',
                    {"total": _num(lowest - 1 if lowest >= 1 else Decimal(0))},
                    path=("grades", label),
                    key=True,
                )
            )
        first: dict[Decimal, str] = {}
        for label, bound in grades:
            if bound in first:
                self.out.append(
                    Raw(
                        "KPI-G207",
                        f"'{label}' has the bound {_num(bound)}, as '{first[bound]}' does: "
                        f"'{label}' can never be given",
                        "give every grade its own bound",
                        path=("grades", label),
                        key=True,
                        related=[(f"'{first[bound]}' takes this bound", None, None, ("grades", first[bound]))],
                    )
                )
            else:
                first[bound] = label
        most = sum((ind.weight for ind in rs.indicators), Decimal(0))
        if rs.indicators:
            for label, bound in grades:
                if bound > most:
                    self.out.append(
                        Raw(
                            "KPI-G208",
                            f"'{label}' needs a total of {_num(bound)}, and the indicators give at most {_num(most)}",
                            "correct the bound or the weights",
                            {"total": _num(most)},
                            path=("grades", label),
                            key=True,
                        )
                    )

    def unused(self) -> None:
        rs = self.rs
        used: set[str] = set()
        pending: list[str] = []
        for ind in rs.indicators:
            pending.extend(rs.checked[ind.id].measures)
            if ind.measure is not None:
                pending.append(ind.measure)
        while pending:
            name = pending.pop()
            if name in used:
                continue
            used.add(name)
            if name in rs.formulas:
                pending.extend(rs.formulas[name].measures)
        for name, measure in rs.measures.items():
            if name not in used:
                derived = " (its formula is never computed)" if measure.derived else ""
                self.out.append(
                    Raw(
                        "KPI-R102",
                        f"measure `{name}` is declared but no indicator uses it{derived}",
                        "remove it, or use it in a rule",
                        path=("measures", name),
                        key=True,
                    )
                )

    # -- formulas and rules -------------------------------------------------------------------
    def formula(self, name: str, measure: Measure) -> None:
        assert measure.formula is not None and measure.formula_source is not None
        checked = self.rs.formulas[name]
        analysis = RuleAnalysis(measure.formula, checked, measure.formula_source, self.rs.measures, self.base)
        for finding in analysis.findings:
            self.out.append(_rule_finding(finding, measure.formula_source, None))
        for pending in analysis.pending:
            self.division(pending, checked, measure.formula_source, None, Decimal(0), None)

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
        )
        for finding in analysis.findings:
            self.out.append(_rule_finding(finding, source, ind.id))
        for pending in analysis.pending:
            self.division(pending, checked, source, ind.measure, ind.weight, ind.id)
        self.deduction_limits(ind, checked, source)
        bound = analysis.bound
        if isinstance(bound, Interval) and not bound.empty:
            weight = frac(ind.weight)
            if bound.hi > weight:
                self.overshoot(index, ind, analysis, above=True)
            if bound.lo < 0:
                self.overshoot(index, ind, analysis, above=False)
        if ind.standard:
            self.standard(ind, source)

    def overshoot(self, index: int, ind: Indicator, analysis: RuleAnalysis, *, above: bool) -> None:
        """Confirm a raw score above the weight (or below 0) with values, then blame a node."""
        rs = self.rs
        names = sorted(rs.checked[ind.id].measures)
        consts = _constants(ind.rule, analysis)
        lists = [self.candidates(name, self.base.get(name), consts) for name in names]
        weight = ind.weight
        found: tuple[dict[str, object], Decimal] | None = None
        for combo in _combos(lists, 512):
            env = dict(zip(names, combo, strict=True))
            raw = rs.raw_score(index, env)  # type: ignore[arg-type]
            if raw is None:
                continue
            over = raw - weight if above else -raw
            if over > 0 and (found is None or over < (found[1] - weight if above else -found[1])):
                found = (env, raw)  # the smallest overshoot makes the clearest witness
        if found is None:
            return
        env, raw = found
        node = _blame(ind.rule, analysis, frac(weight), above)
        witness = {name: show_value(rs.measures.get(name), value) for name, value in env.items()}
        raw_text = _big(raw)
        shown = ", ".join(f"{k} = {v}" for k, v in witness.items())
        at = f" at {shown}" if shown else ""
        what = f"`{analysis.text(node)}`"
        if above:
            message = f"{what} can give {raw_text} points{at}, more than the weight {_num(weight)}"
            help_ = "points above the weight are cut off; cap the rule with min(full, …) or correct the points"
            code = "KPI-B301"
        else:
            message = f"{what} can give {raw_text} points{at}, below 0"
            help_ = "the score is clamped to 0; if 扣完为止 is meant, write max(zero, …) to say so"
            code = "KPI-B302"
        self.out.append(Raw(code, message, help_, witness, ind.rule_source, node.span, indicator=ind.id))

    def candidates(self, name: str, dom: Dom | None, consts: list[Decimal]) -> list[object]:
        measure = self.rs.measures.get(name)
        if measure is None or dom is None:
            return [Decimal(0)]
        if measure.type == "bool":
            return [True, False]
        if measure.type == "level":
            levels = measure.levels or ()
            allowed = dom if isinstance(dom, frozenset) else frozenset(levels)
            return [lv for lv in levels if lv in allowed]
        if not isinstance(dom, Interval) or dom.empty:
            return [Decimal(0)]
        grid = Decimal(1) if measure.type == "count" else None
        edges = sorted({c for c in consts if dom.contains(c)} | {e for e in (dom.lo, dom.hi) if e.is_finite()})
        points: list[Decimal] = []
        if edges:
            points.extend(edges)
            for a, b in itertools.pairwise(edges):
                p = nice_point(Interval(a, b, False, False), grid)
                if p is not None:
                    points.append(p)
            below = nice_point(dom.intersect(Interval(NINF, edges[0], False, False)), grid)
            if below is not None:
                points.append(below)
            top = edges[-1]
            for far in (top + 1, top + 2, top + 5, top + 10, top + 100, top + 1000, top + 10**6):
                if dom.contains(far):
                    points.append(far)
        else:
            p = nice_point(dom, grid)
            points.append(p if p is not None else ZERO)
        out: list[object] = []
        for p in points:
            if grid is not None and p % grid != 0:
                continue
            value = to_decimal(p)
            if value not in out:
                out.append(value)
        return out or [Decimal(0)]

    def division(
        self,
        pending: Pending,
        checked: object,
        source: RuleSource,
        subject: str | None,
        weight: Decimal,
        indicator: str | None,
    ) -> None:
        from ..checker import Checked

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
            return
        lists = [self.candidates(name, pending.env.get(name, self.base.get(name)), [ZERO]) for name in analysis_names]
        witness: dict[str, object] | None = None
        for combo in _combos(lists):
            env: dict[str, object] = dict(zip(analysis_names, combo, strict=True))
            try:
                value = fn(env, None)
            except (KeyError, EvalFailure, ArithmeticError, TypeError):
                continue
            if value == 0:
                witness = env
                break
        if witness is None:
            return
        shown = {name: show_value(self.rs.measures.get(name), value) for name, value in witness.items()}
        text = " ".join(source.text[node.span.start : node.span.end].split())
        where = "when " + ", ".join(f"{k} = {v}" for k, v in shown.items()) if shown else "always"
        what = {"division": "divides by", "target": "has the target", "step": "has the step"}[pending.what]
        whose = "rule" if indicator is not None else "formula"
        self.out.append(
            Raw(
                "KPI-B303",
                f"the {whose} {what} `{text}`, which is 0 {where}: the unit cannot be scored",
                "guard it with `if … == 0 then … else …`, or declare a `range` that excludes 0",
                shown,
                source,
                node.span,
                indicator=indicator,
            )
        )

    def deduction_limits(self, ind: Indicator, checked: object, source: RuleSource) -> None:
        if ind.measure is None:
            return
        measure = self.rs.measures[ind.measure]
        dom = self.base.get(ind.measure)
        if not isinstance(dom, Interval) or dom.empty:
            return
        grid = Decimal(1) if measure.type == "count" else None
        for node in ast.walk(ind.rule):
            if not isinstance(node, ast.Deduct) or node.limit is None:
                continue
            analysis_limit = _const_of(node.limit)
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
            declared = "declared range" if measure.range is not None else "range"
            limit_text = show_number(limit, percent)
            if not can_deduct:
                worst = dom.lo if node.direction == "below" else dom.hi
                witness = {} if worst.is_infinite() else {ind.measure: show_value(measure, worst)}
                self.out.append(
                    Raw(
                        "KPI-B304",
                        f"the deduction never applies: `{ind.measure}` is never {node.direction} {limit_text} "
                        f"(its {declared} is {rng})",
                        "correct the limit or the measure's range",
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
                        f"the rule never gives full marks: `{ind.measure}` is always {node.direction} {limit_text} "
                        f"(its {declared} is {rng})",
                        "correct the limit or the measure's range",
                        witness or None,
                        source,
                        node.limit.span,
                        indicator=ind.id,
                    )
                )

    # -- the standard's words against the rule's numbers ----------------------------------------
    def standard(self, ind: Indicator, source: RuleSource) -> None:
        """The numbers a published standard states against the numbers of its rule (a warning:
        either may be the one that is wrong)."""
        from ..checker import Kind

        assert ind.standard is not None
        said_percent, said_points, said_plain = _standard_numbers(ind.standard)
        if not (said_percent or said_points):
            return
        weight = frac(ind.weight)
        checked = self.rs.checked[ind.id]
        tests: dict[Decimal, ast.Node] = {}  # percentages the rule compares with
        shares: set[Decimal] = set()  # percentages of the weight the rule gives
        plain: set[Decimal] = set()
        points: dict[Decimal, ast.Node] = {}  # points the rule writes out
        given: set[Decimal] = set()  # every amount of points the rule gives
        for part in ast.walk(ind.rule):
            if isinstance(part, ast.Number):
                value = frac(part.value)
                found = checked.types.get(part)
                if found is not None and found.kind is Kind.SCORE:
                    shares.add(value)
                    given.add(value * weight)
                elif part.unit:
                    tests.setdefault(value, part)
                else:
                    plain.add(value)
            elif isinstance(part, ast.Points):
                points.setdefault(frac(part.value), part)
                given.add(frac(part.value))
            elif isinstance(part, (ast.Full, ast.Proportional, ast.Deduct)):
                given.add(weight)
        odd_tests = [v for v in tests if v not in said_percent and v * 100 not in said_plain]
        odd_said = [v for v in said_percent if v not in tests and v not in shares and v not in plain]
        odd_points = [v for v in points if v not in said_points and v not in said_plain]
        odd_said_points = [v for v in said_points if v not in given]
        problems: list[str] = []
        blame: ast.Node | None = None
        if odd_tests and odd_said:
            blame = tests[odd_tests[0]]
            problems.append(
                f"the standard says {', '.join(show_number(v, True) for v in sorted(odd_said))}, "
                f"the rule {', '.join(show_number(v, True) for v in sorted(odd_tests))}"
            )
        if odd_points and odd_said_points:
            blame = blame or points[odd_points[0]]
            problems.append(
                f"the standard gives {', '.join(show_number(v) + '分' for v in sorted(odd_said_points))}, "
                f"the rule {', '.join(show_number(v) + ' pts' for v in sorted(odd_points))}"
            )
        if blame is None:
            return
        self.out.append(
            Raw(
                "KPI-X402",
                "the rule's numbers differ from the standard's: " + "; ".join(problems),
                "check which one is right: the rule is what scores, the standard is what was published",
                None,
                source,
                blame.span,
                indicator=ind.id,
            )
        )


# ---- helpers --------------------------------------------------------------------------------
def _big(value: Decimal) -> str:
    """A raw score for a message: at most six decimals, and huge values in scientific notation."""
    if value.is_finite() and abs(value) >= Decimal(10) ** 15:
        return f"{value:.6e}"
    if value.as_tuple().exponent < -6:  # type: ignore[operator]
        value = value.quantize(Decimal(1).scaleb(-6))
    return _num(value)


def _num(value: Decimal) -> str:
    text = format(value, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text


def _file_order(rs: Ruleset) -> list[tuple[str, Decimal]]:
    """The [grades] as written, in file order."""
    spans = [(span.key_start, path[1]) for path, span in rs.spans.items() if len(path) == 2 and path[0] == "grades"]
    bounds = dict(rs.grades)
    return [(str(label), bounds[str(label)]) for _, label in sorted(spans) if str(label) in bounds]


def _constants(rule: ast.Expr, analysis: RuleAnalysis) -> list[Decimal]:
    out: set[Decimal] = set()
    for node in ast.walk(rule):
        if isinstance(node, ast.Number):
            out.add(frac(node.value))
    return sorted(out)


def _const_of(node: ast.Node) -> Decimal | None:
    if isinstance(node, ast.Number):
        return frac(node.value)
    if isinstance(node, ast.Neg):
        inner = _const_of(node.operand)
        return None if inner is None else -inner
    return None


def _combos(lists: list[list[object]], limit: int = 2048) -> Iterator[tuple[object, ...]]:
    """Every combination of candidates when there are few, else the corners and a fixed sample."""
    total = 1
    for values in lists:
        total *= max(1, len(values))
    if total <= limit:
        yield from itertools.product(*lists)
        return
    yield tuple(values[0] for values in lists)
    yield tuple(values[-1] for values in lists)
    rng = random.Random(0)
    for _ in range(limit):
        yield tuple(rng.choice(values) for values in lists)


def _blame(rule: ast.Expr, analysis: RuleAnalysis, weight: Decimal, above: bool) -> ast.Node:
    """The smallest choice-free part of the rule that overshoots: a band's score, a branch …"""
    node: ast.Node = rule
    while node in analysis.children:
        bad = [
            child
            for child, bound in analysis.children[node]
            if (above and bound.hi > weight) or (not above and bound.lo < 0)
        ]
        if not bad or bad[0] is node:
            break
        node = bad[0]
    return node


_NUMBER = re.compile(r"(\d+(?:\.\d+)?)\s*(%|％|‰|个?百分点|分)?")


def _standard_numbers(text: str) -> tuple[set[Decimal], set[Decimal], set[Decimal]]:
    """Numbers in a published standard: percentages (as fractions), points, and plain numbers."""
    text = unicodedata.normalize("NFKC", text)
    percents: set[Decimal] = set()
    points: set[Decimal] = set()
    plain: set[Decimal] = set()
    for match in _NUMBER.finditer(text):
        value = Decimal(match.group(1))
        unit = match.group(2) or ""
        if unit in ("%", "％") or "百分点" in unit:
            percents.add(value / 100)
        elif unit == "‰":
            percents.add(value / 1000)
        elif unit == "分":
            points.add(value)
        else:
            plain.add(value)
    return percents, points, plain
