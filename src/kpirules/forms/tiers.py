"""``tiers [SUBJECT] { TEST: SCORE, … }``: the first band whose test holds gives the score.

Standards: "重点支出安排率≥90%，计5分；80%（含）-90%，计4分；低于60%不得分" → ``tiers { >= 90%:
full, [80%, 90%): 4 pts, …, < 60%: zero }``. Bands are tried top to bottom; a value no band holds
cannot be scored (end with ``else: …`` when every value must score). The subject is the
indicator's measure, or any number or level written after ``tiers``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from decimal import Decimal
from typing import TYPE_CHECKING, Any

import attrs

from ..ast import Expr, Node, Span
from ..exact import Env, EvalFailure, Fn, Trace
from ..intervals import (
    Dom,
    Interval,
    Labels,
    Union,
    label_set,
    nice_point,
    show_interval,
    show_number,
    snap,
    to_decimal,
)
from ..kinds import ERROR, SCORE, Kind, Type
from ..messages import Catalog
from ..textfmt import number
from . import bands
from .base import Form, Goal

if TYPE_CHECKING:
    from sqlglot import exp

    from ..checker import _Checker as Checker
    from ..compiler import Compiler
    from ..explain import Explainer
    from ..intervals import Env as Domains
    from ..linter.analysis import RuleAnalysis
    from ..sql.arith import Q
    from ..sql.rules import RuleCompiler
    from ..sql.values import V


@attrs.frozen(eq=False)
class Band(Node):
    test: bands.BandTest
    score: Expr


@attrs.frozen(eq=False)
class Tiers(Node):
    subject: Expr | None
    bands: tuple[Band, ...]


@attrs.frozen
class TiersStep:
    span: Span
    subject: Decimal | str
    band: int  # index of the band that matched
    band_span: Span
    points: Decimal


class TiersForm(Form[Tiers]):
    name = "tiers"
    node = Tiers
    builders = {
        "tiers": lambda span, subject, *bands_: Tiers(span, subject, bands_),
        "band": lambda span, test, score: Band(span, test, score),
        **bands.BUILDERS,
    }
    steps = (TiersStep,)
    words = Catalog(
        "forms.tiers",
        {
            "goal": ("第 {n} 档 `{text}`", "band {n} `{text}`"),
            "tiers": (
                "分档：{s} = {x}，符合第 {n} 档「{b}」，得 {p} 分",
                "tiers: {s} = {x} falls in band {n} `{b}`: {p} points",
            ),
            # check errors and failures
            "subject_kind": (
                "分档比较的对象应为数值或等级，而不是{kind}",
                "tiers compare a number or a level, not {kind}",
            ),
            "no_band": ("分档中没有与 {what} = {x} 匹配的档", "no band of these tiers matches {what} = {x}"),
            "no_band_sql": ("分档中没有与 {what} 匹配的档", "no band of these tiers matches {what}"),
            "hint_else": ("在最后加一档 `else: …`", "add `else: …` as the last band"),
            # the linter's findings (KPI-G201, KPI-G202)
            "gap_point": (
                "没有与 {what} = {value} 匹配的档：评分规则无法对其评分",
                "no band matches {what} = {value}: the rule cannot score it",
            ),
            "gap": (
                "{what} 在 {gap} 内时没有匹配的档：{what} = {value} 时评分规则无法评分",
                "no band matches {what} in {gap}: at {what} = {value} the rule cannot score",
            ),
            "hint_gap": (
                "为这些数值增加一档，或在分档最后加上 `else: …`",
                "add a band for these values, or end the tiers with `else: …`",
            ),
            "hint_gap_levels": (
                "为这些等级增加一档，或在分档最后加上 `else: …`",
                "add a band for these levels, or end the tiers with `else: …`",
            ),
            "else_unreached": (
                "`else` 档永远不会用到：上面各档已匹配 {what} 的所有取值",
                "the `else` band is never reached: the bands above match every value of {what}",
            ),
            "else_unreached_levels": (
                "`else` 档永远不会用到：上面各档已匹配 {what} 的所有等级",
                "the `else` band is never reached: the bands above match every level of {what}",
            ),
            "hint_else_unreached": (
                "删除这一档；如需有意保留，请注明理由并屏蔽此问题",
                "remove it, or keep it on purpose and suppress this finding with a reason",
            ),
            "empty_band": (
                "{band} 是空区间，永远不会匹配",
                "{band} is an empty interval: it can never match",
            ),
            "hint_empty_band": ("请先写下限，如 [80%, 90%)", "write the lower end first, as in [80%, 90%)"),
            "outside_domain": (
                "{band} 永远不会匹配：{what} 总在 {domain} 内",
                "{band} can never match: {what} is always in {domain}",
            ),
            "hint_outside_domain": (
                "请修正边界；如果数据项声明的 `range` 有误，请改正",
                "correct the bound, or declare the measure's `range` if it is wrong",
            ),
            "shadowed_by_one": (
                "{band} 永远不会匹配：它的所有取值都会先落入{earlier}",
                "{band} can never match: {earlier} takes all its values first",
            ),
            "shadowed_by_many": (
                "{band} 永远不会匹配：它的所有取值都会先落入{earlier}",
                "{band} can never match: {earlier} take all its values first",
            ),
            "hint_shadowed": (
                "各档自上而下依次匹配；请调整顺序或修正边界",
                "bands are tried top to bottom; reorder them or correct the bounds",
            ),
            "no_level": ("{band} 不会匹配 {what} 的任何等级", "{band} can never match any level of {what}"),
            "levels_shadowed": (
                "{band} 永远不会匹配：它的所有等级都会先落入{earlier}",
                "{band} can never match: {earlier} take all its levels first",
            ),
            "hint_levels_shadowed": ("请调整各档顺序或修正标签", "reorder the bands or correct the labels"),
            "band": ("第 {n} 档 `{test}`", "band {n} `{test}`"),
            "matches_first": ("第 {n} 档先匹配", "band {n} matches first"),
            "and": ("、", " and "),
            "sep": ("、", ", "),
        },
    )

    def check(self, c: Checker, node: Tiers, want: Kind | None, levels: tuple[str, ...] | None) -> Type:
        if (bad := c.no_scores_here(node)) is not None:
            return bad
        subject = c.infer(node.subject) if node.subject is not None else c.subject_type(node, "tiers")
        if subject.kind not in (Kind.NUMBER, Kind.LABEL, Kind.ERROR):
            where = node.subject if node.subject is not None else node
            c.error(where, self.words("subject_kind", kind=subject.kind.words))
            subject = ERROR
        for band in node.bands:
            bands.check_test(c, band.test, subject)
            c.expect(band.score, Kind.SCORE)
        return SCORE

    def inexact(self, node: Tiers, value: Callable[[Node | None], bool], subject: bool) -> bool:
        return any(value(band.score) for band in node.bands)

    def compile(self, c: Compiler, node: Tiers) -> Fn:
        subject = c.exact_subject(node, node.subject)
        subject_node: Node = node.subject if node.subject is not None else node
        levels = c.checked.types[node.subject].levels if node.subject is not None else c.subject_levels
        label_ranks = c.ranks.setdefault(levels, {label: i for i, label in enumerate(levels)}) if levels else None
        tests = [
            (bands.band_test(c, band.test, label_ranks), c.compile(band.score), i, band.span)
            for i, band in enumerate(node.bands)
        ]
        span, words = node.span, self.words
        what = c.text(subject_node) if node.subject is not None else (c.subject or "value")

        def tiers(env: Env, tr: Trace) -> Any:
            x = subject(env, tr)
            for test, score, index, band_span in tests:
                if test(x, env, tr):
                    if tr is None:
                        return score(env, tr)
                    at = len(tr)  # the band and its points, then how the band's score came about
                    points = score(env, tr)
                    tr.insert(at, TiersStep(span, x, index, band_span, points))
                    return points
            raise EvalFailure(span, words("no_band", what=what, x=x), words("hint_else"), key="no_band")

        return tiers

    def sql(self, s: RuleCompiler, node: Tiers) -> V:
        x = s.subject_value(node.subject)
        levels = s.checked.types[node.subject].levels if node.subject is not None else s.subject_levels
        tests = [(bands.band_sql(s, band.test, x, levels), s.compile(band.score)) for band in node.bands]
        what = s.text(node.subject) if node.subject is not None else (s.subject or "value")
        value: Q = s.qconst(0)
        err: exp.Expression | None = s.string(self.words("no_band_sql", what=what))
        for (test, test_err), score in reversed(tests):
            assert isinstance(score.value, s.Q)
            value = s.a.select(test, score.value, value)
            err = s.first_err(test_err, s.branch_err(test, score.err, err))
        return s.V(value, s.first_err(x.err, err))

    # -- interval: the values the score can take, gaps and bands that can never match ----------------
    def interval(self, a: RuleAnalysis, node: Tiers, env: Domains) -> Dom:
        name = a.measure_of(node.subject) if node.subject is not None else a.subject
        subject = a.ev(node.subject, env) if node.subject is not None else a.subject_value(env)
        if isinstance(subject, Interval):
            return self.numeric(a, node, env, name, subject)
        levels = a.levels_of(node.subject)
        if isinstance(subject, frozenset) and levels is not None:
            return self.labels(a, node, env, name, frozenset(x for x in subject if isinstance(x, str)), levels)
        a.uncertain.append(node)
        return a.join(node, [(band.score, a.ev(band.score, env)) for band in node.bands])

    def numeric(self, a: RuleAnalysis, node: Tiers, env: Domains, name: str | None, dom: Interval) -> Dom:
        sets = [bands.band_set(a, band.test) for band in node.bands]
        if any(s is None for s in sets):  # a bound that reads a measure: no coverage reasoning
            a.uncertain.append(node)
            return a.join(node, [(band.score, a.ev(band.score, env)) for band in node.bands])
        grid = a.grid(name)
        domain = Union.of([dom]).on_grid(grid)
        if domain.empty:  # a measure that can take no value at all: nothing to reason about
            return a.join(node, [(band.score, a.ev(band.score, env)) for band in node.bands])
        covered = Union()
        parts: list[tuple[Node, Dom]] = []
        what = name or a.text(node.subject) if node.subject is not None else (name or "value")
        percent = name is not None and a.measures[name].type == "rate"
        for i, (band, test_set) in enumerate(zip(node.bands, sets, strict=True)):
            assert test_set is not None
            inside = domain.intersect(test_set).on_grid(grid)
            reach = inside.minus(covered).on_grid(grid)
            if reach.empty:
                self.unreachable(a, node, i, band, inside, sets, domain, what, percent)
            else:
                narrowed = env
                if name is not None:
                    narrowed = {**env, name: snap(reach.hull(), grid)}
                parts.append((band.score, a.ev(band.score, narrowed)))
            covered = covered.union(test_set)
        gap = domain.minus(covered).on_grid(grid)
        if not gap.empty:
            a.uncertain.append(node)  # the interval may be looser than the subject's values
            point = nice_point(gap.parts[0], grid)
            # a subject computed from measures may never take the gap's values: the checker
            # searches for measured values that fall through instead
            if name is not None and point is not None and self.falls_through(a, node, point):
                shown_gap = " ∪ ".join(show_interval(p, percent) for p in gap.parts)
                value = show_number(point, percent)
                if len(gap.parts) == 1 and gap.parts[0].is_point:
                    message = self.words("gap_point", what=what, value=value)
                else:
                    message = self.words("gap", what=what, gap=shown_gap, value=value)
                a.report(
                    "KPI-G201",
                    node.span,
                    message,
                    self.words("hint_gap"),
                    {what: value},
                )
        return a.join(node, parts) if parts else Interval.point(Decimal(0))

    def falls_through(self, a: RuleAnalysis, node: Tiers, point: Decimal) -> bool:
        """Run the compiled band tests on ``point``: the witness must really match no band."""
        compiler = a.compiler()
        x = to_decimal(point)
        return not any(bands.band_test(compiler, band.test, None)(x, {}, None) for band in node.bands)

    def unreachable(
        self,
        a: RuleAnalysis,
        node: Tiers,
        index: int,
        band: Band,
        inside: Union,
        sets: list[Union | None],
        domain: Union,
        what: str,
        percent: bool,
    ) -> None:
        if isinstance(band.test, bands.ElseTest):
            a.report(
                "KPI-G202",
                band.span,
                self.words("else_unreached", what=what),
                self.words("hint_else_unreached"),
            )
            return
        test_set = sets[index]
        if test_set is not None and test_set.empty:
            a.report(
                "KPI-G202",
                band.span,
                self.words("empty_band", band=self.band_ref(a, band, index)),
                self.words("hint_empty_band"),
            )
            return
        if inside.empty:
            shown = " ∪ ".join(show_interval(p, percent) for p in domain.parts)
            a.report(
                "KPI-G202",
                band.span,
                self.words("outside_domain", band=self.band_ref(a, band, index), what=what, domain=shown),
                self.words("hint_outside_domain"),
            )
            return
        shadows = []
        for j, earlier in enumerate(sets[:index]):
            assert earlier is not None
            if not inside.intersect(earlier).empty:
                shadows.append(j)
        single = [j for j in shadows if inside.minus(sets[j]).empty]  # type: ignore[arg-type]
        chosen = single[:1] or shadows
        names = self.words("and").join(self.band_ref(a, node.bands[j], j) for j in chosen)
        a.report(
            "KPI-G202",
            band.span,
            self.words(
                "shadowed_by_one" if len(chosen) == 1 else "shadowed_by_many",
                band=self.band_ref(a, band, index),
                earlier=names,
            ),
            self.words("hint_shadowed"),
            None,
            [(self.words("matches_first", n=j + 1), node.bands[j].span) for j in chosen],
        )

    def band_ref(self, a: RuleAnalysis, band: Band, index: int) -> str:
        """``band 2 `[80%, 90%)```, in the current language."""
        return self.words("band", n=index + 1, test=a.text(band.test))

    def labels(
        self, a: RuleAnalysis, node: Tiers, env: Domains, name: str | None, labels: Labels, levels: tuple[str, ...]
    ) -> Dom:
        sets: list[Labels | None] = []
        for band in node.bands:
            test = band.test
            if isinstance(test, bands.ElseTest):
                sets.append(frozenset(levels))
            elif isinstance(test, bands.CompareTest) and a.label_of(test.bound) is not None:
                sets.append(label_set(test.op, a.label_of(test.bound) or "", levels))
            else:
                sets.append(None)
        if any(s is None for s in sets):
            a.uncertain.append(node)
            return a.join(node, [(band.score, a.ev(band.score, env)) for band in node.bands])
        covered: set[str] = set()
        parts: list[tuple[Node, Dom]] = []
        what = name or (a.text(node.subject) if node.subject is not None else "value")
        for i, (band, test_set) in enumerate(zip(node.bands, sets, strict=True)):
            assert test_set is not None
            inside = labels & test_set
            reach = inside - covered
            if not reach:
                if isinstance(band.test, bands.ElseTest):
                    message = self.words("else_unreached_levels", what=what)
                    related: list[tuple[str, Span]] = []
                elif not inside:
                    message = self.words("no_level", band=self.band_ref(a, band, i), what=what)
                    related = []
                else:
                    earlier = [j for j, s in enumerate(sets[:i]) if s and inside & s]
                    names = self.words("and").join(self.band_ref(a, node.bands[j], j) for j in earlier)
                    message = self.words("levels_shadowed", band=self.band_ref(a, band, i), earlier=names)
                    related = [(self.words("matches_first", n=j + 1), node.bands[j].span) for j in earlier]
                hint = self.words("hint_levels_shadowed")
                a.report("KPI-G202", band.span, message, hint, None, related)
            else:
                narrowed = {**env, name: frozenset(reach)} if name is not None else env
                parts.append((band.score, a.ev(band.score, narrowed)))
            covered |= test_set
        left = [lv for lv in levels if lv in labels and lv not in covered]
        if left:
            a.report(
                "KPI-G201",
                node.span,
                self.words("gap_point", what=what, value=self.words("sep").join(left)),
                self.words("hint_gap_levels"),
                {what: left[0]},
            )
        return a.join(node, parts) if parts else Interval.point(Decimal(0))

    def explain(self, step: TiersStep, x: Explainer) -> str:
        return self.words.say(
            x.lang,
            "tiers",
            s=x.snippet(step.span).split("{")[0].removeprefix("tiers").strip() or x.subject,
            x=x.fmt(step.subject),
            n=step.band + 1,
            b=x.snippet(step.band_span),
            p=number(step.points),
        )

    def goals(self, node: Tiers) -> Sequence[Goal]:
        return [Goal(n, band.span, band.test.span) for n, band in enumerate(node.bands)]

    def reached(self, step: TiersStep) -> Iterable[str | int]:
        return (step.band,)


FORM = TiersForm()
