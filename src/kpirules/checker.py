"""Type checking at load time.

Every expression has one of five kinds: a number, a condition (bool), a level label, a score
(points of the indicator), or a date (``a - b`` of two dates is a number of days). The checker
infers kinds bottom-up with a hint from the context (``80%`` is a share of the weight where a score
is wanted), resolves bare labels next to level measures,
and reports every error it finds with its place in the rule. Its result is a side table that the
compiler reads: the kind of each node, the labels, and the measures the rule reads.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Collection, Mapping
from decimal import Decimal

from . import ast
from .errors import RuleTypeError, close_matches
from .forms import FORMS, refs
from .kinds import BOOL, DATE, ERROR, FUNCTIONS, NUMBER, SCORE, Checked, Kind, Type, measure_type
from .messages import Catalog
from .model import Measure
from .source import RuleSource

M = Catalog(
    "checker",
    {
        "expected": ("此处应为{want}，但 `{snippet}` 是{got}", "expected {want}, but `{snippet}` is {got}"),
        "hint_score_number": (
            "用 `N pts` 表示分数，或用 `N%` 表示分值的比例；按比率计分用 `proportional E`",
            "write `N pts` for points or `N%` for a share of the weight; `proportional E` scores a ratio",
        ),
        "hint_score_bool": (
            "条件成立时得满分，请写 `pass if …`",
            "write `pass if …` to give full marks when the condition holds",
        ),
        "hint_number_bool": ("是/否值不能当作数值使用", "a yes/no value cannot be used as a number"),
        "hint_bool_number": ("请与某个值比较，例如 `… >= 95%`", "compare it, e.g. `… >= 95%`"),
        "hint_date_number": (
            "日期只与日期比较，日期写作 2021-12-31；两个日期相减得相差的天数，例如 `完成日期 - 2021-12-31 <= 30`",
            "a date compares with a date, written 2021-12-31; two dates subtracted give the days between, "
            "e.g. `done - 2021-12-31 <= 30`",
        ),
        "hint_date_plus": (
            "日期不能加减天数；请将两个日期相减，比较相差的天数，例如 `完成日期 - 2021-12-31 <= 30`",
            "a date takes no days added or subtracted; subtract two dates and compare the days between, "
            "e.g. `done - 2021-12-31 <= 30`",
        ),
        "hint_rule_number": (
            "按比率计分请写 `proportional …`，或用 `pts` 给出分数",
            "write `proportional …` to score a ratio, or give points with `pts`",
        ),
        "no_scores_here": (
            "数据项的公式中不能出现得分或评分方式",
            "scores and scoring forms cannot appear in a measure formula",
        ),
        "form_in_formula": (
            "数据项的公式中不能使用 `{form}`；请直接写出它用到的数据项",
            "`{form}` cannot appear in a measure formula; name the measures it uses",
        ),
        "no_subject": (
            "`{form}` 作用于指标的数据项，但该指标没有设置 `measure`",
            "`{form}` works on the indicator's measure, and this indicator has no `measure`",
        ),
        "hint_no_subject": (
            '在指标中加上 `measure = "…"`，或在评分规则中直接写出数据项',
            'add `measure = "…"` to the indicator, or name the value in the rule',
        ),
        "bare_score": ("单独的数字 {text} 不能作为得分", "the bare number {text} cannot be a score"),
        "hint_pts": ("表示分数请写 `{text} pts`", "write `{text} pts` for points"),
        "hint_pts_over": (
            "表示分数请写 `{text} pts`（超过了分值 {weight}：得分以分值为上限）",
            "write `{text} pts` for points (more than the weight {weight}: a score is capped at the weight)",
        ),
        "hint_pts_share": (
            "表示分数请写 `{text} pts`；或写 `{percent}%`，即分值 {weight} 的相应比例，得分相同",
            "write `{text} pts` for points, or `{percent}%` for the same points as a share of the weight {weight}",
        ),
        "not_level": (
            "'{text}' 不是已声明的等级；可用的等级为 {levels}",
            "'{text}' is not a declared level; the levels are {levels}",
        ),
        "neither": (
            "'{name}' 既不是数据项，也不是已声明的等级；可用的等级为 {levels}",
            "'{name}' is neither a measure nor a declared level; the levels are {levels}",
        ),
        "did_you_mean": ("是否应为 `{name}`？", "did you mean `{name}`?"),
        "declare_it": ("请在 [measures] 中声明它", "declare it under [measures]"),
        "unknown_measure": ("未知的数据项 `{name}`", "unknown measure `{name}`"),
        "min_args": ("{func}() 至少需要两个参数", "{func}() needs at least two arguments"),
        "minmax_kind": ("{func}() 的参数应为数值或得分，而不是{kind}", "{func}() takes numbers or scores, not {kind}"),
        "abs_args": ("abs() 只接受一个参数", "abs() takes one argument"),
        "abs_kind": ("abs() 的参数应为数值或得分，而不是{kind}", "abs() takes a number or a score, not {kind}"),
        "round_args": (
            "round() 需要一个数值或得分，以及可选的保留小数位数：round(x) 或 round(x, 2)",
            "round() takes a number or a score, and optionally a count of decimals: round(x) or round(x, 2)",
        ),
        "round_kind": ("round() 的参数应为数值或得分，而不是{kind}", "round() takes a number or a score, not {kind}"),
        "functions_kinds": (
            "min、max、abs 和 round 都接受数值或得分，结果与参数同类",
            "min, max, abs and round all take numbers or scores, and give what they take",
        ),
        "round_digits": (
            "round() 的小数位数必须是 0 到 12 之间的整数",
            "the decimals of round() must be a whole number from 0 to 12",
        ),
        "unknown_function": ("未知的函数 `{func}`", "unknown function `{func}`"),
        "functions": ("可用的函数有 {names}", "the functions are {names}"),
        "negate": ("不能对{kind}取负", "cannot negate {kind}"),
        "plus_minus": ("不能对{kind}使用 `{op}`", "cannot use `{op}` on {kind}"),
        "multiply": ("不能对{kind}做乘法", "cannot multiply {kind}"),
        "divide": ("不能用{kind}做除法", "cannot divide with {kind}"),
        "two_labels": (
            "应将等级型数据项与等级标签比较，而不是比较两个标签",
            "compare a level measure with a label, not two labels",
        ),
        "scales": (
            "这两个等级属于不同的等级序列，不能比较",
            "these two levels use different scales and cannot be compared",
        ),
        "compare_bool": (
            "条件只能用 == 和 != 比较，不能用 {op}",
            "conditions can only be compared with == and !=, not {op}",
        ),
        "rule_not_score": (
            "评分规则必须给出得分，但此规则给出的是{kind}",
            "a rule must give a score, but this one is {kind}",
        ),
        "sep": ("、", ", "),
    },
)


def listed(items: Collection[str]) -> str:
    """Levels, functions … as a list in the current language: ``优、良、中`` / ``优, 良, 中``."""
    return M("sep").join(items)


class _Checker:
    def __init__(
        self,
        measures: Mapping[str, Measure],
        subject: str | None,
        source: RuleSource,
        *,
        scores: bool,
        broken: Collection[str] = (),
        weight: Decimal | None = None,
    ) -> None:
        self.measures = measures
        self.weight = weight  # the indicator's, for hints
        self.broken = broken
        self.subject = subject
        self.source = source
        self.scores = scores
        self.out = Checked()
        self.dispatch: dict[type, Callable[..., Type]] = {
            ast.Number: self.number,
            ast.Date: lambda n, w, lv: DATE,
            ast.Points: self.points,
            ast.Text: self.text,
            ast.Bool: lambda n, w, lv: BOOL,
            ast.Full: self.score_constant,
            ast.Zero: self.score_constant,
            ast.ValueRef: self.value_ref,
            ast.Name: self.name,
            ast.Call: self.call,
            ast.Neg: self.neg,
            ast.Not: self.not_,
            ast.BinOp: self.binop,
            ast.Logic: self.logic,
            ast.Compare: self.compare,
            ast.IfElse: self.if_else,
        }
        for node_type, form in FORMS.items():
            self.dispatch[node_type] = functools.partial(form.check, self)

    # -- plumbing -----------------------------------------------------------------------------
    def error(self, node: ast.Node | ast.Span, message: str, hint: str | None = None, code: str = "KPI-T201") -> Type:
        span = node if isinstance(node, ast.Span) else node.span
        location = self.source.location(span.start, span.end)
        self.out.errors.append(RuleTypeError(message, location=location, hint=hint, code=code))
        return ERROR

    def snippet(self, node: ast.Node) -> str:
        text = " ".join(self.source.text[node.span.start : node.span.end].split())
        return text if len(text) <= 40 else text[:37] + "…"

    def infer(self, node: ast.Node, want: Kind | None = None, levels: tuple[str, ...] | None = None) -> Type:
        result = self.dispatch[type(node)](node, want, levels)
        self.out.types[node] = result
        return result

    def expect(self, node: ast.Node, kind: Kind, levels: tuple[str, ...] | None = None) -> Type:
        got = self.infer(node, kind, levels)
        if got.kind not in (kind, Kind.ERROR):
            hint = None
            if kind is Kind.SCORE and got.kind is Kind.NUMBER:
                hint = M("hint_score_number")
            elif kind is Kind.SCORE and got.kind is Kind.BOOL:
                hint = M("hint_score_bool")
            elif kind is Kind.NUMBER and got.kind is Kind.BOOL:
                hint = M("hint_number_bool")
            elif kind is Kind.BOOL and got.kind is Kind.NUMBER:
                hint = M("hint_bool_number")
            elif Kind.DATE in (kind, got.kind) and Kind.NUMBER in (kind, got.kind):
                hint = M("hint_date_number")
            message = M("expected", want=kind.words, snippet=self.snippet(node), got=got.kind.words)
            return self.error(node, message, hint)
        return got

    def no_scores_here(self, node: ast.Node) -> Type | None:
        if not self.scores:
            return self.error(node, M("no_scores_here"))
        return None

    def subject_type(self, node: ast.Node, form: str) -> Type:
        if not self.scores:
            return self.error(node, M("form_in_formula", form=form))
        if self.subject is None:
            return self.error(
                node,
                M("no_subject", form=form),
                M("hint_no_subject"),
                code="KPI-T203",
            )
        self.out.measures.add(self.subject)
        return measure_type(self.measures[self.subject])

    # -- literals and names ---------------------------------------------------------------------
    def number(self, node: ast.Number, want: Kind | None, levels: object) -> Type:
        if want is Kind.SCORE:
            if node.unit or node.value == 0:
                return SCORE
            return self.error(node, M("bare_score", text=node.text), self.bare_score_hint(node))
        return NUMBER

    def bare_score_hint(self, node: ast.Number) -> str:
        """``write `4 pts` for points, or `80%` …``: the percentage that scores the same points at
        this indicator's weight (never ``400%``, which scores the whole weight), where it is exact."""
        hint = M("hint_pts", text=node.text)
        weight = self.weight
        if weight is None or weight <= 0 or node.value < 0:
            return hint
        from fractions import Fraction  # an error's hint: imported when one is given

        share = Fraction(node.value) / Fraction(weight) * 100
        shown = format(weight.normalize(), "f")
        if share > 100:
            return M("hint_pts_over", text=node.text, weight=shown)
        if (share * 10_000).denominator != 1:  # 1 of 3 points is no round percentage
            return hint
        percent = format((Decimal(share.numerator) / Decimal(share.denominator)).normalize(), "f")
        return M("hint_pts_share", text=node.text, percent=percent, weight=shown)

    def points(self, node: ast.Points, want: Kind | None, levels: object) -> Type:
        return self.no_scores_here(node) or SCORE

    def score_constant(self, node: ast.Node, want: Kind | None, levels: object) -> Type:
        return self.no_scores_here(node) or SCORE

    def text(self, node: ast.Text, want: Kind | None, levels: tuple[str, ...] | None) -> Type:
        self.out.labels[node] = node.text
        if levels is not None and node.text not in levels:
            return self.error(node, M("not_level", text=node.text, levels=listed(levels)), code="KPI-T202")
        return Type(Kind.LABEL, levels)

    def value_ref(self, node: ast.ValueRef, want: Kind | None, levels: object) -> Type:
        return self.subject_type(node, "value")

    def name(self, node: ast.Name, want: Kind | None, levels: tuple[str, ...] | None) -> Type:
        measure = self.measures.get(node.name)
        if measure is not None:
            self.out.measures.add(node.name)
            return measure_type(measure)
        if levels is not None and node.name in levels:
            self.out.labels[node] = node.name
            return Type(Kind.LABEL, levels)
        if node.name in self.broken:
            return ERROR  # its declaration is already reported
        if levels is not None:
            return self.error(
                node,
                M("neither", name=node.name, levels=listed(levels)),
                code="KPI-T202",
            )
        close = close_matches(node.name, list(self.measures), n=1, cutoff=0.6)
        hint = M("did_you_mean", name=close[0]) if close else M("declare_it")
        return self.error(node, M("unknown_measure", name=node.name), hint, code="KPI-R101")

    # -- operators ----------------------------------------------------------------------------
    def call(self, node: ast.Call, want: Kind | None, levels: object) -> Type:
        args = node.args
        if node.func in ("min", "max"):
            if len(args) < 2:
                return self.error(node, M("min_args", func=node.func))
            first = self.infer(args[0], want)
            if first.kind is Kind.ERROR:
                for arg in args[1:]:
                    self.infer(arg, want)
                return ERROR
            if first.kind not in (Kind.NUMBER, Kind.SCORE):
                return self.error(args[0], M("minmax_kind", func=node.func, kind=first.kind.words))
            for arg in args[1:]:
                self.expect(arg, first.kind)
            return first
        if node.func == "abs":
            if len(args) != 1:
                return self.error(node, M("abs_args"))
            got = self.infer(args[0], want)
            if got.kind not in (Kind.NUMBER, Kind.SCORE, Kind.ERROR):
                return self.error(args[0], M("abs_kind", kind=got.kind.words), M("functions_kinds"))
            return got
        if node.func == "round":
            if len(args) not in (1, 2):
                return self.error(node, M("round_args"))
            got = self.infer(args[0], want)
            if len(args) == 2:
                digits = args[1]
                self.infer(digits)
                if not (
                    isinstance(digits, ast.Number)
                    and not digits.unit
                    and digits.value == digits.value.to_integral_value()
                    and 0 <= digits.value <= 12
                ):
                    return self.error(digits, M("round_digits"))
            if got.kind not in (Kind.NUMBER, Kind.SCORE, Kind.ERROR):
                return self.error(args[0], M("round_kind", kind=got.kind.words), M("functions_kinds"))
            return got
        names = listed((*FUNCTIONS, *refs.FUNCTIONS))  # and those of an indicator's id: score(rework)
        return self.error(node, M("unknown_function", func=node.func), M("functions", names=names))

    def neg(self, node: ast.Neg, want: Kind | None, levels: object) -> Type:
        got = self.infer(node.operand, want)
        if got.kind not in (Kind.NUMBER, Kind.SCORE, Kind.ERROR):
            return self.error(node, M("negate", kind=got.kind.words))
        return got

    def not_(self, node: ast.Not, want: Kind | None, levels: object) -> Type:
        self.expect(node.operand, Kind.BOOL)
        return BOOL

    def binop(self, node: ast.BinOp, want: Kind | None, levels: object) -> Type:
        if node.op in ("+", "-"):
            if want is Kind.SCORE:
                left = self.expect(node.left, Kind.SCORE)
                right = self.expect(node.right, Kind.SCORE)
                return ERROR if Kind.ERROR in (left.kind, right.kind) else SCORE
            left = self.infer(node.left, want)
            if left.kind is Kind.ERROR:
                self.infer(node.right, want)
                return ERROR
            if left.kind is Kind.DATE:
                return self.date_minus(node)
            if left.kind not in (Kind.NUMBER, Kind.SCORE):
                self.infer(node.right)
                return self.error(node, M("plus_minus", op=node.op, kind=left.kind.words))
            right = self.expect(node.right, left.kind)
            return ERROR if right.kind is Kind.ERROR else left
        if node.op == "*":
            left = self.infer(node.left)
            if left.kind is Kind.SCORE:
                right = self.expect(node.right, Kind.NUMBER)
                return ERROR if right.kind is Kind.ERROR else SCORE
            # in a score position, `80% * x` is a share of the weight times a number
            share = want is Kind.SCORE and isinstance(node.left, ast.Number) and bool(node.left.unit)
            right = self.infer(node.right, Kind.SCORE if want is Kind.SCORE and not share else None)
            if share and right.kind is Kind.NUMBER:
                self.out.types[node.left] = SCORE
                return SCORE
            if Kind.ERROR in (left.kind, right.kind):
                return ERROR
            if left.kind is Kind.NUMBER and right.kind in (Kind.NUMBER, Kind.SCORE):
                return right
            bad = node.left if left.kind is not Kind.NUMBER else node.right
            return self.error(bad, M("multiply", kind=self.out.kind(bad).words))
        # division
        left = self.infer(node.left, want)
        right = self.infer(node.right)
        if Kind.ERROR in (left.kind, right.kind):
            return ERROR
        if left.kind is Kind.SCORE and right.kind is Kind.SCORE:
            return NUMBER  # a ratio of two scores
        if left.kind in (Kind.NUMBER, Kind.SCORE) and right.kind is Kind.NUMBER:
            return left
        bad = node.right if left.kind in (Kind.NUMBER, Kind.SCORE) else node.left
        return self.error(bad, M("divide", kind=self.out.kind(bad).words))

    def date_minus(self, node: ast.BinOp) -> Type:
        """``a - b`` of two dates: the days between, a number; no other sum takes a date."""
        right = self.infer(node.right)
        if node.op == "-" and right.kind is Kind.DATE:
            return NUMBER
        if right.kind is Kind.ERROR:
            return ERROR
        return self.error(node, M("plus_minus", op=node.op, kind=Kind.DATE.words), M("hint_date_plus"))

    def logic(self, node: ast.Logic, want: Kind | None, levels: object) -> Type:
        self.expect(node.left, Kind.BOOL)
        self.expect(node.right, Kind.BOOL)
        return BOOL

    def _labelish(self, node: ast.Node) -> bool:
        return isinstance(node, ast.Text) or (isinstance(node, ast.Name) and node.name not in self.measures)

    def compare(self, node: ast.Compare, want: Kind | None, levels: object) -> Type:
        first, second = node.left, node.right
        if self._labelish(first) and not self._labelish(second):
            first, second = second, first
        a = self.infer(first)
        if a.kind is Kind.LABEL:
            if a.levels is None:
                self.infer(second)
                return self.error(node, M("two_labels"))
            b = self.expect(second, Kind.LABEL, a.levels)
            if b.kind is Kind.LABEL and b.levels != a.levels:
                return self.error(node, M("scales"))
        elif a.kind is Kind.ERROR:
            self.infer(second)
            return BOOL
        else:
            self.expect(second, a.kind)
        if a.kind is Kind.BOOL and node.op not in ("==", "!="):
            return self.error(node, M("compare_bool", op=node.op))
        return BOOL

    def if_else(self, node: ast.IfElse, want: Kind | None, levels: tuple[str, ...] | None) -> Type:
        self.expect(node.cond, Kind.BOOL)
        then = self.infer(node.then, want, levels)
        if then.kind is Kind.ERROR:
            self.infer(node.orelse, want, levels)
            return ERROR
        other = self.expect(node.orelse, then.kind, then.levels or levels)
        return ERROR if other.kind is Kind.ERROR else then

    # -- scoring forms ------------------------------------------------------------------------


def check_rule(
    rule: ast.Expr,
    measures: Mapping[str, Measure],
    subject: str | None,
    source: RuleSource,
    broken: Collection[str] = (),
    weight: Decimal | None = None,
) -> Checked:
    """Type-check an indicator's rule: it must be a score. Names in ``broken`` are declared
    measures whose declaration failed; they are not reported again as unknown. ``weight``, the
    indicator's, makes hints exact (``4`` in a 5-point rule is ``4 pts`` or ``80%``)."""
    checker = _Checker(measures, subject, source, scores=True, broken=broken, weight=weight)
    got = checker.infer(rule, Kind.SCORE)
    if got.kind not in (Kind.SCORE, Kind.ERROR):
        hint = {
            Kind.BOOL: M("hint_score_bool"),
            Kind.NUMBER: M("hint_rule_number"),
        }.get(got.kind)
        checker.error(rule, M("rule_not_score", kind=got.kind.words), hint)
    return checker.out


def check_formula(
    formula: ast.Expr,
    measure: Measure,
    measures: Mapping[str, Measure],
    source: RuleSource,
    broken: Collection[str] = (),
) -> Checked:
    """Type-check a derived measure's formula against the measure's declared type."""
    checker = _Checker(measures, None, source, scores=False, broken=broken)
    want = measure_type(measure)
    checker.expect(formula, want.kind, want.levels)
    return checker.out
