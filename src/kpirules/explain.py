"""Traces to words: why each indicator earned its points, in Chinese (zh) or English (en)."""

from __future__ import annotations

import datetime
import functools
import re
from collections.abc import Callable, Sequence
from decimal import Decimal
from typing import TYPE_CHECKING

import attrs

from . import ast
from . import trace as t
from .ast import Span
from .exact import clamp
from .forms import STEPS
from .messages import Catalog, check_language, language
from .textfmt import number, percent
from .values import Bound, Converted

if TYPE_CHECKING:
    from .model import Measure
    from .result import IndicatorResult, Result

M = Catalog(
    "explain",
    {
        "points": ("分", "points"),
        "total": ("总分", "total"),
        "grade": ("等级", "grade"),
        "no_grade": ("无等级", "no grade"),
        "rule": ("规则", "rule"),
        "standard": ("评分标准", "standard"),
        "values": ("取值", "values"),
        "yes": ("是", "yes"),
        "no": ("否", "no"),
        "branch_then": ("条件「{c}」成立，取 then 分支，得 {p} 分", "`{c}` holds: the then branch, {p} points"),
        "branch_else": ("条件「{c}」不成立，取 else 分支，得 {p} 分", "`{c}` fails: the else branch, {p} points"),
        "combine": ("计算「{e}」：{calc} = {p} 分", "calculation `{e}`: {calc} = {p} points"),
        "ratio": ("计算「{e}」：{calc} = {p}", "calculation `{e}`: {calc} = {p}"),
        "compare_held": ("比较「{e}」：{calc}，成立", "comparison `{e}`: {calc} holds"),
        "compare_failed": ("比较「{e}」：{calc}，不成立", "comparison `{e}`: {calc} fails"),
        "divide": ("÷", "/"),
        "fixed": ("固定分值 {p} 分", "a fixed score of {p} points"),
        "no_value": ("无数值", "no value"),
        "clamp_high": ("计算得分 {r} 超过分值 {w}，按 {w} 计", "computed {r} exceeds the weight {w}: counted as {w}"),
        "clamp_low": ("计算得分 {r} 小于 0，按 0 计", "computed {r} is below 0: counted as 0"),
        "no_floor": (
            '计算得分 {r} 小于 0：该指标不设下限（floor = "none"），按 {r} 计',
            'computed {r} is below 0: the indicator has no floor (floor = "none"), counted as {r}',
        ),
        "round": ("保留 {n} 位小数（{mode}）：{s}", "rounded to {n} decimals ({mode}): {s}"),
        "half-up": ("四舍五入", "half up"),
        "half-even": ("银行家舍入", "half even"),
        "missing": (
            '缺少 {m} 的数值；按 if_missing = "{policy}" 计 {p} 分',
            'no value for {m}; if_missing = "{policy}" gives {p} points',
        ),
        "override": (
            "人工调整：计算得分 {c}，调整为 {s}（理由：{reason}）",
            "set by hand: computed {c}, set to {s} (reason: {reason})",
        ),
        "bonus": ("加分项", "bonus"),
        "unknown_total": ("未知（表中未列出：{rows}）", "unknown ({rows} not shown)"),
        "joiner": ("、", ", "),
        # the punctuation between the parts of a line: full-width in Chinese text
        "colon": ("：", ": "),
        "comma": ("，", ", "),
        "semicolon": ("；", "; "),
        "hidden_given": (
            "表中未列出该行，没有评分规则；得分由人工给出（理由：{reason}）",
            "not shown in the table, and no rule: the score is set by hand (reason: {reason})",
        ),
        "hidden_unknown": (
            "表中未列出该行，没有评分规则，得分未知；总分因此未知",
            "not shown in the table, and no rule: its score is unknown, and so is the total",
        ),
        "bound_at_least": (
            "`{name}` 给出的是下限「{text}」：按下限 {value} 计分，实际数值可能更高",
            "`{name}` is given as a bound, {text}: scored at its lower bound {value}; the actual value may be higher",
        ),
        "bound_at_most": (
            "`{name}` 给出的是上限「{text}」：按上限 {value} 计分，实际数值可能更低",
            "`{name}` is given as a bound, {text}: scored at its upper bound {value}; the actual value may be lower",
        ),
        "share": (
            "分值：{pool} 分 ÷ {n} 个同级指标 = {w} 分（{mode}）",
            "weight: {pool} points / {n} siblings = {w} points ({mode})",
        ),
        "with_unit": ("{n}{unit}", "{n} {unit}"),
        "judged": ("{level}（评定 {p} 分）", "{level} ({p} points awarded)"),
    },
)


def value_text(value: Converted, measure: Measure | None, lang: str) -> str:
    words = _templates(lang)
    if isinstance(value, bool):
        return words["yes"] if value else words["no"]
    if isinstance(value, str):
        points = getattr(value, "points", None)  # a judged measure's level and the points awarded
        return value if points is None else words["judged"].format(level=str(value), p=number(points))
    if isinstance(value, datetime.date):
        return value.isoformat()
    if measure is not None and measure.type == "rate":
        return percent(value)
    text = number(value)
    if measure is not None and measure.unit:
        return words["with_unit"].format(n=text, unit=measure.unit)
    return text


def total_text(result: Result, lang: str | None = None) -> str:
    """The total as tables print it: the number, or, where a row the table does not show has no
    score, 「未知（表中未列出：x）」 ("unknown (x not shown)"): never the sum of the rows shown."""
    if result.total is not None:
        return str(result.total)
    words = _templates(check_language(lang or language()))
    return words["unknown_total"].format(rows=words["joiner"].join(f"`{row.id}`" for row in result.unknown))


def bound_note(name: str, value: Bound, measure: Measure | None, lang: str | None = None) -> str:
    """What a value given as a bound ("≥90%") means for the score: it is scored at its bound."""
    lang = check_language(lang or language())
    key = "bound_at_least" if value.side == "at_least" else "bound_at_most"
    return _templates(lang)[key].format(name=name, text=value.text, value=value_text(Decimal(value), measure, lang))


def _formatter(measure: Measure | None) -> Callable[[Decimal | str], str]:
    """How a subject's values read: rates as percentages, other numbers plainly."""
    if measure is not None and measure.type == "rate":
        return lambda v: percent(v) if isinstance(v, Decimal) else v
    return lambda v: number(v) if isinstance(v, Decimal) else v


def _singular(text: str) -> str:
    """English only: "1 points" reads "1 point"."""
    return _ONE_POINTS.sub(r"\1 point\2", text)


_ONE_POINTS = re.compile(r"(?<![\d.])(1) points(\b)")


def explain_indicator(item: IndicatorResult, lang: str | None = None) -> str:  # noqa: C901 - one branch per kind of trace step of an indicator's explanation
    lang = check_language(lang or language())
    words = _templates(lang)
    ruleset = item._result.ruleset
    ind = item.indicator
    source = ind.rule_source.text
    subject = ruleset.measures.get(ind.measure) if ind.measure else None
    fmt = _formatter(subject)
    # a form over a measure of its own (`tiers rate {…}`) shows that measure's values its own way
    own_subject = {
        node.span: _formatter(ruleset.measures.get(subject_node.name))
        for node in ast.walk(ind.rule)
        if isinstance(subject_node := getattr(node, "subject", None), ast.Name)
    }

    def snippet(span: Span) -> str:
        text = " ".join(source[span.start : span.end].split())
        return text if len(text) <= 60 else text[:57] + "…"

    head = f"{ind.name} [{ind.id}]  {item.score} / {number(ind.weight)} {words['points']} ({percent(item.rate)})"
    if ind.bonus:
        head += f"  {words['bonus']}"
    lines = [head]
    if ind.standard:
        lines.append(f"  {words['standard']}{words['colon']}{ind.standard}")
    if ind.share is not None:
        mode = words[ruleset.header.rounding]
        pool, n = number(ind.share.pool), ind.share.siblings
        share = words["share"].format(pool=pool, n=n, w=number(ind.weight), mode=mode)
        lines.append(f"  {share}")
    rule_lines = [line.rstrip() for line in source.strip("\n").split("\n")]
    if len(rule_lines) == 1:
        lines.append(f"  {words['rule']}{words['colon']}{rule_lines[0].strip()}")
    else:  # keep the rule's own layout: new lines separate bands
        indent = (
            min(len(line) - len(line.lstrip()) for line in rule_lines[1:] if line.strip())
            if any(line.strip() for line in rule_lines[1:])
            else 0
        )
        lines.append(f"  {words['rule']}{words['colon'].rstrip()}")
        lines.append(f"    {rule_lines[0].strip()}")
        lines += [f"    {line[indent:]}" if line.strip() else "" for line in rule_lines[1:]]
    # every measure the rule reads, given or not (a branch not taken may read one that is not)
    env = item._result.values
    shown = []
    for name in ruleset.inputs_of(ind.id):
        if name in item.missing:
            continue  # said below
        measure = ruleset.measures[name]
        label = f"{measure.label} ({name})" if measure.label else name
        value = value_text(env[name], measure, lang) if name in env else words["no_value"]
        shown.append(f"{label} = {value}")
    if shown:
        lines.append(f"  {words['values']}{words['colon']}" + words["semicolon"].join(shown))
    for name in ruleset.inputs_of(ind.id):
        given = env.get(name)
        if isinstance(given, Bound):
            lines.append("  " + bound_note(name, given, ruleset.measures[name], lang))
    if item.missing:
        names = words["joiner"].join(item.missing)
        lines.append("  " + words["missing"].format(m=names, policy=ind.if_missing, p=number(item.computed)))
    subject_name = (subject.label or subject.name) if subject is not None else "value"
    for step in item.trace:
        step_fmt = own_subject.get(getattr(step, "span", None), fmt)  # type: ignore[arg-type]
        explainer = Explainer(lang, step_fmt, snippet, ind.weight, subject_name, ind.floored)
        lines.append("  " + _step(step, explainer).replace("= ≈", "≈ "))
    raw = item.raw
    if raw is not None:  # the last figure is the score: the rule's points, clamped, rounded
        if not item.trace:  # a rule that is a constant
            lines.append("  " + words["fixed"].format(p=number(raw)))
        if raw > ind.weight:
            lines.append("  " + words["clamp_high"].format(r=number(raw), w=number(ind.weight)))
        elif raw < 0 and ind.floored:
            lines.append("  " + words["clamp_low"].format(r=number(raw)))
        elif raw < 0:  # floor = "none": said where it matters, when the points are below 0
            lines.append("  " + words["no_floor"].format(r=number(raw)))
        clamped = clamp(raw, ind.weight, ind.floored)
        if clamped != item.computed or number(clamped).startswith("≈"):  # changed, or not shown exactly
            header = ruleset.header
            lines.append("  " + words["round"].format(n=header.precision, mode=words[header.rounding], s=item.computed))
    if item.override is not None:
        lines.append("  " + words["override"].format(c=item.computed, s=item.score, reason=item.override.reason))
    text = "\n".join(lines)
    return _singular(text) if lang == "en" else text


@attrs.frozen
class Explainer:
    """What a form needs to explain a step: the language, how the subject's values read, the text
    of a span of the rule, the weight and the subject's name."""

    lang: str
    fmt: Callable[[Decimal | str], str]
    snippet: Callable[[Span], str]
    weight: Decimal
    subject: str
    #: False for an indicator with ``floor = "none"``: its points may go below 0
    floored: bool = True

    def nested(self, text: str, steps: Sequence[t.Step]) -> list[str]:
        """The lines of ``steps`` taken in another rule, ``text`` (``rule(ID)``: the rule of ID)."""

        def snippet(span: Span) -> str:
            shown = " ".join(text[span.start : span.end].split())
            return shown if len(shown) <= 60 else shown[:57] + "…"

        inner = attrs.evolve(self, snippet=snippet)
        return [_step(step, inner).replace("= ≈", "≈ ") for step in steps]


@functools.cache
def _templates(lang: str) -> dict[str, str]:
    return M.templates(lang)


def _step(step: t.Step, x: Explainer) -> str:
    form = STEPS.get(type(step))
    if form is not None:
        return form.explain(step, x)
    words, snippet = _templates(x.lang), x.snippet
    if isinstance(step, t.BranchStep):
        return words["branch_then" if step.held else "branch_else"].format(
            c=snippet(step.cond_span), p=number(step.points)
        )
    if isinstance(step, t.CompareStep):
        calc = f"{_operand(step.left)} {step.op} {_operand(step.right)}"
        return words["compare_held" if step.held else "compare_failed"].format(e=snippet(step.span), calc=calc)
    assert isinstance(step, t.CombineStep)
    args = [_operand(a) for a in step.args]
    if step.func == "neg":
        calc = f"-{args[0]}" if args[0].startswith("(") else f"-({args[0]})"
    elif step.func in ("abs", "min", "max"):
        calc = f"{step.func}({', '.join(number(a) for a in step.args)})"
    elif step.func == "round":  # its value, then the decimals
        value, places = step.args
        calc = f"round({number(value)})" if not places else f"round({number(value)}, {number(places)})"
    else:
        symbol = {"*": "×", "/": words["divide"]}.get(step.func, step.func)
        calc = f" {symbol} ".join(args)
    key = "combine" if step.score else "ratio"
    return words[key].format(e=snippet(step.span), calc=calc, p=number(step.points))


def _operand(value: Decimal) -> str:
    """A figure inside a calculation: a negative one in brackets, ``10 - (-2)``."""
    text = number(value)
    return f"({text})" if value < 0 else text


def explain_result(result: Result, lang: str | None = None) -> str:
    lang = check_language(lang or language())
    words = _templates(lang)
    ruleset = result.ruleset
    title = ruleset.title or ruleset.id
    if result.unit is not None:
        title += f" — {result.unit}"
    grade = result.grade if result.grade is not None else words["no_grade"]
    lines = [
        title,
        f"{words['total']} {total_text(result, lang)} / {number(ruleset.weight_sum)}{words['comma']}"
        f"{words['grade']} {grade}",
        "",
    ]
    for item in result:
        lines.append(explain_indicator(item, lang))
        lines.append("")
    for row, score in zip(ruleset.hidden, result.hidden, strict=True):  # rows the table does not show
        given = ruleset.hidden_scores.get(row.id)
        lines.append(
            f"{row.name} [{row.id}]  {score if score is not None else '—'} / {number(row.weight)} {words['points']}"
        )
        if score is not None and given is not None:
            lines.append("  " + words["hidden_given"].format(reason=given.reason))
        else:
            lines.append("  " + words["hidden_unknown"])
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"
