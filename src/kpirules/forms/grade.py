"""``grade [SUBJECT] { LEVEL: SCORE, … } [by POINTS]``: the score of a level.

Standards: "优 得满分，良 得 80%，中 得 60%，差 不得分" → ``grade { 优: full, 良: 80%, 中: 60%, 差:
zero }``. With judged intervals, "良（60%-80%）" → ``grade { 优: [80%, 100%], 良: [60%, 80%), … } by
awarded``: the evaluator's points (``awarded``) must fall in the band of the level given.

A bare ``grade`` (or ``grade X``) uses the shared scale of its measure (``[scales.NAME]``): the
loader puts the scale's bands into the node (``scale`` names it). A ``judged`` measure's value
carries the points the evaluator gave (``points`` of the value, ``x__points`` in SQL; ``measure``
names it); an interval band takes them as ``by`` does.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from decimal import Decimal
from typing import TYPE_CHECKING, Any

import attrs

from ..ast import Expr, Name, Node, Span, Text, ValueRef
from ..exact import ONE, Env, EvalFailure, Fn, Trace
from ..intervals import ZERO, Dom, Interval, Labels, Union, nice_point, show_interval, show_number
from ..kinds import SCORE, Kind, Type
from ..messages import Catalog
from ..model import POINTS
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
    from ..sql.trees import Bool
    from ..sql.values import V


@attrs.frozen(eq=False)
class GradeBand(Node):
    label: str
    label_span: Span
    score: Expr | bands.Interval


@attrs.frozen(eq=False)
class Grade(Node):
    subject: Expr | None
    bands: tuple[GradeBand, ...]
    by: Expr | None
    #: The shared scale whose bands these are (a bare ``grade``), once the loader has put them in.
    scale: str | None = None
    #: The ``judged`` measure whose points an interval band takes (a bare ``grade`` on one).
    measure: str | None = None

    @property
    def unresolved(self) -> bool:
        """A bare ``grade`` whose measure has no scale (the checker reports it)."""
        return not self.bands


@attrs.frozen
class GradeStep:
    span: Span
    label: str
    band_span: Span
    awarded: Decimal | None  # the points awarded `by` a measure, for interval bands
    low: Decimal | None
    high: Decimal | None
    low_closed: bool
    high_closed: bool
    points: Decimal
    scale: str | None = None


def _grade_by(span: Span, subject: Expr | None, *rest: Any) -> Grade:
    *bands_, by = rest
    return Grade(span, subject, tuple(bands_), by)


def _band(span: Span, label: Name | Text, score: Expr | bands.Interval) -> GradeBand:
    text = label.name if isinstance(label, Name) else label.text
    return GradeBand(span, text, label.span, score)


class GradeForm(Form[Grade]):
    name = "grade"
    node = Grade
    builders = {
        "grade": lambda span, subject, *bands_: Grade(span, subject, bands_, None),
        "grade_by": _grade_by,
        "grade_band": _band,
        "grade_scaled": lambda span, subject: Grade(span, subject, (), None),
    }
    steps = (GradeStep,)
    words = Catalog(
        "forms.grade",
        {
            "goal": ("等级「{label}」", "level '{label}'"),
            "grade_band": ("等级「{label}」，得 {p} 分", "level '{label}': {p} points"),
            "grade_range": (
                "等级「{label}」的分值区间 {r}，评定 {p} 分",
                "level '{label}' allows {r}; awarded {p} points",
            ),
            # check errors and failures
            "subject_kind": ("`grade` 需要等级型数据项，而不是{kind}", "`grade` needs a level measure, not {kind}"),
            "not_level": (
                "'{label}' 不是该数据项的等级；可用的等级为 {levels}",
                "'{label}' is not a level of this measure; the levels are {levels}",
            ),
            "twice": ("标签 '{label}' 出现了两次", "the label '{label}' appears twice"),
            "needs_by": (
                "得分区间需要在块后写 `by MEASURE`，指明记录评定分数的数据项",
                "an interval of scores needs `by MEASURE` after the block to say which points were awarded",
            ),
            "no_band": (
                "等级评分中没有 '{label}' 对应的档（现有各档：{labels}）",
                "the grade has no band for '{label}' (bands: {labels})",
            ),
            "hint_no_band": ("增加一档 `{label}: …`", "add a band `{label}: …`"),
            "no_band_sql": (
                "等级没有与该等级对应的档（各档：{labels}）",
                "the grade has no band for this level (bands: {labels})",
            ),
            "outside_band_sql": ("{by} 超出等级「{label}」的分值区间", "{by} is outside the band of '{label}'"),
            "outside_band": (
                "{by} = {shown} 不在等级 '{label}' 的分值区间 {band} 内",
                "{by} = {shown} is outside the band of '{label}': {band} points",
            ),
            "rounded": ("{given}（舍入后为 {awarded}）", "{given} (rounded {awarded})"),
            # shared scales
            "scale_band": (
                "按等级序列「{scale}」，等级「{label}」得 {p} 分",
                "by the scale '{scale}', level '{label}': {p} points",
            ),
            "scale_range": (
                "按等级序列「{scale}」，等级「{label}」的分值区间 {r}，评定 {p} 分",
                "by the scale '{scale}', level '{label}' allows {r}; awarded {p} points",
            ),
            "no_scale": (
                "不带档的 `grade` 使用数据项的等级序列，但 `{name}` 没有设置 `scale`",
                "a `grade` without bands uses its measure's scale, and `{name}` has no `scale`",
            ),
            "hint_no_scale": (
                '在 [measures.{name}] 中写 `scale = "…"`（见 [scales.NAME]），或在 `grade` 后写出各档',
                'add `scale = "…"` to [measures.{name}] (see [scales.NAME]), or write the bands after `grade`',
            ),
            "no_scale_subject": (
                "不带档的 `grade` 需要一个设置了 `scale` 的数据项",
                "a `grade` without bands needs a measure with a `scale`",
            ),
            "level_needs_points": (
                "等级序列「{scale}」的档是分值区间，而等级型数据项 `{name}` 不含评定分数",
                "the scale '{scale}' has intervals of points, and the level measure `{name}` holds no points",
            ),
            "hint_level_needs_points": (
                '把 `{name}` 改为 `type = "judged"`，其值可同时给出等级和分数，如 "达成 8.5"',
                'make `{name}` `type = "judged"`: its value then gives the level and the points, as "达成 8.5"',
            ),
            "needs_points": (
                "{name} 为 '{label}'，其分值区间为 {band}，但没有给出评定分数",
                "{name} is '{label}', whose band is {band} points, and no points were given",
            ),
            "hint_needs_points": (
                '在等级后写出评定分数，如 "{label} {example}"',
                'give the points after the level, as "{label} {example}"',
            ),
            "needs_points_sql": ("{name} 没有给出评定分数", "{name} gives no points"),
            "hint_outside_band": (
                "请在等级 '{label}' 的区间内评定分数，或更改等级",
                "award points inside the band of '{label}', or change the level",
            ),
            # the linter's findings (KPI-G203, KPI-G204, KPI-G205)
            "missing_levels": (
                "等级评分中没有 {levels} 对应的档：评为 {first} 的单位无法评分",
                "the grade has no band for {levels}: a unit rated {first} cannot be scored",
            ),
            "hint_missing_levels": (
                "为该数据项的每个等级都加一档，如 `{first}: …`",
                "add a band `{first}: …` for every level of the measure",
            ),
            "overlap": (
                "等级 '{a}' 和 '{b}' 的评定区间在 {shared} 分上重叠：{point} 分同时属于两个等级",
                "the judged intervals of '{a}' and '{b}' overlap on {shared} points: {point} fits both levels",
            ),
            "hint_overlap": (
                "请把其中一端改为开区间：[60%, 80%) 接 [80%, 100%]",
                "make one end open: [60%, 80%) next to [80%, 100%]",
            ),
            "interval_of": ("等级 '{label}' 的区间", "the interval of '{label}'"),
            "gap": (
                "评定区间没有把 {gap} 分划给任何等级：无法评定 {point} 分",
                "the judged intervals leave {gap} points to no level: {point} points cannot be awarded",
            ),
            "hint_gap": (
                "请让各区间首尾相接：[0, 60%)、[60%, 80%)、[80%, 100%]",
                "make the intervals meet: [0, 60%), [60%, 80%), [80%, 100%]",
            ),
            "sep": ("、", ", "),
        },
    )

    def check(self, c: Checker, node: Grade, want: Kind | None, levels: tuple[str, ...] | None) -> Type:
        if (bad := c.no_scores_here(node)) is not None:
            return bad
        subject = c.infer(node.subject) if node.subject is not None else c.subject_type(node, "grade")
        if node.unresolved:
            return self.check_unresolved(c, node, subject)
        scale: tuple[str, ...] | None = None
        if subject.kind is Kind.LABEL and subject.levels is not None:
            scale = subject.levels
        elif subject.kind is not Kind.ERROR:
            where = node.subject if node.subject is not None else node
            c.error(where, self.words("subject_kind", kind=subject.kind.words))
        seen: dict[str, GradeBand] = {}
        for band in node.bands:
            if scale is not None and band.label not in scale:
                c.error(
                    band.label_span,
                    self.words("not_level", label=band.label, levels=self.words("sep").join(scale)),
                    code="KPI-T202",
                )
            if band.label in seen:
                c.error(band.label_span, self.words("twice", label=band.label), code="KPI-R103")
            seen[band.label] = band
            if isinstance(band.score, bands.Interval):
                if node.by is None and node.scale is None:
                    c.error(band.score, self.words("needs_by"))
                c.expect(band.score.low, Kind.SCORE)
                c.expect(band.score.high, Kind.SCORE)
                c.out.types[band.score] = SCORE
            else:
                c.expect(band.score, Kind.SCORE)
        if node.by is not None:
            c.expect(node.by, Kind.NUMBER)
        return SCORE

    def check_unresolved(self, c: Checker, node: Grade, subject: Type) -> Type:
        """A bare ``grade`` the loader found no scale for."""
        if subject.kind is Kind.ERROR:
            return SCORE
        name = c.subject if node.subject is None or isinstance(node.subject, ValueRef) else None
        if isinstance(node.subject, Name) and node.subject.name in c.measures:
            name = node.subject.name
        if name is None:
            c.error(node.subject or node, self.words("no_scale_subject"))
        else:
            c.error(node, self.words("no_scale", name=name), self.words("hint_no_scale", name=name))
        return SCORE

    def inexact(self, node: Grade, value: Callable[[Node | None], bool], subject: bool) -> bool:
        return (
            node.by is None
            and node.measure is None
            and any(value(band.score) for band in node.bands if not isinstance(band.score, bands.Interval))
        )

    def compile(self, c: Compiler, node: Grade) -> Fn:
        subject = c.subject_fn(node, node.subject)
        span = node.span
        by = c.exact_fn(node.by) if node.by is not None else None
        by_text = c.text(node.by) if node.by is not None else (node.measure or "")
        judged = node.measure is not None  # the points come with the level: ``points`` of the value
        scale = node.scale
        table: dict[str, tuple[Fn, Fn, bool, bool, Span]] = {}
        for band in node.bands:
            if isinstance(band.score, bands.Interval):
                iv = band.score
                table[band.label] = (c.compile(iv.low), c.compile(iv.high), iv.low_closed, iv.high_closed, band.span)
            else:
                score = c.compile(band.score)
                table[band.label] = (score, score, True, True, band.span)
        words = self.words
        rounder, quantum = c.rounding if c.rounding is not None else (None, ONE)

        def no_points(label: str, low: Decimal, high: Decimal, low_closed: bool, high_closed: bool) -> EvalFailure:
            lb, rb = "[" if low_closed else "(", "]" if high_closed else ")"
            band = f"{lb}{number(low)}, {number(high)}{rb}"
            example = number(nice_point(Interval(low, high, low_closed, high_closed), None) or low)
            return EvalFailure(
                span,
                words("needs_points", name=by_text, label=label, band=band),
                words("hint_needs_points", label=label, example=example),
                key="grade_needs_points",
            )

        def grade(env: Env, tr: Trace) -> Any:
            label = subject(env, tr)
            entry = table.get(label)
            if entry is None:
                raise EvalFailure(
                    span,
                    words("no_band", label=label, labels=words("sep").join(table)),
                    words("hint_no_band", label=label),
                    key="no_band",
                )
            low_fn, high_fn, low_closed, high_closed, band_span = entry
            low = low_fn(env, tr)
            high = high_fn(env, tr) if high_fn is not low_fn else low
            given = label.points if judged and type(label) is not str else None
            if given is None and judged and high_fn is not low_fn:
                raise no_points(label, low, high, low_closed, high_closed)
            if by is None and given is None:
                points, awarded = low, None
            else:
                if given is None:
                    assert by is not None
                    given = by(env, tr)
                # compare the points as they will be scored, rounded to the ruleset's precision
                awarded = rounder.quantize(given, quantum) if rounder is not None else given
                inside = (low <= awarded if low_closed else low < awarded) and (
                    awarded <= high if high_closed else awarded < high
                )
                if not inside:
                    lb, rb = "[" if low_closed else "(", "]" if high_closed else ")"
                    shown = number(given)
                    if awarded != given:
                        shown = words("rounded", given=shown, awarded=awarded)
                    band = f"{lb}{number(low)}, {number(high)}{rb}"
                    raise EvalFailure(
                        span,
                        words("outside_band", by=by_text, shown=shown, label=label, band=band),
                        words("hint_outside_band", label=label),
                        key="grade_outside_band",
                    )
                points = awarded
            if tr is not None:
                step = GradeStep(
                    span, str(label), band_span, awarded, low, high, low_closed, high_closed, points, scale
                )
                tr.append(step)
            return points

        found = c.column_of(subject)
        constants = [c.const(band.score) for band in node.bands if not isinstance(band.score, bands.Interval)]
        if (
            by is not None
            or judged
            or found is None
            or len(constants) != len(node.bands)
            or not all(ok for ok, _ in constants)
        ):
            return grade
        # `grade { 优: full, 良: 80% … }`: a label's points are a constant
        (labels_of,) = found
        points_of = {band.label: value for band, (_, value) in zip(node.bands, constants, strict=True)}

        def grade_columns(cols: Mapping[str, Sequence[Any]], n: int) -> Sequence[Any]:
            return list(map(points_of.__getitem__, labels_of(cols, n)))  # KeyError: a label has no band

        return c.columnar(grade, grade_columns)

    def sql(self, s: RuleCompiler, node: Grade) -> V:
        subject = s.subject_value(node.subject)
        label = subject.value
        by = s.compile(node.by) if node.by is not None else None
        no_points: Bool = False  # a judged value without points: its single-score band scores as it is
        if node.measure is not None:  # a judged measure: its points arrive beside it, in `x__points`
            by = s.measure(node.measure + POINTS)
            assert isinstance(by.value, s.Q)
            no_points = s.is_null(s.i.sql(by.value.n))
        mode = s.rounding
        precision = s.precision
        value: Q = s.qconst(0)
        labels = self.words("sep").join(band.label for band in node.bands)
        err: exp.Expression | None = s.string(self.words("no_band_sql", labels=labels))
        levels = s.checked.types[node.subject].levels if node.subject is not None else s.subject_levels
        if not isinstance(label, str) and levels and set(levels) <= {band.label for band in node.bands}:
            err = None  # the value is one of the levels (the input check sees to it): a band matches
        for band in reversed(node.bands):
            matches = s.label_is(label, band.label)
            if isinstance(band.score, bands.Interval):
                low, low_err = s.num(band.score.low)
                high, high_err = s.num(band.score.high)
                lc, hc = band.score.low_closed, band.score.high_closed
            else:
                low, low_err = s.num(band.score)
                high, high_err, lc, hc = low, None, True, True
            if by is None:
                points, band_err = low, s.first_err(low_err, high_err)
            else:
                assert isinstance(by.value, s.Q)
                awarded = s.a.norm(s.a.round_int(by.value, precision, mode), 10**precision, False)
                inside = s.b_and(
                    s.a.cmp(low, "<=" if lc else "<", awarded), s.a.cmp(awarded, "<=" if hc else "<", high)
                )
                by_text = s.text(node.by) if node.by is not None else str(node.measure)
                message = self.words("outside_band_sql", by=by_text, label=band.label)
                outside = s.when(s.b_and(s.b_not(no_points), s.b_not(inside)), s.string(message))
                points, band_err = awarded, s.first_err(low_err, high_err, by.err, outside)
                if no_points is not False:
                    if isinstance(band.score, bands.Interval):
                        needs = s.string(self.words("needs_points_sql", name=by_text))
                        band_err = s.first_err(s.when(no_points, needs), band_err)
                    else:
                        points = s.a.select(no_points, low, awarded)
            value = s.a.select(matches, points, value)
            err = s.branch_err(matches, band_err, err)
        return s.V(value, s.first_err(subject.err, err))

    # -- interval: the points a level can give, levels with no band, judged intervals ------------------
    def interval(self, a: RuleAnalysis, node: Grade, env: Domains) -> Dom:
        levels = a.levels_of(node.subject)
        subject = a.ev(node.subject, env) if node.subject is not None else a.subject_value(env)
        labels: Labels = (
            frozenset(x for x in subject if isinstance(x, str)) if isinstance(subject, frozenset) else frozenset()
        )
        if not labels and levels:
            labels = frozenset(levels)
        if not levels:
            a.uncertain.append(node)  # labels the analysis does not know
        by_label = {band.label: band for band in node.bands}
        parts: list[tuple[Node, Dom]] = []
        for band in node.bands:
            if band.label not in labels:
                continue
            if isinstance(band.score, bands.Interval):
                low = a.num(band.score.low, env)
                high = a.num(band.score.high, env)
                parts.append((band.score, Interval(low.lo, high.hi)))
            else:
                parts.append((band.score, a.ev(band.score, env)))
        missing = [lv for lv in (levels or ()) if lv in labels and lv not in by_label]
        if missing:
            name = a.measure_of(node.subject) if node.subject is not None else a.subject
            shown = self.words("sep").join(missing)
            a.report(
                "KPI-G203",
                node.span,
                self.words("missing_levels", levels=shown, first=missing[0]),
                self.words("hint_missing_levels", first=missing[0]),
                {name or a.text(node.subject or node): missing[0]},
            )
        if node.by is not None or node.measure is not None:
            self.judged(a, node)
        return a.join(node, parts) if parts else Interval.point(ZERO)

    def judged(self, a: RuleAnalysis, node: Grade) -> None:
        """Judged intervals (`grade {…} by M`) should split [0, weight] without gaps or overlaps."""
        grid = ONE.scaleb(-a.precision)
        sets: list[tuple[GradeBand, Interval]] = []
        for band in node.bands:
            if isinstance(band.score, bands.Interval):
                lo, hi = a.constant(band.score.low), a.constant(band.score.high)
                if lo is None or hi is None:
                    return
                sets.append((band, Interval(lo, hi, band.score.low_closed, band.score.high_closed)))
            else:
                value = a.constant(band.score)
                if value is None:
                    return
                sets.append((band, Interval.point(value)))
        whole = Interval(ZERO, a.weight)
        for i, (band, part) in enumerate(sets):
            for other, other_part in sets[:i]:
                shared = Union.of([part.intersect(other_part).intersect(whole)]).on_grid(grid)
                if not shared.empty:
                    point = nice_point(shared.parts[0], grid)
                    assert point is not None
                    a.report(
                        "KPI-G205",
                        band.span,
                        self.words(
                            "overlap",
                            a=other.label,
                            b=band.label,
                            shared=show_interval(shared.parts[0]),
                            point=show_number(point),
                        ),
                        self.words("hint_overlap"),
                        {"points": show_number(point)},
                        [(self.words("interval_of", label=other.label), other.span)],
                    )
        covered = Union.of(part for _, part in sets)
        gap = Union.of([whole]).minus(covered).on_grid(grid)
        if not gap.empty:
            point = nice_point(gap.parts[0], grid)
            assert point is not None
            a.report(
                "KPI-G204",
                node.span,
                self.words("gap", gap=gap, point=show_number(point)),
                self.words("hint_gap"),
                {"points": show_number(point)},
            )

    def explain(self, step: GradeStep, x: Explainer) -> str:
        scaled = {"scale": step.scale} if step.scale is not None else {}
        if step.awarded is None:
            key = "scale_band" if scaled else "grade_band"
            return self.words.say(x.lang, key, label=step.label, p=number(step.points), **scaled)
        assert step.low is not None and step.high is not None
        return self.words.say(
            x.lang,
            "scale_range" if scaled else "grade_range",
            **scaled,
            label=step.label,
            r=("[" if step.low_closed else "(")
            + f"{number(step.low)}, {number(step.high)}"
            + ("]" if step.high_closed else ")"),
            p=number(step.points),
        )

    def goals(self, node: Grade) -> Sequence[Goal]:
        return [Goal(band.label, band.span) for band in node.bands]

    def reached(self, step: GradeStep) -> Iterable[str | int]:
        return (step.label,)


FORM = GradeForm()
