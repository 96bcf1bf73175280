"""Checks of a loaded ruleset: weights, grades, measures, and every rule through the analysis.

Each check yields :class:`Raw` findings: a code, a message and a place (a rule span, a TOML key path
or a file offset). :mod:`kpirules.linter.engine` turns them into located diagnostics. A finding about
what a rule *can* do (exceed its weight, divide by zero) is reported only with a witness: values
that, run through the compiled rule, really do it.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterator
from decimal import MAX_EMAX, MIN_EMIN, Context, Decimal

import attrs

from .. import ast
from ..compiler import Compiler
from ..errors import KpiRulesError, Location, ValuesError
from ..exact import EvalFailure, Fn
from ..forms.deduct import Deduct
from ..forms.grade import Grade
from ..forms.proportional import Proportional
from ..forms.tiers import Tiers
from ..intervals import INF, NINF, ZERO, Interval, Union, exact, frac, plain, show_number
from ..kinds import Checked, Kind
from ..messages import Catalog
from ..model import Indicator, Measure
from ..ruleset import Ruleset
from ..source import RuleSource
from ..tomlspans import Path
from .analysis import Finding, Pending, RuleAnalysis, derived_domains, formula_order
from .probe import Probe, Values, candidates, combos, first_value, root
from .probe import constants as probe_constants

#: The words of the checks' findings. A rule's or formula's own text, values (``rate = 88%``) and
#: ids are quoted as they are; ``whose`` is ``rule``/``formula``, ``what`` one of the ``what_*``.
M = Catalog(
    "linter.checks",
    {
        # the ruleset's own [values]
        "own_values": ("规则集自带的 [values]", "the ruleset's own [values]"),
        "values_problem": ("[values]：{message}", "[values]: {message}"),
        "own_values_fail": (
            "规则集自带的 [values] 无法评分：{message}",
            "the ruleset's own [values] do not score: {message}",
        ),
        # weights and groups
        "weights_total": (
            "{count} 个指标的分值之和为 {weights}，不等于总分 {total}{note}",
            "the weights of the {count} indicators add up to {weights}, not the total {total}{note}",
        ),
        "bonus_note": ("（加分指标除外：{count} 个）", " (bonus indicators excepted: {count})"),
        "weights_total_help": (
            "请更正各指标的分值，或把 [ruleset] 中的 `total` 设为分值之和",
            "correct the weights, or set `total` in [ruleset] to their sum",
        ),
        "group_twice": (
            "分组「{group}」声明了两次（第一次是第 {first} 个分组）",
            "the group {group} is declared twice (first as group {first})",
        ),
        "group_twice_help": ("每个路径只保留一个 [[groups]] 条目", "keep one [[groups]] entry per path"),
        "group_weights": (
            "「{group}」下 {count} 个指标的分值之和为 {weights}，不等于该分组的分值 {weight}",
            "the {count} indicators under {group} weigh {weights}, not the group's {weight}",
        ),
        "group_weights_help": (
            "请更正各指标的分值或该分组的分值；指标按其 `path` 归入分组",
            "correct the weights or the group's weight; an indicator belongs to a group by its `path`",
        ),
        # [grades]
        "grades_start": (
            "最低的等级界限是 {bound}（{label}）：低于它的总分得不到等级",
            "the lowest grade bound is {bound} ({label}): a total below it gets no grade",
        ),
        "grades_start_help": ('请加一个界限为 0 的等级，如 "差" = 0', 'add a grade with bound 0, such as "差" = 0'),
        "grades_repeat": (
            "'{label}' 的界限是 {bound}，与 '{other}' 相同：'{label}' 永远评不出",
            "'{label}' has the bound {bound}, as '{other}' does: '{label}' can never be given",
        ),
        "grades_repeat_help": ("请给每个等级不同的界限", "give every grade its own bound"),
        "grades_repeat_related": ("'{other}' 用了这个界限", "'{other}' takes this bound"),
        "grade_unreachable": (
            "'{label}' 需要总分达到 {bound}，而各指标最多给出 {most}",
            "'{label}' needs a total of {bound}, and the indicators give at most {most}",
        ),
        "grade_unreachable_help": ("请修正界限或分值", "correct the bound or the weights"),
        # measures
        "unused": (
            "数据项 `{name}` 已声明，但没有指标使用它{derived}",
            "measure `{name}` is declared but no indicator uses it{derived}",
        ),
        "unused_derived": ("（它的公式从不计算）", " (its formula is never computed)"),
        "unused_help": ("请删除它，或在评分规则中使用它", "remove it, or use it in a rule"),
        "rate_range": (
            "比率 `{name}` 未声明 `range`：按 0 % 及以上、没有上限处理",
            "rate `{name}` declares no `range`: it is taken to be 0 % or more, with no upper end",
        ),
        "rate_range_help": (
            "如果它不会超过 100 %，请在该数据项下声明 `range = [0, 1]`"
            "（或评分标准允许的取值范围，如可能下降的比率用 [-1, 1]）",
            "declare `range = [0, 1]` under the measure if it cannot pass 100 % (or the range the "
            "standard allows, such as [-1, 1] for a rate that can fall)",
        ),
        # what a rule or formula does on some values
        "whose_rule": ("评分规则", "rule"),
        "whose_formula": ("公式", "formula"),
        "values": ("、", ", "),
        "no_band": (
            "当 {values} 时，{subject} 没有匹配的档：{whose}无法对这些值评分",
            "no band matches {subject} when {values}: the {whose} cannot score these values",
        ),
        "no_band_always": (
            "无论取何值，{subject} 都没有匹配的档：{whose}无法对这些值评分",
            "no band matches {subject} whatever the values: the {whose} cannot score these values",
        ),
        "no_band_help": (
            "为这些数值增加一档，或在分档最后加上 `else: …`",
            "add a band for these values, or end the tiers with `else: …`",
        ),
        "grade_fails": ("{message}（{values}）：{whose}无法评分", "{message} at {values}: the {whose} cannot score it"),
        "grade_fails_always": ("{message}：{whose}无法评分", "{message}: the {whose} cannot score it"),
        "grade_fails_help": ("请为每个等级设一档", "add a band for every level"),
        "what_division": ("的除数", "divides by"),
        "what_target": ("的目标值", "has the target"),
        "what_step": ("的步长", "has the step"),
        "zero": (
            "{whose}{what} `{text}` 在 {values} 时为 0：该单位无法评分",
            "the {whose} {what} `{text}`, which is 0 when {values}: the unit cannot be scored",
        ),
        "zero_always": (
            "{whose}{what} `{text}` 总是为 0：该单位无法评分",
            "the {whose} {what} `{text}`, which is 0 always: the unit cannot be scored",
        ),
        "zero_help": (
            "请用 `if … == 0 then … else …` 避开 0，或声明不含 0 的 `range`",
            "guard it with `if … == 0 then … else …`, or declare a `range` that excludes 0",
        ),
        "above": (
            "{what} 在 {values} 时可得 {points} 分，超过分值 {weight}",
            "{what} can give {points} points at {values}, more than the weight {weight}",
        ),
        "above_always": (
            "{what} 无论取何值都得 {points} 分，超过分值 {weight}",
            "{what} can give {points} points whatever the values, more than the weight {weight}",
        ),
        "above_help": (
            "超过分值的分数会被截去；请用 min(full, …) 给评分规则设上限，或修正分数",
            "points above the weight are cut off; cap the rule with min(full, …) or correct the points",
        ),
        "below": (
            "{what} 在 {values} 时可得 {points} 分，低于 0",
            "{what} can give {points} points at {values}, below 0",
        ),
        "below_always": (
            "{what} 无论取何值都得 {points} 分，低于 0",
            "{what} can give {points} points whatever the values, below 0",
        ),
        "below_help": (
            "得分会被截取为 0；如果本意是“扣完为止”，请写 max(zero, …) 明确表示",
            "the score is clamped to 0; if 扣完为止 is meant, write max(zero, …) to say so",
        ),
        # deduction limits
        "below_limit": ("低于", "below"),
        "above_limit": ("高于", "above"),
        "declared_range": ("声明的取值范围", "declared range"),
        "range": ("取值范围", "range"),
        "never_deducts": (
            "扣分永远不会发生：`{measure}` 从不{direction} {limit}（其{declared}为 {range}）",
            "the deduction never applies: `{measure}` is never {direction} {limit} (its {declared} is {range})",
        ),
        "never_full": (
            "评分规则永远给不了满分：`{measure}` 总是{direction} {limit}（其{declared}为 {range}）",
            "the rule never gives full marks: `{measure}` is always {direction} {limit} (its {declared} is {range})",
        ),
        "limit_help": ("请修正扣分界限或数据项的取值范围", "correct the limit or the measure's range"),
        # the published standard against the rule
        "standard": (
            "评分规则的数字与评分标准不一致：{problems}",
            "the rule's numbers differ from the standard's: {problems}",
        ),
        "problems": ("；", "; "),
        "numbers": ("、", ", "),
        "standard_says": ("评分标准为 {said}，评分规则为 {rule}", "the standard says {said}, the rule {rule}"),
        "standard_gives": ("评分标准给 {said}，评分规则给 {rule}", "the standard gives {said}, the rule {rule}"),
        "standard_help": (
            "请核对哪一个正确：得分按评分规则计算，评分标准是公布的文字",
            "check which one is right: the rule is what scores, the standard is what was published",
        ),
    },
)


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
    location: Location | None = None  # a place the scorer gave (a problem of the own [values])


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
        self.order = formula_order(rs)
        with exact():
            self.base = derived_domains(rs.measures, rs.formulas, self.order)
        self._probe: Probe | None = None
        #: derived measures whose formula may fail on values the analysis could not decide
        self.uncertain_formulas: set[str] = set()

    @property
    def probe(self) -> Probe:
        if self._probe is None:
            self._probe = Probe(self.rs, self.order)
        return self._probe

    def run(self) -> list[Raw]:
        with exact():
            return self._run()

    def _run(self) -> list[Raw]:
        self.weights()
        self.groups()
        self.grades()
        self.unused()
        self.rate_ranges()
        for name, measure in self.rs.measures.items():
            if measure.formula is not None and measure.formula_source is not None and name in self.rs.formulas:
                self.formula(name, measure)
        for index, ind in enumerate(self.rs.indicators):
            self.indicator(index, ind)
        self.own_values()
        return self.out

    def own_values(self) -> None:
        """Score the ruleset's own [values], as `kpirules score FILE` does, and report what fails:
        a value its measure refuses (KPI-S104, at the value), a rule or formula that cannot score
        them or a value an indicator needs and does not have (KPI-S105, at the rule)."""
        rs = self.rs
        if not any(path[:1] == ("values",) for path in rs.spans):
            return
        try:
            rs.evaluate()
        except ValuesError as err:
            problems: list[KpiRulesError] = list(err.problems)
        else:
            return
        at_values: dict[tuple[int | None, int | None], str] = {
            (loc.line, loc.column): name for name, loc in rs.value_locations.items() if loc.line is not None
        }
        table = [(M("own_values"), None, None, ("values",))]
        for problem in problems:
            loc = problem.location
            name = at_values.get((loc.line, loc.column)) if loc is not None else None
            if name is not None:
                self.out.append(
                    Raw("KPI-S104", M("values_problem", message=problem.message), problem.hint, path=("values", name))
                )
                continue
            self.out.append(
                Raw(
                    "KPI-S105",
                    M("own_values_fail", message=problem.message),
                    problem.hint,
                    location=loc,
                    indicator=_indicator_at(rs, loc),
                    related=list(table),
                )
            )

    # -- ruleset-wide -------------------------------------------------------------------------
    def weights(self) -> None:
        rs = self.rs
        counted = [ind for ind in rs.indicators if not ind.bonus]
        total = sum((ind.weight for ind in counted), Decimal(0))
        if total == rs.header.total or not rs.indicators:
            return
        path: Path = ("ruleset", "total") if ("ruleset", "total") in rs.spans else ("ruleset",)
        bonus = len(rs.indicators) - len(counted)
        note = M("bonus_note", count=bonus) if bonus else ""
        self.out.append(
            Raw(
                "KPI-W201",
                M("weights_total", count=len(counted), weights=_num(total), total=_num(rs.header.total), note=note),
                M("weights_total_help"),
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
                        M("group_twice", group=" / ".join(group.path), first=seen[group.path] + 1),
                        M("group_twice_help"),
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
                        M(
                            "group_weights",
                            count=len(members),
                            group=shown,
                            weights=_num(total),
                            weight=_num(group.weight),
                        ),
                        M("group_weights_help"),
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
                    M("grades_start", bound=_num(lowest), label=label),
                    M("grades_start_help"),
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
                        M("grades_repeat", label=label, bound=_num(bound), other=first[bound]),
                        M("grades_repeat_help"),
                        path=("grades", label),
                        key=True,
                        related=[
                            (M("grades_repeat_related", other=first[bound]), None, None, ("grades", first[bound]))
                        ],
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
                            M("grade_unreachable", label=label, bound=_num(bound), most=_num(most)),
                            M("grade_unreachable_help"),
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
                derived = M("unused_derived") if measure.derived else ""
                self.out.append(
                    Raw(
                        "KPI-R102",
                        M("unused", name=name, derived=derived),
                        M("unused_help"),
                        path=("measures", name),
                        key=True,
                    )
                )

    def rate_ranges(self) -> None:
        """An input rate with no declared range: lint and the scorer take it from 0 up, without end;
        most rates stop at 100 %, and saying so catches 150 % typed for 15 %."""
        for name, measure in self.rs.measures.items():
            if measure.type != "rate" or measure.range is not None or measure.derived:
                continue
            self.out.append(
                Raw(
                    "KPI-B305",
                    M("rate_range", name=name),
                    M("rate_range_help"),
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
        )
        for finding in analysis.findings:
            self.out.append(_rule_finding(finding, source, ind.id))
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
            above, below = bound.hi > weight, bound.lo < 0
        # a form the analysis could not decide, or a division it could not confirm with a witness
        uncertain = bool(analysis.uncertain) or not all(confirmed) or any(n in self.uncertain_formulas for n in inputs)
        if above or below or uncertain:
            self.search(index, ind, analysis, consts, above=above, below=below, failures=uncertain)
        if ind.standard:
            self.standard(ind, source)

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
            if tried >= _ENOUGH and not failures and (high is not None or not above) and (low is not None or not below):
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
            for divisor in _divisors(node):
                reads = _reads(divisor, checked, subject)
                if not reads or not reads <= set(names):
                    continue
                compiler = Compiler(checked, source, weight=weight, subject=subject)  # type: ignore[arg-type]
                try:
                    fn = compiler.compile(divisor)
                except (KeyError, AssertionError, AttributeError):  # pragma: no cover
                    continue
                for name in sorted(reads):
                    if rs.measures[name].type not in ("rate", "amount", "count", "number"):
                        continue
                    found = root(_vary(fn, plain, name), ZERO, Decimal(1))
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
        node = _failing_node(tree, failure.span)
        if node is None:
            return
        witness = {name: show_value(rs.measures.get(name), value) for name, value in values.items()}
        shown = _values(witness)
        if isinstance(node, Tiers):
            code, span = "KPI-G201", node.span
            subject = f"`{_text(source, node.subject.span)}`" if node.subject is not None else ind.measure or "value"
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
            divisor = _divisor_of(node)
            if divisor is None:
                return
            code, span = "KPI-B303", divisor[0].span
            message = _zero(whose, divisor[1], _text(source, span), shown)
            help_ = M("zero_help")
        for raw in self.out:
            if raw.code == code and raw.source is source and raw.span == span:
                return
        self.out.append(Raw(code, message, help_, witness, source, span, indicator=indicator))

    def overshoot(self, ind: Indicator, analysis: RuleAnalysis, env: Values, raw: Decimal, *, above: bool) -> None:
        """Report a raw score above the weight (or below 0) at values that give it; blame a node."""
        rs = self.rs
        weight = ind.weight
        node = _blame(ind.rule, analysis, frac(weight), above)
        witness = {name: show_value(rs.measures.get(name), value) for name, value in env.items()}
        shown = _values(witness)
        what, points = f"`{analysis.text(node)}`", _big(raw)
        if above:
            code, help_ = "KPI-B301", M("above_help")
            if shown:
                message = M("above", what=what, points=points, values=shown, weight=_num(weight))
            else:
                message = M("above_always", what=what, points=points, weight=_num(weight))
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
            found = root(_vary(fn, plain, name), ZERO, Decimal(1))
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
                _zero(whose, pending.what, text, _values(shown)),
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
        grid = Decimal(1) if measure.type == "count" else None
        for node in ast.walk(ind.rule):
            if not isinstance(node, Deduct) or node.limit is None:
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
    def standard(self, ind: Indicator, source: RuleSource) -> None:
        """The numbers a published standard states against the numbers of its rule (a warning:
        either may be the one that is wrong)."""
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
            elif isinstance(part, (ast.Full, Proportional, Deduct)):
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
                M(
                    "standard_says",
                    said=M("numbers").join(show_number(v, True) for v in sorted(odd_said)),
                    rule=M("numbers").join(show_number(v, True) for v in sorted(odd_tests)),
                )
            )
        if odd_points and odd_said_points:
            blame = blame or points[odd_points[0]]
            problems.append(
                M(
                    "standard_gives",
                    said=M("numbers").join(show_number(v) + "分" for v in sorted(odd_said_points)),
                    rule=M("numbers").join(show_number(v) + " pts" for v in sorted(odd_points)),
                )
            )
        if blame is None:
            return
        self.out.append(
            Raw(
                "KPI-X402",
                M("standard", problems=M("problems").join(problems)),
                M("standard_help"),
                None,
                source,
                blame.span,
                indicator=ind.id,
            )
        )


# ---- helpers --------------------------------------------------------------------------------
def _big(value: Decimal) -> str:
    """A raw score for a message: at most six decimals, and huge values in exponent form."""
    if value.is_finite() and abs(value) >= Decimal(10) ** 15:
        return f"{value:.6e}"
    if value.is_finite() and value.as_tuple().exponent < -6:  # type: ignore[operator]
        value = value.quantize(Decimal(1).scaleb(-6), context=_QUANTIZE)
    return _num(value)


_QUANTIZE = Context(prec=60, Emax=MAX_EMAX, Emin=MIN_EMIN, traps=[])


def _num(value: Decimal) -> str:
    """A number of the ruleset (a weight, a total, a bound) as written, or in exponent form when
    it would be longer than 30 digits."""
    return plain(value)


def _file_order(rs: Ruleset) -> list[tuple[str, Decimal]]:
    """The [grades] as written, in file order."""
    spans = [(span.key_start, path[1]) for path, span in rs.spans.items() if len(path) == 2 and path[0] == "grades"]
    bounds = dict(rs.grades)
    return [(str(label), bounds[str(label)]) for _, label in sorted(spans) if str(label) in bounds]


def _const_of(node: ast.Node) -> Decimal | None:
    if isinstance(node, ast.Number):
        return frac(node.value)
    if isinstance(node, ast.Neg):
        inner = _const_of(node.operand)
        return None if inner is None else -inner
    return None


#: A search for a score out of range stops once it has one and has tried this many values.
_ENOUGH = 128


def _indicator_at(rs: Ruleset, loc: Location | None) -> str | None:
    """The indicator whose rule holds the place a scorer's problem points at (a rule that fails, or
    that needs a value it is not given); None for a formula's or a value's problem. Found by place,
    not by the words, which are said in the current language."""
    if loc is None or loc.line is None:
        return None
    at = (loc.line, loc.column or 1)
    for ind in rs.indicators:
        src = ind.rule_source
        start, end = src.location(0, len(src.text)), src.location(len(src.text))
        if start.line is None or end.line is None:
            continue
        if (start.line, start.column or 1) <= at <= (end.line, end.column or 1):
            return ind.id
    return None


def _values(witness: dict[str, str]) -> str:
    """Values as a finding shows them: ``rate = 88%, n = 3``."""
    return M("values").join(f"{k} = {v}" for k, v in witness.items())


def _zero(whose: str, what: str, text: str, shown: str) -> str:
    """A divisor (``what``: division, target or step) of a rule or formula that is 0 at values."""
    said = M("what_" + what)
    if shown:
        return M("zero", whose=whose, what=said, text=text, values=shown)
    return M("zero_always", whose=whose, what=said, text=text)


def _vary(fn: Fn, plain: Values, name: str) -> Callable[[Decimal], object]:
    """``fn`` as a function of one measure, the others held at ``plain``."""
    return lambda x: fn({**plain, name: x}, None)


def _divisors(tree: ast.Node) -> Iterator[ast.Expr]:
    """Every divisor of a rule or formula: of `/`, a `proportional to` target, a deduction step."""
    for node in ast.walk(tree):
        found = _divisor_of(node)
        if found is not None:
            yield found[0]


def _divisor_of(node: ast.Node) -> tuple[ast.Expr, str] | None:
    if isinstance(node, ast.BinOp) and node.op == "/":
        return node.right, "division"
    if isinstance(node, Proportional) and node.kind in ("to", "inverse") and node.operand is not None:
        return node.operand, "target"
    if isinstance(node, Deduct) and node.step is not None:
        return node.step, "step"
    return None


def _reads(node: ast.Node, checked: object, subject: str | None) -> set[str]:
    """The measures ``node`` reads (``value`` is the subject)."""
    assert isinstance(checked, Checked)
    out: set[str] = set()
    for sub in ast.walk(node):
        if isinstance(sub, ast.Name) and sub not in checked.labels:
            out.add(sub.name)
        elif isinstance(sub, ast.ValueRef) and subject is not None:
            out.add(subject)
    return out


def _failing_node(tree: ast.Node, span: ast.Span) -> ast.Node | None:
    """The form that raised a failure at ``span``."""
    for node in ast.walk(tree):
        if node.span == span and isinstance(node, (Tiers, Grade, ast.BinOp, Proportional, Deduct)):
            if isinstance(node, ast.BinOp) and node.op != "/":
                continue
            return node
    return None


def _text(source: RuleSource, span: ast.Span) -> str:
    text = " ".join(source.text[span.start : span.end].split())
    return text if len(text) <= 60 else text[:57] + "…"


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


_NUMBER = re.compile(r"(\d+(?:\.\d+)?|[一二两三四五六七八九十]+(?=个?百分点))\s*(%|％|‰|个?百分点|分)?")
#: A multiplication sign right before a percentage: the standard defines its rate ("×100%"), it
#: does not compare with 100 %.
_TIMES = re.compile(r"(?:[×xX*＊✕✖]|乘以?)\s*$")
_CHINESE_DIGITS = {"一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}


def _chinese_number(text: str) -> Decimal:
    """一 … 九十九 as written before 个百分点."""
    if "十" not in text:
        return Decimal(_CHINESE_DIGITS.get(text, 0))
    tens, _, ones = text.partition("十")
    return Decimal(_CHINESE_DIGITS.get(tens, 1) * 10 + _CHINESE_DIGITS.get(ones, 0))


def _standard_numbers(text: str) -> tuple[set[Decimal], set[Decimal], set[Decimal]]:
    """Numbers in a published standard: percentages (as fractions), points, and plain numbers. A
    percentage after a multiplication sign defines a rate (…×100%) and is no number of the rule."""
    text = unicodedata.normalize("NFKC", text)
    percents: set[Decimal] = set()
    points: set[Decimal] = set()
    plain: set[Decimal] = set()
    for match in _NUMBER.finditer(text):
        written = match.group(1)
        value = Decimal(written) if written[0].isdigit() else _chinese_number(written)
        unit = match.group(2) or ""
        if unit in ("%", "％") or "百分点" in unit:
            if _TIMES.search(text, 0, match.start()):
                continue
            percents.add(value / 100)
        elif unit == "‰":
            percents.add(value / 1000)
        elif unit == "分":
            points.add(value)
        else:
            plain.add(value)
    return percents, points, plain
